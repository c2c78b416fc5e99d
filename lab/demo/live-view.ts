import type { RunRecord, ResourceSample, WorkerOutcome, WorkerRecord } from './records.js';

/** Options of {@link LiveView}. */
export interface LiveViewOptions {
  readonly out: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  readonly title: string;
  readonly durationS: number;
  /** Redraw in place (a terminal) or print plain lines (a pipe, a file, CI). @default out.isTTY */
  readonly redraw?: boolean;
}

type Cell = 'ran' | 'leading' | 'stale' | 'error' | 'done' | 'held' | 'killed' | 'paused';

/** Per tick and worker, the most telling thing that happened wins the cell. */
const RANK: Record<Cell, number> = { killed: 7, stale: 6, ran: 5, error: 4, leading: 3, paused: 2, done: 1, held: 0 };
const GLYPH: Record<Cell, string> = {
  ran: '█',
  leading: '▒',
  stale: '✗',
  error: '!',
  done: '○',
  held: '·',
  killed: 'K',
  paused: 'Z',
};
const LEGEND =
  '█ ran  ▒ leading  · skipped: held  ○ skipped: tick done  ✗ stale write refused  ! error  K killed  Z paused';
const EVENT_LINES = 7;
const REDRAW_MS = 200;

interface WorkerRow {
  readonly name: string;
  pid: number;
  status: string;
  gone: boolean;
  readonly cells: Map<number, Cell>;
}

/**
 * The demo's terminal view: the lease holder and its token, the ledger's
 * fence, one row per worker with its outcome on each recent tick, and the
 * latest notable events (strikes, takeovers, refused writes). On a terminal it
 * redraws in place; otherwise it prints one line per tick and per event.
 */
export class LiveView {
  readonly #rows = new Map<string, WorkerRow>();
  readonly #ticks: number[] = [];
  readonly #events: string[] = [];
  /** Owner id of a tenure -> the worker that holds it. */
  readonly #holders = new Map<string, string>();
  /** The kill or pause each successor's first job answers, for "took over N s after". */
  #lastStrike: { at: number; token: number; what: string } | undefined;
  #sample: ResourceSample | undefined;
  #timer: NodeJS.Timeout | undefined;
  #drawnLines = 0;
  /** Line mode: lines not yet printed, so that they come out in time order (a tick's line is complete only at the next tick). */
  readonly #pending: { at: number; line: string }[] = [];
  /** A terminal's one-line progress note, overwritten in place until the next line. */
  #progress = false;
  #stopped = false;
  #startedAt = Date.now();
  readonly #redraw: boolean;

  constructor(private readonly options: LiveViewOptions) {
    this.#redraw = options.redraw ?? options.out.isTTY === true;
  }

  /** Starts the clock (times show as t+seconds from `at`, the first tick) and, on a terminal, the redrawing. */
  start(at: number): void {
    this.#startedAt = at;
    if (this.#redraw) this.#timer = setInterval(() => this.#draw(), REDRAW_MS);
  }

  /** Draws the last frame (a terminal) and stops. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#redraw) this.#draw();
    else {
      this.#flushTick();
      this.#flushPending(Infinity);
    }
  }

  /** Prints a line outside the view (setup, summary). */
  say(text: string): void {
    this.#endProgress();
    if (!this.#redraw) this.#flushPending(Infinity);
    if (this.#redraw && this.#drawnLines > 0) {
      this.#draw();
      this.#drawnLines = 0; // keep the last frame; write below it
    }
    this.options.out.write(`${text}\n`);
  }

  /** A terminal: one line rewritten in place (a wait). Elsewhere nothing: a log needs no heartbeat. */
  progress(text: string): void {
    if (!this.#redraw || this.#drawnLines > 0) return;
    this.options.out.write(`\r\x1b[K${text}`);
    this.#progress = true;
  }

  #endProgress(): void {
    if (!this.#progress) return;
    this.#progress = false;
    this.options.out.write('\r\x1b[K');
  }

  onRunRecord(record: RunRecord): void {
    switch (record.type) {
      case 'tick':
        if (!this.#redraw) {
          this.#flushTick();
          this.#flushPending(record.tick);
        }
        this.#ticks.push(record.tick);
        return;
      case 'spawn':
        this.#rows.set(record.worker, {
          name: record.worker,
          pid: record.pid,
          status: 'starting',
          gone: false,
          cells: new Map(),
        });
        if (record.replaces)
          this.#event(record.at, `${record.worker} (pid ${record.pid}) started to replace ${record.replaces}`);
        return;
      case 'exit': {
        const row = this.#rows.get(record.worker);
        if (row && !row.gone) {
          row.gone = true;
          if (record.signal !== 'SIGKILL')
            row.status =
              record.code === 0
                ? 'stopped at the end of the run'
                : `exited (${record.signal ?? `code ${record.code}`})`;
        }
        return;
      }
      case 'kill': {
        this.#mark(record.worker, record.tick, 'killed');
        const row = this.#rows.get(record.worker);
        if (row) row.status = `KILLED at ${this.#t(record.at).replace(/ /g, '')} while leading token ${record.token}`;
        this.#lastStrike = { at: record.at, token: record.token, what: 'the kill' };
        this.#event(record.at, `SIGKILL ${record.worker} while it led token ${record.token}`);
        return;
      }
      case 'pause': {
        this.#mark(record.worker, record.tick, 'paused');
        const row = this.#rows.get(record.worker);
        if (row) row.status = `PAUSED (SIGSTOP) while leading token ${record.token}`;
        this.#lastStrike = { at: record.at, token: record.token, what: 'the pause' };
        const leaseLeft = ((record.leaseExpiresAt - record.at) / 1000).toFixed(1);
        this.#event(
          record.at,
          `SIGSTOP ${record.worker} while it led token ${record.token} (its lease ends in ${leaseLeft} s)`,
        );
        return;
      }
      case 'resume': {
        const row = this.#rows.get(record.worker);
        if (row) row.status = `resumed; its tenure (token ${record.token}) is over`;
        const after = record.successorToken === undefined ? '' : ` after token ${record.successorToken} wrote`;
        this.#event(record.at, `SIGCONT ${record.worker}${after}: it still thinks it leads with token ${record.token}`);
        return;
      }
      case 'sample':
        this.#sample = record;
        return;
      default:
        return;
    }
  }

  onWorkerRecord(record: WorkerRecord): void {
    const row = this.#rows.get(record.worker);
    switch (record.type) {
      case 'ready':
        if (row) row.status = 'ready';
        return;
      case 'job-start': {
        this.#holders.set(record.holder, record.worker);
        this.#mark(record.worker, record.tick, 'leading');
        if (row)
          row.status = `${clock(record.tick)} LEADING with token ${record.token}${record.takeover ? ' (takeover)' : ''}`;
        if (record.takeover) {
          const strike = this.#lastStrike;
          const since =
            strike && strike.token < record.token
              ? `, ${((record.at - strike.at) / 1000).toFixed(1)} s after ${strike.what}`
              : '';
          this.#event(
            record.at,
            `${record.worker} took over at token ${record.token}${since} (lease ${(record.durationMs / 1000).toFixed(1)} ` +
              `s)`,
          );
        }
        return;
      }
      case 'write-end':
        if (!record.ok && record.error === 'StaleTokenError') {
          this.#event(
            record.at,
            `${record.worker}'s late write REFUSED by the fence: token ${record.token} < fence ${record.fence ?? '?'} ` +
              `(StaleWriteRejected)`,
          );
        }
        return;
      case 'outcome':
        this.#mark(record.worker, record.tick, cellOf(record));
        if (row) row.status = this.#describe(record);
        return;
      default:
        return;
    }
  }

  #describe(o: WorkerOutcome): string {
    const tick = clock(o.tick);
    const cost = `${o.requests} req, ${Math.round(o.ms)} ms`;
    if (o.status === 'ran') return `${tick} ran, token ${o.token}${o.released ? '' : ' (not released)'} · ${cost}`;
    if (o.status === 'error')
      return `${tick} ${o.error}${o.fence === undefined ? '' : `: token ${o.token} < fence ${o.fence}`} · ${cost}`;
    if (o.reason === 'tick-done') return `${tick} skipped: tick already done · ${cost}`;
    const holder = o.holder === undefined ? 'another worker' : (this.#holders.get(o.holder) ?? 'another worker');
    return `${tick} skipped: ${holder} holds token ${o.token} · ${cost}`;
  }

  #mark(worker: string, tick: number, cell: Cell): void {
    const cells = this.#rows.get(worker)?.cells;
    if (!cells) return;
    const before = cells.get(tick);
    // "leading" is provisional: the invocation's outcome replaces it.
    if (before === undefined || before === 'leading' || RANK[cell] >= RANK[before]) cells.set(tick, cell);
  }

  /** A notable event of the run's own (not a worker's), shown with the others. */
  note(at: number, text: string): void {
    this.#event(at, text);
  }

  #event(at: number, text: string): void {
    const line = `${this.#t(at)}  ${text}`;
    this.#events.push(line);
    if (this.#events.length > EVENT_LINES) this.#events.shift();
    if (!this.#redraw) this.#pending.push({ at, line });
  }

  /** Line mode: prints the pending lines stamped before `until`, oldest first. */
  #flushPending(until: number): void {
    this.#pending.sort((a, b) => a.at - b.at);
    while (this.#pending.length > 0 && (this.#pending[0] as { at: number }).at < until) {
      this.options.out.write(`${(this.#pending.shift() as { line: string }).line}\n`);
    }
  }

  #t(at: number): string {
    const s = (at - this.#startedAt) / 1000;
    return `t${s < 0 ? '-' : '+'}${Math.abs(s).toFixed(1).padStart(5)}s`;
  }

  /** Line mode: one line for the tick that just ended. */
  #flushTick(): void {
    const tick = this.#ticks.at(-1);
    if (tick === undefined) return;
    const parts: string[] = [];
    let leader = '';
    for (const row of this.#rows.values()) {
      const cell = row.cells.get(tick);
      if (cell === undefined) continue;
      if (cell === 'ran' || cell === 'leading') leader = row.name;
      parts.push(`${row.name} ${cell}`);
    }
    const lease = this.#sample?.lease;
    const holder = lease?.holder ? (this.#holders.get(lease.holder) ?? '?') : 'none';
    const line =
      `${this.#t(tick)}  tick ${clock(tick)}  leader ${leader || '-'}  lease: ${holder} token ${lease?.token ?? 0} ` +
      ` | ${parts.join(', ') || 'no outcome yet'}`;
    this.#pending.push({ at: tick, line });
  }

  #draw(): void {
    const width = Math.max(60, this.options.out.columns ?? 100);
    const now = Date.now();
    const lines: string[] = [];
    lines.push(`${this.options.title} · ${this.#t(now).replace(/ /g, '')} of ${this.options.durationS}s`);
    const lease = this.#sample?.lease;
    const head = this.#sample?.head;
    const holder = lease?.holder === undefined ? undefined : this.#holders.get(lease.holder);
    const fate =
      holder === undefined
        ? ''
        : (this.#rows
            .get(holder)
            ?.status.match(/^(KILLED|PAUSED)/)?.[1]
            ?.toLowerCase() ?? '');
    const expires = lease ? (lease.expiresAt - now) / 1000 : 0;
    const leaseText = lease?.holder
      ? `${holder ?? 'a worker'}${fate ? ` (${fate})` : ''} holds the lease · token ${lease.token} · ${expires > 0 ? `expires in ${expires.toFixed(1)} s` : `expired ${(-expires).toFixed(1)} s ago, free to take`}`
      : `the lease is free · last token ${lease?.token ?? 0}`;
    lines.push(`lease   ${leaseText}`);
    lines.push(
      `ledger  fence ${head?.fence ?? '-'} · ${head?.runs ?? 0} entries · last tick ${head?.lastTick ? clock(head.lastTick) : '-'}`,
    );
    const columns = Math.max(10, Math.min(40, width - 60));
    const ticks = this.#ticks.slice(-columns);
    lines.push(`${''.padEnd(16)}${'ticks, newest right'.padEnd(columns + 2).slice(0, columns + 2)}last outcome`);
    for (const row of this.#rows.values()) {
      const strip = ticks.map((t) => (row.cells.has(t) ? GLYPH[row.cells.get(t) as Cell] : ' ')).join('');
      const name = `${row.name} pid ${row.pid}`.padEnd(16);
      lines.push(`${name}${strip.padEnd(columns)}  ${row.status}`.slice(0, width - 1));
    }
    lines.push('');
    for (const e of this.#events) lines.push(`  ${e}`.slice(0, width - 1));
    lines.push(LEGEND.slice(0, width - 1));
    // Up over the last frame, clear it, draw this one.
    const up = this.#drawnLines > 0 ? `\x1b[${this.#drawnLines}F\x1b[J` : '';
    this.options.out.write(`${up}${lines.join('\n')}\n`);
    this.#drawnLines = lines.length;
  }
}

function cellOf(o: WorkerOutcome): Cell {
  if (o.status === 'ran') return 'ran';
  if (o.status === 'error') return o.error === 'StaleTokenError' ? 'stale' : 'error';
  return o.reason === 'tick-done' ? 'done' : 'held';
}

/** A tick's wall-clock time of day, UTC, as EventBridge would name it. */
function clock(tick: number): string {
  return new Date(tick).toISOString().slice(11, 19);
}
