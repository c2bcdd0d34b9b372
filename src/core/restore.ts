/**
 * Restore: put a verified backup back over the live files, atomically, with a
 * pre-restore safety copy, then smoke-check. Order of work:
 *   1. verify the backup completely before touching anything;
 *   2. stop writers;
 *   3. quiesce the old database (roll back a hot journal, checkpoint the WAL)
 *      and keep a safety copy `<file>.pre-restore-<stamp>` of every file about
 *      to be replaced (SQLite backup API when it opens, a plain copy otherwise);
 *   4. write each restored file under a temporary name beside its target,
 *      check it, fsync, rename over the target, fsync the folder;
 *   5. remove the old -wal/-shm/-journal (already empty after step 3), so they
 *      can never be replayed into the restored file;
 *   6. start writers (always, once stopped);
 *   7. smoke checks; on failure optionally revert from the safety copies.
 * A crash at any point leaves each target wholly old or wholly restored.
 */
import { statSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { dataRoots, type Backend, type ResolvedConfig } from './config.js';
import {
  CancelledError,
  NotFoundError,
  RestoreError,
  SmokeError,
  StorageOpsError,
  UsageError,
  oneLine,
} from './errors.js';
import { diskFullError, ensureSpace, isDiskFull } from './disk-space.js';
import { faultPoint, faultPointNoAbort } from './faults.js';
import { copyFileHashed, exists, fsyncDir, fsyncFile, hashFile, tempNameBeside, throttledProgress } from './fs-safe.js';
import type { Logger } from './logger.js';
import { formatStamp, validateBackupName } from './naming.js';
import { assertSqliteFile, setJournalMode } from './sqlite-inspect.js';
import { copyConsistent } from './sqlite-snapshot.js';
import type { BackupStore, Manifest, ManifestFile } from './types.js';
import { verifyBackupDir } from './verify.js';
import { withWritersStopped, type WriterCommands } from './writers.js';
import { pidAlive } from './pid.js';

/** SQLite files that must not survive next to a replaced database. */
export const SIDECARS = ['-wal', '-shm', '-journal'] as const;

/** Result of the smoke checks as restore needs it (the smoke module provides it). */
export interface SmokeOutcome {
  ok: boolean;
  /** One line saying which check failed and why, when not ok. */
  message: string;
  checks: unknown[];
}

export interface RestoreOptions {
  store: BackupStore;
  /** Backup name or `latest` (newest backup of the target backend). */
  backup: string;
  /** Target configuration (db path and backend). */
  config: ResolvedConfig;
  /** True when the operator named the backend (allows restoring another backend's files). */
  backendExplicit: boolean;
  writers?: WriterCommands;
  expectSchemaVersion?: string;
  revertOnFailure?: boolean;
  dryRun?: boolean;
  /** Runs the smoke checks after writers are back; omitted means no smoke checks. */
  smoke?: () => Promise<SmokeOutcome>;
  logger: Logger;
  signal?: AbortSignal;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  now?: () => Date;
}

/** One file the restore replaces. */
export interface RestoreFilePlan {
  role: ManifestFile['role'];
  /** File inside the backup. */
  from: string;
  /** Live file it replaces. */
  target: string;
  /** Whether the target exists now (and so gets a safety copy). */
  targetExists: boolean;
  safetyCopy: string | null;
  bytes: number;
  sha256: string;
}

export interface RestorePlan {
  backup: string;
  backend: Backend;
  schemaVersion: string | null;
  sourceJournalMode: string | null;
  files: RestoreFilePlan[];
  /** Sidecar files that exist now and will be removed. */
  sidecars: string[];
  /** Targets reached through a symbolic link: "<link> follows the link ... to <real file>". */
  links?: string[];
  commands: { stopWriters?: string; startWriters?: string };
}

export interface RestoreResult {
  restoredFrom: string;
  dryRun: boolean;
  plan: RestorePlan;
  safetyCopies: string[];
  removedSidecars: string[];
  smoke: SmokeOutcome | null;
  reverted: boolean;
  durationMs: number;
  phasesMs: Record<string, number>;
}

/** Which live file each backup file goes to; refuses cross-backend restores unless explicit. */
export async function planRestore(
  manifest: Manifest,
  config: ResolvedConfig,
  backendExplicit: boolean,
  stamp: string,
  writers: WriterCommands = {},
): Promise<RestorePlan> {
  if (manifest.backend !== config.backend) {
    const hint = backendExplicit
      ? `--backend ${config.backend} does not match; pass --backend ${manifest.backend} to restore it`
      : `pass --backend ${manifest.backend} to restore it over that backend's files`;
    throw new UsageError(
      `--backup: ${manifest.name} holds ${manifest.backend} data but the target backend is ${config.backend}; ${hint}`,
    );
  }
  const roots = dataRoots(manifest.backend, config.dbPath);
  const files: RestoreFilePlan[] = [];
  const links: string[] = [];
  for (const f of manifest.files) {
    let target = roots.files.find((r) => r.role === f.role)?.path;
    if (!target) throw new RestoreError(`${manifest.name}: no target for a ${f.role} file`);
    const st = await fs.lstat(target).catch(() => null);
    if (st?.isSymbolicLink()) {
      // A linked database is common (a data disk mounted elsewhere): replace the real file, keep the link.
      const real = await fs.realpath(target).catch(() => null);
      if (!real) throw new UsageError(`--db-path: ${target} is a link to a missing file; expected the database file`);
      links.push(`${target} is a link to ${real}`);
      target = real;
    }
    if ((await fs.stat(target).catch(() => null))?.isDirectory()) {
      throw new UsageError(`--db-path: ${target} is a folder; expected the SQLite database file`);
    }
    const targetExists = await exists(target);
    files.push({
      role: f.role,
      from: f.name,
      target,
      targetExists,
      safetyCopy: targetExists ? `${target}.pre-restore-${stamp}` : null,
      bytes: f.bytes,
      sha256: f.sha256,
    });
  }
  const sidecars: string[] = [];
  for (const f of files.filter((x) => x.role === 'sqlite')) {
    for (const s of SIDECARS) if (await exists(f.target + s)) sidecars.push(f.target + s);
  }
  return {
    backup: manifest.name,
    backend: manifest.backend,
    schemaVersion: manifest.schemaVersion,
    sourceJournalMode: manifest.files.find((f) => f.sqlite)?.sqlite?.sourceJournalMode ?? null,
    files,
    sidecars,
    links,
    commands: { stopWriters: writers.stop, startWriters: writers.start },
  };
}

/** Resolves `latest` to the newest backup of the backend; validates a given name. */
export async function resolveBackupName(store: BackupStore, ref: string, backend: Backend): Promise<string> {
  if (ref !== 'latest') return validateBackupName(ref);
  const newest = (await store.list()).find((b) => b.backend === backend);
  if (!newest)
    throw new NotFoundError(`--backup: latest asked for, but ${store.describe()} holds no ${backend} backup`);
  return newest.name;
}

/** Restores one backup; see the module comment for the order of work. */
export async function runRestore(opts: RestoreOptions): Promise<RestoreResult> {
  const { logger } = opts;
  const started = performance.now();
  const phasesMs: Record<string, number> = {};
  const phase = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    try {
      return await logger.group(name, fn);
    } finally {
      phasesMs[name] = Math.round(performance.now() - t);
    }
  };
  const name = await resolveBackupName(opts.store, opts.backup, opts.config.backend);
  const opened = await opts.store.open(name);
  try {
    const report = await phase('verify', () =>
      verifyBackupDir(opened.dir, { onProgress: throttledProgress('verify', (l) => logger.info(l)) }),
    );
    const manifest = report.manifest;
    logger.info(
      `backup ${name} verified (${manifest.backend}, ${manifest.bytes} bytes, created ${manifest.createdAt})`,
    );
    if (opts.expectSchemaVersion !== undefined && manifest.schemaVersion !== opts.expectSchemaVersion) {
      throw new UsageError(
        `--expect-schema-version: backup ${name} records analysis schema version ${manifest.schemaVersion ?? '(none)'}, not ${opts.expectSchemaVersion}; the service would refuse to start on it`,
      );
    }
    const stamp = formatStamp((opts.now ?? (() => new Date()))());
    const plan = await planRestore(manifest, opts.config, opts.backendExplicit, stamp, opts.writers);
    for (const l of plan.links ?? []) logger.info(`--db-path: ${l}; restoring into the real file`);
    if (opts.dryRun) {
      logger.info('dry run: nothing changed');
      return {
        restoredFrom: name,
        dryRun: true,
        plan,
        safetyCopies: [],
        removedSidecars: [],
        smoke: null,
        reverted: false,
        durationMs: Math.round(performance.now() - started),
        phasesMs,
      };
    }
    if (!opts.writers?.stop) {
      logger.warn('no --stop-writers given: make sure nothing writes to the target files during the restore');
    }
    const safetyCopies: string[] = [];
    const removedSidecars: string[] = [];
    const removedTemps = await removeStaleTemps(plan);
    if (removedTemps.length) logger.info(`removed leftovers of an interrupted restore: ${removedTemps.join(', ')}`);
    await ensureSpace(spaceDir(plan), spaceNeeded(plan), `restoring ${name}`);
    let replaced = 0;
    try {
      await withWritersStopped(
        opts.writers ?? {},
        { cwd: opts.cwd, env: opts.env, logger, signal: opts.signal },
        async () => {
          await faultPoint('restore:writers-stopped', opts.signal);
          // Safety copies (read the live files) and staging (copy the backup beside
          // its target) touch different files, so they run side by side: the
          // SQLite backup API works on the thread pool while the staging copy
          // streams. Nothing is swapped until both have finished.
          const staged = await phase('safety copy and staging', async () => {
            const safety = (async () => {
              for (const f of plan.files) {
                if (!f.targetExists || !f.safetyCopy) continue;
                opts.signal?.throwIfAborted();
                await makeSafetyCopy(f, logger);
                safetyCopies.push(f.safetyCopy);
              }
            })();
            const staging = stageFiles(plan, opened.dir, logger, opts.signal);
            const [s1, s2] = await Promise.allSettled([safety, staging]);
            if (s1.status === 'rejected') {
              if (s2.status === 'fulfilled') for (const st of s2.value) await fs.rm(st.temp, { force: true });
              throw s1.reason;
            }
            if (s2.status === 'rejected') throw s2.reason;
            return s2.value;
          });
          try {
            await faultPoint('restore:safety-copied', opts.signal);
            await faultPoint('restore:staged', opts.signal);
            opts.signal?.throwIfAborted();
          } catch (err) {
            for (const st of staged) await fs.rm(st.temp, { force: true });
            throw err;
          }
          await phase('swap', async () => {
            // From here on we finish: a half-applied restore is worse than a late cancel.
            for (const s of staged) {
              if (s.role === 'sqlite') removedSidecars.push(...(await removeSidecars(s.target)));
              await fs.rename(s.temp, s.target);
              replaced += 1;
              await fsyncDir(path.dirname(s.target));
              logger.info(`restored ${s.target}`);
              await faultPointNoAbort(`restore:renamed-${replaced}`, opts.signal);
            }
            for (const s of staged) {
              if (s.role === 'sqlite' && plan.sourceJournalMode === 'wal') setJournalMode(s.target, 'wal');
            }
          });
        },
      );
    } catch (err) {
      // Nothing was replaced: the safety copies of this run only take space.
      if (replaced === 0) for (const c of safetyCopies) await removeSafetyCopy(c);
      if (isDiskFull(err)) throw await diskFullError(spaceDir(plan), `restoring ${name}`, spaceNeeded(plan), err);
      throw err;
    }
    let smoke: SmokeOutcome | null = null;
    let reverted = false;
    if (opts.smoke) {
      smoke = await phase('smoke checks', opts.smoke);
      if (!smoke.ok) {
        if (opts.revertOnFailure && safetyCopies.length > 0) {
          logger.warn(`smoke checks failed (${smoke.message}); reverting to the pre-restore safety copies`);
          await withWritersStopped(opts.writers ?? {}, { cwd: opts.cwd, env: opts.env, logger }, () =>
            phase('revert', () => revertFromSafetyCopies(plan, logger)),
          );
          reverted = true;
          throw new SmokeError(
            `smoke checks failed after restoring ${name}: ${smoke.message}; reverted to the pre-restore data and restarted writers`,
          );
        }
        throw new SmokeError(
          `smoke checks failed after restoring ${name}: ${smoke.message}; the restored data is in place (safety copies: ${safetyCopies.join(', ') || 'none'})`,
        );
      }
    }
    return {
      restoredFrom: name,
      dryRun: false,
      plan,
      safetyCopies,
      removedSidecars,
      smoke,
      reverted,
      durationMs: Math.round(performance.now() - started),
      phasesMs,
    };
  } catch (err) {
    if (opts.signal?.aborted && !(err instanceof CancelledError) && !(err instanceof SmokeError)) {
      throw new CancelledError(`restore cancelled (${String(opts.signal.reason)})`, { cause: err });
    }
    if (err instanceof StorageOpsError) throw err;
    throw new RestoreError(`restore of ${name} failed: ${oneLine(err)}; the target files were not replaced`, {
      cause: err,
    });
  } finally {
    await opened.release();
  }
}

/** Folder the restore writes into (every target of one backend shares it). */
function spaceDir(plan: RestorePlan): string {
  return path.dirname(plan.files[0]?.target ?? '.');
}

/** Bytes a restore writes before anything is replaced: staged files plus safety copies. */
function spaceNeeded(plan: RestorePlan): number {
  let n = 0;
  for (const f of plan.files) {
    n += f.bytes;
    if (f.targetExists) n += fsSizeSync(f.target);
  }
  return n;
}

function fsSizeSync(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

async function removeSafetyCopy(copy: string): Promise<void> {
  await fs.rm(copy, { force: true });
  for (const s of SIDECARS) await fs.rm(copy + s, { force: true });
}

/**
 * Removes temp files a killed restore left beside the targets
 * (`.<name>.restore-<pid>-<hex>`, `.<name>.revert-…`, `.<name>.pre-restore-<stamp>.partial-…`)
 * whose owner pid is gone. A live owner's files are never touched.
 */
export async function removeStaleTemps(plan: RestorePlan): Promise<string[]> {
  const removed: string[] = [];
  const byDir = new Map<string, string[]>();
  for (const f of plan.files) {
    const dir = path.dirname(f.target);
    byDir.set(dir, [...(byDir.get(dir) ?? []), path.basename(f.target)]);
  }
  for (const [dir, bases] of byDir) {
    const entries = await fs.readdir(dir).catch(() => [] as string[]);
    for (const e of entries) {
      const m = /^\.(.+)\.(restore|revert|partial)-(\d+)-[0-9a-f]{8}$/.exec(e);
      if (!m) continue;
      const [, of, kind, pidText] = m;
      const ours = kind === 'partial' ? bases.some((b) => of!.startsWith(`${b}.pre-restore-`)) : bases.includes(of!);
      if (!ours || pidAlive(Number(pidText))) continue;
      await fs.rm(path.join(dir, e), { force: true });
      removed.push(path.join(dir, e));
    }
  }
  return removed;
}

/**
 * Brings the old database to a single consistent file: opening it rolls back
 * a hot journal, and a TRUNCATE checkpoint folds the WAL into the main file.
 * Returns false when the file does not open as SQLite.
 */
function quiesce(file: string): boolean {
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(file, { timeout: 10_000 });
  } catch {
    return false;
  }
  try {
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    const mode = String((db.prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode);
    if (mode === 'wal') db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    return true;
  } catch {
    return false;
  } finally {
    db.close();
  }
}

/** Safety copy of one live file, written under a temp name and renamed into place. */
async function makeSafetyCopy(f: RestoreFilePlan, logger: Logger): Promise<void> {
  const dest = f.safetyCopy!;
  const tmp = tempNameBeside(dest, 'partial');
  try {
    let viaSqlite = false;
    if (f.role === 'sqlite') {
      const isSqlite = await assertSqliteFile(f.target).then(
        () => true,
        () => false,
      );
      if (isSqlite && quiesce(f.target)) {
        await copyConsistent(f.target, tmp);
        viaSqlite = true;
      }
    }
    if (!viaSqlite) {
      await copyFileHashed(f.target, tmp);
      if (f.role === 'sqlite') {
        // The old file does not open: keep its sidecars too, byte for byte.
        for (const s of SIDECARS) {
          if (await exists(f.target + s)) await fs.copyFile(f.target + s, `${dest}${s}`);
        }
      }
    }
    await fs.rename(tmp, dest);
    await fsyncDir(path.dirname(dest));
    logger.info(`safety copy: ${dest}${viaSqlite ? ' (SQLite backup)' : ' (plain copy)'}`);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw new RestoreError(`cannot make the safety copy ${dest}: ${oneLine(err)}; nothing was replaced`, {
      cause: err,
    });
  }
}

interface StagedFile {
  role: ManifestFile['role'];
  temp: string;
  target: string;
}

/** Writes every restored file under a temp name beside its target and checks it. */
async function stageFiles(
  plan: RestorePlan,
  backupDir: string,
  logger: Logger,
  signal?: AbortSignal,
): Promise<StagedFile[]> {
  const staged: StagedFile[] = [];
  try {
    for (const f of plan.files) {
      signal?.throwIfAborted();
      await fs.mkdir(path.dirname(f.target), { recursive: true });
      const temp = tempNameBeside(f.target, 'restore');
      staged.push({ role: f.role, temp, target: f.target });
      // A kernel copy (copy_file_range) then a read-back hash of what was
      // written: faster than streaming through JS, and it checks the copy
      // itself rather than the bytes we meant to write.
      await fs.copyFile(path.join(backupDir, f.from), temp, fs.constants.COPYFILE_EXCL);
      await fsyncFile(temp);
      signal?.throwIfAborted();
      const { sha256 } = await hashFile(
        temp,
        throttledProgress(`check ${f.from}`, (l) => logger.info(l)),
      );
      if (sha256 !== f.sha256) {
        throw new RestoreError(`${f.from} changed after verification (sha256 differs); nothing was replaced`);
      }
      // The copy's sha256 equals that of the backup file, which passed
      // integrity_check moments ago: the bytes are identical, so no second check.
    }
    return staged;
  } catch (err) {
    for (const s of staged) await fs.rm(s.temp, { force: true });
    throw err;
  }
}

/** Removes -wal/-shm/-journal beside `target`; returns the ones removed. */
async function removeSidecars(target: string): Promise<string[]> {
  const removed: string[] = [];
  for (const s of SIDECARS) {
    try {
      await fs.unlink(target + s);
      removed.push(target + s);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  return removed;
}

/** Puts the safety copies back by the same atomic steps. */
async function revertFromSafetyCopies(plan: RestorePlan, logger: Logger): Promise<void> {
  for (const f of plan.files) {
    if (!f.safetyCopy) continue;
    const temp = tempNameBeside(f.target, 'revert');
    try {
      await copyFileHashed(f.safetyCopy, temp);
      if (f.role === 'sqlite') {
        quiesce(f.target);
        await removeSidecars(f.target);
      }
      await fs.rename(temp, f.target);
      await fsyncDir(path.dirname(f.target));
      logger.info(`reverted ${f.target} from ${f.safetyCopy}`);
    } catch (err) {
      await fs.rm(temp, { force: true });
      throw new RestoreError(`reverting ${f.target} from ${f.safetyCopy} failed: ${oneLine(err)}`, { cause: err });
    }
  }
}
