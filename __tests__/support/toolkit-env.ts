/**
 * Running the real toolkit clients in-process: they read the runner's
 * environment from process.env at call time (except @actions/github, which
 * fixes GITHUB_API_URL when first imported, so enter a run before importing
 * anything that loads it).
 */
import type { GitHubStandins, RunnerEnvOptions } from './github-standin.js';

const RUNNER_VARS = /^(GITHUB_|ACTIONS_|RUNNER_)/;

/** Switches process.env to a fresh step of workflow run `runId`; returns that env. */
export function enterRun(gh: GitHubStandins, runId: number, options: RunnerEnvOptions = {}): Record<string, string> {
  const env = gh.env(runId, options);
  for (const key of Object.keys(process.env)) if (RUNNER_VARS.test(key)) delete process.env[key];
  Object.assign(process.env, env);
  return env;
}

/** Snapshots process.env; the returned function restores it exactly. */
export function saveProcessEnv(): () => void {
  const saved = { ...process.env };
  return () => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  };
}

/**
 * Captures stdout, where @actions/core prints workflow commands (`::add-mask::`,
 * `::warning::`), so test output stays readable. Returns the captured text
 * getter and a restore function.
 */
export function captureStdout(): { text: () => string; restore: () => void } {
  const chunks: string[] = [];
  const real = process.stdout.write;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  }) as typeof process.stdout.write;
  return {
    text: () => chunks.join(''),
    restore: () => {
      process.stdout.write = real;
    },
  };
}
