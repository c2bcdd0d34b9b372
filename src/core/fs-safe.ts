/**
 * Crash-safe file primitives: every durable write goes temp file -> fsync ->
 * rename -> fsync(folder), so a crash leaves either the old or the new file.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

/** fsyncs a folder so a rename inside it survives a crash. */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** fsyncs a file by path. */
export async function fsyncFile(file: string): Promise<void> {
  const handle = await fs.open(file, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** A unique temporary name beside `target`, hidden and marked so cleanup can find it. */
export function tempNameBeside(target: string, tag = 'tmp'): string {
  return path.join(
    path.dirname(target),
    `.${path.basename(target)}.${tag}-${process.pid}-${randomBytes(4).toString('hex')}`,
  );
}

/**
 * Atomically replaces (or creates) `target` with `data`: temp file, fsync,
 * rename, fsync folder. The new file keeps the old file's mode (an env file
 * holding secrets stays 0600), or takes `mode` (default 0644 for a new file);
 * the temp file is never wider than 0600 while it is written.
 */
export async function writeFileAtomic(target: string, data: string | Uint8Array, mode?: number): Promise<void> {
  let fileMode = mode;
  if (fileMode === undefined) {
    try {
      fileMode = (await fs.stat(target)).mode & 0o7777;
    } catch {
      fileMode = 0o644;
    }
  }
  const tmp = tempNameBeside(target);
  try {
    const handle = await fs.open(tmp, 'wx', 0o600);
    try {
      await handle.writeFile(data);
      await handle.chmod(fileMode);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, target);
    await fsyncDir(path.dirname(target));
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
}

/** Copies `src` to the new file `dest` (never overwriting), keeping its mode, durably. */
export async function copyFileDurable(src: string, dest: string): Promise<void> {
  await copyFileHashed(src, dest, { mode: (await fs.stat(src)).mode & 0o7777 });
  await fsyncDir(path.dirname(dest));
}

/** Progress callback for long copies: bytes done of total. */
export type ProgressFn = (done: number, total: number) => void;

/**
 * Streams `src` into `dest` (created exclusively), hashing as it goes, then
 * fsyncs. Returns the byte count and sha256. Removes `dest` on failure.
 */
export async function copyFileHashed(
  src: string,
  dest: string,
  opts: { limit?: number; onProgress?: ProgressFn; signal?: AbortSignal; mode?: number } = {},
): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  const total = opts.limit ?? (await fs.stat(src)).size;
  // With an explicit mode (an env file's 0600), the copy is never wider than 0600 before it gets it.
  const out = await fs.open(dest, 'wx', opts.mode === undefined ? 0o644 : 0o600);
  let bytes = 0;
  try {
    if (opts.mode !== undefined) await out.chmod(opts.mode);
    const stream = createReadStream(src, {
      highWaterMark: 1 << 20,
      ...(opts.limit !== undefined ? { end: opts.limit - 1 } : {}),
    });
    if (opts.limit === 0) stream.destroy();
    else
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        opts.signal?.throwIfAborted();
        hash.update(chunk);
        await out.write(chunk);
        bytes += chunk.length;
        opts.onProgress?.(bytes, total);
      }
    await out.sync();
  } catch (err) {
    await out.close().catch(() => {});
    await fs.rm(dest, { force: true });
    throw err;
  }
  await out.close();
  return { bytes, sha256: hash.digest('hex') };
}

/** sha256 and size of a file, streamed (constant memory). */
export async function hashFile(file: string, onProgress?: ProgressFn): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  const total = onProgress ? (await fs.stat(file)).size : 0;
  let bytes = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytes += chunk.length;
    onProgress?.(bytes, total);
  }
  return { bytes, sha256: hash.digest('hex') };
}

/** True when the path exists (any type, links not followed). */
export async function exists(p: string): Promise<boolean> {
  try {
    await fs.lstat(p);
    return true;
  } catch {
    return false;
  }
}

/** Reports progress at most every `intervalMs` as percent and MB/s. */
export function throttledProgress(
  label: string,
  log: (line: string) => void,
  intervalMs = 2000,
  now: () => number = () => performance.now(),
): ProgressFn {
  const start = now();
  let last = start;
  return (done, total) => {
    const t = now();
    if (t - last < intervalMs) return;
    last = t;
    const pct = total > 0 ? ((done / total) * 100).toFixed(1) : '?';
    const mbps = (done / 1048576 / ((t - start) / 1000)).toFixed(1);
    log(`${label}: ${pct}% (${(done / 1048576).toFixed(1)} MiB, ${mbps} MB/s)`);
  };
}
