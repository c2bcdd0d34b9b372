/**
 * The bundled action (`node dist/index.js`) run the way the runner runs a
 * JavaScript action step: every input of action.yml as an `INPUT_<NAME>`
 * variable (upper-cased, dashes kept, defaults filled in from action.yml),
 * plus the runner's files and service variables from the stand-ins
 * (__tests__/support/github-standin.ts). The real @actions/artifact,
 * @actions/cache and @actions/github clients inside the bundle move the bytes
 * through Azurite.
 *
 * `npm run package` must have built dist/ from the current sources (CI does).
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import path from 'node:path';
import { PROFILES, policyHorizonDays } from '../../src/core/retention/policy.js';
import { planRetention } from '../../src/core/retention/plan.js';
import { parseBackupName } from '../../src/core/naming.js';
import { actionInputEnv, startGitHubStandins, type GitHubStandins, type StepFiles } from '../support/github-standin.js';
import { startFakeService, type FakeService } from '../ops/fake-service.js';
import { REPO_ROOT, tempDir, treeSnapshot } from '../helpers/cli.js';
import { createStoryGenDb } from '../../scripts/lib/story-gen-fixture.mjs';

const DIST = path.join(REPO_ROOT, 'dist/index.js');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const ACTION_YML = fs.readFileSync(path.join(REPO_ROOT, 'action.yml'), 'utf8');

let gh: GitHubStandins;
let work: string;
let home: string;

beforeAll(async () => {
  if (!fs.existsSync(DIST)) throw new Error(`${DIST} is missing: run npm run package first`);
  gh = await startGitHubStandins();
  work = tempDir('action-e2e');
  home = path.join(work, 'home');
  fs.mkdirSync(home);
});

afterAll(async () => {
  await gh?.stop();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

interface ActionRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  files: StepFiles;
  env: Record<string, string>;
}

interface StepOptions {
  runId: number;
  inputs?: Record<string, string>;
  /** Variables besides the runner's (STORAGE_OPS_NOW, STORAGE_OPS_FAULT, ...). */
  extraEnv?: Record<string, string>;
  workspace?: string;
}

/** The environment of one step: PATH, HOME, the runner's variables and every input. */
function stepEnv(o: StepOptions): Record<string, string> {
  const runner = gh.env(o.runId, o.workspace ? { workspace: o.workspace } : {});
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    ...runner,
    ...actionInputEnv(ACTION_YML, o.inputs ?? {}, gh.token),
    ...o.extraEnv,
  };
}

/** Starts `node dist/index.js` as one step; `done` resolves when it exits. */
function startStep(o: StepOptions) {
  const env = stepEnv(o);
  const child: ChildProcess = spawn(process.execPath, [DIST], {
    env,
    cwd: gh.files(env).workspace,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<ActionRun>((resolve) =>
    child.on('close', async (code, signal) => {
      const files = gh.files(env);
      resolve({
        code,
        signal,
        stdout,
        stderr,
        outputs: await gh.outputs(env),
        summary: fs.readFileSync(files.summary, 'utf8'),
        files,
        env,
      });
    }),
  );
  const waitForStderr = (text: string) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (stderr.includes(text)) resolve();
      };
      child.stderr!.on('data', check);
      child.on('close', () => reject(new Error(`exited before printing "${text}"; stderr: ${stderr}`)));
      check();
    });
  return { child, env, done, waitForStderr };
}

const runStep = (o: StepOptions) => startStep(o).done;

/** Fails with the step's log when it did not succeed. */
function expectOk(r: ActionRun): void {
  if (r.code !== 0) throw new Error(`action exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
}

/** The `::error::` lines of a step's stdout. */
const errorLines = (r: ActionRun) => r.stdout.split('\n').filter((l) => l.startsWith('::error'));

const liveNames = (prefix: string) =>
  gh.server
    .liveArtifacts()
    .map((a) => a.name)
    .filter((n) => parseBackupName(n)?.prefix === prefix)
    .sort();

function makeDb(name: string): string {
  const db = path.join(work, 'data', name);
  createStoryGenDb(db, { runs: 30 });
  return db;
}

describe('backups over simulated days, then retention', () => {
  const PREFIX = 'days-sqlite';
  // Nightly backups with gaps, a few days with two backups, spanning eight months.
  const times: string[] = [];
  const start = Date.parse('2026-01-03T03:00:00.000Z');
  for (let d = 0; d < 240; d += 16) times.push(new Date(start + d * DAY).toISOString());
  const lastDay = start + 240 * DAY;
  for (let d = 34; d >= 0; d -= 5) times.push(new Date(lastDay - d * DAY).toISOString());
  times.push(new Date(lastDay - 10 * DAY + 12 * HOUR).toISOString()); // second backup that day
  times.push(new Date(lastDay + 9 * HOUR).toISOString()); // and on the last day
  times.sort();
  const newest = Date.parse(times[times.length - 1]!);
  let db: string;

  beforeAll(() => {
    db = makeDb('days.db');
  });

  test('each nightly run uploads one artifact named after the injected clock', async () => {
    let runId = 1000;
    for (const t of times) {
      const r = await runStep({
        runId: ++runId,
        inputs: { command: 'backup', 'db-path': db, profile: 'staging' },
        extraEnv: { STORAGE_OPS_NOW: t },
      });
      expectOk(r);
      const stamp = t.replace(/[-:]/g, '');
      expect(r.outputs['backup-name']).toBe(`${PREFIX}-${stamp}`);
      const artifact = gh.server.artifacts.find((a) => String(a.id) === r.outputs['artifact-id']);
      expect(artifact).toMatchObject({ name: r.outputs['backup-name'], runId, finalized: true });
      expect(r.outputs['artifact-digest']).toBe(artifact!.digest);
      expect(Number(r.outputs.bytes)).toBe(fs.statSync(db).size);
      expect(r.summary).toContain(`## ✅ Backup \`${PREFIX}-${stamp}\``);
      expect(r.summary).toMatch(/integrity_check ok/);
      // staging keeps monthly backups 6 months; the stand-in repository allows 90 days.
      expect(r.stdout).toContain(
        `::warning::Backups should be kept ${policyHorizonDays(PROFILES.staging)} days, but this repository deletes artifacts after at most 90 days`,
      );
      expect(Math.round((artifact!.expiresAt.getTime() - artifact!.createdAt.getTime()) / DAY)).toBe(90);
    }
    expect(liveNames(PREFIX)).toHaveLength(times.length);
  });

  test('a standalone prune refuses while the newest backup is older than max-backup-age', async () => {
    const before = liveNames(PREFIX);
    const r = await runStep({
      runId: 1500,
      inputs: { command: 'prune', 'db-path': db, profile: 'staging' },
      extraEnv: { STORAGE_OPS_NOW: new Date(newest + 5 * DAY).toISOString() },
    });
    expect(r.code).toBe(1);
    const errors = errorLines(r);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('120.0 h old, older than max-backup-age 48h');
    expect(r.summary).toContain('120.0 h old');
    expect(r.outputs.kept).toBeUndefined();
    expect(gh.server.requestsFor('DELETE /repos/{owner}/{repo}/actions/artifacts/{artifact_id}')).toHaveLength(0);
    expect(liveNames(PREFIX)).toEqual(before);
  });

  test('a staging prune the next morning leaves exactly what the planner keeps', async () => {
    const now = new Date(newest + 4 * HOUR).toISOString();
    const listed = liveNames(PREFIX).map((name) => ({
      name,
      createdAt: parseBackupName(name)!.createdAt.toISOString(),
    }));
    const plan = planRetention(listed, PROFILES.staging, { now });
    const expectKept = plan.keep.map((k) => k.name).sort();
    const expectRemoved = plan.remove.map((k) => k.name).sort();
    // The simulated history really exercises the policy: old months thin out, doubles go.
    expect(expectRemoved.length).toBeGreaterThan(3);
    expect(expectKept.length).toBeGreaterThan(6);
    // Nothing older than six months before the newest backup survives.
    const horizon = newest - 184 * DAY;
    expect(expectKept.every((n) => parseBackupName(n)!.createdAt.getTime() >= horizon)).toBe(true);

    const r = await runStep({
      runId: 1501,
      inputs: { command: 'prune', 'db-path': db, profile: 'staging' },
      extraEnv: { STORAGE_OPS_NOW: now },
    });
    expectOk(r);
    expect(liveNames(PREFIX)).toEqual(expectKept);
    const kept = JSON.parse(r.outputs.kept!) as { name: string; reasons: string[] }[];
    const removed = JSON.parse(r.outputs.removed!) as { name: string }[];
    expect(kept.map((k) => k.name).sort()).toEqual(expectKept);
    expect(removed.map((k) => k.name).sort()).toEqual(expectRemoved);
    expect(kept.every((k) => k.reasons.length > 0)).toBe(true);
    // Deleted through REST, across the runs that uploaded them.
    expect(gh.server.requestsFor('DELETE /repos/{owner}/{repo}/actions/artifacts/{artifact_id}')).toHaveLength(
      expectRemoved.length,
    );
    expect(r.summary).toContain('## 🧹 Prune');
    expect(r.summary).toContain('keep one backup a day for 30 days');
    expect(r.summary).toContain('```mermaid\ntimeline');
    expect(r.summary).toContain(`Kept ${expectKept.length}, removed ${expectRemoved.length}.`);
    for (const name of expectRemoved) expect(r.summary).toContain(name);
  });
});

describe('restore from an earlier run', () => {
  let service: FakeService;
  let db: string;
  let backupName: string;

  beforeAll(async () => {
    service = await startFakeService();
    db = makeDb('restore.db');
  });
  afterAll(async () => {
    await service?.close();
  });

  const marker = () => {
    const d = new DatabaseSync(db, { readOnly: true });
    try {
      return (d.prepare("SELECT title FROM stories WHERE story_id = 'story-0'").get() as { title: string }).title;
    } finally {
      d.close();
    }
  };

  test('run 2001 backs up; run 2002 restores it into the live DB and smoke-checks the service', async () => {
    const up = await runStep({ runId: 2001, inputs: { command: 'backup', 'db-path': db } });
    expectOk(up);
    backupName = up.outputs['backup-name']!;
    expect(marker()).toBe('Story 0');

    // Later the data goes bad.
    const d = new DatabaseSync(db);
    d.exec("UPDATE stories SET title = 'corrupted' WHERE story_id = 'story-0'");
    d.close();
    expect(marker()).toBe('corrupted');

    const secret = service.state.token;
    const r = await runStep({
      runId: 2002,
      inputs: {
        command: 'restore',
        'db-path': db,
        'run-id': '2001',
        'base-url': service.url,
        'story-id': 'story-1',
        token: secret,
      },
    });
    expectOk(r);
    expect(r.outputs['restored-from']).toBe(backupName);
    expect(marker()).toBe('Story 0');
    const d2 = new DatabaseSync(db, { readOnly: true });
    expect((d2.prepare('PRAGMA integrity_check').get() as { integrity_check: string }).integrity_check).toBe('ok');
    d2.close();

    const safety = JSON.parse(r.outputs['safety-copy']!) as string[];
    expect(safety).toHaveLength(1);
    const copy = new DatabaseSync(safety[0]!, { readOnly: true });
    expect(
      (copy.prepare("SELECT title FROM stories WHERE story_id = 'story-0'").get() as { title: string }).title,
    ).toBe('corrupted');
    copy.close();

    const smoke = JSON.parse(r.outputs['smoke-report']!) as { ok: boolean; checks: { name: string; ok: boolean }[] };
    expect(smoke.ok).toBe(true);
    expect(smoke.checks.length).toBeGreaterThanOrEqual(2);
    expect(service.state.requests.some((q) => q.path === '/api/v1/stories/story-1/analysis/latest')).toBe(true);
    expect(r.summary).toContain(`♻️ Restore from \`${backupName}\``);
    expect(r.summary).toContain('### Smoke checks');

    // The token is registered as a secret (the runner strips `::add-mask::` lines) and written nowhere else.
    expect(r.stdout).toContain(`::add-mask::${secret}`);
    const visible = r.stdout
      .split('\n')
      .filter((l) => !l.startsWith('::add-mask::'))
      .join('\n');
    const written = [visible, r.stderr, r.summary, fs.readFileSync(r.files.output, 'utf8')];
    for (const text of written) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(gh.token);
    }
    // The download left nothing behind in RUNNER_TEMP.
    expect(fs.readdirSync(r.files.runnerTemp)).toEqual([]);
  });

  test('failed smoke checks with revert-on-failure put the old data back and show the checks', async () => {
    const d = new DatabaseSync(db);
    d.exec("UPDATE stories SET title = 'edited later' WHERE story_id = 'story-0'");
    d.close();
    const wrong = 'tok-WRONG-5ecret';
    const r = await runStep({
      runId: 2004,
      inputs: {
        command: 'restore',
        'db-path': db,
        'base-url': service.url,
        'story-id': 'story-1',
        token: wrong,
        'revert-on-failure': 'true',
        timeout: '2',
      },
    });
    expect(r.code).toBe(1);
    // One annotation from the failed check, one for the step's result.
    expect(errorLines(r)).toEqual([
      expect.stringMatching(/^::error::smoke analysis: HTTP 401: the token was refused/),
      expect.stringMatching(/^::error::smoke checks failed after restoring .*; reverted to the pre-restore data/),
    ]);
    expect(marker()).toBe('edited later');
    expect(r.outputs['restored-from']).toBe(backupName);
    const smoke = JSON.parse(r.outputs['smoke-report']!) as { ok: boolean; checks: { name: string; status: number }[] };
    expect(smoke.ok).toBe(false);
    expect(smoke.checks.find((c) => c.name === 'analysis')?.status).toBe(401);
    expect(r.summary).toContain('## ❌ storage-ops restore failed');
    expect(r.summary).toContain('## ❌ Smoke checks');
    expect(r.summary).toMatch(/\| analysis \| ❌ failed \| 401 \|/);
    for (const text of [r.stderr, r.summary, fs.readFileSync(r.files.output, 'utf8')])
      expect(text).not.toContain(wrong);
  });

  test('verify checks the latest backup from another run', async () => {
    const r = await runStep({ runId: 2003, inputs: { command: 'verify', 'db-path': db } });
    expectOk(r);
    expect(r.outputs['backup-name']).toBe(backupName);
    expect(Number(r.outputs.bytes)).toBeGreaterThan(0);
    expect(r.summary).toContain(`## ✅ Verified \`${backupName}\``);
    expect(r.summary).toMatch(/restore\.db`: .*sha256/);
  });
});

describe('checklist with a dependency cache', () => {
  let project: string;
  const cacheDir = () => path.join(home, '.cache', 'uv');
  // A stand-in for `uv sync`: uses the cache when it is there, else "downloads" into it.
  const syncStep =
    'if [ -f "$HOME/.cache/uv/wheel.txt" ]; then echo from-cache; else mkdir -p "$HOME/.cache/uv" && echo wheel > "$HOME/.cache/uv/wheel.txt" && echo downloaded; fi';

  beforeAll(() => {
    project = path.join(work, 'project');
    fs.mkdirSync(project);
    fs.writeFileSync(path.join(project, 'uv.lock'), 'version = 1\n[[package]]\nname = "fastapi"\n');
  });

  test('first run misses and saves; a fresh runner with the same lock file hits', async () => {
    const inputs = { command: 'checklist', steps: `${syncStep}\ntest -f uv.lock`, 'working-directory': project };
    const first = await runStep({ runId: 3001, inputs });
    expectOk(first);
    const report1 = JSON.parse(first.outputs['checklist-report']!) as {
      ok: boolean;
      steps: { status: string; outputTail: string }[];
    };
    expect(report1.ok).toBe(true);
    expect(report1.steps.map((s) => s.status)).toEqual(['passed', 'passed']);
    expect(report1.steps[0]!.outputTail).toContain('downloaded');
    expect(first.stdout).toMatch(/::warning::dependency cache miss/);
    expect(first.summary).toMatch(/Dependency cache `storage-ops-checklist-linux-[0-9a-f]{32}`: miss, saved\./);
    expect(first.summary).toContain('| 1 | `if [ -f');
    expect(first.summary).toContain('✅ passed');
    expect(gh.server.cacheEntries.filter((e) => e.finalized)).toHaveLength(1);

    // A new runner: same HOME path, empty cache folder.
    fs.rmSync(path.join(home, '.cache'), { recursive: true, force: true });
    const second = await runStep({ runId: 3002, inputs });
    expectOk(second);
    const report2 = JSON.parse(second.outputs['checklist-report']!) as { steps: { outputTail: string }[] };
    expect(report2.steps[0]!.outputTail).toContain('from-cache');
    expect(fs.readFileSync(path.join(cacheDir(), 'wheel.txt'), 'utf8')).toBe('wheel\n');
    expect(second.summary).toMatch(/Dependency cache `storage-ops-checklist-linux-[0-9a-f]{32}`: exact\./);
    expect(second.stdout).not.toMatch(/cache miss/);
    expect(gh.server.cacheEntries.filter((e) => e.finalized)).toHaveLength(1);
  });

  test('a failing step fails the step, with its output tail in the summary', async () => {
    const r = await runStep({
      runId: 3003,
      inputs: {
        command: 'checklist',
        steps: 'echo fine\necho "contract drift found in analysis schema" >&2; exit 7',
        'working-directory': project,
        cache: 'false',
      },
    });
    expect(r.code).toBe(1);
    // One annotation for the failed step, one for the step's result.
    expect(errorLines(r)).toEqual([
      '::error::step 2 failed: exited with code 7',
      expect.stringContaining('::error::1 of 2 checklist steps did not pass: echo "contract drift'),
    ]);
    const report = JSON.parse(r.outputs['checklist-report']!) as { ok: boolean; steps: { exitCode: number }[] };
    expect(report.ok).toBe(false);
    expect(report.steps[1]!.exitCode).toBe(7);
    expect(r.summary).toContain('## ❌ Validation checklist');
    expect(r.summary).toMatch(/<details><summary>Output of step 2 \(failed\)<\/summary>[\s\S]*contract drift found/);
    expect(r.summary).not.toMatch(/Output of step 1/);
  });
});

describe('bad inputs fail the step before any work', () => {
  const cases: [string, Record<string, string>, RegExp][] = [
    ['command', { command: 'bakup' }, /input command: "bakup" is not a command; expected one of backup, restore/],
    ['backend', { backend: 'postgres' }, /input backend: "postgres" is not a backend; expected one of sqlite, /],
    ['keep-daily', { command: 'prune', 'keep-daily': 'ten' }, /input keep-daily: "ten" is not valid; expected a whole/],
    [
      'max-backup-age',
      { command: 'prune', profile: 'staging', 'max-backup-age': '2 days' },
      /input max-backup-age: "2 days" is not a duration; expected/,
    ],
    [
      'base-url',
      { command: 'smoke', 'base-url': 'ftp://127.0.0.1:1', 'story-id': 's', token: 't' },
      /input base-url: scheme "ftp" is not supported; expected http or https/,
    ],
    ['env-file', { command: 'rollback' }, /input env-file: required for command rollback/],
    [
      'steps-file',
      { command: 'checklist', 'steps-file': 'missing.txt' },
      /input steps-file: cannot read .*missing\.txt \(ENOENT\)/,
    ],
  ];

  test.each(cases)('%s', async (input, inputs, message) => {
    const db = path.join(work, 'data', 'bad-input.db');
    if (!fs.existsSync(db)) createStoryGenDb(db, { runs: 5 });
    const artifactsBefore = gh.server.artifacts.length;
    const requestsBefore = gh.server.requests.length;
    const dbBefore = treeSnapshot(path.dirname(db));
    const r = await runStep({ runId: 4000, inputs: { 'db-path': db, ...inputs } });
    expect(r.code).toBe(1);
    const errors = errorLines(r);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(message);
    expect(errors[0]).toContain(`input ${input}`);
    expect(r.summary).toContain(`## ❌ storage-ops ${inputs.command ?? 'backup'} failed`);
    expect(r.summary).toContain(`input ${input}`);
    // No work: no request to GitHub, no artifact, no output, no file in the workspace, temp or data folders.
    expect(gh.server.requests.length).toBe(requestsBefore);
    expect(gh.server.artifacts.length).toBe(artifactsBefore);
    expect(fs.readFileSync(r.files.output, 'utf8')).toBe('');
    expect(fs.readdirSync(r.files.workspace)).toEqual([]);
    expect(fs.readdirSync(r.files.runnerTemp)).toEqual([]);
    expect(treeSnapshot(path.dirname(db))).toEqual(dbBefore);
  });
});

describe('cancellation', () => {
  test('SIGINT while writers are stopped: writers restart, no staging left, exits promptly', async () => {
    const db = makeDb('cancel.db');
    const markers = path.join(work, 'markers');
    fs.mkdirSync(markers);
    const step = startStep({
      runId: 5001,
      inputs: {
        command: 'backup',
        'db-path': db,
        'stop-writers': `echo stopped > "${markers}/stopped"`,
        'start-writers': `echo started > "${markers}/started"`,
      },
      extraEnv: { STORAGE_OPS_FAULT: 'pause:backup:writers-stopped' },
    });
    await step.waitForStderr('fault-point backup:writers-stopped');
    expect(fs.existsSync(path.join(markers, 'stopped'))).toBe(true);
    expect(fs.existsSync(path.join(markers, 'started'))).toBe(false);
    const runnerTemp = gh.files(step.env).runnerTemp;
    expect(fs.readdirSync(runnerTemp).some((f) => f.startsWith('staging-'))).toBe(true);

    step.child.kill('SIGINT');
    // The runner escalates 7.5 s after SIGINT; the issue asks for cleanup within 5 s.
    let killed = false;
    const deadline = setTimeout(() => {
      killed = true;
      step.child.kill('SIGKILL');
    }, 5000);
    const r = await step.done;
    clearTimeout(deadline);
    expect(killed).toBe(false);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/::warning::received SIGINT: stopping/);
    expect(errorLines(r)).toEqual(['::error::cancelled (SIGINT)']);
    expect(fs.readFileSync(path.join(markers, 'started'), 'utf8')).toBe('started\n');
    expect(fs.readdirSync(runnerTemp)).toEqual([]);
    expect(gh.server.artifacts.filter((a) => a.name.startsWith('cancel-sqlite-'))).toHaveLength(0);
  });

  test('SIGTERM during a restore: writers restart, the live DB and RUNNER_TEMP are untouched', async () => {
    const db = makeDb('cancel-restore.db');
    const up = await runStep({ runId: 5101, inputs: { command: 'backup', 'db-path': db } });
    expectOk(up);
    const before = treeSnapshot(path.dirname(db));
    const markers = path.join(work, 'markers-restore');
    fs.mkdirSync(markers);
    const step = startStep({
      runId: 5102,
      inputs: {
        command: 'restore',
        'db-path': db,
        'stop-writers': `echo stopped > "${markers}/stopped"`,
        'start-writers': `echo started > "${markers}/started"`,
      },
      extraEnv: { STORAGE_OPS_FAULT: 'pause:restore:writers-stopped' },
    });
    await step.waitForStderr('fault-point restore:writers-stopped');
    step.child.kill('SIGTERM');
    const r = await step.done;
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/::warning::received SIGTERM: stopping/);
    expect(errorLines(r)).toEqual([expect.stringMatching(/^::error::cancelled \(SIGTERM\)/)]);
    expect(r.outputs['restored-from']).toBe(up.outputs['backup-name']);
    expect(fs.readFileSync(path.join(markers, 'started'), 'utf8')).toBe('started\n');
    expect(treeSnapshot(path.dirname(db))).toEqual(before);
    expect(fs.readdirSync(r.files.runnerTemp)).toEqual([]);
  });
});

describe('preflight, backup with prune', () => {
  test('preflight reports what the service would do, and fails the step when it would not start', async () => {
    const ws = path.join(work, 'preflight-ws');
    fs.mkdirSync(ws);
    fs.writeFileSync(
      path.join(ws, 'good.env'),
      'STORY_GEN_ANALYSIS_BACKEND=mongo-prototype\nSTORY_GEN_ENABLE_MONGO_ADAPTER=1\n',
    );
    fs.writeFileSync(path.join(ws, 'bad.env'), 'STORY_GEN_ANALYSIS_BACKEND=graph-prototype\n');
    const good = await runStep({
      runId: 6001,
      workspace: ws,
      inputs: { command: 'preflight', 'env-file': 'good.env' },
    });
    expectOk(good);
    const report = JSON.parse(good.outputs['preflight-report']!) as { ok: boolean; backend: string };
    expect(report).toMatchObject({ ok: true, backend: 'mongo-prototype' });
    expect(good.summary).toContain('The service would start with backend **mongo-prototype**.');

    const bad = await runStep({ runId: 6002, workspace: ws, inputs: { command: 'preflight', 'env-file': 'bad.env' } });
    expect(bad.code).toBe(1);
    expect(errorLines(bad)[0]).toContain(
      'STORY_GEN_ANALYSIS_BACKEND=graph-prototype requires STORY_GEN_ENABLE_GRAPH_ADAPTER=1.',
    );
    expect(JSON.parse(bad.outputs['preflight-report']!)).toMatchObject({ ok: false });
  });

  test('backup with prune: true prunes right after the verified upload and sets kept/removed', async () => {
    const db = makeDb('withprune.db');
    const inputs = { command: 'backup', 'db-path': db, prune: 'true', 'keep-last': '2' };
    const names: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await runStep({
        runId: 7001 + i,
        inputs,
        extraEnv: { STORAGE_OPS_NOW: new Date(Date.parse('2026-03-01T03:00:00Z') + i * DAY).toISOString() },
      });
      expectOk(r);
      names.push(r.outputs['backup-name']!);
      const kept = (JSON.parse(r.outputs.kept!) as { name: string }[]).map((k) => k.name);
      const removed = (JSON.parse(r.outputs.removed!) as { name: string }[]).map((k) => k.name);
      expect(kept).toEqual(names.slice(-2).reverse());
      expect(removed).toEqual(i === 2 ? [names[0]] : []);
      expect(r.summary).toContain('## ✅ Backup');
      expect(r.summary).toContain('## 🧹 Prune');
    }
    expect(liveNames('withprune-sqlite')).toEqual(names.slice(1));
  });
});
