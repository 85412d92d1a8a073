// Every path through a deployment ends in exactly one terminal status, within four writes: success,
// gate failure, rollback, cancellation, a job that fails before recording, and API errors mid-way.
import { createRolloutState, serializeRolloutState } from '@shiftgate/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GitHubServer } from '../../support/github-server';
import { runStep, SHA, terminalStatuses, type StepResult } from './harness';

let server: GitHubServer;
beforeEach(async () => {
  server = await GitHubServer.start({ token: 'test-token' });
  server.addCommit('acme/shop', { sha: SHA, date: '2026-01-01T00:00:00Z', refs: ['main'] });
});
afterEach(async () => {
  await server.close();
});

const START = { environment: 'production', version: 'v1.2.3', strategy: 'canary' };

async function start(extra: Record<string, string> = {}): Promise<{ id: number; result: StepResult }> {
  const result = await runStep(server, 'main', { ...START, ...extra });
  expect(result.errors).toEqual([]);
  return { id: Number(result.outputs['deployment-id']), result };
}

/** The job's post step with the job status the runner evaluates at that time. */
function postStep(id: number, jobStatus: 'success' | 'failure' | 'cancelled') {
  return runStep(server, 'post', { 'job-status': jobStatus }, { state: { 'deployment-id': String(id) } });
}

function writesFor(id: number): number {
  return server
    .writes()
    .filter(
      (r) =>
        r.status < 300 &&
        (r.path.endsWith('/deployments')
          ? Number((r.body as { id?: number }).id ?? id) === id
          : r.path.includes(`/deployments/${id}/`)),
    ).length;
}

describe('record-deployment paths', () => {
  it('success: in_progress then success, and the post step adds nothing', async () => {
    const { id, result } = await start();
    expect(result.state).toEqual({ 'deployment-id': String(id) });
    const done = await runStep(server, 'main', { 'deployment-id': String(id), status: 'succeeded' });
    expect(done.errors).toEqual([]);
    expect(done.failed).toBe(false);
    await postStep(id, 'success');
    expect(server.statuses(id).map((s) => s.state)).toEqual(['in_progress', 'success']);
    expect(terminalStatuses(server, id)).toEqual(['success']);
    expect(server.writes()).toHaveLength(3);
  });

  it('gate failure: the failed outcome with its reason, and the post step of the failed job adds nothing', async () => {
    const { id } = await start();
    await runStep(server, 'main', {
      'deployment-id': String(id),
      status: 'failed',
      description: 'p99 612ms > max-p99-latency 500ms',
    });
    const after = await postStep(id, 'failure');
    expect(after.stdout).toContain(`deployment ${id} already ended as failed`);
    expect(server.statuses(id).map((s) => [s.state, s.description])).toEqual([
      ['in_progress', 'Deploy v1.2.3 (canary)'],
      ['failure', 'p99 612ms > max-p99-latency 500ms'],
    ]);
    expect(terminalStatuses(server, id)).toEqual(['failure']);
  });

  it('rollback: inactive with a "Rolled back" description, never mistaken for auto_inactive', async () => {
    const { id } = await start();
    const rolled = await runStep(server, 'main', {
      'deployment-id': String(id),
      status: 'rolled_back',
      description: 'error rate 3.2% > max-error-rate 1%',
    });
    await postStep(id, 'failure');
    expect(server.statuses(id).map((s) => [s.state, s.description])).toEqual([
      ['in_progress', 'Deploy v1.2.3 (canary)'],
      ['inactive', 'Rolled back: error rate 3.2% > max-error-rate 1%'],
    ]);
    expect(JSON.parse(rolled.outputs.record!)).toMatchObject({
      'deployment-status': 'rolled_back',
      'rolled-back': true,
      reason: 'error rate 3.2% > max-error-rate 1%',
    });
    expect(terminalStatuses(server, id)).toEqual(['inactive']);
  });

  it('cancellation: the post step records error with the reason', async () => {
    const { id } = await start();
    const after = await postStep(id, 'cancelled');
    expect(after.failed).toBe(false);
    expect(server.statuses(id).map((s) => [s.state, s.description])).toEqual([
      ['in_progress', 'Deploy v1.2.3 (canary)'],
      ['error', 'The job was cancelled before recording an outcome'],
    ]);
    expect(after.notices.join()).toContain(`Deployment ${id} recorded as failed`);
  });

  it('a job that fails before recording an outcome: the post step records failure', async () => {
    const { id } = await start();
    await postStep(id, 'failure');
    expect(terminalStatuses(server, id)).toEqual(['failure']);
    expect(server.statuses(id).at(-1)!.description).toBe('The job failed before recording an outcome');
  });

  it('a job that succeeds without an outcome leaves the deployment to a later job, which ends it once', async () => {
    const { id } = await start();
    const after = await postStep(id, 'success');
    expect(after.stdout).toContain('stays in_progress for a later step or job to finish');
    expect(terminalStatuses(server, id)).toEqual([]);
    await runStep(server, 'main', { 'deployment-id': String(id), status: 'succeeded' });
    expect(terminalStatuses(server, id)).toEqual(['success']);
  });

  it('API error mid-way (the in_progress status fails): the step fails, and the post step still ends the deployment', async () => {
    server.fault({
      method: 'POST',
      path: /\/deployments\/\d+\/statuses$/,
      times: 3,
      respond: { status: 502, body: { message: 'Bad Gateway' } },
    });
    const result = await runStep(server, 'main', START);
    expect(result.failed).toBe(true);
    expect(result.errors[0]).toMatch(
      /^record-deployment failed: Recording status 'in_progress' on deployment \d+ of acme\/shop failed: GitHub answered 502 "Bad Gateway"/,
    );
    const id = Number(result.state['deployment-id']);
    expect(id).toBeGreaterThan(0);
    expect(result.outputs['deployment-id']).toBe(String(id));
    await postStep(id, 'failure');
    expect(server.statuses(id).map((s) => s.state)).toEqual(['failure']);
  });

  it('API error on the outcome (secondary rate limit past the retries): the post step records failure instead', async () => {
    const { id } = await start();
    server.secondaryRateLimit({
      method: 'POST',
      path: `/repos/acme/shop/deployments/${id}/statuses`,
      times: 4,
    });
    const done = await runStep(server, 'main', { 'deployment-id': String(id), status: 'succeeded' });
    expect(done.failed).toBe(true);
    expect(done.errors[0]).toContain("was stopped by GitHub's secondary rate limit");
    expect(done.state).toEqual({ 'deployment-id': String(id) });
    await postStep(id, 'failure');
    expect(terminalStatuses(server, id)).toEqual(['failure']);
  });

  it('API answer lost after GitHub recorded the outcome: no second terminal status', async () => {
    const { id } = await start();
    server.fault({
      method: 'POST',
      path: `/repos/acme/shop/deployments/${id}/statuses`,
      processFirst: true,
      respond: { status: 0, drop: true },
    });
    const done = await runStep(server, 'main', { 'deployment-id': String(id), status: 'succeeded' });
    expect(done.failed).toBe(false);
    await postStep(id, 'failure');
    expect(terminalStatuses(server, id)).toEqual(['success']);
  });

  it('refuses a second outcome, writing nothing', async () => {
    const { id } = await start();
    await runStep(server, 'main', { 'deployment-id': String(id), status: 'failed', description: 'gate' });
    const writes = server.writes().length;
    const again = await runStep(server, 'main', { 'deployment-id': String(id), status: 'succeeded' });
    expect(again.failed).toBe(true);
    expect(again.errors[0]).toMatch(
      new RegExp(
        `^record-deployment failed: Deployment ${id} already ended as failed \\(gate\\) at \\S+; a deployment records exactly one outcome, so 'succeeded' was not recorded$`,
      ),
    );
    expect(server.writes()).toHaveLength(writes);
  });

  it('keeps within four writes: a second progress update is skipped with a warning', async () => {
    const { id } = await start();
    const first = await runStep(server, 'main', {
      'deployment-id': String(id),
      status: 'in_progress',
      description: 'canary at 25%',
    });
    expect(first.warnings).toEqual([]);
    const second = await runStep(server, 'main', {
      'deployment-id': String(id),
      status: 'in_progress',
      description: 'canary at 50%',
    });
    expect(second.failed).toBe(false);
    expect(second.warnings[0]).toMatch(
      /^Status 'in_progress' was not recorded: deployment \d+ already has 3 writes; the last of its 4 is kept for the outcome$/,
    );
    await runStep(server, 'main', { 'deployment-id': String(id), status: 'succeeded' });
    expect(server.writes()).toHaveLength(4);
    expect(terminalStatuses(server, id)).toEqual(['success']);
    expect(writesFor(id)).toBe(4);
  });

  it('a new success marks the previous one inactive (auto_inactive), and history still reads both as succeeded', async () => {
    const a = await start();
    await runStep(server, 'main', { 'deployment-id': String(a.id), status: 'succeeded' });
    const b = await start({ version: 'v1.2.4' });
    // No environment given: the history is the recorded deployment's environment's.
    const done = await runStep(server, 'main', {
      'deployment-id': String(b.id),
      status: 'succeeded',
      'history-limit': '10',
    });
    expect(server.statuses(a.id).map((s) => s.state)).toEqual(['in_progress', 'success', 'inactive']);
    const history = JSON.parse(done.outputs.history!) as { 'deployment-id': number; status: string }[];
    expect(history.map((h) => [h['deployment-id'], h.status])).toEqual([
      [b.id, 'succeeded'],
      [a.id, 'succeeded'],
    ]);
    expect(JSON.parse(done.outputs['last-good']!)).toMatchObject({
      'deployment-id': b.id,
      version: 'v1.2.4',
    });
  });

  it('carries the rollout state: stored in the payload, output with the deployment id', async () => {
    const state = createRolloutState({
      strategy: 'canary',
      parameters: { steps: [5, 25, 100] },
      plan: [
        { kind: 'shift', weight: 5 },
        { kind: 'shift', weight: 100 },
      ],
      environment: 'production',
      now: new Date('2026-02-01T00:00:00Z'),
    });
    const { id, result } = await start({
      state: serializeRolloutState(state),
      strategy: '',
      environment: '',
    });
    expect(JSON.parse(result.outputs.state!)).toMatchObject({ 'deployment-id': id, strategy: 'canary' });
    const payload = server.deployments().find((d) => d.id === id)!.payload as Record<string, unknown>;
    expect(payload).toMatchObject({
      'schema-version': 1,
      version: 'v1.2.3',
      strategy: 'canary',
      'rollout-state': { plan: state.plan },
    });
    expect(payload.record).toMatchObject({
      version: 'v1.2.3',
      environment: 'production',
      'deployment-status': 'in_progress',
    });
  });
});
