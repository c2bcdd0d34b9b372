/**
 * Backup names: `<db stem>-<backend>-<UTC timestamp>`, e.g.
 * `story_gen-sqlite-20261204T201530.123Z`. They sort chronologically within one
 * prefix, carry millisecond precision so two backups in one second differ, and
 * use only characters valid in folder names and artifact names.
 */
import { UsageError } from './errors.js';

const STAMP_RE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})\.(\d{3})Z$/;
const NAME_RE = /^(?<prefix>[A-Za-z0-9._-]+)-(?<stamp>\d{8}T\d{6}\.\d{3}Z)$/;

/** Formats an instant as the compact UTC stamp used in names. */
export function formatStamp(date: Date): string {
  const iso = date.toISOString(); // 2026-12-04T20:15:30.123Z
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}.${iso.slice(20, 23)}Z`;
}

/** Parses a stamp back into a Date, or null when it is not one. */
export function parseStamp(stamp: string): Date | null {
  const m = STAMP_RE.exec(stamp);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, ms] = m;
  const date = new Date(Date.UTC(+y!, +mo! - 1, +d!, +h!, +mi!, +s!, +ms!));
  return Number.isNaN(date.getTime()) ? null : date;
}

/** The default prefix: db stem plus backend. */
export function defaultPrefix(stem: string, backend: string): string {
  return `${sanitise(stem)}-${backend}`;
}

/** Replaces characters that are unsafe in folder or artifact names. */
export function sanitise(part: string): string {
  const s = part.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^[.-]+/, '');
  return s === '' ? 'db' : s;
}

/** Builds a backup name. */
export function backupName(prefix: string, date: Date): string {
  return `${prefix}-${formatStamp(date)}`;
}

/** Splits a backup name into prefix and time; null when it is not one of ours. */
export function parseBackupName(name: string): { prefix: string; createdAt: Date } | null {
  const m = NAME_RE.exec(name);
  if (!m?.groups) return null;
  const createdAt = parseStamp(m.groups.stamp!);
  return createdAt ? { prefix: m.groups.prefix!, createdAt } : null;
}

/** Validates a prefix given by a user (flag or input). */
export function validatePrefix(prefix: string, flag = '--prefix'): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,100}$/.test(prefix)) {
    throw new UsageError(
      `${flag}: "${prefix}" is not a valid prefix; use 1-101 letters, digits, '.', '_' or '-', starting with a letter or digit`,
    );
  }
  return prefix;
}

/**
 * Validates a backup name given by a user: it must be a plain name (no path
 * separators, no `..`), so it can never point outside the store.
 */
export function validateBackupName(name: string, flag = '--backup'): string {
  if (name === '' || name === '.' || name === '..' || /[/\\\0]/.test(name) || name.startsWith('.')) {
    throw new UsageError(
      `${flag}: "${name}" is not a backup name; expected a name from 'list' (no '/', '\\' or leading '.') or 'latest'`,
    );
  }
  return name;
}
