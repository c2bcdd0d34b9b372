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
 *
 * `<dir>/.lock` (created with O_EXCL, holding pid, host, purpose and time)
 * serialises the steps that change the namespace: reserving a staging name,
 * publishing, and a whole prune. So a prune never deletes while a backup
 * publishes, and two prunes never interleave. Snapshots themselves run
 * outside the lock, so concurrent backups only wait for each other's rename.
 * A lock whose holder pid is dead on this host is taken over.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  CancelledError,
  LockError,
  NameTakenError,
  NotFoundError,
  StoreError,
  StorageOpsError,
  UsageError,
} from '../core/errors.js';
import { faultPointNoAbort } from '../core/faults.js';
import { fsyncDir } from '../core/fs-safe.js';
import { readManifest } from '../core/manifest.js';
import { validateBackupName } from '../core/naming.js';
import type { BackupStore, Manifest, OpenedBackup, StoredBackup } from '../core/types.js';
import { pidAlive } from '../core/pid.js';

const STAGING = '.staging';
const TRASH = '.trash';
const LOCK = '.lock';
/** How long a lock file may stay empty or unreadable (being written) before it counts as stale. */
const UNREADABLE_LOCK_GRACE_MS = 5000;
/** Default wait for the store lock. */
export const DEFAULT_LOCK_TIMEOUT_MS = 60_000;

/** What a lock file holds. */
export interface LockHolder {
  pid: number;
  host: string;
  purpose: string;
  since: string;
  nonce: string;
}

export interface LocalStoreOptions {
  /** Give up waiting for the store lock after this long (default 60 s). */
  lockTimeoutMs?: number;
  /** Told once when a run has to wait for the lock (for the log). */
  onWait?: (message: string) => void;
  /** Stops waiting for the lock. */
  signal?: AbortSignal;
}

export class LocalStore implements BackupStore {
  readonly dir: string;
  private readonly opts: LocalStoreOptions;

  /** @param dir the backups folder; created on first write. */
  constructor(dir: string, opts: LocalStoreOptions = {}) {
    if (!dir) throw new UsageError('--store: required; expected a folder path for backups');
    this.dir = path.resolve(dir);
    this.opts = opts;
  }

  /** Path of the store lock file. */
  get lockPath(): string {
    return path.join(this.dir, LOCK);
  }

  /**
   * Runs `fn` holding the store lock. Waits (up to the lock timeout) while
   * another live run holds it; takes over a lock whose holder died.
   * A store folder that does not exist yet needs no lock for reading steps,
   * so `fn` then runs without creating it.
   */
  async withLock<T>(purpose: string, fn: () => Promise<T>): Promise<T> {
    const st = await fs.stat(this.dir).catch(() => null);
    if (!st) return fn();
    const nonce = await this.acquireLock(purpose);
    try {
      return await fn();
    } finally {
      await this.releaseLock(nonce);
    }
  }

  private async acquireLock(purpose: string): Promise<string> {
    const timeoutMs = this.opts.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
    const deadline = Date.now() + timeoutMs;
    const nonce = randomBytes(8).toString('hex');
    const mine: LockHolder = { pid: process.pid, host: os.hostname(), purpose, since: new Date().toISOString(), nonce };
    const text = JSON.stringify(mine) + '\n';
    let told = false;
    let waits = 0;
    for (;;) {
      try {
        const handle = await fs.open(this.lockPath, 'wx', 0o644);
        try {
          await handle.writeFile(text);
          await handle.sync();
        } finally {
          await handle.close();
        }
        return nonce;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new StoreError(`cannot create the store lock ${this.lockPath}: ${(err as Error).message}`, {
            cause: err,
          });
        }
      }
      const raw = await fs.readFile(this.lockPath, 'utf8').catch(() => null);
      if (raw === null) continue; // released between our open and read
      const holder = parseHolder(raw);
      if (await this.isStale(holder)) {
        if (await this.takeOver(raw, text)) return nonce;
        continue;
      }
      const who = holder
        ? `pid ${holder.pid} on ${holder.host} (${holder.purpose} since ${holder.since})`
        : 'an unreadable lock file';
      if (Date.now() >= deadline) {
        throw new LockError(
          `store ${this.dir} is locked by ${who}; gave up after ${timeoutMs / 1000} s (--lock-timeout); if that run is gone, delete ${this.lockPath}`,
        );
      }
      if (this.opts.signal?.aborted) throw new CancelledError(`cancelled while waiting for the lock of ${this.dir}`);
      if (!told) {
        told = true;
        this.opts.onWait?.(`waiting for the store lock ${this.lockPath} held by ${who}`);
      }
      // Short holds (reserve, publish) end within milliseconds: poll fast first, then back off.
      waits += 1;
      const step = Math.min(100, 2 ** Math.min(waits, 7));
      await new Promise((r) => setTimeout(r, step + Math.floor(Math.random() * step)));
    }
  }

  private async isStale(holder: LockHolder | null): Promise<boolean> {
    if (!holder) {
      // Empty or garbled: a holder between create and write, or a run killed right then.
      const st = await fs.stat(this.lockPath).catch(() => null);
      return st !== null && Date.now() - st.mtimeMs > UNREADABLE_LOCK_GRACE_MS;
    }
    return holder.host === os.hostname() && !pidAlive(holder.pid);
  }

  /**
   * Replaces a stale lock with ours. Takeovers are serialised by a second
   * O_EXCL file held only for the re-check and the rename, so two runs that
   * both saw the same dead holder cannot both win.
   */
  private async takeOver(staleRaw: string, text: string): Promise<boolean> {
    const mutex = `${this.lockPath}.takeover`;
    try {
      await fs.writeFile(mutex, `${process.pid}\n${os.hostname()}\n`, { flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const [pidText, host] = (await fs.readFile(mutex, 'utf8').catch(() => '')).split('\n');
      const st = await fs.stat(mutex).catch(() => null);
      const dead = host === os.hostname() && !pidAlive(Number(pidText));
      if (st && (dead || Date.now() - st.mtimeMs > UNREADABLE_LOCK_GRACE_MS)) await fs.rm(mutex, { force: true });
      return false;
    }
    try {
      const now = await fs.readFile(this.lockPath, 'utf8').catch(() => null);
      if (now !== staleRaw) return false;
      const fresh = `${this.lockPath}.${process.pid}.${randomBytes(4).toString('hex')}.new`;
      await fs.writeFile(fresh, text, { flag: 'wx' });
      await fs.rename(fresh, this.lockPath);
      await fsyncDir(this.dir);
      this.opts.onWait?.(`took over a stale store lock (${oneLineHolder(staleRaw)})`);
      return true;
    } finally {
      await fs.rm(mutex, { force: true });
    }
  }

  private async releaseLock(nonce: string): Promise<void> {
    const raw = await fs.readFile(this.lockPath, 'utf8').catch(() => null);
    if (raw !== null && parseHolder(raw)?.nonce === nonce) await fs.rm(this.lockPath, { force: true });
  }

  describe(): string {
    return `local folder ${this.dir}`;
  }

  /**
   * Refuses a store folder that is itself a symbolic link (a backups folder
   * silently pointing somewhere else is how backups end up on the wrong disk)
   * or that is not a folder. Links higher up the path are fine.
   */
  private async checkRoot(): Promise<boolean> {
    const st = await fs.lstat(this.dir).catch(() => null);
    if (!st) return false;
    if (st.isSymbolicLink()) {
      const to = await fs.readlink(this.dir).catch(() => '?');
      throw new UsageError(
        `--store: ${this.dir} is a symbolic link to ${path.resolve(path.dirname(this.dir), to)}; give the real folder path`,
      );
    }
    if (!st.isDirectory()) throw new UsageError(`--store: ${this.dir} exists and is not a folder`);
    return true;
  }

  private async ensureDirs(): Promise<void> {
    await this.checkRoot();
    try {
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
    return this.withLock('backup', () => this.reserve(name));
  }

  private async reserve(name: string): Promise<string> {
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
    await this.ensureDirs();
    return this.withLock('backup publish', () => this.publishLocked(name, stagingDir, manifest));
  }

  private async publishLocked(name: string, stagingDir: string, manifest: Manifest): Promise<StoredBackup> {
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
    await faultPointNoAbort('store:published', this.opts.signal);
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
    if (!(await this.checkRoot())) return [];
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
    await this.checkRoot();
    const dir = path.join(this.dir, name);
    const st = await fs.lstat(dir).catch(() => null);
    if (!st || !st.isDirectory()) throw new NotFoundError(`--backup: no backup named ${name} in ${this.dir}`);
    const m = await readManifest(dir).catch(() => null);
    if (m && m.name !== name) {
      throw new UsageError(
        `--backup: folder ${dir} holds backup ${m.name}, not ${name} (a copied or renamed folder); give a name from 'list'`,
      );
    }
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
    await faultPointNoAbort('store:trashed', this.opts.signal);
    await fs.rm(trashed, { recursive: true, force: true });
  }
}

function parseHolder(raw: string): LockHolder | null {
  try {
    const h = JSON.parse(raw) as Partial<LockHolder>;
    if (typeof h.pid !== 'number' || typeof h.host !== 'string' || typeof h.nonce !== 'string') return null;
    return {
      pid: h.pid,
      host: h.host,
      purpose: String(h.purpose ?? '?'),
      since: String(h.since ?? '?'),
      nonce: h.nonce,
    };
  } catch {
    return null;
  }
}

function oneLineHolder(raw: string): string {
  const h = parseHolder(raw);
  return h ? `pid ${h.pid} on ${h.host}, ${h.purpose} since ${h.since}` : 'unreadable';
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
