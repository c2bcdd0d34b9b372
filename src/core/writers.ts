/**
 * The runbook's "stop writers ... restart writers" around a snapshot or a
 * restore. Once the stop command has been started, the start command always
 * runs: after success, after a failure, and after SIGINT/SIGTERM (the adapters
 * turn signals into an aborted AbortSignal and wait for this to finish).
 */
import { spawn } from 'node:child_process';
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

/** Runs one shell command in its own process group, streaming its output to the logger. */
export function runShell(command: string, opts: ShellOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, {
      shell: true,
      cwd: opts.cwd,
      env: opts.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const forward = (data: Buffer) => {
      for (const line of data.toString('utf8').split(/\r?\n/)) if (line) opts.logger.info(`[${opts.label}] ${line}`);
    };
    child.stdout.on('data', forward);
    child.stderr.on('data', forward);
    let timedOut = false;
    const timer =
      opts.timeoutMs !== undefined
        ? setTimeout(() => {
            timedOut = true;
            try {
              process.kill(-child.pid!, 'SIGKILL');
            } catch {}
          }, opts.timeoutMs)
        : undefined;
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new CommandError(`${opts.label} could not start: ${err.message}`, { cause: err }));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) reject(new CommandError(`${opts.label} timed out after ${opts.timeoutMs} ms: ${command}`));
      else if (code === 0) resolve();
      else
        reject(new CommandError(`${opts.label} failed (${signal ? `signal ${signal}` : `exit ${code}`}): ${command}`));
    });
  });
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
