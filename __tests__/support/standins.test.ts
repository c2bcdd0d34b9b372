/**
 * Proves the stand-ins are faithful enough: the real @actions/artifact,
 * @actions/cache and @actions/github clients run against them unchanged and
 * move real bytes through Azurite.
 *
 * The toolkit reads its environment at call time, except @actions/github,
 * which fixes GITHUB_API_URL when first imported; so the env is set before
 * the dynamic imports below and restored afterwards.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseCommandFile, startGitHubStandins, type GitHubStandins } from './github-standin.js';
import { captureStdout, enterRun as enterRunOf, saveProcessEnv } from './toolkit-env.js';

type ArtifactModule = typeof import('@actions/artifact');
type CacheModule = typeof import('@actions/cache');
type GithubModule = typeof import('@actions/github');

let gh: GitHubStandins;
let artifact: ArtifactModule;
let cache: CacheModule;
let github: GithubModule;
let tmp: string;
const restoreEnv = saveProcessEnv();
let stdout: ReturnType<typeof captureStdout>;
const enterRun = (runId: number) => enterRunOf(gh, runId);

beforeAll(async () => {
  gh = await startGitHubStandins();
  tmp = await mkdtemp(path.join(os.tmpdir(), 'standins-test-'));
  enterRun(101);
  // @actions/core writes workflow commands to stdout; keep them for assertions, off the console.
  stdout = captureStdout();
  artifact = await import('@actions/artifact');
  cache = await import('@actions/cache');
  github = await import('@actions/github');
});

afterAll(async () => {
  stdout?.restore();
  restoreEnv();
  await gh?.stop();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('@actions/artifact against the stand-ins', () => {
  test('upload in one run, find, download and delete from another run', async () => {
    const client = new artifact.DefaultArtifactClient();
    const src = path.join(tmp, 'upload');
    await mkdir(src, { recursive: true });
    const big = randomBytes(3 * 1024 * 1024 + 17); // odd size: no accidental block alignment
    await writeFile(path.join(src, 'data.bin'), big);
    await writeFile(path.join(src, 'manifest.json'), '{"hello":"world"}\n');

    enterRun(101);
    const up = await client.uploadArtifact(
      'backup-a',
      [path.join(src, 'data.bin'), path.join(src, 'manifest.json')],
      src,
      {
        retentionDays: 5,
      },
    );
    expect(up.id).toBeGreaterThan(0);
    expect(up.digest).toMatch(/^[0-9a-f]{64}$/); // bare hex from upload, see platform doc section 8
    const stored = gh.server.artifacts.find((a) => a.id === up.id);
    expect(stored).toMatchObject({ name: 'backup-a', runId: 101, finalized: true, digest: `sha256:${up.digest}` });
    // The bytes really are in Azurite and hash to the reported digest.
    const zip = await gh.server.artifactBytes(up.id!);
    expect(createHash('sha256').update(zip).digest('hex')).toBe(up.digest);
    expect(zip.subarray(0, 2).toString()).toBe('PK');
    // Retention 5 days is honoured.
    const days = (stored!.expiresAt.getTime() - stored!.createdAt.getTime()) / 86_400_000;
    expect(days).toBe(5);

    // Same run, same name: GitHub's 409.
    await expect(client.uploadArtifact('backup-a', [path.join(src, 'manifest.json')], src)).rejects.toThrow(
      /\(409\) Conflict: an artifact with this name already exists on the workflow run/,
    );

    // Current-run listing goes through Twirp and reports digests with the sha256: prefix.
    const listed = await client.listArtifacts();
    expect(listed.artifacts.map((a) => [a.name, a.id, a.digest])).toEqual([['backup-a', up.id, `sha256:${up.digest}`]]);

    // A later run finds it through REST with findBy.
    enterRun(102);
    const findBy = { token: gh.token, workflowRunId: 101, repositoryOwner: 'octo-org', repositoryName: 'story-gen' };
    expect((await client.listArtifacts()).artifacts).toEqual([]); // run 102 has none of its own
    const { artifact: found } = await client.getArtifact('backup-a', { findBy });
    expect(found).toMatchObject({ id: up.id, name: 'backup-a', digest: `sha256:${up.digest}` });

    const dest = path.join(tmp, 'download');
    const ok = await client.downloadArtifact(found.id, { path: dest, findBy, expectedHash: `sha256:${up.digest}` });
    expect(ok).toEqual({ downloadPath: dest, digestMismatch: false });
    expect((await readFile(path.join(dest, 'data.bin'))).equals(big)).toBe(true);
    expect(await readFile(path.join(dest, 'manifest.json'), 'utf8')).toBe('{"hello":"world"}\n');
    expect(
      gh.server.requestsFor('GET /repos/{owner}/{repo}/actions/artifacts/{artifact_id}/{archive_format}'),
    ).toHaveLength(1);

    // The quirk: the upload's bare digest never matches.
    const bare = await client.downloadArtifact(found.id, {
      path: path.join(tmp, 'download2'),
      findBy,
      expectedHash: up.digest,
    });
    expect(bare.digestMismatch).toBe(true);

    // Raw (skipDecompress) download keeps the zip as one file.
    const rawDir = path.join(tmp, 'raw');
    await client.downloadArtifact(found.id, { path: rawDir, findBy, skipDecompress: true });
    expect((await readFile(path.join(rawDir, 'artifact'))).equals(zip)).toBe(true);

    const del = await client.deleteArtifact('backup-a', { findBy });
    expect(del.id).toBe(up.id);
    expect(gh.server.artifacts.find((a) => a.id === up.id)).toBeUndefined();
    expect(await gh.azurite.blobSize('actions-results', stored!.blob)).toBeNull();
    await expect(client.getArtifact('backup-a', { findBy })).rejects.toThrow(/Artifact not found/);
  });

  test('storage quota exhaustion surfaces as the library message', async () => {
    enterRun(103);
    const client = new artifact.DefaultArtifactClient();
    const file = path.join(tmp, 'q.txt');
    await writeFile(file, 'q');
    gh.server.storageQuotaExhausted = true;
    try {
      await expect(client.uploadArtifact('quota', [file], tmp)).rejects.toThrow(/Artifact storage quota has been hit/);
    } finally {
      gh.server.storageQuotaExhausted = false;
    }
    expect(gh.server.artifacts.some((a) => a.name === 'quota')).toBe(false);
  });

  test('injected failures reach the client and are recorded', async () => {
    enterRun(104);
    const client = new artifact.DefaultArtifactClient();
    const file = path.join(tmp, 'f.txt');
    await writeFile(file, 'f');
    gh.server.injectFailure({ route: 'CreateArtifact', status: 400, body: { code: 'invalid_argument', msg: 'nope' } });
    await expect(client.uploadArtifact('injected', [file], tmp)).rejects.toThrow(
      /Failed to CreateArtifact: .*\(400\).*nope/,
    );
    // The rule was used up: the next upload succeeds.
    const up = await client.uploadArtifact('injected', [file], tmp);
    expect(up.id).toBeGreaterThan(0);
    expect(
      gh.server
        .requestsFor('CreateArtifact')
        .slice(-2)
        .map((r) => r.status),
    ).toEqual([400, 200]);
  });
});

describe('REST artifacts API of the stand-in through @actions/github', () => {
  test('paginates newest first with Link headers, filters names exactly, flags expired, deletes with 404 after', async () => {
    const octokit = github.getOctokit(gh.token, { baseUrl: gh.server.url });
    const t0 = Date.now() - 10 * 86_400_000;
    for (let i = 0; i < 230; i++) {
      gh.server.seedArtifact({
        name: `paged-${String(i).padStart(3, '0')}`,
        runId: 500 + (i % 7),
        createdAt: new Date(t0 + i * 60_000),
        expiresAt: i < 3 ? new Date(t0) : undefined,
      });
    }
    const all = await octokit.paginate(octokit.rest.actions.listArtifactsForRepo, {
      owner: 'octo-org',
      repo: 'story-gen',
      per_page: 100,
    });
    const paged = all.filter((a) => a.name.startsWith('paged-'));
    expect(paged).toHaveLength(230);
    expect(paged[0].name).toBe('paged-229');
    expect(paged.at(-1)!.name).toBe('paged-000');
    expect(paged.filter((a) => a.expired).map((a) => a.name)).toEqual(['paged-002', 'paged-001', 'paged-000']);
    const pages = gh.server.requestsFor('GET /repos/{owner}/{repo}/actions/artifacts');
    expect(pages.length).toBeGreaterThanOrEqual(3);

    const exact = await octokit.rest.actions.listArtifactsForRepo({
      owner: 'octo-org',
      repo: 'story-gen',
      name: 'paged-01',
    });
    expect(exact.data.total_count).toBe(0); // exact match only, never a prefix
    const one = await octokit.rest.actions.listArtifactsForRepo({
      owner: 'octo-org',
      repo: 'story-gen',
      name: 'paged-010',
    });
    expect(one.data.artifacts.map((a) => a.name)).toEqual(['paged-010']);

    const id = one.data.artifacts[0].id;
    const got = await octokit.rest.actions.getArtifact({ owner: 'octo-org', repo: 'story-gen', artifact_id: id });
    expect(got.data).toMatchObject({ id, name: 'paged-010', expired: false, workflow_run: { id: 503 } });
    const del = await octokit.rest.actions.deleteArtifact({ owner: 'octo-org', repo: 'story-gen', artifact_id: id });
    expect(del.status).toBe(204);
    await expect(
      octokit.rest.actions.deleteArtifact({ owner: 'octo-org', repo: 'story-gen', artifact_id: id }),
    ).rejects.toMatchObject({
      status: 404,
    });

    const readOnly = github.getOctokit(gh.server.readOnlyToken, { baseUrl: gh.server.url });
    const other = paged[5].id;
    await expect(
      readOnly.rest.actions.deleteArtifact({ owner: 'octo-org', repo: 'story-gen', artifact_id: other }),
    ).rejects.toMatchObject({
      status: 403,
    });
    const anon = github.getOctokit('wrong-token', { baseUrl: gh.server.url });
    await expect(
      anon.rest.actions.listArtifactsForRepo({ owner: 'octo-org', repo: 'story-gen' }),
    ).rejects.toMatchObject({
      status: 401,
    });
  });
});

describe('@actions/cache against the stand-ins', () => {
  test('restore misses, save, restore hits (exact and by restore key), duplicate save returns -1', async () => {
    enterRun(201);
    // The cache version hashes the path strings, so every run uses the same absolute path (like ~/.cache/uv).
    const dir = path.join(tmp, 'deps');
    await mkdir(dir, { recursive: true });
    const payload = randomBytes(200_000);
    await writeFile(path.join(dir, 'a.bin'), payload);
    await writeFile(path.join(dir, 'b.txt'), 'bee');

    expect(cache.isFeatureAvailable()).toBe(true);
    expect(await cache.restoreCache([dir], 'deps-linux-abc', ['deps-linux-'])).toBeUndefined();
    const id = await cache.saveCache([dir], 'deps-linux-abc');
    expect(id).toBeGreaterThan(0);
    expect(gh.server.cacheEntries.find((e) => e.id === id)).toMatchObject({ key: 'deps-linux-abc', finalized: true });

    // A later run on a clean machine: an exact hit restores the files.
    enterRun(202);
    await rm(dir, { recursive: true });
    expect(await cache.restoreCache([dir], 'deps-linux-abc')).toBe('deps-linux-abc');
    expect((await readFile(path.join(dir, 'a.bin'))).equals(payload)).toBe(true);
    expect(await readFile(path.join(dir, 'b.txt'), 'utf8')).toBe('bee');

    // Restore-key prefix hit.
    enterRun(203);
    await rm(dir, { recursive: true });
    expect(await cache.restoreCache([dir], 'deps-linux-zzz', ['deps-linux-'])).toBe('deps-linux-abc');
    expect(await readFile(path.join(dir, 'b.txt'), 'utf8')).toBe('bee');
    // A different path list is a different version: miss.
    expect(await cache.restoreCache([dir, path.join(tmp, 'other')], 'deps-linux-abc')).toBeUndefined();

    // Saving an existing key: 409, reported as -1 (never thrown).
    enterRun(204);
    expect(await cache.saveCache([dir], 'deps-linux-abc')).toBe(-1);
    expect(gh.server.requestsFor('CreateCacheEntry').at(-1)!.status).toBe(409);

    // Denials: a write denial comes back ok:false and saveCache reports -1.
    gh.server.cacheWriteDenied = true;
    try {
      expect(await cache.saveCache([dir], 'deps-linux-new')).toBe(-1);
    } finally {
      gh.server.cacheWriteDenied = false;
    }
    expect(gh.server.cacheEntries.some((e) => e.key === 'deps-linux-new')).toBe(false);
  });
});

/** Runs an ES module snippet in a child node with `env` added, from the repo root (so packages resolve). */
function runChild(
  code: string,
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', code], {
      cwd: process.cwd(),
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('child processes with env() (how the action runs)', () => {
  test('a step uploads and sets an output; a later run downloads it with findBy', async () => {
    const env1 = gh.env(601);
    const src = path.join(env1.GITHUB_WORKSPACE, 'payload.txt');
    await writeFile(src, 'from run 601\n');
    const up = await runChild(
      `import { DefaultArtifactClient } from '@actions/artifact';
       import * as core from '@actions/core';
       const r = await new DefaultArtifactClient().uploadArtifact('child-art', [${JSON.stringify(src)}], ${JSON.stringify(env1.GITHUB_WORKSPACE)});
       core.setOutput('artifact-id', String(r.id));
       core.setOutput('multi', 'a\\nb');`,
      env1,
    );
    expect([up.code, up.stderr]).toEqual([0, '']);
    const outputs = await gh.outputs(env1);
    expect(outputs.multi).toBe('a\nb');
    const id = Number(outputs['artifact-id']);
    expect(gh.server.artifacts.find((a) => a.id === id)).toMatchObject({ name: 'child-art', runId: 601 });

    const env2 = gh.env(602);
    const dest = path.join(env2.RUNNER_TEMP, 'dl');
    const down = await runChild(
      `import { DefaultArtifactClient } from '@actions/artifact';
       const findBy = { token: ${JSON.stringify(gh.token)}, workflowRunId: 601, repositoryOwner: 'octo-org', repositoryName: 'story-gen' };
       const c = new DefaultArtifactClient();
       const { artifact } = await c.getArtifact('child-art', { findBy });
       const r = await c.downloadArtifact(artifact.id, { path: ${JSON.stringify(dest)}, findBy, expectedHash: artifact.digest });
       if (r.digestMismatch) process.exit(3);`,
      env2,
    );
    expect([down.code, down.stderr]).toEqual([0, '']);
    expect(await readFile(path.join(dest, 'payload.txt'), 'utf8')).toBe('from run 601\n');
    expect(gh.files(env2).dir).not.toBe(gh.files(env1).dir);
  });
});

describe('runner environment', () => {
  test('env() gives the runner variables and fresh step files', async () => {
    const env = gh.env(301, { retentionDays: 30 });
    expect(env).toMatchObject({
      ACTIONS_CACHE_SERVICE_V2: 'True',
      GITHUB_RUN_ID: '301',
      GITHUB_REPOSITORY: 'octo-org/story-gen',
      GITHUB_RETENTION_DAYS: '30',
      GITHUB_API_URL: gh.server.url,
    });
    expect(new URL(env.GITHUB_SERVER_URL).hostname.endsWith('.localhost')).toBe(true);
    const [, payload] = env.ACTIONS_RUNTIME_TOKEN.split('.');
    const scp = JSON.parse(Buffer.from(payload, 'base64url').toString()).scp as string;
    expect(scp).toMatch(/Actions\.Results:[0-9a-f-]{36}:[^ ]+$/);
    expect(await readFile(env.GITHUB_OUTPUT, 'utf8')).toBe('');
    await writeFile(env.GITHUB_OUTPUT, 'a=1\nmulti<<EOF_X\nline1\nline2\nEOF_X\n');
    expect(await gh.outputs(env)).toEqual({ a: '1', multi: 'line1\nline2' });
    expect(parseCommandFile('k=v=w\n')).toEqual({ k: 'v=w' });
    // The sig of every SAS URL the toolkit saw was masked.
    expect(stdout.text()).toMatch(/::add-mask::/);
  });
});
