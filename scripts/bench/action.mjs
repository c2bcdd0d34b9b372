// The bundled action (issue 5).
// 1. Cold start: `node dist/index.js` from spawn to its first log line
//    (`storage-ops <version>`), beside `node -e 0` (spawn to exit) in the same
//    run, interleaved, median of BENCH_COLD_RUNS (15). Target: < 250 ms more.
//    Also the bundle sizes (the action's entry plus its lazily loaded chunks,
//    and the CLI).
// 2. A backup job end to end: `node dist/index.js` with command backup, run
//    the way the runner runs it against the local stand-ins (snapshot, verify,
//    artifact upload through the real client into Azurite, and the artifact
//    listings around it), beside the engine's own backup into a local folder
//    through the CLI, for a BENCH_ACTION_MB (256) MiB database. Target: <= 2x.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createStoryGenDb } from '../lib/story-gen-fixture.mjs';
import { CLI, ROOT, fmtMs, loadStandins, median, ratio, timeCli, timeCommand } from './lib.mjs';

const ACTION = path.join(ROOT, 'dist/index.js');
const COLD_RUNS = Number(process.env.BENCH_COLD_RUNS ?? 15);
const SIZE_MB = Number(process.env.BENCH_ACTION_MB ?? 256);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

/** Spawns node on the action; resolves to ms until stdout first holds `storage-ops `, then kills it. */
function timeToFirstLine(env) {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const child = spawn(process.execPath, [ACTION], { env, stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    let ms;
    child.stdout.on('data', (d) => {
      out += d;
      if (ms === undefined && out.includes('storage-ops ')) {
        ms = performance.now() - t;
        child.kill('SIGKILL');
      }
    });
    child.on('close', () => (ms === undefined ? reject(new Error(`no first log line; stdout: ${out}`)) : resolve(ms)));
  });
}

const mib = (b) => `${(b / 1048576).toFixed(2)} MiB`;
const sizeOf = (files) => files.reduce((n, f) => n + fs.statSync(f).size, 0);
const jsIn = (dir) =>
  fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.js'))
    .map((f) => path.join(dir, f));

async function coldStart(rows) {
  // A harmless command: preflight of an empty environment. Only the first line is awaited.
  const env = { PATH: process.env.PATH, HOME: os.tmpdir(), INPUT_COMMAND: 'preflight' };
  const bare = [];
  const ours = [];
  for (let i = 0; i < COLD_RUNS + 1; i++) {
    const b = await timeCommand(process.execPath, ['-e', '0'], { env });
    const o = await timeToFirstLine(env);
    if (i > 0) {
      // The first pair warms the page cache.
      bare.push(b);
      ours.push(o);
    }
  }
  const b = median(bare);
  const o = median(ours);
  rows.push({
    bench: 'action cold start',
    metric: `node dist/index.js to first log line, median of ${COLD_RUNS}`,
    value: fmtMs(o),
    baseline: `node -e 0 ${fmtMs(b)}`,
    ratio: ratio(o, b),
    target: 'overhead < 250 ms',
    pass: o - b < 250,
  });
  rows.push({
    bench: 'action cold start',
    metric: 'overhead over bare node',
    value: fmtMs(o - b),
    baseline: '',
    ratio: '',
    target: '< 250 ms',
    pass: o - b < 250,
  });
  const dist = path.join(ROOT, 'dist');
  const sizes = [
    ['dist/index.js (loaded at start)', fs.statSync(ACTION).size],
    [`dist/index.js + ${jsIn(dist).length - 1} lazy chunks`, sizeOf(jsIn(dist))],
    ['dist/cli/*.js', sizeOf(jsIn(path.dirname(CLI)))],
  ];
  for (const [metric, bytes] of sizes) {
    rows.push({
      bench: 'bundle size',
      metric,
      value: mib(bytes),
      baseline: '',
      ratio: '',
      target: 'info',
      pass: undefined,
    });
  }
}

/** Runs one action step to completion; resolves to wall ms, rejects on failure. */
function timeStep(env) {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const child = spawn(process.execPath, [ACTION], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => {
      const ms = performance.now() - t;
      if (code === 0) resolve(ms);
      else reject(new Error(`action exited ${code}: ${out.slice(-1500)}`));
    });
  });
}

async function backupJob(rows) {
  const { startGitHubStandins, actionInputEnv } = await loadStandins();
  const gh = await startGitHubStandins();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-action-'));
  const actionYml = fs.readFileSync(path.join(ROOT, 'action.yml'), 'utf8');
  try {
    const db = path.join(work, 'data', 'story_gen.db');
    // 1900-byte payloads fill pages well: the file comes out ~7% over the target, so aim under it.
    createStoryGenDb(db, { targetBytes: Math.round(SIZE_MB * 1048576 * 0.93), payloadBytes: 1900 });
    const dbBytes = fs.statSync(db).size;
    const cli = [];
    const action = [];
    let runId = 9000;
    for (let i = 0; i < RUNS; i++) {
      const store = path.join(work, 'local');
      cli.push((await timeCli(['backup', '--db-path', db, '--store', store])).ms);
      fs.rmSync(store, { recursive: true, force: true });

      const env = {
        PATH: process.env.PATH,
        HOME: work,
        ...gh.env(++runId),
        ...actionInputEnv(actionYml, { command: 'backup', 'db-path': db }, gh.token),
      };
      action.push(await timeStep(env));
      const outputs = await gh.outputs(env);
      const uploaded = gh.server.liveArtifacts().find((a) => a.name === outputs['backup-name']);
      if (!uploaded) throw new Error(`backup ${outputs['backup-name']} is not in the stand-in`);
      gh.server.reset();
    }
    const c = median(cli);
    const a = median(action);
    rows.push({
      bench: `action backup job ${SIZE_MB} MiB (DB ${mib(dbBytes)})`,
      metric: `node dist/index.js backup to artifacts, median of ${RUNS}`,
      value: fmtMs(a),
      baseline: `CLI backup to local folder ${fmtMs(c)}`,
      ratio: ratio(a, c),
      target: '<= 2',
      pass: a <= 2 * c,
    });
  } finally {
    await gh.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

export async function run() {
  if (!fs.existsSync(ACTION)) throw new Error(`${ACTION} is missing: run npm run package first`);
  const rows = [];
  await coldStart(rows);
  await backupJob(rows);
  return rows;
}

// Runnable alone: node scripts/bench/action.mjs (after npm run package).
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { printTable } = await import('./lib.mjs');
  printTable(await run());
}
