/** Backup and verify against bad input: each case exits with the right code, names the problem, changes nothing. */
import { describe, expect, test, beforeEach, afterEach } from '@jest/globals';
import fs from 'node:fs';
import path from 'node:path';
import { createPrototypeFiles, createStoryGenDb } from '../../scripts/lib/story-gen-fixture.mjs';
import { cleanEnv, runCli, tempDir, treeSnapshot } from '../helpers/cli.js';

let dir: string;
let db: string;
let store: string;
beforeEach(() => {
  dir = tempDir('inputs');
  db = path.join(dir, 'work', 'story_gen.db');
  store = path.join(dir, 'backups');
  createStoryGenDb(db, { runs: 50 });
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

async function expectRefused(argv: string[], code: number, message: RegExp, env = cleanEnv()) {
  const before = treeSnapshot(dir);
  const r = await runCli(argv, { env, cwd: dir });
  expect(r.code).toBe(code);
  const errors = r.logger.lines.filter((l) => l.level === 'error');
  expect(errors).toHaveLength(1);
  expect(errors[0]!.message).toMatch(message);
  expect(errors[0]!.message).not.toContain('\n');
  // Nothing changed, apart from an empty backups folder a refused run may have created.
  const after = treeSnapshot(dir);
  expect(after).toEqual(before);
  return r;
}

describe('backup refuses bad input', () => {
  test('unknown backend in the environment: the service sentence, exit 2', async () => {
    await expectRefused(
      ['backup', '--store', store, '--db-path', db],
      2,
      /^Unsupported STORY_GEN_ANALYSIS_BACKEND value\. Expected sqlite, mongo-prototype, or graph-prototype\.$/,
      cleanEnv({ STORY_GEN_ANALYSIS_BACKEND: 'postgres' }),
    );
  });

  test('unknown --backend names the flag and the valid values', async () => {
    await expectRefused(
      ['backup', '--store', store, '--db-path', db, '--backend', 'mysql'],
      2,
      /--backend.*sqlite, mongo-prototype, graph-prototype/,
    );
  });

  test.each([
    ['mongo-prototype', 'STORY_GEN_ANALYSIS_BACKEND=mongo-prototype requires STORY_GEN_ENABLE_MONGO_ADAPTER=1.'],
    ['graph-prototype', 'STORY_GEN_ANALYSIS_BACKEND=graph-prototype requires STORY_GEN_ENABLE_GRAPH_ADAPTER=1.'],
  ])('prototype backend %s without its flag', async (backend, sentence) => {
    createPrototypeFiles(db, backend.startsWith('mongo') ? 'mongo' : 'graph');
    await expectRefused(
      ['backup', '--store', store, '--db-path', db],
      2,
      new RegExp(`^${sentence.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`),
      cleanEnv({ STORY_GEN_ANALYSIS_BACKEND: ` ${backend.toUpperCase()} `, STORY_GEN_ENABLE_MONGO_ADAPTER: 'no' }),
    );
  });

  test('a missing database', async () => {
    await expectRefused(
      ['backup', '--store', store, '--db-path', path.join(dir, 'nope.db')],
      2,
      /database .*nope\.db does not exist/,
    );
  });

  test('a file that is not SQLite', async () => {
    fs.writeFileSync(db, 'this is not a database, just text that is long enough');
    await expectRefused(['backup', '--store', store, '--db-path', db], 2, /is not a SQLite database/);
  });

  test('a zero-byte database', async () => {
    fs.writeFileSync(db, '');
    await expectRefused(['backup', '--store', store, '--db-path', db], 2, /is empty \(0 bytes\)/);
  });

  test('a missing meta file for a prototype backend', async () => {
    const { meta } = createPrototypeFiles(db, 'mongo');
    fs.rmSync(meta);
    await expectRefused(
      ['backup', '--store', store, '--db-path', db, '--backend', 'mongo-prototype'],
      2,
      /meta file .*mongo_analysis_meta\.json does not exist/,
    );
  });

  test('an unparseable meta file', async () => {
    const { meta } = createPrototypeFiles(db, 'graph');
    fs.writeFileSync(meta, '{"schema_version": ');
    await expectRefused(
      ['backup', '--store', store, '--db-path', db, '--backend', 'graph-prototype'],
      2,
      /meta file .* is not valid JSON/,
    );
  });

  test('an unknown flag names it and lists the valid ones', async () => {
    await expectRefused(
      ['backup', '--store', store, '--dbpath', db],
      2,
      /--dbpath: unknown option for "backup"; valid options: .*--db-path/,
    );
  });
});

describe('JSONL snapshots', () => {
  test('a torn tail is left out and reported; every copied line parses', async () => {
    const { runs } = createPrototypeFiles(db, 'mongo', 10);
    fs.appendFileSync(runs, '{"run_id": "half-writ');
    const r = await runCli(['backup', '--store', store, '--db-path', db, '--backend', 'mongo-prototype', '--json'], {
      cwd: dir,
    });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    const runsEntry = doc.manifest.files.find((f: { role: string }) => f.role === 'runs');
    expect(runsEntry.jsonl).toEqual({ lines: 10, tornBytes: '{"run_id": "half-writ'.length });
    expect(doc.manifest.files.find((f: { role: string }) => f.role === 'meta').meta.schemaVersion).toBe(
      'story_analysis_runs.v3',
    );
    expect(r.stderr).toMatch(/torn last line of 21 bytes/);
    const copied = fs.readFileSync(path.join(doc.path, path.basename(runs)), 'utf8');
    expect(copied.endsWith('\n')).toBe(true);
    expect(
      copied
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l)),
    ).toHaveLength(10);
    // The source is untouched.
    expect(fs.readFileSync(runs, 'utf8').endsWith('half-writ')).toBe(true);
  });

  test('a complete line that is not JSON fails the backup and publishes nothing', async () => {
    const { runs } = createPrototypeFiles(db, 'graph', 3);
    fs.appendFileSync(runs, 'not json\n');
    const r = await runCli(['backup', '--store', store, '--db-path', db, '--backend', 'graph-prototype'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/line 4 is not valid JSON/);
    expect((await runCli(['list', '--store', store, '--json'])).stdout.trim()).toBe('[]');
    expect(fs.readdirSync(path.join(store, '.staging'))).toEqual([]);
  });

  test('invalid UTF-8 in a line is refused', async () => {
    const { runs } = createPrototypeFiles(db, 'mongo', 2);
    fs.appendFileSync(runs, Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d, 0x0a]));
    const r = await runCli(['backup', '--store', store, '--db-path', db, '--backend', 'mongo-prototype'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/line 3 is not valid UTF-8/);
  });
});

describe('verify catches damage', () => {
  async function backupOnce(): Promise<{ name: string; path: string }> {
    const r = await runCli(['backup', '--store', store, '--db-path', db, '--json'], { cwd: dir });
    expect(r.code).toBe(0);
    return JSON.parse(r.stdout);
  }

  test('an intact backup verifies by name, by latest and by path', async () => {
    const b = await backupOnce();
    expect((await runCli(['verify', '--store', store, '--backup', b.name])).code).toBe(0);
    expect((await runCli(['verify', '--store', store, '--backup', 'latest'])).code).toBe(0);
    const r = await runCli(['verify', '--backup', b.path, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).files[0].checks).toEqual(['size', 'sha256', 'integrity_check']);
  });

  test.each([
    [
      'a flipped byte',
      (p: string) => {
        const f = path.join(p, 'story_gen.db');
        const buf = fs.readFileSync(f);
        buf[buf.length - 100] = buf[buf.length - 100]! ^ 0xff;
        fs.writeFileSync(f, buf);
      },
      /story_gen\.db sha256 .* differs from manifest/,
    ],
    [
      'a truncated file',
      (p: string) => fs.truncateSync(path.join(p, 'story_gen.db'), 4096),
      /story_gen\.db has 4096 bytes, manifest says \d+/,
    ],
    ['an extra file', (p: string) => fs.writeFileSync(path.join(p, 'extra.txt'), 'x'), /unexpected file extra\.txt/],
    ['a missing file', (p: string) => fs.rmSync(path.join(p, 'story_gen.db')), /story_gen\.db is missing/],
    ['a missing manifest', (p: string) => fs.rmSync(path.join(p, 'manifest.json')), /manifest\.json is missing/],
  ])('%s', async (_what, damage, message) => {
    const b = await backupOnce();
    damage(b.path);
    const r = await runCli(['verify', '--backup', b.path]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
  });

  test('a backup name with a path in it is refused before anything is read', async () => {
    const r = await runCli(['verify', '--store', store, '--backup', '..']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--backup: "\.\." is not a backup name/);
  });
});
