/**
 * Dotenv files: a parser with the usual dotenv semantics (used by preflight)
 * and a line-preserving editor (used by rollback).
 *
 * The editor works on the file's bytes read as latin1 - one char per byte - so
 * every line it does not change is written back byte for byte, whatever its
 * encoding, quoting, `export` prefix or line ending. Structure (quotes, `=`,
 * `#`, newlines) is ASCII, and UTF-8 never hides ASCII bytes inside a
 * multi-byte character, so parsing the latin1 view finds the same structure as
 * parsing the decoded text.
 *
 * Semantics: optional `export ` prefix; `KEY=value` with optional spaces
 * around `=`; single-quoted values are literal (`\'` and `\\` escapes),
 * double-quoted values take backslash escapes, and both may span lines;
 * unquoted values end at a `#` preceded by whitespace (an inline comment) and
 * lose trailing whitespace; a later binding of a key wins; lines that do not
 * parse are reported and ignored. `${VAR}` references are not expanded.
 */

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** One physical line: its text without the ending, and the ending itself. */
interface RawLine {
  text: string;
  eol: '' | '\n' | '\r\n';
}

/** A `KEY=value` (or bare `KEY`) binding, possibly spanning several lines. */
interface Binding {
  key: string;
  /** Decoded value; null for a bare `KEY` without `=`. */
  value: string | null;
  exported: boolean;
  /** 0-based first and last physical line. */
  startLine: number;
  endLine: number;
  /** Offset in the first line where the value token (with its quotes) starts. */
  valueStart: number;
  /** Offset in the last line just after the value token. */
  valueEnd: number;
  quote: '' | "'" | '"';
  hasEquals: boolean;
}

interface Scan {
  bom: boolean;
  lines: RawLine[];
  bindings: Binding[];
  /** 0-based lines that did not parse. */
  invalid: number[];
}

function splitLines(text: string): RawLine[] {
  const lines: RawLine[] = [];
  let pos = 0;
  while (pos < text.length) {
    const nl = text.indexOf('\n', pos);
    if (nl === -1) {
      lines.push({ text: text.slice(pos), eol: '' });
      break;
    }
    const crlf = nl > pos && text[nl - 1] === '\r';
    lines.push({ text: text.slice(pos, crlf ? nl - 1 : nl), eol: crlf ? '\r\n' : '\n' });
    pos = nl + 1;
  }
  return lines;
}

const DQ_ESCAPES: Record<string, string> = {
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

function decodeQuoted(raw: string, quote: "'" | '"'): string {
  if (quote === "'") return raw.replace(/\\([\\'])/g, '$1');
  return raw.replace(/\\([\\'"abfnrtv])/g, (_m, c: string) => DQ_ESCAPES[c] ?? c);
}

/** Finds the closing quote at or after `from`, skipping backslash escapes. */
function findClosingQuote(s: string, from: number, quote: string): number {
  for (let i = from; i < s.length; i++) {
    const c = s[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === quote) return i;
  }
  return -1;
}

const HEAD = /^(\s*)(export[ \t]+)?(?:'([^']+)'|([^=#\s'"]+))[ \t]*/;
const TRAILER = /^[ \t]*(#.*)?$/;

function scan(text: string): Scan {
  const bom = text.startsWith('\uFEFF') || text.startsWith('\xEF\xBB\xBF');
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text.startsWith('\xEF\xBB\xBF') ? text.slice(3) : text;
  const lines = splitLines(body);
  const bindings: Binding[] = [];
  const invalid: number[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!.text;
    if (/^\s*$/.test(line) || /^\s*#/.test(line)) {
      i++;
      continue;
    }
    const head = HEAD.exec(line);
    if (!head) {
      invalid.push(i);
      i++;
      continue;
    }
    const key = head[3] ?? head[4]!;
    const exported = head[2] !== undefined;
    let pos = head[0].length;
    if (line[pos] !== '=') {
      // A bare KEY: dotenv records it without a value.
      if (TRAILER.test(line.slice(pos))) {
        bindings.push({
          key,
          value: null,
          exported,
          startLine: i,
          endLine: i,
          valueStart: pos,
          valueEnd: pos,
          quote: '',
          hasEquals: false,
        });
      } else {
        invalid.push(i);
      }
      i++;
      continue;
    }
    pos++;
    while (line[pos] === ' ' || line[pos] === '\t') pos++;
    const valueStart = pos;
    const q = line[pos];
    if (q === "'" || q === '"') {
      // The value may continue over the following lines until its closing quote.
      let joined = line;
      let end = i;
      let close = findClosingQuote(joined, pos + 1, q);
      while (close === -1 && end + 1 < lines.length) {
        end++;
        joined += '\n' + lines[end]!.text;
        close = findClosingQuote(joined, pos + 1, q);
      }
      if (close === -1) {
        invalid.push(i);
        i++;
        continue;
      }
      const lastLineStart = joined.lastIndexOf('\n', close) + 1;
      const rest = joined.slice(close + 1);
      if (!TRAILER.test(rest.split('\n')[0]!)) {
        invalid.push(i);
        i++;
        continue;
      }
      bindings.push({
        key,
        value: decodeQuoted(joined.slice(pos + 1, close), q),
        exported,
        startLine: i,
        endLine: end,
        valueStart,
        valueEnd: close + 1 - lastLineStart,
        quote: q,
        hasEquals: true,
      });
      i = end + 1;
      continue;
    }
    // Unquoted: up to an inline comment (whitespace then #), trailing blanks dropped.
    let raw = line.slice(pos);
    if (raw.startsWith('#') && pos > head[0].length + 1) {
      // `KEY= # note`: whitespace before `#` makes it a comment; the value is empty.
      raw = '';
    } else {
      const comment = /[ \t]#/.exec(raw);
      if (comment) raw = raw.slice(0, comment.index);
    }
    raw = raw.replace(/\s+$/, '');
    // An empty value sits right after `=`, so a new value never touches a `#`.
    const at = raw === '' ? head[0].length + 1 : valueStart;
    bindings.push({
      key,
      value: raw,
      exported,
      startLine: i,
      endLine: i,
      valueStart: at,
      valueEnd: at + raw.length,
      quote: '',
      hasEquals: true,
    });
    i++;
  }
  return { bom, lines, bindings, invalid };
}

/** A binding as preflight sees it. */
export interface EnvBinding {
  key: string;
  value: string | null;
  /** 1-based line number. */
  line: number;
  exported: boolean;
}

/** A parsed env file. */
export interface ParsedEnv {
  bom: boolean;
  bindings: EnvBinding[];
  /** 1-based numbers of lines that did not parse (ignored, as dotenv does). */
  invalidLines: number[];
  /** Final values: the last binding of each key wins; bare keys are left out. */
  values: Record<string, string>;
}

/** Parses a dotenv file (bytes are decoded as UTF-8). */
export function parseEnv(input: string | Uint8Array): ParsedEnv {
  const text = typeof input === 'string' ? input : Buffer.from(input).toString('utf8');
  const s = scan(text);
  const values: Record<string, string> = {};
  for (const b of s.bindings) {
    if (b.value === null) delete values[b.key];
    else values[b.key] = b.value;
  }
  return {
    bom: s.bom,
    bindings: s.bindings.map((b) => ({ key: b.key, value: b.value, line: b.startLine + 1, exported: b.exported })),
    invalidLines: s.invalid.map((n) => n + 1),
    values,
  };
}

/** One line-level change, for diffs and reports. Lines are shown without endings. */
export interface EnvChange {
  action: 'set' | 'remove' | 'append';
  key: string;
  /** 1-based line in the original file (for `append`: the line it becomes). */
  line: number;
  before: string[];
  after: string[];
}

export interface EnvEdit {
  /** Keys to set to the given value (every binding of the key is rewritten). */
  set?: Record<string, string>;
  /** Keys whose bindings are removed. */
  remove?: readonly string[];
}

export interface EnvEditResult {
  changed: boolean;
  output: Buffer;
  changes: EnvChange[];
  /**
   * Lines that mention an edited key but do not parse as a binding (e.g.
   * `KEY="v" junk`). dotenv ignores them and so does the edit, but another
   * loader might not: they need a human look.
   */
  unparsed: { line: number; key: string }[];
}

const latin1ToUtf8 = (s: string): string => Buffer.from(s, 'latin1').toString('utf8');

/**
 * Applies `edit` to an env file's bytes. Bindings of `set` keys get the new
 * value in the same quoting style, keeping `export`, spacing and any inline
 * comment; bindings of `remove` keys lose all their lines; a `set` key with no
 * binding is appended with the file's own line ending. Every other byte is
 * kept as it was.
 */
export function editEnv(input: Uint8Array, edit: EnvEdit): EnvEditResult {
  const buf = Buffer.from(input);
  const hasBom = buf.subarray(0, 3).equals(BOM);
  const text = buf.subarray(hasBom ? 3 : 0).toString('latin1');
  const s = scan(text);
  const set = edit.set ?? {};
  const remove = new Set(edit.remove ?? []);
  for (const [k, v] of Object.entries(set)) {
    if (remove.has(k)) throw new Error(`editEnv: ${k} is both set and removed`);
    if (/[\r\n]/.test(v)) throw new Error(`editEnv: value for ${k} must be one line`);
  }
  const replaced = new Map<number, { upto: number; lines: RawLine[] }>();
  const changes: EnvChange[] = [];
  const seen = new Set<string>();

  for (const b of s.bindings) {
    const before = s.lines.slice(b.startLine, b.endLine + 1).map((l) => l.text);
    if (remove.has(b.key)) {
      replaced.set(b.startLine, { upto: b.endLine, lines: [] });
      changes.push({
        action: 'remove',
        key: b.key,
        line: b.startLine + 1,
        before: before.map(latin1ToUtf8),
        after: [],
      });
      continue;
    }
    const want = set[b.key];
    if (want === undefined) continue;
    seen.add(b.key);
    if (b.value === want && b.hasEquals) continue;
    const first = s.lines[b.startLine]!.text;
    const last = s.lines[b.endLine]!;
    const value = b.quote === '' ? Buffer.from(want, 'utf8').toString('latin1') : b.quote + want + b.quote;
    const newText = first.slice(0, b.valueStart) + (b.hasEquals ? '' : '=') + value + last.text.slice(b.valueEnd);
    replaced.set(b.startLine, { upto: b.endLine, lines: [{ text: newText, eol: last.eol }] });
    changes.push({
      action: 'set',
      key: b.key,
      line: b.startLine + 1,
      before: before.map(latin1ToUtf8),
      after: [latin1ToUtf8(newText)],
    });
  }

  const out: RawLine[] = [];
  for (let i = 0; i < s.lines.length; i++) {
    const r = replaced.get(i);
    if (r) {
      out.push(...r.lines);
      i = r.upto;
    } else {
      out.push(s.lines[i]!);
    }
  }

  const missing = Object.entries(set).filter(([k]) => !seen.has(k));
  if (missing.length > 0) {
    // The file's own line ending: the first one it uses, LF for a file without any.
    const eol = s.lines.find((l) => l.eol !== '')?.eol ?? '\n';
    const endsOpen = out.length > 0 && out[out.length - 1]!.eol === '';
    const hadFinalEol = s.lines.length === 0 || s.lines[s.lines.length - 1]!.eol !== '';
    if (endsOpen) out[out.length - 1] = { ...out[out.length - 1]!, eol };
    missing.forEach(([k, v], idx) => {
      const lineText = `${k}=${Buffer.from(v, 'utf8').toString('latin1')}`;
      const lastOne = idx === missing.length - 1;
      out.push({ text: lineText, eol: lastOne && !hadFinalEol ? '' : eol });
      changes.push({ action: 'append', key: k, line: out.length, before: [], after: [latin1ToUtf8(lineText)] });
    });
  }

  const body = Buffer.from(out.map((l) => l.text + l.eol).join(''), 'latin1');
  const output = hasBom ? Buffer.concat([BOM, body]) : body;
  const keys = [...Object.keys(set), ...remove];
  const unparsed = s.invalid.flatMap((i) => {
    const key = keys.find((k) => s.lines[i]!.text.includes(k));
    return key === undefined ? [] : [{ line: i + 1, key }];
  });
  return { changed: !output.equals(buf), output, changes, unparsed };
}

/**
 * Renders changes as a small unified-style diff. Only changed lines are shown:
 * an env file's other lines often hold secrets, so no context lines.
 */
export function renderEnvDiff(label: string, changes: readonly EnvChange[]): string {
  if (changes.length === 0) return `${label}: no changes\n`;
  const parts = [`--- ${label}`, `+++ ${label} (after rollback)`];
  for (const c of changes) {
    parts.push(`@@ line ${c.line}: ${c.action} ${c.key} @@`);
    for (const l of c.before) parts.push(`-${l}`);
    for (const l of c.after) parts.push(`+${l}`);
  }
  return parts.join('\n') + '\n';
}
