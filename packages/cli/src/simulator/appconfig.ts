// AWS AppConfig as a simulated flag provider: a hosted feature-flag profile, its versions, and
// deployments that deploy, bake and complete on the simulation's clock. `--fault appconfig-rollback:<n>`
// has AppConfig roll back its n-th deployment while it bakes (as its own CloudWatch alarm would).
import {
  exposureDocument,
  InputError,
  type AppConfigTarget,
  type Clock,
  type FlagDeploymentState,
  type FlagExposure,
  type FlagProvider,
  type FlagState,
  type StartedDeployment,
} from '@shiftgate/core';
import type { Fault } from './faults';

/** The simulated ids: AppConfig ids are 4 to 7 lowercase letters and digits. */
export const SIMULATED_APPCONFIG = {
  application: 'shop1a2',
  environment: 'prod9z8',
  profile: 'flags7q',
} as const;

/** How long a simulated deployment deploys and then bakes, in milliseconds. */
const DEPLOY_MS = 30_000;
const BAKE_MS = 120_000;

interface Deployment {
  number: number;
  version: number;
  startedAt: number;
  /** The version live before it (what a stop or AppConfig's own rollback returns to). */
  before: number;
  stoppedAt: number | null;
  rollsBack: boolean;
}

/** A feature-flag profile on simulated AppConfig, with every call it took. */
export class SimulatedAppConfig implements FlagProvider {
  readonly name = 'appconfig';
  /** Hosted versions' contents; version n is `versions[n - 1]`. */
  readonly versions: string[];
  readonly deployments: Deployment[] = [];
  /** The calls, as AppConfig API names, for tests and the report. */
  readonly calls: string[] = [];
  private readonly rollBack: ReadonlySet<number>;

  constructor(private readonly options: { clock: Clock; flag: string; faults?: readonly Fault[] }) {
    // Version 1 defines the flag (off) and another flag, which every exposure must leave alone.
    this.versions = [
      JSON.stringify({
        version: '1',
        flags: { [options.flag]: { name: options.flag }, 'dark-mode': { name: 'dark-mode' } },
        values: { [options.flag]: { enabled: false }, 'dark-mode': { enabled: true } },
      }),
    ];
    this.rollBack = new Set(
      (options.faults ?? []).flatMap((f) => (f.kind === 'appconfig-rollback' ? [f.deployment] : [])),
    );
  }

  /**
   * A simulated AppConfig holding what a state records (`shiftgate rollback --simulate --state`): its
   * deployments, each complete, so the emergency disable has something to stop and revert.
   */
  static replaying(flag: FlagState, clock: Clock): SimulatedAppConfig {
    const sim = new SimulatedAppConfig({ clock, flag: flag['flag-name'] });
    const last = flag.deployments.reduce(
      (n, d) => Math.max(n, d.number, d.version),
      flag['previous-version'],
    );
    while (sim.versions.length < last) sim.versions.push(sim.versions[0]!);
    for (let n = 1; n <= last; n++) {
      const d = flag.deployments.find((x) => x.number === n);
      sim.deployments.push({
        number: n,
        version: d?.version ?? flag['previous-version'],
        startedAt: clock.now() - 3_600_000,
        before: flag['previous-version'],
        stoppedAt: null,
        rollsBack: false,
      });
    }
    return sim;
  }

  /** The version live in the environment now. */
  live(): number {
    let live = 1;
    for (const d of this.deployments) {
      const state = this.stateOf(d);
      if (state === 'complete' || state === 'deploying' || state === 'baking') live = d.version;
      else live = d.before;
    }
    return live;
  }

  async prepare(target: AppConfigTarget): Promise<FlagState> {
    this.calls.push('ListApplications', 'ListEnvironments', 'ListConfigurationProfiles', 'ListDeployments');
    if (target.flag !== this.options.flag)
      throw new InputError('flag-name', target.flag, '', {
        message: `Input 'flag-name' is '${target.flag}', which the simulated profile does not define (its flags: ${this.options.flag}, dark-mode). Nothing was changed.`,
      });
    return {
      provider: 'appconfig',
      ...SIMULATED_APPCONFIG,
      'flag-name': target.flag,
      'deployment-strategy': target.deploymentStrategy,
      'previous-version': this.live(),
      deployments: [],
    };
  }

  async deploy(flag: FlagState, exposure: FlagExposure): Promise<StartedDeployment> {
    const doc = exposureDocument({
      base: this.versions[flag['previous-version'] - 1]!,
      flag: flag['flag-name'],
      exposure: exposure.exposure,
      cells: exposure.cells,
      where: 'the simulated profile',
    });
    this.calls.push('GetHostedConfigurationVersion', 'CreateHostedConfigurationVersion', 'StartDeployment');
    this.versions.push(doc.content);
    const d = this.start(this.versions.length);
    return { number: d.number, version: d.version, rule: doc.rule, cells: doc.cells };
  }

  async status(_flag: FlagState, number: number): Promise<FlagDeploymentState> {
    this.calls.push('GetDeployment');
    const d = this.deployments.find((x) => x.number === number);
    if (!d) throw new Error(`GetDeployment: deployment ${number} does not exist`);
    return this.stateOf(d);
  }

  async stop(_flag: FlagState, number: number): Promise<void> {
    this.calls.push('StopDeployment');
    const d = this.deployments.find((x) => x.number === number);
    if (!d) throw new Error(`StopDeployment: deployment ${number} does not exist`);
    const state = this.stateOf(d);
    if (state === 'deploying' || state === 'baking' || state === 'validating')
      d.stoppedAt = this.options.clock.now();
  }

  async revert(flag: FlagState): Promise<StartedDeployment> {
    this.calls.push('StartDeployment');
    const d = this.start(flag['previous-version']);
    return { number: d.number, version: d.version, rule: null, cells: null };
  }

  /** The flag's value in a version, as the application would read its definition. */
  valueIn(version: number, flag: string): unknown {
    return (JSON.parse(this.versions[version - 1]!) as { values: Record<string, unknown> }).values[flag];
  }

  private start(version: number): Deployment {
    const number = this.deployments.length + 1;
    const d: Deployment = {
      number,
      version,
      startedAt: this.options.clock.now(),
      before: this.live(),
      stoppedAt: null,
      rollsBack: this.rollBack.has(number),
    };
    this.deployments.push(d);
    return d;
  }

  private stateOf(d: Deployment): FlagDeploymentState {
    const now = this.options.clock.now();
    if (d.stoppedAt !== null) return 'rolled-back';
    const elapsed = now - d.startedAt;
    if (d.rollsBack && elapsed >= DEPLOY_MS + BAKE_MS / 2) return 'rolled-back';
    if (elapsed < DEPLOY_MS) return 'deploying';
    if (elapsed < DEPLOY_MS + BAKE_MS) return 'baking';
    return 'complete';
  }
}
