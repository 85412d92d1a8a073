// The counted attack suite: each row is something a person with triage, write, `deployments: write` or a
// fork could try, and asserts the precise observable that stops it (the refusal and its message, no
// command run, no file read, the text neutralised). Actions run in this process against the loopback
// ELBv2 and GitHub fakes; steps that must refuse early talk to a sink that counts connections.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDeploymentRecord, createPayload, escapeMarkdown } from '@shiftgate/core';
import { run as rollback } from '../../actions/rollback/src/main';
import { run as runPlan } from '../../actions/run-plan/src/main';
import { run as selectStrategy } from '../../actions/select-strategy/src/main';
import { inProcess, type InProcessRun } from '../actions/shift-traffic/harness';
import { SHA } from '../actions/record-deployment/harness';
import { ROUTES, useAlbFakes } from '../support/alb-fakes';
import { ConnectionSink } from '../support/connection-sink';
import { pullRequestEvent } from '../support/events';
import { GitHubServer } from '../support/github-server';
import { ATTACK_ROWS, HOSTILE_MARKDOWN, type AttackRow } from './attacks.table';
import { recordStep } from './record-step';
import { plannedState } from './states';

const fakes = useAlbFakes();
let github: GitHubServer;
let sink: ConnectionSink;
let workspace: string;
beforeAll(async () => {
  sink = await ConnectionSink.start();
  github = await GitHubServer.start({ token: 'test-token' });
  github.setPermission('acme/shop', 'alice', 'admin');
  github.setPermission('acme/shop', 'trudy', 'triage');
  github.setPermission('acme/shop', 'maude', 'maintain');
  github.setCustomRole('acme/shop', 'carol', 'deployer', 'write');
  github.setCustomRole('acme/shop', 'rita', 'deployer-admin', 'read');
});
afterAll(async () => {
  await sink.close();
  await github.close();
});
beforeEach(() => {
  sink.reset();
  github.clearFaults();
  workspace = mkdtempSync(join(tmpdir(), 'shiftgate-attack-'));
});

/** sha256 of /etc/passwd, when this machine has one: it must never be printed. */
const PASSWD_SHA = existsSync('/etc/passwd')
  ? createHash('sha256').update(readFileSync('/etc/passwd')).digest('hex')
  : 'no /etc/passwd here';

const SELECT_DEFAULTS = {
  config: '.github/shiftgate.yml',
  'default-strategy': 'blue-green',
  'label-prefix': 'deploy:',
  token: 'test-token',
  'require-permission': 'write',
  'allow-forks': 'false',
};

let pullNumber = 500;
async function select(
  inputs: Record<string, string>,
  event: { name: string; payload: unknown } = { name: 'workflow_dispatch', payload: {} },
): Promise<InProcessRun & { exitCode: number | string | undefined }> {
  const path = join(workspace, `event-${++pullNumber}.json`);
  writeFileSync(path, JSON.stringify(event.payload));
  let exitCode: number | string | undefined;
  const result = await inProcess(
    { ...SELECT_DEFAULTS, ...inputs },
    async () => {
      await selectStrategy();
      exitCode = process.exitCode;
    },
    {
      GITHUB_EVENT_NAME: event.name,
      GITHUB_EVENT_PATH: path,
      GITHUB_API_URL: github.url,
      GITHUB_WORKSPACE: workspace,
    },
  );
  return { ...result, exitCode };
}

async function runPlanWith(inputs: Record<string, string>, endpoints: Record<string, string>) {
  let exitCode: number | string | undefined;
  const result = await inProcess(
    { 'max-latency-increase': '1000%', ...inputs },
    async () => {
      await runPlan({ sleep: async () => undefined });
      exitCode = process.exitCode;
    },
    endpoints,
  );
  return { ...result, exitCode };
}

const ALB = () => ({
  AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2: fakes.elbv2.url,
  AWS_ENDPOINT_URL_CLOUDWATCH: fakes.cloudwatch.url,
});

/** No line of the log is a workflow command that the data smuggled in. */
function expectNoSmuggledCommand(stdout: string) {
  expect(stdout).not.toMatch(/^::[a-z-]+(?: [^:]*)?::pwned/m);
}

/** A deployment recorded earlier (as anyone with `deployments: write` can create one), with `edit` applied. */
function seedRecorded(edit: (record: Record<string, unknown>) => void): number {
  const record = createDeploymentRecord({
    id: '00000000-0000-4000-8000-000000000999',
    version: 'v1.0.0',
    environment: 'production',
    strategy: 'canary',
    ref: SHA,
    startedAt: Date.UTC(2026, 0, 5),
  }) as unknown as Record<string, unknown>;
  edit(record);
  return github.seedDeployment({
    environment: 'production',
    sha: SHA,
    ref: SHA,
    payload: createPayload(record as never, null),
    created_at: '2026-01-05T00:00:00Z',
    statuses: [{ state: 'success', created_at: '2026-01-05T00:10:00Z', description: 'Deployed' }],
  }).id;
}

const attacks: { [K in AttackRow['kind']]: (row: Extract<AttackRow, { kind: K }>) => Promise<void> } = {
  async label(row) {
    const number = ++pullNumber;
    if (row.timeline) github.addIssueEvents('acme/shop', number, row.timeline);
    if (row.eventsFail) {
      github.fault({
        path: /\/issues\/\d+\/events$/,
        times: Infinity,
        respond: { status: row.eventsFail, body: { message: 'boom' } },
      });
    }
    const payload = pullRequestEvent({
      action: row.action,
      number,
      labels: ['deploy:linear'],
      sender: row.sender,
      fork: row.fork ?? false,
    });
    const result = await select({ strategy: '' }, { name: row.eventName, payload });
    if (row.allowed) {
      expect(result.errors).toEqual([]);
      expect(result.outputs.strategy).toBe('linear');
      expect(result.stdout).toContain(row.says);
    } else {
      expect(result.exitCode).toBe(1);
      expect(result.outputs).toEqual({});
      expect(result.errors).toHaveLength(1);
      expect(result.errors[0]).toContain(row.says);
    }
  },

  async 'state-command'(row) {
    const marker = join(workspace, 'state-command-ran');
    const result = await runPlanWith(
      {
        state: plannedState('feature-flag', { 'flag-command': `touch ${marker}` }),
        ...ROUTES,
        'flag-command': row.flagCommand,
      },
      sink.env,
    );
    expect(result.exitCode).toBe(1);
    expect(result.errors[0]).toContain(row.says);
    expect(existsSync(marker)).toBe(false);
    expect(sink.connections).toBe(0);
  },

  async 'log-command'(row) {
    let stdout: string;
    switch (row.where) {
      case 'state step name': {
        const edited = plannedState('blue-green', { 'bake-time': '1m' }, (doc) => {
          (doc.plan as { name?: string }[])[0]!.name = row.value;
        });
        stdout = (await runPlanWith({ state: edited, ...ROUTES }, ALB())).stdout;
        break;
      }
      case 'state version': {
        const edited = plannedState('canary', {}, (doc) => (doc.version = row.value));
        stdout = (await recordStep(github, 'main', { state: edited, ref: SHA })).stdout;
        break;
      }
      case 'rollback reason':
        stdout = (await inProcess({ ...ROUTES, reason: row.value }, () => rollback(), ALB())).stdout;
        break;
      case 'description input': {
        const inputs = { environment: 'production', version: 'v2.4.0', ref: SHA, description: row.value };
        stdout = (await recordStep(github, 'main', inputs)).stdout;
        break;
      }
    }
    expect(stdout).toContain('pwned');
    expectNoSmuggledCommand(stdout);
  },

  async summary(row) {
    // Two defences, either of which must hold: a field with markup is refused where it enters (an input,
    // a state, a recorded payload: the field rules), and whatever reaches a summary is escaped.
    let summary: string;
    switch (row.summary) {
      case 'record': {
        const inputs = {
          environment: 'production',
          version: 'v2.4.0',
          ref: SHA,
          [row.field]: HOSTILE_MARKDOWN,
        };
        const result = await recordStep(github, 'main', inputs);
        // Refused where it enters, naming the input (the log line is plain text, shown neutralised).
        expect(result.errors.join('\n')).toContain(`Input '${row.field}'`);
        summary = result.summary;
        break;
      }
      case 'history': {
        seedRecorded((record) => (record.version = HOSTILE_MARKDOWN));
        const result = await recordStep(github, 'main', { mode: 'history', environment: 'production' });
        expect(result.errors).toEqual([]);
        summary = result.summary;
        expect(summary).toContain('### DORA for production');
        break;
      }
      case 'run-plan': {
        const edited = plannedState('blue-green', { 'bake-time': '1m' }, (doc) => {
          (doc.plan as { name?: string }[])[0]!.name = HOSTILE_MARKDOWN;
        });
        const result = await runPlanWith({ state: edited, ...ROUTES }, ALB());
        expect(result.errors.join('\n')).toContain("Input 'state'");
        expect(fakes.elbv2.requests.filter((r) => r.action.startsWith('Modify'))).toEqual([]);
        summary = result.summary;
        break;
      }
      case 'rollback':
        summary = (await inProcess({ ...ROUTES, reason: HOSTILE_MARKDOWN }, () => rollback(), ALB())).summary;
        expect(summary).toContain(escapeMarkdown(HOSTILE_MARKDOWN));
        break;
    }
    expect(summary).not.toContain('<img');
    expect(summary).not.toContain('[Approve](');
    expect(summary).not.toContain('@acme/admins');
  },

  async path(row) {
    if (row.symlinkTo) {
      mkdirSync(join(workspace, dirname(row.path)), { recursive: true });
      symlinkSync(row.symlinkTo, join(workspace, row.path));
    }
    let result: InProcessRun & { failed?: boolean; exitCode?: unknown };
    const before = github.deployments().length;
    switch (row.input) {
      case 'config':
        result = await select({ strategy: 'canary', config: row.path });
        expect(result.exitCode).toBe(1);
        break;
      case 'artifacts':
        result = await recordStep(
          github,
          'main',
          { environment: 'production', version: 'v2.4.0', ref: SHA, artifacts: `image=${row.path}` },
          { extra: { GITHUB_WORKSPACE: workspace } },
        );
        expect(result.failed).toBe(true);
        expect(github.deployments()).toHaveLength(before);
        break;
      case 'payload artifact': {
        const id = seedRecorded((record) => {
          record.artifacts = [
            {
              id: 'a'.repeat(64),
              version: 'v1.0.0',
              'artifact-type': 'image',
              path: row.path,
              'file-hash': PASSWD_SHA.length === 64 ? PASSWD_SHA : 'b'.repeat(64),
              'file-size': 1,
              'created-at': Date.UTC(2026, 0, 5),
            },
          ];
        });
        result = await recordStep(
          github,
          'main',
          { mode: 'verify', 'verify-artifacts': String(id) },
          { extra: { GITHUB_WORKSPACE: workspace } },
        );
        expect(result.failed).toBe(true);
        break;
      }
    }
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toContain('workspace');
    expect(result.stdout).not.toContain('root:');
    expect(result.stdout).not.toContain(PASSWD_SHA);
    expect(result.outputs).toEqual({});
  },

  async control(row) {
    const result = await select({ strategy: `canary${row.char}[2Jx` });
    expect(result.exitCode).toBe(1);
    expect(result.errors[0]).toContain("Input 'strategy'");
    expect(result.stdout).not.toContain(row.char);
  },
};

describe('attacks', () => {
  it.each(ATTACK_ROWS.map((row) => [`${row.kind}: ${row.name}`, row] as const))('%s', async (_name, row) => {
    await (attacks[row.kind] as (row: AttackRow) => Promise<void>)(row);
  });
});
