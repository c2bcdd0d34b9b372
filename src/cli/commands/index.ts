import type { Command } from '../command.js';
import { checklistCommand } from './checklist.js';
import { preflightCommand } from './preflight.js';
import { rollbackCommand } from './rollback.js';
import { smokeCommand } from './smoke.js';

/** Every subcommand, in `--help` order. Add new commands here. */
export const COMMANDS: Command[] = [preflightCommand, smokeCommand, checklistCommand, rollbackCommand];
