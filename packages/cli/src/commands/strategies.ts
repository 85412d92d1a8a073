import { STRATEGIES, STRATEGY_NAMES, parseStrategyName } from '@shiftgate/core';
import { parseFlags } from '../args';
import { EXIT, type Command } from '../command';

/** `shiftgate strategies [name] [--json]`: the catalogue, or one strategy with its parameters and defaults. */
export const strategiesCommand: Command = {
  name: 'strategies',
  summary: 'List the strategies, their parameters and defaults',
  help: `Usage: shiftgate strategies [<strategy>] [--json]

Lists the seven strategies with a one-line description each, or, given a strategy name, its parameters
with their defaults.

Options:
  --json    print the catalogue (or the one strategy) as JSON

Exit codes: 0 listed, 2 unknown strategy or flag.`,
  async run(argv, io) {
    const { values, positionals } = parseFlags('strategies', argv, { json: { type: 'boolean' } }, 1);
    const names = positionals[0] ? [parseStrategyName('strategy', positionals[0])] : [...STRATEGY_NAMES];
    const specs = names.map((name) => STRATEGIES[name]);
    if (values.json) {
      io.stdout(`${JSON.stringify(positionals[0] ? specs[0] : specs, null, 2)}\n`);
      return EXIT.ok;
    }
    const lines: string[] = [];
    for (const spec of specs) {
      lines.push(`${spec.name}`, `  ${spec.description}`);
      if (positionals[0] || names.length === 1) {
        lines.push('', '  parameters:');
        for (const p of spec.parameters) {
          const def = p.required ? 'required' : p.default === null ? 'no default' : `default ${p.default}`;
          lines.push(`    ${p.name.padEnd(18)} ${p.kind.padEnd(9)} ${def.padEnd(20)} ${p.description}`);
        }
      } else {
        lines.push(`  parameters: ${spec.parameters.map((p) => p.name).join(', ')}`);
      }
      lines.push('');
    }
    if (!positionals[0])
      lines.push("Run 'shiftgate strategies <name>' for a strategy's parameters and defaults.");
    io.stdout(`${lines.join('\n')}\n`);
    return EXIT.ok;
  },
};
