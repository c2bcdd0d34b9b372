/** Every relative link in the user documentation points at a file that exists. */
import { expect, test } from '@jest/globals';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../helpers/cli.js';

const docs = [
  'README.md',
  'SECURITY.md',
  'CHANGELOG.md',
  ...fs
    .readdirSync(path.join(REPO_ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

test.each(docs)('relative links in %s resolve', (doc) => {
  const text = fs.readFileSync(path.join(REPO_ROOT, doc), 'utf8');
  const targets = [...text.matchAll(/\]\(([^)\s#]+)(?:#[^)]*)?\)/g)]
    .map((m) => m[1]!)
    .filter((t) => !/^[a-z]+:/i.test(t));
  const missing = targets.filter((t) => !fs.existsSync(path.resolve(REPO_ROOT, path.dirname(doc), t)));
  expect(missing).toEqual([]);
});
