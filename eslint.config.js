import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Package boundaries (DESIGN.md "Boundaries"): a wrong arrow fails the build, not the review.
// no-restricted-imports takes one option set per file, so each group below repeats the shared rule.

/** No relative path out of a package's src/ or an action's src/: packages are imported by name. */
const ACROSS_PACKAGES = {
  regex: '^(\\.\\./){2,}',
  message:
    'Import other packages by name (@shiftgate/…), never by a relative path out of this package; an action never imports another action.',
};

/** Node's modules, by either spelling: I/O, the clock and randomness all come from them. */
const NODE_IO = ['node:*', 'fs', 'fs/*', 'child_process', 'net', 'http', 'https', 'os', 'path', 'crypto'];

const restrict = (...patterns) => ['error', { patterns: [ACROSS_PACKAGES, ...patterns] }];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '**/*.d.ts', 'reports/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        Buffer: 'readonly',
      },
    },
    rules: {
      'no-console': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      eqeqeq: ['error', 'always'],
    },
  },
  {
    files: ['scripts/**', 'bench/**', 'packages/cli/**'],
    rules: { 'no-console': 'off' },
  },
  {
    // core is pure: no I/O, no SDKs, no runner; other folders are reached through their index.
    files: ['packages/core/src/**'],
    rules: {
      'no-restricted-imports': restrict(
        {
          group: NODE_IO,
          message:
            'core does no I/O: take a port (Clock, Sleeper, Logger, a store) and let an adapter do it.',
        },
        { group: ['@aws-sdk/*', '@smithy/*'], message: 'core knows no AWS SDK: that is @shiftgate/aws.' },
        {
          group: ['@actions/*', '@octokit/*'],
          message: 'core knows no runner or GitHub API: that is @shiftgate/github.',
        },
        {
          group: ['@shiftgate/*'],
          message: 'core imports no other @shiftgate package: they depend on core, not the reverse.',
        },
        {
          regex: '^\\.\\./[^/]+/(?!index$)',
          message: "Import another core folder through its index ('../<folder>/index'), never its insides.",
        },
      ),
      'no-restricted-globals': [
        'error',
        { name: 'setTimeout', message: 'core sets no timers: take a Sleeper.' },
        { name: 'setInterval', message: 'core sets no timers: take a Sleeper.' },
        { name: 'fetch', message: 'core does no I/O: take a port.' },
        { name: 'process', message: 'core reads no environment: take the values as parameters.' },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'core draws no random numbers: take a Random.' },
        { object: 'Date', property: 'now', message: 'core reads no clock: take a Clock.' },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'core reads no clock: take a Clock (new Date() with no argument reads it).',
        },
      ],
    },
  },
  {
    // Adapters depend on core only.
    files: ['packages/aws/src/**', 'packages/github/src/**'],
    rules: {
      'no-restricted-imports': restrict({
        regex: '^@shiftgate/(?!core(?:/|$))',
        message: 'An adapter (aws, github) imports only @shiftgate/core.',
      }),
    },
  },
  {
    files: ['packages/cli/src/**', 'actions/*/src/**'],
    rules: { 'no-restricted-imports': restrict() },
  },
  {
    // Every log line of the actions goes through the one log writer (@shiftgate/github runner/log.ts).
    files: ['actions/*/src/**', 'packages/github/src/**'],
    ignores: ['packages/github/src/runner/log.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector:
            "CallExpression[callee.object.name='core'][callee.property.name=/^(info|notice|warning|error|debug|group|startGroup)$/]",
          message:
            "Log through the log writer ({ log } from '@shiftgate/github'), which neutralises untrusted text.",
        },
      ],
    },
  },
);
