/**
 * Smoke checks against a running story_gen service (runbook: "Start API and run
 * smoke checks"): `GET /healthz`, then an authenticated
 * `GET /api/v1/stories/{story_id}/analysis/latest`.
 *
 * Each check retries transient failures (connection refused, 5xx, timeouts)
 * with exponential backoff and full jitter until one overall deadline; answers
 * that retrying cannot change (401, 403, 404, a wrong body) fail at once.
 * Tokens and passwords never reach a message, a log line or the result: every
 * text that could echo them passes through `redact`.
 */
import { CancelledError, SmokeError, UsageError } from './errors.js';
import type { Logger } from './logger.js';

/** Credentials for `POST /api/v1/auth/login` when no token is supplied. */
export interface SmokeLogin {
  email: string;
  password: string;
}

/** Everything a smoke run needs; shared by the CLI, restore, rollback and the action. */
export interface SmokeOptions {
  /** Service root, e.g. `http://127.0.0.1:8000` (http or https, no credentials). */
  baseUrl: string;
  /** Story whose latest analysis must be readable. */
  storyId: string;
  /** Bearer token; when absent, `login` is used to obtain one. */
  token?: string;
  login?: SmokeLogin;
  /** Overall deadline for all checks together (default 60000). */
  timeoutMs?: number;
  /** Deadline for one HTTP request including its body (default 10000). */
  requestTimeoutMs?: number;
  /** First backoff ceiling (default 250); doubles per attempt. */
  backoffBaseMs?: number;
  /** Largest backoff ceiling (default 5000). */
  backoffMaxMs?: number;
  /** Random source in [0, 1) for the jitter; injectable for tests. */
  random?: () => number;
  /** Sleeps `ms` or rejects when `signal` aborts; injectable for tests. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export const SMOKE_DEFAULTS = {
  timeoutMs: 60_000,
  requestTimeoutMs: 10_000,
  backoffBaseMs: 250,
  backoffMaxMs: 5_000,
} as const;

/** Outcome of one check. Never holds a token or a password. */
export interface SmokeCheckResult {
  name: 'healthz' | 'login' | 'analysis';
  ok: boolean;
  /** HTTP status of the last attempt; null when no response arrived. */
  status: number | null;
  /** Duration of the last attempt. */
  latencyMs: number;
  attempts: number;
  message: string;
}

/** Outcome of a smoke run. `checks` lists the checks that ran, in order. */
export interface SmokeResult {
  ok: boolean;
  /**
   * One line: which check failed and why, or that all passed. With `ok` and
   * `checks` this is restore's `SmokeOutcome`, so `() => runSmokeChecks(...)`
   * plugs straight into `RestoreOptions.smoke`.
   */
  message: string;
  baseUrl: string;
  storyId: string;
  checks: SmokeCheckResult[];
  durationMs: number;
}

/** Validates options before any request; a UsageError names the flag. */
export function validateSmokeOptions(opts: SmokeOptions): void {
  let url: URL;
  try {
    url = new URL(opts.baseUrl);
  } catch {
    throw new UsageError('--base-url: not a valid URL; expected http://host[:port][/prefix] or https://...');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(
      `--base-url: scheme "${url.protocol.replace(/:$/, '')}" is not supported; expected http or https`,
    );
  }
  if (url.username !== '' || url.password !== '') {
    // Never echo the URL here: it carries a credential.
    throw new UsageError(
      '--base-url: must not contain credentials; pass a token with --token-env or log in with --email',
    );
  }
  if (url.search !== '' || url.hash !== '') {
    throw new UsageError('--base-url: must not have a query or fragment; expected http(s)://host[:port][/prefix]');
  }
  if (opts.storyId === '' || opts.storyId.includes('/')) {
    throw new UsageError('--story-id: must be a non-empty story id without "/"');
  }
  if (opts.token === undefined && opts.login === undefined) {
    throw new UsageError('--token-env or --email with --password-env: one is required for the authenticated check');
  }
  if (opts.token !== undefined && opts.token === '') {
    throw new UsageError('--token-env: the token is empty');
  }
  if (opts.login !== undefined && (opts.login.email === '' || opts.login.password === '')) {
    throw new UsageError('--email and --password-env: email and password must both be non-empty');
  }
  for (const [name, v] of [
    ['--timeout', opts.timeoutMs],
    ['--request-timeout', opts.requestTimeoutMs],
  ] as const) {
    if (v !== undefined && (!Number.isFinite(v) || v <= 0)) {
      throw new UsageError(`${name}: must be a positive number of seconds`);
    }
  }
}

/** Joins the base URL (which may carry a path prefix) and an API path. */
function endpoint(baseUrl: string, apiPath: string): string {
  return baseUrl.replace(/\/+$/, '') + apiPath;
}

function defaultSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Result of one HTTP attempt, as the retry loop sees it. */
type Attempt =
  | { kind: 'done'; status: number; body: unknown; text: string }
  | { kind: 'network'; message: string }
  | { kind: 'timeout' };

/** Error codes worth naming in plain words; others are shown as-is. */
const NET_WORDS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host lookup failed (temporary)',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  UND_ERR_SOCKET: 'connection closed by the server',
  UND_ERR_HEADERS_TIMEOUT: 'no response headers in time',
  UND_ERR_BODY_TIMEOUT: 'response body stalled',
};

function describeNetworkError(err: unknown): string {
  // Duck-typed: fetch's errors may come from another realm (e.g. under jest's VM).
  let cur: unknown = err;
  for (let depth = 0; depth < 4 && typeof cur === 'object' && cur !== null; depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string') return NET_WORDS[code] ? `${NET_WORDS[code]} (${code})` : code;
    cur = (cur as { cause?: unknown }).cause;
  }
  const msg = (err as { message?: unknown } | null)?.message;
  return typeof msg === 'string' ? msg : String(err);
}

/** What to do with an HTTP answer: accept it, retry it, or fail at once. */
type Verdict = { ok: true; message: string } | { ok: false; retry: boolean; message: string };

interface CheckSpec {
  name: SmokeCheckResult['name'];
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: string;
  judge(status: number, body: unknown, text: string): Verdict;
}

/** One-line, length-capped body excerpt for messages (after redaction). */
function excerpt(text: string): string {
  const one = text.replace(/\s+/g, ' ').trim();
  if (one === '') return '';
  return `: ${one.length > 200 ? one.slice(0, 200) + '...' : one}`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Runs the smoke checks and returns their results; it does not throw when a
 * check fails (see `assertSmokeOk`). Throws UsageError for bad options and
 * CancelledError when `signal` aborts.
 */
export async function runSmokeChecks(opts: SmokeOptions, logger: Logger, signal?: AbortSignal): Promise<SmokeResult> {
  validateSmokeOptions(opts);
  const timeoutMs = opts.timeoutMs ?? SMOKE_DEFAULTS.timeoutMs;
  const requestTimeoutMs = opts.requestTimeoutMs ?? SMOKE_DEFAULTS.requestTimeoutMs;
  const baseMs = opts.backoffBaseMs ?? SMOKE_DEFAULTS.backoffBaseMs;
  const maxMs = opts.backoffMaxMs ?? SMOKE_DEFAULTS.backoffMaxMs;
  const random = opts.random ?? Math.random;
  const sleep = opts.sleep ?? defaultSleep;
  const outer = signal ?? new AbortController().signal;
  const started = performance.now();
  const deadline = started + timeoutMs;

  const secrets: string[] = [];
  if (opts.token) secrets.push(opts.token);
  if (opts.login) secrets.push(opts.login.password);
  /** Replaces every secret we know of; applied to anything taken from the wire. */
  const redact = (text: string): string => {
    let out = text;
    for (const s of secrets) if (s.length > 0) out = out.split(s).join('[redacted]');
    return out;
  };

  const checkCancelled = () => {
    if (outer.aborted) throw new CancelledError('smoke checks interrupted');
  };

  async function attempt(spec: CheckSpec, perRequestMs: number): Promise<Attempt> {
    const timeout = AbortSignal.timeout(Math.max(1, Math.floor(perRequestMs)));
    const combined = AbortSignal.any([outer, timeout]);
    try {
      const res = await fetch(spec.url, {
        method: spec.method,
        headers: spec.headers,
        body: spec.body,
        signal: combined,
        redirect: 'manual',
      });
      const text = await res.text();
      let body: unknown = undefined;
      try {
        body = text === '' ? undefined : JSON.parse(text);
      } catch {}
      return { kind: 'done', status: res.status, body, text };
    } catch (err) {
      checkCancelled();
      if (timeout.aborted) return { kind: 'timeout' };
      return { kind: 'network', message: describeNetworkError(err) };
    }
  }

  async function runCheck(spec: CheckSpec): Promise<SmokeCheckResult> {
    let attempts = 0;
    let lastStatus: number | null = null;
    let lastLatency = 0;
    let lastProblem = 'no attempt made';
    for (;;) {
      checkCancelled();
      const remaining = deadline - performance.now();
      // An attempt squeezed into the deadline's last moments proves nothing.
      if (remaining <= 0 || (attempts > 0 && remaining < Math.min(50, requestTimeoutMs))) break;
      attempts++;
      const perRequest = Math.min(requestTimeoutMs, remaining);
      const t0 = performance.now();
      const a = await attempt(spec, perRequest);
      lastLatency = Math.round(performance.now() - t0);
      if (a.kind === 'done') {
        lastStatus = a.status;
        const verdict = spec.judge(a.status, a.body, redact(a.text));
        if (verdict.ok) {
          logger.info(`smoke ${spec.name}: ok (HTTP ${a.status}, ${lastLatency} ms, attempt ${attempts})`);
          return {
            name: spec.name,
            ok: true,
            status: a.status,
            latencyMs: lastLatency,
            attempts,
            message: redact(verdict.message),
          };
        }
        if (!verdict.retry) {
          const message = redact(verdict.message);
          logger.error(`smoke ${spec.name}: ${message}`);
          return { name: spec.name, ok: false, status: a.status, latencyMs: lastLatency, attempts, message };
        }
        lastProblem = redact(verdict.message);
      } else if (a.kind === 'timeout' && perRequest < requestTimeoutMs && attempts > 1) {
        // Cut short by the overall deadline: keep the previous, more telling error.
      } else {
        lastStatus = null;
        lastProblem =
          a.kind === 'timeout' ? `no complete response within ${Math.round(perRequest)} ms` : redact(a.message);
      }
      // Full jitter: a uniform delay up to an exponentially growing ceiling, so
      // several callers waiting on one restarting service do not retry in step.
      const ceiling = Math.min(maxMs, baseMs * 2 ** (attempts - 1));
      const left = deadline - performance.now();
      const delay = Math.min(Math.max(0, random() * ceiling), Math.max(0, left));
      logger.debug(
        `smoke ${spec.name}: attempt ${attempts} failed (${lastProblem}); retrying in ${Math.round(delay)} ms`,
      );
      if (left <= 0) break;
      try {
        await sleep(delay, outer);
      } catch {
        checkCancelled();
      }
    }
    const message = `no success within the ${Math.round(timeoutMs / 100) / 10} s deadline after ${attempts} attempt${attempts === 1 ? '' : 's'}; last error: ${lastProblem}`;
    logger.error(`smoke ${spec.name}: ${message}`);
    return { name: spec.name, ok: false, status: lastStatus, latencyMs: lastLatency, attempts, message };
  }

  const checks: SmokeCheckResult[] = [];
  const finish = (): SmokeResult => {
    const ok = checks.length > 0 && checks.every((c) => c.ok) && checks.some((c) => c.name === 'analysis');
    const failed = checks.find((c) => !c.ok);
    return {
      ok,
      message: ok
        ? `all ${checks.length} smoke checks passed`
        : failed
          ? `smoke check "${failed.name}" failed: ${failed.message}`
          : 'smoke checks did not complete',
      baseUrl: opts.baseUrl,
      storyId: opts.storyId,
      checks,
      durationMs: Math.round(performance.now() - started),
    };
  };

  const health = await runCheck({
    name: 'healthz',
    method: 'GET',
    url: endpoint(opts.baseUrl, '/healthz'),
    headers: { accept: 'application/json' },
    judge(status, body, text) {
      if (status === 200) {
        if (isRecord(body) && body.status === 'ok') return { ok: true, message: 'service reports status "ok"' };
        const got = isRecord(body) ? `status ${JSON.stringify(body.status)}` : 'a body that is not a JSON object';
        return { ok: false, retry: true, message: `HTTP 200 with ${got}; expected {"status": "ok"}` };
      }
      if (status === 404) {
        return {
          ok: false,
          retry: false,
          message: 'HTTP 404: no /healthz at this address; check --base-url points at the story_gen API root',
        };
      }
      if (status === 401 || status === 403) {
        return {
          ok: false,
          retry: false,
          message: `HTTP ${status}: /healthz needs no auth in story_gen, so something in front of the service refused the request`,
        };
      }
      if (status >= 500 || status === 429 || status === 408) {
        return { ok: false, retry: true, message: `HTTP ${status}${excerpt(text)}` };
      }
      return { ok: false, retry: false, message: `HTTP ${status} from /healthz; expected 200${excerpt(text)}` };
    },
  });
  checks.push(health);
  if (!health.ok) return finish();

  let token = opts.token;
  if (token === undefined && opts.login) {
    let obtained: string | undefined;
    const login = await runCheck({
      name: 'login',
      method: 'POST',
      url: endpoint(opts.baseUrl, '/api/v1/auth/login'),
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ email: opts.login.email, password: opts.login.password }),
      judge(status, body, text) {
        if (status === 200) {
          if (isRecord(body) && typeof body.access_token === 'string' && body.access_token !== '') {
            obtained = body.access_token;
            secrets.push(obtained);
            return { ok: true, message: 'logged in; got an access token' };
          }
          return { ok: false, retry: false, message: 'HTTP 200 from login without an access_token in the body' };
        }
        if (status === 401) {
          return { ok: false, retry: false, message: 'HTTP 401: login refused; the email or password is wrong' };
        }
        if (status === 501) {
          return {
            ok: false,
            retry: false,
            message:
              'HTTP 501: the service uses an external OIDC provider and has no password login; a token must be supplied (--token-env)',
          };
        }
        if (status >= 500 || status === 429 || status === 408) {
          return { ok: false, retry: true, message: `HTTP ${status}${excerpt(text)}` };
        }
        return { ok: false, retry: false, message: `HTTP ${status} from login; expected 200${excerpt(text)}` };
      },
    });
    checks.push(login);
    if (!login.ok || obtained === undefined) return finish();
    token = obtained;
  }

  const analysis = await runCheck({
    name: 'analysis',
    method: 'GET',
    url: endpoint(opts.baseUrl, `/api/v1/stories/${encodeURIComponent(opts.storyId)}/analysis/latest`),
    headers: { accept: 'application/json', authorization: `Bearer ${token}` },
    judge(status, body, text) {
      if (status === 200) {
        if (!isRecord(body)) {
          return { ok: false, retry: false, message: 'HTTP 200 with a body that is not a JSON object' };
        }
        if (body.story_id !== opts.storyId) {
          return {
            ok: false,
            retry: false,
            message: `HTTP 200 but story_id is ${JSON.stringify(body.story_id)}, not the requested story`,
          };
        }
        const run = typeof body.run_id === 'string' ? ` (run ${body.run_id})` : '';
        return { ok: true, message: `latest analysis is readable${run}` };
      }
      if (status === 401) {
        return {
          ok: false,
          retry: false,
          message: 'HTTP 401: the token was refused; it is wrong or expired (supply a fresh one)',
        };
      }
      if (status === 403) {
        return {
          ok: false,
          retry: false,
          message: "HTTP 403: the token is valid but its user may not read this story; use the story owner's token",
        };
      }
      if (status === 404) {
        return {
          ok: false,
          retry: false,
          message:
            'HTTP 404: the story or its analysis is missing from the restored data (wrong --story-id, or the data lacks it)',
        };
      }
      if (status >= 500 || status === 429 || status === 408) {
        return { ok: false, retry: true, message: `HTTP ${status}${excerpt(text)}` };
      }
      return { ok: false, retry: false, message: `HTTP ${status}; expected 200${excerpt(text)}` };
    },
  });
  checks.push(analysis);
  return finish();
}

/** Throws a SmokeError naming the first failed check and why; returns when all passed. */
export function assertSmokeOk(result: SmokeResult): void {
  if (!result.ok) throw new SmokeError(result.message);
}
