import { jsonOut, type Command } from '../command.js';
import { runSmokeChecks } from '../../core/smoke.js';
import { UsageError } from '../../core/errors.js';
import { SMOKE_FLAGS, SMOKE_USAGE, smokeOptionsFromFlags } from '../smoke-flags.js';
import { smokeTable } from '../ops-format.js';

/** `storage-ops smoke`: the runbook's smoke checks against a running service. */
export const smokeCommand: Command = {
  name: 'smoke',
  summary: "Check a running service: GET /healthz, then a story's latest analysis (retries until a deadline)",
  usage: `smoke ${SMOKE_USAGE} [--json]`,
  options: { ...SMOKE_FLAGS, json: { type: 'boolean' } },
  async run(values, positionals, ctx) {
    if (positionals.length > 0) throw new UsageError(`smoke: unexpected argument "${positionals[0]}"`);
    const opts = smokeOptionsFromFlags(values, ctx.env, { required: true })!;
    const result = await runSmokeChecks(opts, ctx.logger, ctx.signal);
    if (values.json) jsonOut(ctx, result);
    else ctx.out(smokeTable(result));
    return result.ok ? 0 : 1;
  },
};
