/**
 * Loading and inspecting the repository's workflow files, examples and
 * action.yml for the static contract tests. The checks are plain functions
 * returning a list of problems, so each one is also tested on a bad sample.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from './workflow-parser.js';

export { REPO_ROOT };

/* eslint-disable @typescript-eslint/no-explicit-any -- workflow YAML is untyped data */
export type Yaml = any;

export interface YamlFile {
  /** Path relative to the repository root. */
  rel: string;
  text: string;
  doc: Yaml;
}

function listYaml(dir: string): string[] {
  const abs = path.join(REPO_ROOT, dir);
  if (!fs.existsSync(abs)) return [];
  return fs
    .readdirSync(abs)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => path.posix.join(dir, f));
}

export function loadYaml(rel: string): YamlFile {
  const text = fs.readFileSync(path.join(REPO_ROOT, rel), 'utf8');
  return { rel, text, doc: parse(text) };
}

/** This repository's workflows (.github/workflows). */
export const WORKFLOW_FILES = listYaml('.github/workflows');
/** The caller examples users copy (docs/examples). */
export const EXAMPLE_FILES = listYaml('docs/examples');
/** The reusable workflows this repository publishes. */
export const REUSABLE_FILES = WORKFLOW_FILES.filter((f) => loadYaml(f).doc?.on?.workflow_call !== undefined);

export interface ActionContract {
  inputs: Record<string, { required?: boolean; default?: string; description?: string }>;
  outputs: Record<string, { description?: string }>;
}

export function loadAction(): ActionContract {
  const doc = loadYaml('action.yml').doc;
  return { inputs: doc.inputs ?? {}, outputs: doc.outputs ?? {} };
}

export interface StepRef {
  file: string;
  job: string;
  index: number;
  step: Yaml;
}

export function jobsOf(doc: Yaml): [string, Yaml][] {
  return Object.entries(doc?.jobs ?? {});
}

export function stepsOf(file: YamlFile): StepRef[] {
  const out: StepRef[] = [];
  for (const [job, spec] of jobsOf(file.doc)) {
    (spec.steps ?? []).forEach((step: Yaml, index: number) => out.push({ file: file.rel, job, index, step }));
  }
  return out;
}

/** True when a step runs this repository's action (the self reference, or `./` from this repository's own CI). */
export function isOurAction(uses: unknown): boolean {
  return uses === '$/' || uses === './';
}

/** A reference to this project's reusable workflows or action from another repository (examples, docs). */
export const OUR_REMOTE = /^[A-Za-z0-9_.-]+\/storage-ops(\/\.github\/workflows\/([A-Za-z0-9_.-]+\.ya?ml))?@(.+)$/;

/** Every `${{ ... }}` expression body in a string. */
export function expressionsIn(text: string): string[] {
  return [...text.matchAll(/\$\{\{([\s\S]*?)\}\}/g)].map((m) => m[1]!.trim());
}

/** Every string anywhere under a YAML value, with its key path. */
export function strings(value: Yaml, at = ''): { at: string; text: string }[] {
  if (typeof value === 'string') return [{ at, text: value }];
  if (Array.isArray(value)) return value.flatMap((v, i) => strings(v, `${at}[${i}]`));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => strings(v, at ? `${at}.${k}` : k));
  }
  return [];
}

/** `with:` keys given to our action must exist in action.yml; required inputs must be given. */
export function checkActionWith(with_: Yaml, action: ActionContract): string[] {
  const problems: string[] = [];
  const given = Object.keys(with_ ?? {});
  for (const k of given) if (!(k in action.inputs)) problems.push(`input "${k}" is not in action.yml`);
  for (const [k, spec] of Object.entries(action.inputs)) {
    if (spec.required === true && spec.default === undefined && !given.includes(k)) {
      problems.push(`required input "${k}" is not given`);
    }
  }
  return problems;
}

/** A call of a reusable workflow: `with:` and `secrets:` must match what it declares. */
export function checkWorkflowCall(job: Yaml, called: Yaml): string[] {
  const problems: string[] = [];
  const decl = called?.on?.workflow_call ?? {};
  const inputs: Record<string, Yaml> = decl.inputs ?? {};
  const secrets: Record<string, Yaml> = decl.secrets ?? {};
  const given = Object.keys(job.with ?? {});
  for (const k of given) if (!(k in inputs)) problems.push(`with "${k}" is not an input of the called workflow`);
  for (const [k, spec] of Object.entries(inputs)) {
    if (spec?.required === true && !given.includes(k)) problems.push(`required input "${k}" is not given`);
  }
  if (job.secrets !== 'inherit') {
    const gs = Object.keys(job.secrets ?? {});
    for (const k of gs) if (!(k in secrets)) problems.push(`secret "${k}" is not declared by the called workflow`);
    for (const [k, spec] of Object.entries(secrets)) {
      if (spec?.required === true && !gs.includes(k)) problems.push(`required secret "${k}" is not given`);
    }
  }
  return problems;
}

/**
 * Contexts whose values come from outside (callers, events, secrets, earlier
 * steps): spliced into a shell script they become code. They belong in env:.
 */
const UNTRUSTED = /\b(inputs|secrets|github\.event|github\.head_ref|env|vars|needs|steps|matrix)\b/;

/** `run:` scripts must not contain expressions from inputs, github.event or secrets (nor any other). */
export function checkRunScripts(file: YamlFile): string[] {
  const problems: string[] = [];
  for (const s of stepsOf(file)) {
    if (typeof s.step.run !== 'string') continue;
    for (const e of expressionsIn(s.step.run)) {
      const why = UNTRUSTED.test(e) ? ' (untrusted value; pass it through env:)' : ' (pass it through env:)';
      problems.push(`${file.rel} job ${s.job} step ${s.index}: run: contains \${{ ${e} }}${why}`);
    }
  }
  return problems;
}

/** Third-party actions must be pinned to a full commit SHA, with the version in a comment. */
export function checkPinned(file: YamlFile): string[] {
  const problems: string[] = [];
  const lines = file.text.split('\n');
  const uses: { value: string; line: string }[] = [];
  for (const s of stepsOf(file)) {
    if (typeof s.step.uses !== 'string') continue;
    const line = lines.find((l) => /^\s*(-\s+)?uses:/.test(l) && l.includes(s.step.uses)) ?? '';
    uses.push({ value: s.step.uses, line });
  }
  for (const [, job] of jobsOf(file.doc)) {
    if (typeof job.uses === 'string') uses.push({ value: job.uses, line: '' });
  }
  for (const { value, line } of uses) {
    if (value === '$/' || value.startsWith('$/') || value.startsWith('./') || value.startsWith('docker://')) continue;
    const ours = OUR_REMOTE.exec(value);
    if (ours) {
      // Our own releases: the moving major tag (docs/versioning.md) or a full SHA.
      if (!/^(v\d+|[0-9a-f]{40})$/.test(ours[3]!)) problems.push(`${file.rel}: ${value} is not @vN or a full SHA`);
      continue;
    }
    const m = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+(\/[^@]*)?@(.+)$/.exec(value);
    if (!m) {
      problems.push(`${file.rel}: "${value}" is not owner/repo@ref`);
      continue;
    }
    if (!/^[0-9a-f]{40}$/.test(m[2]!)) problems.push(`${file.rel}: ${value} is not pinned to a full commit SHA`);
    else if (line && !/#\s*v\d+(\.\d+)*\s*$/.test(line)) {
      problems.push(`${file.rel}: ${value} has no "# vX.Y.Z" comment naming the pinned release`);
    }
  }
  return problems;
}

/** Permissions declared at the top and on every job. */
export function checkPermissions(file: YamlFile): string[] {
  const problems: string[] = [];
  if (file.doc.permissions === undefined) problems.push(`${file.rel}: no top-level permissions`);
  for (const [id, job] of jobsOf(file.doc)) {
    if (job.permissions === undefined) problems.push(`${file.rel}: job ${id} declares no permissions`);
  }
  return problems;
}

/** Every `needs:` names a job that exists. */
export function checkNeeds(file: YamlFile): string[] {
  const problems: string[] = [];
  const ids = new Set(jobsOf(file.doc).map(([id]) => id));
  for (const [id, job] of jobsOf(file.doc)) {
    const needs: string[] = job.needs === undefined ? [] : [job.needs].flat();
    for (const n of needs) if (!ids.has(n)) problems.push(`${file.rel}: job ${id} needs unknown job ${n}`);
  }
  return problems;
}

/**
 * References the parser does not resolve: `inputs.X` and `secrets.X` must be
 * declared, `steps.S.outputs.K` must name a step of the same job (and, for our
 * action, an output of action.yml), `needs.J.outputs.K` and
 * `jobs.J.outputs.K` an output the job declares.
 */
export function checkReferences(file: YamlFile, action: ActionContract): string[] {
  const problems: string[] = [];
  const doc = file.doc;
  const on = doc.on ?? {};
  const declaredInputs = new Set([
    ...Object.keys(on.workflow_call?.inputs ?? {}),
    ...Object.keys(on.workflow_dispatch?.inputs ?? {}),
  ]);
  const declaredSecrets = new Set(Object.keys(on.workflow_call?.secrets ?? {}));
  const hasCall = on.workflow_call !== undefined;
  const jobs = Object.fromEntries(jobsOf(doc));
  /** A job's outputs; for a call of one of our reusable workflows, the called workflow's outputs. */
  const outputsOf = (id: string): Record<string, unknown> => {
    const job = jobs[id];
    const called = typeof job?.uses === 'string' ? OUR_REMOTE.exec(job.uses)?.[2] : undefined;
    if (called) return loadYaml(`.github/workflows/${called}`).doc?.on?.workflow_call?.outputs ?? {};
    return job?.outputs ?? {};
  };
  const ID = '[A-Za-z_][A-Za-z0-9_-]*';
  const check = (where: string, text: string, job?: string) => {
    for (const e of expressionsIn(text)) {
      for (const m of e.matchAll(new RegExp(`\\binputs\\.(${ID})`, 'g'))) {
        if (!declaredInputs.has(m[1]!)) problems.push(`${where}: inputs.${m[1]} is not declared`);
      }
      // A workflow_call workflow sees only the secrets passed to it.
      if (hasCall) {
        for (const m of e.matchAll(new RegExp(`\\bsecrets\\.(${ID})`, 'g'))) {
          if (!declaredSecrets.has(m[1]!) && m[1] !== 'GITHUB_TOKEN') {
            problems.push(`${where}: secrets.${m[1]} is not declared`);
          }
        }
      }
      for (const m of e.matchAll(new RegExp(`\\bneeds\\.(${ID})\\.outputs\\.(${ID})`, 'g'))) {
        const needs: string[] = job ? [jobs[job]?.needs ?? []].flat() : [];
        if (!needs.includes(m[1]!)) problems.push(`${where}: needs.${m[1]} is not in this job's needs`);
        else if (!(m[2]! in outputsOf(m[1]!))) {
          problems.push(`${where}: job ${m[1]} has no output ${m[2]}`);
        }
      }
      for (const m of e.matchAll(new RegExp(`\\bjobs\\.(${ID})\\.outputs\\.(${ID})`, 'g'))) {
        if (!(m[2]! in outputsOf(m[1]!))) problems.push(`${where}: job ${m[1]} has no output ${m[2]}`);
      }
      for (const m of e.matchAll(new RegExp(`\\bsteps\\.(${ID})\\.outputs\\.(${ID})`, 'g'))) {
        const steps: Yaml[] = job ? (jobs[job]?.steps ?? []) : [];
        const step = steps.find((s) => s.id === m[1]);
        if (!step) problems.push(`${where}: no step ${m[1]} in job ${job}`);
        else if (isOurAction(step.uses) && !(m[2]! in action.outputs)) {
          problems.push(`${where}: action.yml has no output ${m[2]}`);
        }
      }
      for (const m of e.matchAll(new RegExp(`\\bjob\\.(${ID})`, 'g'))) {
        const known = ['status', 'container', 'services', 'check_run_id', 'workflow_repository', 'workflow_sha'];
        if (!known.includes(m[1]!) && m[1] !== 'workflow_ref') problems.push(`${where}: unknown job.${m[1]}`);
      }
    }
  };
  for (const { at, text } of strings({ on: doc.on, concurrency: doc.concurrency, env: doc.env })) check(at, text);
  for (const [id, job] of jobsOf(doc)) {
    for (const { at, text } of strings(job)) check(`${file.rel} jobs.${id}.${at}`, text, id);
  }
  return problems;
}
