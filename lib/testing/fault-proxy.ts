import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { RandomSource } from '../runtime/clock.js';

/**
 * What the proxy does to requests while it is switched on. Each request draws
 * its fate independently: at most one of reset, error or drop, and a delay
 * before it is forwarded. All probabilities are in [0, 1]; 0 turns a fault off.
 */
export interface FaultProfile {
  /** Delay added before forwarding every request, in ms. */
  readonly latencyMs: number;
  /** Up to this much more, uniformly drawn per request, in ms. */
  readonly jitterMs: number;
  /** Chance that a request is held much longer instead: a latency spike. */
  readonly spikeProbability: number;
  /** A spike's delay is drawn uniformly from `[spikeMinMs, spikeMaxMs]`. */
  readonly spikeMinMs: number;
  readonly spikeMaxMs: number;
  /** Chance that the connection is reset before the request is forwarded. */
  readonly resetProbability: number;
  /**
   * Chance of an error answer shaped like DynamoDB's: 500 `InternalServerError`
   * (forwarded first half of the time: DynamoDB says a 500 may have applied),
   * 503 `ServiceUnavailable`, or 400 `ProvisionedThroughputExceededException` /
   * `ThrottlingException` (never forwarded: throttling proves nothing applied).
   */
  readonly errorProbability: number;
  /** Chance that the request is forwarded and applied, and its response thrown away. */
  readonly dropProbability: number;
}

/** A profile that injects nothing: the proxy is a plain pass-through. */
export const NO_FAULTS: FaultProfile = Object.freeze({
  latencyMs: 0,
  jitterMs: 0,
  spikeProbability: 0,
  spikeMinMs: 0,
  spikeMaxMs: 0,
  resetProbability: 0,
  errorProbability: 0,
  dropProbability: 0,
});

/** The error answers the proxy can give, named after DynamoDB's exception names. */
export type InjectedError =
  | 'InternalServerError'
  | 'ServiceUnavailable'
  | 'ProvisionedThroughputExceededException'
  | 'ThrottlingException'
  /** Only through `forceNext`: what an UpdateItem gets when it meets an item inside a running transaction. */
  | 'TransactionConflictException';

/**
 * A fault that can be forced on the next requests, whatever the profile says.
 * A forced `latency-spike` holds the request for the profile's spike range, or
 * 1-2 s if the profile has none.
 */
export type ForcedFault = 'drop' | 'reset' | 'latency-spike' | InjectedError;

/** One fault the proxy injected, reported through `onFault`. Plain latency below a spike is not reported. */
export type InjectedFault =
  | { readonly kind: 'latency-spike'; readonly delayMs: number; readonly operation: string }
  | { readonly kind: 'reset'; readonly operation: string }
  | {
      readonly kind: 'error';
      readonly error: InjectedError;
      readonly status: number;
      readonly forwarded: boolean;
      readonly operation: string;
    }
  | { readonly kind: 'dropped-response'; readonly operation: string };

/** Counters since the proxy started. `errorsInjected` counts every error answer of any kind. */
export interface FaultProxyStats {
  readonly requests: number;
  readonly forwarded: number;
  readonly delayed: number;
  readonly latencySpikes: number;
  readonly connectionResets: number;
  readonly errorsInjected: number;
  readonly errorsByType: Readonly<Record<InjectedError, number>>;
  readonly droppedResponses: number;
}

/** Options of {@link startFaultProxy}. */
export interface FaultProxyOptions {
  /** The DynamoDB (Local) endpoint to forward to. Must be a loopback `http://` URL. */
  readonly upstream: string;
  /** Faults switched on from the start. @default NO_FAULTS */
  readonly faults?: Partial<FaultProfile>;
  /** Drives every fault decision; give a seeded one for reproducible fault choices. @default Math.random */
  readonly random?: RandomSource;
  /** The proxy closes itself this long after it started, whatever else happens. @default 600000 */
  readonly lifetimeMs?: number;
  /**
   * A dropped response's connection stays silent this long, then is closed;
   * the client should time out first (give it a shorter `requestTimeout`). @default 2000
   */
  readonly dropHoldMs?: number;
  /** Called for each injected fault. Must not throw. */
  readonly onFault?: (fault: InjectedFault) => void;
}

/** A running fault proxy on 127.0.0.1. */
export interface FaultProxy {
  /** `http://127.0.0.1:<port>`: give it to the SDK as `endpoint`. */
  readonly endpoint: string;
  readonly port: number;
  /** The profile in force. */
  readonly faults: FaultProfile;
  /** Replaces the profile: fields not given are off (0). `setFaults({})` heals the network. */
  setFaults(faults: Partial<FaultProfile>): void;
  /** The next `times` requests get `fault`, before the profile is consulted. */
  forceNext(fault: ForcedFault, times?: number): void;
  /** The next `times` requests are forwarded (and applied) but their responses are dropped. */
  dropNextResponses(times: number): void;
  stats(): FaultProxyStats;
  /** Closes the listener and every connection, held or not, and cancels pending delays. Idempotent. */
  close(): Promise<void>;
  /** Settles once the proxy has closed, by `close()` or at the end of its lifetime. */
  readonly closed: Promise<void>;
}

const DEFAULT_LIFETIME_MS = 600_000;
const DEFAULT_DROP_HOLD_MS = 2_000;

/** DynamoDB's own wording and status for each injected error. */
export const ERRORS: Readonly<Record<InjectedError, { status: number; type: string; message: string }>> = {
  InternalServerError: {
    status: 500,
    type: 'com.amazonaws.dynamodb.v20120810#InternalServerError',
    message: 'Internal server error',
  },
  ServiceUnavailable: {
    status: 503,
    type: 'com.amazonaws.dynamodb.v20120810#ServiceUnavailable',
    message: 'The service is currently unavailable or busy.',
  },
  ProvisionedThroughputExceededException: {
    status: 400,
    type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
    message:
      'The level of configured provisioned throughput for the table was exceeded. Consider increasing ' +
      'your provisioning level with the UpdateTable API.',
  },
  ThrottlingException: {
    status: 400,
    type: 'com.amazon.coral.availability#ThrottlingException',
    message: 'Rate of requests exceeds the allowed throughput.',
  },
  TransactionConflictException: {
    status: 400,
    type: 'com.amazonaws.dynamodb.v20120810#TransactionConflictException',
    message: 'Transaction is ongoing for the item',
  },
};
const ERROR_NAMES = Object.keys(ERRORS) as InjectedError[];
/** The errors `errorProbability` draws from; a transaction conflict is only ever forced. */
const RANDOM_ERROR_NAMES = ERROR_NAMES.filter((name) => name !== 'TransactionConflictException');

// Hop-by-hop headers describe one connection, not the message; the proxy
// answers with a buffered body and its own content-length.
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'proxy-connection',
  'te',
  'trailer',
  'upgrade',
]);

/**
 * Starts an HTTP proxy on 127.0.0.1, on a port the OS picks, in front of a
 * DynamoDB (Local) endpoint. It injects the faults a real network and a real
 * DynamoDB produce: latency with jitter and spikes, connection resets,
 * DynamoDB-shaped 500/503 and throttling errors, and the one that matters
 * most for a lease: a request that is forwarded and applied while its response
 * is dropped, so the client never learns that its write landed.
 *
 * A delayed request is forwarded even if its client gave up waiting, as a
 * packet stuck in a queue would be: a write can land after its sender stopped
 * believing in it.
 *
 * The proxy is bounded: it closes itself after `lifetimeMs`, every delay and
 * held connection is cancelled on close, and it never keeps Node alive by itself.
 *
 * @example
 * ```ts
 * const proxy = await startFaultProxy({ upstream: db.endpoint });
 * const client = localDynamoDBClient(proxy.endpoint, { requestHandler: { requestTimeout: 500, throwOnRequestTimeout: true } });
 * proxy.dropNextResponses(1); // the next write lands, but its caller times out
 * proxy.setFaults({ latencyMs: 20, jitterMs: 30, errorProbability: 0.1 });
 * await proxy.close();
 * ```
 */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const upstream = parseUpstream(options.upstream);
  const random = options.random ?? Math.random;
  const lifetimeMs = positiveMs('lifetimeMs', options.lifetimeMs ?? DEFAULT_LIFETIME_MS);
  const dropHoldMs = positiveMs('dropHoldMs', options.dropHoldMs ?? DEFAULT_DROP_HOLD_MS);
  const report = (fault: InjectedFault): void => {
    try {
      options.onFault?.(fault);
    } catch {
      // A reporting hook must not change what the proxy does.
    }
  };

  let profile = resolveProfile(options.faults ?? {});
  const forced: ForcedFault[] = [];
  const counters = {
    requests: 0,
    forwarded: 0,
    delayed: 0,
    latencySpikes: 0,
    connectionResets: 0,
    errorsInjected: 0,
    droppedResponses: 0,
  };
  const errorsByType = Object.fromEntries(ERROR_NAMES.map((name) => [name, 0])) as Record<InjectedError, number>;

  const timers = new Set<NodeJS.Timeout>();
  const sockets = new Set<Socket>();
  let closing = false;
  const after = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

  const forward = (
    req: http.IncomingMessage,
    body: Buffer,
  ): Promise<{ status: number; headers: http.OutgoingHttpHeaders; body: Buffer }> =>
    new Promise((resolve, reject) => {
      counters.forwarded++;
      const outgoing = http.request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
          agent,
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () =>
            resolve({
              status: response.statusCode ?? 502,
              headers: endToEnd(response.headers),
              body: Buffer.concat(chunks),
            }),
          );
          response.on('error', reject);
        },
      );
      outgoing.on('error', reject);
      outgoing.end(body);
    });

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      handle(req, res, Buffer.concat(chunks)).catch(() => {
        // The upstream failed or the proxy is closing: end this exchange as a network failure would.
        req.socket.destroy();
      });
    });
  });

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): Promise<void> => {
    counters.requests++;
    const operation =
      String(req.headers['x-amz-target'] ?? '')
        .split('.')
        .pop() ||
      (req.method ?? 'request');
    const p = profile;
    const { fault, spike, delayMs } = drawFate(p, forced.shift(), random);
    if (spike) {
      counters.latencySpikes++;
      report({ kind: 'latency-spike', delayMs: Math.round(delayMs), operation });
    }
    if (delayMs > 0) {
      counters.delayed++;
      await after(delayMs);
    }
    if (closing) throw new Error('proxy closed');

    if (fault === 'reset') {
      counters.connectionResets++;
      report({ kind: 'reset', operation });
      req.socket.resetAndDestroy();
      return;
    }
    if (fault === 'drop') {
      await forward(req, body);
      counters.droppedResponses++;
      report({ kind: 'dropped-response', operation });
      // Silence, then a close: the client times out, never learning that the write landed.
      await after(dropHoldMs);
      req.socket.destroy();
      return;
    }
    if (fault !== undefined) {
      const spec = ERRORS[fault];
      // A 500 may follow a write that applied; the other answers prove nothing was applied.
      const forwarded = fault === 'InternalServerError' && random() < 0.5;
      if (forwarded) await forward(req, body);
      counters.errorsInjected++;
      errorsByType[fault]++;
      report({ kind: 'error', error: fault, status: spec.status, forwarded, operation });
      const payload = Buffer.from(JSON.stringify({ __type: spec.type, message: spec.message }));
      res.writeHead(spec.status, {
        'content-type': 'application/x-amz-json-1.0',
        'content-length': payload.length,
        'x-amzn-requestid': `BATONFAULT${counters.requests}`,
      });
      res.end(payload);
      return;
    }
    const answer = await forward(req, body);
    res.writeHead(answer.status, { ...answer.headers, 'content-length': answer.body.length });
    res.end(answer.body);
  };

  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    // A reset socket reports ECONNRESET to its own listeners; nothing to do about it here.
    socket.on('error', () => {});
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.unref();
  const { port } = server.address() as AddressInfo;

  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
  let closingPromise: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closingPromise ??= new Promise<void>((resolve) => {
      closing = true;
      clearTimeout(lifetime);
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const socket of sockets) socket.destroy();
      agent.destroy();
      server.close(() => {
        resolveClosed();
        resolve();
      });
    });
    return closingPromise;
  };
  const lifetime = setTimeout(() => void close(), lifetimeMs);
  lifetime.unref();

  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    get faults() {
      return profile;
    },
    setFaults(faults) {
      profile = resolveProfile(faults);
    },
    forceNext(fault, times = 1) {
      if (fault !== 'drop' && fault !== 'reset' && fault !== 'latency-spike' && !ERROR_NAMES.includes(fault))
        throw new RangeError(`forceNext: unknown fault ${String(fault)}`);
      for (let i = 0; i < times; i++) forced.push(fault);
    },
    dropNextResponses(times) {
      for (let i = 0; i < times; i++) forced.push('drop');
    },
    stats: () => ({ ...counters, errorsByType: { ...errorsByType } }),
    close,
    closed,
  };
}

/** What happens to one request: a forced fault, else one drawn from the profile; and its delay. */
export interface RequestFate {
  readonly fault: Exclude<ForcedFault, 'latency-spike'> | undefined;
  readonly spike: boolean;
  readonly delayMs: number;
}

/** Draws one request's fate: the proxy and the in-memory `FaultyStore` share it, so a profile means the same to both. */
export function drawFate(p: FaultProfile, forced: ForcedFault | undefined, random: RandomSource): RequestFate {
  const drawn = forced ?? drawFault(p, random);
  const spike = drawn === 'latency-spike' || (p.spikeProbability > 0 && random() < p.spikeProbability);
  return { fault: drawn === 'latency-spike' ? undefined : drawn, spike, delayMs: drawDelayMs(p, spike, random) };
}

/** A request's delay: the profile's latency and jitter, or a spike's, drawn from its range (1-2 s if the profile has none). */
function drawDelayMs(p: FaultProfile, spike: boolean, random: RandomSource): number {
  if (!spike) return p.latencyMs + (p.jitterMs > 0 ? random() * p.jitterMs : 0);
  const [min, max] = p.spikeMaxMs > 0 ? [p.spikeMinMs, p.spikeMaxMs] : [1_000, 2_000];
  return min + random() * (max - min);
}

/** At most one of reset, error and drop per request; the draws are independent of each other's probabilities. */
function drawFault(p: FaultProfile, random: RandomSource): ForcedFault | undefined {
  const roll = random();
  if (roll < p.resetProbability) return 'reset';
  if (roll < p.resetProbability + p.errorProbability)
    return RANDOM_ERROR_NAMES[Math.floor(random() * RANDOM_ERROR_NAMES.length)]!;
  if (roll < p.resetProbability + p.errorProbability + p.dropProbability) return 'drop';
  return undefined;
}

export function resolveProfile(faults: Partial<FaultProfile>): FaultProfile {
  const profile = { ...NO_FAULTS, ...faults };
  for (const [key, value] of Object.entries(profile)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
      throw new RangeError(`fault profile: ${key} must be a non-negative number, got ${String(value)}`);
    if (key.endsWith('Probability') && value > 1)
      throw new RangeError(`fault profile: ${key} must be at most 1, got ${value}`);
  }
  if (profile.spikeMaxMs < profile.spikeMinMs)
    throw new RangeError('fault profile: spikeMaxMs must be at least spikeMinMs');
  if (profile.resetProbability + profile.errorProbability + profile.dropProbability > 1) {
    throw new RangeError('fault profile: resetProbability + errorProbability + dropProbability must be at most 1');
  }
  return Object.freeze(profile);
}

function parseUpstream(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(`startFaultProxy: upstream must be a URL, got ${JSON.stringify(value)}`);
  }
  // A test tool: it must never become a relay to another machine.
  if (url.protocol !== 'http:' || !['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) {
    throw new TypeError(`startFaultProxy: upstream must be a loopback http:// URL, got ${value}`);
  }
  return url;
}

function positiveMs(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value <= 0)
    throw new RangeError(`startFaultProxy: ${name} must be a positive integer of milliseconds, got ${String(value)}`);
  return value;
}

function endToEnd(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  return Object.fromEntries(
    Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name) && name !== 'content-length'),
  );
}
