import { describe, test, expect } from '@jest/globals';
import {
  PROFILES,
  addDateWall,
  dur,
  isoWeekKey,
  makeZone,
  planRetention,
  type RetentionPolicy,
} from '../../src/core/retention/index.js';
import { RetentionError, UsageError, InputError } from '../../src/core/errors.js';
import { backupsAt, planTimes, series } from './helpers.js';

const day = (t: string) => Math.floor(Date.parse(t) / 86_400_000);

describe('calendar', () => {
  test('ISO weeks: 2025-12-29 is 2026-W01, week 53 years, Sunday ends the week', () => {
    expect(isoWeekKey(day('2025-12-28T00:00:00Z'))).toBe(202552);
    expect(isoWeekKey(day('2025-12-29T00:00:00Z'))).toBe(202601);
    expect(isoWeekKey(day('2026-01-04T00:00:00Z'))).toBe(202601);
    expect(isoWeekKey(day('2026-01-05T00:00:00Z'))).toBe(202602);
    expect(isoWeekKey(day('2020-12-31T00:00:00Z'))).toBe(202053);
    expect(isoWeekKey(day('2021-01-03T00:00:00Z'))).toBe(202053);
    expect(isoWeekKey(day('2021-01-04T00:00:00Z'))).toBe(202101);
    expect(isoWeekKey(day('2026-12-31T00:00:00Z'))).toBe(202653);
    expect(isoWeekKey(day('2027-01-03T00:00:00Z'))).toBe(202653);
    expect(isoWeekKey(day('2024-12-30T00:00:00Z'))).toBe(202501);
    expect(isoWeekKey(day('2010-01-03T00:00:00Z'))).toBe(200953);
  });

  test('Go AddDate: month ends overflow, leap days', () => {
    const iso = (ms: number) => new Date(ms).toISOString();
    const at = (t: string) => Date.parse(t);
    expect(iso(addDateWall(at('2025-03-31T10:00:00Z'), 0, -1, 0))).toBe('2025-03-03T10:00:00.000Z');
    expect(iso(addDateWall(at('2024-03-31T10:00:00Z'), 0, -1, 0))).toBe('2024-03-02T10:00:00.000Z');
    expect(iso(addDateWall(at('2024-02-29T10:00:00Z'), -1, 0, 0))).toBe('2023-03-01T10:00:00.000Z');
    expect(iso(addDateWall(at('2024-02-29T10:00:00Z'), -4, 0, 0))).toBe('2020-02-29T10:00:00.000Z');
    expect(iso(addDateWall(at('2026-01-15T10:00:00Z'), 0, -13, 0))).toBe('2024-12-15T10:00:00.000Z');
    expect(iso(addDateWall(at('2026-03-01T00:00:00Z'), 0, 0, -1))).toBe('2026-02-28T00:00:00.000Z');
    expect(iso(addDateWall(at('2025-08-31T23:59:59.500Z'), 0, -6, 0))).toBe('2025-03-03T23:59:59.500Z');
  });

  test('zones: wall clock and Go time.Date resolution in a DST gap', () => {
    const ny = makeZone('America/New_York');
    expect(ny.toWall(Date.parse('2026-01-01T05:00:00Z'))).toBe(Date.parse('2026-01-01T00:00:00Z'));
    expect(ny.toWall(Date.parse('2026-07-01T04:00:00Z'))).toBe(Date.parse('2026-07-01T00:00:00Z'));
    expect(ny.fromWall(Date.parse('2026-03-09T12:00:00Z'))).toBe(Date.parse('2026-03-09T16:00:00Z'));
    // 02:30 on 2026-03-08 does not exist in New York; Go's time.Date gives 01:30 EST (06:30Z).
    expect(ny.fromWall(Date.parse('2026-03-08T02:30:00Z'))).toBe(Date.parse('2026-03-08T06:30:00Z'));
    // 01:30 on 2026-11-01 happens twice; Go's time.Date picks the first (EDT, 05:30Z).
    expect(ny.fromWall(Date.parse('2026-11-01T01:30:00Z'))).toBe(Date.parse('2026-11-01T05:30:00Z'));
    expect(makeZone('Asia/Kolkata').toWall(Date.parse('2026-01-01T00:00:00Z'))).toBe(
      Date.parse('2026-01-01T05:30:00Z'),
    );
  });
});

describe('count rules alone', () => {
  const hist = [
    '2026-02-03T18:00:00Z',
    '2026-02-03T09:00:00Z',
    '2026-02-03T08:30:00Z',
    '2026-02-02T12:00:00Z',
    '2026-01-20T12:00:00Z',
    '2026-01-19T12:00:00Z',
    '2025-12-31T23:00:00Z',
    '2025-12-30T10:00:00Z',
    '2025-06-01T00:00:00Z',
    '2024-02-29T12:00:00Z',
  ];

  test('last', () => {
    const r = planTimes(hist, { last: 3 });
    expect(r.kept).toEqual(hist.slice(0, 3));
    expect(Object.values(r.keep).every((x) => x.join() === 'last snapshot')).toBe(true);
  });

  test('hourly: newest of each hour, only hours with backups count', () => {
    const r = planTimes(hist, { hourly: 3 });
    expect(r.kept).toEqual(['2026-02-03T18:00:00Z', '2026-02-03T09:00:00Z', '2026-02-03T08:30:00Z']);
  });

  test('daily skips missing days (sparse history)', () => {
    const r = planTimes(hist, { daily: 4 });
    expect(r.kept).toEqual([
      '2026-02-03T18:00:00Z',
      '2026-02-02T12:00:00Z',
      '2026-01-20T12:00:00Z',
      '2026-01-19T12:00:00Z',
    ]);
    expect(r.keep['2026-02-02T12:00:00Z']).toEqual(['daily snapshot']);
  });

  test('weekly uses ISO weeks across the year end (2025-12-30 is in 2026-W01)', () => {
    const r = planTimes(hist, { weekly: 4 });
    // 2026-W06, 2026-W04, 2026-W01 (holds 2025-12-31 and 2025-12-30), 2025-W22
    expect(r.kept).toEqual([
      '2026-02-03T18:00:00Z',
      '2026-01-20T12:00:00Z',
      '2025-12-31T23:00:00Z',
      '2025-06-01T00:00:00Z',
    ]);
  });

  test('monthly and yearly', () => {
    expect(planTimes(hist, { monthly: 3 }).kept).toEqual([
      '2026-02-03T18:00:00Z',
      '2026-01-20T12:00:00Z',
      '2025-12-31T23:00:00Z',
    ]);
    expect(planTimes(hist, { yearly: 2 }).kept).toEqual(['2026-02-03T18:00:00Z', '2025-12-31T23:00:00Z']);
  });

  test('unlimited keeps every bucket, and the oldest backup while counts are left', () => {
    const r = planTimes(hist, { yearly: 'unlimited' });
    expect(r.kept).toEqual(['2026-02-03T18:00:00Z', '2025-12-31T23:00:00Z', '2024-02-29T12:00:00Z']);
    const m = planTimes(hist, { monthly: 'unlimited' });
    expect(m.kept).toEqual([
      '2026-02-03T18:00:00Z',
      '2026-01-20T12:00:00Z',
      '2025-12-31T23:00:00Z',
      '2025-06-01T00:00:00Z',
      '2024-02-29T12:00:00Z',
    ]);
  });

  test('oldest backup: kept with "oldest" reason when its bucket is taken but count is left', () => {
    const times = ['2026-01-02T10:00:00Z', '2026-01-01T10:00:00Z', '2026-01-01T09:00:00Z'];
    const r = planTimes(times, { daily: 5 });
    expect(r.kept).toEqual(times);
    expect(r.keep['2026-01-01T09:00:00Z']).toEqual(['oldest daily snapshot']);
    // No count left: not kept.
    expect(planTimes(times, { daily: 2 }).removed).toEqual(['2026-01-01T09:00:00Z']);
  });

  test('ISO week 53: 2020-12-28 and 2021-01-03 share 2020-W53', () => {
    const times = ['2021-01-04T12:00:00Z', '2021-01-03T12:00:00Z', '2021-01-01T12:00:00Z', '2020-12-27T12:00:00Z'];
    const r = planTimes(times, { weekly: 3 });
    expect(r.kept).toEqual(['2021-01-04T12:00:00Z', '2021-01-03T12:00:00Z', '2020-12-27T12:00:00Z']);
    expect(r.removed).toEqual(['2021-01-01T12:00:00Z']);
  });

  test('year ends: buckets split at midnight UTC, or in the given zone', () => {
    const times = ['2025-06-01T00:00:00Z', '2025-01-01T00:00:00Z', '2024-12-31T23:59:59Z', '2024-06-01T00:00:00Z'];
    expect(planTimes(times, { yearly: 2 }).kept).toEqual(['2025-06-01T00:00:00Z', '2024-12-31T23:59:59Z']);
    // In New York 2025-01-01T00:00Z is still 2024-12-31 (19:00).
    expect(planTimes(times, { yearly: 2 }, { timezone: 'America/New_York' }).kept).toEqual([
      '2025-06-01T00:00:00Z',
      '2025-01-01T00:00:00Z',
    ]);
  });

  test('leap days are days of their own', () => {
    const times = ['2024-03-01T01:00:00Z', '2024-02-29T23:00:00Z', '2024-02-29T01:00:00Z', '2024-02-28T23:00:00Z'];
    expect(planTimes(times, { daily: 3 }).kept).toEqual([
      '2024-03-01T01:00:00Z',
      '2024-02-29T23:00:00Z',
      '2024-02-28T23:00:00Z',
    ]);
  });

  test('daily buckets follow the zone wall clock', () => {
    const times = ['2026-01-11T10:00:00Z', '2026-01-10T23:30:00Z', '2026-01-09T12:00:00Z'];
    expect(planTimes(times, { daily: 3 }).kept).toEqual(times);
    const berlin = planTimes(times, { daily: 3 }, { timezone: 'Europe/Berlin' });
    expect(berlin.kept).toEqual(['2026-01-11T10:00:00Z', '2026-01-09T12:00:00Z']);
  });
});

describe('duration rules', () => {
  test('within: every backup strictly after newest minus duration; exactly on the cut-off is outside', () => {
    const times = ['2026-01-10T12:00:00Z', '2026-01-09T00:00:01Z', '2026-01-09T00:00:00Z', '2026-01-08T00:00:00Z'];
    const r = planTimes(times, { within: dur('36h') });
    expect(r.kept).toEqual(['2026-01-10T12:00:00Z', '2026-01-09T00:00:01Z']);
    expect(r.keep['2026-01-09T00:00:01Z']).toEqual(['within 36h']);
  });

  test('month-end arithmetic: March 31 minus 1 month is March 3 (2025) / March 2 (2024)', () => {
    const t25 = ['2025-03-31T12:00:00Z', '2025-03-03T12:00:00.001Z', '2025-03-03T12:00:00Z', '2025-02-28T12:00:00Z'];
    expect(planTimes(t25, { within: dur('1m') }).kept).toEqual(t25.slice(0, 2));
    const t24 = ['2024-03-31T12:00:00Z', '2024-03-02T12:00:01Z', '2024-03-02T12:00:00Z'];
    expect(planTimes(t24, { within: dur('1m') }).kept).toEqual(t24.slice(0, 2));
  });

  test('leap day minus one year is March 1', () => {
    const times = ['2024-02-29T10:00:00Z', '2023-03-01T10:00:00.001Z', '2023-03-01T10:00:00Z', '2023-02-28T10:00:00Z'];
    expect(planTimes(times, { within: dur('1y') }).kept).toEqual(times.slice(0, 2));
  });

  test('window is measured from the newest backup, not from now', () => {
    const times = ['2020-01-10T00:00:00Z', '2020-01-05T00:00:00Z', '2019-12-01T00:00:00Z'];
    expect(planTimes(times, { within: dur('7d') }, { now: '2026-01-01T00:00:00Z' }).kept).toEqual(times.slice(0, 2));
  });

  test('a backup a few minutes in the future is ignored when finding the newest', () => {
    const now = '2026-01-10T12:00:00Z';
    const times = ['2026-01-10T12:03:00Z', '2026-01-10T11:00:00Z', '2026-01-09T11:30:00Z', '2026-01-09T10:59:00Z'];
    const r = planTimes(times, { within: dur('1d') }, { now });
    expect(r.kept).toEqual(times.slice(0, 3));
  });

  test('within-hourly/daily/weekly/monthly/yearly keep the newest per bucket inside the window', () => {
    const times = series('2026-03-15T12:00:00Z', 24 * 400, 1); // hourly for 400 days
    const hourly = planTimes(times, { withinHourly: dur('5h') });
    expect(hourly.kept).toEqual(times.slice(0, 5));
    expect(hourly.keep[times[1]]).toEqual(['hourly within 5h']);
    const daily = planTimes(times, { withinDaily: dur('3d') });
    // cut-off 2026-03-12T12:00 (outside); newest per day: 15th 12:00, 14th 23:00, 13th 23:00, 12th 23:00
    expect(daily.kept).toEqual([
      '2026-03-15T12:00:00.000Z',
      '2026-03-14T23:00:00.000Z',
      '2026-03-13T23:00:00.000Z',
      '2026-03-12T23:00:00.000Z',
    ]);
    const weekly = planTimes(times, { withinWeekly: dur('2w') });
    // 2026-03-15 is a Sunday; cut-off 2026-03-01T12:00 (Sunday of W09)
    expect(weekly.kept).toEqual(['2026-03-15T12:00:00.000Z', '2026-03-08T23:00:00.000Z', '2026-03-01T23:00:00.000Z']);
    const monthly = planTimes(times, { withinMonthly: dur('2m') });
    expect(monthly.kept).toEqual(['2026-03-15T12:00:00.000Z', '2026-02-28T23:00:00.000Z', '2026-01-31T23:00:00.000Z']);
    expect(monthly.keep['2026-01-31T23:00:00.000Z']).toEqual(['monthly within 2m']);
    const yearly = planTimes(times, { withinYearly: dur('1y') });
    expect(yearly.kept).toEqual(['2026-03-15T12:00:00.000Z', '2025-12-31T23:00:00.000Z']);
  });

  test('oldest backup inside a within-* window is kept', () => {
    const times = ['2026-01-10T12:00:00Z', '2026-01-09T12:00:00Z', '2026-01-09T08:00:00Z'];
    const r = planTimes(times, { withinDaily: dur('7d') });
    expect(r.kept).toEqual(times);
    expect(r.keep['2026-01-09T08:00:00Z']).toEqual(['oldest daily within 7d']);
  });

  test('windows follow the zone calendar across DST (1 day back is 23 hours)', () => {
    // 2026-03-08T12:00 EDT is 16:00Z; one calendar day back is 2026-03-07T12:00 EST = 17:00Z.
    const times = ['2026-03-08T16:00:00Z', '2026-03-07T16:30:00Z'];
    expect(planTimes(times, { within: dur('1d') }).kept).toEqual(times);
    expect(planTimes(times, { within: dur('1d') }, { timezone: 'America/New_York' }).kept).toEqual([times[0]]);
  });
});

describe('profiles and combinations', () => {
  test('dev: one a day for 14 days and one a week for 8 weeks', () => {
    const times = series('2026-03-15T12:00:00Z', 100, 24); // daily at noon; 2026-03-15 is a Sunday
    const r = planTimes(times, PROFILES.dev);
    const daily = times.slice(0, 14); // 03-15 .. 03-02; 03-01T12:00 is exactly on the cut-off
    const sundays = ['03-15', '03-08', '03-01', '02-22', '02-15', '02-08', '02-01', '01-25'].map(
      (d) => `2026-${d}T12:00:00.000Z`,
    );
    expect(r.kept).toEqual([...new Set([...daily, ...sundays])].sort().reverse());
    expect(r.keep['2026-03-15T12:00:00.000Z']).toEqual(['daily within 14d', 'weekly within 8w']);
    expect(r.keep['2026-03-01T12:00:00.000Z']).toEqual(['weekly within 8w']);
    expect(r.removed.length).toBe(100 - r.kept.length);
  });

  test('staging: one a day for 30 days and one a month for 6 months', () => {
    const times = series('2026-06-30T12:00:00Z', 250, 24);
    const r = planTimes(times, PROFILES.staging);
    const daily = times.slice(0, 30); // 06-30 .. 06-01
    const monthEnds = ['2026-05-31', '2026-04-30', '2026-03-31', '2026-02-28', '2026-01-31', '2025-12-31'].map(
      (d) => `${d}T12:00:00.000Z`,
    );
    expect(r.kept).toEqual([...daily, ...monthEnds]);
    expect(r.keep['2026-06-30T12:00:00.000Z']).toEqual(['daily within 30d', 'monthly within 6m']);
    expect(r.keep['2025-12-31T12:00:00.000Z']).toEqual(['monthly within 6m']);
  });

  test('rules combine as a union, each with its own buckets, reasons in restic order', () => {
    const times = [
      '2026-01-10T12:00:00Z',
      '2026-01-10T08:00:00Z',
      '2026-01-09T12:00:00Z',
      '2026-01-03T12:00:00Z',
      '2025-12-20T12:00:00Z',
    ];
    const policy: RetentionPolicy = { last: 2, daily: 2, weekly: 2, within: dur('1d'), withinMonthly: dur('1y') };
    const r = planTimes(times, policy);
    expect(r.keep).toEqual({
      '2026-01-10T12:00:00Z': ['within 1d', 'last snapshot', 'daily snapshot', 'weekly snapshot', 'monthly within 1y'],
      '2026-01-10T08:00:00Z': ['within 1d', 'last snapshot'],
      '2026-01-09T12:00:00Z': ['daily snapshot'],
      '2026-01-03T12:00:00Z': ['weekly snapshot'],
      '2025-12-20T12:00:00Z': ['monthly within 1y'],
    });
    expect(r.removed).toEqual([]);
    // Without the monthly window, the oldest goes (weekly count is used up).
    const { withinMonthly: _m, ...rest } = policy;
    expect(planTimes(times, rest).removed).toEqual(['2025-12-20T12:00:00Z']);
  });

  test('weeks in durations: 8w equals 56d', () => {
    const times = series('2026-03-15T12:00:00Z', 70, 24);
    expect(planTimes(times, { within: dur('8w') }).kept).toEqual(planTimes(times, { within: dur('56d') }).kept);
    expect(planTimes(times, { within: dur('8w') }).kept.length).toBe(56);
  });
});

describe('safety rules', () => {
  test('newest backup unverified: nothing removed, and the plan says why', () => {
    const times = series('2026-03-15T12:00:00Z', 10, 24);
    const plan = planRetention(backupsAt(times, [times[0]]), { last: 1 }, { now: '2026-03-16T00:00:00Z' });
    expect(plan.remove).toEqual([]);
    expect(plan.keep.length).toBe(10);
    expect(plan.held).toMatch(/not verified/);
    expect(plan.keep[5].reasons[0]).toMatch(/^held: newest backup/);
  });

  test('unverified older backups are removed as failed attempts and use up no bucket', () => {
    const times = ['2026-01-03T12:00:00Z', '2026-01-02T12:00:00Z', '2026-01-02T08:00:00Z', '2026-01-01T12:00:00Z'];
    const plan = planRetention(
      backupsAt(times, ['2026-01-02T12:00:00Z']),
      { daily: 2 },
      { now: '2026-02-01T00:00:00Z' },
    );
    expect(plan.keep.map((k) => k.createdAt)).toEqual(['2026-01-03T12:00:00Z', '2026-01-02T08:00:00Z']);
    expect(plan.remove.map((r) => [r.createdAt, r.why])).toEqual([
      ['2026-01-02T12:00:00Z', 'unverified'],
      ['2026-01-01T12:00:00Z', 'policy'],
    ]);
  });

  test('a backup more than 5 minutes in the future is a clock-skew error', () => {
    const now = '2026-01-10T12:00:00Z';
    const b = backupsAt(['2026-01-10T12:05:01Z', '2026-01-10T11:00:00Z']);
    expect(() => planRetention(b, { last: 1 }, { now })).toThrow(RetentionError);
    expect(() => planRetention(b, { last: 1 }, { now })).toThrow(/clock skew.*2026-01-10T12:05:01Z/);
    const ok = backupsAt(['2026-01-10T12:05:00Z', '2026-01-10T11:00:00Z']);
    expect(planRetention(ok, { last: 1 }, { now }).keep.length).toBe(1);
  });

  test('max-delete refuses a bigger plan and says how many', () => {
    const b = backupsAt(series('2026-03-15T12:00:00Z', 10, 24));
    expect(() => planRetention(b, { last: 3 }, { maxDelete: 6, now: '2027-01-01T00:00:00Z' })).toThrow(
      /would remove 7 backups, more than --max-delete 6/,
    );
    expect(planRetention(b, { last: 3 }, { maxDelete: 7, now: '2027-01-01T00:00:00Z' }).remove.length).toBe(7);
  });

  test('empty policies are errors', () => {
    const b = backupsAt(['2026-01-01T00:00:00Z']);
    expect(() => planRetention(b, {})).toThrow(UsageError);
    expect(() => planRetention(b, { daily: 0, last: 0 })).toThrow(/policy is empty/);
  });

  test('equal instants are ordered by name, whatever the input order', () => {
    const a = { name: 'a', createdAt: '2026-01-01T00:00:00Z' };
    const b = { name: 'b', createdAt: '2026-01-01T00:00:00Z' };
    expect(planRetention([a, b], { last: 1 }).keep.map((k) => k.name)).toEqual(['b']);
    expect(planRetention([b, a], { last: 1 }).keep.map((k) => k.name)).toEqual(['b']);
  });

  test('bad input: duplicate names, dates without zone', () => {
    const a = { name: 'a', createdAt: '2026-01-01T00:00:00Z' };
    expect(() => planRetention([a, a], { last: 1 })).toThrow(InputError);
    expect(() => planRetention([{ name: 'x', createdAt: '2026-01-01 00:00' }], { last: 1 })).toThrow(/ISO-8601/);
  });

  test('an empty history gives an empty plan', () => {
    expect(planRetention([], { last: 1 })).toMatchObject({ keep: [], remove: [], held: null });
  });
});
