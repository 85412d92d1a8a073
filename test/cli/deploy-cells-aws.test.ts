// `shiftgate deploy --strategy rolling` against AWS over the config environment's cells: the loopback
// ELBv2 and CloudWatch fakes in three regions (each region's clients reach them through
// AWS_ENDPOINT_URL_*), each cell's metrics from its own traffic model, time virtual.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { generateCells } from '@shiftgate/cli';
import { parseRolloutState, virtualTime, type Cell } from '@shiftgate/core';
import { useAlbFakes } from '../support/alb-fakes';
import { addCellListeners, canaryWeights, feedCells } from '../support/cells-fakes';
import type { CloudWatchServer } from '../support/cloudwatch-server';
import type { Elbv2Server } from '../support/elbv2-server';
import { cli } from '../support/cli';

const NOW = Date.UTC(2026, 3, 1, 9, 0, 30);
const CELLS: Cell[] = generateCells({ count: 3, regions: ['us-east-1', 'us-west-2', 'eu-west-1'], zones: 1 });

const fakes = useAlbFakes();
let elbv2: Elbv2Server;
let cloudwatch: CloudWatchServer;
let dir: string;
let saved: NodeJS.ProcessEnv;
beforeAll(() => {
  ({ elbv2, cloudwatch } = fakes);
});
const env = () => ({
  AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2: elbv2.url,
  AWS_ENDPOINT_URL_CLOUDWATCH: cloudwatch.url,
  AWS_ACCESS_KEY_ID: 'AKIDSHIFTGATETEST',
  AWS_SECRET_ACCESS_KEY: 'shiftgate-test-secret',
  AWS_EC2_METADATA_DISABLED: 'true',
});
beforeEach(() => {
  saved = { ...process.env };
  // The SDK reads credentials and endpoints from the process environment.
  Object.assign(process.env, env());
  addCellListeners(elbv2, CELLS);
  dir = mkdtempSync(join(tmpdir(), 'shiftgate-deploy-cells-'));
  const cells = CELLS.map((c) => ({
    name: c.name,
    region: c.region,
    zone: c.zone,
    'listener-arn': c.routes[0],
    'stable-target-group-arn': c['stable-target-group-arn'],
    'canary-target-group-arn': c['canary-target-group-arn'],
    ...(c.name === CELLS[1]!.name ? { alarms: ['cell-2-errors'] } : {}),
  }));
  writeFileSync(
    join(dir, 'shiftgate.yml'),
    stringify({
      version: 1,
      environments: { production: { strategies: { rolling: { waves: '100%', 'bake-time': '3m' } }, cells } },
    }),
  );
});
afterEach(() => {
  process.env = saved;
});

const deploy = (extra: string[] = []) =>
  cli(
    [
      'deploy',
      '--config',
      'shiftgate.yml',
      '--environment',
      'production',
      '--strategy',
      'rolling',
      '--json',
      '--state-out',
      'state.json',
      ...extra,
    ],
    { cwd: dir, env: env(), time: virtualTime(NOW) },
  );
/** The region a CloudWatch request was signed for (its SigV4 credential scope). */
const regionOf = (r: { headers: Record<string, unknown> }) =>
  /Credential=[^/]+\/\d+\/([^/]+)\//.exec(String(r.headers.authorization))?.[1];
const feed = (bad: string[] = []) => feedCells({ elbv2, cloudwatch }, CELLS, { seed: 11, start: NOW, bad });

describe('shiftgate deploy --strategy rolling against AWS', () => {
  it('promotes the config cells region by region through each region’s own clients', async () => {
    feed();
    cloudwatch.alarms.set('cell-2-errors', 'OK');
    const { code, stdout, stderr } = await deploy();
    expect(stderr).not.toMatch(/error/i);
    expect(code).toBe(0);
    const doc = JSON.parse(stdout) as {
      decision: string;
      waves: string[][];
      cells: Record<string, { status: string }>;
    };
    expect(doc.decision).toBe('promote');
    expect(doc.waves).toEqual(CELLS.map((c) => [c.name]));
    expect(Object.values(doc.cells).map((c) => c.status)).toEqual(['promoted', 'promoted', 'promoted']);
    expect(canaryWeights(elbv2, CELLS)).toEqual([100, 100, 100]);
    // Every write went to the region its listener is in; metrics were read per region.
    const modifies = elbv2.requests.filter((r) => r.action === 'ModifyListener');
    for (const r of modifies) expect(r.params.ListenerArn).toContain(`:${r.region}:`);
    const regions = new Set(cloudwatch.calls('GetMetricData').map(regionOf));
    expect(regions).toEqual(new Set(['us-east-1', 'us-west-2', 'eu-west-1']));
    // The cell's alarm was read in its own region only, while its wave baked.
    expect(new Set(cloudwatch.calls('DescribeAlarms').map(regionOf))).toEqual(new Set(['us-west-2']));
    expect(parseRolloutState('state', readFileSync(join(dir, 'state.json'), 'utf8')).status).toBe('promoted');
  });

  it('stops a bad cell in its wave and sends every moved cell back (rollback-all)', async () => {
    feed([CELLS[1]!.name]);
    cloudwatch.alarms.set('cell-2-errors', 'OK');
    const { code, stdout } = await deploy();
    expect(code).toBe(1);
    const doc = JSON.parse(stdout) as {
      decision: string;
      reason: string;
      cells: Record<string, { status: string }>;
    };
    expect(doc.decision).toBe('rollback');
    expect(doc.reason).toMatch(new RegExp(`^wave 2, cell ${CELLS[1]!.name}: `));
    expect(Object.values(doc.cells).map((c) => c.status)).toEqual([
      'rolled-back',
      'rolled-back',
      'untouched',
    ]);
    expect(canaryWeights(elbv2, CELLS)).toEqual([0, 0, 0]);
  });

  it("stops a cell's wave when its CloudWatch alarm is in ALARM, one DescribeAlarms in its region per poll", async () => {
    feed();
    cloudwatch.alarms.set('cell-2-errors', 'ALARM');
    const { code, stdout } = await deploy();
    expect(code).toBe(1);
    const doc = JSON.parse(stdout) as { reason: string; cells: Record<string, { status: string }> };
    expect(doc.reason).toMatch(new RegExp(`^wave 2, cell ${CELLS[1]!.name}: .*cell-2-errors`));
    expect(Object.values(doc.cells).map((c) => c.status)).toEqual([
      'rolled-back',
      'rolled-back',
      'untouched',
    ]);
    expect(canaryWeights(elbv2, CELLS)).toEqual([0, 0, 0]);
    const inRegion = (op: string) => cloudwatch.calls(op).filter((r) => regionOf(r) === 'us-west-2').length;
    // The check before anything moved, then one per poll of wave 2 (which read one GetMetricData each).
    expect(cloudwatch.calls('DescribeAlarms').length).toBe(1 + inRegion('GetMetricData'));
    expect(inRegion('DescribeAlarms')).toBe(cloudwatch.calls('DescribeAlarms').length);
  });

  it('runs one region with --only-region and stops, paused, before the next', async () => {
    feed();
    cloudwatch.alarms.set('cell-2-errors', 'OK');
    const { code, stdout } = await deploy(['--only-region', 'us-east-1']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout).decision).toBe('paused');
    expect(canaryWeights(elbv2, CELLS)).toEqual([100, 0, 0]);
  });

  it('refuses the single-route flags over cells before any AWS call', async () => {
    const { code, stderr } = await deploy(['--listener-arn', CELLS[0]!.routes[0]!]);
    expect(code).toBe(2);
    expect(stderr).toContain('--listener-arn does not apply to a rollout over cells');
    expect(elbv2.requests).toEqual([]);
  });
});

describe('shiftgate rollback of a state over cells against AWS', () => {
  const rollback = (extra: string[] = []) =>
    cli(['rollback', '--state', 'state.json', '--json', ...extra], {
      cwd: dir,
      env: env(),
      time: virtualTime(NOW),
    });
  const modifies = () => elbv2.requests.filter((r) => r.action === 'ModifyListener');

  it('sends every moved cell back through its region, from the config cells, and again changes nothing', async () => {
    feed();
    cloudwatch.alarms.set('cell-2-errors', 'OK');
    await deploy(['--only-region', 'us-east-1']);
    expect(canaryWeights(elbv2, CELLS)).toEqual([100, 0, 0]);
    const before = modifies().length;
    const first = await rollback([
      '--config',
      'shiftgate.yml',
      '--environment',
      'production',
      '--state-out',
      'back.json',
    ]);
    expect(first.code).toBe(0);
    const doc = JSON.parse(first.stdout) as {
      'rolled-back': boolean;
      cells: string[];
      state: { status: string };
    };
    expect(doc['rolled-back']).toBe(true);
    expect(doc.cells).toEqual([CELLS[0]!.name]);
    expect(doc.state.status).toBe('rolled-back');
    expect(canaryWeights(elbv2, CELLS)).toEqual([0, 0, 0]);
    const written = modifies().slice(before);
    expect(written.map((r) => [r.params.ListenerArn, r.region])).toEqual([
      [CELLS[0]!.routes[0], 'us-east-1'],
    ]);
    // The same state again: the route is read, already there, and not written.
    const again = await rollback();
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)['rolled-back']).toBe(false);
    expect(modifies().length).toBe(before + 1);
    // The state it wrote has nothing left to send back.
    const done = await cli(['rollback', '--state', 'back.json'], {
      cwd: dir,
      env: env(),
      time: virtualTime(NOW),
    });
    expect(done.stdout).toContain('nothing to do: no cell of the state has moved');
  });

  it('refuses config cells whose ARNs differ from the state, before anything moves', async () => {
    feed();
    cloudwatch.alarms.set('cell-2-errors', 'OK');
    await deploy(['--only-region', 'us-east-1']);
    const config = readFileSync(join(dir, 'shiftgate.yml'), 'utf8');
    writeFileSync(
      join(dir, 'other.yml'),
      config.replace(
        CELLS[0]!['stable-target-group-arn'],
        CELLS[0]!['stable-target-group-arn'].replace(/\w$/, '0'),
      ),
    );
    const before = elbv2.requests.length;
    const { code, stderr } = await rollback(['--config', 'other.yml', '--environment', 'production']);
    expect(code).toBe(2);
    expect(stderr).toContain(`Cell '${CELLS[0]!.name}' has 'stable-target-group-arn'`);
    expect(stderr).toContain('but the state records');
    expect(elbv2.requests.length).toBe(before);
    expect(canaryWeights(elbv2, CELLS)).toEqual([100, 0, 0]);
  });
});
