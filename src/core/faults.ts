/**
 * Named fault points, so tests can stop a run at an exact step instead of
 * racing a timer (issue: killed runs lose nothing). Harmless in production:
 * without STORAGE_OPS_FAULT set, `faultPoint` returns at once.
 *
 * STORAGE_OPS_FAULT=pause:<point>  print "fault-point <point>" on stderr and wait
 *                                  until the run is cancelled (the test then
 *                                  sends a signal or SIGKILL), or until SIGUSR2
 *                                  resumes it (to change the world mid-run, e.g.
 *                                  fill a disk)
 * STORAGE_OPS_FAULT=fail:<point>   throw an error at that point
 *
 * The action has one more test hook, read in src/action/main.ts only (the
 * engine takes its clock as an option): STORAGE_OPS_NOW=<ISO time> fixes the
 * action's clock so tests can simulate days of backups. Unset, it does nothing.
 */
import { StorageOpsError } from './errors.js';

/** Reached at the named step; may pause or fail when a test asks for it. */
export async function faultPoint(point: string, signal?: AbortSignal): Promise<void> {
  const spec = process.env.STORAGE_OPS_FAULT;
  if (!spec) return;
  const sep = spec.indexOf(':');
  const action = spec.slice(0, sep);
  const at = spec.slice(sep + 1);
  if (at !== point) return;
  if (action === 'fail') throw new StorageOpsError(`injected failure at ${point}`);
  if (action === 'pause') {
    // Listen before announcing the pause: a test reacts to the line at once.
    const resumed = new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      // Keep the event loop alive while paused.
      const timer = setInterval(() => {}, 1000);
      const done = () => {
        clearInterval(timer);
        process.off('SIGUSR2', done);
        resolve();
      };
      signal?.addEventListener('abort', done, { once: true });
      process.on('SIGUSR2', done);
    });
    process.stderr.write(`fault-point ${point}\n`);
    await resumed;
    signal?.throwIfAborted();
  }
}

/**
 * A fault point inside a step that finishes once started: a cancel while
 * paused here resumes the run instead of aborting it (the caller finishes
 * the step and reports the cancel at its next check).
 */
export async function faultPointNoAbort(point: string, signal?: AbortSignal): Promise<void> {
  try {
    await faultPoint(point, signal);
  } catch (err) {
    if (!signal?.aborted) throw err;
  }
}
