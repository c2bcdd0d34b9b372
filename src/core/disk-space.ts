/**
 * Free-space checks and ENOSPC mapping: a backup or restore that cannot fit
 * says so up front, naming the folder and the space it needs, and a disk that
 * fills up mid-copy turns into the same one-line DiskFullError instead of a
 * raw errno from deep inside a copy.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { DiskFullError } from './errors.js';

/** Slack for manifests, SQLite page rounding and filesystem metadata. */
export const SPACE_MARGIN_BYTES = 256 * 1024;

function mib(bytes: number): string {
  return (bytes / 1048576).toFixed(1);
}

/** Bytes free to an unprivileged writer on the filesystem holding `dir` (or its nearest existing ancestor). */
export async function freeBytes(dir: string): Promise<number | null> {
  let p = path.resolve(dir);
  for (;;) {
    try {
      const st = await fs.statfs(p);
      return Number(st.bavail) * Number(st.bsize);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const parent = path.dirname(p);
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || parent === p) return null;
      p = parent;
    }
  }
}

/** The one-line message every disk-full report uses. */
export function diskFullMessage(dir: string, what: string, needed: number, free: number | null): string {
  return `no space left on ${dir}: ${what} needs about ${mib(needed)} MiB, ${free === null ? 'unknown' : `${mib(free)} MiB`} free`;
}

/** Throws DiskFullError when `dir`'s filesystem has less than `needed` bytes (plus margin) free. */
export async function ensureSpace(dir: string, needed: number, what: string): Promise<void> {
  const want = needed + SPACE_MARGIN_BYTES;
  const free = await freeBytes(dir);
  if (free !== null && free < want) throw new DiskFullError(diskFullMessage(dir, what, want, free));
}

/** True when `err` (or any error in its cause chain) means the disk or quota is full. */
export function isDiskFull(err: unknown): boolean {
  for (let e = err, depth = 0; e && depth < 10; e = (e as { cause?: unknown }).cause, depth++) {
    const x = e as { code?: unknown; errcode?: unknown; message?: unknown };
    if (x.code === 'ENOSPC' || x.code === 'EDQUOT') return true;
    // SQLITE_FULL (13) from node:sqlite: "database or disk is full".
    if (x.errcode === 13 || (typeof x.message === 'string' && /database or disk is full|ENOSPC/.test(x.message))) {
      return true;
    }
  }
  return false;
}

/** Wraps a disk-full failure as DiskFullError naming `dir` and the space wanted. */
export async function diskFullError(dir: string, what: string, needed: number, err: unknown): Promise<DiskFullError> {
  return new DiskFullError(diskFullMessage(dir, what, needed + SPACE_MARGIN_BYTES, await freeBytes(dir)), {
    cause: err,
  });
}
