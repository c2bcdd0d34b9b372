// Shared helpers for the benchmark scripts: timing of whole commands, peak RSS
// of a node child (through a preload hook), medians, and table printing.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI = path.join(ROOT, 'dist/cli/index.js');
const RSS_HOOK = path.join(ROOT, 'scripts/bench/rss-hook.mjs');

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/**
 * Runs a command, resolves to wall milliseconds; rejects on a non-zero exit.
 * With `timeoutMs`, a command still running then is killed and resolves to
 * Infinity (for example `sqlite3 .backup`, which restarts forever under writes).
 */
export function timeCommand(cmd, args, opts = {}) {
  const { timeoutMs, ...spawnOpts } = opts;
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true, ...spawnOpts });
    let err = '';
    let timedOut = false;
    const timer = timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          process.kill(-child.pid, 'SIGKILL');
        }, timeoutMs)
      : undefined;
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => {
      clearTimeout(timer);
      if (timedOut) resolve(Infinity);
      else if (code === 0) resolve(performance.now() - t);
      else reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${err.slice(-500)}`));
    });
  });
}

/** Runs the bundled CLI; resolves to { ms, maxRssMiB, stdout }. */
export function timeCli(args, opts = {}) {
  const rssFile = path.join(os.tmpdir(), `rss-${process.pid}-${Math.random()}`);
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const child = spawn(process.execPath, ['--no-warnings=ExperimentalWarning', '--import', RSS_HOOK, CLI, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, BENCH_RSS_FILE: rssFile },
      ...opts,
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => {
      const ms = performance.now() - t;
      if (code !== 0) return reject(new Error(`storage-ops ${args[0]} exited ${code}: ${err.slice(-800)}`));
      const kib = Number(fs.readFileSync(rssFile, 'utf8'));
      fs.rmSync(rssFile, { force: true });
      resolve({ ms, maxRssMiB: kib / 1024, stdout: out, stderr: err });
    });
  });
}

/** Prints rows { bench, metric, value, baseline, ratio, target, pass } as a table. */
export function printTable(rows, write = (s) => process.stdout.write(s)) {
  const cols = ['bench', 'metric', 'value', 'baseline', 'ratio', 'target', 'pass'];
  const cells = rows.map((r) =>
    cols.map((c) =>
      r[c] === undefined || r[c] === null ? '' : typeof r[c] === 'boolean' ? (r[c] ? 'yes' : 'NO') : String(r[c]),
    ),
  );
  const w = cols.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i].length)));
  write(cols.map((c, i) => c.padEnd(w[i])).join(' | ') + '\n');
  write(w.map((n) => '-'.repeat(n)).join('-|-') + '\n');
  for (const row of cells) write(row.map((c, i) => c.padEnd(w[i])).join(' | ') + '\n');
}

export const fmtMs = (ms) => `${ms.toFixed(0)} ms`;
export const ratio = (a, b) => Number((a / b).toFixed(2));

/** Drops clean page-cache copies of a file where possible so runs start alike (root only; harmless otherwise). */
export function machineLine() {
  const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
  return `${os.cpus().length} x ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${os.platform()} ${os.release()}, node ${process.version}`;
}

/**
 * The local stand-ins for GitHub's services (__tests__/support, TypeScript):
 * transpiled into build/test-support (no type check; the tests do that) and
 * imported. Resolves to the github-standin module.
 */
export async function loadStandins() {
  const { default: ts } = await import('typescript'); // only the benches that need it pay for loading it
  const out = path.join(ROOT, 'build', 'test-support');
  fs.mkdirSync(out, { recursive: true });
  for (const f of ['azurite.ts', 'github-standin.ts']) {
    const src = fs.readFileSync(path.join(ROOT, '__tests__', 'support', f), 'utf8');
    const js = ts.transpileModule(src, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2023 },
      fileName: f,
    }).outputText;
    fs.writeFileSync(path.join(out, f.replace(/\.ts$/, '.js')), js);
  }
  fs.writeFileSync(path.join(out, 'package.json'), '{"type":"module"}\n');
  return import(pathToFileURL(path.join(out, 'github-standin.js')).href);
}
