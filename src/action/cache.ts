/**
 * The checklist's dependency cache (default: uv's ~/.cache/uv keyed on
 * uv.lock) through @actions/cache. A miss or a failed save is a warning,
 * never a failure: the checklist's result must not depend on the cache.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { oneLine } from '../core/errors.js';
import type { Logger } from '../core/logger.js';

export interface CacheSettings {
  paths: string[];
  keyFiles: string[];
  cwd: string;
}

/** Expands a leading `~` the way the cache paths input documents it. */
export function expandHome(p: string): string {
  return p === '~' ? os.homedir() : p.startsWith('~/') ? path.join(os.homedir(), p.slice(2)) : p;
}

/** `storage-ops-checklist-<os>-<sha256 of the key files>`; a missing key file is named in a warning. */
export async function cacheKey(s: CacheSettings, logger: Logger): Promise<string> {
  const hash = createHash('sha256');
  for (const f of s.keyFiles) {
    const file = path.resolve(s.cwd, f);
    try {
      hash
        .update(f)
        .update('\0')
        .update(await fs.readFile(file));
    } catch {
      logger.warn(`cache key file ${file} not found; the cache key will not change when it appears`);
      hash.update(f).update('\0missing\0');
    }
  }
  return `storage-ops-checklist-${process.platform}-${hash.digest('hex').slice(0, 32)}`;
}

/** Restores the cache, runs `fn`, saves the cache when it was not an exact hit. */
export async function withDependencyCache<T>(
  s: CacheSettings,
  logger: Logger,
  fn: () => Promise<T>,
): Promise<{ value: T; cache: { key: string; hit: 'exact' | 'partial' | 'miss' | 'error'; saved: boolean } }> {
  const cache = await import('@actions/cache');
  const paths = s.paths.map(expandHome);
  const key = await cacheKey(s, logger);
  const restorePrefix = `storage-ops-checklist-${process.platform}-`;
  let hit: 'exact' | 'partial' | 'miss' | 'error' = 'miss';
  try {
    const matched = await cache.restoreCache(paths, key, [restorePrefix]);
    hit = matched === undefined ? 'miss' : matched === key ? 'exact' : 'partial';
    logger.info(hit === 'miss' ? `cache miss for ${key}` : `cache ${hit} hit: ${matched}`);
    if (hit === 'miss') logger.warn(`dependency cache miss (${key}); the steps will download their dependencies`);
  } catch (err) {
    hit = 'error';
    logger.warn(`cache restore failed (${oneLine(err)}); continuing without it`);
  }
  const value = await fn();
  let saved = false;
  if (hit !== 'exact') {
    try {
      const id = await cache.saveCache(paths, key);
      saved = id !== -1;
      if (!saved) logger.warn(`cache for ${key} was not saved (see the log above); the next run starts cold`);
    } catch (err) {
      logger.warn(`cache save failed (${oneLine(err)}); the next run starts cold`);
    }
  }
  return { value, cache: { key, hit, saved } };
}
