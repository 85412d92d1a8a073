// Runs the committed dist/run-plan bundles (main and post) over three cells in three regions, against
// the loopback ELBv2 and CloudWatch fakes (every region's client reaches them through
// AWS_ENDPOINT_URL_*), each cell's CloudWatch metrics fed by its own traffic model with the weights the
// bundle set. The main step is killed mid-wave; the post step puts every moved cell back (issue 12).
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CloudWatchServer } from '../support/cloudwatch-server';
import type { Elbv2Server } from '../support/elbv2-server';
import { useAlbFakes } from '../support/alb-fakes';
import {
  buildPlan,
  createRolloutState,
  parseRolloutState,
  serializeRolloutState,
  type Cell,
} from '@shiftgate/core';
import { generateCells } from '@shiftgate/cli';
import { actionMetadata, postIfRuns, postStateEnv } from './traffic-runner';
import { addCellListeners, canaryWeights, cellsInput, feedCells } from '../support/cells-fakes';
import { commandMessages, inputEnv, nodeBinaries, runBundle, stepFiles } from '../support/runner';

const POST_IF = actionMetadata('run-plan').runs['post-if']!;
const CELLS: Cell[] = generateCells({ count: 3, regions: ['us-east-1', 'us-west-2', 'eu-west-1'], zones: 1 });
const CELLS_INPUT = cellsInput(CELLS);

const fakes = useAlbFakes();
let elbv2: Elbv2Server;
let cloudwatch: CloudWatchServer;
beforeAll(() => {
  ({ elbv2, cloudwatch } = fakes);
});
beforeEach(() => {
  addCellListeners(elbv2, CELLS);
  feedCells({ elbv2, cloudwatch }, CELLS, { seed: 31, start: Date.now() });
});

/** Wave 1 is the one-box; wave 2 holds the other two cells (one in each remaining region). */
function rollingState(): string {
  const plan = buildPlan(
    'rolling',
    { waves: '1,100%', 'wave-boundary': 'none', 'bake-time': '3m' },
    { cells: CELLS },
  );
  return serializeRolloutState(
    createRolloutState({
      strategy: 'rolling',
      parameters: plan.parameters,
      plan: plan.steps,
      now: new Date(),
    }),
  );
}

const env = () => ({
  AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2: elbv2.url,
  AWS_ENDPOINT_URL_CLOUDWATCH: cloudwatch.url,
  AWS_ACCESS_KEY_ID: 'AKIDSHIFTGATETEST',
  AWS_SECRET_ACCESS_KEY: 'shiftgate-test-secret',
  AWS_CONFIG_FILE: '/nonexistent/shiftgate/config',
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/shiftgate/credentials',
  AWS_EC2_METADATA_DISABLED: 'true',
  SHIFTGATE_TEST_TIME_SCALE: '600',
});

async function step(options: {
  node: string;
  entry?: 'index' | 'post';
  inputs: Record<string, string>;
  state?: Record<string, string>;
  onSpawn?: (child: ChildProcess) => void;
}) {
  const files = stepFiles();
  const run = await runBundle({
    action: 'run-plan',
    entry: options.entry ?? 'index',
    node: options.node,
    env: { ...files.env, ...env(), ...inputEnv(options.inputs), ...options.state },
    ...(options.onSpawn ? { onSpawn: options.onSpawn } : {}),
  });
  const result = {
    ...run,
    outputs: files.outputs(),
    stateFile: readFileSync(files.state, 'utf8'),
    errors: commandMessages(run.stdout, 'error'),
    notices: commandMessages(run.stdout, 'notice'),
  };
  files.cleanup();
  return result;
}

const canary = (cell: Cell) => canaryWeights(elbv2, [cell])[0]!;

describe('dist/run-plan over cells', () => {
  const node = nodeBinaries().at(-1)!.path;

  it('promotes three cells in three regions', async () => {
    const main = await step({
      node,
      inputs: { state: rollingState(), cells: CELLS_INPUT, 'metric-delay': '1m' },
    });
    expect(main.errors).toEqual([]);
    expect(main.outputs.decision).toBe('promote');
    const state = parseRolloutState('state', main.outputs.state!);
    expect(Object.values(state.cells!).map((c) => c.status)).toEqual(['promoted', 'promoted', 'promoted']);
    expect(CELLS.map(canary)).toEqual([100, 100, 100]);
    const regions = elbv2.requests.filter((r) => r.action === 'ModifyListener').map((r) => r.region);
    expect(new Set(regions)).toEqual(new Set(['us-east-1', 'us-west-2', 'eu-west-1']));
  });

  it('puts every moved cell back from the post step when the main step is killed mid-wave', async () => {
    let child: ChildProcess | null = null;
    let killed = false;
    elbv2.onRequest((request) => {
      // Wave 2 has switched both of its cells: kill the job while it bakes.
      if (killed || request.action !== 'DescribeListeners') return;
      if (CELLS.every((c) => canary(c) === 100)) {
        killed = true;
        setTimeout(() => child?.kill('SIGKILL'), 100);
      }
    });
    const main = await step({
      node,
      inputs: { state: rollingState(), cells: CELLS_INPUT, 'bake-time': '1h', 'metric-delay': '1m' },
      onSpawn: (c) => (child = c),
    });
    expect(main.signal).toBe('SIGKILL');
    expect(CELLS.map(canary)).toEqual([100, 100, 100]);
    expect(postIfRuns(POST_IF, 'cancelled')).toBe(true);
    const post = await step({ node, entry: 'post', inputs: {}, state: postStateEnv(main.stateFile) });
    expect(post.errors).toEqual([]);
    expect(post.notices).toEqual([
      'Put back the weights of 3 routes (verified) because the job ended before the plan finished.',
    ]);
    for (const cell of CELLS)
      expect(elbv2.weights(cell.routes[0]!)).toEqual([[cell['stable-target-group-arn'], 1]]);
  });
});
