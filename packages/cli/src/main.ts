import { errorMessage } from '@shiftgate/core';
import { EXIT, UsageError, type Io } from './command';
import { COMMANDS } from './commands/index';

const USAGE = (): string =>
  [
    'Usage: shiftgate <command> [options]',
    '',
    'Progressive delivery to AWS Application Load Balancers.',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(12)} ${c.summary}`),
    '',
    "Run 'shiftgate <command> --help' for a command's options.",
    'Exit codes: 0 done, 1 negative verdict or failure, 2 invalid usage or input.',
    '',
  ].join('\n');

/** Runs the CLI with arguments (without `node` and the script) and returns the exit code. */
export async function main(argv: string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(USAGE());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.stderr(`shiftgate: unknown command '${name}'. Commands: ${COMMANDS.map((c) => c.name).join(', ')}\n`);
    return EXIT.usage;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(command.help.endsWith('\n') ? command.help : `${command.help}\n`);
    return EXIT.ok;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    io.stderr(`shiftgate ${name}: ${errorMessage(error)}\n`);
    return error instanceof UsageError || (error as Error)?.name === 'InputError' ? EXIT.usage : EXIT.failed;
  }
}
