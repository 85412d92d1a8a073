import { InputError } from '@shiftgate/core';

/** Which simulated provider call a fault hits. */
export const FAULT_TARGETS = ['read', 'write', 'metrics', 'alarms'] as const;
export type FaultTarget = (typeof FAULT_TARGETS)[number];

/** A fault to inject into the simulated providers. */
export type Fault =
  /** The next `times` calls to `target` (after the first `after` calls) are throttled. */
  | { kind: 'throttle'; target: FaultTarget; times: number; after?: number }
  /** The next `times` calls fail with a provider (5xx) error: a write's outcome is unknown and it did not apply. */
  | { kind: 'provider-error'; target: FaultTarget; times: number; after?: number }
  /** The `write`-th write (1-based) never reaches the load balancer, and its answer is an error. */
  | { kind: 'lost-write'; write: number }
  /** The `write`-th write applies, but its answer is lost (an error whose outcome is unknown). */
  | { kind: 'lost-response'; write: number }
  /** `afterMs` after the `write`-th write, someone else puts the weights it replaced back. */
  | { kind: 'revert'; write: number; afterMs?: number }
  /** AWS AppConfig rolls back its `deployment`-th flag deployment (1-based) while it bakes (its own alarm). */
  | { kind: 'appconfig-rollback'; deployment: number };

/** Counts calls per target and decides which of them fail. */
export class FaultPlan {
  private readonly calls: Record<FaultTarget, number> = { read: 0, write: 0, metrics: 0, alarms: 0 };

  constructor(readonly faults: readonly Fault[] = []) {}

  /** Registers a call and returns the fault that fails it, if any. */
  call(target: FaultTarget): Extract<Fault, { kind: 'throttle' | 'provider-error' }> | null {
    const n = ++this.calls[target];
    for (const fault of this.faults) {
      if ((fault.kind === 'throttle' || fault.kind === 'provider-error') && fault.target === target) {
        const after = fault.after ?? 0;
        if (n > after && n <= after + fault.times) return fault;
      }
    }
    return null;
  }

  /** How many calls `target` has had. */
  count(target: FaultTarget): number {
    return this.calls[target];
  }
}

/**
 * Parses `--fault` values: `throttle:metrics:3`, `provider-error:write:2[:after]`, `lost-write:2`,
 * `lost-response:2`, `revert:2[:90s]` (durations in seconds).
 */
export function parseFault(input: string, text: string): Fault {
  const allowed =
    "'throttle:<read|write|metrics|alarms>:<times>[:<after>]', 'provider-error:<target>:<times>[:<after>]', 'lost-write:<n>', 'lost-response:<n>', 'revert:<n>[:<seconds>s]' or 'appconfig-rollback:<n>'";
  const parts = text.split(':');
  const whole = (value: string | undefined, min = 1): number => {
    if (value === undefined || !/^\d+$/.test(value) || Number(value) < min)
      throw new InputError(input, text, allowed);
    return Number(value);
  };
  const [kind, a, b, c] = parts;
  switch (kind) {
    case 'throttle':
    case 'provider-error': {
      if (!(FAULT_TARGETS as readonly string[]).includes(a ?? '') || parts.length > 4)
        throw new InputError(input, text, allowed);
      return {
        kind,
        target: a as FaultTarget,
        times: whole(b),
        ...(c !== undefined ? { after: whole(c, 0) } : {}),
      };
    }
    case 'lost-write':
    case 'lost-response':
      if (parts.length !== 2) throw new InputError(input, text, allowed);
      return { kind, write: whole(a) };
    case 'appconfig-rollback':
      if (parts.length !== 2) throw new InputError(input, text, allowed);
      return { kind, deployment: whole(a) };
    case 'revert': {
      if (parts.length > 3) throw new InputError(input, text, allowed);
      const after = b === undefined ? 0 : /^\d+s$/.test(b) ? Number(b.slice(0, -1)) * 1000 : NaN;
      if (Number.isNaN(after)) throw new InputError(input, text, allowed);
      return { kind, write: whole(a), afterMs: after };
    }
    default:
      throw new InputError(input, text, allowed);
  }
}
