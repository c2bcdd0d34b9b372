import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { editEnv, parseEnv, renderEnvDiff } from '../../src/core/env-file.js';
import { ROLLBACK_EDIT } from '../../src/core/rollback.js';

const rollback = (input: string | Buffer) =>
  editEnv(typeof input === 'string' ? Buffer.from(input, 'utf8') : input, {
    set: { ...ROLLBACK_EDIT.set },
    remove: ROLLBACK_EDIT.remove,
  });

describe('rollback edit: byte-exact outputs', () => {
  test('comments, quoting, export prefixes, spacing and inline comments are kept', () => {
    const input = [
      '# story_gen settings',
      "STORY_GEN_DB_PATH='/srv/story gen/story_gen.db'   # quoted path",
      'export STORY_GEN_ANALYSIS_BACKEND=mongo-prototype # prototype trial',
      'STORY_GEN_ENABLE_MONGO_ADAPTER=1',
      '  STORY_GEN_ENABLE_GRAPH_ADAPTER = "true"',
      '# STORY_GEN_ENABLE_MONGO_ADAPTER=1 (commented out: stays)',
      'STORY_GEN_ENABLE_MONGO_ADAPTER_NOTE=keep me',
      'API_SECRET="s3cr3t # not a comment"',
      "export QUOTED='it''s'",
      'EMPTY=',
      '',
    ].join('\n');
    const expected = [
      '# story_gen settings',
      "STORY_GEN_DB_PATH='/srv/story gen/story_gen.db'   # quoted path",
      'export STORY_GEN_ANALYSIS_BACKEND=sqlite # prototype trial',
      '# STORY_GEN_ENABLE_MONGO_ADAPTER=1 (commented out: stays)',
      'STORY_GEN_ENABLE_MONGO_ADAPTER_NOTE=keep me',
      'API_SECRET="s3cr3t # not a comment"',
      "export QUOTED='it''s'",
      'EMPTY=',
      '',
    ].join('\n');
    const r = rollback(input);
    expect(r.changed).toBe(true);
    expect(r.output.toString('utf8')).toBe(expected);
    expect(r.changes.map((c) => [c.action, c.key, c.line])).toEqual([
      ['set', 'STORY_GEN_ANALYSIS_BACKEND', 3],
      ['remove', 'STORY_GEN_ENABLE_MONGO_ADAPTER', 4],
      ['remove', 'STORY_GEN_ENABLE_GRAPH_ADAPTER', 5],
    ]);
  });

  test('CRLF endings and a BOM are kept; quote style of the value is kept', () => {
    const input = Buffer.from(
      '\uFEFF# prod\r\nSTORY_GEN_ANALYSIS_BACKEND="graph-prototype"\r\nSTORY_GEN_ENABLE_GRAPH_ADAPTER=yes\r\nOTHER=1\r\n',
      'utf8',
    );
    const r = rollback(input);
    expect(
      r.output.equals(Buffer.from('\uFEFF# prod\r\nSTORY_GEN_ANALYSIS_BACKEND="sqlite"\r\nOTHER=1\r\n', 'utf8')),
    ).toBe(true);
    expect(r.output.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
  });

  test('single-quoted value with a trailing comment', () => {
    const r = rollback("STORY_GEN_ANALYSIS_BACKEND = 'mongo-prototype'   # was mongo\n");
    expect(r.output.toString()).toBe("STORY_GEN_ANALYSIS_BACKEND = 'sqlite'   # was mongo\n");
  });

  test.each([
    ['LF with final newline', 'A=1\n', 'A=1\nSTORY_GEN_ANALYSIS_BACKEND=sqlite\n'],
    ['LF without final newline', 'A=1', 'A=1\nSTORY_GEN_ANALYSIS_BACKEND=sqlite'],
    ['CRLF with final newline', 'A=1\r\nB=2\r\n', 'A=1\r\nB=2\r\nSTORY_GEN_ANALYSIS_BACKEND=sqlite\r\n'],
    [
      'CRLF, last line a removed flag without newline',
      'A=1\r\nSTORY_GEN_ENABLE_MONGO_ADAPTER=on',
      'A=1\r\nSTORY_GEN_ANALYSIS_BACKEND=sqlite',
    ],
    ['empty file', '', 'STORY_GEN_ANALYSIS_BACKEND=sqlite\n'],
    ['BOM only', '\uFEFF', '\uFEFFSTORY_GEN_ANALYSIS_BACKEND=sqlite\n'],
  ])('missing backend key is appended with the file line ending: %s', (_name, input, expected) => {
    const r = rollback(input);
    expect(r.output.toString('utf8')).toBe(expected);
    expect(r.changes.at(-1)).toMatchObject({ action: 'append', key: 'STORY_GEN_ANALYSIS_BACKEND' });
  });

  test('a multi-line quoted value is one binding: a flag-looking line inside it stays', () => {
    const input = [
      'CERT="-----BEGIN',
      'STORY_GEN_ENABLE_MONGO_ADAPTER=1',
      '-----END"',
      "STORY_GEN_ANALYSIS_BACKEND='mongo-prototype'",
      'STORY_GEN_ENABLE_MONGO_ADAPTER=1',
      '',
    ].join('\n');
    const r = rollback(input);
    expect(r.output.toString()).toBe(
      [
        'CERT="-----BEGIN',
        'STORY_GEN_ENABLE_MONGO_ADAPTER=1',
        '-----END"',
        "STORY_GEN_ANALYSIS_BACKEND='sqlite'",
        '',
      ].join('\n'),
    );
    expect(parseEnv(input).values.CERT).toBe('-----BEGIN\nSTORY_GEN_ENABLE_MONGO_ADAPTER=1\n-----END');
  });

  test('every binding of the backend key is set (duplicates, last one wins in dotenv)', () => {
    const r = rollback('STORY_GEN_ANALYSIS_BACKEND=sqlite\nSTORY_GEN_ANALYSIS_BACKEND=graph-prototype\n');
    expect(r.output.toString()).toBe('STORY_GEN_ANALYSIS_BACKEND=sqlite\nSTORY_GEN_ANALYSIS_BACKEND=sqlite\n');
    expect(r.changes).toHaveLength(1);
  });

  test('bytes that are not UTF-8 on other lines survive untouched', () => {
    const input = Buffer.concat([
      Buffer.from('NAME=caf'),
      Buffer.from([0xe9, 0xff]),
      Buffer.from('\nSTORY_GEN_ANALYSIS_BACKEND=mongo-prototype\nSTORY_GEN_ENABLE_MONGO_ADAPTER=1\n'),
    ]);
    const expected = Buffer.concat([
      Buffer.from('NAME=caf'),
      Buffer.from([0xe9, 0xff]),
      Buffer.from('\nSTORY_GEN_ANALYSIS_BACKEND=sqlite\n'),
    ]);
    expect(rollback(input).output.equals(expected)).toBe(true);
  });

  test('a file already on sqlite without flags is unchanged', () => {
    const input = 'export STORY_GEN_ANALYSIS_BACKEND=sqlite\r\nX=1\r\n';
    const r = rollback(input);
    expect(r.changed).toBe(false);
    expect(r.changes).toEqual([]);
    expect(r.output.toString()).toBe(input);
  });

  test('a bare key gets a value', () => {
    expect(rollback('STORY_GEN_ANALYSIS_BACKEND\n').output.toString()).toBe('STORY_GEN_ANALYSIS_BACKEND=sqlite\n');
  });

  test('the diff shows only changed lines (other lines may hold secrets)', () => {
    const r = rollback(
      'SECRET=hunter2\nexport STORY_GEN_ANALYSIS_BACKEND="mongo-prototype"\nSTORY_GEN_ENABLE_MONGO_ADAPTER=1\n',
    );
    expect(renderEnvDiff('.env', r.changes)).toBe(
      [
        '--- .env',
        '+++ .env (after rollback)',
        '@@ line 2: set STORY_GEN_ANALYSIS_BACKEND @@',
        '-export STORY_GEN_ANALYSIS_BACKEND="mongo-prototype"',
        '+export STORY_GEN_ANALYSIS_BACKEND="sqlite"',
        '@@ line 3: remove STORY_GEN_ENABLE_MONGO_ADAPTER @@',
        '-STORY_GEN_ENABLE_MONGO_ADAPTER=1',
        '',
      ].join('\n'),
    );
  });

  // Lines that are neither targets nor able to swallow a target line.
  const otherLine = fc.oneof(
    fc.constantFrom('# comment', '', '   ', 'export PATH_X=/bin', "Q='a b'", 'D="x # y"', 'U=1 # c', 'junk line'),
    fc
      .string({ unit: fc.constantFrom(...'abcAB_=#" \'$\t.é'.split('')), maxLength: 20 })
      .filter((s) => !s.includes('STORY_GEN')),
  );
  const targetLine = fc
    .record({
      key: fc.constantFrom(
        'STORY_GEN_ANALYSIS_BACKEND',
        'STORY_GEN_ENABLE_MONGO_ADAPTER',
        'STORY_GEN_ENABLE_GRAPH_ADAPTER',
      ),
      value: fc.constantFrom('mongo-prototype', 'graph-prototype', '1', 'on', 'sqlite', ''),
      exp: fc.boolean(),
      q: fc.constantFrom('', "'", '"'),
      sp: fc.constantFrom('', ' ', '\t'),
      comment: fc.constantFrom('', ' # note'),
    })
    .map(({ key, value, exp, q, sp, comment }) => `${exp ? 'export ' : ''}${key}${sp}=${sp}${q}${value}${q}${comment}`);

  test('property: without target keys, the output is the input plus one appended line', () => {
    fc.assert(
      fc.property(
        fc.array(
          otherLine.filter((l) => !/['"]/.test(l)),
          { maxLength: 12 },
        ),
        fc.constantFrom('\n', '\r\n'),
        fc.boolean(),
        (lines, eol, finalEol) => {
          const input = lines.join(eol) + (finalEol && lines.length > 0 ? eol : '');
          const out = rollback(input).output.toString('utf8');
          const fileEol = input.includes('\n') ? eol : '\n';
          const open = input !== '' && !input.endsWith('\n');
          const expected = input + (open ? fileEol : '') + 'STORY_GEN_ANALYSIS_BACKEND=sqlite' + (open ? '' : fileEol);
          expect(out).toBe(expected);
        },
      ),
    );
  });

  test('property: after the edit the file parses to sqlite without flags, other bindings unchanged', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            otherLine.filter((l) => !/['"]/.test(l)),
            targetLine,
          ),
          { maxLength: 12 },
        ),
        (lines) => {
          const input = lines.join('\n') + '\n';
          const before = parseEnv(input).values;
          const after = parseEnv(rollback(input).output).values;
          expect(after.STORY_GEN_ANALYSIS_BACKEND).toBe('sqlite');
          expect(after.STORY_GEN_ENABLE_MONGO_ADAPTER).toBeUndefined();
          expect(after.STORY_GEN_ENABLE_GRAPH_ADAPTER).toBeUndefined();
          const strip = (v: Record<string, string>) =>
            Object.fromEntries(Object.entries(v).filter(([k]) => !k.startsWith('STORY_GEN_')));
          expect(strip(after)).toEqual(strip(before));
        },
      ),
    );
  });
});

describe('parseEnv: dotenv semantics', () => {
  test('export, quotes, escapes, inline comments, last binding wins, invalid lines', () => {
    const p = parseEnv(
      [
        'export A=plain value   # comment',
        "B='single # kept'",
        'C="double \\"q\\" \\n newline"',
        'D=no#comment',
        'E= # only a comment',
        'F=1',
        'F=2',
        'this is not a binding',
        'G',
        '  H = spaced  ',
      ].join('\n'),
    );
    expect(p.values).toEqual({
      A: 'plain value',
      B: 'single # kept',
      C: 'double "q" \n newline',
      D: 'no#comment',
      E: '',
      F: '2',
      H: 'spaced',
    });
    expect(p.invalidLines).toEqual([8]);
    expect(p.bindings.find((b) => b.key === 'A')!.exported).toBe(true);
    expect(p.bindings.find((b) => b.key === 'G')!.value).toBeNull();
  });

  test('a BOM and CRLF do not leak into keys or values', () => {
    const p = parseEnv(Buffer.from('\uFEFFSTORY_GEN_ANALYSIS_BACKEND=sqlite\r\nX="y"\r\n', 'utf8'));
    expect(p.bom).toBe(true);
    expect(p.values).toEqual({ STORY_GEN_ANALYSIS_BACKEND: 'sqlite', X: 'y' });
  });
});

test('an empty value followed by a comment gets the new value right after "="', () => {
  expect(rollback('STORY_GEN_ANALYSIS_BACKEND= # note\n').output.toString()).toBe(
    'STORY_GEN_ANALYSIS_BACKEND=sqlite # note\n',
  );
});
