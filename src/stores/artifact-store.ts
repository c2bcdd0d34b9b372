/**
 * GitHub Actions artifacts as a BackupStore.
 *
 * One backup is one artifact named like the backup (`<prefix>-<UTC stamp>`),
 * a zip of the backup folder (manifest.json + data files), uploaded through
 * `@actions/artifact`. The artifact library only sees one workflow run, so
 * listing and deleting across runs go through the repository REST API, and
 * downloads use `findBy` with a token.
 *
 * Quirks handled here (see shared/reference/github_actions_platform.md §3, §8):
 * - `uploadArtifact` returns the digest as bare hex; REST and downloads use
 *   `sha256:<hex>`. We always store and compare the `sha256:` form.
 * - REST `?name=` is an exact-match filter, so `list()` reads every page and
 *   filters by prefix itself.
 * - The REST list includes expired artifacts (`expired: true`); they are gone
 *   for all purposes and never listed.
 * - The library's own extractor rewrites hostile entry names instead of
 *   refusing them, so we download the raw zip and extract it with strict
 *   checks (./zip-extract.ts).
 * - `@actions/github` fixes its default base URL when first imported; our own
 *   REST client is given `GITHUB_API_URL` explicitly.
 */
import { DefaultArtifactClient, type ArtifactClient } from '@actions/artifact';
import { getOctokit } from '@actions/github';
import fs from 'node:fs/promises';
import path from 'node:path';
import { BACKENDS } from '../core/config.js';
import { NameTakenError, NotFoundError, StorageOpsError, StoreError, UsageError, oneLine } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { validateManifest } from '../core/manifest.js';
import { parseBackupName, validateBackupName } from '../core/naming.js';
import { MANIFEST_FILE, type BackupStore, type Manifest, type OpenedBackup, type StoredBackup } from '../core/types.js';
import { UnsafeZipError, extractEntry, readEntry, readZipEntries } from './zip-extract.js';
import { writeZip } from './zip-write.js';

/** The REST client type `@actions/github` hands out. */
export type Octokit = ReturnType<typeof getOctokit>;

/** Largest manifest.json we read into memory. */
const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;
/** Characters the artifact service refuses in names (toolkit path-and-artifact-name-validation). */
const BAD_ARTIFACT_CHARS = /[":<>|*?\r\n\\/]/;

export interface ArtifactStoreOptions {
  /** Backup name prefix this store lists and prunes (`<db stem>-<backend>`). */
  prefix: string;
  /** Token for the REST API and cross-run downloads: `actions: read`, and `actions: write` to delete. */
  token: string;
  owner: string;
  repo: string;
  /** This workflow run's id (GITHUB_RUN_ID). */
  runId: number;
  /** Days to keep uploaded artifacts; unset means the repository default. */
  retentionDays?: number;
  /** Folder for staging and downloads (RUNNER_TEMP on a runner). */
  tempDir: string;
  logger: Logger;
  /** Backend of the backups under this prefix, for `list()`; parsed from the prefix when unset. */
  backend?: string;
  /** The repository's maximum retention; defaults to GITHUB_RETENTION_DAYS. */
  maxRetentionDays?: number;
  /**
   * zlib level for the artifact zip (written by ./zip-write.ts), 0-9. Default
   * 1, not upload-artifact's 6: on a 256 MiB story_gen DB level 1 stores ~1.4x
   * more bytes than 6 but the backup job is much faster; level 0 is slower
   * still, as the upload then moves every byte (scripts/bench/action.mjs).
   */
  compressionLevel?: number;
  /** REST base URL; defaults to GITHUB_API_URL, then https://api.github.com. */
  apiUrl?: string;
  /** Injectable clients (tests, or a caller that already has them). */
  artifactClient?: ArtifactClient;
  octokit?: Octokit;
  /** Pause before retrying a failed REST call (5xx, 429, network); default 1000 ms. */
  retryDelayMs?: number;
}

/** A REST artifact, reduced to what we use. */
interface RestArtifact {
  id: number;
  name: string;
  size_in_bytes: number;
  expired: boolean;
  created_at: string | null;
  digest?: string | null;
  workflow_run?: { id?: number } | null;
}

/** `sha256:<hex>` whatever form the digest came in; undefined when there is none. */
export function normaliseDigest(digest: string | null | undefined): string | undefined {
  if (!digest) return undefined;
  return digest.startsWith('sha256:') ? digest : `sha256:${digest}`;
}

/**
 * The warning to give when the repository's retention limit is shorter than
 * the retention policy needs; null when it is not.
 */
export function retentionClampWarning(requestedDays: number | undefined, maxDays: number | undefined): string | null {
  if (!requestedDays || !maxDays || requestedDays <= maxDays) return null;
  return (
    `Backups should be kept ${requestedDays} days, but this repository deletes artifacts after at most ` +
    `${maxDays} days (GITHUB_RETENTION_DAYS=${maxDays}). They will expire after ${maxDays} days, so the ` +
    `longest retention tier cannot be kept that long here. Raise the artifact retention limit in the ` +
    `repository or organization settings (public repositories allow up to 90 days, private ones 400), ` +
    `or keep long-term backups in another store.`
  );
}

function statusOf(err: unknown): number | undefined {
  const s = (err as { status?: unknown })?.status;
  return typeof s === 'number' ? s : undefined;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Backups stored as GitHub Actions artifacts of one repository. */
export class ArtifactStore implements BackupStore {
  readonly prefix: string;
  private readonly opts: ArtifactStoreOptions;
  private readonly artifacts: ArtifactClient;
  private readonly octokit: Octokit;
  private readonly maxRetentionDays: number | undefined;
  private warnedRetention = false;

  constructor(options: ArtifactStoreOptions) {
    this.opts = options;
    this.prefix = options.prefix;
    this.artifacts = options.artifactClient ?? new DefaultArtifactClient();
    const envMax = Number.parseInt(process.env.GITHUB_RETENTION_DAYS ?? '', 10);
    this.maxRetentionDays = options.maxRetentionDays ?? (Number.isFinite(envMax) && envMax > 0 ? envMax : undefined);
    if (options.octokit) {
      this.octokit = options.octokit;
    } else {
      const baseUrl = options.apiUrl ?? process.env.GITHUB_API_URL ?? 'https://api.github.com';
      this.octokit = getOctokit(options.token, { baseUrl });
      this.addRetries(this.octokit, options.retryDelayMs ?? 1000);
    }
  }

  describe(): string {
    return `artifacts of ${this.opts.owner}/${this.opts.repo} (prefix ${this.prefix})`;
  }

  /** Retention in days actually requested from GitHub (clamped to the repository maximum). */
  effectiveRetentionDays(): number | undefined {
    const wanted = this.opts.retentionDays;
    if (!wanted) return undefined;
    return this.maxRetentionDays ? Math.min(wanted, this.maxRetentionDays) : wanted;
  }

  /** Plain GitHub REST retries: the default Octokit retries nothing. */
  private addRetries(octokit: Octokit, delayMs: number): void {
    octokit.hook.wrap('request', async (request, options) => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await request(options);
        } catch (err) {
          const status = statusOf(err);
          const retryable = status === undefined || status === 429 || status >= 500;
          if (!retryable || attempt >= 3) throw err;
          this.opts.logger.debug(
            `GitHub API ${options.method} ${options.url} failed (${status ?? 'network'}); retrying`,
          );
          await sleep(delayMs * attempt);
        }
      }
    });
  }

  async createStaging(name: string): Promise<string> {
    this.checkName(name, 'backup name');
    const existing = await this.findByName(name);
    if (existing.length > 0) {
      throw new NameTakenError(`backup ${name} already exists as artifact ${existing[0].id} in ${this.repoLabel()}`);
    }
    try {
      await fs.mkdir(this.opts.tempDir, { recursive: true });
      return await fs.mkdtemp(path.join(this.opts.tempDir, `staging-${name}-`));
    } catch (err) {
      throw new StoreError(`cannot create a staging folder in ${this.opts.tempDir}: ${oneLine(err)}`, { cause: err });
    }
  }

  async discardStaging(stagingDir: string): Promise<void> {
    // Only ever delete our own staging folders, whatever path we are handed.
    const rel = path.relative(path.resolve(this.opts.tempDir), path.resolve(stagingDir));
    if (!rel.startsWith('staging-') || rel.includes(path.sep)) {
      this.opts.logger.debug(`not removing ${stagingDir}: it is not a staging folder of this store`);
      return;
    }
    await fs.rm(stagingDir, { recursive: true, force: true }).catch(() => {});
  }

  async publish(name: string, stagingDir: string, manifest: Manifest): Promise<StoredBackup> {
    this.checkName(name, 'backup name');
    const existing = await this.findByName(name);
    if (existing.length > 0) {
      throw new NameTakenError(`backup ${name} already exists as artifact ${existing[0].id} in ${this.repoLabel()}`);
    }
    const files = await this.stagedFiles(name, stagingDir, manifest);
    const warning = retentionClampWarning(this.opts.retentionDays, this.maxRetentionDays);
    if (warning && !this.warnedRetention) {
      this.warnedRetention = true;
      this.opts.logger.warn(warning);
    }
    const retentionDays = this.effectiveRetentionDays();
    let result: { id?: number; size?: number; digest?: string };
    // We write the zip ourselves (Node's zlib and native CRC-32) and upload it
    // as one raw file; the artifact keeps the backup's name (skipArchive names
    // the artifact after the file) and is still a zip archive.
    const zipDir = await fs.mkdtemp(path.join(this.opts.tempDir, '.upload-'));
    const zipPath = path.join(zipDir, name);
    try {
      await writeZip(zipPath, files, {
        level: this.opts.compressionLevel ?? 1,
        mtime: new Date(manifest.createdAt),
      });
      result = await this.artifacts.uploadArtifact(name, [zipPath], zipDir, {
        ...(retentionDays ? { retentionDays } : {}),
        skipArchive: true,
      });
    } catch (err) {
      throw this.uploadError(name, err);
    } finally {
      await fs.rm(zipDir, { recursive: true, force: true });
    }
    if (result.id === undefined) throw new StoreError(`uploading backup ${name}: GitHub returned no artifact id`);
    const digest = normaliseDigest(result.digest);
    this.opts.logger.info(
      `Uploaded backup ${name} as artifact ${result.id} of run ${this.opts.runId} (${result.size ?? 0} bytes, ${digest ?? 'no digest'}` +
        `${retentionDays ? `, kept ${retentionDays} days` : ''})`,
    );
    // Like a local publish (a rename), the staged folder is consumed.
    await this.discardStaging(stagingDir);
    return {
      name,
      createdAt: (parseBackupName(name)?.createdAt ?? new Date(manifest.createdAt)).toISOString(),
      backend: manifest.backend,
      bytes: result.size ?? 0,
      verified: true,
      id: String(result.id),
      ...(digest ? { digest } : {}),
      ...(this.opts.runId ? { runId: this.opts.runId } : {}),
    };
  }

  async list(): Promise<StoredBackup[]> {
    const byName = new Map<string, RestArtifact>();
    for (const a of await this.listAll()) {
      if (a.expired) continue;
      if (parseBackupName(a.name)?.prefix !== this.prefix) continue;
      const seen = byName.get(a.name);
      if (!seen || a.id > seen.id) byName.set(a.name, a);
    }
    const out = [...byName.values()].map((a) => this.toStored(a));
    return out.sort(
      (a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt) || (a.name < b.name ? 1 : a.name > b.name ? -1 : 0),
    );
  }

  async open(name: string): Promise<OpenedBackup> {
    this.checkName(name);
    const found = await this.findByName(name);
    if (found.length === 0) throw new NotFoundError(`--backup: no artifact named ${name} in ${this.repoLabel()}`);
    const artifact = found[0];
    const runId = artifact.workflow_run?.id;
    if (!runId) throw new StoreError(`artifact ${name} (${artifact.id}) has no workflow run; cannot download it`);

    await fs.mkdir(this.opts.tempDir, { recursive: true });
    const work = await fs.mkdtemp(path.join(this.opts.tempDir, `open-${name}-`));
    const release = async () => {
      await fs.rm(work, { recursive: true, force: true });
    };
    try {
      const dir = await this.download(name, artifact, runId, work);
      return { name, dir, release };
    } catch (err) {
      await release();
      if (err instanceof StorageOpsError) throw err;
      throw new StoreError(`opening backup ${name} (artifact ${artifact.id}): ${oneLine(err)}`, { cause: err });
    }
  }

  async remove(name: string): Promise<void> {
    this.checkName(name);
    const found = await this.findByName(name, true);
    for (const a of found) {
      try {
        await this.octokit.rest.actions.deleteArtifact({
          owner: this.opts.owner,
          repo: this.opts.repo,
          artifact_id: a.id,
        });
        this.opts.logger.info(`Deleted artifact ${a.id} (${name})`);
      } catch (err) {
        // Someone (another prune, or expiry) got there first: the goal is met.
        if (statusOf(err) === 404) continue;
        const hint = statusOf(err) === 403 ? ' (the token needs `actions: write`)' : '';
        throw new StoreError(`deleting artifact ${a.id} (${name}) from ${this.repoLabel()}: ${oneLine(err)}${hint}`, {
          cause: err,
        });
      }
    }
  }

  // ---- internals ----------------------------------------------------------

  private repoLabel(): string {
    return `${this.opts.owner}/${this.opts.repo}`;
  }

  /** Plain backup names only (UsageError), and nothing the artifact service would refuse. */
  private checkName(name: string, flag = '--backup'): void {
    validateBackupName(name, flag);
    if (BAD_ARTIFACT_CHARS.test(name)) {
      throw new UsageError(`${flag}: "${name}" cannot be an artifact name; avoid " : < > | * ? \\ / and line breaks`);
    }
  }

  /** The staged folder must hold exactly manifest.json and the manifest's files, all regular. */
  private async stagedFiles(name: string, stagingDir: string, manifest: Manifest): Promise<string[]> {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await fs.readdir(stagingDir, { withFileTypes: true });
    } catch (err) {
      throw new StoreError(`publishing ${name}: cannot read staging folder ${stagingDir}: ${oneLine(err)}`, {
        cause: err,
      });
    }
    const expected = new Set([MANIFEST_FILE, ...manifest.files.map((f) => f.name)]);
    for (const e of entries) {
      if (!e.isFile())
        throw new StoreError(`publishing ${name}: ${e.name} in the staging folder is not a regular file`);
      if (!expected.has(e.name)) throw new StoreError(`publishing ${name}: ${e.name} is not listed in the manifest`);
    }
    const present = new Set(entries.map((e) => e.name));
    for (const f of expected) {
      if (!present.has(f)) throw new StoreError(`publishing ${name}: ${f} is missing from the staging folder`);
    }
    return [...expected].map((f) => path.join(stagingDir, f));
  }

  /** Every artifact of the repository, all pages. */
  private async listAll(): Promise<RestArtifact[]> {
    try {
      const out: RestArtifact[] = [];
      const pages = this.octokit.paginate.iterator(this.octokit.rest.actions.listArtifactsForRepo, {
        owner: this.opts.owner,
        repo: this.opts.repo,
        per_page: 100,
      });
      for await (const page of pages) out.push(...(page.data as RestArtifact[]));
      return out;
    } catch (err) {
      throw new StoreError(`listing artifacts of ${this.repoLabel()}: ${oneLine(err)}${this.permissionHint(err)}`, {
        cause: err,
      });
    }
  }

  /** Artifacts with exactly this name, newest id first; expired ones only when asked. */
  private async findByName(name: string, includeExpired = false): Promise<RestArtifact[]> {
    try {
      const all = (await this.octokit.paginate(this.octokit.rest.actions.listArtifactsForRepo, {
        owner: this.opts.owner,
        repo: this.opts.repo,
        name,
        per_page: 100,
      })) as RestArtifact[];
      return all.filter((a) => a.name === name && (includeExpired || !a.expired)).sort((a, b) => b.id - a.id);
    } catch (err) {
      throw new StoreError(
        `looking up artifact ${name} in ${this.repoLabel()}: ${oneLine(err)}${this.permissionHint(err)}`,
        {
          cause: err,
        },
      );
    }
  }

  private permissionHint(err: unknown): string {
    const s = statusOf(err);
    if (s === 401) return ' (the token was refused)';
    if (s === 403 || s === 404) return ' (the token needs `actions: read` on this repository)';
    return '';
  }

  private toStored(a: RestArtifact): StoredBackup {
    const parsed = parseBackupName(a.name);
    const createdAt = parsed?.createdAt ?? new Date(a.created_at ?? 0);
    const digest = normaliseDigest(a.digest);
    return {
      name: a.name,
      createdAt: createdAt.toISOString(),
      backend: this.backend(),
      bytes: a.size_in_bytes,
      // Only verified backups are ever uploaded under our names.
      verified: true,
      id: String(a.id),
      ...(digest ? { digest } : {}),
      ...(a.workflow_run?.id ? { runId: a.workflow_run.id } : {}),
    };
  }

  private backend(): string {
    if (this.opts.backend) return this.opts.backend;
    return BACKENDS.find((b) => this.prefix.endsWith(`-${b}`)) ?? 'unknown';
  }

  private uploadError(name: string, err: unknown): StoreError {
    const msg = oneLine(err);
    if (/already exists/i.test(msg) || /\(409\)/.test(msg)) {
      return new NameTakenError(`backup ${name} already exists as an artifact of this workflow run`, { cause: err });
    }
    if (/storage quota/i.test(msg) || /insufficient usage/i.test(msg)) {
      return new StoreError(
        `uploading backup ${name}: the GitHub artifact storage quota of ${this.repoLabel()}'s account is used up; ` +
          `delete old artifacts or raise the spending limit`,
        { cause: err },
      );
    }
    if ((err as Error)?.name === 'GHESNotSupportedError') {
      return new StoreError(`uploading backup ${name}: GitHub Enterprise Server does not support these artifacts`, {
        cause: err,
      });
    }
    return new StoreError(`uploading backup ${name} to ${this.repoLabel()}: ${msg}`, { cause: err });
  }

  /** Downloads the raw zip (digest checked by the library), then extracts it strictly. */
  private async download(name: string, artifact: RestArtifact, runId: number, work: string): Promise<string> {
    const dlDir = path.join(work, 'download');
    const outDir = path.join(work, 'backup');
    const expectedHash = normaliseDigest(artifact.digest);
    if (!expectedHash) {
      this.opts.logger.warn(`Artifact ${name} (${artifact.id}) has no digest; relying on the manifest checksums alone`);
    }
    const { digestMismatch } = await this.artifacts.downloadArtifact(artifact.id, {
      path: dlDir,
      skipDecompress: true,
      ...(expectedHash ? { expectedHash } : {}),
      findBy: {
        token: this.opts.token,
        workflowRunId: runId,
        repositoryOwner: this.opts.owner,
        repositoryName: this.opts.repo,
      },
    });
    if (digestMismatch) {
      throw new StoreError(
        `backup ${name} (artifact ${artifact.id}): the downloaded bytes do not match the digest GitHub recorded (${expectedHash})`,
      );
    }
    const downloaded = await fs.readdir(dlDir);
    if (downloaded.length !== 1) {
      throw new StoreError(
        `backup ${name} (artifact ${artifact.id}): expected one downloaded archive, found ${downloaded.length}`,
      );
    }
    const zipPath = path.join(dlDir, downloaded[0]);
    try {
      await extractBackup(zipPath, outDir, name);
    } catch (err) {
      if (err instanceof UnsafeZipError) {
        throw new StoreError(`backup ${name} (artifact ${artifact.id}) is refused: ${err.message}`, { cause: err });
      }
      throw err;
    }
    await fs.rm(dlDir, { recursive: true, force: true });
    this.opts.logger.info(`Downloaded backup ${name} from artifact ${artifact.id} of run ${runId}`);
    return outDir;
  }
}

/**
 * Extracts a backup zip into `outDir` (created here): every entry is checked
 * before anything is written, the entries must be exactly manifest.json plus
 * the manifest's files, and each file must have the manifest's size and sha256.
 */
export async function extractBackup(zipPath: string, outDir: string, name: string): Promise<Manifest> {
  const entries = await readZipEntries(zipPath);
  const manifestEntry = entries.find((e) => e.name === MANIFEST_FILE);
  if (!manifestEntry) throw new UnsafeZipError(`it has no ${MANIFEST_FILE}`);
  let doc: unknown;
  try {
    doc = JSON.parse((await readEntry(zipPath, manifestEntry, MAX_MANIFEST_BYTES)).toString('utf8'));
  } catch (err) {
    if (err instanceof UnsafeZipError) throw err;
    throw new UnsafeZipError(`its ${MANIFEST_FILE} is not valid JSON`);
  }
  // The engine's own checks (format, backend, plain file names, sizes, sha256s); VerifyError when they fail.
  const manifest = validateManifest(doc, `backup ${name}`);
  if (manifest.name !== name) {
    throw new UnsafeZipError(`its ${MANIFEST_FILE} names backup ${JSON.stringify(manifest.name)}, not ${name}`);
  }
  const listed = new Map(manifest.files.map((f) => [f.name, { bytes: f.bytes, sha256: f.sha256 }]));
  for (const e of entries) {
    if (e.name !== MANIFEST_FILE && !listed.has(e.name)) {
      throw new UnsafeZipError(`entry ${JSON.stringify(e.name)} is not in the manifest`);
    }
  }
  for (const f of listed.keys()) {
    if (!entries.some((e) => e.name === f)) throw new UnsafeZipError(`${f} is listed in the manifest but missing`);
  }
  await fs.mkdir(outDir);
  for (const e of entries) {
    const want = listed.get(e.name);
    if (want && e.size !== want.bytes) {
      throw new UnsafeZipError(`${e.name} holds ${e.size} bytes; the manifest says ${want.bytes}`);
    }
    const sha = await extractEntry(zipPath, e, path.join(outDir, e.name));
    if (want && sha !== want.sha256) throw new UnsafeZipError(`${e.name} does not match its sha256 in the manifest`);
  }
  return manifest;
}
