/**
 * Concurrent runs against one local store: backups get distinct names, a
 * prune never interleaves with another prune or a backup's publish (store
 * lock), a held lock makes a run wait and then give up with a clear message,
 * and a stale lock left by a SIGKILLed run is taken over.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createStoryGenDb } from '../../scripts/lib/story-gen-fixture.mjs';
import { runBackup } from '../../src/core/backup.js';
import { resolveConfig } from '../../src/core/config.js';
import { silentLogger } from '../../src/core/logger.js';
import { LocalStore } from '../../src/stores/local-store.js';
import { cleanEnv, runCli, spawnCli, tempDir, treeSnapshot } from '../helpers/cli.js';
import { killRun, listVerified, storeLeftovers } from './support.js';

let work: string;
let db: string;
let n = 0;

beforeAll(() => {
  work = tempDir('hardening-conc');
  db = path.join(work, 'data', 'story_gen.db');
  createStoryGenDb(db, { runs: 40 });
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** A store with `count` daily backups, newest first in the returned names. */
async function storeWith(count: number): Promise<{ store: string; names: string[] }> {
  const store = path.join(work, `store-${++n}`);
  const s = new LocalStore(store);
  const names: string[] = [];
  for (let i = count - 1; i >= 0; i--) {
    const r = await runBackup({
      config: resolveConfig({}, { dbPath: db }),
      store: s,
      logger: silentLogger,
      now: () => new Date(Date.now() - i * 86_400_000 - 60_000),
    });
    names.unshift(r.name);
  }
  return { store, names };
}

const backupArgs = (store: string, ...extra: string[]) => ['backup', '--db-path', db, '--store', store, ...extra];

describe('concurrent runs on one local store', () => {
  test('four backups at once: all succeed with distinct names, all verify', async () => {
    const { store } = await storeWith(0);
    const runs = Array.from({ length: 4 }, () => spawnCli(backupArgs(store, '--json')));
    const results = await Promise.all(runs.map((r) => r.done));
    expect(results.map((r) => r.code)).toEqual([0, 0, 0, 0]);
    const names = results.map((r) => JSON.parse(r.stdout).name as string);
    expect(new Set(names).size).toBe(4);
    expect((await listVerified(store)).sort()).toEqual([...names].sort());
    expect(storeLeftovers(store)).toEqual([]);
  });

  test('a backup and a prune at once: both succeed, the new backup is kept, store verifies', async () => {
    const { store, names } = await storeWith(5);
    const b = spawnCli(backupArgs(store, '--json'));
    const p = spawnCli(['prune', '--store', store, '--keep-last', '2', '--json']);
    const [br, pr] = await Promise.all([b.done, p.done]);
    expect([br.code, pr.code]).toEqual([0, 0]);
    const fresh = JSON.parse(br.stdout).name as string;
    const listed = await listVerified(store);
    expect(listed).toContain(fresh);
    expect(listed).toContain(names[0]);
    // Whatever order they ran in, the prune deleted only backups its own plan removed.
    const deleted = JSON.parse(pr.stdout).deleted as string[];
    for (const d of deleted) expect(listed).not.toContain(d);
    expect(deleted).not.toContain(fresh);
    expect(storeLeftovers(store)).toEqual([]);
  });

  test('two prunes at once: both succeed, no backup deleted twice, the kept set survives', async () => {
    const { store, names } = await storeWith(6);
    const runs = [0, 1].map(() => spawnCli(['prune', '--store', store, '--keep-last', '2', '--json']));
    const results = await Promise.all(runs.map((r) => r.done));
    expect(results.map((r) => r.code)).toEqual([0, 0]);
    const deleted = results.flatMap((r) => JSON.parse(r.stdout).deleted as string[]);
    expect(deleted.sort()).toEqual(names.slice(2).sort());
    expect(await listVerified(store)).toEqual(names.slice(0, 2));
    expect(storeLeftovers(store)).toEqual([]);
  });

  test('a held lock makes a backup wait, then give up with a message naming the holder; nothing changes', async () => {
    const { store } = await storeWith(1);
    const holder = {
      pid: process.pid,
      host: os.hostname(),
      purpose: 'prune',
      since: new Date().toISOString(),
      nonce: 'x1',
    };
    fs.writeFileSync(path.join(store, '.lock'), JSON.stringify(holder));
    const before = treeSnapshot(store);
    const r = await runCli(backupArgs(store, '--lock-timeout', '0.3'));
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(
      lines.some((l) =>
        l.includes(`waiting for the store lock ${path.join(store, '.lock')} held by pid ${process.pid}`),
      ),
    ).toBe(true);
    const last = lines[lines.length - 1]!;
    expect(last).toContain(
      `store ${store} is locked by pid ${process.pid} on ${os.hostname()} (prune since ${holder.since})`,
    );
    expect(last).toContain('gave up after 0.3 s (--lock-timeout)');
    expect(treeSnapshot(store)).toEqual(before);
  });

  test('a backup waits for a running prune and finishes after it', async () => {
    const { store } = await storeWith(5);
    const p = spawnCli(['prune', '--store', store, '--keep-last', '2'], {
      env: cleanEnv({ STORAGE_OPS_FAULT: 'pause:prune:deleted-1' }),
    });
    await p.waitFor('fault-point prune:deleted-1');
    const b = spawnCli(backupArgs(store, '--json', '--lock-timeout', '30'));
    await b.waitFor('waiting for the store lock');
    p.child.kill('SIGTERM');
    expect((await p.done).code).toBe(130);
    const br = await b.done;
    expect(br.code).toBe(0);
    expect(await listVerified(store)).toContain(JSON.parse(br.stdout).name);
    expect(storeLeftovers(store)).toEqual([]);
  });

  test('a stale lock left by a SIGKILLed prune is taken over by three racing backups', async () => {
    const { store, names } = await storeWith(5);
    const o = await killRun(['prune', '--store', store, '--keep-last', '2'], {
      mode: 'point',
      point: 'prune:deleted-1',
      signal: 'SIGKILL',
    });
    expect(o.signal).toBe('SIGKILL');
    const lock = JSON.parse(fs.readFileSync(path.join(store, '.lock'), 'utf8'));
    expect(lock.purpose).toBe('prune');
    const runs = [0, 1, 2].map(() => spawnCli(backupArgs(store, '--json', '--lock-timeout', '20')));
    const results = await Promise.all(runs.map((r) => r.done));
    expect(results.map((r) => r.code)).toEqual([0, 0, 0]);
    expect(results.filter((r) => r.stderr.includes('took over a stale store lock')).length).toBe(1);
    const fresh = results.map((r) => JSON.parse(r.stdout).name as string);
    const listed = await listVerified(store);
    for (const f of fresh) expect(listed).toContain(f);
    expect(listed).toContain(names[0]);
    expect(storeLeftovers(store)).toEqual([]);
    // A rerun of the killed prune finishes its job.
    const again = await runCli(['prune', '--store', store, '--keep-last', '2']);
    expect(again.code).toBe(0);
    expect((await listVerified(store)).length).toBe(2);
  });
});
