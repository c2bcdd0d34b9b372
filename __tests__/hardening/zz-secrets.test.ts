/**
 * Runs last (scripts/jest/sequencer.mjs). Every output the suite captured so
 * far (runCli, spawnCli, killed runs, every MemoryLogger line) is grepped for
 * the test tokens and passwords; the global teardown repeats the scan once all
 * workers are done, so output from a file still running on the other worker
 * is covered too.
 */
import { describe, expect, test } from '@jest/globals';
import fs from 'node:fs';
import path from 'node:path';
import { MemoryLogger } from '../../src/core/logger.js';
import { TEST_SECRETS, captureDir, scanCaptured } from '../../scripts/jest/secrets.mjs';
import { runCli, tempDir } from '../helpers/cli.js';

describe('secrets never appear in captured output', () => {
  test('the capture is live: CLI output and logger lines land in the capture folder', async () => {
    const r = await runCli(['list', '--store', path.join(tempDir('zz'), 'none'), '--json']);
    expect(r.code).toBe(0);
    new MemoryLogger().info('zz-secrets marker line');
    const all = fs.readdirSync(captureDir()).map((f) => fs.readFileSync(path.join(captureDir(), f), 'utf8'));
    expect(all.join('\n')).toContain('zz-secrets marker line');
  });

  test('the scanner finds a planted secret (so an empty result means something)', () => {
    const dir = tempDir('zz-plant');
    fs.writeFileSync(path.join(dir, 'x.log'), `ok\nAuthorization: Bearer ${TEST_SECRETS[0]}\n`);
    expect(scanCaptured(dir)).toEqual([`x.log:2: ${TEST_SECRETS[0]}`]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('no captured output of the suite holds a test token or password', () => {
    expect(scanCaptured()).toEqual([]);
  });
});
