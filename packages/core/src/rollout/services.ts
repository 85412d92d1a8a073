// The services of a saga as the state records them: names and where each stands, never a command. The
// rollback action, `shiftgate rollback` and the run-plan post step read it to compensate what a run left
// deployed, with the commands of their own run's `services`.
import { fieldProblem, isObject, type Json } from '../shared/index';
import type { Step } from '../strategy/index';

/** Where a saga service stands: deployed, undone, left failing (its deploy or compensation), or not reached. */
export const SERVICE_STATUSES = ['deployed', 'compensated', 'failed', 'untouched'] as const;
export type ServiceStatus = (typeof SERVICE_STATUSES)[number];

/** One saga service in the state: its name and status, in deployment order. */
export interface ServiceState {
  name: string;
  status: ServiceStatus;
}

/** The statuses that leave something to compensate: deployed, or failing (possibly half done). */
export function needsCompensation(status: ServiceStatus): boolean {
  return status === 'deployed' || status === 'failed';
}

/**
 * Reads a state's `services`: null, or a list of {name, status} naming exactly the plan's services in
 * the plan's order (a state naming a service its plan does not deploy is refused).
 */
export function parseServiceStates(
  value: Json,
  plan: readonly Step[],
  fail: (problem: string) => never,
): ServiceState[] | null {
  if (value === null) return null;
  if (!Array.isArray(value)) return fail("'services' must be null or a list of {name, status}");
  const planned = plan.flatMap((s) => (s.kind === 'service' ? [s.service] : []));
  const states = value.map((entry, i): ServiceState => {
    if (!isObject(entry) || Object.keys(entry).sort().join() !== 'name,status')
      return fail(`'services[${i}]' must be {"name", "status"}`);
    const problem = fieldProblem('name', entry.name);
    if (problem) return fail(`'services[${i}].name' ${problem}`);
    if (!(SERVICE_STATUSES as readonly unknown[]).includes(entry.status))
      return fail(`'services[${i}].status' must be one of ${SERVICE_STATUSES.join(', ')}`);
    return { name: entry.name as string, status: entry.status as ServiceStatus };
  });
  if (states.map((s) => s.name).join('\n') !== planned.join('\n'))
    fail(
      `'services' names ${states.map((s) => s.name).join(', ') || '(none)'} but the plan deploys ${planned.join(', ') || '(none)'}; they must be the same, in the same order`,
    );
  return states;
}
