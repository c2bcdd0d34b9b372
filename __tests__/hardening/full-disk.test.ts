/**
 * Full disk: backups into, and restores onto, an 8 MiB tmpfs with data that
 * does not fit. Refused up front when the free space is known to be short;
 * when the disk fills mid-copy (the test fills it while the run is paused at a
 * fault point), the same one-line DiskFullError. Either way: temporary files
 * removed, the target untouched, nothing half-written visible.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createStoryGenDb } from '../../scripts/lib/story-gen-fixture.mjs';
import { runBackup } from '../../src/core/backup.js';
import { resolveConfig } from '../../src/core/config.js';
import { silentLogger } from '../../src/core/logger.js';
import { LocalStore } from '../../src/stores/local-store.js';
import { cleanEnv, runCli, spawnCli, tempDir, treeSnapshot } from '../helpers/cli.js';
import { restoreTemps, sha256, storeLeftovers } from './support.js';

let work: string;
let mnt: string;
let n = 0;

beforeAll(() => {
  work = tempDir('hardening-disk');
  mnt = path.join(work, 'small');
  fs.mkdirSync(mnt);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', mnt]);
});

afterAll(() => {
  try {
    execFileSync('umount', [mnt]);
  } catch {
    // A run a failed test left paused still holds a file: detach now, freed when it exits.
    execFileSync('umount', ['-l', mnt]);
  }
  fs.rmSync(work, { recursive: true, force: true });
});

const free = () => {
  const st = fs.statfsSync(mnt);
  return st.bavail * st.bsize;
};

/** Fills the tmpfs until only `leave` bytes are free. */
function fill(leave: number): string {
  const file = path.join(mnt, `filler-${++n}`);
  fs.writeFileSync(file, Buffer.alloc(Math.max(0, free() - leave)));
  return file;
}

function db(bytes: number, dir = work): string {
  const file = path.join(dir, `db-${++n}`, 'story_gen.db');
  createStoryGenDb(file, { targetBytes: bytes, payloadBytes: 2000 });
  return file;
}

const DISK_FULL = /^no space left on (\S+): (the backup|restoring \S+) needs about (\d+\.\d) MiB, (\d+\.\d) MiB free$/;

function lastLine(stderr: string): string {
  return stderr
    .trim()
    .split('\n')
    .pop()!
    .replace(/^.*?error:?\s*/i, '');
}

describe('full disk', () => {
  test('backup larger than the free space: refused up front naming the store and the space', async () => {
    const source = db(12 << 20);
    const store = path.join(mnt, 'backups-a');
    const r = await runCli(['backup', '--db-path', source, '--store', store]);
    expect(r.code).toBe(1);
    const m = DISK_FULL.exec(lastLine(r.stderr));
    expect(m?.[1]).toBe(store);
    expect(Number(m?.[3])).toBeGreaterThan(12);
    expect(Number(m?.[4])).toBeLessThan(8.1);
    expect(await new LocalStore(store).list()).toEqual([]);
    expect(storeLeftovers(store)).toEqual([]);
  });

  test('disk fills mid-backup: DiskFullError, staging removed, nothing published', async () => {
    const source = db(4 << 20);
    const store = path.join(mnt, 'backups-b');
    const cli = spawnCli(['backup', '--db-path', source, '--store', store, '--stop-writers', 'true'], {
      env: cleanEnv({ STORAGE_OPS_FAULT: 'pause:backup:writers-stopped' }),
    });
    await cli.waitFor('fault-point backup:writers-stopped');
    const filler = fill(1 << 20);
    cli.child.kill('SIGUSR2');
    const r = await cli.done;
    fs.rmSync(filler);
    expect(r.code).toBe(1);
    const m = DISK_FULL.exec(lastLine(r.stderr));
    expect(m?.[1]).toBe(store);
    expect(r.stderr.trim().split('\n').pop()).not.toMatch(/SQLITE|errno|at /);
    expect(await new LocalStore(store).list()).toEqual([]);
    expect(storeLeftovers(store)).toEqual([]);
    expect(free()).toBeGreaterThan(7 << 20);
  });

  async function backupOf(bytes: number): Promise<{ store: string; name: string }> {
    const store = path.join(work, `store-${++n}`);
    const made = await runBackup({
      config: resolveConfig({}, { dbPath: db(bytes) }),
      store: new LocalStore(store),
      logger: silentLogger,
    });
    return { store, name: made.name };
  }

  test('restore that cannot fit beside the target: refused up front, target untouched', async () => {
    const { store, name } = await backupOf(3 << 20);
    const target = db(3 << 20, mnt);
    const before = treeSnapshot(path.dirname(target));
    const r = await runCli(['restore', '--store', store, '--backup', name, '--db-path', target]);
    expect(r.code).toBe(1);
    const m = DISK_FULL.exec(lastLine(r.stderr));
    expect(m?.[1]).toBe(path.dirname(target));
    expect(m?.[2]).toBe(`restoring ${name}`);
    expect(treeSnapshot(path.dirname(target))).toEqual(before);
  });

  test('disk fills mid-restore: DiskFullError, target untouched, temp files and safety copy removed', async () => {
    const { store, name } = await backupOf(3 << 20);
    const target = db(256 << 10, mnt);
    const dir = path.dirname(target);
    const before = treeSnapshot(dir);
    const sha = sha256(target);
    const cli = spawnCli(
      ['restore', '--store', store, '--backup', name, '--db-path', target, '--stop-writers', 'true'],
      {
        env: cleanEnv({ STORAGE_OPS_FAULT: 'pause:restore:writers-stopped' }),
      },
    );
    await cli.waitFor('fault-point restore:writers-stopped');
    const filler = fill(1 << 20);
    cli.child.kill('SIGUSR2');
    const r = await cli.done;
    fs.rmSync(filler);
    expect(r.code).toBe(1);
    const m = DISK_FULL.exec(lastLine(r.stderr));
    expect(m?.[1]).toBe(dir);
    expect(sha256(target)).toBe(sha);
    expect(restoreTemps(dir)).toEqual([]);
    expect(treeSnapshot(dir)).toEqual(before);
  });
});
