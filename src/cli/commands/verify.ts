import path from 'node:path';
import fs from 'node:fs/promises';
import { UsageError } from '../../core/errors.js';
import { verifyBackupDir } from '../../core/verify.js';
import { LocalStore } from '../../stores/local-store.js';
import { bool, jsonOut, str, type Command } from '../command.js';

/** `storage-ops verify`: re-check a stored backup completely. */
export const verifyCommand: Command = {
  name: 'verify',
  summary: 'Re-check a backup: manifest, sizes, sha256, no extra files, SQLite integrity, JSONL lines',
  usage: 'verify (--store DIR --backup NAME|latest | --backup PATH) [--json]',
  options: {
    store: { type: 'string' },
    backup: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(values, _positionals, ctx) {
    const ref = str(values, 'backup', true);
    const storeDir = str(values, 'store');
    let dir: string;
    // A value with a path separator is a backup folder path; otherwise a name in --store.
    if (ref.includes('/') || ref.includes(path.sep)) {
      dir = path.resolve(ctx.cwd, ref);
      const st = await fs.stat(dir).catch(() => null);
      if (!st?.isDirectory()) throw new UsageError(`--backup: ${dir} is not a backup folder`);
    } else {
      if (!storeDir) throw new UsageError('--store: required when --backup is a name; or give --backup a folder path');
      const store = new LocalStore(path.resolve(ctx.cwd, storeDir));
      const name = ref === 'latest' ? (await store.list())[0]?.name : ref;
      if (!name) throw new UsageError(`--backup: latest asked for, but ${store.dir} holds no backups`);
      dir = (await store.open(name)).dir;
    }
    const report = await verifyBackupDir(dir);
    ctx.logger.info(`${report.name}: ok (${report.files.map((f) => `${f.name}: ${f.checks.join(', ')}`).join('; ')})`);
    if (bool(values, 'json')) jsonOut(ctx, { ok: true, name: report.name, path: dir, files: report.files });
    else ctx.out(`ok\t${report.name}\n`);
    return 0;
  },
};
