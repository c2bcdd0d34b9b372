/**
 * `storage-ops prune`: applies a retention policy to a local store. Explains
 * the plan (policy in words, kept backups with reasons, removed ones, a
 * timeline) on stderr, then deletes unless `--dry-run`.
 */
import { bool, jsonOut, type Command } from '../command.js';
import { STORE_LOCK_FLAGS, STORE_LOCK_USAGE, lockingStoreFromFlags } from '../store-flags.js';
import { RETENTION_FLAGS, RETENTION_USAGE, retentionFromFlags } from '../retention-flags.js';
import { prune } from '../../core/prune.js';

export const pruneCommand: Command = {
  name: 'prune',
  summary: 'Delete the backups a retention policy does not keep (explains the plan first; --dry-run deletes nothing)',
  usage: `prune --store DIR ${RETENTION_USAGE} [--dry-run] [--max-delete N] ${STORE_LOCK_USAGE} [--json]`,
  options: {
    store: { type: 'string' },
    ...RETENTION_FLAGS,
    'dry-run': { type: 'boolean' },
    'max-delete': { type: 'string' },
    json: { type: 'boolean' },
    ...STORE_LOCK_FLAGS,
  },
  async run(values, _positionals, ctx) {
    const settings = retentionFromFlags(values);
    const store = lockingStoreFromFlags(values, ctx);
    // Finish what killed runs left (trash, staging of dead owners) before planning.
    if (!bool(values, 'dry-run')) await store.cleanup();
    const result = await prune(store, ctx.logger, {
      policy: settings.policy,
      timezone: settings.timezone,
      maxDelete: settings.maxDelete,
      dryRun: bool(values, 'dry-run'),
      signal: ctx.signal,
    });
    if (bool(values, 'json')) {
      jsonOut(ctx, {
        policy: result.policy,
        dryRun: result.dryRun,
        keep: result.plan.keep.map((k) => ({ name: k.name, createdAt: k.createdAt, reasons: k.reasons })),
        remove: result.plan.remove.map((r) => ({ name: r.name, createdAt: r.createdAt })),
        deleted: result.deleted,
        held: result.plan.held,
      });
    }
    return 0;
  },
};
