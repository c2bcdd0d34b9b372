/**
 * Read-only inspection of SQLite files: header check, integrity check and the
 * facts a manifest records. Shared by snapshot, verify and restore.
 */
import fs from 'node:fs/promises';
import { DatabaseSync } from 'node:sqlite';
import { Worker } from 'node:worker_threads';
import { InputError } from './errors.js';
import type { SqliteFacts } from './types.js';

const HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/** Checks that `file` is a regular, non-empty SQLite database file; throws InputError naming it otherwise. */
export async function assertSqliteFile(file: string, what = 'database'): Promise<void> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InputError(`${what} ${file} does not exist`, { cause: err });
    if (code === 'EACCES') throw new InputError(`${what} ${file} is not readable (permission denied)`, { cause: err });
    if (code === 'EISDIR') throw new InputError(`${what} ${file} is a directory, not a SQLite file`, { cause: err });
    throw new InputError(`${what} ${file} cannot be opened: ${(err as Error).message}`, { cause: err });
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new InputError(`${what} ${file} is not a regular file`);
    if (st.size === 0) throw new InputError(`${what} ${file} is empty (0 bytes), not a SQLite database`);
    const buf = Buffer.alloc(16);
    const { bytesRead } = await handle.read(buf, 0, 16, 0);
    if (bytesRead < 16 || !buf.equals(HEADER)) {
      throw new InputError(`${what} ${file} is not a SQLite database (no "SQLite format 3" header)`);
    }
  } finally {
    await handle.close();
  }
}

/** Double-quotes an SQL identifier. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Facts about an open database (one read transaction should be active for consistency). */
export function collectFacts(db: DatabaseSync, sourceJournalMode: string): Omit<SqliteFacts, 'integrityCheck'> {
  const one = (sql: string) => Object.values(db.prepare(sql).get() as Record<string, unknown>)[0];
  const tables: Record<string, number> = {};
  const names = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .all() as { name: string }[];
  for (const { name } of names) {
    tables[name] = Number(one(`SELECT count(*) FROM ${quoteIdent(name)}`));
  }
  let analysisSchemaVersion: string | null = null;
  if ('analysis_schema_versions' in tables) {
    try {
      const row = db
        .prepare("SELECT schema_version FROM analysis_schema_versions WHERE schema_key = 'story_analysis_runs'")
        .get() as { schema_version?: unknown } | undefined;
      if (row?.schema_version !== undefined && row.schema_version !== null) {
        analysisSchemaVersion = String(row.schema_version);
      }
    } catch {
      // A table of that name without the expected columns is not the service's: leave the version unknown.
    }
  }
  return {
    pageSize: Number(one('PRAGMA page_size')),
    pageCount: Number(one('PRAGMA page_count')),
    sourceJournalMode,
    userVersion: Number(one('PRAGMA user_version')),
    tables,
    analysisSchemaVersion,
  };
}

/** Sets a database file's journal mode (and with it the file-format flag in its header). */
export function setJournalMode(file: string, mode: 'wal' | 'delete'): void {
  const db = new DatabaseSync(file);
  try {
    db.exec(`PRAGMA journal_mode=${mode}`);
  } finally {
    db.close();
  }
}

/** Opens a database file read-only for checks (never creates it, never writes). */
export function openReadOnly(file: string): DatabaseSync {
  return new DatabaseSync(file, { readOnly: true, timeout: 10_000 });
}

/*
 * PRAGMA integrity_check reads every page and is synchronous. Run in a worker
 * thread, it overlaps with hashing the same file on the main thread (the two
 * are the bulk of verification), which on two cores nearly halves a verify.
 * The worker is plain CommonJS source evaluated by Node, so it needs no
 * separate file in the bundles.
 */
const INTEGRITY_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { DatabaseSync } = require('node:sqlite');
let db;
try {
  db = new DatabaseSync(workerData.file, { readOnly: true, timeout: 10000 });
  const rows = db.prepare('PRAGMA integrity_check').all().map((r) => String(r.integrity_check));
  parentPort.postMessage({ problems: rows.length === 1 && rows[0] === 'ok' ? [] : rows });
} catch (err) {
  parentPort.postMessage({ error: String(err && err.message || err) });
} finally {
  if (db) db.close();
}
`;

/** `PRAGMA integrity_check` on a file in a worker thread; resolves to the problems found (empty when ok). */
export function integrityProblemsInWorker(file: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(INTEGRITY_WORKER, { eval: true, workerData: { file } });
    let settled = false;
    worker.once('message', (msg: { problems?: string[]; error?: string }) => {
      settled = true;
      if (msg.error !== undefined) reject(new Error(msg.error));
      else resolve(msg.problems ?? []);
    });
    worker.once('error', (err) => {
      settled = true;
      reject(err);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`integrity check worker exited with code ${code}`));
    });
  });
}
