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

/**
 * Four projects, by what a test needs, each over the package's tests (test/) and the lab's (lab/test/) (docs/architecture.md#tests):
 * - unit: no Java, no network, seconds (in-memory store, fake clock, the simulator);
 * - integration: the real DynamoDB Local;
 * - cdk: assertions on synthesized templates, and the Lambda bundle;
 * - e2e: the demo, bench and chaos runs, end to end;
 * - recipes: docs/testing.md's vitest recipe, with its own global setup, as a user runs it.
 * `vitest run` (npm test) runs all four; `--project <name>` one.
 */
/**
 * The lab imports the package by its entries' names; they resolve to the
 * sources, as tsconfig.json's `paths` make them for tsc and tsx
 * (docs/decisions/workspaces.md).
 */
const ENTRIES = {
  '': 'lib/runtime/index.ts',
  '/cdk': 'lib/cdk/index.ts',
  '/lambda': 'lambda/cron-singleton.ts',
  '/testing': 'lib/testing/index.ts',
  '/internal': 'lib/internal/index.ts',
};
const alias = Object.entries(ENTRIES).map(([entry, source]) => ({
  find: new RegExp(`^baton-lease${entry}$`),
  replacement: fileURLToPath(new URL(source, import.meta.url)),
}));

export default defineConfig({
  resolve: { alias },
  test: {
    exclude: ['node_modules/**', 'lab/bench/peers/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    // One fixed fast-check seed for every property, printed with any counterexample (test/support/fixed-seed.ts).
    setupFiles: ['test/support/fixed-seed.ts'],
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts', 'lab/test/unit/**/*.test.ts'] } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'lab/test/integration/**/*.test.ts'],
          globalSetup: DYNAMODB_LOCAL,
        },
      },
      { extends: true, test: { name: 'cdk', include: ['test/cdk/**/*.test.ts', 'lab/test/cdk/**/*.test.ts'] } },
      { extends: true, test: { name: 'e2e', include: ['lab/test/e2e/**/*.test.ts'], globalSetup: DYNAMODB_LOCAL } },
      // No alias of its own: the root's (above) resolves the recipes' imports of baton-lease's entries.
      {
        extends: true,
        test: {
          name: 'recipes',
          include: ['test/recipes/vitest/**/*.test.ts'],
          globalSetup: ['test/recipes/vitest/global-setup.ts'],
        },
      },
    ],
  },
});
