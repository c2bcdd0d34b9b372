#!/usr/bin/env node
// Writes the action's inputs and outputs tables into Markdown files from
// action.yml, between these markers:
//   <!-- action-inputs:start --> ... <!-- action-inputs:end -->
//   <!-- action-outputs:start --> ... <!-- action-outputs:end -->
//
//   node scripts/gen-action-docs.mjs [--check] [--action action.yml] [FILE...]
//
// FILE defaults to README.md.
// --check changes nothing and exits 1 when a table differs from action.yml
// (cell by cell, so Prettier's column padding does not count as drift).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const MARKERS = {
  inputs: ['<!-- action-inputs:start -->', '<!-- action-inputs:end -->'],
  outputs: ['<!-- action-outputs:start -->', '<!-- action-outputs:end -->'],
};

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_FILES = ['README.md'];

/** Reads action.yml text into `{ inputs, outputs }` maps. */
export function readAction(text) {
  const doc = parse(text) ?? {};
  return { inputs: doc.inputs ?? {}, outputs: doc.outputs ?? {} };
}

function cell(text) {
  return String(text ?? '')
    .trim()
    .replace(/\\/g, '\\\\')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\*/g, '\\*')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n/g, '<br>');
}

function code(text) {
  const s = String(text);
  const fence = s.includes('`') ? '``' : '`';
  const pad = s.startsWith('`') || s.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${s.replace(/\r?\n/g, '\\n')}${pad}${fence}`.replace(/\|/g, '\\|');
}

/** The inputs table: name, description, required, default (in action.yml order). */
export function inputsTable(action) {
  const rows = ['| Input | Description | Required | Default |', '| --- | --- | --- | --- |'];
  for (const [name, spec] of Object.entries(action.inputs)) {
    const def = spec?.default === undefined || spec.default === '' ? '(empty)' : code(spec.default);
    rows.push(`| ${code(name)} | ${cell(spec?.description)} | ${spec?.required === true ? 'yes' : 'no'} | ${def} |`);
  }
  return rows.join('\n');
}

/** The outputs table: name, description (in action.yml order). */
export function outputsTable(action) {
  const rows = ['| Output | Description |', '| --- | --- |'];
  for (const [name, spec] of Object.entries(action.outputs))
    rows.push(`| ${code(name)} | ${cell(spec?.description)} |`);
  return rows.join('\n');
}

function region(doc, kind) {
  const [start, end] = MARKERS[kind];
  const s = doc.indexOf(start);
  const e = doc.indexOf(end);
  if (s < 0 || e < 0) throw new Error(`missing marker ${s < 0 ? start : end}`);
  if (e < s) throw new Error(`marker ${end} comes before ${start}`);
  if (doc.indexOf(start, s + 1) >= 0) throw new Error(`marker ${start} appears twice`);
  return { from: s + start.length, to: e };
}

/** True when the text holds both pairs of markers. */
export function hasMarkers(doc) {
  return Object.values(MARKERS).every(([s, e]) => doc.includes(s) && doc.includes(e));
}

/** Replaces both marked regions with tables generated from the action. Throws when a marker is missing. */
export function rewrite(doc, action) {
  let out = doc;
  for (const [kind, table] of [
    ['inputs', inputsTable(action)],
    ['outputs', outputsTable(action)],
  ]) {
    const { from, to } = region(out, kind);
    out = `${out.slice(0, from)}\n\n${table}\n\n${out.slice(to)}`;
  }
  return out;
}

/** Splits a Markdown table row into trimmed cells, honouring `\|`. */
function cells(line) {
  const inner = line.trim().replace(/^\|/, '').replace(/\|$/, '');
  return inner.split(/(?<!\\)\|/).map((c) => c.trim());
}

/** The table rows (as cells) in each marked region, separator rows left out. */
export function tablesIn(doc) {
  const out = {};
  for (const kind of Object.keys(MARKERS)) {
    const { from, to } = region(doc, kind);
    out[kind] = doc
      .slice(from, to)
      .split('\n')
      .filter((l) => l.trim().startsWith('|'))
      .map(cells)
      .filter((row) => !row.every((c) => /^:?-+:?$/.test(c)));
  }
  return out;
}

/** Differences between the tables in a document and the ones action.yml gives; empty when in sync. */
export function drift(doc, action) {
  const want = tablesIn(rewrite(doc, action));
  const have = tablesIn(doc);
  const problems = [];
  for (const kind of Object.keys(MARKERS)) {
    const n = Math.max(want[kind].length, have[kind].length);
    for (let i = 0; i < n; i++) {
      const w = JSON.stringify(want[kind][i] ?? null);
      const h = JSON.stringify(have[kind][i] ?? null);
      if (w !== h) problems.push(`${kind} row ${i}: expected ${w}, found ${h}`);
    }
  }
  return problems;
}

async function format(text, file) {
  try {
    const prettier = await import('prettier');
    const options = (await prettier.resolveConfig(file)) ?? {};
    return await prettier.format(text, { ...options, filepath: file });
  } catch {
    return text; // Prettier is a devDependency; without it the tables stay unpadded.
  }
}

async function main(argv) {
  const check = argv.includes('--check');
  const ai = argv.indexOf('--action');
  const actionPath = ai >= 0 ? argv[ai + 1] : path.join(REPO_ROOT, 'action.yml');
  const named = argv.filter((a, i) => !a.startsWith('--') && !(ai >= 0 && i === ai + 1));
  const files = named.length > 0 ? named : DEFAULT_FILES.map((f) => path.join(REPO_ROOT, f));
  const action = readAction(fs.readFileSync(actionPath, 'utf8'));
  let failed = false;
  let seen = 0;
  for (const file of files) {
    if (!fs.existsSync(file)) {
      if (named.length > 0) {
        console.error(`${file}: no such file`);
        failed = true;
      }
      continue;
    }
    const doc = fs.readFileSync(file, 'utf8');
    if (!hasMarkers(doc)) {
      if (named.length > 0) {
        console.error(`${file}: no ${MARKERS.inputs[0]} / ${MARKERS.outputs[0]} markers`);
        failed = true;
      }
      continue;
    }
    seen++;
    if (check) {
      const problems = drift(doc, action);
      if (problems.length > 0) {
        failed = true;
        console.error(
          `${file}: the tables differ from ${path.basename(actionPath)}; run node scripts/gen-action-docs.mjs`,
        );
        for (const p of problems) console.error(`  ${p}`);
      }
    } else {
      const next = await format(rewrite(doc, action), file);
      if (next !== doc) {
        fs.writeFileSync(file, next);
        console.log(`${file}: tables updated`);
      } else console.log(`${file}: up to date`);
    }
  }
  if (seen === 0 && !failed) {
    console.error(`no file holds the markers ${MARKERS.inputs[0]} and ${MARKERS.outputs[0]}`);
    failed = true;
  }
  return failed ? 1 : 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
