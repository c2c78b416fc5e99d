import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * A full garbage collection, available without starting Node with
 * `--expose-gc`: the flag is set at run time and `gc` read from a fresh
 * context, where V8 installs it. Heap figures are only comparable after one.
 */
function collector(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

let gc: (() => void) | undefined;

/** Bytes of live JavaScript heap after a full collection. */
export function liveHeapBytes(): number {
  gc ??= collector();
  // Twice: objects freed by the first pass can keep others alive until the second.
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}
