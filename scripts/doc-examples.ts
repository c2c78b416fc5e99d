/**
 * The `@example` blocks of the doc comments in lib/, lambda/ and bin/ as
 * programs, type-checked in `npm run typecheck` as the README's blocks are
 * (docs/decisions/readme-blocks.md). Every `@example` is a ```ts block; an
 * example is a fragment, so it goes inside its entry's scaffold,
 * `test/doc-examples/<runtime|cdk|testing|lambda>.ts`, which declares the
 * names the examples assume (`leases`, `this` as a Stack) where it says
 * `// DOC EXAMPLE`.
 *
 *   npx tsx scripts/doc-examples.ts
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inScaffold, typecheckPrograms, type Program } from './readme-blocks.js';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const SCAFFOLDS = join(ROOT, 'test', 'doc-examples');
const MARK = '// DOC EXAMPLE';

/** Every `@example` of the TypeScript files under `folders`; one that is not a ```ts block is an error naming its line. */
export function docExamples(folders = ['lib', 'lambda', 'bin']): Program[] {
  const examples: Program[] = [];
  for (const file of folders.flatMap((folder) => sourceFiles(join(ROOT, folder)))) {
    const path = relative(ROOT, file);
    const lines = readFileSync(file, 'utf8').split('\n');
    for (let i = 0; i < lines.length; i++) {
      if (!/^\s*\*\s*@example\b/.test(lines[i]!)) continue;
      const text = (line: string | undefined) => (line ?? '').replace(/^\s*\* ?/, '');
      if (!/^```(ts|typescript)\s*$/.test(text(lines[i + 1])))
        throw new Error(`${path}:${i + 2}: an @example must be a \`\`\`ts block`);
      let end = i + 2;
      while (end < lines.length && text(lines[end]) !== '```' && !/\*\//.test(lines[end]!)) end++;
      if (text(lines[end]) !== '```') throw new Error(`${path}:${i + 2}: the @example's block is not closed`);
      const code = lines
        .slice(i + 2, end)
        .map(text)
        .join('\n');
      examples.push({
        name: `${path.replace(/\.ts$/, '').replace(/[/.]/g, '-')}-${i + 1}`,
        origin: `${path}:${i + 1}, @example`,
        program: inScaffold(scaffold(path), code, MARK),
      });
      i = end;
    }
  }
  return examples;
}

/** The scaffold of a file's entry: by its folder, `lib/<name>/` or `lambda/` or `bin/`. */
function scaffold(path: string): string {
  const [top, sub] = path.split('/');
  const file = join(SCAFFOLDS, `${top === 'lib' ? sub : top}.ts`);
  if (!existsSync(file))
    throw new Error(`${path} has an @example but ${relative(ROOT, file)}, its scaffold, does not exist`);
  return file;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|mts|cts)$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

const examples = docExamples();
if (!typecheckPrograms(join(ROOT, 'node_modules', '.cache', 'baton-doc-examples'), examples)) {
  console.error(
    '\ndoc-examples: an @example does not type-check (above: each file names its source line; the ' +
      'scaffolds are test/doc-examples/<entry>.ts)',
  );
  process.exit(1);
}
console.log(`doc-examples: ${examples.length} @example blocks of lib/, lambda/ and bin/ type-check`);
