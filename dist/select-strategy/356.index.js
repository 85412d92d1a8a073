export const id = 356;
export const ids = [356];
export const modules = {

/***/ 4356:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   parseConfig: () => (/* binding */ parseConfig)
/* harmony export */ });
/* unused harmony export ConfigError */
/* harmony import */ var yaml__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(8815);
/* harmony import */ var _model__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(7313);
/* harmony import */ var _shared_index__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(9376);
/* harmony import */ var _health_index__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(132);
/* harmony import */ var _strategy_index__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(4758);
/* harmony import */ var _strategy_index__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(3316);
// Reading `.github/shiftgate.yml`. Kept apart from the config model (model.ts) so that code which never
// reads the file does not load the YAML parser: select-strategy imports this only when the file exists.





/** A problem in the config file, located at `file:line:column` and naming the key. */
class ConfigError extends _shared_index__WEBPACK_IMPORTED_MODULE_1__/* .InputError */ .dz {
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
function parseConfig(text, file = _model__WEBPACK_IMPORTED_MODULE_2__/* .DEFAULT_CONFIG_PATH */ .Bi) {
    const lineCounter = new yaml__WEBPACK_IMPORTED_MODULE_0__/* .LineCounter */ .HN();
    const doc = (0,yaml__WEBPACK_IMPORTED_MODULE_0__/* .parseDocument */ .Tp)(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
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
    const config = (0,_model__WEBPACK_IMPORTED_MODULE_2__/* .emptyConfig */ .i4)();
    const root = doc.contents;
    if (root === null || ((0,yaml__WEBPACK_IMPORTED_MODULE_0__/* .isScalar */ .jn)(root) && (root.value === null || root.value === '')))
        return config;
    if (!(0,yaml__WEBPACK_IMPORTED_MODULE_0__/* .isMap */ .jh)(root))
        return fail(root, '', 'must be a mapping with keys version, default-strategy, gates, strategies, environments');
    const entries = (node, key) => {
        if (!(0,yaml__WEBPACK_IMPORTED_MODULE_0__/* .isMap */ .jh)(node))
            return fail(node, key, 'must be a mapping');
        return node.items.map((pair) => {
            const k = pair.key;
            if (!(0,yaml__WEBPACK_IMPORTED_MODULE_0__/* .isScalar */ .jn)(k) || typeof k.value !== 'string')
                return fail(k, key, 'has a key that is not a plain string');
            return [k.value, pair.value ?? null, k];
        });
    };
    const scalar = (node, key, keyNode) => {
        if (node === null)
            return fail(keyNode, key, 'has no value');
        if (!(0,yaml__WEBPACK_IMPORTED_MODULE_0__/* .isScalar */ .jn)(node) || node.value === null || typeof node.value === 'object') {
            return fail(node, key, 'must be a single value (a string or number)');
        }
        return String(node.value);
    };
    const strategyName = (node, key, keyNode) => {
        const value = scalar(node, key, keyNode);
        try {
            return (0,_strategy_index__WEBPACK_IMPORTED_MODULE_3__/* .parseStrategyName */ .Oz)(key, value);
        }
        catch {
            return fail(node, key, `must be one of ${_strategy_index__WEBPACK_IMPORTED_MODULE_4__/* .STRATEGY_NAMES */ .n.join(', ')}, got '${value}'`);
        }
    };
    const gates = (node, key) => {
        const out = {};
        for (const [name, value, keyNode] of entries(node, key)) {
            const path = `${key}.${name}`;
            if (!_health_index__WEBPACK_IMPORTED_MODULE_5__/* .GATE_NAMES */ .rn.includes(name)) {
                fail(keyNode, path, `is not a gate; gates are ${_health_index__WEBPACK_IMPORTED_MODULE_5__/* .GATE_NAMES */ .rn.join(', ')}`);
            }
            const text = scalar(value, path, keyNode);
            try {
                (0,_model__WEBPACK_IMPORTED_MODULE_2__/* .validateGate */ .wL)(name, text);
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
                const known = _strategy_index__WEBPACK_IMPORTED_MODULE_3__/* .STRATEGIES */ .YL[strategy].parameters.map((p) => p.name);
                if (!known.includes(param)) {
                    fail(paramKey, path, `is not a parameter of ${strategy}; its parameters are ${known.join(', ')}`);
                }
                if (paramValue !== null && (0,yaml__WEBPACK_IMPORTED_MODULE_0__/* .isSeq */ .oP)(paramValue)) {
                    params[param] = paramValue.items.map((item) => scalar(item, path, paramKey));
                }
                else {
                    params[param] = scalar(paramValue, path, paramKey);
                }
                try {
                    (0,_strategy_index__WEBPACK_IMPORTED_MODULE_3__/* .resolveParameters */ .vA)(strategy, { [param]: params[param] }, `${key}.${name}`);
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
                                if (fieldValue === null || !(0,yaml__WEBPACK_IMPORTED_MODULE_0__/* .isSeq */ .oP)(fieldValue) || fieldValue.items.length === 0) {
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
                                    if (!_model__WEBPACK_IMPORTED_MODULE_2__/* .TARGET_NAMES */ .HQ.includes(target)) {
                                        fail(targetKey, `${path}.${target}`, `is not a target; targets are ${_model__WEBPACK_IMPORTED_MODULE_2__/* .TARGET_NAMES */ .HQ.join(', ')}`);
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
