/**
 * The lab: demo, bench, chaos, sim and tour, run from this repository through
 * npm scripts (`npm run demo -- --workers 6`). None of it is in the package.
 */
import { dispatch, type Command } from 'baton-lease/internal';

const COMMANDS: Record<string, Command> = {
  demo: {
    summary: 'contending Lambda workers, a nemesis, a live view and a checked report',
    load: () => import('./commands/demo.js'),
  },
  chaos: {
    summary: 'fault-injection safety campaign: kills, pauses, skew, a faulty network, a history checker',
    load: () => import('./commands/chaos.js'),
  },
  bench: {
    summary: 'measure Baton beside raw UpdateItem and the peer lock libraries on DynamoDB Local',
    load: () => import('./commands/bench.js'),
  },
  dst: {
    summary: 'deterministic simulation of the real runtime: faults, invariants, mutants (docs/dst.md)',
    load: () => import('./commands/dst.js'),
  },
  sim: {
    summary: 'election lab: Bully, Ring, Raft, Paxos, ZooKeeper and Baton in a simulator',
    load: () => import('../sim/command.js'),
  },
  tour: {
    summary: 'walk through the lease protocol on DynamoDB Local, step by step',
    load: () => import('./commands/tour.js'),
  },
};

process.exitCode = await dispatch('npm run', COMMANDS, process.argv.slice(2));
