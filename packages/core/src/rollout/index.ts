/** The rollout state: one versioned JSON document that chains steps and jobs. */
export * from './state';
export * from './cells';
export * from './services';
