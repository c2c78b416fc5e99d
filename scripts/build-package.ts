/**
 * Builds the package: the same sources compiled twice, to ES modules
 * (`dist/esm`) and to CommonJS (`dist/cjs`), each tree marked with its own
 * `package.json` type. The reasons, and why not tshy, are in
 * docs/decisions/package.md.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transformSync } from 'esbuild';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
/** What the CommonJS build compiles: every entry but the CLI, which ships as ESM only. */
const CJS_ENTRIES = ['lib/runtime/index.ts', 'lambda/cron-singleton.ts', 'lib/cdk/index.ts', 'lib/testing/index.ts'];
/** Where the CommonJS build stages its copy of the sources; inside the repository so node_modules resolves. */
const STAGE = join(ROOT, '.build', 'cjs');
/** Files tsc does not emit that the compiled package still needs, relative to each tree. */
const ASSETS = ['lib/testing/java'];

function tsc(project: string): void {
  execFileSync(process.execPath, [TSC, '-p', project], { cwd: ROOT, stdio: 'inherit' });
}

function markDialect(dir: string, type: 'module' | 'commonjs'): void {
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ type }, null, 2)}\n`);
}

function copyAssets(tree: string): void {
  for (const asset of ASSETS) cpSync(join(ROOT, asset), join(tree, asset), { recursive: true });
}

/** Every `x-cjs.cts` in the staged tree replaces its `x.ts`, as tshy's dialect overrides do. */
function applyCommonJSOverrides(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    if (entry.isDirectory()) applyCommonJSOverrides(path);
    else if (entry.name.endsWith('-cjs.cts')) renameSync(path, path.replace(/-cjs\.cts$/, '.ts'));
  }
}

/**
 * Keeps the tarball small (docs/decisions/package.md#size): the JavaScript
 * loses its comments and whitespace, as aws-cdk-lib's does, while names and
 * syntax stay as written; the declarations keep every comment for editors,
 * indented by 2 spaces instead of tsc's 4.
 */
function compact(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    if (entry.isDirectory()) {
      compact(path);
    } else if (entry.name.endsWith('.d.ts')) {
      writeFileSync(path, readFileSync(path, 'utf8').replace(/^(?: {4})+/gm, (indent) => indent.slice(indent.length / 2)));
    } else if (entry.name.endsWith('.js')) {
      const source = readFileSync(path, 'utf8');
      const shebang = source.startsWith('#!') ? source.slice(0, source.indexOf('\n') + 1) : '';
      writeFileSync(path, shebang + transformSync(source.slice(shebang.length), { loader: 'js', minifyWhitespace: true, legalComments: 'none' }).code);
    }
  }
}

function buildESM(): void {
  const out = join(ROOT, 'dist', 'esm');
  tsc('tsconfig.build.json');
  // The CLI is a program, not an API: no declarations.
  tsc('tsconfig.build.bin.json');
  compact(out);
  markDialect(out, 'module');
  copyAssets(out);
  chmodSync(join(out, 'bin', 'baton.js'), 0o755);
}

function buildCommonJS(): void {
  const out = join(ROOT, 'dist', 'cjs');
  rmSync(STAGE, { recursive: true, force: true });
  for (const dir of ['lib', 'lambda']) {
    cpSync(join(ROOT, dir), join(STAGE, dir), { recursive: true });
  }
  applyCommonJSOverrides(STAGE);
  markDialect(STAGE, 'commonjs');
  const config = {
    extends: relative(STAGE, join(ROOT, 'tsconfig.build.json')),
    // verbatimModuleSyntax forbids `import` syntax in CommonJS files; tsc
    // rewrites it to require() here, which is the point of this build.
    compilerOptions: { verbatimModuleSyntax: false, rootDir: '.', outDir: relative(STAGE, out) },
    files: CJS_ENTRIES,
    include: [],
  };
  writeFileSync(join(STAGE, 'tsconfig.json'), JSON.stringify(config, null, 2));
  try {
    tsc(join(STAGE, 'tsconfig.json'));
  } finally {
    rmSync(STAGE, { recursive: true, force: true });
  }
  compact(out);
  markDialect(out, 'commonjs');
  copyAssets(out);
}

rmSync(join(ROOT, 'dist'), { recursive: true, force: true });
buildESM();
buildCommonJS();
if (!existsSync(join(ROOT, 'dist', 'cjs', 'lib', 'runtime', 'index.js'))) throw new Error('the CommonJS build wrote no runtime entry');
console.log('built dist/esm and dist/cjs');
