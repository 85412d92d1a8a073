/** @shiftgate/core: the pure domain. Each folder's index.ts is its public face. */
export * from './shared/index';
export * from './strategy/index';
export * from './config/index';
export * from './rollout/index';
export * from './flags/index';
export * from './traffic/index';
export * from './health/index';
export * from './orchestrator/index';
export * from './records/index';
export * from './dashboard/index';
