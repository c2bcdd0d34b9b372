export const SCHEMA_VERSION: string;
export function createStoryGenDb(
  file: string,
  opts?: {
    stories?: number;
    runs?: number;
    payloadBytes?: number;
    journalMode?: 'delete' | 'wal';
    targetBytes?: number;
  },
): void;
export function addRuns(
  db: import('node:sqlite').DatabaseSync,
  n: number,
  payloadBytes?: number,
  stories?: number,
): void;
export function createPrototypeFiles(
  dbPath: string,
  kind?: 'mongo' | 'graph',
  lines?: number,
): { runs: string; meta: string };
