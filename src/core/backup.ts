/**
 * The backup executor: snapshot the backend's files into a staging folder of
 * the store (writers optionally stopped), write the manifest, verify the whole
 * backup, then publish it. A backup that did not verify is never published.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { dbStem, type ResolvedConfig } from './config.js';
import { CancelledError, InputError, NameTakenError, StorageOpsError, StoreError } from './errors.js';
import { diskFullError, ensureSpace, isDiskFull } from './disk-space.js';
import { faultPoint } from './faults.js';
import { throttledProgress } from './fs-safe.js';
import { snapshotJsonl, snapshotMeta } from './jsonl.js';
import type { Logger } from './logger.js';
import { writeManifest } from './manifest.js';
import { backupName, defaultPrefix, validatePrefix } from './naming.js';
import { snapshotSqlite } from './sqlite-snapshot.js';
import { MANIFEST_FORMAT, type BackupStore, type Manifest, type ManifestFile, type StoredBackup } from './types.js';
import { verifyBackupDir } from './verify.js';
import { TOOL_NAME, TOOL_VERSION } from './version.js';
import { withWritersStopped, type WriterCommands } from './writers.js';

/** Options shared by the CLI's `backup` and the action's `command: backup`. */
export interface BackupOptions {
  config: ResolvedConfig;
  store: BackupStore;
  /** Name prefix; defaults to `<db stem>-<backend>`. */
  prefix?: string;
  writers?: WriterCommands;
  logger: Logger;
  signal?: AbortSignal;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Clock, injectable for tests. */
  now?: () => Date;
}

export interface BackupResult {
  name: string;
  manifest: Manifest;
  stored: StoredBackup;
  durationMs: number;
}

/** Checks that the backend's source files exist before writers are stopped. */
async function preflightSources(config: ResolvedConfig): Promise<void> {
  for (const f of config.files) {
    try {
      await fs.access(f.path, fs.constants.R_OK);
    } catch (err) {
      const what = f.role === 'sqlite' ? 'database' : f.role === 'runs' ? 'runs file' : 'meta file';
      const code = (err as NodeJS.ErrnoException).code;
      throw new InputError(
        code === 'ENOENT'
          ? `${what} ${f.path} does not exist (backend ${config.backend}; set --db-path or STORY_GEN_DB_PATH)`
          : `${what} ${f.path} is not readable by this user (${code}); run storage-ops as a user that can read it`,
        { cause: err },
      );
    }
  }
}

/** Makes, verifies and publishes one backup. */
export async function runBackup(opts: BackupOptions): Promise<BackupResult> {
  const { config, store, logger } = opts;
  const started = performance.now();
  const now = opts.now ?? (() => new Date());
  const prefix = opts.prefix ? validatePrefix(opts.prefix) : defaultPrefix(dbStem(config.dbPath), config.backend);
  await preflightSources(config);
  let createdAt = now();
  let name = backupName(prefix, createdAt);
  // Two backups in the same millisecond (or a clock that stepped back) still get
  // distinct names: the store refuses a taken name (NameTakenError, below) and
  // we take the next millisecond. Asking the store for the name itself is one
  // cheap lookup, where listing every backup first would page through them all.
  let staging: string | undefined;
  for (let attempt = 0; staging === undefined; attempt++) {
    try {
      staging = await store.createStaging(name);
    } catch (err) {
      if (!(err instanceof NameTakenError) || attempt >= 1000) throw err;
      createdAt = new Date(createdAt.getTime() + 1);
      name = backupName(prefix, createdAt);
    }
  }
  logger.info(`backing up ${config.backend} data from ${config.dbPath} as ${name}`);
  const linked = await fs.realpath(config.dbPath).catch(() => null);
  if (linked && linked !== path.resolve(config.dbPath)) {
    logger.info(
      `--db-path: ${config.dbPath} is a link to ${linked}; backing up the real file (recorded in the manifest)`,
    );
  }
  // Where the bytes land: the store folder for a local store (staging sits in <store>/.staging).
  const parent = path.dirname(staging);
  const spaceDir = path.basename(parent) === '.staging' ? path.dirname(parent) : parent;
  let needed = 0;
  try {
    for (const f of config.files) needed += (await fs.stat(f.path)).size;
    await faultPoint('backup:staging-created', opts.signal);
    await ensureSpace(spaceDir, needed, 'the backup');
    const files = await withWritersStopped(
      opts.writers ?? {},
      { cwd: opts.cwd, env: opts.env, logger, signal: opts.signal },
      async () => {
        await faultPoint('backup:writers-stopped', opts.signal);
        return snapshotFiles(config, staging!, logger, opts.signal);
      },
    );
    await faultPoint('backup:snapshot-done', opts.signal);
    const schemaVersion =
      files.find((f) => f.sqlite)?.sqlite?.analysisSchemaVersion ??
      files.find((f) => f.meta)?.meta?.schemaVersion ??
      null;
    const dbRealPath = await fs.realpath(config.dbPath).catch(() => config.dbPath);
    const manifest: Manifest = {
      formatVersion: MANIFEST_FORMAT,
      tool: { name: TOOL_NAME, version: TOOL_VERSION },
      name,
      backend: config.backend,
      createdAt: createdAt.toISOString(),
      source: {
        dbPath: config.dbPath,
        host: os.hostname(),
        ...(dbRealPath !== path.resolve(config.dbPath) ? { dbRealPath } : {}),
      },
      schemaVersion,
      files,
      bytes: files.reduce((n, f) => n + f.bytes, 0),
      durationMs: Math.round(performance.now() - started),
    };
    await writeManifest(staging, manifest);
    opts.signal?.throwIfAborted();
    await logger.group('verify', async () => {
      // A SQLite snapshot's sha256 and integrity_check were computed by reading
      // the written file back; reading it a second time proves nothing more.
      // Everything else is checked in full, and the folder must match its
      // manifest exactly. `verify` and every restore re-check all contents.
      await verifyBackupDir(staging!, { sqliteJustChecked: true });
      logger.info(
        `verified ${name}: sizes, sha256, ${config.backend === 'sqlite' ? 'integrity_check' : 'JSONL lines and meta'} ok; the folder matches its manifest`,
      );
    });
    await faultPoint('backup:before-publish', opts.signal);
    opts.signal?.throwIfAborted();
    const stored = await store.publish(name, staging, manifest);
    const durationMs = Math.round(performance.now() - started);
    logger.info(`published ${name} (${manifest.bytes} bytes) to ${store.describe()} in ${durationMs} ms`);
    return { name, manifest, stored, durationMs };
  } catch (err) {
    await store.discardStaging(staging);
    if (isDiskFull(err)) throw await diskFullError(spaceDir, 'the backup', needed, err);
    if (opts.signal?.aborted && !(err instanceof CancelledError)) {
      throw new CancelledError(`backup cancelled (${String(opts.signal.reason)}); nothing was published`, {
        cause: err,
      });
    }
    if (err instanceof StorageOpsError) throw err;
    throw new StoreError(`backup ${name} failed: ${(err as Error).message}`, { cause: err });
  }
}

/** Snapshots every file of the backend into `dir`. */
async function snapshotFiles(
  config: ResolvedConfig,
  dir: string,
  logger: Logger,
  signal?: AbortSignal,
): Promise<ManifestFile[]> {
  const out: ManifestFile[] = [];
  const warn = (m: string) => logger.warn(m);
  for (const f of config.files) {
    signal?.throwIfAborted();
    const name = path.basename(f.path);
    const dest = path.join(dir, name);
    const onProgress = throttledProgress(`copy ${name}`, (l) => logger.info(l));
    if (f.role === 'sqlite') {
      const r = await snapshotSqlite(f.path, dest, { onProgress, signal, warn });
      logger.info(
        `${name}: ${r.bytes} bytes, ${r.facts.pageCount} pages, journal ${r.facts.sourceJournalMode}, integrity ok`,
      );
      out.push({ name, role: f.role, source: f.path, bytes: r.bytes, sha256: r.sha256, sqlite: r.facts });
    } else if (f.role === 'runs') {
      const r = await snapshotJsonl(f.path, dest, { onProgress, signal, warn });
      logger.info(
        `${name}: ${r.facts.lines} lines, ${r.bytes} bytes${r.facts.tornBytes ? `, ${r.facts.tornBytes} torn bytes left out` : ''}`,
      );
      out.push({ name, role: f.role, source: f.path, bytes: r.bytes, sha256: r.sha256, jsonl: r.facts });
    } else {
      const r = await snapshotMeta(f.path, dest);
      logger.info(`${name}: schema_version ${r.facts.schemaVersion}`);
      out.push({ name, role: f.role, source: f.path, bytes: r.bytes, sha256: r.sha256, meta: r.facts });
    }
  }
  return out;
}
