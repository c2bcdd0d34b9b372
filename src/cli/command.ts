/**
 * The CLI's command contract and argument parsing. Each command lives in its own
 * file under `commands/` and is listed in `commands/index.ts`.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';

/** What a command gets from the CLI adapter. */
export interface CliContext {
  /** Writes to stdout (the JSON document, tables). */
  out(text: string): void;
  logger: Logger;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Aborted on SIGINT/SIGTERM. */
  signal: AbortSignal;
}

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;
export type ParsedValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** One `storage-ops <name>` subcommand. */
export interface Command {
  name: string;
  /** One line for `--help`. */
  summary: string;
  /** Usage line(s) without the program name. */
  usage: string;
  options: OptionSpec;
  /** Returns the exit code (0 on success); throws StorageOpsError on failure. */
  run(values: ParsedValues, positionals: string[], ctx: CliContext): Promise<number>;
}

/** Parses argv for one command; unknown flags and missing values become UsageErrors naming the flag. */
export function parseCommandArgs(cmd: Command, argv: string[]): { values: ParsedValues; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { ...cmd.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
    return { values: values as ParsedValues, positionals };
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    const flag = /'(-{1,2}[^' ]+)/.exec(msg)?.[1];
    const known = Object.keys(cmd.options)
      .map((k) => `--${k}`)
      .join(', ');
    if (/Unknown option/.test(msg)) {
      throw new UsageError(`${flag ?? 'option'}: unknown option for "${cmd.name}"; valid options: ${known}`, {
        cause: err,
      });
    }
    if (/argument is ambiguous/.test(msg) && flag) {
      throw new UsageError(
        `${flag}: its value starts with "-" and reads as a flag; write it as ${flag}=VALUE (see storage-ops ${cmd.name} --help for the values it accepts)`,
        { cause: err },
      );
    }
    if (/argument missing/.test(msg) && flag) {
      throw new UsageError(`${flag}: a value is required (see storage-ops ${cmd.name} --help)`, { cause: err });
    }
    throw new UsageError(`${cmd.name}: ${msg.split('\n')[0]}`, { cause: err });
  }
}

/** Reads a string flag; `required` makes a missing flag a UsageError. */
export function str(values: ParsedValues, name: string, required: true): string;
export function str(values: ParsedValues, name: string, required?: false): string | undefined;
export function str(values: ParsedValues, name: string, required = false): string | undefined {
  const v = values[name];
  if (Array.isArray(v)) return str({ [name]: v[v.length - 1] }, name, required as false);
  if (typeof v === 'string') {
    if (v === '' && required) throw new UsageError(`--${name}: must not be empty`);
    return v;
  }
  if (required) throw new UsageError(`--${name}: required`);
  return undefined;
}

/** Reads a repeatable string flag. */
export function strs(values: ParsedValues, name: string): string[] {
  const v = values[name];
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string');
}

/** Reads a boolean flag. */
export function bool(values: ParsedValues, name: string): boolean {
  return values[name] === true;
}

/** Parses a non-negative integer flag, naming the flag in the error. */
export function int(values: ParsedValues, name: string, opts: { min?: number; max?: number } = {}): number | undefined {
  const raw = str(values, name);
  if (raw === undefined) return undefined;
  const min = opts.min ?? 0;
  if (!/^-?\d+$/.test(raw.trim())) {
    throw new UsageError(`--${name}: "${raw}" is not a whole number; expected an integer >= ${min}`);
  }
  const n = Number(raw.trim());
  if (n < min || (opts.max !== undefined && n > opts.max)) {
    const range = opts.max !== undefined ? `from ${min} to ${opts.max}` : `>= ${min}`;
    throw new UsageError(`--${name}: ${n} is out of range; expected an integer ${range}`);
  }
  return n;
}

/** Parses a seconds flag (decimal allowed), naming the flag in the error. */
export function seconds(values: ParsedValues, name: string): number | undefined {
  const raw = str(values, name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw.trim()) || !Number.isFinite(n) || n <= 0) {
    throw new UsageError(`--${name}: "${raw}" is not a duration in seconds; expected a positive number`);
  }
  return n;
}

/** Serialises a result as the one JSON document on stdout. */
export function jsonOut(ctx: CliContext, doc: unknown): void {
  ctx.out(JSON.stringify(doc, null, 2) + '\n');
}
