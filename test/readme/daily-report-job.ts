import { lambdaContext, scheduledEvent } from 'baton-lease/testing';
async function computeTotals(day: string, { signal }: { signal: AbortSignal }): Promise<Record<string, number>> {
  signal.throwIfAborted();
  return { [day]: 42 };
}
// README BLOCK
process.env['BATON_LEASE_NAME'] = 'readme/daily-report';
const result = await handler(scheduledEvent(Date.now()), lambdaContext());
if (result.status !== 'ran') throw new Error(`the job did not run: ${JSON.stringify(result)}`);
