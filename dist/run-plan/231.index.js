export const id = 231;
export const ids = [231];
export const modules = {

/***/ 3231:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  AppConfigFlagProvider: () => (/* binding */ AppConfigFlagProvider),
  createAppConfigClient: () => (/* binding */ createAppConfigClient)
});

// UNUSED EXPORTS: AppConfigError, toAppConfigError

// EXTERNAL MODULE: ./node_modules/@aws-sdk/client-appconfig/dist-cjs/index.js
var dist_cjs = __webpack_require__(5296);
// EXTERNAL MODULE: ./packages/core/src/shared/errors.ts
var errors = __webpack_require__(9376);
// EXTERNAL MODULE: ./packages/core/src/flags/settings.ts
var settings = __webpack_require__(5920);
// EXTERNAL MODULE: ./packages/core/src/shared/json.ts
var json = __webpack_require__(2433);
;// CONCATENATED MODULE: ./packages/core/src/flags/document.ts
// The AWS.AppConfig.FeatureFlags document a flag step deploys: the version before the rollout with only
// this flag's value changed. Below 100% the flag becomes a multi-variant flag whose first variant is
// enabled for a share of users (AppConfig's `split` on the `userId` context key) or, with cells, for the
// cells that have it (`in` on the `cell` context key); every other flag and variant stays as it was.

/** The variant shiftgate adds and replaces; other variants of the flag are kept after it. */
const ROLLOUT_VARIANT = 'shiftgate-rollout';
/** The context key AppConfig splits users by: the application passes it when it asks for the flag. */
const SPLIT_CONTEXT_KEY = 'userId';
/** The context key naming the cell a request is served in. */
const CELL_CONTEXT_KEY = 'cell';
/** The cells that have the flag at `exposure` percent: the first ⌈exposure × n / 100⌉ in rollout order. */
function exposedCells(cells, exposure) {
    const count = exposure <= 0 ? 0 : Math.min(cells.length, Math.ceil((exposure * cells.length) / 100));
    return cells.slice(0, count);
}
/**
 * Reads a feature-flag document and checks that it defines `flag`; throws an {@link InputError}
 * naming `flag-name` (nothing has moved yet when this is called before the first step).
 */
function parseFlagsDocument(text, flag, where) {
    let doc;
    try {
        doc = JSON.parse(text);
    }
    catch (error) {
        throw new errors/* InputError */.dz('appconfig-profile', where, '', {
            message: `The feature flags of ${where} are not JSON (${(0,json/* notJson */.O)(error)}); shiftgate writes only AWS.AppConfig.FeatureFlags documents. Nothing was changed.`,
        });
    }
    if (!(0,json/* isObject */.G)(doc) || !(0,json/* isObject */.G)(doc.flags ?? null)) {
        throw new errors/* InputError */.dz('appconfig-profile', where, '', {
            message: `The configuration of ${where} is not an AWS.AppConfig.FeatureFlags document (no 'flags'). Nothing was changed.`,
        });
    }
    if (!(flag in doc.flags)) {
        const known = Object.keys(doc.flags);
        throw new errors/* InputError */.dz('flag-name', flag, '', {
            message: `Input 'flag-name' is '${flag}', which ${where} does not define (its flags: ${known.length > 0 ? known.join(', ') : 'none'}); create the flag in AppConfig first. Nothing was changed.`,
        });
    }
    return doc;
}
/**
 * The document with `flag` at `exposure` percent, every other flag unchanged. At 100% without cells the
 * flag is simply enabled (its attributes kept); below it, or with cells, it is a multi-variant flag:
 * the shiftgate variant (enabled, with the rule), the flag's own variants with rules, then a default
 * variant (the flag's own, or the flag's attributes disabled).
 */
function exposureDocument(options) {
    const { flag, exposure } = options;
    const doc = parseFlagsDocument(options.base, flag, options.where);
    const values = (0,json/* isObject */.G)(doc.values ?? null) ? { ...doc.values } : {};
    const previous = (0,json/* isObject */.G)(values[flag] ?? null) ? values[flag] : {};
    const attributes = {};
    for (const [key, value] of Object.entries(previous))
        if (key !== 'enabled' && key !== '_variants')
            attributes[key] = value;
    const cells = options.cells ? exposedCells(options.cells, exposure) : null;
    const everyone = cells ? cells.length === options.cells.length : exposure >= 100;
    let rule = null;
    if (everyone) {
        values[flag] = { ...attributes, enabled: true };
    }
    else {
        rule = cells
            ? cells.length === 0
                ? `(in $${CELL_CONTEXT_KEY} [])`
                : `(in $${CELL_CONTEXT_KEY} [${cells.map((c) => JSON.stringify(c)).join(', ')}])`
            : `(split by::$${SPLIT_CONTEXT_KEY} pct::${exposure})`;
        const own = Array.isArray(previous._variants)
            ? previous._variants.filter((v) => (0,json/* isObject */.G)(v) && v.name !== ROLLOUT_VARIANT)
            : [];
        const ruled = own.filter((v) => (0,json/* isObject */.G)(v) && typeof v.rule === 'string');
        const fallback = own.find((v) => (0,json/* isObject */.G)(v) && v.rule === undefined) ?? {
            name: 'default',
            ...attributes,
            enabled: false,
        };
        values[flag] = {
            _variants: [{ name: ROLLOUT_VARIANT, enabled: true, rule, ...attributes }, ...ruled, fallback],
        };
    }
    const content = JSON.stringify({ ...doc, values });
    return { content, rule, cells };
}

// EXTERNAL MODULE: ./packages/aws/src/client.ts
var client = __webpack_require__(6046);
// EXTERNAL MODULE: ./packages/aws/src/errors.ts
var src_errors = __webpack_require__(2926);
;// CONCATENATED MODULE: ./packages/aws/src/appconfig.ts
// AWS AppConfig as a flag provider: names resolved to ids once, a hosted version per flag step built
// from the version live before the rollout (only this flag's value changes), StartDeployment with the
// configured strategy, GetDeployment to watch it, StopDeployment and a redeploy of the old version to
// take it back. SDK errors become typed AppConfigErrors naming the IAM action.




/** The one factory for AppConfig clients (AWS_ENDPOINT_URL_APPCONFIG is honoured by the SDK). */
function createAppConfigClient(options) {
    return new dist_cjs/* AppConfigClient */.pkX((0,client/* commonClientConfig */.l0)(options));
}
/** An AppConfig call failed; `iamAction` names the permission it needs, `rejected` that it changed nothing. */
class AppConfigError extends Error {
    operation;
    code;
    iamAction;
    rejected;
    throttled;
    name = 'AppConfigError';
    constructor(message, operation, code, iamAction, rejected, throttled) {
        super(message);
        this.operation = operation;
        this.code = code;
        this.iamAction = iamAction;
        this.rejected = rejected;
        this.throttled = throttled;
    }
}
/** Turns what an AppConfig call threw into an {@link AppConfigError} saying what was being done. */
function toAppConfigError(error, operation, what) {
    if (error instanceof AppConfigError || error instanceof errors/* InputError */.dz)
        return error;
    const e = (typeof error === 'object' && error !== null ? error : {});
    const code = (e.name ?? 'Error').replace(/Exception$/, '');
    const status = e.$metadata?.httpStatusCode;
    const attempts = e.$metadata?.attempts ?? 1;
    const iamAction = `appconfig:${operation}`;
    const detail = `${code}: ${e.message ?? (0,errors/* errorMessage */.gJ)(error)}`;
    const head = `${operation} ${what} failed`;
    if (src_errors/* ACCESS_DENIED_CODES */.sQ.has(e.name ?? '') || src_errors/* ACCESS_DENIED_CODES */.sQ.has(code) || status === 403)
        return new AppConfigError(`${head}: access denied; the role needs the IAM permission ${iamAction} (${detail})`, operation, code, iamAction, true, false);
    if (src_errors/* THROTTLING_CODES */.Jr.has(e.name ?? '') ||
        src_errors/* THROTTLING_CODES */.Jr.has(code) ||
        e.$retryable?.throttling ||
        status === 429)
        return new AppConfigError(`${head}: AWS kept throttling the request after ${attempts} attempt${attempts === 1 ? '' : 's'} (${detail}); raise max-attempts or set retry-mode: adaptive`, operation, code, iamAction, true, true);
    if (src_errors/* CREDENTIAL_CODES */.hC.has(e.name ?? '') || src_errors/* CREDENTIAL_CODES */.hC.has(code))
        return new AppConfigError(`${head}: no usable AWS credentials (${detail}); run aws-actions/configure-aws-credentials before this step`, operation, code, iamAction, true, false);
    const rejected = e.$fault === 'client' || (status !== undefined && status >= 400 && status < 500);
    const after = attempts > 1 ? ` after ${attempts} attempts` : '';
    return new AppConfigError(`${head}${after}: ${rejected ? '' : 'the outcome is unknown, '}${detail}`, operation, code, iamAction, rejected, false);
}
const STATES = {
    VALIDATING: 'validating',
    DEPLOYING: 'deploying',
    BAKING: 'baking',
    COMPLETE: 'complete',
    ROLLING_BACK: 'rolling-back',
    ROLLED_BACK: 'rolled-back',
    REVERTED: 'reverted',
};
const FEATURE_FLAGS = 'AWS.AppConfig.FeatureFlags';
/** The {@link FlagProvider} over AWS AppConfig. */
class AppConfigFlagProvider {
    client;
    name = 'appconfig';
    constructor(client) {
        this.client = client;
    }
    async call(operation, what, send) {
        try {
            return await send();
        }
        catch (error) {
            throw toAppConfigError(error, operation, what);
        }
    }
    /** Every page of a List call. */
    async all(operation, what, page) {
        const items = [];
        let token;
        for (let pages = 0; pages < 100; pages++) {
            const out = await this.call(operation, what, () => page(token));
            items.push(...(out.Items ?? []));
            token = out.NextToken;
            if (!token)
                break;
        }
        return items;
    }
    async prepare(target) {
        const application = await this.resolve('appconfig-application', target.application, 'application', () => this.all('ListApplications', 'of the account', (t) => this.client.send(new dist_cjs/* ListApplicationsCommand */.BJ_({ MaxResults: 50, NextToken: t }))));
        const environment = await this.resolve('appconfig-environment', target.environment, 'environment', () => this.all('ListEnvironments', `of application ${application}`, (t) => this.client.send(new dist_cjs/* ListEnvironmentsCommand */._aM({ ApplicationId: application, MaxResults: 50, NextToken: t }))));
        const profile = await this.profile(application, target.profile);
        const strategy = (0,settings/* isAppConfigId */.xT)(target.deploymentStrategy) || target.deploymentStrategy.startsWith('AppConfig.')
            ? target.deploymentStrategy
            : await this.resolve('appconfig-deployment-strategy', target.deploymentStrategy, 'deployment strategy', () => this.all('ListDeploymentStrategies', 'of the account', (t) => this.client.send(new dist_cjs/* ListDeploymentStrategiesCommand */.a4K({ MaxResults: 50, NextToken: t }))));
        const previous = await this.liveVersion(application, environment, profile);
        const where = `profile '${target.profile}' (version ${previous})`;
        const base = await this.content(application, profile.Id, previous);
        parseFlagsDocument(base, target.flag, where);
        return {
            provider: 'appconfig',
            application,
            environment,
            profile: profile.Id,
            'flag-name': target.flag,
            'deployment-strategy': strategy,
            'previous-version': previous,
            deployments: [],
        };
    }
    /** An id as given, or the one item whose name matches; none is an input error naming the value. */
    async resolve(input, value, what, list) {
        const items = await list();
        const match = items.find((i) => i.Id === value) ?? items.find((i) => i.Name === value);
        if (match?.Id)
            return match.Id;
        throw new errors/* InputError */.dz(input, value, '', {
            message: `Input '${input}' is '${value}', but no AppConfig ${what} has that id or name${items.length > 0
                ? ` (there are: ${items
                    .slice(0, 10)
                    .map((i) => i.Name)
                    .join(', ')})`
                : ''}. Nothing was changed.`,
        });
    }
    /** The feature-flag profile, by id or name; it must be hosted and of type AWS.AppConfig.FeatureFlags. */
    async profile(application, value) {
        const items = await this.all('ListConfigurationProfiles', `of application ${application}`, (t) => this.client.send(new dist_cjs/* ListConfigurationProfilesCommand */.MLc({ ApplicationId: application, MaxResults: 50, NextToken: t })));
        const found = items.find((i) => i.Id === value) ?? items.find((i) => i.Name === value);
        if (!found?.Id) {
            throw new errors/* InputError */.dz('appconfig-profile', value, '', {
                message: `Input 'appconfig-profile' is '${value}', but application ${application} has no configuration profile with that id or name${items.length > 0
                    ? ` (it has: ${items
                        .slice(0, 10)
                        .map((i) => i.Name)
                        .join(', ')})`
                    : ''}. Nothing was changed.`,
            });
        }
        const profile = await this.call('GetConfigurationProfile', `for profile ${found.Id}`, () => this.client.send(new dist_cjs/* GetConfigurationProfileCommand */.dyJ({ ApplicationId: application, ConfigurationProfileId: found.Id })));
        if (profile.LocationUri !== 'hosted' || profile.Type !== FEATURE_FLAGS) {
            throw new errors/* InputError */.dz('appconfig-profile', value, '', {
                message: `Input 'appconfig-profile' is '${value}', which is ${profile.LocationUri === 'hosted' ? 'hosted' : `stored at ${profile.LocationUri ?? 'an unknown location'}`} with type ${profile.Type ?? 'freeform'}; shiftgate sets flags only in a hosted feature-flag profile (location hosted, type ${FEATURE_FLAGS}). Nothing was changed.`,
            });
        }
        return { Id: found.Id, Name: profile.Name ?? found.Name ?? found.Id };
    }
    /** The version of the profile deployed in the environment now; the latest hosted one when none was. */
    async liveVersion(application, environment, profile) {
        const deployments = await this.all('ListDeployments', `in environment ${environment}`, (t) => this.client.send(new dist_cjs/* ListDeploymentsCommand */.sr8({
            ApplicationId: application,
            EnvironmentId: environment,
            MaxResults: 50,
            NextToken: t,
        })));
        const done = deployments
            .filter((d) => d.ConfigurationName === profile.Name && d.State === 'COMPLETE')
            .sort((a, b) => (b.DeploymentNumber ?? 0) - (a.DeploymentNumber ?? 0))[0];
        const version = Number(done?.ConfigurationVersion);
        if (Number.isSafeInteger(version) && version > 0)
            return version;
        const hosted = await this.call('ListHostedConfigurationVersions', `of profile ${profile.Id}`, () => this.client.send(new dist_cjs/* ListHostedConfigurationVersionsCommand */._BG({
            ApplicationId: application,
            ConfigurationProfileId: profile.Id,
            MaxResults: 1,
        })));
        const latest = hosted.Items?.[0]?.VersionNumber;
        if (latest === undefined) {
            throw new errors/* InputError */.dz('appconfig-profile', profile.Name, '', {
                message: `Input 'appconfig-profile' is '${profile.Name}', which has no hosted version yet; create the flag (a first version) in AppConfig. Nothing was changed.`,
            });
        }
        return latest;
    }
    async content(application, profile, version) {
        const out = await this.call('GetHostedConfigurationVersion', `version ${version} of profile ${profile}`, () => this.client.send(new dist_cjs/* GetHostedConfigurationVersionCommand */.x95({
            ApplicationId: application,
            ConfigurationProfileId: profile,
            VersionNumber: version,
        })));
        return new TextDecoder().decode(out.Content ?? new Uint8Array());
    }
    async deploy(flag, exposure) {
        const base = await this.content(flag.application, flag.profile, flag['previous-version']);
        const doc = exposureDocument({
            base,
            flag: flag['flag-name'],
            exposure: exposure.exposure,
            cells: exposure.cells,
            where: `profile ${flag.profile} (version ${flag['previous-version']})`,
        });
        const created = await this.call('CreateHostedConfigurationVersion', `of profile ${flag.profile}`, () => this.client.send(new dist_cjs/* CreateHostedConfigurationVersionCommand */.vjC({
            ApplicationId: flag.application,
            ConfigurationProfileId: flag.profile,
            Content: new TextEncoder().encode(doc.content),
            ContentType: 'application/json',
            Description: `shiftgate: flag ${flag['flag-name']} at ${exposure.exposure}%`,
        })));
        const version = created.VersionNumber;
        const number = await this.start(flag, version, flag['deployment-strategy'], `shiftgate: flag ${flag['flag-name']} at ${exposure.exposure}%`);
        return { number, version, rule: doc.rule, cells: doc.cells };
    }
    /**
     * Starts a deployment. A lost answer retried by the SDK meets its own deployment in progress
     * (ConflictException): the deployment of this version in progress is then the one started.
     */
    async start(flag, version, strategy, description) {
        try {
            const out = await this.client.send(new dist_cjs/* StartDeploymentCommand */.tWW({
                ApplicationId: flag.application,
                EnvironmentId: flag.environment,
                ConfigurationProfileId: flag.profile,
                ConfigurationVersion: String(version),
                DeploymentStrategyId: strategy,
                Description: description,
            }));
            return out.DeploymentNumber;
        }
        catch (error) {
            if (error.name !== 'ConflictException')
                throw toAppConfigError(error, 'StartDeployment', `of version ${version} to environment ${flag.environment}`);
            const items = await this.all('ListDeployments', `in environment ${flag.environment}`, (t) => this.client.send(new dist_cjs/* ListDeploymentsCommand */.sr8({
                ApplicationId: flag.application,
                EnvironmentId: flag.environment,
                MaxResults: 50,
                NextToken: t,
            })));
            const ours = items.find((d) => d.ConfigurationVersion === String(version) &&
                ['DEPLOYING', 'BAKING', 'VALIDATING'].includes(d.State ?? ''));
            if (ours?.DeploymentNumber !== undefined)
                return ours.DeploymentNumber;
            throw toAppConfigError(error, 'StartDeployment', `of version ${version} to environment ${flag.environment} (another deployment is in progress)`);
        }
    }
    async status(flag, deployment) {
        const out = await this.call('GetDeployment', `#${deployment} in environment ${flag.environment}`, () => this.client.send(new dist_cjs/* GetDeploymentCommand */.Tvn({
            ApplicationId: flag.application,
            EnvironmentId: flag.environment,
            DeploymentNumber: deployment,
        })));
        const state = STATES[out.State ?? ''];
        if (!state)
            throw new AppConfigError(`GetDeployment #${deployment} returned an unknown state '${String(out.State).slice(0, 40)}'`, 'GetDeployment', 'UnknownState', 'appconfig:GetDeployment', true, false);
        return state;
    }
    async stop(flag, deployment) {
        try {
            await this.client.send(new dist_cjs/* StopDeploymentCommand */.NzN({
                ApplicationId: flag.application,
                EnvironmentId: flag.environment,
                DeploymentNumber: deployment,
            }));
        }
        catch (error) {
            // A deployment that already ended (a lost answer retried, or it completed meanwhile) cannot be stopped: the caller reads its state.
            if (error.name === 'BadRequestException' ||
                error.name === 'ConflictException')
                return;
            throw toAppConfigError(error, 'StopDeployment', `#${deployment} in environment ${flag.environment}`);
        }
    }
    async revert(flag) {
        const version = flag['previous-version'];
        const number = await this.start(flag, version, settings/* REVERT_DEPLOYMENT_STRATEGY */.bl, `shiftgate: flag ${flag['flag-name']} back to version ${version}`);
        return { number, version, rule: null, cells: null };
    }
}


/***/ })

};
