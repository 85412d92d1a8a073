// run-plan over three cells in three regions, in this process with virtual time, against the loopback
// ELBv2 and CloudWatch fakes (every region's client reaches them through AWS_ENDPOINT_URL_*), each
// cell's metrics fed by its own traffic model.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { CloudWatchServer } from '../../support/cloudwatch-server';
import type { Elbv2Server } from '../../support/elbv2-server';
import { useAlbFakes } from '../../support/alb-fakes';
import {
  buildPlan,
  createRolloutState,
  parseRolloutState,
  serializeRolloutState,
  virtualTime,
  type Cell,
} from '@shiftgate/core';
import { generateCells } from '@shiftgate/cli';
import { run } from '../../../actions/run-plan/src/main';
import { post } from '../../../actions/run-plan/src/restore';
import { addCellListeners, canaryWeights, cellsInput, feedCells } from '../../support/cells-fakes';
import { commandMessages, inputEnv, parseCommandFile } from '../../support/runner';
import { LOOPBACK_CREDENTIALS, useStepEnv } from '../../support/step-env';

const NOW = Date.UTC(2026, 3, 1, 9, 0, 30);
const CELLS: Cell[] = generateCells({ count: 3, regions: ['us-east-1', 'us-west-2', 'eu-west-1'], zones: 1 });
const CELLS_INPUT = cellsInput(CELLS);

const fakes = useAlbFakes();
let elbv2: Elbv2Server;
let cloudwatch: CloudWatchServer;
const SUMMARY = join(mkdtempSync(join(tmpdir(), 'shiftgate-run-plan-cells-')), 'summary.md');

beforeAll(() => {
  ({ elbv2, cloudwatch } = fakes);
});
const currentStep = useStepEnv(
  () => ({
    GITHUB_STEP_SUMMARY: SUMMARY,
    AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2: elbv2.url,
    AWS_ENDPOINT_URL_CLOUDWATCH: cloudwatch.url,
    ...LOOPBACK_CREDENTIALS,
  }),
  () => {
    writeFileSync(SUMMARY, '');
    addCellListeners(elbv2, CELLS);
  },
);

/** Each cell's metrics from its own model; `bad` cells run a regressed canary. */
const feed = (bad: string[] = []) => feedCells({ elbv2, cloudwatch }, CELLS, { seed: 11, start: NOW, bad });

function rollingState(parameters: Record<string, string> = {}): string {
  const plan = buildPlan(
    'rolling',
    { 'bake-time': '3m', waves: '1,2,100%', 'wave-boundary': 'none', ...parameters },
    { cells: CELLS },
  );
  return serializeRolloutState(
    createRolloutState({
      strategy: 'rolling',
      parameters: plan.parameters,
      plan: plan.steps,
      now: new Date(NOW - 60_000),
    }),
  );
}

async function runAction(inputs: Record<string, string>, hangAfterSleeps?: number) {
  for (const [k, v] of Object.entries(inputEnv(inputs))) vi.stubEnv(k, v);
  const time = virtualTime(NOW);
  let sleeps = 0;
  let stdout = '';
  let hung = false;
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    return true;
  });
  try {
    const running = run({
      clock: time.clock,
      sleep: async (ms, signal) => {
        if (++sleeps === hangAfterSleeps) {
          // The job is killed here: the process never gets to roll back.
          hung = true;
          return new Promise<void>(() => {});
        }
        await time.sleep(ms, signal);
      },
      signal: new AbortController().signal,
    });
    if (hangAfterSleeps === undefined) await running;
    else while (!hung) await new Promise((resolve) => setImmediate(resolve));
  } finally {
    spy.mockRestore();
  }
  const outputs = parseCommandFile(readFileSync(currentStep().output, 'utf8'));
  return {
    outputs,
    saved: parseCommandFile(readFileSync(currentStep().state, 'utf8')),
    errors: commandMessages(stdout, 'error'),
    summary: readFileSync(SUMMARY, 'utf8'),
  };
}

const canaryShares = () => canaryWeights(elbv2, CELLS);

describe('run-plan over cells', () => {
  it('promotes three cells in three regions wave by wave and shows the waves in the summary', async () => {
    feed();
    const result = await runAction({ state: rollingState(), cells: CELLS_INPUT });
    expect(result.errors).toEqual([]);
    expect(result.outputs.decision).toBe('promote');
    const state = parseRolloutState('state', result.outputs.state!);
    expect(Object.values(state.cells!).map((c) => c.status)).toEqual(['promoted', 'promoted', 'promoted']);
    expect(canaryShares().every((w) => w > 0)).toBe(true);
    expect(result.summary).toContain('### Waves');
    expect(result.summary).toContain('| us-east-1 | 🟢 us-east-1a-1 |');
    // The weight chart per wave: every cell on the new version, as planned.
    expect(result.summary).toContain('  bar [33.3, 66.7, 100]\n  line [33.3, 66.7, 100]');
    expect(result.summary).toContain(
      "The baseline p99 shown is the request-weighted mean of the old cells' p99s",
    );
    expect(result.saved.restore).toBe('');
    // Each cell's listener is changed through its own region's client.
    const modifies = elbv2.requests.filter((r) => r.action === 'ModifyListener');
    expect(modifies.length).toBeGreaterThanOrEqual(3);
    for (const r of modifies) expect(r.params.ListenerArn).toContain(`:${r.region}:`);
  });

  it('stops a bad one-box and leaves the other cells untouched', async () => {
    feed([CELLS[0]!.name]);
    const result = await runAction({ state: rollingState(), cells: CELLS_INPUT, 'fail-on-rollback': 'true' });
    expect(result.outputs.decision).toBe('rollback');
    const state = parseRolloutState('state', result.outputs.state!);
    expect(Object.values(state.cells!).map((c) => c.status)).toEqual([
      'rolled-back',
      'untouched',
      'untouched',
    ]);
    expect(canaryShares()).toEqual([0, 0, 0]);
    expect(
      elbv2.actions((r) => r.action.startsWith('Modify') && r.params.ListenerArn !== CELLS[0]!.routes[0]),
    ).toEqual([]);
  });

  it('puts every moved cell back from the post step when the job is killed mid-wave', async () => {
    feed();
    // Wave 1 (one cell) passes; the job dies while wave 2 bakes.
    const result = await runAction({ state: rollingState(), cells: CELLS_INPUT }, 9);
    const saved = JSON.parse(result.saved.restore!) as { record: { routes: { route: string }[] } };
    expect(saved.record.routes.map((r) => r.route).sort()).toEqual(CELLS.map((c) => c.routes[0]!).sort());
    expect(canaryShares()).toEqual([100, 100, 100]);
    vi.stubEnv('STATE_restore', result.saved.restore!);
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      await post({ sleep: async () => {} });
    } finally {
      spy.mockRestore();
    }
    expect(canaryShares()).toEqual([0, 0, 0]);
  });

  it('refuses listener-arn next to cells before anything moves', async () => {
    const result = await runAction({
      state: rollingState(),
      cells: CELLS_INPUT,
      'listener-arn': CELLS[0]!.routes[0]!,
    });
    expect(result.errors[0]).toMatch(
      /^run-plan failed: Input 'listener-arn' must be empty in a rollout over cells/,
    );
    expect(elbv2.actions((r) => r.action.startsWith('Modify'))).toEqual([]);
  });
});

describe('run-plan over cells, one job per region (only-region)', () => {
  it('runs each region in its own job, the state passing from one to the next', async () => {
    feed();
    const state = rollingState({ 'wave-boundary': 'region', waves: '100%' });
    const first = await runAction({ state, cells: CELLS_INPUT, 'only-region': 'us-east-1' });
    expect(first.errors).toEqual([]);
    expect(first.outputs.decision).toBe('paused');
    expect(canaryShares()).toEqual([100, 0, 0]);
    const second = await runAction({ state: first.outputs.state!, 'only-region': 'us-west-2' });
    expect(second.outputs.decision).toBe('paused');
    expect(canaryShares()).toEqual([100, 100, 0]);
    // A job run out of order is refused before anything moves.
    const wrong = await runAction({ state: second.outputs.state!, 'only-region': 'us-east-1' });
    expect(wrong.errors).toEqual([
      expect.stringContaining(
        "Input 'only-region' is 'us-east-1', but the state's next wave (3) is in eu-west-1",
      ),
    ]);
    expect(canaryShares()).toEqual([100, 100, 0]);
    const third = await runAction({ state: second.outputs.state!, 'only-region': 'eu-west-1' });
    expect(third.outputs.decision).toBe('promote');
    expect(canaryShares()).toEqual([100, 100, 100]);
    const cells = parseRolloutState('state', third.outputs.state!).cells!;
    expect(Object.values(cells).map((c) => c.status)).toEqual(['promoted', 'promoted', 'promoted']);
  });

  it("sends back the earlier regions' cells when a later region's cell fails", async () => {
    feed([CELLS[1]!.name]);
    const state = rollingState({ 'wave-boundary': 'region', waves: '100%' });
    const first = await runAction({ state, cells: CELLS_INPUT, 'only-region': 'us-east-1' });
    expect(first.outputs.decision).toBe('paused');
    const second = await runAction({
      state: first.outputs.state!,
      'only-region': 'us-west-2',
      'fail-on-rollback': 'true',
    });
    expect(second.outputs.decision).toBe('rollback');
    expect(canaryShares()).toEqual([0, 0, 0]);
    const cells = parseRolloutState('state', second.outputs.state!).cells!;
    expect(Object.values(cells).map((c) => c.status)).toEqual(['rolled-back', 'rolled-back', 'untouched']);
  });
});
