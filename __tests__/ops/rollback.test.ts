import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runRollback } from '../../src/core/rollback.js';
import { InputError, UsageError } from '../../src/core/errors.js';
import { MemoryLogger } from '../../src/core/logger.js';
import { run } from '../../src/cli/main.js';
import { stderrLogger } from '../../src/cli/logger.js';
import { startFakeService, type FakeService } from './fake-service.js';

let root: string;
let n = 0;
let svc: FakeService | undefined;
beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-rollback-'));
});
afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
});
afterEach(async () => {
  await svc?.close();
  svc = undefined;
});

const ORIGINAL =
  '# story_gen\r\nexport STORY_GEN_ANALYSIS_BACKEND="mongo-prototype" # trial\r\nSTORY_GEN_ENABLE_MONGO_ADAPTER=1\r\nSECRET_KEY=\'k#1\'\r\n';
const EXPECTED = '# story_gen\r\nexport STORY_GEN_ANALYSIS_BACKEND="sqlite" # trial\r\nSECRET_KEY=\'k#1\'\r\n';

/** A fresh folder with an env file in it. */
function setup(content = ORIGINAL, mode = 0o600): { dir: string; env: string } {
  const dir = path.join(root, `case-${++n}`);
  fs.mkdirSync(dir);
  const env = path.join(dir, '.env');
  fs.writeFileSync(env, content);
  fs.chmodSync(env, mode);
  return { dir, env };
}

const listing = (dir: string) => fs.readdirSync(dir).sort();

describe('runRollback', () => {
  test('edits the env file, keeps a backup, restarts, smoke-checks, runs the checks', async () => {
    const { dir, env } = setup();
    svc = await startFakeService();
    const log = new MemoryLogger();
    const now = new Date('2026-12-04T20:17:49.123Z');
    const r = await runRollback(
      {
        envFile: env,
        cwd: dir,
        restartCommand: `echo restarted > ${dir}/restart.marker`,
        smoke: { baseUrl: svc.url, storyId: 'story-1', token: svc.state.token },
        checks: { steps: ['test -f restart.marker', 'echo check-two'] },
        now: () => now,
      },
      log,
    );
    expect(r.ok).toBe(true);
    expect(r.failedPhase).toBeNull();
    expect(fs.readFileSync(env, 'utf8')).toBe(EXPECTED);
    expect(r.backupPath).toBe(`${fs.realpathSync(env)}.bak-20261204T201749.123Z`);
    expect(fs.readFileSync(r.backupPath!, 'utf8')).toBe(ORIGINAL);
    expect(fs.statSync(env).mode & 0o777).toBe(0o600);
    expect(fs.statSync(r.backupPath!).mode & 0o777).toBe(0o600);
    expect(r.restart).toMatchObject({ status: 'passed', exitCode: 0 });
    expect(r.smoke?.ok).toBe(true);
    expect(r.checks?.steps.map((s) => s.status)).toEqual(['passed', 'passed']);
    expect(listing(dir)).toEqual(['.env', '.env.bak-20261204T201749.123Z', 'restart.marker']);
  });

  test('dry run: prints the diff and plan, changes nothing, runs nothing', async () => {
    const { dir, env } = setup();
    const before = fs.statSync(env);
    const r = await runRollback(
      { envFile: env, cwd: dir, restartCommand: `touch ${dir}/ran`, dryRun: true },
      new MemoryLogger(),
    );
    expect(r.ok).toBe(true);
    expect(r.dryRun).toBe(true);
    expect(r.diff).toBe(
      [
        '--- .env',
        '+++ .env (after rollback)',
        '@@ line 2: set STORY_GEN_ANALYSIS_BACKEND @@',
        '-export STORY_GEN_ANALYSIS_BACKEND="mongo-prototype" # trial',
        '+export STORY_GEN_ANALYSIS_BACKEND="sqlite" # trial',
        '@@ line 3: remove STORY_GEN_ENABLE_MONGO_ADAPTER @@',
        '-STORY_GEN_ENABLE_MONGO_ADAPTER=1',
        '',
      ].join('\n'),
    );
    expect(r.plan[1]).toBe(`restart: touch ${dir}/ran`);
    expect(fs.readFileSync(env, 'utf8')).toBe(ORIGINAL);
    expect(fs.statSync(env).mtimeMs).toBe(before.mtimeMs);
    expect(listing(dir)).toEqual(['.env']);
  });

  test('a failing restart stops the rollback and names the backup', async () => {
    const { dir, env } = setup();
    const r = await runRollback(
      { envFile: env, cwd: dir, restartCommand: 'echo nope >&2; exit 7', checks: { steps: [`touch ${dir}/checked`] } },
      new MemoryLogger(),
    );
    expect(r.ok).toBe(false);
    expect(r.failedPhase).toBe('restart');
    expect(r.restart).toMatchObject({ status: 'failed', exitCode: 7, outputTail: 'nope' });
    expect(r.message).toMatch(
      /^rollback restart failed: .*exited with code 7; the env file was changed \(original kept at .*\.bak-/,
    );
    expect(r.checks).toBeNull();
    expect(fs.existsSync(path.join(dir, 'checked'))).toBe(false);
    expect(fs.readFileSync(env, 'utf8')).toBe(EXPECTED);
  });

  test('failing smoke checks stop before the rollback checks', async () => {
    const { dir, env } = setup();
    svc = await startFakeService();
    const r = await runRollback(
      {
        envFile: env,
        cwd: dir,
        smoke: { baseUrl: svc.url, storyId: 'missing-story', token: svc.state.token },
        checks: { steps: [`touch ${dir}/checked`] },
      },
      new MemoryLogger(),
    );
    expect(r.failedPhase).toBe('smoke');
    expect(r.message).toMatch(/rollback smoke failed: smoke check "analysis" failed: HTTP 404/);
    expect(r.checks).toBeNull();
    expect(fs.existsSync(path.join(dir, 'checked'))).toBe(false);
  });

  test('failing checks are reported', async () => {
    const { dir, env } = setup();
    const r = await runRollback({ envFile: env, cwd: dir, checks: { steps: ['true', 'exit 3'] } }, new MemoryLogger());
    expect(r.failedPhase).toBe('checks');
    expect(r.message).toMatch(/step 2 failed/);
  });

  test('an env file already on sqlite is left alone and no backup is made', async () => {
    const content = 'STORY_GEN_ANALYSIS_BACKEND=sqlite\n';
    const { dir, env } = setup(content);
    const r = await runRollback({ envFile: env, cwd: dir, checks: null }, new MemoryLogger());
    expect(r.ok).toBe(true);
    expect(r.changed).toBe(false);
    expect(r.backupPath).toBeNull();
    expect(listing(dir)).toEqual(['.env']);
  });

  test('a symlinked env file: the target is edited, the link stays a link', async () => {
    const { dir, env } = setup();
    const link = path.join(dir, 'link.env');
    fs.symlinkSync(env, link);
    const r = await runRollback({ envFile: 'link.env', cwd: dir, checks: null }, new MemoryLogger());
    expect(r.ok).toBe(true);
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(env, 'utf8')).toBe(EXPECTED);
  });

  test('bad input leaves every file untouched', async () => {
    const { dir, env } = setup();
    await expect(runRollback({ envFile: 'nope.env', cwd: dir }, new MemoryLogger())).rejects.toBeInstanceOf(InputError);
    await expect(
      runRollback(
        { envFile: env, cwd: dir, smoke: { baseUrl: 'ftp://x', storyId: 's', token: 't' } },
        new MemoryLogger(),
      ),
    ).rejects.toBeInstanceOf(UsageError);
    await expect(
      runRollback({ envFile: env, cwd: dir, checks: { steps: [], parallel: 1 } }, new MemoryLogger()),
    ).rejects.toBeInstanceOf(UsageError);
    expect(fs.readFileSync(env, 'utf8')).toBe(ORIGINAL);
    expect(listing(dir)).toEqual(['.env']);
  });

  test('two rollbacks at the same instant get distinct backup names', async () => {
    const { dir, env } = setup();
    const now = () => new Date('2026-01-02T03:04:05Z');
    await runRollback({ envFile: env, cwd: dir, checks: null, now }, new MemoryLogger());
    fs.writeFileSync(env, ORIGINAL);
    await runRollback({ envFile: env, cwd: dir, checks: null, now }, new MemoryLogger());
    expect(listing(dir)).toEqual(['.env', '.env.bak-20260102T030405.000Z', '.env.bak-20260102T030405.000Z-1']);
  });
});

describe('rollback CLI', () => {
  async function cli(argv: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
    let stdout = '';
    let stderr = '';
    const code = await run(argv, {
      out: (s) => void (stdout += s),
      logger: stderrLogger({ verbose: true, write: (s) => void (stderr += s) }),
      cwd,
      env: { PATH: process.env.PATH, ...env },
    });
    return { code, stdout, stderr };
  }

  test('--dry-run prints the diff and the plan with the default rollback checks', async () => {
    const { dir } = setup();
    const r = await cli(['rollback', '--env-file', '.env', '--dry-run'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('+export STORY_GEN_ANALYSIS_BACKEND="sqlite" # trial');
    expect(r.stdout).toContain(
      'rollback checks: uv run python tools/check_contract_drift.py ; uv run pytest tests/test_api_app.py',
    );
    expect(r.stdout).not.toContain('k#1');
    expect(listing(dir)).toEqual(['.env']);
  });

  test('full run with --json: smoke through the shared flags, checks, no secret in the output', async () => {
    const { dir, env } = setup();
    svc = await startFakeService();
    const r = await cli(
      [
        'rollback',
        '--env-file',
        '.env',
        '--restart',
        'echo restarting',
        '--base-url',
        svc.url,
        '--story-id',
        'story-1',
        '--token-env',
        'STORY_TOKEN',
        '--timeout',
        '10',
        '--step',
        'echo check',
        '--step-timeout',
        '30',
        '--json',
      ],
      dir,
      { STORY_TOKEN: svc.state.token },
    );
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.ok).toBe(true);
    expect(doc.smoke.checks.map((c: { name: string }) => c.name)).toEqual(['healthz', 'analysis']);
    expect(doc.checks.steps[0].command).toBe('echo check');
    expect(fs.readFileSync(env, 'utf8')).toBe(EXPECTED);
    expect(r.stdout + r.stderr).not.toContain(svc.state.token);
  });

  test.each([
    [['rollback'], /--env-file: required/],
    [['rollback', '--env-file', '.env', '--story-id', 's'], /--story-id: a smoke-check option; it needs --base-url/],
    [['rollback', '--env-file', '.env', '--no-checks', '--step', 'x'], /--no-checks: cannot be combined/],
    [['rollback', '--env-file', 'missing.env'], /--env-file: cannot read .*missing\.env: ENOENT/],
    [['rollback', '--env-file', '.env', '--restart', ' '], /--restart: must be a non-empty shell command/],
  ])('usage error %j exits 2 and touches nothing', async (argv, msg) => {
    const { dir } = setup();
    const r = await cli(argv, dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(msg);
    expect(listing(dir)).toEqual(['.env']);
    expect(fs.readFileSync(path.join(dir, '.env'), 'utf8')).toBe(ORIGINAL);
  });

  test('exit 1 and a message when the restart fails', async () => {
    const { dir } = setup();
    const r = await cli(['rollback', '--env-file', '.env', '--restart', 'exit 5', '--no-checks'], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/rollback restart failed: exit 5: exited with code 5/);
  });
});

test('the restart command runs in --cwd, also with --no-checks', async () => {
  const { dir } = setup();
  fs.mkdirSync(path.join(dir, 'svc'));
  let stdout = '';
  const code = await run(
    ['rollback', '--env-file', '.env', '--restart', 'pwd > where.txt', '--cwd', 'svc', '--no-checks', '--json'],
    { out: (s) => void (stdout += s), logger: new MemoryLogger(), cwd: dir, env: { PATH: process.env.PATH } },
  );
  expect(code).toBe(0);
  expect(JSON.parse(stdout).restart.status).toBe('passed');
  expect(fs.realpathSync(fs.readFileSync(path.join(dir, 'svc', 'where.txt'), 'utf8').trim())).toBe(
    fs.realpathSync(path.join(dir, 'svc')),
  );
});

test('a line that mentions a target key but does not parse is left alone and reported', async () => {
  const content = 'STORY_GEN_ENABLE_MONGO_ADAPTER="1" trailing junk\nSTORY_GEN_ANALYSIS_BACKEND=mongo-prototype\n';
  const { dir, env } = setup(content);
  const log = new MemoryLogger();
  const r = await runRollback({ envFile: env, cwd: dir, checks: null }, log);
  expect(r.ok).toBe(true);
  expect(fs.readFileSync(env, 'utf8')).toBe(
    'STORY_GEN_ENABLE_MONGO_ADAPTER="1" trailing junk\nSTORY_GEN_ANALYSIS_BACKEND=sqlite\n',
  );
  expect(r.warnings).toEqual([
    `${fs.realpathSync(env)}:1: mentions STORY_GEN_ENABLE_MONGO_ADAPTER but does not parse as KEY=value; left unchanged, check it by hand`,
  ]);
  expect(log.text()).toContain('check it by hand');
});
