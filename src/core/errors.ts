/**
 * Typed errors for the whole engine. Only the adapters (`src/cli`, `src/action`)
 * turn these into exit codes or `core.setFailed`; the engine just throws them.
 *
 * Exit codes follow the CLI contract: 2 for bad usage or input (nothing was
 * touched), 1 for an operation that failed.
 */

/** Base class: every error the tool raises on purpose. */
export class StorageOpsError extends Error {
  /** Process exit code the CLI uses for this error. */
  readonly exitCode: number = 1;
  /** Stable machine-readable code, printed in `--json` results. */
  readonly code: string = 'operation_failed';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad flags, inputs or configuration. Raised before any file is touched. */
export class UsageError extends StorageOpsError {
  override readonly exitCode: number = 2;
  override readonly code: string = 'usage';
}

/**
 * A configuration the service itself would refuse at start (unknown backend,
 * prototype backend without its flag). The message is the service's sentence.
 */
export class ConfigError extends UsageError {
  override readonly code: string = 'config';
}

/** Input data that is not what it claims to be: missing DB, not SQLite, bad meta file. */
export class InputError extends UsageError {
  override readonly code: string = 'input';
}

/** Snapshotting the live data failed. */
export class SnapshotError extends StorageOpsError {
  override readonly code: string = 'snapshot';
}

/** A backup failed verification: names the file and what differs. */
export class VerifyError extends StorageOpsError {
  override readonly code: string = 'verify';
}

/** A backup store operation failed (listing, publishing, fetching, deleting). */
export class StoreError extends StorageOpsError {
  override readonly code: string = 'store';
}

/** A named backup does not exist in the store. */
export class NotFoundError extends UsageError {
  override readonly code: string = 'not_found';
}

/** Restoring failed; the message says what state the target is in. */
export class RestoreError extends StorageOpsError {
  override readonly code: string = 'restore';
}

/** A rollback could not be carried out as planned (the env file edit failed its self-check). */
export class RollbackError extends StorageOpsError {
  override readonly code: string = 'rollback';
}

/** A smoke check failed. */
export class SmokeError extends StorageOpsError {
  override readonly code: string = 'smoke';
}

/** Retention refused to prune (guards, clock skew, max-delete). */
export class RetentionError extends StorageOpsError {
  override readonly code: string = 'retention';
}

/** Another run holds the store lock. */
export class LockError extends StorageOpsError {
  override readonly code: string = 'locked';
}

/** A writer command (stop/start writers, restart) failed. */
export class CommandError extends StorageOpsError {
  override readonly code: string = 'command';
}

/** The run was interrupted by SIGINT or SIGTERM. */
export class CancelledError extends StorageOpsError {
  override readonly exitCode: number = 130;
  override readonly code: string = 'cancelled';
}

/** One-line message of an error, for logs (never includes stack traces). */
export function oneLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.replace(/\s*\n\s*/g, ' ').trim();
}

/** A backup name is already taken in the store (a concurrent run got it first). */
export class NameTakenError extends StoreError {
  override readonly code: string = 'name_taken';
}

/** The filesystem a backup or restore writes to has no room left (ENOSPC, SQLITE_FULL). */
export class DiskFullError extends StorageOpsError {
  override readonly code: string = 'disk_full';
}
