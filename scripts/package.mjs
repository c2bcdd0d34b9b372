// Builds one ncc bundle per entry point (the action, the CLI) into dist/.
// Deterministic: CI rebuilds and fails when the committed dist/ differs.
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync, chmodSync, readFileSync } from 'node:fs';

const entries = [
  { src: 'src/action/index.ts', out: 'dist' },
  { src: 'src/cli/index.ts', out: 'dist/cli' },
];
rmSync('dist', { recursive: true, force: true });
for (const { src, out } of entries) {
  execFileSync(
    process.execPath,
    [
      'node_modules/@vercel/ncc/dist/ncc/cli.js',
      'build',
      src,
      '-o',
      out,
      '--minify',
      '--no-cache',
      '--quiet',
      '--target',
      'es2023',
    ],
    {
      stdio: 'inherit',
    },
  );
}
// The CLI bundle is executable as `storage-ops` and runs on node directly.
const cli = 'dist/cli/index.js';
const text = readFileSync(cli, 'utf8');
if (!text.startsWith('#!')) writeFileSync(cli, '#!/usr/bin/env node\n' + text);
chmodSync(cli, 0o755);
