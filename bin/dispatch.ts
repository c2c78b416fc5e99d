/** One subcommand of a command-line tool, loaded only when asked for. */
export interface Command {
  readonly summary: string;
  readonly load: () => Promise<{ run(argv: string[]): Promise<number> }>;
}

function usage(tool: string, commands: Readonly<Record<string, Command>>): string {
  const rows = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return [`usage: ${tool} <command> [options]`, '', 'commands:', ...rows].join('\n');
}

/**
 * Runs the subcommand that `argv` names and resolves to the exit code: the
 * usage on `--help` (0), one line on stderr for an unknown command (2).
 */
export async function dispatch(
  tool: string,
  commands: Readonly<Record<string, Command>>,
  argv: string[],
): Promise<number> {
  const [name, ...rest] = argv;
  const command = name === undefined ? undefined : commands[name];
  if (command === undefined) {
    const helpAsked = name === undefined || name === '--help' || name === '-h' || name === 'help';
    if (helpAsked) console.log(usage(tool, commands));
    else
      console.error(
        `${tool}: unknown command "${name}"; the commands are ${Object.keys(commands).join(', ')} (${tool} --help)`,
      );
    return helpAsked ? 0 : 2;
  }
  const module = await command.load();
  return module.run(rest);
}
