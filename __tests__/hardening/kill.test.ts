/**
 * Killed runs lose nothing: the bundled CLI is stopped with SIGKILL (and
 * SIGTERM/SIGINT) at named fault points and at random moments during backup,
 * restore and prune, and every invariant is checked after each kill. Seeded:
 * a failure prints `HARDENING_SEED=<n>`, which replays the same runs.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import fs from 'node:fs';
import path from 'node:path';
import { createPrototypeFiles, createStoryGenDb } from '../../scripts/lib/story-gen-fixture.mjs';
import { runBackup } from '../../src/core/backup.js';
import { resolveConfig } from '../../src/core/config.js';
import { silentLogger } from '../../src/core/logger.js';
import { LocalStore } from '../../src/stores/local-store.js';
import { cleanEnv, runCli, tempDir } from '../helpers/cli.js';
import {
  assert,
  baseSeed,
  integrity,
  killRun,
  listVerified,
  pick,
  pool,
  restoreTemps,
  rng,
  rowCount,
  sha256,
  storeLeftovers,
  writerMarker,
  type KillPlan,
} from './support.js';

const SEED = baseSeed();
const KILLS = Number(process.env.HARDENING_KILLS ?? 50);
const SIGNAL_RUNS = 10;
const POOL = 3;

let work: string;
let tpl: { backup: string; backupWal: string; restore: string; prune: string; restoreMongo: string };
const MONGO_ENV = cleanEnv({ STORY_GEN_ENABLE_MONGO_ADAPTER: '1' });
/** Mongo prototype restore: sha256 of each target file before, and in the backup. */
let mongo: { name: string; files: { target: string; old: string; new: string }[] };
let restoreName: string;
let oldSha: string;
let oldRows: number;
let newSha: string;
let pruneNames: string[];
let caseNo = 0;

beforeAll(async () => {
  process.stderr.write(`hardening kill harness: HARDENING_SEED=${SEED}\n`);
  work = tempDir('hardening-kill');
  tpl = {
    restoreMongo: path.join(work, 'tpl-restore-mongo'),
    backup: path.join(work, 'tpl-backup'),
    backupWal: path.join(work, 'tpl-backup-wal'),
    restore: path.join(work, 'tpl-restore'),
    prune: path.join(work, 'tpl-prune'),
  };
  // Backup: a small database and a store that already holds one backup.
  const bdb = path.join(tpl.backup, 'data', 'story_gen.db');
  createStoryGenDb(bdb, { runs: 40 });
  await runBackup({
    config: resolveConfig({}, { dbPath: bdb }),
    store: new LocalStore(path.join(tpl.backup, 'backups')),
    logger: silentLogger,
  });
  // The same in WAL mode (the snapshot then reads through the WAL index).
  const wdb = path.join(tpl.backupWal, 'data', 'story_gen.db');
  createStoryGenDb(wdb, { runs: 40, journalMode: 'wal' });
  await runBackup({
    config: resolveConfig({}, { dbPath: wdb }),
    store: new LocalStore(path.join(tpl.backupWal, 'backups')),
    logger: silentLogger,
  });
  // Restore: backup of database B; the target holds database A.
  const src = path.join(tpl.restore, 'src', 'story_gen.db');
  createStoryGenDb(src, { runs: 60 });
  const made = await runBackup({
    config: resolveConfig({}, { dbPath: src }),
    store: new LocalStore(path.join(tpl.restore, 'backups')),
    logger: silentLogger,
  });
  restoreName = made.name;
  newSha = made.manifest.files[0]!.sha256;
  const target = path.join(tpl.restore, 'data', 'story_gen.db');
  createStoryGenDb(target, { runs: 25 });
  oldSha = sha256(target);
  oldRows = rowCount(target);
  // Mongo prototype restore: two files (runs, meta), so a kill can fall between the two renames.
  const msrc = path.join(tpl.restoreMongo, 'src', 'story_gen.db');
  createPrototypeFiles(msrc, 'mongo', 40);
  const mmade = await runBackup({
    config: resolveConfig(MONGO_ENV, { dbPath: msrc, backend: 'mongo-prototype' }),
    store: new LocalStore(path.join(tpl.restoreMongo, 'backups')),
    logger: silentLogger,
  });
  const mtarget = createPrototypeFiles(path.join(tpl.restoreMongo, 'data', 'story_gen.db'), 'mongo', 7);
  fs.writeFileSync(
    mtarget.meta,
    fs.readFileSync(mtarget.meta, 'utf8').replace('2026-01-01T00:00:00Z', '2026-02-02T00:00:00Z'),
  );
  mongo = {
    name: mmade.name,
    files: mmade.manifest.files.map((f) => {
      const target = f.role === 'runs' ? mtarget.runs : mtarget.meta;
      return { target: path.relative(tpl.restoreMongo, target), old: sha256(target), new: f.sha256 };
    }),
  };
  for (const f of mongo.files) expect(f.old).not.toBe(f.new);
  // Prune: six daily backups.
  const pdb = path.join(tpl.prune, 'data', 'story_gen.db');
  createStoryGenDb(pdb, { runs: 5 });
  const pstore = new LocalStore(path.join(tpl.prune, 'backups'));
  pruneNames = [];
  for (let i = 5; i >= 0; i--) {
    const r = await runBackup({
      config: resolveConfig({}, { dbPath: pdb }),
      store: pstore,
      logger: silentLogger,
      now: () => new Date(Date.now() - i * 86_400_000 - 60_000),
    });
    pruneNames.unshift(r.name);
  }
}, 60_000);

afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

type Kind = 'backup' | 'restore' | 'prune';

function caseDirOf(key: keyof typeof tpl): string {
  const dir = path.join(work, `${key}-${++caseNo}`);
  fs.cpSync(tpl[key], dir, { recursive: true });
  return dir;
}

function caseDir(kind: Kind): string {
  const dir = path.join(work, `${kind}-${++caseNo}`);
  fs.cpSync(tpl[kind], dir, { recursive: true });
  return dir;
}

/** What one case needs: argv, where it may be stopped, and its checks. */
interface Scenario {
  argv: string[];
  env?: NodeJS.ProcessEnv;
  points: string[];
  /** Points where a SIGTERM/SIGINT must cancel the run (exit 130). */
  cancelPoints: string[];
  /** Invariants right after the kill. */
  afterKill(outcome: { at: string; code: number | null }, graceful: boolean): Promise<void>;
  /** Invariants after a successful rerun. */
  afterRerun(): Promise<void>;
  events(): string[];
}

function backupScenario(dir: string, withWriters: boolean): Scenario {
  const db = path.join(dir, 'data', 'story_gen.db');
  const store = path.join(dir, 'backups');
  const before = sha256(db);
  const w = writerMarker(dir);
  let listed: string[] = [];
  return {
    argv: ['backup', '--db-path', db, '--store', store, ...(withWriters ? w.flags : [])],
    points: [
      'backup:staging-created',
      'backup:snapshot-done',
      'backup:before-publish',
      'store:published',
      ...(withWriters ? ['backup:writers-stopped'] : []),
    ],
    cancelPoints: ['backup:snapshot-done', 'backup:before-publish', 'backup:writers-stopped'],
    async afterKill(o, graceful) {
      assert(sha256(db) === before, 'source database changed');
      assert(integrity(db) === 'ok', 'source database fails integrity_check');
      listed = await listVerified(store);
      assert(listed.length === 1 || listed.length === 2, `list shows ${listed.length} backups`);
      if (graceful && o.code === 130) {
        assert(listed.length === 1, 'a cancelled backup was published');
        assert(storeLeftovers(store).length === 0, `cancelled backup left ${storeLeftovers(store).join(', ')}`);
      }
    },
    async afterRerun() {
      const now = await listVerified(store);
      assert(
        now.length === listed.length + 1,
        `rerun: expected ${listed.length + 1} backups, list shows ${now.length}`,
      );
      assert(storeLeftovers(store).length === 0, `rerun left ${storeLeftovers(store).join(', ')}`);
      assert(sha256(db) === before, 'source database changed by the rerun');
    },
    events: w.events,
  };
}

function restoreScenario(dir: string, withWriters: boolean): Scenario {
  const target = path.join(dir, 'data', 'story_gen.db');
  const store = path.join(dir, 'backups');
  const w = writerMarker(dir);
  const safetyCopies = () =>
    fs.readdirSync(path.dirname(target)).filter((e) => /^story_gen\.db\.pre-restore-[^.]*\.\d{3}Z$/.test(e));
  return {
    argv: ['restore', '--store', store, '--backup', restoreName, '--db-path', target, ...(withWriters ? w.flags : [])],
    points: [
      'restore:safety-copied',
      'restore:staged',
      'restore:renamed-1',
      ...(withWriters ? ['restore:writers-stopped'] : []),
    ],
    cancelPoints: ['restore:safety-copied', 'restore:staged', 'restore:writers-stopped'],
    async afterKill(o, graceful) {
      const now = sha256(target);
      assert(now === oldSha || now === newSha, 'restore target is neither the old nor the restored database');
      assert(integrity(target) === 'ok', 'restore target fails integrity_check');
      if (now === newSha) {
        const copies = safetyCopies();
        assert(copies.length === 1, `target replaced but ${copies.length} safety copies`);
        const copy = path.join(path.dirname(target), copies[0]!);
        assert(integrity(copy) === 'ok' && rowCount(copy) === oldRows, 'safety copy does not open with the old rows');
      }
      assert((await listVerified(store)).length === 1, 'the store lost its backup');
      if (graceful && o.code === 130) {
        assert(now === oldSha, 'a cancelled restore replaced the target');
        assert(safetyCopies().length === 0, 'a cancelled restore that replaced nothing kept its safety copy');
        assert(
          restoreTemps(path.dirname(target)).length === 0,
          `cancelled restore left ${restoreTemps(path.dirname(target)).join(', ')}`,
        );
      }
    },
    async afterRerun() {
      assert(sha256(target) === newSha, 'rerun did not restore the backup');
      const temps = restoreTemps(path.dirname(target));
      assert(temps.length === 0, `rerun left temp files ${temps.join(', ')}`);
      assert(safetyCopies().length >= 1, 'no safety copy after the rerun');
    },
    events: w.events,
  };
}

function restoreMongoScenario(dir: string, withWriters: boolean): Scenario {
  const db = path.join(dir, 'data', 'story_gen.db');
  const store = path.join(dir, 'backups');
  const w = writerMarker(dir);
  const files = mongo.files.map((f) => ({ ...f, target: path.join(dir, f.target) }));
  const copiesOf = (target: string) =>
    fs
      .readdirSync(path.dirname(target))
      .filter((e) => e.startsWith(`${path.basename(target)}.pre-restore-`) && /\.\d{3}Z$/.test(e))
      .map((e) => path.join(path.dirname(target), e));
  return {
    argv: [
      'restore',
      '--store',
      store,
      '--backup',
      mongo.name,
      '--db-path',
      db,
      '--backend',
      'mongo-prototype',
      ...(withWriters ? w.flags : []),
    ],
    env: MONGO_ENV,
    points: [
      'restore:safety-copied',
      'restore:staged',
      'restore:renamed-1',
      'restore:renamed-2',
      ...(withWriters ? ['restore:writers-stopped'] : []),
    ],
    cancelPoints: ['restore:safety-copied', 'restore:staged', 'restore:writers-stopped'],
    async afterKill(o, graceful) {
      // Each file is wholly old or wholly restored; a file that was replaced has a byte-identical safety copy.
      for (const f of files) {
        const now = sha256(f.target);
        assert(now === f.old || now === f.new, `${path.basename(f.target)} is neither old nor restored`);
        if (now === f.new) {
          const copies = copiesOf(f.target);
          assert(
            copies.length === 1 && sha256(copies[0]!) === f.old,
            `${path.basename(f.target)}: no safety copy with the old bytes`,
          );
        }
        if (graceful && o.code === 130) assert(now === f.old, 'a cancelled restore replaced a file');
      }
      assert((await listVerified(store)).length === 1, 'the store lost its backup');
      assert(
        !graceful || o.code !== 130 || restoreTemps(path.dirname(db)).length === 0,
        'cancelled restore left temp files',
      );
    },
    async afterRerun() {
      for (const f of files) assert(sha256(f.target) === f.new, `rerun did not restore ${path.basename(f.target)}`);
      const temps = restoreTemps(path.dirname(db));
      assert(temps.length === 0, `rerun left temp files ${temps.join(', ')}`);
    },
    events: w.events,
  };
}

function pruneScenario(dir: string): Scenario {
  const store = path.join(dir, 'backups');
  const keep = pruneNames.slice(0, 2);
  return {
    argv: ['prune', '--store', store, '--keep-last', '2'],
    points: ['prune:deleted-1', 'prune:deleted-2', 'prune:deleted-3', 'store:trashed'],
    cancelPoints: ['prune:deleted-1', 'prune:deleted-2'],
    async afterKill(o, graceful) {
      const listed = await listVerified(store);
      for (const k of keep) assert(listed.includes(k), `kept backup ${k} is gone`);
      for (const n of listed) assert(pruneNames.includes(n), `unknown backup ${n} listed`);
      if (graceful && o.code === 130) {
        assert(storeLeftovers(store).length === 0, `cancelled prune left ${storeLeftovers(store).join(', ')}`);
      }
    },
    async afterRerun() {
      const listed = await listVerified(store);
      assert(JSON.stringify(listed) === JSON.stringify(keep), `after rerun list shows ${listed.join(', ')}`);
      assert(storeLeftovers(store).length === 0, `rerun left ${storeLeftovers(store).join(', ')}`);
    },
    events: () => [],
  };
}

function scenario(kind: Kind, r: () => number, forceWriters = false): Scenario {
  const dir = caseDir(kind);
  const withWriters = forceWriters || r() < 0.5;
  if (kind === 'backup')
    return r() < 0.3 ? backupScenario(caseDirOf('backupWal'), withWriters) : backupScenario(dir, withWriters);
  if (kind === 'restore') {
    return r() < 0.3 ? restoreMongoScenario(caseDirOf('restoreMongo'), withWriters) : restoreScenario(dir, withWriters);
  }
  return pruneScenario(dir);
}

/** One seeded case: kill, check, rerun, check. Errors carry the seed. */
async function runCase(kind: Kind, caseSeed: number, signal: NodeJS.Signals): Promise<string> {
  const r = rng(caseSeed);
  const graceful = signal !== 'SIGKILL';
  const sc = scenario(kind, r, graceful);
  const plan: KillPlan =
    graceful || r() < 0.6
      ? {
          mode: 'point',
          point: pick(r, graceful ? sc.cancelPoints : sc.points),
          signal,
        }
      : { mode: 'timer', delayMs: 20 + Math.floor(r() * 300), signal };
  const where = plan.mode === 'point' ? plan.point : `timer ${plan.delayMs} ms`;
  const tag = `${kind} ${signal} at ${where} (replay: HARDENING_SEED=${SEED}, case seed ${caseSeed})`;
  try {
    const o = await killRun(sc.argv, plan, sc.env);
    if (graceful) {
      assert(o.code === 130, `exit ${o.code}, expected 130; stderr: ${o.stderr.trim().split('\n').pop()}`);
      const ev = sc.events();
      if (kind !== 'prune') assert(ev.join(',') === 'stopped,started', `writers events ${ev.join(',')}`);
    }
    await sc.afterKill(o, graceful);
    const again = await runCli(sc.argv, sc.env ? { env: sc.env } : {});
    assert(again.code === 0, `rerun exit ${again.code}: ${again.stderr.trim().split('\n').pop()}`);
    await sc.afterRerun();
    // Writers a killed run left stopped are running again after the rerun.
    const ev = sc.events();
    assert(ev.length === 0 || ev[ev.length - 1] === 'started', `writers left stopped: ${ev.join(',')}`);
    return o.at;
  } catch (err) {
    throw new Error(`${tag}: ${(err as Error).message}`);
  }
}

function seeds(kind: string, n: number): number[] {
  const salt = [...kind].reduce((h, c) => (Math.imul(h, 31) + c.charCodeAt(0)) >>> 0, SEED >>> 0);
  const r = rng(salt);
  return Array.from({ length: n }, () => Math.floor(r() * 2 ** 31));
}

describe('SIGKILL at random points loses nothing', () => {
  test.each(['backup', 'restore', 'prune'] as const)(
    `%s: ${KILLS} seeded kills`,
    async (kind) => {
      const stops: Record<string, number> = {};
      const failures = await pool(seeds(`${kind}-kill`, KILLS), POOL, async (s) => {
        const at = await runCase(kind, s, 'SIGKILL');
        stops[at] = (stops[at] ?? 0) + 1;
      });
      expect(failures).toEqual([]);
      // The named points were all reached on purpose, not only by the timer.
      expect(Object.keys(stops).filter((k) => k.includes(':')).length).toBeGreaterThanOrEqual(3);
    },
    120_000,
  );
});

describe('SIGTERM and SIGINT cancel cleanly: exit 130, writers restarted, temp files gone', () => {
  test.each(['SIGTERM', 'SIGINT'] as const)(
    '%s',
    async (signal) => {
      const cases = (['backup', 'restore', 'prune'] as const).flatMap((kind) =>
        seeds(`${kind}-${signal}`, SIGNAL_RUNS).map((s) => ({ kind, s })),
      );
      const failures = await pool(cases, POOL, async ({ kind, s }) => {
        await runCase(kind, s, signal);
      });
      expect(failures).toEqual([]);
    },
    120_000,
  );
});
