import type { Command } from '../command.js';
import { planCommand } from './plan.js';

/** Every subcommand, in `--help` order. Add new commands here. */
export const COMMANDS: Command[] = [planCommand];
