/**
 * Full verification of a backup folder: manifest valid, every listed file
 * present as a regular file with its size and sha256, no unlisted files,
 * SQLite integrity, every JSONL line parses, meta file parses.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { VerifyError } from './errors.js';
import { hashFile, type ProgressFn } from './fs-safe.js';
import { parseMeta, validateJsonl } from './jsonl.js';
import { readManifest } from './manifest.js';
import { assertSqliteFile, integrityProblemsInWorker } from './sqlite-inspect.js';
import { MANIFEST_FILE, type Manifest } from './types.js';

export interface VerifyReport {
  name: string;
  dir: string;
  manifest: Manifest;
  files: { name: string; bytes: number; sha256: string; checks: string[] }[];
}

/** Verifies the backup in `dir`; throws VerifyError naming the file and what differs. */
export async function verifyBackupDir(
  dir: string,
  opts: {
    onProgress?: ProgressFn;
    /**
     * Skip re-reading SQLite files whose sha256 and integrity_check were just
     * computed by reading the written file back (a fresh snapshot). Listing,
     * sizes and every other file are still checked in full.
     */
    sqliteJustChecked?: boolean;
  } = {},
): Promise<VerifyReport> {
  const manifest = await readManifest(dir);
  const listed = new Set(manifest.files.map((f) => f.name));
  const entries = await fs.readdir(dir);
  for (const entry of entries.sort()) {
    if (entry !== MANIFEST_FILE && !listed.has(entry)) {
      throw new VerifyError(`${manifest.name}: unexpected file ${entry} is not listed in the manifest`);
    }
  }
  const files: VerifyReport['files'] = [];
  for (const f of manifest.files) {
    const file = path.join(dir, f.name);
    let st;
    try {
      st = await fs.lstat(file);
    } catch {
      throw new VerifyError(`${manifest.name}: ${f.name} is missing`);
    }
    if (!st.isFile()) throw new VerifyError(`${manifest.name}: ${f.name} is not a regular file (links are refused)`);
    if (st.size !== f.bytes) {
      throw new VerifyError(`${manifest.name}: ${f.name} has ${st.size} bytes, manifest says ${f.bytes}`);
    }
    if (opts.sqliteJustChecked && f.role === 'sqlite') {
      files.push({ name: f.name, bytes: f.bytes, sha256: f.sha256, checks: ['size'] });
      continue;
    }
    if (f.role === 'sqlite') {
      await assertSqliteFile(file, 'backup file').catch((err: Error) => {
        throw new VerifyError(`${manifest.name}: ${err.message}`);
      });
    }
    // Integrity check (worker thread) and hashing (main thread) overlap.
    const integrity = f.role === 'sqlite' ? integrityProblemsInWorker(file) : Promise.resolve([]);
    integrity.catch(() => {});
    const { sha256 } = await hashFile(file, opts.onProgress);
    if (sha256 !== f.sha256) {
      throw new VerifyError(
        `${manifest.name}: ${f.name} sha256 ${sha256.slice(0, 12)}… differs from manifest ${f.sha256.slice(0, 12)}…`,
      );
    }
    const checks = ['size', 'sha256'];
    if (f.role === 'sqlite') {
      let problems: string[];
      try {
        problems = await integrity;
      } catch (err) {
        throw new VerifyError(`${manifest.name}: ${f.name} cannot be checked: ${(err as Error).message}`, {
          cause: err,
        });
      }
      if (problems.length) {
        throw new VerifyError(`${manifest.name}: ${f.name} fails integrity_check: ${problems.slice(0, 3).join('; ')}`);
      }
      checks.push('integrity_check');
    } else if (f.role === 'runs') {
      await validateJsonl(file, (m) => new VerifyError(`${manifest.name}: ${m.replace(file, f.name)}`));
      checks.push('jsonl');
    } else {
      parseMeta(await fs.readFile(file), f.name, (m) => new VerifyError(`${manifest.name}: ${m}`));
      checks.push('meta');
    }
    files.push({ name: f.name, bytes: f.bytes, sha256: f.sha256, checks });
  }
  return { name: manifest.name, dir, manifest, files };
}
