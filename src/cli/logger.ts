import type { Logger } from '../core/logger.js';

/** CLI logger: everything to stderr so stdout carries only results. */
export function stderrLogger(opts: { verbose?: boolean; write?: (s: string) => void } = {}): Logger {
  const write = opts.write ?? ((s: string) => void process.stderr.write(s));
  return {
    debug: (m) => {
      if (opts.verbose) write(`debug: ${m}\n`);
    },
    info: (m) => write(`${m}\n`),
    warn: (m) => write(`warning: ${m}\n`),
    error: (m) => write(`error: ${m}\n`),
    group: async (name, fn) => {
      write(`== ${name}\n`);
      return fn();
    },
  };
}
