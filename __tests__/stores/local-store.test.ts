import fs from 'node:fs';
import { LocalStore } from '../../src/stores/local-store.js';
import { tempDir } from '../helpers/cli.js';
import { describeStoreContract } from './contract.js';

describeStoreContract('LocalStore', async () => {
  const dir = tempDir('local-store');
  return {
    store: new LocalStore(dir),
    reopen: async () => new LocalStore(dir),
    cleanup: async () => fs.rmSync(dir, { recursive: true, force: true }),
  };
});
