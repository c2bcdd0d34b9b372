/**
 * Prune executor: plans retention over a store's backups, explains the plan
 * (policy in words, kept backups with reasons, removed ones, a timeline), then
 * deletes. Each store's `remove` is crash-safe on its own (the local store
 * renames a backup out of its namespace before deleting it), so an interrupted
 * prune leaves no half-deleted backup and a rerun finishes the job.
 */
import { CancelledError, StoreError, StorageOpsError, oneLine } from './errors.js';
import { faultPointNoAbort } from './faults.js';
import type { Logger } from './logger.js';
import { describePolicy } from './retention/policy.js';
import { planRetention, type RetentionPlan } from './retention/plan.js';
import { renderTimeline } from './retention/timeline.js';
import type { RetentionPolicy } from './retention/policy.js';
import type { BackupStore, StoredBackup } from './types.js';

export interface PruneOptions {
  policy: RetentionPolicy;
  /** IANA zone for buckets; default UTC. */
  timezone?: string;
  /** Plan and explain, delete nothing. */
  dryRun?: boolean;
  /** Refuse plans that remove more than this many backups. */
  maxDelete?: number;
  /** Current time for the clock-skew check; default the system clock. */
  now?: number | Date | string;
  /** Stops between deletions. */
  signal?: AbortSignal;
}

export interface PruneResult {
  plan: RetentionPlan<StoredBackup>;
  /** Policy in words. */
  policy: string;
  /** Names actually deleted (empty on a dry run). */
  deleted: string[];
  dryRun: boolean;
}

/** Plans and applies retention to `store`. Throws RetentionError when a guard refuses the plan. */
export async function prune(store: BackupStore, logger: Logger, opts: PruneOptions): Promise<PruneResult> {
  return store.withLock
    ? store.withLock('prune', () => pruneLocked(store, logger, opts))
    : pruneLocked(store, logger, opts);
}

async function pruneLocked(store: BackupStore, logger: Logger, opts: PruneOptions): Promise<PruneResult> {
  let backups: StoredBackup[];
  try {
    backups = await store.list();
  } catch (err) {
    if (err instanceof StorageOpsError) throw err;
    throw new StoreError(`listing ${store.describe()} failed: ${oneLine(err)}`, { cause: err });
  }
  const words = describePolicy(opts.policy);
  const plan = planRetention(backups, opts.policy, {
    timezone: opts.timezone,
    maxDelete: opts.maxDelete,
    now: opts.now,
  });
  const dryRun = opts.dryRun === true;

  logger.info(`policy: ${words}${plan.timezone === 'UTC' ? '' : ` (calendar of ${plan.timezone})`}`);
  logger.info(
    `${store.describe()}: ${backups.length} backups, keeping ${plan.keep.length}, removing ${plan.remove.length}${dryRun ? ' (dry run)' : ''}`,
  );
  if (plan.held) logger.warn(plan.held);
  await logger.group(`keep ${plan.keep.length}`, async () => {
    for (const k of plan.keep) logger.info(`keep    ${k.name}  ${k.createdAt}  ${k.reasons.join(', ')}`);
  });
  await logger.group(`remove ${plan.remove.length}`, async () => {
    for (const r of plan.remove) {
      logger.info(
        `remove  ${r.name}  ${r.createdAt}${r.why === 'unverified' ? '  failed attempt (not verified)' : ''}`,
      );
    }
  });
  await logger.group('timeline', async () => {
    for (const line of renderTimeline(plan)) logger.info(line);
  });

  const deleted: string[] = [];
  if (!dryRun) {
    for (const r of plan.remove) {
      if (opts.signal?.aborted) {
        throw new CancelledError(
          `prune interrupted after deleting ${deleted.length} of ${plan.remove.length} backups; rerun to finish`,
        );
      }
      try {
        await store.remove(r.name);
      } catch (err) {
        throw new StoreError(
          `deleting backup "${r.name}" from ${store.describe()} failed after ${deleted.length} of ${plan.remove.length} deletions: ${oneLine(err)}; rerun to finish`,
          { cause: err },
        );
      }
      deleted.push(r.name);
      logger.info(`deleted ${r.name}`);
      await faultPointNoAbort(`prune:deleted-${deleted.length}`, opts.signal);
    }
    logger.info(`pruned ${deleted.length} backups, kept ${plan.keep.length}`);
  } else {
    logger.info(`dry run: would delete ${plan.remove.length} backups; nothing was deleted`);
  }
  return { plan, policy: words, deleted, dryRun };
}
