import { describe, test, expect } from '@jest/globals';
import fc from 'fast-check';
import {
  COUNT_RULES,
  WITHIN_RULES,
  parseIso,
  planRetention,
  type KeepCount,
  type RetentionDuration,
  type RetentionPolicy,
} from '../../src/core/retention/index.js';

const NOW = Date.parse('2026-06-01T00:00:00Z');

const countArb: fc.Arbitrary<KeepCount> = fc.oneof(fc.integer({ min: 1, max: 6 }), fc.constant('unlimited' as const));
const durationArb: fc.Arbitrary<RetentionDuration> = fc
  .record({
    years: fc.integer({ min: 0, max: 1 }),
    months: fc.integer({ min: 0, max: 3 }),
    weeks: fc.integer({ min: 0, max: 3 }),
    days: fc.integer({ min: 0, max: 20 }),
    hours: fc.integer({ min: 0, max: 48 }),
  })
  .filter((d) => d.years + d.months + d.weeks + d.days + d.hours > 0);

const policyArb: fc.Arbitrary<RetentionPolicy> = fc
  .record(
    Object.fromEntries([
      ...COUNT_RULES.map((r) => [r.key, fc.option(countArb, { nil: undefined })]),
      ...WITHIN_RULES.map((r) => [r.key, fc.option(durationArb, { nil: undefined, freq: 3 })]),
    ]) as Record<string, fc.Arbitrary<unknown>>,
  )
  .map((p) => Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)) as RetentionPolicy)
  .filter((p) => Object.keys(p).length > 0);

/** Histories over ~2 years, with clusters (same hour/day), equal instants, a few unverified, a few in the near future. */
const historyArb = fc
  .array(
    fc.record({
      // minutes before NOW; negative = up to 5 minutes in the future
      minutesAgo: fc.oneof(
        fc.integer({ min: -5, max: 60 * 24 * 800 }),
        fc.integer({ min: 0, max: 60 * 24 * 3 }),
        fc.constantFrom(0, 60, 1440),
      ),
      verified: fc.integer({ min: 0, max: 9 }).map((v) => v >= 3),
    }),
    { minLength: 0, maxLength: 60 },
  )
  .map((xs) =>
    xs.map((x, i) => ({
      name: `bk-${String(i).padStart(3, '0')}`,
      createdAt: new Date(NOW - x.minutesAgo * 60_000).toISOString(),
      verified: x.verified,
    })),
  );

const zoneArb = fc.constantFrom(undefined, 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Pacific/Chatham');

const sig = (p: ReturnType<typeof planRetention>) => ({
  keep: p.keep.map((k) => [k.name, k.reasons.join('|')]),
  remove: p.remove.map((r) => [r.name, r.why]),
});

describe('retention plan properties', () => {
  test('partition, reasons, newest verified kept, nothing newer removed, order independence', () => {
    fc.assert(
      fc.property(historyArb, policyArb, zoneArb, fc.array(fc.double({ noNaN: true })), (hist, policy, tz, keys) => {
        const plan = planRetention(hist, policy, { now: NOW, timezone: tz });
        // keep and remove partition the input
        const names = [...plan.keep.map((k) => k.name), ...plan.remove.map((r) => r.name)];
        expect(new Set(names).size).toBe(names.length);
        expect(names.sort()).toEqual(hist.map((b) => b.name).sort());
        // every kept backup has a reason
        for (const k of plan.keep) expect(k.reasons.length).toBeGreaterThan(0);
        // newest first on both sides
        const times = (xs: { createdAt: string }[]) => xs.map((x) => Date.parse(x.createdAt));
        for (const side of [times(plan.keep), times(plan.remove)]) {
          for (let i = 1; i < side.length; i++) expect(side[i - 1]).toBeGreaterThanOrEqual(side[i]);
        }
        const verified = hist
          .filter((b) => b.verified)
          .sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt) || (a.name < b.name ? 1 : -1));
        if (verified.length > 0) {
          const newest = verified[0];
          // the newest verified backup is kept
          expect(plan.keep.some((k) => k.name === newest.name)).toBe(true);
          // nothing newer than it is removed
          for (const r of plan.remove)
            expect(Date.parse(r.createdAt)).toBeLessThanOrEqual(Date.parse(newest.createdAt));
        } else {
          expect(plan.remove).toEqual([]);
        }
        // unverified backups never count as kept by policy
        if (plan.held === null) {
          for (const k of plan.keep) expect(hist.find((b) => b.name === k.name)!.verified).toBe(true);
        }
        // the plan does not depend on input order
        const shuffled = hist
          .map((b, i) => ({ b, k: keys[i % Math.max(1, keys.length)] ?? i }))
          .sort((x, y) => x.k - y.k)
          .map((x) => x.b)
          .reverse();
        expect(sig(planRetention(shuffled, policy, { now: NOW, timezone: tz }))).toEqual(sig(plan));
      }),
      { numRuns: 300 },
    );
  });

  test('adding a rule never removes more (union of rules)', () => {
    fc.assert(
      fc.property(historyArb, policyArb, policyArb, (hist, p1, p2) => {
        const one = planRetention(hist, p1, { now: NOW });
        const both = planRetention(hist, { ...p2, ...p1 }, { now: NOW });
        const keptBoth = new Set(both.keep.map((k) => k.name));
        // p1's rules are all in the merged policy, so everything p1 keeps is still kept.
        for (const k of one.keep) expect(keptBoth.has(k.name)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});

describe('fast ISO parsing', () => {
  test('agrees with Date.parse on UTC times with and without milliseconds', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.parse('1900-01-01T00:00:00Z'), max: Date.parse('2200-01-01T00:00:00Z') }),
        (t) => {
          const iso = new Date(t).toISOString();
          expect(parseIso(iso)).toBe(t);
          expect(parseIso(iso.slice(0, 19) + 'Z')).toBe(Math.floor(t / 1000) * 1000);
        },
      ),
      { numRuns: 2000 },
    );
  });

  test('rejects impossible dates and zone-less times; reads offsets', () => {
    expect(parseIso('2025-02-29T00:00:00Z')).toBeNaN();
    expect(parseIso('2024-02-29T00:00:00Z')).toBe(Date.parse('2024-02-29T00:00:00Z'));
    expect(parseIso('2024-13-01T00:00:00Z')).toBeNaN();
    expect(parseIso('2024-01-01T24:00:00Z')).toBeNaN();
    expect(parseIso('2024-01-01T00:00:00')).toBeNaN();
    expect(parseIso('2024-01-01T02:00:00+02:00')).toBe(Date.parse('2024-01-01T00:00:00Z'));
    expect(parseIso(42)).toBeNaN();
  });
});
