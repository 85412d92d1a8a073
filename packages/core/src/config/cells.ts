// Cells: each its own load balancer route set in one region (and optionally one zone), defined under
// `environments.<env>.cells` in .github/shiftgate.yml or given as the `cells` input (YAML). Validated up
// front so a bad cell refuses the rollout before anything moves (issue 12). The YAML reader of the
// `cells` input is with the config file's (file.ts).
import { InputError, isObject, quote, type Json } from '../shared/index';

/** One cell: its place and the routes it switches between its own stable and canary target groups. */
export interface Cell {
  name: string;
  region: string;
  zone: string | null;
  /** Listener and rule ARNs, switched together (all or nothing). */
  routes: string[];
  'stable-target-group-arn': string;
  'canary-target-group-arn': string;
  /** CloudWatch alarm names judged for this cell (in its region). */
  alarms: string[];
}

/** The keys a cell may have, as the config file and the `cells` input spell them. */
export const CELL_KEYS = [
  'name',
  'region',
  'zone',
  'listener-arn',
  'rule-arn',
  'stable-target-group-arn',
  'canary-target-group-arn',
  'alarms',
] as const;

/** The most target groups one ALB forward action may carry (ELBv2 quota). */
export const MAX_FORWARD_TARGET_GROUPS = 5;

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
// The ELBv2 ARN parts a cell checks; the full grammar is the AWS adapter's (packages/aws elbv2-arn.ts).
const ELB_ARN =
  /^arn:aws(?:-[a-z]+)*:elasticloadbalancing:([a-z0-9-]+):(\d{12}):(listener|listener-rule|targetgroup)\//;

/**
 * Validates a list of cells: every key known, unique names, a region and the required ARNs present,
 * every ARN in its cell's region and all in one account, at most five target groups per cell. Errors
 * name the cell and the field.
 */
export function parseCells(input: string, doc: unknown): Cell[] {
  if (!Array.isArray(doc) || doc.length === 0) {
    throw new InputError(input, doc, `a non-empty list of cells, each {${CELL_KEYS.join(', ')}}`);
  }
  const cells: Cell[] = [];
  let account: { id: string; where: string } | null = null;
  for (const [index, raw] of (doc as unknown[]).entries()) {
    const at = `${input}[${index}]`;
    if (!isObject(raw as Json)) throw new InputError(at, raw, `a cell {${CELL_KEYS.join(', ')}}`);
    const entry = raw as Record<string, unknown>;
    const nameValue = entry.name;
    if (typeof nameValue !== 'string' || !NAME.test(nameValue)) {
      throw new InputError(`${at}.name`, nameValue, 'a cell name of letters, digits, . _ - (up to 63)');
    }
    const field = (key: string) => `${input}.${nameValue}.${key}`;
    for (const key of Object.keys(entry)) {
      if (!(CELL_KEYS as readonly string[]).includes(key)) {
        throw new InputError(field(key), entry[key], '', {
          message: `Cell '${nameValue}' has '${key}', which is not a cell field; fields are ${CELL_KEYS.join(', ')}`,
        });
      }
    }
    if (cells.some((c) => c.name === nameValue)) {
      throw new InputError(field('name'), nameValue, '', {
        message: `Input '${input}' has two cells named '${nameValue}'; cell names must be unique`,
      });
    }
    const region = entry.region;
    if (typeof region !== 'string' || !REGION.test(region)) {
      throw new InputError(field('region'), region, 'an AWS region such as us-east-1');
    }
    const zone = entry.zone ?? null;
    if (zone !== null && (typeof zone !== 'string' || !/^[a-z0-9-]{1,32}$/.test(zone))) {
      throw new InputError(
        field('zone'),
        zone,
        'an availability zone name or id such as us-east-1a or use1-az1',
      );
    }
    const arns = (
      key: string,
      kind: 'listener' | 'listener-rule' | 'targetgroup',
      required: boolean,
    ): string[] => {
      const value = entry[key];
      const list = value === undefined || value === null ? [] : Array.isArray(value) ? value : [value];
      if (required && list.length === 0) {
        throw new InputError(field(key), '', '', {
          message: `Cell '${nameValue}' has no '${key}'; every cell needs its ${key === 'listener-arn' ? 'listener-arn or rule-arn' : key}`,
        });
      }
      return list.map((item) => {
        const match = typeof item === 'string' ? ELB_ARN.exec(item.trim()) : null;
        if (!match || match[3] !== kind) {
          throw new InputError(field(key), item, `an ELBv2 ${kind} ARN`);
        }
        if (match[1] !== region) {
          throw new InputError(field(key), item, '', {
            message: `Cell '${nameValue}' is in ${region} but its '${key}' ${quote(item)} is in ${match[1]}; a cell's ARNs are in its region`,
          });
        }
        if (account && account.id !== match[2]) {
          throw new InputError(field(key), item, '', {
            message: `Cell '${nameValue}' has '${key}' in account ${match[2]}, but ${account.where} is in account ${account.id}; every cell of a rollout is in one account`,
          });
        }
        account ??= { id: match[2]!, where: `cell '${nameValue}'` };
        return item.trim();
      });
    };
    const listeners = arns('listener-arn', 'listener', false);
    const rules = arns('rule-arn', 'listener-rule', false);
    if (listeners.length + rules.length === 0) {
      throw new InputError(field('listener-arn'), '', '', {
        message: `Cell '${nameValue}' has no 'listener-arn' or 'rule-arn'; every cell needs at least one route`,
      });
    }
    const routes = [...listeners, ...rules];
    const duplicate = routes.find(
      (r, i) => routes.indexOf(r) !== i || cells.some((c) => c.routes.includes(r)),
    );
    if (duplicate !== undefined) {
      throw new InputError(field('listener-arn'), duplicate, '', {
        message: `Cell '${nameValue}' lists route ${quote(duplicate)} that is already a route of this or another cell; each route belongs to one cell`,
      });
    }
    const [stable] = arns('stable-target-group-arn', 'targetgroup', true);
    const canaries = arns('canary-target-group-arn', 'targetgroup', true);
    if (1 + canaries.length > MAX_FORWARD_TARGET_GROUPS) {
      throw new InputError(field('canary-target-group-arn'), canaries.join(','), '', {
        message: `Cell '${nameValue}' names ${1 + canaries.length} target groups; a forward action carries at most ${MAX_FORWARD_TARGET_GROUPS}`,
      });
    }
    if (canaries.length !== 1) {
      throw new InputError(
        field('canary-target-group-arn'),
        canaries.join(','),
        'one canary target group ARN',
      );
    }
    if (canaries[0] === stable) {
      throw new InputError(
        field('canary-target-group-arn'),
        stable,
        'a target group other than the stable one',
      );
    }
    const alarmsValue = entry.alarms ?? [];
    const alarms = Array.isArray(alarmsValue) ? alarmsValue : [alarmsValue];
    if (!alarms.every((a) => typeof a === 'string' && a.trim() !== '')) {
      throw new InputError(field('alarms'), alarmsValue, 'a list of CloudWatch alarm names');
    }
    cells.push({
      name: nameValue,
      region,
      zone: zone as string | null,
      routes,
      'stable-target-group-arn': stable!,
      'canary-target-group-arn': canaries[0]!,
      alarms: (alarms as string[]).map((a) => a.trim()),
    });
  }
  return cells;
}
