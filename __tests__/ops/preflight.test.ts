import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runPreflight } from '../../src/core/preflight.js';
import { InputError } from '../../src/core/errors.js';
import { MemoryLogger } from '../../src/core/logger.js';
import { run } from '../../src/cli/main.js';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-preflight-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const B = 'STORY_GEN_ANALYSIS_BACKEND';
const M = 'STORY_GEN_ENABLE_MONGO_ADAPTER';
const G = 'STORY_GEN_ENABLE_GRAPH_ADAPTER';
const UNSUPPORTED =
  'Unsupported STORY_GEN_ANALYSIS_BACKEND value. Expected sqlite, mongo-prototype, or graph-prototype.';
const NEEDS_MONGO = 'STORY_GEN_ANALYSIS_BACKEND=mongo-prototype requires STORY_GEN_ENABLE_MONGO_ADAPTER=1.';
const NEEDS_GRAPH = 'STORY_GEN_ANALYSIS_BACKEND=graph-prototype requires STORY_GEN_ENABLE_GRAPH_ADAPTER=1.';

const check = (env: Record<string, string>) => runPreflight({ env, cwd: dir });

describe('preflight: every case the service distinguishes', () => {
  test.each([
    ['unset', {}, 'sqlite', 'default'],
    ['empty', { [B]: '' }, 'sqlite', 'default'],
    ['blank', { [B]: ' \t ' }, 'sqlite', 'default'],
    ['sqlite', { [B]: 'sqlite' }, 'sqlite', 'env'],
    ['SQLite with spaces', { [B]: '  SQLite\n' }, 'sqlite', 'env'],
    ['mongo with flag 1', { [B]: 'mongo-prototype', [M]: '1' }, 'mongo-prototype', 'env'],
    ['MONGO with flag " TRUE "', { [B]: 'MONGO-PROTOTYPE', [M]: ' TRUE ' }, 'mongo-prototype', 'env'],
    ['graph with flag yes', { [B]: 'graph-prototype', [G]: 'yes' }, 'graph-prototype', 'env'],
    ['Graph with tab and flag On', { [B]: '\tGraph-Prototype ', [G]: 'On' }, 'graph-prototype', 'env'],
  ])('accepted: %s', async (_name, env, backend, source) => {
    const r = await check(env);
    expect(r.ok).toBe(true);
    expect(r.error).toBeNull();
    expect(r.backend).toBe(backend);
    expect(r.backendSource).toBe(source);
  });

  test.each([
    ['unknown backend', { [B]: 'postgres' }, UNSUPPORTED, null],
    ['a near miss', { [B]: 'mongo' }, UNSUPPORTED, null],
    ['underscore spelling', { [B]: 'graph_prototype', [G]: '1' }, UNSUPPORTED, null],
    ['mongo without flag', { [B]: 'mongo-prototype' }, NEEDS_MONGO, 'mongo-prototype'],
    ['mongo with flag 0', { [B]: 'mongo-prototype', [M]: '0' }, NEEDS_MONGO, 'mongo-prototype'],
    ['mongo with flag "enabled"', { [B]: 'mongo-prototype', [M]: 'enabled' }, NEEDS_MONGO, 'mongo-prototype'],
    ['mongo with only the graph flag', { [B]: 'mongo-prototype', [G]: '1' }, NEEDS_MONGO, 'mongo-prototype'],
    ['graph without flag', { [B]: 'graph-prototype' }, NEEDS_GRAPH, 'graph-prototype'],
    ['graph with only the mongo flag', { [B]: 'Graph-Prototype', [M]: 'true' }, NEEDS_GRAPH, 'graph-prototype'],
    ['graph with flag empty', { [B]: 'graph-prototype', [G]: '' }, NEEDS_GRAPH, 'graph-prototype'],
  ])('rejected: %s, with the service sentence', async (_name, env, sentence, backend) => {
    const r = await check(env);
    expect(r.ok).toBe(false);
    expect(r.error).toBe(sentence);
    expect(r.backend).toBe(backend);
    expect(r.files).toEqual([]);
  });

  // Flag truthiness: strip + lower-case, then one of 1/true/yes/on.
  const ON = ['1', 'true', 'yes', 'on', 'TRUE', 'Yes', ' on ', '\tON\n', 'tRuE'];
  const OFF = ['0', 'false', 'no', 'off', '', ' ', '2', 'y', 't', 'enabled', '1.0', 'on!', 'o n'];
  test.each([...ON.map((v) => [v, true] as const), ...OFF.map((v) => [v, false] as const)])(
    'flag value %j is on=%s for both adapters',
    async (value, on) => {
      const mongo = await check({ [B]: 'mongo-prototype', [M]: value });
      const graph = await check({ [B]: 'graph-prototype', [G]: value });
      expect(mongo.ok).toBe(on);
      expect(graph.ok).toBe(on);
      expect(mongo.flags.mongo).toBe(on);
      expect(graph.flags.graph).toBe(on);
    },
  );

  test('flags on without their backend are accepted with a warning', async () => {
    const r = await check({ [B]: 'sqlite', [M]: '1', [G]: 'yes' });
    expect(r.ok).toBe(true);
    expect(r.warnings).toContain(`${M} is on but unused: the backend is sqlite`);
    expect(r.warnings).toContain(`${G} is on but unused: the backend is sqlite`);
  });

  test('a flag value that reads as off but looks meant to be on is warned about', async () => {
    const r = await check({ [B]: 'mongo-prototype', [M]: 'enabled' });
    expect(r.warnings).toContain(`${M}="enabled" reads as off; on values are 1, true, yes, on`);
  });

  test('data files for each backend, with existence and size', async () => {
    const d = path.join(dir, 'files');
    fs.mkdirSync(d);
    fs.writeFileSync(path.join(d, 'app.db'), 'x'.repeat(10));
    fs.writeFileSync(path.join(d, 'app.mongo_analysis_runs.jsonl'), '{}\n');
    const sqlite = await check({ STORY_GEN_DB_PATH: path.join(d, 'app.db') });
    expect(sqlite.files).toEqual([{ role: 'sqlite', path: path.join(d, 'app.db'), exists: true, bytes: 10 }]);
    expect(sqlite.dbPathSource).toBe('env');
    const mongo = await check({ [B]: 'mongo-prototype', [M]: '1', STORY_GEN_DB_PATH: path.join(d, 'app.db') });
    expect(mongo.files).toEqual([
      { role: 'runs', path: path.join(d, 'app.mongo_analysis_runs.jsonl'), exists: true, bytes: 3 },
      { role: 'meta', path: path.join(d, 'app.mongo_analysis_meta.json'), exists: false, bytes: null },
    ]);
    const graph = await check({ [B]: 'graph-prototype', [G]: '1', STORY_GEN_DB_PATH: path.join(d, 'app.db') });
    expect(graph.files.map((f) => path.basename(f.path))).toEqual([
      'app.graph_analysis_runs.jsonl',
      'app.graph_analysis_meta.json',
    ]);
    const dflt = await check({});
    expect(dflt.dbPath).toBe(path.join(dir, 'work/local/story_gen.db'));
    expect(dflt.dbPathSource).toBe('default');
  });
});

describe('preflight from an env file', () => {
  test('dotenv semantics; relative DB path resolves against the env file folder', async () => {
    const d = path.join(dir, 'svc');
    fs.mkdirSync(path.join(d, 'data'), { recursive: true });
    fs.writeFileSync(path.join(d, 'data', 'app.graph_analysis_runs.jsonl'), '{"a":1}\n');
    fs.writeFileSync(
      path.join(d, '.env'),
      [
        '\uFEFF# service config',
        `export ${B}="graph-prototype" # trial`,
        `${G}='on'`,
        `${M}=1#not-a-comment`,
        'STORY_GEN_DB_PATH=data/app.db   # relative',
        'broken line',
        '',
      ].join('\r\n'),
    );
    const r = await runPreflight({ envFile: path.join(d, '.env'), env: { [B]: 'postgres' }, cwd: '/' });
    expect(r.ok).toBe(true);
    expect(r.source).toBe(path.join(d, '.env'));
    expect(r.backend).toBe('graph-prototype');
    expect(r.flags).toEqual({ mongo: false, graph: true });
    expect(r.settings[M]).toBe('1#not-a-comment');
    expect(r.dbPath).toBe(path.join(d, 'data', 'app.db'));
    expect(r.files[0]).toEqual({
      role: 'runs',
      path: path.join(d, 'data', 'app.graph_analysis_runs.jsonl'),
      exists: true,
      bytes: 8,
    });
    expect(r.warnings).toContain(`${path.join(d, '.env')}:6: line does not parse as KEY=value; ignored`);
  });

  test('--service-dir overrides where a relative DB path resolves', async () => {
    const d = path.join(dir, 'svc2');
    fs.mkdirSync(d);
    fs.writeFileSync(path.join(d, 'x.env'), 'STORY_GEN_DB_PATH=db/s.db\n');
    const r = await runPreflight({ envFile: 'svc2/x.env', serviceDir: '/srv/app', cwd: dir });
    expect(r.dbPath).toBe('/srv/app/db/s.db');
  });

  test('an unreadable env file is an input error', async () => {
    await expect(runPreflight({ envFile: 'nope.env', cwd: dir })).rejects.toBeInstanceOf(InputError);
  });
});

describe('preflight CLI', () => {
  async function cli(argv: string[], env: NodeJS.ProcessEnv) {
    let stdout = '';
    const log = new MemoryLogger();
    const code = await run(argv, { out: (s) => void (stdout += s), logger: log, cwd: dir, env });
    return { code, stdout, log };
  }

  test('accepted configuration: exit 0 and a readable report', async () => {
    const r = await cli(['preflight'], { [B]: 'mongo-prototype', [M]: 'yes' });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('the service would start with backend mongo-prototype (env)');
    expect(r.stdout).toMatch(/runs\s+missing\s+.*story_gen\.mongo_analysis_runs\.jsonl/);
  });

  test('rejected configuration: exit 2 with the exact sentence; --json is one document', async () => {
    const text = await cli(['preflight'], { [B]: 'graph-prototype' });
    expect(text.code).toBe(2);
    expect(text.stdout).toContain(`the service would stop at start with: ${NEEDS_GRAPH}`);
    const json = await cli(['preflight', '--json'], { [B]: 'nosql' });
    expect(json.code).toBe(2);
    const doc = JSON.parse(json.stdout);
    expect(doc).toMatchObject({ ok: false, error: UNSUPPORTED, backend: null });
  });

  test('--env-file that does not exist: exit 2', async () => {
    const r = await cli(['preflight', '--env-file', 'missing.env'], {});
    expect(r.code).toBe(2);
    expect(r.log.text()).toMatch(/--env-file: cannot read .*missing\.env: ENOENT/);
  });

  test('values of unrelated keys in the env file are never printed', async () => {
    fs.writeFileSync(path.join(dir, 'secret.env'), 'API_TOKEN=tok-SECRET-777\nSTORY_GEN_ANALYSIS_BACKEND=sqlite\n');
    const r = await cli(['preflight', '--env-file', 'secret.env', '--json'], {});
    expect(r.code).toBe(0);
    expect(r.stdout + r.log.text()).not.toContain('tok-SECRET-777');
  });
});
