export const id = 903;
export const ids = [903];
export const modules = {

/***/ 4903:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  parseConfig: () => (/* binding */ parseConfig)
});

// UNUSED EXPORTS: ConfigError

// EXTERNAL MODULE: ./node_modules/yaml/dist/index.js
var dist = __webpack_require__(8815);
// EXTERNAL MODULE: ./packages/core/src/config/model.ts
var model = __webpack_require__(7313);
// EXTERNAL MODULE: ./packages/core/src/shared/errors.ts
var errors = __webpack_require__(9376);
;// CONCATENATED MODULE: ./packages/core/src/health/gates.ts

/** Gate names as they are written in the config file, action inputs, the CLI and trace files. */
const GATE_NAMES = [
    'max-error-rate',
    'max-p99-latency',
    'max-latency-increase',
    'min-healthy-percent',
    'min-requests',
    'bake-time',
    'confidence',
    'on-inconclusive',
    'max-consecutive-errors',
];
/** What to do when the evidence runs out before a verdict. */
const ON_INCONCLUSIVE = (/* unused pure expression or super */ null && (['rollback', 'fail', 'promote']));
/** Defaults, written as a user writes them (action.yml defaults are these strings). */
const GATE_DEFAULTS = {
    'max-error-rate': '1%',
    'max-p99-latency': '500ms',
    'max-latency-increase': '20%',
    'min-healthy-percent': '95%',
    'min-requests': '100',
    'bake-time': '5m',
    confidence: '95%',
    'on-inconclusive': 'rollback',
    'max-consecutive-errors': '4',
};
/**
 * Parses gates; a missing or empty value takes its default. Throws an {@link InputError} naming the
 * gate, the value and what is allowed. `prefix` is put before each name in messages (`gates.` for a trace).
 */
function parseGates(raw, extra = {}, prefix = '') {
    const get = (name) => {
        const value = raw[name];
        return value === undefined || (typeof value === 'string' && value.trim() === '')
            ? GATE_DEFAULTS[name]
            : String(value);
    };
    const named = (name) => `${prefix}${name}`;
    const maxErrorRate = parsePercent(named('max-error-rate'), get('max-error-rate'), {
        fraction: true,
        min: 0,
        max: 100,
    });
    if (maxErrorRate <= 0 || maxErrorRate >= 100) {
        throw new InputError(named('max-error-rate'), get('max-error-rate'), 'a percentage above 0% and below 100%, such as 1% or 0.5%');
    }
    // A bare number of milliseconds is accepted, as the config file accepts it.
    const p99Text = get('max-p99-latency').trim();
    const maxP99Latency = parseDuration(named('max-p99-latency'), /^\d+$/.test(p99Text) ? `${p99Text}ms` : p99Text);
    const maxLatencyIncrease = parsePercent(named('max-latency-increase'), get('max-latency-increase'), {
        fraction: true,
        min: 0,
        max: 1000,
    });
    const minHealthyPercent = parsePercent(named('min-healthy-percent'), get('min-healthy-percent'), {
        fraction: true,
        min: 0,
        max: 100,
    });
    const minRequests = parseInteger(named('min-requests'), get('min-requests'), {
        min: 0,
        max: 1_000_000_000,
    });
    const bakeTime = parseDuration(named('bake-time'), get('bake-time'));
    const confidence = parsePercent(named('confidence'), get('confidence'), {
        fraction: true,
        min: 50,
        max: 99.99,
    });
    if (confidence <= 50) {
        throw new InputError(named('confidence'), get('confidence'), 'a percentage above 50% and at most 99.99%, such as 95%');
    }
    const onInconclusive = get('on-inconclusive').trim();
    if (!ON_INCONCLUSIVE.includes(onInconclusive)) {
        throw new InputError(named('on-inconclusive'), raw['on-inconclusive'], `one of ${ON_INCONCLUSIVE.join(', ')}`);
    }
    const maxConsecutiveErrors = parseInteger(named('max-consecutive-errors'), get('max-consecutive-errors'), {
        min: 0,
        max: 1000,
    });
    return {
        maxErrorRate,
        maxP99Latency,
        maxLatencyIncrease,
        minHealthyPercent,
        minRequests,
        bakeTime,
        confidence,
        onInconclusive: onInconclusive,
        maxConsecutiveErrors,
        custom: extra.custom ?? [],
        alarms: extra.alarms ?? [],
        smoke: extra.smoke ?? false,
    };
}
/** The gates as a user writes them, for traces and summaries (round-trips through {@link parseGates}). */
function formatGates(gates) {
    return {
        'max-error-rate': formatPercent(gates.maxErrorRate),
        'max-p99-latency': formatDuration(gates.maxP99Latency),
        'max-latency-increase': formatPercent(gates.maxLatencyIncrease),
        'min-healthy-percent': formatPercent(gates.minHealthyPercent),
        'min-requests': gates.minRequests,
        'bake-time': formatDuration(gates.bakeTime),
        confidence: formatPercent(gates.confidence),
        'on-inconclusive': gates.onInconclusive,
        'max-consecutive-errors': gates.maxConsecutiveErrors,
    };
}
/** Latency for people: `500ms`, `1.2s`. */
function formatLatency(ms) {
    if (ms >= 10_000)
        return `${Number((ms / 1000).toFixed(1))}s`;
    if (ms >= 1000)
        return `${Number((ms / 1000).toFixed(2))}s`;
    return `${Math.round(ms)}ms`;
}

// EXTERNAL MODULE: ./packages/core/src/strategy/catalogue.ts
var catalogue = __webpack_require__(4758);
// EXTERNAL MODULE: ./packages/core/src/strategy/steps.ts
var steps = __webpack_require__(3316);
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
        return fail(root, '', 'must be a mapping with keys version, default-strategy, gates, strategies, environments');
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
            if (!GATE_NAMES.includes(name)) {
                fail(keyNode, path, `is not a gate; gates are ${GATE_NAMES.join(', ')}`);
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
                            default:
                                fail(fieldKey, path, 'is not an environment setting; settings are allowed-strategies, default-strategy, gates, strategies, targets');
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
            default:
                fail(keyNode, name, 'is not a setting; settings are version, default-strategy, gates, strategies, environments');
        }
    }
    return config;
}


/***/ })

};
