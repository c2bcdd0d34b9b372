// Backup to GitHub artifacts against the local stand-ins (issue 5): the engine's
// backup (snapshot + verify) into the artifact store, upload through the real
// @actions/artifact client into Azurite, then a cross-run list(), compared with
// the engine's own backup into a local folder in the same run (target <= 2x).
// Also times open() (download + strict extraction + checks) against the same
// baseline, and reports the stored size per zlib level.
//
// The stand-ins are TypeScript test support (__tests__/support), loaded with
// loadStandins() from lib.mjs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createStoryGenDb } from '../lib/story-gen-fixture.mjs';
import { ROOT, loadStandins, median } from './lib.mjs';

const SIZE_MB = Number(process.env.BENCH_ARTIFACT_MB ?? 256);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const DEFAULT_LEVEL = 1; // ArtifactStore's default compressionLevel
const LEVELS = (process.env.BENCH_ARTIFACT_LEVELS ?? '1,6').split(',').map(Number);

const fmt = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);

export async function run() {
  const rows = [];
  const savedEnv = { ...process.env };
  const realWrite = process.stdout.write;
  const { startGitHubStandins } = await loadStandins();
  const gh = await startGitHubStandins();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-artifact-'));
  let runId = 7000;
  const enterRun = () => {
    runId += 1;
    for (const k of Object.keys(process.env)) if (/^(GITHUB_|ACTIONS_|RUNNER_)/.test(k)) delete process.env[k];
    Object.assign(process.env, gh.env(runId));
    return runId;
  };
  try {
    enterRun();
    // The toolkit prints progress and workflow commands on stdout; keep the table clean.
    process.stdout.write = () => true;
    const { runBackup } = await import(pathToFileURL(path.join(ROOT, 'build/core/backup.js')).href);
    const { resolveConfig } = await import(pathToFileURL(path.join(ROOT, 'build/core/config.js')).href);
    const { silentLogger } = await import(pathToFileURL(path.join(ROOT, 'build/core/logger.js')).href);
    const { LocalStore } = await import(pathToFileURL(path.join(ROOT, 'build/stores/local-store.js')).href);
    const { ArtifactStore } = await import(pathToFileURL(path.join(ROOT, 'build/stores/artifact-store.js')).href);

    const db = path.join(work, 'data', 'story_gen.db');
    createStoryGenDb(db, { targetBytes: SIZE_MB * 1024 * 1024, payloadBytes: 2000 });
    const config = resolveConfig({}, { dbPath: db });
    const dbBytes = fs.statSync(db).size;
    const makeStore = (level) =>
      new ArtifactStore({
        prefix: 'story_gen-sqlite',
        token: gh.token,
        owner: gh.server.owner,
        repo: gh.server.repo,
        runId,
        tempDir: path.join(work, `temp-${runId}`),
        logger: silentLogger,
        compressionLevel: level,
      });

    const local = [];
    const byLevel = new Map(LEVELS.map((l) => [l, { backup: [], open: [], bytes: 0 }]));
    let clock = Date.parse('2026-06-01T00:00:00.000Z');
    for (let i = 0; i < RUNS; i++) {
      const storeDir = path.join(work, 'local');
      let t = performance.now();
      await runBackup({
        config,
        store: new LocalStore(storeDir),
        logger: silentLogger,
        now: () => new Date((clock += 1000)),
      });
      local.push(performance.now() - t);
      fs.rmSync(storeDir, { recursive: true, force: true });

      for (const level of LEVELS) {
        const m = byLevel.get(level);
        enterRun();
        const store = makeStore(level);
        t = performance.now();
        const r = await runBackup({ config, store, logger: silentLogger, now: () => new Date((clock += 1000)) });
        const listed = await makeStore(level).list();
        m.backup.push(performance.now() - t);
        if (!listed.some((b) => b.name === r.name)) throw new Error('published backup not listed');
        m.bytes = r.stored.bytes;
        enterRun();
        t = performance.now();
        const opened = await makeStore(level).open(r.name);
        m.open.push(performance.now() - t);
        await opened.release();
        await store.remove(r.name);
        gh.server.reset();
      }
    }
    const base = median(local);
    const baseline = `engine backup to local folder ${fmt(base)}`;
    for (const level of LEVELS) {
      const m = byLevel.get(level);
      const b = median(m.backup);
      const o = median(m.open);
      const isDefault = level === DEFAULT_LEVEL;
      const label = `artifact store ${SIZE_MB} MiB, zlib ${level}${isDefault ? ' (default)' : ''}`;
      rows.push({
        bench: label,
        metric: 'backup+upload+list median',
        value: fmt(b),
        baseline,
        ratio: (b / base).toFixed(2),
        target: isDefault ? '<= 2' : 'info',
        pass: isDefault ? b <= 2 * base : undefined,
      });
      rows.push({
        bench: label,
        metric: 'open (download+extract+check) median',
        value: fmt(o),
        baseline,
        ratio: (o / base).toFixed(2),
        target: 'info',
        pass: undefined,
      });
      rows.push({
        bench: label,
        metric: 'stored size',
        value: `${(m.bytes / 1048576).toFixed(1)} MiB`,
        baseline: `DB ${(dbBytes / 1048576).toFixed(1)} MiB`,
        ratio: (m.bytes / dbBytes).toFixed(2),
        target: 'info',
        pass: undefined,
      });
    }
  } finally {
    process.stdout.write = realWrite;
    for (const k of Object.keys(process.env)) if (!(k in savedEnv)) delete process.env[k];
    Object.assign(process.env, savedEnv);
    await gh.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
  return rows;
}

// Runnable alone: node scripts/bench/artifact-store.mjs (after npm run build:js).
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const r of await run()) console.log(JSON.stringify(r));
}
