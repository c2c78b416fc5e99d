/**
 * The README's TypeScript blocks as programs (docs/decisions/readme-blocks.md).
 * Every ```ts block is preceded by a marker, `<!-- block: NAME -->`, or
 * `<!-- block: NAME run -->` for one that also runs against DynamoDB Local.
 * A block that is a fragment (the CDK example uses `this`) is wrapped in the
 * smallest scaffold that makes it a program, `test/readme/NAME.ts`: its
 * imports come first, then the block's own imports, then its code where the
 * scaffold says `// README BLOCK`, then the scaffold's checks.
 *
 *   npx tsx scripts/readme-blocks.ts      type-checks every block (part of `npm run typecheck`)
 *
 * The package smoke test runs the `run` blocks against the packed tarball on
 * Node 22 and 24 (type stripping) and on Node 20 (tsx).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const SCAFFOLDS = join(ROOT, 'test', 'readme');
const MARK = '// README BLOCK';

/** One TypeScript block of the README, and the program it becomes. */
export interface ReadmeBlock {
  readonly name: string;
  /** Runs against DynamoDB Local (or in memory), not only type-checked. */
  readonly run: boolean;
  /** The README line the block starts on, for messages. */
  readonly line: number;
  readonly code: string;
  /** The block inside its scaffold, as a module (`.mts`). */
  readonly program: string;
}

/** Every ```ts block of `markdown`; a block without its marker line is an error naming the line. */
export function readmeBlocks(markdown = readFileSync(join(ROOT, 'README.md'), 'utf8')): ReadmeBlock[] {
  const lines = markdown.split('\n');
  const blocks: ReadmeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^```(ts|typescript)\s*$/.test(lines[i]!)) continue;
    const marker = /^<!-- block: ([a-z0-9-]+)( run)? -->$/.exec(lines[i - 1] ?? '');
    if (!marker) throw new Error(`README.md:${i + 1}: a TypeScript block needs a marker line before it: <!-- block: NAME --> (or NAME run)`);
    const end = lines.indexOf('```', i + 1);
    const code = lines.slice(i + 1, end).join('\n');
    const name = marker[1]!;
    if (blocks.some((b) => b.name === name)) throw new Error(`README.md:${i}: block name ${name} is used twice`);
    blocks.push({ name, run: marker[2] !== undefined, line: i + 1, code, program: program(name, code) });
    i = end;
  }
  return blocks;
}

/** The block inside its scaffold, if it has one: imports first, then the scaffold around the code. */
function program(name: string, code: string): string {
  const path = join(SCAFFOLDS, `${name}.ts`);
  if (!existsSync(path)) return `${code}\nexport {};\n`;
  const scaffold = readFileSync(path, 'utf8');
  if (!scaffold.includes(MARK)) throw new Error(`${relative(ROOT, path)} has no "${MARK}" line`);
  const isImport = (line: string) => /^import\s/.test(line);
  const codeLines = code.split('\n');
  const scaffoldLines = scaffold.split('\n');
  const imports = [...scaffoldLines.filter(isImport), ...codeLines.filter(isImport)];
  const body = scaffoldLines.filter((line) => !isImport(line)).join('\n');
  return `${imports.join('\n')}\n${body.replace(MARK, codeLines.filter((line) => !isImport(line)).join('\n'))}\nexport {};\n`;
}

/** Writes each block's program to `dir` as `<name>.mts`, with a tsconfig naming them; returns the files. */
export function writePrograms(dir: string, blocks: readonly ReadmeBlock[]): string[] {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return blocks.map((block) => {
    const file = join(dir, `${block.name}.mts`);
    writeFileSync(file, `// README.md:${block.line}, block "${block.name}"\n${block.program}`);
    return file;
  });
}

/** Type-checks every block against the package's sources, as `baton-lease` and its entries. */
function typecheck(): void {
  const blocks = readmeBlocks();
  const dir = join(ROOT, 'node_modules', '.cache', 'baton-readme-blocks');
  const files = writePrograms(dir, blocks);
  const source = (path: string) => [relative(dir, join(ROOT, path))];
  const tsconfig = {
    extends: relative(dir, join(ROOT, 'tsconfig.json')),
    compilerOptions: {
      noEmit: true,
      // What a user's project has: no unused-variable rules, no index-access strictness of ours.
      noUncheckedIndexedAccess: false,
      paths: {
        'baton-lease': source('lib/runtime/index.ts'),
        'baton-lease/lambda': source('lambda/cron-singleton.ts'),
        'baton-lease/cdk': source('lib/cdk/index.ts'),
        'baton-lease/testing': source('lib/testing/index.ts'),
      },
    },
    files: files.map((file) => relative(dir, file)),
    include: [],
    exclude: [],
  };
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
  try {
    execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir], { stdio: 'inherit' });
  } catch {
    console.error(`readme-blocks: a README block does not type-check (above: the file names the block; its scaffold is test/readme/<name>.ts)`);
    process.exit(1);
  }
  console.log(`readme-blocks: ${blocks.length} TypeScript blocks of README.md type-check (${blocks.filter((b) => b.run).length} of them also run in the smoke test)`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) typecheck();
