/**
 * Backups of a live database with a real writer process committing steadily,
 * in rollback-journal mode (the service's default) and in WAL mode.
 */
import { describe, expect, test } from '@jest/globals';
import fs from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { createStoryGenDb } from '../../scripts/lib/story-gen-fixture.mjs';
import { runCli, tempDir } from '../helpers/cli.js';
import { startWriter } from '../helpers/writer.js';

describe.each(['delete', 'wal'] as const)('live backup, journal mode %s', (mode) => {
  test('snapshot is one committed state, passes integrity_check, and the writer sees no lock errors', async () => {
    const dir = tempDir('live');
    const db = path.join(dir, 'data', 'story_gen.db');
    // ~24 MiB so the copy takes several backup steps while the writer commits.
    createStoryGenDb(db, { journalMode: mode, targetBytes: 24 * 1024 * 1024, payloadBytes: 2000 });
    const writer = await startWriter(db, mode, 1);
    await new Promise((r) => setTimeout(r, 300));
    const results = [];
    for (let i = 0; i < 3; i++) {
      results.push(await runCli(['backup', '--db-path', db, '--store', path.join(dir, 'backups'), '--json']));
    }
    await new Promise((r) => setTimeout(r, 200));
    const stats = await writer.stop();
    expect(stats.lockErrors).toBe(0);
    expect(stats.otherErrors).toBe(0);
    expect(stats.commits).toBeGreaterThan(10);
    const counts: number[] = [];
    for (const r of results) {
      expect(r.code).toBe(0);
      const doc = JSON.parse(r.stdout);
      expect(doc.manifest.files).toHaveLength(1);
      const file = path.join(doc.path, 'story_gen.db');
      // Self-contained: nothing beside the snapshot.
      expect(fs.readdirSync(doc.path).sort()).toEqual(['manifest.json', 'story_gen.db']);
      const snap = new DatabaseSync(file, { readOnly: true });
      expect((snap.prepare('PRAGMA integrity_check').get() as { integrity_check: string }).integrity_check).toBe('ok');
      expect((snap.prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode).toBe('delete');
      const runs = Number((snap.prepare('SELECT count(*) AS n FROM story_analysis_runs').get() as { n: number }).n);
      const events = Number((snap.prepare('SELECT count(*) AS n FROM anomaly_events').get() as { n: number }).n);
      snap.close();
      // Every writer transaction adds one row to each table: equal counts mean one committed state.
      expect(runs).toBe(events);
      expect(doc.manifest.files[0].sqlite.tables.story_analysis_runs).toBe(runs);
      expect(doc.manifest.files[0].sqlite.sourceJournalMode).toBe(mode);
      expect(doc.manifest.schemaVersion).toBe('story_analysis_runs.v3');
      counts.push(runs);
    }
    // The writer kept committing between backups, and each backup saw more.
    expect(counts[2]!).toBeGreaterThan(counts[0]!);
    const live = new DatabaseSync(db, { readOnly: true });
    const final = Number((live.prepare('SELECT count(*) AS n FROM story_analysis_runs').get() as { n: number }).n);
    live.close();
    expect(final).toBeGreaterThanOrEqual(counts[2]!);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
