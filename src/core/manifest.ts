/**
 * Reading, validating and writing `manifest.json`. A manifest read from disk is
 * untrusted input (a backup may come from an artifact): every field used later
 * is checked here, and file names must be plain names inside the backup folder.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { BACKENDS } from './config.js';
import { VerifyError } from './errors.js';
import { writeFileAtomic } from './fs-safe.js';
import { MANIFEST_FILE, MANIFEST_FORMAT, type Manifest } from './types.js';

/** True when `name` is a plain file name (no separators, not `.`/`..`, not hidden). */
export function isPlainFileName(name: string): boolean {
  return (
    typeof name === 'string' &&
    name.length > 0 &&
    name.length <= 255 &&
    !/[/\\\0]/.test(name) &&
    name !== '.' &&
    name !== '..' &&
    !name.startsWith('.')
  );
}

/** Validates a parsed manifest document; throws VerifyError saying what is wrong. */
export function validateManifest(doc: unknown, where: string): Manifest {
  const bad = (what: string) => new VerifyError(`${where}: manifest ${what}`);
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw bad('is not a JSON object');
  const m = doc as Record<string, unknown>;
  if (m.formatVersion !== MANIFEST_FORMAT) {
    throw bad(`has formatVersion ${JSON.stringify(m.formatVersion)}; this tool reads format ${MANIFEST_FORMAT}`);
  }
  if (typeof m.name !== 'string' || m.name === '') throw bad('has no name');
  if (typeof m.backend !== 'string' || !(BACKENDS as readonly string[]).includes(m.backend)) {
    throw bad(`has unknown backend ${JSON.stringify(m.backend)}`);
  }
  if (typeof m.createdAt !== 'string' || Number.isNaN(Date.parse(m.createdAt))) throw bad('has no valid createdAt');
  if (!Array.isArray(m.files) || m.files.length === 0) throw bad('lists no files');
  const seen = new Set<string>();
  for (const f of m.files as unknown[]) {
    const file = f as Record<string, unknown>;
    if (typeof file !== 'object' || file === null) throw bad('has a file entry that is not an object');
    if (typeof file.name !== 'string' || !isPlainFileName(file.name) || file.name === MANIFEST_FILE) {
      throw bad(`has an unsafe file name ${JSON.stringify(file.name)}`);
    }
    if (seen.has(file.name)) throw bad(`lists ${file.name} twice`);
    seen.add(file.name);
    if (!['sqlite', 'runs', 'meta'].includes(String(file.role))) throw bad(`gives ${file.name} unknown role`);
    if (!Number.isSafeInteger(file.bytes) || (file.bytes as number) < 0) throw bad(`gives ${file.name} no valid size`);
    if (typeof file.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(file.sha256)) {
      throw bad(`gives ${file.name} no valid sha256`);
    }
  }
  return doc as Manifest;
}

/** Reads and validates `<dir>/manifest.json`. */
export async function readManifest(dir: string): Promise<Manifest> {
  const file = path.join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new VerifyError(`${dir}: ${MANIFEST_FILE} is ${code === 'ENOENT' ? 'missing' : `unreadable (${code})`}`, {
      cause: err,
    });
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new VerifyError(`${dir}: ${MANIFEST_FILE} is not valid JSON`, { cause: err });
  }
  return validateManifest(doc, dir);
}

/** Writes the manifest crash-safely. */
export async function writeManifest(dir: string, manifest: Manifest): Promise<void> {
  await writeFileAtomic(path.join(dir, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
}
