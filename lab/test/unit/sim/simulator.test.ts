import { describe, expect, it } from 'vitest';
import { Cluster, DEFAULT_WORKLOAD } from '../../../sim/cluster.js';
import type { NodeContext } from '../../../sim/election-node.js';
import { Network } from '../../../sim/network.js';
import { NodeClock, SIM_EPOCH_MS } from '../../../sim/node-clock.js';
import { Prng } from '../../../sim/prng.js';
import { SimClock } from '../../../sim/sim-clock.js';
import { Simulator } from '../../../sim/simulator.js';

describe('Prng', () => {
  it('repeats its sequence for the same seed and differs for another', () => {
    const draw = (seed: number | string) => {
      const prng = new Prng(seed);
      return Array.from({ length: 5 }, () => prng.nextUint32());
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
    expect(draw('a/b')).toEqual(draw('a/b'));
  });

  it('draws uniformly in [0, 1)', () => {
    const prng = new Prng(1);
    const samples = Array.from({ length: 20_000 }, () => prng.next());
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...samples)).toBeLessThan(1);
    const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
    expect(mean).toBeGreaterThan(0.49);
    expect(mean).toBeLessThan(0.51);
  });
});

describe('Simulator', () => {
  it('runs events in time order, and same-time events in the order they were scheduled', () => {
    // Arrange
    const sim = new Simulator();
    const seen: string[] = [];
    sim.schedule(20, () => seen.push('b'));
    sim.schedule(10, () => seen.push('a'));
    sim.schedule(20, () => seen.push('c'));
    sim.schedule(5, () => sim.schedule(15, () => seen.push('d'))); // lands at 20, after b and c

    // Act
    sim.runUntil(100);

    // Assert
    expect(seen).toEqual(['a', 'b', 'c', 'd']);
    expect(sim.now).toBe(100);
  });

  it('skips cancelled events and stops at the end time', () => {
    const sim = new Simulator();
    const seen: number[] = [];
    sim.schedule(1, () => seen.push(1)).cancel();
    sim.schedule(2, () => seen.push(2));
    sim.schedule(50, () => seen.push(50));
    sim.runUntil(10);
    expect(seen).toEqual([2]);
    sim.runUntil(60);
    expect(seen).toEqual([2, 50]);
  });

  it('runs promise continuations at the virtual instant their event fired (runUntilAsync)', async () => {
    // Arrange: an async loop that sleeps on virtual time.
    const sim = new Simulator();
    const wake: number[] = [];
    const sleep = (ms: number) => new Promise<void>((resolve) => sim.schedule(ms, resolve));
    void (async () => {
      for (let i = 0; i < 3; i++) {
        await sleep(100);
        wake.push(sim.now);
      }
    })();

    // Act
    await sim.runUntilAsync(1_000);

    // Assert
    expect(wake).toEqual([100, 200, 300]);
  });
});

describe('Network', () => {
  it('drops messages across a partition, including ones in flight when it starts, and delivers again after heal', () => {
    // Arrange
    const sim = new Simulator();
    const net = new Network(sim, new Prng(1), { lossRate: 0, latency: { kind: 'constant', ms: 10 } });
    const got: string[] = [];

    // Act
    net.send(1, 2, () => got.push('before'));
    sim.runUntil(20);
    net.send(1, 2, () => got.push('in flight'));
    sim.schedule(5, () => net.partition([2]));
    sim.runUntil(40);
    net.send(1, 2, () => got.push('across'));
    net.send(2, 2, () => got.push('inside the island'));
    sim.runUntil(60);
    net.heal();
    net.send(1, 2, () => got.push('healed'));
    sim.runUntil(80);

    // Assert
    expect(got).toEqual(['before', 'inside the island', 'healed']);
    expect(net.stats.droppedByPartition).toBe(2);
  });

  it('loses about the configured fraction of messages', () => {
    const sim = new Simulator();
    const net = new Network(sim, new Prng(3), { lossRate: 0.1 });
    let delivered = 0;
    for (let i = 0; i < 10_000; i++) net.send(1, 2, () => delivered++);
    sim.runUntil(1_000);
    expect(delivered).toBeGreaterThan(8_800);
    expect(delivered).toBeLessThan(9_200);
  });
});

describe('NodeClock and SimClock', () => {
  it('applies offset and drift, and steps the wall clock without moving the monotonic one', () => {
    // Arrange
    const sim = new Simulator();
    const clock = new NodeClock(sim, { offsetMs: 250, driftPpm: 10_000 }); // 1% fast

    // Act
    sim.runUntil(1_000);
    const wall = clock.wall();
    const mono = clock.monotonic();
    clock.step(-500);

    // Assert
    expect(wall).toBeCloseTo(SIM_EPOCH_MS + 250 + 1_010, 6);
    expect(mono).toBeCloseTo(1_010, 6);
    expect(clock.wall()).toBeCloseTo(wall - 500, 6);
    expect(clock.monotonic()).toBeCloseTo(mono, 6);
    expect(clock.toTrueDuration(101)).toBeCloseTo(100, 6);
  });
});

describe('Cluster', () => {
  function cluster(factory: (ctx: NodeContext) => { onMessage(): void }) {
    const sim = new Simulator();
    const network = new Network(sim, new Prng(1), { lossRate: 0, latency: { kind: 'constant', ms: 1 } });
    const c = new Cluster(sim, network, {
      seed: 't',
      nodeIds: [1, 2],
      factory,
      clocks: new Map(),
      workload: DEFAULT_WORKLOAD,
    });
    return { sim, c };
  }

  it('holds a paused node’s timers and messages until it resumes, then runs them in order', () => {
    // Arrange
    const seen: string[] = [];
    const { sim, c } = cluster((ctx) => {
      if (ctx.id === 1) {
        ctx.setTimer(100, () => seen.push(`timer@${sim.now}`));
        return { onMessage: () => seen.push(`message@${sim.now}`) };
      }
      ctx.setTimer(150, () => ctx.send(1, 'hello'));
      return { onMessage() {} };
    });
    c.startAll();
    sim.schedule(50, () => c.pause(1));
    sim.schedule(500, () => c.resume(1));

    // Act
    sim.runUntil(1_000);

    // Assert
    expect(seen).toEqual(['timer@500', 'message@500']);
  });

  it('forgets everything but storage on crash, and drops the dead incarnation’s timers and sends', () => {
    // Arrange
    const boots: number[] = [];
    const fired: number[] = [];
    const { sim, c } = cluster((ctx) => {
      if (ctx.id === 1) {
        const n = ((ctx.storage.get('boots') as number | undefined) ?? 0) + 1;
        ctx.storage.set('boots', n);
        boots.push(n);
        ctx.setTimer(100, () => fired.push(n));
      }
      return { onMessage() {} };
    });
    c.startAll();
    sim.schedule(50, () => c.crash(1));
    sim.schedule(200, () => c.restart(1));

    // Act
    sim.runUntil(1_000);

    // Assert
    expect(boots).toEqual([1, 2]);
    expect(fired).toEqual([2]);
  });

  it('gives the runtime a Clock whose sleep follows the node’s drift and honours abort', async () => {
    // Arrange
    const results: string[] = [];
    const sim = new Simulator();
    const network = new Network(sim, new Prng(1));
    const c = new Cluster(sim, network, {
      seed: 't',
      nodeIds: [1],
      clocks: new Map([[1, { offsetMs: 0, driftPpm: -500_000 }]]), // runs at half speed
      workload: DEFAULT_WORKLOAD,
      factory: (ctx) => {
        const clock = new SimClock(ctx);
        void clock.sleep(100).then(() => results.push(`slept@${sim.now}`));
        const abort = new AbortController();
        clock.sleep(1_000, abort.signal).catch((e: unknown) => results.push(`aborted: ${String(e)}`));
        ctx.setTimer(10, () => abort.abort('stop'));
        return { onMessage() {} };
      },
    });

    // Act
    c.startAll();
    await sim.runUntilAsync(5_000);

    // Assert
    expect(results).toEqual(['aborted: stop', 'slept@200']);
  });
});
