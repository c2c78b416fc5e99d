// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The lab reaches the package only through its entries (docs/decisions/workspaces.md):
 * no relative import out of lab/ into the root's lib/, lambda/ or bin/, and no
 * `baton-lease/<module>` other than an entry. A relative path leaves lab/ when
 * it climbs as many folders as the file lies deep, hence one block per depth.
 */
const labBoundary = [1, 2, 3, 4, 5, 6].map((depth) => ({
  files: [`lab/${'*/'.repeat(depth - 1)}*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            regex: `^(\\.\\./){${depth},}(lib|lambda|bin)(/|$)`,
            message:
              'The lab imports the package through its entries: baton-lease, baton-lease/testing, baton-lease/cdk, baton-lease/lambda (or baton-lease/internal).',
          },
          {
            regex: '^baton-lease/(?!(cdk|lambda|testing|internal)$)',
            message: 'Only the entries of baton-lease: baton-lease, /testing, /cdk, /lambda, /internal.',
          },
        ],
      },
    ],
  },
}));

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'cdk.out/',
      'coverage/',
      'lab/bench/peers/',
      'api-docs/',
      '.build/',
      'test/recipes/jest/*.js',
      'test/readme/',
      'test/doc-examples/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // docs/architecture.md#the-parts: the protocol reads time and randomness only through the injected Clock.
    files: ['lib/runtime/**/*.ts'],
    ignores: ['lib/runtime/system-clock.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Use the injected Clock.' },
        { object: 'Math', property: 'random', message: 'Use the injected random().' },
        { object: 'performance', property: 'now', message: 'Use the injected Clock.' },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'setTimeout', message: 'Use Clock.sleep().' },
        { name: 'setInterval', message: 'Use Clock.sleep().' },
      ],
      'no-restricted-imports': ['error', { patterns: ['aws-cdk-lib', 'aws-cdk-lib/*', 'constructs'] }],
    },
  },
  {
    // The operator CLI ships without the test kit: it reads DynamoDB Local's identity from the contract module.
    files: ['bin/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '((^|/)lib/testing|^baton-lease/testing)(/|$)',
              message: 'The operator CLI never imports the test kit (lib/testing).',
            },
          ],
        },
      ],
    },
  },
  ...labBoundary,
);
