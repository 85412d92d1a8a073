export const id = 296;
export const ids = [296];
export const modules = {

/***/ 5296:
/***/ ((__unused_webpack_module, exports, __webpack_require__) => {

var __webpack_unused_export__;
const { awsEndpointFunctions, emitWarningIfUnsupportedVersion: emitWarningIfUnsupportedVersion$1, createDefaultUserAgentProvider, NODE_APP_ID_CONFIG_OPTIONS, getAwsRegionExtensionConfiguration, resolveAwsRegionExtensionConfiguration, resolveUserAgentConfig, resolveHostHeaderConfig, getUserAgentPlugin, getHostHeaderPlugin, getLoggerPlugin, getRecursionDetectionPlugin } = __webpack_require__(5152);
const { getHttpAuthSchemeEndpointRuleSetPlugin, DefaultIdentityProviderConfig, getHttpSigningPlugin, createPaginator } = __webpack_require__(402);
const { normalizeProvider, getSmithyContext, ServiceException, NoOpLogger, emitWarningIfUnsupportedVersion, loadConfigsForDefaultMode, getDefaultExtensionConfiguration, resolveDefaultRuntimeConfig, Client, makeBuilder, createWaiter, checkExceptions, WaiterState, createAggregatedClient } = __webpack_require__(2658);
const { Command: $Command } = __webpack_require__(2658);
__webpack_unused_export__ = $Command;
__webpack_unused_export__ = Client;
const { resolveDefaultsModeConfig, loadConfig, NODE_USE_FIPS_ENDPOINT_CONFIG_OPTIONS, NODE_USE_DUALSTACK_ENDPOINT_CONFIG_OPTIONS, NODE_REGION_CONFIG_OPTIONS, NODE_REGION_CONFIG_FILE_OPTIONS, resolveRegionConfig } = __webpack_require__(7291);
const { BinaryDecisionDiagram, EndpointCache, decideEndpoint, customEndpointFunctions, resolveEndpointConfig, getEndpointPlugin } = __webpack_require__(2085);
const { parseUrl, getHttpHandlerExtensionConfiguration, resolveHttpHandlerRuntimeConfig, getContentLengthPlugin } = __webpack_require__(3422);
const { DEFAULT_RETRY_MODE, NODE_RETRY_MODE_CONFIG_OPTIONS, NODE_MAX_ATTEMPT_CONFIG_OPTIONS, resolveRetryConfig, getRetryPlugin } = __webpack_require__(3609);
const { TypeRegistry, getSchemaSerdePlugin } = __webpack_require__(6890);
const { resolveAwsSdkSigV4Config, AwsSdkSigV4Signer, NODE_AUTH_SCHEME_PREFERENCE_OPTIONS } = __webpack_require__(7523);
const { defaultProvider } = __webpack_require__(5861);
const { toUtf8, fromUtf8, toBase64, fromBase64, calculateBodyLength } = __webpack_require__(2430);
const { streamCollector, NodeHttpHandler } = __webpack_require__(1279);
const { AwsRestJsonProtocol } = __webpack_require__(7288);
const { Sha256 } = __webpack_require__(9542);

const defaultAppConfigHttpAuthSchemeParametersProvider = async (config, context, input) => {
    return {
        operation: getSmithyContext(context).operation,
        region: await normalizeProvider(config.region)() || (() => {
            throw new Error("expected `region` to be configured for `aws.auth#sigv4`");
        })(),
    };
};
function createAwsAuthSigv4HttpAuthOption(authParameters) {
    return {
        schemeId: "aws.auth#sigv4",
        signingProperties: {
            name: "appconfig",
            region: authParameters.region,
        },
        propertiesExtractor: (config, context) => ({
            signingProperties: {
                config,
                context,
            },
        }),
    };
}
const defaultAppConfigHttpAuthSchemeProvider = (authParameters) => {
    const options = [];
    switch (authParameters.operation) {
        default: {
            options.push(createAwsAuthSigv4HttpAuthOption(authParameters));
        }
    }
    return options;
};
const resolveHttpAuthSchemeConfig = (config) => {
    const config_0 = resolveAwsSdkSigV4Config(config);
    return Object.assign(config_0, {
        authSchemePreference: normalizeProvider(config.authSchemePreference ?? []),
    });
};

const resolveClientEndpointParameters = (options) => {
    return Object.assign(options, {
        useDualstackEndpoint: options.useDualstackEndpoint ?? false,
        useFipsEndpoint: options.useFipsEndpoint ?? false,
        defaultSigningName: "appconfig",
    });
};
const commonParams = {
    UseFIPS: { type: "builtInParams", name: "useFipsEndpoint" },
    Endpoint: { type: "builtInParams", name: "endpoint" },
    Region: { type: "builtInParams", name: "region" },
    UseDualStack: { type: "builtInParams", name: "useDualstackEndpoint" },
};

var version = "3.1123.0";
var packageInfo = {
	version: version};

const m = "ref";
const a = -1, b = true, c = "isSet", d = "PartitionResult", e = "booleanEquals", f = "getAttr", g = "stringEquals", h = { [m]: "Endpoint" }, i = { [m]: d }, j = { [m]: "Region" }, k = {}, l = [j];
const _data = {
    conditions: [
        [c, [h]],
        [c, l],
        ["aws.partition", l, d],
        [e, [{ [m]: "UseFIPS" }, b]],
        [e, [{ [m]: "UseDualStack" }, b]],
        [e, [{ fn: f, argv: [i, "supportsDualStack"] }, b]],
        [e, [{ fn: f, argv: [i, "supportsFIPS"] }, b]],
        [g, [j, "us-gov-east-1"]],
        [g, [j, "us-gov-west-1"]]
    ],
    results: [
        [a],
        [a, "Invalid Configuration: FIPS and custom endpoint are not supported"],
        [a, "Invalid Configuration: Dualstack and custom endpoint are not supported"],
        [h, k],
        ["https://appconfig-fips.{Region}.{PartitionResult#dualStackDnsSuffix}", k],
        [a, "FIPS and DualStack are enabled, but this partition does not support one or both"],
        ["https://appconfig.us-gov-east-1.amazonaws.com", k],
        ["https://appconfig.us-gov-west-1.amazonaws.com", k],
        ["https://appconfig-fips.{Region}.{PartitionResult#dnsSuffix}", k],
        [a, "FIPS is enabled but this partition does not support FIPS"],
        ["https://appconfig.{Region}.{PartitionResult#dualStackDnsSuffix}", k],
        [a, "DualStack is enabled but this partition does not support DualStack"],
        ["https://appconfig.{Region}.{PartitionResult#dnsSuffix}", k],
        [a, "Invalid Configuration: Missing Region"]
    ]
};
const root = 2;
const r = 100_000_000;
const nodes = new Int32Array([
    -1, 1, -1,
    0, 14, 3,
    1, 4, r + 13,
    2, 5, r + 13,
    3, 8, 6,
    4, 7, r + 12,
    5, r + 10, r + 11,
    4, 12, 9,
    6, 10, r + 9,
    7, r + 6, 11,
    8, r + 7, r + 8,
    5, 13, r + 5,
    6, r + 4, r + 5,
    3, r + 1, 15,
    4, r + 2, r + 3,
]);
const bdd = BinaryDecisionDiagram.from(nodes, root, _data.conditions, _data.results);

const cache = new EndpointCache({
    size: 50,
    params: ["Endpoint", "Region", "UseDualStack", "UseFIPS"],
});
const defaultEndpointResolver = (endpointParams, context = {}) => {
    return cache.get(endpointParams, () => decideEndpoint(bdd, {
        endpointParams: endpointParams,
        logger: context.logger,
    }));
};
customEndpointFunctions.aws = awsEndpointFunctions;

class AppConfigServiceException extends ServiceException {
    constructor(options) {
        super(options);
        Object.setPrototypeOf(this, AppConfigServiceException.prototype);
    }
}

class BadRequestException extends AppConfigServiceException {
    name = "BadRequestException";
    $fault = "client";
    Message;
    Reason;
    Details;
    constructor(opts) {
        super({
            name: "BadRequestException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, BadRequestException.prototype);
        this.Message = opts.Message;
        this.Reason = opts.Reason;
        this.Details = opts.Details;
    }
}
class InternalServerException extends AppConfigServiceException {
    name = "InternalServerException";
    $fault = "server";
    Message;
    constructor(opts) {
        super({
            name: "InternalServerException",
            $fault: "server",
            ...opts,
        });
        Object.setPrototypeOf(this, InternalServerException.prototype);
        this.Message = opts.Message;
    }
}
class ServiceQuotaExceededException extends AppConfigServiceException {
    name = "ServiceQuotaExceededException";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "ServiceQuotaExceededException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, ServiceQuotaExceededException.prototype);
        this.Message = opts.Message;
    }
}
class ResourceNotFoundException extends AppConfigServiceException {
    name = "ResourceNotFoundException";
    $fault = "client";
    Message;
    ResourceName;
    constructor(opts) {
        super({
            name: "ResourceNotFoundException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, ResourceNotFoundException.prototype);
        this.Message = opts.Message;
        this.ResourceName = opts.ResourceName;
    }
}
class ConflictException extends AppConfigServiceException {
    name = "ConflictException";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "ConflictException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, ConflictException.prototype);
        this.Message = opts.Message;
    }
}
class PayloadTooLargeException extends AppConfigServiceException {
    name = "PayloadTooLargeException";
    $fault = "client";
    Message;
    Measure;
    Limit;
    Size;
    constructor(opts) {
        super({
            name: "PayloadTooLargeException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, PayloadTooLargeException.prototype);
        this.Message = opts.Message;
        this.Measure = opts.Measure;
        this.Limit = opts.Limit;
        this.Size = opts.Size;
    }
}

const _A = "Action";
const _AA = "AlarmArn";
const _AD = "AudienceDescription";
const _ADs = "AssociatedDeployment";
const _AE = "AppliedExtension";
const _AEp = "AppliedExtensions";
const _AI = "ActionInvocation";
const _AI_ = "Application-Id";
const _AIc = "ActionInvocations";
const _AIp = "ApplicationId";
const _AIpp = "ApplicationIdentifier";
const _AL = "ActionList";
const _ALp = "ApplicationList";
const _AM = "ActionsMap";
const _AN = "ActionName";
const _AR = "AudienceRule";
const _ARA = "AlarmRoleArn";
const _AR_ = "Allow-Revert";
const _ARl = "AllowRevert";
const _AS = "AccountSettings";
const _AV = "AttributeValues";
const _AVM = "AttributeValueMap";
const _AVt = "AttributeValue";
const _Ac = "Actions";
const _Ap = "Application";
const _App = "Applications";
const _Ar = "Arn";
const _B = "Blob";
const _BRD = "BadRequestDetails";
const _BRE = "BadRequestException";
const _BV = "BooleanValue";
const _C = "Configuration";
const _CA = "CompletedAt";
const _CAR = "CreateApplicationRequest";
const _CAr = "CreatedAt";
const _CAre = "CreateApplication";
const _CCP = "CreateConfigurationProfile";
const _CCPR = "CreateConfigurationProfileRequest";
const _CCV = "ClientConfigurationVersion";
const _CDS = "CreateDeploymentStrategy";
const _CDSR = "CreateDeploymentStrategyRequest";
const _CE = "ConflictException";
const _CEA = "CreateExtensionAssociation";
const _CEAR = "CreateExtensionAssociationRequest";
const _CED = "CreateExperimentDefinition";
const _CEDR = "CreateExperimentDefinitionRequest";
const _CER = "CreateEnvironmentRequest";
const _CERr = "CreateExtensionRequest";
const _CEr = "CreateEnvironment";
const _CEre = "CreateExtension";
const _CHCV = "CreateHostedConfigurationVersion";
const _CHCVR = "CreateHostedConfigurationVersionRequest";
const _CI = "ClientId";
const _CLU = "ConfigurationLocationUri";
const _CN = "ConfigurationName";
const _CP = "ConfigurationProfile";
const _CPI = "ConfigurationProfileIdentifier";
const _CPI_ = "Configuration-Profile-Id";
const _CPIo = "ConfigurationProfileId";
const _CPS = "ConfigurationProfileSummary";
const _CPSL = "ConfigurationProfileSummaryList";
const _CPo = "ConfigurationProfiles";
const _CT = "ContentType";
const _CT_ = "Content-Type";
const _CV = "ConfigurationVersion";
const _CV_ = "Configuration-Version";
const _Co = "Content";
const _Con = "Control";
const _Cons = "Constraint";
const _D = "Details";
const _DA = "DeleteApplication";
const _DAR = "DeleteApplicationRequest";
const _DCP = "DeleteConfigurationProfile";
const _DCPR = "DeleteConfigurationProfileRequest";
const _DDIM = "DeploymentDurationInMinutes";
const _DDS = "DeleteDeploymentStrategy";
const _DDSR = "DeleteDeploymentStrategyRequest";
const _DE = "DeploymentEvent";
const _DEA = "DeleteExtensionAssociation";
const _DEAR = "DeleteExtensionAssociationRequest";
const _DED = "DeleteExperimentDefinition";
const _DEDR = "DeleteExperimentDefinitionRequest";
const _DEP = "DynamicExtensionParameters";
const _DER = "DeleteEnvironmentRequest";
const _DERe = "DeleteExtensionRequest";
const _DEe = "DeploymentEvents";
const _DEel = "DeleteEnvironment";
const _DEele = "DeleteExtension";
const _DHCV = "DeleteHostedConfigurationVersion";
const _DHCVR = "DeleteHostedConfigurationVersionRequest";
const _DL = "DeploymentList";
const _DN = "DeploymentNumber";
const _DP = "DeletionProtection";
const _DPC = "DeletionProtectionCheck";
const _DPM = "DynamicParameterMap";
const _DPS = "DeletionProtectionSettings";
const _DPe = "DeploymentParameters";
const _DS = "DeploymentStrategies";
const _DSI = "DeploymentStrategyId";
const _DSL = "DeploymentStrategyList";
const _DSe = "DeploymentStrategy";
const _DSep = "DeploymentSummary";
const _DT = "DeleteType";
const _De = "Description";
const _Dep = "Deployment";
const _Depl = "Deployments";
const _Dy = "Dynamic";
const _E = "Enabled";
const _EA = "EndedAt";
const _EAI = "ExtensionAssociationId";
const _EAS = "ExtensionAssociationSummary";
const _EASx = "ExtensionAssociationSummaries";
const _EAx = "ExtensionAssociation";
const _EAxt = "ExtensionArn";
const _EAxte = "ExtensionAssociations";
const _EC = "ErrorCode";
const _ED = "ExperimentDefinition";
const _EDI = "ExperimentDefinitionIdentifier";
const _EDIx = "ExperimentDefinitionId";
const _EDL = "ExperimentDefinitionList";
const _EDS = "ExperimentDefinitionSnapshot";
const _EDSx = "ExperimentDefinitionSummary";
const _EDx = "ExperimentDefinitions";
const _EI = "ExtensionIdentifier";
const _EIn = "EnvironmentIdentifier";
const _EInv = "EnvironmentId";
const _EIx = "ExtensionId";
const _EL = "EventLog";
const _ELn = "EnvironmentList";
const _EM = "ErrorMessage";
const _EP = "ExposurePercentage";
const _ER = "ExperimentRun";
const _ERE = "ExperimentRunEvent";
const _EREL = "ExperimentRunEventList";
const _EREx = "ExperimentRunEvents";
const _ERR = "ExperimentRunResult";
const _ERS = "ExperimentRunSummary";
const _ERSL = "ExperimentRunSummaryList";
const _ERx = "ExperimentRuns";
const _ES = "ExecutiveSummary";
const _ESx = "ExtensionSummary";
const _ESxt = "ExtensionSummaries";
const _ET = "EventType";
const _EVN = "ExtensionVersionNumber";
const _En = "Environment";
const _Env = "Environments";
const _Ex = "Extension";
const _Ext = "Extensions";
const _FBTIM = "FinalBakeTimeInMinutes";
const _FK = "FlagKey";
const _FV = "FlagValue";
const _GA = "GetApplication";
const _GAR = "GetApplicationRequest";
const _GAS = "GetAccountSettings";
const _GC = "GetConfiguration";
const _GCP = "GetConfigurationProfile";
const _GCPR = "GetConfigurationProfileRequest";
const _GCR = "GetConfigurationRequest";
const _GD = "GetDeployment";
const _GDR = "GetDeploymentRequest";
const _GDS = "GetDeploymentStrategy";
const _GDSR = "GetDeploymentStrategyRequest";
const _GE = "GetEnvironment";
const _GEA = "GetExtensionAssociation";
const _GEAR = "GetExtensionAssociationRequest";
const _GED = "GetExperimentDefinition";
const _GEDR = "GetExperimentDefinitionRequest";
const _GER = "GetEnvironmentRequest";
const _GERR = "GetExperimentRunRequest";
const _GERe = "GetExtensionRequest";
const _GERet = "GetExperimentRun";
const _GEe = "GetExtension";
const _GF = "GrowthFactor";
const _GHCV = "GetHostedConfigurationVersion";
const _GHCVR = "GetHostedConfigurationVersionRequest";
const _GT = "GrowthType";
const _H = "Hypothesis";
const _HCV = "HostedConfigurationVersion";
const _HCVS = "HostedConfigurationVersionSummary";
const _HCVSL = "HostedConfigurationVersionSummaryList";
const _HCVo = "HostedConfigurationVersions";
const _I = "Id";
const _IC = "InvalidConfiguration";
const _ICD = "InvalidConfigurationDetail";
const _ICDL = "InvalidConfigurationDetailList";
const _II = "InvocationId";
const _ISE = "InternalServerException";
const _In = "Inline";
const _It = "Items";
const _K = "Key";
const _KKA = "KmsKeyArn";
const _KKI = "KmsKeyIdentifier";
const _L = "Limit";
const _LA = "ListApplications";
const _LAR = "ListApplicationsRequest";
const _LC = "LaunchCriteria";
const _LCP = "ListConfigurationProfiles";
const _LCPR = "ListConfigurationProfilesRequest";
const _LD = "ListDeployments";
const _LDN = "LatestDeploymentNumber";
const _LDR = "ListDeploymentsRequest";
const _LDS = "ListDeploymentStrategies";
const _LDSR = "ListDeploymentStrategiesRequest";
const _LE = "ListEnvironments";
const _LEA = "ListExtensionAssociations";
const _LEAR = "ListExtensionAssociationsRequest";
const _LED = "ListExperimentDefinitions";
const _LEDR = "ListExperimentDefinitionsRequest";
const _LER = "ListEnvironmentsRequest";
const _LERE = "ListExperimentRunEvents";
const _LERER = "ListExperimentRunEventsRequest";
const _LERR = "ListExperimentRunsRequest";
const _LERi = "ListExtensionsRequest";
const _LERis = "ListExperimentRuns";
const _LEi = "ListExtensions";
const _LHCV = "ListHostedConfigurationVersions";
const _LHCVR = "ListHostedConfigurationVersionsRequest";
const _LTFR = "ListTagsForResource";
const _LTFRR = "ListTagsForResourceRequest";
const _LU = "LocationUri";
const _LVN = "LatestVersionNumber";
const _LVN_ = "Latest-Version-Number";
const _Lo = "Location";
const _M = "Message";
const _ML = "MonitorList";
const _MR = "MaxResults";
const _Me = "Measure";
const _Mo = "Monitors";
const _Mon = "Monitor";
const _N = "Name";
const _NA = "NumberArray";
const _NT = "NextToken";
const _NV = "NumberValue";
const _OA = "OccurredAt";
const _P = "Parameters";
const _PC = "PercentageComplete";
const _PM = "ParameterMap";
const _PPIM = "ProtectionPeriodInMinutes";
const _PTLE = "PayloadTooLargeException";
const _Pa = "Parameter";
const _R = "Reason";
const _RA = "RoleArn";
const _RAe = "ResourceArn";
const _RI = "ResourceIdentifier";
const _RN = "ResourceName";
const _RNFE = "ResourceNotFoundException";
const _RNTL = "ReasonsNotToLaunch";
const _RRA = "RetrievalRoleArn";
const _RT = "ReplicateTo";
const _RTL = "ReasonsToLaunch";
const _RTe = "ResourceTags";
const _Re = "Result";
const _Req = "Required";
const _Ru = "Run";
const _S = "Size";
const _SA = "StartedAt";
const _SAt = "StringArray";
const _SD = "StartDeployment";
const _SDR = "StartDeploymentRequest";
const _SDRt = "StopDeploymentRequest";
const _SDt = "StopDeployment";
const _SER = "StartExperimentRun";
const _SERR = "StartExperimentRunRequest";
const _SERRt = "StopExperimentRunRequest";
const _SERt = "StopExperimentRun";
const _SQEE = "ServiceQuotaExceededException";
const _SV = "StringValue";
const _SWLBA = "StringWithLengthBetween0And32768";
const _St = "State";
const _Sta = "Status";
const _T = "Type";
const _TB = "TriggeredBy";
const _TI = "TreatmentInput";
const _TIL = "TreatmentInputList";
const _TK = "TagKeys";
const _TL = "TreatmentList";
const _TO = "TreatmentOverrides";
const _TR = "TagResource";
const _TRR = "TagResourceRequest";
const _Ta = "Tags";
const _Tr = "Treatments";
const _Tre = "Treatment";
const _U = "Uri";
const _UA = "UpdatedAt";
const _UAR = "UpdateApplicationRequest";
const _UAS = "UpdateAccountSettings";
const _UASR = "UpdateAccountSettingsRequest";
const _UAp = "UpdateApplication";
const _UCP = "UpdateConfigurationProfile";
const _UCPR = "UpdateConfigurationProfileRequest";
const _UDS = "UpdateDeploymentStrategy";
const _UDSR = "UpdateDeploymentStrategyRequest";
const _UE = "UpdateEnvironment";
const _UEA = "UpdateExtensionAssociation";
const _UEAR = "UpdateExtensionAssociationRequest";
const _UED = "UpdateExperimentDefinition";
const _UEDR = "UpdateExperimentDefinitionRequest";
const _UER = "UpdateEnvironmentRequest";
const _UERR = "UpdateExperimentRunRequest";
const _UERp = "UpdateExtensionRequest";
const _UERpd = "UpdateExperimentRun";
const _UEp = "UpdateExtension";
const _UR = "UntagResource";
const _URR = "UntagResourceRequest";
const _V = "Validators";
const _VC = "ValidateConfiguration";
const _VCR = "ValidateConfigurationRequest";
const _VL = "VersionLabel";
const _VLa = "ValidatorList";
const _VM = "VendedMetrics";
const _VMS = "VendedMetricsSettings";
const _VN = "VersionNumber";
const _VN_ = "Version-Number";
const _VT = "ValidatorTypes";
const _Va = "Value";
const _Val = "Validator";
const _W = "Weight";
const _ai = "application_identifier";
const _c = "client";
const _ccv = "client_configuration_version";
const _ci = "client_id";
const _cpi = "configuration_profile_identifier";
const _cv = "configuration_version";
const _dt = "delete_type";
const _e = "error";
const _ei = "environment_identifier";
const _ei_ = "extension_identifier";
const _evn = "extension_version_number";
const _h = "http";
const _hE = "httpError";
const _hH = "httpHeader";
const _hQ = "httpQuery";
const _mr = "max_results";
const _n = "name";
const _nt = "next_token";
const _ri = "resource_identifier";
const _s = "smithy.ts.sdk.synthetic.com.amazonaws.appconfig";
const _se = "server";
const _st = "status";
const _t = "type";
const _tK = "tagKeys";
const _v = "version";
const _vl = "version_label";
const _vn = "version_number";
const _xadpc = "x-amzn-deletion-protection-check";
const n0 = "com.amazonaws.appconfig";
const _s_registry = TypeRegistry.for(_s);
var AppConfigServiceException$ = [-3, _s, "AppConfigServiceException", 0, [], []];
_s_registry.registerError(AppConfigServiceException$, AppConfigServiceException);
const n0_registry = TypeRegistry.for(n0);
var BadRequestException$ = [-3, n0, _BRE,
    { [_e]: _c, [_hE]: 400 },
    [_M, _R, _D],
    [0, 0, () => BadRequestDetails$]
];
n0_registry.registerError(BadRequestException$, BadRequestException);
var ConflictException$ = [-3, n0, _CE,
    { [_e]: _c, [_hE]: 409 },
    [_M],
    [0]
];
n0_registry.registerError(ConflictException$, ConflictException);
var InternalServerException$ = [-3, n0, _ISE,
    { [_e]: _se, [_hE]: 500 },
    [_M],
    [0]
];
n0_registry.registerError(InternalServerException$, InternalServerException);
var PayloadTooLargeException$ = [-3, n0, _PTLE,
    { [_e]: _c, [_hE]: 413 },
    [_M, _Me, _L, _S],
    [0, 0, 1, 1]
];
n0_registry.registerError(PayloadTooLargeException$, PayloadTooLargeException);
var ResourceNotFoundException$ = [-3, n0, _RNFE,
    { [_e]: _c, [_hE]: 404 },
    [_M, _RN],
    [0, 0]
];
n0_registry.registerError(ResourceNotFoundException$, ResourceNotFoundException);
var ServiceQuotaExceededException$ = [-3, n0, _SQEE,
    { [_e]: _c, [_hE]: 402 },
    [_M],
    [0]
];
n0_registry.registerError(ServiceQuotaExceededException$, ServiceQuotaExceededException);
const errorTypeRegistries = [
    _s_registry,
    n0_registry,
];
var _Blob = [0, n0, _B, 8, 21];
var StringWithLengthBetween0And32768 = [0, n0, _SWLBA, 8, 0];
var AccountSettings$ = [3, n0, _AS,
    0,
    [_DP, _VM],
    [() => DeletionProtectionSettings$, () => VendedMetricsSettings$]
];
var Action$ = [3, n0, _A,
    0,
    [_N, _De, _U, _RA],
    [0, 0, 0, 0]
];
var ActionInvocation$ = [3, n0, _AI,
    0,
    [_EI, _AN, _U, _RA, _EM, _EC, _II],
    [0, 0, 0, 0, 0, 0, 0]
];
var Application$ = [3, n0, _Ap,
    0,
    [_I, _N, _De],
    [0, 0, 0]
];
var Applications$ = [3, n0, _App,
    0,
    [_It, _NT],
    [() => ApplicationList, 0]
];
var AppliedExtension$ = [3, n0, _AE,
    0,
    [_EIx, _EAI, _VN, _P],
    [0, 0, 1, 128 | 0]
];
var Configuration$ = [3, n0, _C,
    0,
    [_Co, _CV, _CT],
    [[() => _Blob, 16], [0, { [_hH]: _CV_ }], [0, { [_hH]: _CT_ }]]
];
var ConfigurationProfile$ = [3, n0, _CP,
    0,
    [_AIp, _I, _N, _De, _LU, _RRA, _V, _T, _KKA, _KKI],
    [0, 0, 0, 0, 0, 0, [() => ValidatorList, 0], 0, 0, 0]
];
var ConfigurationProfiles$ = [3, n0, _CPo,
    0,
    [_It, _NT],
    [() => ConfigurationProfileSummaryList, 0]
];
var ConfigurationProfileSummary$ = [3, n0, _CPS,
    0,
    [_AIp, _I, _N, _LU, _VT, _T],
    [0, 0, 0, 0, 64 | 0, 0]
];
var CreateApplicationRequest$ = [3, n0, _CAR,
    0,
    [_N, _De, _Ta],
    [0, 0, 128 | 0], 1
];
var CreateConfigurationProfileRequest$ = [3, n0, _CCPR,
    0,
    [_AIp, _N, _LU, _De, _RRA, _V, _Ta, _T, _KKI],
    [[0, 1], 0, 0, 0, 0, [() => ValidatorList, 0], 128 | 0, 0, 0], 3
];
var CreateDeploymentStrategyRequest$ = [3, n0, _CDSR,
    0,
    [_N, _DDIM, _GF, _De, _FBTIM, _GT, _RT, _Ta],
    [0, 1, 1, 0, 1, 0, 0, 128 | 0], 3
];
var CreateEnvironmentRequest$ = [3, n0, _CER,
    0,
    [_AIp, _N, _De, _Mo, _Ta],
    [[0, 1], 0, 0, () => MonitorList, 128 | 0], 2
];
var CreateExperimentDefinitionRequest$ = [3, n0, _CEDR,
    0,
    [_AIpp, _N, _CPI, _EIn, _FK, _Tr, _Con, _AR, _H, _AD, _LC, _Ta],
    [[0, 1], 0, 0, 0, 0, () => TreatmentInputList, () => TreatmentInput$, 0, 0, 0, 0, 128 | 0], 8
];
var CreateExtensionAssociationRequest$ = [3, n0, _CEAR,
    0,
    [_EI, _RI, _EVN, _P, _Ta],
    [0, 0, 1, 128 | 0, 128 | 0], 2
];
var CreateExtensionRequest$ = [3, n0, _CERr,
    0,
    [_N, _Ac, _De, _P, _Ta, _LVN],
    [0, () => ActionsMap, 0, () => ParameterMap, 128 | 0, [1, { [_hH]: _LVN_ }]], 2
];
var CreateHostedConfigurationVersionRequest$ = [3, n0, _CHCVR,
    0,
    [_AIp, _CPIo, _Co, _CT, _De, _LVN, _VL],
    [[0, 1], [0, 1], [() => _Blob, 16], [0, { [_hH]: _CT_ }], [0, { [_hH]: _De }], [1, { [_hH]: _LVN_ }], [0, { [_hH]: _VL }]], 4
];
var DeleteApplicationRequest$ = [3, n0, _DAR,
    0,
    [_AIp],
    [[0, 1]], 1
];
var DeleteConfigurationProfileRequest$ = [3, n0, _DCPR,
    0,
    [_AIp, _CPIo, _DPC],
    [[0, 1], [0, 1], [0, { [_hH]: _xadpc }]], 2
];
var DeleteDeploymentStrategyRequest$ = [3, n0, _DDSR,
    0,
    [_DSI],
    [[0, 1]], 1
];
var DeleteEnvironmentRequest$ = [3, n0, _DER,
    0,
    [_EInv, _AIp, _DPC],
    [[0, 1], [0, 1], [0, { [_hH]: _xadpc }]], 2
];
var DeleteExperimentDefinitionRequest$ = [3, n0, _DEDR,
    0,
    [_AIpp, _EDI, _DT],
    [[0, 1], [0, 1], [0, { [_hQ]: _dt }]], 2
];
var DeleteExtensionAssociationRequest$ = [3, n0, _DEAR,
    0,
    [_EAI],
    [[0, 1]], 1
];
var DeleteExtensionRequest$ = [3, n0, _DERe,
    0,
    [_EI, _VN],
    [[0, 1], [1, { [_hQ]: _v }]], 1
];
var DeleteHostedConfigurationVersionRequest$ = [3, n0, _DHCVR,
    0,
    [_AIp, _CPIo, _VN],
    [[0, 1], [0, 1], [1, 1]], 3
];
var DeletionProtectionSettings$ = [3, n0, _DPS,
    0,
    [_E, _PPIM],
    [2, 1]
];
var Deployment$ = [3, n0, _Dep,
    0,
    [_AIp, _EInv, _DSI, _CPIo, _DN, _CN, _CLU, _CV, _De, _DDIM, _GT, _GF, _FBTIM, _St, _EL, _PC, _SA, _CA, _AEp, _KKA, _KKI, _VL],
    [0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 1, 1, 0, () => DeploymentEvents, 1, 5, 5, () => AppliedExtensions, 0, 0, 0]
];
var DeploymentEvent$ = [3, n0, _DE,
    0,
    [_ET, _TB, _De, _AIc, _OA],
    [0, 0, 0, () => ActionInvocations, 5]
];
var DeploymentParameters$ = [3, n0, _DPe,
    0,
    [_DEP, _Ta],
    [[() => DynamicParameterMap, 0], 128 | 0]
];
var Deployments$ = [3, n0, _Depl,
    0,
    [_It, _NT],
    [() => DeploymentList, 0]
];
var DeploymentStrategies$ = [3, n0, _DS,
    0,
    [_It, _NT],
    [() => DeploymentStrategyList, 0]
];
var DeploymentStrategy$ = [3, n0, _DSe,
    0,
    [_I, _N, _De, _DDIM, _GT, _GF, _FBTIM, _RT],
    [0, 0, 0, 1, 0, 1, 1, 0]
];
var DeploymentSummary$ = [3, n0, _DSep,
    0,
    [_DN, _CPIo, _CN, _CV, _DDIM, _GT, _GF, _FBTIM, _St, _PC, _SA, _CA, _VL, _T],
    [1, 0, 0, 0, 1, 0, 1, 1, 0, 1, 5, 5, 0, 0]
];
var Environment$ = [3, n0, _En,
    0,
    [_AIp, _I, _N, _De, _St, _Mo],
    [0, 0, 0, 0, 0, () => MonitorList]
];
var Environments$ = [3, n0, _Env,
    0,
    [_It, _NT],
    [() => EnvironmentList, 0]
];
var ExperimentDefinition$ = [3, n0, _ED,
    0,
    [_AIp, _I, _N, _H, _Sta, _CPIo, _EInv, _FK, _AR, _AD, _LC, _Tr, _Con, _CAr, _UA, _KKI],
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, () => TreatmentList, () => Treatment$, 5, 5, 0]
];
var ExperimentDefinitions$ = [3, n0, _EDx,
    0,
    [_It, _NT],
    [() => ExperimentDefinitionList, 0]
];
var ExperimentDefinitionSnapshot$ = [3, n0, _EDS,
    0,
    [_AIp, _I, _N, _H, _CPIo, _EInv, _FK, _AR, _AD, _LC, _Tr, _Con],
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, () => TreatmentList, () => Treatment$]
];
var ExperimentDefinitionSummary$ = [3, n0, _EDSx,
    0,
    [_AIp, _I, _N, _H, _Sta, _CPIo, _EInv, _FK, _CAr, _UA],
    [0, 0, 0, 0, 0, 0, 0, 0, 5, 5]
];
var ExperimentRun$ = [3, n0, _ER,
    0,
    [_AIp, _EDIx, _Ru, _De, _Sta, _EP, _TO, _Re, _SA, _UA, _EA, _EDS],
    [0, 0, 1, 0, 0, 1, () => TreatmentOverrides$, () => ExperimentRunResult$, 5, 5, 5, () => ExperimentDefinitionSnapshot$]
];
var ExperimentRunEvent$ = [3, n0, _ERE,
    0,
    [_De, _ADs, _ET, _OA, _TB, _EP, _TO],
    [0, 0, 0, 5, 0, 1, () => TreatmentOverrides$]
];
var ExperimentRunEvents$ = [3, n0, _EREx,
    0,
    [_It, _NT],
    [() => ExperimentRunEventList, 0]
];
var ExperimentRunResult$ = [3, n0, _ERR,
    0,
    [_ES, _RTL, _RNTL],
    [0, 0, 0]
];
var ExperimentRuns$ = [3, n0, _ERx,
    0,
    [_It, _NT],
    [() => ExperimentRunSummaryList, 0]
];
var ExperimentRunSummary$ = [3, n0, _ERS,
    0,
    [_EDIx, _Ru, _De, _Sta, _SA, _UA, _EA],
    [0, 1, 0, 0, 5, 5, 5]
];
var Extension$ = [3, n0, _Ex,
    0,
    [_I, _N, _VN, _Ar, _De, _Ac, _P],
    [0, 0, 1, 0, 0, () => ActionsMap, () => ParameterMap]
];
var ExtensionAssociation$ = [3, n0, _EAx,
    0,
    [_I, _EAxt, _RAe, _Ar, _P, _EVN],
    [0, 0, 0, 0, 128 | 0, 1]
];
var ExtensionAssociations$ = [3, n0, _EAxte,
    0,
    [_It, _NT],
    [() => ExtensionAssociationSummaries, 0]
];
var ExtensionAssociationSummary$ = [3, n0, _EAS,
    0,
    [_I, _EAxt, _RAe],
    [0, 0, 0]
];
var Extensions$ = [3, n0, _Ext,
    0,
    [_It, _NT],
    [() => ExtensionSummaries, 0]
];
var ExtensionSummary$ = [3, n0, _ESx,
    0,
    [_I, _N, _VN, _Ar, _De],
    [0, 0, 1, 0, 0]
];
var FlagValue$ = [3, n0, _FV,
    0,
    [_E, _AV],
    [2, () => AttributeValueMap], 1
];
var GetApplicationRequest$ = [3, n0, _GAR,
    0,
    [_AIp],
    [[0, 1]], 1
];
var GetConfigurationProfileRequest$ = [3, n0, _GCPR,
    0,
    [_AIp, _CPIo],
    [[0, 1], [0, 1]], 2
];
var GetConfigurationRequest$ = [3, n0, _GCR,
    0,
    [_Ap, _En, _C, _CI, _CCV],
    [[0, 1], [0, 1], [0, 1], [0, { [_hQ]: _ci }], [0, { [_hQ]: _ccv }]], 4
];
var GetDeploymentRequest$ = [3, n0, _GDR,
    0,
    [_AIp, _EInv, _DN],
    [[0, 1], [0, 1], [1, 1]], 3
];
var GetDeploymentStrategyRequest$ = [3, n0, _GDSR,
    0,
    [_DSI],
    [[0, 1]], 1
];
var GetEnvironmentRequest$ = [3, n0, _GER,
    0,
    [_AIp, _EInv],
    [[0, 1], [0, 1]], 2
];
var GetExperimentDefinitionRequest$ = [3, n0, _GEDR,
    0,
    [_AIpp, _EDI],
    [[0, 1], [0, 1]], 2
];
var GetExperimentRunRequest$ = [3, n0, _GERR,
    0,
    [_AIpp, _EDI, _Ru],
    [[0, 1], [0, 1], [1, 1]], 3
];
var GetExtensionAssociationRequest$ = [3, n0, _GEAR,
    0,
    [_EAI],
    [[0, 1]], 1
];
var GetExtensionRequest$ = [3, n0, _GERe,
    0,
    [_EI, _VN],
    [[0, 1], [1, { [_hQ]: _vn }]], 1
];
var GetHostedConfigurationVersionRequest$ = [3, n0, _GHCVR,
    0,
    [_AIp, _CPIo, _VN],
    [[0, 1], [0, 1], [1, 1]], 3
];
var HostedConfigurationVersion$ = [3, n0, _HCV,
    0,
    [_AIp, _CPIo, _VN, _De, _Co, _CT, _VL, _KKA],
    [[0, { [_hH]: _AI_ }], [0, { [_hH]: _CPI_ }], [1, { [_hH]: _VN_ }], [0, { [_hH]: _De }], [() => _Blob, 16], [0, { [_hH]: _CT_ }], [0, { [_hH]: _VL }], [0, { [_hH]: _KKA }]]
];
var HostedConfigurationVersions$ = [3, n0, _HCVo,
    0,
    [_It, _NT],
    [() => HostedConfigurationVersionSummaryList, 0]
];
var HostedConfigurationVersionSummary$ = [3, n0, _HCVS,
    0,
    [_AIp, _CPIo, _VN, _De, _CT, _VL, _KKA],
    [0, 0, 1, 0, 0, 0, 0]
];
var InvalidConfigurationDetail$ = [3, n0, _ICD,
    0,
    [_Cons, _Lo, _R, _T, _Va],
    [0, 0, 0, 0, 0]
];
var ListApplicationsRequest$ = [3, n0, _LAR,
    0,
    [_MR, _NT],
    [[1, { [_hQ]: _mr }], [0, { [_hQ]: _nt }]]
];
var ListConfigurationProfilesRequest$ = [3, n0, _LCPR,
    0,
    [_AIp, _MR, _NT, _T],
    [[0, 1], [1, { [_hQ]: _mr }], [0, { [_hQ]: _nt }], [0, { [_hQ]: _t }]], 1
];
var ListDeploymentsRequest$ = [3, n0, _LDR,
    0,
    [_AIp, _EInv, _MR, _NT],
    [[0, 1], [0, 1], [1, { [_hQ]: _mr }], [0, { [_hQ]: _nt }]], 2
];
var ListDeploymentStrategiesRequest$ = [3, n0, _LDSR,
    0,
    [_MR, _NT],
    [[1, { [_hQ]: _mr }], [0, { [_hQ]: _nt }]]
];
var ListEnvironmentsRequest$ = [3, n0, _LER,
    0,
    [_AIp, _MR, _NT],
    [[0, 1], [1, { [_hQ]: _mr }], [0, { [_hQ]: _nt }]], 1
];
var ListExperimentDefinitionsRequest$ = [3, n0, _LEDR,
    0,
    [_AIpp, _CPI, _EIn, _Sta, _MR, _NT],
    [[0, { [_hQ]: _ai }], [0, { [_hQ]: _cpi }], [0, { [_hQ]: _ei }], [0, { [_hQ]: _st }], [1, { [_hQ]: _mr }], [0, { [_hQ]: _nt }]]
];
var ListExperimentRunEventsRequest$ = [3, n0, _LERER,
    0,
    [_AIpp, _EDI, _Ru, _MR, _NT],
    [[0, 1], [0, 1], [1, 1], [1, { [_hQ]: _mr }], [0, { [_hQ]: _nt }]], 3
];
var ListExperimentRunsRequest$ = [3, n0, _LERR,
    0,
    [_AIpp, _EDI, _MR, _NT, _Sta],
    [[0, 1], [0, 1], [1, { [_hQ]: _mr }], [0, { [_hQ]: _nt }], [0, { [_hQ]: _st }]], 2
];
var ListExtensionAssociationsRequest$ = [3, n0, _LEAR,
    0,
    [_RI, _EI, _EVN, _MR, _NT],
    [[0, { [_hQ]: _ri }], [0, { [_hQ]: _ei_ }], [1, { [_hQ]: _evn }], [1, { [_hQ]: _mr }], [0, { [_hQ]: _nt }]]
];
var ListExtensionsRequest$ = [3, n0, _LERi,
    0,
    [_MR, _NT, _N],
    [[1, { [_hQ]: _mr }], [0, { [_hQ]: _nt }], [0, { [_hQ]: _n }]]
];
var ListHostedConfigurationVersionsRequest$ = [3, n0, _LHCVR,
    0,
    [_AIp, _CPIo, _MR, _NT, _VL],
    [[0, 1], [0, 1], [1, { [_hQ]: _mr }], [0, { [_hQ]: _nt }], [0, { [_hQ]: _vl }]], 2
];
var ListTagsForResourceRequest$ = [3, n0, _LTFRR,
    0,
    [_RAe],
    [[0, 1]], 1
];
var Monitor$ = [3, n0, _Mon,
    0,
    [_AA, _ARA],
    [0, 0], 1
];
var Parameter$ = [3, n0, _Pa,
    0,
    [_De, _Req, _Dy],
    [0, 2, 2]
];
var ResourceTags$ = [3, n0, _RTe,
    0,
    [_Ta],
    [128 | 0]
];
var StartDeploymentRequest$ = [3, n0, _SDR,
    0,
    [_AIp, _EInv, _DSI, _CPIo, _CV, _De, _Ta, _KKI, _DEP, _LDN],
    [[0, 1], [0, 1], 0, 0, 0, 0, 128 | 0, 0, [() => DynamicParameterMap, 0], 1], 5
];
var StartExperimentRunRequest$ = [3, n0, _SERR,
    0,
    [_AIpp, _EDI, _De, _EP, _TO, _Ta, _DPe],
    [[0, 1], [0, 1], 0, 1, () => TreatmentOverrides$, 128 | 0, [() => DeploymentParameters$, 0]], 2
];
var StopDeploymentRequest$ = [3, n0, _SDRt,
    0,
    [_AIp, _EInv, _DN, _ARl],
    [[0, 1], [0, 1], [1, 1], [2, { [_hH]: _AR_ }]], 3
];
var StopExperimentRunRequest$ = [3, n0, _SERRt,
    0,
    [_AIpp, _EDI, _Ru, _Re, _DPe],
    [[0, 1], [0, 1], [1, 1], () => ExperimentRunResult$, [() => DeploymentParameters$, 0]], 3
];
var TagResourceRequest$ = [3, n0, _TRR,
    0,
    [_RAe, _Ta],
    [[0, 1], 128 | 0], 2
];
var Treatment$ = [3, n0, _Tre,
    0,
    [_W, _FV, _K, _De],
    [1, () => FlagValue$, 0, 0], 2
];
var TreatmentInput$ = [3, n0, _TI,
    0,
    [_W, _FV, _De],
    [1, () => FlagValue$, 0], 2
];
var UntagResourceRequest$ = [3, n0, _URR,
    0,
    [_RAe, _TK],
    [[0, 1], [64 | 0, { [_hQ]: _tK }]], 2
];
var UpdateAccountSettingsRequest$ = [3, n0, _UASR,
    0,
    [_DP, _VM],
    [() => DeletionProtectionSettings$, () => VendedMetricsSettings$]
];
var UpdateApplicationRequest$ = [3, n0, _UAR,
    0,
    [_AIp, _N, _De],
    [[0, 1], 0, 0], 1
];
var UpdateConfigurationProfileRequest$ = [3, n0, _UCPR,
    0,
    [_AIp, _CPIo, _N, _De, _RRA, _V, _KKI],
    [[0, 1], [0, 1], 0, 0, 0, [() => ValidatorList, 0], 0], 2
];
var UpdateDeploymentStrategyRequest$ = [3, n0, _UDSR,
    0,
    [_DSI, _De, _DDIM, _FBTIM, _GF, _GT],
    [[0, 1], 0, 1, 1, 1, 0], 1
];
var UpdateEnvironmentRequest$ = [3, n0, _UER,
    0,
    [_AIp, _EInv, _N, _De, _Mo],
    [[0, 1], [0, 1], 0, 0, () => MonitorList], 2
];
var UpdateExperimentDefinitionRequest$ = [3, n0, _UEDR,
    0,
    [_AIpp, _EDI, _Tr, _Con, _H, _AR, _AD, _LC],
    [[0, 1], [0, 1], () => TreatmentInputList, () => TreatmentInput$, 0, 0, 0, 0], 2
];
var UpdateExperimentRunRequest$ = [3, n0, _UERR,
    0,
    [_AIpp, _EDI, _Ru, _De, _EP, _TO, _DPe],
    [[0, 1], [0, 1], [1, 1], 0, 1, () => TreatmentOverrides$, [() => DeploymentParameters$, 0]], 3
];
var UpdateExtensionAssociationRequest$ = [3, n0, _UEAR,
    0,
    [_EAI, _P],
    [[0, 1], 128 | 0], 1
];
var UpdateExtensionRequest$ = [3, n0, _UERp,
    0,
    [_EI, _De, _Ac, _P, _VN],
    [[0, 1], 0, () => ActionsMap, () => ParameterMap, 1], 1
];
var ValidateConfigurationRequest$ = [3, n0, _VCR,
    0,
    [_AIp, _CPIo, _CV],
    [[0, 1], [0, 1], [0, { [_hQ]: _cv }]], 3
];
var Validator$ = [3, n0, _Val,
    0,
    [_T, _Co],
    [0, [() => StringWithLengthBetween0And32768, 0]], 2
];
var VendedMetricsSettings$ = [3, n0, _VMS,
    0,
    [_E],
    [2]
];
var __Unit = "unit";
var ActionInvocations = [1, n0, _AIc,
    0, () => ActionInvocation$
];
var ActionList = [1, n0, _AL,
    0, () => Action$
];
var ApplicationList = [1, n0, _ALp,
    0, () => Application$
];
var AppliedExtensions = [1, n0, _AEp,
    0, () => AppliedExtension$
];
var ConfigurationProfileSummaryList = [1, n0, _CPSL,
    0, () => ConfigurationProfileSummary$
];
var DeploymentEvents = [1, n0, _DEe,
    0, () => DeploymentEvent$
];
var DeploymentList = [1, n0, _DL,
    0, () => DeploymentSummary$
];
var DeploymentStrategyList = [1, n0, _DSL,
    0, () => DeploymentStrategy$
];
var EnvironmentList = [1, n0, _ELn,
    0, () => Environment$
];
var ExperimentDefinitionList = [1, n0, _EDL,
    0, () => ExperimentDefinitionSummary$
];
var ExperimentRunEventList = [1, n0, _EREL,
    0, () => ExperimentRunEvent$
];
var ExperimentRunSummaryList = [1, n0, _ERSL,
    0, () => ExperimentRunSummary$
];
var ExtensionAssociationSummaries = [1, n0, _EASx,
    0, () => ExtensionAssociationSummary$
];
var ExtensionSummaries = [1, n0, _ESxt,
    0, () => ExtensionSummary$
];
var HostedConfigurationVersionSummaryList = [1, n0, _HCVSL,
    0, () => HostedConfigurationVersionSummary$
];
var InvalidConfigurationDetailList = [1, n0, _ICDL,
    0, () => InvalidConfigurationDetail$
];
var MonitorList = [1, n0, _ML,
    0, () => Monitor$
];
var TreatmentInputList = [1, n0, _TIL,
    0, () => TreatmentInput$
];
var TreatmentList = [1, n0, _TL,
    0, () => Treatment$
];
var ValidatorList = [1, n0, _VLa,
    0, [() => Validator$,
        0]
];
var ActionsMap = [2, n0, _AM,
    0, 0, () => ActionList
];
var AttributeValueMap = [2, n0, _AVM,
    0, 0, () => AttributeValue$
];
var DynamicParameterMap = [2, n0, _DPM,
    8, 0, 0
];
var ParameterMap = [2, n0, _PM,
    0, 0, () => Parameter$
];
var AttributeValue$ = [4, n0, _AVt,
    0,
    [_SV, _NV, _BV, _SAt, _NA],
    [0, 1, 2, 64 | 0, 64 | 1]
];
var BadRequestDetails$ = [4, n0, _BRD,
    0,
    [_IC],
    [() => InvalidConfigurationDetailList]
];
var TreatmentOverrides$ = [4, n0, _TO,
    0,
    [_In],
    [128 | 0]
];
var CreateApplication$ = [9, n0, _CAre,
    { [_h]: ["POST", "/applications", 201] }, () => CreateApplicationRequest$, () => Application$
];
var CreateConfigurationProfile$ = [9, n0, _CCP,
    { [_h]: ["POST", "/applications/{ApplicationId}/configurationprofiles", 201] }, () => CreateConfigurationProfileRequest$, () => ConfigurationProfile$
];
var CreateDeploymentStrategy$ = [9, n0, _CDS,
    { [_h]: ["POST", "/deploymentstrategies", 201] }, () => CreateDeploymentStrategyRequest$, () => DeploymentStrategy$
];
var CreateEnvironment$ = [9, n0, _CEr,
    { [_h]: ["POST", "/applications/{ApplicationId}/environments", 201] }, () => CreateEnvironmentRequest$, () => Environment$
];
var CreateExperimentDefinition$ = [9, n0, _CED,
    { [_h]: ["POST", "/applications/{ApplicationIdentifier}/experimentdefinitions", 201] }, () => CreateExperimentDefinitionRequest$, () => ExperimentDefinition$
];
var CreateExtension$ = [9, n0, _CEre,
    { [_h]: ["POST", "/extensions", 201] }, () => CreateExtensionRequest$, () => Extension$
];
var CreateExtensionAssociation$ = [9, n0, _CEA,
    { [_h]: ["POST", "/extensionassociations", 201] }, () => CreateExtensionAssociationRequest$, () => ExtensionAssociation$
];
var CreateHostedConfigurationVersion$ = [9, n0, _CHCV,
    { [_h]: ["POST", "/applications/{ApplicationId}/configurationprofiles/{ConfigurationProfileId}/hostedconfigurationversions", 201] }, () => CreateHostedConfigurationVersionRequest$, () => HostedConfigurationVersion$
];
var DeleteApplication$ = [9, n0, _DA,
    { [_h]: ["DELETE", "/applications/{ApplicationId}", 204] }, () => DeleteApplicationRequest$, () => __Unit
];
var DeleteConfigurationProfile$ = [9, n0, _DCP,
    { [_h]: ["DELETE", "/applications/{ApplicationId}/configurationprofiles/{ConfigurationProfileId}", 204] }, () => DeleteConfigurationProfileRequest$, () => __Unit
];
var DeleteDeploymentStrategy$ = [9, n0, _DDS,
    { [_h]: ["DELETE", "/deployementstrategies/{DeploymentStrategyId}", 204] }, () => DeleteDeploymentStrategyRequest$, () => __Unit
];
var DeleteEnvironment$ = [9, n0, _DEel,
    { [_h]: ["DELETE", "/applications/{ApplicationId}/environments/{EnvironmentId}", 204] }, () => DeleteEnvironmentRequest$, () => __Unit
];
var DeleteExperimentDefinition$ = [9, n0, _DED,
    { [_h]: ["DELETE", "/applications/{ApplicationIdentifier}/experimentdefinitions/{ExperimentDefinitionIdentifier}", 204] }, () => DeleteExperimentDefinitionRequest$, () => __Unit
];
var DeleteExtension$ = [9, n0, _DEele,
    { [_h]: ["DELETE", "/extensions/{ExtensionIdentifier}", 204] }, () => DeleteExtensionRequest$, () => __Unit
];
var DeleteExtensionAssociation$ = [9, n0, _DEA,
    { [_h]: ["DELETE", "/extensionassociations/{ExtensionAssociationId}", 204] }, () => DeleteExtensionAssociationRequest$, () => __Unit
];
var DeleteHostedConfigurationVersion$ = [9, n0, _DHCV,
    { [_h]: ["DELETE", "/applications/{ApplicationId}/configurationprofiles/{ConfigurationProfileId}/hostedconfigurationversions/{VersionNumber}", 204] }, () => DeleteHostedConfigurationVersionRequest$, () => __Unit
];
var GetAccountSettings$ = [9, n0, _GAS,
    { [_h]: ["GET", "/settings", 200] }, () => __Unit, () => AccountSettings$
];
var GetApplication$ = [9, n0, _GA,
    { [_h]: ["GET", "/applications/{ApplicationId}", 200] }, () => GetApplicationRequest$, () => Application$
];
var GetConfiguration$ = [9, n0, _GC,
    { [_h]: ["GET", "/applications/{Application}/environments/{Environment}/configurations/{Configuration}", 200] }, () => GetConfigurationRequest$, () => Configuration$
];
var GetConfigurationProfile$ = [9, n0, _GCP,
    { [_h]: ["GET", "/applications/{ApplicationId}/configurationprofiles/{ConfigurationProfileId}", 200] }, () => GetConfigurationProfileRequest$, () => ConfigurationProfile$
];
var GetDeployment$ = [9, n0, _GD,
    { [_h]: ["GET", "/applications/{ApplicationId}/environments/{EnvironmentId}/deployments/{DeploymentNumber}", 200] }, () => GetDeploymentRequest$, () => Deployment$
];
var GetDeploymentStrategy$ = [9, n0, _GDS,
    { [_h]: ["GET", "/deploymentstrategies/{DeploymentStrategyId}", 200] }, () => GetDeploymentStrategyRequest$, () => DeploymentStrategy$
];
var GetEnvironment$ = [9, n0, _GE,
    { [_h]: ["GET", "/applications/{ApplicationId}/environments/{EnvironmentId}", 200] }, () => GetEnvironmentRequest$, () => Environment$
];
var GetExperimentDefinition$ = [9, n0, _GED,
    { [_h]: ["GET", "/applications/{ApplicationIdentifier}/experimentdefinitions/{ExperimentDefinitionIdentifier}", 200] }, () => GetExperimentDefinitionRequest$, () => ExperimentDefinition$
];
var GetExperimentRun$ = [9, n0, _GERet,
    { [_h]: ["GET", "/applications/{ApplicationIdentifier}/experimentdefinitions/{ExperimentDefinitionIdentifier}/experimentruns/{Run}", 200] }, () => GetExperimentRunRequest$, () => ExperimentRun$
];
var GetExtension$ = [9, n0, _GEe,
    { [_h]: ["GET", "/extensions/{ExtensionIdentifier}", 200] }, () => GetExtensionRequest$, () => Extension$
];
var GetExtensionAssociation$ = [9, n0, _GEA,
    { [_h]: ["GET", "/extensionassociations/{ExtensionAssociationId}", 200] }, () => GetExtensionAssociationRequest$, () => ExtensionAssociation$
];
var GetHostedConfigurationVersion$ = [9, n0, _GHCV,
    { [_h]: ["GET", "/applications/{ApplicationId}/configurationprofiles/{ConfigurationProfileId}/hostedconfigurationversions/{VersionNumber}", 200] }, () => GetHostedConfigurationVersionRequest$, () => HostedConfigurationVersion$
];
var ListApplications$ = [9, n0, _LA,
    { [_h]: ["GET", "/applications", 200] }, () => ListApplicationsRequest$, () => Applications$
];
var ListConfigurationProfiles$ = [9, n0, _LCP,
    { [_h]: ["GET", "/applications/{ApplicationId}/configurationprofiles", 200] }, () => ListConfigurationProfilesRequest$, () => ConfigurationProfiles$
];
var ListDeployments$ = [9, n0, _LD,
    { [_h]: ["GET", "/applications/{ApplicationId}/environments/{EnvironmentId}/deployments", 200] }, () => ListDeploymentsRequest$, () => Deployments$
];
var ListDeploymentStrategies$ = [9, n0, _LDS,
    { [_h]: ["GET", "/deploymentstrategies", 200] }, () => ListDeploymentStrategiesRequest$, () => DeploymentStrategies$
];
var ListEnvironments$ = [9, n0, _LE,
    { [_h]: ["GET", "/applications/{ApplicationId}/environments", 200] }, () => ListEnvironmentsRequest$, () => Environments$
];
var ListExperimentDefinitions$ = [9, n0, _LED,
    { [_h]: ["GET", "/experimentdefinitions", 200] }, () => ListExperimentDefinitionsRequest$, () => ExperimentDefinitions$
];
var ListExperimentRunEvents$ = [9, n0, _LERE,
    { [_h]: ["GET", "/applications/{ApplicationIdentifier}/experimentdefinitions/{ExperimentDefinitionIdentifier}/experimentruns/{Run}/events", 200] }, () => ListExperimentRunEventsRequest$, () => ExperimentRunEvents$
];
var ListExperimentRuns$ = [9, n0, _LERis,
    { [_h]: ["GET", "/applications/{ApplicationIdentifier}/experimentdefinitions/{ExperimentDefinitionIdentifier}/experimentruns", 200] }, () => ListExperimentRunsRequest$, () => ExperimentRuns$
];
var ListExtensionAssociations$ = [9, n0, _LEA,
    { [_h]: ["GET", "/extensionassociations", 200] }, () => ListExtensionAssociationsRequest$, () => ExtensionAssociations$
];
var ListExtensions$ = [9, n0, _LEi,
    { [_h]: ["GET", "/extensions", 200] }, () => ListExtensionsRequest$, () => Extensions$
];
var ListHostedConfigurationVersions$ = [9, n0, _LHCV,
    { [_h]: ["GET", "/applications/{ApplicationId}/configurationprofiles/{ConfigurationProfileId}/hostedconfigurationversions", 200] }, () => ListHostedConfigurationVersionsRequest$, () => HostedConfigurationVersions$
];
var ListTagsForResource$ = [9, n0, _LTFR,
    { [_h]: ["GET", "/tags/{ResourceArn}", 200] }, () => ListTagsForResourceRequest$, () => ResourceTags$
];
var StartDeployment$ = [9, n0, _SD,
    { [_h]: ["POST", "/applications/{ApplicationId}/environments/{EnvironmentId}/deployments", 201] }, () => StartDeploymentRequest$, () => Deployment$
];
var StartExperimentRun$ = [9, n0, _SER,
    { [_h]: ["POST", "/applications/{ApplicationIdentifier}/experimentdefinitions/{ExperimentDefinitionIdentifier}/experimentruns", 201] }, () => StartExperimentRunRequest$, () => ExperimentRun$
];
var StopDeployment$ = [9, n0, _SDt,
    { [_h]: ["DELETE", "/applications/{ApplicationId}/environments/{EnvironmentId}/deployments/{DeploymentNumber}", 202] }, () => StopDeploymentRequest$, () => Deployment$
];
var StopExperimentRun$ = [9, n0, _SERt,
    { [_h]: ["PATCH", "/applications/{ApplicationIdentifier}/experimentdefinitions/{ExperimentDefinitionIdentifier}/experimentruns/{Run}/stop", 200] }, () => StopExperimentRunRequest$, () => ExperimentRun$
];
var TagResource$ = [9, n0, _TR,
    { [_h]: ["POST", "/tags/{ResourceArn}", 204] }, () => TagResourceRequest$, () => __Unit
];
var UntagResource$ = [9, n0, _UR,
    { [_h]: ["DELETE", "/tags/{ResourceArn}", 204] }, () => UntagResourceRequest$, () => __Unit
];
var UpdateAccountSettings$ = [9, n0, _UAS,
    { [_h]: ["PATCH", "/settings", 200] }, () => UpdateAccountSettingsRequest$, () => AccountSettings$
];
var UpdateApplication$ = [9, n0, _UAp,
    { [_h]: ["PATCH", "/applications/{ApplicationId}", 200] }, () => UpdateApplicationRequest$, () => Application$
];
var UpdateConfigurationProfile$ = [9, n0, _UCP,
    { [_h]: ["PATCH", "/applications/{ApplicationId}/configurationprofiles/{ConfigurationProfileId}", 200] }, () => UpdateConfigurationProfileRequest$, () => ConfigurationProfile$
];
var UpdateDeploymentStrategy$ = [9, n0, _UDS,
    { [_h]: ["PATCH", "/deploymentstrategies/{DeploymentStrategyId}", 200] }, () => UpdateDeploymentStrategyRequest$, () => DeploymentStrategy$
];
var UpdateEnvironment$ = [9, n0, _UE,
    { [_h]: ["PATCH", "/applications/{ApplicationId}/environments/{EnvironmentId}", 200] }, () => UpdateEnvironmentRequest$, () => Environment$
];
var UpdateExperimentDefinition$ = [9, n0, _UED,
    { [_h]: ["PATCH", "/applications/{ApplicationIdentifier}/experimentdefinitions/{ExperimentDefinitionIdentifier}", 200] }, () => UpdateExperimentDefinitionRequest$, () => ExperimentDefinition$
];
var UpdateExperimentRun$ = [9, n0, _UERpd,
    { [_h]: ["PATCH", "/applications/{ApplicationIdentifier}/experimentdefinitions/{ExperimentDefinitionIdentifier}/experimentruns/{Run}/update", 200] }, () => UpdateExperimentRunRequest$, () => ExperimentRun$
];
var UpdateExtension$ = [9, n0, _UEp,
    { [_h]: ["PATCH", "/extensions/{ExtensionIdentifier}", 200] }, () => UpdateExtensionRequest$, () => Extension$
];
var UpdateExtensionAssociation$ = [9, n0, _UEA,
    { [_h]: ["PATCH", "/extensionassociations/{ExtensionAssociationId}", 200] }, () => UpdateExtensionAssociationRequest$, () => ExtensionAssociation$
];
var ValidateConfiguration$ = [9, n0, _VC,
    { [_h]: ["POST", "/applications/{ApplicationId}/configurationprofiles/{ConfigurationProfileId}/validators", 204] }, () => ValidateConfigurationRequest$, () => __Unit
];

const getRuntimeConfig$1 = (config) => {
    return {
        apiVersion: "2019-10-09",
        base64Decoder: config?.base64Decoder ?? fromBase64,
        base64Encoder: config?.base64Encoder ?? toBase64,
        disableHostPrefix: config?.disableHostPrefix ?? false,
        endpointProvider: config?.endpointProvider ?? defaultEndpointResolver,
        extensions: config?.extensions ?? [],
        httpAuthSchemeProvider: config?.httpAuthSchemeProvider ?? defaultAppConfigHttpAuthSchemeProvider,
        httpAuthSchemes: config?.httpAuthSchemes ?? [
            {
                schemeId: "aws.auth#sigv4",
                identityProvider: (ipc) => ipc.getIdentityProvider("aws.auth#sigv4"),
                signer: new AwsSdkSigV4Signer(),
            },
        ],
        logger: config?.logger ?? new NoOpLogger(),
        protocol: config?.protocol ?? AwsRestJsonProtocol,
        protocolSettings: config?.protocolSettings ?? {
            defaultNamespace: "com.amazonaws.appconfig",
            errorTypeRegistries,
            version: "2019-10-09",
            serviceTarget: "AmazonAppConfig",
        },
        serviceId: config?.serviceId ?? "AppConfig",
        sha256: config?.sha256 ?? Sha256,
        urlParser: config?.urlParser ?? parseUrl,
        utf8Decoder: config?.utf8Decoder ?? fromUtf8,
        utf8Encoder: config?.utf8Encoder ?? toUtf8,
    };
};

const getRuntimeConfig = (config) => {
    emitWarningIfUnsupportedVersion(process.version);
    const defaultsMode = resolveDefaultsModeConfig(config);
    const defaultConfigProvider = () => defaultsMode().then(loadConfigsForDefaultMode);
    const clientSharedValues = getRuntimeConfig$1(config);
    emitWarningIfUnsupportedVersion$1(process.version);
    const loaderConfig = {
        profile: config?.profile,
        logger: clientSharedValues.logger,
    };
    return {
        ...clientSharedValues,
        ...config,
        runtime: "node",
        defaultsMode,
        authSchemePreference: config?.authSchemePreference ?? loadConfig(NODE_AUTH_SCHEME_PREFERENCE_OPTIONS, loaderConfig),
        bodyLengthChecker: config?.bodyLengthChecker ?? calculateBodyLength,
        credentialDefaultProvider: config?.credentialDefaultProvider ?? defaultProvider,
        defaultUserAgentProvider: config?.defaultUserAgentProvider ?? createDefaultUserAgentProvider({ serviceId: clientSharedValues.serviceId, clientVersion: packageInfo.version }),
        maxAttempts: config?.maxAttempts ?? loadConfig(NODE_MAX_ATTEMPT_CONFIG_OPTIONS, config),
        region: config?.region ?? loadConfig(NODE_REGION_CONFIG_OPTIONS, { ...NODE_REGION_CONFIG_FILE_OPTIONS, ...loaderConfig }),
        requestHandler: NodeHttpHandler.create(config?.requestHandler ?? defaultConfigProvider),
        retryMode: config?.retryMode ??
            loadConfig({
                ...NODE_RETRY_MODE_CONFIG_OPTIONS,
                default: async () => (await defaultConfigProvider()).retryMode || DEFAULT_RETRY_MODE,
            }, config),
        streamCollector: config?.streamCollector ?? streamCollector,
        useDualstackEndpoint: config?.useDualstackEndpoint ?? loadConfig(NODE_USE_DUALSTACK_ENDPOINT_CONFIG_OPTIONS, loaderConfig),
        useFipsEndpoint: config?.useFipsEndpoint ?? loadConfig(NODE_USE_FIPS_ENDPOINT_CONFIG_OPTIONS, loaderConfig),
        userAgentAppId: config?.userAgentAppId ?? loadConfig(NODE_APP_ID_CONFIG_OPTIONS, loaderConfig),
    };
};

const getHttpAuthExtensionConfiguration = (runtimeConfig) => {
    const _httpAuthSchemes = runtimeConfig.httpAuthSchemes;
    let _httpAuthSchemeProvider = runtimeConfig.httpAuthSchemeProvider;
    let _credentials = runtimeConfig.credentials;
    return {
        setHttpAuthScheme(httpAuthScheme) {
            const index = _httpAuthSchemes.findIndex((scheme) => scheme.schemeId === httpAuthScheme.schemeId);
            if (index === -1) {
                _httpAuthSchemes.push(httpAuthScheme);
            }
            else {
                _httpAuthSchemes.splice(index, 1, httpAuthScheme);
            }
        },
        httpAuthSchemes() {
            return _httpAuthSchemes;
        },
        setHttpAuthSchemeProvider(httpAuthSchemeProvider) {
            _httpAuthSchemeProvider = httpAuthSchemeProvider;
        },
        httpAuthSchemeProvider() {
            return _httpAuthSchemeProvider;
        },
        setCredentials(credentials) {
            _credentials = credentials;
        },
        credentials() {
            return _credentials;
        },
    };
};
const resolveHttpAuthRuntimeConfig = (config) => {
    return {
        httpAuthSchemes: config.httpAuthSchemes(),
        httpAuthSchemeProvider: config.httpAuthSchemeProvider(),
        credentials: config.credentials(),
    };
};

const resolveRuntimeExtensions = (runtimeConfig, extensions) => {
    const extensionConfiguration = Object.assign(getAwsRegionExtensionConfiguration(runtimeConfig), getDefaultExtensionConfiguration(runtimeConfig), getHttpHandlerExtensionConfiguration(runtimeConfig), getHttpAuthExtensionConfiguration(runtimeConfig));
    extensions.forEach((extension) => extension.configure(extensionConfiguration));
    return Object.assign(runtimeConfig, resolveAwsRegionExtensionConfiguration(extensionConfiguration), resolveDefaultRuntimeConfig(extensionConfiguration), resolveHttpHandlerRuntimeConfig(extensionConfiguration), resolveHttpAuthRuntimeConfig(extensionConfiguration));
};

class AppConfigClient extends Client {
    config;
    constructor(...[configuration]) {
        const _config_0 = getRuntimeConfig(configuration || {});
        super(_config_0);
        this.initConfig = _config_0;
        const _config_1 = resolveClientEndpointParameters(_config_0);
        const _config_2 = resolveUserAgentConfig(_config_1);
        const _config_3 = resolveRetryConfig(_config_2);
        const _config_4 = resolveRegionConfig(_config_3);
        const _config_5 = resolveHostHeaderConfig(_config_4);
        const _config_6 = resolveEndpointConfig(_config_5);
        const _config_7 = resolveHttpAuthSchemeConfig(_config_6);
        const _config_8 = resolveRuntimeExtensions(_config_7, configuration?.extensions || []);
        this.config = _config_8;
        this.middlewareStack.use(getSchemaSerdePlugin(this.config));
        this.middlewareStack.use(getUserAgentPlugin(this.config));
        this.middlewareStack.use(getRetryPlugin(this.config));
        this.middlewareStack.use(getContentLengthPlugin(this.config));
        this.middlewareStack.use(getHostHeaderPlugin(this.config));
        this.middlewareStack.use(getLoggerPlugin(this.config));
        this.middlewareStack.use(getRecursionDetectionPlugin(this.config));
        this.middlewareStack.use(getHttpAuthSchemeEndpointRuleSetPlugin(this.config, {
            httpAuthSchemeParametersProvider: defaultAppConfigHttpAuthSchemeParametersProvider,
            identityProviderConfigProvider: async (config) => new DefaultIdentityProviderConfig({
                "aws.auth#sigv4": config.credentials,
            }),
        }));
        this.middlewareStack.use(getHttpSigningPlugin(this.config));
    }
    destroy() {
        super.destroy();
    }
}

const command = makeBuilder(commonParams, "AmazonAppConfig", "AppConfigClient", getEndpointPlugin);
const _ep0 = {};
const _mw0 = (Command, cs, config, o) => [];

class CreateApplicationCommand extends command(_ep0, _mw0, "CreateApplication", CreateApplication$) {
}

class CreateConfigurationProfileCommand extends command(_ep0, _mw0, "CreateConfigurationProfile", CreateConfigurationProfile$) {
}

class CreateDeploymentStrategyCommand extends command(_ep0, _mw0, "CreateDeploymentStrategy", CreateDeploymentStrategy$) {
}

class CreateEnvironmentCommand extends command(_ep0, _mw0, "CreateEnvironment", CreateEnvironment$) {
}

class CreateExperimentDefinitionCommand extends command(_ep0, _mw0, "CreateExperimentDefinition", CreateExperimentDefinition$) {
}

class CreateExtensionAssociationCommand extends command(_ep0, _mw0, "CreateExtensionAssociation", CreateExtensionAssociation$) {
}

class CreateExtensionCommand extends command(_ep0, _mw0, "CreateExtension", CreateExtension$) {
}

class CreateHostedConfigurationVersionCommand extends command(_ep0, _mw0, "CreateHostedConfigurationVersion", CreateHostedConfigurationVersion$) {
}

class DeleteApplicationCommand extends command(_ep0, _mw0, "DeleteApplication", DeleteApplication$) {
}

class DeleteConfigurationProfileCommand extends command(_ep0, _mw0, "DeleteConfigurationProfile", DeleteConfigurationProfile$) {
}

class DeleteDeploymentStrategyCommand extends command(_ep0, _mw0, "DeleteDeploymentStrategy", DeleteDeploymentStrategy$) {
}

class DeleteEnvironmentCommand extends command(_ep0, _mw0, "DeleteEnvironment", DeleteEnvironment$) {
}

class DeleteExperimentDefinitionCommand extends command(_ep0, _mw0, "DeleteExperimentDefinition", DeleteExperimentDefinition$) {
}

class DeleteExtensionAssociationCommand extends command(_ep0, _mw0, "DeleteExtensionAssociation", DeleteExtensionAssociation$) {
}

class DeleteExtensionCommand extends command(_ep0, _mw0, "DeleteExtension", DeleteExtension$) {
}

class DeleteHostedConfigurationVersionCommand extends command(_ep0, _mw0, "DeleteHostedConfigurationVersion", DeleteHostedConfigurationVersion$) {
}

class GetAccountSettingsCommand extends command(_ep0, _mw0, "GetAccountSettings", GetAccountSettings$) {
}

class GetApplicationCommand extends command(_ep0, _mw0, "GetApplication", GetApplication$) {
}

class GetConfigurationCommand extends command(_ep0, _mw0, "GetConfiguration", GetConfiguration$) {
}

class GetConfigurationProfileCommand extends command(_ep0, _mw0, "GetConfigurationProfile", GetConfigurationProfile$) {
}

class GetDeploymentCommand extends command(_ep0, _mw0, "GetDeployment", GetDeployment$) {
}

class GetDeploymentStrategyCommand extends command(_ep0, _mw0, "GetDeploymentStrategy", GetDeploymentStrategy$) {
}

class GetEnvironmentCommand extends command(_ep0, _mw0, "GetEnvironment", GetEnvironment$) {
}

class GetExperimentDefinitionCommand extends command(_ep0, _mw0, "GetExperimentDefinition", GetExperimentDefinition$) {
}

class GetExperimentRunCommand extends command(_ep0, _mw0, "GetExperimentRun", GetExperimentRun$) {
}

class GetExtensionAssociationCommand extends command(_ep0, _mw0, "GetExtensionAssociation", GetExtensionAssociation$) {
}

class GetExtensionCommand extends command(_ep0, _mw0, "GetExtension", GetExtension$) {
}

class GetHostedConfigurationVersionCommand extends command(_ep0, _mw0, "GetHostedConfigurationVersion", GetHostedConfigurationVersion$) {
}

class ListApplicationsCommand extends command(_ep0, _mw0, "ListApplications", ListApplications$) {
}

class ListConfigurationProfilesCommand extends command(_ep0, _mw0, "ListConfigurationProfiles", ListConfigurationProfiles$) {
}

class ListDeploymentsCommand extends command(_ep0, _mw0, "ListDeployments", ListDeployments$) {
}

class ListDeploymentStrategiesCommand extends command(_ep0, _mw0, "ListDeploymentStrategies", ListDeploymentStrategies$) {
}

class ListEnvironmentsCommand extends command(_ep0, _mw0, "ListEnvironments", ListEnvironments$) {
}

class ListExperimentDefinitionsCommand extends command(_ep0, _mw0, "ListExperimentDefinitions", ListExperimentDefinitions$) {
}

class ListExperimentRunEventsCommand extends command(_ep0, _mw0, "ListExperimentRunEvents", ListExperimentRunEvents$) {
}

class ListExperimentRunsCommand extends command(_ep0, _mw0, "ListExperimentRuns", ListExperimentRuns$) {
}

class ListExtensionAssociationsCommand extends command(_ep0, _mw0, "ListExtensionAssociations", ListExtensionAssociations$) {
}

class ListExtensionsCommand extends command(_ep0, _mw0, "ListExtensions", ListExtensions$) {
}

class ListHostedConfigurationVersionsCommand extends command(_ep0, _mw0, "ListHostedConfigurationVersions", ListHostedConfigurationVersions$) {
}

class ListTagsForResourceCommand extends command(_ep0, _mw0, "ListTagsForResource", ListTagsForResource$) {
}

class StartDeploymentCommand extends command(_ep0, _mw0, "StartDeployment", StartDeployment$) {
}

class StartExperimentRunCommand extends command(_ep0, _mw0, "StartExperimentRun", StartExperimentRun$) {
}

class StopDeploymentCommand extends command(_ep0, _mw0, "StopDeployment", StopDeployment$) {
}

class StopExperimentRunCommand extends command(_ep0, _mw0, "StopExperimentRun", StopExperimentRun$) {
}

class TagResourceCommand extends command(_ep0, _mw0, "TagResource", TagResource$) {
}

class UntagResourceCommand extends command(_ep0, _mw0, "UntagResource", UntagResource$) {
}

class UpdateAccountSettingsCommand extends command(_ep0, _mw0, "UpdateAccountSettings", UpdateAccountSettings$) {
}

class UpdateApplicationCommand extends command(_ep0, _mw0, "UpdateApplication", UpdateApplication$) {
}

class UpdateConfigurationProfileCommand extends command(_ep0, _mw0, "UpdateConfigurationProfile", UpdateConfigurationProfile$) {
}

class UpdateDeploymentStrategyCommand extends command(_ep0, _mw0, "UpdateDeploymentStrategy", UpdateDeploymentStrategy$) {
}

class UpdateEnvironmentCommand extends command(_ep0, _mw0, "UpdateEnvironment", UpdateEnvironment$) {
}

class UpdateExperimentDefinitionCommand extends command(_ep0, _mw0, "UpdateExperimentDefinition", UpdateExperimentDefinition$) {
}

class UpdateExperimentRunCommand extends command(_ep0, _mw0, "UpdateExperimentRun", UpdateExperimentRun$) {
}

class UpdateExtensionAssociationCommand extends command(_ep0, _mw0, "UpdateExtensionAssociation", UpdateExtensionAssociation$) {
}

class UpdateExtensionCommand extends command(_ep0, _mw0, "UpdateExtension", UpdateExtension$) {
}

class ValidateConfigurationCommand extends command(_ep0, _mw0, "ValidateConfiguration", ValidateConfiguration$) {
}

const paginateListApplications = createPaginator(AppConfigClient, ListApplicationsCommand, "NextToken", "NextToken", "MaxResults");

const paginateListConfigurationProfiles = createPaginator(AppConfigClient, ListConfigurationProfilesCommand, "NextToken", "NextToken", "MaxResults");

const paginateListDeployments = createPaginator(AppConfigClient, ListDeploymentsCommand, "NextToken", "NextToken", "MaxResults");

const paginateListDeploymentStrategies = createPaginator(AppConfigClient, ListDeploymentStrategiesCommand, "NextToken", "NextToken", "MaxResults");

const paginateListEnvironments = createPaginator(AppConfigClient, ListEnvironmentsCommand, "NextToken", "NextToken", "MaxResults");

const paginateListExperimentDefinitions = createPaginator(AppConfigClient, ListExperimentDefinitionsCommand, "NextToken", "NextToken", "MaxResults");

const paginateListExperimentRunEvents = createPaginator(AppConfigClient, ListExperimentRunEventsCommand, "NextToken", "NextToken", "MaxResults");

const paginateListExperimentRuns = createPaginator(AppConfigClient, ListExperimentRunsCommand, "NextToken", "NextToken", "MaxResults");

const paginateListExtensionAssociations = createPaginator(AppConfigClient, ListExtensionAssociationsCommand, "NextToken", "NextToken", "MaxResults");

const paginateListExtensions = createPaginator(AppConfigClient, ListExtensionsCommand, "NextToken", "NextToken", "MaxResults");

const paginateListHostedConfigurationVersions = createPaginator(AppConfigClient, ListHostedConfigurationVersionsCommand, "NextToken", "NextToken", "MaxResults");

const checkState$1 = async (client, input) => {
    let reason;
    try {
        let result = await client.send(new GetDeploymentCommand(input));
        reason = result;
        try {
            const returnComparator = () => {
                return result.State;
            };
            if (returnComparator() === "COMPLETE") {
                return { state: WaiterState.SUCCESS, reason };
            }
        }
        catch (e) { }
        try {
            const returnComparator = () => {
                return result.State;
            };
            if (returnComparator() === "ROLLED_BACK") {
                return { state: WaiterState.FAILURE, reason };
            }
        }
        catch (e) { }
        try {
            const returnComparator = () => {
                return result.State;
            };
            if (returnComparator() === "REVERTED") {
                return { state: WaiterState.FAILURE, reason };
            }
        }
        catch (e) { }
    }
    catch (exception) {
        reason = exception;
    }
    return { state: WaiterState.RETRY, reason };
};
const waitForDeploymentComplete = async (params, input) => {
    const serviceDefaults = { minDelay: 30, maxDelay: 120 };
    return createWaiter({ ...serviceDefaults, ...params }, input, checkState$1);
};
const waitUntilDeploymentComplete = async (params, input) => {
    const serviceDefaults = { minDelay: 30, maxDelay: 120 };
    const result = await createWaiter({ ...serviceDefaults, ...params }, input, checkState$1);
    return checkExceptions(result);
};

const checkState = async (client, input) => {
    let reason;
    try {
        let result = await client.send(new GetEnvironmentCommand(input));
        reason = result;
        try {
            const returnComparator = () => {
                return result.State;
            };
            if (returnComparator() === "ReadyForDeployment") {
                return { state: WaiterState.SUCCESS, reason };
            }
        }
        catch (e) { }
        try {
            const returnComparator = () => {
                return result.State;
            };
            if (returnComparator() === "RolledBack") {
                return { state: WaiterState.FAILURE, reason };
            }
        }
        catch (e) { }
        try {
            const returnComparator = () => {
                return result.State;
            };
            if (returnComparator() === "Reverted") {
                return { state: WaiterState.FAILURE, reason };
            }
        }
        catch (e) { }
    }
    catch (exception) {
        reason = exception;
    }
    return { state: WaiterState.RETRY, reason };
};
const waitForEnvironmentReadyForDeployment = async (params, input) => {
    const serviceDefaults = { minDelay: 30, maxDelay: 120 };
    return createWaiter({ ...serviceDefaults, ...params }, input, checkState);
};
const waitUntilEnvironmentReadyForDeployment = async (params, input) => {
    const serviceDefaults = { minDelay: 30, maxDelay: 120 };
    const result = await createWaiter({ ...serviceDefaults, ...params }, input, checkState);
    return checkExceptions(result);
};

const commands = {
    CreateApplicationCommand,
    CreateConfigurationProfileCommand,
    CreateDeploymentStrategyCommand,
    CreateEnvironmentCommand,
    CreateExperimentDefinitionCommand,
    CreateExtensionCommand,
    CreateExtensionAssociationCommand,
    CreateHostedConfigurationVersionCommand,
    DeleteApplicationCommand,
    DeleteConfigurationProfileCommand,
    DeleteDeploymentStrategyCommand,
    DeleteEnvironmentCommand,
    DeleteExperimentDefinitionCommand,
    DeleteExtensionCommand,
    DeleteExtensionAssociationCommand,
    DeleteHostedConfigurationVersionCommand,
    GetAccountSettingsCommand,
    GetApplicationCommand,
    GetConfigurationCommand,
    GetConfigurationProfileCommand,
    GetDeploymentCommand,
    GetDeploymentStrategyCommand,
    GetEnvironmentCommand,
    GetExperimentDefinitionCommand,
    GetExperimentRunCommand,
    GetExtensionCommand,
    GetExtensionAssociationCommand,
    GetHostedConfigurationVersionCommand,
    ListApplicationsCommand,
    ListConfigurationProfilesCommand,
    ListDeploymentsCommand,
    ListDeploymentStrategiesCommand,
    ListEnvironmentsCommand,
    ListExperimentDefinitionsCommand,
    ListExperimentRunEventsCommand,
    ListExperimentRunsCommand,
    ListExtensionAssociationsCommand,
    ListExtensionsCommand,
    ListHostedConfigurationVersionsCommand,
    ListTagsForResourceCommand,
    StartDeploymentCommand,
    StartExperimentRunCommand,
    StopDeploymentCommand,
    StopExperimentRunCommand,
    TagResourceCommand,
    UntagResourceCommand,
    UpdateAccountSettingsCommand,
    UpdateApplicationCommand,
    UpdateConfigurationProfileCommand,
    UpdateDeploymentStrategyCommand,
    UpdateEnvironmentCommand,
    UpdateExperimentDefinitionCommand,
    UpdateExperimentRunCommand,
    UpdateExtensionCommand,
    UpdateExtensionAssociationCommand,
    ValidateConfigurationCommand,
};
const paginators = {
    paginateListApplications,
    paginateListConfigurationProfiles,
    paginateListDeployments,
    paginateListDeploymentStrategies,
    paginateListEnvironments,
    paginateListExperimentDefinitions,
    paginateListExperimentRunEvents,
    paginateListExperimentRuns,
    paginateListExtensionAssociations,
    paginateListExtensions,
    paginateListHostedConfigurationVersions,
};
const waiters = {
    waitUntilDeploymentComplete,
    waitUntilEnvironmentReadyForDeployment,
};
class AppConfig extends AppConfigClient {
}
createAggregatedClient(commands, AppConfig, { paginators, waiters });

const ActionPoint = {
    AT_DEPLOYMENT_TICK: "AT_DEPLOYMENT_TICK",
    ON_DEPLOYMENT_BAKING: "ON_DEPLOYMENT_BAKING",
    ON_DEPLOYMENT_COMPLETE: "ON_DEPLOYMENT_COMPLETE",
    ON_DEPLOYMENT_ROLLED_BACK: "ON_DEPLOYMENT_ROLLED_BACK",
    ON_DEPLOYMENT_START: "ON_DEPLOYMENT_START",
    ON_DEPLOYMENT_STEP: "ON_DEPLOYMENT_STEP",
    PRE_CREATE_HOSTED_CONFIGURATION_VERSION: "PRE_CREATE_HOSTED_CONFIGURATION_VERSION",
    PRE_START_DEPLOYMENT: "PRE_START_DEPLOYMENT",
};
const BadRequestReason = {
    INVALID_CONFIGURATION: "InvalidConfiguration",
};
const ValidatorType = {
    JSON_SCHEMA: "JSON_SCHEMA",
    LAMBDA: "LAMBDA",
};
const GrowthType = {
    EXPONENTIAL: "EXPONENTIAL",
    LINEAR: "LINEAR",
};
const ReplicateTo = {
    NONE: "NONE",
    SSM_DOCUMENT: "SSM_DOCUMENT",
};
const EnvironmentState = {
    DEPLOYING: "DEPLOYING",
    READY_FOR_DEPLOYMENT: "READY_FOR_DEPLOYMENT",
    REVERTED: "REVERTED",
    ROLLED_BACK: "ROLLED_BACK",
    ROLLING_BACK: "ROLLING_BACK",
};
const ExperimentDefinitionStatus = {
    ACTIVE: "ACTIVE",
    ARCHIVED: "ARCHIVED",
    IDLE: "IDLE",
};
const BytesMeasure = {
    KILOBYTES: "KILOBYTES",
};
const DeletionProtectionCheck = {
    ACCOUNT_DEFAULT: "ACCOUNT_DEFAULT",
    APPLY: "APPLY",
    BYPASS: "BYPASS",
};
const DeleteType = {
    ARCHIVE: "ARCHIVE",
    DESTROY: "DESTROY",
};
const DeploymentEventType = {
    BAKE_TIME_STARTED: "BAKE_TIME_STARTED",
    DEPLOYMENT_COMPLETED: "DEPLOYMENT_COMPLETED",
    DEPLOYMENT_STARTED: "DEPLOYMENT_STARTED",
    PERCENTAGE_UPDATED: "PERCENTAGE_UPDATED",
    REVERT_COMPLETED: "REVERT_COMPLETED",
    ROLLBACK_COMPLETED: "ROLLBACK_COMPLETED",
    ROLLBACK_STARTED: "ROLLBACK_STARTED",
};
const TriggeredBy = {
    APPCONFIG: "APPCONFIG",
    CLOUDWATCH_ALARM: "CLOUDWATCH_ALARM",
    INTERNAL_ERROR: "INTERNAL_ERROR",
    USER: "USER",
};
const DeploymentState = {
    BAKING: "BAKING",
    COMPLETE: "COMPLETE",
    DEPLOYING: "DEPLOYING",
    REVERTED: "REVERTED",
    ROLLED_BACK: "ROLLED_BACK",
    ROLLING_BACK: "ROLLING_BACK",
    VALIDATING: "VALIDATING",
};
const ExperimentRunStatus = {
    DONE: "DONE",
    RUNNING: "RUNNING",
};
const DeploymentType = {
    MANAGED: "MANAGED",
    USER: "USER",
};
const ExperimentRunEventType = {
    EXPOSURE_UPDATED: "EXPOSURE_UPDATED",
    OVERRIDES_UPDATED: "OVERRIDES_UPDATED",
    RUN_STARTED: "RUN_STARTED",
    RUN_STOPPED: "RUN_STOPPED",
};

__webpack_unused_export__ = AccountSettings$;
__webpack_unused_export__ = Action$;
__webpack_unused_export__ = ActionInvocation$;
__webpack_unused_export__ = ActionPoint;
__webpack_unused_export__ = AppConfig;
exports.pkX = AppConfigClient;
__webpack_unused_export__ = AppConfigServiceException;
__webpack_unused_export__ = AppConfigServiceException$;
__webpack_unused_export__ = Application$;
__webpack_unused_export__ = Applications$;
__webpack_unused_export__ = AppliedExtension$;
__webpack_unused_export__ = AttributeValue$;
__webpack_unused_export__ = BadRequestDetails$;
__webpack_unused_export__ = BadRequestException;
__webpack_unused_export__ = BadRequestException$;
__webpack_unused_export__ = BadRequestReason;
__webpack_unused_export__ = BytesMeasure;
__webpack_unused_export__ = Configuration$;
__webpack_unused_export__ = ConfigurationProfile$;
__webpack_unused_export__ = ConfigurationProfileSummary$;
__webpack_unused_export__ = ConfigurationProfiles$;
__webpack_unused_export__ = ConflictException;
__webpack_unused_export__ = ConflictException$;
__webpack_unused_export__ = CreateApplication$;
__webpack_unused_export__ = CreateApplicationCommand;
__webpack_unused_export__ = CreateApplicationRequest$;
__webpack_unused_export__ = CreateConfigurationProfile$;
__webpack_unused_export__ = CreateConfigurationProfileCommand;
__webpack_unused_export__ = CreateConfigurationProfileRequest$;
__webpack_unused_export__ = CreateDeploymentStrategy$;
__webpack_unused_export__ = CreateDeploymentStrategyCommand;
__webpack_unused_export__ = CreateDeploymentStrategyRequest$;
__webpack_unused_export__ = CreateEnvironment$;
__webpack_unused_export__ = CreateEnvironmentCommand;
__webpack_unused_export__ = CreateEnvironmentRequest$;
__webpack_unused_export__ = CreateExperimentDefinition$;
__webpack_unused_export__ = CreateExperimentDefinitionCommand;
__webpack_unused_export__ = CreateExperimentDefinitionRequest$;
__webpack_unused_export__ = CreateExtension$;
__webpack_unused_export__ = CreateExtensionAssociation$;
__webpack_unused_export__ = CreateExtensionAssociationCommand;
__webpack_unused_export__ = CreateExtensionAssociationRequest$;
__webpack_unused_export__ = CreateExtensionCommand;
__webpack_unused_export__ = CreateExtensionRequest$;
__webpack_unused_export__ = CreateHostedConfigurationVersion$;
exports.vjC = CreateHostedConfigurationVersionCommand;
__webpack_unused_export__ = CreateHostedConfigurationVersionRequest$;
__webpack_unused_export__ = DeleteApplication$;
__webpack_unused_export__ = DeleteApplicationCommand;
__webpack_unused_export__ = DeleteApplicationRequest$;
__webpack_unused_export__ = DeleteConfigurationProfile$;
__webpack_unused_export__ = DeleteConfigurationProfileCommand;
__webpack_unused_export__ = DeleteConfigurationProfileRequest$;
__webpack_unused_export__ = DeleteDeploymentStrategy$;
__webpack_unused_export__ = DeleteDeploymentStrategyCommand;
__webpack_unused_export__ = DeleteDeploymentStrategyRequest$;
__webpack_unused_export__ = DeleteEnvironment$;
__webpack_unused_export__ = DeleteEnvironmentCommand;
__webpack_unused_export__ = DeleteEnvironmentRequest$;
__webpack_unused_export__ = DeleteExperimentDefinition$;
__webpack_unused_export__ = DeleteExperimentDefinitionCommand;
__webpack_unused_export__ = DeleteExperimentDefinitionRequest$;
__webpack_unused_export__ = DeleteExtension$;
__webpack_unused_export__ = DeleteExtensionAssociation$;
__webpack_unused_export__ = DeleteExtensionAssociationCommand;
__webpack_unused_export__ = DeleteExtensionAssociationRequest$;
__webpack_unused_export__ = DeleteExtensionCommand;
__webpack_unused_export__ = DeleteExtensionRequest$;
__webpack_unused_export__ = DeleteHostedConfigurationVersion$;
__webpack_unused_export__ = DeleteHostedConfigurationVersionCommand;
__webpack_unused_export__ = DeleteHostedConfigurationVersionRequest$;
__webpack_unused_export__ = DeleteType;
__webpack_unused_export__ = DeletionProtectionCheck;
__webpack_unused_export__ = DeletionProtectionSettings$;
__webpack_unused_export__ = Deployment$;
__webpack_unused_export__ = DeploymentEvent$;
__webpack_unused_export__ = DeploymentEventType;
__webpack_unused_export__ = DeploymentParameters$;
__webpack_unused_export__ = DeploymentState;
__webpack_unused_export__ = DeploymentStrategies$;
__webpack_unused_export__ = DeploymentStrategy$;
__webpack_unused_export__ = DeploymentSummary$;
__webpack_unused_export__ = DeploymentType;
__webpack_unused_export__ = Deployments$;
__webpack_unused_export__ = Environment$;
__webpack_unused_export__ = EnvironmentState;
__webpack_unused_export__ = Environments$;
__webpack_unused_export__ = ExperimentDefinition$;
__webpack_unused_export__ = ExperimentDefinitionSnapshot$;
__webpack_unused_export__ = ExperimentDefinitionStatus;
__webpack_unused_export__ = ExperimentDefinitionSummary$;
__webpack_unused_export__ = ExperimentDefinitions$;
__webpack_unused_export__ = ExperimentRun$;
__webpack_unused_export__ = ExperimentRunEvent$;
__webpack_unused_export__ = ExperimentRunEventType;
__webpack_unused_export__ = ExperimentRunEvents$;
__webpack_unused_export__ = ExperimentRunResult$;
__webpack_unused_export__ = ExperimentRunStatus;
__webpack_unused_export__ = ExperimentRunSummary$;
__webpack_unused_export__ = ExperimentRuns$;
__webpack_unused_export__ = Extension$;
__webpack_unused_export__ = ExtensionAssociation$;
__webpack_unused_export__ = ExtensionAssociationSummary$;
__webpack_unused_export__ = ExtensionAssociations$;
__webpack_unused_export__ = ExtensionSummary$;
__webpack_unused_export__ = Extensions$;
__webpack_unused_export__ = FlagValue$;
__webpack_unused_export__ = GetAccountSettings$;
__webpack_unused_export__ = GetAccountSettingsCommand;
__webpack_unused_export__ = GetApplication$;
__webpack_unused_export__ = GetApplicationCommand;
__webpack_unused_export__ = GetApplicationRequest$;
__webpack_unused_export__ = GetConfiguration$;
__webpack_unused_export__ = GetConfigurationCommand;
__webpack_unused_export__ = GetConfigurationProfile$;
exports.dyJ = GetConfigurationProfileCommand;
__webpack_unused_export__ = GetConfigurationProfileRequest$;
__webpack_unused_export__ = GetConfigurationRequest$;
__webpack_unused_export__ = GetDeployment$;
exports.Tvn = GetDeploymentCommand;
__webpack_unused_export__ = GetDeploymentRequest$;
__webpack_unused_export__ = GetDeploymentStrategy$;
__webpack_unused_export__ = GetDeploymentStrategyCommand;
__webpack_unused_export__ = GetDeploymentStrategyRequest$;
__webpack_unused_export__ = GetEnvironment$;
__webpack_unused_export__ = GetEnvironmentCommand;
__webpack_unused_export__ = GetEnvironmentRequest$;
__webpack_unused_export__ = GetExperimentDefinition$;
__webpack_unused_export__ = GetExperimentDefinitionCommand;
__webpack_unused_export__ = GetExperimentDefinitionRequest$;
__webpack_unused_export__ = GetExperimentRun$;
__webpack_unused_export__ = GetExperimentRunCommand;
__webpack_unused_export__ = GetExperimentRunRequest$;
__webpack_unused_export__ = GetExtension$;
__webpack_unused_export__ = GetExtensionAssociation$;
__webpack_unused_export__ = GetExtensionAssociationCommand;
__webpack_unused_export__ = GetExtensionAssociationRequest$;
__webpack_unused_export__ = GetExtensionCommand;
__webpack_unused_export__ = GetExtensionRequest$;
__webpack_unused_export__ = GetHostedConfigurationVersion$;
exports.x95 = GetHostedConfigurationVersionCommand;
__webpack_unused_export__ = GetHostedConfigurationVersionRequest$;
__webpack_unused_export__ = GrowthType;
__webpack_unused_export__ = HostedConfigurationVersion$;
__webpack_unused_export__ = HostedConfigurationVersionSummary$;
__webpack_unused_export__ = HostedConfigurationVersions$;
__webpack_unused_export__ = InternalServerException;
__webpack_unused_export__ = InternalServerException$;
__webpack_unused_export__ = InvalidConfigurationDetail$;
__webpack_unused_export__ = ListApplications$;
exports.BJ_ = ListApplicationsCommand;
__webpack_unused_export__ = ListApplicationsRequest$;
__webpack_unused_export__ = ListConfigurationProfiles$;
exports.MLc = ListConfigurationProfilesCommand;
__webpack_unused_export__ = ListConfigurationProfilesRequest$;
__webpack_unused_export__ = ListDeploymentStrategies$;
exports.a4K = ListDeploymentStrategiesCommand;
__webpack_unused_export__ = ListDeploymentStrategiesRequest$;
__webpack_unused_export__ = ListDeployments$;
exports.sr8 = ListDeploymentsCommand;
__webpack_unused_export__ = ListDeploymentsRequest$;
__webpack_unused_export__ = ListEnvironments$;
exports._aM = ListEnvironmentsCommand;
__webpack_unused_export__ = ListEnvironmentsRequest$;
__webpack_unused_export__ = ListExperimentDefinitions$;
__webpack_unused_export__ = ListExperimentDefinitionsCommand;
__webpack_unused_export__ = ListExperimentDefinitionsRequest$;
__webpack_unused_export__ = ListExperimentRunEvents$;
__webpack_unused_export__ = ListExperimentRunEventsCommand;
__webpack_unused_export__ = ListExperimentRunEventsRequest$;
__webpack_unused_export__ = ListExperimentRuns$;
__webpack_unused_export__ = ListExperimentRunsCommand;
__webpack_unused_export__ = ListExperimentRunsRequest$;
__webpack_unused_export__ = ListExtensionAssociations$;
__webpack_unused_export__ = ListExtensionAssociationsCommand;
__webpack_unused_export__ = ListExtensionAssociationsRequest$;
__webpack_unused_export__ = ListExtensions$;
__webpack_unused_export__ = ListExtensionsCommand;
__webpack_unused_export__ = ListExtensionsRequest$;
__webpack_unused_export__ = ListHostedConfigurationVersions$;
exports._BG = ListHostedConfigurationVersionsCommand;
__webpack_unused_export__ = ListHostedConfigurationVersionsRequest$;
__webpack_unused_export__ = ListTagsForResource$;
__webpack_unused_export__ = ListTagsForResourceCommand;
__webpack_unused_export__ = ListTagsForResourceRequest$;
__webpack_unused_export__ = Monitor$;
__webpack_unused_export__ = Parameter$;
__webpack_unused_export__ = PayloadTooLargeException;
__webpack_unused_export__ = PayloadTooLargeException$;
__webpack_unused_export__ = ReplicateTo;
__webpack_unused_export__ = ResourceNotFoundException;
__webpack_unused_export__ = ResourceNotFoundException$;
__webpack_unused_export__ = ResourceTags$;
__webpack_unused_export__ = ServiceQuotaExceededException;
__webpack_unused_export__ = ServiceQuotaExceededException$;
__webpack_unused_export__ = StartDeployment$;
exports.tWW = StartDeploymentCommand;
__webpack_unused_export__ = StartDeploymentRequest$;
__webpack_unused_export__ = StartExperimentRun$;
__webpack_unused_export__ = StartExperimentRunCommand;
__webpack_unused_export__ = StartExperimentRunRequest$;
__webpack_unused_export__ = StopDeployment$;
exports.NzN = StopDeploymentCommand;
__webpack_unused_export__ = StopDeploymentRequest$;
__webpack_unused_export__ = StopExperimentRun$;
__webpack_unused_export__ = StopExperimentRunCommand;
__webpack_unused_export__ = StopExperimentRunRequest$;
__webpack_unused_export__ = TagResource$;
__webpack_unused_export__ = TagResourceCommand;
__webpack_unused_export__ = TagResourceRequest$;
__webpack_unused_export__ = Treatment$;
__webpack_unused_export__ = TreatmentInput$;
__webpack_unused_export__ = TreatmentOverrides$;
__webpack_unused_export__ = TriggeredBy;
__webpack_unused_export__ = UntagResource$;
__webpack_unused_export__ = UntagResourceCommand;
__webpack_unused_export__ = UntagResourceRequest$;
__webpack_unused_export__ = UpdateAccountSettings$;
__webpack_unused_export__ = UpdateAccountSettingsCommand;
__webpack_unused_export__ = UpdateAccountSettingsRequest$;
__webpack_unused_export__ = UpdateApplication$;
__webpack_unused_export__ = UpdateApplicationCommand;
__webpack_unused_export__ = UpdateApplicationRequest$;
__webpack_unused_export__ = UpdateConfigurationProfile$;
__webpack_unused_export__ = UpdateConfigurationProfileCommand;
__webpack_unused_export__ = UpdateConfigurationProfileRequest$;
__webpack_unused_export__ = UpdateDeploymentStrategy$;
__webpack_unused_export__ = UpdateDeploymentStrategyCommand;
__webpack_unused_export__ = UpdateDeploymentStrategyRequest$;
__webpack_unused_export__ = UpdateEnvironment$;
__webpack_unused_export__ = UpdateEnvironmentCommand;
__webpack_unused_export__ = UpdateEnvironmentRequest$;
__webpack_unused_export__ = UpdateExperimentDefinition$;
__webpack_unused_export__ = UpdateExperimentDefinitionCommand;
__webpack_unused_export__ = UpdateExperimentDefinitionRequest$;
__webpack_unused_export__ = UpdateExperimentRun$;
__webpack_unused_export__ = UpdateExperimentRunCommand;
__webpack_unused_export__ = UpdateExperimentRunRequest$;
__webpack_unused_export__ = UpdateExtension$;
__webpack_unused_export__ = UpdateExtensionAssociation$;
__webpack_unused_export__ = UpdateExtensionAssociationCommand;
__webpack_unused_export__ = UpdateExtensionAssociationRequest$;
__webpack_unused_export__ = UpdateExtensionCommand;
__webpack_unused_export__ = UpdateExtensionRequest$;
__webpack_unused_export__ = ValidateConfiguration$;
__webpack_unused_export__ = ValidateConfigurationCommand;
__webpack_unused_export__ = ValidateConfigurationRequest$;
__webpack_unused_export__ = Validator$;
__webpack_unused_export__ = ValidatorType;
__webpack_unused_export__ = VendedMetricsSettings$;
__webpack_unused_export__ = errorTypeRegistries;
__webpack_unused_export__ = paginateListApplications;
__webpack_unused_export__ = paginateListConfigurationProfiles;
__webpack_unused_export__ = paginateListDeploymentStrategies;
__webpack_unused_export__ = paginateListDeployments;
__webpack_unused_export__ = paginateListEnvironments;
__webpack_unused_export__ = paginateListExperimentDefinitions;
__webpack_unused_export__ = paginateListExperimentRunEvents;
__webpack_unused_export__ = paginateListExperimentRuns;
__webpack_unused_export__ = paginateListExtensionAssociations;
__webpack_unused_export__ = paginateListExtensions;
__webpack_unused_export__ = paginateListHostedConfigurationVersions;
__webpack_unused_export__ = waitForDeploymentComplete;
__webpack_unused_export__ = waitForEnvironmentReadyForDeployment;
__webpack_unused_export__ = waitUntilDeploymentComplete;
__webpack_unused_export__ = waitUntilEnvironmentReadyForDeployment;


/***/ })

};
