// Shared settings of the dashboard: timings, history windows, socket names and chart colours.

export const POLL_MS = 1_000;
export const HEALTH_EVERY_MS = 5_000;
/** Seconds of history kept and charted. */
export const WINDOW_S = 120;
/** The charts' time axis grows with the history from this span up to WINDOW_S. */
export const MIN_SPAN_S = 30;
/** Seconds over which the displayed rates and states are computed. */
export const RECENT_S = 5;
export const SOCKET_TITLES = { router: 'ROUTER', pull: 'PULL', sub: 'SUB' };
export const SOCKET_ROLES = {
  router: 'queries & control · request/reply',
  pull: 'ingestion · events',
  sub: 'subscriptions · events',
};
export const COLORS = {
  admitted: '#2dd4bf',
  limited: '#fb7185',
  axis: '#a3afc6',
  grid: '#1f2a44',
};
