/**
 * Plain-text tables for the smoke, checklist and rollback commands. Kept out of
 * the engine: the action renders the same results as a job summary instead.
 */
import type { ChecklistResult } from '../core/checklist.js';
import type { SmokeResult } from '../core/smoke.js';

/** Left-aligned columns separated by two spaces. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}

export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

export function smokeTable(r: SmokeResult): string {
  const rows = r.checks.map((c) => [
    c.name,
    c.ok ? 'ok' : 'FAIL',
    c.status === null ? '-' : String(c.status),
    String(c.attempts),
    `${c.latencyMs} ms`,
    c.message,
  ]);
  const verdict = r.ok ? 'smoke checks passed' : 'smoke checks FAILED';
  return (
    table(['check', 'result', 'http', 'attempts', 'latency', 'message'], rows) +
    `${verdict} (${formatSeconds(r.durationMs)})\n`
  );
}

export function checklistTable(r: ChecklistResult): string {
  const rows = r.steps.map((s) => [
    String(s.index),
    s.status,
    s.exitCode === null ? (s.signal ?? '-') : String(s.exitCode),
    s.startedAt === null ? '-' : formatSeconds(s.durationMs),
    s.command,
  ]);
  let text = table(['#', 'status', 'exit', 'duration', 'command'], rows);
  for (const s of r.steps) {
    if (s.status === 'failed' || s.status === 'timed-out') {
      text += `\n--- step ${s.index} ${s.status}: ${s.message}; last output:\n${s.outputTail === '' ? '(no output)' : s.outputTail}\n`;
    }
  }
  const passed = r.steps.filter((s) => s.status === 'passed').length;
  const verdict = r.cancelled ? 'checklist INTERRUPTED' : r.ok ? 'checklist passed' : 'checklist FAILED';
  return text + `${verdict}: ${passed}/${r.steps.length} passed in ${formatSeconds(r.durationMs)}\n`;
}
