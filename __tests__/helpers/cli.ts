/** Test helpers: run the CLI in-process or as the bundled binary, and temp folders. */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run } from '../../src/cli/main.js';
import { MemoryLogger } from '../../src/core/logger.js';
import { capture } from '../../scripts/jest/secrets.mjs';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `storage-ops argv` in-process with its own env (defaults to an env without STORY_GEN_* vars). */
export async function runCli(
  argv: string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string; signal?: AbortSignal } = {},
): Promise<CliResult & { logger: MemoryLogger }> {
  let stdout = '';
  const logger = new MemoryLogger();
  const code = await run(argv, {
    out: (s) => (stdout += s),
    logger,
    env: opts.env ?? cleanEnv(),
    cwd: opts.cwd ?? process.cwd(),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  capture(`runCli ${argv[0] ?? ''} stdout`, stdout);
  return { code, stdout, stderr: logger.text(), logger };
}

/** process.env without the service's variables, so the host's settings never leak into tests. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('STORY_GEN_')) env[k] = v;
  return { ...env, ...extra };
}

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
export const DIST_CLI = path.join(REPO_ROOT, 'dist/cli/index.js');

/** Spawns the bundled CLI (`node dist/cli/index.js`) as a real process. */
export function spawnCli(argv: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}) {
  const child = spawn(process.execPath, ['--no-warnings=ExperimentalWarning', DIST_CLI, ...argv], {
    env: opts.env ?? cleanEnv(),
    cwd: opts.cwd ?? REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const done = new Promise<CliResult>((resolve) =>
    child.on('close', (code, signal) => {
      capture(`spawnCli ${argv[0] ?? ''} stdout`, stdout);
      capture(`spawnCli ${argv[0] ?? ''} stderr`, stderr);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    }),
  );
  /** Resolves once stderr contains `text`. */
  const waitFor = (text: string, timeoutMs = 30_000) =>
    new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`timed out waiting for "${text}"; stderr: ${stderr}`)), timeoutMs);
      const check = () => {
        if (stderr.includes(text)) {
          clearTimeout(t);
          resolve();
        }
      };
      child.stderr.on('data', check);
      check();
    });
  return { child, done, waitFor, output: () => ({ stdout, stderr }) };
}

/** A fresh temp folder, removed by the returned cleanup. */
export function tempDir(tag = 'so'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `${tag}-`));
}

/** Snapshot of every file under `dir`: relative path -> sha256 of its bytes (or link target). */
export function treeSnapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isSymbolicLink()) out[path.relative(dir, p)] = `link:${fs.readlinkSync(p)}`;
      else out[path.relative(dir, p)] = createHash('sha256').update(fs.readFileSync(p)).digest('hex');
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out;
}
