import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runBaton, runLab } from '../../support/cli.js';

const cwd = mkdtempSync(join(tmpdir(), 'baton-cli-'));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

describe('the operator CLI (baton)', () => {
  it('offers status, watch and release, and none of the lab commands', async () => {
    const { code, output } = await runBaton(['--help'], cwd);
    expect(code).toBe(0);
    for (const command of ['status', 'watch', 'release']) expect(output).toMatch(new RegExp(`^  ${command} `, 'm'));
    for (const command of ['demo', 'bench', 'chaos', 'sim', 'tour'])
      expect(output).not.toMatch(new RegExp(`^  ${command} `, 'm'));
  });

  it('refuses a lab command in one line with exit code 2', async () => {
    const { code, output } = await runBaton(['demo'], cwd);
    expect(code).toBe(2);
    expect(output).toBe(
      'baton: unknown command "demo"; the commands are status, watch, release, steps (baton --help)\n',
    );
  });
});

describe('the lab entry (npm run demo, bench, chaos, sim, tour)', () => {
  it('prints the tour’s usage on --help instead of running it', async () => {
    const { code, output } = await runLab(['tour', '--help'], cwd);
    expect(code).toBe(0);
    expect(output).toMatch(/^usage: baton tour\n/);
    expect(output).not.toMatch(/Starting DynamoDB Local/);
  });

  it('offers the lab commands and not the operator ones', async () => {
    const { code, output } = await runLab(['--help'], cwd);
    expect(code).toBe(0);
    for (const command of ['demo', 'bench', 'chaos', 'sim', 'tour'])
      expect(output).toMatch(new RegExp(`^  ${command} `, 'm'));
    expect(output).not.toMatch(/^ {2}status /m);
  });
});
