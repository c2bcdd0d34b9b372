/** Starts the steady writer (scripts/lib/writer.mjs) against a live database. */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from './cli.js';

export interface WriterStats {
  commits: number;
  lockErrors: number;
  otherErrors: number;
  lastError: string[];
}

export async function startWriter(db: string, mode: 'delete' | 'wal', intervalMs = 2) {
  const child = spawn(
    process.execPath,
    ['--no-warnings=ExperimentalWarning', path.join(REPO_ROOT, 'scripts/lib/writer.mjs'), db, mode, String(intervalMs)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', () => out.includes('ready') && resolve());
    child.on('exit', (code) => reject(new Error(`writer exited early with ${code}`)));
  });
  return {
    async stop(): Promise<WriterStats> {
      const closed = new Promise<void>((r) => child.on('close', () => r()));
      child.kill('SIGTERM');
      await closed;
      return JSON.parse(out.trim().split('\n').pop()!) as WriterStats;
    },
  };
}
