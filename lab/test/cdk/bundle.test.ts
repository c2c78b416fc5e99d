import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDemoApp } from '../../jobs/demo-app.js';

// The one CDK test that runs esbuild for real: the lab's demo stack.

const outdirs: string[] = [];
afterAll(() => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});

interface Bundle {
  readonly js: string;
  readonly jsBytes: number;
  readonly mapBytes: number;
  /** Every input file esbuild put in the bundle, from the source map. */
  readonly sources: readonly string[];
}

/** Synthesizes the demo app (lab/jobs/demo-app.ts) with real bundling and reads its one Lambda asset. */
function bundleDemo(): Bundle {
  const dir = mkdtempSync(join(tmpdir(), 'baton-bundle-'));
  outdirs.push(dir);
  const { app } = createDemoApp({ outdir: dir });
  const assembly = app.synth();
  const assets = readdirSync(assembly.directory).filter(
    (name) => name.startsWith('asset.') && existsSync(join(assembly.directory, name, 'index.mjs')),
  );
  expect(assets).toHaveLength(1);
  const jsPath = join(assembly.directory, assets[0]!, 'index.mjs');
  const mapPath = `${jsPath}.map`;
  const map = JSON.parse(readFileSync(mapPath, 'utf8')) as { sources: string[] };
  return {
    js: readFileSync(jsPath, 'utf8'),
    jsBytes: statSync(jsPath).size,
    mapBytes: statSync(mapPath).size,
    sources: map.sources,
  };
}

function expectLambdaReady(bundle: Bundle, label: string): void {
  // Reported on every run: the size is part of the contract (docs/architecture.md#the-parts: the bundle never pulls in aws-cdk-lib).
  console.info(
    `${label} bundle: index.mjs ${(bundle.jsBytes / 1024).toFixed(1)} KiB, index.mjs.map ${(bundle.mapBytes / 1024).toFixed(1)} ` +
      `KiB, ${bundle.sources.length} sources`,
  );
  expect(bundle.sources.filter((s) => /node_modules\/(aws-cdk-lib|constructs|cdk-nag|aws-cdk)\//.test(s))).toEqual([]);
  expect(bundle.js).not.toMatch(/aws-cdk-lib/);
  // The AWS SDK is bundled (pinned), not taken from the runtime.
  expect(bundle.sources.some((s) => s.includes('node_modules/@aws-sdk/client-dynamodb/'))).toBe(true);
  // An ES module that can still load CommonJS dependencies, with a linked source map.
  expect(bundle.js.startsWith("import { createRequire as __batonCreateRequire } from 'node:module';")).toBe(true);
  expect(bundle.js).toMatch(/\/\/# sourceMappingURL=index\.mjs\.map\s*$/);
  // Well under Lambda's 50 MB zipped limit; a jump here means a dependency leaked in.
  expect(bundle.jsBytes).toBeLessThan(2 * 1024 * 1024);
}

describe('the Lambda bundle of the demo app', () => {
  it('holds the example job and the AWS SDK, no aws-cdk-lib, and stays small', () => {
    const bundle = bundleDemo();

    expectLambdaReady(bundle, 'example job');
    expect(bundle.sources.some((s) => s.endsWith('jobs/example-job.ts'))).toBe(true);
    expect(bundle.sources.some((s) => s.endsWith('lambda/cron-singleton.ts'))).toBe(true);
  });
});
