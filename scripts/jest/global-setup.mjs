// One capture folder per `npm test` run, inherited by every jest worker.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export default function globalSetup() {
  const dir = path.join(os.tmpdir(), `storage-ops-captured-${Date.now()}-${process.pid}`);
  fs.mkdirSync(dir, { recursive: true });
  process.env.STORAGE_OPS_CAPTURE_DIR = dir;
}
