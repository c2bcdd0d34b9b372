/**
 * The inputs and outputs tables in the user documentation are generated from
 * action.yml by scripts/gen-action-docs.mjs; this fails when they drift.
 * README.md holds the markers.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from '@jest/globals';
import {
  drift,
  hasMarkers,
  inputsTable,
  MARKERS,
  outputsTable,
  readAction,
  rewrite,
  tablesIn,
} from '../../scripts/gen-action-docs.mjs';
import { REPO_ROOT } from '../support/workflows.js';

const actionText = fs.readFileSync(path.join(REPO_ROOT, 'action.yml'), 'utf8');
const action = readAction(actionText);
const DOCS = ['README.md'].filter((f) => {
  const p = path.join(REPO_ROOT, f);
  return fs.existsSync(p) && hasMarkers(fs.readFileSync(p, 'utf8'));
});
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'so-docs-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const SKELETON = [
  '# Doc',
  '',
  MARKERS.inputs[0],
  'stale',
  MARKERS.inputs[1],
  '',
  'between',
  '',
  MARKERS.outputs[0],
  MARKERS.outputs[1],
  '',
].join('\n');

describe('inputs and outputs tables', () => {
  test('some documentation file holds the markers', () => {
    expect(DOCS.length).toBeGreaterThan(0);
  });

  test.each(DOCS)('%s: tables match action.yml', (rel) => {
    const doc = fs.readFileSync(path.join(REPO_ROOT, rel), 'utf8');
    expect(drift(doc, action)).toEqual([]);
    const tables = tablesIn(doc);
    // Header row plus one row per input / output, in action.yml order.
    expect(tables.inputs.slice(1).map((r) => r[0])).toEqual(Object.keys(action.inputs).map((k) => `\`${k}\``));
    expect(tables.outputs.slice(1).map((r) => r[0])).toEqual(Object.keys(action.outputs).map((k) => `\`${k}\``));
  });

  test('every input and output of action.yml gets a row with its description and default', () => {
    const inputs = inputsTable(action);
    for (const [name, spec] of Object.entries(action.inputs)) {
      const row = inputs.split('\n').find((l) => l.startsWith(`| \`${name}\` |`));
      expect(row).toBeDefined();
      if (spec.default) expect(row).toContain(`\`${spec.default}\``);
      else expect(row).toContain('(empty)');
    }
    expect(outputsTable(action).split('\n')).toHaveLength(2 + Object.keys(action.outputs).length);
  });

  test('drift is reported: a changed description, a missing row, an extra row', () => {
    const fresh = rewrite(SKELETON, action);
    expect(drift(fresh, action)).toEqual([]);
    const changed = fresh.replace('Retention profile: dev', 'Retention profile: development');
    expect(drift(changed, action).join('\n')).toMatch(/inputs row \d+: expected .*profile/);
    const missing = fresh
      .split('\n')
      .filter((l) => !l.startsWith('| `artifact-id`'))
      .join('\n');
    expect(drift(missing, action).length).toBeGreaterThan(0);
    const extra = rewrite(SKELETON, { ...action, inputs: { ...action.inputs, bogus: { description: 'x' } } });
    expect(drift(extra, action).join('\n')).toContain('found ["`bogus`"');
  });

  test('only the marked regions change; rewriting is idempotent', () => {
    const once = rewrite(SKELETON, action);
    expect(once.startsWith('# Doc\n\n' + MARKERS.inputs[0])).toBe(true);
    expect(once).toContain(`${MARKERS.inputs[1]}\n\nbetween\n\n${MARKERS.outputs[0]}`);
    expect(once).not.toContain('stale');
    expect(rewrite(once, action)).toBe(once);
  });

  test('a missing or misordered marker is an error naming it', () => {
    expect(() => rewrite('# nothing', action)).toThrow(MARKERS.inputs[0]);
    const swapped = `${MARKERS.inputs[1]}\n${MARKERS.inputs[0]}\n${MARKERS.outputs[0]}\n${MARKERS.outputs[1]}`;
    expect(() => rewrite(swapped, action)).toThrow(/comes before/);
  });

  test('cells escape pipes, HTML and newlines', () => {
    const odd = {
      inputs: { x: { description: 'a | b <c>\nnext *d*', default: 'p|q' } },
      outputs: {},
    };
    const row = inputsTable(odd).split('\n')[2]!;
    expect(row).toBe('| `x` | a \\| b &lt;c&gt;<br>next \\*d\\* | no | `p\\|q` |');
    const doc = rewrite(SKELETON, odd);
    expect(tablesIn(doc).inputs[1]).toEqual(['`x`', 'a \\| b &lt;c&gt;<br>next \\*d\\*', 'no', '`p\\|q`']);
  });
});

describe('the generator as a command', () => {
  const script = path.join(REPO_ROOT, 'scripts/gen-action-docs.mjs');
  const run = (...args: string[]) =>
    spawnSync(process.execPath, [script, ...args], { cwd: REPO_ROOT, encoding: 'utf8' });

  test('writes the tables (Prettier-formatted), then --check passes', () => {
    const file = path.join(tmp, 'doc.md');
    fs.writeFileSync(file, SKELETON);
    const w = run(file);
    expect(w.status).toBe(0);
    expect(w.stdout).toContain('tables updated');
    const text = fs.readFileSync(file, 'utf8');
    expect(drift(text, action)).toEqual([]);
    expect(run('--check', file).status).toBe(0);
    const prettier = spawnSync(
      process.execPath,
      [path.join(REPO_ROOT, 'node_modules/prettier/bin/prettier.cjs'), '--check', file],
      { cwd: REPO_ROOT, encoding: 'utf8' },
    );
    expect(prettier.status).toBe(0);
    expect(run(file).stdout).toContain('up to date');
  });

  test('--check fails on drift and changes nothing', () => {
    const file = path.join(tmp, 'drift.md');
    const stale = rewrite(SKELETON, action).replace('backup: id of the uploaded artifact.', 'the artifact');
    fs.writeFileSync(file, stale);
    const r = run('--check', file);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('differ from action.yml');
    expect(r.stderr).toContain('outputs row');
    expect(fs.readFileSync(file, 'utf8')).toBe(stale);
  });

  test('a named file without markers is an error', () => {
    const file = path.join(tmp, 'plain.md');
    fs.writeFileSync(file, '# plain\n');
    const r = run('--check', file);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('no <!-- action-inputs:start -->');
  });

  test('--check over the repository passes', () => {
    const r = run('--check');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
