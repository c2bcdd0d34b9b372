import type { Command } from '../command.js';
import { backupCommand } from './backup.js';
import { checklistCommand } from './checklist.js';
import { listCommand } from './list.js';
import { planCommand } from './plan.js';
import { preflightCommand } from './preflight.js';
import { pruneCommand } from './prune.js';
import { restoreCommand } from './restore.js';
import { rollbackCommand } from './rollback.js';
import { smokeCommand } from './smoke.js';
import { verifyCommand } from './verify.js';

/** Every subcommand, in `--help` order. Add new commands here. */
export const COMMANDS: Command[] = [
  backupCommand,
  verifyCommand,
  listCommand,
  restoreCommand,
  planCommand,
  pruneCommand,
  smokeCommand,
  checklistCommand,
  rollbackCommand,
  preflightCommand,
];
