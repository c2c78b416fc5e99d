import { describe, expect, it } from 'vitest';
import { LiveView } from '../../../demo/live-view.js';

/** A pipe: collects what the view prints. */
function pipe(): NodeJS.WritableStream & { text: () => string } {
  const chunks: string[] = [];
  return Object.assign(
    { write: (chunk: string) => chunks.push(chunk) > 0 },
    { text: () => chunks.join('') },
  ) as unknown as NodeJS.WritableStream & { text: () => string };
}

const T0 = Date.UTC(2026, 10, 26, 6, 0, 0);

describe('LiveView in line mode (a pipe)', () => {
  it('prints lines in time order: a tick line before the events that happened during that tick', () => {
    const out = pipe();
    const view = new LiveView({ out, title: 'test', durationS: 3, redraw: false });
    view.start(T0);
    view.onRunRecord({ type: 'spawn', at: T0 - 500, worker: 'w1', pid: 11 });
    view.onRunRecord({ type: 'tick', at: T0 + 5, tick: T0 });
    view.onWorkerRecord({
      type: 'job-start',
      worker: 'w1',
      at: T0 + 30,
      eventId: 'e1',
      tick: T0,
      token: 1,
      holder: 'h#1',
      takeover: false,
      expiresAt: T0 + 4030,
      durationMs: 4000,
      workMs: 300,
    });
    view.onRunRecord({ type: 'kill', at: T0 + 900, worker: 'w1', pid: 11, token: 1, tick: T0 });
    view.onRunRecord({ type: 'tick', at: T0 + 1005, tick: T0 + 1000 });
    view.onRunRecord({ type: 'tick', at: T0 + 2005, tick: T0 + 2000 });
    view.stop();
    const stamps = out
      .text()
      .trim()
      .split('\n')
      .map((line) => Number(/^t([+-])\s*([\d.]+)s/.exec(line)?.slice(1).join('')));
    expect(stamps).toEqual([0, 0.9, 1, 2]);
  });

  it('counts from the first tick: earlier moments are t-', () => {
    const out = pipe();
    const view = new LiveView({ out, title: 'test', durationS: 3, redraw: false });
    view.start(T0);
    view.note(T0 - 1500, 'before the first tick');
    view.stop();
    expect(out.text()).toBe('t-  1.5s  before the first tick\n');
  });
});
