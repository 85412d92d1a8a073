export const id = 386;
export const ids = [386];
export const modules = {

/***/ 5386:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  parseCellsInput: () => (/* binding */ parseCellsInput),
  parseConfig: () => (/* binding */ parseConfig)
});

// UNUSED EXPORTS: ConfigError

// EXTERNAL MODULE: ./node_modules/yaml/dist/index.js
var dist = __webpack_require__(8815);
// EXTERNAL MODULE: ./packages/core/src/config/model.ts
var model = __webpack_require__(7313);
// EXTERNAL MODULE: ./packages/core/src/shared/errors.ts
var errors = __webpack_require__(9376);
;// CONCATENATED MODULE: ./packages/core/src/shared/json.ts
/** True for a JSON object (not null, not an array): the first check of every document reader. */
function isObject(value) {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}
/**
 * Why `JSON.parse` refused a text, without the text: its message quotes what it stopped at, and the text
 * may be any file a flag or an input named (`/etc/shadow`), so only the position is kept.
 */
function notJson(error) {
    const at = /at position \d+/.exec(error instanceof Error ? error.message : '')?.[0];
    return `it is not JSON${at ? ` (${at})` : ''}`;
}

;// CONCATENATED MODULE: ./packages/core/src/config/cells.ts
// Cells: each its own load balancer route set in one region (and optionally one zone), defined under
// `environments.<env>.cells` in .github/shiftgate.yml or given as the `cells` input (YAML). Validated up
// front so a bad cell refuses the rollout before anything moves (issue 12). The YAML reader of the
// `cells` input is with the config file's (file.ts).

/** The keys a cell may have, as the config file and the `cells` input spell them. */
const CELL_KEYS = [
    'name',
    'region',
    'zone',
    'listener-arn',
    'rule-arn',
    'stable-target-group-arn',
    'canary-target-group-arn',
    'alarms',
];
/** The most target groups one ALB forward action may carry (ELBv2 quota). */
const MAX_FORWARD_TARGET_GROUPS = 5;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
// The ELBv2 ARN parts a cell checks; the full grammar is the AWS adapter's (packages/aws elbv2-arn.ts).
const ELB_ARN = /^arn:aws(?:-[a-z]+)*:elasticloadbalancing:([a-z0-9-]+):(\d{12}):(listener|listener-rule|targetgroup)\//;
/**
 * Validates a list of cells: every key known, unique names, a region and the required ARNs present,
 * every ARN in its cell's region and all in one account, at most five target groups per cell. Errors
 * name the cell and the field.
 */
function parseCells(input, doc) {
    if (!Array.isArray(doc) || doc.length === 0) {
        throw new errors/* InputError */.dz(input, doc, `a non-empty list of cells, each {${CELL_KEYS.join(', ')}}`);
    }
    const cells = [];
    let account = null;
    for (const [index, raw] of doc.entries()) {
        const at = `${input}[${index}]`;
        if (!isObject(raw))
            throw new errors/* InputError */.dz(at, raw, `a cell {${CELL_KEYS.join(', ')}}`);
        const entry = raw;
        const nameValue = entry.name;
        if (typeof nameValue !== 'string' || !NAME.test(nameValue)) {
            throw new errors/* InputError */.dz(`${at}.name`, nameValue, 'a cell name of letters, digits, . _ - (up to 63)');
        }
        const field = (key) => `${input}.${nameValue}.${key}`;
        for (const key of Object.keys(entry)) {
            if (!CELL_KEYS.includes(key)) {
                throw new errors/* InputError */.dz(field(key), entry[key], '', {
                    message: `Cell '${nameValue}' has '${key}', which is not a cell field; fields are ${CELL_KEYS.join(', ')}`,
                });
            }
        }
        if (cells.some((c) => c.name === nameValue)) {
            throw new errors/* InputError */.dz(field('name'), nameValue, '', {
                message: `Input '${input}' has two cells named '${nameValue}'; cell names must be unique`,
            });
        }
        const region = entry.region;
        if (typeof region !== 'string' || !REGION.test(region)) {
            throw new errors/* InputError */.dz(field('region'), region, 'an AWS region such as us-east-1');
        }
        const zone = entry.zone ?? null;
        if (zone !== null && (typeof zone !== 'string' || !/^[a-z0-9-]{1,32}$/.test(zone))) {
            throw new errors/* InputError */.dz(field('zone'), zone, 'an availability zone name or id such as us-east-1a or use1-az1');
        }
        const arns = (key, kind, required) => {
            const value = entry[key];
            const list = value === undefined || value === null ? [] : Array.isArray(value) ? value : [value];
            if (required && list.length === 0) {
                throw new errors/* InputError */.dz(field(key), '', '', {
                    message: `Cell '${nameValue}' has no '${key}'; every cell needs its ${key === 'listener-arn' ? 'listener-arn or rule-arn' : key}`,
                });
            }
            return list.map((item) => {
                const match = typeof item === 'string' ? ELB_ARN.exec(item.trim()) : null;
                if (!match || match[3] !== kind) {
                    throw new errors/* InputError */.dz(field(key), item, `an ELBv2 ${kind} ARN`);
                }
                if (match[1] !== region) {
                    throw new errors/* InputError */.dz(field(key), item, '', {
                        message: `Cell '${nameValue}' is in ${region} but its '${key}' ${(0,errors/* quote */.hD)(item)} is in ${match[1]}; a cell's ARNs are in its region`,
                    });
                }
                if (account && account.id !== match[2]) {
                    throw new errors/* InputError */.dz(field(key), item, '', {
                        message: `Cell '${nameValue}' has '${key}' in account ${match[2]}, but ${account.where} is in account ${account.id}; every cell of a rollout is in one account`,
                    });
                }
                account ??= { id: match[2], where: `cell '${nameValue}'` };
                return item.trim();
            });
        };
        const listeners = arns('listener-arn', 'listener', false);
        const rules = arns('rule-arn', 'listener-rule', false);
        if (listeners.length + rules.length === 0) {
            throw new errors/* InputError */.dz(field('listener-arn'), '', '', {
                message: `Cell '${nameValue}' has no 'listener-arn' or 'rule-arn'; every cell needs at least one route`,
            });
        }
        const routes = [...listeners, ...rules];
        const duplicate = routes.find((r, i) => routes.indexOf(r) !== i || cells.some((c) => c.routes.includes(r)));
        if (duplicate !== undefined) {
            throw new errors/* InputError */.dz(field('listener-arn'), duplicate, '', {
                message: `Cell '${nameValue}' lists route ${(0,errors/* quote */.hD)(duplicate)} that is already a route of this or another cell; each route belongs to one cell`,
            });
        }
        const [stable] = arns('stable-target-group-arn', 'targetgroup', true);
        const canaries = arns('canary-target-group-arn', 'targetgroup', true);
        if (1 + canaries.length > MAX_FORWARD_TARGET_GROUPS) {
            throw new errors/* InputError */.dz(field('canary-target-group-arn'), canaries.join(','), '', {
                message: `Cell '${nameValue}' names ${1 + canaries.length} target groups; a forward action carries at most ${MAX_FORWARD_TARGET_GROUPS}`,
            });
        }
        if (canaries.length !== 1) {
            throw new errors/* InputError */.dz(field('canary-target-group-arn'), canaries.join(','), 'one canary target group ARN');
        }
        if (canaries[0] === stable) {
            throw new errors/* InputError */.dz(field('canary-target-group-arn'), stable, 'a target group other than the stable one');
        }
        const alarmsValue = entry.alarms ?? [];
        const alarms = Array.isArray(alarmsValue) ? alarmsValue : [alarmsValue];
        if (!alarms.every((a) => typeof a === 'string' && a.trim() !== '')) {
            throw new errors/* InputError */.dz(field('alarms'), alarmsValue, 'a list of CloudWatch alarm names');
        }
        cells.push({
            name: nameValue,
            region,
            zone: zone,
            routes,
            'stable-target-group-arn': stable,
            'canary-target-group-arn': canaries[0],
            alarms: alarms.map((a) => a.trim()),
        });
    }
    return cells;
}

// EXTERNAL MODULE: ./packages/core/src/health/gates.ts
var health_gates = __webpack_require__(132);
// EXTERNAL MODULE: ./packages/core/src/health/promql.ts
var promql = __webpack_require__(9753);
// EXTERNAL MODULE: ./packages/core/src/strategy/catalogue.ts
var catalogue = __webpack_require__(4758);
// EXTERNAL MODULE: ./packages/core/src/strategy/steps.ts
var steps = __webpack_require__(3316);
// EXTERNAL MODULE: ./packages/core/src/strategy/services.ts
var services = __webpack_require__(6475);
;// CONCATENATED MODULE: ./packages/core/src/config/file.ts
// Reading `.github/shiftgate.yml`. Kept apart from the config model (model.ts) so that code which never
// reads the file does not load the YAML parser: select-strategy imports this only when the file exists.






/** A problem in the config file, located at `file:line:column` and naming the key. */
class ConfigError extends errors/* InputError */.dz {
    file;
    line;
    column;
    key;
    constructor(file, line, column, key, problem) {
        super('config', key, '', { message: `${file}:${line}:${column}: ${key ? `'${key}' ` : ''}${problem}` });
        this.file = file;
        this.line = line;
        this.column = column;
        this.key = key;
    }
}
/**
 * Parses and validates the config file. Every key is known, every value parsed with the same rules as the
 * action inputs, and every error points at `file:line:column` and names the key.
 */
function parseConfig(text, file = model/* DEFAULT_CONFIG_PATH */.Bi) {
    const lineCounter = new dist/* LineCounter */.HN();
    const doc = (0,dist/* parseDocument */.Tp)(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
    const at = (node) => {
        const offset = node?.range?.[0] ?? 0;
        return lineCounter.linePos(offset);
    };
    const fail = (node, key, problem) => {
        const { line, col } = at(node);
        throw new ConfigError(file, line, col, key, problem);
    };
    const [syntax] = doc.errors;
    if (syntax) {
        const { line, col } = lineCounter.linePos(syntax.pos[0]);
        throw new ConfigError(file, line, col, '', `is not valid YAML: ${syntax.message.split('\n')[0]}`);
    }
    const config = (0,model/* emptyConfig */.i4)();
    const root = doc.contents;
    if (root === null || ((0,dist/* isScalar */.jn)(root) && (root.value === null || root.value === '')))
        return config;
    if (!(0,dist/* isMap */.jh)(root))
        return fail(root, '', 'must be a mapping with keys version, default-strategy, gates, strategies, environments, prometheus');
    const entries = (node, key) => {
        if (!(0,dist/* isMap */.jh)(node))
            return fail(node, key, 'must be a mapping');
        return node.items.map((pair) => {
            const k = pair.key;
            if (!(0,dist/* isScalar */.jn)(k) || typeof k.value !== 'string')
                return fail(k, key, 'has a key that is not a plain string');
            return [k.value, pair.value ?? null, k];
        });
    };
    const scalar = (node, key, keyNode) => {
        if (node === null)
            return fail(keyNode, key, 'has no value');
        if (!(0,dist/* isScalar */.jn)(node) || node.value === null || typeof node.value === 'object') {
            return fail(node, key, 'must be a single value (a string or number)');
        }
        return String(node.value);
    };
    const strategyName = (node, key, keyNode) => {
        const value = scalar(node, key, keyNode);
        try {
            return (0,catalogue/* parseStrategyName */.Oz)(key, value);
        }
        catch {
            return fail(node, key, `must be one of ${steps/* STRATEGY_NAMES */.n.join(', ')}, got '${value}'`);
        }
    };
    const gates = (node, key) => {
        const out = {};
        for (const [name, value, keyNode] of entries(node, key)) {
            const path = `${key}.${name}`;
            if (!health_gates/* GATE_NAMES */.rn.includes(name)) {
                fail(keyNode, path, `is not a gate; gates are ${health_gates/* GATE_NAMES */.rn.join(', ')}`);
            }
            const text = scalar(value, path, keyNode);
            try {
                (0,model/* validateGate */.wL)(name, text);
            }
            catch (error) {
                fail(value, path, error.message.replace(/^Input '[^']+' /, ''));
            }
            out[name] = text;
        }
        return out;
    };
    const parameters = (node, key) => {
        const out = {};
        for (const [name, value, keyNode] of entries(node, key)) {
            const strategy = strategyName(keyNode, `${key}.${name}`, keyNode);
            const params = {};
            for (const [param, paramValue, paramKey] of entries(value ?? keyNode, `${key}.${name}`)) {
                const path = `${key}.${name}.${param}`;
                const known = catalogue/* STRATEGIES */.YL[strategy].parameters.map((p) => p.name);
                if (!known.includes(param)) {
                    fail(paramKey, path, `is not a parameter of ${strategy}; its parameters are ${known.join(', ')}`);
                }
                if (paramValue !== null && (0,dist/* isSeq */.oP)(paramValue)) {
                    params[param] = paramValue.items.map((item) => scalar(item, path, paramKey));
                }
                else {
                    params[param] = scalar(paramValue, path, paramKey);
                }
                try {
                    (0,catalogue/* resolveParameters */.vA)(strategy, { [param]: params[param] }, `${key}.${name}`);
                }
                catch (error) {
                    const message = error.message;
                    // A required parameter missing here is fine: it may come from elsewhere. Only this one is judged.
                    if (!message.startsWith(`Strategy ${strategy} needs parameter`)) {
                        fail(paramValue ?? paramKey, path, message.replace(/^Input '[^']+' /, ''));
                    }
                }
            }
            out[strategy] = params;
        }
        return out;
    };
    for (const [name, value, keyNode] of entries(root, '')) {
        switch (name) {
            case 'version': {
                const v = scalar(value, 'version', keyNode);
                if (v !== '1')
                    fail(value, 'version', `must be 1, got '${v}'`);
                break;
            }
            case 'default-strategy':
                config['default-strategy'] = strategyName(value, 'default-strategy', keyNode);
                break;
            case 'gates':
                config.gates = gates(value ?? keyNode, 'gates');
                break;
            case 'strategies':
                config.strategies = parameters(value ?? keyNode, 'strategies');
                break;
            case 'environments':
                for (const [envName, envNode, envKey] of entries(value ?? keyNode, 'environments')) {
                    const env = {
                        'allowed-strategies': null,
                        'default-strategy': null,
                        gates: {},
                        targets: {},
                        strategies: {},
                        cells: null,
                        services: null,
                    };
                    const base = `environments.${envName}`;
                    for (const [field, fieldValue, fieldKey] of entries(envNode ?? envKey, base)) {
                        const path = `${base}.${field}`;
                        switch (field) {
                            case 'allowed-strategies': {
                                if (fieldValue === null || !(0,dist/* isSeq */.oP)(fieldValue) || fieldValue.items.length === 0) {
                                    fail(fieldValue ?? fieldKey, path, 'must be a non-empty list of strategy names');
                                }
                                env['allowed-strategies'] = fieldValue.items.map((item, i) => strategyName(item, `${path}[${i}]`, item));
                                break;
                            }
                            case 'default-strategy':
                                env['default-strategy'] = strategyName(fieldValue, path, fieldKey);
                                break;
                            case 'gates':
                                env.gates = gates(fieldValue ?? fieldKey, path);
                                break;
                            case 'strategies':
                                env.strategies = parameters(fieldValue ?? fieldKey, path);
                                break;
                            case 'targets':
                                for (const [target, targetValue, targetKey] of entries(fieldValue ?? fieldKey, path)) {
                                    if (!model/* TARGET_NAMES */.HQ.includes(target)) {
                                        fail(targetKey, `${path}.${target}`, `is not a target; targets are ${model/* TARGET_NAMES */.HQ.join(', ')}`);
                                    }
                                    env.targets[target] = scalar(targetValue, `${path}.${target}`, targetKey);
                                }
                                break;
                            case 'cells':
                                try {
                                    env.cells = parseCells(path, fieldValue === null ? null : fieldValue.toJSON());
                                }
                                catch (error) {
                                    fail(fieldValue ?? fieldKey, path, error.message.replace(/^Input '[^']+' /, ''));
                                }
                                break;
                            case 'services': {
                                // Kept as the text the `services` input takes (JSON is YAML), checked by the same parser.
                                const text = fieldValue === null ? '' : JSON.stringify(fieldValue.toJSON());
                                try {
                                    if ((0,services/* parseServices */.En)(path, text).length === 0)
                                        throw new Error('must be a non-empty list of services');
                                    env.services = text;
                                }
                                catch (error) {
                                    fail(fieldValue ?? fieldKey, path, error.message.replace(/^Input '[^']+' /, ''));
                                }
                                break;
                            }
                            default:
                                fail(fieldKey, path, 'is not an environment setting; settings are allowed-strategies, default-strategy, gates, strategies, targets, cells, services');
                        }
                    }
                    const allowed = env['allowed-strategies'];
                    const def = env['default-strategy'];
                    if (allowed && def && !allowed.includes(def)) {
                        fail(envNode, `${base}.default-strategy`, `is ${def}, which allowed-strategies (${allowed.join(', ')}) does not allow`);
                    }
                    config.environments[envName] = env;
                }
                break;
            case 'prometheus':
                for (const [field, fieldValue, fieldKey] of entries(value ?? keyNode, 'prometheus')) {
                    if (field !== 'queries')
                        fail(fieldKey, `prometheus.${field}`, 'is not a Prometheus setting; the file takes queries');
                    if (fieldValue === null || !(0,dist/* isMap */.jh)(fieldValue))
                        fail(fieldValue ?? fieldKey, 'prometheus.queries', 'must be a mapping of statistic to PromQL template');
                    try {
                        config.prometheus = {
                            queries: (0,promql/* prometheusQueriesFrom */.rW)('prometheus.queries', fieldValue.toJSON()),
                        };
                    }
                    catch (error) {
                        fail(fieldValue, 'prometheus.queries', error.message.replace(/^Input 'prometheus\.queries' /, ''));
                    }
                }
                break;
            default:
                fail(keyNode, name, 'is not a setting; settings are version, default-strategy, gates, strategies, environments, prometheus');
        }
    }
    return config;
}
/** Reads the `cells` input: a YAML (or JSON) list of cells; an empty value is no cells. */
function parseCellsInput(input, text) {
    if (text.trim() === '')
        return null;
    let doc;
    try {
        doc = (0,dist.parse)(text);
    }
    catch (error) {
        throw new errors/* InputError */.dz(input, text, 'a YAML list of cells', {
            message: `Input '${input}' is not valid YAML: ${error.message.split('\n')[0]}`,
        });
    }
    try {
        return parseCells(input, doc);
    }
    catch (error) {
        // The cell's own sentence names the cell and the field; the input it came from goes in front.
        if (error instanceof errors/* InputError */.dz && !error.message.startsWith(`Input '${input}`))
            throw new errors/* InputError */.dz(error.input, error.value, '', { message: `Input '${input}': ${error.message}` });
        throw error;
    }
}


/***/ })

};
