export * from './client';
export * from './cloudwatch';
