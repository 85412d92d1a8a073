export * from './client';
export * from './cloudwatch';
export * from './cloudwatch-publish';
