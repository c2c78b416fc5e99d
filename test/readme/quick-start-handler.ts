import { lambdaContext, scheduledEvent } from 'baton-lease/testing';
// README BLOCK
// The environment is set after the handler exists (it is read at the first invocation), then one tick runs.
process.env['BATON_LEASE_NAME'] = 'readme/nightly';
const result = await handler(scheduledEvent(Date.now()), lambdaContext());
if (result.status !== 'ran') throw new Error(`the job did not run: ${JSON.stringify(result)}`);
