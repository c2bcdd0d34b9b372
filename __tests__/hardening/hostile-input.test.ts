/**
 * Hostile and mistaken input: every row of docs/hostile-input.md. Each case
 * asserts the exit code, a one-line message naming the input and what it
 * accepts, and that no file under the fixture changed.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createPrototypeFiles, createStoryGenDb } from '../../scripts/lib/story-gen-fixture.mjs';
import { runBackup } from '../../src/core/backup.js';
import { resolveConfig } from '../../src/core/config.js';
import { silentLogger } from '../../src/core/logger.js';
import { LocalStore } from '../../src/stores/local-store.js';
import { readInputs } from '../../src/action/inputs.js';
import { capture } from '../../scripts/jest/secrets.mjs';
import { DIST_CLI, cleanEnv, runCli, tempDir, treeSnapshot } from '../helpers/cli.js';

let fx: string;
let db: string;
let store: string;
let backup: string;
let empty: string;
const MONGO = cleanEnv({ STORY_GEN_ENABLE_MONGO_ADAPTER: '1' });

beforeAll(async () => {
  fx = tempDir('hardening-hostile');
  db = path.join(fx, 'data', 'story_gen.db');
  createStoryGenDb(db, { runs: 10 });
  store = path.join(fx, 'backups');
  backup = (
    await runBackup({ config: resolveConfig({}, { dbPath: db }), store: new LocalStore(store), logger: silentLogger })
  ).name;
  empty = path.join(fx, 'empty-store');
  fs.mkdirSync(empty);
});
afterAll(() => fs.rmSync(fx, { recursive: true, force: true }));

/** A file under the fixture made by one case (kept out of other cases' way by its id). */
function file(id: string, name: string, data: string | Buffer): string {
  const p = path.join(fx, id, name);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, data);
  return p;
}

function protoDb(id: string, mutate?: (runs: string, meta: string) => void): string {
  const p = path.join(fx, id, 'story_gen.db');
  const { runs, meta } = createPrototypeFiles(p, 'mongo', 3);
  mutate?.(runs, meta);
  return p;
}

interface Case {
  id: string;
  argv: () => string[];
  env?: NodeJS.ProcessEnv;
  code: number;
  /** The one-line message: names the input and what it accepts. */
  message: RegExp;
  /** An accepted backup: new files may appear under the fixture's store, nothing else changes. */
  addsBackup?: boolean;
}

const R = ['restore', '--store'];
const CASES: Case[] = [
  // Backup names
  {
    id: 'name-dotdot',
    argv: () => [...R, store, '--backup', '../etc', '--db-path', db],
    code: 2,
    message: /^--backup: "\.\.\/etc" is not a backup name; expected a name from 'list'/,
  },
  {
    id: 'name-dotdot-bare',
    argv: () => [...R, store, '--backup', '..', '--db-path', db],
    code: 2,
    message: /^--backup: "\.\." is not a backup name; expected/,
  },
  {
    id: 'name-absolute',
    argv: () => [...R, store, '--backup', '/etc/passwd', '--db-path', db],
    code: 2,
    message: /^--backup: "\/etc\/passwd" is not a backup name; expected/,
  },
  {
    id: 'name-backslash',
    argv: () => [...R, store, '--backup', 'a\\b', '--db-path', db],
    code: 2,
    message: /^--backup: "a\\b" is not a backup name/,
  },
  {
    id: 'name-hidden',
    argv: () => [...R, store, '--backup', '.staging', '--db-path', db],
    code: 2,
    message: /^--backup: "\.staging" is not a backup name/,
  },
  {
    id: 'name-empty',
    argv: () => [...R, store, '--backup', '', '--db-path', db],
    code: 2,
    message: /^--backup: must not be empty/,
  },
  {
    id: 'name-missing',
    argv: () => [...R, store, '--backup', 'story_gen-sqlite-20200101T000000.000Z', '--db-path', db],
    code: 2,
    message: /^--backup: no backup named story_gen-sqlite-20200101T000000\.000Z in /,
  },
  {
    id: 'name-latest-empty',
    argv: () => [...R, empty, '--backup', 'latest', '--db-path', db],
    code: 2,
    message: /^--backup: latest asked for, but local folder .* holds no sqlite backup/,
  },
  {
    id: 'name-link',
    argv: () => {
      const s = path.join(fx, 'name-link', 'store');
      fs.mkdirSync(s, { recursive: true });
      fs.symlinkSync(path.join(store, backup), path.join(s, backup));
      return [...R, s, '--backup', backup, '--db-path', db];
    },
    code: 2,
    message: /^--backup: no backup named .* in .*name-link\/store/,
  },
  {
    id: 'name-duplicate',
    argv: () => {
      // A copy of a backup under another folder name: its manifest names the original.
      const s = path.join(fx, 'name-duplicate', 'store');
      fs.cpSync(path.join(store, backup), path.join(s, 'copy-sqlite-20200101T000000.000Z'), { recursive: true });
      return [...R, s, '--backup', 'copy-sqlite-20200101T000000.000Z', '--db-path', db];
    },
    code: 2,
    message:
      /^--backup: folder .*copy-sqlite-20200101T000000\.000Z holds backup story_gen-sqlite-.*, not copy-sqlite-20200101T000000\.000Z \(a copied or renamed folder\); give a name from 'list'$/,
  },
  {
    id: 'prefix-dotdot',
    argv: () => ['backup', '--store', store, '--db-path', db, '--prefix', '../x'],
    code: 2,
    message: /^--prefix: "\.\.\/x" is not a valid prefix; use 1-101 letters/,
  },
  {
    id: 'prefix-absolute',
    argv: () => ['backup', '--store', store, '--db-path', db, '--prefix', '/tmp/x'],
    code: 2,
    message: /^--prefix: "\/tmp\/x" is not a valid prefix; use/,
  },
  // Store folder
  {
    id: 'store-symlink',
    argv: () => {
      const link = path.join(fx, 'store-symlink', 'backups');
      fs.mkdirSync(path.dirname(link), { recursive: true });
      fs.symlinkSync(store, link);
      return ['backup', '--store', link, '--db-path', db];
    },
    code: 2,
    message: /^--store: .*store-symlink\/backups is a symbolic link to .*backups; give the real folder/,
  },
  {
    id: 'store-is-file',
    argv: () => ['backup', '--store', db, '--db-path', db],
    code: 2,
    message: /^--store: .*story_gen\.db exists and is not a folder/,
  },
  {
    id: 'store-missing',
    argv: () => ['restore', '--db-path', db, '--backup', 'latest'],
    code: 2,
    message: /^--store: required/,
  },
  // Database file
  {
    id: 'db-not-sqlite',
    argv: () => [
      'backup',
      '--store',
      store,
      '--db-path',
      file('db-not-sqlite', 'story_gen.db', 'hello, not a database\n'.repeat(10)),
    ],
    code: 2,
    message: /is not a SQLite database/,
  },
  {
    id: 'db-empty-file',
    argv: () => ['backup', '--store', store, '--db-path', file('db-empty-file', 'story_gen.db', '')],
    code: 2,
    message: /^database .*story_gen\.db is empty \(0 bytes\), not a SQLite database/,
  },
  {
    id: 'db-no-tables',
    argv: () => {
      const p = file('db-no-tables', 'story_gen.db', '');
      fs.rmSync(p);
      createStoryGenDb(p, { runs: 0 });
      const d = new (require_sqlite())(p);
      d.exec('DROP TABLE story_analysis_runs; DROP TABLE analysis_schema_versions;');
      d.close();
      return ['backup', '--store', store, '--db-path', p];
    },
    code: 0,
    message: /backing up sqlite data/,
    addsBackup: true,
  },
  {
    id: 'db-symlink-backup',
    argv: () => {
      const link = path.join(fx, 'db-symlink-backup', 'story_gen.db');
      fs.mkdirSync(path.dirname(link), { recursive: true });
      fs.symlinkSync(db, link);
      return ['backup', '--store', store, '--db-path', link, '--json'];
    },
    code: 0,
    message:
      /--db-path: .*db-symlink-backup\/story_gen\.db is a link to .*data\/story_gen\.db; backing up the real file \(recorded in the manifest\)/,
    addsBackup: true,
  },
  {
    id: 'db-missing',
    argv: () => ['backup', '--store', store, '--db-path', path.join(fx, 'nope', 'story_gen.db')],
    code: 2,
    message: /^database .*nope\/story_gen\.db does not exist \(backend sqlite; set --db-path or STORY_GEN_DB_PATH\)/,
  },
  {
    id: 'db-unreadable-dir',
    argv: () => {
      const p = path.join(fx, 'db-unreadable-dir', 'story_gen.db');
      fs.mkdirSync(p, { recursive: true });
      return ['backup', '--store', store, '--db-path', p];
    },
    code: 2,
    message: /story_gen\.db is not a (regular )?file|is not a SQLite database|not readable/,
  },
  {
    id: 'db-symlink-restore',
    argv: () => {
      const real = path.join(fx, 'db-symlink-restore', 'real', 'real.db');
      fs.mkdirSync(path.dirname(real), { recursive: true });
      fs.copyFileSync(db, real);
      const link = path.join(fx, 'db-symlink-restore', 'story_gen.db');
      fs.symlinkSync(real, link);
      return [...R, store, '--backup', backup, '--db-path', link, '--dry-run'];
    },
    code: 0,
    message:
      /--db-path: .*db-symlink-restore\/story_gen\.db is a link to .*real\/real\.db; restoring into the real file/,
  },
  {
    id: 'restore-target-dir',
    argv: () => [...R, store, '--backup', backup, '--db-path', fx],
    code: 2,
    message: /--db-path: .* is a folder; expected the SQLite database file/,
  },
  // JSONL and meta
  {
    id: 'jsonl-huge-line',
    argv: () => [
      'backup',
      '--backend',
      'mongo-prototype',
      '--store',
      store,
      '--db-path',
      protoDb('jsonl-huge-line', (runs) =>
        fs.appendFileSync(runs, Buffer.alloc(65 * 1048576 + 10, 0x61).toString() + '\n'),
      ),
    ],
    env: MONGO,
    code: 1,
    message: /line 4 is longer than 64 MiB; a runs file holds one UTF-8 JSON document per line/,
  },
  {
    id: 'jsonl-bad-utf8',
    argv: () => [
      'backup',
      '--backend',
      'mongo-prototype',
      '--store',
      store,
      '--db-path',
      protoDb('jsonl-bad-utf8', (runs) =>
        fs.appendFileSync(runs, Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d, 0x0a])),
      ),
    ],
    env: MONGO,
    code: 1,
    message: /line 4 is not valid UTF-8; a runs file holds one UTF-8 JSON document per line/,
  },
  {
    id: 'meta-not-json',
    argv: () => [
      'backup',
      '--backend',
      'mongo-prototype',
      '--store',
      store,
      '--db-path',
      protoDb('meta-not-json', (_r, meta) => fs.writeFileSync(meta, '{nope')),
    ],
    env: MONGO,
    code: 2,
    message: /meta file .* (is not|not valid) JSON/,
  },
  {
    id: 'backend-unknown',
    argv: () => ['backup', '--store', store, '--db-path', db, '--backend', 'postgres'],
    code: 2,
    message: /^--backend: unknown backend "postgres"; expected one of sqlite, mongo-prototype, graph-prototype/,
  },
  {
    id: 'backend-no-flag',
    argv: () => ['backup', '--store', store, '--db-path', db],
    env: cleanEnv({ STORY_GEN_ANALYSIS_BACKEND: 'mongo-prototype' }),
    code: 2,
    message: /^STORY_GEN_ANALYSIS_BACKEND=mongo-prototype requires STORY_GEN_ENABLE_MONGO_ADAPTER=1\./,
  },
  // Durations, counts, zones
  {
    id: 'duration-unit',
    argv: () => ['prune', '--store', store, '--keep-within', '14x'],
    code: 2,
    message: /^--keep-within: "14x" has unknown unit "x"; expected a duration like 14d/,
  },
  {
    id: 'duration-negative',
    argv: () => ['prune', '--store', store, '--keep-within', '-3d'],
    code: 2,
    message:
      /^--keep-within: its value starts with "-" and reads as a flag; write it as --keep-within=VALUE \(see storage-ops prune --help/,
  },
  {
    id: 'duration-empty',
    argv: () => ['prune', '--store', store, '--keep-within-daily', ''],
    code: 2,
    message: /^no retention rules: give --profile \(dev or staging\) or at least one --keep-\* rule/,
  },
  {
    id: 'count-negative',
    argv: () => ['prune', '--store', store, '--keep-last', '-1'],
    code: 2,
    message: /^--keep-last: its value starts with "-" and reads as a flag; write it as --keep-last=VALUE/,
  },
  {
    id: 'count-fraction',
    argv: () => ['prune', '--store', store, '--keep-daily', '1.5'],
    code: 2,
    message: /^--keep-daily: "1\.5"/,
  },
  {
    id: 'count-word',
    argv: () => ['prune', '--store', store, '--keep-weekly', 'lots'],
    code: 2,
    message: /^--keep-weekly: "lots"/,
  },
  {
    id: 'max-delete-word',
    argv: () => ['prune', '--store', store, '--keep-last', '1', '--max-delete', 'all'],
    code: 2,
    message: /^--max-delete: "all"/,
  },
  {
    id: 'timezone-unknown',
    argv: () => ['prune', '--store', store, '--keep-last', '1', '--timezone', 'Mars/Olympus_Mons'],
    code: 2,
    message: /^--timezone: unknown time zone "Mars\/Olympus_Mons"; expected an IANA zone name/,
  },
  {
    id: 'lock-timeout-word',
    argv: () => ['backup', '--store', store, '--db-path', db, '--lock-timeout', 'forever'],
    code: 2,
    message: /^--lock-timeout: "forever" is not a duration in seconds; expected a positive number/,
  },
  { id: 'no-policy', argv: () => ['prune', '--store', store], code: 2, message: /--profile|--keep/ },
  {
    id: 'count-negative-eq',
    argv: () => ['prune', '--store', store, '--keep-last=-1'],
    code: 2,
    message: /^--keep-last: "-1"/,
  },
  {
    id: 'duration-negative-eq',
    argv: () => ['prune', '--store', store, '--keep-within=-3d'],
    code: 2,
    message: /^--keep-within: "-3d"/,
  },
  {
    id: 'lock-timeout-zero',
    argv: () => ['prune', '--store', store, '--keep-last', '1', '--lock-timeout', '0'],
    code: 2,
    message: /^--lock-timeout: "0" is not a duration in seconds; expected a positive number/,
  },
  {
    id: 'store-is-file-list',
    argv: () => ['list', '--store', db],
    code: 2,
    message: /^--store: .*story_gen\.db exists and is not a folder/,
  },
  // Smoke flags
  {
    id: 'url-ftp',
    argv: () => [
      ...R,
      store,
      '--backup',
      backup,
      '--db-path',
      db,
      '--base-url',
      'ftp://127.0.0.1/',
      '--story-id',
      's1',
      '--token-env',
      'T',
    ],
    env: cleanEnv({ T: 'x' }),
    code: 2,
    message: /^--base-url: .*expected http/,
  },
  {
    id: 'url-file',
    argv: () => ['smoke', '--base-url', 'file:///etc/passwd', '--story-id', 's1', '--token-env', 'T'],
    env: cleanEnv({ T: 'x' }),
    code: 2,
    message: /^--base-url: .*expected http/,
  },
  {
    id: 'story-id-slash',
    argv: () => ['smoke', '--base-url', 'http://127.0.0.1:9/', '--story-id', '../admin', '--token-env', 'T'],
    env: cleanEnv({ T: 'x' }),
    code: 2,
    message: /^--story-id: must be a non-empty story id without "\/"/,
  },
  // Env files (rollback)
  {
    id: 'env-crlf',
    argv: () => [
      'rollback',
      '--env-file',
      file('env-crlf', '.env', 'STORY_GEN_ANALYSIS_BACKEND=mongo-prototype\r\nSTORY_GEN_ENABLE_MONGO_ADAPTER=1\r\n'),
      '--dry-run',
      '--no-checks',
    ],
    code: 0,
    message: /STORY_GEN_ANALYSIS_BACKEND/,
  },
  {
    id: 'env-bom',
    argv: () => [
      'rollback',
      '--env-file',
      file('env-bom', '.env', '\ufeffSTORY_GEN_ANALYSIS_BACKEND=mongo-prototype\nSTORY_GEN_ENABLE_MONGO_ADAPTER=1\n'),
      '--dry-run',
      '--no-checks',
    ],
    code: 0,
    message: /STORY_GEN_ANALYSIS_BACKEND/,
  },
  {
    id: 'env-missing',
    argv: () => ['rollback', '--env-file', path.join(fx, 'no.env'), '--dry-run'],
    code: 2,
    message: /^--env-file: /,
  },
  // Flags
  {
    id: 'unknown-flag',
    argv: () => ['backup', '--store', store, '--db-path', db, '--force'],
    code: 2,
    message: /^--force: unknown option for "backup"; valid options: /,
  },
  { id: 'unknown-command', argv: () => ['destroy'], code: 2, message: /^unknown command "destroy"; valid commands: / },
];

function require_sqlite() {
  return sqliteCtor;
}
let sqliteCtor: typeof import('node:sqlite').DatabaseSync;
beforeAll(async () => {
  sqliteCtor = (await import('node:sqlite')).DatabaseSync;
});

describe('hostile and mistaken CLI input', () => {
  test.each(CASES.map((c) => [c.id, c] as const))('%s', async (_id, c) => {
    const argv = c.argv();
    const before = treeSnapshot(fx);
    const r = await runCli(argv, { env: c.env ?? cleanEnv() });
    const errors = r.logger.lines.filter((l) => l.level === 'error');
    if (c.code === 0) {
      expect({ code: r.code, errors: errors.map((e) => e.message) }).toEqual({ code: 0, errors: [] });
      expect(r.stderr + r.stdout).toMatch(c.message);
    } else {
      expect({ code: r.code, stderr: r.stderr }).toEqual({ code: c.code, stderr: expect.any(String) });
      expect(errors).toHaveLength(1);
      expect(errors[0]!.message).not.toContain('\n');
      expect(errors[0]!.message).toMatch(c.message);
    }
    const after = treeSnapshot(fx);
    if (c.id === 'db-symlink-backup') {
      expect(JSON.parse(r.stdout).manifest.source.dbRealPath).toBe(db);
    }
    if (c.addsBackup) {
      // Accepted and backed up: only the store gained the new backup.
      for (const k of Object.keys(after)) if (!(k in before)) expect(k.startsWith('backups/')).toBe(true);
      for (const [k, v] of Object.entries(before)) expect(after[k]).toBe(v);
    } else {
      expect(after).toEqual(before);
    }
  });
});

describe('docs/hostile-input.md', () => {
  test('has a row for every CLI case, and at least 40 rows', () => {
    const doc = fs.readFileSync(path.join(import.meta.dirname, '../../docs/hostile-input.md'), 'utf8');
    const rows = doc.split('\n').filter((l) => /^\|\s*\d+\s*\|/.test(l));
    expect(rows.length).toBeGreaterThanOrEqual(40);
    for (const c of CASES)
      expect([
        c.id,
        rows.some((r) =>
          r
            .split('|')
            .map((x) => x.trim())
            .includes(c.id),
        ),
      ]).toEqual([c.id, true]);
  });
});

describe('unreadable files (root reads anything, so this runs the CLI as nobody)', () => {
  test('db-unreadable: a chmod 000 database is refused, naming the file; nothing changes', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hardening-unreadable-'));
    try {
      fs.chmodSync(dir, 0o755);
      const file = path.join(dir, 'story_gen.db');
      fs.copyFileSync(db, file);
      fs.chmodSync(file, 0o000);
      const before = treeSnapshot(dir);
      const r = spawnSync(
        'setpriv',
        [
          '--reuid=65534',
          '--regid=65534',
          '--clear-groups',
          process.execPath,
          DIST_CLI,
          'backup',
          '--db-path',
          file,
          '--store',
          path.join(dir, 'backups'),
        ],
        { encoding: 'utf8', env: cleanEnv() },
      );
      capture('setpriv backup stderr', r.stderr);
      expect(r.status).toBe(2);
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toBe(
        `error: database ${file} is not readable by this user (EACCES); run storage-ops as a user that can read it`,
      );
      expect(treeSnapshot(dir)).toEqual(before);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('hostile action inputs (readInputs)', () => {
  const get = (inputs: Record<string, string>) => (name: string) => inputs[name] ?? '';
  test.each([
    ['command-unknown', { command: 'nuke' }, /^input command: "nuke" is not a command; expected one of /],
    ['backend-unknown', { backend: 'postgres' }, /^input backend: "postgres" is not a backend; expected one of /],
    ['prefix-dotdot', { prefix: '../x' }, /^input prefix: "\.\.\/x" is not a valid prefix/],
    ['keep-last-negative', { command: 'prune', 'keep-last': '-2' }, /keep-last/],
    ['keep-within-bad', { command: 'prune', 'keep-within': '2 weeks' }, /keep-within/],
    ['timezone-unknown', { command: 'prune', 'keep-last': '3', timezone: 'Atlantis/Capital' }, /timezone/],
  ])('%s', (_id, inputs, message) => {
    let err: unknown;
    try {
      readInputs(get(inputs));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(Error);
    expect((err as { exitCode?: number }).exitCode).toBe(2);
    expect((err as Error).message).not.toContain('\n');
    expect((err as Error).message).toMatch(message);
  });
});
