/**
 * A text timeline of a retention plan: one row per ISO week or calendar month,
 * newest row first, one mark per backup (oldest left): `#` kept, `.` removed.
 * Empty rows stay in, so gaps in the history are visible.
 */
import { UTC_ZONE, bucketLabel, civilFromDays, daysFromCivil, makeZone } from './calendar.js';
import type { RetentionPlan } from './plan.js';

export interface TimelineOptions {
  /** Zone for rows (the plan's zone by default). */
  timezone?: string;
  /** Row size; by default weeks when the history spans at most 26 weeks, else months. */
  unit?: 'week' | 'month';
  /** Rows shown at most (newest first); default 60. */
  maxRows?: number;
  /** Marks shown per row at most; default 60. */
  maxMarks?: number;
}

const MS_DAY = 86_400_000;

/** Renders the timeline as lines of text (first line is the legend). */
export function renderTimeline(plan: RetentionPlan, opts: TimelineOptions = {}): string[] {
  const tz = opts.timezone ?? plan.timezone;
  const zone = tz === 'UTC' ? UTC_ZONE : makeZone(tz);
  const maxRows = opts.maxRows ?? 60;
  const maxMarks = opts.maxMarks ?? 60;
  const entries = [
    ...plan.keep.map((k) => ({ name: k.name, wall: zone.toWall(Date.parse(k.createdAt)), kept: true })),
    ...plan.remove.map((r) => ({ name: r.name, wall: zone.toWall(Date.parse(r.createdAt)), kept: false })),
  ].sort((a, b) => a.wall - b.wall || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (entries.length === 0) return ['timeline: no backups'];

  const first = Math.floor(entries[0].wall / MS_DAY);
  const last = Math.floor(entries[entries.length - 1].wall / MS_DAY);
  const unit = opts.unit ?? (last - first <= 26 * 7 ? 'week' : 'month');
  // Row key: the Monday's day number for weeks, year*12+month-1 for months.
  const rowOf = (day: number): number => {
    if (unit === 'week') return day - ((((day + 3) % 7) + 7) % 7);
    const [y, m] = civilFromDays(day);
    return y * 12 + m - 1;
  };
  const label = (key: number): string => {
    if (unit === 'week') return bucketLabel('weekly', key * MS_DAY);
    const y = Math.floor(key / 12);
    return bucketLabel('monthly', daysFromCivil(y, key - y * 12 + 1, 1) * MS_DAY);
  };
  const rows = new Map<number, { marks: string; kept: number; removed: number }>();
  for (const e of entries) {
    const key = rowOf(Math.floor(e.wall / MS_DAY));
    const row = rows.get(key) ?? { marks: '', kept: 0, removed: 0 };
    if (e.kept) row.kept++;
    else row.removed++;
    if (row.marks.length < maxMarks) row.marks += e.kept ? '#' : '.';
    rows.set(key, row);
  }
  const step = unit === 'week' ? 7 : 1;
  const lo = rowOf(first);
  const hi = rowOf(last);
  const total = (hi - lo) / step + 1;
  const out = [
    `timeline (${zone.name}, one row per ${unit === 'week' ? 'ISO week' : 'month'}, newest first; # kept, . removed, oldest left):`,
  ];
  const shownRows: { label: string; marks: string; counts: string }[] = [];
  for (let key = hi; key >= lo && shownRows.length < maxRows; key -= step) {
    const row = rows.get(key);
    if (!row) {
      shownRows.push({ label: label(key), marks: '', counts: '' });
      continue;
    }
    const more = row.kept + row.removed - row.marks.length;
    shownRows.push({
      label: label(key),
      marks: more > 0 ? `${row.marks}+${more}` : row.marks,
      counts: `(${row.kept} kept, ${row.removed} removed)`,
    });
  }
  const width = Math.max(...shownRows.map((r) => r.marks.length));
  for (const r of shownRows) out.push(`  ${r.label.padEnd(8)}  ${r.marks.padEnd(width)}  ${r.counts}`.trimEnd());
  const shown = shownRows.length;
  if (total > shown) out.push(`  ... ${total - shown} older ${unit === 'week' ? 'weeks' : 'months'} not shown`);
  return out;
}
