// The job of the example app (bin/app.ts): the README's handler example.
import { createSingletonHandler } from 'baton-lease/lambda';

export const handler = createSingletonHandler({
  job: async ({ token, tick, logger }) => {
    logger.info('leading this tick', { token, tick }); // pass `token` to fencedUpdate for every write
  },
});
