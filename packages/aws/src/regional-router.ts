// The router of a rollout over many regions (cells): each route goes to the ELBv2 client of the region
// its ARN names. Kept apart from the cell metric source so that actions which only move traffic (rollback,
// the post step) do not load CloudWatch.
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { InputError, routerByRoute, type TrafficRouter } from '@shiftgate/core';
import { createElbv2Client, type AwsClientOptions } from './client';
import { regionOfArn } from './elbv2-arn';
import { Elbv2TrafficRouter } from './elbv2';

/** A router over many regions: each route goes to the router of the region its ARN names. */
export function regionalElbv2Router(
  clientFor: (region: string) => ElasticLoadBalancingV2Client,
): TrafficRouter {
  const routers = new Map<string, Elbv2TrafficRouter>();
  return routerByRoute((route) => {
    const region = regionOfArn(route);
    if (!region) throw new InputError('route', route, 'a listener or rule ARN that names its region');
    let router = routers.get(region);
    if (!router) routers.set(region, (router = new Elbv2TrafficRouter(clientFor(region))));
    return router;
  });
}

/** The router of an action or command over many regions: one ELBv2 client per region, same settings. */
export function regionalRouter(options: Omit<AwsClientOptions, 'region'>): TrafficRouter {
  const clients = new Map<string, ElasticLoadBalancingV2Client>();
  return regionalElbv2Router((region) => {
    let client = clients.get(region);
    if (!client) clients.set(region, (client = createElbv2Client({ ...options, region })));
    return client;
  });
}
