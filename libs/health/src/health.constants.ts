/** Defaults of the status rules and the sampler; each is an option of `ZmqHealthModule.forRoot`. */
export const DEFAULT_SAMPLE_EVERY_MS = 1_000;
export const DEFAULT_WINDOW_MS = 10_000;
export const DEFAULT_MAX_LIMITED_SHARE = 0.2;
/** Below this many messages in the window, a limited share says nothing (3 of 5 is not a flood). */
export const DEFAULT_MIN_MESSAGES = 20;
export const DEFAULT_MAX_PAUSE_MS = 5_000;
export const DEFAULT_TOP_N = 5;
/** Slots of the limited-peers table: a multiple of top N keeps its estimates of the top N tight. */
export const PEER_TABLE_FACTOR = 8;
/**
 * A sample interval spent paused at least this much counts as "still paused": the reader loop
 * wakes between two waits (and between two messages) for microseconds, never for a whole tick.
 */
export const PAUSED_SHARE_OF_TICK = 0.9;

export const ZMQ_HEALTH_OPTIONS = Symbol('ZMQ_HEALTH_OPTIONS');

/** Default buckets of `sluice_handler_duration_seconds`: 0.5 ms to 10 s. */
export const DEFAULT_DURATION_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/** The `pattern` label of a message whose pattern is not a registered handler pattern. */
export const OTHER_PATTERN = 'other';
