import {
  computeDora,
  errorMessage,
  historyEntry,
  lastGood,
  outcomeOf,
  silentLogger,
  type DeploymentStore,
  type DoraFigures,
  type HistoryEntry,
  type LastGood,
  type Logger,
  type StoredDeployment,
} from '@shiftgate/core';
import { mapLimit } from './deployments';

/** A fetched history with its DORA figures. */
export interface History {
  environment: string;
  /** Newest first, at most `limit`. */
  entries: HistoryEntry[];
  deployments: StoredDeployment[];
  dora: DoraFigures;
  /** The newest successful deployment among those fetched whose values validate. */
  lastGood: LastGood | null;
}

/** What to fetch and over which window. */
export interface HistoryOptions {
  environment: string;
  limit: number;
  /** The DORA window, in milliseconds, ending at `now`. */
  windowMs: number;
  now: number;
  logger?: Logger;
}

/**
 * Fetches the newest `limit` deployments of an environment with their statuses, the commit times of
 * the successful ones (for lead time), and computes the DORA figures. A commit time that cannot be
 * read leaves that deployment out of the lead time, with a warning; it never fails the history.
 */
export async function fetchHistory(store: DeploymentStore, options: HistoryOptions): Promise<History> {
  const logger = options.logger ?? silentLogger;
  const deployments = await store.listDeployments({ environment: options.environment, limit: options.limit });
  const shas = [
    ...new Set(deployments.filter((d) => outcomeOf(d.statuses).status === 'succeeded').map((d) => d.sha)),
  ];
  const times = new Map<string, number | null>();
  let warned = false;
  await mapLimit(shas, 4, async (sha) => {
    try {
      times.set(sha, await store.commitTime(sha));
    } catch (error) {
      times.set(sha, null);
      if (!warned) {
        warned = true;
        logger.warning(`Lead time leaves out commits whose time could not be read: ${errorMessage(error)}`);
      }
    }
  });
  const entries = deployments.map((d) => historyEntry(d, times.get(d.sha) ?? null));
  return {
    environment: options.environment,
    entries,
    deployments,
    dora: computeDora(entries, { now: options.now, windowMs: options.windowMs }),
    lastGood: lastGood(deployments, logger),
  };
}

/** The `--json` document and the action's `history` output. */
export function historyDocument(repository: string, history: History): Record<string, unknown> {
  return {
    repository,
    environment: history.environment,
    deployments: history.entries,
    dora: history.dora,
    'last-good': history.lastGood,
  };
}
