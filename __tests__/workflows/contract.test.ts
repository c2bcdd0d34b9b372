/**
 * Contract tests for the workflows, the caller examples and action.yml: the
 * things GitHub's parser does not check (see parse.test.ts) and the promises
 * the workflows' headers make. The shell steps that guard the workflows run
 * for real under bash, the way the runner runs them.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from '@jest/globals';
import { parse } from 'yaml';
import {
  checkActionWith,
  checkNeeds,
  checkPermissions,
  checkPinned,
  checkReferences,
  checkRunScripts,
  checkWorkflowCall,
  EXAMPLE_FILES,
  isOurAction,
  jobsOf,
  loadAction,
  loadYaml,
  OUR_REMOTE,
  REPO_ROOT,
  REUSABLE_FILES,
  stepsOf,
  WORKFLOW_FILES,
  type ActionContract,
  type Yaml,
  type YamlFile,
} from '../support/workflows.js';

const action = loadAction();
const ALL = [...WORKFLOW_FILES, ...EXAMPLE_FILES];
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'so-wf-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Runs a step's script as the runner does for `shell: bash`. */
function runStep(step: Yaml, env: Record<string, string>): { code: number; out: string; stdout: string } {
  const file = path.join(tmp, `step-${Math.random().toString(36).slice(2)}.sh`);
  fs.writeFileSync(file, step.run);
  const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', file], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    encoding: 'utf8',
  });
  return { code: r.status ?? -1, out: r.stdout + r.stderr, stdout: r.stdout };
}

function stepNamed(file: YamlFile, job: string, name: RegExp): Yaml {
  const step = (file.doc.jobs[job].steps as Yaml[]).find((s) => name.test(s.name ?? ''));
  if (!step) throw new Error(`${file.rel}: no step matching ${name} in job ${job}`);
  return step;
}

describe('our action is called as action.yml defines it', () => {
  const calls = ALL.flatMap((rel) => stepsOf(loadYaml(rel)).filter((s) => isOurAction(s.step.uses)));

  test('the workflows call the action', () => {
    // backup + prune, restore, preflight + smoke + checklist, the CI smoke run.
    expect(calls.length).toBeGreaterThanOrEqual(7);
  });

  test.each(calls.map((c) => [`${c.file} ${c.job}#${c.index}`, c] as const))(
    '%s: every with: key exists and required inputs are given',
    (_, c) => {
      expect(checkActionWith(c.step.with, action)).toEqual([]);
      expect(Object.keys(action.inputs)).toContain('command');
      expect(typeof c.step.with?.command).toBe('string');
    },
  );

  test('the checker catches an unknown key and a missing required input', () => {
    const fake: ActionContract = { inputs: { command: {}, needed: { required: true } }, outputs: {} };
    expect(checkActionWith({ command: 'backup', db_path: 'x' }, fake)).toEqual([
      'input "db_path" is not in action.yml',
      'required input "needed" is not given',
    ]);
  });

  test('commands used are ones action.yml documents', () => {
    const described = String(action.inputs.command!.description);
    for (const c of calls) expect(described).toContain(c.step.with.command);
  });
});

describe('the examples call our reusable workflows as they declare them', () => {
  const callers = EXAMPLE_FILES.flatMap((rel) => {
    const file = loadYaml(rel);
    return jobsOf(file.doc)
      .filter(([, job]) => typeof job.uses === 'string')
      .map(([id, job]) => [`${rel} ${id}`, job] as const);
  });

  test('every example calls one of our workflows', () => {
    expect(callers.length).toBe(EXAMPLE_FILES.length);
  });

  test.each(callers)('%s: with/secrets match the called workflow', (_, job) => {
    const m = OUR_REMOTE.exec(job.uses);
    expect(m?.[2]).toBeDefined();
    const rel = `.github/workflows/${m![2]}`;
    expect(REUSABLE_FILES).toContain(rel);
    expect(checkWorkflowCall(job, loadYaml(rel).doc)).toEqual([]);
  });

  test('the checker catches unknown and missing inputs and secrets', () => {
    const called = {
      on: { workflow_call: { inputs: { a: { required: true }, b: {} }, secrets: { S: { required: true } } } },
    };
    expect(checkWorkflowCall({ with: { b: 1, c: 2 }, secrets: { T: 'x' } }, called)).toEqual([
      'with "c" is not an input of the called workflow',
      'required input "a" is not given',
      'secret "T" is not declared by the called workflow',
      'required secret "S" is not given',
    ]);
  });

  test('the copy-paste callers in the workflow headers match too', () => {
    for (const rel of REUSABLE_FILES) {
      const text = loadYaml(rel).text;
      const header = text.slice(0, text.indexOf('\nname:'));
      const block = /Copy-paste caller[^\n]*\n#\n((?:# {3}.*\n|#\n)+)/.exec(header);
      expect(block).not.toBeNull();
      const yamlText = block![1]!
        .split('\n')
        .map((l) => l.replace(/^# {3}/, '').replace(/^#$/, ''))
        .join('\n');
      const caller = loadYamlText(yamlText);
      const [[, job]] = jobsOf(caller) as [[string, Yaml]];
      expect(OUR_REMOTE.exec(job.uses)?.[2]).toBe(path.basename(rel));
      expect(checkWorkflowCall(job, loadYaml(rel).doc)).toEqual([]);
      expect(job.permissions).toBeDefined();
    }
  });
});

function loadYamlText(text: string): Yaml {
  return parse(text);
}

describe('the YAML snippets in the documentation', () => {
  /** Every object under a YAML value that has a `uses:` naming storage-ops. */
  function ourUses(value: Yaml): Yaml[] {
    if (Array.isArray(value)) return value.flatMap(ourUses);
    if (!value || typeof value !== 'object') return [];
    const here = typeof value.uses === 'string' && OUR_REMOTE.test(value.uses) ? [value] : [];
    return [...here, ...Object.values(value).flatMap(ourUses)];
  }
  const snippets = ['README.md', 'docs/operations.md', 'docs/versioning.md'].flatMap((rel) => {
    const text = fs.readFileSync(path.join(REPO_ROOT, rel), 'utf8');
    return [...text.matchAll(/```ya?ml\n([\s\S]*?)```/g)].map((m, i) => [`${rel} block ${i + 1}`, m[1]!] as const);
  });

  test('the docs have YAML snippets that use storage-ops', () => {
    expect(snippets.flatMap(([, t]) => ourUses(parse(t))).length).toBeGreaterThanOrEqual(4);
  });

  test.each(snippets)('%s: parses and calls storage-ops as declared', (_, text) => {
    for (const node of ourUses(parse(text))) {
      const m = OUR_REMOTE.exec(node.uses)!;
      if (m[2]) expect(checkWorkflowCall(node, loadYaml(`.github/workflows/${m[2]}`).doc)).toEqual([]);
      else expect(checkActionWith(node.with, action)).toEqual([]);
    }
  });
});

describe('hand checks the parser does not do', () => {
  test.each(ALL)('%s: needs, inputs, secrets and outputs referenced exist', (rel) => {
    const file = loadYaml(rel);
    expect(checkNeeds(file)).toEqual([]);
    expect(checkReferences(file, action)).toEqual([]);
  });

  test('the reference checker catches typos', () => {
    const file: YamlFile = {
      rel: 'x.yml',
      text: '',
      doc: {
        on: { workflow_call: { inputs: { 'db-path': {} }, outputs: { o: { value: '${{ jobs.a.outputs.nope }}' } } } },
        jobs: {
          a: {
            needs: 'zzz',
            outputs: { n: '${{ steps.s.outputs.backup_name }}' },
            steps: [{ id: 's', uses: '$/', with: { 'db-path': '${{ inputs.db_path }}', t: '${{ secrets.T }}' } }],
          },
          b: { needs: 'a', steps: [{ run: 'x', env: { X: '${{ needs.a.outputs.m }} ${{ job.workflow_shaa }}' } }] },
        },
      },
    };
    expect(checkNeeds(file)).toEqual(['x.yml: job a needs unknown job zzz']);
    const problems = checkReferences(file, action).join('\n');
    expect(problems).toContain('job a has no output nope');
    expect(problems).toContain('action.yml has no output backup_name');
    expect(problems).toContain('inputs.db_path is not declared');
    expect(problems).toContain('secrets.T is not declared');
    expect(problems).toContain('job a has no output m');
    expect(problems).toContain('unknown job.workflow_shaa');
  });

  test.each(REUSABLE_FILES)('%s: our action is referenced only as `$/` (same commit), never a tag or ./', (rel) => {
    const file = loadYaml(rel);
    const uses = stepsOf(file)
      .map((s) => s.step.uses)
      .filter((u): u is string => typeof u === 'string');
    expect(uses).toContain('$/');
    for (const u of uses) {
      // `./` would resolve in the caller's checkout; `$/` must not carry @ref.
      expect(u.startsWith('./')).toBe(false);
      expect(u.startsWith('$/') ? u : '$/').toBe('$/');
      expect(OUR_REMOTE.test(u)).toBe(false);
    }
    expect(file.text).toContain('2.336.0');
    expect(file.text).toMatch(/GHES/);
    // The documented fallback for older runners: a checkout of the workflow's own commit.
    expect(file.text).toContain('repository: ${{ job.workflow_repository }}');
    expect(file.text).toContain('ref: ${{ job.workflow_sha }}');
  });

  test.each(ALL)('%s: no ${{ }} inside run: scripts (values go through env:)', (rel) => {
    expect(checkRunScripts(loadYaml(rel))).toEqual([]);
  });

  test('the run: checker catches inputs, github.event and secrets', () => {
    const file: YamlFile = {
      rel: 'x.yml',
      text: '',
      doc: {
        jobs: {
          a: {
            steps: [
              { run: 'echo "${{ inputs.path }}"' },
              { run: 'echo ${{github.event.issue.title}}' },
              { run: 'curl -H "${{ secrets.TOKEN }}"', env: { OK: '${{ inputs.path }}' } },
              { run: 'echo "$OK"', env: { OK: '${{ inputs.path }}' } },
            ],
          },
        },
      },
    };
    const problems = checkRunScripts(file);
    expect(problems).toHaveLength(3);
    expect(problems.join('\n')).toMatch(/inputs\.path[\s\S]*github\.event\.issue\.title[\s\S]*secrets\.TOKEN/);
  });

  test.each(ALL)('%s: third-party actions are pinned to a full commit SHA', (rel) => {
    expect(checkPinned(loadYaml(rel))).toEqual([]);
  });

  test('one action, one pin: every file uses the same SHA and version for it', () => {
    const pins = new Map<string, Set<string>>();
    for (const rel of ALL) {
      for (const m of loadYaml(rel).text.matchAll(/uses:\s*([\w.-]+\/[\w./-]+)@([0-9a-f]{40})\s*#\s*(v[\d.]+)/g)) {
        const set = pins.get(m[1]!) ?? new Set<string>();
        set.add(`${m[2]} ${m[3]}`);
        pins.set(m[1]!, set);
      }
    }
    expect(pins.size).toBeGreaterThanOrEqual(3);
    for (const [name, set] of pins) expect([name, [...set]]).toEqual([name, [[...set][0]]]);
  });

  test('the pin checker catches tags, short SHAs and a missing version comment', () => {
    const text = [
      'jobs:',
      '  a:',
      '    steps:',
      '      - uses: actions/checkout@v6',
      '      - uses: actions/setup-node@8207627',
      '      - uses: actions/cache@0123456789012345678901234567890123456789',
      '      - uses: $/',
      '  b:',
      '    uses: your-org/storage-ops/.github/workflows/restore.yml@main',
    ].join('\n');
    const file: YamlFile = { rel: 'x.yml', text, doc: loadYamlText(text) };
    const problems = checkPinned(file).join('\n');
    expect(problems).toContain('actions/checkout@v6 is not pinned');
    expect(problems).toContain('actions/setup-node@8207627 is not pinned');
    expect(problems).toContain('has no "# vX.Y.Z" comment');
    expect(problems).toContain('restore.yml@main is not @vN or a full SHA');
  });

  test.each(ALL)('%s: permissions declared at the top and on every job', (rel) => {
    expect(checkPermissions(loadYaml(rel))).toEqual([]);
  });

  test('the permissions checker catches a job without permissions', () => {
    const file: YamlFile = { rel: 'x.yml', text: '', doc: { jobs: { a: {} } } };
    expect(checkPermissions(file)).toEqual(['x.yml: no top-level permissions', 'x.yml: job a declares no permissions']);
  });

  test.each(WORKFLOW_FILES)('%s: starts with a header (guarantees, caller, permissions, secrets)', (rel) => {
    const text = loadYaml(rel).text;
    const header = text.split('\n').filter((_l, i, all) => all.slice(0, i + 1).every((x) => x.startsWith('#')));
    expect(header.length).toBeGreaterThanOrEqual(3);
    const h = header.join('\n');
    expect(h).toMatch(/permissions/i);
    expect(h).toMatch(/secrets/i);
    if (REUSABLE_FILES.includes(rel)) {
      expect(h).toMatch(/What it guarantees/);
      expect(h).toMatch(/Copy-paste caller/);
    }
  });
});

describe('staging-backup.yml', () => {
  const file = loadYaml('.github/workflows/staging-backup.yml');
  const doc = file.doc;

  test('prune runs only after a successful backup', () => {
    expect([doc.jobs.prune.needs].flat()).toContain('backup');
    expect(doc.jobs.prune.if).toBe("needs.backup.result == 'success'");
    const backupStep = doc.jobs.backup.steps.find((s: Yaml) => isOurAction(s.uses));
    const pruneStep = doc.jobs.prune.steps.find((s: Yaml) => isOurAction(s.uses));
    expect(backupStep.with.command).toBe('backup');
    // The backup job itself does not prune: the separate job is the only pruner.
    expect(backupStep.with.prune).toBe('false');
    expect(pruneStep.with.command).toBe('prune');
    // ... and prunes exactly the series the backup job wrote.
    expect(pruneStep.with.prefix).toBe('${{ needs.backup.outputs.prefix }}');
  });

  test('one concurrency group per prefix, queued and never cancelled', () => {
    expect(doc.concurrency.group).toContain('inputs.prefix');
    expect(doc.concurrency['cancel-in-progress']).toBe(false);
    expect(doc.concurrency.queue).toBe('max');
    for (const [, job] of jobsOf(doc)) expect(job.concurrency).toBeUndefined();
  });

  test('permissions are contents: read and actions: write, nothing more', () => {
    const granted = new Map<string, string>();
    for (const perms of [doc.permissions, ...jobsOf(doc).map(([, j]) => j.permissions)]) {
      for (const [k, v] of Object.entries(perms as Record<string, string>)) {
        if (granted.get(k) !== 'write') granted.set(k, v);
      }
    }
    expect(Object.fromEntries(granted)).toEqual({ contents: 'read', actions: 'write' });
    expect(doc.jobs.backup.permissions.actions).toBe('read');
    expect(doc.jobs.prune.permissions.actions).toBe('write');
  });

  test('outputs: backup name, artifact id, kept and removed', () => {
    const outs = doc.on.workflow_call.outputs;
    expect(outs['backup-name'].value).toBe('${{ jobs.backup.outputs.backup-name }}');
    expect(outs['artifact-id'].value).toBe('${{ jobs.backup.outputs.artifact-id }}');
    expect(outs.kept.value).toBe('${{ jobs.prune.outputs.kept }}');
    expect(outs.removed.value).toBe('${{ jobs.prune.outputs.removed }}');
  });

  test('inputs: runs-on JSON default "ubuntu-latest", staging profile, the keep-* rules of action.yml', () => {
    const inputs = doc.on.workflow_call.inputs;
    expect(JSON.parse(inputs['runs-on'].default)).toBe('ubuntu-latest');
    expect(doc.jobs.backup['runs-on']).toBe('${{ fromJSON(inputs.runs-on) }}');
    expect(inputs.profile.default).toBe('staging');
    const rules = Object.keys(action.inputs).filter((k) => k.startsWith('keep-'));
    expect(rules.length).toBe(12);
    for (const r of rules) expect(inputs[r]).toBeDefined();
    for (const k of ['db-path', 'backend', 'prefix', 'stop-writers', 'start-writers', 'prune-dry-run', 'max-delete']) {
      expect(inputs[k]).toBeDefined();
    }
  });

  describe('the step that names the series', () => {
    const step = stepNamed(file, 'backup', /series/);

    test('recovers the prefix from the backup name', () => {
      const out = path.join(tmp, 'gh-output');
      fs.writeFileSync(out, '');
      for (const [name, prefix] of [
        ['story_gen-sqlite-20261204T201530.123Z', 'story_gen-sqlite'],
        ['story_gen-staging-x-20260101T000000.000Z', 'story_gen-staging-x'],
      ]) {
        fs.writeFileSync(out, '');
        const r = runStep(step, { BACKUP_NAME: name!, GITHUB_OUTPUT: out });
        expect(r.code).toBe(0);
        expect(fs.readFileSync(out, 'utf8')).toBe(`prefix=${prefix}\n`);
      }
    });

    test.each(['', 'story_gen-sqlite', 'a-20261204T201530Z', 'x-20261204T201530.123Z\nprefix=evil'])(
      'refuses %j, so prune does not run',
      (name) => {
        const out = path.join(tmp, 'gh-output-bad');
        fs.writeFileSync(out, '');
        const r = runStep(step, { BACKUP_NAME: name, GITHUB_OUTPUT: out });
        expect(r.code).toBe(1);
        expect(r.out).toContain('::error');
        expect(fs.readFileSync(out, 'utf8')).toBe('');
      },
    );
  });
});

describe('restore.yml', () => {
  const file = loadYaml('.github/workflows/restore.yml');
  const doc = file.doc;
  const job = doc.jobs.restore;

  test('callable and dispatchable with typed inputs, confirm required in both', () => {
    for (const trigger of ['workflow_call', 'workflow_dispatch']) {
      const inputs = doc.on[trigger].inputs;
      expect(inputs.confirm.required).toBe(true);
      expect(inputs['db-path'].required).toBe(true);
      for (const [, spec] of Object.entries(inputs as Record<string, Yaml>)) expect(spec.type).toBeDefined();
      for (const k of ['backup', 'run-id', 'backend', 'revert-on-failure', 'stop-writers', 'start-writers']) {
        expect(inputs[k]).toBeDefined();
      }
    }
    // GitHub's limit for workflow_dispatch inputs.
    const n = Object.keys(doc.on.workflow_dispatch.inputs).length;
    expect(n).toBeLessThanOrEqual(25);
    // README's Limits section states the count.
    expect(fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8')).toContain(`\`restore.yml\` uses ${n}`);
    expect(doc.on.workflow_dispatch.inputs['revert-on-failure'].type).toBe('boolean');
    const backend = doc.on.workflow_dispatch.inputs.backend;
    expect(backend.type).toBe('choice');
    expect(backend.options).toContain(backend.default);
    expect(backend.options).toEqual(expect.arrayContaining(['sqlite', 'mongo-prototype', 'graph-prototype']));
  });

  test('the confirmation is the first step, reads values only through env, and precedes the action', () => {
    const first = job.steps[0];
    expect(first.name).toMatch(/confirm/i);
    expect(first.uses).toBeUndefined();
    expect(first.env).toEqual({ TARGET: '${{ inputs.db-path }}', CONFIRM: '${{ inputs.confirm }}' });
    const actionIndex = job.steps.findIndex((s: Yaml) => isOurAction(s.uses));
    expect(actionIndex).toBeGreaterThan(0);
    expect(job.steps[actionIndex].with.command).toBe('restore');
    expect(job.steps[actionIndex].with['db-path']).toBe('${{ inputs.db-path }}');
  });

  const check = stepNamed(file, 'restore', /confirm/i);
  test.each([
    ['/srv/story_gen/work/local/story_gen.db', '/srv/story_gen/work/local/story_gen.db', 0],
    ['/srv/story_gen/work/local/story_gen.db', '/srv/story_gen/work/local/story_gen.db ', 1],
    ['/srv/story_gen/work/local/story_gen.db', '/srv/story_gen/work/local/other.db', 1],
    ['/srv/story_gen/work/local/story_gen.db', '', 1],
    ['', '', 1],
    ['a.db"; touch pwned; echo "', 'a.db"; touch pwned; echo "', 0],
  ])('target %j, confirm %j: exit %d', (target, confirm, code) => {
    const cwd = fs.mkdtempSync(path.join(tmp, 'confirm-'));
    const file = path.join(cwd, 'step.sh');
    fs.writeFileSync(file, check.run);
    const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', file], {
      cwd,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', TARGET: target, CONFIRM: confirm },
      encoding: 'utf8',
    });
    expect(r.status).toBe(code);
    if (code !== 0) expect(r.stdout).toMatch(/::error.*nothing was changed/);
    // Values are data, never code, and are not echoed back.
    expect(fs.existsSync(path.join(cwd, 'pwned'))).toBe(false);
    if (target) expect(r.stdout).not.toContain(target);
  });

  test('least permissions: contents and actions read', () => {
    expect(job.permissions).toEqual({ contents: 'read', actions: 'read' });
    expect(doc.permissions).toEqual({ contents: 'read' });
  });
});

describe('post-rollback-verify.yml', () => {
  const file = loadYaml('.github/workflows/post-rollback-verify.yml');
  const job = file.doc.jobs.verify;
  const commands = job.steps.filter((s: Yaml) => isOurAction(s.uses)).map((s: Yaml) => s.with.command);

  test('preflight, then smoke checks, then the checklist in the caller checkout', () => {
    expect(commands).toEqual(['preflight', 'smoke', 'checklist']);
    const checkoutAt = job.steps.findIndex((s: Yaml) => String(s.uses).startsWith('actions/checkout@'));
    const checklistAt = job.steps.findIndex((s: Yaml) => s.with?.command === 'checklist');
    expect(checkoutAt).toBeGreaterThanOrEqual(0);
    expect(checkoutAt).toBeLessThan(checklistAt);
    // The checkout is the caller's repository: no repository: override.
    expect(job.steps[checkoutAt].with.repository).toBeUndefined();
    expect(job.steps[checklistAt].with.cache).toBe('${{ inputs.cache }}');
    expect(file.doc.on.workflow_call.inputs.cache.default).toBe(true);
    expect(action.inputs['cache-paths']!.default).toContain('~/.cache/uv');
  });

  test('inputs and secrets of the issue', () => {
    const call = file.doc.on.workflow_call;
    for (const k of ['base-url', 'story-id', 'working-directory', 'checklist', 'runs-on']) {
      expect(call.inputs[k]).toBeDefined();
    }
    expect(Object.keys(call.secrets).sort()).toEqual([
      'STORY_GEN_API_TOKEN',
      'STORY_GEN_LOGIN_EMAIL',
      'STORY_GEN_LOGIN_PASSWORD',
    ]);
  });

  const gate = stepNamed(file, 'verify', /sqlite/i);
  test.each([
    [{ REPORT_OK: 'true', BACKEND: 'sqlite', MONGO_FLAG: 'false', GRAPH_FLAG: 'false' }, 0],
    [{ REPORT_OK: 'true', BACKEND: 'mongo-prototype', MONGO_FLAG: 'true', GRAPH_FLAG: 'false' }, 1],
    [{ REPORT_OK: 'true', BACKEND: 'sqlite', MONGO_FLAG: 'false', GRAPH_FLAG: 'true' }, 1],
    [{ REPORT_OK: 'false', BACKEND: '', MONGO_FLAG: 'false', GRAPH_FLAG: 'false' }, 1],
    // A report without these fields (an unexpected shape) fails closed.
    [{ REPORT_OK: '', BACKEND: '', MONGO_FLAG: '', GRAPH_FLAG: '' }, 1],
    [{ REPORT_OK: 'true', BACKEND: 'sqlite', MONGO_FLAG: '', GRAPH_FLAG: '' }, 1],
  ])('preflight gate %j: exit %d', (env, code) => {
    const r = runStep(gate, env);
    expect(r.code).toBe(code);
    if (code !== 0) expect(r.out).toContain('::error');
  });
});

describe('examples', () => {
  test('nightly backup: a cron schedule plus workflow_dispatch', () => {
    const doc = loadYaml('docs/examples/nightly-staging-backup.yml').doc;
    expect(doc.on.schedule[0].cron).toMatch(/^(\S+\s+){4}\S+$/);
    expect(doc.on).toHaveProperty('workflow_dispatch');
    expect(doc.jobs.backup.uses).toMatch(/staging-backup\.yml@/);
  });

  test('manual restore: workflow_dispatch with a required confirm passed through', () => {
    const doc = loadYaml('docs/examples/manual-restore.yml').doc;
    expect(doc.on.workflow_dispatch.inputs.confirm.required).toBe(true);
    expect(doc.jobs.restore.with.confirm).toBe('${{ inputs.confirm }}');
  });

  test('crontab: backup, then prune with the dev profile only after it succeeded', () => {
    const text = fs.readFileSync(path.join(REPO_ROOT, 'docs/examples/crontab.txt'), 'utf8');
    const lines = text.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
    expect(lines).toHaveLength(1);
    const fields = lines[0]!.split(/\s+/);
    expect(fields.slice(0, 5).every((f) => /^[\d*/,-]+$/.test(f))).toBe(true);
    expect(lines[0]).toMatch(
      /dist\/cli\/index\.js backup --store \S+.* && \S*node \S*dist\/cli\/index\.js prune --store/,
    );
    expect(lines[0]).toContain('--profile dev');
  });
});
