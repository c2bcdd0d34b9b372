import { describe, test, expect, beforeAll, afterAll } from '@jest/globals';
import fs from 'node:fs';
import path from 'node:path';
import { runCli, tempDir, treeSnapshot } from '../helpers/cli.js';
import { runBackup } from '../../src/core/backup.js';
import { resolveConfig } from '../../src/core/config.js';
import { silentLogger } from '../../src/core/logger.js';
import { LocalStore } from '../../src/stores/local-store.js';
import { createStoryGenDb } from '../../scripts/lib/story-gen-fixture.mjs';
import { series } from './helpers.js';

let work: string;
beforeAll(() => {
  work = tempDir('retention-cli');
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

function inputFile(name: string, doc: unknown): string {
  const file = path.join(work, name);
  fs.writeFileSync(file, JSON.stringify(doc));
  return file;
}

describe('storage-ops plan', () => {
  test('--json prints exactly {keep, remove}, every input once, newest first', async () => {
    const times = series('2026-03-15T12:00:00.000Z', 60, 24);
    const input = times
      .map((t, i) => ({ name: `story_gen-${i}`, createdAt: t, ...(i === 7 ? { verified: false } : {}) }))
      .reverse();
    const file = inputFile('plan.json', input);
    const r = await runCli(['plan', '--profile', 'dev', '--input', file, '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(Object.keys(doc)).toEqual(['keep', 'remove']);
    for (const k of doc.keep) expect(Object.keys(k)).toEqual(['name', 'createdAt', 'reasons']);
    for (const x of doc.remove) expect(Object.keys(x)).toEqual(['name', 'createdAt']);
    const all = [...doc.keep, ...doc.remove].map((x: { name: string }) => x.name).sort();
    expect(all).toEqual(input.map((b) => b.name).sort());
    expect(doc.keep[0]).toEqual({
      name: 'story_gen-0',
      createdAt: times[0],
      reasons: ['daily within 14d', 'weekly within 8w'],
    });
    expect(doc.keep.length).toBe(13 + 6); // 14 days minus the unverified one, plus 6 older Sundays
    expect(doc.remove.map((x: { name: string }) => x.name)).toContain('story_gen-7');
    const created = doc.remove.map((x: { createdAt: string }) => Date.parse(x.createdAt));
    expect([...created].sort((a, b) => b - a)).toEqual(created);
  });

  test('explicit rules with a profile, and a timezone; text output explains and draws a timeline', async () => {
    const times = series('2026-03-15T12:00:00.000Z', 40, 24);
    const file = inputFile(
      'plan2.json',
      times.map((t, i) => ({ name: `b${i}`, createdAt: t })),
    );
    const r = await runCli([
      'plan',
      '--profile',
      'dev',
      '--keep-within-daily',
      '3d',
      '--keep-monthly',
      '2',
      '--timezone',
      'Europe/Berlin',
      '--input',
      file,
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      'policy: keep one backup a day for 3 days, one a week for 8 weeks and one a month for the last 2 months that have one (calendar of Europe/Berlin)',
    );
    expect(r.stdout).toMatch(/b0 {2}2026-03-15T12:00:00.000Z {2}monthly snapshot, daily within 3d, weekly within 8w/);
    expect(r.stdout).toMatch(/timeline \(Europe\/Berlin, one row per ISO week/);
    expect(r.stdout).toMatch(/2026-W11 {2}\.\.\.\.### +\(3 kept, 4 removed\)/);
  });

  test('newest backup unverified: removes nothing and says why', async () => {
    const file = inputFile('held.json', [
      { name: 'new', createdAt: '2026-01-03T00:00:00Z', verified: false },
      { name: 'old', createdAt: '2026-01-01T00:00:00Z' },
    ]);
    const r = await runCli(['plan', '--keep-last', '1', '--input', file, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).remove).toEqual([]);
    expect(r.stderr).toMatch(/warn: newest backup "new" .* is not verified/);
  });

  test.each([
    [['--keep-daily=-1'], /^error: --keep-daily: "-1" is not valid; expected a whole number >= 0 or "unlimited"$/],
    [['--keep-weekly', 'lots'], /^error: --keep-weekly: "lots" is not valid; expected .*"unlimited"$/],
    [['--keep-within', '14x'], /^error: --keep-within: "14x" has unknown unit "x"; expected a duration like 14d/],
    [['--keep-within-daily', '14'], /^error: --keep-within-daily: "14" has no unit after 14/],
    [['--keep-within-weekly=-2w'], /^error: --keep-within-weekly: "-2w" is not valid; expected a duration/],
    [['--profile', 'prod'], /^error: --profile: unknown profile "prod"; expected dev or staging$/],
    [['--profile', 'dev', '--timezone', 'Mars/Olympus'], /^error: --timezone: unknown time zone "Mars\/Olympus"/],
    [['--keep-daily', '0'], /^error: no retention rules: give --profile \(dev or staging\) or at least one --keep-\*/],
    [[], /^error: no retention rules/],
  ])('invalid rules %j exit 2 with one line naming the flag', async (flags, message) => {
    const file = inputFile('ok.json', [{ name: 'a', createdAt: '2026-01-01T00:00:00Z' }]);
    const r = await runCli(['plan', ...flags, '--input', file, '--json']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n').filter((l) => l.startsWith('error:'))).toHaveLength(1);
    expect(r.stderr.split('\n').find((l) => l.startsWith('error:'))).toMatch(message);
  });

  test('bad input files exit 2 naming --input', async () => {
    const missing = await runCli(['plan', '--profile', 'dev', '--input', path.join(work, 'nope.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/error: --input: cannot read/);
    const notArray = await runCli(['plan', '--profile', 'dev', '--input', inputFile('obj.json', { a: 1 })]);
    expect(notArray.code).toBe(2);
    expect(notArray.stderr).toMatch(/expected a JSON array/);
    const badDate = await runCli([
      'plan',
      '--profile',
      'dev',
      '--input',
      inputFile('bad.json', [{ name: 'a', createdAt: 'yesterday' }]),
    ]);
    expect(badDate.code).toBe(2);
    expect(badDate.stderr).toMatch(/backup "a": createdAt "yesterday" is not an ISO-8601 time/);
  });

  test('a backup dated in the future stops with a clock-skew error (exit 1)', async () => {
    const future = new Date(Date.now() + 3_600_000).toISOString();
    const file = inputFile('future.json', [
      { name: 'f', createdAt: future },
      { name: 'a', createdAt: '2026-01-01T00:00:00Z' },
    ]);
    const r = await runCli(['plan', '--keep-last', '1', '--input', file, '--json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error: clock skew: backup "f" is dated/);
  });
});

describe('storage-ops prune over a local store', () => {
  let db: string;
  beforeAll(() => {
    db = path.join(work, 'db', 'story_gen.db');
    createStoryGenDb(db, { runs: 5 });
  });

  async function storeWith(times: string[]): Promise<{ dir: string; names: Map<string, string> }> {
    const dir = tempDir('retention-store');
    const store = new LocalStore(dir);
    const names = new Map<string, string>();
    for (const t of times) {
      const r = await runBackup({
        config: resolveConfig({}, { dbPath: db }),
        store,
        logger: silentLogger,
        now: () => new Date(t),
      });
      names.set(t, r.name);
    }
    return { dir, names };
  }

  test('--dry-run explains and deletes nothing; then prune deletes exactly the plan', async () => {
    const times = series('2026-03-15T12:00:00.000Z', 12, 24);
    const { dir, names } = await storeWith(times);
    try {
      const before = treeSnapshot(dir);
      const dry = await runCli([
        'prune',
        '--store',
        dir,
        '--keep-last',
        '3',
        '--keep-weekly',
        '2',
        '--dry-run',
        '--json',
      ]);
      expect(dry.code).toBe(0);
      expect(treeSnapshot(dir)).toEqual(before);
      const doc = JSON.parse(dry.stdout);
      expect(doc.dryRun).toBe(true);
      expect(doc.deleted).toEqual([]);
      expect(doc.policy).toBe('keep the last 3 backups and one a week for the last 2 weeks that have one');
      // 03-15 (Sun), 03-14, 03-13 last; weekly: 03-15 (W11) and 03-08 (W10)
      const kept = [times[0], times[1], times[2], times[7]].map((t) => names.get(t));
      expect(doc.keep.map((k: { name: string }) => k.name)).toEqual(kept);
      expect(dry.stderr).toContain('policy: keep the last 3 backups and one a week');
      expect(dry.stderr).toMatch(/keep {4}\S+ {2}2026-03-15T12:00:00.000Z {2}last snapshot, weekly snapshot/);
      expect(dry.stderr).toMatch(/timeline \(UTC, one row per ISO week/);
      expect(dry.stderr).toContain('dry run: would delete 8 backups; nothing was deleted');

      const real = await runCli(['prune', '--store', dir, '--keep-last', '3', '--keep-weekly', '2', '--json']);
      expect(real.code).toBe(0);
      expect(JSON.parse(real.stdout).deleted).toHaveLength(8);
      const listed = await runCli(['list', '--store', dir, '--json']);
      expect(JSON.parse(listed.stdout).map((b: { name: string }) => b.name)).toEqual(kept);
      // Nothing left behind in the store's trash.
      expect(fs.readdirSync(path.join(dir, '.trash'))).toEqual([]);
      // A rerun has nothing left to do.
      const again = await runCli(['prune', '--store', dir, '--keep-last', '3', '--keep-weekly', '2', '--json']);
      expect(JSON.parse(again.stdout).deleted).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('--max-delete refuses a larger plan and deletes nothing (exit 1)', async () => {
    const { dir } = await storeWith(series('2026-02-10T08:00:00.000Z', 6, 24));
    try {
      const before = treeSnapshot(dir);
      const r = await runCli([
        'prune',
        '--store',
        dir,
        '--profile',
        'dev',
        '--keep-within-daily',
        '2d',
        '--max-delete',
        '1',
      ]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/error: the plan would remove 2 backups, more than --max-delete 1; nothing was removed/);
      expect(treeSnapshot(dir)).toEqual(before);
      const bad = await runCli(['prune', '--store', dir, '--profile', 'dev', '--max-delete', 'some']);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/error: --max-delete: "some" is not valid; expected a whole number >= 0/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
