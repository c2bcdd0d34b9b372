/** Restore round trips over real files: safety copies, sidecars, refusals, dry runs, revert. */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import fs from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { resolveConfig } from '../../src/core/config.js';
import { MemoryLogger } from '../../src/core/logger.js';
import { runRestore } from '../../src/core/restore.js';
import { LocalStore } from '../../src/stores/local-store.js';
import { addRuns, createPrototypeFiles, createStoryGenDb } from '../../scripts/lib/story-gen-fixture.mjs';
import { cleanEnv, runCli, tempDir, treeSnapshot } from '../helpers/cli.js';

let dir: string;
let db: string;
let store: string;
beforeEach(() => {
  dir = tempDir('restore');
  db = path.join(dir, 'live', 'story_gen.db');
  store = path.join(dir, 'backups');
  createStoryGenDb(db, { runs: 40 });
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const count = (file: string, table = 'story_analysis_runs') => {
  const d = new DatabaseSync(file, { readOnly: true });
  try {
    return Number((d.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n);
  } finally {
    d.close();
  }
};
const addRows = (file: string, n: number) => {
  const d = new DatabaseSync(file);
  addRuns(d, n);
  d.close();
};
async function backup(): Promise<{ name: string; path: string }> {
  const r = await runCli(['backup', '--store', store, '--db-path', db, '--json']);
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
}

describe('restore', () => {
  test('round trip: rows equal the backup, stale sidecars go, the safety copy holds the old data', async () => {
    const b = await backup();
    addRows(db, 25);
    expect(count(db)).toBe(65);
    fs.writeFileSync(`${db}-wal`, 'stale wal from an old run');
    fs.writeFileSync(`${db}-shm`, 'stale shm');
    const r = await runCli(['restore', '--store', store, '--backup', b.name, '--db-path', db, '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.restoredFrom).toBe(b.name);
    expect(count(db)).toBe(40);
    expect(fs.existsSync(`${db}-wal`)).toBe(false);
    expect(fs.existsSync(`${db}-shm`)).toBe(false);
    expect(doc.safetyCopies).toHaveLength(1);
    const safety = doc.safetyCopies[0] as string;
    expect(safety).toMatch(/story_gen\.db\.pre-restore-\d{8}T\d{6}\.\d{3}Z$/);
    expect(count(safety)).toBe(65);
    // The safety copy itself restores: back it up and restore it like any database.
    const s2 = path.join(dir, 'safety-store');
    const b2 = await runCli(['backup', '--store', s2, '--db-path', safety, '--prefix', 'safety', '--json']);
    expect(b2.code).toBe(0);
    const back = await runCli(['restore', '--store', s2, '--backup', 'latest', '--db-path', db]);
    expect(back.code).toBe(0);
    expect(count(db)).toBe(65);
    // No temporary files are left beside the target.
    expect(fs.readdirSync(path.dirname(db)).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  test('a WAL database with uncheckpointed commits: the safety copy keeps them, the restore keeps WAL mode', async () => {
    fs.rmSync(db);
    createStoryGenDb(db, { runs: 10, journalMode: 'wal' });
    const b = await backup();
    // Keep a connection open so the new rows stay in the -wal file.
    const holder = new DatabaseSync(db);
    holder.exec('PRAGMA wal_autocheckpoint=0');
    addRuns(holder, 7);
    expect(fs.statSync(`${db}-wal`).size).toBeGreaterThan(0);
    holder.close();
    const w = new DatabaseSync(db);
    w.exec('PRAGMA wal_autocheckpoint=0');
    addRuns(w, 3);
    const r = await runCli(['restore', '--store', store, '--backup', 'latest', '--db-path', db, '--json']);
    w.close();
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(count(db)).toBe(10);
    expect(count(doc.safetyCopies[0])).toBe(20);
    const d = new DatabaseSync(db, { readOnly: true });
    expect((d.prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode).toBe('wal');
    d.close();
    expect(doc.plan.sourceJournalMode).toBe('wal');
    void b;
  });

  test('a corrupted backup is refused and the target is byte-for-byte untouched', async () => {
    const b = await backup();
    addRows(db, 5);
    const f = path.join(b.path, 'story_gen.db');
    const buf = fs.readFileSync(f);
    buf[5000] = buf[5000]! ^ 0x55;
    fs.writeFileSync(f, buf);
    const before = treeSnapshot(path.dirname(db));
    const r = await runCli(['restore', '--store', store, '--backup', b.name, '--db-path', db]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/sha256 .* differs from manifest/);
    expect(treeSnapshot(path.dirname(db))).toEqual(before);
  });

  test('--dry-run prints the plan and changes nothing', async () => {
    const b = await backup();
    addRows(db, 5);
    fs.writeFileSync(`${db}-journal`, 'x');
    const before = treeSnapshot(path.dirname(db));
    const r = await runCli([
      'restore',
      '--store',
      store,
      '--backup',
      b.name,
      '--db-path',
      db,
      '--dry-run',
      '--stop-writers',
      'echo stop',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Plan to restore ${b.name}`);
    expect(r.stdout).toMatch(/story_gen\.db -> .*story_gen\.db {2}\(safety copy: .*pre-restore-/);
    expect(r.stdout).toMatch(/will remove stale sidecars: .*story_gen\.db-journal/);
    expect(r.stdout).toContain('stop writers:  echo stop');
    expect(treeSnapshot(path.dirname(db))).toEqual(before);
  });

  test('a backup of another backend is refused unless --backend says so', async () => {
    const { runs, meta } = createPrototypeFiles(db, 'mongo', 4);
    const r1 = await runCli(['backup', '--store', store, '--db-path', db, '--backend', 'mongo-prototype', '--json']);
    expect(r1.code).toBe(0);
    const name = JSON.parse(r1.stdout).name;
    fs.appendFileSync(runs, '{"run_id":"new"}\n');
    fs.writeFileSync(meta, JSON.stringify({ schema_key: 'story_analysis_runs', schema_version: 'v9' }));
    const before = treeSnapshot(path.dirname(db));
    const refused = await runCli(['restore', '--store', store, '--backup', name, '--db-path', db]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /holds mongo-prototype data but the target backend is sqlite; pass --backend mongo-prototype/,
    );
    expect(treeSnapshot(path.dirname(db))).toEqual(before);
    const ok = await runCli([
      'restore',
      '--store',
      store,
      '--backup',
      name,
      '--db-path',
      db,
      '--backend',
      'mongo-prototype',
      '--json',
    ]);
    expect(ok.code).toBe(0);
    // Runs and meta come back together.
    expect(fs.readFileSync(runs, 'utf8').split('\n').filter(Boolean)).toHaveLength(4);
    expect(JSON.parse(fs.readFileSync(meta, 'utf8')).schema_version).toBe('story_analysis_runs.v3');
    expect(JSON.parse(ok.stdout).safetyCopies).toHaveLength(2);
  });

  test('--expect-schema-version refuses a mismatching backup before touching anything', async () => {
    const b = await backup();
    const before = treeSnapshot(path.dirname(db));
    const r = await runCli([
      'restore',
      '--store',
      store,
      '--backup',
      b.name,
      '--db-path',
      db,
      '--expect-schema-version',
      'story_analysis_runs.v4',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/records analysis schema version story_analysis_runs\.v3, not story_analysis_runs\.v4/);
    expect(treeSnapshot(path.dirname(db))).toEqual(before);
  });

  test('writers are stopped and started around the swap, and after a failure too', async () => {
    const b = await backup();
    const log = path.join(dir, 'w.log');
    const r = await runCli([
      'restore',
      '--store',
      store,
      '--backup',
      b.name,
      '--db-path',
      db,
      '--stop-writers',
      `echo stop >> '${log}'`,
      '--start-writers',
      `echo start >> '${log}'`,
    ]);
    expect(r.code).toBe(0);
    expect(fs.readFileSync(log, 'utf8')).toBe('stop\nstart\n');
  });

  test('failed smoke checks with revert-on-failure bring the old data back', async () => {
    const b = await backup();
    addRows(db, 9);
    const logger = new MemoryLogger();
    const log = path.join(dir, 'w.log');
    await expect(
      runRestore({
        store: new LocalStore(store),
        backup: b.name,
        config: resolveConfig(cleanEnv(), { dbPath: db }),
        backendExplicit: false,
        writers: { stop: `echo stop >> '${log}'`, start: `echo start >> '${log}'` },
        revertOnFailure: true,
        smoke: async () => ({ ok: false, message: 'healthz: 503 Service Unavailable', checks: [] }),
        logger,
      }),
    ).rejects.toThrow(
      /smoke checks failed after restoring .*healthz: 503.*reverted to the pre-restore data and restarted writers/,
    );
    expect(count(db)).toBe(49);
    expect(fs.readFileSync(log, 'utf8')).toBe('stop\nstart\nstop\nstart\n');
  });
});

describe('restore with smoke checks against a real local HTTP service', () => {
  /** Backs up, runs `prepare`, then restores with smoke checks against a fake service in `state`. */
  async function restoreWithSmoke(init: Record<string, unknown>, prepare: () => void, extra: string[]) {
    const { startFakeService } = await import('../ops/fake-service.js');
    const svc = await startFakeService(init);
    try {
      const b = await backup();
      prepare();
      const smokeFlags = ['--base-url', svc.url, '--story-id', 'story-1', '--token-env', 'SO_TOKEN'];
      const r = await runCli(
        ['restore', '--store', store, '--backup', b.name, '--db-path', db, ...smokeFlags, ...extra],
        { env: cleanEnv({ SO_TOKEN: svc.state.token }) },
      );
      expect(r.stdout + r.stderr).not.toContain(svc.state.token);
      return r;
    } finally {
      await svc.close();
    }
  }

  test('healthy service: restore succeeds and reports both checks', async () => {
    const r = await restoreWithSmoke({}, () => {}, ['--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.smoke.ok).toBe(true);
    expect(doc.smoke.checks.map((c: { name: string }) => c.name)).toEqual(['healthz', 'analysis']);
  });

  test('analysis missing after restore: exit 1 naming the check; --revert-on-failure puts the old data back', async () => {
    const r = await restoreWithSmoke({ stories: new Set() }, () => addRows(db, 4), ['--revert-on-failure']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/smoke checks failed after restoring .*404.*reverted to the pre-restore data/);
    expect(count(db)).toBe(44);
  });

  test('a bad smoke flag is refused before anything is touched', async () => {
    const b = await backup();
    const before = treeSnapshot(path.dirname(db));
    const r = await runCli([
      'restore',
      '--store',
      store,
      '--backup',
      b.name,
      '--db-path',
      db,
      '--base-url',
      'ftp://x',
      '--story-id',
      's',
      '--token-env',
      'HOME',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--base-url/);
    expect(treeSnapshot(path.dirname(db))).toEqual(before);
  });
});
