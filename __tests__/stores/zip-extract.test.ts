import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { extractEntry, readZipEntries, unsafeEntryReason } from '../../src/stores/zip-extract.js';
import { makeZip, type ZipInput } from '../support/zip-writer.js';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'zip-extract-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

let n = 0;
async function zipFile(entries: ZipInput[], zip64 = false): Promise<string> {
  const file = path.join(tmp, `z${++n}.zip`);
  await writeFile(file, makeZip(entries, { zip64 }));
  return file;
}

describe('readZipEntries', () => {
  test.each([
    ['../evil', /climbs out/],
    ['a/../../evil', /climbs out/],
    ['/etc/passwd', /absolute/],
    ['C:\\evil', /absolute/],
    ['\\\\server\\share', /absolute/],
    ['sub/file', /subfolder/],
    ['sub\\file', /subfolder/],
    ['dir/', /directory/],
    ['', /empty name/],
    ['.', /named '.'/],
    ['a\0b', /NUL/],
  ])('refuses entry %j', async (name, reason) => {
    const file = await zipFile([
      { name: 'ok.txt', data: 'fine' },
      { name, data: 'x' },
    ]);
    await expect(readZipEntries(file)).rejects.toThrow(reason);
  });

  test('refuses symlinks, devices, duplicates, garbage', async () => {
    await expect(
      readZipEntries(await zipFile([{ name: 'link', data: '/etc/passwd', mode: 0o120777 }])),
    ).rejects.toThrow(/symbolic link/);
    await expect(readZipEntries(await zipFile([{ name: 'fifo', data: '', mode: 0o010644 }]))).rejects.toThrow(
      /not a regular file/,
    );
    await expect(
      readZipEntries(
        await zipFile([
          { name: 'a', data: '1' },
          { name: 'a', data: '2' },
        ]),
      ),
    ).rejects.toThrow(/appears twice/);
    const junk = path.join(tmp, 'junk.zip');
    await writeFile(junk, randomBytes(1000));
    await expect(readZipEntries(junk)).rejects.toThrow(/not a zip archive/);
  });

  test('reads zip64 records', async () => {
    const file = await zipFile(
      [
        { name: 'a.bin', data: randomBytes(1000), deflate: true },
        { name: 'b.txt', data: 'bee' },
      ],
      true,
    );
    const entries = await readZipEntries(file);
    expect(entries.map((e) => [e.name, e.size, e.method])).toEqual([
      ['a.bin', 1000, 8],
      ['b.txt', 3, 0],
    ]);
  });

  test('any name with a separator, a .. segment or a leading slash is refused (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('a', '.', '..', '/', '\\', 'b.c'), { minLength: 1, maxLength: 6 }),
        (parts) => {
          const name = parts.join('');
          const reason = unsafeEntryReason(name);
          const plain = name !== '' && name !== '.' && !/[/\\]/.test(name) && name !== '..';
          expect(reason === null).toBe(plain);
        },
      ),
    );
  });
});

describe('extractEntry', () => {
  test('extracts stored and deflated entries with their sha256', async () => {
    const data = randomBytes(300_000);
    const file = await zipFile([
      { name: 'a.bin', data, deflate: true },
      { name: 'empty', data: '' },
    ]);
    const [a, empty] = await readZipEntries(file);
    const out = await mkdtemp(path.join(tmp, 'out-'));
    const sha = await extractEntry(file, a, path.join(out, 'a.bin'));
    expect(sha).toBe(createHash('sha256').update(data).digest('hex'));
    expect((await readFile(path.join(out, 'a.bin'))).equals(data)).toBe(true);
    await extractEntry(file, empty, path.join(out, 'empty'));
    expect(await readFile(path.join(out, 'empty'), 'utf8')).toBe('');
    // Never overwrites or follows what is already there.
    await expect(extractEntry(file, a, path.join(out, 'a.bin'))).rejects.toThrow(/EEXIST/);
  });

  test('a lying size or a bad CRC is refused', async () => {
    const file = await zipFile([{ name: 'a', data: 'abcdef', declaredSize: 3 }]);
    const [a] = await readZipEntries(file);
    const out = await mkdtemp(path.join(tmp, 'out-'));
    await expect(extractEntry(file, a, path.join(out, 'a'))).rejects.toThrow(/larger than the archive declares/);

    const good = makeZip([{ name: 'b', data: 'hello' }]);
    const flipped = Buffer.from(good);
    flipped[30 + 1] ^= 0xff; // first data byte, after the 30-byte local header and the 1-byte name
    const bad = path.join(tmp, 'badcrc.zip');
    await writeFile(bad, flipped);
    const [b] = await readZipEntries(bad);
    await expect(extractEntry(bad, b, path.join(out, 'b'))).rejects.toThrow(/CRC-32/);
    expect((await readdir(out)).sort()).toEqual(['a', 'b']); // partial files stay inside the target folder
  });
});
