// The health badge: terminus' /health when the app has it, otherwise derived from the snapshot.
import { HEALTH_EVERY_MS, SOCKET_TITLES } from './config.js';
import { $, el, setBadge, setText } from './dom.js';
import { nf } from './format.js';
import { socketState } from './render-sockets.js';

/** Terminus' /health when the app has it; otherwise undefined and the page derives a status. */
let terminus;
let healthCheckedAt = 0;

async function checkHealth() {
  healthCheckedAt = Date.now();
  try {
    const res = await fetch('/health', {
      headers: { accept: 'application/json' },
      cache: 'no-store',
    });
    const body = res.status === 404 ? undefined : await res.json();
    terminus = typeof body?.status === 'string' ? body : undefined;
  } catch {
    terminus = undefined;
  }
}

/** Asks /health again when the last answer is HEALTH_EVERY_MS old. */
export async function refreshHealth() {
  if (Date.now() - healthCheckedAt >= HEALTH_EVERY_MS) await checkHealth();
}

/** The indicators of a terminus response (`details`), e.g. `{ zmq: { status: 'up', ... } }`. */
const indicators = (body) => Object.values(body.details ?? { ...body.info, ...body.error });

export function renderHealth(snapshot) {
  const badge = $('health-badge');
  const source = $('health-source');
  if (terminus) {
    const all = indicators(terminus);
    const reasons = all.flatMap((d) => (Array.isArray(d?.reasons) ? d.reasons : []));
    if (terminus.status === 'error') setBadge(badge, 'down', 'Unhealthy');
    else if (terminus.status === 'shutting_down') setBadge(badge, 'degraded', 'Shutting down');
    else if (all.some((d) => d?.status === 'degraded')) setBadge(badge, 'degraded', 'Degraded');
    else setBadge(badge, 'ok', 'Healthy');
    const failing = Object.keys(terminus.error ?? {});
    setText(
      source,
      reasons.length > 0
        ? `/health: ${reasons.slice(0, 2).join('; ')}`
        : failing.length > 0
          ? `/health: ${failing.join(', ')} failing`
          : 'from /health',
    );
    renderTopPeers(
      all.flatMap((d) => (Array.isArray(d?.topLimitedPeers) ? d.topLimitedPeers : [])),
    );
    return;
  }
  renderTopPeers([]);
  const paused = snapshot.sockets.filter((s) => socketState(s.socket) === 'paused');
  if (!snapshot.listening) setBadge(badge, 'down', 'Down');
  else if (paused.length > 0) setBadge(badge, 'degraded', 'Degraded');
  else setBadge(badge, 'ok', 'Healthy');
  setText(
    source,
    !snapshot.listening
      ? 'derived: transport not listening'
      : paused.length > 0
        ? `derived: ${paused.map((s) => SOCKET_TITLES[s.socket]).join(', ')} paused (back-pressure)`
        : 'derived: transport listening',
  );
}

/** Peers come from terminus' /health (the registry keeps no per-peer counts): hidden without. */
function renderTopPeers(peers) {
  const box = $('top-peers-box');
  box.hidden = peers.length === 0;
  if (peers.length === 0) return;
  const top = [...peers].sort((a, b) => b.limited - a.limited).slice(0, 5);
  $('top-peers').replaceChildren(
    ...top.map((p) =>
      el(
        'li',
        {},
        el(
          'div',
          { class: 'row' },
          el('code', { class: 'name', title: p.peer }, p.peer),
          el('span', { class: 'rate' }, nf.format(Math.round(p.limited))),
        ),
        el(
          'div',
          { class: 'row muted small' },
          el('span', {}, SOCKET_TITLES[p.socket] ?? p.socket),
        ),
      ),
    ),
  );
}
