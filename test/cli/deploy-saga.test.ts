import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildPlan, createRolloutState, type RolloutState, type ServiceState } from '@shiftgate/core';
import { cli } from '../support/cli';

const SAGA = ['--strategy', 'saga', '--param', 'services=order,payment,inventory,shipping'];

describe('shiftgate deploy --simulate, saga', () => {
  it('deploys every service in order and promotes', async () => {
    const { code, stdout } = await cli([
      'deploy',
      '--simulate',
      ...SAGA,
      '--param',
      'bake-time=2m',
      '--json',
    ]);
    expect(code).toBe(0);
    const doc = JSON.parse(stdout) as { decision: string; services: unknown; compensated: string[] };
    expect(doc.decision).toBe('promote');
    expect(doc.services).toEqual(
      ['order', 'payment', 'inventory', 'shipping'].map((name) => ({ name, status: 'deployed' })),
    );
    expect(doc.compensated).toEqual([]);
  });

  it('compensates the third, second and first service when the third fails its gate', async () => {
    const { code, stdout, stderr } = await cli([
      'deploy',
      '--simulate',
      ...SAGA,
      '--bad-service',
      'inventory',
      '--json',
    ]);
    expect(code).toBe(1);
    const doc = JSON.parse(stdout) as {
      reason: string;
      services: unknown;
      compensated: string[];
      trace: {
        saga: { commands: { service: string; phase: string; 'exit-code': number; 'duration-ms': number }[] };
      };
    };
    expect(doc.reason).toMatch(/^service inventory gate: the service's smoke command failed \(exit code 1\)/);
    expect(doc.services).toEqual([
      { name: 'order', status: 'compensated' },
      { name: 'payment', status: 'compensated' },
      { name: 'inventory', status: 'compensated' },
      { name: 'shipping', status: 'untouched' },
    ]);
    expect(doc.compensated).toEqual(['inventory', 'payment', 'order']);
    const compensations = doc.trace.saga.commands.filter((c) => c.phase === 'compensate');
    expect(compensations.map((c) => [c.service, c['exit-code']])).toEqual([
      ['inventory', 0],
      ['payment', 0],
      ['order', 0],
    ]);
    expect(compensations.every((c) => c['duration-ms'] > 0)).toBe(true);
    expect(stderr).toMatch(
      /service inventory compensated[\s\S]*service payment compensated[\s\S]*service order compensated/,
    );
  });

  it('runs the commands of --services with bash and the SHIFTGATE_* variables', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shiftgate-saga-'));
    const log = join(dir, 'log');
    const services = ['a', 'b']
      .map(
        (name) =>
          `- name: ${name}\n  deploy: echo "$SHIFTGATE_PHASE $SHIFTGATE_SERVICE $SHIFTGATE_VERSION" >> ${log}\n` +
          `  compensate: echo "$SHIFTGATE_PHASE $SHIFTGATE_SERVICE" >> ${log}\n` +
          `  smoke: ${name === 'b' ? 'exit 4' : 'exit 0'}\n`,
      )
      .join('');
    const { code, stdout } = await cli(
      ['deploy', '--simulate', '--strategy', 'saga', `--services=${services}`, '--version', 'v9', '--json'],
      { cwd: dir },
    );
    expect(code).toBe(1);
    expect(readFileSync(log, 'utf8').trim().split('\n')).toEqual([
      'deploy a v9',
      'deploy b v9',
      'compensate b',
      'compensate a',
    ]);
    expect((JSON.parse(stdout) as { compensated: string[] }).compensated).toEqual(['b', 'a']);
  });

  it("runs the config environment's services when --services is not given", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shiftgate-saga-'));
    const log = join(dir, 'log');
    const services = ['order', 'payment']
      .map(
        (name, i) =>
          `      - name: ${name}\n        deployment-order: ${i + 1}\n` +
          `        deploy: echo "$SHIFTGATE_PHASE $SHIFTGATE_SERVICE" >> ${log}\n` +
          `        compensate: echo "$SHIFTGATE_PHASE $SHIFTGATE_SERVICE" >> ${log}\n` +
          `        smoke: 'true'\n`,
      )
      .join('');
    writeFileSync(join(dir, 'shiftgate.yml'), `environments:\n  prod:\n    services:\n${services}`);
    const { code, stdout } = await cli(
      [
        'deploy',
        '--simulate',
        '--strategy',
        'saga',
        '--config',
        'shiftgate.yml',
        '--environment',
        'prod',
        '--json',
      ],
      { cwd: dir },
    );
    expect(code).toBe(0);
    // Planned over the configured services, and their own commands ran (not the simulated ones).
    expect((JSON.parse(stdout) as { services: { name: string }[] }).services.map((s) => s.name)).toEqual([
      'order',
      'payment',
    ]);
    expect(readFileSync(log, 'utf8').trim().split('\n')).toEqual(['deploy order', 'deploy payment']);
  });

  it.each([
    [
      ['--bad-service', 'billing'],
      /--bad-service.*one of the planned services: order, payment, inventory, shipping/,
    ],
    [['--services=- {name: order, deploy: d}'], /service 'order' needs 'compensate'/],
  ])('refuses %j with a clear error and changes nothing', async (extra, message) => {
    const { code, stderr } = await cli(['deploy', '--simulate', ...SAGA, ...extra]);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });

  it('refuses --bad-service for a plan without services', async () => {
    const { code, stderr } = await cli([
      'deploy',
      '--simulate',
      '--strategy',
      'canary',
      '--bad-service',
      'x',
    ]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--bad-service only applies to a saga plan/);
  });
});

describe('shiftgate rollback, saga', () => {
  const sagaState = (services: ServiceState[], step: number, environment?: string): RolloutState => {
    const plan = buildPlan('saga', { services: services.map((s) => s.name) });
    return {
      ...createRolloutState({
        strategy: 'saga',
        parameters: plan.parameters,
        plan: plan.steps,
        compensation: plan.compensation,
        now: new Date('2026-01-01T00:00:00Z'),
        ...(environment ? { environment } : {}),
      }),
      step,
      status: 'in-progress',
      services,
    };
  };

  it('compensates what a killed run left deployed, third, second, first, with --services commands', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shiftgate-saga-cli-'));
    const killed = sagaState(
      [
        { name: 'order', status: 'deployed' },
        { name: 'payment', status: 'deployed' },
        { name: 'inventory', status: 'failed' },
        { name: 'shipping', status: 'untouched' },
      ],
      4,
    );
    writeFileSync(join(dir, 'killed.json'), JSON.stringify(killed));
    const log = join(dir, 'log');
    const services = JSON.stringify(
      ['order', 'payment', 'inventory', 'shipping'].map((name) => ({
        name,
        deploy: 'exit 1',
        compensate: `echo "$SHIFTGATE_PHASE $SHIFTGATE_SERVICE" >> '${log}'`,
        smoke: 'true',
      })),
    );
    const { code, stdout, stderr } = await cli(
      ['rollback', '--state', 'killed.json', `--services=${services}`, '--json'],
      { cwd: dir, env: { AWS_REGION: 'us-east-1' } },
    );
    expect(stderr).not.toContain('error');
    expect(code).toBe(0);
    expect(readFileSync(log, 'utf8')).toBe('compensate inventory\ncompensate payment\ncompensate order\n');
    const doc = JSON.parse(stdout) as { compensated: string[]; services: unknown; state: { status: string } };
    expect(doc.compensated).toEqual(['inventory', 'payment', 'order']);
    expect(doc.services).toEqual([
      { name: 'order', status: 'compensated' },
      { name: 'payment', status: 'compensated' },
      { name: 'inventory', status: 'compensated' },
      { name: 'shipping', status: 'untouched' },
    ]);
    expect(doc.state.status).toBe('rolled-back');
  });

  describe("with the config environment's services (no --services)", () => {
    const setup = () => {
      const dir = mkdtempSync(join(tmpdir(), 'shiftgate-saga-cli-'));
      const log = join(dir, 'log');
      const killed = sagaState(
        [
          { name: 'order', status: 'deployed' },
          { name: 'payment', status: 'failed' },
        ],
        2,
        'prod',
      );
      writeFileSync(join(dir, 'killed.json'), JSON.stringify(killed));
      const services = ['order', 'payment']
        .map(
          (name, i) =>
            `      - name: ${name}\n        deployment-order: ${i + 1}\n` +
            `        deploy: 'exit 1'\n` +
            `        compensate: echo "$SHIFTGATE_PHASE $SHIFTGATE_SERVICE" >> ${log}\n`,
        )
        .join('');
      writeFileSync(
        join(dir, 'shiftgate.yml'),
        `environments:\n  prod:\n    services:\n${services}  staging:\n    default-strategy: canary\n`,
      );
      return { dir, log };
    };
    const rollback = (dir: string, ...extra: string[]) =>
      cli(['rollback', '--state', 'killed.json', '--config', 'shiftgate.yml', ...extra, '--json'], {
        cwd: dir,
        env: { AWS_REGION: 'us-east-1' },
      });

    it("compensates in reverse with the commands of the state's environment in the config file", async () => {
      const { dir, log } = setup();
      const { code, stdout, stderr } = await rollback(dir, '--environment', 'prod');
      expect(stderr).not.toContain('error');
      expect(code).toBe(0);
      expect(readFileSync(log, 'utf8')).toBe('compensate payment\ncompensate order\n');
      expect((JSON.parse(stdout) as { compensated: string[] }).compensated).toEqual(['payment', 'order']);
    });

    it.each([
      [
        ['--environment', 'staging'],
        /--environment staging is not the environment the state was planned for \(prod\)/,
      ],
      [['--environment', 'qa'], /--environment qa is not the environment the state was planned for/],
      [[], /--config needs --environment/],
    ])('refuses %j, running no command', async (extra, message) => {
      const { dir, log } = setup();
      const { code, stderr } = await rollback(dir, ...extra);
      expect(code).toBe(2);
      expect(stderr).toMatch(message);
      expect(existsSync(log)).toBe(false);
    });

    it('refuses an environment of the state with no services in the config file', async () => {
      const { dir, log } = setup();
      writeFileSync(join(dir, 'shiftgate.yml'), 'environments:\n  prod:\n    default-strategy: canary\n');
      const { code, stderr } = await rollback(dir, '--environment', 'prod');
      expect(code).toBe(2);
      expect(stderr).toMatch(/--environment prod has no services in the config file; give --services/);
      expect(existsSync(log)).toBe(false);
    });
  });

  it('refuses, changing nothing, a saga state with services to undo and no --services', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shiftgate-saga-cli-'));
    writeFileSync(
      join(dir, 'killed.json'),
      JSON.stringify(
        sagaState(
          ['order', 'payment', 'inventory', 'shipping'].map((name, i) => ({
            name,
            status: i === 0 ? ('deployed' as const) : ('untouched' as const),
          })),
          2,
        ),
      ),
    );
    const { code, stderr } = await cli(['rollback', '--state', 'killed.json'], {
      cwd: dir,
      env: { AWS_REGION: 'us-east-1' },
    });
    expect(code).toBe(2);
    expect(stderr).toMatch(/Input '--services' is empty.*order \(deployed\).*Nothing was changed/);
  });

  it('compensates a simulated saga state with the simulator', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shiftgate-saga-cli-'));
    writeFileSync(
      join(dir, 'killed.json'),
      JSON.stringify(
        sagaState(
          ['order', 'payment', 'inventory', 'shipping'].map((name, i) => ({
            name,
            status: i < 2 ? ('deployed' as const) : ('untouched' as const),
          })),
          4,
        ),
      ),
    );
    const { code, stdout } = await cli(['rollback', '--simulate', '--state', 'killed.json', '--json'], {
      cwd: dir,
    });
    expect(code).toBe(0);
    expect((JSON.parse(stdout) as { compensated: string[] }).compensated).toEqual(['payment', 'order']);
  });
});

describe('shiftgate deploy --simulate, saga services with targets of their own', () => {
  const ARN = 'arn:aws:elasticloadbalancing:us-east-1:123456789012';
  const services = (smoke: Record<string, string>, queries: Record<string, unknown[]> = {}) =>
    JSON.stringify(
      ['order', 'payment', 'inventory'].map((name, i) => ({
        name,
        deploy: 'true',
        compensate: 'true',
        smoke: smoke[name] ?? 'true',
        ...(queries[name] ? { 'metric-queries': queries[name] } : {}),
        targets: {
          'listener-arn': `${ARN}:listener/app/${name}/50dc6c495c0c9188/${String(i + 1).padStart(16, '0')}`,
          'stable-target-group-arn': `${ARN}:targetgroup/${name}-blue/0123456789abcdef`,
          'canary-target-group-arn': `${ARN}:targetgroup/${name}-green/0123456789abcdef`,
        },
      })),
    );
  type Doc = {
    decision: string;
    services: { name: string; status: string }[];
    compensated: string[];
    trace: { steps: { message: string }[]; rollback: { undo: string[] } | null };
  };

  it("switches each service's routes to its canary, bakes it there on the model, and promotes", async () => {
    const { code, stdout } = await cli([
      'deploy',
      '--simulate',
      ...SAGA.slice(0, 2),
      '--param',
      'services=order,payment,inventory',
      '--param',
      'bake-time=3m',
      `--services=${services({})}`,
      '--json',
    ]);
    const doc = JSON.parse(stdout) as Doc;
    expect(doc.decision).toBe('promote');
    expect(code).toBe(0);
    expect(doc.trace.steps[0]!.message).toMatch(
      /service order deployed \(exit code 0\); switched its canary/,
    );
    expect(doc.services.map((s) => s.status)).toEqual(['deployed', 'deployed', 'deployed']);
  });

  it("judges a service's own metric queries on the simulated model, beside the run's gates", async () => {
    const queries = {
      payment: [{ id: 'paymentLatency', namespace: 'Shop', metric: 'PaymentMs', stat: 'p99', max: 800 }],
      inventory: [{ id: 'stockReads', namespace: 'Shop', metric: 'StockReads', stat: 'Sum', min: 50 }],
    };
    const { code, stdout } = await cli([
      'deploy',
      '--simulate',
      ...SAGA.slice(0, 2),
      '--param',
      'services=order,payment,inventory',
      '--param',
      'bake-time=3m',
      `--services=${services({}, queries)}`,
      '--json',
    ]);
    type Check = { name: string; phase: string; observed: number | null };
    const doc = JSON.parse(stdout) as {
      decision: string;
      trace: { steps: { health?: { checks: Check[] } }[] };
    };
    expect(doc.decision).toBe('promote');
    expect(code).toBe(0);
    // Each service's own query had data and passed, on that service's bake only (never "no data").
    const checks = doc.trace.steps.map((step) =>
      (step.health?.checks ?? []).filter((c: Check) => c.name.startsWith('metric-queries.')),
    );
    expect(checks.flat().map((c) => [c.name, c.phase, c.observed])).toEqual([
      ['metric-queries.paymentLatency', 'Successful', expect.closeTo(480, -1)],
      ['metric-queries.stockReads', 'Successful', expect.closeTo(70, 0)],
    ]);
  });

  it('compensates inventory, payment and order, each one’s routes sent back first, when inventory fails', async () => {
    const { code, stdout } = await cli([
      'deploy',
      '--simulate',
      ...SAGA.slice(0, 2),
      '--param',
      'services=order,payment,inventory',
      '--param',
      'bake-time=3m',
      `--services=${services({ inventory: 'exit 1' })}`,
      '--json',
    ]);
    expect(code).toBe(1);
    const doc = JSON.parse(stdout) as Doc;
    expect(doc.compensated).toEqual(['inventory', 'payment', 'order']);
    expect(doc.trace.rollback!.undo.filter((u) => u.includes('targets'))).toEqual([
      "service inventory's targets sent back to its stable target group (verified)",
      "service payment's targets sent back to its stable target group (verified)",
      "service order's targets sent back to its stable target group (verified)",
    ]);
  });
});
