// Rolling over cells in many regions (issue 12): one client per region, a router that sends each route to
// its region's client, and a metric source that reads every cell of a region in one GetMetricData per
// poll (split at 500 metrics per call, CloudWatch's limit).
import type { CloudWatchClient, MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  InputError,
  silentLogger,
  type CellMetricSource,
  type CellTarget,
  type Logger,
  type MetricRange,
  type MetricWindow,
  type OverThresholds,
} from '@shiftgate/core';
import { createCloudWatchClient, createElbv2Client, type AwsClientOptions } from './client';
import {
  albMetricQuery,
  percentRankStat,
  readMetricData,
  SIDE_METRICS,
  statsAt,
  targetGroupDimension,
  type MetricSeries,
  type SeriesBySide,
} from './cloudwatch';

/** The most metric queries one GetMetricData call takes. */
export const MAX_QUERIES_PER_CALL = 500;

/** One ELBv2 and one CloudWatch client per region, each made once, with the same settings. */
export class RegionalClients {
  private readonly elbv2s = new Map<string, ElasticLoadBalancingV2Client>();
  private readonly cloudwatches = new Map<string, CloudWatchClient>();
  constructor(private readonly options: Omit<AwsClientOptions, 'region'>) {}

  elbv2(region: string): ElasticLoadBalancingV2Client {
    let client = this.elbv2s.get(region);
    if (!client) this.elbv2s.set(region, (client = createElbv2Client({ ...this.options, region })));
    return client;
  }

  cloudwatch(region: string): CloudWatchClient {
    let client = this.cloudwatches.get(region);
    if (!client)
      this.cloudwatches.set(region, (client = createCloudWatchClient({ ...this.options, region })));
    return client;
  }
}

/** The `LoadBalancer` dimension of a listener or rule ARN: `app/<name>/<id>`, read from the ARN itself. */
export function loadBalancerOfRoute(route: string): string {
  const match = /:(?:listener|listener-rule)\/(app\/[^/]+\/[0-9a-f]+)\//.exec(route);
  if (!match) throw new InputError('route', route, 'an Application Load Balancer listener or rule ARN');
  return match[1]!;
}

/** What the cell metric source needs. */
export interface CloudWatchCellMetricSourceOptions {
  /** The CloudWatch client of a region. */
  client: (region: string) => CloudWatchClient;
  /** Window length in milliseconds, whole minutes. */
  period: number;
  /** The `max-p99-latency` gate, ms: the canary's requests slower than it are read too. */
  slowThreshold?: number;
  logger?: Logger;
  /** Called once per GetMetricData call (for the API-call counts of benches and tests). */
  onCall?: (region: string, queries: number) => void;
}

/**
 * Reads the windows of many cells of one region: both target groups of every cell, the five ALB
 * metrics each (plus the canary's percentile rank at the p99 gate), in ⌈queries / 500⌉ GetMetricData
 * calls per poll, following `NextToken`. Missing data stays no data, as with one pair.
 */
export class CloudWatchCellMetricSource implements CellMetricSource {
  private readonly logger: Logger;
  constructor(private readonly options: CloudWatchCellMetricSourceOptions) {
    if (options.period <= 0 || options.period % 60_000 !== 0)
      throw new InputError('poll-interval', `${options.period / 1000}s`, 'a whole number of minutes');
    this.logger = options.logger ?? silentLogger;
  }

  /**
   * The queries one poll of these cells sends, with the id prefix of each cell. With `over`, each side
   * also counts its requests over its threshold (`PR(:T)`), for the cross-cell latency-increase test.
   */
  queries(cells: readonly CellTarget[], over?: OverThresholds): MetricDataQuery[] {
    const seconds = this.options.period / 1000;
    const threshold = this.options.slowThreshold;
    const rank = (key: string, at: number) => ({
      key,
      metric: 'TargetResponseTime',
      stat: percentRankStat(at),
    });
    return cells.flatMap((cell, i) => {
      const loadBalancer = loadBalancerOfRoute(cell.routes[0]!);
      const sides = [
        {
          prefix: `c${i}_c_`,
          arn: cell.pair.canary,
          ranks: [
            ...(threshold !== undefined ? [rank('slow', threshold)] : []),
            ...(over ? [rank('over', over.canary)] : []),
          ],
        },
        { prefix: `c${i}_b_`, arn: cell.pair.stable, ranks: over ? [rank('over', over.baseline)] : [] },
      ];
      return sides.flatMap(({ prefix, arn, ranks }) =>
        [...SIDE_METRICS, ...ranks].map(({ key, metric, stat }) =>
          albMetricQuery({
            id: `${prefix}${key}`,
            metric,
            stat,
            loadBalancer,
            targetGroup: targetGroupDimension(`cells.${cell.name}`, arn),
            seconds,
          }),
        ),
      );
    });
  }

  async windows(
    region: string,
    cells: readonly CellTarget[],
    range: MetricRange,
  ): Promise<Record<string, MetricWindow[]>> {
    const queries = this.queries(cells, range.over);
    const series: MetricSeries = new Map();
    const client = this.options.client(region);
    const what = `in ${region} for ${cells.length} cells, ${new Date(range.start).toISOString()}–${new Date(range.end).toISOString()},`;
    for (let from = 0; from < queries.length; from += MAX_QUERIES_PER_CALL) {
      const chunk = queries.slice(from, from + MAX_QUERIES_PER_CALL);
      await readMetricData(client, {
        queries: chunk,
        range,
        what,
        series,
        logger: this.logger,
        onPage: () => this.options.onCall?.(region, chunk.length),
      });
    }
    const usable = (id: string) => {
      const s = series.get(id);
      return s && s.status === 'Complete' ? s.values : undefined;
    };
    const side = (prefix: string): SeriesBySide =>
      Object.fromEntries(SIDE_METRICS.map(({ key }) => [key, usable(`${prefix}${key}`)])) as SeriesBySide;
    const out: Record<string, MetricWindow[]> = {};
    const slow = this.options.slowThreshold !== undefined;
    const over = range.over;
    cells.forEach((cell, i) => {
      const canary = side(`c${i}_c_`);
      const baseline = side(`c${i}_b_`);
      const rank = slow ? usable(`c${i}_c_slow`) : undefined;
      const overRank = over ? { canary: usable(`c${i}_c_over`), baseline: usable(`c${i}_b_over`) } : null;
      const windows: MetricWindow[] = [];
      for (let t = range.start; t + this.options.period <= range.end; t += this.options.period) {
        windows.push({
          start: new Date(t).toISOString(),
          canary: statsAt(canary, t, {
            ...(slow ? { slow: rank?.get(t) ?? null } : {}),
            ...(overRank ? { over: overRank.canary?.get(t) ?? null } : {}),
          }),
          baseline: statsAt(baseline, t, overRank ? { over: overRank.baseline?.get(t) ?? null } : {}),
          ...(over ? { 'over-thresholds': { ...over } } : {}),
        });
      }
      out[cell.name] = windows;
    });
    return out;
  }
}
