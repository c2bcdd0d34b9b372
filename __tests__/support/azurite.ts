/**
 * Azurite (Microsoft's Azure Storage emulator) as a child process, blob service
 * only, on 127.0.0.1. It is the blob store behind the GitHub stand-in: the real
 * `@actions/artifact` and `@actions/cache` clients upload and download bytes
 * through the Azure SDK / plain HTTP against the SAS URLs made here.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import {
  BlobSASPermissions,
  BlobServiceClient,
  StorageSharedKeyCredential,
  generateBlobSASQueryParameters,
} from '@azure/storage-blob';

/** Azurite's fixed development account (documented, public, not a secret). */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface SasOptions {
  /** Azure permission letters, e.g. `r` (read) or `cw` (create + write). */
  permissions: string;
  /** Lifetime of the URL; default one hour. Uses the real clock, never a simulated one. */
  ttlMs?: number;
  /** Sets the blob response's Content-Disposition (`rscd`). */
  contentDisposition?: string;
  contentType?: string;
}

export interface AzuriteHandle {
  host: string;
  port: number;
  /** `http://127.0.0.1:<port>/devstoreaccount1` */
  blobEndpoint: string;
  /** Workspace folder Azurite persists into. */
  location: string;
  service: BlobServiceClient;
  /** Creates a container (no error if it exists). */
  createContainer(name: string): Promise<void>;
  /** A SAS URL for one blob, signed with the development account key. */
  sasUrl(container: string, blob: string, options: SasOptions): string;
  /** Size of a blob, or null when it does not exist. */
  blobSize(container: string, blob: string): Promise<number | null>;
  deleteBlob(container: string, blob: string): Promise<void>;
  /** Kills Azurite and removes its workspace folder when we created it. */
  stop(): Promise<void>;
}

export interface StartAzuriteOptions {
  /** Folder for Azurite's data; a fresh temp folder (removed on stop) by default. */
  location?: string;
  /** Milliseconds to wait for Azurite to listen; default 60 s (a loaded 2-core machine is slow). */
  startTimeoutMs?: number;
}

/** Starts `azurite-blob` on a free loopback port and waits until it listens. */
export async function startAzurite(options: StartAzuriteOptions = {}): Promise<AzuriteHandle> {
  const ownLocation = options.location === undefined;
  const location = options.location ?? (await mkdtemp(path.join(os.tmpdir(), 'azurite-')));
  const require = createRequire(import.meta.url);
  const azuriteDir = path.dirname(require.resolve('azurite/package.json'));
  const main = path.join(azuriteDir, 'dist', 'src', 'blob', 'main.js');
  const host = '127.0.0.1';
  // Port 0 lets the kernel pick a free port; Azurite prints the one it got,
  // so there is no window in which another process could take it.
  const args = [
    main,
    '--blobHost',
    host,
    '--blobPort',
    '0',
    '--location',
    location,
    '--disableTelemetry',
    '--silent',
    '--skipApiVersionCheck',
    '--loose',
  ];
  // process.execPath: Azurite needs Node >= 22; the test runner is Node 24.
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let port: number;
  try {
    port = await waitForPort(child, options.startTimeoutMs ?? 60_000);
  } catch (err) {
    child.kill('SIGKILL');
    if (ownLocation) await rm(location, { recursive: true, force: true });
    throw err;
  }
  const blobEndpoint = `http://${host}:${port}/${AZURITE_ACCOUNT}`;
  const credential = new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY);
  const service = new BlobServiceClient(blobEndpoint, credential);

  let stopped = false;
  return {
    host,
    port,
    blobEndpoint,
    location,
    service,
    async createContainer(name) {
      await service.getContainerClient(name).createIfNotExists();
    },
    sasUrl(container, blob, sas) {
      const query = generateBlobSASQueryParameters(
        {
          containerName: container,
          blobName: blob,
          permissions: BlobSASPermissions.parse(sas.permissions),
          expiresOn: new Date(Date.now() + (sas.ttlMs ?? 3_600_000)),
          contentDisposition: sas.contentDisposition,
          contentType: sas.contentType,
        },
        credential,
      ).toString();
      const blobPath = blob.split('/').map(encodeURIComponent).join('/');
      return `${blobEndpoint}/${encodeURIComponent(container)}/${blobPath}?${query}`;
    },
    async blobSize(container, blob) {
      try {
        const props = await service.getContainerClient(container).getBlobClient(blob).getProperties();
        return props.contentLength ?? 0;
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode === 404) return null;
        throw err;
      }
    },
    async deleteBlob(container, blob) {
      await service.getContainerClient(container).getBlobClient(blob).deleteIfExists();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await killAndWait(child);
      if (ownLocation) await rm(location, { recursive: true, force: true });
    },
  };
}

/** Resolves with the port from Azurite's "successfully listens on" line. */
function waitForPort(child: ChildProcess, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /successfully listens on https?:\/\/[^:\s]+:(\d+)/.exec(out);
      if (m) {
        cleanup();
        resolve(Number(m[1]));
      }
    };
    const onExit = (code: number | null, signal: string | null) => {
      cleanup();
      reject(new Error(`azurite-blob exited before listening (code ${code}, signal ${signal}): ${out.trim()}`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`azurite-blob did not listen within ${timeoutMs} ms: ${out.trim()}`));
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      // Keep draining so a chatty child never blocks on a full pipe.
      child.stdout?.resume();
      child.stderr?.resume();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', onExit);
  });
}

async function killAndWait(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}
