// src/nightly-report.ts: the job under test, as a CronSingleton deploys it
import { createSingletonHandler } from 'baton-lease/lambda';

export const handler = createSingletonHandler({
  job: async ({ token, tick, logger }) => {
    logger.info('leading this tick', { token, tick });
    return { token };
  },
});
