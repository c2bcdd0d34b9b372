/**
 * CLI side of the retention flags shared by `plan` and `prune`: the option
 * declarations and their translation to the engine's settings (through
 * `retentionFromOptions`, which the action uses too).
 */
import { str, type OptionSpec, type ParsedValues } from './command.js';
import { RETENTION_OPTION_NAMES, retentionFromOptions, type RetentionSettings } from '../core/retention/options.js';

/** `--profile`, every `--keep-*`, `--timezone`; `prune` adds `--max-delete` itself. */
export const RETENTION_FLAGS: OptionSpec = Object.fromEntries(
  RETENTION_OPTION_NAMES.filter((n) => n !== 'max-delete').map((n) => [n, { type: 'string' as const }]),
);

/** Reads the retention flags from parsed CLI values (last occurrence wins). */
export function retentionFromFlags(values: ParsedValues): RetentionSettings {
  const record: Record<string, string | undefined> = {};
  for (const n of RETENTION_OPTION_NAMES) record[n] = str(values, n);
  return retentionFromOptions(record, { prefix: '--' });
}

/** Usage text for the retention flags. */
export const RETENTION_USAGE =
  '(--profile dev|staging | --keep-last N --keep-hourly N --keep-daily N --keep-weekly N --keep-monthly N --keep-yearly N ' +
  '--keep-within D --keep-within-hourly D --keep-within-daily D --keep-within-weekly D --keep-within-monthly D --keep-within-yearly D) ' +
  '[--timezone ZONE]   (N: a count or "unlimited"; D: a duration like 14d, 8w, 6m, 1y2m)';
