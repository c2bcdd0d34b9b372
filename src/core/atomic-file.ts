/**
 * Crash-safe file replacement: write a temp file in the target's folder, fsync
 * it, rename it over the target, fsync the folder. A crash at any point leaves
 * either the old file or the new one, never a torn mix.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

/** fsyncs a directory so a rename inside it survives a crash. */
export async function fsyncDir(dir: string): Promise<void> {
  const fh = await fs.open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Atomically replaces (or creates) `target` with `data`. `mode` defaults to
 * the existing file's mode, so a 0600 env file stays 0600.
 */
export async function writeFileAtomic(target: string, data: Uint8Array, mode?: number): Promise<void> {
  const dir = path.dirname(target);
  let fileMode = mode;
  if (fileMode === undefined) {
    try {
      fileMode = (await fs.stat(target)).mode & 0o7777;
    } catch {
      fileMode = 0o644;
    }
  }
  const tmp = path.join(dir, `.${path.basename(target)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  // Created 0600 and widened afterwards, so secrets never sit in a readable temp file.
  const fh = await fs.open(tmp, 'wx', 0o600);
  try {
    try {
      await fh.writeFile(data);
      await fh.chmod(fileMode);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fs.rename(tmp, target);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
  await fsyncDir(dir);
}

/** Copies `src` to a new file `dest` (never overwriting), keeping its mode, and fsyncs it. */
export async function copyFileDurable(src: string, dest: string): Promise<void> {
  const data = await fs.readFile(src);
  const mode = (await fs.stat(src)).mode & 0o7777;
  const fh = await fs.open(dest, 'wx', 0o600);
  try {
    await fh.writeFile(data);
    await fh.chmod(mode);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fsyncDir(path.dirname(dest));
}
