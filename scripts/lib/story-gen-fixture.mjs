// A story_gen-shaped SQLite database and prototype JSONL files, for the demo,
// the tests and the benchmarks. Tables and files follow
// shared/reference/story_gen_facts.md; column sets are a plausible subset.
import { DatabaseSync } from 'node:sqlite';
import fs from 'node:fs';
import path from 'node:path';

export const SCHEMA_VERSION = 'story_analysis_runs.v3';

const DDL = `
CREATE TABLE IF NOT EXISTS users (id INTEGER PRIMARY KEY, email TEXT UNIQUE NOT NULL, password_hash TEXT NOT NULL, created_at_utc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS access_tokens (token_hash TEXT PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id), expires_at_utc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS stories (story_id TEXT PRIMARY KEY, owner_id INTEGER NOT NULL, title TEXT NOT NULL, body TEXT NOT NULL, updated_at_utc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS essays (essay_id TEXT PRIMARY KEY, owner_id INTEGER NOT NULL, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS ingestion_jobs (job_id TEXT PRIMARY KEY, story_id TEXT NOT NULL, status TEXT NOT NULL, created_at_utc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS story_feature_runs (run_id TEXT PRIMARY KEY, story_id TEXT NOT NULL, created_at_utc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS story_feature_rows (run_id TEXT NOT NULL, idx INTEGER NOT NULL, payload TEXT NOT NULL, PRIMARY KEY (run_id, idx));
CREATE TABLE IF NOT EXISTS feature_schema_versions (schema_key TEXT PRIMARY KEY, schema_version TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS story_analysis_runs (run_id TEXT PRIMARY KEY, story_id TEXT NOT NULL, owner_id INTEGER NOT NULL, schema_version TEXT NOT NULL, analyzed_at_utc TEXT NOT NULL, segment_count INTEGER NOT NULL, event_count INTEGER NOT NULL, beat_count INTEGER NOT NULL, payload TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS idx_runs_story ON story_analysis_runs(story_id, analyzed_at_utc);
CREATE TABLE IF NOT EXISTS analysis_schema_versions (schema_key TEXT PRIMARY KEY, schema_version TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS anomaly_events (id INTEGER PRIMARY KEY, run_id TEXT NOT NULL, kind TEXT NOT NULL, created_at_utc TEXT NOT NULL);
`;

/**
 * Creates (or extends) a story_gen database at `file`.
 * @param {string} file
 * @param {{ stories?: number, runs?: number, payloadBytes?: number, journalMode?: 'delete'|'wal', targetBytes?: number }} [opts]
 */
export function createStoryGenDb(file, opts = {}) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new DatabaseSync(file);
  db.exec(`PRAGMA journal_mode=${opts.journalMode ?? 'delete'}`);
  db.exec(DDL);
  db.prepare("INSERT OR REPLACE INTO analysis_schema_versions VALUES ('story_analysis_runs', ?)").run(SCHEMA_VERSION);
  db.prepare("INSERT OR REPLACE INTO feature_schema_versions VALUES ('story_feature_rows', 'v1')").run();
  db.prepare("INSERT OR IGNORE INTO users VALUES (1, 'demo@example.com', 'pbkdf2$demo', '2026-01-01T00:00:00Z')").run();
  const stories = opts.stories ?? 20;
  const insStory = db.prepare('INSERT OR IGNORE INTO stories VALUES (?, 1, ?, ?, ?)');
  db.exec('BEGIN');
  for (let i = 0; i < stories; i++)
    insStory.run(`story-${i}`, `Story ${i}`, 'Once upon a time. '.repeat(20), '2026-01-01T00:00:00Z');
  db.exec('COMMIT');
  const payloadBytes = opts.payloadBytes ?? 200;
  if (opts.targetBytes) {
    // Grow in steps until the file reaches the target: row packing per page
    // makes any up-front estimate of bytes per row unreliable.
    const pageSize = Number(db.prepare('PRAGMA page_size').get().page_size);
    const pages = () => Number(db.prepare('PRAGMA page_count').get().page_count);
    const step = Math.max(100, Math.ceil(opts.targetBytes / (payloadBytes + 400) / 20));
    while (pages() * pageSize < opts.targetBytes) addRuns(db, step, payloadBytes, stories);
  } else {
    addRuns(db, opts.runs ?? 200, payloadBytes, stories);
  }
  db.close();
}

let seq = 0;
/** Appends `n` analysis runs (and one anomaly event per run) in batches. */
export function addRuns(db, n, payloadBytes = 200, stories = 20) {
  const insRun = db.prepare('INSERT INTO story_analysis_runs VALUES (?, ?, 1, ?, ?, 3, 5, 7, ?)');
  const insEvt = db.prepare('INSERT INTO anomaly_events (run_id, kind, created_at_utc) VALUES (?, ?, ?)');
  const payload = 'p'.repeat(payloadBytes);
  db.exec('BEGIN');
  for (let i = 0; i < n; i++) {
    const id = `run-${process.pid}-${Date.now()}-${seq++}`;
    insRun.run(id, `story-${i % stories}`, SCHEMA_VERSION, new Date().toISOString(), payload);
    insEvt.run(id, 'none', new Date().toISOString());
    if (i % 20000 === 19999) {
      db.exec('COMMIT');
      db.exec('BEGIN');
    }
  }
  db.exec('COMMIT');
}

/** Writes a prototype backend's runs + meta files next to `dbPath`. */
export function createPrototypeFiles(dbPath, kind = 'mongo', lines = 50) {
  const dir = path.dirname(dbPath);
  const stem = path.basename(dbPath).replace(/\.[^.]*$/, '');
  fs.mkdirSync(dir, { recursive: true });
  const runs = path.join(dir, `${stem}.${kind}_analysis_runs.jsonl`);
  const meta = path.join(dir, `${stem}.${kind}_analysis_meta.json`);
  let text = '';
  for (let i = 0; i < lines; i++) {
    const doc = {
      run_id: `r${i}`,
      story_id: `story-${i % 5}`,
      owner_id: 1,
      schema_version: SCHEMA_VERSION,
      analyzed_at_utc: '2026-01-01T00:00:00Z',
    };
    if (kind === 'graph') doc.graph = { adjacency: { a: ['b'], b: [] } };
    text += JSON.stringify(doc) + '\n';
  }
  fs.writeFileSync(runs, text);
  fs.writeFileSync(
    meta,
    JSON.stringify({
      schema_key: 'story_analysis_runs',
      schema_version: SCHEMA_VERSION,
      updated_at_utc: '2026-01-01T00:00:00Z',
    }),
  );
  return { runs, meta };
}
