// The Sluice dashboard: polls /dashboard/data once a second and turns the cumulative counters
// into rates. No framework; uPlot draws the per-socket charts.
import uPlot from '/dashboard/assets/uPlot.esm.js';

const POLL_MS = 1_000;
const HEALTH_EVERY_MS = 5_000;
/** Seconds of history kept and charted. */
const WINDOW_S = 120;
/** The charts' time axis grows with the history from this span up to WINDOW_S. */
const MIN_SPAN_S = 30;
/** Seconds over which the displayed rates and states are computed. */
const RECENT_S = 5;
const SOCKET_TITLES = { router: 'ROUTER', pull: 'PULL', sub: 'SUB' };
const SOCKET_ROLES = {
  router: 'queries & control · request/reply',
  pull: 'ingestion · events',
  sub: 'subscriptions · events',
};
const COLORS = {
  admitted: '#2dd4bf',
  limited: '#fb7185',
  axis: '#a3afc6',
  grid: '#1f2a44',
};

const $ = (id) => document.getElementById(id);
const numberFormat = new Intl.NumberFormat('en');
/** Counts: a missing or broken figure shows as a dash, never as NaN. */
const nf = { format: (n) => (Number.isFinite(n) ? numberFormat.format(n) : '–') };

function fmtRate(rate) {
  if (!Number.isFinite(rate) || rate <= 0) return '0';
  if (rate < 10) return rate.toFixed(1);
  return nf.format(Math.round(rate));
}

function fmtCompact(n) {
  if (n >= 1e6) return `${(n / 1e6).toFixed(n >= 1e7 ? 0 : 1)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(n >= 1e4 ? 0 : 1)}k`;
  return String(Math.round(n * 10) / 10);
}

function fmtWindow(perMs) {
  if (perMs === 1_000) return 's';
  if (perMs === 60_000) return 'min';
  if (perMs === 3_600_000) return 'h';
  return perMs % 1_000 === 0 ? `${perMs / 1_000} s` : `${perMs} ms`;
}

function fmtDuration(ms) {
  const s = Math.floor(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h} h ${m} min` : m > 0 ? `${m} min ${s % 60} s` : `${s} s`;
}

const timeFmt = new Intl.DateTimeFormat('en-GB', {
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

/** [start, end] of the charts' time axis: the history so far, at least MIN_SPAN_S. */
function span(history, end) {
  const first = history.samples[0]?.t ?? end;
  return [end - Math.min(WINDOW_S, Math.max(MIN_SPAN_S, end - first)), end];
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') node.className = v;
    else node.setAttribute(k, v);
  }
  node.append(...children);
  return node;
}

function setBadge(node, state, text) {
  if (node.dataset.state !== state) node.dataset.state = state;
  if (node.textContent !== text) node.textContent = text;
}

function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

/**
 * Cumulative counters sampled once per poll. Rates come from differences, so a missed poll
 * only widens one interval; a counter going backwards (server restart) starts afresh.
 */
class History {
  constructor(fields) {
    this.fields = fields;
    this.samples = [];
  }

  push(t, values) {
    const last = this.samples.at(-1);
    if (last && this.fields.some((f) => values[f] < last[f])) this.samples = [];
    this.samples.push({ t, ...values });
    while (this.samples.length > 2 && t - this.samples[1].t > WINDOW_S) this.samples.shift();
  }

  /** Per-second rate of `field` over the last `seconds`. */
  rate(field, seconds = RECENT_S) {
    const s = this.samples;
    if (s.length < 2) return 0;
    const last = s.at(-1);
    let base = s[0];
    for (let i = s.length - 2; i >= 0; i--) {
      base = s[i];
      if (last.t - s[i].t >= seconds) break;
    }
    const dt = last.t - base.t;
    return dt > 0 ? Math.max(0, last[field] - base[field]) / dt : 0;
  }

  /** [times, ...per-second series], one point per poll interval, for the charts. */
  series(fields) {
    const out = [[], ...fields.map(() => [])];
    for (let i = 1; i < this.samples.length; i++) {
      const a = this.samples[i - 1];
      const b = this.samples[i];
      const dt = b.t - a.t;
      if (dt <= 0) continue;
      out[0].push(b.t);
      fields.forEach((f, j) => out[j + 1].push(Math.max(0, b[f] - a[f]) / dt));
    }
    return out;
  }
}

// ---------------------------------------------------------------------------------------------
// Sockets: a card with live figures and an admitted-vs-limited chart each.
// ---------------------------------------------------------------------------------------------

const sockets = new Map();

function chartOptions(width, title, history) {
  const axis = {
    stroke: COLORS.axis,
    grid: { stroke: COLORS.grid, width: 1 },
    ticks: { stroke: COLORS.grid, width: 1 },
    font: '11px system-ui, sans-serif',
  };
  return {
    title: undefined,
    width,
    height: 180,
    padding: [10, 28, 0, 0],
    cursor: { drag: { x: false, y: false }, points: { size: 6 } },
    legend: { show: false },
    scales: {
      x: {
        time: true,
        range: (u) => {
          const xs = u.data[0];
          return span(history, xs.length > 0 ? xs[xs.length - 1] : Date.now() / 1000);
        },
      },
      y: { range: (_u, _min, max) => [0, Math.max(5, (max ?? 0) * 1.15)] },
    },
    axes: [
      {
        ...axis,
        size: 30,
        space: 70,
        values: (_u, ticks) => ticks.map((t) => timeFmt.format(t * 1000)),
      },
      { ...axis, size: 48, values: (_u, ticks) => ticks.map(fmtCompact) },
    ],
    series: [
      { label: 'Time' },
      {
        label: `${title} admitted/s`,
        stroke: COLORS.admitted,
        fill: 'rgba(45, 212, 191, 0.14)',
        width: 2,
        points: { show: false },
        value: (_u, v) => (v == null ? '–' : fmtRate(v)),
      },
      {
        label: `${title} limited/s`,
        stroke: COLORS.limited,
        fill: 'rgba(251, 113, 133, 0.18)',
        width: 2,
        points: { show: false },
        value: (_u, v) => (v == null ? '–' : fmtRate(v)),
      },
    ],
  };
}

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

function renderSockets(snapshot) {
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
    if (!entry.plot) {
      entry.plot = new uPlot(
        chartOptions(entry.chartEl.clientWidth || 480, entry.title, h),
        data,
        entry.chartEl,
      );
      new ResizeObserver(() => {
        const width = entry.chartEl.clientWidth;
        if (width > 0 && width !== entry.plot.width) entry.plot.setSize({ width, height: 180 });
      }).observe(entry.chartEl);
    } else {
      entry.plot.setData(data);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Rules: a table row each, with a sparkline; and the top limited list.
// ---------------------------------------------------------------------------------------------

const rules = new Map();
const SVG = 'http://www.w3.org/2000/svg';

function sparkline() {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('class', 'spark');
  svg.setAttribute('viewBox', '0 0 120 28');
  svg.setAttribute('preserveAspectRatio', 'none');
  svg.setAttribute('aria-hidden', 'true');
  const a = document.createElementNS(SVG, 'polyline');
  a.setAttribute('class', 'a');
  const l = document.createElementNS(SVG, 'polyline');
  l.setAttribute('class', 'l');
  svg.append(a, l);
  return { svg, a, l };
}

function drawSparkline(spark, history, end) {
  const [xs, admitted, limited] = history.series(['admitted', 'limited']);
  const [start] = span(history, end);
  const max = Math.max(1, ...admitted, ...limited);
  const points = (ys) =>
    ys.some((y) => y > 0)
      ? ys
          .map((y, i) => {
            const x = ((xs[i] - start) / (end - start)) * 120;
            return `${x.toFixed(1)},${(26 - (y / max) * 24).toFixed(1)}`;
          })
          .join(' ')
      : '';
  spark.a.setAttribute('points', points(admitted));
  spark.l.setAttribute('points', points(limited));
}

function appliesTo(rule) {
  const socket = SOCKET_TITLES[rule.socket] ?? rule.socket;
  if (rule.scope === 'socket') {
    return [socket, rule.key === 'peer' ? 'each peer' : 'whole socket'];
  }
  const key = {
    pattern: 'shared',
    peer: 'per peer',
    socket: 'whole socket',
    function: 'custom key',
  };
  return [rule.pattern, `${socket} · ${key[rule.key] ?? rule.key}`];
}

function ruleRow(rule) {
  const cell = (cls = '', ...children) => el('td', cls ? { class: cls } : {}, ...children);
  const [target, targetSub] = appliesTo(rule);
  const admitted = cell('num admitted');
  admitted.dataset.field = 'admitted-rate';
  const limited = cell('num limited');
  limited.dataset.field = 'limited-rate';
  const limit = el('span');
  const limitSub = el('span', { class: 'sub' });
  const status = el('span', { class: 'badge' });
  const statusCell = cell('', status);
  statusCell.dataset.field = 'status';
  const spark = sparkline();
  const row = el(
    'tr',
    { 'data-rule-id': rule.id, 'data-rule-name': rule.name },
    el('th', { scope: 'row', title: rule.id }, el('span', { class: 'rule-name' }, rule.name)),
    cell('', el('code', {}, target), el('span', { class: 'sub' }, targetSub)),
    cell('', limit, limitSub),
    admitted,
    limited,
    cell('', spark.svg),
    statusCell,
  );
  return {
    row,
    history: new History(['admitted', 'limited']),
    fields: { admitted, limited, limit, limitSub, status },
    spark,
  };
}

function renderRules(snapshot) {
  const body = $('rules-body');
  const t = snapshot.at / 1000;
  const seen = new Set();
  const ranked = [];
  snapshot.rules.forEach((rule, index) => {
    seen.add(rule.id);
    let entry = rules.get(rule.id);
    if (!entry) {
      entry = ruleRow(rule);
      rules.set(rule.id, entry);
    }
    if (body.children[index] !== entry.row)
      body.insertBefore(entry.row, body.children[index] ?? null);
    entry.history.push(t, { admitted: rule.admitted, limited: rule.limited });
    const admittedRate = entry.history.rate('admitted');
    const limitedRate = entry.history.rate('limited');
    const f = entry.fields;
    setText(f.admitted, fmtRate(admittedRate));
    setText(f.limited, fmtRate(limitedRate));
    setText(f.limit, `${nf.format(rule.limit)} / ${fmtWindow(rule.perMs)}`);
    setText(f.limitSub, `burst ${nf.format(rule.burst)} · ${rule.action ?? 'default'}`);
    let state = 'idle';
    let label = 'Idle';
    if (rule.shadow)
      [state, label] = ['shadow', limitedRate > 0 ? 'Shadow · would limit' : 'Shadow'];
    else if (limitedRate > 0) [state, label] = ['throttling', 'Throttling'];
    else if (admittedRate > 0) [state, label] = ['ok', 'OK'];
    setBadge(f.status, state, label);
    entry.row.dataset.state = state;
    drawSparkline(entry.spark, entry.history, t);
    if (limitedRate > 0) ranked.push({ rule, limitedRate, admittedRate });
  });
  for (const [id, entry] of rules) {
    if (!seen.has(id)) {
      entry.row.remove();
      rules.delete(id);
    }
  }
  setText($('rule-count'), String(snapshot.rules.length));
  renderTopLimited(ranked);
}

function renderTopLimited(ranked) {
  const list = $('top-limited');
  ranked.sort((a, b) => b.limitedRate - a.limitedRate);
  const top = ranked.slice(0, 6);
  if (top.length === 0) {
    if (!list.querySelector('.empty')) {
      list.replaceChildren(el('li', { class: 'empty' }, 'Nothing is being limited.'));
    }
    return;
  }
  const max = top[0].limitedRate;
  list.replaceChildren(
    ...top.map(({ rule, limitedRate, admittedRate }) => {
      const [target, sub] = appliesTo(rule);
      const share = limitedRate / Math.max(1e-9, limitedRate + admittedRate);
      return el(
        'li',
        { 'data-rule-name': rule.name },
        el(
          'div',
          { class: 'row' },
          el('span', { class: 'name' }, rule.name),
          el('span', { class: 'rate' }, `${fmtRate(limitedRate)}/s`),
        ),
        el(
          'div',
          { class: 'bar', role: 'presentation' },
          el('span', { style: `width: ${Math.max(3, (limitedRate / max) * 100).toFixed(1)}%` }),
        ),
        el(
          'div',
          { class: 'row muted small' },
          el('span', {}, `${target} · ${sub}`),
          el('span', {}, `${Math.round(share * 100)}% refused`),
        ),
      );
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// Summary, health, polling.
// ---------------------------------------------------------------------------------------------

function renderSummary(snapshot) {
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

/** The indicators of a terminus response (`details`), e.g. `{ zmq: { status: 'up', ... } }`. */
const indicators = (body) => Object.values(body.details ?? { ...body.info, ...body.error });

function renderHealth(snapshot) {
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
  const paused = snapshot.sockets.filter(
    (s) => sockets.get(s.socket)?.badges.flow.dataset.state === 'paused',
  );
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

function setLive(state, text) {
  const live = $('live');
  if (live.dataset.state !== state) live.dataset.state = state;
  setText($('live-text'), text);
}

async function poll() {
  try {
    if (Date.now() - healthCheckedAt >= HEALTH_EVERY_MS) await checkHealth();
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
