/**
 * ArtifactStore against the local stand-ins: the real @actions/artifact and
 * @actions/github clients, a real HTTP server for GitHub's APIs, real bytes in
 * Azurite. Runs are simulated by switching the runner env (process.env), which
 * the toolkit reads per call.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { NameTakenError, NotFoundError, StoreError, UsageError } from '../../src/core/errors.js';
import { MemoryLogger } from '../../src/core/logger.js';
import { MANIFEST_FILE, MANIFEST_FORMAT, type Manifest } from '../../src/core/types.js';
import type { ArtifactStore as ArtifactStoreType, ArtifactStoreOptions } from '../../src/stores/artifact-store.js';
import { startGitHubStandins, type GitHubStandins } from '../support/github-standin.js';
import { captureStdout, enterRun as enterRunOf, saveProcessEnv } from '../support/toolkit-env.js';
import { makeZip } from '../support/zip-writer.js';

const PREFIX = 'story_gen-sqlite';
let gh: GitHubStandins;
let tmp: string;
let ArtifactStore: typeof ArtifactStoreType;
const restoreEnv = saveProcessEnv();
let stdout: ReturnType<typeof captureStdout>;
const enterRun = (runId: number, retentionDays?: number) => enterRunOf(gh, runId, { retentionDays });

beforeAll(async () => {
  gh = await startGitHubStandins();
  tmp = await mkdtemp(path.join(os.tmpdir(), 'artifact-store-test-'));
  enterRun(400);
  stdout = captureStdout(); // the toolkit prints workflow commands; keep test output readable
  ({ ArtifactStore } = await import('../../src/stores/artifact-store.js'));
});

afterAll(async () => {
  stdout?.restore();
  restoreEnv();
  await gh?.stop();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

/** A store acting inside workflow run `runId`. */
function storeIn(
  runId: number,
  extra: Partial<ArtifactStoreOptions> = {},
): { store: ArtifactStoreType; logger: MemoryLogger } {
  enterRun(runId);
  const logger = new MemoryLogger();
  const store = new ArtifactStore({
    prefix: PREFIX,
    token: gh.token,
    owner: gh.server.owner,
    repo: gh.server.repo,
    runId,
    tempDir: path.join(tmp, `temp-${runId}`),
    logger,
    retryDelayMs: 1,
    ...extra,
  });
  return { store, logger };
}

function stamp(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '');
}
let clock = Date.parse('2026-11-01T03:00:00.000Z');
function nextName(prefix = PREFIX): { name: string; createdAt: Date } {
  clock += 3_600_000;
  const createdAt = new Date(clock);
  return { name: `${prefix}-${stamp(createdAt)}`, createdAt };
}

/** Stages a backup folder the way the engine does: data files plus manifest.json. */
async function stage(
  store: ArtifactStoreType,
  name: string,
  createdAt: Date,
  files: Record<string, Buffer | string> = { 'story_gen.db': randomBytes(50_000) },
): Promise<{ dir: string; manifest: Manifest; files: Record<string, Buffer> }> {
  const dir = await store.createStaging(name);
  const out: Record<string, Buffer> = {};
  const list: Manifest['files'] = [];
  for (const [file, data] of Object.entries(files)) {
    const buf = Buffer.isBuffer(data) ? data : Buffer.from(data);
    out[file] = buf;
    await writeFile(path.join(dir, file), buf);
    list.push({
      name: file,
      role: file.endsWith('.db') ? 'sqlite' : file.endsWith('.jsonl') ? 'runs' : 'meta',
      source: `/srv/story_gen/${file}`,
      bytes: buf.length,
      sha256: createHash('sha256').update(buf).digest('hex'),
    });
  }
  const manifest: Manifest = {
    formatVersion: MANIFEST_FORMAT,
    tool: { name: 'storage-ops', version: 'test' },
    name,
    backend: 'sqlite',
    createdAt: createdAt.toISOString(),
    source: { dbPath: '/srv/story_gen/story_gen.db' },
    schemaVersion: null,
    files: list,
    bytes: list.reduce((s, f) => s + f.bytes, 0),
    durationMs: 1,
  };
  await writeFile(path.join(dir, MANIFEST_FILE), JSON.stringify(manifest, null, 2));
  return { dir, manifest, files: out };
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

describe('ArtifactStore', () => {
  test('publish, list, open from a later run, remove', async () => {
    const { store, logger } = storeIn(401, { retentionDays: 30 });
    expect(store.describe()).toBe('artifacts of octo-org/story-gen (prefix story_gen-sqlite)');
    const { name, createdAt } = nextName();
    const staged = await stage(store, name, createdAt, {
      'story_gen.db': randomBytes(200_000),
      'story_gen.mongo_analysis_runs.jsonl': '{"run_id":"r1"}\n',
    });
    const published = await store.publish(name, staged.dir, staged.manifest);
    expect(published).toMatchObject({ name, createdAt: createdAt.toISOString(), backend: 'sqlite', verified: true });
    expect(published.id).toMatch(/^\d+$/);
    expect(published.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await exists(staged.dir)).toBe(false); // consumed like a local rename
    const stored = gh.server.artifacts.find((a) => String(a.id) === published.id)!;
    expect(stored).toMatchObject({ name, runId: 401, digest: published.digest, size: published.bytes });
    expect((stored.expiresAt.getTime() - stored.createdAt.getTime()) / 86_400_000).toBe(30);
    expect(logger.lines.filter((l) => l.level === 'warn')).toEqual([]);

    // A later run lists and opens it.
    const later = storeIn(402).store;
    const listed = await later.list();
    expect(listed.find((b) => b.name === name)).toEqual(published);
    const opened = await later.open(name);
    expect(opened.name).toBe(name);
    expect((await readdir(opened.dir)).sort()).toEqual([
      MANIFEST_FILE,
      'story_gen.db',
      'story_gen.mongo_analysis_runs.jsonl',
    ]);
    for (const [file, data] of Object.entries(staged.files)) {
      expect((await readFile(path.join(opened.dir, file))).equals(data)).toBe(true);
    }
    expect(JSON.parse(await readFile(path.join(opened.dir, MANIFEST_FILE), 'utf8'))).toEqual(staged.manifest);
    // The digest was checked: the download went through REST with the sha256: form.
    expect(
      gh.server.requestsFor('GET /repos/{owner}/{repo}/actions/artifacts/{artifact_id}/{archive_format}').at(-1)!
        .status,
    ).toBe(302);
    await opened.release();
    await opened.release(); // safe twice
    expect(await exists(opened.dir)).toBe(false);

    await later.remove(name);
    expect(gh.server.artifacts.some((a) => a.name === name)).toBe(false);
    expect((await later.list()).some((b) => b.name === name)).toBe(false);
    await later.remove(name); // idempotent
    await expect(later.open(name)).rejects.toBeInstanceOf(NotFoundError);
  });

  test('list: across runs, only this prefix, never expired, newest first, all pages', async () => {
    const runs = [411, 412, 413];
    const names: string[] = [];
    for (const run of runs) {
      const { store } = storeIn(run);
      const { name, createdAt } = nextName();
      const s = await stage(store, name, createdAt);
      await store.publish(name, s.dir, s.manifest);
      names.push(name);
    }
    // Look-alikes that are not ours, and an expired one that is.
    const { name: otherPrefix } = nextName(`${PREFIX}-extra`);
    gh.server.seedArtifact({ name: otherPrefix, runId: 414 });
    gh.server.seedArtifact({ name: `${PREFIX}-latest`, runId: 414 });
    gh.server.seedArtifact({ name: `x${PREFIX}-${stamp(new Date(clock))}`, runId: 414 });
    const { name: expiredName } = nextName();
    gh.server.seedArtifact({ name: expiredName, runId: 414, expiresAt: new Date(Date.now() - 1000) });
    // Enough unrelated artifacts for several pages of 100.
    for (let i = 0; i < 250; i++) gh.server.seedArtifact({ name: `coverage-${i}`, runId: 415 });

    const before = gh.server.requestsFor('GET /repos/{owner}/{repo}/actions/artifacts').length;
    const { store } = storeIn(416);
    const listed = (await store.list()).map((b) => b.name);
    const pages = gh.server.requestsFor('GET /repos/{owner}/{repo}/actions/artifacts').slice(before);
    expect(pages.length).toBeGreaterThanOrEqual(3);
    expect(pages.every((p) => p.query.name === undefined)).toBe(true); // REST name= is exact-match only
    expect(listed).toEqual([...names].reverse());
    expect(listed).not.toContain(expiredName);
    expect(listed).not.toContain(otherPrefix);
    const all = await store.list();
    expect(all.every((b) => b.backend === 'sqlite' && b.verified && /^sha256:/.test(b.digest!))).toBe(true);
    for (const n of names) await store.remove(n);
  });

  test('publish refuses a taken name and a staging folder that does not match its manifest', async () => {
    const { store } = storeIn(421);
    const { name, createdAt } = nextName();
    const s = await stage(store, name, createdAt);
    await store.publish(name, s.dir, s.manifest);
    const count = gh.server.artifacts.length;

    // Same name from another run: refused before any upload.
    const other = storeIn(422).store;
    await expect(other.createStaging(name)).rejects.toBeInstanceOf(NameTakenError);
    const again = await stage(other, nextName().name, createdAt);
    await expect(other.publish(name, again.dir, again.manifest)).rejects.toBeInstanceOf(NameTakenError);
    await expect(other.publish(name, again.dir, again.manifest)).rejects.toThrow(/already exists as artifact/);
    expect(gh.server.artifacts.length).toBe(count);
    await other.discardStaging(again.dir);
    expect(await exists(again.dir)).toBe(false);
    // A folder it did not create is never deleted.
    const foreign = await mkdtemp(path.join(tmp, 'staging-foreign-'));
    await other.discardStaging(foreign);
    await other.discardStaging(path.join(tmp, `temp-422`, '..', path.basename(foreign)));
    expect(await exists(foreign)).toBe(true);

    const { name: n2, createdAt: c2 } = nextName();
    const extra = await stage(other, n2, c2);
    await writeFile(path.join(extra.dir, 'stray.txt'), 'x');
    await expect(other.publish(n2, extra.dir, extra.manifest)).rejects.toThrow(
      /stray\.txt is not listed in the manifest/,
    );
    await rm(path.join(extra.dir, 'story_gen.db'));
    await rm(path.join(extra.dir, 'stray.txt'));
    await expect(other.publish(n2, extra.dir, extra.manifest)).rejects.toThrow(/story_gen\.db is missing/);
    expect(gh.server.artifacts.length).toBe(count);
    await store.remove(name);
  });

  test('retention longer than the repository allows: one plain warning, artifact kept the maximum', async () => {
    const { store, logger } = storeIn(431, { retentionDays: 183, maxRetentionDays: 90 });
    expect(store.effectiveRetentionDays()).toBe(90);
    for (let i = 0; i < 2; i++) {
      const { name, createdAt } = nextName();
      const s = await stage(store, name, createdAt);
      const b = await store.publish(name, s.dir, s.manifest);
      const a = gh.server.artifacts.find((x) => String(x.id) === b.id)!;
      expect((a.expiresAt.getTime() - a.createdAt.getTime()) / 86_400_000).toBe(90);
      await store.remove(name);
    }
    const warnings = logger.lines.filter((l) => l.level === 'warn').map((l) => l.message);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/kept 183 days.*at most 90 days.*longest retention tier cannot be kept that long/);
  });

  test('GITHUB_RETENTION_DAYS is the default maximum', () => {
    enterRun(432, 14);
    const store = new ArtifactStore({
      prefix: PREFIX,
      token: gh.token,
      owner: 'o',
      repo: 'r',
      runId: 432,
      retentionDays: 30,
      tempDir: tmp,
      logger: new MemoryLogger(),
    });
    expect(store.effectiveRetentionDays()).toBe(14);
  });

  test('open refuses hostile or inconsistent archives and writes nothing outside its folder', async () => {
    const { store } = storeIn(441);
    const { name, createdAt } = nextName();
    const s = await stage(store, name, createdAt, { 'story_gen.db': 'database bytes' });
    const manifestText = await readFile(path.join(s.dir, MANIFEST_FILE));
    const published = await store.publish(name, s.dir, s.manifest);
    const id = Number(published.id);
    const reader = storeIn(442, { tempDir: path.join(tmp, 'hostile', 'temp') }).store;
    const good = { name: 'story_gen.db', data: 'database bytes' };
    const manifest = { name: MANIFEST_FILE, data: manifestText };

    const cases: [string, Buffer, RegExp][] = [
      ['traversal', makeZip([manifest, good, { name: '../../evil', data: 'pwned' }]), /climbs out/],
      ['absolute', makeZip([manifest, good, { name: '/tmp/evil', data: 'pwned' }]), /absolute path/],
      ['symlink', makeZip([manifest, { name: 'story_gen.db', data: '/etc/passwd', mode: 0o120777 }]), /symbolic link/],
      ['extra file', makeZip([manifest, good, { name: 'extra', data: 'x' }]), /not in the manifest/],
      ['missing file', makeZip([manifest]), /listed in the manifest but missing/],
      [
        'tampered file',
        makeZip([manifest, { name: 'story_gen.db', data: 'database bytez' }]),
        /does not match its sha256/,
      ],
      ['no manifest', makeZip([good]), /no manifest\.json/],
      [
        'wrong manifest',
        makeZip([{ name: MANIFEST_FILE, data: manifestText.toString().replace(name, `${PREFIX}-x`) }, good]),
        /names backup/,
      ],
    ];
    for (const [label, zip, reason] of cases) {
      await gh.server.replaceArtifactBytes(id, zip, `sha256:${createHash('sha256').update(zip).digest('hex')}`);
      const err = await reader.open(name).then(
        () => null,
        (e: unknown) => e,
      );
      expect([label, err instanceof StoreError]).toEqual([label, true]);
      expect([label, (err as Error).message]).toEqual([label, expect.stringMatching(reason)]);
    }
    // Nothing escaped, and every failed download was cleaned up.
    expect(await exists(path.join(tmp, 'evil'))).toBe(false);
    expect(await exists(path.join(tmp, 'hostile', 'evil'))).toBe(false);
    expect(await exists('/tmp/evil')).toBe(false);
    expect(await readdir(path.join(tmp, 'hostile', 'temp'))).toEqual([]);

    // Bytes that differ from the recorded digest are refused before extraction.
    const genuine = makeZip([manifest, good]);
    await gh.server.replaceArtifactBytes(id, genuine, `sha256:${'0'.repeat(64)}`);
    await expect(reader.open(name)).rejects.toThrow(/do not match the digest GitHub recorded/);
    // With the right digest the same archive opens.
    await gh.server.replaceArtifactBytes(id, genuine, `sha256:${createHash('sha256').update(genuine).digest('hex')}`);
    const opened = await reader.open(name);
    expect(await readFile(path.join(opened.dir, 'story_gen.db'), 'utf8')).toBe('database bytes');
    await opened.release();
    await store.remove(name);
  });

  test('remove: 404 counts as done, 403 names the missing permission', async () => {
    const { store } = storeIn(451);
    const { name, createdAt } = nextName();
    const s = await stage(store, name, createdAt);
    await store.publish(name, s.dir, s.manifest);

    gh.server.injectFailure({ route: 'DELETE /repos/{owner}/{repo}/actions/artifacts/{artifact_id}', status: 404 });
    await store.remove(name); // someone else deleted it first
    gh.server.injectFailure({ route: 'DELETE /repos/{owner}/{repo}/actions/artifacts/{artifact_id}', status: 403 });
    await expect(store.remove(name)).rejects.toThrow(/actions: write/);

    const readOnly = storeIn(452, { token: gh.server.readOnlyToken }).store;
    await expect(readOnly.remove(name)).rejects.toBeInstanceOf(StoreError);
    expect(gh.server.artifacts.some((a) => a.name === name)).toBe(true);
    await store.remove(name);
    expect(gh.server.artifacts.some((a) => a.name === name)).toBe(false);
  });

  test('transient REST failures are retried; persistent ones become StoreErrors with context', async () => {
    const { store } = storeIn(461);
    gh.server.injectFailure({ route: 'GET /repos/{owner}/{repo}/actions/artifacts', status: 502, times: 2 });
    await expect(store.list()).resolves.toBeInstanceOf(Array);
    gh.server.injectFailure({ route: 'GET /repos/{owner}/{repo}/actions/artifacts', status: 503, times: 3 });
    await expect(store.list()).rejects.toThrow(/listing artifacts of octo-org\/story-gen/);
    const bad = storeIn(462, { token: 'nope' }).store;
    await expect(bad.list()).rejects.toThrow(/token was refused/);
  });

  test('upload failures: quota, and a same-run duplicate reported by the service', async () => {
    const { store } = storeIn(471);
    const { name, createdAt } = nextName();
    const s = await stage(store, name, createdAt);
    gh.server.storageQuotaExhausted = true;
    try {
      await expect(store.publish(name, s.dir, s.manifest)).rejects.toThrow(/artifact storage quota .* is used up/);
    } finally {
      gh.server.storageQuotaExhausted = false;
    }
    expect(await exists(s.dir)).toBe(true); // a failed publish leaves staging to the caller
    gh.server.injectFailure({
      route: 'CreateArtifact',
      status: 409,
      body: { code: 'already_exists', msg: 'an artifact with this name already exists on the workflow run' },
    });
    await expect(store.publish(name, s.dir, s.manifest)).rejects.toThrow(
      /already exists as an artifact of this workflow run/,
    );
    await store.discardStaging(s.dir);
  });

  test('an artifact that expired is gone: not listed, NotFoundError on open, remove still succeeds', async () => {
    const { store } = storeIn(491, { retentionDays: 3 });
    const { name, createdAt } = nextName();
    const s = await stage(store, name, createdAt);
    await store.publish(name, s.dir, s.manifest);
    expect((await store.list()).map((b) => b.name)).toContain(name);
    const realNow = gh.server.now;
    gh.server.now = () => new Date(Date.now() + 4 * 86_400_000); // four days later
    try {
      expect((await store.list()).map((b) => b.name)).not.toContain(name);
      await expect(store.open(name)).rejects.toBeInstanceOf(NotFoundError);
      await store.remove(name); // deletes the expired record too
      expect(gh.server.artifacts.some((a) => a.name === name)).toBe(false);
    } finally {
      gh.server.now = realNow;
    }
  });

  test('names the artifact service would refuse are refused up front', async () => {
    const { store } = storeIn(481);
    const before = gh.server.requests.length;
    await expect(store.createStaging('a/b')).rejects.toBeInstanceOf(UsageError);
    await expect(store.open('bad:name')).rejects.toThrow(/cannot be an artifact name/);
    await expect(store.open('bad|name')).rejects.toBeInstanceOf(UsageError);
    await expect(store.remove('..')).rejects.toBeInstanceOf(UsageError);
    expect(gh.server.requests.length).toBe(before); // refused before any request
  });
});
