/**
 * Calendar arithmetic for retention: wall-clock fields in UTC or an IANA zone,
 * ISO-8601 weeks, bucket keys, and Go's `time.AddDate` (which restic uses for
 * its `within` windows). Integer arithmetic on day numbers keeps planning
 * 100,000 backups fast; Intl is only asked for zone offsets, and cached.
 */
import { UsageError } from '../errors.js';
import type { Granularity } from './policy.js';

const MS_HOUR = 3_600_000;
const MS_DAY = 86_400_000;

// Consecutive backups mostly share a day: remember the last conversion.
let memoDays = NaN;
let memoCivil: [number, number, number] = [1970, 1, 1];

/** Days since 1970-01-01 -> [year, month 1-12, day 1-31] (proleptic Gregorian). Do not mutate the result. */
export function civilFromDays(days: number): [number, number, number] {
  if (days === memoDays) return memoCivil;
  memoCivil = civilFromDaysUncached(days);
  memoDays = days;
  return memoCivil;
}

function civilFromDaysUncached(days: number): [number, number, number] {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

/** [year, month 1-12, day] -> days since 1970-01-01. */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** ISO-8601 week of a day number, as year*100 + week (2025-12-29 -> 202601). */
export function isoWeekKey(days: number): number {
  const weekday = (((days + 3) % 7) + 7) % 7; // Monday = 0; 1970-01-01 was a Thursday
  const thursday = days - weekday + 3; // the week belongs to the year of its Thursday
  const year = civilFromDays(thursday)[0];
  return year * 100 + Math.floor((thursday - daysFromCivil(year, 1, 1)) / 7) + 1;
}

/** Bucket key of an instant's wall clock, per granularity (restic's ymdh, ymd, yw, ym, y). */
export type BucketFn = (localMs: number, nr: number) => number;

function hourKey(localMs: number): number {
  const days = Math.floor(localMs / MS_DAY);
  const [y, m, d] = civilFromDays(days);
  return y * 1_000_000 + m * 10_000 + d * 100 + Math.floor((localMs - days * MS_DAY) / MS_HOUR);
}
function dayKey(localMs: number): number {
  const [y, m, d] = civilFromDays(Math.floor(localMs / MS_DAY));
  return y * 10_000 + m * 100 + d;
}
let memoWeekDay = NaN;
let memoWeek = 0;
function weekKey(localMs: number): number {
  const days = Math.floor(localMs / MS_DAY);
  if (days !== memoWeekDay) {
    memoWeek = isoWeekKey(days);
    memoWeekDay = days;
  }
  return memoWeek;
}
function monthKey(localMs: number): number {
  const [y, m] = civilFromDays(Math.floor(localMs / MS_DAY));
  return y * 100 + m;
}
function yearKey(localMs: number): number {
  return civilFromDays(Math.floor(localMs / MS_DAY))[0];
}

/**
 * The bucket table: granularity -> key of the bucket a backup falls in, from
 * its wall-clock time as milliseconds (UTC fields = wall fields). `last` gives
 * every backup its own bucket (its position in the newest-first walk).
 */
export const BUCKETS: Readonly<Record<Granularity, BucketFn>> = {
  last: (_localMs, nr) => nr,
  hourly: hourKey,
  daily: dayKey,
  weekly: weekKey,
  monthly: monthKey,
  yearly: yearKey,
};

/** Label of a week or month bucket for display: "2026-W01", "2026-01". */
export function bucketLabel(granularity: 'weekly' | 'monthly', localMs: number): string {
  if (granularity === 'weekly') {
    const k = weekKey(localMs);
    return `${Math.floor(k / 100)}-W${String(k % 100).padStart(2, '0')}`;
  }
  const k = monthKey(localMs);
  return `${Math.floor(k / 100)}-${String(k % 100).padStart(2, '0')}`;
}

/** A time zone: instant <-> wall clock (wall clock expressed as UTC milliseconds). */
export interface Zone {
  name: string;
  /** Wall-clock milliseconds of an instant. */
  toWall(ms: number): number;
  /** Instant of a wall-clock time, resolved in gaps and overlaps exactly like Go's time.Date. */
  fromWall(wallMs: number): number;
}

export const UTC_ZONE: Zone = { name: 'UTC', toWall: (ms) => ms, fromWall: (w) => w };

/**
 * A Zone for an IANA name. Throws UsageError (naming `what`) for unknown zones.
 * Offsets come from Intl and are cached per UTC hour; hours that contain a
 * transition are resolved per minute.
 */
export function makeZone(name: string, what = '--timezone'): Zone {
  if (name === 'UTC' || name === 'Etc/UTC') return UTC_ZONE;
  let fmt: Intl.DateTimeFormat;
  try {
    fmt = new Intl.DateTimeFormat('en-US', {
      timeZone: name,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    });
  } catch (err) {
    throw new UsageError(`${what}: unknown time zone "${name}"; expected an IANA zone name like UTC or Europe/Berlin`, {
      cause: err,
    });
  }
  const exact = (ms: number): number => {
    const sec = Math.floor(ms / 1000) * 1000;
    const f: Record<string, string> = {};
    for (const p of fmt.formatToParts(sec)) f[p.type] = p.value;
    let year = Number(f.year);
    if (f.era === 'BC' || f.era === 'B') year = 1 - year;
    const wall = wallMs(year, Number(f.month), Number(f.day), Number(f.hour), Number(f.minute), Number(f.second));
    return wall - sec;
  };
  // Offsets change at most a few times a year: cache per UTC day when the
  // offset is the same at both ends of the day, else per hour, else per minute.
  const cache = new Map<string, number>();
  const span = (unit: number, key: number): number => {
    const id = `${unit}:${key}`;
    let v = cache.get(id);
    if (v === undefined) {
      const a = exact(key * unit);
      v = a === exact(key * unit + unit - 1) ? a : NaN;
      cache.set(id, v);
    }
    return v;
  };
  const offset = (ms: number): number => {
    const d = span(MS_DAY, Math.floor(ms / MS_DAY));
    if (d === d) return d;
    const h = span(MS_HOUR, Math.floor(ms / MS_HOUR));
    if (h === h) return h;
    return exact(Math.floor(ms / 60_000) * 60_000);
  };
  return {
    name,
    toWall: (ms) => ms + offset(ms),
    fromWall: (w) => {
      // Go's time.Date: guess the offset at the wall time read as UTC; if the
      // resulting instant lies outside that offset's period, use its own offset.
      const o1 = offset(w);
      const u = w - o1;
      const o2 = offset(u);
      return o2 === o1 ? u : w - o2;
    },
  };
}

/** Wall-clock fields -> milliseconds, without Date.UTC's 1900 shift for years 0-99. */
function wallMs(year: number, month: number, day: number, hour: number, minute: number, second: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, 0);
  return d.getTime();
}

/**
 * Go's `t.AddDate(years, months, days)` on a wall-clock time: the fields are
 * added and then normalised (March 31 minus one month is "February 31", which
 * is March 3, or March 2 in a leap year). Time of day is unchanged.
 */
export function addDateWall(wall: number, years: number, months: number, days: number): number {
  const d = new Date(wall);
  d.setUTCFullYear(d.getUTCFullYear() + years, d.getUTCMonth() + months, d.getUTCDate() + days);
  return d.getTime();
}
