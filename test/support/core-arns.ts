// ARNs for in-process orchestrator tests: one listener and a stable/canary pair.
export const ARN = 'arn:aws:elasticloadbalancing:us-east-1:123456789012';
export const LISTENER = `${ARN}:listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2`;
export const PAIR = {
  stable: `${ARN}:targetgroup/blue/0123456789abcdef`,
  canary: `${ARN}:targetgroup/green/0123456789abcdef`,
};
