/**
 * Shared data types of the engine: the backup manifest and the BackupStore
 * contract that every store adapter (local folder, GitHub artifacts) fulfils.
 */
import type { Backend } from './config.js';

/** Manifest format version; bump on incompatible changes. */
export const MANIFEST_FORMAT = 1;
export const MANIFEST_FILE = 'manifest.json';

/** SQLite facts recorded for a DB snapshot. */
export interface SqliteFacts {
  pageSize: number;
  pageCount: number;
  /** Journal mode of the source DB at snapshot time (`delete`, `wal`, ...). */
  sourceJournalMode: string;
  userVersion: number;
  /** Row count per table in the snapshot (one committed state). */
  tables: Record<string, number>;
  /** `analysis_schema_versions.schema_version` for story_analysis_runs, when present. */
  analysisSchemaVersion: string | null;
  integrityCheck: 'ok';
}

/** Facts recorded for a JSONL snapshot. */
export interface JsonlFacts {
  lines: number;
  /** Bytes of a torn (incomplete) last line that were left out. */
  tornBytes: number;
}

/** Facts recorded for a meta file. */
export interface MetaFacts {
  schemaVersion: string;
}

/** One file inside a backup folder. */
export interface ManifestFile {
  /** File name inside the backup folder (no directories). */
  name: string;
  role: 'sqlite' | 'runs' | 'meta';
  /** Absolute source path it was captured from. */
  source: string;
  bytes: number;
  sha256: string;
  sqlite?: SqliteFacts;
  jsonl?: JsonlFacts;
  meta?: MetaFacts;
}

/** `manifest.json` of a backup folder. */
export interface Manifest {
  formatVersion: number;
  tool: { name: string; version: string };
  name: string;
  backend: Backend;
  /** ISO-8601 UTC creation time, millisecond precision. */
  createdAt: string;
  /** `dbRealPath`: where a linked `dbPath` really points (recorded only when it differs). */
  source: { dbPath: string; host?: string; dbRealPath?: string };
  /** Analysis schema version of the data (SQLite table or meta file), when known. */
  schemaVersion: string | null;
  files: ManifestFile[];
  /** Total bytes of all files. */
  bytes: number;
  /** Seconds the snapshot took. */
  durationMs: number;
}

/** A backup as a store lists it. */
export interface StoredBackup {
  name: string;
  /** ISO-8601 UTC. */
  createdAt: string;
  backend: Backend | string;
  bytes: number;
  /** Whether the backup passed verification when it was stored. */
  verified: boolean;
  /** Store-specific id (artifact id) and digest, when the store has them. */
  id?: string;
  digest?: string;
  /** The workflow run that made it (artifact stores). */
  runId?: number;
}

/** A backup made available as a local folder (for verify or restore). */
export interface OpenedBackup {
  name: string;
  dir: string;
  /** Frees anything the store had to fetch (temp downloads). Safe to call twice. */
  release(): Promise<void>;
}

/**
 * Where backups live. Every adapter passes the shared contract suite in
 * `__tests__/stores/contract.ts`.
 */
export interface BackupStore {
  /** Human-readable description for logs ("local folder /x", "artifacts owner/repo"). */
  describe(): string;
  /**
   * A fresh empty folder in which a new backup named `name` is assembled.
   * For a local store it sits inside the store, so publishing is an atomic rename.
   */
  createStaging(name: string): Promise<string>;
  /**
   * Publishes a staged, verified backup. Atomic: a reader sees the complete
   * backup or nothing. Fails without side effects if `name` already exists.
   */
  publish(name: string, stagingDir: string, manifest: Manifest): Promise<StoredBackup>;
  /** Removes a staging folder that will not be published. Never throws. */
  discardStaging(stagingDir: string): Promise<void>;
  /** Complete backups, newest first. Half-written or half-deleted ones never appear. */
  list(): Promise<StoredBackup[]>;
  /** Makes one backup available as a local folder. Throws NotFoundError when absent. */
  open(name: string): Promise<OpenedBackup>;
  /** Deletes a backup. Idempotent: deleting a missing backup succeeds. */
  remove(name: string): Promise<void>;
  /**
   * Runs `fn` while holding the store's exclusive lock, when the store has one
   * (a prune holds it for its whole plan-and-delete, so it never interleaves
   * with another prune or with a backup's publish).
   */
  withLock?<T>(purpose: string, fn: () => Promise<T>): Promise<T>;
}
