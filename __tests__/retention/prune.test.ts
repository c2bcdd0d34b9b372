import { describe, test, expect } from '@jest/globals';
import { prune } from '../../src/core/prune.js';
import { MemoryLogger } from '../../src/core/logger.js';
import { CancelledError, RetentionError, StoreError, UsageError } from '../../src/core/errors.js';
import type { BackupStore, StoredBackup } from '../../src/core/types.js';
import {
  PROFILES,
  describePolicy,
  dur,
  parseDuration,
  policyHorizonDays,
  renderTimeline,
  planRetention,
  retentionFromOptions,
} from '../../src/core/retention/index.js';
import { series } from './helpers.js';

/** A tiny in-memory BackupStore: list newest first, idempotent remove, optional failure. */
class MemoryStore implements BackupStore {
  removed: string[] = [];
  constructor(
    public backups: StoredBackup[],
    private failOn?: string,
  ) {}
  describe() {
    return 'memory store';
  }
  async createStaging(): Promise<string> {
    throw new Error('not used');
  }
  async publish(): Promise<StoredBackup> {
    throw new Error('not used');
  }
  async discardStaging() {}
  async list() {
    return [...this.backups].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
  }
  async open(): Promise<never> {
    throw new Error('not used');
  }
  async remove(name: string) {
    if (name === this.failOn) throw new Error('disk on fire');
    this.removed.push(name);
    this.backups = this.backups.filter((b) => b.name !== name);
  }
}

const stored = (times: string[], unverified: number[] = []): StoredBackup[] =>
  times.map((t, i) => ({
    name: `story_gen-${String(i).padStart(3, '0')}`,
    createdAt: t,
    backend: 'sqlite',
    bytes: 1,
    verified: !unverified.includes(i),
  }));

const NOW = '2026-03-16T00:00:00Z';

describe('prune executor', () => {
  test('logs policy in words, kept with reasons, removed, timeline; then removes the plan', async () => {
    const store = new MemoryStore(stored(series('2026-03-15T12:00:00.000Z', 80, 24), [20]));
    const log = new MemoryLogger();
    const r = await prune(store, log, { policy: PROFILES.dev, now: NOW });
    const text = log.text();
    expect(text).toContain('info: policy: keep one backup a day for 14 days and one a week for 8 weeks');
    expect(text).toContain('memory store: 80 backups, keeping 20, removing 60');
    expect(text).toMatch(
      /info: keep {4}story_gen-000 {2}2026-03-15T12:00:00.000Z {2}daily within 14d, weekly within 8w/,
    );
    expect(text).toMatch(/info: remove {2}story_gen-020 {2}\S+ {2}failed attempt \(not verified\)/);
    expect(text).toContain('info: [group] timeline');
    expect(text).toMatch(/2026-W11 {2}#{7}/);
    expect(r.deleted).toHaveLength(60);
    expect(store.removed).toEqual(r.plan.remove.map((x) => x.name));
    expect((await store.list()).map((b) => b.name)).toEqual(r.plan.keep.map((k) => k.name));
    // Deletion is the last thing: every explanation line comes before the first "deleted".
    const firstDeleted = log.lines.findIndex((l) => l.message.startsWith('deleted '));
    const timelineAt = log.lines.findIndex((l) => l.message.startsWith('timeline ('));
    expect(timelineAt).toBeGreaterThan(0);
    expect(firstDeleted).toBeGreaterThan(timelineAt);
  });

  test('dry run deletes nothing', async () => {
    const store = new MemoryStore(stored(series('2026-03-15T12:00:00.000Z', 30, 24)));
    const r = await prune(store, new MemoryLogger(), { policy: { last: 5 }, dryRun: true, now: NOW });
    expect(r.plan.remove).toHaveLength(25);
    expect(r.deleted).toEqual([]);
    expect(store.removed).toEqual([]);
  });

  test('newest unverified: nothing deleted, a warning says why', async () => {
    const store = new MemoryStore(stored(series('2026-03-15T12:00:00.000Z', 10, 24), [0]));
    const log = new MemoryLogger();
    const r = await prune(store, log, { policy: { last: 1 }, now: NOW });
    expect(store.removed).toEqual([]);
    expect(r.plan.held).toMatch(/not verified/);
    expect(log.text()).toMatch(/warn: newest backup "story_gen-000" .* not verified: nothing is removed/);
  });

  test('guards stop before any deletion: max-delete, clock skew', async () => {
    const store = new MemoryStore(stored(series('2026-03-15T12:00:00.000Z', 10, 24)));
    await expect(prune(store, new MemoryLogger(), { policy: { last: 1 }, maxDelete: 3, now: NOW })).rejects.toThrow(
      RetentionError,
    );
    expect(store.removed).toEqual([]);
    const skewed = new MemoryStore(stored(['2026-03-16T01:00:00Z', '2026-03-15T12:00:00Z']));
    await expect(prune(skewed, new MemoryLogger(), { policy: { last: 1 }, now: NOW })).rejects.toThrow(/clock skew/);
    expect(skewed.removed).toEqual([]);
  });

  test('a failing delete stops with a StoreError saying how far it got; a rerun finishes', async () => {
    const store = new MemoryStore(stored(series('2026-03-15T12:00:00.000Z', 6, 24)), 'story_gen-004');
    await expect(prune(store, new MemoryLogger(), { policy: { last: 2 }, now: NOW })).rejects.toThrow(
      /deleting backup "story_gen-004" from memory store failed after 2 of 4 deletions: disk on fire; rerun to finish/,
    );
    expect(store.removed).toEqual(['story_gen-002', 'story_gen-003']);
    await expect(prune(store, new MemoryLogger(), { policy: { last: 2 }, now: NOW })).rejects.toThrow(StoreError);
  });

  test('an aborted signal stops between deletions', async () => {
    const store = new MemoryStore(stored(series('2026-03-15T12:00:00.000Z', 6, 24)));
    const ac = new AbortController();
    ac.abort();
    await expect(
      prune(store, new MemoryLogger(), { policy: { last: 2 }, now: NOW, signal: ac.signal }),
    ).rejects.toThrow(CancelledError);
    expect(store.removed).toEqual([]);
  });
});

describe('policies in words, durations, horizons, options', () => {
  test('describePolicy', () => {
    expect(describePolicy(PROFILES.dev)).toBe('keep one backup a day for 14 days and one a week for 8 weeks');
    expect(describePolicy(PROFILES.staging)).toBe('keep one backup a day for 30 days and one a month for 6 months');
    expect(describePolicy({ within: dur('1y6m'), yearly: 'unlimited', hourly: 24, last: 1 })).toBe(
      'keep every backup from the last 1 year 6 months, the last backup, one an hour for the last 24 hours that have one and one a year for every year that has one',
    );
    expect(describePolicy({ withinHourly: dur('36h') })).toBe('keep one backup an hour for 36 hours');
  });

  test('parseDuration: restic units plus weeks, any order, each once', () => {
    expect(parseDuration('1y2m3w4d5h')).toEqual({ years: 1, months: 2, weeks: 3, days: 4, hours: 5 });
    expect(parseDuration(' 5h1y ')).toEqual({ years: 1, months: 0, weeks: 0, days: 0, hours: 5 });
    expect(() => parseDuration('1d2d')).toThrow(/repeats unit "d"/);
    expect(() => parseDuration('0d')).toThrow(/is zero/);
    expect(() => parseDuration('')).toThrow(UsageError);
    expect(() => parseDuration('1.5d')).toThrow(UsageError);
    expect(() => parseDuration('d')).toThrow(UsageError);
  });

  test('policyHorizonDays: the longest tier, plus a day', () => {
    expect(policyHorizonDays(PROFILES.dev)).toBe(57);
    expect(policyHorizonDays(PROFILES.staging)).toBe(187);
    expect(policyHorizonDays({ daily: 7, weekly: 4 })).toBe(29);
    expect(policyHorizonDays({ last: 10 })).toBe(1);
    expect(policyHorizonDays({ monthly: 'unlimited' })).toBe(Infinity);
    expect(policyHorizonDays({ within: dur('36h') })).toBe(3);
  });

  test('retentionFromOptions: a plain record of strings, as the action passes inputs', () => {
    const s = retentionFromOptions(
      { profile: 'staging', 'keep-within-daily': '7d', 'keep-last': '', timezone: 'Europe/Berlin', 'max-delete': '50' },
      { prefix: '' },
    );
    expect(s).toEqual({
      profile: 'staging',
      policy: { withinDaily: dur('7d'), withinMonthly: dur('6m') },
      timezone: 'Europe/Berlin',
      maxDelete: 50,
    });
    expect(() => retentionFromOptions({ 'keep-daily': '-3' }, { prefix: '' })).toThrow(
      /^keep-daily: "-3" is not valid; expected a whole number >= 0 or "unlimited"$/,
    );
    expect(() => retentionFromOptions({})).toThrow(/no retention rules/);
    expect(retentionFromOptions({ 'keep-yearly': 'unlimited' }).policy).toEqual({ yearly: 'unlimited' });
  });

  test('timeline: monthly rows for long histories, gaps shown, counts', () => {
    const times = [...series('2026-03-15T12:00:00.000Z', 10, 24), ...series('2025-06-10T12:00:00.000Z', 3, 24)];
    const plan = planRetention(
      times.map((t, i) => ({ name: `b${i}`, createdAt: t })),
      { last: 11 },
      { now: NOW },
    );
    expect(renderTimeline(plan)).toEqual([
      'timeline (UTC, one row per month, newest first; # kept, . removed, oldest left):',
      '  2026-03   ##########  (10 kept, 0 removed)',
      '  2026-02',
      '  2026-01',
      '  2025-12',
      '  2025-11',
      '  2025-10',
      '  2025-09',
      '  2025-08',
      '  2025-07',
      '  2025-06   ..#         (1 kept, 2 removed)',
    ]);
  });
});
