// Feeds the loopback CloudWatch fake from the simulator's traffic model, with the canary's share of
// traffic read off the loopback ELBv2 fake: the metrics follow what the code under test did to the
// weights, as they would on a real load balancer.
import { canaryShare, type TargetPair, type TargetWeight } from '@shiftgate/core';
import type { Side, TrafficModel } from '@shiftgate/cli';
import { albMetrics, type AlbMinute, type MetricProvider } from './cloudwatch-server';

const MIN = 60_000;

/** `targetgroup/<name>/<id>`, the TargetGroup dimension of an ARN. */
export function targetGroupDimension(arn: string): string {
  return /:(targetgroup\/[^/]+\/[0-9a-f]+)$/.exec(arn)![1]!;
}

/**
 * A metric provider over the model. A minute's canary share is the share on the route when that minute
 * is first asked for (the code under test only asks for minutes after it moved traffic and waited for
 * them to be published), then it is remembered, so every later query sees the same minute.
 */
export function modelMetrics(options: {
  model: TrafficModel;
  pair: TargetPair;
  /** The route's target groups now (from the ELBv2 fake). */
  weights: () => TargetWeight[];
}): MetricProvider & { shares: Map<number, number> } {
  const shares = new Map<number, number>();
  const minute =
    (side: Side) =>
    (timestamp: number, slowThreshold?: number): AlbMinute => {
      const aligned = Math.floor(timestamp / MIN) * MIN;
      let share = shares.get(aligned);
      if (share === undefined) {
        share = canaryShare(options.weights(), options.pair) ?? 0;
        shares.set(aligned, share);
      }
      return options.model.sample(side, aligned, share, slowThreshold);
    };
  const provider = albMetrics({
    [targetGroupDimension(options.pair.canary)]: minute('canary'),
    [targetGroupDimension(options.pair.stable)]: minute('baseline'),
  });
  return Object.assign(provider, { shares });
}

/** An ELBv2 fake's `weights(route)` pairs as target weights. */
export function asTargetWeights(pairs: [string, number][]): TargetWeight[] {
  return pairs.map(([arn, weight]) => ({ 'target-group-arn': arn, weight }));
}
