/**
 * A streaming zip writer for backup folders, using Node's own zlib (deflate on
 * the thread pool, native CRC-32). The artifact library's built-in zip runs
 * its CRC-32 in JavaScript and is the slowest part of an upload; writing the
 * archive here and uploading it as one raw file (`skipArchive`) halves that.
 *
 * Every entry uses zip64 fields, so files over 4 GiB need no special path; the
 * reader in ./zip-extract.ts and every common unzip tool accept them. Sizes and
 * CRCs are patched into the local headers after each entry is written (the
 * output is a seekable file), so no data descriptors are needed.
 */
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import zlib from 'node:zlib';

const LOCAL_SIG = 0x04034b50;
const CENTRAL_SIG = 0x02014b50;
const ZIP64_EOCD_SIG = 0x06064b50;
const ZIP64_LOCATOR_SIG = 0x07064b50;
const EOCD_SIG = 0x06054b50;
const U32 = 0xffffffff;
const VERSION = 45; // 4.5: zip64
const UTF8_NAMES = 0x0800;

interface Written {
  name: Buffer;
  method: number;
  crc: number;
  size: number;
  compressed: number;
  offset: number;
}

/** DOS date and time of an instant (UTC), as zip headers store them. */
function dosDateTime(d: Date): { time: number; date: number } {
  const year = Math.max(1980, d.getUTCFullYear());
  return {
    time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | (d.getUTCSeconds() >> 1),
    date: ((year - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
  };
}

/**
 * Writes `files` (absolute paths; stored under their base names) into a new
 * zip at `zipPath`. `level` 0 stores, 1-9 deflate. Returns the zip's size.
 */
export async function writeZip(
  zipPath: string,
  files: string[],
  opts: { level: number; mtime: Date; signal?: AbortSignal },
): Promise<number> {
  const { time, date } = dosDateTime(opts.mtime);
  const fh = await fs.open(zipPath, 'wx', 0o600);
  let pos = 0;
  const write = async (buf: Buffer) => {
    await fh.write(buf, 0, buf.length, pos);
    pos += buf.length;
  };
  const written: Written[] = [];
  try {
    for (const file of files) {
      opts.signal?.throwIfAborted();
      const name = Buffer.from(path.basename(file), 'utf8');
      const method = opts.level === 0 ? 0 : 8;
      const offset = pos;
      const header = Buffer.alloc(30 + name.length + 20);
      header.writeUInt32LE(LOCAL_SIG, 0);
      header.writeUInt16LE(VERSION, 4);
      header.writeUInt16LE(UTF8_NAMES, 6);
      header.writeUInt16LE(method, 8);
      header.writeUInt16LE(time, 10);
      header.writeUInt16LE(date, 12);
      // crc at 14 is patched below
      header.writeUInt32LE(U32, 18);
      header.writeUInt32LE(U32, 22);
      header.writeUInt16LE(name.length, 26);
      header.writeUInt16LE(20, 28);
      name.copy(header, 30);
      header.writeUInt16LE(0x0001, 30 + name.length);
      header.writeUInt16LE(16, 32 + name.length);
      await write(header);

      let crc = 0;
      let size = 0;
      const source = createReadStream(file, { highWaterMark: 4 << 20 });
      source.on('data', (chunk) => {
        crc = zlib.crc32(chunk as Buffer, crc);
        size += chunk.length;
      });
      const dataStart = pos;
      if (method === 0) {
        for await (const chunk of source) await write(chunk as Buffer);
      } else {
        const deflate = zlib.createDeflateRaw({ level: opts.level, chunkSize: 1 << 20 });
        source.on('error', (err) => deflate.destroy(err));
        source.pipe(deflate);
        for await (const chunk of deflate) await write(chunk as Buffer);
      }
      const compressed = pos - dataStart;
      const patch = Buffer.alloc(4);
      patch.writeUInt32LE(crc >>> 0, 0);
      await fh.write(patch, 0, 4, offset + 14);
      const sizes = Buffer.alloc(16);
      sizes.writeBigUInt64LE(BigInt(size), 0);
      sizes.writeBigUInt64LE(BigInt(compressed), 8);
      await fh.write(sizes, 0, 16, offset + 30 + name.length + 4);
      written.push({ name, method, crc: crc >>> 0, size, compressed, offset });
    }

    const cdStart = pos;
    for (const w of written) {
      const h = Buffer.alloc(46 + w.name.length + 28);
      h.writeUInt32LE(CENTRAL_SIG, 0);
      h.writeUInt16LE(VERSION | (3 << 8), 4); // made by: Unix
      h.writeUInt16LE(VERSION, 6);
      h.writeUInt16LE(UTF8_NAMES, 8);
      h.writeUInt16LE(w.method, 10);
      h.writeUInt16LE(time, 12);
      h.writeUInt16LE(date, 14);
      h.writeUInt32LE(w.crc, 16);
      h.writeUInt32LE(U32, 20);
      h.writeUInt32LE(U32, 24);
      h.writeUInt16LE(w.name.length, 28);
      h.writeUInt16LE(28, 30);
      // comment length, disk number, internal attributes: 0
      h.writeUInt32LE((0o100644 << 16) >>> 0, 38);
      h.writeUInt32LE(U32, 42);
      w.name.copy(h, 46);
      const x = 46 + w.name.length;
      h.writeUInt16LE(0x0001, x);
      h.writeUInt16LE(24, x + 2);
      h.writeBigUInt64LE(BigInt(w.size), x + 4);
      h.writeBigUInt64LE(BigInt(w.compressed), x + 12);
      h.writeBigUInt64LE(BigInt(w.offset), x + 20);
      await write(h);
    }
    const cdSize = pos - cdStart;
    const zip64At = pos;
    const end = Buffer.alloc(56 + 20 + 22);
    end.writeUInt32LE(ZIP64_EOCD_SIG, 0);
    end.writeBigUInt64LE(44n, 4);
    end.writeUInt16LE(VERSION | (3 << 8), 12);
    end.writeUInt16LE(VERSION, 14);
    end.writeBigUInt64LE(BigInt(written.length), 24);
    end.writeBigUInt64LE(BigInt(written.length), 32);
    end.writeBigUInt64LE(BigInt(cdSize), 40);
    end.writeBigUInt64LE(BigInt(cdStart), 48);
    end.writeUInt32LE(ZIP64_LOCATOR_SIG, 56);
    end.writeBigUInt64LE(BigInt(zip64At), 64);
    end.writeUInt32LE(1, 72);
    end.writeUInt32LE(EOCD_SIG, 76);
    end.writeUInt16LE(0xffff, 84);
    end.writeUInt16LE(0xffff, 86);
    end.writeUInt32LE(U32, 88);
    end.writeUInt32LE(U32, 92);
    await write(end);
    await fh.sync();
  } catch (err) {
    await fh.close().catch(() => {});
    await fs.rm(zipPath, { force: true });
    throw err;
  }
  await fh.close();
  return pos;
}
