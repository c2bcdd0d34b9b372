import type { Command } from '../command.js';
import { backupCommand } from './backup.js';
import { listCommand } from './list.js';
import { restoreCommand } from './restore.js';
import { verifyCommand } from './verify.js';

/** Every subcommand, in `--help` order. Add new commands here. */
export const COMMANDS: Command[] = [backupCommand, verifyCommand, listCommand, restoreCommand];
