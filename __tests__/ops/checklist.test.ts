import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseStepsFile, runChecklist, type ChecklistOptions } from '../../src/core/checklist.js';
import { UsageError } from '../../src/core/errors.js';
import { MemoryLogger } from '../../src/core/logger.js';
import { run } from '../../src/cli/main.js';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-checklist-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function sub(name: string): string {
  const d = path.join(dir, name);
  fs.mkdirSync(d, { recursive: true });
  return d;
}

/** True while the process exists and is not a zombie (init here may never reap orphans). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

async function waitFor(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const readPids = (d: string): number[] =>
  fs
    .readdirSync(d)
    .filter((f) => f.endsWith('.pid'))
    .flatMap((f) => fs.readFileSync(path.join(d, f), 'utf8').split(/\s+/).filter(Boolean).map(Number));

const opts = (steps: string[], extra: Partial<ChecklistOptions> = {}): ChecklistOptions => ({
  steps,
  cwd: dir,
  killGraceMs: 300,
  ...extra,
});

describe('runChecklist', () => {
  test('runs every step, records exit codes and interleaved output, fails when one fails', async () => {
    const r = await runChecklist(opts(['echo one', 'echo to-out; echo to-err >&2; exit 3', 'pwd']), new MemoryLogger());
    expect(r.ok).toBe(false);
    expect(r.cancelled).toBe(false);
    expect(r.steps.map((s) => [s.status, s.exitCode])).toEqual([
      ['passed', 0],
      ['failed', 3],
      ['passed', 0],
    ]);
    expect(r.steps[1]!.outputTail).toBe('to-out\nto-err');
    expect(r.steps[1]!.message).toBe('exited with code 3');
    expect(fs.realpathSync(r.steps[2]!.outputTail)).toBe(fs.realpathSync(dir));
    for (const s of r.steps) {
      expect(s.pid).toBeGreaterThan(0);
      expect(Date.parse(s.finishedAt!)).toBeGreaterThanOrEqual(Date.parse(s.startedAt!));
    }
  });

  test('keeps only the tail of long output (last 40 lines, 4 KiB)', async () => {
    const r = await runChecklist(
      opts(['for i in $(seq 1 500); do echo "line $i"; done', 'head -c 100000 /dev/zero | tr "\\0" x']),
      new MemoryLogger(),
    );
    const lines = r.steps[0]!.outputTail.split('\n');
    expect(lines).toHaveLength(40);
    expect(lines[0]).toBe('line 461');
    expect(lines[39]).toBe('line 500');
    expect(r.steps[1]!.outputTail).toBe('x'.repeat(4096));
  });

  test('a step past its timeout is stopped with its whole group, SIGKILL when it ignores SIGTERM', async () => {
    const d = sub('timeout');
    const r = await runChecklist(
      opts(
        [
          `echo $$ > ${d}/a.pid; sleep 30 & echo $! >> ${d}/a.pid; wait`,
          `trap '' TERM; echo $$ > ${d}/b.pid; sleep 30 & echo $! >> ${d}/b.pid; wait; wait`,
        ],
        { timeoutMs: 1500, parallel: 2 },
      ),
      new MemoryLogger(),
    );
    expect(r.steps.map((s) => s.status)).toEqual(['timed-out', 'timed-out']);
    expect(r.steps[0]!.message).toMatch(/^timed out after 1\.5 s/);
    expect(r.steps[1]!.signal).toBe('SIGKILL');
    const pids = readPids(d);
    expect(pids).toHaveLength(4);
    for (const pid of pids) expect(alive(pid)).toBe(false);
  });

  test('fail-fast, sequential: the steps after the failure are skipped', async () => {
    const d = sub('ff-seq');
    const r = await runChecklist(opts(['exit 1', `touch ${d}/ran`], { failFast: true }), new MemoryLogger());
    expect(r.steps.map((s) => s.status)).toEqual(['failed', 'skipped']);
    expect(r.steps[1]!.message).toBe('not run: fail-fast');
    expect(fs.existsSync(path.join(d, 'ran'))).toBe(false);
  });

  test('fail-fast, parallel: running steps are stopped, pending ones skipped', async () => {
    const d = sub('ff-par');
    const r = await runChecklist(
      opts([`echo $$ > ${d}/a.pid; sleep 30`, `while [ ! -f ${d}/a.pid ]; do sleep 0.02; done; exit 4`, 'echo never'], {
        failFast: true,
        parallel: 2,
      }),
      new MemoryLogger(),
    );
    expect(r.steps.map((s) => s.status)).toEqual(['cancelled', 'failed', 'skipped']);
    expect(r.steps[1]!.exitCode).toBe(4);
    for (const pid of readPids(d)) expect(alive(pid)).toBe(false);
  });

  test('without fail-fast, later steps still run after a failure', async () => {
    const r = await runChecklist(opts(['exit 1', 'exit 0']), new MemoryLogger());
    expect(r.steps.map((s) => s.status)).toEqual(['failed', 'passed']);
  });

  test('--parallel N: steps overlap, never more than N at once (from timestamps the steps write)', async () => {
    const d = sub('parallel');
    // Each step records its start, waits until three steps have started (a
    // barrier that sequential running could never pass), then records its end.
    // The start file appears only once it holds its timestamp (write, then
    // rename): a bare `>` creates it empty first, and a step counting it could
    // end before that timestamp is written.
    const barrier = (i: number) =>
      `date +%s%N > ${d}/.s${i}; mv ${d}/.s${i} ${d}/s${i}; n=0; while [ "$(ls ${d} | grep -c '^s')" -lt 3 ] && [ $n -lt 500 ]; do sleep 0.02; n=$((n+1)); done; ` +
      `[ $n -lt 500 ] || exit 9; date +%s%N > ${d}/e${i}`;
    const r3 = await runChecklist(opts([1, 2, 3].map(barrier), { parallel: 3 }), new MemoryLogger());
    expect(r3.steps.map((s) => s.status)).toEqual(['passed', 'passed', 'passed']);
    const ts = (f: string) => BigInt(fs.readFileSync(path.join(d, f), 'utf8').trim());
    const starts = [1, 2, 3].map((i) => ts(`s${i}`));
    const ends = [1, 2, 3].map((i) => ts(`e${i}`));
    const maxStart = starts.reduce((a, b) => (a > b ? a : b));
    const minEnd = ends.reduce((a, b) => (a < b ? a : b));
    expect(maxStart <= minEnd).toBe(true);

    // Limit: with 5 steps and --parallel 2, no start falls inside two other steps' intervals.
    const d2 = sub('parallel-limit');
    const step = (i: number) => `date +%s%N > ${d2}/s${i}; sleep 0.2; date +%s%N > ${d2}/e${i}`;
    const r2 = await runChecklist(opts([1, 2, 3, 4, 5].map(step), { parallel: 2 }), new MemoryLogger());
    expect(r2.ok).toBe(true);
    const iv = [1, 2, 3, 4, 5].map((i) => ({
      s: BigInt(fs.readFileSync(path.join(d2, `s${i}`), 'utf8').trim()),
      e: BigInt(fs.readFileSync(path.join(d2, `e${i}`), 'utf8').trim()),
    }));
    for (const a of iv) {
      const concurrent = iv.filter((b) => b.s <= a.s && a.s <= b.e).length;
      expect(concurrent).toBeLessThanOrEqual(2);
    }
  });

  test('a step that leaves a background process behind passes, and the process is stopped', async () => {
    const d = sub('leftover');
    const r = await runChecklist(
      opts([`sleep 30 > /dev/null 2>&1 & echo $! > ${d}/bg.pid; exit 0`]),
      new MemoryLogger(),
    );
    expect(r.steps[0]!.status).toBe('passed');
    const pids = readPids(d);
    expect(pids).toHaveLength(1);
    expect(alive(pids[0]!)).toBe(false);
  });

  test('abort mid-run: every running group is killed, no orphans, pending steps skipped', async () => {
    const d = sub('abort');
    const ac = new AbortController();
    const p = runChecklist(
      opts(
        [
          `echo $$ > ${d}/a.pid; sleep 60 & echo $! >> ${d}/a.pid; sh -c 'sleep 60' & echo $! >> ${d}/a.pid; wait`,
          `trap '' TERM; echo $$ > ${d}/b.pid; sleep 60 & echo $! >> ${d}/b.pid; wait; wait`,
          `touch ${d}/third-ran`,
        ],
        { parallel: 2 },
      ),
      new MemoryLogger(),
      ac.signal,
    );
    await waitFor(() => {
      try {
        return (
          fs.readFileSync(path.join(d, 'a.pid'), 'utf8').trim().split(/\s+/).length === 3 &&
          fs.readFileSync(path.join(d, 'b.pid'), 'utf8').trim().split(/\s+/).length === 2
        );
      } catch {
        return false;
      }
    }, 'the steps to record their pids');
    const pids = readPids(d);
    for (const pid of pids) expect(alive(pid)).toBe(true);
    ac.abort('SIGTERM');
    const r = await p;
    expect(r.cancelled).toBe(true);
    expect(r.ok).toBe(false);
    expect(r.steps.map((s) => s.status)).toEqual(['cancelled', 'cancelled', 'skipped']);
    expect(r.steps[2]!.message).toBe('not run: the checklist was interrupted');
    expect(fs.existsSync(path.join(d, 'third-ran'))).toBe(false);
    expect(pids).toHaveLength(5);
    for (const pid of pids) expect(alive(pid)).toBe(false);
    for (const s of r.steps.slice(0, 2)) expect(alive(s.pid!)).toBe(false);
  });

  test('invalid options are usage errors', async () => {
    await expect(runChecklist(opts([]), new MemoryLogger())).rejects.toBeInstanceOf(UsageError);
    await expect(runChecklist(opts(['true'], { parallel: 0 }), new MemoryLogger())).rejects.toThrow(/^--parallel/);
  });
});

describe('steps files', () => {
  test('one command per line, # comments and blank lines ignored, CRLF and BOM tolerated', () => {
    expect(parseStepsFile('\uFEFF# validation\r\nuv run pytest  \r\n\r\n  # another\r\necho "a # b"\r\n')).toEqual([
      'uv run pytest',
      'echo "a # b"',
    ]);
  });
  test('a JSON array of strings', () => {
    expect(parseStepsFile(' ["a", "b c"]\n')).toEqual(['a', 'b c']);
  });
  test.each([['[1, 2]'], ['["ok", ""]'], ['[not json']])('bad JSON %j is a usage error', (text) => {
    expect(() => parseStepsFile(text)).toThrow(UsageError);
    expect(() => parseStepsFile(text)).toThrow(/^--steps-file: /);
  });
});

describe('checklist CLI', () => {
  async function cli(argv: string[]) {
    let stdout = '';
    const log = new MemoryLogger();
    const code = await run(argv, { out: (s) => void (stdout += s), logger: log, cwd: dir, env: process.env });
    return { code, stdout, log };
  }

  test('prints a results table with the failed step output; exit 1', async () => {
    const r = await cli(['checklist', '--step', 'echo fine', '--step', 'echo broken; exit 2']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^#\s+status\s+exit\s+duration\s+command$/m);
    expect(r.stdout).toMatch(/^1\s+passed\s+0\s+\d+\.\d s\s+echo fine$/m);
    expect(r.stdout).toMatch(/^2\s+failed\s+2\s+/m);
    expect(r.stdout).toMatch(/--- step 2 failed: exited with code 2; last output:\nbroken\n/);
    expect(r.stdout).toMatch(/checklist FAILED: 1\/2 passed/);
  });

  test('--steps-file, --cwd and --json: one JSON document, exit 0', async () => {
    const d = sub('cli-cwd');
    fs.writeFileSync(path.join(dir, 'steps.txt'), '# mine\npwd\ntrue\n');
    const r = await cli(['checklist', '--steps-file', 'steps.txt', '--cwd', 'cli-cwd', '--json', '--parallel', '2']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.ok).toBe(true);
    expect(doc.steps.map((s: { command: string }) => s.command)).toEqual(['pwd', 'true']);
    expect(fs.realpathSync(doc.steps[0].outputTail)).toBe(fs.realpathSync(d));
  });

  test('without steps it runs the runbook checklist (four uv commands) in the given environment', async () => {
    let stdout = '';
    // A PATH without uv: the first step fails with 127 and fail-fast skips the rest.
    const code = await run(['checklist', '--json', '--fail-fast'], {
      out: (s) => void (stdout += s),
      logger: new MemoryLogger(),
      cwd: dir,
      env: { PATH: '/nonexistent' },
    });
    expect(code).toBe(1);
    const doc = JSON.parse(stdout);
    expect(doc.steps.map((s: { command: string }) => s.command)).toEqual([
      'uv run python tools/check_contract_drift.py',
      'uv run pytest tests/test_story_analysis_store_factory.py',
      'uv run pytest tests/test_api_app.py',
      'uv run mkdocs build --strict',
    ]);
    expect(doc.steps.map((s: { status: string }) => s.status)).toEqual(['failed', 'skipped', 'skipped', 'skipped']);
    expect(doc.steps[0].exitCode).toBe(127);
  });

  test.each([
    [['--parallel', '0'], /^error: --parallel: 0 is out of range/m],
    [['--timeout', 'abc'], /--timeout: "abc" is not a duration/],
    [['--cwd', 'does-not-exist'], /--cwd: does-not-exist is not a directory/],
    [['--steps-file', 'missing.txt'], /--steps-file: cannot read missing.txt: ENOENT/],
  ])('usage error %j exits 2', async (args, msg) => {
    const r = await cli(['checklist', ...args]);
    expect(r.code).toBe(2);
    expect(r.log.text()).toMatch(msg);
  });
});
