/** Stop/start writers: once stop-writers ran, start-writers always runs. */
import { describe, expect, test } from '@jest/globals';
import fs from 'node:fs';
import path from 'node:path';
import { createStoryGenDb } from '../../scripts/lib/story-gen-fixture.mjs';
import { cleanEnv, runCli, spawnCli, tempDir } from '../helpers/cli.js';

function setup() {
  const dir = tempDir('writers');
  const db = path.join(dir, 'story_gen.db');
  createStoryGenDb(db, { runs: 20 });
  const log = path.join(dir, 'writers.log');
  return {
    dir,
    db,
    log,
    store: path.join(dir, 'backups'),
    stop: `echo stopped >> '${log}'`,
    start: `echo started >> '${log}'`,
    events: () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n') : []),
  };
}

describe('writers', () => {
  test('stopped and started around a successful backup', async () => {
    const s = setup();
    const r = await runCli([
      'backup',
      '--db-path',
      s.db,
      '--store',
      s.store,
      '--stop-writers',
      s.stop,
      '--start-writers',
      s.start,
    ]);
    expect(r.code).toBe(0);
    expect(s.events()).toEqual(['stopped', 'started']);
  });

  test('start-writers runs after a failed snapshot, and the failure is reported', async () => {
    const s = setup();
    // The stop command itself damages the database, so the snapshot that follows fails.
    const stop = `${s.stop}; printf 'garbage' > '${s.db}'`;
    const r = await runCli([
      'backup',
      '--db-path',
      s.db,
      '--store',
      s.store,
      '--stop-writers',
      stop,
      '--start-writers',
      s.start,
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is not a SQLite database/);
    expect(s.events()).toEqual(['stopped', 'started']);
    expect(fs.readdirSync(path.join(s.store, '.staging'))).toEqual([]);
  });

  test('start-writers runs when stop-writers itself fails', async () => {
    const s = setup();
    const r = await runCli([
      'backup',
      '--db-path',
      s.db,
      '--store',
      s.store,
      '--stop-writers',
      `${s.stop}; exit 3`,
      '--start-writers',
      s.start,
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/stop-writers failed \(exit 3\)/);
    expect(s.events()).toEqual(['stopped', 'started']);
  });

  test.each(['SIGTERM', 'SIGINT'] as const)(
    'start-writers runs after %s mid-backup; nothing is published or left behind',
    async (sig) => {
      const s = setup();
      const cli = spawnCli(
        ['backup', '--db-path', s.db, '--store', s.store, '--stop-writers', s.stop, '--start-writers', s.start],
        {
          env: cleanEnv({ STORAGE_OPS_FAULT: 'pause:backup:writers-stopped' }),
        },
      );
      await cli.waitFor('fault-point backup:writers-stopped');
      expect(s.events()).toEqual(['stopped']);
      cli.child.kill(sig);
      const res = await cli.done;
      expect(res.code).toBe(130);
      expect(res.stderr).toMatch(new RegExp(`received ${sig}`));
      expect(s.events()).toEqual(['stopped', 'started']);
      expect(fs.readdirSync(s.store).filter((e) => !e.startsWith('.'))).toEqual([]);
      expect(fs.readdirSync(path.join(s.store, '.staging'))).toEqual([]);
    },
  );
});
