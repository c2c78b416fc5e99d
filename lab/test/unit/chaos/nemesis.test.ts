import { describe, expect, it } from 'vitest';
import { HistoryWriter, parseHistory } from '../../../chaos/history.js';
import {
  ChaosNemesis,
  drawOffset,
  FAULT_KINDS,
  networkProfile,
  planSchedule,
  type NemesisPlanOptions,
  type NemesisTarget,
} from '../../../chaos/nemesis.js';
import { Prng } from '../../../sim/prng.js';
import type { FaultProfile } from 'baton-lease/internal';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PLAN: NemesisPlanOptions = {
  seed: 7,
  workers: 6,
  durationMs: 60_000,
  meanIntervalMs: 1_000,
  leaseDurationMs: 2_000,
  maxClockSkewMs: 200,
  safetyMarginMs: 250,
  skewBeyond: false,
};

describe('planSchedule', () => {
  it('plans the same actions at the same times from the same seed, and others from another', () => {
    expect(planSchedule(PLAN)).toEqual(planSchedule(PLAN));
    expect(planSchedule({ ...PLAN, seed: 8 })).not.toEqual(planSchedule(PLAN));
  });

  it('starts with every kind of fault once, so a short run injects them all', () => {
    const first = planSchedule(PLAN)
      .slice(0, FAULT_KINDS.length)
      .map((s) => s.kind);
    expect([...first].sort()).toEqual([...FAULT_KINDS].sort());
  });

  it('keeps every fault inside the run, with a quiet end, and pauses within 3 D', () => {
    const steps = planSchedule(PLAN);
    const quietFrom = PLAN.durationMs - 1.5 * PLAN.leaseDurationMs;
    for (const step of steps) {
      expect(step.atMs).toBeLessThan(quietFrom);
      const lasts = step.kind === 'kill' ? step.respawnAfterMs : step.kind === 'skew' ? 0 : step.durationMs;
      expect(step.atMs + lasts).toBeLessThanOrEqual(quietFrom + 1);
      if (step.kind === 'pause') expect(step.durationMs).toBeLessThanOrEqual(3 * PLAN.leaseDurationMs);
    }
    expect(steps.length).toBeGreaterThan(30);
  });

  it('draws only the kinds asked for', () => {
    expect(new Set(planSchedule({ ...PLAN, kinds: ['pause'] }).map((s) => s.kind))).toEqual(new Set(['pause']));
    expect(planSchedule({ ...PLAN, kinds: [] })).toEqual([]);
  });
});

describe('drawOffset', () => {
  it('keeps any two clocks within maxClockSkewMs of each other, unless told to go beyond', () => {
    const prng = new Prng(1);
    const within = Array.from({ length: 500 }, () => drawOffset(prng, PLAN));
    expect(Math.max(...within) - Math.min(...within)).toBeLessThan(PLAN.maxClockSkewMs);
    const beyond = Array.from({ length: 500 }, () => drawOffset(prng, { ...PLAN, skewBeyond: true }));
    // Two opposite offsets, as an adversarial skew step sets them, differ by more than S + D + M.
    for (const offset of beyond)
      expect(2 * Math.abs(offset)).toBeGreaterThan(PLAN.maxClockSkewMs + PLAN.leaseDurationMs + PLAN.safetyMarginMs);
    expect(Math.max(...beyond) - Math.min(...beyond)).toBeGreaterThan(
      PLAN.maxClockSkewMs + PLAN.safetyMarginMs + PLAN.leaseDurationMs,
    );
  });
});

/** Workers as plain state, and every call recorded. */
function fakeTarget(count: number, leader = 'w1') {
  const workers = Array.from({ length: count }, (_, i) => ({ id: `w${i + 1}`, inc: 0, state: 'up' }));
  const calls: string[] = [];
  let network: Partial<FaultProfile> = {};
  const find = (id: string) => workers.find((w) => w.id === id)!;
  const target: NemesisTarget = {
    workers: () => workers.map((w) => ({ ...w })),
    leader: () => leader,
    kill: (id) => (find(id).state === 'up' ? ((find(id).state = 'down'), calls.push(`kill ${id}`), true) : false),
    respawn: async (id) =>
      find(id).state === 'down' ? ((find(id).state = 'up'), find(id).inc++, calls.push(`respawn ${id}`), true) : false,
    pause: (id) => (find(id).state === 'up' ? ((find(id).state = 'paused'), calls.push(`pause ${id}`), true) : false),
    resume: (id) => (find(id).state === 'paused' ? ((find(id).state = 'up'), calls.push(`resume ${id}`), true) : false),
    setSkew: (id, offsetMs) => void calls.push(`skew ${id} ${offsetMs}`),
    setNetwork: (profile) => void (network = profile),
    forceNetworkFault: (fault) => void calls.push(`force ${fault}`),
  };
  return { target, calls, workers, network: () => network };
}

function history() {
  const path = join(mkdtempSync(join(tmpdir(), 'nemesis-test-')), 'h.jsonl');
  return { writer: new HistoryWriter(path), read: () => parseHistory(readFileSync(path, 'utf8')).records };
}

describe('Nemesis', () => {
  it('hits the leader, undoes each fault on schedule, and logs every action', async () => {
    const { target, calls, workers } = fakeTarget(3);
    const h = history();
    const nemesis = new ChaosNemesis(target, h.writer, { leaseDurationMs: 2_000, maxDown: 2 });
    await nemesis.run([
      // The resume comes well after the respawn, so a loaded machine's late timers keep the order.
      { atMs: 0, kind: 'pause', target: { leader: true, fallback: 2 }, durationMs: 300 },
      { atMs: 5, kind: 'kill', target: { leader: false, index: 1 }, respawnAfterMs: 20 },
      { atMs: 10, kind: 'skew', target: { leader: false, index: 2 }, offsetMs: 150, adversarial: false },
    ]);
    expect(calls).toEqual(['pause w1', 'kill w2', 'skew w3 150', 'respawn w2', 'resume w1']);
    expect(workers.map((w) => w.state)).toEqual(['up', 'up', 'up']);
    expect(h.read().map((r) => (r.type === 'nemesis' ? `${r.action} ${r.worker}` : r.type))).toEqual([
      'pause w1',
      'kill w2',
      'skew w3',
      'respawn w2',
      'resume w1',
    ]);
  });

  it('beyond the bound, puts every other clock 2 |offset| ahead of the leader’s, and leaves the leader’s alone', async () => {
    const { target, calls } = fakeTarget(3, 'w2');
    const h = history();
    const nemesis = new ChaosNemesis(target, h.writer, { leaseDurationMs: 2_000, maxDown: 2 });
    await nemesis.run([
      { atMs: 0, kind: 'skew', target: { leader: false, index: 0 }, offsetMs: -900, adversarial: true },
      { atMs: 0, kind: 'skew', target: { leader: true, fallback: 2 }, offsetMs: 700, adversarial: true },
    ]);
    const expected = ['skew w1 1800', 'skew w3 1800', 'skew w1 1400', 'skew w3 1400'];
    expect(calls).toEqual(expected);
    expect(h.read().map((r) => (r.type === 'nemesis' ? `${r.action} ${r.worker} ${r.offsetMs}` : r.type))).toEqual(
      expected,
    );
  });

  it('never takes down more than maxDown workers at once', async () => {
    const { target, calls } = fakeTarget(4);
    const nemesis = new ChaosNemesis(target, history().writer, { leaseDurationMs: 2_000, maxDown: 1 });
    await nemesis.run([
      { atMs: 0, kind: 'pause', target: { leader: false, index: 0 }, durationMs: 30 },
      { atMs: 1, kind: 'kill', target: { leader: false, index: 1 }, respawnAfterMs: 5 },
      { atMs: 2, kind: 'pause', target: { leader: false, index: 2 }, durationMs: 5 },
    ]);
    expect(calls).toEqual(['pause w1', 'resume w1']);
  });

  it('switches network faults on with one forced fault, combines overlapping ones, and switches each off at its end', async () => {
    const { target, calls, network } = fakeTarget(3);
    const nemesis = new ChaosNemesis(target, history().writer, { leaseDurationMs: 2_000, maxDown: 1 });
    const seen: Partial<FaultProfile>[] = [];
    const setNetwork = target.setNetwork;
    target.setNetwork = (p) => (seen.push(p), setNetwork(p));
    await nemesis.run([
      { atMs: 0, kind: 'drop', durationMs: 40 },
      { atMs: 10, kind: 'error', durationMs: 10 },
    ]);
    expect(calls).toEqual(['force drop', 'force error']);
    expect(seen).toEqual([
      networkProfile('drop', 2_000),
      { ...networkProfile('error', 2_000), ...networkProfile('drop', 2_000) },
      networkProfile('drop', 2_000),
      {},
    ]);
    expect(network()).toEqual({});
  });

  it('heals on demand: resumes the paused, respawns the dead, clears the network, cancels what is scheduled', async () => {
    const { target, calls, workers, network } = fakeTarget(3);
    const nemesis = new ChaosNemesis(target, history().writer, { leaseDurationMs: 2_000, maxDown: 2 });
    const running = nemesis.run([
      { atMs: 0, kind: 'pause', target: { leader: false, index: 0 }, durationMs: 60_000 },
      { atMs: 0, kind: 'kill', target: { leader: false, index: 1 }, respawnAfterMs: 60_000 },
      { atMs: 0, kind: 'latency', durationMs: 60_000 },
    ]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await nemesis.heal();
    await running;
    expect(workers.map((w) => w.state)).toEqual(['up', 'up', 'up']);
    expect(network()).toEqual({});
    expect(calls.slice(-2).sort()).toEqual(['respawn w2', 'resume w1']);
  });
});
