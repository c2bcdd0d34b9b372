/**
 * Consistent online snapshot of a live SQLite database through SQLite's own
 * backup API (`node:sqlite` `backup()`), never a file copy.
 *
 * Strategy (measurements in docs/benchmarks.md and docs/backup.md):
 * - We open a read transaction on the source connection and keep it open for
 *   the whole backup. `sqlite3_backup_step` reuses an open read transaction
 *   instead of taking and dropping its own lock per step, so the pager never
 *   notices other connections' commits between steps and the copy never
 *   restarts: it finishes in one pass under steady writes, and the snapshot is
 *   exactly one committed state.
 * - WAL mode: the read transaction pins a snapshot; writers keep committing to
 *   the WAL, unaffected.
 * - Rollback-journal mode (the service's default): our shared lock makes a
 *   committing writer wait, which its busy timeout (Python's 5 s) covers as long
 *   as the copy is faster than that. Copies run at ~350+ MB/s here, so we warn
 *   when a database is large enough that the estimated copy time approaches the
 *   writers' busy timeout and suggest --stop-writers.
 * - 16 MiB steps: as fast as larger ones here, with progress every step.
 * The copy is then switched to journal_mode=DELETE so it is one self-contained
 * file, checked with PRAGMA integrity_check, and fsynced.
 */
import fs from 'node:fs/promises';
import { DatabaseSync, backup } from 'node:sqlite';
import { CancelledError, SnapshotError, StorageOpsError } from './errors.js';
import { fsyncFile, hashFile, type ProgressFn } from './fs-safe.js';
import {
  assertSqliteFile,
  collectFacts,
  integrityProblemsInWorker,
  openReadOnly,
  setJournalMode,
} from './sqlite-inspect.js';
import type { SqliteFacts } from './types.js';

/** Bytes per backup step: measured as fast as larger steps, with finer progress. */
const STEP_BYTES = 16 * 1024 * 1024;
/** How long we wait for a writer to let us take the read lock. */
const LOCK_WAIT_MS = 30_000;

export interface SqliteSnapshotResult {
  bytes: number;
  sha256: string;
  facts: SqliteFacts;
}

/**
 * Copies a live database into `dest` (which must not exist) as one committed
 * state, through the backup API inside one held read transaction (see the
 * module comment), then makes the copy a self-contained DELETE-journal file and
 * fsyncs it. Used for snapshots and for restore's safety copies. Returns the
 * source's journal mode.
 */
export async function copyConsistent(
  source: string,
  dest: string,
  opts: { onProgress?: ProgressFn; signal?: AbortSignal; warn?: (m: string) => void } = {},
): Promise<{ journalMode: string }> {
  let src: DatabaseSync;
  try {
    src = new DatabaseSync(source, { timeout: LOCK_WAIT_MS });
  } catch (err) {
    throw new SnapshotError(`cannot open database ${source}: ${(err as Error).message}`, { cause: err });
  }
  let journalMode = 'unknown';
  try {
    journalMode = String((src.prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode);
    const pageSize = Number((src.prepare('PRAGMA page_size').get() as { page_size: number }).page_size);
    // Taking the read lock now and holding it is what keeps the backup from restarting.
    src.exec('BEGIN');
    const pageCount = Number((src.prepare('PRAGMA page_count').get() as { page_count: number }).page_count);
    const estSeconds = (pageCount * pageSize) / (350 * 1024 * 1024);
    if (journalMode !== 'wal' && estSeconds > 2.5) {
      opts.warn?.(
        `database is ${((pageCount * pageSize) / 1048576).toFixed(0)} MiB in ${journalMode} journal mode: writers wait up to ~${estSeconds.toFixed(1)} s for the snapshot; with a 5 s busy timeout consider --stop-writers or WAL mode`,
      );
    }
    const rate = Math.max(1, Math.floor(STEP_BYTES / pageSize));
    await backup(src, dest, {
      rate,
      progress: ({ totalPages, remainingPages }) => {
        if (opts.signal?.aborted) throw new CancelledError('backup cancelled');
        opts.onProgress?.((totalPages - remainingPages) * pageSize, totalPages * pageSize);
      },
    });
    opts.signal?.throwIfAborted();
  } catch (err) {
    await fs.rm(dest, { force: true });
    if (opts.signal?.aborted) throw new CancelledError('backup cancelled', { cause: err });
    if (err instanceof StorageOpsError) throw err;
    throw new SnapshotError(`SQLite backup of ${source} failed: ${(err as Error).message}`, { cause: err });
  } finally {
    try {
      if (src.isTransaction) src.exec('COMMIT');
    } catch {}
    src.close();
  }
  try {
    // A copy of a WAL database carries the WAL flag in its header; DELETE mode
    // makes it a single file that needs no -wal beside it.
    setJournalMode(dest, 'delete');
    await fsyncFile(dest);
  } catch (err) {
    await fs.rm(dest, { force: true });
    await fs.rm(`${dest}-journal`, { force: true });
    throw new SnapshotError(`finishing the copy of ${source} failed: ${(err as Error).message}`, { cause: err });
  }
  return { journalMode };
}

/** Snapshots `source` into `dest` (which must not exist), then checks and describes the copy. */
export async function snapshotSqlite(
  source: string,
  dest: string,
  opts: { onProgress?: ProgressFn; signal?: AbortSignal; warn?: (m: string) => void } = {},
): Promise<SqliteSnapshotResult> {
  await assertSqliteFile(source);
  const { journalMode } = await copyConsistent(source, dest, opts);
  try {
    // The integrity check (worker thread) overlaps with the facts and the hash.
    const integrity = integrityProblemsInWorker(dest);
    integrity.catch(() => {});
    const facts = readFacts(dest, journalMode);
    const { bytes, sha256 } = await hashFile(dest);
    const problems = await integrity;
    if (problems.length > 0) {
      throw new SnapshotError(`snapshot failed PRAGMA integrity_check: ${problems.slice(0, 3).join('; ')}`);
    }
    return { bytes, sha256, facts: { ...facts, integrityCheck: 'ok' } };
  } catch (err) {
    await fs.rm(dest, { force: true });
    await fs.rm(`${dest}-journal`, { force: true });
    if (err instanceof StorageOpsError) throw err;
    throw new SnapshotError(`checking the snapshot of ${source} failed: ${(err as Error).message}`, { cause: err });
  }
}

/** Manifest facts of the snapshot, read in one transaction. */
function readFacts(dest: string, sourceJournalMode: string): Omit<SqliteFacts, 'integrityCheck'> {
  const db = openReadOnly(dest);
  try {
    db.exec('BEGIN');
    const facts = collectFacts(db, sourceJournalMode);
    db.exec('COMMIT');
    return facts;
  } finally {
    db.close();
  }
}
