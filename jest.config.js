/** Three projects: node unit/integration tests, editor component tests in jsdom, browser tests in Chromium. */
const transform = {
  '^.+\\.(t|j)sx?$': [
    '<rootDir>/tests/setup/realm-globals-transform.js',
    {
      jsc: {
        parser: { syntax: 'typescript', tsx: true },
        transform: { react: { runtime: 'automatic' } },
        target: 'es2022',
      },
    },
  ],
};
module.exports = {
  projects: [
    {
      displayName: 'node',
      testEnvironment: 'node',
      transform,
      setupFiles: ['<rootDir>/tests/setup/ort-realm.ts'],
      testMatch: ['<rootDir>/tests/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/tests/browser/', '<rootDir>/tests/client/'],
    },
    {
      displayName: 'client',
      testEnvironment: 'jsdom',
      transform,
      testMatch: ['<rootDir>/tests/client/**/*.test.ts?(x)'],
    },
    {
      displayName: 'browser',
      testEnvironment: 'node',
      transform,
      setupFiles: ['<rootDir>/tests/setup/ort-realm.ts'],
      testMatch: ['<rootDir>/tests/browser/**/*.test.ts'],
    },
  ],
  testTimeout: 60000,
};
