/**
 * `npm run model -- [--mutants] [--traces N] [--deep]`: checks spec/baton.pml
 * with SPIN (docs/protocol.md#the-model), refutes the mutants, replays model
 * traces against both stores, and writes model-report.json.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { InMemoryLeaseStore } from '../lib/runtime/in-memory-lease-store.js';
import { DynamoDBLeaseStore } from '../lib/runtime/dynamodb-lease-store.js';
import { createLeaseTable } from '../lib/runtime/create-lease-table.js';
import type { LeaseStore } from '../lib/runtime/lease-store.js';
import { localDynamoDBClient, startDynamoDBLocal } from '../lib/testing/index.js';
import { realRuntime } from '../lab/dst/runtime.js';
import { type Mismatch, type Trace, parseTrace, replay } from './conformance.js';
import { conformDecisions } from './decisions.js';
import { type Check, MUTANTS, type Mutant, checksFor, tracedRuns } from './runs.js';

const run = promisify(execFile);
const MODEL = join(dirname(fileURLToPath(import.meta.url)), 'baton.pml');

interface Options {
  mutants: boolean;
  traces: number;
  deep: boolean;
  out: string;
}

function parseArgs(argv: readonly string[]): Options {
  const options: Options = { mutants: false, traces: 0, deep: false, out: 'model-report.json' };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--mutants') options.mutants = true;
    else if (arg === '--deep') options.deep = true;
    else if (arg === '--traces') {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n < 0) throw new Error(`--traces takes a count, got ${argv[i]}`);
      options.traces = n;
    } else if (arg === '--out') options.out = argv[++i] ?? options.out;
    else throw new Error(`unknown option ${arg} (usage: npm run model -- [--mutants] [--traces N] [--deep])`);
  }
  return options;
}

/** One compiled verifier: spin -a, then gcc. Each in its own folder, so two can build at once. */
async function compile(defines: readonly string[], liveness: boolean, bfs = false): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'baton-model-'));
  copyFileSync(MODEL, join(dir, 'baton.pml'));
  await run('spin', ['-a', ...defines, 'baton.pml'], { cwd: dir });
  const flags = liveness ? ['-DCOLLAPSE'] : ['-DSAFETY', '-DNOFAIR', bfs ? '-DBFS' : '-DCOLLAPSE'];
  // MEMLIM only caps the search (in MB); the CI bounds need a fraction of it, --deep up to a few GB.
  await run('gcc', ['-O0', '-w', '-DMEMLIM=16384', ...flags, '-o', 'pan', 'pan.c'], { cwd: dir, maxBuffer: 1 << 24 });
  return dir;
}

interface PanResult {
  states: number;
  depth: number;
  errors: number;
  complete: boolean;
  violated: string | undefined;
  seconds: number;
}

async function pan(dir: string, liveness: boolean, timeoutS: number): Promise<PanResult> {
  const args = liveness ? ['-a', '-f', '-N', 'live', '-m1000000', '-w24'] : ['-E', '-m1000000', '-w24'];
  const started = Date.now();
  let stdout: string;
  try {
    ({ stdout } = await run('./pan', args, { cwd: dir, timeout: timeoutS * 1000, maxBuffer: 1 << 26 }));
  } catch (error) {
    stdout = (error as { stdout?: string }).stdout ?? '';
    if (!/errors: \d+/.test(stdout))
      return {
        states: 0,
        depth: 0,
        errors: 0,
        complete: false,
        violated: `pan did not finish: ${(error as Error).message.split('\n')[0]}`,
        seconds: (Date.now() - started) / 1000,
      };
  }
  const number = (pattern: RegExp) => Number(pattern.exec(stdout)?.[1] ?? NaN);
  const errors = number(/errors: (\d+)/);
  return {
    states: number(/(\d+) states, stored/),
    depth: number(/depth reached (\d+)/),
    errors,
    // Truncation shows as a depth limit hit; an error also stops the search early.
    complete: errors === 0 && !/max search depth too small/.test(stdout),
    violated:
      /pan:\d+: (.*) \(at depth/.exec(stdout)?.[1] ??
      (/acceptance cycle/.test(stdout) ? 'acceptance cycle' : undefined),
    seconds: (Date.now() - started) / 1000,
  };
}

/** Runs `tasks` at most `limit` at a time, keeping their order. */
async function pool<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await task(items[index]!);
      }
    }),
  );
  return results;
}

async function check(c: Check) {
  const dir = await compile(c.defines, c.liveness);
  try {
    const r = await pan(dir, c.liveness, c.timeoutS);
    const properties = c.properties.map((p) => ({
      name: p.name,
      holds: r.errors === 0 && r.violated === undefined,
    }));
    if (r.violated !== undefined) {
      const broken =
        c.properties.find((p) => p.assertion !== undefined && r.violated!.includes(p.assertion)) ?? c.properties[0];
      for (const p of properties) if (p.name === broken?.name) p.holds = false;
    }
    const line = `${c.name}: ${r.states} states, depth ${r.depth}, ${r.seconds.toFixed(1)} s, ${r.complete ? 'complete' : 'INCOMPLETE'}${r.violated ? `, VIOLATED ${r.violated}` : ''}`;
    console.log(`model: ${line}`);
    return {
      name: c.name,
      bounds: c.bounds,
      states: r.states,
      depth: r.depth,
      seconds: r.seconds,
      complete: r.complete,
      properties,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A mutant is caught when SPIN finds the property it breaks violated, with a trail that replays. */
async function refute(m: Mutant) {
  // Breadth-first search gives the shortest trail (safety); a liveness mutant's trail is an acceptance cycle found depth-first.
  const liveness = m.liveness === true;
  const dir = await compile([...m.defines, `-D${m.flag}=1`], liveness, !liveness);
  try {
    const r = await pan(dir, liveness, m.timeoutS);
    let trailSteps = 0;
    let trail: string[] = [];
    if (r.errors > 0) {
      const { stdout } = await run('spin', ['-t', ...m.defines, `-D${m.flag}=1`, 'baton.pml'], {
        cwd: dir,
        maxBuffer: 1 << 26,
      });
      trailSteps = Number(/trail ends after (\d+) steps/.exec(stdout)?.[1] ?? 0);
      trail = stdout
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l.startsWith('@@ '))
        .map((l) => l.slice(3));
    }
    const caught = r.errors > 0 && r.violated !== undefined && r.violated.includes(m.breaks);
    console.log(
      `model: mutant ${m.name}: ${caught ? 'caught' : 'NOT CAUGHT'} (${r.violated ?? 'no violation'}; ` +
        `${trailSteps} trail steps)`,
    );
    return { name: m.name, caught, trailSteps, violated: r.violated ?? null, explanation: m.explanation, trail };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function simulate(count: number): Promise<Trace[]> {
  const runs = tracedRuns();
  const seeds = Array.from({ length: count }, (_, i) => i + 1);
  return pool(seeds, availableParallelism(), async (seed) => {
    const r = runs[seed % runs.length]!;
    // A folder of its own: spin writes its preprocessed model to pan.pre in the working folder.
    const dir = mkdtempSync(join(tmpdir(), 'baton-trace-'));
    copyFileSync(MODEL, join(dir, 'baton.pml'));
    try {
      // A simulation ends when time reaches the horizon and nothing is left to do; spin then exits non-zero.
      const stdout = await run('spin', [`-n${seed}`, ...r.defines, 'baton.pml'], { cwd: dir, maxBuffer: 1 << 26 }).then(
        (out) => out.stdout,
        (error: { stdout?: string }) => error.stdout ?? '',
      );
      return parseTrace(stdout, seed, r.name);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

async function conform(traces: readonly Trace[], store: () => LeaseStore, prefix: string) {
  const mismatches: Mismatch[] = [];
  await pool(traces, 16, async (trace) => {
    mismatches.push(...(await replay(store(), `${prefix}-${trace.run}-${trace.seed}`, trace)));
  });
  return mismatches;
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const { stdout: version } = await run('spin', ['-V']);
  const started = Date.now();
  const checks = checksFor(options.deep);
  const runs = await pool(checks, 2, check);
  const mutants = options.mutants ? await pool(MUTANTS, 2, refute) : [];

  let conformance: Record<string, unknown> = {
    traces: 0,
    writes: 0,
    reads: 0,
    mismatches: 0,
    decisions: 0,
    decisionMismatches: 0,
  };
  if (options.traces > 0) {
    const traces = await simulate(options.traces);
    const writes = traces.reduce((n, t) => n + t.writes.length, 0);
    const reads = traces.reduce((n, t) => n + t.steps.length - t.writes.length, 0);
    const memory = await conform(traces, () => new InMemoryLeaseStore(), 'mem');
    console.log(
      `model: conformance in memory: ${traces.length} traces, ${writes} writes, ${reads} reads, ${memory.length} ` +
        `mismatches`,
    );
    // The clients' decisions, through the real elector and Lease (spec/decisions.ts).
    const replayStarted = Date.now();
    const decided = await conformDecisions(await realRuntime(), traces, tracedRuns());
    const replaySeconds = (Date.now() - replayStarted) / 1000;
    console.log(
      `model: decisions through the runtime: ${decided.traces} traces, ${decided.decisions} decisions, ` +
        `${decided.mismatches} mismatches, ${replaySeconds.toFixed(1)} s`,
    );
    const local = await startDynamoDBLocal();
    let dynamo: Mismatch[];
    try {
      const client = localDynamoDBClient(local.endpoint);
      await createLeaseTable(client, 'model-conformance');
      const store = new DynamoDBLeaseStore(client, 'model-conformance');
      dynamo = await conform(traces, () => store, 'ddb');
      client.destroy();
    } finally {
      await local.stop();
    }
    console.log(
      `model: conformance on DynamoDB Local: ${traces.length} traces, ${writes} writes, ${reads} ` +
        `reads, ${dynamo.length} mismatches`,
    );
    conformance = {
      traces: traces.length,
      writes,
      reads,
      mismatches: memory.length + dynamo.length,
      decisions: decided.decisions,
      decisionsByKind: decided.byKind,
      decisionMismatches: decided.mismatches,
      firstDecisionMismatches: decided.first,
      stores: {
        inMemory: { traces: traces.length, writes, reads, mismatches: memory.length },
        dynamodbLocal: { traces: traces.length, writes, reads, mismatches: dynamo.length },
      },
      firstMismatches: [...memory, ...dynamo].slice(0, 5),
    };
  }

  const report = {
    spin: version.trim(),
    deep: options.deep,
    seconds: (Date.now() - started) / 1000,
    runs,
    mutants,
    conformance,
  };
  writeFileSync(options.out, `${JSON.stringify(report, null, 2)}\n`);

  const passed =
    runs.flatMap((r) => r.properties.filter((p) => p.holds && r.complete)).length +
    mutants.filter((m) => m.caught).length +
    (options.traces > 0
      ? [conformance.stores as Record<string, { mismatches: number }>]
          .flatMap((s) => Object.values(s))
          .filter((s) => s.mismatches === 0).length
      : 0) +
    (options.traces > 0 && conformance.decisionMismatches === 0 ? 1 : 0);
  const total = runs.reduce((n, r) => n + r.properties.length, 0) + mutants.length + (options.traces > 0 ? 3 : 0);
  console.log(`model: report in ${options.out}`);
  console.log(`model: ${passed} passed, ${total - passed} failed`);
  process.exitCode = passed === total ? 0 : 1;
}

main().catch((error: unknown) => {
  console.error(error);
  console.log('model: 0 passed, 1 failed');
  process.exitCode = 1;
});
