#!/usr/bin/env node
/**
 * Entry point of `dist/cli/index.js`. Checks the Node.js version before
 * loading the engine: on an older Node, importing `node:sqlite` would fail
 * with a bare "No such built-in module" before any of our code could explain.
 */
const MIN_MAJOR = 24;
const major = Number(process.versions.node.split('.')[0]);
if (major < MIN_MAJOR) {
  process.stderr.write(
    `error: storage-ops needs Node.js ${MIN_MAJOR} or newer (it uses node:sqlite's online backup); this is ${process.version}. ` +
      'In a checkout, run it through npm (npm ci installs Node 24 into the project: npx storage-ops ...), or install Node 24.\n',
  );
  process.exitCode = 2;
} else {
  const { run } = await import('./main.js');
  process.exitCode = await run(process.argv.slice(2));
}
