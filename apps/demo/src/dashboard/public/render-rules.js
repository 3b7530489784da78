// Rules: a table row each, with a sparkline; and the top limited list.
import { drawSparkline, sparkline } from './charts.js';
import { SOCKET_TITLES } from './config.js';
import { $, el, setBadge, setText } from './dom.js';
import { fmtRate, fmtWindow, nf } from './format.js';
import { History } from './rates.js';

const rules = new Map();

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

export function renderRules(snapshot) {
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
