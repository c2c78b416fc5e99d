/**
 * Runs `work` on every item with `workers` concurrent workers pulling from one
 * shared queue, as a fixed pool of threads would. After a failure no new
 * item starts; rejects with the first failure once the workers have settled.
 */
export async function runWorkers<T>(
  workers: number,
  items: readonly T[],
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const item = items[next++]!;
      try {
        await work(item);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  const settled = await Promise.allSettled(Array.from({ length: Math.min(workers, items.length) }, worker));
  const failure = settled.find((s) => s.status === 'rejected');
  if (failure) throw (failure as PromiseRejectedResult).reason;
}
