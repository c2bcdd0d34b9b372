/** The streaming zip writer, read back by our strict reader and by Python's zipfile (an independent implementation). */
import { describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { writeZip } from '../../src/stores/zip-write.js';
import { extractEntry, readZipEntries } from '../../src/stores/zip-extract.js';
import { tempDir } from '../helpers/cli.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('writeZip', () => {
  test.each([0, 1, 6])('level %i: every entry reads back byte for byte, in our reader and in Python', async (level) => {
    const dir = tempDir('zipw');
    const files = {
      'manifest.json': Buffer.from('{"a":1}\n'),
      'story_gen.db': Buffer.concat([Buffer.alloc(2_000_000, 7), randomBytes(1_500_000)]),
      'empty.jsonl': Buffer.alloc(0),
    };
    const paths = Object.entries(files).map(([n, b]) => {
      fs.writeFileSync(path.join(dir, n), b);
      return path.join(dir, n);
    });
    const zip = path.join(dir, 'out', 'backup');
    fs.mkdirSync(path.dirname(zip));
    const size = await writeZip(zip, paths, { level, mtime: new Date('2026-03-01T10:20:30Z') });
    expect(fs.statSync(zip).size).toBe(size);
    const entries = await readZipEntries(zip);
    expect(entries.map((e) => e.name).sort()).toEqual(Object.keys(files).sort());
    const out = path.join(dir, 'x');
    fs.mkdirSync(out);
    for (const e of entries) {
      await extractEntry(zip, e, path.join(out, e.name));
      expect(sha(fs.readFileSync(path.join(out, e.name)))).toBe(sha(files[e.name as keyof typeof files]));
    }
    const py = execFileSync(
      'python3',
      [
        '-c',
        'import sys,zipfile,hashlib\nz=zipfile.ZipFile(sys.argv[1])\nassert z.testzip() is None\nfor i in z.infolist(): print(i.filename, hashlib.sha256(z.read(i)).hexdigest(), i.date_time)',
        zip,
      ],
      { encoding: 'utf8' },
    );
    for (const [n, b] of Object.entries(files)) expect(py).toContain(`${n} ${sha(b)} (2026, 3, 1, 10, 20, 30)`);
    if (level > 0) expect(size).toBeLessThan(files['story_gen.db'].length);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a 72 MiB file of mixed random and repetitive data round-trips', async () => {
    const dir = tempDir('zipw');
    // Many read chunks and deflate buffers, compressible and random runs alternating.
    const parts: Buffer[] = [];
    for (let i = 0; i < 72; i++) parts.push(i % 3 === 0 ? randomBytes(1 << 20) : Buffer.alloc(1 << 20, i));
    const big = Buffer.concat(parts);
    const file = path.join(dir, 'story_gen.db');
    fs.writeFileSync(file, big);
    const zip = path.join(dir, 'out');
    const size = await writeZip(zip, [file], { level: 1, mtime: new Date('2026-03-01T00:00:00Z') });
    expect(size).toBeLessThan(big.length);
    expect(fs.readdirSync(dir).sort()).toEqual(['out', 'story_gen.db']);
    const [entry] = await readZipEntries(zip);
    await extractEntry(zip, entry!, path.join(dir, 'x.db'));
    expect(sha(fs.readFileSync(path.join(dir, 'x.db')))).toBe(sha(big));
    const py = execFileSync(
      'python3',
      [
        '-c',
        'import sys,zipfile,hashlib\nz=zipfile.ZipFile(sys.argv[1])\nassert z.testzip() is None\nprint(hashlib.sha256(z.read("story_gen.db")).hexdigest())',
        zip,
      ],
      { encoding: 'utf8' },
    );
    expect(py.trim()).toBe(sha(big));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a failure removes the partial zip', async () => {
    const dir = tempDir('zipw');
    const zip = path.join(dir, 'z');
    await expect(writeZip(zip, [path.join(dir, 'missing')], { level: 1, mtime: new Date() })).rejects.toThrow();
    expect(fs.existsSync(zip)).toBe(false);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
