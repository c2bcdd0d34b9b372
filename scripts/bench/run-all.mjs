// `npm run bench`: runs every benchmark of the project (each scripts/bench/*.mjs
// that exports run()) and prints one table of ratios against baselines measured
// in the same run. BENCH_ONLY=backup,retention limits which ones run.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineLine, printTable } from './lib.mjs';

const dir = path.dirname(fileURLToPath(import.meta.url));
const only = process.env.BENCH_ONLY?.split(',');
const files = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.mjs') && !['run-all.mjs', 'lib.mjs', 'rss-hook.mjs'].includes(f))
  .filter((f) => !only || only.includes(f.replace(/\.mjs$/, '')))
  .sort();
process.stdout.write(`machine: ${machineLine()}\n`);
const rows = [];
for (const f of files) {
  process.stderr.write(`bench: ${f} ...\n`);
  const mod = await import(path.join(dir, f));
  if (typeof mod.run !== 'function') continue;
  const t = performance.now();
  rows.push(...(await mod.run()));
  process.stderr.write(`bench: ${f} done in ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
}
printTable(rows);
const failed = rows.filter((r) => r.pass === false);
process.stdout.write(failed.length ? `\n${failed.length} target(s) missed\n` : '\nall targets met\n');
