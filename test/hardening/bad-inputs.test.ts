// The counted bad-input suite: each row runs one action's run() in this process (or one `shiftgate`
// command) with one bad input, every endpoint pointed at a loopback sink that counts connections. A row
// passes when the step fails with an error naming the input, sets no output, and connected to nothing.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { run as bakeAndGate } from '../../actions/bake-and-gate/src/main';
import { run as recordDeployment } from '../../actions/record-deployment/src/main';
import { post as recordDeploymentPost } from '../../actions/record-deployment/src/post-step';
import { run as rollback } from '../../actions/rollback/src/main';
import { run as runPlan } from '../../actions/run-plan/src/main';
import { run as selectStrategy } from '../../actions/select-strategy/src/main';
import { run as shiftTraffic } from '../../actions/shift-traffic/src/main';
import { inProcess } from '../actions/shift-traffic/harness';
import { cli } from '../support/cli';
import { ConnectionSink } from '../support/connection-sink';
import { pullRequestEvent } from '../support/events';
import { ROOT } from '../support/runner';
import { ACTION_ROWS, CLI_ROWS, VALID, type ActionRow } from './bad-inputs.table';

/** Each action's inputs as the runner fills them in from action.yml (expressions such as ${{ github.token }} as empty). */
const DEFAULTS = Object.fromEntries(
  Object.keys(VALID).map((action) => {
    const doc = parseYaml(readFileSync(join(ROOT, 'actions', action, 'action.yml'), 'utf8')) as {
      inputs: Record<string, { default?: string }>;
    };
    const defaults = Object.entries(doc.inputs).map(([name, spec]) => {
      const value = String(spec.default ?? '');
      return [name, value.includes('${{') ? '' : value];
    });
    return [action, Object.fromEntries(defaults) as Record<string, string>];
  }),
);

const MAIN: Record<string, () => Promise<void>> = {
  'select-strategy': () => selectStrategy(),
  'shift-traffic': () => shiftTraffic(),
  'bake-and-gate': () => bakeAndGate(),
  'run-plan': () => runPlan(),
  rollback: () => rollback(),
  'record-deployment': () => recordDeployment(),
};

let sink: ConnectionSink;
const eventDir = mkdtempSync(join(tmpdir(), 'shiftgate-hardening-'));
const labeledEvent = join(eventDir, 'labeled.json');
beforeAll(async () => {
  sink = await ConnectionSink.start();
  writeFileSync(labeledEvent, JSON.stringify(pullRequestEvent({ labels: ['deploy:canary'] })));
});
afterAll(() => sink.close());
beforeEach(() => sink.reset());

/** Shows a row's value in its test name on one line. */
const shown = (row: ActionRow) =>
  JSON.stringify(row.value.length > 40 ? `${row.value.slice(0, 40)}…` : row.value);

describe('every action refuses a bad input: an error naming it, no output, no connection', () => {
  it.each(ACTION_ROWS.map((row) => [`${row.action} ${row.input}=${shown(row)}`, row] as const))(
    '%s',
    async (_name, row) => {
      let exitCode: number | string | undefined;
      const inputs = { ...DEFAULTS[row.action], ...VALID[row.action], ...row.with, [row.input]: row.value };
      const extra: Record<string, string> = { ...sink.env };
      if (row.event === 'labeled-pull-request') {
        extra.GITHUB_EVENT_NAME = 'pull_request';
        extra.GITHUB_EVENT_PATH = labeledEvent;
      }
      if (row.entry === 'post') extra['STATE_deployment-id'] = '7';
      const step = row.entry === 'post' ? () => recordDeploymentPost() : MAIN[row.action]!;
      const result = await inProcess(
        inputs,
        async () => {
          await step();
          exitCode = process.exitCode;
        },
        extra,
      );
      expect(exitCode).toBe(1);
      expect(result.errors).toHaveLength(1);
      expect(result.errors[0]).toContain(`'${row.names ?? row.input}'`);
      if (row.says) expect(result.errors[0]).toContain(row.says);
      expect(result.outputs).toEqual({});
      expect(sink.connections).toBe(0);
    },
  );
});

describe('every shiftgate command refuses a bad flag: exit 2, the flag named, nothing done', () => {
  it.each(CLI_ROWS.map((row) => [row.argv.join(' ').replace(/\n/g, '\\n'), row] as const))(
    'shiftgate %s',
    async (_name, row) => {
      const cwd = mkdtempSync(join(tmpdir(), 'shiftgate-cli-'));
      for (const [name, text] of Object.entries(row.files ?? {})) writeFileSync(join(cwd, name), text);
      const result = await cli(row.argv, {
        cwd,
        env: { ...sink.env, AWS_REGION: 'us-east-1', GITHUB_TOKEN: 'ghs_test' },
      });
      expect(result.code).toBe(2);
      if (row.names) expect(result.stderr).toContain(row.names);
      else expect(result.stderr).toMatch(new RegExp(`(--|')${row.flag}\\b`));
      if (row.hides) expect(result.stderr).not.toContain(row.hides);
      if (row.says) expect(result.stderr).toContain(row.says);
      expect(result.stdout).toBe('');
      expect(sink.connections).toBe(0);
    },
  );
});

describe('the connection sink', () => {
  it('counts a step that does connect (valid inputs reaching AWS)', async () => {
    await inProcess(
      { ...DEFAULTS['rollback'], ...VALID['rollback'], 'max-attempts': '1' },
      () => rollback(),
      {
        ...sink.env,
      },
    );
    expect(sink.connections).toBeGreaterThan(0);
  });
});
