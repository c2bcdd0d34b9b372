/**
 * The runbook's Rollback Policy, from a prototype backend back to SQLite:
 * set STORY_GEN_ANALYSIS_BACKEND=sqlite and drop the prototype flags in the
 * service's env file, restart the API workers, wait until healthy (smoke
 * checks), then run the rollback checks.
 *
 * Everything is validated before the env file is touched. A changed env file
 * is first copied to `<file>.bak-<UTC stamp>` (the stamp restore's safety copies use), then replaced atomically.
 * A later phase failing does not undo the edit: SQLite is the safe backend to
 * fall back to, and the backup copy is named in the result.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { copyFileDurable, writeFileAtomic } from './fs-safe.js';
import {
  DEFAULT_ROLLBACK_STEPS,
  runChecklist,
  runShellCommand,
  validateChecklistOptions,
  type ChecklistOptions,
  type ChecklistResult,
  type ShellCommandResult,
} from './checklist.js';
import { ENV, normaliseBackend } from './config.js';
import { editEnv, parseEnv, renderEnvDiff, type EnvChange } from './env-file.js';
import { CancelledError, InputError, RollbackError } from './errors.js';
import type { Logger } from './logger.js';
import { formatStamp } from './naming.js';
import { runSmokeChecks, validateSmokeOptions, type SmokeOptions, type SmokeResult } from './smoke.js';

/** The edit the Rollback Policy makes to an env file. */
export const ROLLBACK_EDIT = {
  set: { [ENV.backend]: 'sqlite' },
  remove: [ENV.mongoFlag, ENV.graphFlag],
} as const;

export const ROLLBACK_DEFAULTS = {
  /** Time the restart command may take. */
  restartTimeoutMs: 300_000,
} as const;

/** Checklist settings for the rollback checks; steps default to the runbook's two. */
export type RollbackChecksOptions = Partial<ChecklistOptions>;

export interface RollbackOptions {
  envFile: string;
  /** Resolves relative paths and is the default working directory of commands. */
  cwd: string;
  /** Shell command that restarts the API workers. */
  restartCommand?: string;
  /** Working directory of the restart command (default: the checks' cwd, else `cwd`). */
  commandCwd?: string;
  restartTimeoutMs?: number;
  /** Smoke checks after the restart; skipped when absent. */
  smoke?: SmokeOptions;
  /** Rollback checks; `null` skips them. */
  checks?: RollbackChecksOptions | null;
  /** Plan and diff only; nothing is written or run. */
  dryRun?: boolean;
  /** Clock for the backup name; injectable for tests. */
  now?: () => Date;
}

export type RollbackPhase = 'env-file' | 'restart' | 'smoke' | 'checks';

export interface RollbackResult {
  ok: boolean;
  dryRun: boolean;
  cancelled: boolean;
  /** The env file actually written (symlinks resolved). */
  envFile: string;
  changed: boolean;
  changes: EnvChange[];
  diff: string;
  /** Copy of the original env file; null when nothing changed or in a dry run. */
  backupPath: string | null;
  restart: (ShellCommandResult & { command: string }) | null;
  smoke: SmokeResult | null;
  checks: ChecklistResult | null;
  /** The phase that failed, if any. */
  failedPhase: RollbackPhase | null;
  /** One-line summary. */
  message: string;
  /** What would run, in order (also filled in a dry run). */
  plan: string[];
  /** Things a human should look at (lines the edit could not interpret). */
  warnings: string[];
}

async function freeBackupName(file: string, stamp: string): Promise<string> {
  for (let n = 0; ; n++) {
    const candidate = `${file}.bak-${stamp}${n === 0 ? '' : `-${n}`}`;
    try {
      await fs.lstat(candidate);
    } catch {
      return candidate;
    }
  }
}

/** Runs a rollback (or plans it with `dryRun`). Resolves with the result; UsageErrors for bad input. */
export async function runRollback(
  opts: RollbackOptions,
  logger: Logger,
  signal?: AbortSignal,
): Promise<RollbackResult> {
  const given = path.resolve(opts.cwd, opts.envFile);
  let envFile: string;
  let original: Buffer;
  try {
    envFile = await fs.realpath(given);
    original = await fs.readFile(envFile);
  } catch (err) {
    throw new InputError(`--env-file: cannot read ${given}: ${(err as NodeJS.ErrnoException).code ?? err}`, {
      cause: err,
    });
  }
  if (opts.smoke) validateSmokeOptions(opts.smoke);
  const checks: ChecklistOptions | null =
    opts.checks === null
      ? null
      : {
          ...opts.checks,
          steps: opts.checks?.steps ?? DEFAULT_ROLLBACK_STEPS,
          cwd: opts.checks?.cwd ?? opts.cwd,
        };
  if (checks) validateChecklistOptions(checks);

  const edit = editEnv(original, { set: { ...ROLLBACK_EDIT.set }, remove: ROLLBACK_EDIT.remove });
  const diff = renderEnvDiff(path.basename(envFile), edit.changes);
  // Self-check: the edited file must read as sqlite without flags under the
  // same rules preflight applies, or nothing is written.
  const after = parseEnv(edit.output).values;
  let backendAfter: string;
  try {
    backendAfter = normaliseBackend(after[ENV.backend]);
  } catch {
    backendAfter = String(after[ENV.backend]);
  }
  if (backendAfter !== 'sqlite' || ENV.mongoFlag in after || ENV.graphFlag in after) {
    throw new RollbackError(`${envFile}: the edited file would not select sqlite without flags; nothing was written`);
  }
  const warnings = edit.unparsed.map(
    (u) => `${envFile}:${u.line}: mentions ${u.key} but does not parse as KEY=value; left unchanged, check it by hand`,
  );
  for (const w of warnings) logger.warn(w);
  const plan: string[] = [
    edit.changed
      ? `edit ${envFile}: ${edit.changes.map((c) => `${c.action} ${c.key}`).join(', ')} (backup copy beside it)`
      : `leave ${envFile} as it is: already on sqlite without prototype flags`,
    opts.restartCommand ? `restart: ${opts.restartCommand}` : 'restart: none given (restart the API workers yourself)',
    opts.smoke ? `smoke checks against ${opts.smoke.baseUrl}` : 'smoke checks: skipped (no base URL)',
    checks ? `rollback checks: ${checks.steps.join(' ; ')}` : 'rollback checks: skipped',
  ];
  const result: RollbackResult = {
    ok: false,
    dryRun: opts.dryRun === true,
    cancelled: false,
    envFile,
    changed: edit.changed,
    changes: edit.changes,
    diff,
    backupPath: null,
    restart: null,
    smoke: null,
    checks: null,
    failedPhase: null,
    message: '',
    plan,
    warnings,
  };
  if (opts.dryRun) {
    result.ok = true;
    result.message = edit.changed ? 'dry run: nothing was changed' : 'dry run: the env file needs no change';
    return result;
  }

  const fail = (phase: RollbackPhase, why: string): RollbackResult => {
    result.failedPhase = phase;
    const where = result.backupPath ? `; the env file was changed (original kept at ${result.backupPath})` : '';
    result.message = `rollback ${phase} failed: ${why}${where}`;
    logger.error(result.message);
    return result;
  };
  const cancelled = (phase: RollbackPhase): RollbackResult => {
    result.cancelled = true;
    return fail(phase, 'interrupted');
  };
  if (signal?.aborted) throw new CancelledError('rollback interrupted before the env file was changed');

  if (edit.changed) {
    const backupPath = await freeBackupName(envFile, formatStamp((opts.now ?? (() => new Date()))()));
    try {
      await copyFileDurable(envFile, backupPath);
      result.backupPath = backupPath;
      await writeFileAtomic(envFile, edit.output);
    } catch (err) {
      return fail('env-file', `cannot write ${envFile}: ${(err as Error).message}`);
    }
    logger.info(`env file updated: ${envFile} (backup: ${backupPath})`);
  } else {
    logger.info(`env file already selects sqlite without prototype flags: ${envFile}`);
  }

  if (opts.restartCommand) {
    logger.info(`restarting: ${opts.restartCommand}`);
    const r = await runShellCommand(
      opts.restartCommand,
      {
        cwd: opts.commandCwd ?? checks?.cwd ?? opts.cwd,
        timeoutMs: opts.restartTimeoutMs ?? ROLLBACK_DEFAULTS.restartTimeoutMs,
      },
      signal,
    ).done;
    result.restart = { command: opts.restartCommand, ...r };
    if (r.status === 'cancelled') return cancelled('restart');
    if (r.status !== 'passed') return fail('restart', `${opts.restartCommand}: ${r.message}`);
  }

  if (opts.smoke) {
    try {
      result.smoke = await runSmokeChecks(opts.smoke, logger, signal);
    } catch (err) {
      if (err instanceof CancelledError) return cancelled('smoke');
      throw err;
    }
    if (!result.smoke.ok) return fail('smoke', result.smoke.message);
  }

  if (checks) {
    result.checks = await runChecklist(checks, logger, signal);
    if (result.checks.cancelled) return cancelled('checks');
    if (!result.checks.ok) {
      const bad = result.checks.steps.filter((s) => s.status !== 'passed');
      return fail('checks', bad.map((s) => `step ${s.index} ${s.status}`).join(', '));
    }
  }
  result.ok = true;
  result.message = edit.changed ? 'rolled back to sqlite' : 'already on sqlite; checks passed';
  return result;
}
