/**
 * Retention planner benchmark: plan 100,000 backups (a store listing, newest
 * first) with each runbook profile, median of N runs. Target: < 100 ms.
 * Baseline, measured in the same run: sorting the same 100,000 timestamps
 * newest first, the least any planner must do.
 */
import { performance } from 'node:perf_hooks';
import { PROFILES, planRetention, dur } from '../../build/core/retention/index.js';

const N_BACKUPS = 100_000;
const RUNS = 15;
const TARGET_MS = 100;

function history() {
  // Every ~37 minutes for ~7 years, newest first; every 50th unverified.
  const newest = Date.parse('2026-06-01T00:00:00Z');
  return Array.from({ length: N_BACKUPS }, (_, i) => ({
    name: `story_gen-${String(N_BACKUPS - i).padStart(6, '0')}`,
    createdAt: new Date(newest - i * 37 * 60_000).toISOString(),
    verified: i === 0 || i % 50 !== 0,
  }));
}

function median(fn) {
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

export async function run() {
  const backups = history();
  const now = Date.parse('2026-06-01T00:01:00Z');
  const baseline = median(() => {
    const ms = backups.map((b) => Date.parse(b.createdAt));
    ms.sort((a, b) => b - a);
  });
  const cases = [
    ['dev profile', PROFILES.dev, {}],
    ['staging profile', PROFILES.staging, {}],
    [
      'all 12 rules',
      {
        last: 10,
        hourly: 48,
        daily: 60,
        weekly: 'unlimited',
        monthly: 24,
        yearly: 10,
        within: dur('2d'),
        withinHourly: dur('3d'),
        withinDaily: dur('30d'),
        withinWeekly: dur('8w'),
        withinMonthly: dur('6m'),
        withinYearly: dur('5y'),
      },
      {},
    ],
    ['dev, shuffled input', PROFILES.dev, { shuffle: true }],
    ['dev, Europe/Berlin', PROFILES.dev, { timezone: 'Europe/Berlin' }],
  ];
  const rows = [];
  for (const [label, policy, o] of cases) {
    let input = backups;
    if (o.shuffle) {
      input = [...backups];
      let seed = 42;
      for (let i = input.length - 1; i > 0; i--) {
        seed = (seed * 1103515245 + 12345) >>> 0;
        const j = seed % (i + 1);
        [input[i], input[j]] = [input[j], input[i]];
      }
    }
    const value = median(() => planRetention(input, policy, { now, timezone: o.timezone }));
    rows.push({
      bench: `retention: plan ${N_BACKUPS.toLocaleString('en-US')} backups, ${label}`,
      metric: `median ms of ${RUNS}`,
      value: Number(value.toFixed(1)),
      baseline: Number(baseline.toFixed(1)),
      ratio: Number((value / baseline).toFixed(2)),
      target: `< ${TARGET_MS} ms`,
      pass: value < TARGET_MS,
    });
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.table(await run());
}
