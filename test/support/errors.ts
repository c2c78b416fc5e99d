import { LeaseValidationError } from '../../lib/runtime/errors.js';

/** The `LeaseValidationError` that `build` throws, for assertions on its fields; fails the test if it throws nothing or something else. */
export function validationErrorOf(build: () => unknown): LeaseValidationError {
  try {
    build();
  } catch (error) {
    if (error instanceof LeaseValidationError) return error;
    throw error;
  }
  throw new Error('expected a LeaseValidationError');
}
