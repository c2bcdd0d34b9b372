/**
 * Retention policies: the rule set of restic's `forget`, the runbook's two
 * profiles, the duration syntax, and a policy's description in plain words.
 */
import { UsageError } from '../errors.js';

/** A count rule's value: a non-negative whole number, or `unlimited` (restic's -1). */
export type KeepCount = number | 'unlimited';

/**
 * A calendar duration as restic writes it (`1y6m14d12h`), plus weeks (`8w` is
 * 56 days). Years, months and days are calendar steps (Go's AddDate); hours are
 * exact hours.
 */
export interface RetentionDuration {
  years: number;
  months: number;
  weeks: number;
  days: number;
  hours: number;
}

/**
 * The rules of restic's `forget`. Unset (or 0 / zero-duration) rules are off.
 * Rules combine as a union: a backup is kept when any rule keeps it.
 */
export interface RetentionPolicy {
  last?: KeepCount;
  hourly?: KeepCount;
  daily?: KeepCount;
  weekly?: KeepCount;
  monthly?: KeepCount;
  yearly?: KeepCount;
  within?: RetentionDuration;
  withinHourly?: RetentionDuration;
  withinDaily?: RetentionDuration;
  withinWeekly?: RetentionDuration;
  withinMonthly?: RetentionDuration;
  withinYearly?: RetentionDuration;
}

/** Calendar granularity of a bucket. `last` puts every backup in a bucket of its own. */
export type Granularity = 'last' | 'hourly' | 'daily' | 'weekly' | 'monthly' | 'yearly';

export type CountRuleKey = 'last' | 'hourly' | 'daily' | 'weekly' | 'monthly' | 'yearly';
export type WithinRuleKey =
  'within' | 'withinHourly' | 'withinDaily' | 'withinWeekly' | 'withinMonthly' | 'withinYearly';

/** Count rules in restic's evaluation order, with the bucket each uses and restic's reason word. */
export const COUNT_RULES: readonly { key: CountRuleKey; flag: string; bucket: Granularity; reason: string }[] = [
  { key: 'last', flag: 'keep-last', bucket: 'last', reason: 'last snapshot' },
  { key: 'hourly', flag: 'keep-hourly', bucket: 'hourly', reason: 'hourly snapshot' },
  { key: 'daily', flag: 'keep-daily', bucket: 'daily', reason: 'daily snapshot' },
  { key: 'weekly', flag: 'keep-weekly', bucket: 'weekly', reason: 'weekly snapshot' },
  { key: 'monthly', flag: 'keep-monthly', bucket: 'monthly', reason: 'monthly snapshot' },
  { key: 'yearly', flag: 'keep-yearly', bucket: 'yearly', reason: 'yearly snapshot' },
];

/**
 * Duration rules in restic's evaluation order. `within` has no bucket: it keeps
 * every backup inside its window.
 */
export const WITHIN_RULES: readonly {
  key: WithinRuleKey;
  flag: string;
  bucket: Exclude<Granularity, 'last'> | null;
  reason: string;
}[] = [
  { key: 'within', flag: 'keep-within', bucket: null, reason: 'within' },
  { key: 'withinHourly', flag: 'keep-within-hourly', bucket: 'hourly', reason: 'hourly within' },
  { key: 'withinDaily', flag: 'keep-within-daily', bucket: 'daily', reason: 'daily within' },
  { key: 'withinWeekly', flag: 'keep-within-weekly', bucket: 'weekly', reason: 'weekly within' },
  { key: 'withinMonthly', flag: 'keep-within-monthly', bucket: 'monthly', reason: 'monthly within' },
  { key: 'withinYearly', flag: 'keep-within-yearly', bucket: 'yearly', reason: 'yearly within' },
];

const MAX_UNIT = 1_000_000;
const UNIT_FIELD = { y: 'years', m: 'months', w: 'weeks', d: 'days', h: 'hours' } as const;

/** What a duration accepts, for error messages. */
export const DURATION_HELP = 'a duration like 14d, 8w, 6m, 1y or 1y6m2w3d12h (units y, m, w, d, h)';

/**
 * Parses restic's `NyNmNdNh` durations, plus `Nw` (7N days). Units may come in
 * any order, each at most once. `what` names the flag or input in errors.
 */
export function parseDuration(text: string, what = 'duration'): RetentionDuration {
  const s = text.trim();
  const d: RetentionDuration = { years: 0, months: 0, weeks: 0, days: 0, hours: 0 };
  if (s === '') throw new UsageError(`${what}: empty; expected ${DURATION_HELP}`);
  const seen = new Set<string>();
  const re = /(\d+)([a-zA-Z]?)/y;
  let pos = 0;
  while (pos < s.length) {
    re.lastIndex = pos;
    const m = re.exec(s);
    if (!m) throw new UsageError(`${what}: "${text}" is not valid; expected ${DURATION_HELP}`);
    const [, num, unit] = m;
    if (unit === '') throw new UsageError(`${what}: "${text}" has no unit after ${num}; expected ${DURATION_HELP}`);
    const field = UNIT_FIELD[unit as keyof typeof UNIT_FIELD];
    if (!field) throw new UsageError(`${what}: "${text}" has unknown unit "${unit}"; expected ${DURATION_HELP}`);
    if (seen.has(unit)) throw new UsageError(`${what}: "${text}" repeats unit "${unit}"; expected ${DURATION_HELP}`);
    seen.add(unit);
    const n = Number(num);
    if (n > MAX_UNIT) throw new UsageError(`${what}: "${text}" is too long (${n}${unit}); expected ${DURATION_HELP}`);
    d[field] = n;
    pos = re.lastIndex;
  }
  if (isZeroDuration(d)) throw new UsageError(`${what}: "${text}" is zero; expected ${DURATION_HELP}`);
  return d;
}

/** The duration in the compact form (`1y6m`, `8w`, `14d`); empty for zero. */
export function formatDuration(d: RetentionDuration): string {
  let s = '';
  if (d.years) s += `${d.years}y`;
  if (d.months) s += `${d.months}m`;
  if (d.weeks) s += `${d.weeks}w`;
  if (d.days) s += `${d.days}d`;
  if (d.hours) s += `${d.hours}h`;
  return s;
}

/** True when every unit is zero (restic treats such a rule as off). */
export function isZeroDuration(d: RetentionDuration | undefined): boolean {
  return !d || (d.years === 0 && d.months === 0 && d.weeks === 0 && d.days === 0 && d.hours === 0);
}

/** Convenience for code and tests: `dur('14d')`. */
export function dur(text: string): RetentionDuration {
  return parseDuration(text);
}

/** The runbook's profiles (Retention Policy section). */
export const PROFILES: Readonly<Record<'dev' | 'staging', RetentionPolicy>> = {
  // "Local/dev minimum: keep daily backups for 14 days, keep weekly backups for 8 weeks"
  dev: { withinDaily: dur('14d'), withinWeekly: dur('8w') },
  // "Shared staging: keep daily backups for 30 days, keep monthly backups for 6 months"
  staging: { withinDaily: dur('30d'), withinMonthly: dur('6m') },
};

export type ProfileName = keyof typeof PROFILES;
export const PROFILE_NAMES = Object.keys(PROFILES) as ProfileName[];

/** Whether a count rule is on (restic: count > 0 or unlimited). */
export function countActive(c: KeepCount | undefined): boolean {
  return c === 'unlimited' || (typeof c === 'number' && c > 0);
}

/** restic's guard: a policy with no active rule keeps nothing and is an error. */
export function isEmptyPolicy(p: RetentionPolicy): boolean {
  return !COUNT_RULES.some((r) => countActive(p[r.key])) && WITHIN_RULES.every((r) => isZeroDuration(p[r.key]));
}

/** Checks a policy built in code (counts whole and non-negative, durations non-negative). */
export function validatePolicy(p: RetentionPolicy): void {
  for (const r of COUNT_RULES) {
    const c = p[r.key];
    if (c === undefined || c === 'unlimited') continue;
    if (!Number.isSafeInteger(c) || c < 0) {
      throw new UsageError(`--${r.flag}: ${String(c)} is not valid; expected a whole number >= 0 or "unlimited"`);
    }
  }
  for (const r of WITHIN_RULES) {
    const d = p[r.key];
    if (!d) continue;
    for (const f of Object.values(UNIT_FIELD)) {
      const v = d[f];
      if (!Number.isSafeInteger(v) || v < 0 || v > MAX_UNIT) {
        throw new UsageError(`--${r.flag}: ${f} ${String(v)} is not valid; expected ${DURATION_HELP}`);
      }
    }
  }
}

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

/** "1 year 6 months", "14 days", "8 weeks", "36 hours". */
export function durationInWords(d: RetentionDuration): string {
  const parts: string[] = [];
  if (d.years) parts.push(plural(d.years, 'year'));
  if (d.months) parts.push(plural(d.months, 'month'));
  if (d.weeks) parts.push(plural(d.weeks, 'week'));
  if (d.days) parts.push(plural(d.days, 'day'));
  if (d.hours) parts.push(plural(d.hours, 'hour'));
  return parts.join(' ');
}

const PER: Record<Exclude<Granularity, 'last'>, { per: string; unit: string }> = {
  hourly: { per: 'an hour', unit: 'hour' },
  daily: { per: 'a day', unit: 'day' },
  weekly: { per: 'a week', unit: 'week' },
  monthly: { per: 'a month', unit: 'month' },
  yearly: { per: 'a year', unit: 'year' },
};

/**
 * The policy in plain words, e.g. for `dev`: "keep one backup a day for 14 days
 * and one a week for 8 weeks". Window rules come first (the runbook's way of
 * speaking), then count rules.
 */
export function describePolicy(p: RetentionPolicy): string {
  // Each phrase is [first form, follow-up form] so "backup" is said once.
  const phrases: [string, string][] = [];
  if (!isZeroDuration(p.within)) {
    const w = durationInWords(p.within!);
    phrases.push([`every backup from the last ${w}`, `every backup from the last ${w}`]);
  }
  for (const r of WITHIN_RULES) {
    if (r.bucket === null || isZeroDuration(p[r.key])) continue;
    const { per } = PER[r.bucket];
    const w = durationInWords(p[r.key]!);
    phrases.push([`one backup ${per} for ${w}`, `one ${per} for ${w}`]);
  }
  for (const r of COUNT_RULES) {
    const c = p[r.key];
    if (!countActive(c)) continue;
    if (r.bucket === 'last') {
      phrases.push(
        c === 'unlimited'
          ? ['every backup', 'every backup']
          : c === 1
            ? ['the last backup', 'the last backup']
            : [`the last ${c} backups`, `the last ${c} backups`],
      );
      continue;
    }
    const { per, unit } = PER[r.bucket];
    const span =
      c === 'unlimited' ? `every ${unit} that has one` : `the last ${plural(c as number, unit)} that have one`;
    phrases.push([`one backup ${per} for ${span}`, `one ${per} for ${span}`]);
  }
  if (phrases.length === 0) return 'keep nothing (empty policy)';
  const words = phrases.map((ph, i) => (i === 0 ? ph[0] : ph[1]));
  const list = words.length === 1 ? words[0] : `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
  return `keep ${list}`;
}

const BUCKET_DAYS: Record<Granularity, number> = {
  last: 0,
  hourly: 1 / 24,
  daily: 1,
  weekly: 7,
  monthly: 31,
  yearly: 366,
};

function durationDays(d: RetentionDuration): number {
  return d.years * 366 + d.months * 31 + d.weeks * 7 + d.days + d.hours / 24;
}

/**
 * How many days the longest tier of the policy reaches back, rounded up, plus
 * one day of slack for the time between a backup and the prune that follows.
 * Months count as 31 days and years as 366, so this is an upper bound for
 * windows. A count rule needs at least count x bucket length when there is a
 * backup in every bucket; `unlimited` gives Infinity. `last` adds nothing (it
 * is about backups, not time). Used to pick storage lifetimes (artifact
 * retention-days) long enough not to expire a backup the policy keeps.
 */
export function policyHorizonDays(p: RetentionPolicy): number {
  let span = 0;
  for (const r of WITHIN_RULES) {
    const d = p[r.key];
    if (!isZeroDuration(d)) span = Math.max(span, durationDays(d!));
  }
  for (const r of COUNT_RULES) {
    const c = p[r.key];
    if (!countActive(c) || r.bucket === 'last') continue;
    if (c === 'unlimited') return Infinity;
    span = Math.max(span, (c as number) * BUCKET_DAYS[r.bucket]);
  }
  return Math.ceil(span) + 1;
}
