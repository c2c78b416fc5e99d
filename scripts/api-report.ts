/**
 * The API report: what each entry point of baton-lease exports, as
 * @microsoft/api-extractor sees the declarations, checked in under `etc/`
 * so that every change to the public surface shows in review.
 *
 * `npm run api` checks the reports against the code and fails on a
 * difference; `npm run api -- --update` rewrites them.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Extractor, ExtractorConfig } from '@microsoft/api-extractor';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const OUT = join(ROOT, '.build', 'api');
const ENTRIES = {
  'baton-lease': 'lib/runtime/index',
  'baton-lease-cdk': 'lib/cdk/index',
  'baton-lease-testing': 'lib/testing/index',
  'baton-lease-lambda': 'lambda/cron-singleton',
};
const update = process.argv.includes('--update');

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
// The package's own build settings (stripInternal included), for the four entry points only.
const project = join(OUT, 'tsconfig.json');
writeFileSync(
  project,
  JSON.stringify({
    extends: '../../tsconfig.build.json',
    compilerOptions: { rootDir: '../..', outDir: '.', emitDeclarationOnly: true },
    files: Object.values(ENTRIES).map((e) => `../../${e}.ts`),
    include: [],
  }),
);
execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project], {
  cwd: ROOT,
  stdio: 'inherit',
});

let failed = 0;
for (const [name, entry] of Object.entries(ENTRIES)) {
  const config = ExtractorConfig.prepare({
    configObject: {
      projectFolder: ROOT,
      mainEntryPointFilePath: join(OUT, `${entry}.d.ts`),
      bundledPackages: [],
      compiler: { tsconfigFilePath: join(ROOT, 'tsconfig.json') },
      apiReport: {
        enabled: true,
        reportFileName: `${name}.api.md`,
        reportFolder: join(ROOT, 'etc'),
        reportTempFolder: join(OUT, 'temp'),
      },
      docModel: { enabled: false },
      dtsRollup: { enabled: false },
      tsdocMetadata: { enabled: false },
      messages: {
        // The report is about the surface; doc-comment style is not checked here.
        extractorMessageReporting: { default: { logLevel: 'none' as never } },
        tsdocMessageReporting: { default: { logLevel: 'none' as never } },
        compilerMessageReporting: { default: { logLevel: 'warning' as never } },
      },
    },
    configObjectFullPath: join(ROOT, 'api-extractor.json'),
    packageJsonFullPath: join(ROOT, 'package.json'),
  });
  const result = Extractor.invoke(config, { localBuild: update, showVerboseMessages: false });
  if (!result.succeeded || (!update && result.apiReportChanged)) {
    failed++;
    console.error(
      `api: the public API of ${name} differs from etc/${name}.api.md; review it, then run \`npm run api -- --update\``,
    );
  }
}
// The declarations were only the extractor's input; leave nothing for the linter to find.
rmSync(OUT, { recursive: true, force: true });
process.exitCode = failed ? 1 : 0;
