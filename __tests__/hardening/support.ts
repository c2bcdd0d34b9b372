/**
 * Support for the hardening harnesses: a seeded PRNG, a small task pool, a
 * killer that stops the bundled CLI at a named fault point or after a random
 * delay, and the invariant checks every killed run must pass.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { capture } from '../../scripts/jest/secrets.mjs';
import { DIST_CLI, REPO_ROOT, cleanEnv, runCli } from '../helpers/cli.js';

/** mulberry32: small, fast, good enough to pick kill points reproducibly. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick<T>(r: () => number, items: readonly T[]): T {
  return items[Math.floor(r() * items.length)]!;
}

/** Seed for the whole file: HARDENING_SEED replays a failing run. */
export function baseSeed(): number {
  const env = process.env.HARDENING_SEED;
  return env ? Number(env) : Math.floor(Math.random() * 2 ** 31);
}

/** Runs `fn` over `items` with at most `n` at a time; collects failures instead of stopping. */
export async function pool<T>(items: T[], n: number, fn: (item: T) => Promise<void>): Promise<string[]> {
  const failures: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      try {
        await fn(item);
      } catch (err) {
        failures.push(err instanceof Error ? err.message : String(err));
      }
    }
  };
  await Promise.all(Array.from({ length: n }, worker));
  return failures;
}

export function sha256(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** integrity_check result of a database ('ok' when healthy); throws when it does not open. */
export function integrity(file: string): string {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    return String((db.prepare('PRAGMA integrity_check').get() as Record<string, unknown>).integrity_check);
  } finally {
    db.close();
  }
}

export function rowCount(file: string, table = 'story_analysis_runs'): number {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    return Number((db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n);
  } finally {
    db.close();
  }
}

export type KillPlan =
  { mode: 'point'; point: string; signal: NodeJS.Signals } | { mode: 'timer'; delayMs: number; signal: NodeJS.Signals };

export interface KillOutcome {
  /** Where it was stopped: the fault point, 'timer', or 'finished' when it ended first. */
  at: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** Spawns the bundled CLI and stops it according to `plan`. */
export function killRun(argv: string[], plan: KillPlan, env: NodeJS.ProcessEnv = cleanEnv()): Promise<KillOutcome> {
  const childEnv = { ...env, ...(plan.mode === 'point' ? { STORAGE_OPS_FAULT: `pause:${plan.point}` } : {}) };
  const child = spawn(process.execPath, ['--no-warnings=ExperimentalWarning', DIST_CLI, ...argv], {
    env: childEnv,
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let at = 'finished';
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const guard = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`run did not reach ${JSON.stringify(plan)} in 30 s; stderr: ${stderr}`));
    }, 30_000);
    child.stdout.resume();
    child.stderr.on('data', (d) => {
      stderr += d;
      if (plan.mode === 'point' && at === 'finished' && stderr.includes(`fault-point ${plan.point}\n`)) {
        at = plan.point;
        child.kill(plan.signal);
      }
    });
    if (plan.mode === 'timer') {
      timer = setTimeout(() => {
        if (child.exitCode === null && child.signalCode === null) {
          at = 'timer';
          child.kill(plan.signal);
        }
      }, plan.delayMs);
    }
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      clearTimeout(guard);
      capture(`killRun ${argv[0]} stderr`, stderr);
      if (plan.mode === 'point' && at === 'finished') {
        reject(new Error(`run ended (code ${code}) before fault point ${plan.point}; stderr: ${stderr}`));
        return;
      }
      resolve({ at, code, signal, stderr });
    });
  });
}

/** `list --json`, then `verify` of every listed backup; returns the names. Throws naming any that fails. */
export async function listVerified(store: string): Promise<string[]> {
  const l = await runCli(['list', '--store', store, '--json']);
  if (l.code !== 0) throw new Error(`list failed: ${l.stderr}`);
  const names = (JSON.parse(l.stdout) as { name: string }[]).map((b) => b.name);
  for (const name of names) {
    const v = await runCli(['verify', '--store', store, '--backup', name]);
    if (v.code !== 0) throw new Error(`listed backup ${name} does not verify: ${v.stderr}`);
  }
  return names;
}

/** Hidden leftovers in a store: staging entries, trash entries and lock files. */
export function storeLeftovers(store: string): string[] {
  const out: string[] = [];
  for (const sub of ['.staging', '.trash']) {
    const d = path.join(store, sub);
    if (fs.existsSync(d)) for (const e of fs.readdirSync(d)) out.push(`${sub}/${e}`);
  }
  if (fs.existsSync(store)) for (const e of fs.readdirSync(store)) if (e.startsWith('.lock')) out.push(e);
  return out;
}

/** Temp files a restore writes beside its target. */
export function restoreTemps(dir: string): string[] {
  return fs.readdirSync(dir).filter((e) => /^\..*\.(restore|revert|partial)-\d+-[0-9a-f]{8}$/.test(e));
}

/** A lines-of-events log the writer commands append to. */
export function writerMarker(dir: string) {
  const log = path.join(dir, 'writers.log');
  return {
    flags: ['--stop-writers', `echo stopped >> '${log}'`, '--start-writers', `echo started >> '${log}'`],
    events: () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n') : []),
  };
}

export function assert(cond: unknown, what: string): asserts cond {
  if (!cond) throw new Error(what);
}
