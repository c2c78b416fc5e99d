import type { Prng } from './prng.js';

/**
 * One-way message latency distributions. Real networks are not uniform: most
 * messages are fast and a few are very slow, which is what makes timeouts hard
 * to choose. `lognormal` gives that tail; the others are for controlled tests.
 */
export type LatencyModel =
  | { readonly kind: 'constant'; readonly ms: number }
  | { readonly kind: 'uniform'; readonly minMs: number; readonly maxMs: number }
  | { readonly kind: 'normal'; readonly meanMs: number; readonly stdDevMs: number; readonly minMs: number }
  /** `exp(N(ln(medianMs), sigma))`, shifted by `minMs` (the propagation floor) and capped at `maxMs`. */
  | {
      readonly kind: 'lognormal';
      readonly minMs: number;
      readonly medianMs: number;
      readonly sigma: number;
      readonly maxMs: number;
    };

/** A same-region data-center link: ~1 ms floor, ~3 ms typical, rare tail to 60 ms. */
export const DEFAULT_LATENCY: LatencyModel = { kind: 'lognormal', minMs: 1, medianMs: 2, sigma: 0.8, maxMs: 60 };

export function sampleLatency(model: LatencyModel, prng: Prng): number {
  switch (model.kind) {
    case 'constant':
      return model.ms;
    case 'uniform':
      return prng.uniform(model.minMs, model.maxMs);
    case 'normal':
      return Math.max(model.minMs, prng.normal(model.meanMs, model.stdDevMs));
    case 'lognormal':
      return Math.min(model.maxMs, model.minMs + Math.exp(prng.normal(Math.log(model.medianMs), model.sigma)));
  }
}

/**
 * A log-normal link described by its median one-way latency, shaped like
 * `DEFAULT_LATENCY` (which is `lognormalWithMedian(3)`): a floor of a third of
 * the median, the rest log-normal, a tail capped at 20 times the median.
 */
export function lognormalWithMedian(medianMs: number, sigma = 0.8): LatencyModel {
  return { kind: 'lognormal', minMs: medianMs / 3, medianMs: (2 * medianMs) / 3, sigma, maxMs: 20 * medianMs };
}

/** The longest one-way latency `model` can draw; `Infinity` for the uncapped normal. */
export function maxLatencyMs(model: LatencyModel): number {
  switch (model.kind) {
    case 'constant':
      return model.ms;
    case 'uniform':
    case 'lognormal':
      return model.maxMs;
    case 'normal':
      return Infinity;
  }
}
