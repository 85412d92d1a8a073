// Saga services as a user declares them (the `services` input, the `--services` flag): name, order and
// the commands that deploy and compensate each one. They come from this run's inputs only: a rollout
// state carries service names and orders (data), never their commands.
import { InputError, parseYamlList, quote } from '../shared/index';
import type { Step } from './steps';

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
}

const KEYS = ['name', 'deployment-order', 'deploy', 'compensate', 'alarms', 'smoke'];
/** Keys the issue names that are not built yet: refused by name rather than ignored. */
const NOT_YET = ['targets', 'metric-queries'];
const NAME = /^[A-Za-z0-9][A-Za-z0-9._:/@-]*$/;
const ALARM = /^[^\s,][^,\n]{0,254}$/;
const ALLOWED =
  'a YAML list of services, each with name, deploy and compensate (bash commands), and optionally deployment-order, alarms and smoke';

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
      if (NOT_YET.includes(key)) fail(`${where}: '${key}' is not supported for saga services yet`);
      else if (!KEYS.includes(key)) fail(`${where} has unknown key '${key}'; keys are ${KEYS.join(', ')}`);
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
    return {
      name,
      'deployment-order': order,
      deploy: command('deploy', true),
      compensate: command('compensate', true),
      alarms: [...new Set(cleaned as string[])],
      smoke: command('smoke', false),
    };
  });
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
