/**
 * Crash-safe replacement of a file whose permissions matter (an env file often
 * holds secrets and is 0600): like `writeFileAtomic` in fs-safe.ts, but the
 * new file keeps the old file's mode and the temp file is never wider than
 * 0600 while it is written.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { fsyncDir, tempNameBeside } from './fs-safe.js';

/** Atomically replaces (or creates) `target` with `data`, keeping its mode (0644 for a new file unless given). */
export async function writeFileAtomicKeepMode(target: string, data: Uint8Array, mode?: number): Promise<void> {
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
    const fh = await fs.open(tmp, 'wx', 0o600);
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
  await fsyncDir(path.dirname(target));
}

/** Copies `src` to the new file `dest` (never overwriting), keeping its mode, durably. */
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
