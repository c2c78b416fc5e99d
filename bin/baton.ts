#!/usr/bin/env -S npx tsx
/**
 * The `baton` command-line tool. Each subcommand lives in its own module under
 * `bin/commands/` and is loaded only when asked for, so `baton status` never
 * pays for the simulator or the demo.
 */
const COMMANDS: Record<string, { summary: string; load: () => Promise<{ run(argv: string[]): Promise<number> }> }> = {
  demo: { summary: 'walk through the lease protocol on DynamoDB Local', load: () => import('./commands/tour.js') },
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
