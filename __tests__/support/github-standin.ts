/**
 * Local stand-ins for GitHub's services, for tests of the action.
 *
 * GitHub's hosted services (the Actions results service behind
 * `ACTIONS_RESULTS_URL` and the REST API) cannot exist on this machine, so they
 * are mocked at the HTTP boundary: a small node:http server on 127.0.0.1 speaks
 * the Twirp JSON methods and REST endpoints that the real `@actions/artifact`,
 * `@actions/cache` and `@actions/github` clients call, keeps its state in
 * memory, and hands out SAS URLs of a real Azurite blob service. The real
 * toolkit clients move the bytes through Azurite, exactly as they move them
 * through Azure Blob Storage on a hosted runner.
 *
 * Protocol facts follow the clients' source (toolkit `artifact-twirp-client`,
 * `cacheTwirpClient`, `download-artifact`) and the REST docs:
 * - Twirp bodies use snake_case proto names; int64 travels as a string.
 * - The run comes from the runtime token: an unsigned JWT whose `scp` claim holds
 *   `Actions.Results:<runBackendId>:<jobBackendId>` (jwt-decode never verifies).
 * - A second artifact with the same name in one run is a 409, as on GitHub.
 * - REST lists are paginated with `Link` headers, newest first, and include
 *   expired artifacts flagged `expired: true`; `name` is an exact-match filter.
 * - `GET .../artifacts/{id}/zip` answers 302 to a blob SAS URL (the client
 *   follows nothing else), 410 when expired.
 * - `GITHUB_SERVER_URL` must be github.com, *.ghe.com or *.localhost, or both
 *   clients decide they are on GHES (artifact: refuse; cache: protocol v1).
 *   Nothing fetches that URL, so the env uses `http://github.localhost`.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm, readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { startAzurite, type AzuriteHandle } from './azurite.js';

const ARTIFACT_SERVICE = 'github.actions.results.api.v1.ArtifactService';
const CACHE_SERVICE = 'github.actions.results.api.v1.CacheService';
const ARTIFACT_CONTAINER = 'actions-results';
const CACHE_CONTAINER = 'actions-cache';
const DAY_MS = 86_400_000;

/** One artifact as the stand-in stores it. */
export interface StandinArtifact {
  id: number;
  name: string;
  /** The GitHub run id (GITHUB_RUN_ID) of the run that uploaded it. */
  runId: number;
  runBackendId: string;
  jobBackendId: string;
  /** Bytes the client reported at finalize. */
  size: number;
  /** `sha256:<hex>` as sent at finalize. */
  digest?: string;
  mimeType: string;
  createdAt: Date;
  updatedAt: Date;
  expiresAt: Date;
  /** Blob name inside the `actions-results` container. */
  blob: string;
  finalized: boolean;
}

/** One cache entry. */
export interface StandinCacheEntry {
  id: number;
  key: string;
  version: string;
  blob: string;
  size: number;
  createdAt: Date;
  finalized: boolean;
}

/** A request the stand-in answered, for assertions. */
export interface RecordedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: Record<string, string>;
  /**
   * Twirp method name (`CreateArtifact`, `GetCacheEntryDownloadURL`, ...) or
   * the REST route in Octokit form (`DELETE /repos/{owner}/{repo}/actions/artifacts/{artifact_id}`).
   */
  route: string;
  /** Parsed JSON body of Twirp calls. */
  body?: unknown;
  status: number;
  /** Run id taken from the runtime token (Twirp) or the URL (run-scoped REST). */
  runId?: number;
}

/** An injected failure: the next `times` requests matching `route` get this answer. */
export interface FailureRule {
  /** Twirp method name or REST route (see RecordedRequest.route); a RegExp tests the route. */
  route: string | RegExp;
  status: number;
  /** JSON body; Twirp errors default to `{code, msg}`, REST to `{message}`. */
  body?: unknown;
  /** How many requests fail; default 1. `Infinity` until cleared. */
  times?: number;
}

export interface GitHubStandinOptions {
  azurite: AzuriteHandle;
  owner?: string;
  repo?: string;
  /** REST token with `actions: write`. */
  token?: string;
  /** REST token with only `actions: read` (DELETE answers 403). */
  readOnlyToken?: string;
  /** The repository's maximum artifact retention (GITHUB_RETENTION_DAYS); default 90. */
  maxRetentionDays?: number;
  /** Clock for created/expiry times (not for SAS expiry, which Azurite checks against real time). */
  now?: () => Date;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(typeof body === 'object' && body && 'msg' in body ? String(body.msg) : `HTTP ${status}`);
  }
}

const twirpError = (status: number, code: string, msg: string) => new HttpError(status, { code, msg });
const restError = (status: number, message: string) =>
  new HttpError(status, { message, documentation_url: 'https://docs.github.com/rest/actions/artifacts' });

/** Base64url without padding. */
function b64url(value: string): string {
  return Buffer.from(value).toString('base64url');
}

/**
 * An unsigned runtime token carrying the Actions.Results scope the toolkit
 * reads. The toolkit decodes it without verifying, as on a real runner.
 */
export function makeRuntimeToken(runBackendId: string, jobBackendId: string): string {
  const header = b64url(JSON.stringify({ alg: 'none', typ: 'JWT' }));
  const now = Math.floor(Date.now() / 1000);
  const payload = b64url(
    JSON.stringify({
      scp: `Actions.GenericRead:00000000-0000-0000-0000-000000000000 Actions.Results:${runBackendId}:${jobBackendId}`,
      iat: now,
      exp: now + 6 * 3600,
      iss: 'standin',
    }),
  );
  return `${header}.${payload}.unsigned`;
}

/** Reads the Actions.Results backend ids out of a runtime token; null when absent. */
export function backendIdsFromToken(token: string): { runBackendId: string; jobBackendId: string } | null {
  const part = token.split('.')[1];
  if (!part) return null;
  let scp: unknown;
  try {
    scp = (JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as { scp?: unknown }).scp;
  } catch {
    return null;
  }
  if (typeof scp !== 'string') return null;
  for (const scope of scp.split(' ')) {
    const parts = scope.split(':');
    if (parts[0] === 'Actions.Results' && parts.length === 3) {
      return { runBackendId: parts[1], jobBackendId: parts[2] };
    }
  }
  return null;
}

/** GitHub's REST timestamps have no milliseconds. */
function restTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The in-memory GitHub stand-in (Twirp results service + REST artifacts API). */
export class GitHubStandin {
  readonly owner: string;
  readonly repo: string;
  readonly token: string;
  readonly readOnlyToken: string;
  maxRetentionDays: number;
  /** Clock for artifact and cache timestamps; tests may replace it. */
  now: () => Date;
  /** When true, CreateArtifact fails as GitHub does when the storage quota is used up. */
  storageQuotaExhausted = false;
  /** When set, CreateCacheEntry answers `{ok: false, message: "cache write denied: ..."}`. */
  cacheWriteDenied = false;
  /** When set, GetCacheEntryDownloadURL fails with a `cache read denied:` Twirp error. */
  cacheReadDenied = false;

  readonly artifacts: StandinArtifact[] = [];
  readonly cacheEntries: StandinCacheEntry[] = [];
  readonly requests: RecordedRequest[] = [];

  private readonly failures: (FailureRule & { left: number })[] = [];
  private readonly runByBackend = new Map<string, number>();
  private readonly backendByRun = new Map<number, string>();
  private nextArtifactId = 1001;
  private nextCacheId = 501;
  private server!: http.Server;
  private _url = '';

  private constructor(
    private readonly azurite: AzuriteHandle,
    options: GitHubStandinOptions,
  ) {
    this.owner = options.owner ?? 'octo-org';
    this.repo = options.repo ?? 'story-gen';
    this.token = options.token ?? 'ghs_standin_write_token';
    this.readOnlyToken = options.readOnlyToken ?? 'ghs_standin_read_token';
    this.maxRetentionDays = options.maxRetentionDays ?? 90;
    this.now = options.now ?? (() => new Date());
  }

  /** Starts the server on a free loopback port; creates its Azurite containers. */
  static async start(options: GitHubStandinOptions): Promise<GitHubStandin> {
    const standin = new GitHubStandin(options.azurite, options);
    await options.azurite.createContainer(ARTIFACT_CONTAINER);
    await options.azurite.createContainer(CACHE_CONTAINER);
    standin.server = http.createServer((req, res) => void standin.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      standin.server.once('error', reject);
      standin.server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = standin.server.address() as AddressInfo;
    standin._url = `http://127.0.0.1:${port}`;
    return standin;
  }

  /** `http://127.0.0.1:<port>`: both ACTIONS_RESULTS_URL and GITHUB_API_URL. */
  get url(): string {
    return this._url;
  }

  get repository(): string {
    return `${this.owner}/${this.repo}`;
  }

  /** The runtime token of a job in run `runId` (same backend id for every call with that run). */
  runtimeToken(runId: number, job = 'job'): string {
    let backend = this.backendByRun.get(runId);
    if (!backend) {
      backend = randomUUID();
      this.backendByRun.set(runId, backend);
      this.runByBackend.set(backend, runId);
    }
    return makeRuntimeToken(backend, `${job}-${backend.slice(0, 8)}`);
  }

  /** Makes the next matching request(s) fail. */
  injectFailure(rule: FailureRule): void {
    this.failures.push({ ...rule, left: rule.times ?? 1 });
  }

  clearFailures(): void {
    this.failures.length = 0;
  }

  /**
   * Forgets all artifacts, cache entries, recorded requests and injected
   * failures (an empty repository again). Blobs stay in Azurite, unreachable.
   */
  reset(): void {
    this.artifacts.length = 0;
    this.cacheEntries.length = 0;
    this.requests.length = 0;
    this.failures.length = 0;
    this.storageQuotaExhausted = false;
    this.cacheWriteDenied = false;
    this.cacheReadDenied = false;
  }

  /** Requests for one route (Twirp method name or REST route). */
  requestsFor(route: string): RecordedRequest[] {
    return this.requests.filter((r) => r.route === route);
  }

  /** Finalized artifacts that have not expired (what a UI would show). */
  liveArtifacts(): StandinArtifact[] {
    const now = this.now().getTime();
    return this.artifacts.filter((a) => a.finalized && a.expiresAt.getTime() > now);
  }

  /**
   * Adds a finalized artifact record without content, for tests that only list
   * (pagination, expiry, prefixes). Downloading it fails like a missing blob.
   */
  seedArtifact(a: {
    name: string;
    runId: number;
    createdAt?: Date;
    expiresAt?: Date;
    size?: number;
    digest?: string;
  }): StandinArtifact {
    const id = this.nextArtifactId++;
    this.runtimeToken(a.runId);
    const runBackendId = this.backendByRun.get(a.runId) as string;
    const createdAt = a.createdAt ?? this.now();
    const artifact: StandinArtifact = {
      id,
      name: a.name,
      runId: a.runId,
      runBackendId,
      jobBackendId: 'seed',
      size: a.size ?? 0,
      digest: a.digest,
      mimeType: 'application/zip',
      createdAt,
      updatedAt: createdAt,
      expiresAt: a.expiresAt ?? new Date(createdAt.getTime() + this.maxRetentionDays * DAY_MS),
      blob: `${runBackendId}/${id}/${a.name}.zip`,
      finalized: true,
    };
    this.artifacts.push(artifact);
    return artifact;
  }

  /** Reads an artifact's stored bytes from Azurite (the zip, or the raw file). */
  async artifactBytes(id: number): Promise<Buffer> {
    const a = this.artifacts.find((x) => x.id === id);
    if (!a) throw new Error(`no artifact ${id}`);
    return this.azurite.service.getContainerClient(ARTIFACT_CONTAINER).getBlobClient(a.blob).downloadToBuffer();
  }

  /**
   * Replaces an artifact's stored bytes (e.g. with a hostile zip) and its digest,
   * as if it had been uploaded that way.
   */
  async replaceArtifactBytes(id: number, bytes: Buffer, digest?: string): Promise<void> {
    const a = this.artifacts.find((x) => x.id === id);
    if (!a) throw new Error(`no artifact ${id}`);
    const blob = this.azurite.service.getContainerClient(ARTIFACT_CONTAINER).getBlockBlobClient(a.blob);
    await blob.uploadData(bytes, { blobHTTPHeaders: { blobContentType: a.mimeType } });
    a.size = bytes.length;
    if (digest !== undefined) a.digest = digest;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- HTTP plumbing ------------------------------------------------------

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const query = Object.fromEntries(url.searchParams);
    const record: RecordedRequest = { method: req.method ?? 'GET', path: url.pathname, query, route: '?', status: 0 };
    let status = 200;
    let body: unknown = undefined;
    let headers: Record<string, string> = {};
    try {
      const raw = await readBody(req);
      if (url.pathname.startsWith('/twirp/')) {
        const [, , service, method] = url.pathname.split('/');
        record.route = method ?? '?';
        if (req.method !== 'POST') throw twirpError(404, 'bad_route', `no route for ${req.method} ${url.pathname}`);
        let input: Record<string, unknown>;
        try {
          input = raw.length ? (JSON.parse(raw) as Record<string, unknown>) : {};
        } catch {
          throw twirpError(400, 'malformed', 'request body is not JSON');
        }
        record.body = input;
        this.failIfInjected(record.route, true);
        const ids = this.authTwirp(req, input);
        record.runId = ids.runId;
        body = await this.twirp(service, method, input, ids);
      } else {
        const r = this.restRoute(req.method ?? 'GET', url.pathname);
        record.route = r.route;
        this.failIfInjected(record.route, false);
        this.authRest(req, r.route);
        if (r.params.run_id) record.runId = Number(r.params.run_id);
        const out = await this.rest(r.route, r.params, query);
        status = out.status;
        body = out.body;
        headers = { ...out.headers };
      }
    } catch (err) {
      if (err instanceof HttpError) {
        status = err.status;
        body = err.body;
      } else {
        status = 500;
        body = { code: 'internal', msg: err instanceof Error ? err.message : String(err) };
      }
    }
    record.status = status;
    this.requests.push(record);
    // The toolkit quotes this header in its error messages.
    if (!url.pathname.startsWith('/twirp/')) headers['x-github-request-id'] = `STANDIN:${this.requests.length}`;
    if (body === undefined) {
      res.writeHead(status, headers);
      res.end();
    } else {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(JSON.stringify(body));
    }
  }

  private failIfInjected(route: string, twirp: boolean): void {
    const rule = this.failures.find(
      (f) => f.left > 0 && (typeof f.route === 'string' ? f.route === route : f.route.test(route)),
    );
    if (!rule) return;
    rule.left -= 1;
    const body =
      rule.body ??
      (twirp ? { code: 'internal', msg: `injected failure ${rule.status}` } : { message: 'Injected failure' });
    throw new HttpError(rule.status, body);
  }

  private authTwirp(
    req: http.IncomingMessage,
    input: Record<string, unknown>,
  ): { runId: number; runBackendId: string; jobBackendId: string } {
    const auth = req.headers.authorization ?? '';
    const m = /^Bearer (.+)$/.exec(auth);
    if (!m) throw twirpError(401, 'unauthenticated', 'missing bearer token');
    const ids = backendIdsFromToken(m[1]);
    if (!ids) throw twirpError(401, 'unauthenticated', 'token has no Actions.Results scope');
    const runId = this.runByBackend.get(ids.runBackendId);
    if (runId === undefined) throw twirpError(401, 'unauthenticated', 'unknown workflow run');
    const bodyRun = input.workflow_run_backend_id;
    if (bodyRun !== undefined && bodyRun !== ids.runBackendId) {
      throw twirpError(403, 'permission_denied', 'token does not grant access to that workflow run');
    }
    return { runId, ...ids };
  }

  private authRest(req: http.IncomingMessage, route: string): void {
    const auth = req.headers.authorization ?? '';
    const m = /^(?:token|Bearer) (.+)$/i.exec(auth);
    const token = m?.[1];
    if (token !== this.token && token !== this.readOnlyToken) throw restError(401, 'Bad credentials');
    if (route.startsWith('DELETE ') && token !== this.token) {
      throw restError(403, 'Resource not accessible by integration');
    }
  }

  // ---- Twirp: ArtifactService and CacheService ---------------------------

  private async twirp(
    service: string | undefined,
    method: string | undefined,
    input: Record<string, unknown>,
    ids: { runId: number; runBackendId: string; jobBackendId: string },
  ): Promise<unknown> {
    const str = (k: string): string => (typeof input[k] === 'string' ? (input[k] as string) : '');
    const now = this.now();
    if (service === ARTIFACT_SERVICE) {
      const inRun = (a: StandinArtifact) => a.runBackendId === ids.runBackendId;
      switch (method) {
        case 'CreateArtifact': {
          const name = str('name');
          if (!name) throw twirpError(400, 'invalid_argument', 'name is required');
          if (this.storageQuotaExhausted) {
            throw twirpError(403, 'resource_exhausted', 'insufficient usage to create artifact');
          }
          if (this.artifacts.some((a) => inRun(a) && a.name === name)) {
            throw twirpError(409, 'already_exists', 'an artifact with this name already exists on the workflow run');
          }
          const mimeType = str('mime_type') || 'application/zip';
          const id = this.nextArtifactId++;
          const isZip = mimeType === 'application/zip';
          const blob = `${ids.runBackendId}/${id}/${name}${isZip ? '.zip' : ''}`;
          this.artifacts.push({
            id,
            name,
            runId: ids.runId,
            runBackendId: ids.runBackendId,
            jobBackendId: ids.jobBackendId,
            size: 0,
            mimeType,
            createdAt: now,
            updatedAt: now,
            expiresAt: this.expiry(now, str('expires_at')),
            blob,
            finalized: false,
          });
          const url = this.azurite.sasUrl(ARTIFACT_CONTAINER, blob, { permissions: 'cw' });
          return { ok: true, signed_upload_url: url };
        }
        case 'FinalizeArtifact': {
          const a = this.artifacts.find((x) => inRun(x) && x.name === str('name') && !x.finalized);
          if (!a) throw twirpError(404, 'not_found', 'no pending artifact with that name in this run');
          if ((await this.azurite.blobSize(ARTIFACT_CONTAINER, a.blob)) === null) {
            throw twirpError(412, 'failed_precondition', 'artifact content was never uploaded');
          }
          a.size = Number(str('size') || '0');
          const hash = input.hash;
          if (typeof hash === 'string' && hash) a.digest = hash;
          a.finalized = true;
          a.updatedAt = now;
          return { ok: true, artifact_id: String(a.id) };
        }
        case 'ListArtifacts': {
          const nameFilter = input.name_filter;
          const idFilter = input.id_filter;
          const list = this.artifacts
            .filter((a) => inRun(a) && a.finalized && a.expiresAt > now)
            .filter((a) => typeof nameFilter !== 'string' || a.name === nameFilter)
            .filter((a) => idFilter === undefined || String(a.id) === String(idFilter));
          return {
            artifacts: list.map((a) => ({
              workflow_run_backend_id: a.runBackendId,
              workflow_job_run_backend_id: a.jobBackendId,
              database_id: String(a.id),
              name: a.name,
              size: String(a.size),
              created_at: a.createdAt.toISOString(),
              ...(a.digest ? { digest: a.digest } : {}),
            })),
          };
        }
        case 'GetSignedArtifactURL': {
          const a = this.artifacts.find((x) => inRun(x) && x.finalized && x.name === str('name') && x.expiresAt > now);
          if (!a) throw twirpError(404, 'not_found', 'artifact not found');
          return { signed_url: this.downloadUrl(a) };
        }
        case 'DeleteArtifact': {
          const a = this.artifacts.find((x) => inRun(x) && x.finalized && x.name === str('name'));
          if (!a) throw twirpError(404, 'not_found', 'artifact not found');
          await this.dropArtifact(a);
          return { ok: true, artifact_id: String(a.id) };
        }
      }
    }
    if (service === CACHE_SERVICE) {
      const key = str('key');
      const version = str('version');
      switch (method) {
        case 'CreateCacheEntry': {
          if (this.cacheWriteDenied) return { ok: false, message: 'cache write denied: this run may not write caches' };
          if (this.cacheEntries.some((e) => e.key === key && e.version === version)) {
            throw twirpError(409, 'already_exists', 'cache entry with the same key, version, and scope already exists');
          }
          const id = this.nextCacheId++;
          const blob = `${id}/cache.tzst`;
          this.cacheEntries.push({ id, key, version, blob, size: 0, createdAt: now, finalized: false });
          return { ok: true, signed_upload_url: this.azurite.sasUrl(CACHE_CONTAINER, blob, { permissions: 'cw' }) };
        }
        case 'FinalizeCacheEntryUpload': {
          const e = this.cacheEntries.find((x) => x.key === key && x.version === version && !x.finalized);
          if (!e) throw twirpError(404, 'not_found', 'no pending cache entry with that key and version');
          if ((await this.azurite.blobSize(CACHE_CONTAINER, e.blob)) === null) {
            throw twirpError(412, 'failed_precondition', 'cache content was never uploaded');
          }
          e.size = Number(str('size_bytes') || '0');
          e.finalized = true;
          return { ok: true, entry_id: String(e.id) };
        }
        case 'GetCacheEntryDownloadURL': {
          if (this.cacheReadDenied) {
            throw twirpError(403, 'permission_denied', 'cache read denied: this run may not read caches');
          }
          const restoreKeys = Array.isArray(input.restore_keys) ? (input.restore_keys as string[]) : [];
          const hit = this.matchCache(key, restoreKeys, version);
          if (!hit) return { ok: false };
          return {
            ok: true,
            signed_download_url: this.azurite.sasUrl(CACHE_CONTAINER, hit.blob, { permissions: 'r' }),
            matched_key: hit.key,
          };
        }
      }
    }
    throw twirpError(404, 'bad_route', `no handler for ${service}/${method}`);
  }

  /** Exact key, then newest prefix match of the key, then of each restore key (GitHub's order). */
  private matchCache(key: string, restoreKeys: string[], version: string): StandinCacheEntry | undefined {
    const ready = this.cacheEntries.filter((e) => e.finalized && e.version === version);
    const exact = ready.find((e) => e.key === key);
    if (exact) return exact;
    for (const prefix of [key, ...restoreKeys]) {
      const matches = ready.filter((e) => e.key.startsWith(prefix)).sort((a, b) => b.id - a.id);
      if (matches.length) return matches[0];
    }
    return undefined;
  }

  /**
   * The client computes `expires_at` from the real clock; keep its retention
   * length but count it from the stand-in's clock, clamped to the repo maximum.
   */
  private expiry(now: Date, expiresAt: string): Date {
    let days = this.maxRetentionDays;
    if (expiresAt) {
      const requested = Math.round((Date.parse(expiresAt) - Date.now()) / DAY_MS);
      if (Number.isFinite(requested) && requested > 0) days = Math.min(requested, this.maxRetentionDays);
    }
    return new Date(now.getTime() + days * DAY_MS);
  }

  private downloadUrl(a: StandinArtifact): string {
    const isZip = a.mimeType === 'application/zip';
    return this.azurite.sasUrl(ARTIFACT_CONTAINER, a.blob, {
      permissions: 'r',
      contentDisposition: isZip ? undefined : `attachment; filename="${a.name}"`,
    });
  }

  private async dropArtifact(a: StandinArtifact): Promise<void> {
    this.artifacts.splice(this.artifacts.indexOf(a), 1);
    await this.azurite.deleteBlob(ARTIFACT_CONTAINER, a.blob);
  }

  // ---- REST: artifacts API -------------------------------------------------

  private restRoute(method: string, pathname: string): { route: string; params: Record<string, string> } {
    const repoPrefix = /^\/repos\/([^/]+)\/([^/]+)\/actions\/(.*)$/.exec(pathname);
    if (repoPrefix) {
      const [, owner, repo, rest] = repoPrefix;
      const params: Record<string, string> = { owner, repo };
      const base = `${method} /repos/{owner}/{repo}/actions/`;
      let m: RegExpExecArray | null;
      if (rest === 'artifacts') return { route: `${base}artifacts`, params };
      if ((m = /^artifacts\/(\d+)$/.exec(rest)))
        return { route: `${base}artifacts/{artifact_id}`, params: { ...params, artifact_id: m[1] } };
      if ((m = /^artifacts\/(\d+)\/([^/]+)$/.exec(rest))) {
        return {
          route: `${base}artifacts/{artifact_id}/{archive_format}`,
          params: { ...params, artifact_id: m[1], archive_format: m[2] },
        };
      }
      if ((m = /^runs\/(\d+)\/artifacts$/.exec(rest)))
        return { route: `${base}runs/{run_id}/artifacts`, params: { ...params, run_id: m[1] } };
    }
    return { route: `${method} ${pathname}`, params: {} };
  }

  private async rest(
    route: string,
    params: Record<string, string>,
    query: Record<string, string>,
  ): Promise<{ status: number; body?: unknown; headers?: Record<string, string> }> {
    const known = route.includes('{owner}/{repo}');
    if (!known) throw restError(404, 'Not Found');
    if (params.owner !== this.owner || params.repo !== this.repo) throw restError(404, 'Not Found');
    const finalized = () => this.artifacts.filter((a) => a.finalized);
    const byId = () => finalized().find((a) => String(a.id) === params.artifact_id);
    const [method] = route.split(' ');
    const path = route.slice(method.length + 1);
    switch (`${method} ${path}`) {
      case 'GET /repos/{owner}/{repo}/actions/artifacts':
        return this.page(finalized(), query, `/repos/${this.owner}/${this.repo}/actions/artifacts`);
      case 'GET /repos/{owner}/{repo}/actions/runs/{run_id}/artifacts':
        return this.page(
          finalized().filter((a) => String(a.runId) === params.run_id),
          query,
          `/repos/${this.owner}/${this.repo}/actions/runs/${params.run_id}/artifacts`,
        );
      case 'GET /repos/{owner}/{repo}/actions/artifacts/{artifact_id}': {
        const a = byId();
        if (!a) throw restError(404, 'Not Found');
        return { status: 200, body: this.restArtifact(a) };
      }
      case 'GET /repos/{owner}/{repo}/actions/artifacts/{artifact_id}/{archive_format}': {
        if (params.archive_format !== 'zip') throw restError(404, 'Not Found');
        const a = byId();
        if (!a) throw restError(404, 'Not Found');
        if (a.expiresAt <= this.now()) throw restError(410, 'Artifact has expired');
        return { status: 302, headers: { location: this.downloadUrl(a) } };
      }
      case 'DELETE /repos/{owner}/{repo}/actions/artifacts/{artifact_id}': {
        const a = byId();
        if (!a) throw restError(404, 'Not Found');
        await this.dropArtifact(a);
        return { status: 204 };
      }
    }
    throw restError(404, 'Not Found');
  }

  /** One page of a REST artifact list: newest first, `name` exact filter, Link header. */
  private page(
    all: StandinArtifact[],
    query: Record<string, string>,
    basePath: string,
  ): { status: number; body: unknown; headers: Record<string, string> } {
    const perPage = Math.min(Math.max(Number(query.per_page ?? 30) || 30, 1), 100);
    const page = Math.max(Number(query.page ?? 1) || 1, 1);
    const list = all
      .filter((a) => query.name === undefined || a.name === query.name)
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.id - a.id);
    const lastPage = Math.max(Math.ceil(list.length / perPage), 1);
    const slice = list.slice((page - 1) * perPage, page * perPage);
    const link = (p: number, rel: string) => {
      const q = new URLSearchParams({ ...query, per_page: String(perPage), page: String(p) });
      return `<${this._url}${basePath}?${q}>; rel="${rel}"`;
    };
    const links: string[] = [];
    if (page > 1) links.push(link(page - 1, 'prev'), link(1, 'first'));
    if (page < lastPage) links.push(link(page + 1, 'next'), link(lastPage, 'last'));
    return {
      status: 200,
      body: { total_count: list.length, artifacts: slice.map((a) => this.restArtifact(a)) },
      headers: links.length ? { link: links.join(', ') } : {},
    };
  }

  private restArtifact(a: StandinArtifact): Record<string, unknown> {
    const url = `${this._url}/repos/${this.owner}/${this.repo}/actions/artifacts/${a.id}`;
    return {
      id: a.id,
      node_id: Buffer.from(`Artifact${a.id}`).toString('base64'),
      name: a.name,
      size_in_bytes: a.size,
      url,
      archive_download_url: `${url}/zip`,
      expired: a.expiresAt <= this.now(),
      created_at: restTime(a.createdAt),
      updated_at: restTime(a.updatedAt),
      expires_at: restTime(a.expiresAt),
      digest: a.digest ?? null,
      workflow_run: {
        id: a.runId,
        repository_id: 1,
        head_repository_id: 1,
        head_branch: 'main',
        head_sha: '0'.repeat(40),
      },
    };
  }
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

// ---- The runner's environment ----------------------------------------------

/** Options for one simulated step's environment. */
export interface RunnerEnvOptions {
  /** GITHUB_RETENTION_DAYS; default the stand-in's maximum. */
  retentionDays?: number;
  /** GITHUB_WORKSPACE; default a fresh folder. */
  workspace?: string;
  job?: string;
}

/** Files and folders of one simulated step (all inside the stand-ins' temp folder). */
export interface StepFiles {
  dir: string;
  workspace: string;
  runnerTemp: string;
  output: string;
  summary: string;
  state: string;
  env: string;
  path: string;
  event: string;
}

/** Parses a GITHUB_OUTPUT / GITHUB_STATE / GITHUB_ENV file (`k=v` and `k<<DELIM` forms). */
export function parseCommandFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (!line) continue;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, key, delim] = heredoc;
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== delim; i++) value.push(lines[i]);
      out[key] = value.join('\n');
      continue;
    }
    const eq = line.indexOf('=');
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

/**
 * The `INPUT_<NAME>` variables the runner gives a step of the action described
 * by `actionYml` (its text): every declared input with its default, then
 * `values` over them. The name is upper-cased with dashes kept (`INPUT_DB-PATH`),
 * and the default `${{ github.token }}` becomes `githubToken`. An undeclared
 * name in `values` throws, as a typo in a workflow would be an error there.
 */
export function actionInputEnv(
  actionYml: string,
  values: Record<string, string>,
  githubToken: string,
): Record<string, string> {
  const inputs = (parseYaml(actionYml) as { inputs?: Record<string, { default?: unknown }> }).inputs ?? {};
  const env: Record<string, string> = {};
  for (const [name, spec] of Object.entries(inputs)) {
    const dflt = spec.default === undefined ? '' : String(spec.default);
    env[`INPUT_${name.toUpperCase()}`] = dflt.replace(/\$\{\{\s*github\.token\s*\}\}/g, githubToken);
  }
  for (const [name, value] of Object.entries(values)) {
    if (!(name in inputs)) throw new Error(`the action has no input ${name}`);
    env[`INPUT_${name.toUpperCase()}`] = value;
  }
  return env;
}

/** Everything a test needs: Azurite, the GitHub stand-in, and runner environments. */
export interface GitHubStandins {
  server: GitHubStandin;
  azurite: AzuriteHandle;
  /** REST token with `actions: write` (the `github-token` input). */
  token: string;
  /**
   * The environment the runner gives a JavaScript action step in run `runId`:
   * only the runner's variables (merge with process.env for PATH/HOME). Each
   * call creates fresh step files; `files(env)` finds them again.
   */
  env(runId: number, options?: RunnerEnvOptions): Record<string, string>;
  /** The step files behind an env from `env()`. */
  files(env: Record<string, string>): StepFiles;
  /** Reads GITHUB_OUTPUT of a step as a map. */
  outputs(env: Record<string, string>): Promise<Record<string, string>>;
  /** Stops the server and Azurite, removes all temp folders. */
  stop(): Promise<void>;
}

/**
 * Starts Azurite and the GitHub stand-in. Typical use:
 *
 *   const gh = await startGitHubStandins();
 *   const env = gh.env(101);               // run 101
 *   spawn(process.execPath, ['dist/index.js'], { env: { ...process.env, ...env, 'INPUT_COMMAND': 'backup' } });
 *   ...
 *   await gh.stop();
 */
export async function startGitHubStandins(
  options: Omit<GitHubStandinOptions, 'azurite'> = {},
): Promise<GitHubStandins> {
  const azurite = await startAzurite();
  let server: GitHubStandin;
  try {
    server = await GitHubStandin.start({ ...options, azurite });
  } catch (err) {
    await azurite.stop();
    throw err;
  }
  const base = await mkdtemp(path.join(os.tmpdir(), 'gh-standin-'));
  const stepsByEnv = new Map<string, StepFiles>();
  let step = 0;

  const env = (runId: number, opts: RunnerEnvOptions = {}): Record<string, string> => {
    step += 1;
    const dir = path.join(base, `run-${runId}-step-${step}`);
    const files: StepFiles = {
      dir,
      workspace: opts.workspace ?? path.join(dir, 'workspace'),
      runnerTemp: path.join(dir, 'temp'),
      output: path.join(dir, 'files', 'output'),
      summary: path.join(dir, 'files', 'step_summary'),
      state: path.join(dir, 'files', 'state'),
      env: path.join(dir, 'files', 'env'),
      path: path.join(dir, 'files', 'path'),
      event: path.join(dir, 'files', 'event.json'),
    };
    setupStepFilesSync(files);
    const vars: Record<string, string> = {
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      ACTIONS_RUNTIME_TOKEN: server.runtimeToken(runId, opts.job),
      ACTIONS_RESULTS_URL: `${server.url}/`,
      ACTIONS_CACHE_SERVICE_V2: 'True',
      GITHUB_SERVER_URL: 'http://github.localhost',
      GITHUB_API_URL: server.url,
      GITHUB_GRAPHQL_URL: `${server.url}/graphql`,
      GITHUB_REPOSITORY: server.repository,
      GITHUB_REPOSITORY_OWNER: server.owner,
      GITHUB_RUN_ID: String(runId),
      GITHUB_RUN_NUMBER: String(runId),
      GITHUB_RUN_ATTEMPT: '1',
      GITHUB_JOB: opts.job ?? 'job',
      GITHUB_WORKFLOW: 'storage-ops',
      GITHUB_ACTION: 'storage-ops',
      GITHUB_ACTOR: 'standin-bot',
      GITHUB_EVENT_NAME: 'workflow_dispatch',
      GITHUB_EVENT_PATH: files.event,
      GITHUB_REF: 'refs/heads/main',
      GITHUB_REF_NAME: 'main',
      GITHUB_SHA: '0'.repeat(40),
      GITHUB_WORKSPACE: files.workspace,
      GITHUB_OUTPUT: files.output,
      GITHUB_STEP_SUMMARY: files.summary,
      GITHUB_STATE: files.state,
      GITHUB_ENV: files.env,
      GITHUB_PATH: files.path,
      GITHUB_RETENTION_DAYS: String(opts.retentionDays ?? server.maxRetentionDays),
      RUNNER_TEMP: files.runnerTemp,
      RUNNER_OS: 'Linux',
      RUNNER_ARCH: 'X64',
      RUNNER_NAME: 'standin-runner',
      RUNNER_ENVIRONMENT: 'github-hosted',
    };
    stepsByEnv.set(vars.GITHUB_OUTPUT, files);
    return vars;
  };

  const files = (e: Record<string, string>): StepFiles => {
    const f = stepsByEnv.get(e.GITHUB_OUTPUT);
    if (!f) throw new Error('env() did not create this environment');
    return f;
  };

  return {
    server,
    azurite,
    token: server.token,
    env,
    files,
    async outputs(e) {
      return parseCommandFile(await readFile(files(e).output, 'utf8'));
    },
    async stop() {
      await server.stop();
      await azurite.stop();
      await rm(base, { recursive: true, force: true });
    },
  };
}

function setupStepFilesSync(f: StepFiles): void {
  // Sync on purpose: env() is a plain function, called inline while building env maps.
  for (const d of [f.workspace, f.runnerTemp, path.dirname(f.output)]) mkdirSync(d, { recursive: true });
  for (const file of [f.output, f.summary, f.state, f.env, f.path]) writeFileSync(file, '');
  writeFileSync(f.event, '{}\n');
}
