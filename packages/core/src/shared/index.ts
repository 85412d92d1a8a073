/** Errors, units, and the ports every folder shares (clock, sleeper, logger). */
export * from './errors';
export * from './units';
export * from './clock';
