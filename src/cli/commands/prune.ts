/**
 * `storage-ops prune`: applies a retention policy to a local store. Explains
 * the plan (policy in words, kept backups with reasons, removed ones, a
 * timeline) on stderr, then deletes unless `--dry-run`.
 */
import path from 'node:path';
import { LocalStore } from '../../stores/local-store.js';
import { bool, jsonOut, str, type Command } from '../command.js';
import { RETENTION_FLAGS, RETENTION_USAGE, retentionFromFlags } from '../retention-flags.js';
import { prune } from '../../core/prune.js';

export const pruneCommand: Command = {
  name: 'prune',
  summary: 'Delete the backups a retention policy does not keep (explains the plan first; --dry-run deletes nothing)',
  usage: `prune --store DIR ${RETENTION_USAGE} [--dry-run] [--max-delete N] [--json]`,
  options: {
    store: { type: 'string' },
    ...RETENTION_FLAGS,
    'dry-run': { type: 'boolean' },
    'max-delete': { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(values, _positionals, ctx) {
    const settings = retentionFromFlags(values);
    const store = new LocalStore(path.resolve(ctx.cwd, str(values, 'store', true)));
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
