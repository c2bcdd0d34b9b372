import { DatabaseSync, backup } from 'node:sqlite';
import { test, expect } from '@jest/globals';
test('sqlite', async () => {
  const db = new DatabaseSync(':memory:');
  db.exec('create table t(x)');
  expect(typeof backup).toBe('function');
  expect(process.version).toMatch(/^v24/);
});
