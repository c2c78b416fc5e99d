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

/** A code block as a program: the block inside its scaffold, as a module (`.mts`). */
export interface Program {
  /** The file's name, without `.mts`. */
  readonly name: string;
  /** Where the block comes from, for messages: `file:line` and more. */
  readonly origin: string;
  readonly program: string;
}

/** One TypeScript block of the README, and the program it becomes. */
export interface ReadmeBlock extends Program {
  /** Runs against DynamoDB Local (or in memory), not only type-checked. */
  readonly run: boolean;
  /** The README line the block starts on, for messages. */
  readonly line: number;
  readonly code: string;
}

/** Every ```ts block of `markdown`; a block without its marker line is an error naming the line. */
export function readmeBlocks(markdown = readFileSync(join(ROOT, 'README.md'), 'utf8')): ReadmeBlock[] {
  const lines = markdown.split('\n');
  const blocks: ReadmeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^```(ts|typescript)\s*$/.test(lines[i]!)) continue;
    const marker = /^<!-- block: ([a-z0-9-]+)( run)? -->$/.exec(lines[i - 1] ?? '');
    if (!marker)
      throw new Error(
        `README.md:${i + 1}: a TypeScript block needs a marker line before it: <!-- block: NAME --> (or NAME run)`,
      );
    const end = lines.indexOf('```', i + 1);
    const code = lines.slice(i + 1, end).join('\n');
    const name = marker[1]!;
    if (blocks.some((b) => b.name === name)) throw new Error(`README.md:${i}: block name ${name} is used twice`);
    blocks.push({
      name,
      origin: `README.md:${i + 1}, block "${name}"`,
      run: marker[2] !== undefined,
      line: i + 1,
      code,
      program: program(name, code),
    });
    i = end;
  }
  return blocks;
}

/** The block inside its scaffold, if it has one. */
function program(name: string, code: string): string {
  const path = join(SCAFFOLDS, `${name}.ts`);
  return existsSync(path) ? inScaffold(path, code, MARK) : `${code}\nexport {};\n`;
}

/** `code` inside the scaffold file at `path`: the imports of both first, then the scaffold with `code` where its `mark` line is. */
export function inScaffold(path: string, code: string, mark: string): string {
  const scaffold = readFileSync(path, 'utf8');
  if (!scaffold.includes(mark)) throw new Error(`${relative(ROOT, path)} has no "${mark}" line`);
  const isImport = (line: string) => /^import\s/.test(line);
  const codeLines = code.split('\n');
  const scaffoldLines = scaffold.split('\n');
  const imports = [...scaffoldLines.filter(isImport), ...codeLines.filter(isImport)];
  const body = scaffoldLines.filter((line) => !isImport(line)).join('\n');
  return (
    `${imports.join('\n')}\n${body.replace(mark, codeLines.filter((line) => !isImport(line)).join('\n'))}\nexport ` +
    `{};\n`
  );
}

/** Writes each block's program to `dir` as `<name>.mts`; returns the files. */
export function writePrograms(dir: string, blocks: readonly Program[]): string[] {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return blocks.map((block) => {
    const file = join(dir, `${block.name}.mts`);
    writeFileSync(file, `// ${block.origin}\n${block.program}`);
    return file;
  });
}

/**
 * Type-checks programs against the package's sources, as `baton-lease` and its
 * entries, in `dir` (emptied first) with a tsconfig naming them. False when
 * one fails; tsc's messages name the file, whose first line names the block.
 */
export function typecheckPrograms(dir: string, programs: readonly Program[]): boolean {
  const files = writePrograms(dir, programs);
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
        'baton-lease/internal': source('lib/internal/index.ts'),
      },
    },
    files: files.map((file) => relative(dir, file)),
    include: [],
    exclude: [],
  };
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
  try {
    execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir], {
      stdio: 'inherit',
    });
    return true;
  } catch {
    return false;
  }
}

/** Type-checks every block of the README. */
function typecheck(): void {
  const blocks = readmeBlocks();
  if (!typecheckPrograms(join(ROOT, 'node_modules', '.cache', 'baton-readme-blocks'), blocks)) {
    console.error(
      `readme-blocks: a README block does not type-check (above: the file names the block; its scaffold ` +
        `is test/readme/<name>.ts)`,
    );
    process.exit(1);
  }
  console.log(
    `readme-blocks: ${blocks.length} TypeScript blocks of README.md type-check (${blocks.filter((b) => b.run).length} ` +
      `of them also run in the smoke test)`,
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) typecheck();
