// Hardening costs: what the store lock adds to a backup, and that it does not
// serialise concurrent backups (they snapshot in parallel and only queue for
// the publishing rename: compared with the same backups into separate stores).
// Baselines are measured in the same run.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createStoryGenDb } from '../lib/story-gen-fixture.mjs';
import { ROOT, fmtMs, median, timeCli } from './lib.mjs';

const PARALLEL = 4;
const ROUNDS = 7;

export async function run() {
  const { LocalStore } = await import(pathToFileURL(path.join(ROOT, 'build/stores/local-store.js')).href);
  const { runBackup } = await import(pathToFileURL(path.join(ROOT, 'build/core/backup.js')).href);
  const { resolveConfig } = await import(pathToFileURL(path.join(ROOT, 'build/core/config.js')).href);
  const { silentLogger } = await import(pathToFileURL(path.join(ROOT, 'build/core/logger.js')).href);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-hardening-'));
  const rows = [];
  try {
    const db = path.join(dir, 'data', 'story_gen.db');
    createStoryGenDb(db, { targetBytes: 2 << 20, payloadBytes: 1000 });
    const storeDir = path.join(dir, 'store');
    const store = new LocalStore(storeDir);

    // Lock acquire+release vs one whole small backup.
    const backups = [];
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      await runBackup({ config: resolveConfig({}, { dbPath: db }), store, logger: silentLogger });
      backups.push(performance.now() - t);
    }
    const locks = [];
    for (let i = 0; i < 200; i++) {
      const t = performance.now();
      await store.withLock('bench', async () => {});
      locks.push(performance.now() - t);
    }
    const b = median(backups);
    const l = median(locks);
    rows.push({
      bench: 'store lock',
      metric: 'acquire+release median',
      value: `${l.toFixed(2)} ms`,
      baseline: `backup of a ${(fs.statSync(db).size / 1048576).toFixed(1)} MiB DB ${fmtMs(b)}`,
      ratio: (l / b).toFixed(3),
      target: '<= 0.05 (a backup takes it twice)',
      pass: l / b <= 0.05,
    });

    // Concurrent backups through the CLI: one shared store (shared lock) vs one store each (no contention).
    const shared = [];
    const separate = [];
    const args = (store) => ['backup', '--db-path', db, '--store', store];
    for (let r = 0; r < ROUNDS; r++) {
      const one = async () => {
        const t = performance.now();
        await Promise.all(Array.from({ length: PARALLEL }, (_x, i) => timeCli(args(path.join(dir, `own-${r}-${i}`)))));
        separate.push(performance.now() - t);
      };
      const both = async () => {
        const t = performance.now();
        await Promise.all(Array.from({ length: PARALLEL }, () => timeCli(args(path.join(dir, `shared-${r}`)))));
        shared.push(performance.now() - t);
      };
      // Alternate the order so drift in machine load hits both sides alike.
      if (r % 2) {
        await one();
        await both();
      } else {
        await both();
        await one();
      }
    }
    const sep = median(separate);
    const sh = median(shared);
    rows.push({
      bench: `${PARALLEL} concurrent backups`,
      metric: 'wall time median, one shared store',
      value: fmtMs(sh),
      baseline: `one store each ${fmtMs(sep)}`,
      ratio: (sh / sep).toFixed(2),
      target: '<= 1.25 (the lock does not serialise snapshots)',
      pass: sh / sep <= 1.25,
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
