/**
 * The runbook's "stop writers ... restart writers" around a snapshot or a
 * restore. Once the stop command has been started, the start command always
 * runs: after success, after a failure, and after SIGINT/SIGTERM (the adapters
 * turn signals into an aborted AbortSignal and wait for this to finish).
 */
import { runShellCommand } from './checklist.js';
import { CancelledError, CommandError, StorageOpsError, oneLine } from './errors.js';
import type { Logger } from './logger.js';

export interface WriterCommands {
  /** Shell command that stops the writers (drain API workers, stop a service...). */
  stop?: string;
  /** Shell command that starts them again. */
  start?: string;
}

export interface ShellOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  logger: Logger;
  /** Label for log lines ("stop-writers"). */
  label: string;
  /** Kill the command's process group after this long. */
  timeoutMs?: number;
}

/** Without a timeout a writer command may take as long as it needs (the longest timer Node allows). */
const NO_LIMIT_MS = 2 ** 31 - 1;

/**
 * Runs one shell command in its own process group through the checklist's
 * runner (the whole group is stopped on timeout, nothing is left behind) and
 * logs the tail of its output.
 */
export async function runShell(command: string, opts: ShellOptions): Promise<void> {
  const { done } = runShellCommand(command, {
    cwd: opts.cwd ?? process.cwd(),
    env: opts.env,
    timeoutMs: opts.timeoutMs ?? NO_LIMIT_MS,
  });
  const r = await done;
  for (const line of r.outputTail.split(/\r?\n/)) if (line) opts.logger.info(`[${opts.label}] ${line}`);
  if (r.status === 'passed') return;
  if (r.status === 'timed-out')
    throw new CommandError(`${opts.label} timed out after ${opts.timeoutMs} ms: ${command}`);
  if (r.exitCode === null && r.signal === null) throw new CommandError(`${opts.label} ${r.message}`);
  throw new CommandError(
    `${opts.label} failed (${r.signal ? `signal ${r.signal}` : `exit ${r.exitCode}`}): ${command}`,
  );
}

/**
 * Runs `fn` with writers stopped. Guarantees the start command runs once the
 * stop command was started, whatever happens; reports a start failure without
 * hiding the original error.
 */
export async function withWritersStopped<T>(
  cmds: WriterCommands,
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; logger: Logger; signal?: AbortSignal; timeoutMs?: number },
  fn: () => Promise<T>,
): Promise<T> {
  if (!cmds.stop && !cmds.start) return fn();
  let stopStarted = false;
  let result: { ok: true; value: T } | { ok: false; error: unknown };
  try {
    if (cmds.stop) {
      opts.signal?.throwIfAborted();
      stopStarted = true;
      opts.logger.info(`stopping writers: ${cmds.stop}`);
      await runShell(cmds.stop, { ...opts, label: 'stop-writers' });
    }
    opts.signal?.throwIfAborted();
    result = { ok: true, value: await fn() };
  } catch (err) {
    result = {
      ok: false,
      error:
        opts.signal?.aborted && !(err instanceof StorageOpsError)
          ? new CancelledError(`cancelled (${String(opts.signal.reason)})`, { cause: err })
          : err,
    };
  }
  if (cmds.start && (stopStarted || !cmds.stop)) {
    opts.logger.info(`starting writers: ${cmds.start}`);
    try {
      // Deliberately not tied to the abort signal: writers must come back.
      await runShell(cmds.start, { ...opts, label: 'start-writers' });
    } catch (err) {
      if (result.ok) {
        throw new CommandError(`the operation succeeded but start-writers failed: ${oneLine(err)}`, { cause: err });
      }
      opts.logger.error(`start-writers failed too: ${oneLine(err)}`);
    }
  }
  if (!result.ok) throw result.error;
  return result.value;
}
