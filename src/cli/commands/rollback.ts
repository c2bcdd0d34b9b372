import fs from 'node:fs/promises';
import path from 'node:path';
import { bool, jsonOut, seconds, str, type Command } from '../command.js';
import { DEFAULT_ROLLBACK_STEPS } from '../../core/checklist.js';
import { UsageError } from '../../core/errors.js';
import { runRollback, type RollbackResult } from '../../core/rollback.js';
import { checklistFlags, checklistOptionsFromFlags, checklistUsage } from '../checklist-flags.js';
import { checklistTable, smokeTable } from '../ops-format.js';
import { SMOKE_FLAGS, SMOKE_USAGE, smokeOptionsFromFlags } from '../smoke-flags.js';

function render(r: RollbackResult): string {
  let text = r.diff;
  if (r.dryRun) {
    text += '\nplan:\n' + r.plan.map((p, i) => `  ${i + 1}. ${p}`).join('\n') + '\n';
  } else {
    if (r.backupPath) text += `original env file kept at ${r.backupPath}\n`;
    if (r.restart) text += `restart: ${r.restart.status} (${r.restart.message || 'exit 0'})\n`;
    if (r.smoke) text += '\n' + smokeTable(r.smoke);
    if (r.checks) text += '\n' + checklistTable(r.checks);
  }
  return text + `\n${r.message}\n`;
}

/** `storage-ops rollback`: the runbook's Rollback Policy, prototype backend back to SQLite. */
export const rollbackCommand: Command = {
  name: 'rollback',
  summary: 'Switch an env file back to sqlite, restart, smoke-check and run the rollback checks',
  usage: `rollback --env-file FILE [--restart CMD] [--restart-timeout S] [${SMOKE_USAGE}] ${checklistUsage('step-timeout')} [--no-checks] [--dry-run] [--json]`,
  options: {
    'env-file': { type: 'string' },
    restart: { type: 'string' },
    'restart-timeout': { type: 'string' },
    ...SMOKE_FLAGS,
    ...checklistFlags('step-timeout'),
    'no-checks': { type: 'boolean' },
    'dry-run': { type: 'boolean' },
    json: { type: 'boolean' },
  },
  async run(values, positionals, ctx) {
    if (positionals.length > 0) throw new UsageError(`rollback: unexpected argument "${positionals[0]}"`);
    const envFile = str(values, 'env-file', true);
    const restartCommand = str(values, 'restart');
    if (restartCommand !== undefined && restartCommand.trim() === '') {
      throw new UsageError('--restart: must be a non-empty shell command');
    }
    const restartTimeout = seconds(values, 'restart-timeout');
    const smoke = smokeOptionsFromFlags(values, ctx.env, { required: false });
    const noChecks = bool(values, 'no-checks');
    if (noChecks && (values.step !== undefined || values['steps-file'] !== undefined)) {
      throw new UsageError('--no-checks: cannot be combined with --step or --steps-file');
    }
    const cwdFlag = str(values, 'cwd');
    const commandCwd = cwdFlag === undefined ? undefined : path.resolve(ctx.cwd, cwdFlag);
    if (noChecks && commandCwd !== undefined && !(await fs.stat(commandCwd).catch(() => null))?.isDirectory()) {
      throw new UsageError(`--cwd: ${cwdFlag} is not a directory`);
    }
    const checks = noChecks
      ? null
      : await checklistOptionsFromFlags(values, ctx, 'step-timeout', DEFAULT_ROLLBACK_STEPS);
    const result = await runRollback(
      {
        envFile,
        cwd: ctx.cwd,
        restartCommand,
        commandCwd,
        restartTimeoutMs: restartTimeout === undefined ? undefined : Math.round(restartTimeout * 1000),
        smoke,
        checks,
        dryRun: bool(values, 'dry-run'),
      },
      ctx.logger,
      ctx.signal,
    );
    if (values.json) jsonOut(ctx, result);
    else ctx.out(render(result));
    if (result.cancelled) return 130;
    return result.ok ? 0 : 1;
  },
};
