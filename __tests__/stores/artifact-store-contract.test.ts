/**
 * The shared BackupStore contract, run against ArtifactStore with the real
 * toolkit clients, the GitHub stand-in and Azurite. Every fixture is a fresh,
 * empty repository (the stand-in is reset); `reopen` acts from a later run.
 */
import { afterAll, beforeAll } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '../../src/core/logger.js';
import type { ArtifactStore as ArtifactStoreType } from '../../src/stores/artifact-store.js';
import { startGitHubStandins, type GitHubStandins } from '../support/github-standin.js';
import { captureStdout, enterRun, saveProcessEnv } from '../support/toolkit-env.js';
import { describeStoreContract } from './contract.js';

let gh: GitHubStandins;
let tmp: string;
let ArtifactStore: typeof ArtifactStoreType;
let stdout: ReturnType<typeof captureStdout>;
const restoreEnv = saveProcessEnv();
let run = 900;

beforeAll(async () => {
  gh = await startGitHubStandins();
  tmp = await mkdtemp(path.join(os.tmpdir(), 'artifact-contract-'));
  enterRun(gh, run);
  stdout = captureStdout();
  ({ ArtifactStore } = await import('../../src/stores/artifact-store.js'));
});

afterAll(async () => {
  stdout?.restore();
  restoreEnv();
  await gh?.stop();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

function storeInNewRun(): ArtifactStoreType {
  run += 1;
  enterRun(gh, run);
  return new ArtifactStore({
    prefix: 'story_gen-sqlite',
    token: gh.token,
    owner: gh.server.owner,
    repo: gh.server.repo,
    runId: run,
    tempDir: path.join(tmp, `run-${run}`),
    logger: silentLogger,
    retryDelayMs: 1,
  });
}

describeStoreContract('ArtifactStore (GitHub stand-in + Azurite)', async () => ({
  store: storeInNewRun(),
  reopen: async () => storeInNewRun(),
  cleanup: async () => gh.server.reset(),
  bytesAreStoredSize: true,
}));
