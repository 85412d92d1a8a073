export * from './errors';
export * from './units';
export * from './clock';
export * from './steps';
export * from './state';
