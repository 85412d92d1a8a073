// `shiftgate deploy` with flag-provider appconfig: the provider (simulated, or AWS AppConfig with the
// shared client settings, imported only when a run needs it) and the per-exposure report of --json.
import type { Clock, FlagProvider, FlagSettings, RolloutState, RunResult } from '@shiftgate/core';
import type { Io } from './command';
import { SimulatedAppConfig, parseFault } from './simulator/index';

/** One flag step as `--json` reports it. */
export interface FlagStepReport {
  exposure: number;
  provider: string;
  deployment: number;
  version: number;
  /** The deployment's state at the end of the run (complete, rolled-back, …). */
  state: string;
  /** The step's outcome: the bake after it (passed, failed, cancelled), `reverted` for the revert. */
  outcome: string;
  cells: string[] | null;
}

/** The flag provider of a feature-flag run with flag-provider appconfig; null otherwise. */
export async function flagProviderFor(
  flags: FlagSettings,
  state: RolloutState,
  values: Record<string, unknown>,
  context: { simulate: boolean; clock: Clock; io: Io },
): Promise<FlagProvider | null> {
  if (flags.provider !== 'appconfig' || state.strategy !== 'feature-flag' || !flags.appconfig) return null;
  if (context.simulate) {
    const faults = ((values.fault as string[] | undefined) ?? []).map((f) => parseFault('--fault', f));
    return new SimulatedAppConfig({ clock: context.clock, flag: flags.appconfig.flag, faults });
  }
  return appConfigProvider(values, context.io, 'cli-deploy');
}

/** The AWS AppConfig provider with the route flags' client settings (region, retries). */
export async function appConfigProvider(
  values: Record<string, unknown>,
  io: Io,
  caller: string,
): Promise<FlagProvider> {
  const { parseRetryMode } = await import('@shiftgate/aws');
  // Imported only by a run that deploys a flag on AppConfig, so other runs do not load its client.
  const { AppConfigFlagProvider, createAppConfigClient } = await import('@shiftgate/aws/appconfig');
  const text = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : '');
  const region = text('aws-region').trim() || io.env.AWS_REGION?.trim() || undefined;
  return new AppConfigFlagProvider(
    createAppConfigClient({
      caller,
      ...(region ? { region } : {}),
      retryMode: parseRetryMode('--retry-mode', text('retry-mode') || 'standard'),
      ...(text('max-attempts') ? { maxAttempts: Number(text('max-attempts')) } : {}),
    }),
  );
}

/** Each deployment of the run: its exposure, number, version, state now and the step's outcome. */
export async function flagReport(result: RunResult, provider: FlagProvider): Promise<FlagStepReport[]> {
  const flag = result.state.flag;
  if (!flag) return [];
  const steps = result.trace.steps;
  const out: FlagStepReport[] = [];
  for (const d of flag.deployments) {
    let state: string;
    try {
      state = await provider.status(flag, d.number);
    } catch (error) {
      state = `unknown (${(error as Error).message})`;
    }
    const hook = steps.find(
      (s) => s.step.kind === 'hook' && s.step.exposure === d.exposure && s.message.includes(`#${d.number} `),
    );
    const bake = hook ? steps.find((s) => s.index === hook.index + 1) : undefined;
    const outcome = d.exposure === 0 ? 'reverted' : (bake?.outcome ?? hook?.outcome ?? 'not run');
    out.push({
      exposure: d.exposure,
      provider: provider.name,
      deployment: d.number,
      version: d.version,
      state,
      outcome,
      cells: d.cells,
    });
  }
  return out;
}
