// One load balancer on the loopback ELBv2 and CloudWatch fakes, as the traffic tests share it: a listener
// whose default action forwards to the stable target group, and a canary target group ready to add.
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { CloudWatchServer } from './cloudwatch-server';
import { Elbv2Server } from './elbv2-server';

export const ACCOUNT = '123456789012';
export const LB = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:loadbalancer/app/shop/50dc6c495c0c9188`;
export const LISTENER = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2`;
export const STABLE = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:targetgroup/shop-blue/73e2d6bc24d8a067`;
export const CANARY = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:targetgroup/shop-green/943f017f100becff`;
/** The route and target group inputs of run-plan and shift-traffic for this load balancer. */
export const ROUTES = {
  'listener-arn': LISTENER,
  'stable-target-group-arn': STABLE,
  'canary-target-group-arn': CANARY,
};

/**
 * Starts both fakes for the enclosing suite and, before each test, resets the load balancer to stable
 * 100% and forgets the CloudWatch requests. Read the servers from the returned object after `beforeAll`.
 */
export function useAlbFakes(): { elbv2: Elbv2Server; cloudwatch: CloudWatchServer } {
  const fakes = {} as { elbv2: Elbv2Server; cloudwatch: CloudWatchServer };
  beforeAll(async () => {
    fakes.elbv2 = await Elbv2Server.start();
    fakes.cloudwatch = await CloudWatchServer.start();
  });
  afterAll(async () => {
    await fakes.elbv2.close();
    await fakes.cloudwatch.close();
  });
  beforeEach(() => {
    fakes.elbv2.reset();
    fakes.elbv2.addTargetGroup(CANARY);
    fakes.elbv2.addListener({
      ListenerArn: LISTENER,
      LoadBalancerArn: LB,
      DefaultActions: [{ Type: 'forward', TargetGroupArn: STABLE }],
    });
    fakes.cloudwatch.requests.length = 0;
  });
  return fakes;
}
