export const id = 796;
export const ids = [796];
export const modules = {

/***/ 6796:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   createGitHubClient: () => (/* binding */ createGitHubClient)
/* harmony export */ });
/* unused harmony exports SHIFTGATE_GITHUB_USER_AGENT, GITHUB_REQUEST_TIMEOUT_MS */
/* harmony import */ var _actions_github__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(1758);
/* harmony import */ var _octokit_plugin_retry__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(9735);
/* harmony import */ var _octokit_plugin_throttling__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(6856);



/** The project's version, sent in the user agent. */
const SHIFTGATE_GITHUB_USER_AGENT = 'shiftgate/0.1.0';
/** Every wait has an upper bound: a GitHub request that hangs is abandoned after this long. */
const GITHUB_REQUEST_TIMEOUT_MS = 30_000;
/** `fetch` with an upper bound on each request, keeping any signal the caller gave. */
function boundedFetch(timeoutMs) {
    return (input, init) => {
        const timeout = AbortSignal.timeout(timeoutMs);
        return fetch(input, {
            ...init,
            signal: init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout,
        });
    };
}
/** A limiter group that schedules at once, for tests that must not wait a second between writes. */
const immediateGroup = {
    key: () => ({
        schedule: (_options, task, ...args) => task(...args),
    }),
};
/**
 * The one factory for GitHub clients: `@actions/github`'s Octokit with the retry and throttling
 * plugins, the API URL from `GITHUB_API_URL`, and a user agent naming shiftgate. Secondary rate limits
 * are retried after GitHub's `retry-after` up to `secondaryRateLimitRetries` times, then surface as a
 * 403/429 error that {@link describeGitHubError} explains.
 * https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits
 */
function createGitHubClient(options) {
    const env = options.env ?? process.env;
    const baseUrl = (options.baseUrl || env.GITHUB_API_URL || 'https://api.github.com').replace(/\/+$/, '');
    const logger = options.logger;
    const secondaryRetries = options.secondaryRateLimitRetries ?? 3;
    const primaryRetries = options.rateLimitRetries ?? 1;
    const retryAfterMs = options.retryAfterMs ?? 1000;
    const spacing = options.writeSpacing === 'none' ? { write: immediateGroup, notifications: immediateGroup } : {};
    return (0,_actions_github__WEBPACK_IMPORTED_MODULE_0__/* .getOctokit */ .Q)(options.token, {
        baseUrl,
        userAgent: `${SHIFTGATE_GITHUB_USER_AGENT} (${options.caller})`,
        request: { fetch: boundedFetch(options.requestTimeoutMs ?? GITHUB_REQUEST_TIMEOUT_MS) },
        retry: { retries: options.retries ?? 3, retryAfterBaseValue: retryAfterMs },
        throttle: {
            retryAfterBaseValue: retryAfterMs,
            ...spacing,
            onSecondaryRateLimit: (retryAfter, request, _octokit, retryCount) => {
                if (retryCount < secondaryRetries) {
                    logger?.warning(`GitHub secondary rate limit on ${request.method} ${request.url}; retrying in ${retryAfter}s (${retryCount + 1} of ${secondaryRetries})`);
                    return true;
                }
                return false;
            },
            onRateLimit: (retryAfter, request, _octokit, retryCount) => {
                if (retryCount < primaryRetries && retryAfter <= 60) {
                    logger?.warning(`GitHub rate limit on ${request.method} ${request.url}; retrying in ${retryAfter}s`);
                    return true;
                }
                return false;
            },
        },
    }, _octokit_plugin_retry__WEBPACK_IMPORTED_MODULE_1__/* .retry */ .L, _octokit_plugin_throttling__WEBPACK_IMPORTED_MODULE_2__/* .throttling */ .A);
}


/***/ })

};
