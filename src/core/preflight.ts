/**
 * Preflight: what the service would do at start with a configuration - which
 * backend, which data files - or the exact sentence it would stop with. Uses
 * the same rules as the service (`resolveConfig`, `assertFlagFor`).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import {
  DEFAULT_DB_PATH,
  ENV,
  isFlagOn,
  normaliseBackend,
  resolveConfig,
  type Backend,
  type EnvMap,
} from './config.js';
import { ConfigError, InputError } from './errors.js';
import { parseEnv } from './env-file.js';

export interface PreflightOptions {
  /** Read the configuration from this dotenv file instead of `env`. */
  envFile?: string;
  /** The environment to check when no env file is given. */
  env?: EnvMap;
  /** Resolves a relative env-file path. */
  cwd: string;
  /**
   * The service's working directory, against which a relative
   * STORY_GEN_DB_PATH resolves. Default: the env file's folder, else `cwd`.
   */
  serviceDir?: string;
}

export interface PreflightFile {
  role: 'sqlite' | 'runs' | 'meta';
  path: string;
  exists: boolean;
  bytes: number | null;
}

export interface PreflightReport {
  /** False when the service would refuse to start. */
  ok: boolean;
  source: string;
  serviceDir: string;
  /** The raw values of the four settings (null when unset); none is secret. */
  settings: Record<string, string | null>;
  /** The backend the service selects; null when the value is unsupported. */
  backend: Backend | null;
  backendSource: 'env' | 'default';
  flags: { mongo: boolean; graph: boolean };
  dbPath: string;
  dbPathSource: 'env' | 'default';
  /** The files the selected backend reads and writes (empty when the service would stop). */
  files: PreflightFile[];
  /** The service's own error sentence when it would stop at start. */
  error: string | null;
  warnings: string[];
}

const KEYS = [ENV.backend, ENV.mongoFlag, ENV.graphFlag, ENV.dbPath] as const;

async function describeFile(role: PreflightFile['role'], p: string): Promise<PreflightFile> {
  try {
    const st = await fs.stat(p);
    return { role, path: p, exists: true, bytes: st.size };
  } catch {
    return { role, path: p, exists: false, bytes: null };
  }
}

/**
 * Runs the preflight. Resolves to a report for both accepted and rejected
 * configurations; throws InputError only when the env file cannot be read.
 */
export async function runPreflight(opts: PreflightOptions): Promise<PreflightReport> {
  let env: EnvMap;
  let source: string;
  const warnings: string[] = [];
  let serviceDir = opts.serviceDir ? path.resolve(opts.cwd, opts.serviceDir) : opts.cwd;
  if (opts.envFile !== undefined) {
    const file = path.resolve(opts.cwd, opts.envFile);
    let bytes: Buffer;
    try {
      bytes = await fs.readFile(file);
    } catch (err) {
      throw new InputError(`--env-file: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`, {
        cause: err,
      });
    }
    const parsed = parseEnv(bytes);
    for (const n of parsed.invalidLines) warnings.push(`${file}:${n}: line does not parse as KEY=value; ignored`);
    env = parsed.values;
    source = file;
    if (!opts.serviceDir) serviceDir = path.dirname(file);
  } else {
    env = opts.env ?? {};
    source = 'environment';
  }

  const settings: Record<string, string | null> = {};
  for (const k of KEYS) {
    settings[k] = env[k] ?? null;
    if (env[k]?.includes('${')) warnings.push(`${k} contains "\${": references are not expanded here`);
  }
  const flags = { mongo: isFlagOn(env[ENV.mongoFlag]), graph: isFlagOn(env[ENV.graphFlag]) };
  for (const [k, on] of [
    [ENV.mongoFlag, flags.mongo],
    [ENV.graphFlag, flags.graph],
  ] as const) {
    const raw = env[k];
    if (
      raw !== undefined &&
      !on &&
      raw.trim() !== '' &&
      !['0', 'false', 'no', 'off'].includes(raw.trim().toLowerCase())
    ) {
      warnings.push(`${k}=${JSON.stringify(raw)} reads as off; on values are 1, true, yes, on`);
    }
  }

  const base = {
    source,
    serviceDir,
    settings,
    flags,
    warnings,
  };
  try {
    const cfg = resolveConfig(env, {}, serviceDir);
    if (flags.mongo && cfg.backend !== 'mongo-prototype') {
      warnings.push(`${ENV.mongoFlag} is on but unused: the backend is ${cfg.backend}`);
    }
    if (flags.graph && cfg.backend !== 'graph-prototype') {
      warnings.push(`${ENV.graphFlag} is on but unused: the backend is ${cfg.backend}`);
    }
    const files = await Promise.all(cfg.files.map((f) => describeFile(f.role, f.path)));
    for (const f of files) {
      if (!f.exists) warnings.push(`${f.path} does not exist; the service starts with empty ${f.role} data`);
    }
    return {
      ok: true,
      ...base,
      backend: cfg.backend,
      backendSource: cfg.sources.backend === 'env' ? 'env' : 'default',
      dbPath: cfg.dbPath,
      dbPathSource: cfg.sources.dbPath === 'env' ? 'env' : 'default',
      files,
      error: null,
    };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    let backend: Backend | null = null;
    try {
      backend = normaliseBackend(env[ENV.backend]);
    } catch {}
    const rawDb = env[ENV.dbPath];
    return {
      ok: false,
      ...base,
      backend,
      backendSource: 'env',
      dbPath: path.resolve(serviceDir, rawDb !== undefined && rawDb !== '' ? rawDb : DEFAULT_DB_PATH),
      dbPathSource: rawDb !== undefined && rawDb !== '' ? 'env' : 'default',
      files: [],
      error: err.message,
    };
  }
}
