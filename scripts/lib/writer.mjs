// A steady writer like the service's: commits small transactions to a live
// database with Python's default 5 s busy timeout until SIGTERM, then prints
// {"commits":N,"lockErrors":N,"otherErrors":N} on stdout.
// Each transaction inserts one analysis run AND one anomaly event, so any
// single committed state has equal counts in both tables.
// usage: node writer.mjs DB [journal-mode] [interval-ms]
import { DatabaseSync } from 'node:sqlite';

const [, , file, mode = 'delete', intervalText = '2'] = process.argv;
const interval = Number(intervalText);
const db = new DatabaseSync(file, { timeout: 5000 });
db.exec(`PRAGMA journal_mode=${mode}`);
const insRun = db.prepare("INSERT INTO story_analysis_runs VALUES (?, 'story-0', 1, 'v', ?, 1, 1, 1, ?)");
const insEvt = db.prepare("INSERT INTO anomaly_events (run_id, kind, created_at_utc) VALUES (?, 'w', ?)");
let commits = 0;
let lockErrors = 0;
let otherErrors = 0;
let stop = false;
const lastError = [];
process.on('SIGTERM', () => (stop = true));
process.on('SIGINT', () => (stop = true));
process.stdout.write('ready\n');
while (!stop) {
  const id = `w-${process.pid}-${commits}-${Math.random()}`;
  try {
    db.exec('BEGIN IMMEDIATE');
    insRun.run(id, new Date().toISOString(), 'x'.repeat(100));
    insEvt.run(id, new Date().toISOString());
    db.exec('COMMIT');
    commits++;
  } catch (err) {
    if (/locked|busy/i.test(String(err.message))) lockErrors++;
    else otherErrors++;
    lastError.push(String(err.message));
    try {
      db.exec('ROLLBACK');
    } catch {}
  }
  await new Promise((r) => setTimeout(r, interval));
}
db.close();
process.stdout.write(JSON.stringify({ commits, lockErrors, otherErrors, lastError: lastError.slice(-3) }) + '\n');
