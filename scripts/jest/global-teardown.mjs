// After every test file: no captured output may hold a test secret.
import fs from 'node:fs';
import { captureDir, scanCaptured } from './secrets.mjs';

export default function globalTeardown() {
  const dir = captureDir();
  const findings = scanCaptured(dir);
  if (findings.length) {
    throw new Error(`test secrets found in captured output (kept in ${dir}):\n${findings.slice(0, 20).join('\n')}`);
  }
  fs.rmSync(dir, { recursive: true, force: true });
}
