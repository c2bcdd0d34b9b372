/** Jest in native ESM mode (the @actions/* packages are ESM-only). */
export default {
  preset: 'ts-jest/presets/default-esm',
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  resolver: 'ts-jest-resolver',
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json', diagnostics: { ignoreCodes: [151002] } }],
  },
  testMatch: ['**/__tests__/**/*.test.ts'],
  testTimeout: 60000,
  maxWorkers: 2,
  // Secret scan (SECURITY.md): helpers capture every output; the teardown greps it all.
  globalSetup: './scripts/jest/global-setup.mjs',
  globalTeardown: './scripts/jest/global-teardown.mjs',
  setupFilesAfterEnv: ['./__tests__/support/capture-setup.ts'],
  testSequencer: './scripts/jest/sequencer.mjs',
  reporters: ['default', '<rootDir>/scripts/jest-summary-reporter.cjs'],
};
