import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';

/**
 * What a project may build on, by the tags in its project.json, tests included: `nx graph` counts
 * their imports as the project's dependencies.
 */
const everywhere = [
  // Browser code never loads Node-only libs.
  { sourceTag: 'platform:browser', notDependOnLibsWithTags: ['platform:node'] },
  // The gateway owns nothing durable: neither persistence, nor anything built on it, nor a driver.
  {
    sourceTag: 'scope:gateway',
    notDependOnLibsWithTags: ['concern:persistence'],
    bannedExternalImports: ['typeorm', 'typeorm/*', 'pg', 'pg/*'],
  },
];

/** What each lib's own code may build on; its tests may use the harness and what they check against. */
const production = [
  ...everywhere,
  // What the services agree on: plain classes with validation rules, no framework, no other lib.
  {
    sourceTag: 'concern:contracts',
    onlyDependOnLibsWithTags: [],
    allowedExternalImports: ['class-validator', 'class-validator/*', 'class-transformer'],
  },
  { sourceTag: 'concern:validation', allowedExternalImports: ['class-validator', 'class-validator/*'] },
  // Sealing secrets needs Node's crypto and nothing else of Parley's.
  { sourceTag: 'concern:secrets', onlyDependOnLibsWithTags: [] },
  // The transport knows the contracts and how to check them, not where a service keeps its state.
  {
    sourceTag: 'concern:transport',
    onlyDependOnLibsWithTags: ['concern:contracts', 'concern:validation'],
    bannedExternalImports: ['typeorm', 'typeorm/*', 'pg', 'pg/*'],
  },
  // Every service starts with runtime, the gateway too: a service's storage is given to it.
  {
    sourceTag: 'concern:runtime',
    notDependOnLibsWithTags: ['concern:persistence'],
    bannedExternalImports: ['typeorm', 'typeorm/*', 'pg', 'pg/*'],
  },
  // runtime starts processes; no lib builds on it.
  { sourceTag: 'type:lib', notDependOnLibsWithTags: ['concern:runtime'] },
];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  prettier,
  { ignores: ['**/dist', '**/node_modules', '**/.nx', 'coverage'] },
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.mts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            // Apps are deployable processes: they share code only through libs, never with each other.
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:lib', 'type:testing'] },
            ...production,
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Tests of an app or lib may use the test harness; their production code may not.
    files: [
      'apps/*/test/**/*.ts',
      'libs/*/test/**/*.ts',
      'apps/*/src/**/*.spec.ts',
      'libs/*/src/**/*.spec.ts',
    ],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib', 'type:testing'] },
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib', 'type:testing'] },
            ...everywhere,
          ],
        },
      ],
    },
  },
];
