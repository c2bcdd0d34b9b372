/**
 * Backend and data-root resolution, exactly as the story_gen service reads its
 * environment (see shared/reference/story_gen_facts.md): same normalisation,
 * same flag truthiness, same error sentences. Pure: takes an env map.
 */
import path from 'node:path';
import { ConfigError, UsageError } from './errors.js';

/** The three analysis backends the service knows. */
export const BACKENDS = ['sqlite', 'mongo-prototype', 'graph-prototype'] as const;
export type Backend = (typeof BACKENDS)[number];

/** The service's default DB path, relative to its working directory. */
export const DEFAULT_DB_PATH = 'work/local/story_gen.db';

/** Values the service treats as "on" for a feature flag (after strip + lower-case). */
const TRUTHY = new Set(['1', 'true', 'yes', 'on']);

/** Env var names the service reads. */
export const ENV = {
  backend: 'STORY_GEN_ANALYSIS_BACKEND',
  mongoFlag: 'STORY_GEN_ENABLE_MONGO_ADAPTER',
  graphFlag: 'STORY_GEN_ENABLE_GRAPH_ADAPTER',
  dbPath: 'STORY_GEN_DB_PATH',
} as const;

export type EnvMap = Readonly<Record<string, string | undefined>>;

/** Python's str.strip() on whitespace, as the service applies it. */
function pyStrip(value: string): string {
  return value.replace(/^[\s\u0085]+|[\s\u0085]+$/gu, '');
}

/** True when the service would read this flag value as on. */
export function isFlagOn(value: string | undefined): boolean {
  return value !== undefined && TRUTHY.has(pyStrip(value).toLowerCase());
}

/**
 * Normalises a backend value the way the service does: strip, lower-case, empty
 * means sqlite. Throws the service's own sentence for anything else.
 */
export function normaliseBackend(value: string | undefined): Backend {
  const v = pyStrip(value ?? '').toLowerCase();
  if (v === '') return 'sqlite';
  if ((BACKENDS as readonly string[]).includes(v)) return v as Backend;
  throw new ConfigError(
    'Unsupported STORY_GEN_ANALYSIS_BACKEND value. Expected sqlite, mongo-prototype, or graph-prototype.',
  );
}

/** Files that hold one backend's data, all derived from the DB path. */
export interface DataRoots {
  backend: Backend;
  /** The SQLite DB path (absolute). */
  dbPath: string;
  /** The files a backup of this backend captures (absolute paths). */
  files: DataFile[];
}

export interface DataFile {
  role: 'sqlite' | 'runs' | 'meta';
  path: string;
}

/** `<stem>` as the service computes it: the file name without its last extension. */
export function dbStem(dbPath: string): string {
  const base = path.basename(dbPath);
  const ext = path.extname(base);
  return ext ? base.slice(0, -ext.length) : base;
}

/** Data files for a backend, in the DB file's folder. */
export function dataRoots(backend: Backend, dbPath: string, cwd = process.cwd()): DataRoots {
  const abs = path.resolve(cwd, dbPath);
  const dir = path.dirname(abs);
  const stem = dbStem(abs);
  switch (backend) {
    case 'sqlite':
      return { backend, dbPath: abs, files: [{ role: 'sqlite', path: abs }] };
    case 'mongo-prototype':
    case 'graph-prototype': {
      const kind = backend === 'mongo-prototype' ? 'mongo' : 'graph';
      return {
        backend,
        dbPath: abs,
        files: [
          { role: 'runs', path: path.join(dir, `${stem}.${kind}_analysis_runs.jsonl`) },
          { role: 'meta', path: path.join(dir, `${stem}.${kind}_analysis_meta.json`) },
        ],
      };
    }
  }
}

/** Explicit overrides from flags or action inputs; they win over the environment. */
export interface ConfigOverrides {
  backend?: string;
  dbPath?: string;
}

/** What the service would run with. */
export interface ResolvedConfig extends DataRoots {
  /** Where each value came from, for preflight reports. */
  sources: { backend: 'override' | 'env' | 'default'; dbPath: 'override' | 'env' | 'default' };
  flags: { mongo: boolean; graph: boolean };
}

/**
 * Resolves backend and data roots the way the service does at start.
 * An explicit backend override is validated with the same rules but does not
 * require the feature flag: an operator backing up prototype files names the
 * backend on purpose, which is what the flag guards against in the service.
 */
export function resolveConfig(env: EnvMap, overrides: ConfigOverrides = {}, cwd = process.cwd()): ResolvedConfig {
  const flags = { mongo: isFlagOn(env[ENV.mongoFlag]), graph: isFlagOn(env[ENV.graphFlag]) };
  let backend: Backend;
  let backendSource: ResolvedConfig['sources']['backend'];
  if (overrides.backend !== undefined) {
    const v = overrides.backend.trim().toLowerCase();
    if (!(BACKENDS as readonly string[]).includes(v)) {
      throw new UsageError(`--backend: unknown backend "${overrides.backend}"; expected one of ${BACKENDS.join(', ')}`);
    }
    backend = v as Backend;
    backendSource = 'override';
  } else {
    backend = normaliseBackend(env[ENV.backend]);
    backendSource = env[ENV.backend] !== undefined && pyStrip(env[ENV.backend] ?? '') !== '' ? 'env' : 'default';
    assertFlagFor(backend, flags);
  }
  let dbPath: string;
  let dbSource: ResolvedConfig['sources']['dbPath'];
  if (overrides.dbPath !== undefined && overrides.dbPath !== '') {
    dbPath = overrides.dbPath;
    dbSource = 'override';
  } else if (env[ENV.dbPath] !== undefined && env[ENV.dbPath] !== '') {
    dbPath = env[ENV.dbPath] as string;
    dbSource = 'env';
  } else {
    dbPath = DEFAULT_DB_PATH;
    dbSource = 'default';
  }
  return { ...dataRoots(backend, dbPath, cwd), sources: { backend: backendSource, dbPath: dbSource }, flags };
}

/** The service's start-up check that a prototype backend has its flag. */
export function assertFlagFor(backend: Backend, flags: { mongo: boolean; graph: boolean }): void {
  if (backend === 'mongo-prototype' && !flags.mongo) {
    throw new ConfigError(`${ENV.backend}=mongo-prototype requires ${ENV.mongoFlag}=1.`);
  }
  if (backend === 'graph-prototype' && !flags.graph) {
    throw new ConfigError(`${ENV.backend}=graph-prototype requires ${ENV.graphFlag}=1.`);
  }
}
