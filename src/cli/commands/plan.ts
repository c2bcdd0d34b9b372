/**
 * `storage-ops plan`: runs the retention planner over a JSON list of backups
 * and prints which ones a policy keeps (with reasons) and which it removes.
 * Touches nothing.
 */
import { readFile } from 'node:fs/promises';
import { bool, jsonOut, str, type Command } from '../command.js';
import { RETENTION_FLAGS, RETENTION_USAGE, retentionFromFlags } from '../retention-flags.js';
import { InputError } from '../../core/errors.js';
import { describePolicy } from '../../core/retention/policy.js';
import { parseBackupList, planRetention } from '../../core/retention/plan.js';
import { renderTimeline } from '../../core/retention/timeline.js';
import { resolve } from 'node:path';

export const planCommand: Command = {
  name: 'plan',
  summary: 'Show which backups a retention policy keeps (with reasons) and removes; changes nothing',
  usage: `plan ${RETENTION_USAGE} --input FILE [--json]\n  FILE: JSON array of {"name", "createdAt" (ISO-8601), "verified"? (default true)}`,
  options: { ...RETENTION_FLAGS, input: { type: 'string' }, json: { type: 'boolean' } },
  async run(values, _positionals, ctx) {
    const settings = retentionFromFlags(values);
    const input = str(values, 'input', true);
    let text: string;
    try {
      text = await readFile(resolve(ctx.cwd, input), 'utf8');
    } catch (err) {
      throw new InputError(`--input: cannot read "${input}": ${(err as Error).message}`, { cause: err });
    }
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (err) {
      throw new InputError(`--input: "${input}" is not valid JSON: ${(err as Error).message}`, { cause: err });
    }
    const backups = parseBackupList(doc, `--input ${input}`);
    const plan = planRetention(backups, settings.policy, { timezone: settings.timezone });
    if (plan.held) ctx.logger.warn(plan.held);
    if (bool(values, 'json')) {
      jsonOut(ctx, {
        keep: plan.keep.map((k) => ({ name: k.name, createdAt: k.createdAt, reasons: k.reasons })),
        remove: plan.remove.map((r) => ({ name: r.name, createdAt: r.createdAt })),
      });
      return 0;
    }
    const lines = [
      `policy: ${describePolicy(settings.policy)}${plan.timezone === 'UTC' ? '' : ` (calendar of ${plan.timezone})`}`,
      `keep ${plan.keep.length}:`,
      ...plan.keep.map((k) => `  ${k.name}  ${k.createdAt}  ${k.reasons.join(', ')}`),
      `remove ${plan.remove.length}:`,
      ...plan.remove.map(
        (r) => `  ${r.name}  ${r.createdAt}${r.why === 'unverified' ? '  failed attempt (not verified)' : ''}`,
      ),
      ...renderTimeline(plan),
    ];
    ctx.out(lines.join('\n') + '\n');
    return 0;
  },
};
