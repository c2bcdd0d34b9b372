/**
 * The retention planner: restic 0.18's `forget` policy, applied to our
 * backups, plus the runbook's safety rules. One pure function: no I/O, and the
 * clock only through `opts.now`.
 */
import { InputError, RetentionError, UsageError } from '../errors.js';
import { BUCKETS, UTC_ZONE, addDateWall, daysFromCivil, makeZone, type Zone } from './calendar.js';
import {
  COUNT_RULES,
  WITHIN_RULES,
  countActive,
  formatDuration,
  isEmptyPolicy,
  isZeroDuration,
  validatePolicy,
  type RetentionPolicy,
} from './policy.js';

/** What the planner needs of a backup (a `StoredBackup` fits). */
export interface RetentionInput {
  name: string;
  /** ISO-8601 with a zone designator (we store UTC: `...Z`). */
  createdAt: string;
  /** Whether the backup passed verification; missing means true. */
  verified?: boolean;
}

export interface PlanOptions {
  /** The current time (for the future-dated checks); defaults to the system clock. */
  now?: number | Date | string;
  /** IANA zone whose wall clock defines hours, days, weeks, months, years. Default UTC. */
  timezone?: string;
  /** Refuse plans that remove more than this many backups. */
  maxDelete?: number;
}

export interface KeepEntry<B extends RetentionInput = RetentionInput> {
  name: string;
  createdAt: string;
  /** restic's words: "daily snapshot", "weekly within 8w", "oldest monthly snapshot", ... */
  reasons: string[];
  backup: B;
}

export interface RemoveEntry<B extends RetentionInput = RetentionInput> {
  name: string;
  createdAt: string;
  /** `policy`: no rule keeps it. `unverified`: a failed attempt older than the newest verified backup. */
  why: 'policy' | 'unverified';
  backup: B;
}

export interface RetentionPlan<B extends RetentionInput = RetentionInput> {
  /** Kept backups, newest first. */
  keep: KeepEntry<B>[];
  /** Backups to delete, newest first. keep and remove partition the input. */
  remove: RemoveEntry<B>[];
  /** Set when the plan removes nothing on purpose (newest backup unverified): says why. */
  held: string | null;
  /** Zone used for buckets. */
  timezone: string;
}

/** Backups dated further than this into the future stop the plan. */
export const MAX_FUTURE_MS = 5 * 60_000;

const ISO_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i;
const MS_HOUR = 3_600_000;

function toMs(v: number | Date | string | undefined): number {
  if (v === undefined) return Date.now();
  if (typeof v === 'number') return v;
  if (v instanceof Date) return v.getTime();
  const ms = Date.parse(v);
  if (Number.isNaN(ms)) throw new UsageError(`now: "${v}" is not an ISO-8601 time`);
  return ms;
}

/**
 * Plans which backups to keep and which to remove.
 *
 * Semantics are restic 0.18's `forget`, rule for rule: count rules keep the
 * newest backup of each of the last N buckets (hour, day, ISO week, month,
 * year; `last` = every backup its own bucket); `within*` rules keep (the newest
 * per bucket of) every backup strictly after the newest non-future backup minus
 * the duration (Go AddDate arithmetic); the oldest backup is also kept when a
 * count rule has count left or it lies inside a `within-*` window; rules
 * combine as a union and each uses up its own buckets. Buckets follow the wall
 * clock of `opts.timezone` (UTC by default). The walk is newest first; equal
 * instants are ordered by name (the greater name counts as newer), so the plan
 * never depends on input order.
 *
 * Safety rules: an empty policy is a UsageError; a backup dated more than 5
 * minutes after `now` is a RetentionError (clock skew); when the newest backup
 * is unverified nothing is removed (`held` says why); otherwise unverified
 * backups are removed as failed attempts and only verified ones take part; a
 * plan that keeps nothing, or removes more than `maxDelete`, is refused.
 */
export function planRetention<B extends RetentionInput>(
  backups: readonly B[],
  policy: RetentionPolicy,
  opts: PlanOptions = {},
): RetentionPlan<B> {
  validatePolicy(policy);
  if (isEmptyPolicy(policy)) {
    throw new UsageError(
      'retention policy is empty: give a profile (dev, staging) or at least one --keep-* rule; nothing will be removed',
    );
  }
  const zone: Zone = opts.timezone === undefined ? UTC_ZONE : makeZone(opts.timezone);
  const now = toMs(opts.now);
  const n = backups.length;

  // Parse once into flat arrays; the walk below touches only numbers.
  const ms = new Float64Array(n);
  const names = new Set<string>();
  let sorted = true;
  for (let i = 0; i < n; i++) {
    const b = backups[i];
    if (typeof b.name !== 'string' || b.name === '') throw new InputError(`backup #${i + 1}: name must be a string`);
    if (names.has(b.name)) throw new InputError(`backup "${b.name}" appears twice; names must be unique`);
    names.add(b.name);
    const t = parseIso(b.createdAt);
    if (Number.isNaN(t)) {
      throw new InputError(
        `backup "${b.name}": createdAt ${JSON.stringify(b.createdAt)} is not an ISO-8601 time with zone (e.g. 2026-01-31T12:00:00Z)`,
      );
    }
    if (t > now + MAX_FUTURE_MS) {
      throw new RetentionError(
        `clock skew: backup "${b.name}" is dated ${b.createdAt}, more than 5 minutes after now (${new Date(now).toISOString()}); fix the clock or the backup's date, nothing was removed`,
      );
    }
    ms[i] = t;
    if (sorted && i > 0 && newerFirst(i - 1, i) > 0) sorted = false;
  }
  function newerFirst(a: number, b: number): number {
    const d = ms[b] - ms[a];
    if (d !== 0) return d;
    const na = backups[a].name;
    const nb = backups[b].name;
    return na < nb ? 1 : na > nb ? -1 : 0;
  }
  // Stores list newest first already; only sort when needed.
  const order = sorted ? identity(n) : sortNewestFirst(ms, newerFirst);

  const keep: KeepEntry<B>[] = [];
  const remove: RemoveEntry<B>[] = [];
  const plan: RetentionPlan<B> = { keep, remove, held: null, timezone: zone.name };
  if (n === 0) return plan;

  const newest = backups[order[0]];
  if (newest.verified === false) {
    const why = `newest backup "${newest.name}" (${newest.createdAt}) is not verified`;
    for (const i of order) {
      const b = backups[i];
      keep.push({ name: b.name, createdAt: b.createdAt, reasons: [`held: ${why}`], backup: b });
    }
    plan.held = `${why}: nothing is removed until a newer backup is confirmed`;
    return plan;
  }

  // Only verified backups take part; the others are failed attempts (all older
  // than the newest backup, which is verified).
  const part: number[] = [];
  for (const i of order) if (backups[i].verified !== false) part.push(i);

  // restic's findLatestTimestamp: the newest backup that is not in the future.
  let latest = -Infinity;
  for (const i of part) {
    if (ms[i] < now) {
      latest = ms[i];
      break;
    }
  }

  const counts = COUNT_RULES.filter((r) => countActive(policy[r.key])).map((r) => {
    const c = policy[r.key]!;
    return { bucket: BUCKETS[r.bucket], reason: r.reason, left: c === 'unlimited' ? Infinity : c, last: -1 };
  });
  const windows = WITHIN_RULES.filter((r) => !isZeroDuration(policy[r.key])).map((r) => {
    const d = policy[r.key]!;
    const cutoff =
      latest === -Infinity
        ? -Infinity
        : zone.fromWall(addDateWall(zone.toWall(latest), -d.years, -d.months, -(d.days + 7 * d.weeks))) -
          d.hours * MS_HOUR;
    return {
      bucket: r.bucket ? BUCKETS[r.bucket] : null,
      reason: `${r.reason} ${formatDuration(d)}`,
      cutoff,
      last: -1,
    };
  });
  const needWall = counts.some((c) => c.bucket !== BUCKETS.last) || windows.some((w) => w.bucket !== null);

  const oldest = part.length - 1;
  const kept: (string[] | undefined)[] = new Array(n);
  for (let nr = 0; nr < part.length; nr++) {
    const i = part[nr];
    const t = ms[i];
    let wall = NaN; // computed on first use: most backups of a long history are outside every rule
    const reasons: string[] = [];
    // Plain `within` first (restic's order), then count rules, then within-* rules.
    for (const w of windows) {
      if (w.bucket === null && t > w.cutoff) reasons.push(w.reason);
    }
    for (const c of counts) {
      if (c.left <= 0) continue;
      if (needWall && wall !== wall) wall = zone.toWall(t);
      const val = c.bucket(wall, nr);
      if (val !== c.last || nr === oldest) {
        reasons.push(val === c.last ? `oldest ${c.reason}` : c.reason);
        c.last = val;
        c.left--;
      }
    }
    for (const w of windows) {
      if (w.bucket === null || !(t > w.cutoff)) continue;
      if (wall !== wall) wall = zone.toWall(t);
      const val = w.bucket(wall, nr);
      if (val !== w.last || nr === oldest) {
        reasons.push(val === w.last ? `oldest ${w.reason}` : w.reason);
        w.last = val;
      }
    }
    if (reasons.length > 0) kept[i] = reasons;
  }

  // One pass in walk order so keep and remove both come out newest first.
  for (const i of order) {
    const b = backups[i];
    const reasons = kept[i];
    if (reasons) keep.push({ name: b.name, createdAt: b.createdAt, reasons, backup: b });
    else
      remove.push({
        name: b.name,
        createdAt: b.createdAt,
        why: b.verified === false ? 'unverified' : 'policy',
        backup: b,
      });
  }

  if (keep.length === 0) {
    throw new RetentionError(`refusing to remove all ${n} backups: the policy keeps none of them`);
  }
  if (opts.maxDelete !== undefined && remove.length > opts.maxDelete) {
    throw new RetentionError(
      `the plan would remove ${remove.length} backups, more than --max-delete ${opts.maxDelete}; nothing was removed`,
    );
  }
  return plan;
}

/**
 * Milliseconds of an ISO-8601 time with zone, NaN when it is not one. The
 * common `YYYY-MM-DDTHH:MM:SS(.fff)Z` form is read by hand (Date.parse costs
 * more than the whole rest of planning); the rest go through Date.parse.
 */
export function parseIso(s: unknown): number {
  if (typeof s !== 'string') return NaN;
  const len = s.length;
  if ((len === 20 || len === 24) && s.charCodeAt(len - 1) === 90 /* Z */) {
    const d = (i: number) => s.charCodeAt(i) - 48;
    const ok = (i: number) => s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57;
    if (
      s[4] === '-' &&
      s[7] === '-' &&
      s[10] === 'T' &&
      s[13] === ':' &&
      s[16] === ':' &&
      ok(0) &&
      ok(1) &&
      ok(2) &&
      ok(3) &&
      ok(5) &&
      ok(6) &&
      ok(8) &&
      ok(9) &&
      ok(11) &&
      ok(12) &&
      ok(14) &&
      ok(15) &&
      ok(17) &&
      ok(18) &&
      (len === 20 || (s[19] === '.' && ok(20) && ok(21) && ok(22)))
    ) {
      const year = d(0) * 1000 + d(1) * 100 + d(2) * 10 + d(3);
      const month = d(5) * 10 + d(6);
      const day = d(8) * 10 + d(9);
      const hour = d(11) * 10 + d(12);
      const min = d(14) * 10 + d(15);
      const sec = d(17) * 10 + d(18);
      const frac = len === 24 ? d(20) * 100 + d(21) * 10 + d(22) : 0;
      if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || min > 59 || sec > 59) {
        return NaN;
      }
      return (daysFromCivil(year, month, day) * 86_400 + hour * 3600 + min * 60 + sec) * 1000 + frac;
    }
  }
  return ISO_RE.test(s) ? Date.parse(s) : NaN;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
function daysInMonth(year: number, month: number): number {
  if (month !== 2) return MONTH_DAYS[month - 1];
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
}

/**
 * Indices ordered newest first. Packs (time, index) into one 64-bit integer so
 * the engine's native numeric sort does the work; equal instants are then
 * re-ordered with `cmp` (by name). Falls back to a comparator sort when the
 * span of times is too wide to pack.
 */
function sortNewestFirst(ms: Float64Array, cmp: (a: number, b: number) => number): number[] {
  const n = ms.length;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    if (ms[i] < min) min = ms[i];
    if (ms[i] > max) max = ms[i];
  }
  const idxBits = Math.max(1, Math.ceil(Math.log2(n + 1)));
  const spanBits = Math.ceil(Math.log2(max - min + 1)) + 1;
  if (idxBits + spanBits > 62) return identity(n).sort(cmp);
  const keys = new BigInt64Array(n);
  const shift = BigInt(idxBits);
  for (let i = 0; i < n; i++) keys[i] = (BigInt(max - ms[i]) << shift) | BigInt(i);
  keys.sort();
  const mask = (1n << shift) - 1n;
  const order = new Array<number>(n);
  for (let i = 0; i < n; i++) order[i] = Number(keys[i] & mask);
  // Runs of equal instants: order by name.
  for (let i = 0; i < n;) {
    let j = i + 1;
    while (j < n && ms[order[j]] === ms[order[i]]) j++;
    if (j - i > 1) {
      const run = order.slice(i, j).sort(cmp);
      for (let k = i; k < j; k++) order[k] = run[k - i];
    }
    i = j;
  }
  return order;
}

function identity(n: number): number[] {
  const a = new Array<number>(n);
  for (let i = 0; i < n; i++) a[i] = i;
  return a;
}

/** Input a plan needs from JSON: checks shape and fills `verified` (default true). */
export function parseBackupList(doc: unknown, what: string): RetentionInput[] {
  if (!Array.isArray(doc)) throw new InputError(`${what}: expected a JSON array of {name, createdAt, verified?}`);
  return doc.map((x: unknown, i) => {
    const o = x as Record<string, unknown> | null;
    if (!o || typeof o !== 'object' || Array.isArray(o)) {
      throw new InputError(`${what}: element ${i + 1} is not an object {name, createdAt, verified?}`);
    }
    if (typeof o.name !== 'string' || o.name === '') {
      throw new InputError(`${what}: element ${i + 1} has no "name" string`);
    }
    if (typeof o.createdAt !== 'string') {
      throw new InputError(`${what}: element ${i + 1} ("${o.name}") has no "createdAt" ISO-8601 string`);
    }
    if (o.verified !== undefined && typeof o.verified !== 'boolean') {
      throw new InputError(`${what}: element ${i + 1} ("${o.name}") has a non-boolean "verified"`);
    }
    return { name: o.name, createdAt: o.createdAt, verified: o.verified !== false };
  });
}
