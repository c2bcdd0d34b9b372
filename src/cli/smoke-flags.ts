/**
 * The smoke-check flag set, shared by `smoke`, `restore` and `rollback`, and
 * its parsing into the engine's SmokeOptions. Secrets are only ever read from
 * environment variables named on the command line, never from argv itself
 * (argv is visible to every user through `ps`).
 */
import type { OptionSpec, ParsedValues } from './command.js';
import { seconds, str } from './command.js';
import { UsageError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { runSmokeChecks, validateSmokeOptions, type SmokeOptions, type SmokeResult } from '../core/smoke.js';

/** Flags: --base-url, --story-id, --token-env, --email, --password-env, --timeout, --request-timeout. */
export const SMOKE_FLAGS: OptionSpec = {
  'base-url': { type: 'string' },
  'story-id': { type: 'string' },
  'token-env': { type: 'string' },
  email: { type: 'string' },
  'password-env': { type: 'string' },
  timeout: { type: 'string' },
  'request-timeout': { type: 'string' },
};

/** Usage text for the smoke flags, for command usage lines. */
export const SMOKE_USAGE =
  '--base-url URL --story-id ID [--token-env VAR | --email E --password-env VAR] [--timeout S] [--request-timeout S]';

const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function secretFromEnv(flag: string, name: string, env: NodeJS.ProcessEnv): string {
  if (!VAR_NAME.test(name)) {
    throw new UsageError(`--${flag}: "${name}" is not an environment variable name; expected letters, digits and _`);
  }
  const v = env[name];
  if (v === undefined || v === '') {
    throw new UsageError(`--${flag}: environment variable ${name} is not set or empty`);
  }
  return v;
}

/**
 * Builds SmokeOptions from parsed flags. With `required: false` (restore,
 * rollback), no --base-url means "no smoke checks" and resolves to undefined;
 * other smoke flags without --base-url are then a usage error.
 */
export function smokeOptionsFromFlags(
  values: ParsedValues,
  env: NodeJS.ProcessEnv,
  opts: { required: boolean },
): SmokeOptions | undefined {
  const baseUrl = str(values, 'base-url');
  if (baseUrl === undefined) {
    if (opts.required) throw new UsageError('--base-url: required; expected http(s)://host[:port]');
    const stray = Object.keys(SMOKE_FLAGS).find((k) => k !== 'base-url' && values[k] !== undefined);
    if (stray) throw new UsageError(`--${stray}: a smoke-check option; it needs --base-url`);
    return undefined;
  }
  const storyId = str(values, 'story-id');
  if (storyId === undefined) throw new UsageError('--story-id: required with --base-url; the story to read back');
  const tokenEnv = str(values, 'token-env');
  const email = str(values, 'email');
  const passwordEnv = str(values, 'password-env');
  const smoke: SmokeOptions = { baseUrl, storyId };
  if (tokenEnv !== undefined) {
    if (email !== undefined || passwordEnv !== undefined) {
      throw new UsageError('--token-env: use either --token-env or --email with --password-env, not both');
    }
    smoke.token = secretFromEnv('token-env', tokenEnv, env);
  } else if (email !== undefined || passwordEnv !== undefined) {
    if (email === undefined || email === '') throw new UsageError('--email: required with --password-env');
    if (passwordEnv === undefined) throw new UsageError('--password-env: required with --email');
    smoke.login = { email, password: secretFromEnv('password-env', passwordEnv, env) };
  } else {
    throw new UsageError('--token-env: required (or --email with --password-env) for the authenticated check');
  }
  const timeout = seconds(values, 'timeout');
  const requestTimeout = seconds(values, 'request-timeout');
  if (timeout !== undefined) smoke.timeoutMs = Math.round(timeout * 1000);
  if (requestTimeout !== undefined) smoke.requestTimeoutMs = Math.round(requestTimeout * 1000);
  return smoke;
}

/**
 * The smoke checks as a callback for commands that run them after their own
 * work (restore: `RestoreOptions.smoke`), or undefined without --base-url.
 */
export function smokeRunnerFromFlags(
  values: ParsedValues,
  ctx: { env: NodeJS.ProcessEnv; logger: Logger; signal: AbortSignal },
): (() => Promise<SmokeResult>) | undefined {
  const opts = smokeOptionsFromFlags(values, ctx.env, { required: false });
  // Validate now, so a bad URL or story id is refused before the caller does any work.
  if (opts) validateSmokeOptions(opts);
  return opts && (() => runSmokeChecks(opts, ctx.logger, ctx.signal));
}
