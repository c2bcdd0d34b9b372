/**
 * GitHub's own workflow and action parser (`@actions/workflow-parser`, the
 * parser behind the Actions language service), loadable from the tests.
 *
 * Why a bundle: the package is ESM-only and imports its JSON schemas without
 * import attributes, which plain Node ESM (and Jest's ESM loader) refuses. So
 * the first test that needs it bundles it to one CommonJS file with esbuild
 * (the JSON inlined) under node_modules/.cache, keyed by the package version,
 * and loads that with require(). A fresh clone gets it on the first `npm test`.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

/** An error the parser collected (message carries "file (Line: n, Col: m): ..."). */
export interface TemplateError {
  message: string;
}

interface ParseContext {
  errors: { getErrors(): TemplateError[] };
}

interface ParseResult {
  context: ParseContext;
  value: unknown;
}

interface File {
  name: string;
  content: string;
}

/** The part of the parser's API the tests use. */
export interface WorkflowParser {
  parseWorkflow(file: File, trace: unknown): ParseResult;
  convertWorkflowTemplate(context: ParseContext, value: unknown): Promise<{ errors?: { Message: string }[] }>;
  parseAction(file: File, trace: unknown): ParseResult;
  convertActionTemplate(context: ParseContext, value: unknown): unknown;
  NoOperationTraceWriter: new () => unknown;
}

let cached: WorkflowParser | undefined;

/** Bundles (once per package version) and loads the parser. */
export function loadWorkflowParser(): WorkflowParser {
  if (cached) return cached;
  const pkgDir = path.join(REPO_ROOT, 'node_modules', '@actions', 'workflow-parser');
  const version = (JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as { version: string })
    .version;
  const outDir = path.join(REPO_ROOT, 'node_modules', '.cache', 'storage-ops-tests');
  const out = path.join(outDir, `workflow-parser-${version}.cjs`);
  if (!fs.existsSync(out)) {
    fs.mkdirSync(outDir, { recursive: true });
    const esbuild = require('esbuild') as typeof import('esbuild');
    const result = esbuild.buildSync({
      stdin: {
        contents: [
          "export { parseWorkflow, convertWorkflowTemplate, NoOperationTraceWriter } from '@actions/workflow-parser';",
          "export { parseAction, convertActionTemplate } from '@actions/workflow-parser/actions/index';",
        ].join('\n'),
        resolveDir: REPO_ROOT,
        loader: 'js',
      },
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      write: false,
      logLevel: 'silent',
    });
    // Two test files may build at once: write aside, then rename into place.
    const tmp = `${out}.${process.pid}.${Date.now()}.tmp`;
    fs.writeFileSync(tmp, result.outputFiles[0]!.contents);
    fs.renameSync(tmp, out);
  }
  cached = require(out) as WorkflowParser;
  return cached;
}

/** Parses a workflow file's text; returns every error the parser reports, including conversion errors. */
export async function workflowErrors(name: string, content: string): Promise<string[]> {
  const wp = loadWorkflowParser();
  const result = wp.parseWorkflow({ name, content }, new wp.NoOperationTraceWriter());
  const messages = result.context.errors.getErrors().map((e) => e.message);
  if (result.value !== undefined) {
    const template = await wp.convertWorkflowTemplate(result.context, result.value);
    for (const e of template.errors ?? []) messages.push(e.Message);
  }
  return [...new Set(messages)];
}

/** Parses an action.yml's text; returns every error the parser reports. */
export function actionErrors(name: string, content: string): string[] {
  const wp = loadWorkflowParser();
  const result = wp.parseAction({ name, content }, new wp.NoOperationTraceWriter());
  if (result.value !== undefined) wp.convertActionTemplate(result.context, result.value);
  return [...new Set(result.context.errors.getErrors().map((e) => e.message))];
}
