/**
 * Entry point of a chaos worker process, forked by the campaign with an IPC
 * channel: `node --import tsx lab/chaos/worker-main.ts '<WorkerConfig JSON>'`.
 * It is bounded twice: it exits when the campaign goes away (the IPC channel
 * closes) and, whatever happens, after `lifetimeMs`.
 */
import { runWorker } from './worker.js';
import type { FromWorker, ToWorker, WorkerConfig } from './worker-messages.js';

const config = JSON.parse(process.argv[2] ?? '') as WorkerConfig;

let finished = false;
setTimeout(() => process.exit(3), config.lifetimeMs).unref();
process.on('disconnect', () => {
  if (!finished) process.exit(4);
});

const channel = {
  send(message: FromWorker): void {
    // The campaign may be gone already; the disconnect handler ends us then.
    if (process.connected) process.send?.(message);
  },
  onMessage(handler: (message: ToWorker) => void): void {
    process.on('message', (message) => handler(message as ToWorker));
  },
};

try {
  await runWorker(config, channel);
} catch (error) {
  console.error(`chaos worker ${config.worker}.${config.inc} failed:`, error);
  process.exitCode = 1;
} finally {
  // Closing the channel lets the process end; the campaign watches for the exit itself.
  finished = true;
  if (process.connected) process.disconnect();
}
