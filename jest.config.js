/**
 * Two projects, selected by path:
 * - unit: test/unit, lambdas/ and lib/ (*.test.ts), no registry, no build, no Debian packages;
 * - integration: test/integration (a real registry from globalSetup, the built CLI) and every
 *   *.tools.test.ts: tests that run programs from the Debian packages scripts/prerequisites.ts
 *   installs (go, javac, rpm, gem, composer, gcc/objcopy, dpkg, python3-packaging, openssl, zstd,
 *   chromium)
 *   as builders or oracles.
 * `npm run test:unit` and `npm run test:integration` run one each; `npm test` both (scripts/test.ts).
 * ts-jest only transpiles (tsconfig's isolatedModules): `npm run typecheck` checks types.
 */
const TOOLS = '\\.tools\\.test\\.ts$';

/** @type {import('jest').Config} */
const shared = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
  },
  setupFiles: ['<rootDir>/test/support/quiet-warnings.ts'],
};

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 60000,
  projects: [
    {
      ...shared,
      displayName: 'unit',
      roots: ['<rootDir>/test/unit', '<rootDir>/lambdas', '<rootDir>/lib'],
      testMatch: ['**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', TOOLS],
    },
    {
      ...shared,
      displayName: 'integration',
      roots: ['<rootDir>/test/integration', '<rootDir>/test/unit', '<rootDir>/lambdas', '<rootDir>/lib'],
      testMatch: ['<rootDir>/test/integration/**/*.test.ts', '**/*.tools.test.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
};
