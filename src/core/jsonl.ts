/**
 * JSONL snapshot and validation for the prototype backends' append-only runs
 * files, and meta-file parsing.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { InputError, SnapshotError, StorageOpsError, VerifyError } from './errors.js';
import { copyFileHashed, type ProgressFn } from './fs-safe.js';
import type { JsonlFacts, MetaFacts } from './types.js';

/** Largest single JSONL line we accept (the service writes small documents). */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;

/**
 * Offset just past the last newline in the first `size` bytes of `file`: the
 * part a snapshot may copy. Bytes after it are a torn append in flight.
 */
export async function lastCompleteLineEnd(file: string, size: number): Promise<number> {
  const handle = await fs.open(file, 'r');
  try {
    const chunk = Buffer.alloc(Math.min(size, 1 << 16));
    let end = size;
    while (end > 0) {
      const start = Math.max(0, end - chunk.length);
      const { bytesRead } = await handle.read(chunk, 0, end - start, start);
      const idx = chunk.subarray(0, bytesRead).lastIndexOf(0x0a);
      if (idx >= 0) return start + idx + 1;
      end = start;
    }
    return 0;
  } finally {
    await handle.close();
  }
}

/**
 * Streams the lines of a JSONL file and checks each is valid UTF-8 and JSON.
 * Returns the line count; throws `makeError(message)` at the first bad line.
 */
export async function validateJsonl(
  file: string,
  makeError: (message: string) => StorageOpsError = (m) => new VerifyError(m),
): Promise<number> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let lines = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const check = (buf: Buffer) => {
    lines += 1;
    let text: string;
    try {
      text = decoder.decode(buf);
    } catch {
      throw makeError(`${file}: line ${lines} is not valid UTF-8`);
    }
    try {
      JSON.parse(text);
    } catch (err) {
      throw makeError(`${file}: line ${lines} is not valid JSON (${(err as Error).message.split('\n')[0]})`);
    }
  };
  const stream = createReadStream(file, { highWaterMark: 1 << 20 });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let from = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, from);
      if (nl < 0) break;
      const part = chunk.subarray(from, nl);
      if (pendingBytes + part.length > MAX_LINE_BYTES) {
        throw makeError(`${file}: line ${lines + 1} is longer than ${MAX_LINE_BYTES / 1048576} MiB`);
      }
      check(pending.length ? Buffer.concat([...pending, part]) : part);
      pending = [];
      pendingBytes = 0;
      from = nl + 1;
    }
    if (from < chunk.length) {
      const rest = chunk.subarray(from);
      pendingBytes += rest.length;
      if (pendingBytes > MAX_LINE_BYTES) {
        throw makeError(`${file}: line ${lines + 1} is longer than ${MAX_LINE_BYTES / 1048576} MiB`);
      }
      // Copy: the stream may reuse its buffer.
      pending.push(Buffer.from(rest));
    }
  }
  if (pendingBytes > 0)
    throw makeError(`${file}: ends with an incomplete line (${pendingBytes} bytes without a newline)`);
  return lines;
}

export interface JsonlSnapshotResult {
  bytes: number;
  sha256: string;
  facts: JsonlFacts;
}

/** Copies `source` up to its last complete line into `dest`, then validates every copied line. */
export async function snapshotJsonl(
  source: string,
  dest: string,
  opts: { onProgress?: ProgressFn; signal?: AbortSignal; warn?: (m: string) => void } = {},
): Promise<JsonlSnapshotResult> {
  let size: number;
  try {
    const st = await fs.stat(source);
    if (!st.isFile()) throw new InputError(`runs file ${source} is not a regular file`);
    size = st.size;
  } catch (err) {
    if (err instanceof StorageOpsError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(
      code === 'ENOENT' ? `runs file ${source} does not exist` : `runs file ${source} cannot be read: ${code ?? err}`,
      { cause: err },
    );
  }
  try {
    const cut = await lastCompleteLineEnd(source, size);
    const tornBytes = size - cut;
    if (tornBytes > 0) {
      opts.warn?.(
        `${source}: left out a torn last line of ${tornBytes} bytes (an append in flight or a crashed writer)`,
      );
    }
    const { bytes, sha256 } = await copyFileHashed(source, dest, { limit: cut, ...opts });
    const lines = await validateJsonl(
      dest,
      (m) =>
        new SnapshotError(
          `${m.replace(dest, source)}; a runs file holds one UTF-8 JSON document per line, each under ${MAX_LINE_BYTES / 1048576} MiB`,
        ),
    );
    return { bytes, sha256, facts: { lines, tornBytes } };
  } catch (err) {
    await fs.rm(dest, { force: true });
    if (err instanceof StorageOpsError) throw err;
    throw new SnapshotError(`copying ${source} failed: ${(err as Error).message}`, { cause: err });
  }
}

/** Parses meta-file bytes; returns its schema_version or throws `makeError`. */
export function parseMeta(
  text: Buffer,
  file: string,
  makeError: (m: string) => StorageOpsError = (m) => new InputError(m),
): MetaFacts {
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(text));
  } catch (err) {
    throw makeError(`meta file ${file} is not valid JSON: ${(err as Error).message.split('\n')[0]}`);
  }
  const version = (doc as { schema_version?: unknown } | null)?.schema_version;
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc) || typeof version !== 'string') {
    throw makeError(`meta file ${file} has no string "schema_version"`);
  }
  return { schemaVersion: version };
}

/** Reads the meta file once, parses it and writes exactly those bytes to `dest` (fsynced). */
export async function snapshotMeta(
  source: string,
  dest: string,
): Promise<{ bytes: number; sha256: string; facts: MetaFacts }> {
  let text: Buffer;
  try {
    text = await fs.readFile(source);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(
      code === 'ENOENT' ? `meta file ${source} does not exist` : `meta file ${source} cannot be read: ${code ?? err}`,
      { cause: err },
    );
  }
  const facts = parseMeta(text, source);
  const handle = await fs.open(dest, 'wx', 0o644);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return { bytes: text.length, sha256: createHash('sha256').update(text).digest('hex'), facts };
}
