import {
  buildDashboard,
  errorMessage,
  outcomeOf,
  silentLogger,
  type Dashboard,
  type DeploymentStore,
  type Logger,
  type StoredDeployment,
} from '@shiftgate/core';
import { mapLimit } from './deployments';

/** What the dashboard reads from GitHub and over which window. */
export interface DashboardFetchOptions {
  repository: string;
  /** Only these environments; null reads every environment's deployments. */
  environments: readonly string[] | null;
  /** Deployments created within this long before `now`. */
  sinceMs: number;
  now: number;
  /** The most deployments read per environment (or in all, with no environments named). */
  limit: number;
  /** Stored traces by deployment id, as read (untrusted). */
  traces?: ReadonlyMap<number, unknown>;
  logger?: Logger;
}

/**
 * Reads the deployments of the window with their statuses, the commit times of the successful ones
 * (for lead time), and builds the dashboard's model. A commit time that cannot be read leaves that
 * deployment out of the lead time, with one warning; it never fails the dashboard.
 */
export async function fetchDashboard(
  store: DeploymentStore,
  options: DashboardFetchOptions,
): Promise<Dashboard> {
  const logger = options.logger ?? silentLogger;
  const createdAfter = options.now - options.sinceMs;
  const deployments: StoredDeployment[] = [];
  if (options.environments === null) {
    deployments.push(
      ...(await store.listDeployments({ environment: null, limit: options.limit, createdAfter })),
    );
  } else {
    for (const environment of options.environments) {
      deployments.push(...(await store.listDeployments({ environment, limit: options.limit, createdAfter })));
    }
  }
  const shas = [
    ...new Set(deployments.filter((d) => outcomeOf(d.statuses).status === 'succeeded').map((d) => d.sha)),
  ];
  const commitTimes = new Map<string, number | null>();
  let warned = false;
  await mapLimit(shas, 4, async (sha) => {
    try {
      commitTimes.set(sha, await store.commitTime(sha));
    } catch (error) {
      commitTimes.set(sha, null);
      if (!warned) {
        warned = true;
        logger.warning(`Lead time leaves out commits whose time could not be read: ${errorMessage(error)}`);
      }
    }
  });
  return buildDashboard({
    repository: options.repository,
    deployments,
    commitTimes,
    traces: options.traces ?? new Map(),
    now: options.now,
    sinceMs: options.sinceMs,
    environments: options.environments,
  });
}
