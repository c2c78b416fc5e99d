import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');

describe('docs/testing.md', () => {
  // The recipes run in CI from these files; the page must show exactly what runs.
  it.each([
    'test/recipes/src/nightly-report.ts',
    'test/recipes/vitest/global-setup.ts',
    'test/recipes/vitest/nightly-report.test.ts',
    'test/recipes/jest/jest.config.js',
    'test/recipes/jest/global-setup.js',
    'test/recipes/jest/global-teardown.js',
    'test/recipes/jest/nightly-report.test.ts',
  ])('shows %s as it runs', (path) => {
    expect(read('docs/testing.md')).toContain(`\n${read(path).trimEnd()}\n\`\`\``);
  });
});

describe('README.md', () => {
  it('links into the repository only to files that exist', () => {
    const links = [
      ...read('README.md').matchAll(/https:\/\/github\.com\/baton-lease\/baton\/blob\/main\/([^)#\s]+)/g),
    ].map((m) => m[1]!);
    expect(links.length).toBeGreaterThan(5);
    for (const path of links) expect(() => read(path), path).not.toThrow();
  });
});
