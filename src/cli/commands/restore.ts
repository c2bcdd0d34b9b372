import path from 'node:path';
import { resolveConfig } from '../../core/config.js';
import { runRestore, type RestoreResult } from '../../core/restore.js';
import { LocalStore } from '../../stores/local-store.js';
import { bool, jsonOut, str, type Command } from '../command.js';
import { SMOKE_FLAGS, SMOKE_USAGE, smokeRunnerFromFlags } from '../smoke-flags.js';

/** `storage-ops restore`: put a verified backup back, with a safety copy, then smoke-check. */
export const restoreCommand: Command = {
  name: 'restore',
  summary: 'Restore a verified backup atomically (safety copy first), then run smoke checks',
  usage: `restore --store DIR --backup NAME|latest [--db-path P] [--backend B] [--stop-writers CMD] [--start-writers CMD] [--expect-schema-version V] [${SMOKE_USAGE}] [--revert-on-failure] [--dry-run] [--json]`,
  options: {
    store: { type: 'string' },
    backup: { type: 'string' },
    'db-path': { type: 'string' },
    backend: { type: 'string' },
    'stop-writers': { type: 'string' },
    'start-writers': { type: 'string' },
    'expect-schema-version': { type: 'string' },
    'revert-on-failure': { type: 'boolean' },
    'dry-run': { type: 'boolean' },
    json: { type: 'boolean' },
    ...SMOKE_FLAGS,
  },
  async run(values, _positionals, ctx) {
    const store = new LocalStore(path.resolve(ctx.cwd, str(values, 'store', true)));
    const backendFlag = str(values, 'backend');
    const config = resolveConfig(ctx.env, { backend: backendFlag, dbPath: str(values, 'db-path') }, ctx.cwd);
    // Parsed before any work so a bad smoke flag is refused with nothing touched.
    const smoke = smokeRunnerFromFlags(values, ctx);
    const result = await runRestore({
      smoke,
      store,
      backup: str(values, 'backup', true),
      config,
      backendExplicit: backendFlag !== undefined,
      writers: { stop: str(values, 'stop-writers'), start: str(values, 'start-writers') },
      expectSchemaVersion: str(values, 'expect-schema-version'),
      revertOnFailure: bool(values, 'revert-on-failure'),
      dryRun: bool(values, 'dry-run'),
      logger: ctx.logger,
      signal: ctx.signal,
      cwd: ctx.cwd,
      env: ctx.env,
    });
    if (bool(values, 'json')) jsonOut(ctx, result);
    else ctx.out(renderRestore(result));
    return 0;
  },
};

/** Human-readable restore report (the plan for --dry-run). */
export function renderRestore(r: RestoreResult): string {
  const lines = [`${r.dryRun ? 'Plan to restore' : 'Restored'} ${r.restoredFrom} (${r.plan.backend})`];
  for (const f of r.plan.files) {
    lines.push(`  ${f.from} -> ${f.target}${f.safetyCopy ? `  (safety copy: ${f.safetyCopy})` : '  (new file)'}`);
  }
  const sidecars = r.dryRun ? r.plan.sidecars : r.removedSidecars;
  if (sidecars.length) lines.push(`  ${r.dryRun ? 'will remove' : 'removed'} stale sidecars: ${sidecars.join(', ')}`);
  if (r.plan.commands.stopWriters) lines.push(`  stop writers:  ${r.plan.commands.stopWriters}`);
  if (r.plan.commands.startWriters) lines.push(`  start writers: ${r.plan.commands.startWriters}`);
  if (!r.dryRun) {
    lines.push(
      `  phases: ${Object.entries(r.phasesMs)
        .map(([k, v]) => `${k} ${v} ms`)
        .join(', ')}`,
    );
  }
  return lines.join('\n') + '\n';
}
