/** The orchestrator: runs a plan step by step and rolls back on failure, with the one rollback. */
export * from './types';
export { runPlan } from './run';
export { rollbackRollout, type RollbackOptions, type RollbackResult } from './rollback';
export { checkRunnable, preSwitchJudgement, type PreSwitchEvidence } from './preflight';
export { isTransient } from './retry';
export { hookEnv } from './hook-env';
export { checkSagaCompensation, SagaLog, serviceEnv, type CompensationOptions } from './saga';
export { compareAB, describeVerdict, type AbComparison, type AbVerdict, type MetricComparison } from './ab';
export type { AudienceRule } from './audience';
export { BASELINE_NOTE, cellsSummary, waveChart } from './cells-summary';
export { combine } from './waves';
export { cellRollbackRoutes, checkOnlyRegion, waveRegions, withCells } from './cell-scope';
export { disableFlag, usesFlagProvider, type FlagHooks, type DisableOptions } from './flags';
