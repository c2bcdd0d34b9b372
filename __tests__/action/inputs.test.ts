/**
 * readInputs: defaults, and every validation error is one line that names the
 * input and what it accepts, thrown before any work (a UsageError).
 */
import { describe, expect, test } from '@jest/globals';
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { UsageError } from '../../src/core/errors.js';
import { PROFILES } from '../../src/core/retention/policy.js';
import { DEFAULT_CHECKLIST_STEPS } from '../../src/core/checklist.js';
import { ACTION_COMMANDS, parseAge, readInputs } from '../../src/action/inputs.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { actionInputEnv } from '../support/github-standin.js';

const ACTION_YML_TEXT = fs.readFileSync(path.join(REPO_ROOT, 'action.yml'), 'utf8');
const ACTION_YML = parseYaml(ACTION_YML_TEXT) as {
  inputs: Record<string, { default?: string }>;
};

/** A getter over `values`; '' for anything else, like @actions/core for an unset input. */
const getter = (values: Record<string, string>) => (name: string) => {
  if (!(name in ACTION_YML.inputs)) throw new Error(`readInputs read ${name}, which action.yml does not declare`);
  return values[name] ?? '';
};

/** What the runner passes: action.yml's defaults (github-token's expression evaluated) under `values`. */
const runnerGetter = (values: Record<string, string>) => {
  const env = actionInputEnv(ACTION_YML_TEXT, values, 'ghs_runner_token');
  return getter(Object.fromEntries(Object.entries(env).map(([k, v]) => [k.slice('INPUT_'.length).toLowerCase(), v])));
};

function usageError(values: Record<string, string>): UsageError {
  try {
    readInputs(getter(values));
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return err as UsageError;
  }
  throw new Error(`readInputs accepted ${JSON.stringify(values)}`);
}

describe('defaults', () => {
  test('no inputs at all: a backup to artifacts with the documented defaults', () => {
    const i = readInputs(getter({}));
    expect(i).toMatchObject({
      command: 'backup',
      store: { kind: 'artifacts' },
      writers: { stop: undefined, start: undefined },
      prune: false,
      dryRun: false,
      maxBackupAgeMs: 48 * 3_600_000,
      maxBackupAgeText: '48h',
      backup: 'latest',
      revertOnFailure: false,
      checklist: { steps: undefined, workingDirectory: '.', stepTimeoutMs: 900_000, failFast: false, parallel: 1 },
      cache: { enabled: true, paths: ['~/.cache/uv'], keyFiles: ['uv.lock'] },
      githubToken: '',
      secrets: [],
    });
    expect(i.retention).toBeUndefined();
    expect(i.smoke).toBeUndefined();
    expect(i.dbPath).toBeUndefined();
    expect(i.backend).toBeUndefined();
    expect(i.runId).toBeUndefined();
  });

  test("action.yml's defaults, as the runner passes them, read the same as no inputs", () => {
    const fromRunner = readInputs(runnerGetter({}));
    const bare = readInputs(getter({}));
    expect({ ...fromRunner, githubToken: '', secrets: [] }).toEqual(bare);
    expect(fromRunner.githubToken).toBe('ghs_runner_token');
    expect(fromRunner.secrets).toEqual(['ghs_runner_token']);
  });

  test('every command accepts the runner defaults plus what it requires', () => {
    const needs: Record<string, Record<string, string>> = {
      prune: { profile: 'dev' },
      smoke: { 'base-url': 'http://127.0.0.1:8000', 'story-id': 's1', token: 't' },
      rollback: { 'env-file': '.env' },
    };
    for (const command of ACTION_COMMANDS) {
      expect(readInputs(runnerGetter({ command, ...needs[command] })).command).toBe(command);
    }
  });

  test('values are read as documented', () => {
    const i = readInputs(
      getter({
        command: 'restore',
        backend: ' Mongo-Prototype ',
        store: 'backups/local',
        'stop-writers': 'systemctl stop api',
        'start-writers': 'systemctl start api',
        profile: 'staging',
        'keep-last': '3',
        timezone: 'Europe/Berlin',
        'max-delete': '5',
        'max-backup-age': '1d12h',
        'retention-days': '30',
        backup: 'story_gen-sqlite-20260101T000000.000Z',
        'run-id': '12345',
        'revert-on-failure': 'True',
        'base-url': 'https://api.example.test/prefix',
        'story-id': 'story-9',
        email: 'ops@example.test',
        password: 'hunter2',
        timeout: '30',
        'request-timeout': '2.5',
        steps: 'uv run pytest\n# comment\n\nuv run mkdocs build --strict\n',
        'step-timeout': '60',
        parallel: '2',
        'fail-fast': 'true',
        cache: 'false',
        'cache-paths': '~/.cache/uv\n~/.cache/pip',
        'cache-key-files': 'uv.lock\npyproject.toml',
        'github-token': 'ghs_x',
      }),
    );
    expect(i.backend).toBe('mongo-prototype');
    expect(i.store).toEqual({ kind: 'local', dir: 'backups/local', lockTimeoutMs: 60_000 });
    expect(i.writers).toEqual({ stop: 'systemctl stop api', start: 'systemctl start api' });
    expect(i.retention?.policy).toEqual({ ...PROFILES.staging, last: 3 });
    expect(i.retention?.timezone).toBe('Europe/Berlin');
    expect(i.maxDelete).toBe(5);
    expect(i.maxBackupAgeMs).toBe(36 * 3_600_000);
    expect(i.retentionDays).toBe(30);
    expect(i.runId).toBe(12345);
    expect(i.revertOnFailure).toBe(true);
    expect(i.smoke).toEqual({
      baseUrl: 'https://api.example.test/prefix',
      storyId: 'story-9',
      login: { email: 'ops@example.test', password: 'hunter2' },
      timeoutMs: 30_000,
      requestTimeoutMs: 2500,
    });
    expect(i.checklist).toEqual({
      steps: ['uv run pytest', 'uv run mkdocs build --strict'],
      stepsFile: undefined,
      workingDirectory: '.',
      stepTimeoutMs: 60_000,
      failFast: true,
      parallel: 2,
    });
    expect(i.cache).toEqual({
      enabled: false,
      paths: ['~/.cache/uv', '~/.cache/pip'],
      keyFiles: ['uv.lock', 'pyproject.toml'],
    });
    expect(i.secrets.sort()).toEqual(['ghs_x', 'hunter2']);
  });

  test('a token wins over a login and is registered as a secret', () => {
    const i = readInputs(
      getter({
        command: 'smoke',
        'base-url': 'http://127.0.0.1:1',
        'story-id': 's',
        token: 'tok',
        email: 'e',
        password: 'p',
      }),
    );
    expect(i.smoke?.token).toBe('tok');
    expect(i.smoke?.login).toBeUndefined();
    expect(i.secrets).toEqual(expect.arrayContaining(['tok', 'p']));
  });

  test('the default checklist is the runbook validation checklist', () => {
    expect(readInputs(getter({ command: 'checklist' })).checklist.steps).toBeUndefined();
    expect(DEFAULT_CHECKLIST_STEPS).toContain('uv run python tools/check_contract_drift.py');
  });

  test('durations for max-backup-age', () => {
    expect(parseAge('48h', 'x')).toBe(48 * 3_600_000);
    expect(parseAge('2w', 'x')).toBe(14 * 86_400_000);
    expect(parseAge('30m', 'x')).toBe(30 * 60_000);
    expect(parseAge('1w2d3h4m', 'x')).toBe(((9 * 24 + 3) * 60 + 4) * 60_000);
  });
});

describe('every validation error names the input and the valid values', () => {
  const smoke = { 'base-url': 'http://127.0.0.1:8000', 'story-id': 's1', token: 't' };
  // [case, inputs, input named, what the message must say is valid]
  const cases: [string, Record<string, string>, string, RegExp][] = [
    [
      'unknown command',
      { command: 'bakup' },
      'command',
      /expected one of backup, restore, prune, verify, smoke, checklist, rollback, preflight/,
    ],
    ['unknown backend', { backend: 'postgres' }, 'backend', /expected one of sqlite, mongo-prototype, graph-prototype/],
    ['bad prefix', { prefix: '../x' }, 'prefix', /use 1-101 letters, digits/],
    ['unknown profile', { command: 'prune', profile: 'prod' }, 'profile', /expected dev or staging/],
    [
      'bad keep-daily',
      { command: 'prune', 'keep-daily': 'ten' },
      'keep-daily',
      /expected a whole number >= 0 or "unlimited"/,
    ],
    ['negative keep-last', { command: 'prune', 'keep-last': '-1' }, 'keep-last', /expected a whole number >= 0/],
    ['bad keep-within', { command: 'prune', 'keep-within': '3 days' }, 'keep-within', /expected/],
    [
      'bad keep-within-monthly',
      { command: 'prune', 'keep-within-monthly': '6x' },
      'keep-within-monthly',
      /unknown unit "x"; expected/,
    ],
    [
      'bad timezone',
      { command: 'prune', profile: 'dev', timezone: 'Mars/Base' },
      'timezone',
      /expected an IANA zone name/,
    ],
    [
      'bad max-delete',
      { command: 'prune', profile: 'dev', 'max-delete': 'all' },
      'max-delete',
      /expected a whole number >= 0/,
    ],
    ['prune without a policy', { command: 'prune' }, 'profile', /set profile \(dev or staging\) or keep-\* rules/],
    ['backup prune without a policy', { prune: 'true' }, 'profile', /set profile \(dev or staging\) or keep-\* rules/],
    ['only zero rules', { command: 'prune', 'keep-daily': '0' }, 'profile', /dev or staging/],
    ['bad boolean prune', { prune: 'yes' }, 'prune', /expected true or false/],
    ['bad boolean dry-run', { 'dry-run': '1' }, 'dry-run', /expected true or false/],
    ['bad boolean cache', { cache: 'on' }, 'cache', /expected true or false/],
    ['bad boolean fail-fast', { 'fail-fast': 'no' }, 'fail-fast', /expected true or false/],
    ['bad boolean revert-on-failure', { 'revert-on-failure': 'y' }, 'revert-on-failure', /expected true or false/],
    [
      'bad max-backup-age',
      { 'max-backup-age': '2 days' },
      'max-backup-age',
      /expected weeks, days, hours, minutes like 48h/,
    ],
    ['zero max-backup-age', { 'max-backup-age': '0h' }, 'max-backup-age', /expected a duration above zero like 48h/],
    [
      'bad lock-timeout for a local store',
      { store: 'backups', 'lock-timeout': 'soon' },
      'lock-timeout',
      /expected a positive number of seconds/,
    ],
    ['retention-days too long', { 'retention-days': '401' }, 'retention-days', /expected a whole number from 1 to 400/],
    ['retention-days zero', { 'retention-days': '0' }, 'retention-days', /expected a whole number from 1 to 400/],
    ['bad run-id', { command: 'restore', 'run-id': 'abc' }, 'run-id', /expected a whole number from 1 up/],
    ['bad parallel', { command: 'checklist', parallel: '0' }, 'parallel', /expected a whole number from 1 to 64/],
    [
      'bad step-timeout',
      { command: 'checklist', 'step-timeout': '-5' },
      'step-timeout',
      /expected a positive number of seconds/,
    ],
    [
      'bad backup name',
      { command: 'restore', backup: '../etc/passwd' },
      'backup',
      /expected a name from 'list'.*or 'latest'/,
    ],
    ['steps with bad JSON', { command: 'checklist', steps: '["a",' }, 'steps', /expected an array of command strings/],
    [
      'steps all comments',
      { command: 'checklist', steps: '# nothing\n' },
      'steps',
      /expected one shell command per line/,
    ],
    ['smoke without base-url', { command: 'smoke' }, 'base-url', /expected http\(s\):\/\/host\[:port\]/],
    ['bad base-url scheme', { ...smoke, 'base-url': 'ftp://h' }, 'base-url', /expected http or https/],
    ['base-url not a URL', { ...smoke, 'base-url': 'not a url' }, 'base-url', /expected http:\/\/host\[:port\]/],
    [
      'base-url with a query',
      { ...smoke, 'base-url': 'http://h/?a=1' },
      'base-url',
      /must not have a query or fragment; expected/,
    ],
    [
      'base-url without story-id',
      { 'base-url': 'http://h', token: 't' },
      'story-id',
      /the story whose latest analysis/,
    ],
    ['bad story-id', { ...smoke, 'story-id': 'a/b' }, 'story-id', /a non-empty story id without "\/"/],
    [
      'base-url without credentials',
      { 'base-url': 'http://h', 'story-id': 's' },
      'token',
      /\(or email with password\)/,
    ],
    ['bad timeout', { ...smoke, timeout: 'soon' }, 'timeout', /expected a positive number of seconds/],
    [
      'bad request-timeout',
      { ...smoke, 'request-timeout': '0' },
      'request-timeout',
      /expected a positive number of seconds/,
    ],
    ['rollback without env-file', { command: 'rollback' }, 'env-file', /the dotenv file the service reads/],
  ];

  test.each(cases)('%s', (_case, values, input, valid) => {
    const err = usageError(values);
    expect(err.message).toMatch(new RegExp(`(^|give )input ${input}\\b`));
    expect(err.message).toMatch(valid);
    expect(err.message).not.toContain('\n');
    // The action speaks of inputs, never of the CLI's flags.
    expect(err.message).not.toMatch(/(^|\s)--[a-z]/);
    expect(err.exitCode).toBe(2);
  });

  test('a base-url with credentials is refused without echoing them', () => {
    const err = usageError({ ...smoke, 'base-url': 'http://user:s3cret@h/' });
    expect(err.message).toMatch(/^input base-url: must not contain credentials/);
    expect(err.message).not.toContain('s3cret');
  });
});
