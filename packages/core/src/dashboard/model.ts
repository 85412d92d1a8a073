// The dashboard's model: per environment, the deployments with what their payloads and traces say,
// the DORA figures over the window and week by week, the last deployment, the last good one and the
// open incident. Pure: the GitHub adapter fetches, this counts.
import { errorMessage } from '../shared/index';
import {
  computeDora,
  historyEntry,
  type ApprovalRecord,
  lastGood,
  readPayload,
  type DeploymentRecord,
  type DoraFigures,
  type HistoryEntry,
  type LastGood,
  type StoredDeployment,
} from '../records/index';
import type { RolloutState } from '../rollout/index';
import { readDeploymentTrace, type TraceView } from './trace';

export const DAY_MS = 86_400_000;
export const WEEK_MS = 7 * DAY_MS;

/** One deployment as the dashboard shows it. */
export interface DeploymentView {
  entry: HistoryEntry;
  /** The record shiftgate stored at the start; null for other tools' deployments or a broken payload. */
  record: DeploymentRecord | null;
  state: RolloutState | null;
  /** Why the payload claims to be shiftgate's and could not be read. */
  payloadProblem: string | null;
  trace: TraceView | null;
  /** Why the stored trace could not be read. */
  traceProblem: string | null;
  /** Who approved, read when the dashboard was built (for records that do not say); null when not read. */
  approvalsAtBuild: BuildApprovals | null;
}

/** Who approved a deployment's run, read when the dashboard was built: the reviews, or why not. */
export type BuildApprovals = { approvals: ApprovalRecord[] } | { approvals: null; why: string };

/** The search for an environment's last good version among deployments older than the window. */
export interface LastGoodBeyond {
  /** The newest older deployment that is a last good version; null when none was found. */
  deployment: StoredDeployment | null;
  /** Older deployments looked at. */
  searched: number;
  /** True when every older deployment was looked at (false when the search stopped at its bound). */
  exhausted: boolean;
}

/** The DORA figures of one week. */
export interface WeekFigures {
  /** Start and end of the week, milliseconds since the epoch. */
  from: number;
  to: number;
  dora: DoraFigures;
}

/** One environment's overview. */
export interface EnvironmentView {
  name: string;
  /** Deployments that started in the window, newest first. */
  deployments: DeploymentView[];
  last: DeploymentView | null;
  lastGood: LastGood | null;
  /** True when the last good version started before the window (it has no page of its own). */
  lastGoodBeforeWindow: boolean;
  /** With no last good version found before the search's bound: how many deployments were looked at. */
  lastGoodSearched: number | null;
  /** The failed or rolled-back deployment that opened an incident no success has closed yet. */
  openIncident: DeploymentView | null;
  dora: DoraFigures;
  weeks: WeekFigures[];
}

/** The whole site's model. */
export interface Dashboard {
  repository: string;
  generatedAt: number;
  from: number;
  to: number;
  environments: EnvironmentView[];
  /** Said on the pages when who approved could not be read at build time for every record lacking it. */
  approvalsNote: string | null;
}

/** What the dashboard is built from. */
export interface DashboardInput {
  repository: string;
  /** Deployments of any environments, any order. */
  deployments: readonly StoredDeployment[];
  /** Commit times by sha (for lead time); missing or null leaves a deployment out of lead time. */
  commitTimes: ReadonlyMap<string, number | null>;
  /** Stored traces by deployment id, as read (untrusted). */
  traces: ReadonlyMap<number, unknown>;
  now: number;
  /** The window: deployments that started within this long before `now`. */
  sinceMs: number;
  /** Only these environments, in this order; null means every environment found, by name. */
  environments: readonly string[] | null;
  /**
   * Per environment with no last good version in the window: what the older deployments held. Used for
   * the last good version only, never for DORA figures, the timeline or deployment pages.
   */
  lastGoodBeyond?: ReadonlyMap<string, LastGoodBeyond>;
  /** Who approved, read at build time, by deployment id (validated by the GitHub adapter's filter). */
  approvalsAtBuild?: ReadonlyMap<number, BuildApprovals>;
  approvalsNote?: string | null;
}

/** Builds the dashboard model. */
export function buildDashboard(input: DashboardInput): Dashboard {
  const from = input.now - input.sinceMs;
  const byEnvironment = new Map<string, StoredDeployment[]>();
  for (const env of input.environments ?? []) byEnvironment.set(env, []);
  for (const deployment of input.deployments) {
    const list = byEnvironment.get(deployment.environment);
    if (list) list.push(deployment);
    else if (input.environments === null) byEnvironment.set(deployment.environment, [deployment]);
  }
  const names = input.environments === null ? [...byEnvironment.keys()].sort() : [...input.environments];
  return {
    repository: input.repository,
    generatedAt: input.now,
    from,
    to: input.now,
    environments: names.map((name) => environmentView(name, byEnvironment.get(name) ?? [], input, from)),
    approvalsNote: input.approvalsNote ?? null,
  };
}

function environmentView(
  name: string,
  deployments: StoredDeployment[],
  input: DashboardInput,
  from: number,
): EnvironmentView {
  const all = deployments.map((d) => deploymentView(d, input));
  const entries = all.map((v) => v.entry);
  const shown = all
    .filter((v) => v.entry['started-at'] >= from && v.entry['started-at'] <= input.now)
    .sort(
      (a, b) =>
        b.entry['started-at'] - a.entry['started-at'] || b.entry['deployment-id'] - a.entry['deployment-id'],
    );
  const dora = computeDora(entries, { now: input.now, windowMs: input.sinceMs });
  const weeks: WeekFigures[] = [];
  const count = Math.max(1, Math.ceil(input.sinceMs / WEEK_MS));
  for (let i = count - 1; i >= 0; i--) {
    const to = input.now - i * WEEK_MS;
    weeks.push({ from: to - WEEK_MS, to, dora: computeDora(entries, { now: to, windowMs: WEEK_MS }) });
  }
  const inWindow = lastGood(deployments.filter((d) => d.createdAt <= input.now));
  const beyond = input.lastGoodBeyond?.get(name);
  const older = inWindow === null && beyond?.deployment ? lastGood([beyond.deployment]) : null;
  const good = inWindow ?? older;
  return {
    name,
    deployments: shown,
    last: shown[0] ?? null,
    lastGood: good,
    lastGoodBeforeWindow:
      good !== null && !shown.some((v) => v.entry['deployment-id'] === good['deployment-id']),
    lastGoodSearched:
      good === null && beyond !== undefined && !beyond.exhausted
        ? deployments.length + beyond.searched
        : null,
    openIncident: openIncident(all, input.now),
    dora,
    weeks,
  };
}

/** The first failed or rolled-back deployment after the last success, when no success followed it. */
function openIncident(all: DeploymentView[], now: number): DeploymentView | null {
  const finished = all
    .filter((v) => v.entry['completed-at'] !== null && v.entry['completed-at'] <= now)
    .sort(
      (a, b) =>
        a.entry['completed-at']! - b.entry['completed-at']! ||
        a.entry['deployment-id'] - b.entry['deployment-id'],
    );
  let open: DeploymentView | null = null;
  for (const v of finished) {
    if (v.entry.status === 'succeeded') open = null;
    else if (open === null && (v.entry.status === 'failed' || v.entry.status === 'rolled_back')) open = v;
  }
  return open;
}

function deploymentView(deployment: StoredDeployment, input: DashboardInput): DeploymentView {
  const entry = historyEntry(deployment, input.commitTimes.get(deployment.sha) ?? null);
  let record: DeploymentRecord | null = null;
  let state: RolloutState | null = null;
  let payloadProblem: string | null = null;
  try {
    const payload = readPayload(deployment.id, deployment.payload);
    record = payload?.record ?? null;
    state = payload?.['rollout-state'] ?? null;
  } catch (error) {
    payloadProblem = errorMessage(error);
  }
  let trace: TraceView | null = null;
  let traceProblem: string | null = null;
  const raw = input.traces.get(deployment.id);
  if (raw !== undefined) {
    try {
      trace = readDeploymentTrace(`of deployment ${deployment.id}`, raw);
    } catch (error) {
      traceProblem = errorMessage(error);
    }
  }
  const approvalsAtBuild = input.approvalsAtBuild?.get(deployment.id) ?? null;
  return { entry, record, state, payloadProblem, trace, traceProblem, approvalsAtBuild };
}
