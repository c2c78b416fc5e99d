import type { Units } from './capacity-counter.js';

/**
 * DynamoDB's published throughput prices for one region, standard table
 * class, in US dollars: what the bench's dollar figures are computed from.
 * Change them here, and only here.
 */
export const PRICES = {
  region: 'us-east-1',
  /** When these prices took effect (the on-demand price cut), and when they were last checked. */
  effective: '2024-11-01',
  checked: '2026-12-07',
  source: 'https://aws.amazon.com/dynamodb/pricing/',
  onDemand: { perMillionWrites: 0.625, perMillionReads: 0.125 },
  provisioned: { perWcuHour: 0.00065, perRcuHour: 0.00013 },
  /** Hours in the billing month the figures use (365 × 24 / 12). */
  hoursPerMonth: 730,
} as const;

/** Dollars per month for a steady `perHour` consumption, on-demand and provisioned. */
export interface MonthlyDollars {
  readonly onDemand: number;
  /**
   * The provisioned capacity this consumption uses, at its average rate
   * (units per second), priced per unit-hour: a share of a table's capacity,
   * not a table's minimum bill.
   */
  readonly provisioned: number;
}

export function monthlyDollars(perHour: Units): MonthlyDollars {
  const { onDemand, provisioned, hoursPerMonth } = PRICES;
  return {
    onDemand:
      ((perHour.write * onDemand.perMillionWrites + perHour.read * onDemand.perMillionReads) * hoursPerMonth) / 1e6,
    provisioned:
      ((perHour.write * provisioned.perWcuHour + perHour.read * provisioned.perRcuHour) / 3600) * hoursPerMonth,
  };
}

/** The prices as one line for the report. */
export function pricesLine(): string {
  const p = PRICES;
  return (
    `${p.region}, standard table class, effective ${p.effective} (checked ${p.checked}, ${p.source}): ` +
    `on-demand $${p.onDemand.perMillionWrites} per million write units, $${p.onDemand.perMillionReads} ` +
    `per million read units; provisioned $${p.provisioned.perWcuHour} per WCU-hour, $${p.provisioned.perRcuHour} ` +
    `per RCU-hour; ${p.hoursPerMonth} hours a month`
  );
}
