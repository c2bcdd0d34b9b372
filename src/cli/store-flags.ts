/** `--store` and `--lock-timeout` for the commands that change a local store. */
import path from 'node:path';
import { DEFAULT_LOCK_TIMEOUT_MS, LocalStore } from '../stores/local-store.js';
import { seconds, str, type CliContext, type OptionSpec, type ParsedValues } from './command.js';

export const STORE_LOCK_FLAGS: OptionSpec = {
  'lock-timeout': { type: 'string' },
};

export const STORE_LOCK_USAGE = `[--lock-timeout S (default ${DEFAULT_LOCK_TIMEOUT_MS / 1000})]`;

/** A LocalStore that waits up to --lock-timeout for the store lock and says so in the log. */
export function lockingStoreFromFlags(values: ParsedValues, ctx: CliContext): LocalStore {
  const timeout = seconds(values, 'lock-timeout');
  return new LocalStore(path.resolve(ctx.cwd, str(values, 'store', true)), {
    lockTimeoutMs: timeout !== undefined ? Math.round(timeout * 1000) : DEFAULT_LOCK_TIMEOUT_MS,
    onWait: (m) => ctx.logger.info(m),
    signal: ctx.signal,
  });
}
