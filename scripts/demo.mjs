// The built-in demo (`npm run demo`): creates a story_gen-shaped database,
// keeps a writer committing to it, backs it up with the bundled CLI into a
// local store, verifies the backup and lists the store. Everything lives in
// .demo/ (git-ignored); run it as often as you like.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createStoryGenDb } from './lib/story-gen-fixture.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const demo = path.join(root, '.demo');
const db = path.join(demo, 'work/local/story_gen.db');
const store = path.join(demo, 'backups');
const cli = path.join(root, 'dist/cli/index.js');
const node = process.execPath;

const say = (s) => process.stdout.write(`\n\x1b[1m${s}\x1b[0m\n`);
const runCli = (args) => {
  process.stdout.write(`$ storage-ops ${args.join(' ')}\n`);
  const r = spawnSync(node, ['--no-warnings=ExperimentalWarning', cli, ...args], { stdio: 'inherit', cwd: demo });
  if (r.status !== 0) {
    process.stderr.write(`demo: storage-ops ${args[0]} exited with ${r.status}\n`);
    process.exit(r.status ?? 1);
  }
};

if (!fs.existsSync(db)) {
  say(`Creating a sample story_gen database at ${path.relative(root, db)}`);
  createStoryGenDb(db, { stories: 50, runs: 20000, payloadBytes: 400 });
}
say('Starting a writer that keeps committing analysis runs (Python-like 5 s busy timeout)');
const writer = spawn(
  node,
  ['--no-warnings=ExperimentalWarning', path.join(root, 'scripts/lib/writer.mjs'), db, 'delete', '5'],
  {
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
let writerOut = '';
writer.stdout.on('data', (d) => (writerOut += d));
await new Promise((r) => writer.stdout.once('data', r));
await new Promise((r) => setTimeout(r, 500));

say("Backing up the live database (online, through SQLite's backup API)");
runCli(['backup', '--db-path', db, '--store', store]);
say('Verifying the newest backup (sizes, sha256, integrity_check)');
runCli(['verify', '--store', store, '--backup', 'latest']);

writer.kill('SIGTERM');
await new Promise((r) => writer.on('close', r));
const stats = JSON.parse(writerOut.trim().split('\n').pop());
say(`Writer: ${stats.commits} commits during the demo, ${stats.lockErrors} "database is locked" errors`);

say('Backups in the store, newest first');
runCli(['list', '--store', store]);
process.stdout.write(
  `\nTry next: storage-ops restore --store ${path.relative(process.cwd(), store)} --backup latest --db-path ${path.relative(process.cwd(), db)} --dry-run\n`,
);
if (stats.lockErrors > 0) process.exit(1);
