import fc from 'fast-check';
import { LeaseError } from '../../lib/runtime/index.js';

// Arbitraries and helpers for the public-API property tests
// (test/integration/public-api-fuzz.test.ts, test/cdk/props-fuzz.test.ts):
// wrong values for any parameter, and near misses of a valid call.

/** What the caller's own getters and Proxy traps throw: it may pass through Baton unchanged. */
export class CallerError extends Error {
  override readonly name = 'CallerError';
}

/** Prints a value that cannot be inspected, for fast-check's counterexamples. */
const printable = (text: string) => ({ [fc.toStringMethod]: () => text });

/** An object whose every trap throws, but for the symbol fast-check prints counterexamples with. */
export function throwingProxy(): object {
  const trap = () => {
    throw new CallerError('trap');
  };
  const print = printable('<Proxy whose traps throw>')[fc.toStringMethod];
  return new Proxy(
    {},
    {
      // Symbol keys are fast-check's own (printing, cloning): they must not throw, or the run itself would.
      get: (_, key) => (key === fc.toStringMethod ? print : typeof key === 'symbol' ? undefined : trap()),
      has: (_, key) => (key === fc.toStringMethod ? true : typeof key === 'symbol' ? false : trap()),
      ownKeys: trap,
      getOwnPropertyDescriptor: (_, key) => (typeof key === 'symbol' ? undefined : trap()),
      set: trap,
    },
  );
}

export function withThrowingGetter(object: Record<string, unknown>, key: string): Record<string, unknown> {
  const copy = { ...object };
  Object.defineProperty(copy, fc.toStringMethod, {
    value: () => `<${JSON.stringify(Object.keys(object))} with a throwing getter ${key}>`,
  });
  Object.defineProperty(copy, key, {
    enumerable: true,
    get() {
      throw new CallerError(`getter ${key}`);
    },
  });
  return copy;
}

/** Values that are wrong for almost any parameter, and some that are nearly right. */
export const weird: fc.Arbitrary<unknown> = fc.oneof(
  fc.anything({
    withBigInt: true,
    withDate: true,
    withMap: true,
    withSet: true,
    withNullPrototype: true,
    withBoxedValues: true,
    withSparseArray: true,
    withTypedArray: true,
  }),
  fc.constantFrom<unknown>(
    NaN,
    Infinity,
    -Infinity,
    -1,
    0,
    -0,
    0.5,
    2 ** 31,
    2 ** 53,
    Number.MAX_VALUE,
    '',
    ' ',
    '500',
    'x'.repeat(300),
    null,
    undefined,
    true,
    [],
    {},
    1n,
    Symbol('s'),
  ),
  fc.constant(0).map(() => new Date(NaN)),
  fc.constant(0).map(() => Object.create(null) as unknown),
  fc.constant(0).map(() => ({ toString: 1, valueOf: 1 })),
  fc.constant(0).map(() => throwingProxy()),
  fc.constant(0).map(() => () => {
    throw new CallerError('function');
  }),
);

/** `valid()` with one of `keys` replaced by a weird value. */
export function withWeirdField(
  valid: () => Record<string, unknown>,
  keys: readonly string[],
): fc.Arbitrary<Record<string, unknown>> {
  return fc.tuple(fc.constantFrom(...keys), weird).map(([key, value]) => ({ ...valid(), [key]: value }));
}

/** `valid()` with one of `keys` left out. */
export function withoutField(
  valid: () => Record<string, unknown>,
  keys: readonly string[],
): fc.Arbitrary<Record<string, unknown>> {
  return fc.constantFrom(...keys).map((key) => Object.fromEntries(Object.entries(valid()).filter(([k]) => k !== key)));
}

/**
 * A valid value (made fresh for each run by `valid`) or a near miss of it: a
 * weird value in its place, or for an object one field replaced, removed,
 * added or turned into a throwing getter, a null-prototype copy, a Proxy.
 */
export function nearMiss(valid: () => unknown): fc.Arbitrary<unknown> {
  const sample = valid();
  const fresh = fc.constant(0).map(valid);
  // Valid about half the time, so that calls whose other arguments are valid get past validation too.
  if (sample === null || typeof sample !== 'object' || Array.isArray(sample))
    return fc.oneof({ weight: 3, arbitrary: fresh }, weird, fc.string());
  const keys = Object.keys(sample);
  const asRecord = () => valid() as Record<string, unknown>;
  return fc.oneof(
    { weight: 12, arbitrary: fresh },
    { weight: 2, arbitrary: weird },
    { weight: 6, arbitrary: withWeirdField(asRecord, keys) },
    { weight: 1, arbitrary: withoutField(asRecord, keys) },
    { weight: 1, arbitrary: fc.tuple(fc.string(), weird).map(([key, value]) => ({ ...asRecord(), [key]: value })) },
    { weight: 1, arbitrary: fc.constantFrom(...keys).map((key) => withThrowingGetter(asRecord(), key)) },
    { weight: 1, arbitrary: fc.constant(0).map(() => Object.assign(Object.create(null) as object, asRecord())) },
    { weight: 1, arbitrary: fc.constant(0).map(() => throwingProxy()) },
  );
}

/** A string argument: valid, near misses of it, or anything. */
export const nameArg = (valid: () => string) =>
  fc.oneof(
    { weight: 3, arbitrary: nearMiss(valid) },
    fc.string({ maxLength: 250 }),
    fc.constantFrom('', ' ', 'a#b', 'x'.repeat(201), 'ü'),
  );

/** The call's outcome: it returned, threw (synchronously or by rejecting), or was still pending after `pendingMs`. */
export async function outcome(call: () => unknown, pendingMs = 1_500): Promise<{ threw: boolean; error?: unknown }> {
  try {
    const result = call();
    if (result !== null && typeof (result as PromiseLike<unknown> | undefined)?.then === 'function') {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([result, new Promise((resolve) => (timer = setTimeout(resolve, pendingMs)))]).finally(() =>
        clearTimeout(timer),
      );
    }
    return { threw: false };
  } catch (error) {
    return { threw: true, error };
  }
}

/**
 * Whether a call that threw refused as Baton promises: a `LeaseError` (a
 * `LeaseValidationError` among them), the caller's own error passed through
 * (`CallerError`), or one of `alsoAccepted`.
 */
export function isPromisedRefusal(error: unknown, alsoAccepted: (error: unknown) => boolean = () => false): boolean {
  return error instanceof LeaseError || error instanceof CallerError || alsoAccepted(error);
}

export function describeError(error: unknown): string {
  if (error instanceof Error)
    return `${error.name}: ${error.message}\n${error.stack?.split('\n').slice(1, 4).join('\n')}`;
  try {
    return `non-error ${String(error)}`;
  } catch {
    return 'non-error (unprintable)';
  }
}
