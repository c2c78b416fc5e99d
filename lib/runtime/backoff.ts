import type { RandomSource } from './clock.js';

/**
 * Full-jitter exponential backoff: a delay drawn uniformly from
 * `[0, min(capMs, baseMs * 2^attempt))`. Spreading retries over the whole
 * window keeps contenders that failed together from retrying together.
 */
export function fullJitterDelay(attempt: number, baseMs: number, capMs: number, random: RandomSource): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}

/** Attempts made by every client of this process (of this copy of the module). */
let attemptsInProcess = 0;

/**
 * @internal Starts the attempt count again at 0, so that a deterministic simulation's owner ids
 * depend on its seed alone, not on the runs the same process made before (lab/dst, docs/dst.md).
 * Only for a process whose every client belongs to the run that follows: a client of an earlier
 * run could otherwise draw an owner id again.
 */
export function restartOwnerIdCount(): void {
  attemptsInProcess = 0;
}

/**
 * A fresh owner id for one acquisition attempt: `<holderName>#<96 random bits><attempt>`.
 * The randomness keeps processes apart; the attempt counter, shared by every
 * client in the process, keeps two attempts of one process apart whatever
 * `random` returns (two clients built with the same deterministic `random`
 * included), since an attempt that found its own id in the item would count
 * itself the winner.
 */
export function newOwnerId(holderName: string, random: RandomSource): string {
  const attempt = attemptsInProcess++;
  let bits = '';
  for (let i = 0; i < 3; i++)
    bits += Math.floor(random() * 0x1_0000_0000)
      .toString(16)
      .padStart(8, '0');
  return `${holderName}#${bits}${attempt.toString(16).padStart(8, '0')}`;
}
