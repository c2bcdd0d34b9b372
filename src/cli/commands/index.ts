import type { Command } from '../command.js';

/** Every subcommand, in `--help` order. Add new commands here. */
export const COMMANDS: Command[] = [];
