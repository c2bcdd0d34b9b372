/**
 * CLI adapter: parses argv, wires a stderr logger and signal handling, runs one
 * command and turns errors into exit codes (2 usage, 1 failure, 130 cancelled).
 */
import { COMMANDS } from './commands/index.js';
import { parseCommandArgs, type CliContext } from './command.js';
import { stderrLogger } from './logger.js';
import { StorageOpsError, oneLine } from '../core/errors.js';
import { TOOL_VERSION } from '../core/version.js';

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    `storage-ops ${TOOL_VERSION}: safe, verified backups, restores, retention and rollback for story_gen storage`,
    '',
    'Usage: storage-ops <command> [options]   (storage-ops <command> --help for details)',
    '',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Exit codes: 0 success, 1 operation failed, 2 bad usage or input, 130 interrupted.',
  ].join('\n');
}

/** Runs the CLI and resolves to the exit code; never calls process.exit itself. */
export async function run(argv: string[], io: Partial<CliContext> = {}): Promise<number> {
  const out = io.out ?? ((s: string) => void process.stdout.write(s));
  const logger = io.logger ?? stderrLogger({ verbose: argv.includes('--verbose') });
  const [name, ...rest] = argv.filter((a) => a !== '--verbose');
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    out(help() + '\n');
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === 'version') {
    out(`${TOOL_VERSION}\n`);
    return 0;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) {
    logger.error(`unknown command "${name}"; valid commands: ${COMMANDS.map((c) => c.name).join(', ')}`);
    return 2;
  }
  const controller = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    if (!controller.signal.aborted) {
      logger.warn(`received ${sig}: stopping, cleaning up and restarting writers if they were stopped`);
      controller.abort(sig);
    }
  };
  const ctx: CliContext = {
    out,
    logger,
    env: io.env ?? process.env,
    cwd: io.cwd ?? process.cwd(),
    signal: io.signal ?? controller.signal,
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const { values, positionals } = parseCommandArgs(cmd, rest);
    if (values.help) {
      out(`Usage: storage-ops ${cmd.usage}\n\n${cmd.summary}\n`);
      return 0;
    }
    return await cmd.run(values, positionals, ctx);
  } catch (err) {
    if (err instanceof StorageOpsError) {
      logger.error(oneLine(err));
      if (err.cause) logger.debug(`cause: ${oneLine(err.cause)}`);
      return err.exitCode;
    }
    logger.error(`unexpected failure: ${oneLine(err)}`);
    if (err instanceof Error && err.stack) logger.debug(err.stack);
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
