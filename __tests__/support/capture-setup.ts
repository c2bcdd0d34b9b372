/** Every line any MemoryLogger records in a test goes to the suite's capture folder, for the secret scan. */
import { MemoryLogger } from '../../src/core/logger.js';
import { capture } from '../../scripts/jest/secrets.mjs';

for (const level of ['debug', 'info', 'warn', 'error'] as const) {
  const original = MemoryLogger.prototype[level];
  MemoryLogger.prototype[level] = function (this: MemoryLogger, message: string) {
    capture(`logger ${level}`, message);
    original.call(this, message);
  };
}
