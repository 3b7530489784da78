// Charts: a uPlot admitted-vs-limited chart per socket, and an SVG sparkline per rule.
import uPlot from '/dashboard/assets/uPlot.esm.js';
import { COLORS } from './config.js';
import { fmtCompact, fmtRate, timeFmt } from './format.js';
import { span } from './rates.js';

const CHART_HEIGHT = 180;
const SVG = 'http://www.w3.org/2000/svg';

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
    height: CHART_HEIGHT,
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

/** A socket's chart in `container`, following the container's width. */
export function createChart(container, title, history, data) {
  const plot = new uPlot(
    chartOptions(container.clientWidth || 480, title, history),
    data,
    container,
  );
  new ResizeObserver(() => {
    const width = container.clientWidth;
    if (width > 0 && width !== plot.width) plot.setSize({ width, height: CHART_HEIGHT });
  }).observe(container);
  return plot;
}

export function sparkline() {
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

export function drawSparkline(spark, history, end) {
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
