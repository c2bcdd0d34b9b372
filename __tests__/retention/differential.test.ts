/**
 * Differential test: our planner against the real restic on random histories.
 *
 * Debian ships restic 0.14, whose `forget` differs from the current (0.18)
 * semantics we implement in exactly two ways, and the test accounts for those
 * two and nothing else:
 *  1. 0.14 does not keep the oldest snapshot for a rule that still has count
 *     left or a window containing it, so our "oldest ..." reasons are dropped
 *     from the expectation (and a backup kept only for them is expected removed);
 *  2. 0.14 reads a count of -1 as "off", so `unlimited` is passed to it as the
 *     history's length, which no count can run out of.
 *
 * Set RETENTION_DIFF_SEED to replay a failing run (the seed is in the error).
 */
import { describe, test, expect, beforeAll, afterAll } from '@jest/globals';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  COUNT_RULES,
  WITHIN_RULES,
  addDateWall,
  makeZone,
  planRetention,
  type RetentionDuration,
  type RetentionPolicy,
} from '../../src/core/retention/index.js';
import { cheapenKey, restic, resticTime, type ResticForgetGroup } from './restic.js';

const SEED = Number(process.env.RETENTION_DIFF_SEED ?? Date.now() % 1_000_000_007);
const HISTORIES = 16;
// Every third history runs restic with a DST zone as its local time, which is
// how restic buckets and does its AddDate; we plan those with `timezone`.
const ZONES = ['Europe/Berlin', 'America/New_York'];

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rnd = mulberry32(SEED);
const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];

// Newest-backup anchors near calendar edges: ISO week 53 (2020), 2025-12-29 = 2026-W01,
// leap day 2024, month ends, plus plain random dates.
const ANCHORS = ['2021-01-04T09:00:00Z', '2026-01-02T10:00:00Z', '2024-03-01T08:00:00Z', '2025-03-31T23:30:00Z'];

// Just after DST changes in Berlin and New York, so windows reach across them.
const DST_ANCHORS = ['2025-03-31T10:00:00Z', '2025-11-03T15:00:00Z', '2026-03-09T16:00:00Z', '2025-10-27T07:00:00Z'];

function randomHistory(zoned: boolean): number[] {
  const newest =
    rnd() < 0.5
      ? Date.parse(pick(zoned ? DST_ANCHORS : ANCHORS))
      : Date.parse('2019-06-01T00:00:00Z') + int(0, 6 * 365) * 86_400_000;
  const times = new Set<number>([Math.floor(newest / 1000) * 1000]);
  let t = newest;
  const n = int(20, 40);
  while (times.size < n) {
    const kind = rnd();
    const minutes =
      kind < 0.2
        ? int(1, 59)
        : kind < 0.45
          ? int(60, 600)
          : kind < 0.8
            ? int(1000, 3000)
            : kind < 0.93
              ? int(3000, 15000)
              : int(15000, 60000);
    t -= minutes * 60_000 + int(0, 59) * 1000;
    times.add(Math.floor(t / 1000) * 1000);
  }
  return [...times].sort((a, b) => b - a);
}

function randomDuration(): RetentionDuration {
  for (;;) {
    const d = {
      years: rnd() < 0.1 ? 1 : 0,
      months: rnd() < 0.3 ? int(1, 3) : 0,
      weeks: 0,
      days: rnd() < 0.7 ? int(1, 30) : 0,
      hours: rnd() < 0.3 ? int(1, 48) : 0,
    };
    if (d.years + d.months + d.days + d.hours > 0) return d;
  }
}

function randomPolicy(): RetentionPolicy {
  const p: RetentionPolicy = {};
  const rules = int(1, 4);
  for (let i = 0; i < rules; i++) {
    if (rnd() < 0.5) {
      const r = pick(COUNT_RULES);
      p[r.key] = rnd() < 0.2 ? 'unlimited' : int(1, 6);
    } else {
      p[pick(WITHIN_RULES).key] = randomDuration();
    }
  }
  return p;
}

/** restic's NyNmNdNh (weeks as days; zero units left out). */
const resticDuration = (d: RetentionDuration) =>
  (
    [
      [d.years, 'y'],
      [d.months, 'm'],
      [d.days + 7 * d.weeks, 'd'],
      [d.hours, 'h'],
    ] as const
  )
    .filter(([n]) => n > 0)
    .map(([n, u]) => `${n}${u}`)
    .join('');

/** restic 0.14 flags for a policy; `unlimited` becomes the history length (difference 2). */
function resticArgs(p: RetentionPolicy, historyLength: number): string[] {
  const args: string[] = [];
  for (const r of COUNT_RULES) {
    const c = p[r.key];
    if (c !== undefined) args.push(`--${r.flag}`, String(c === 'unlimited' ? historyLength : c));
  }
  for (const r of WITHIN_RULES) {
    const d = p[r.key];
    if (d) args.push(`--${r.flag}`, resticDuration(d));
  }
  return args;
}

interface Case {
  repo: string;
  tz: string;
  times: number[];
  policy: RetentionPolicy;
}

let dir = '';
const cases: Case[] = [];

async function pool<T>(items: T[], width: number, fn: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'retention-diff-'));
  const file = join(dir, 'data.txt');
  await writeFile(file, 'tiny\n');
  // One `restic init` (it calibrates scrypt, seconds), then a copy per history:
  // restic reads every index and snapshot on each run, so small repositories stay fast.
  const template = join(dir, 'template');
  await restic(['init', '--repo', template, '-q']);
  await cheapenKey(template);
  for (let h = 0; h < HISTORIES; h++) {
    const tz = h % 3 === 2 ? pick(ZONES) : 'UTC';
    const zone = makeZone(tz);
    const times = randomHistory(tz !== 'UTC');
    const policy = randomPolicy();
    // Put a backup exactly on one window's cut-off (must be outside, in both tools).
    const w = WITHIN_RULES.find((r) => policy[r.key]);
    if (w && rnd() < 0.6) {
      const d = policy[w.key]!;
      const cut = zone.fromWall(addDateWall(zone.toWall(times[0]), -d.years, -d.months, -d.days)) - d.hours * 3_600_000;
      if (!times.includes(cut)) times.splice(int(1, times.length - 1), 1, cut);
      times.sort((a, b) => b - a);
    }
    // restic takes --time as local wall clock: drop instants whose wall clock
    // repeats (the hour after a DST fall-back), so no two snapshots tie.
    const walls = new Set<string>();
    const unique = times.filter((t) => {
      const s = resticTime(zone.toWall(t));
      if (walls.has(s)) return false;
      walls.add(s);
      return true;
    });
    cases.push({ repo: join(dir, `h${h}`), tz, times: unique, policy });
    await cp(template, join(dir, `h${h}`), { recursive: true });
  }
  // restic sleeps 200 ms per lock and barely uses CPU, so histories run side by
  // side; within one repository one at a time (restic 0.14 backs off for many
  // seconds when a concurrent run's lock file vanishes while it lists locks).
  await pool(cases, 8, async (c) => {
    const zone = makeZone(c.tz);
    for (const t of c.times) {
      await restic(['backup', '--repo', c.repo, '-q', '--host', 'h', '--time', resticTime(zone.toWall(t)), file], c.tz);
    }
  });
}, 120_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('differential: planRetention vs restic forget', () => {
  test(`${HISTORIES} random histories agree with restic 0.14 (seed in failures)`, async () => {
    const version = await restic(['version']);
    expect(version).toMatch(/^restic 0\.1\d/);
    let compared = 0;
    const failures: string[] = [];
    await pool(cases, 8, async (c) => {
      const args = resticArgs(c.policy, c.times.length);
      const out = await restic(['--no-lock', 'forget', '--repo', c.repo, '--dry-run', '--json', ...args], c.tz);
      const groups = JSON.parse(out) as ResticForgetGroup[];
      expect(groups.length).toBe(1);
      const g = groups[0];
      const theirs: Record<string, string[]> = {};
      for (const r of g.reasons ?? []) theirs[new Date(r.snapshot.time).toISOString()] = r.matches;
      const theirRemoved = (g.remove ?? []).map((s) => new Date(s.time).toISOString()).sort();

      // The instants restic recorded are the history (its reading of --time is the truth).
      const recorded = [...(g.keep ?? []), ...(g.remove ?? [])].map((s) => Date.parse(s.time));
      expect(recorded.length).toBe(c.times.length);
      const backups = recorded.map((t) => ({ name: `s${t}`, createdAt: new Date(t).toISOString() }));
      const plan = planRetention(backups, c.policy, c.tz === 'UTC' ? {} : { timezone: c.tz });
      const ours: Record<string, string[]> = {};
      const ourRemoved = plan.remove.map((r) => r.createdAt);
      for (const k of plan.keep) {
        const r14 = k.reasons.filter((r) => !r.startsWith('oldest ')); // difference 1
        if (r14.length > 0) ours[k.createdAt] = r14;
        else ourRemoved.push(k.createdAt);
      }
      ourRemoved.sort();
      compared += c.times.length;
      try {
        expect(ours).toEqual(theirs);
        expect(ourRemoved).toEqual(theirRemoved);
      } catch (err) {
        failures.push(
          `seed ${SEED}, ${c.repo}, TZ=${c.tz}, restic forget ${args.join(' ')}, times ${JSON.stringify(backups.map((b) => b.createdAt))}\n${(err as Error).message}`,
        );
      }
    });
    expect(failures).toEqual([]);
    expect(compared).toBeGreaterThanOrEqual(HISTORIES * 20);
  });
});
