import { InputError, quote } from '@shiftgate/core';

/** The parts of an Elastic Load Balancing ARN shiftgate checks. */
export interface Elbv2Arn {
  arn: string;
  partition: string;
  region: string;
  account: string;
  /** `listener`, `listener-rule`, `targetgroup`, `loadbalancer`. */
  resource: 'listener' | 'listener-rule' | 'targetgroup' | 'loadbalancer';
  /** What follows the account: `targetgroup/<name>/<id>`, `loadbalancer/app/<name>/<id>`, … */
  path: string;
}

// https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference (ARN formats in the examples):
//   listener/app/<lb-name>/<lb-id>/<listener-id>, listener-rule/app/<lb-name>/<lb-id>/<listener-id>/<rule-id>,
//   targetgroup/<name>/<id>, loadbalancer/app/<name>/<id>. Ids are 16 hex digits, names 1-32 of [A-Za-z0-9-].
const PREFIX = String.raw`^arn:(aws(?:-[a-z]+)*):elasticloadbalancing:([a-z]{2}(?:-[a-z]+)+-\d+):(\d{12}):`;
const NAME = String.raw`[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?`;
const ID = String.raw`[0-9a-f]{16}`;
const PATTERNS = {
  listener: new RegExp(`${PREFIX}(listener/app/${NAME}/${ID}/${ID})$`),
  'listener-rule': new RegExp(`${PREFIX}(listener-rule/app/${NAME}/${ID}/${ID}/${ID})$`),
  targetgroup: new RegExp(`${PREFIX}(targetgroup/${NAME}/${ID})$`),
  loadbalancer: new RegExp(`${PREFIX}(loadbalancer/app/${NAME}/${ID})$`),
} as const;

const EXAMPLES = {
  listener:
    'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/my-alb/50dc6c495c0c9188/f2f7dc8efc522ab2',
  'listener-rule':
    'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/my-alb/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee',
  targetgroup: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/my-targets/73e2d6bc24d8a067',
  loadbalancer:
    'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/my-alb/50dc6c495c0c9188',
} as const;

const WHAT = {
  listener: 'an Application Load Balancer listener ARN',
  'listener-rule': 'an Application Load Balancer listener rule ARN',
  targetgroup: 'a target group ARN',
  loadbalancer: 'an Application Load Balancer ARN',
} as const;

/**
 * The one ELBv2 ARN grammar: the parts of `value` when it is an ARN of `resource` (any region), or null.
 * Callers that need a message of their own (CloudWatch dimensions) start here.
 */
export function matchElbv2Arn(value: string, resource: Elbv2Arn['resource']): Elbv2Arn | null {
  const text = value.trim();
  const match = PATTERNS[resource].exec(text);
  if (!match) return null;
  const [, partition, region, account, path] = match as unknown as [string, string, string, string, string];
  return { arn: text, partition, region, account, resource, path };
}

/**
 * Parses an ELBv2 ARN of the given resource type, in the given region. The error names the input, the
 * value and what is allowed, and points out the usual mix-ups (a rule ARN given as a listener, a
 * Network Load Balancer, another service, another region).
 */
export function parseElbv2Arn(
  input: string,
  value: string,
  resource: Elbv2Arn['resource'],
  region: string,
): Elbv2Arn {
  const text = value.trim();
  const parsed = matchElbv2Arn(text, resource);
  const allowed = `${WHAT[resource]} such as ${EXAMPLES[resource]}`;
  if (!parsed) {
    const hint = mixUp(text, resource);
    throw new InputError(
      input,
      value,
      allowed,
      hint ? { message: `Input '${input}' must be ${allowed}, got ${quote(value)}: ${hint}` } : undefined,
    );
  }
  const arnRegion = parsed.region;
  if (arnRegion !== region) {
    throw new InputError(input, value, `${WHAT[resource]} in region ${region}`, {
      message: `Input '${input}' must be ${WHAT[resource]} in region ${region} (the region shiftgate calls; set aws-region to change it), got ${quote(value)} in region ${arnRegion}`,
    });
  }
  return parsed;
}

function mixUp(text: string, resource: Elbv2Arn['resource']): string | null {
  if (!text.startsWith('arn:')) return 'that is not an ARN';
  const service = text.split(':')[2];
  if (service !== 'elasticloadbalancing')
    return `that is an ARN of the ${service || 'unknown'} service, not Elastic Load Balancing`;
  const rest = text.split(':').slice(5).join(':');
  if (resource === 'listener' && rest.startsWith('listener-rule/'))
    return 'that is a listener rule; pass it as rule-arn';
  if (resource === 'listener-rule' && rest.startsWith('listener/'))
    return 'that is a listener; pass it as listener-arn';
  if (/^(listener|listener-rule|loadbalancer)\/net\//.test(rest))
    return 'that belongs to a Network Load Balancer; shiftgate shifts weighted traffic on Application Load Balancers';
  if (/^(listener|listener-rule|loadbalancer)\/gwy\//.test(rest))
    return 'that belongs to a Gateway Load Balancer; shiftgate shifts weighted traffic on Application Load Balancers';
  const found = rest.split('/')[0];
  if (found && found !== resource) return `that is a ${found} ARN`;
  return null;
}

/** The listener a rule belongs to: `listener-rule/app/n/lb/l/r` → `listener/app/n/lb/l`. */
export function listenerOfRule(ruleArn: string): string {
  return ruleArn.replace(':listener-rule/', ':listener/').replace(/\/[0-9a-f]{16}$/, '');
}

/** `listener` or `rule`, from the ARN. */
export function routeKindOf(arn: string): 'listener' | 'rule' {
  return arn.includes(':listener-rule/') ? 'rule' : 'listener';
}

/** The region of an ELBv2 ARN, or null when it is not one. */
export function regionOfArn(arn: string): string | null {
  return new RegExp(PREFIX).exec(arn.trim())?.[2] ?? null;
}
