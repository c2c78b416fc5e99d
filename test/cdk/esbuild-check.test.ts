import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { esbuildAvailable } from '../../lib/cdk/package-paths.js';
import { LeaseValidationError } from '../../lib/runtime/errors.js';
import { testSingleton } from './cdk-test-app.js';

/** The project has no esbuild: what `esbuildAvailable` answers, for the construct. */
const esbuild = vi.hoisted(() => ({ missing: false }));
vi.mock('../../lib/cdk/package-paths.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../lib/cdk/package-paths.js')>();
  return {
    ...original,
    esbuildAvailable: (...args: Parameters<typeof original.esbuildAvailable>) =>
      !esbuild.missing && original.esbuildAvailable(...args),
  };
});

describe('CronSingleton without esbuild', () => {
  afterEach(() => {
    esbuild.missing = false;
  });

  it('refuses the entry and names the package to install, instead of bundling in Docker', () => {
    esbuild.missing = true;
    const error = (() => {
      try {
        testSingleton();
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(LeaseValidationError);
    expect(error).toMatchObject({ field: 'entry' });
    expect((error as Error).message).toContain('npm install --save-dev esbuild');
  });

  it('builds when esbuild is found', () => {
    expect(() => testSingleton()).not.toThrow();
  });
});

/**
 * A scratch project: `node_modules/aws-cdk-lib`, optionally
 * `node_modules/esbuild`, and a `bin` folder for PATH, with no node_modules
 * above it that could hold either.
 */
describe('esbuildAvailable', () => {
  let project: string;
  let bin: string;
  const module = (): string => join(project, 'app.js');
  const addPackage = (name: string): void => {
    mkdirSync(join(project, 'node_modules', name), { recursive: true });
    writeFileSync(join(project, 'node_modules', name, 'package.json'), JSON.stringify({ name, version: '0.0.0' }));
  };

  beforeEach(() => {
    project = mkdtempSync(join(tmpdir(), 'baton-esbuild-'));
    bin = join(project, 'bin');
    mkdirSync(bin);
    addPackage('aws-cdk-lib');
  });
  afterEach(() => {
    rmSync(project, { recursive: true, force: true });
  });

  it('is false when neither aws-cdk-lib resolves esbuild nor PATH has it', () => {
    expect(esbuildAvailable(module(), bin)).toBe(false);
  });

  it('is true when esbuild resolves from aws-cdk-lib', () => {
    addPackage('esbuild');
    expect(esbuildAvailable(module(), bin)).toBe(true);
  });

  it('is true when an esbuild on PATH answers --version', () => {
    writeFileSync(join(bin, 'esbuild'), '#!/bin/sh\necho 0.0.0\n');
    chmodSync(join(bin, 'esbuild'), 0o755);
    expect(esbuildAvailable(module(), bin)).toBe(true);
  });

  it('is false when the esbuild on PATH fails', () => {
    writeFileSync(join(bin, 'esbuild'), '#!/bin/sh\nexit 1\n');
    chmodSync(join(bin, 'esbuild'), 0o755);
    expect(esbuildAvailable(module(), bin)).toBe(false);
  });

  it("finds this repository's esbuild by default", () => {
    expect(esbuildAvailable()).toBe(true);
  });
});
