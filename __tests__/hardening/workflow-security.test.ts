/**
 * Security checks on the shipped workflows and examples that the contract
 * tests (__tests__/workflows/contract.test.ts: no ${{ }} in run:, SHA pins,
 * permissions declared everywhere) do not already make: no triggers that run
 * with secrets on untrusted code, no blanket permissions, write access only
 * where a job deletes artifacts, no inherited secrets, and checkouts that do
 * not leave the token in .git/config.
 */
import { describe, expect, test } from '@jest/globals';
import { EXAMPLE_FILES, WORKFLOW_FILES, loadYaml, type Yaml, type YamlFile } from '../support/workflows.js';

const ALL = [...WORKFLOW_FILES, ...EXAMPLE_FILES];

function triggers(doc: Yaml): string[] {
  const on = doc?.on;
  if (typeof on === 'string') return [on];
  if (Array.isArray(on)) return on.map(String);
  return Object.keys(on ?? {});
}

/** Every permissions block: [where, value]. */
function permissionBlocks(file: YamlFile): [string, Yaml][] {
  const out: [string, Yaml][] = [];
  if (file.doc?.permissions !== undefined) out.push(['top level', file.doc.permissions]);
  for (const [name, job] of Object.entries<Yaml>(file.doc?.jobs ?? {})) {
    if (job?.permissions !== undefined) out.push([`job ${name}`, job.permissions]);
  }
  return out;
}

/** Write scopes a file may hold: prune deletes artifacts, which needs actions: write. */
const ALLOWED_WRITES = new Set(['actions']);

function permissionProblems(file: YamlFile): string[] {
  const problems: string[] = [];
  for (const [where, p] of permissionBlocks(file)) {
    if (typeof p === 'string') {
      problems.push(`${file.rel}: ${where} permissions "${p}" (blanket); list scopes`);
      continue;
    }
    for (const [scope, level] of Object.entries<Yaml>(p ?? {})) {
      if (!['read', 'write', 'none'].includes(String(level))) problems.push(`${file.rel}: ${where} ${scope}: ${level}`);
      if (level === 'write' && !ALLOWED_WRITES.has(scope)) {
        problems.push(`${file.rel}: ${where} asks ${scope}: write`);
      }
    }
  }
  return problems;
}

describe('workflow security', () => {
  test.each(ALL)('%s: no pull_request_target or workflow_run triggers', (rel) => {
    const t = triggers(loadYaml(rel).doc);
    expect(t.filter((x) => x === 'pull_request_target' || x === 'workflow_run')).toEqual([]);
  });

  test.each(ALL)('%s: permissions are scoped, and write only for actions (artifact deletion)', (rel) => {
    expect(permissionProblems(loadYaml(rel))).toEqual([]);
  });

  test('the permissions checker catches write-all and contents: write', () => {
    const file: YamlFile = {
      rel: 'x.yml',
      text: '',
      doc: { permissions: 'write-all', jobs: { a: { permissions: { contents: 'write', actions: 'write' } } } },
    };
    expect(permissionProblems(file)).toEqual([
      'x.yml: top level permissions "write-all" (blanket); list scopes',
      'x.yml: job a asks contents: write',
    ]);
  });

  test.each(ALL)('%s: no "secrets: inherit" (callers pass only the secrets a workflow declares)', (rel) => {
    const jobs = Object.entries<Yaml>(loadYaml(rel).doc?.jobs ?? {});
    expect(jobs.filter(([, j]) => j?.secrets === 'inherit').map(([n]) => n)).toEqual([]);
  });

  test.each(ALL)('%s: every actions/checkout step sets persist-credentials: false', (rel) => {
    const steps = Object.values<Yaml>(loadYaml(rel).doc?.jobs ?? {}).flatMap((j) => (j?.steps ?? []) as Yaml[]);
    const checkouts = steps.filter((s) => typeof s?.uses === 'string' && s.uses.startsWith('actions/checkout@'));
    for (const c of checkouts) expect([c.uses, c.with?.['persist-credentials']]).toEqual([c.uses, false]);
  });
});
