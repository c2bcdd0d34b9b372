/**
 * Turns flag or input strings (`profile`, `keep-daily`, `keep-within-weekly`,
 * `timezone`, `max-delete`, ...) into a retention policy. Shared by the CLI's
 * `plan` and `prune` and by the action, so every adapter accepts and rejects
 * exactly the same values with the same messages.
 */
import { UsageError } from '../errors.js';
import { makeZone } from './calendar.js';
import {
  COUNT_RULES,
  PROFILES,
  PROFILE_NAMES,
  WITHIN_RULES,
  isEmptyPolicy,
  parseDuration,
  type KeepCount,
  type ProfileName,
  type RetentionPolicy,
} from './policy.js';

export interface RetentionSettings {
  policy: RetentionPolicy;
  profile?: ProfileName;
  timezone?: string;
  maxDelete?: number;
}

/** Every option name this module reads, for adapters that declare them. */
export const RETENTION_OPTION_NAMES: readonly string[] = [
  'profile',
  ...COUNT_RULES.map((r) => r.flag),
  ...WITHIN_RULES.map((r) => r.flag),
  'timezone',
  'max-delete',
];

/** Parses a count rule value: a whole number >= 0, or `unlimited`. */
export function parseKeepCount(text: string, what: string): KeepCount {
  const s = text.trim();
  if (s === 'unlimited') return 'unlimited';
  if (!/^\d+$/.test(s) || !Number.isSafeInteger(Number(s))) {
    throw new UsageError(`${what}: "${text}" is not valid; expected a whole number >= 0 or "unlimited"`);
  }
  return Number(s);
}

/**
 * Reads retention settings from a plain record of strings (CLI flag values or
 * action inputs; empty strings count as not given). A profile gives the
 * starting rules; explicit rules are added to it, and replace the profile's
 * rule of the same name. `prefix` is how names appear in messages (`--` for
 * CLI flags, `` for action inputs). Throws UsageError naming the option and
 * what it accepts; an empty result is an error too.
 */
export function retentionFromOptions(
  values: Readonly<Record<string, string | undefined>>,
  opts: { prefix?: string } = {},
): RetentionSettings {
  const prefix = opts.prefix ?? '--';
  const get = (k: string): string | undefined => {
    const v = values[k];
    return v === undefined || v.trim() === '' ? undefined : v;
  };
  const settings: RetentionSettings = { policy: {} };
  const profile = get('profile');
  if (profile !== undefined) {
    const p = profile.trim() as ProfileName;
    if (!PROFILE_NAMES.includes(p)) {
      throw new UsageError(`${prefix}profile: unknown profile "${profile}"; expected ${PROFILE_NAMES.join(' or ')}`);
    }
    settings.profile = p;
    settings.policy = { ...PROFILES[p] };
  }
  for (const r of COUNT_RULES) {
    const v = get(r.flag);
    if (v !== undefined) settings.policy[r.key] = parseKeepCount(v, `${prefix}${r.flag}`);
  }
  for (const r of WITHIN_RULES) {
    const v = get(r.flag);
    if (v !== undefined) settings.policy[r.key] = parseDuration(v, `${prefix}${r.flag}`);
  }
  const tz = get('timezone');
  if (tz !== undefined) {
    makeZone(tz.trim(), `${prefix}timezone`);
    settings.timezone = tz.trim();
  }
  const md = get('max-delete');
  if (md !== undefined) {
    if (!/^\d+$/.test(md.trim()) || !Number.isSafeInteger(Number(md.trim()))) {
      throw new UsageError(`${prefix}max-delete: "${md}" is not valid; expected a whole number >= 0`);
    }
    settings.maxDelete = Number(md.trim());
  }
  if (isEmptyPolicy(settings.policy)) {
    throw new UsageError(
      `no retention rules: give ${prefix}profile (${PROFILE_NAMES.join(' or ')}) or at least one ${prefix}keep-* rule with a count above 0 or a duration`,
    );
  }
  return settings;
}
