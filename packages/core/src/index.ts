export * from './errors';
export * from './units';
export * from './clock';
export * from './steps';
export * from './state';
export * from './strategies';
export * from './plan';
export * from './config';
