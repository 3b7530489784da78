// The Sluice dashboard: polls /dashboard/data once a second and turns the cumulative counters
// into rates. No framework; uPlot draws the per-socket charts. This module is the entry point:
// the polling loop and the "live" indicator; the other modules do the rest.
import { POLL_MS } from './config.js';
import { $, setText } from './dom.js';
import { refreshHealth, renderHealth } from './health.js';
import { renderRules } from './render-rules.js';
import { renderSockets, renderSummary } from './render-sockets.js';

function setLive(state, text) {
  const live = $('live');
  if (live.dataset.state !== state) live.dataset.state = state;
  setText($('live-text'), text);
}

async function poll() {
  try {
    await refreshHealth();
    const res = await fetch('/dashboard/data', { cache: 'no-store' });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const snapshot = await res.json();
    renderSockets(snapshot);
    renderRules(snapshot);
    renderSummary(snapshot);
    renderHealth(snapshot);
    document.body.dataset.updated = String(snapshot.at);
    setLive('live', `Live · updated ${new Date(snapshot.at).toLocaleTimeString('en-GB')}`);
  } catch (error) {
    setLive('lost', `Connection lost (${error.message}) — retrying`);
  } finally {
    setTimeout(poll, POLL_MS);
  }
}

void poll();
