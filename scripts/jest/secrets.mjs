// Secret scanning of everything the test suite captured (issue: secrets are
// never printed). Test helpers append every captured stdout/stderr/log line to
// files in STORAGE_OPS_CAPTURE_DIR; the global teardown scans them once all
// test files have finished.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The test tokens and passwords (see __tests__/ops/fake-service.ts). */
export const TEST_SECRETS = ['tok-SECRET-abc123', 'pw-SECRET-xyz789'];

/** Folder the helpers append captured output to. */
export function captureDir() {
  return process.env.STORAGE_OPS_CAPTURE_DIR ?? path.join(os.tmpdir(), `storage-ops-captured-${process.ppid}`);
}

/** Appends captured text (one test output) to this process's capture file. */
export function capture(label, text) {
  if (!text) return;
  const dir = captureDir();
  fs.mkdirSync(dir, { recursive: true });
  fs.appendFileSync(path.join(dir, `${process.pid}.log`), `--- ${label}\n${text}\n`);
}

/** Every line of the captured files that holds a test secret: `file:line: secret`. */
export function scanCaptured(dir = captureDir(), secrets = TEST_SECRETS) {
  const findings = [];
  if (!fs.existsSync(dir)) return findings;
  for (const f of fs.readdirSync(dir)) {
    const lines = fs.readFileSync(path.join(dir, f), 'utf8').split('\n');
    lines.forEach((line, i) => {
      for (const s of secrets) if (line.includes(s)) findings.push(`${f}:${i + 1}: ${s}`);
    });
  }
  return findings;
}
