/** Progress lines for long copies: percent and MB/s, at most one per interval. */
import { expect, test } from '@jest/globals';
import { throttledProgress } from '../../src/core/fs-safe.js';

test('reports percent and MB/s about every 2 s, never more often', () => {
  let now = 0;
  const lines: string[] = [];
  const report = throttledProgress(
    'copy story_gen.db',
    (l) => lines.push(l),
    2000,
    () => now,
  );
  const total = 1000 * 1048576;
  for (let i = 1; i <= 100; i++) {
    now = i * 100; // a chunk every 100 ms for 10 s
    report(i * 10 * 1048576, total);
  }
  expect(lines).toHaveLength(5);
  expect(lines[0]).toBe('copy story_gen.db: 20.0% (200.0 MiB, 100.0 MB/s)');
  expect(lines[4]).toBe('copy story_gen.db: 100.0% (1000.0 MiB, 100.0 MB/s)');
});
