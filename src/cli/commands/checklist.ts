import { jsonOut, type Command } from '../command.js';
import { DEFAULT_CHECKLIST_STEPS, runChecklist } from '../../core/checklist.js';
import { UsageError } from '../../core/errors.js';
import { checklistFlags, checklistOptionsFromFlags, checklistUsage } from '../checklist-flags.js';
import { checklistTable } from '../ops-format.js';

/** `storage-ops checklist`: the runbook's Validation Checklist (or any list of commands). */
export const checklistCommand: Command = {
  name: 'checklist',
  summary: "Run the runbook's validation commands (or your own), each with a timeout, and report each",
  usage: `checklist ${checklistUsage('timeout')} [--json]`,
  options: { ...checklistFlags('timeout'), json: { type: 'boolean' } },
  async run(values, positionals, ctx) {
    if (positionals.length > 0) throw new UsageError(`checklist: unexpected argument "${positionals[0]}"`);
    const opts = await checklistOptionsFromFlags(values, ctx, 'timeout', DEFAULT_CHECKLIST_STEPS);
    const result = await runChecklist(opts, ctx.logger, ctx.signal);
    if (values.json) jsonOut(ctx, result);
    else ctx.out(checklistTable(result));
    if (result.cancelled) return 130;
    return result.ok ? 0 : 1;
  },
};
