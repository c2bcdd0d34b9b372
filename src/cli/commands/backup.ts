import { runBackup } from '../../core/backup.js';
import { resolveConfig } from '../../core/config.js';
import { bool, jsonOut, str, type Command } from '../command.js';
import { STORE_LOCK_FLAGS, STORE_LOCK_USAGE, lockingStoreFromFlags } from '../store-flags.js';

/** `storage-ops backup`: snapshot, verify and store one backup. */
export const backupCommand: Command = {
  name: 'backup',
  summary: 'Take a consistent, verified backup of the configured backend into a local store',
  usage:
    'backup --store DIR [--db-path P] [--backend sqlite|mongo-prototype|graph-prototype] [--prefix P] [--stop-writers CMD] [--start-writers CMD] ' +
    `${STORE_LOCK_USAGE} [--json]`,
  options: {
    store: { type: 'string' },
    'db-path': { type: 'string' },
    backend: { type: 'string' },
    prefix: { type: 'string' },
    'stop-writers': { type: 'string' },
    'start-writers': { type: 'string' },
    json: { type: 'boolean' },
    ...STORE_LOCK_FLAGS,
  },
  async run(values, _positionals, ctx) {
    const store = lockingStoreFromFlags(values, ctx);
    const config = resolveConfig(ctx.env, { backend: str(values, 'backend'), dbPath: str(values, 'db-path') }, ctx.cwd);
    const result = await runBackup({
      config,
      store,
      prefix: str(values, 'prefix'),
      writers: { stop: str(values, 'stop-writers'), start: str(values, 'start-writers') },
      logger: ctx.logger,
      signal: ctx.signal,
      cwd: ctx.cwd,
      env: ctx.env,
    });
    const dir = `${store.dir}/${result.name}`;
    if (bool(values, 'json')) jsonOut(ctx, { name: result.name, path: dir, manifest: result.manifest });
    else ctx.out(`${result.name}\t${dir}\n`);
    return 0;
  },
};
