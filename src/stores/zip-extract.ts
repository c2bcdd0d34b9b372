/**
 * A strict reader for the zip archives that GitHub artifacts are stored as.
 *
 * We extract downloaded artifacts ourselves instead of letting the artifact
 * library unzip them, because its extractor silently rewrites hostile names
 * (`../x` becomes `./x`) where we must refuse the whole archive: every entry
 * name is checked before a single byte is written, so nothing can ever land
 * outside the target folder. Backups are flat folders, so only plain file
 * names are accepted: no directories, no `..`, no absolute paths, no links.
 *
 * Written from PKWARE's APPNOTE: the central directory is authoritative (the
 * artifact library streams its zips, so local headers carry no sizes), zip64
 * records are honoured, and only stored (0) and deflated (8) entries exist.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';

const EOCD_SIG = 0x06054b50;
const ZIP64_LOCATOR_SIG = 0x07064b50;
const ZIP64_EOCD_SIG = 0x06064b50;
const CDH_SIG = 0x02014b50;
const LFH_SIG = 0x04034b50;
const U32_MAX = 0xffffffff;
const U16_MAX = 0xffff;

/** A zip that is malformed or contains an entry we refuse. */
export class UnsafeZipError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsafeZipError';
  }
}

/** One central-directory entry. */
export interface ZipEntry {
  name: string;
  method: number;
  crc32: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

/** Why a name is not a plain file name, or null when it is one. */
export function unsafeEntryReason(name: string): string | null {
  if (name === '') return 'has an empty name';
  if (name.includes('\0')) return 'has a NUL byte in its name';
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name) || name.startsWith('\\')) return 'is an absolute path';
  const parts = name.split(/[/\\]/);
  if (parts.includes('..')) return "climbs out of the folder with '..'";
  if (name.endsWith('/')) return 'is a directory (backups are flat)';
  if (parts.length > 1) return 'is inside a subfolder (backups are flat)';
  if (name === '.') return "is named '.'";
  return null;
}

/** Lists a zip's entries after checking every one; throws UnsafeZipError on the first bad entry. */
export async function readZipEntries(zipPath: string): Promise<ZipEntry[]> {
  const fh = await fs.open(zipPath, 'r');
  try {
    const { size: fileSize } = await fh.stat();
    const tailLen = Math.min(fileSize, 22 + U16_MAX);
    const tail = Buffer.alloc(tailLen);
    await fh.read(tail, 0, tailLen, fileSize - tailLen);
    let eocd = -1;
    for (let i = tailLen - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === EOCD_SIG) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) throw new UnsafeZipError('not a zip archive (no end-of-central-directory record)');
    let count = tail.readUInt16LE(eocd + 10);
    let cdSize = tail.readUInt32LE(eocd + 12);
    let cdOffset = tail.readUInt32LE(eocd + 16);
    if (count === U16_MAX || cdSize === U32_MAX || cdOffset === U32_MAX) {
      const locAt = eocd - 20;
      if (locAt < 0 || tail.readUInt32LE(locAt) !== ZIP64_LOCATOR_SIG) {
        throw new UnsafeZipError('zip64 archive without its locator record');
      }
      const recOffset = Number(tail.readBigUInt64LE(locAt + 8));
      const rec = Buffer.alloc(56);
      await fh.read(rec, 0, 56, recOffset);
      if (rec.readUInt32LE(0) !== ZIP64_EOCD_SIG) throw new UnsafeZipError('zip64 end record is missing');
      count = Number(rec.readBigUInt64LE(32));
      cdSize = Number(rec.readBigUInt64LE(40));
      cdOffset = Number(rec.readBigUInt64LE(48));
    }
    if (cdOffset + cdSize > fileSize) throw new UnsafeZipError('central directory lies beyond the end of the file');
    const cd = Buffer.alloc(cdSize);
    await fh.read(cd, 0, cdSize, cdOffset);

    const entries: ZipEntry[] = [];
    const seen = new Set<string>();
    let p = 0;
    for (let n = 0; n < count; n++) {
      if (p + 46 > cd.length || cd.readUInt32LE(p) !== CDH_SIG)
        throw new UnsafeZipError('central directory is corrupt');
      const madeBy = cd.readUInt16LE(p + 4);
      const flags = cd.readUInt16LE(p + 8);
      const method = cd.readUInt16LE(p + 10);
      const crc = cd.readUInt32LE(p + 16);
      let compressedSize = cd.readUInt32LE(p + 20);
      let size = cd.readUInt32LE(p + 24);
      const nameLen = cd.readUInt16LE(p + 28);
      const extraLen = cd.readUInt16LE(p + 30);
      const commentLen = cd.readUInt16LE(p + 32);
      const externalAttrs = cd.readUInt32LE(p + 38);
      let localHeaderOffset = cd.readUInt32LE(p + 42);
      const nameBuf = cd.subarray(p + 46, p + 46 + nameLen);
      const name = nameBuf.toString(flags & 0x800 ? 'utf8' : 'latin1');
      const extra = cd.subarray(p + 46 + nameLen, p + 46 + nameLen + extraLen);
      p += 46 + nameLen + extraLen + commentLen;

      // zip64 extended information: the 64-bit values follow in a fixed order,
      // present only for fields whose 32-bit slot is saturated.
      for (let e = 0; e + 4 <= extra.length;) {
        const id = extra.readUInt16LE(e);
        const len = extra.readUInt16LE(e + 2);
        if (id === 0x0001) {
          let q = e + 4;
          const next = () => {
            if (q + 8 > e + 4 + len) throw new UnsafeZipError(`entry ${JSON.stringify(name)} has a short zip64 field`);
            const v = Number(extra.readBigUInt64LE(q));
            q += 8;
            return v;
          };
          if (size === U32_MAX) size = next();
          if (compressedSize === U32_MAX) compressedSize = next();
          if (localHeaderOffset === U32_MAX) localHeaderOffset = next();
        }
        e += 4 + len;
      }

      const label = JSON.stringify(name);
      const reason = unsafeEntryReason(name);
      if (reason) throw new UnsafeZipError(`entry ${label} ${reason}`);
      const fileType = (externalAttrs >>> 16) & 0o170000;
      if (madeBy >> 8 === 3 && fileType === 0o120000) throw new UnsafeZipError(`entry ${label} is a symbolic link`);
      if (madeBy >> 8 === 3 && fileType !== 0 && fileType !== 0o100000) {
        throw new UnsafeZipError(`entry ${label} is not a regular file`);
      }
      if (flags & 0x1) throw new UnsafeZipError(`entry ${label} is encrypted`);
      if (method !== 0 && method !== 8)
        throw new UnsafeZipError(`entry ${label} uses unsupported compression ${method}`);
      if (seen.has(name)) throw new UnsafeZipError(`entry ${label} appears twice`);
      seen.add(name);
      entries.push({ name, method, crc32: crc, compressedSize, size, localHeaderOffset });
    }
    return entries;
  } finally {
    await fh.close();
  }
}

/** Counts, CRCs and hashes bytes on their way to disk. */
class Checker extends Transform {
  bytes = 0;
  crc = 0;
  readonly sha = createHash('sha256');
  constructor(private readonly limit: number) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    // Stop a lying entry (a zip bomb) as soon as it passes its declared size.
    if (this.bytes > this.limit) return cb(new UnsafeZipError('entry is larger than the archive declares'));
    this.crc = zlib.crc32(chunk, this.crc);
    this.sha.update(chunk);
    cb(null, chunk);
  }
}

/**
 * Extracts one checked entry to `dest` (which must not exist: `wx` never
 * follows or overwrites anything). Returns its sha256 (hex).
 */
export async function extractEntry(zipPath: string, entry: ZipEntry, dest: string): Promise<string> {
  const fh = await fs.open(zipPath, 'r');
  let dataStart: number;
  try {
    const lfh = Buffer.alloc(30);
    await fh.read(lfh, 0, 30, entry.localHeaderOffset);
    if (lfh.readUInt32LE(0) !== LFH_SIG)
      throw new UnsafeZipError(`entry ${JSON.stringify(entry.name)} has no local header`);
    dataStart = entry.localHeaderOffset + 30 + lfh.readUInt16LE(26) + lfh.readUInt16LE(28);
  } finally {
    await fh.close();
  }
  const checker = new Checker(entry.size);
  // An empty stored entry has no data range to read (createReadStream rejects end < start).
  const source =
    entry.compressedSize === 0
      ? Readable.from([])
      : createReadStream(zipPath, { start: dataStart, end: dataStart + entry.compressedSize - 1 });
  const streams: (NodeJS.ReadableStream | NodeJS.WritableStream)[] = [source];
  if (entry.method === 8) streams.push(zlib.createInflateRaw());
  streams.push(checker, createWriteStream(dest, { flags: 'wx' }));
  await pipeline(streams);
  if (checker.bytes !== entry.size) {
    throw new UnsafeZipError(
      `entry ${JSON.stringify(entry.name)} holds ${checker.bytes} bytes, not the ${entry.size} declared`,
    );
  }
  if (checker.crc >>> 0 !== entry.crc32 >>> 0)
    throw new UnsafeZipError(`entry ${JSON.stringify(entry.name)} fails its CRC-32 check`);
  return checker.sha.digest('hex');
}

/** Reads one small entry into memory (for manifest.json). */
export async function readEntry(zipPath: string, entry: ZipEntry, maxBytes: number): Promise<Buffer> {
  if (entry.size > maxBytes)
    throw new UnsafeZipError(`entry ${JSON.stringify(entry.name)} is larger than ${maxBytes} bytes`);
  const tmp = `${zipPath}.${path.basename(entry.name)}.read`;
  try {
    await extractEntry(zipPath, entry, tmp);
    return await fs.readFile(tmp);
  } finally {
    await fs.rm(tmp, { force: true });
  }
}
