import { marshall } from '@aws-sdk/util-dynamodb';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeLeaseItem } from '../../../lib/runtime/dynamodb-lease-store.js';
import type { LeaseRecord } from '../../../lib/runtime/lease-record.js';

const epochMs = fc.integer({ min: 0, max: 4_102_444_800_000 });
const count = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
const text = fc.string({ minLength: 1, maxLength: 40 });

/** Any lease record Baton could have written: the required fields, and any subset of the optional ones. */
const leaseRecord: fc.Arbitrary<LeaseRecord> = fc
  .record(
    {
      holder: text,
      token: count,
      expiresAt: epochMs,
      durationMs: fc.integer({ min: 1, max: 86_400_000 }),
      acquiredAt: epochMs,
      renewedAt: epochMs,
      releasedAt: epochMs,
      releasedBy: text,
      lastTick: epochMs,
      // A plain object, as a caller passes it (fast-check's dictionaries have no prototype).
      metadata: fc
        .dictionary(fc.stringMatching(/^[A-Za-z0-9_.:-]{1,64}$/), fc.string({ maxLength: 40 }), { maxKeys: 4 })
        .map((m) => ({ ...m })),
      version: count,
      priority: fc.integer({ min: 0, max: 1_000_000 }),
      handoffTo: text,
      handoffPriority: fc.integer({ min: 0, max: 1_000_000 }),
    },
    { requiredKeys: ['token', 'expiresAt'] },
  )
  .map((fields) => ({ name: 'decode/lease', ...fields }));

describe('decodeLeaseItem', () => {
  it('reads back every record as the SDK marshals it, absent fields absent', () => {
    fc.assert(
      fc.property(leaseRecord, (record) => {
        const { name, ...attributes } = record;
        const item = marshall({ pk: name, sk: 'LEASE', ...attributes });
        expect(decodeLeaseItem(name, item)).toStrictEqual(record);
      }),
    );
  });

  it('leaves out attributes of an unexpected type, and reads a missing token or expiry as 0', () => {
    const item = marshall({ holder: 7, releasedAt: 'yesterday', metadata: { region: 'eu-west-1', retries: 3 } });
    expect(decodeLeaseItem('decode/odd', item)).toStrictEqual({
      name: 'decode/odd',
      token: 0,
      expiresAt: 0,
      metadata: { region: 'eu-west-1' },
    });
  });
});
