// Saga services as a user declares them (the `services` input, the `--services` flag): name, order and
// the commands that deploy and compensate each one. They come from this run's inputs only: a rollout
// state carries service names and orders (data), never their commands.
import { InputError, parseYamlList, quote } from '../shared/index';
import { parseMetricQueries, type MetricQuery } from '../health/index';
import type { Step } from './steps';

/**
 * A saga service's own route set, like a cell's: its listener and rule ARNs, switched together from its
 * stable to its canary target group after its deploy, and back by its compensation.
 */
export interface ServiceTargets {
  routes: string[];
  pair: { stable: string; canary: string };
}

/** One saga service: what deploys it, what undoes it, and its own gate. */
export interface ServiceSpec {
  name: string;
  /** Deployment order (services deploy in increasing order, compensate in decreasing order). */
  'deployment-order': number;
  /** Bash command that deploys the service. */
  deploy: string;
  /** Bash command that undoes `deploy`. */
  compensate: string;
  /** CloudWatch alarms that judge this service after it is deployed (with the run's own). */
  alarms: string[];
  /** Bash command that judges this service after it is deployed; non-zero is a breach. */
  smoke: string;
  /** Its own routes, switched to its canary after its deploy and judged there; none: deployed in place. */
  targets?: ServiceTargets | null;
  /** Its own CloudWatch metric queries with thresholds, judged on its targets' bake (with the run's). */
  queries?: MetricQuery[];
}

const KEYS = [
  'name',
  'deployment-order',
  'deploy',
  'compensate',
  'alarms',
  'smoke',
  'targets',
  'metric-queries',
];
const TARGET_KEYS = ['listener-arn', 'rule-arn', 'stable-target-group-arn', 'canary-target-group-arn'];
// The ELBv2 ARN parts a route set checks; the full grammar is the AWS adapter's (packages/aws elbv2-arn.ts).
const ELB_ARN =
  /^arn:aws(?:-[a-z]+)*:elasticloadbalancing:([a-z0-9-]+):(\d{12}):(listener|listener-rule|targetgroup)\/[A-Za-z0-9._/-]+$/;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._:/@-]*$/;
const ALARM = /^[^\s,][^,\n]{0,254}$/;
const ALLOWED =
  'a YAML list of services, each with name, deploy and compensate (bash commands), and optionally deployment-order, alarms, smoke, metric-queries and targets (listener-arn and/or rule-arn, stable-target-group-arn, canary-target-group-arn)';

/**
 * Parses saga services: a YAML (or JSON) list such as
 * ```yaml
 * - name: orders
 *   deployment-order: 1
 *   deploy: ./deploy.sh orders
 *   compensate: ./undo.sh orders
 *   alarms: [orders-5xx]
 *   smoke: curl -fsS https://orders.example.com/health
 * ```
 * and returns them sorted by `deployment-order` (the list position, from 1, when it is not given).
 * Duplicate names or orders, a missing `deploy` or `compensate` and unknown keys are refused with an
 * {@link InputError} naming the input and the service.
 */
export function parseServices(input: string, text: string): ServiceSpec[] {
  if (text.trim() === '') return [];
  const { items, fail } = parseYamlList(input, text, { allowed: ALLOWED, max: 50, what: 'services' });
  const names = new Set<string>();
  const orders = new Map<number, string>();
  const services = items.map((item, i): ServiceSpec => {
    let where = `item ${i + 1}`;
    const name = item.name;
    if (typeof name !== 'string' || !NAME.test(name))
      return fail(
        `${where} needs a 'name' of letters, digits and . _ : / @ - (no spaces or shell characters), got ${quote(name)}`,
      );
    where = `service '${name}'`;
    for (const key of Object.keys(item)) {
      if (!KEYS.includes(key)) fail(`${where} has unknown key '${key}'; keys are ${KEYS.join(', ')}`);
    }
    if (names.has(name)) fail(`${where} is listed twice`);
    names.add(name);
    const order = item['deployment-order'] ?? i + 1;
    if (typeof order !== 'number' || !Number.isInteger(order) || order < 1)
      return fail(`${where}: 'deployment-order' must be a whole number from 1, got ${quote(order)}`);
    const other = orders.get(order);
    if (other !== undefined) fail(`${where} has deployment-order ${order}, as service '${other}' does`);
    orders.set(order, name);
    const command = (key: 'deploy' | 'compensate' | 'smoke', required: boolean): string => {
      const value = item[key];
      if (value === undefined && !required) return '';
      if (typeof value !== 'string' || value.trim() === '')
        return fail(
          `${where} needs '${key}', a bash command${key === 'compensate' ? ' that undoes its deploy (a saga must be able to compensate every service)' : ''}`,
        );
      return value.trim();
    };
    const alarmList = item.alarms ?? [];
    const alarms = (typeof alarmList === 'string' ? alarmList.split(/[,\n]/) : alarmList) as unknown;
    if (!Array.isArray(alarms)) return fail(`${where}: 'alarms' must be a list of CloudWatch alarm names`);
    const cleaned = alarms.map((a) => (typeof a === 'string' ? a.trim() : a)).filter((a) => a !== '');
    const bad = cleaned.find((a) => typeof a !== 'string' || !ALARM.test(a));
    if (bad !== undefined) fail(`${where}: ${quote(bad)} is not a CloudWatch alarm name`);
    const targets = item.targets === undefined ? null : parseTargets(where, item.targets, fail);
    const queriesValue = item['metric-queries'];
    if (queriesValue !== undefined && !Array.isArray(queriesValue))
      fail(`${where}: 'metric-queries' must be a list of metric queries, as the metric-queries input takes`);
    const queries =
      queriesValue === undefined
        ? []
        : parseMetricQueries(`${input}.${name}.metric-queries`, JSON.stringify(queriesValue));
    if (queries.some((q) => q.gate !== null) && !targets)
      fail(
        `${where}: 'metric-queries' are judged on the service's own targets (its canary against its stable target group); give it 'targets', or judge it with 'alarms' or 'smoke'`,
      );
    return {
      name,
      'deployment-order': order,
      deploy: command('deploy', true),
      compensate: command('compensate', true),
      alarms: [...new Set(cleaned as string[])],
      smoke: command('smoke', false),
      targets,
      queries,
    };
  });
  // Each route belongs to one service: two services switching one route would undo each other.
  const owner = new Map<string, string>();
  for (const service of services) {
    for (const route of service.targets?.routes ?? []) {
      const other = owner.get(route);
      if (other !== undefined)
        fail(`service '${service.name}' has route ${route} in its targets, as service '${other}' does`);
      owner.set(route, service.name);
    }
  }
  return services.sort((a, b) => a['deployment-order'] - b['deployment-order']);
}

/** The service names in deployment order: the saga's `services` parameter. */
export function serviceNames(services: readonly ServiceSpec[]): string[] {
  return services.map((s) => s.name);
}

/**
 * Checks that a plan's service steps are exactly the configured services, in the same order. A state
 * carries names and orders only; the commands that run are the configured ones, so the two must agree
 * or nothing runs.
 */
export function checkPlanServices(
  input: string,
  plan: readonly Step[],
  services: readonly ServiceSpec[],
): void {
  const planned = plan.flatMap((s) => (s.kind === 'service' ? [s.service] : []));
  const configured = serviceNames(services);
  if (planned.join('\n') !== configured.join('\n')) {
    throw new InputError(input, configured.join(', '), '', {
      message: `Input '${input}' declares the services ${configured.length > 0 ? configured.join(', ') : '(none)'} but the saga plan deploys ${planned.join(', ')}, in that order; a rollout state carries service names only, and their commands come from '${input}', so the two must name the same services in the same order. Nothing was changed.`,
    });
  }
}

/**
 * A service's `targets`: listener and rule ARNs (at least one route) and its stable and canary target
 * groups, all ELBv2 ARNs of one region and one account, the two target groups different.
 */
function parseTargets(where: string, raw: unknown, fail: (problem: string) => never): ServiceTargets {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return fail(`${where}: 'targets' must be a mapping with ${TARGET_KEYS.join(', ')}`);
  const entry = raw as Record<string, unknown>;
  for (const key of Object.keys(entry))
    if (!TARGET_KEYS.includes(key))
      fail(`${where}: 'targets' has unknown key '${key}'; keys are ${TARGET_KEYS.join(', ')}`);
  let place: { region: string; account: string } | null = null;
  const arns = (key: string, kind: string): string[] => {
    const value = entry[key];
    const list = value === undefined || value === null ? [] : Array.isArray(value) ? value : [value];
    return list.map((item) => {
      const match = typeof item === 'string' ? ELB_ARN.exec(item.trim()) : null;
      if (!match || match[3] !== kind)
        return fail(`${where}: 'targets.${key}' must be an ELBv2 ${kind} ARN, got ${quote(item)}`);
      if (place && (place.region !== match[1] || place.account !== match[2]))
        fail(
          `${where}: 'targets.${key}' ${quote(item)} is in ${match[1]} (account ${match[2]}), but its other targets are in ${place.region} (account ${place.account}); a service's targets are in one region and account`,
        );
      place ??= { region: match[1]!, account: match[2]! };
      return (item as string).trim();
    });
  };
  const routes = [...arns('listener-arn', 'listener'), ...arns('rule-arn', 'listener-rule')];
  if (routes.length === 0)
    fail(`${where}: 'targets' needs a 'listener-arn' or 'rule-arn' (the routes switched after its deploy)`);
  if (new Set(routes).size !== routes.length) fail(`${where}: 'targets' lists a route twice`);
  const one = (key: string): string => {
    const list = arns(key, 'targetgroup');
    if (list.length !== 1) return fail(`${where}: 'targets.${key}' must be one target group ARN`);
    return list[0]!;
  };
  const stable = one('stable-target-group-arn');
  const canary = one('canary-target-group-arn');
  if (stable === canary)
    fail(`${where}: 'targets.canary-target-group-arn' must be a target group other than the stable one`);
  return { routes, pair: { stable, canary } };
}
