/** Reflect metadata key of the rules declared with `@RateLimit()` (method or class). */
export const RATE_LIMIT_METADATA = 'sluice:rate_limit';
/** Reflect metadata key set by `@SkipRateLimit()` (method or class). */
export const SKIP_RATE_LIMIT_METADATA = 'sluice:skip_rate_limit';
/** Key inside Nest's pattern extras under which the rules reach `Server.addHandler()`. */
export const EXTRAS_RATE_LIMIT_KEY = 'rateLimit';
/** Key inside Nest's pattern extras set by `@SkipRateLimit()`. */
export const EXTRAS_SKIP_RATE_LIMIT_KEY = 'skipRateLimit';
/** Name given to a rule declared without `name`: a second unnamed rule replaces the first. */
export const DEFAULT_RULE_NAME = 'default';
export const DEFAULT_MAX_KEYS = 100_000;
/** Entries scanned per insert when a full key table looks for an idle entry to evict. */
export const EVICTION_SCAN_LIMIT = 32;
/** Floating-point slack (ms) when comparing arrival times: 1000/3 ms steps must not lose a slot. */
export const TIME_EPSILON_MS = 1e-6;
/** Window over which the registry reports `currentRate`. */
export const RATE_WINDOW_MS = 5_000;
/** Error code carried by every rate-limit rejection (RPC error body and HTTP 429 body). */
export const RATE_LIMITED_CODE = 'RATE_LIMITED';
