/** The orchestrator: runs a plan step by step and rolls back on failure. */
export * from './orchestrator';
