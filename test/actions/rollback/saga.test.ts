// The rollback action compensates what a saga run left deployed (a killed job, a failed compensation),
// in reverse order, with the commands of its own `services` input: a state carries names, never commands.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  buildPlan,
  createRolloutState,
  parseRolloutState,
  serializeRolloutState,
  type RolloutState,
  type ServiceState,
} from '@shiftgate/core';
import { run } from '../../../actions/rollback/src/main';
import { Elbv2Server } from '../../support/elbv2-server';
import { inProcess } from '../shift-traffic/harness';

const NAMES = ['order', 'payment', 'inventory', 'shipping'];

function sagaState(services: ServiceState[] | null, step: number): RolloutState {
  const plan = buildPlan('saga', { services: NAMES, 'bake-time': '1m' });
  return {
    ...createRolloutState({
      strategy: 'saga',
      parameters: plan.parameters,
      plan: plan.steps,
      compensation: plan.compensation,
      now: new Date('2026-01-01T00:00:00Z'),
    }),
    step,
    status: 'in-progress',
    ...(services ? { services } : {}),
  };
}

let server: Elbv2Server;
let dir: string;
let log: string;
beforeAll(async () => {
  server = await Elbv2Server.start();
});
afterAll(() => server.close());
beforeEach(() => {
  server.reset();
  dir = mkdtempSync(join(tmpdir(), 'shiftgate-saga-'));
  log = join(dir, 'commands.log');
  writeFileSync(log, '');
});

/** The services input: every command appends `<phase> <service>` to the log; `failing` exits 3. */
function servicesInput(failing: string[] = [], names = NAMES): string {
  const cmd = (phase: string, name: string) =>
    `echo "${phase} $SHIFTGATE_SERVICE $SHIFTGATE_PHASE" >> '${log}'${failing.includes(`${phase} ${name}`) ? '; exit 3' : ''}`;
  return names
    .map(
      (name) =>
        `- name: ${name}\n  deploy: ${JSON.stringify(cmd('deploy', name))}\n  compensate: ${JSON.stringify(cmd('compensate', name))}\n  smoke: 'true'\n`,
    )
    .join('');
}

const rollback = (inputs: Record<string, string>) =>
  inProcess(inputs, () => run({ sleep: async () => {} }), { AWS_ENDPOINT_URL: server.url });
const ran = () => readFileSync(log, 'utf8').trim().split('\n').filter(Boolean);

describe('rollback of a saga', () => {
  it('compensates the third, second and first service in that order after a job killed in the third deploy', async () => {
    // The state a killed run-plan left: inventory's deploy had started (failing), order and payment deployed.
    const state = sagaState(
      [
        { name: 'order', status: 'deployed' },
        { name: 'payment', status: 'deployed' },
        { name: 'inventory', status: 'failed' },
        { name: 'shipping', status: 'untouched' },
      ],
      4,
    );
    const result = await rollback({ state: serializeRolloutState(state), services: servicesInput() });
    expect(result.errors).toEqual([]);
    expect(ran()).toEqual([
      'compensate inventory compensate',
      'compensate payment compensate',
      'compensate order compensate',
    ]);
    // No route, no AWS call: the saga moves no traffic of its own.
    expect(server.actions()).toEqual([]);
    const next = parseRolloutState('state', result.outputs.state!);
    expect(next.status).toBe('rolled-back');
    expect(next.services).toEqual([
      { name: 'order', status: 'compensated' },
      { name: 'payment', status: 'compensated' },
      { name: 'inventory', status: 'compensated' },
      { name: 'shipping', status: 'untouched' },
    ]);
    expect(result.outputs['rolled-back']).toBe('true');
    expect(result.summary).toContain('- service inventory compensated (exit code 0)');
  });

  it('compensates only what an earlier compensation left, and fails loudly when it fails again', async () => {
    const state = sagaState(
      [
        { name: 'order', status: 'deployed' },
        { name: 'payment', status: 'failed' },
        { name: 'inventory', status: 'compensated' },
        { name: 'shipping', status: 'untouched' },
      ],
      6,
    );
    const result = await rollback({
      state: serializeRolloutState(state),
      services: servicesInput(['compensate payment']),
    });
    // Retried 3 times, then it stops: order may depend on payment being undone first.
    expect(ran()).toEqual(Array(3).fill('compensate payment compensate'));
    expect(result.errors.join('\n')).toContain('compensation-failed: payment');
    const next = parseRolloutState('state', result.outputs.state!);
    expect(next.status).toBe('failed');
    expect(next.services?.map((s) => s.status)).toEqual(['deployed', 'failed', 'compensated', 'untouched']);
  });

  it('changes nothing and names the input when the state has services to undo and no services are given', async () => {
    const state = sagaState(
      [
        { name: 'order', status: 'deployed' },
        { name: 'payment', status: 'untouched' },
        { name: 'inventory', status: 'untouched' },
        { name: 'shipping', status: 'untouched' },
      ],
      2,
    );
    const result = await rollback({ state: serializeRolloutState(state) });
    expect(result.errors.join('\n')).toMatch(
      /Input 'services' is empty.*order \(deployed\).*Nothing was changed/,
    );
    expect(result.outputs).toEqual({});
  });

  it('refuses a state that names a service the services input lacks, running nothing', async () => {
    const state = sagaState(
      [
        { name: 'order', status: 'deployed' },
        { name: 'payment', status: 'deployed' },
        { name: 'inventory', status: 'untouched' },
        { name: 'shipping', status: 'untouched' },
      ],
      4,
    );
    const result = await rollback({
      state: serializeRolloutState(state),
      services: servicesInput([], ['order', 'inventory', 'shipping']),
    });
    expect(result.errors.join('\n')).toContain(
      "Input 'services' declares the services order, inventory, shipping",
    );
    expect(ran()).toEqual([]);
  });

  it('does nothing to a saga its run already compensated', async () => {
    const state = {
      ...sagaState(
        NAMES.map((name, i) => ({ name, status: i < 2 ? ('compensated' as const) : ('untouched' as const) })),
        4,
      ),
      status: 'rolled-back' as const,
    };
    const result = await rollback({ state: serializeRolloutState(state), services: servicesInput() });
    expect(result.errors).toEqual([]);
    expect(ran()).toEqual([]);
    expect(result.outputs['rolled-back']).toBe('false');
  });
});
