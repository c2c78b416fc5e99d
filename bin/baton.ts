#!/usr/bin/env -S npx tsx
/**
 * The `baton` command-line tool. Each subcommand lives in its own module under
 * `bin/commands/` and is loaded only when asked for, so `baton status` never
 * pays for the simulator or the demo.
 */
const COMMANDS: Record<string, { summary: string; load: () => Promise<{ run(argv: string[]): Promise<number> }> }> = {
  demo: { summary: 'contending Lambda workers, a nemesis, a live view and a checked report', load: () => import('./commands/demo.js') },
  status: { summary: 'show a lease: holder, token, expiry, last tick', load: () => import('./commands/status.js') },
  watch: { summary: 'follow a lease as it changes hands', load: () => import('./commands/watch.js') },
  release: { summary: 'force-release a stuck lease at a given token', load: () => import('./commands/release.js') },
  chaos: { summary: 'fault-injection safety campaign: kills, pauses, skew, a faulty network, a history checker', load: () => import('./commands/chaos.js') },
  bench: { summary: 'measure Baton beside raw UpdateItem and the peer lock libraries on DynamoDB Local', load: () => import('./commands/bench.js') },
  sim: { summary: 'election lab: Bully, Ring, Raft, Paxos, ZooKeeper and Baton in a simulator', load: () => import('./commands/sim.js') },
  tour: { summary: 'walk through the lease protocol on DynamoDB Local, step by step', load: () => import('./commands/tour.js') },
};

function usage(): string {
  const rows = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return ['usage: baton <command> [options]', '', 'commands:', ...rows].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const command = name === undefined ? undefined : COMMANDS[name];
  if (command === undefined) {
    const helpAsked = name === undefined || name === '--help' || name === '-h' || name === 'help';
    (helpAsked ? console.log : console.error)(usage());
    return helpAsked ? 0 : 2;
  }
  const module = await command.load();
  return module.run(rest);
}

process.exitCode = await main(process.argv.slice(2));
