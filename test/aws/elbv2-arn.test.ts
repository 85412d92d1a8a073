import { describe, expect, it } from 'vitest';
import { InputError } from '@shiftgate/core';
import { listenerOfRule, parseElbv2Arn, regionOfArn, routeKindOf } from '@shiftgate/aws';

const LISTENER =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2';
const RULE =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee';
const TG = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/blue/73e2d6bc24d8a067';

describe('parseElbv2Arn', () => {
  it('accepts listener, rule and target group ARNs, in other partitions too', () => {
    expect(parseElbv2Arn('listener-arn', LISTENER, 'listener', 'us-east-1')).toMatchObject({
      account: '123456789012',
      region: 'us-east-1',
      partition: 'aws',
    });
    expect(parseElbv2Arn('rule-arn', ` ${RULE} `, 'listener-rule', 'us-east-1').arn).toBe(RULE);
    expect(parseElbv2Arn('stable-target-group-arn', TG, 'targetgroup', 'us-east-1').resource).toBe(
      'targetgroup',
    );
    const china = 'arn:aws-cn:elasticloadbalancing:cn-north-1:123456789012:targetgroup/blue/73e2d6bc24d8a067';
    expect(parseElbv2Arn('canary-target-group-arn', china, 'targetgroup', 'cn-north-1').partition).toBe(
      'aws-cn',
    );
  });

  it.each([
    [
      'listener-arn',
      'listener',
      'arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0',
      "Input 'listener-arn' must be an Application Load Balancer listener ARN such as arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/my-alb/50dc6c495c0c9188/f2f7dc8efc522ab2, got 'arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0': that is an ARN of the ec2 service, not Elastic Load Balancing",
    ],
    [
      'listener-arn',
      'listener',
      RULE,
      `Input 'listener-arn' must be an Application Load Balancer listener ARN such as arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/my-alb/50dc6c495c0c9188/f2f7dc8efc522ab2, got '${RULE}': that is a listener rule; pass it as rule-arn`,
    ],
    [
      'rule-arn',
      'listener-rule',
      LISTENER,
      `Input 'rule-arn' must be an Application Load Balancer listener rule ARN such as arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/my-alb/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee, got '${LISTENER}': that is a listener; pass it as listener-arn`,
    ],
    [
      'listener-arn',
      'listener',
      LISTENER.replace('/app/', '/net/'),
      'that belongs to a Network Load Balancer',
    ],
    ['stable-target-group-arn', 'targetgroup', LISTENER, 'that is a listener ARN'],
    ['stable-target-group-arn', 'targetgroup', 'blue', "got 'blue': that is not an ARN"],
    [
      'stable-target-group-arn',
      'targetgroup',
      TG.replace('73e2d6bc24d8a067', '73E2D6BC24D8A067'),
      'must be a target group ARN such as',
    ],
    [
      'listener-arn',
      'listener',
      LISTENER.replace('us-east-1', 'eu-west-1'),
      `Input 'listener-arn' must be an Application Load Balancer listener ARN in region us-east-1 (the region shiftgate calls; set aws-region to change it), got '${LISTENER.replace('us-east-1', 'eu-west-1')}' in region eu-west-1`,
    ],
    [
      'listener-arn',
      'listener',
      LISTENER.replace('123456789012', '12345'),
      'must be an Application Load Balancer listener ARN such as',
    ],
    [
      'listener-arn',
      'listener',
      `${LISTENER}\n${LISTENER}`,
      'must be an Application Load Balancer listener ARN such as',
    ],
  ] as const)('refuses %s %s: %s', (input, resource, value, message) => {
    let error: unknown;
    try {
      parseElbv2Arn(input, value, resource, 'us-east-1');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toContain(message);
    expect((error as InputError).input).toBe(input);
  });
});

describe('ARN helpers', () => {
  it('derives the listener of a rule, the route kind and the region', () => {
    expect(listenerOfRule(RULE)).toBe(LISTENER);
    expect(routeKindOf(RULE)).toBe('rule');
    expect(routeKindOf(LISTENER)).toBe('listener');
    expect(regionOfArn(LISTENER)).toBe('us-east-1');
    expect(regionOfArn('not-an-arn')).toBeNull();
  });
});
