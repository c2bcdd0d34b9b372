// Benchmark: the validation checklist with --parallel 4. Four equal steps
// (`sleep 1`) run at once should take about as long as one step alone: the
// target is a wall time within 1.2x of a single step measured in the same run.
// Imports the compiled engine from build/ (npm run build:js).
import { runChecklist } from '../../build/core/checklist.js';
import { silentLogger } from '../../build/core/logger.js';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

const STEP = 'sleep 1';

async function wall(steps, parallel) {
  const t0 = performance.now();
  const r = await runChecklist({ steps, cwd: os.tmpdir(), parallel }, silentLogger);
  const ms = performance.now() - t0;
  if (!r.ok) throw new Error(`checklist bench: a step failed: ${JSON.stringify(r.steps.map((s) => s.status))}`);
  return ms;
}

/** @returns {Promise<{bench: string, metric: string, value: number, baseline: number, ratio: number, target: string, pass: boolean}[]>} */
export async function run() {
  const single = await wall([STEP], 1);
  const four = await wall([STEP, STEP, STEP, STEP], 4);
  const ratio = four / single;
  return [
    {
      bench: 'checklist',
      metric: `4 x "${STEP}" with --parallel 4, wall ms (baseline: one step alone)`,
      value: Math.round(four),
      baseline: Math.round(single),
      ratio: Math.round(ratio * 1000) / 1000,
      target: '<= 1.2x',
      pass: ratio <= 1.2,
    },
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rows = await run();
  console.table(rows);
  if (rows.some((r) => !r.pass)) process.exitCode = 1;
}
