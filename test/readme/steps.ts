import { createSingletonHandler } from 'baton-lease/lambda';
import { lambdaContext, scheduledEvent } from 'baton-lease/testing';
async function loadRows(signal: AbortSignal): Promise<number[]> {
  signal.throwIfAborted();
  return [1, 2, 3];
}
let sent = 0;
async function sendReport(rows: number[], { idempotencyKey }: { idempotencyKey: string }): Promise<void> {
  if (rows.length > 0 && idempotencyKey !== '') sent++;
}
// README BLOCK
process.env['BATON_LEASE_NAME'] = 'readme/steps';
const result = await handler(scheduledEvent(Date.now()), lambdaContext());
if (result.status !== 'ran' || sent !== 1) throw new Error(`the steps did not run once: ${JSON.stringify(result)}, ${sent} emails`);
