/**
 * The BackupStore contract: every store adapter (local folder, GitHub
 * artifacts) runs this same suite, like Litestream's replica-client tests.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import fs from 'node:fs';
import path from 'node:path';
import { runBackup } from '../../src/core/backup.js';
import { resolveConfig } from '../../src/core/config.js';
import { NotFoundError, UsageError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/logger.js';
import type { BackupStore } from '../../src/core/types.js';
import { verifyBackupDir } from '../../src/core/verify.js';
import { createStoryGenDb } from '../../scripts/lib/story-gen-fixture.mjs';
import { tempDir } from '../helpers/cli.js';

export interface StoreFixture {
  store: BackupStore;
  /** A second handle on the same backing storage (another run, another process). */
  reopen?: () => Promise<BackupStore>;
  cleanup: () => Promise<void>;
  /**
   * The store reports the size it stores (e.g. the artifact zip), which it
   * cannot turn back into the manifest's byte total without downloading.
   */
  bytesAreStoredSize?: boolean;
}

/** Registers the contract tests for one adapter. `make` is called once per test. */
export function describeStoreContract(name: string, make: () => Promise<StoreFixture>): void {
  describe(`BackupStore contract: ${name}`, () => {
    let work: string;
    let db: string;
    beforeAll(() => {
      work = tempDir('contract');
      db = path.join(work, 'story_gen.db');
      createStoryGenDb(db, { runs: 30 });
    });
    afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

    const backupAt = (store: BackupStore, iso: string, prefix?: string) =>
      runBackup({
        config: resolveConfig({}, { dbPath: db }),
        store,
        logger: silentLogger,
        now: () => new Date(iso),
        ...(prefix ? { prefix } : {}),
      });

    async function withStore(fn: (f: StoreFixture) => Promise<void>) {
      const f = await make();
      try {
        await fn(f);
      } finally {
        await f.cleanup();
      }
    }

    test('an empty store lists nothing', () =>
      withStore(async ({ store }) => {
        expect(await store.list()).toEqual([]);
      }));

    test('a published backup is listed, opens and verifies', () =>
      withStore(async ({ store, reopen, bytesAreStoredSize }) => {
        const r = await backupAt(store, '2026-03-01T10:00:00.000Z');
        const list = await (reopen ? await reopen() : store).list();
        expect(list).toHaveLength(1);
        expect(list[0]).toMatchObject({
          name: r.name,
          createdAt: '2026-03-01T10:00:00.000Z',
          backend: 'sqlite',
          bytes: bytesAreStoredSize ? r.stored.bytes : r.manifest.bytes,
          verified: true,
        });
        expect(list[0]!.bytes).toBeGreaterThan(0);
        const opened = await store.open(r.name);
        try {
          const report = await verifyBackupDir(opened.dir);
          expect(report.manifest.name).toBe(r.name);
          expect(report.files.map((f) => f.name)).toEqual(['story_gen.db']);
        } finally {
          await opened.release();
          await opened.release();
        }
      }));

    test('lists newest first, and backups taken in the same millisecond get distinct names', () =>
      withStore(async ({ store }) => {
        const a = await backupAt(store, '2026-03-01T10:00:00.000Z');
        const c = await backupAt(store, '2026-03-03T10:00:00.000Z');
        const b = await backupAt(store, '2026-03-02T10:00:00.000Z');
        const b2 = await backupAt(store, '2026-03-02T10:00:00.000Z');
        expect(b2.name).not.toBe(b.name);
        expect((await store.list()).map((x) => x.name)).toEqual([c.name, b2.name, b.name, a.name]);
      }));

    test('a discarded staging folder never appears', () =>
      withStore(async ({ store }) => {
        const staging = await store.createStaging('story_gen-sqlite-20260301T100000.000Z');
        fs.writeFileSync(path.join(staging, 'half.db'), 'partial');
        await store.discardStaging(staging);
        await store.discardStaging(staging);
        expect(await store.list()).toEqual([]);
      }));

    test('remove deletes, and removing again (or a missing name) succeeds', () =>
      withStore(async ({ store }) => {
        const a = await backupAt(store, '2026-03-01T10:00:00.000Z');
        const b = await backupAt(store, '2026-03-02T10:00:00.000Z');
        await store.remove(a.name);
        expect((await store.list()).map((x) => x.name)).toEqual([b.name]);
        await store.remove(a.name);
        await store.remove('story_gen-sqlite-20200101T000000.000Z');
        expect((await store.list()).map((x) => x.name)).toEqual([b.name]);
      }));

    test('opening a missing backup is NotFoundError; a hostile name is UsageError', () =>
      withStore(async ({ store }) => {
        await expect(store.open('story_gen-sqlite-20200101T000000.000Z')).rejects.toBeInstanceOf(NotFoundError);
        for (const bad of ['..', '../x', '/etc', 'a/b', '.hidden']) {
          await expect(store.open(bad)).rejects.toBeInstanceOf(UsageError);
          await expect(store.remove(bad)).rejects.toBeInstanceOf(UsageError);
        }
      }));

    test('publishing a name that exists fails and keeps the existing backup intact', () =>
      withStore(async ({ store }) => {
        const a = await backupAt(store, '2026-03-01T10:00:00.000Z');
        const opened = await store.open(a.name);
        const manifest = JSON.parse(fs.readFileSync(path.join(opened.dir, 'manifest.json'), 'utf8'));
        await opened.release();
        const staging = await store.createStaging(`${a.name}-other`).catch(() => null);
        if (staging) await store.discardStaging(staging);
        const dup = path.join(work, `dup-${Date.now()}`);
        fs.mkdirSync(dup);
        await expect(store.publish(a.name, dup, manifest)).rejects.toThrow(/already exists/);
        const list = await store.list();
        expect(list.map((x) => x.name)).toEqual([a.name]);
        const again = await store.open(a.name);
        await verifyBackupDir(again.dir);
        await again.release();
      }));
  });
}
