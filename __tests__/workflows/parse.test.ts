/**
 * Every workflow, every caller example and action.yml parse without errors in
 * GitHub's own parser (@actions/workflow-parser, the Actions language
 * service's parser), bundled for the tests by support/workflow-parser.ts.
 *
 * Where the parser lags what GitHub accepts, the part is checked by hand in
 * contract.test.ts:
 * - `uses: $/` (self-repository syntax, July 2026): the parser does not
 *   validate `uses:` strings at all, so it neither rejects `$/` nor catches a
 *   malformed reference (`owner/repo` without `@ref`, `$/@v1`). Checked by hand.
 * - It does not check that `needs:` names an existing job, nor that
 *   `inputs.X`, `secrets.X`, `steps.S.outputs.K` or `job.X` name something
 *   declared. Checked by hand.
 * - `concurrency.queue` and `schedule.timezone` are in its schema (0.3.61),
 *   so those are checked here.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { actionErrors, REPO_ROOT, workflowErrors } from '../support/workflow-parser.js';
import { EXAMPLE_FILES, WORKFLOW_FILES } from '../support/workflows.js';

const read = (rel: string) => fs.readFileSync(path.join(REPO_ROOT, rel), 'utf8');

describe('GitHub workflow parser', () => {
  test('finds the files to check', () => {
    expect(WORKFLOW_FILES).toEqual(
      expect.arrayContaining([
        '.github/workflows/staging-backup.yml',
        '.github/workflows/post-rollback-verify.yml',
        '.github/workflows/restore.yml',
        '.github/workflows/ci.yml',
        '.github/workflows/check-dist.yml',
      ]),
    );
    expect(EXAMPLE_FILES.length).toBeGreaterThanOrEqual(3);
  });

  test.each(WORKFLOW_FILES)('%s parses without errors', async (rel) => {
    expect(await workflowErrors(rel, read(rel))).toEqual([]);
  });

  test.each(EXAMPLE_FILES)('%s parses without errors', async (rel) => {
    expect(await workflowErrors(rel, read(rel))).toEqual([]);
  });

  test('action.yml parses without errors', () => {
    expect(actionErrors('action.yml', read('action.yml'))).toEqual([]);
  });

  // Negative controls: the parser really validates (an empty error list above means something).
  test('reports schema, expression and context errors', async () => {
    const bad = [
      'on: push',
      'permissions: { contents: reed }',
      'jobs:',
      '  a:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - run: echo ${{ nosuch.value }}',
      '        with2: x',
    ].join('\n');
    const errors = await workflowErrors('bad.yml', bad);
    expect(errors.some((e) => /Unexpected value 'reed'/.test(e))).toBe(true);
    expect(errors.some((e) => /Unrecognized named-value: 'nosuch'/.test(e))).toBe(true);
    expect(errors.some((e) => /Unexpected value 'with2'/.test(e))).toBe(true);
  });

  test('reports a concurrency queue mode that does not exist', async () => {
    const wf =
      'on: push\nconcurrency: { group: g, queue: forever }\njobs:\n  a: { runs-on: x, steps: [{ run: "true" }] }\n';
    expect((await workflowErrors('q.yml', wf)).length).toBeGreaterThan(0);
  });

  test('reports an action.yml with an unknown runtime key', () => {
    const bad = 'name: x\ndescription: y\nruns:\n  using: node24\n  main: a.js\n  mian: b.js\n';
    expect(actionErrors('action.yml', bad).length).toBeGreaterThan(0);
  });
});
