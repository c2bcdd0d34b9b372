/**
 * The runbook's Validation Checklist: run shell commands, each in its own
 * process group, with a per-step timeout, optional fail-fast and parallelism.
 *
 * Every step is the leader of a fresh process group (`detached: true`), so a
 * timeout, a fail-fast cancel or SIGINT/SIGTERM can stop the step's whole tree
 * (`kill(-pid)`) - pytest workers, a uv-spawned python, a backgrounded helper -
 * and no orphan outlives the checklist.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { UsageError } from './errors.js';
import type { Logger } from './logger.js';

/** The runbook's four validation commands, in its order. */
export const DEFAULT_CHECKLIST_STEPS: readonly string[] = [
  'uv run python tools/check_contract_drift.py',
  'uv run pytest tests/test_story_analysis_store_factory.py',
  'uv run pytest tests/test_api_app.py',
  'uv run mkdocs build --strict',
];

/** The runbook's Rollback Policy checks. */
export const DEFAULT_ROLLBACK_STEPS: readonly string[] = [
  'uv run python tools/check_contract_drift.py',
  'uv run pytest tests/test_api_app.py',
];

export const CHECKLIST_DEFAULTS = {
  /** pytest and mkdocs in a cold uv environment can take minutes. */
  timeoutMs: 900_000,
  killGraceMs: 5_000,
  parallel: 1,
  tailLines: 40,
  tailBytes: 4096,
} as const;

export type StepStatus = 'passed' | 'failed' | 'timed-out' | 'skipped' | 'cancelled';

/** Options of a checklist run; shared by the CLI, rollback and the action. */
export interface ChecklistOptions {
  steps: readonly string[];
  /** Working directory of every step. */
  cwd: string;
  /** Per-step timeout (default 900000). */
  timeoutMs?: number;
  /** Time between SIGTERM and SIGKILL to a step's group (default 5000). */
  killGraceMs?: number;
  /** Stop at the first failure: start no more steps and stop running ones. */
  failFast?: boolean;
  /** Steps run at once (default 1). */
  parallel?: number;
  /** Environment of the steps (default: this process's). */
  env?: NodeJS.ProcessEnv;
  tailLines?: number;
  tailBytes?: number;
}

export interface StepResult {
  /** 1-based position in the list. */
  index: number;
  command: string;
  status: StepStatus;
  /** Exit code of the step's shell; null when it was killed or never ran. */
  exitCode: number | null;
  /** Signal that ended the shell, if any. */
  signal: string | null;
  /** Process id (and group id) of the step's shell; null when it never ran. */
  pid: number | null;
  /** ISO timestamps; null when the step never ran. */
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number;
  /** Last lines of stdout and stderr, interleaved in arrival order. */
  outputTail: string;
  /** One line saying why the step did not pass (empty when it passed). */
  message: string;
}

export interface ChecklistResult {
  ok: boolean;
  /** True when the run was interrupted by the abort signal. */
  cancelled: boolean;
  steps: StepResult[];
  durationMs: number;
}

/**
 * Parses a steps file: one command per line, blank lines and lines starting
 * with `#` ignored; or a JSON array of command strings.
 */
export function parseStepsFile(text: string, flag = '--steps-file'): string[] {
  const body = text.replace(/^\uFEFF/, '');
  if (body.trimStart().startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch (err) {
      throw new UsageError(`${flag}: looks like JSON but does not parse; expected an array of command strings`, {
        cause: err,
      });
    }
    if (!Array.isArray(parsed) || !parsed.every((s) => typeof s === 'string' && s.trim() !== '')) {
      throw new UsageError(`${flag}: JSON must be an array of non-empty command strings`);
    }
    return parsed.map((s: string) => s.trim());
  }
  const steps = body
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  return steps;
}

/** Validates checklist options; UsageErrors name the flag. */
export function validateChecklistOptions(opts: ChecklistOptions): void {
  if (opts.steps.length === 0) throw new UsageError('--step/--steps-file: no steps to run');
  for (const s of opts.steps) {
    if (s.trim() === '') throw new UsageError('--step: a step must be a non-empty shell command');
  }
  const p = opts.parallel ?? 1;
  if (!Number.isInteger(p) || p < 1) throw new UsageError('--parallel: expected an integer >= 1');
  if (opts.timeoutMs !== undefined && !(opts.timeoutMs > 0)) {
    throw new UsageError('--timeout: expected a positive number of seconds');
  }
}

/** Keeps the most recent output within a byte budget, then cuts to lines. */
class Tail {
  private chunks: Buffer[] = [];
  private size = 0;
  constructor(private readonly budget: number) {}
  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size - this.chunks[0]!.length >= this.budget && this.chunks.length > 1) {
      this.size -= this.chunks.shift()!.length;
    }
  }
  text(maxLines: number, maxBytes: number): string {
    let buf = Buffer.concat(this.chunks);
    if (buf.length > maxBytes) buf = buf.subarray(buf.length - maxBytes);
    let text = buf.toString('utf8').replace(/\r\n/g, '\n');
    if (text.endsWith('\n')) text = text.slice(0, -1);
    const lines = text.split('\n');
    return lines.slice(Math.max(0, lines.length - maxLines)).join('\n');
  }
}

/** Sends `sig` to a whole process group; false when the group is gone. */
function killGroup(pid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, sig);
    return true;
  } catch {
    return false;
  }
}

/**
 * True while a live (non-zombie) process is in the group. On Linux this reads
 * /proc, because `kill(-pgid, 0)` also counts zombies, and a container's init
 * may never reap a step's orphaned grandchildren.
 */
export function groupAlive(pgid: number): boolean {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    try {
      process.kill(-pgid, 0);
      return true;
    } catch {
      return false;
    }
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${e}/stat`, 'latin1');
    } catch {
      continue;
    }
    // Fields after the command name, which may itself contain spaces and parens.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(rest[2]) === pgid && rest[0] !== 'Z' && rest[0] !== 'X') return true;
  }
  return false;
}

const sleepMs = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Stops whatever is left of a group: SIGTERM, then SIGKILL after `grace`; resolves once it is gone. */
async function drainGroup(pgid: number, grace: number): Promise<void> {
  if (!groupAlive(pgid)) return;
  killGroup(pgid, 'SIGTERM');
  const termUntil = performance.now() + grace;
  while (groupAlive(pgid) && performance.now() < termUntil) await sleepMs(20);
  if (!groupAlive(pgid)) return;
  killGroup(pgid, 'SIGKILL');
  const killUntil = performance.now() + 5000;
  while (groupAlive(pgid) && performance.now() < killUntil) await sleepMs(20);
}

/** Options for one shell command run in its own process group. */
export interface ShellCommandOptions {
  cwd: string;
  timeoutMs: number;
  killGraceMs?: number;
  env?: NodeJS.ProcessEnv;
  tailLines?: number;
  tailBytes?: number;
}

/** Outcome of one shell command (a step without its list position). */
export type ShellCommandResult = Omit<StepResult, 'index' | 'command'>;

/**
 * Runs one shell command as the leader of a new process group and waits until
 * the group is gone. `stop` (or `signal`) ends it early with status `cancelled`.
 */
export function runShellCommand(
  command: string,
  opts: ShellCommandOptions,
  signal?: AbortSignal,
): { pid: number | null; done: Promise<ShellCommandResult>; stop(): void } {
  const grace = opts.killGraceMs ?? CHECKLIST_DEFAULTS.killGraceMs;
  const tailLines = opts.tailLines ?? CHECKLIST_DEFAULTS.tailLines;
  const tailBytes = opts.tailBytes ?? CHECKLIST_DEFAULTS.tailBytes;
  const tail = new Tail(Math.max(tailBytes * 4, 64 * 1024));
  const startedAt = new Date();
  const t0 = performance.now();
  let reason: 'timeout' | 'cancel' | null = null;
  let killTimer: NodeJS.Timeout | undefined;
  let pipeTimer: NodeJS.Timeout | undefined;

  const child = spawn(command, {
    shell: true,
    detached: true,
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid ?? null;

  const terminate = (why: 'timeout' | 'cancel') => {
    if (reason !== null || pid === null) return;
    reason = why;
    killGroup(pid, 'SIGTERM');
    killTimer = setTimeout(() => killGroup(pid, 'SIGKILL'), grace);
  };

  const timer = setTimeout(() => terminate('timeout'), opts.timeoutMs);
  const onAbort = () => terminate('cancel');
  if (signal) {
    if (signal.aborted) queueMicrotask(onAbort);
    else signal.addEventListener('abort', onAbort, { once: true });
  }

  child.stdout?.on('data', (c: Buffer) => tail.push(c));
  child.stderr?.on('data', (c: Buffer) => tail.push(c));

  const done = new Promise<ShellCommandResult>((resolve) => {
    let spawnError: Error | null = null;
    let exit: { code: number | null; sig: NodeJS.Signals | null } | null = null;
    child.on('error', (err) => {
      spawnError = err;
    });
    child.on('exit', (code, sig) => {
      exit = { code, sig };
      clearTimeout(timer);
      // The shell is gone; anything it left running in its group (a
      // backgrounded server, a stuck worker) would hold our pipes open and
      // outlive the checklist, so stop the rest of the group too.
      if (pid !== null && groupAlive(pid)) {
        killGroup(pid, 'SIGTERM');
        if (!killTimer) killTimer = setTimeout(() => killGroup(pid, 'SIGKILL'), grace);
      }
      // A process that left the group (setsid) may still hold our pipes; stop
      // waiting for it to close them.
      pipeTimer = setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
      }, grace + 2000);
    });
    child.on('close', (code, sig) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      // Pipes can close while a member that redirected its output lives on.
      const drained = pid === null ? Promise.resolve() : drainGroup(pid, grace);
      void drained.then(() => {
        if (killTimer) clearTimeout(killTimer);
        if (pipeTimer) clearTimeout(pipeTimer);
        settle(code, sig);
      });
    });
    const settle = (code: number | null, sig: NodeJS.Signals | null) => {
      const finishedAt = new Date();
      const e = exit ?? { code, sig };
      let status: StepStatus;
      let message = '';
      if (reason === 'timeout') {
        status = 'timed-out';
        message = `timed out after ${Math.round(opts.timeoutMs / 100) / 10} s; its process group was stopped`;
      } else if (reason === 'cancel') {
        status = 'cancelled';
        message = 'cancelled; its process group was stopped';
      } else if (spawnError) {
        status = 'failed';
        message = `could not start: ${(spawnError as Error).message}`;
      } else if (e.code === 0) {
        status = 'passed';
      } else {
        status = 'failed';
        message = e.sig ? `killed by ${e.sig}` : `exited with code ${e.code}`;
      }
      resolve({
        status,
        exitCode: e.code,
        signal: e.sig,
        pid,
        startedAt: startedAt.toISOString(),
        finishedAt: finishedAt.toISOString(),
        durationMs: Math.round(performance.now() - t0),
        outputTail: tail.text(tailLines, tailBytes),
        message,
      });
    };
  });

  return { pid, done, stop: () => terminate('cancel') };
}

/**
 * Runs the checklist. Never throws for failing steps: the result says what
 * passed. When `signal` aborts, every running step's group is stopped, steps
 * not yet started are `skipped`, and the result has `cancelled: true` - it
 * resolves only after every group is gone.
 */
export async function runChecklist(
  opts: ChecklistOptions,
  logger: Logger,
  signal?: AbortSignal,
): Promise<ChecklistResult> {
  validateChecklistOptions(opts);
  const parallel = Math.min(opts.parallel ?? CHECKLIST_DEFAULTS.parallel, opts.steps.length);
  const timeoutMs = opts.timeoutMs ?? CHECKLIST_DEFAULTS.timeoutMs;
  const t0 = performance.now();
  const results: StepResult[] = opts.steps.map((command, i) => ({
    index: i + 1,
    command,
    status: 'skipped',
    exitCode: null,
    signal: null,
    pid: null,
    startedAt: null,
    finishedAt: null,
    durationMs: 0,
    outputTail: '',
    message: 'not run',
  }));
  const running = new Map<number, { stop(): void }>();
  let next = 0;
  let stopping = false;
  let failedFast = false;

  const stopAll = () => {
    for (const r of running.values()) r.stop();
  };
  const onAbort = () => {
    if (stopping) return;
    stopping = true;
    logger.warn(`checklist interrupted: stopping ${running.size} running step(s)`);
    stopAll();
  };
  if (signal?.aborted) onAbort();
  else signal?.addEventListener('abort', onAbort, { once: true });

  const worker = async (): Promise<void> => {
    while (!stopping && next < opts.steps.length) {
      const i = next++;
      const command = opts.steps[i]!;
      logger.info(`step ${i + 1}/${opts.steps.length}: ${command}`);
      const handle = runShellCommand(
        command,
        {
          cwd: opts.cwd,
          timeoutMs,
          killGraceMs: opts.killGraceMs,
          env: opts.env,
          tailLines: opts.tailLines,
          tailBytes: opts.tailBytes,
        },
        undefined,
      );
      running.set(i, handle);
      const r = await handle.done;
      running.delete(i);
      results[i] = { index: i + 1, command, ...r };
      if (r.status === 'passed') {
        logger.info(`step ${i + 1} passed in ${(r.durationMs / 1000).toFixed(1)} s`);
      } else {
        logger.error(`step ${i + 1} ${r.status}: ${r.message}`);
        if (opts.failFast && !stopping && (r.status === 'failed' || r.status === 'timed-out')) {
          stopping = true;
          failedFast = true;
          logger.warn('fail-fast: stopping the other steps');
          stopAll();
        }
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: parallel }, () => worker()));
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  const cancelled = signal?.aborted === true;
  for (const r of results) {
    if (r.status === 'skipped') {
      r.message = cancelled ? 'not run: the checklist was interrupted' : failedFast ? 'not run: fail-fast' : 'not run';
    }
  }
  return {
    ok: !cancelled && results.every((r) => r.status === 'passed'),
    cancelled,
    steps: results,
    durationMs: Math.round(performance.now() - t0),
  };
}
