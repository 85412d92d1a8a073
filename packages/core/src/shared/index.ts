/** Errors, units, JSON, text formats, and the ports every folder shares (clock, sleeper, logger). */
export * from './errors';
export * from './units';
export * from './json';
export * from './format';
export * from './fields';
export * from './clock';
export * from './yaml-list';
