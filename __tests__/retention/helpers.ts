import { planRetention, type PlanOptions, type RetentionPolicy } from '../../src/core/retention/index.js';

/** A backup per ISO time, named after it ("b-<time>"), verified unless listed in `unverified`. */
export function backupsAt(times: string[], unverified: string[] = []) {
  return times.map((t) => ({ name: `b-${t}`, createdAt: t, verified: !unverified.includes(t) }));
}

/** Plans and returns kept times with reasons and removed times, newest first. */
export function planTimes(
  times: string[],
  policy: RetentionPolicy,
  opts: PlanOptions & { unverified?: string[] } = {},
): { keep: Record<string, string[]>; kept: string[]; removed: string[] } {
  const plan = planRetention(backupsAt(times, opts.unverified), policy, { now: '2100-01-01T00:00:00Z', ...opts });
  return {
    keep: Object.fromEntries(plan.keep.map((k) => [k.createdAt, k.reasons])),
    kept: plan.keep.map((k) => k.createdAt),
    removed: plan.remove.map((r) => r.createdAt),
  };
}

/** ISO times every `stepHours` hours going back from `newest`, `count` of them, newest first. */
export function series(newest: string, count: number, stepHours: number): string[] {
  const t = Date.parse(newest);
  return Array.from({ length: count }, (_, i) => new Date(t - i * stepHours * 3_600_000).toISOString());
}
