/**
 * Builds the package: the same sources compiled twice, to ES modules
 * (`dist/esm`) and to CommonJS (`dist/cjs`), each tree marked with its own
 * `package.json` type, with one set of declarations (the CommonJS tree's,
 * which the ESM entries re-export). The reasons, and why not tshy, are in
 * docs/decisions/package.md.
 */
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transformSync } from 'esbuild';
import ts from 'typescript';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
/** The operator CLI, which ships as ESM only (`bin` in package.json). */
const CLI_ENTRY = 'bin/baton.ts';
/** What the CommonJS build compiles: every entry but the CLI. */
const CJS_ENTRIES = ['lib/runtime/index.ts', 'lambda/cron-singleton.ts', 'lib/cdk/index.ts', 'lib/testing/index.ts'];
/** Where the CommonJS build stages its copy of the sources; inside the repository so node_modules resolves. */
const STAGE = join(ROOT, '.build', 'cjs');
/** Where the doc comments' `docs/...` references point once shipped: the package holds no docs. */
const DOCS_URL = 'https://github.com/baton-lease/baton/blob/main/docs/';
/** Files tsc does not emit that both compiled trees need, copied once into `dist/` (the launcher looks there). */
const SHARED_ASSETS = { 'lib/testing/java': 'java' };

function tsc(project: string): void {
  execFileSync(process.execPath, [TSC, '-p', project], { cwd: ROOT, stdio: 'inherit' });
}

function markDialect(dir: string, type: 'module' | 'commonjs'): void {
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ type }, null, 2)}\n`);
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
 * Keeps the tarball small (docs/decisions/package.md#size-one-set-of-declarations):
 * the JavaScript loses its comments and whitespace, as aws-cdk-lib's does, and
 * esbuild shortens the ESM tree's syntax where the meaning is the same, while
 * every name stays as written (stack traces and error names read as in the
 * sources). The CommonJS tree keeps tsc's syntax: Node finds the named exports
 * an ES module imports from CommonJS by reading it (`exports.X = `,
 * `enumerable: true`), and shortened syntax hides them. The
 * declarations keep every comment for editors, indented by 2 spaces instead of tsc's 4,
 * with their `docs/...` references made absolute: an installed package has no docs folder.
 */
function compact(dir: string, { shortenSyntax }: { shortenSyntax: boolean }): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    if (entry.isDirectory()) {
      compact(path, { shortenSyntax });
    } else if (entry.name.endsWith('.d.ts')) {
      const declarations = readFileSync(path, 'utf8').replace(/^(?: {4})+/gm, (indent) =>
        indent.slice(indent.length / 2),
      );
      writeFileSync(path, absoluteDocLinks(declarations));
    } else if (entry.name.endsWith('.js')) {
      const source = readFileSync(path, 'utf8');
      const shebang = source.startsWith('#!') ? source.slice(0, source.indexOf('\n') + 1) : '';
      writeFileSync(
        path,
        shebang +
          transformSync(source.slice(shebang.length), {
            loader: 'js',
            minifyWhitespace: true,
            minifySyntax: shortenSyntax,
            legalComments: 'none',
          }).code,
      );
    }
  }
}

/** `docs/protocol.md#renew` in a comment becomes a link into the repository, which every reader can open. */
function absoluteDocLinks(text: string): string {
  return text.replace(/(?<![\w./:-])docs\/(?=[\w./-]+\.md)/g, DOCS_URL);
}

/** Every module a declaration file names: imports, re-exports, `import('…')` types and type references. */
function specifiersOf(declarations: string): string[] {
  const { importedFiles, typeReferenceDirectives } = ts.preProcessFile(declarations, true, true);
  return [...importedFiles, ...typeReferenceDirectives].map((file) => file.fileName);
}

/** The package a bare specifier names: `@scope/name` or `name`. */
function packageOf(specifier: string): string {
  return specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');
}

/**
 * Whether a package's `exports` give `import` and `require` different
 * declarations (Powertools does). Such a package's classes are two distinct
 * types to TypeScript, one per condition.
 */
function hasTypesPerCondition(name: string): boolean {
  if (isBuiltin(name)) return false;
  // Where TypeScript finds the package's types: its own folder, or its DefinitelyTyped one.
  const typed = [name, `@types/${name.replace(/^@/, '').replace('/', '__')}`].map((dir) =>
    join(ROOT, 'node_modules', dir, 'package.json'),
  );
  const manifest = typed.find((path) => existsSync(path));
  if (!manifest) throw new Error(`the declarations name ${name}, which is not installed`);
  const { exports } = JSON.parse(readFileSync(manifest, 'utf8')) as { exports?: unknown };
  const differs = (node: unknown): boolean => {
    if (node === null || typeof node !== 'object') return false;
    const conditions = node as Record<string, unknown>;
    if (
      'import' in conditions &&
      'require' in conditions &&
      JSON.stringify(conditions['import']) !== JSON.stringify(conditions['require'])
    )
      return true;
    return Object.values(conditions).some(differs);
  };
  return differs(exports);
}

/**
 * One set of declarations, the CommonJS tree's
 * (docs/decisions/package.md#size-one-set-of-declarations): each ESM entry's
 * declaration file becomes one line re-exporting the CommonJS entry's, and
 * every other ESM declaration file goes, as do CommonJS declaration files
 * that no entry's declarations reach (helpers whose types no user sees). An
 * entry that itself imports a package with declarations per condition keeps
 * its own ESM declarations, so an ESM user's instance of that package's class
 * (a Powertools `Logger`) is the type the entry expects; such an entry may
 * import only other entries. A package like that anywhere else behind an
 * entry fails the build instead of shipping the wrong type.
 */
function oneSetOfDeclarations(esm: string, cjs: string): void {
  const entries = CJS_ENTRIES.map((entry) => entry.replace(/\.ts$/, '.d.ts'));
  const perCondition = new Map<string, boolean>();
  const isPerCondition = (specifier: string): boolean => {
    const name = packageOf(specifier);
    if (!perCondition.has(name)) perCondition.set(name, hasTypesPerCondition(name));
    return perCondition.get(name)!;
  };
  const inner = (tree: string, file: string, specifiers: string[]): string[] =>
    specifiers
      .filter((s) => s.startsWith('.'))
      .map((s) => relative(tree, join(tree, dirname(file), s.replace(/\.js$/, '.d.ts'))));

  const keep = new Set<string>();
  for (const entry of entries) {
    const own = specifiersOf(readFileSync(join(esm, entry), 'utf8'));
    if (!own.some((s) => !s.startsWith('.') && isPerCondition(s))) continue;
    const notEntries = inner(esm, entry, own).filter((path) => !entries.includes(path));
    if (notEntries.length > 0)
      throw new Error(
        `${entry} keeps its ESM declarations, so it may import only entries, not ${notEntries.join(', ')}`,
      );
    keep.add(entry);
  }

  const reachable = closure(entries, (file) => {
    const specifiers = specifiersOf(readFileSync(join(cjs, file), 'utf8'));
    const named = specifiers.filter((s) => !s.startsWith('.') && isPerCondition(s)).map(packageOf);
    if (named.length > 0 && !keep.has(file))
      throw new Error(`${file} names ${named.join(', ')}, whose types differ per condition; only an entry may`);
    return inner(cjs, file, specifiers);
  });
  for (const file of declarationFiles(cjs)) {
    if (!reachable.has(relative(cjs, file))) rmSync(file);
  }

  for (const file of declarationFiles(esm)) {
    const entry = relative(esm, file);
    if (keep.has(entry)) continue;
    if (!entries.includes(entry)) {
      rmSync(file);
      continue;
    }
    const target = relative(dirname(file), join(cjs, entry)).replace(/\.d\.ts$/, '.js');
    writeFileSync(file, `export * from '${target}';\n`);
  }
}

/**
 * ESM modules that ship as re-exports of their CommonJS build
 * (docs/decisions/package.md#esm-from-commonjs):
 * - the constructs: they run at synth time, in Node, which imports CommonJS
 *   natively, and no Lambda bundle holds them, so an ESM copy buys nothing;
 * - the errors: one set of classes for both formats, so `instanceof
 *   LeaseValidationError` holds whichever format threw and whichever catches
 *   (the constructs, now CommonJS, throw them too).
 */
const ESM_FROM_COMMONJS = ['lib/cdk/index.js', 'lib/runtime/errors.js'];

/** Replaces those ESM modules with re-exports, then drops the ESM modules that no ESM entry or the CLI still reaches. */
function esmFromCommonJS(esm: string, cjs: string): void {
  const require = createRequire(import.meta.url);
  for (const module of ESM_FROM_COMMONJS) {
    const target = relative(dirname(join(esm, module)), join(cjs, module));
    // Named, not `export *`, which would also re-export the `__esModule` marker Node reads from CommonJS.
    const names = Object.keys(require(join(cjs, module)) as object);
    writeFileSync(join(esm, module), `export { ${names.join(', ')} } from '${target}';\n`);
  }
  const reachable = closure(
    [...CJS_ENTRIES, CLI_ENTRY].map((entry) => join(esm, entry.replace(/\.ts$/, '.js'))),
    (file) =>
      specifiersOf(readFileSync(file, 'utf8'))
        .filter((specifier) => specifier.startsWith('.'))
        .map((specifier) => join(dirname(file), specifier))
        .filter((target) => target.startsWith(esm + '/')),
  );
  for (const entry of readdirSync(esm, { withFileTypes: true, recursive: true })) {
    const file = join(entry.parentPath, entry.name);
    if (entry.isFile() && entry.name.endsWith('.js') && !reachable.has(file)) rmSync(file);
  }
}

/** `starts` and every file reachable from them, where `next(file)` names the files `file` imports. */
function closure(starts: readonly string[], next: (file: string) => readonly string[]): Set<string> {
  const reached = new Set<string>();
  const visit = (file: string): void => {
    if (reached.has(file)) return;
    reached.add(file);
    next(file).forEach(visit);
  };
  starts.forEach(visit);
  return reached;
}

function declarationFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.d.ts'))
    .map((e) => join(e.parentPath, e.name));
}

function buildESM(): void {
  const out = join(ROOT, 'dist', 'esm');
  // The library and the CLI in one program, one type check: the CLI's
  // declarations go with every other non-entry ESM declaration file
  // (oneSetOfDeclarations), since a program has no API.
  const config = join(ROOT, '.build', 'tsconfig.esm.json');
  mkdirSync(dirname(config), { recursive: true });
  const files = [...CJS_ENTRIES, CLI_ENTRY].map((file) => relative(dirname(config), join(ROOT, file)));
  writeFileSync(
    config,
    JSON.stringify(
      { extends: relative(dirname(config), join(ROOT, 'tsconfig.build.json')), files, include: [] },
      null,
      2,
    ),
  );
  try {
    tsc(config);
  } finally {
    rmSync(config, { force: true });
  }
  compact(out, { shortenSyntax: true });
  markDialect(out, 'module');
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
  compact(out, { shortenSyntax: false });
  markDialect(out, 'commonjs');
}

rmSync(join(ROOT, 'dist'), { recursive: true, force: true });
buildESM();
buildCommonJS();
oneSetOfDeclarations(join(ROOT, 'dist', 'esm'), join(ROOT, 'dist', 'cjs'));
esmFromCommonJS(join(ROOT, 'dist', 'esm'), join(ROOT, 'dist', 'cjs'));
for (const [source, target] of Object.entries(SHARED_ASSETS))
  cpSync(join(ROOT, source), join(ROOT, 'dist', target), { recursive: true });
if (!existsSync(join(ROOT, 'dist', 'cjs', 'lib', 'runtime', 'index.js')))
  throw new Error('the CommonJS build wrote no runtime entry');
console.log('built dist/esm and dist/cjs');
