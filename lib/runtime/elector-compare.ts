import type { ElectOptions } from './elect-options.js';
import { resolveElectOptions } from './elect-options.js';
import { elect } from './elector.js';
import type { WaitingRule } from './elector-wait.js';
import type { LeaseClient } from './lease-client.js';

/**
 * `leases.elect(name, options)` with another waiting rule, so the bench can time
 * the rule before and after in one run. Not public: `elect` always reads while held.
 */
export function electWithWaitingRule(
  leases: LeaseClient,
  name: string,
  options: ElectOptions,
  waiting: WaitingRule,
): Promise<void> {
  return elect(leases, resolveElectOptions(leases.options, name, options), waiting);
}
