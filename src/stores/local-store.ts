/**
 * A backups folder on local disk (the runbook's `backups/`).
 *
 * Layout:
 *   <dir>/<name>/                 complete, verified backups (manifest.json + files)
 *   <dir>/.staging/<name>/        backups being written; <name>.owner holds the writer's pid
 *   <dir>/.trash/<name>.<rand>/   backups being deleted
 * Only non-hidden folders with a valid manifest are backups, so a crash at any
 * point leaves nothing half-written or half-deleted that `list` shows as valid.
 * Publishing is one rename; deleting renames out of the namespace first, then
 * removes, and any later mutating call finishes what a killed run left.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { NameTakenError, NotFoundError, StoreError, StorageOpsError, UsageError } from '../core/errors.js';
import { fsyncDir } from '../core/fs-safe.js';
import { readManifest } from '../core/manifest.js';
import { validateBackupName } from '../core/naming.js';
import type { BackupStore, Manifest, OpenedBackup, StoredBackup } from '../core/types.js';

const STAGING = '.staging';
const TRASH = '.trash';

/** True when a process with this pid is alive on this host. */
function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class LocalStore implements BackupStore {
  readonly dir: string;

  /** @param dir the backups folder; created on first write. */
  constructor(dir: string) {
    if (!dir) throw new UsageError('--store: required; expected a folder path for backups');
    this.dir = path.resolve(dir);
  }

  describe(): string {
    return `local folder ${this.dir}`;
  }

  private async ensureDirs(): Promise<void> {
    try {
      const st = await fs.stat(this.dir).catch(() => null);
      if (st && !st.isDirectory()) throw new UsageError(`--store: ${this.dir} exists and is not a folder`);
      await fs.mkdir(path.join(this.dir, STAGING), { recursive: true });
      await fs.mkdir(path.join(this.dir, TRASH), { recursive: true });
    } catch (err) {
      if (err instanceof StorageOpsError) throw err;
      throw new StoreError(`cannot create backups folder ${this.dir}: ${(err as Error).message}`, { cause: err });
    }
  }

  /**
   * Removes what killed runs left: trash (always safe to finish deleting) and
   * staging folders whose owner process is gone.
   */
  async cleanup(): Promise<{ trash: number; staging: number }> {
    let trash = 0;
    let staging = 0;
    for (const entry of await fs.readdir(path.join(this.dir, TRASH)).catch(() => [] as string[])) {
      await fs.rm(path.join(this.dir, TRASH, entry), { recursive: true, force: true });
      trash += 1;
    }
    const stagingDir = path.join(this.dir, STAGING);
    const entries = await fs.readdir(stagingDir).catch(() => [] as string[]);
    for (const entry of entries) {
      if (!entry.endsWith('.owner')) continue;
      const owner = await fs.readFile(path.join(stagingDir, entry), 'utf8').catch(() => '');
      const [pidText, host] = owner.split('\n');
      const pid = Number(pidText);
      if (host === os.hostname() && Number.isInteger(pid) && pid > 0 && pidAlive(pid)) continue;
      if (host !== os.hostname() && host !== undefined && host !== '') continue;
      const name = entry.slice(0, -'.owner'.length);
      await fs.rm(path.join(stagingDir, name), { recursive: true, force: true });
      await fs.rm(path.join(stagingDir, entry), { force: true });
      staging += 1;
    }
    // Staging folders with no owner file: the owner file is written first, so
    // these come from a run killed between the two steps of discard.
    for (const entry of entries) {
      if (entry.endsWith('.owner') || entries.includes(`${entry}.owner`)) continue;
      await fs.rm(path.join(stagingDir, entry), { recursive: true, force: true });
      staging += 1;
    }
    return { trash, staging };
  }

  async createStaging(name: string): Promise<string> {
    validateBackupName(name, 'backup name');
    await this.ensureDirs();
    await this.cleanup();
    if (await this.has(name)) throw new NameTakenError(`backup ${name} already exists in ${this.dir}`);
    const owner = path.join(this.dir, STAGING, `${name}.owner`);
    try {
      await fs.writeFile(owner, `${process.pid}\n${os.hostname()}\n`, { flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
        throw new NameTakenError(`backup name ${name} is being written by another run`, { cause: err });
      }
      throw new StoreError(`cannot reserve ${owner}: ${(err as Error).message}`, { cause: err });
    }
    const dir = path.join(this.dir, STAGING, name);
    await fs.mkdir(dir);
    return dir;
  }

  async publish(name: string, stagingDir: string, manifest: Manifest): Promise<StoredBackup> {
    const target = path.join(this.dir, name);
    if (await this.has(name)) throw new NameTakenError(`backup ${name} already exists in ${this.dir}`);
    try {
      await fs.rename(stagingDir, target);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOTEMPTY' || code === 'EEXIST') {
        throw new NameTakenError(`backup ${name} already exists in ${this.dir}`, { cause: err });
      }
      throw new StoreError(`cannot publish ${name} into ${this.dir}: ${(err as Error).message}`, { cause: err });
    }
    await fsyncDir(this.dir);
    await fs.rm(path.join(this.dir, STAGING, `${name}.owner`), { force: true });
    return toStored(manifest);
  }

  async discardStaging(stagingDir: string): Promise<void> {
    const name = path.basename(stagingDir);
    await fs.rm(stagingDir, { recursive: true, force: true }).catch(() => {});
    await fs.rm(path.join(this.dir, STAGING, `${name}.owner`), { force: true }).catch(() => {});
  }

  private async has(name: string): Promise<boolean> {
    return fs.lstat(path.join(this.dir, name)).then(
      () => true,
      () => false,
    );
  }

  async list(): Promise<StoredBackup[]> {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await fs.readdir(this.dir, { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new StoreError(`cannot list ${this.dir}: ${(err as Error).message}`, { cause: err });
    }
    const out: StoredBackup[] = [];
    for (const e of entries) {
      if (!e.isDirectory() || e.name.startsWith('.')) continue;
      try {
        const m = await readManifest(path.join(this.dir, e.name));
        if (m.name !== e.name) continue;
        out.push(toStored(m));
      } catch {
        // Not a complete backup of ours: never listed.
      }
    }
    return sortNewestFirst(out);
  }

  async open(name: string): Promise<OpenedBackup> {
    validateBackupName(name);
    const dir = path.join(this.dir, name);
    const st = await fs.lstat(dir).catch(() => null);
    if (!st || !st.isDirectory()) throw new NotFoundError(`--backup: no backup named ${name} in ${this.dir}`);
    return { name, dir, release: async () => {} };
  }

  async remove(name: string): Promise<void> {
    validateBackupName(name);
    const dir = path.join(this.dir, name);
    if (!(await this.has(name))) return;
    await fs.mkdir(path.join(this.dir, TRASH), { recursive: true });
    const trashed = path.join(this.dir, TRASH, `${name}.${randomBytes(4).toString('hex')}`);
    try {
      await fs.rename(dir, trashed);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw new StoreError(`cannot remove ${name} from ${this.dir}: ${(err as Error).message}`, { cause: err });
    }
    await fsyncDir(this.dir);
    await fs.rm(trashed, { recursive: true, force: true });
  }
}

/** Newest first; same instant ordered by name (descending) so output never depends on input order. */
export function sortNewestFirst<T extends { createdAt: string; name: string }>(items: T[]): T[] {
  return items.sort(
    (a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt) || (a.name < b.name ? 1 : a.name > b.name ? -1 : 0),
  );
}

function toStored(m: Manifest): StoredBackup {
  return { name: m.name, createdAt: m.createdAt, backend: m.backend, bytes: m.bytes, verified: true };
}
