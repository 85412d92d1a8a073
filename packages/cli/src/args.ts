import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './command';

/** Parses flags strictly: an unknown flag or a missing value is a usage error naming the flag. */
export function parseFlags<T extends NonNullable<ParseArgsConfig['options']>>(
  command: string,
  argv: string[],
  options: T,
  allowPositionals = 0,
) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, strict: true, allowPositionals: allowPositionals > 0 });
  } catch (error) {
    throw new UsageError(
      `${(error as Error).message.replace(/\. To specify a positional argument.*$/, '')}. See 'shiftgate ${command} --help'.`,
    );
  }
  if (parsed.positionals.length > allowPositionals) {
    throw new UsageError(
      `unexpected argument '${parsed.positionals[allowPositionals]}'. See 'shiftgate ${command} --help'.`,
    );
  }
  return parsed;
}
