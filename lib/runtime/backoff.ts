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

/** A fresh owner id for one acquisition attempt: `<holderName>#<128 random bits in hex>`. */
export function newOwnerId(holderName: string, random: RandomSource): string {
  let bits = '';
  for (let i = 0; i < 4; i++) bits += Math.floor(random() * 0x1_0000_0000).toString(16).padStart(8, '0');
  return `${holderName}#${bits}`;
}
