/**
 * Action inputs: read once, validated before any work, into the same option
 * types the CLI builds from its flags. Names match action.yml (kebab-case,
 * like the CLI's flags). Every error is one line naming the input and what it
 * accepts.
 */
import { BACKENDS } from '../core/config.js';
import { UsageError } from '../core/errors.js';
import { parseStepsFile } from '../core/checklist.js';
import { retentionFromOptions, RETENTION_OPTION_NAMES, type RetentionSettings } from '../core/retention/options.js';
import type { SmokeOptions } from '../core/smoke.js';
import { validateSmokeOptions } from '../core/smoke.js';
import { validateBackupName, validatePrefix } from '../core/naming.js';

export const ACTION_COMMANDS = [
  'backup',
  'restore',
  'prune',
  'verify',
  'smoke',
  'checklist',
  'rollback',
  'preflight',
] as const;
export type ActionCommand = (typeof ACTION_COMMANDS)[number];

/** Inputs that carry secrets: registered with the runner before anything else is read or logged. */
export const SECRET_INPUTS = ['token', 'password', 'github-token'] as const;

/** Reads one input's raw value ('' when not given). */
export type InputGetter = (name: string) => string;

export interface ActionInputs {
  command: ActionCommand;
  dbPath?: string;
  backend?: string;
  store: { kind: 'artifacts' } | { kind: 'local'; dir: string; lockTimeoutMs: number };
  prefix?: string;
  writers: { stop?: string; start?: string };
  prune: boolean;
  /** Retention settings, when any rule or profile was given. */
  retention?: RetentionSettings;
  dryRun: boolean;
  maxDelete?: number;
  maxBackupAgeMs: number;
  maxBackupAgeText: string;
  retentionDays?: number;
  backup: string;
  runId?: number;
  revertOnFailure: boolean;
  expectSchemaVersion?: string;
  smoke?: SmokeOptions;
  checklist: {
    steps?: string[];
    stepsFile?: string;
    workingDirectory: string;
    stepTimeoutMs: number;
    failFast: boolean;
    parallel: number;
  };
  cache: { enabled: boolean; paths: string[]; keyFiles: string[] };
  envFile?: string;
  restart?: string;
  githubToken: string;
  /** Values to register as secrets before anything is logged. */
  secrets: string[];
}

const opt = (get: InputGetter, name: string): string | undefined => {
  const v = get(name).trim();
  return v === '' ? undefined : v;
};

/** YAML 1.2 core-schema booleans, as @actions/core's getBooleanInput accepts them. */
export function boolInput(get: InputGetter, name: string, dflt: boolean): boolean {
  const v = opt(get, name);
  if (v === undefined) return dflt;
  if (['true', 'True', 'TRUE'].includes(v)) return true;
  if (['false', 'False', 'FALSE'].includes(v)) return false;
  throw new UsageError(`input ${name}: "${v}" is not a boolean; expected true or false`);
}

function intInput(get: InputGetter, name: string, min: number, max?: number): number | undefined {
  const v = opt(get, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < min || (max !== undefined && n > max)) {
    throw new UsageError(
      `input ${name}: "${v}" is not valid; expected a whole number from ${min}${max !== undefined ? ` to ${max}` : ' up'}`,
    );
  }
  return n;
}

function secondsInput(get: InputGetter, name: string): number | undefined {
  const v = opt(get, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^\d+(\.\d+)?$/.test(v) || n <= 0) {
    throw new UsageError(`input ${name}: "${v}" is not valid; expected a positive number of seconds`);
  }
  return n;
}

/** Parses an age like `48h`, `3d`, `2w` or `1d12h` into milliseconds. */
export function parseAge(text: string, name: string): number {
  const m = /^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$/.exec(text.trim());
  if (!m || text.trim() === '' || m.slice(1).every((x) => x === undefined)) {
    throw new UsageError(
      `input ${name}: "${text}" is not a duration; expected weeks, days, hours, minutes like 48h, 3d, 1d12h or 30m`,
    );
  }
  const [w, d, h, mi] = m.slice(1).map((x) => Number(x ?? 0)) as [number, number, number, number];
  const ms = (((w * 7 + d) * 24 + h) * 60 + mi) * 60_000;
  if (ms <= 0) throw new UsageError(`input ${name}: "${text}" is zero; expected a duration above zero like 48h or 3d`);
  return ms;
}

/** CLI flags the engine names in its messages, and the action inputs that carry the same value. */
const FLAG_TO_INPUT: Readonly<Record<string, string>> = {
  'token-env': 'token',
  'password-env': 'password',
  step: 'steps',
};

/**
 * The engine's validators speak in CLI flags (`--base-url`); the action's user
 * set inputs (`base-url`). Rewrites a UsageError's flag names; other errors pass.
 */
export function asInputError(err: unknown): unknown {
  if (!(err instanceof UsageError)) return err;
  const text = err.message.replace(/--([a-z][a-z-]*)/g, (_, flag: string) => `input ${FLAG_TO_INPUT[flag] ?? flag}`);
  return new UsageError(text, { cause: err });
}

function nonEmptySteps(steps: string[]): string[] {
  if (steps.length === 0)
    throw new UsageError('input steps: no steps to run; expected one shell command per line (# starts a comment)');
  return steps;
}

const lines = (text: string | undefined): string[] =>
  (text ?? '')
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter((s) => s !== '');

/** Reads and validates every input; throws UsageError before any work. */
export function readInputs(get: InputGetter): ActionInputs {
  const command = (opt(get, 'command') ?? 'backup') as ActionCommand;
  if (!ACTION_COMMANDS.includes(command)) {
    throw new UsageError(`input command: "${command}" is not a command; expected one of ${ACTION_COMMANDS.join(', ')}`);
  }
  const backend = opt(get, 'backend');
  if (backend !== undefined && !(BACKENDS as readonly string[]).includes(backend.toLowerCase())) {
    throw new UsageError(`input backend: "${backend}" is not a backend; expected one of ${BACKENDS.join(', ')}`);
  }
  const storeText = opt(get, 'store') ?? 'artifacts';
  const store: ActionInputs['store'] =
    storeText === 'artifacts'
      ? { kind: 'artifacts' }
      : { kind: 'local', dir: storeText, lockTimeoutMs: Math.round((secondsInput(get, 'lock-timeout') ?? 60) * 1000) };
  const prefix = opt(get, 'prefix');
  if (prefix !== undefined) validatePrefix(prefix, 'input prefix');

  const retentionValues: Record<string, string | undefined> = {};
  for (const n of RETENTION_OPTION_NAMES) retentionValues[n] = opt(get, n);
  const anyRule = RETENTION_OPTION_NAMES.some(
    (n) => n !== 'max-delete' && n !== 'timezone' && retentionValues[n] !== undefined,
  );
  const retention = anyRule ? retentionFromOptions(retentionValues, { prefix: 'input ' }) : undefined;
  const prune = boolInput(get, 'prune', false);
  if ((command === 'prune' || (command === 'backup' && prune)) && !retention) {
    throw new UsageError(
      `input profile: ${command === 'prune' ? 'prune' : 'prune: true'} needs a retention policy; set profile (dev or staging) or keep-* rules`,
    );
  }
  const backup = opt(get, 'backup') ?? 'latest';
  if (backup !== 'latest') validateBackupName(backup, 'input backup');

  const token = opt(get, 'token');
  const password = opt(get, 'password');
  const email = opt(get, 'email');
  const baseUrl = opt(get, 'base-url');
  let smoke: SmokeOptions | undefined;
  if (baseUrl !== undefined) {
    const storyId = opt(get, 'story-id');
    if (storyId === undefined)
      throw new UsageError('input story-id: required with base-url; the story whose latest analysis must be readable');
    smoke = { baseUrl, storyId };
    if (token !== undefined) smoke.token = token;
    else if (email !== undefined && password !== undefined) smoke.login = { email, password };
    else
      throw new UsageError('input token: required with base-url (or email with password) for the authenticated check');
    const timeout = secondsInput(get, 'timeout');
    const requestTimeout = secondsInput(get, 'request-timeout');
    if (timeout !== undefined) smoke.timeoutMs = Math.round(timeout * 1000);
    if (requestTimeout !== undefined) smoke.requestTimeoutMs = Math.round(requestTimeout * 1000);
    try {
      validateSmokeOptions(smoke);
    } catch (err) {
      throw asInputError(err);
    }
  } else if (command === 'smoke') {
    throw new UsageError('input base-url: required for command smoke; expected http(s)://host[:port]');
  }

  const steps = opt(get, 'steps');
  const envFile = opt(get, 'env-file');
  if (command === 'rollback' && envFile === undefined) {
    throw new UsageError('input env-file: required for command rollback; the dotenv file the service reads');
  }
  const maxBackupAgeText = opt(get, 'max-backup-age') ?? '48h';
  const runIdText = opt(get, 'run-id');
  return {
    command,
    dbPath: opt(get, 'db-path'),
    backend: backend?.toLowerCase(),
    store,
    prefix,
    writers: { stop: opt(get, 'stop-writers'), start: opt(get, 'start-writers') },
    prune,
    retention,
    dryRun: boolInput(get, 'dry-run', false),
    maxDelete: intInput(get, 'max-delete', 0),
    maxBackupAgeMs: parseAge(maxBackupAgeText, 'max-backup-age'),
    maxBackupAgeText,
    retentionDays: intInput(get, 'retention-days', 1, 400),
    backup,
    runId: runIdText === undefined ? undefined : intInput(get, 'run-id', 1),
    revertOnFailure: boolInput(get, 'revert-on-failure', false),
    expectSchemaVersion: opt(get, 'expect-schema-version'),
    smoke,
    checklist: {
      steps: steps === undefined ? undefined : nonEmptySteps(parseStepsFile(steps, 'input steps')),
      stepsFile: opt(get, 'steps-file'),
      workingDirectory: opt(get, 'working-directory') ?? '.',
      stepTimeoutMs: Math.round((secondsInput(get, 'step-timeout') ?? 900) * 1000),
      failFast: boolInput(get, 'fail-fast', false),
      parallel: intInput(get, 'parallel', 1, 64) ?? 1,
    },
    cache: {
      enabled: boolInput(get, 'cache', true),
      paths: lines(opt(get, 'cache-paths') ?? '~/.cache/uv'),
      keyFiles: lines(opt(get, 'cache-key-files') ?? 'uv.lock'),
    },
    envFile,
    restart: opt(get, 'restart'),
    githubToken: opt(get, 'github-token') ?? '',
    secrets: SECRET_INPUTS.map((n) => opt(get, n)).filter((s): s is string => !!s),
  };
}
