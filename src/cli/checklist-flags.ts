/**
 * The checklist flag set, shared by `checklist` and `rollback`, and its
 * parsing into the engine's ChecklistOptions. `rollback` names the per-step
 * timeout `--step-timeout` because its `--timeout` is the smoke deadline.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { OptionSpec, ParsedValues } from './command.js';
import { bool, int, seconds, str, strs } from './command.js';
import { parseStepsFile, type ChecklistOptions } from '../core/checklist.js';
import { UsageError } from '../core/errors.js';

export type TimeoutFlag = 'timeout' | 'step-timeout';

/** Flags: --step (repeatable), --steps-file, --cwd, --<timeoutFlag>, --fail-fast, --parallel. */
export function checklistFlags(timeoutFlag: TimeoutFlag): OptionSpec {
  return {
    step: { type: 'string', multiple: true },
    'steps-file': { type: 'string' },
    cwd: { type: 'string' },
    [timeoutFlag]: { type: 'string' },
    'fail-fast': { type: 'boolean' },
    parallel: { type: 'string' },
  };
}

export function checklistUsage(timeoutFlag: TimeoutFlag): string {
  return `[--step CMD]... [--steps-file F] [--cwd DIR] [--${timeoutFlag} S] [--fail-fast] [--parallel N]`;
}

/**
 * Builds ChecklistOptions from parsed flags; `defaults` are used when neither
 * --step nor --steps-file is given. Steps from the file come first.
 */
export async function checklistOptionsFromFlags(
  values: ParsedValues,
  ctx: { cwd: string; env?: NodeJS.ProcessEnv },
  timeoutFlag: TimeoutFlag,
  defaults: readonly string[],
): Promise<ChecklistOptions> {
  const steps: string[] = [];
  const file = str(values, 'steps-file');
  if (file !== undefined) {
    let text: string;
    try {
      text = await fs.readFile(path.resolve(ctx.cwd, file), 'utf8');
    } catch (err) {
      throw new UsageError(`--steps-file: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`, {
        cause: err,
      });
    }
    const fromFile = parseStepsFile(text);
    if (fromFile.length === 0) throw new UsageError(`--steps-file: ${file} lists no commands`);
    steps.push(...fromFile);
  }
  for (const s of strs(values, 'step')) {
    if (s.trim() === '') throw new UsageError('--step: must be a non-empty shell command');
    steps.push(s);
  }
  const cwdFlag = str(values, 'cwd');
  const cwd = path.resolve(ctx.cwd, cwdFlag ?? '.');
  if (cwdFlag !== undefined) {
    const st = await fs.stat(cwd).catch(() => null);
    if (!st?.isDirectory()) throw new UsageError(`--cwd: ${cwdFlag} is not a directory`);
  }
  const opts: ChecklistOptions = { steps: steps.length > 0 ? steps : [...defaults], cwd, env: ctx.env };
  const timeout = seconds(values, timeoutFlag);
  if (timeout !== undefined) opts.timeoutMs = Math.round(timeout * 1000);
  if (bool(values, 'fail-fast')) opts.failFast = true;
  const parallel = int(values, 'parallel', { min: 1, max: 64 });
  if (parallel !== undefined) opts.parallel = parallel;
  return opts;
}
