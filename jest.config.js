// One jest run covers unit, integration and whole-system tests; @swc/jest keeps the
// transform fast on two cores and still emits the decorator metadata NestJS needs.
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
  },
];
const base = {
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper: { '^@parley/(.*)$': '<rootDir>/libs/$1/src/index.ts' },
  setupFiles: ['reflect-metadata'],
  // Kills and names any broker or service a test file leaves running, so Jest can always exit.
  testEnvironment: '<rootDir>/libs/testing/src/process-guard-environment.ts',
  rootDir: __dirname,
  testTimeout: 60_000,
};

module.exports = {
  testTimeout: 60_000,
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs}/**/src/**/*.spec.ts'] },
    {
      ...base,
      displayName: 'integration',
      testMatch: ['<rootDir>/{apps,libs}/*/test/**/*.int-spec.ts'],
      slowTestThreshold: 30,
    },
    { ...base, displayName: 'e2e', testMatch: ['<rootDir>/e2e/**/*.e2e-spec.ts'], slowTestThreshold: 60 },
  ],
};
