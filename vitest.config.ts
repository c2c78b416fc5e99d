import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The SDK warns on Node.js 20 at its first client; the global setup creates one in this process.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/**
 * Starts one DynamoDB Local (Java) for the projects that talk to it. Only
 * those projects list it, so `vitest run --project unit` (or `cdk`) never
 * needs a JDK: vitest runs a project's global setup only when it runs that project.
 */
const DYNAMODB_LOCAL = ['test/global-setup.ts'];

/** The package's entries as a user imports them, from the sources: the recipes in docs/testing.md run as written. */
const AS_INSTALLED = [
  { find: /^baton-lease\/lambda$/, replacement: fileURLToPath(new URL('lambda/cron-singleton.ts', import.meta.url)) },
  { find: /^baton-lease\/testing$/, replacement: fileURLToPath(new URL('lib/testing/index.ts', import.meta.url)) },
  { find: /^baton-lease$/, replacement: fileURLToPath(new URL('lib/runtime/index.ts', import.meta.url)) },
];

/**
 * Four projects, by what a test needs (docs/architecture.md#tests):
 * - unit: no Java, no network, seconds (in-memory store, fake clock, the simulator);
 * - integration: the real DynamoDB Local;
 * - cdk: assertions on synthesized templates, and the Lambda bundle;
 * - e2e: the demo, bench and chaos runs, end to end;
 * - recipes: docs/testing.md's vitest recipe, with its own global setup, as a user runs it.
 * `vitest run` (npm test) runs all four; `--project <name>` one.
 */
export default defineConfig({
  test: {
    exclude: ['node_modules/**', 'test/bench/peers/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      { extends: true, test: { name: 'integration', include: ['test/integration/**/*.test.ts'], globalSetup: DYNAMODB_LOCAL } },
      { extends: true, test: { name: 'cdk', include: ['test/cdk/**/*.test.ts'] } },
      { extends: true, test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], globalSetup: DYNAMODB_LOCAL } },
      {
        extends: true,
        resolve: { alias: AS_INSTALLED },
        test: { name: 'recipes', include: ['test/recipes/vitest/**/*.test.ts'], globalSetup: ['test/recipes/vitest/global-setup.ts'] },
      },
    ],
  },
});
