// What the runner decides around a JavaScript action with a post step: whether `post-if` lets the post
// step run for a job status, and which STATE_* variables it gets from the main step's GITHUB_STATE file.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { data } from '@actions/expressions';
import { parse } from 'yaml';
import { evaluate, type JobStatus } from '../support/expressions';
import { parseCommandFile, ROOT } from '../support/runner';

export type { JobStatus };

/**
 * Evaluates a `post-if` expression the way the runner does: status functions (`success()`, `failure()`,
 * `cancelled()`, `always()`) answer for the job's status, not the action's.
 */
export function postIfRuns(expression: string, status: JobStatus): boolean {
  const result = evaluate(expression, new data.Dictionary(), status);
  if (!(result instanceof data.BooleanData))
    throw new Error(`post-if '${expression}' is not a boolean expression`);
  return result.value;
}

/** An action's metadata. */
export interface ActionMetadata {
  inputs: Record<string, { description?: string; default?: string; required?: boolean }>;
  outputs: Record<string, { description?: string }>;
  runs: { using: string; main: string; post?: string; 'post-if'?: string };
}

/** Reads `actions/<name>/action.yml`. */
export function actionMetadata(name: string): ActionMetadata {
  return parse(readFileSync(join(ROOT, 'actions', name, 'action.yml'), 'utf8')) as ActionMetadata;
}

/** The STATE_* variables a post step gets from the main step's saved state. */
export function postStateEnv(stateFileText: string): Record<string, string> {
  return Object.fromEntries(
    Object.entries(parseCommandFile(stateFileText)).map(([k, v]) => [`STATE_${k}`, v]),
  );
}

/** The IAM actions of the JSON policy under the README's "IAM policy" heading. */
export function documentedPolicy(action: string): string[] {
  const readme = readFileSync(join(ROOT, 'actions', action, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## IAM policy'));
  const json = /```json\n([\s\S]*?)\n```/.exec(section)?.[1];
  if (!json) throw new Error(`actions/${action}/README.md has no JSON policy under "## IAM policy"`);
  const policy = JSON.parse(json) as { Statement: { Effect: string; Action: string | string[] }[] };
  return policy.Statement.filter((s) => s.Effect === 'Allow')
    .flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]))
    .sort();
}

/** The ELBv2 commands the router's source can send. */
export function commandsInSource(): string[] {
  const found = new Set<string>();
  for (const file of ['elbv2.ts', 'elbv2-arn.ts', 'elbv2-inputs.ts', 'errors.ts']) {
    const text = readFileSync(join(ROOT, 'packages', 'aws', 'src', file), 'utf8');
    for (const match of text.matchAll(/new (\w+)Command\(/g)) found.add(match[1]!);
  }
  return [...found].sort();
}

/** The AppConfig commands the AppConfig adapter's source can send, as IAM actions. */
export function appConfigActionsInSource(): string[] {
  const text = readFileSync(join(ROOT, 'packages', 'aws', 'src', 'appconfig.ts'), 'utf8');
  const found = new Set<string>();
  for (const match of text.matchAll(/new (\w+)Command\(/g)) found.add(`appconfig:${match[1]!}`);
  return [...found].sort();
}
