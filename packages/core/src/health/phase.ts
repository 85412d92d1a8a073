/**
 * The phase of one check or of a whole judgement. One closed union, as in Argo Rollouts' analysis
 * (STYLE.md rule 11), so every consumer handles every case.
 */
export const PHASES = ['Successful', 'Pending', 'Running', 'Inconclusive', 'Failed', 'Error'] as const;
export type Phase = (typeof PHASES)[number];

/**
 * The fixed severity order, mildest first. `Error` (the evidence could not be read) ranks above
 * `Failed` (a breach) because a judge that cannot see must never be outranked into a verdict; both
 * end the bake and neither promotes.
 */
const SEVERITY: Record<Phase, number> = {
  Successful: 0,
  Pending: 1,
  Running: 2,
  Inconclusive: 3,
  Failed: 4,
  Error: 5,
};

/** The most severe of the given phases; `Successful` for none. */
export function worst(phases: Iterable<Phase>): Phase {
  let result: Phase = 'Successful';
  for (const phase of phases) if (SEVERITY[phase] > SEVERITY[result]) result = phase;
  return result;
}
