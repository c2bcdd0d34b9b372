import { jsonOut, str, type Command } from '../command.js';
import { runPreflight, type PreflightReport } from '../../core/preflight.js';
import { UsageError } from '../../core/errors.js';

function render(r: PreflightReport): string {
  const lines = [`configuration: ${r.source}`];
  for (const [k, v] of Object.entries(r.settings)) lines.push(`  ${k}=${v === null ? '(unset)' : JSON.stringify(v)}`);
  lines.push(`flags: mongo adapter ${r.flags.mongo ? 'on' : 'off'}, graph adapter ${r.flags.graph ? 'on' : 'off'}`);
  if (r.ok) {
    lines.push(`the service would start with backend ${r.backend} (${r.backendSource})`);
    lines.push(`database path: ${r.dbPath} (${r.dbPathSource}, relative to ${r.serviceDir})`);
    lines.push('data files:');
    for (const f of r.files) {
      lines.push(`  ${f.role.padEnd(6)} ${f.exists ? `exists, ${f.bytes} bytes` : 'missing'}  ${f.path}`);
    }
  } else {
    lines.push(`the service would stop at start with: ${r.error}`);
  }
  for (const w of r.warnings) lines.push(`warning: ${w}`);
  return lines.join('\n') + '\n';
}

/** `storage-ops preflight`: what the service would do with a configuration. */
export const preflightCommand: Command = {
  name: 'preflight',
  summary: "Apply the service's start-up rules to the environment or an env file: backend, files, or its error",
  usage: 'preflight [--env-file FILE] [--service-dir DIR] [--json]',
  options: { 'env-file': { type: 'string' }, 'service-dir': { type: 'string' }, json: { type: 'boolean' } },
  async run(values, positionals, ctx) {
    if (positionals.length > 0) throw new UsageError(`preflight: unexpected argument "${positionals[0]}"`);
    const report = await runPreflight({
      envFile: str(values, 'env-file'),
      serviceDir: str(values, 'service-dir'),
      env: ctx.env,
      cwd: ctx.cwd,
    });
    if (values.json) jsonOut(ctx, report);
    else ctx.out(render(report));
    // 2: a configuration the service rejects is bad input, like a UsageError.
    return report.ok ? 0 : 2;
  },
};
