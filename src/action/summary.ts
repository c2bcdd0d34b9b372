/**
 * Job summary rendering: pure functions from results to GitHub-flavoured
 * Markdown. Long lists are capped so a summary stays far below the runner's
 * 1 MiB per-step limit even for years of history.
 */
import type { BackupResult } from '../core/backup.js';
import type { ChecklistResult } from '../core/checklist.js';
import type { PruneResult } from '../core/prune.js';
import type { RestoreResult } from '../core/restore.js';
import type { SmokeResult } from '../core/smoke.js';

/** Most rows any one table shows. */
export const MAX_ROWS = 200;
/** Most characters of output tail shown per failed step. */
const MAX_TAIL = 4000;

const esc = (s: string) => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
const mib = (b: number) => `${(b / 1048576).toFixed(1)} MiB`;

function table(head: string[], rows: string[][]): string {
  const shown = rows.slice(0, MAX_ROWS);
  const out = [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`];
  for (const r of shown) out.push(`| ${r.map(esc).join(' | ')} |`);
  if (rows.length > shown.length) out.push(`\n_… and ${rows.length - shown.length} more rows (see the step log)._`);
  return out.join('\n') + '\n';
}

/** Backup: name, files, size, sha256 prefix, duration, throughput, integrity. */
export function backupSummary(r: BackupResult, extra: { artifactId?: string; digest?: string; store: string }): string {
  const seconds = r.durationMs / 1000;
  const rows = r.manifest.files.map((f) => [
    f.name,
    f.role,
    mib(f.bytes),
    `\`${f.sha256.slice(0, 12)}\``,
    f.sqlite
      ? `integrity_check ${f.sqlite.integrityCheck}, ${f.sqlite.pageCount} pages, journal ${f.sqlite.sourceJournalMode}`
      : f.jsonl
        ? `${f.jsonl.lines} lines${f.jsonl.tornBytes ? `, ${f.jsonl.tornBytes} torn bytes left out` : ''}`
        : `schema ${f.meta?.schemaVersion ?? '?'}`,
  ]);
  return [
    `## ✅ Backup \`${r.name}\``,
    '',
    `Backend **${r.manifest.backend}**, ${mib(r.manifest.bytes)} in ${seconds.toFixed(1)} s (${(r.manifest.bytes / 1048576 / Math.max(seconds, 0.001)).toFixed(1)} MB/s), verified before upload, stored in ${extra.store}.`,
    extra.artifactId
      ? `Artifact id ${extra.artifactId}${extra.digest ? `, digest \`${extra.digest.slice(0, 19)}…\`` : ''}.`
      : '',
    r.manifest.schemaVersion ? `Analysis schema version \`${r.manifest.schemaVersion}\`.` : '',
    '',
    table(['file', 'role', 'size', 'sha256', 'checks'], rows),
  ]
    .filter((l) => l !== undefined)
    .join('\n');
}

/** Prune: the policy in words, kept with reasons, removed, and a Mermaid chart of the kept history. */
export function pruneSummary(r: PruneResult): string {
  const kept = r.plan.keep.map((k) => [k.name, k.createdAt, k.reasons.join(', ')]);
  const removed = r.plan.remove.map((x) => [
    x.name,
    x.createdAt,
    x.why === 'unverified' ? 'failed attempt (not verified)' : 'no rule keeps it',
  ]);
  const out = [
    `## ${r.dryRun ? '🔎 Prune plan (dry run)' : '🧹 Prune'}`,
    '',
    `Policy: **${r.policy}**${r.plan.timezone !== 'UTC' ? ` (calendar of ${r.plan.timezone})` : ''}.`,
    `Kept ${r.plan.keep.length}, ${r.dryRun ? 'would remove' : 'removed'} ${r.plan.remove.length}.`,
    r.plan.held ? `\n> ⚠️ ${r.plan.held}\n` : '',
    '',
    keptChart(r),
    '### Kept',
    '',
    table(['backup', 'created (UTC)', 'why kept'], kept),
    `### ${r.dryRun ? 'Would remove' : 'Removed'}`,
    '',
    removed.length ? table(['backup', 'created (UTC)', 'why'], removed) : '_Nothing._\n',
  ];
  return out.join('\n');
}

/** A Mermaid timeline of kept backups, one point per backup (capped), grouped by month. */
function keptChart(r: PruneResult): string {
  if (r.plan.keep.length === 0) return '';
  const byMonth = new Map<string, string[]>();
  for (const k of [...r.plan.keep].reverse().slice(-MAX_ROWS)) {
    const month = k.createdAt.slice(0, 7);
    const label = `${k.createdAt.slice(5, 10)} ${k.reasons[0]?.split(' ')[0] ?? ''}`.trim();
    byMonth.set(month, [...(byMonth.get(month) ?? []), label]);
  }
  const lines = ['```mermaid', 'timeline', '    title Kept backups'];
  for (const [month, labels] of byMonth)
    lines.push(`    ${month} : ${labels.map((l) => l.replace(/[:#;]/g, ' ')).join(' : ')}`);
  lines.push('```', '');
  return lines.join('\n');
}

function smokeTable(s: SmokeResult): string {
  return table(
    ['check', 'result', 'status', 'latency', 'attempts', 'detail'],
    s.checks.map((c) => [
      c.name,
      c.ok ? '✅ ok' : '❌ failed',
      String(c.status ?? '-'),
      `${c.latencyMs ?? '-'} ms`,
      String(c.attempts),
      c.message,
    ]),
  );
}

/** Restore: source, safety copies, smoke results. */
export function restoreSummary(r: RestoreResult): string {
  return [
    `## ${r.dryRun ? '🔎 Restore plan (dry run)' : '♻️ Restore'} from \`${r.restoredFrom}\``,
    '',
    table(
      ['file', 'target', 'safety copy'],
      r.plan.files.map((f) => [f.from, f.target, f.safetyCopy ?? '(new file)']),
    ),
    r.removedSidecars.length ? `Removed stale sidecars: ${r.removedSidecars.map((s) => `\`${s}\``).join(', ')}.\n` : '',
    Object.keys(r.phasesMs).length
      ? `Phases: ${Object.entries(r.phasesMs)
          .map(([k, v]) => `${k} ${v} ms`)
          .join(', ')}.\n`
      : '',
    r.smoke ? `### Smoke checks\n\n${smokeTable(r.smoke as SmokeResult)}` : '_No smoke checks configured._\n',
  ].join('\n');
}

/** Smoke checks alone. */
export function smokeSummary(s: SmokeResult): string {
  return [`## ${s.ok ? '✅' : '❌'} Smoke checks`, '', smokeTable(s), s.ok ? '' : `**${esc(s.message)}**\n`].join('\n');
}

/** Checklist: a table of steps with status and duration; failed output tails in collapsed details. */
export function checklistSummary(r: ChecklistResult, title = 'Validation checklist'): string {
  const icon = (s: string) => (s === 'passed' ? '✅' : s === 'skipped' ? '⏭️' : s === 'cancelled' ? '⏹️' : '❌');
  const out = [
    `## ${r.ok ? '✅' : '❌'} ${title}`,
    '',
    table(
      ['#', 'step', 'status', 'duration', 'exit'],
      r.steps.map((s) => [
        String(s.index),
        `\`${s.command}\``,
        `${icon(s.status)} ${s.status}`,
        `${(s.durationMs / 1000).toFixed(1)} s`,
        String(s.exitCode ?? s.signal ?? '-'),
      ]),
    ),
  ];
  for (const s of r.steps.filter((x) => x.status !== 'passed' && x.status !== 'skipped' && x.outputTail)) {
    const tail = s.outputTail.length > MAX_TAIL ? s.outputTail.slice(-MAX_TAIL) : s.outputTail;
    out.push(
      `<details><summary>Output of step ${s.index} (${esc(s.status)})</summary>\n\n\`\`\`text\n${tail.replace(/```/g, "'''")}\n\`\`\`\n\n</details>\n`,
    );
  }
  return out.join('\n');
}

/** A failed command. */
export function failureSummary(command: string, message: string): string {
  return `## ❌ storage-ops ${command} failed\n\n${esc(message)}\n`;
}
