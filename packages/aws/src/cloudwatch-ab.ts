// The custom metrics of an A/B test as GetMetricData queries: each metric read as Sum for A (the stable
// target group) and for B (the canary), by their TargetGroup dimension unless the metric names each
// side's own dimensions. Read in the same call as the ALB metrics.
import type { MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import type { AbMetric, MetricWindow } from '@shiftgate/core';

/** The query ids of metric `index`: `sg_ab<index>a` (A) and `sg_ab<index>b` (B). */
export const abQueryId = (index: number, side: 'a' | 'b') => `sg_ab${index}${side}`;

/** The queries of `metrics`, each side's `TargetGroup` being its target group dimension unless given. */
export function abMetricQueries(
  metrics: readonly AbMetric[],
  targetGroups: { a: string; b: string },
  seconds: number,
): MetricDataQuery[] {
  return metrics.flatMap((m, index) =>
    (['a', 'b'] as const).map((side): MetricDataQuery => {
      const own = m.sides ? m.sides[side] : { TargetGroup: targetGroups[side] };
      const dimensions = { ...m.dimensions, ...own };
      return {
        Id: abQueryId(index, side),
        Label: `${m.name} (${side.toUpperCase()})`,
        MetricStat: {
          Metric: {
            Namespace: m.namespace,
            MetricName: m.metric,
            Dimensions: Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value })),
          },
          Period: seconds,
          Stat: 'Sum',
        },
        ReturnData: true,
      };
    }),
  );
}

/**
 * The window's A/B counts by metric name. A count metric publishes nothing for a minute without
 * events, so a missing datapoint is 0 where that side served requests (as the 5xx count is), and no
 * data where it did not or the query failed.
 */
export function abMetricValues(
  metrics: readonly AbMetric[],
  usable: (id: string) => Map<number, number> | undefined,
  t: number,
  served: { a: boolean; b: boolean },
): NonNullable<MetricWindow['ab-metrics']> {
  return Object.fromEntries(
    metrics.map((m, index) => {
      const value = (side: 'a' | 'b') => {
        const series = usable(abQueryId(index, side));
        if (series === undefined) return null;
        const v = series.get(t);
        return v === undefined ? (served[side] ? 0 : null) : Math.round(v);
      };
      return [m.name, { a: value('a'), b: value('b') }];
    }),
  );
}
