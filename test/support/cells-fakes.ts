// Cells on the loopback ELBv2 and CloudWatch fakes, as the run-plan tests over cells share them: each
// cell's listener forwarding to its stable target group, each cell's metrics from its own traffic model
// with the weights read off the ELBv2 fake, and the `cells` input that names them.
import { stringify } from 'yaml';
import type { Cell } from '@shiftgate/core';
import { TrafficModel } from '@shiftgate/cli';
import type { CloudWatchServer, MetricProvider } from './cloudwatch-server';
import type { Elbv2Server } from './elbv2-server';
import { asTargetWeights, modelMetrics } from './model-metrics';

/** The `cells` input (YAML) naming these cells. */
export function cellsInput(cells: readonly Cell[]): string {
  return stringify(
    cells.map((c) => ({
      name: c.name,
      region: c.region,
      ...(c.zone ? { zone: c.zone } : {}),
      'listener-arn': c.routes[0],
      'stable-target-group-arn': c['stable-target-group-arn'],
      'canary-target-group-arn': c['canary-target-group-arn'],
    })),
  );
}

/** Adds every cell's listener (forwarding to its stable target group) and canary target group. */
export function addCellListeners(elbv2: Elbv2Server, cells: readonly Cell[]): void {
  for (const cell of cells) {
    elbv2.addTargetGroup(cell['canary-target-group-arn']);
    elbv2.addListener({
      ListenerArn: cell.routes[0]!,
      LoadBalancerArn: cell.routes[0]!.replace(
        /:listener\/(app\/[^/]+\/[0-9a-f]+)\/[0-9a-f]+$/,
        ':loadbalancer/$1',
      ),
      DefaultActions: [{ Type: 'forward', TargetGroupArn: cell['stable-target-group-arn'] }],
    });
  }
}

/** Feeds each cell's CloudWatch metrics from its own model; `bad` cells run a regressed canary. */
export function feedCells(
  fakes: { elbv2: Elbv2Server; cloudwatch: CloudWatchServer },
  cells: readonly Cell[],
  options: { seed: number; start: number; bad?: readonly string[] },
): void {
  const providers: MetricProvider[] = cells.map((cell, i) =>
    modelMetrics({
      model: new TrafficModel({
        seed: options.seed + i,
        start: options.start,
        scenario: options.bad?.includes(cell.name) ? 'step-regression' : 'healthy',
        at: 0,
      }),
      pair: { stable: cell['stable-target-group-arn'], canary: cell['canary-target-group-arn'] },
      weights: () => asTargetWeights(fakes.elbv2.weights(cell.routes[0]!)),
    }),
  );
  fakes.cloudwatch.metrics = (query, t) => {
    for (const provider of providers) {
      const value = provider(query, t);
      if (value !== undefined) return value;
    }
    return undefined;
  };
}

/** The canary weight on each cell's listener now. */
export function canaryWeights(elbv2: Elbv2Server, cells: readonly Cell[]): number[] {
  return cells.map(
    (c) => elbv2.weights(c.routes[0]!).find(([arn]) => arn === c['canary-target-group-arn'])?.[1] ?? 0,
  );
}
