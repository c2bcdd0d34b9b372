/**
 * Action adapter: reads and validates every input before any work, registers
 * secrets, runs the selected command through the engine, sets outputs and the
 * job summary. The one place that calls core.setFailed.
 *
 * Cancellation: the runner sends SIGINT, then SIGTERM 7.5 s later, then kills
 * the tree. Both signals abort the engine's AbortSignal; the engine stops at
 * its next step, restarts writers if it stopped them and removes its temp
 * files, well within that window.
 *
 * Test hook, like STORAGE_OPS_FAULT (src/core/faults.ts), harmless in
 * production: without STORAGE_OPS_NOW set, the system clock is used.
 *
 * STORAGE_OPS_NOW=<ISO time>  the action's clock: the backup's name and time,
 *                             the max-backup-age check and prune's "now", so
 *                             end-to-end tests can simulate days of backups
 */
import * as core from '@actions/core';
import os from 'node:os';
import path from 'node:path';
import { runBackup } from '../core/backup.js';
import { runChecklist, parseStepsFile, DEFAULT_CHECKLIST_STEPS } from '../core/checklist.js';
import { dbStem, resolveConfig, type ResolvedConfig } from '../core/config.js';
import { InputError, RetentionError, SmokeError, StorageOpsError, UsageError, oneLine } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { defaultPrefix } from '../core/naming.js';
import { runPreflight } from '../core/preflight.js';
import { prune, type PruneResult } from '../core/prune.js';
import { resolveBackupName, runRestore } from '../core/restore.js';
import { policyHorizonDays } from '../core/retention/policy.js';
import { runRollback } from '../core/rollback.js';
import { runSmokeChecks, type SmokeResult } from '../core/smoke.js';
import type { BackupStore } from '../core/types.js';
import { verifyBackupDir } from '../core/verify.js';
import { TOOL_VERSION } from '../core/version.js';
import { LocalStore } from '../stores/local-store.js';
import { SECRET_INPUTS, asInputError, readInputs, type ActionInputs } from './inputs.js';
import { actionLogger } from './logger.js';
import * as summary from './summary.js';
import fs from 'node:fs/promises';

interface Outcome {
  outputs: Record<string, string>;
  summary: string;
  /** Set when the command ran but its result is a failure (smoke or checklist failed). */
  failure?: string;
}

interface Ctx {
  inputs: ActionInputs;
  logger: Logger;
  signal: AbortSignal;
  env: NodeJS.ProcessEnv;
  workspace: string;
  /** The clock (STORAGE_OPS_NOW in tests). */
  now: () => Date;
}

/** The action's clock: STORAGE_OPS_NOW (a test hook, see the header) or the system clock. */
export function actionClock(env: NodeJS.ProcessEnv): () => Date {
  const text = env.STORAGE_OPS_NOW?.trim();
  if (!text) return () => new Date();
  const ms = Date.parse(text);
  if (!/^\d{4}-\d\d-\d\dT/.test(text) || Number.isNaN(ms)) {
    throw new UsageError(`STORAGE_OPS_NOW: "${text}" is not an ISO-8601 time like 2026-01-31T03:00:00Z`);
  }
  return () => new Date(ms);
}

const json = (v: unknown) => JSON.stringify(v);

/** Resolves the target configuration from inputs over the job's environment. */
function config(ctx: Ctx): ResolvedConfig {
  return resolveConfig(ctx.env, { backend: ctx.inputs.backend, dbPath: ctx.inputs.dbPath }, ctx.workspace);
}

/** Opens the store the inputs name; the artifact client is loaded only when used (cold start). */
async function openStore(ctx: Ctx, cfg: ResolvedConfig): Promise<BackupStore> {
  const { inputs, env } = ctx;
  if (inputs.store.kind === 'local') {
    return new LocalStore(path.resolve(ctx.workspace, inputs.store.dir), {
      lockTimeoutMs: inputs.store.lockTimeoutMs,
      onWait: (m) => ctx.logger.info(m),
      signal: ctx.signal,
    });
  }
  const repoFull = env.GITHUB_REPOSITORY ?? '';
  const [owner, repo] = repoFull.split('/');
  if (!owner || !repo)
    throw new UsageError(
      'input store: "artifacts" needs GITHUB_REPOSITORY (run it inside GitHub Actions) or a local folder path',
    );
  if (!inputs.githubToken)
    throw new UsageError('input github-token: required for store "artifacts"; pass ${{ github.token }}');
  let retentionDays = inputs.retentionDays;
  if (retentionDays === undefined && inputs.retention) {
    const horizon = policyHorizonDays(inputs.retention.policy);
    retentionDays = Number.isFinite(horizon) ? Math.min(400, Math.max(1, Math.ceil(horizon))) : 400;
  }
  const { ArtifactStore } = await import('../stores/artifact-store.js');
  return new ArtifactStore({
    prefix: inputs.prefix ?? defaultPrefix(dbStem(cfg.dbPath), cfg.backend),
    token: inputs.githubToken,
    owner,
    repo,
    runId: Number(env.GITHUB_RUN_ID ?? 0),
    retentionDays,
    tempDir: env.RUNNER_TEMP ?? os.tmpdir(),
    logger: ctx.logger,
    backend: cfg.backend,
  });
}

function pruneOutputs(r: PruneResult): Record<string, string> {
  return {
    kept: json(r.plan.keep.map((k) => ({ name: k.name, createdAt: k.createdAt, reasons: k.reasons }))),
    removed: json(r.plan.remove.map((x) => ({ name: x.name, createdAt: x.createdAt, why: x.why }))),
  };
}

async function runPrune(ctx: Ctx, store: BackupStore): Promise<PruneResult> {
  const r = ctx.inputs.retention!;
  return prune(store, ctx.logger, {
    policy: r.policy,
    timezone: r.timezone,
    maxDelete: ctx.inputs.maxDelete ?? r.maxDelete,
    dryRun: ctx.inputs.dryRun,
    now: ctx.now(),
    signal: ctx.signal,
  });
}

/** The steps-file input: read before any step or cache work; a missing or empty file is a usage error. */
async function readStepsFile(ctx: Ctx, file: string): Promise<string[]> {
  const full = path.resolve(ctx.workspace, file);
  let text: string;
  try {
    text = await fs.readFile(full, 'utf8');
  } catch (err) {
    throw new InputError(
      `input steps-file: cannot read ${full} (${(err as NodeJS.ErrnoException).code ?? oneLine(err)})`,
      {
        cause: err,
      },
    );
  }
  const steps = parseStepsFile(text, 'input steps-file');
  if (steps.length === 0) throw new InputError(`input steps-file: ${full} has no steps; expected one command per line`);
  return steps;
}

const HANDLERS: Record<ActionInputs['command'], (ctx: Ctx) => Promise<Outcome>> = {
  async backup(ctx) {
    const cfg = config(ctx);
    const store = await openStore(ctx, cfg);
    const r = await runBackup({
      config: cfg,
      store,
      prefix: ctx.inputs.prefix,
      writers: ctx.inputs.writers,
      logger: ctx.logger,
      signal: ctx.signal,
      cwd: ctx.workspace,
      env: ctx.env,
      now: ctx.now,
    });
    const outputs: Record<string, string> = {
      'backup-name': r.name,
      'artifact-id': r.stored.id ?? '',
      'artifact-digest': r.stored.digest ?? '',
      bytes: String(r.manifest.bytes),
    };
    let text = summary.backupSummary(r, { artifactId: r.stored.id, digest: r.stored.digest, store: store.describe() });
    if (ctx.inputs.prune) {
      // Right after a verified upload in this job, that upload is the confirmed newer backup.
      const p = await ctx.logger.group('prune', () => runPrune(ctx, store));
      Object.assign(outputs, pruneOutputs(p));
      text += '\n' + summary.pruneSummary(p);
    }
    return { outputs, summary: text };
  },

  async prune(ctx) {
    const store = await openStore(ctx, config(ctx));
    const newest = (await store.list())[0];
    if (newest) {
      const age = ctx.now().getTime() - Date.parse(newest.createdAt);
      if (age > ctx.inputs.maxBackupAgeMs) {
        const hours = (age / 3_600_000).toFixed(1);
        throw new RetentionError(
          `newest backup ${newest.name} is ${hours} h old, older than max-backup-age ${ctx.inputs.maxBackupAgeText}: backups are failing, so nothing is pruned until a fresh backup succeeds`,
        );
      }
    }
    const p = await runPrune(ctx, store);
    return { outputs: pruneOutputs(p), summary: summary.pruneSummary(p) };
  },

  async restore(ctx): Promise<Outcome> {
    const cfg = config(ctx);
    const store = await openStore(ctx, cfg);
    let backup = ctx.inputs.backup;
    if (backup === 'latest' && ctx.inputs.runId !== undefined) {
      const fromRun = (await store.list()).find((b) => b.runId === ctx.inputs.runId && b.backend === cfg.backend);
      if (!fromRun)
        throw new UsageError(
          `input run-id: run ${ctx.inputs.runId} holds no ${cfg.backend} backup in ${store.describe()}`,
        );
      backup = fromRun.name;
    }
    // Named up front, so restored-from is set even when the restore fails.
    backup = await resolveBackupName(store, backup, cfg.backend);
    const smokeOpts = ctx.inputs.smoke;
    // Kept so a failed smoke run (the engine then throws) still shows its checks.
    let lastSmoke: SmokeResult | undefined;
    let result;
    try {
      result = await runRestore({
        store,
        backup,
        config: cfg,
        backendExplicit: ctx.inputs.backend !== undefined,
        writers: ctx.inputs.writers,
        expectSchemaVersion: ctx.inputs.expectSchemaVersion,
        revertOnFailure: ctx.inputs.revertOnFailure,
        dryRun: ctx.inputs.dryRun,
        smoke: smokeOpts && (async () => (lastSmoke = await runSmokeChecks(smokeOpts, ctx.logger, ctx.signal))),
        logger: ctx.logger,
        signal: ctx.signal,
        cwd: ctx.workspace,
        env: ctx.env,
      });
    } catch (err) {
      if (err instanceof SmokeError && lastSmoke) {
        const message = oneLine(err);
        return {
          outputs: { 'restored-from': backup, 'smoke-report': json(lastSmoke) },
          summary: summary.failureSummary('restore', message) + '\n' + summary.smokeSummary(lastSmoke),
          failure: message,
        };
      }
      core.setOutput('restored-from', backup);
      throw err;
    }
    return {
      outputs: {
        'restored-from': result.restoredFrom,
        'safety-copy': json(result.safetyCopies),
        'smoke-report': result.smoke ? json(result.smoke) : '',
      },
      summary: summary.restoreSummary(result),
    };
  },

  async verify(ctx) {
    const cfg = config(ctx);
    const store = await openStore(ctx, cfg);
    const name = await resolveBackupName(store, ctx.inputs.backup, cfg.backend);
    const opened = await store.open(name);
    try {
      const report = await verifyBackupDir(opened.dir);
      return {
        outputs: { 'backup-name': name, bytes: String(report.manifest.bytes) },
        summary: `## ✅ Verified \`${name}\`\n\n${report.files.map((f) => `- \`${f.name}\`: ${f.checks.join(', ')}`).join('\n')}\n`,
      };
    } finally {
      await opened.release();
    }
  },

  async smoke(ctx) {
    const r = await runSmokeChecks(ctx.inputs.smoke!, ctx.logger, ctx.signal);
    return {
      outputs: { 'smoke-report': json(r) },
      summary: summary.smokeSummary(r),
      failure: r.ok ? undefined : r.message,
    };
  },

  async checklist(ctx) {
    const c = ctx.inputs.checklist;
    const cwd = path.resolve(ctx.workspace, c.workingDirectory);
    const steps = c.steps ?? (c.stepsFile ? await readStepsFile(ctx, c.stepsFile) : [...DEFAULT_CHECKLIST_STEPS]);
    const exec = () =>
      runChecklist(
        { steps, cwd, timeoutMs: c.stepTimeoutMs, failFast: c.failFast, parallel: c.parallel, env: ctx.env },
        ctx.logger,
        ctx.signal,
      );
    let result;
    let cacheNote = '';
    if (ctx.inputs.cache.enabled) {
      const { withDependencyCache } = await import('./cache.js');
      const r = await withDependencyCache(
        { paths: ctx.inputs.cache.paths, keyFiles: ctx.inputs.cache.keyFiles, cwd },
        ctx.logger,
        exec,
      );
      result = r.value;
      cacheNote = `\nDependency cache \`${r.cache.key}\`: ${r.cache.hit}${r.cache.saved ? ', saved' : ''}.\n`;
    } else {
      result = await exec();
    }
    const failed = result.steps.filter((s) => s.status !== 'passed' && s.status !== 'skipped');
    return {
      outputs: { 'checklist-report': json(result) },
      summary: summary.checklistSummary(result) + cacheNote,
      failure: result.ok
        ? undefined
        : `${failed.length} of ${result.steps.length} checklist steps did not pass: ${failed.map((s) => `${s.command} (${s.status})`).join('; ')}`,
    };
  },

  async rollback(ctx) {
    const c = ctx.inputs.checklist;
    const r = await runRollback(
      {
        envFile: ctx.inputs.envFile!,
        cwd: ctx.workspace,
        restartCommand: ctx.inputs.restart,
        smoke: ctx.inputs.smoke,
        checks: {
          ...(c.steps ? { steps: c.steps } : {}),
          cwd: path.resolve(ctx.workspace, c.workingDirectory),
          timeoutMs: c.stepTimeoutMs,
          failFast: c.failFast,
          parallel: c.parallel,
        },
        dryRun: ctx.inputs.dryRun,
      },
      ctx.logger,
      ctx.signal,
    );
    const text = [
      `## ${r.ok ? '✅' : '❌'} Rollback to SQLite (${r.envFile})`,
      '',
      r.message,
      '',
      r.diff ? `\`\`\`diff\n${r.diff}\n\`\`\`\n` : '',
      r.smoke ? summary.smokeSummary(r.smoke) : '',
      r.checks ? summary.checklistSummary(r.checks, 'Rollback checks') : '',
    ].join('\n');
    return {
      outputs: { 'smoke-report': r.smoke ? json(r.smoke) : '', 'checklist-report': r.checks ? json(r.checks) : '' },
      summary: text,
      failure: r.ok ? undefined : r.message,
    };
  },

  async preflight(ctx) {
    const r = await runPreflight({ envFile: ctx.inputs.envFile, env: ctx.env, cwd: ctx.workspace });
    const text = `## ${r.ok ? '✅' : '❌'} Preflight\n\n${r.ok ? `The service would start with backend **${r.backend}**.` : `The service would stop at start: ${r.error}`}\n`;
    return {
      outputs: { 'preflight-report': json(r) },
      summary: text,
      failure: r.ok ? undefined : (r.error ?? 'configuration rejected'),
    };
  },
};

/** Runs the action; never throws. */
export async function run(): Promise<void> {
  core.info(`storage-ops ${TOOL_VERSION}`);
  const controller = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    if (controller.signal.aborted) return;
    core.warning(`received ${sig}: stopping, restarting writers if they were stopped, removing temporary files`);
    controller.abort(sig);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // What the failure summary names, even when the command input itself is invalid.
  let command = core.getInput('command') || 'backup';
  try {
    // Masked before anything is validated or logged, even when another input is bad.
    for (const name of SECRET_INPUTS) {
      const value = core.getInput(name);
      if (value) core.setSecret(value);
    }
    const inputs = readInputs((name) => core.getInput(name));
    command = inputs.command;
    const ctx: Ctx = {
      inputs,
      logger: actionLogger(),
      signal: controller.signal,
      env: process.env,
      workspace: process.env.GITHUB_WORKSPACE ?? process.cwd(),
      now: actionClock(process.env),
    };
    const outcome = await HANDLERS[inputs.command](ctx);
    for (const [k, v] of Object.entries(outcome.outputs)) core.setOutput(k, v);
    await writeSummary(outcome.summary);
    if (outcome.failure) core.setFailed(outcome.failure);
  } catch (caught) {
    const err = asInputError(caught);
    const message = err instanceof StorageOpsError ? oneLine(err) : `unexpected failure: ${oneLine(err)}`;
    await writeSummary(summary.failureSummary(command, message));
    core.setFailed(message);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

async function writeSummary(text: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  try {
    await core.summary.addRaw(text, true).write();
  } catch (err) {
    core.warning(`could not write the job summary: ${oneLine(err)}`);
  }
}
