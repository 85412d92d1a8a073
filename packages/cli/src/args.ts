import { parseArgs, type ParseArgsConfig } from 'node:util';
import {
  commandSettings,
  settingDefault,
  settingDescription,
  type CommandSettingName,
  type SettingCommand,
} from '@shiftgate/core';
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

/** The flags of the catalogue settings `command` takes: each a string, named as the action input. */
export function settingFlags<C extends SettingCommand>(
  command: C,
): Record<CommandSettingName<C>, { type: 'string' }> {
  return Object.fromEntries(
    commandSettings(command).map((name) => [name, { type: 'string' as const }]),
  ) as Record<CommandSettingName<C>, { type: 'string' }>;
}

/**
 * The `--help` lines of the catalogue settings `command` takes: each flag with its default and its
 * description (the run-plan action's, whose inputs the flags mirror), wrapped to fit a terminal.
 */
export function settingsHelp(command: SettingCommand, width = 100): string {
  const indent = ' '.repeat(6);
  return commandSettings(command)
    .map((name) => {
      const value = settingDefault(name, 'run-plan');
      const head = `  --${name}${value === '' ? '' : ` (default ${value})`}`;
      const lines: string[] = [];
      let line = indent;
      for (const word of settingDescription(name, 'run-plan').split(' ')) {
        if (line.length > indent.length && line.length + 1 + word.length > width) {
          lines.push(line);
          line = indent;
        }
        line += line.length > indent.length ? ` ${word}` : word;
      }
      return [head, ...lines, line].join('\n');
    })
    .join('\n');
}
