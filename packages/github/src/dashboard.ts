import {
  buildDashboard,
  lastGood,
  readPayload,
  silentLogger,
  type BuildApprovals,
  type Dashboard,
  type DeploymentRecord,
  type LastGoodBeyond,
  type Logger,
  type StoredDeployment,
} from '@shiftgate/core';
import { readApprovalsAtBuild, runIdFromLogUrl } from './dashboard-approvals';
import { DashboardDeploymentReader } from './dashboard-reader';
import type { GitHubDeploymentStore } from './deployments';

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
  /** GitHub's web address (`GITHUB_SERVER_URL`), which run links in statuses start with. */
  serverUrl?: string;
  logger?: Logger;
}

/** Older deployments read per environment, at most, looking for its last good version beyond the window. */
export const LAST_GOOD_BOUND = 1000;

interface WindowRead {
  deployments: StoredDeployment[];
  /** Deployments read past the window (or the limit) on the last page. */
  leftover: StoredDeployment[];
  /** Where the next page starts; null after the last. */
  next: string | null;
}

/**
 * Reads the deployments of the window with their statuses and commit times (GraphQL, 100 per request),
 * the last good version of environments with none in the window (older deployments, used for nothing
 * else), who approved the runs whose records did not say, and builds the dashboard's model. Commit times
 * or approvals that cannot be read are a warning, never a failed dashboard; deployments that cannot be
 * read fail it.
 */
export async function fetchDashboard(
  store: GitHubDeploymentStore,
  options: DashboardFetchOptions,
): Promise<Dashboard> {
  const logger = options.logger ?? silentLogger;
  const reader = new DashboardDeploymentReader(store);
  const createdAfter = options.now - options.sinceMs;
  const commitTimes = new Map<string, number | null>();
  let commitWarned = false;
  const readWindow = async (environments: readonly string[] | null): Promise<WindowRead> => {
    const found: StoredDeployment[] = [];
    const leftover: StoredDeployment[] = [];
    let cursor: string | null = null;
    for (;;) {
      const page = await reader.page(environments, cursor, Math.min(100, options.limit));
      for (const [sha, at] of page.commitTimes) commitTimes.set(sha, at);
      if (page.commitProblem !== null && !commitWarned) {
        commitWarned = true;
        logger.warning(`Lead time leaves out commits whose time could not be read: ${page.commitProblem}`);
      }
      for (const deployment of page.deployments) {
        // Newest first: once one is older than the window, the rest are too.
        if (leftover.length > 0 || deployment.createdAt < createdAfter || found.length >= options.limit)
          leftover.push(deployment);
        else found.push(deployment);
      }
      cursor = page.next;
      if (leftover.length > 0 || cursor === null) break;
    }
    return { deployments: await reader.complete(found), leftover, next: cursor };
  };

  const deployments: StoredDeployment[] = [];
  const beyond = new Map<string, LastGoodBeyond>();
  const windows: [string, WindowRead | null][] = [];
  if (options.environments === null) {
    const all = await readWindow(null);
    deployments.push(...all.deployments);
    for (const name of new Set(all.deployments.map((d) => d.environment))) windows.push([name, null]);
  } else {
    for (const environment of options.environments) {
      const read = await readWindow([environment]);
      deployments.push(...read.deployments);
      windows.push([environment, read]);
    }
  }
  const seen = new Set(deployments.map((d) => d.id));
  for (const [environment, read] of windows) {
    const mine = deployments.filter((d) => d.environment === environment && d.createdAt <= options.now);
    if (lastGood(mine) !== null) continue;
    beyond.set(
      environment,
      await searchBeyond(reader, environment, seen, read ?? { deployments: [], leftover: [], next: '' }),
    );
  }

  const approvalsAtBuild = new Map<number, BuildApprovals>();
  let approvalsNote: string | null = null;
  const serverUrl = options.serverUrl ?? 'https://github.com';
  const runOf = new Map<number, number>();
  for (const deployment of [...deployments].sort((a, b) => b.createdAt - a.createdAt)) {
    if (deployment.createdAt < createdAfter || deployment.createdAt > options.now) continue;
    let record: DeploymentRecord | undefined;
    try {
      record = readPayload(deployment.id, deployment.payload)?.record;
    } catch {
      continue; // the page says why the record could not be read
    }
    if (!record || (record.approvals !== null && record.approvals !== undefined)) continue;
    const run = deployment.statuses
      .map((s) => runIdFromLogUrl(s.logUrl, serverUrl, store.repository))
      .find((id) => id !== null);
    if (run !== undefined && run !== null) runOf.set(deployment.id, run);
  }
  if (runOf.size > 0) {
    const read = await readApprovalsAtBuild({ store, serverUrl, runs: [...runOf.values()], logger });
    for (const [deployment, run] of runOf) approvalsAtBuild.set(deployment, read.byRun.get(run)!);
    approvalsNote = read.note;
  }

  return buildDashboard({
    repository: options.repository,
    deployments,
    commitTimes,
    traces: options.traces ?? new Map(),
    now: options.now,
    sinceMs: options.sinceMs,
    environments: options.environments,
    lastGoodBeyond: beyond,
    approvalsAtBuild,
    approvalsNote,
  });
}

/**
 * Pages older deployments of `environment` (newest first, after the window) until one is a last good
 * version, at most {@link LAST_GOOD_BOUND} of them. `start.next` is where the environment's own listing
 * stopped; an empty string starts it from the newest (the window was read across all environments),
 * passing over deployments the window already holds.
 */
async function searchBeyond(
  reader: DashboardDeploymentReader,
  environment: string,
  seen: ReadonlySet<number>,
  start: WindowRead,
): Promise<LastGoodBeyond> {
  let candidates = start.leftover;
  let next: string | null = start.next;
  let first = start.next === '';
  let searched = 0;
  for (;;) {
    const unseen = candidates.filter((d) => d.environment === environment && !seen.has(d.id));
    const mine = unseen.slice(0, LAST_GOOD_BOUND - searched);
    searched += mine.length;
    const complete = await reader.complete(mine);
    const good = lastGood(complete);
    if (good !== null) {
      const deployment = complete.find((d) => d.id === good['deployment-id'])!;
      return { deployment, searched, exhausted: false };
    }
    if (searched >= LAST_GOOD_BOUND && (unseen.length > mine.length || next !== null))
      return { deployment: null, searched, exhausted: false };
    if (next === null) return { deployment: null, searched, exhausted: true };
    const page = await reader.page([environment], first ? null : next);
    first = false;
    candidates = page.deployments;
    next = page.next;
  }
}
