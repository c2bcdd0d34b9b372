import path from 'node:path';
import { LocalStore } from '../../stores/local-store.js';
import { bool, jsonOut, str, type Command } from '../command.js';

/** `storage-ops list`: complete backups in a store, newest first. */
export const listCommand: Command = {
  name: 'list',
  summary: 'List the complete backups in a local store, newest first',
  usage: 'list --store DIR [--json]',
  options: { store: { type: 'string' }, json: { type: 'boolean' } },
  async run(values, _positionals, ctx) {
    const store = new LocalStore(path.resolve(ctx.cwd, str(values, 'store', true)));
    const backups = await store.list();
    if (bool(values, 'json')) {
      jsonOut(
        ctx,
        backups.map((b) => ({ name: b.name, createdAt: b.createdAt, backend: b.backend, bytes: b.bytes })),
      );
    } else if (backups.length === 0) {
      ctx.logger.info(`no backups in ${store.dir}`);
    } else {
      const w = Math.max(...backups.map((b) => b.name.length));
      ctx.out(`${'NAME'.padEnd(w)}  CREATED (UTC)             BACKEND          BYTES\n`);
      for (const b of backups) {
        ctx.out(`${b.name.padEnd(w)}  ${b.createdAt.padEnd(24)}  ${String(b.backend).padEnd(15)}  ${b.bytes}\n`);
      }
    }
    return 0;
  },
};
