export * from './client';
export * from './cloudwatch';
export * from './cloudwatch-publish';
export * from './errors';
export * from './elbv2-arn';
export * from './elbv2';
export * from './elbv2-inputs';
export * from './cells';
