// Backup and restore speed and memory (issues: backup engine, restore).
// Baselines measured in the same run: `cp` + `sha256sum` (the least any
// verified copy costs) and Debian's `sqlite3 DB ".backup OUT"` + `sha256sum`.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createStoryGenDb } from '../lib/story-gen-fixture.mjs';
import { ROOT, fmtMs, median, ratio, timeCli, timeCommand } from './lib.mjs';

const SIZES = (process.env.BENCH_SIZES_MB ?? '256,1024').split(',').map(Number);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

function startWriter(db) {
  const child = spawn(
    process.execPath,
    ['--no-warnings=ExperimentalWarning', path.join(ROOT, 'scripts/lib/writer.mjs'), db, 'delete', '5'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  return {
    ready: new Promise((r) => child.stdout.once('data', r)),
    stop: async () => {
      const closed = new Promise((r) => child.on('close', r));
      child.kill('SIGTERM');
      await closed;
      return JSON.parse(out.trim().split('\n').pop());
    },
  };
}

export async function run() {
  const rows = [];
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-backup-'));
  try {
    const rss = {};
    for (const mb of SIZES) {
      const db = path.join(work, `db${mb}`, 'story_gen.db');
      createStoryGenDb(db, { targetBytes: mb * 1024 * 1024, payloadBytes: 2000 });
      const out = path.join(work, 'out.db');
      const store = path.join(work, `store${mb}`);
      for (const mode of ['idle', 'writer']) {
        const writer = mode === 'writer' ? startWriter(db) : null;
        if (writer) await writer.ready;
        const cp = [];
        const sq = [];
        const ours = [];
        let stats = null;
        try {
          for (let i = 0; i < RUNS; i++) {
            fs.rmSync(out, { force: true });
            cp.push(await timeCommand('sh', ['-c', `cp "${db}" "${out}" && sha256sum "${out}" >/dev/null`]));
            fs.rmSync(out, { force: true });
            // sqlite3's .backup copies 100 pages per step and restarts whenever another
            // connection commits, so under a steady writer it may never finish: cap it.
            sq.push(
              await timeCommand(
                'sh',
                ['-c', `sqlite3 "${db}" ".timeout 30000" ".backup '${out}'" && sha256sum "${out}" >/dev/null`],
                { timeoutMs: 30_000 },
              ),
            );
            fs.rmSync(out, { force: true });
            const r = await timeCli(['backup', '--db-path', db, '--store', store]);
            ours.push(r.ms);
            rss[mb] = Math.max(rss[mb] ?? 0, r.maxRssMiB);
            fs.rmSync(store, { recursive: true, force: true });
          }
        } finally {
          if (writer) stats = await writer.stop();
        }
        const label = `backup+verify ${mb} MiB ${mode}`;
        rows.push({
          bench: label,
          metric: 'median wall',
          value: fmtMs(median(ours)),
          baseline: `cp+sha256sum ${fmtMs(median(cp))}`,
          ratio: ratio(median(ours), median(cp)),
          target: '<= 1.5',
          pass: median(ours) <= 1.5 * median(cp),
        });
        rows.push({
          bench: label,
          metric: 'median wall',
          value: fmtMs(median(ours)),
          baseline: `sqlite3 .backup+sha256sum ${Number.isFinite(median(sq)) ? fmtMs(median(sq)) : 'did not finish in 30 s'}`,
          ratio: ratio(median(ours), median(sq)),
          target: '< 1',
          pass: median(ours) < median(sq),
        });
        if (stats)
          rows.push({
            bench: label,
            metric: 'writer lock errors',
            value: stats.lockErrors,
            baseline: `${stats.commits} commits`,
            ratio: '',
            target: '0',
            pass: stats.lockErrors === 0,
          });
      }
      // Restore of this size: verify + safety copy + swap, against cp of the same file.
      const bk = await timeCli(['backup', '--db-path', db, '--store', store, '--json']);
      const name = JSON.parse(bk.stdout).name;
      const cpTimes = [];
      const restoreTimes = [];
      let phases = {};
      for (let i = 0; i < RUNS; i++) {
        fs.rmSync(out, { force: true });
        cpTimes.push(await timeCommand('cp', [db, out]));
        const r = await timeCli(['restore', '--store', store, '--backup', name, '--db-path', db, '--json']);
        restoreTimes.push(r.ms);
        const doc = JSON.parse(r.stdout);
        phases = doc.phasesMs;
        for (const s of doc.safetyCopies) fs.rmSync(s, { force: true });
      }
      const total = Object.values(phases).reduce((a, b) => a + b, 0);
      const shares = Object.entries(phases)
        .map(([k, v]) => `${k} ${Math.round((100 * v) / total)}%`)
        .join(', ');
      rows.push({
        bench: `restore ${mb} MiB`,
        metric: `median wall (${shares})`,
        value: fmtMs(median(restoreTimes)),
        baseline: `cp ${fmtMs(median(cpTimes))}`,
        ratio: ratio(median(restoreTimes), median(cpTimes)),
        target: '<= 3',
        pass: median(restoreTimes) <= 3 * median(cpTimes),
      });
      fs.rmSync(path.dirname(db), { recursive: true, force: true });
      fs.rmSync(store, { recursive: true, force: true });
      fs.rmSync(out, { force: true });
    }
    const sizes = Object.keys(rss)
      .map(Number)
      .sort((a, b) => a - b);
    for (const mb of sizes) {
      rows.push({
        bench: `backup peak RSS ${mb} MiB DB`,
        metric: 'max RSS',
        value: `${rss[mb].toFixed(0)} MiB`,
        baseline: sizes.length > 1 ? `${rss[sizes[0]].toFixed(0)} MiB at ${sizes[0]} MiB` : '',
        ratio: sizes.length > 1 ? ratio(rss[mb], rss[sizes[0]]) : '',
        target: '< 200 MiB, flat',
        pass: rss[mb] < 200 && rss[mb] < 1.25 * rss[sizes[0]],
      });
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  return rows;
}
