import { describe, expect, it } from 'vitest';
import {
  LeaseError,
  LeaseHandoffError,
  LeaseLostError,
  LeaseUnavailableError,
  LeaseValidationError,
  StaleTokenError,
} from '../../../lib/runtime/index.js';

const samples: [string, () => LeaseError][] = [
  ['LeaseError', () => new LeaseError('x')],
  ['LeaseValidationError', () => new LeaseValidationError('field', 'is wrong')],
  ['LeaseUnavailableError', () => new LeaseUnavailableError('l', undefined, 'held')],
  ['LeaseLostError', () => new LeaseLostError('l', 'deadline')],
  ['StaleTokenError', () => new StaleTokenError(1, 2)],
  ['LeaseHandoffError', () => new LeaseHandoffError('l', undefined)],
];

describe('error names', () => {
  it.each(samples)('%s keeps its name when a minifier renames the class', (name, make) => {
    const cls = make().constructor;
    const original = Object.getOwnPropertyDescriptor(cls, 'name')!;
    Object.defineProperty(cls, 'name', { value: 'e', configurable: true });
    try {
      const error = make();
      expect(error.name).toBe(name);
      expect(String(error)).toMatch(new RegExp(`^${name}: `));
      expect(error).toBeInstanceOf(LeaseError);
    } finally {
      Object.defineProperty(cls, 'name', original);
    }
  });
});
