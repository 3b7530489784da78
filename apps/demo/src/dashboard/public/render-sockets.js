// Sockets: a card with live figures and an admitted-vs-limited chart each; and the summary tiles.
import { createChart } from './charts.js';
import { SOCKET_ROLES, SOCKET_TITLES } from './config.js';
import { $, el, setBadge, setText } from './dom.js';
import { fmtDuration, fmtRate, nf } from './format.js';
import { History } from './rates.js';

const sockets = new Map();

/** A socket card's flow state ('ok', 'throttling', 'paused', 'idle'), once it has one. */
export const socketState = (name) => sockets.get(name)?.badges.flow.dataset.state;

function socketCard(name) {
  const title = SOCKET_TITLES[name] ?? name.toUpperCase();
  const field = (key, label, cls = '') => {
    const dd = el('dd', { 'data-field': key, class: cls }, '–');
    return [el('div', {}, el('dt', {}, label), dd), dd];
  };
  const [admittedBox, admitted] = field('admitted-rate', 'Admitted/s', 'admitted');
  const [limitedBox, limited] = field('limited-rate', 'Limited/s', 'limited');
  const [peersBox, peers] = field('peers', 'Peers');
  const [pausedBox, paused] = field('paused', 'Time paused');
  const [totalBox, total] = field('admitted-total', 'Admitted');
  const listening = el('span', { class: 'badge', 'data-testid': `socket-${name}-listening` });
  const flow = el('span', { class: 'badge', 'data-testid': `socket-${name}-state` });
  const chart = el('div', { class: 'chart', role: 'img' });
  const legend = el(
    'p',
    { class: 'legend', 'aria-hidden': 'true' },
    el('span', {}, el('span', { class: 'swatch admitted' }), 'Admitted/s'),
    el('span', {}, el('span', { class: 'swatch limited' }), 'Limited/s'),
  );
  const detail = el('p', { class: 'muted small', 'data-field': 'detail' });
  const headingId = `socket-${name}-title`;
  const card = el(
    'article',
    { class: 'card', 'data-testid': `socket-${name}`, 'aria-labelledby': headingId },
    el(
      'div',
      { class: 'card-head' },
      el('h3', { id: headingId }, title, el('span', { class: 'kind' }, SOCKET_ROLES[name] ?? '')),
      el('div', { class: 'badges' }, flow, listening),
    ),
    el('dl', { class: 'metrics' }, admittedBox, limitedBox, peersBox, pausedBox, totalBox),
    chart,
    legend,
    detail,
  );
  const entry = {
    card,
    title,
    history: new History(['admitted', 'limited', 'pausedMs']),
    fields: { admitted, limited, peers, paused, total, detail },
    badges: { listening, flow },
    chartEl: chart,
    plot: undefined,
  };
  return entry;
}

export function renderSockets(snapshot) {
  const container = $('sockets');
  if (snapshot.sockets.length === 0) return;
  if (sockets.size === 0) container.replaceChildren();
  const t = snapshot.at / 1000;
  for (const s of snapshot.sockets) {
    let entry = sockets.get(s.socket);
    if (!entry) {
      entry = socketCard(s.socket);
      sockets.set(s.socket, entry);
      container.append(entry.card);
    }
    entry.history.push(t, { admitted: s.admitted, limited: s.limited, pausedMs: s.pausedMs });
    const h = entry.history;
    const admittedRate = h.rate('admitted');
    const limitedRate = h.rate('limited');
    // Share of the last seconds spent paused: pauses are short sleeps, often between polls.
    const pausedShare = Math.min(1, h.rate('pausedMs', 3) / 1000);
    const isPaused = s.paused || pausedShare > 0.02;
    const f = entry.fields;
    setText(f.admitted, fmtRate(admittedRate));
    setText(f.limited, fmtRate(limitedRate));
    setText(f.peers, nf.format(s.connectedPeers));
    setText(f.paused, `${Math.round(pausedShare * 100)}%`);
    f.paused.classList.toggle('paused', pausedShare > 0);
    setText(f.total, nf.format(s.admitted));
    const by = s.limitedBy;
    setText(
      f.detail,
      `Received ${nf.format(s.received)} · limited ${nf.format(s.limited)} ` +
        `(reject ${nf.format(by.reject)}, pause ${nf.format(by.pause)}, drop ${nf.format(by.drop)})` +
        ` · malformed ${nf.format(s.malformed)} · paused ${fmtDuration(s.pausedMs)} in total`,
    );
    setBadge(
      entry.badges.listening,
      snapshot.listening ? 'listening' : 'closed',
      snapshot.listening ? 'Listening' : 'Closed',
    );
    if (isPaused) setBadge(entry.badges.flow, 'paused', 'Paused');
    else if (limitedRate > 0) setBadge(entry.badges.flow, 'throttling', 'Throttling');
    else if (admittedRate > 0) setBadge(entry.badges.flow, 'ok', 'Flowing');
    else setBadge(entry.badges.flow, 'idle', 'Idle');
    entry.card.dataset.state = entry.badges.flow.dataset.state;
    entry.chartEl.setAttribute(
      'aria-label',
      `${entry.title}: ${fmtRate(admittedRate)} admitted and ${fmtRate(limitedRate)} limited ` +
        `messages per second; chart of the last 2 minutes`,
    );
    const data = h.series(['admitted', 'limited']);
    if (!entry.plot) entry.plot = createChart(entry.chartEl, entry.title, h, data);
    else entry.plot.setData(data);
  }
}

export function renderSummary(snapshot) {
  let admitted = 0;
  let limited = 0;
  let peers = 0;
  for (const s of snapshot.sockets) {
    const entry = sockets.get(s.socket);
    admitted += entry ? entry.history.rate('admitted') : 0;
    limited += entry ? entry.history.rate('limited') : 0;
    peers += s.connectedPeers;
  }
  setText($('sum-admitted'), fmtRate(admitted));
  setText($('sum-limited'), fmtRate(limited));
  setText($('sum-peers'), nf.format(peers));
  setText($('sum-inflight'), nf.format(snapshot.inFlight));
  setText($('sum-ingested'), nf.format(snapshot.readings.ingested));
  setText($('sum-sensors'), nf.format(snapshot.readings.sensors));
  setText($('service'), snapshot.service);
  setText($('uptime'), `Up ${fmtDuration(snapshot.uptimeMs)}`);
}
