export * from './event';
export * from './permission';
export * from './summary-plan';
