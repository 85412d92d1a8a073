import * as core from '@actions/core';
import { ensureTerminal, parseInteger } from '@shiftgate/core';
import { actionsLogger, log, runStep, runUrl } from '@shiftgate/github';
import { parsePostInputs } from './inputs';
import { ACTION, announce, repositoryOf, storeFor, withDefaults, type Dependencies } from './main';

/**
 * The post step: every deployment this job started (or took over by recording its progress) ends in
 * exactly one terminal status. When the job failed or was cancelled and none was recorded, it records
 * `failed` (GitHub `failure`, or `error` on cancel). The job status is the `job-status` input, whose
 * default `${{ job.status }}` the runner evaluates again when the post step runs (actions/runner
 * evaluates a step's inputs per stage; see actions/runner#2911 for why no variable carries it).
 */
export async function post(deps: Partial<Dependencies> = {}): Promise<void> {
  await runStep(ACTION, async () => {
    const saved = core.getState('deployment-id');
    if (saved === '') {
      log.info('This job started no deployment, so there is nothing to finish.');
      return;
    }
    const deploymentId = parseInteger('deployment-id', saved, { min: 1 });
    const inputs = parsePostInputs();
    const full = withDefaults(deps);
    const repository = repositoryOf(full.env);
    const service = inputs.publishMetrics ? (inputs.service ?? repository.split('/')[1]!) : null;
    const store = storeFor(inputs.token, full);
    const logUrl = runUrl(full.env);
    const result = await ensureTerminal(store, { deploymentId, jobStatus: inputs.jobStatus, logUrl });
    if (result.action === 'none') {
      log.info(`Nothing to record: ${result.why}.`);
      return;
    }
    const record = result.result.record;
    log.notice(`Deployment ${deploymentId} recorded as ${record['deployment-status']}: ${record.reason}`);
    actionsLogger.debug(`record: ${JSON.stringify(record)}`);
    await announce({ repository, record, logUrl, inputs, service, deps: full });
  });
}
