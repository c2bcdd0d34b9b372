/**
 * Named fault points, so tests can stop a run at an exact step instead of
 * racing a timer (issue: killed runs lose nothing). Harmless in production:
 * without STORAGE_OPS_FAULT set, `faultPoint` returns at once.
 *
 * STORAGE_OPS_FAULT=pause:<point>  print "fault-point <point>" on stderr and wait
 *                                  until the run is cancelled (the test then
 *                                  sends a signal or SIGKILL)
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
    process.stderr.write(`fault-point ${point}\n`);
    await new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      signal?.addEventListener('abort', () => resolve(), { once: true });
      // Keep the event loop alive while paused.
      const timer = setInterval(() => {}, 1000);
      signal?.addEventListener('abort', () => clearInterval(timer), { once: true });
    });
    signal?.throwIfAborted();
  }
}
