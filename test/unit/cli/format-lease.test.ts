import { describe, expect, it } from 'vitest';
import { formatLease } from '../../../bin/commands/connection.js';

const NOW = Date.UTC(2026, 0, 1);

describe('formatLease (baton status)', () => {
  it('shows a free lease that a handoff request keeps for its requester, and until when', () => {
    const text = formatLease(
      'svc',
      { name: 'svc', token: 4, expiresAt: NOW + 10_000, handoffTo: 'scheduler-b', handoffPriority: 3 },
      NOW,
    );
    expect(text).toMatch(/^state\s+free, kept for scheduler-b \(priority 3\) until expiresAt plus the skew bound$/m);
    expect(text).toMatch(/^expiresAt\s+2026-01-01T00:00:10\.000Z$/m);
  });

  it("does not show a free lease's expiresAt as if it bound anyone when no request is pending", () => {
    const text = formatLease('svc', { name: 'svc', token: 4, expiresAt: NOW + 10_000 }, NOW);
    expect(text).toMatch(/^state\s+free$/m);
    expect(text).toMatch(/^expiresAt\s+- \(free for anyone; the item says 2026-01-01T00:00:10\.000Z\)$/m);
  });

  it('shows a held lease with the time left', () => {
    const text = formatLease('svc', { name: 'svc', token: 4, holder: 'a#1', expiresAt: NOW + 2_000 }, NOW);
    expect(text).toMatch(/^state\s+held, 2000 ms left$/m);
    expect(text).toMatch(/^expiresAt\s+2026-01-01T00:00:02\.000Z$/m);
  });
});
