/**
 * The job summary renderers: what each summary says, capped tables, the
 * Mermaid chart, failed output tails in collapsed details, and sizes far
 * below the runner's 1 MiB per-step limit on long histories.
 */
import { describe, expect, test } from '@jest/globals';
import type { BackupResult } from '../../src/core/backup.js';
import type { ChecklistResult, StepResult } from '../../src/core/checklist.js';
import type { PruneResult } from '../../src/core/prune.js';
import type { RestoreResult } from '../../src/core/restore.js';
import { describePolicy, parseDuration, PROFILES, type RetentionPolicy } from '../../src/core/retention/policy.js';
import { planRetention } from '../../src/core/retention/plan.js';
import type { SmokeResult } from '../../src/core/smoke.js';
import type { StoredBackup } from '../../src/core/types.js';
import {
  MAX_ROWS,
  backupSummary,
  checklistSummary,
  failureSummary,
  pruneSummary,
  restoreSummary,
  smokeSummary,
} from '../../src/action/summary.js';

const DAY = 86_400_000;
const SHA = 'ab'.repeat(32);

/** `days` daily backups at 03:00 UTC ending 2026-11-30. */
function dailyBackups(days: number): StoredBackup[] {
  const end = Date.parse('2026-11-30T03:00:00.000Z');
  const out: StoredBackup[] = [];
  for (let i = 0; i < days; i++) {
    const t = new Date(end - i * DAY);
    const name = `story_gen-sqlite-${t.toISOString().replace(/[-:]/g, '')}`;
    out.push({ name, createdAt: t.toISOString(), backend: 'sqlite', bytes: 1 << 20, verified: true });
  }
  return out;
}

function pruneResult(backups: StoredBackup[], policy: RetentionPolicy, dryRun = false): PruneResult {
  const plan = planRetention(backups, policy, { now: '2026-11-30T04:00:00Z' });
  return { plan, policy: describePolicy(policy), deleted: dryRun ? [] : plan.remove.map((r) => r.name), dryRun };
}

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
const tableRows = (s: string, section: string) => {
  const start = s.indexOf(section);
  const rest = s.slice(start + section.length);
  const end = rest.indexOf('\n### ');
  return (end === -1 ? rest : rest.slice(0, end)).split('\n').filter((l) => /^\| story_gen-/.test(l));
};

describe('backup', () => {
  const result: BackupResult = {
    name: 'story_gen-sqlite-20261130T030000.000Z',
    durationMs: 2000,
    stored: { name: 'x', createdAt: '2026-11-30T03:00:00.000Z', backend: 'sqlite', bytes: 10, verified: true },
    manifest: {
      formatVersion: 1,
      tool: { name: 'storage-ops', version: '0.1.0' },
      name: 'story_gen-sqlite-20261130T030000.000Z',
      backend: 'sqlite',
      createdAt: '2026-11-30T03:00:00.000Z',
      source: { dbPath: '/srv/story_gen.db' },
      schemaVersion: 'story_analysis_runs.v3',
      bytes: 64 * 1048576,
      durationMs: 2000,
      files: [
        {
          name: 'story_gen.db',
          role: 'sqlite',
          source: '/srv/story_gen.db',
          bytes: 64 * 1048576,
          sha256: SHA,
          sqlite: {
            pageSize: 4096,
            pageCount: 16384,
            sourceJournalMode: 'delete',
            userVersion: 0,
            tables: {},
            analysisSchemaVersion: 'story_analysis_runs.v3',
            integrityCheck: 'ok',
          },
        },
      ],
    },
  };

  test('name, files, size, sha256 prefix, duration, throughput, integrity', () => {
    const s = backupSummary(result, { artifactId: '42', digest: `sha256:${SHA}`, store: 'artifacts of o/r' });
    expect(s).toContain('## ✅ Backup `story_gen-sqlite-20261130T030000.000Z`');
    expect(s).toContain('64.0 MiB in 2.0 s (32.0 MB/s)');
    expect(s).toContain('verified before upload, stored in artifacts of o/r');
    expect(s).toContain('Artifact id 42, digest `sha256:abababababab…`');
    expect(s).toContain('Analysis schema version `story_analysis_runs.v3`.');
    expect(s).toContain(
      '| story_gen.db | sqlite | 64.0 MiB | `abababababab` | integrity_check ok, 16384 pages, journal delete |',
    );
    expect(s).not.toContain(SHA); // only the prefix
  });
});

describe('prune', () => {
  test('the policy in words, kept with reasons, removed, a Mermaid chart of the kept history', () => {
    const r = pruneResult(dailyBackups(60), PROFILES.staging);
    const s = pruneSummary(r);
    expect(s).toContain('## 🧹 Prune');
    expect(s).toContain(`Policy: **${describePolicy(PROFILES.staging)}**.`);
    expect(s).toContain(`Kept ${r.plan.keep.length}, removed ${r.plan.remove.length}.`);
    expect(r.plan.remove.length).toBeGreaterThan(0);
    const kept = tableRows(s, '### Kept');
    expect(kept).toHaveLength(r.plan.keep.length);
    expect(kept[0]).toContain(r.plan.keep[0]!.name);
    expect(kept[0]).toContain(r.plan.keep[0]!.reasons.join(', '));
    expect(tableRows(s, '### Removed')).toHaveLength(r.plan.remove.length);
    expect(s).toContain('| no rule keeps it |');
    const mermaid = /```mermaid\ntimeline\n {4}title Kept backups\n([\s\S]*?)\n```/.exec(s);
    expect(mermaid).not.toBeNull();
    // One line per month with kept backups; labels hold no Mermaid separators.
    const months = new Set(r.plan.keep.map((k) => k.createdAt.slice(0, 7)));
    const lines = mermaid![1]!.split('\n');
    expect(lines.map((l) => l.trim().slice(0, 7)).sort()).toEqual([...months].sort());
    for (const l of lines) expect(l.split(' : ').slice(1).join('')).not.toMatch(/[#;]/);
  });

  test('a dry run says what would be removed', () => {
    const s = pruneSummary(pruneResult(dailyBackups(40), PROFILES.dev, true));
    expect(s).toContain('## 🔎 Prune plan (dry run)');
    expect(s).toMatch(/would remove \d+/);
    expect(s).toContain('### Would remove');
  });

  test('nothing to remove', () => {
    const s = pruneSummary(pruneResult(dailyBackups(3), PROFILES.dev));
    expect(s).toContain('Kept 3, removed 0.');
    expect(s).toContain('### Removed\n\n_Nothing._');
  });

  test('five years of daily backups: tables capped, well under 100 KiB', () => {
    const backups = dailyBackups(5 * 365 + 1);
    // Staging removes almost everything; keep-within 5y keeps everything.
    for (const policy of [PROFILES.staging, { within: parseDuration('5y', 'keep-within') }]) {
      const r = pruneResult(backups, policy);
      const s = pruneSummary(r);
      expect(bytes(s)).toBeLessThan(100 * 1024);
      const big = r.plan.keep.length > MAX_ROWS ? '### Kept' : '### Removed';
      expect(tableRows(s, big)).toHaveLength(MAX_ROWS);
      const hidden = Math.max(r.plan.keep.length, r.plan.remove.length) - MAX_ROWS;
      expect(s).toContain(`_… and ${hidden} more rows (see the step log)._`);
      expect(s).toContain('```mermaid');
    }
  });
});

function step(index: number, over: Partial<StepResult> = {}): StepResult {
  return {
    index,
    command: `uv run step-${index}`,
    status: 'passed',
    exitCode: 0,
    signal: null,
    pid: 100 + index,
    startedAt: '2026-11-30T03:00:00.000Z',
    finishedAt: '2026-11-30T03:00:01.000Z',
    durationMs: 1234,
    outputTail: `ok ${index}`,
    message: '',
    ...over,
  };
}

describe('checklist', () => {
  test('a table of steps with status and duration; failed tails in collapsed details', () => {
    const r: ChecklistResult = {
      ok: false,
      cancelled: false,
      durationMs: 5000,
      steps: [
        step(1),
        step(2, { status: 'failed', exitCode: 3, outputTail: 'E   assert 1 == 2\nFAILED tests/test_api_app.py' }),
        step(3, { status: 'timed-out', exitCode: null, signal: 'SIGKILL', outputTail: 'building docs' }),
        step(4, { status: 'skipped', exitCode: null, outputTail: '' }),
      ],
    };
    const s = checklistSummary(r);
    expect(s).toContain('## ❌ Validation checklist');
    expect(s).toContain('| 1 | `uv run step-1` | ✅ passed | 1.2 s | 0 |');
    expect(s).toContain('| 2 | `uv run step-2` | ❌ failed | 1.2 s | 3 |');
    expect(s).toContain('| 3 | `uv run step-3` | ❌ timed-out | 1.2 s | SIGKILL |');
    expect(s).toContain('| 4 | `uv run step-4` | ⏭️ skipped | 1.2 s | - |');
    expect(s).toContain(
      '<details><summary>Output of step 2 (failed)</summary>\n\n```text\nE   assert 1 == 2\nFAILED tests/test_api_app.py\n```\n\n</details>',
    );
    expect(s).toContain('<details><summary>Output of step 3 (timed-out)</summary>');
    expect(s).not.toContain('Output of step 1');
    expect(s).not.toContain('ok 1');
  });

  test('long tails are cut to their end; fences inside output cannot close the block', () => {
    const tail = 'x'.repeat(10_000) + '\n```\nTHE END';
    const s = checklistSummary({
      ok: false,
      cancelled: false,
      durationMs: 1,
      steps: [step(1, { status: 'failed', exitCode: 1, outputTail: tail })],
    });
    expect(s).toContain("'''\nTHE END\n```\n\n</details>");
    expect(bytes(s)).toBeLessThan(5000);
  });

  test('command pipes do not break the table', () => {
    const s = checklistSummary({
      ok: true,
      cancelled: false,
      durationMs: 1,
      steps: [step(1, { command: 'uv run pytest | tee log' })],
    });
    expect(s).toContain('| 1 | `uv run pytest \\| tee log` | ✅ passed |');
  });

  test('a thousand steps stay capped', () => {
    const steps = Array.from({ length: 1000 }, (_, i) => step(i + 1));
    const s = checklistSummary({ ok: true, cancelled: false, durationMs: 1, steps });
    expect(s.split('\n').filter((l) => /^\| \d+ \|/.test(l))).toHaveLength(MAX_ROWS);
    expect(s).toContain('_… and 800 more rows');
  });
});

const smoke: SmokeResult = {
  ok: true,
  message: 'all smoke checks passed',
  baseUrl: 'http://127.0.0.1:8000',
  storyId: 'story-1',
  durationMs: 40,
  checks: [
    { name: 'healthz', ok: true, status: 200, latencyMs: 3, attempts: 1, message: 'service ok' },
    { name: 'analysis', ok: true, status: 200, latencyMs: 5, attempts: 2, message: 'run r-1, schema v3' },
  ],
};

describe('restore and smoke', () => {
  test('restore: source, safety copies, smoke results', () => {
    const r: RestoreResult = {
      restoredFrom: 'story_gen-sqlite-20261130T030000.000Z',
      dryRun: false,
      plan: {
        backup: 'story_gen-sqlite-20261130T030000.000Z',
        backend: 'sqlite',
        schemaVersion: 'v3',
        sourceJournalMode: 'delete',
        files: [
          {
            role: 'sqlite',
            from: 'story_gen.db',
            target: '/srv/story_gen.db',
            targetExists: true,
            safetyCopy: '/srv/story_gen.db.pre-restore-1',
            bytes: 1,
            sha256: SHA,
          },
        ],
        sidecars: [],
        commands: {},
      },
      safetyCopies: ['/srv/story_gen.db.pre-restore-1'],
      removedSidecars: ['/srv/story_gen.db-journal'],
      smoke,
      reverted: false,
      durationMs: 100,
      phasesMs: { download: 10, replace: 5 },
    };
    const s = restoreSummary(r);
    expect(s).toContain('## ♻️ Restore from `story_gen-sqlite-20261130T030000.000Z`');
    expect(s).toContain('| story_gen.db | /srv/story_gen.db | /srv/story_gen.db.pre-restore-1 |');
    expect(s).toContain('Removed stale sidecars: `/srv/story_gen.db-journal`.');
    expect(s).toContain('Phases: download 10 ms, replace 5 ms.');
    expect(s).toContain('### Smoke checks');
    expect(s).toContain('| analysis | ✅ ok | 200 | 5 ms | 2 | run r-1, schema v3 |');
    expect(restoreSummary({ ...r, smoke: null })).toContain('_No smoke checks configured._');
  });

  test('failed smoke checks say which and why', () => {
    const failed: SmokeResult = {
      ...smoke,
      ok: false,
      message: 'analysis: 401 Unauthorized',
      checks: [
        smoke.checks[0]!,
        { name: 'analysis', ok: false, status: 401, latencyMs: 4, attempts: 3, message: '401 Unauthorized' },
      ],
    };
    const s = smokeSummary(failed);
    expect(s).toContain('## ❌ Smoke checks');
    expect(s).toContain('| analysis | ❌ failed | 401 | 4 ms | 3 | 401 Unauthorized |');
    expect(s).toContain('**analysis: 401 Unauthorized**');
  });

  test('a failure summary names the command and keeps the message on one line', () => {
    expect(failureSummary('prune', 'newest backup is 72.0 h old | stop\nnow')).toBe(
      '## ❌ storage-ops prune failed\n\nnewest backup is 72.0 h old \\| stop now\n',
    );
  });
});
