import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { DOC_PATH } from '../../../sim/command.js';
import { docValues, renderDoc } from '../../../sim/docs-tables.js';
import { runPaper } from '../../../sim/paper.js';

describe('docs/election-lab.md', () => {
  it('quotes exactly what a fresh run of the lab measures (npm run sim -- --docs rewrites it)', async () => {
    // Arrange
    const page = await readFile(DOC_PATH, 'utf8');

    // Act: the full runs behind the page, the paper's 1000 trials included.
    const fresh = renderDoc(page, await docValues(await runPaper()));

    // Assert: every generated block and value is present and current.
    expect(page.match(/<!-- \/generated:/g)).toHaveLength(6);
    expect(page.match(/<!-- value:/g)!.length).toBeGreaterThan(40);
    expect(fresh).toBe(page);
  }, 180_000);

  it('notices a stale number and an unknown marker', async () => {
    const doc = { blocks: { t: '| a |' }, values: { 'seed1.raft.steady.messages': 2367 } };
    const stale =
      'Raft sends <!-- value:seed1.raft.steady.messages -->2,000<!-- /value --> messages.\n<!-- generated:t ' +
      '-->\nold\n<!-- /generated:t -->';
    expect(renderDoc(stale, doc)).toBe(
      'Raft sends <!-- value:seed1.raft.steady.messages -->2,367<!-- /value --> messages.\n<!-- generated:t ' +
        '-->\n| a |\n<!-- /generated:t -->',
    );
    expect(() => renderDoc('<!-- value:seed1.raft.steady.mesages -->1<!-- /value -->', doc)).toThrow(/mesages/);
  });
});
