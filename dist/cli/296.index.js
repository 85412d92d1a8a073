export const id = 296;
export const ids = [296];
export const modules = {

/***/ 296:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   AppConfigFlagProvider: () => (/* binding */ AppConfigFlagProvider),
/* harmony export */   createAppConfigClient: () => (/* binding */ createAppConfigClient)
/* harmony export */ });
/* unused harmony exports AppConfigError, toAppConfigError */
/* harmony import */ var _aws_sdk_client_appconfig__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(5296);
/* harmony import */ var _shiftgate_core__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(9376);
/* harmony import */ var _shiftgate_core__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(5920);
/* harmony import */ var _shiftgate_core__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(5132);
/* harmony import */ var _client__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(6046);
/* harmony import */ var _errors__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(2926);
// AWS AppConfig as a flag provider: names resolved to ids once, a hosted version per flag step built
// from the version live before the rollout (only this flag's value changes), StartDeployment with the
// configured strategy, GetDeployment to watch it, StopDeployment and a redeploy of the old version to
// take it back. SDK errors become typed AppConfigErrors naming the IAM action.




/** The one factory for AppConfig clients (AWS_ENDPOINT_URL_APPCONFIG is honoured by the SDK). */
function createAppConfigClient(options) {
    return new _aws_sdk_client_appconfig__WEBPACK_IMPORTED_MODULE_0__/* .AppConfigClient */ .pkX((0,_client__WEBPACK_IMPORTED_MODULE_1__/* .commonClientConfig */ .l0)(options));
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
    if (error instanceof AppConfigError || error instanceof _shiftgate_core__WEBPACK_IMPORTED_MODULE_2__/* .InputError */ .dz)
        return error;
    const e = (typeof error === 'object' && error !== null ? error : {});
    const code = (e.name ?? 'Error').replace(/Exception$/, '');
    const status = e.$metadata?.httpStatusCode;
    const attempts = e.$metadata?.attempts ?? 1;
    const iamAction = `appconfig:${operation}`;
    const detail = `${code}: ${e.message ?? (0,_shiftgate_core__WEBPACK_IMPORTED_MODULE_2__/* .errorMessage */ .gJ)(error)}`;
    const head = `${operation} ${what} failed`;
    if (_errors__WEBPACK_IMPORTED_MODULE_3__/* .ACCESS_DENIED_CODES */ .sQ.has(e.name ?? '') || _errors__WEBPACK_IMPORTED_MODULE_3__/* .ACCESS_DENIED_CODES */ .sQ.has(code) || status === 403)
        return new AppConfigError(`${head}: access denied; the role needs the IAM permission ${iamAction} (${detail})`, operation, code, iamAction, true, false);
    if (_errors__WEBPACK_IMPORTED_MODULE_3__/* .THROTTLING_CODES */ .Jr.has(e.name ?? '') ||
        _errors__WEBPACK_IMPORTED_MODULE_3__/* .THROTTLING_CODES */ .Jr.has(code) ||
        e.$retryable?.throttling ||
        status === 429)
        return new AppConfigError(`${head}: AWS kept throttling the request after ${attempts} attempt${attempts === 1 ? '' : 's'} (${detail}); raise max-attempts or set retry-mode: adaptive`, operation, code, iamAction, true, true);
    if (_errors__WEBPACK_IMPORTED_MODULE_3__/* .CREDENTIAL_CODES */ .hC.has(e.name ?? '') || _errors__WEBPACK_IMPORTED_MODULE_3__/* .CREDENTIAL_CODES */ .hC.has(code))
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
        const application = await this.resolve('appconfig-application', target.application, 'application', () => this.all('ListApplications', 'of the account', (t) => this.client.send(new _aws_sdk_client_appconfig__WEBPACK_IMPORTED_MODULE_0__/* .ListApplicationsCommand */ .BJ_({ MaxResults: 50, NextToken: t }))));
        const environment = await this.resolve('appconfig-environment', target.environment, 'environment', () => this.all('ListEnvironments', `of application ${application}`, (t) => this.client.send(new _aws_sdk_client_appconfig__WEBPACK_IMPORTED_MODULE_0__/* .ListEnvironmentsCommand */ ._aM({ ApplicationId: application, MaxResults: 50, NextToken: t }))));
        const profile = await this.profile(application, target.profile);
        const strategy = (0,_shiftgate_core__WEBPACK_IMPORTED_MODULE_4__/* .isAppConfigId */ .xT)(target.deploymentStrategy) || target.deploymentStrategy.startsWith('AppConfig.')
            ? target.deploymentStrategy
            : await this.resolve('appconfig-deployment-strategy', target.deploymentStrategy, 'deployment strategy', () => this.all('ListDeploymentStrategies', 'of the account', (t) => this.client.send(new _aws_sdk_client_appconfig__WEBPACK_IMPORTED_MODULE_0__/* .ListDeploymentStrategiesCommand */ .a4K({ MaxResults: 50, NextToken: t }))));
        const previous = await this.liveVersion(application, environment, profile);
        const where = `profile '${target.profile}' (version ${previous})`;
        const base = await this.content(application, profile.Id, previous);
        (0,_shiftgate_core__WEBPACK_IMPORTED_MODULE_5__/* .parseFlagsDocument */ .kw)(base, target.flag, where);
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
        throw new _shiftgate_core__WEBPACK_IMPORTED_MODULE_2__/* .InputError */ .dz(input, value, '', {
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
        const items = await this.all('ListConfigurationProfiles', `of application ${application}`, (t) => this.client.send(new _aws_sdk_client_appconfig__WEBPACK_IMPORTED_MODULE_0__/* .ListConfigurationProfilesCommand */ .MLc({ ApplicationId: application, MaxResults: 50, NextToken: t })));
        const found = items.find((i) => i.Id === value) ?? items.find((i) => i.Name === value);
        if (!found?.Id) {
            throw new _shiftgate_core__WEBPACK_IMPORTED_MODULE_2__/* .InputError */ .dz('appconfig-profile', value, '', {
                message: `Input 'appconfig-profile' is '${value}', but application ${application} has no configuration profile with that id or name${items.length > 0
                    ? ` (it has: ${items
                        .slice(0, 10)
                        .map((i) => i.Name)
                        .join(', ')})`
                    : ''}. Nothing was changed.`,
            });
        }
        const profile = await this.call('GetConfigurationProfile', `for profile ${found.Id}`, () => this.client.send(new _aws_sdk_client_appconfig__WEBPACK_IMPORTED_MODULE_0__/* .GetConfigurationProfileCommand */ .dyJ({ ApplicationId: application, ConfigurationProfileId: found.Id })));
        if (profile.LocationUri !== 'hosted' || profile.Type !== FEATURE_FLAGS) {
            throw new _shiftgate_core__WEBPACK_IMPORTED_MODULE_2__/* .InputError */ .dz('appconfig-profile', value, '', {
                message: `Input 'appconfig-profile' is '${value}', which is ${profile.LocationUri === 'hosted' ? 'hosted' : `stored at ${profile.LocationUri ?? 'an unknown location'}`} with type ${profile.Type ?? 'freeform'}; shiftgate sets flags only in a hosted feature-flag profile (location hosted, type ${FEATURE_FLAGS}). Nothing was changed.`,
            });
        }
        return { Id: found.Id, Name: profile.Name ?? found.Name ?? found.Id };
    }
    /** The version of the profile deployed in the environment now; the latest hosted one when none was. */
    async liveVersion(application, environment, profile) {
        const deployments = await this.all('ListDeployments', `in environment ${environment}`, (t) => this.client.send(new _aws_sdk_client_appconfig__WEBPACK_IMPORTED_MODULE_0__/* .ListDeploymentsCommand */ .sr8({
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
        const hosted = await this.call('ListHostedConfigurationVersions', `of profile ${profile.Id}`, () => this.client.send(new _aws_sdk_client_appconfig__WEBPACK_IMPORTED_MODULE_0__/* .ListHostedConfigurationVersionsCommand */ ._BG({
            ApplicationId: application,
            ConfigurationProfileId: profile.Id,
            MaxResults: 1,
        })));
        const latest = hosted.Items?.[0]?.VersionNumber;
        if (latest === undefined) {
            throw new _shiftgate_core__WEBPACK_IMPORTED_MODULE_2__/* .InputError */ .dz('appconfig-profile', profile.Name, '', {
                message: `Input 'appconfig-profile' is '${profile.Name}', which has no hosted version yet; create the flag (a first version) in AppConfig. Nothing was changed.`,
            });
        }
        return latest;
    }
    async content(application, profile, version) {
        const out = await this.call('GetHostedConfigurationVersion', `version ${version} of profile ${profile}`, () => this.client.send(new _aws_sdk_client_appconfig__WEBPACK_IMPORTED_MODULE_0__/* .GetHostedConfigurationVersionCommand */ .x95({
            ApplicationId: application,
            ConfigurationProfileId: profile,
            VersionNumber: version,
        })));
        return new TextDecoder().decode(out.Content ?? new Uint8Array());
    }
    async deploy(flag, exposure) {
        const base = await this.content(flag.application, flag.profile, flag['previous-version']);
        const doc = (0,_shiftgate_core__WEBPACK_IMPORTED_MODULE_5__/* .exposureDocument */ .zJ)({
            base,
            flag: flag['flag-name'],
            exposure: exposure.exposure,
            cells: exposure.cells,
            where: `profile ${flag.profile} (version ${flag['previous-version']})`,
        });
        const created = await this.call('CreateHostedConfigurationVersion', `of profile ${flag.profile}`, () => this.client.send(new _aws_sdk_client_appconfig__WEBPACK_IMPORTED_MODULE_0__/* .CreateHostedConfigurationVersionCommand */ .vjC({
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
            const out = await this.client.send(new _aws_sdk_client_appconfig__WEBPACK_IMPORTED_MODULE_0__/* .StartDeploymentCommand */ .tWW({
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
            const items = await this.all('ListDeployments', `in environment ${flag.environment}`, (t) => this.client.send(new _aws_sdk_client_appconfig__WEBPACK_IMPORTED_MODULE_0__/* .ListDeploymentsCommand */ .sr8({
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
        const out = await this.call('GetDeployment', `#${deployment} in environment ${flag.environment}`, () => this.client.send(new _aws_sdk_client_appconfig__WEBPACK_IMPORTED_MODULE_0__/* .GetDeploymentCommand */ .Tvn({
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
            await this.client.send(new _aws_sdk_client_appconfig__WEBPACK_IMPORTED_MODULE_0__/* .StopDeploymentCommand */ .NzN({
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
        const number = await this.start(flag, version, _shiftgate_core__WEBPACK_IMPORTED_MODULE_4__/* .REVERT_DEPLOYMENT_STRATEGY */ .bl, `shiftgate: flag ${flag['flag-name']} back to version ${version}`);
        return { number, version, rule: null, cells: null };
    }
}


/***/ })

};
