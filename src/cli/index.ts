#!/usr/bin/env node
/** Entry point of `dist/cli/index.js`: run the CLI and exit with its code. */
import { run } from './main.js';

process.exitCode = await run(process.argv.slice(2));
