/**
 * The MME trend chart (SVG): daily MME over the window with the 50 and 90 MME/day lines, the 60- and 90-day averages,
 * days an order of unknown dose covers, and below it each order as a bar on the same time axis. Every line is
 * labelled in words and drawn with its own dash pattern, so that the chart reads without colour; the same figures
 * are in the page's tables.
 */

export interface ChartPoint {
  readonly date: string;
  readonly mme: number;
  readonly complete?: false;
}

export interface ChartOrder {
  readonly id: string;
  readonly label: string;
  readonly start: string;
  readonly end: string;
  readonly mme: number | null;
}

export interface ChartInput {
  readonly series: readonly ChartPoint[];
  readonly orders: readonly ChartOrder[];
  readonly average60: number;
  readonly average90: number;
}

const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 960;
const PLOT_HEIGHT = 300;
const MARGIN = { left: 56, right: 120, top: 16, bottom: 28 };
const LANE = 22;

function node<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | number>,
  text?: string,
): SVGElementTagNameMap[K] {
  const n = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attributes)) n.setAttribute(k, String(v));
  if (text !== undefined) n.textContent = text;
  return n;
}

const dayNumber = (iso: string): number =>
  Math.floor(Date.parse(`${iso.slice(0, 10)}T00:00:00Z`) / 86_400_000);

/** Orders placed in lanes so that bars never overlap. */
function lanes(
  orders: readonly ChartOrder[],
  first: number,
  last: number,
): { order: ChartOrder; lane: number; from: number; to: number }[] {
  const ends: number[] = [];
  const placed = [];
  const visible = orders
    .map((order) => ({
      order,
      from: Math.max(first, dayNumber(order.start)),
      to: Math.min(last, dayNumber(order.end)),
    }))
    .filter((o) => o.from <= o.to)
    .sort((a, b) => a.from - b.from);
  for (const o of visible) {
    let lane = ends.findIndex((end) => end < o.from);
    if (lane < 0) lane = ends.push(o.to) - 1;
    else ends[lane] = o.to;
    placed.push({ ...o, lane });
  }
  return placed;
}

export function trendChart(input: ChartInput, title: string): SVGSVGElement {
  const { series } = input;
  const first = dayNumber(series[0]?.date ?? '1970-01-01');
  const last = dayNumber(series[series.length - 1]?.date ?? '1970-01-01');
  const placed = lanes(input.orders, first, last);
  const laneCount = Math.max(1, ...placed.map((p) => p.lane + 1));
  const timelineTop = MARGIN.top + PLOT_HEIGHT + MARGIN.bottom + 20;
  const height = timelineTop + laneCount * LANE + 10;
  const maxMme = Math.max(100, ...series.map((p) => p.mme)) * 1.1;
  const x = (day: number): number =>
    MARGIN.left + ((day - first) / Math.max(1, last - first)) * (WIDTH - MARGIN.left - MARGIN.right);
  const y = (mme: number): number => MARGIN.top + PLOT_HEIGHT - (mme / maxMme) * PLOT_HEIGHT;

  const svg = node('svg', {
    viewBox: `0 0 ${WIDTH} ${height}`,
    class: 'chart',
    role: 'img',
    'aria-labelledby': 'chart-title chart-desc',
  });
  svg.append(node('title', { id: 'chart-title' }, title));
  const latest = series[series.length - 1];
  svg.append(
    node(
      'desc',
      { id: 'chart-desc' },
      `Daily MME from ${series[0]?.date ?? '?'} to ${latest?.date ?? '?'}; today ${latest?.complete === false ? 'at least ' : ''}${latest?.mme ?? '?'} MME/day; ` +
        `60-day average ${input.average60}, 90-day average ${input.average90}; ${placed.length} orders in the window.`,
    ),
  );
  const defs = node('defs', {});
  const hatch = node('pattern', {
    id: 'hatch',
    width: 6,
    height: 6,
    patternUnits: 'userSpaceOnUse',
    patternTransform: 'rotate(45)',
  });
  hatch.append(
    node('rect', { width: 6, height: 6, fill: '#fbe9ec' }),
    node('line', { x1: 0, y1: 0, x2: 0, y2: 6, stroke: '#b00020', 'stroke-width': 2 }),
  );
  defs.append(hatch);
  svg.append(defs);

  // Grid and y axis.
  const step = maxMme > 300 ? 100 : maxMme > 150 ? 50 : 25;
  for (let v = 0; v <= maxMme; v += step) {
    svg.append(
      node('line', { class: 'grid', x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: y(v), y2: y(v) }),
    );
    svg.append(node('text', { x: MARGIN.left - 6, y: y(v) + 4, 'text-anchor': 'end' }, String(v)));
  }
  svg.append(
    node(
      'text',
      {
        x: 12,
        y: MARGIN.top + PLOT_HEIGHT / 2,
        transform: `rotate(-90 12 ${MARGIN.top + PLOT_HEIGHT / 2})`,
        'text-anchor': 'middle',
      },
      'MME/day',
    ),
  );
  // x axis: a tick at the first of each month.
  for (let d = first; d <= last; d++) {
    const iso = new Date(d * 86_400_000).toISOString().slice(0, 10);
    if (!iso.endsWith('-01')) continue;
    svg.append(
      node('line', {
        class: 'axis',
        x1: x(d),
        x2: x(d),
        y1: MARGIN.top + PLOT_HEIGHT,
        y2: MARGIN.top + PLOT_HEIGHT + 5,
      }),
    );
    svg.append(
      node('text', { x: x(d), y: MARGIN.top + PLOT_HEIGHT + 18, 'text-anchor': 'middle' }, iso.slice(0, 7)),
    );
  }
  svg.append(node('line', { class: 'axis', x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: y(0), y2: y(0) }));

  // Days covered by an order of unknown dose.
  for (const p of series)
    if (p.complete === false) {
      const d = dayNumber(p.date);
      svg.append(
        node('rect', {
          class: 'unknown-day',
          x: x(d),
          y: MARGIN.top,
          width: Math.max(1, x(d + 1) - x(d)),
          height: PLOT_HEIGHT,
          fill: 'url(#hatch)',
          opacity: 0.6,
        }),
      );
    }

  // Thresholds and averages, each labelled at the right; labels that would overlap are moved apart.
  const labels: { y: number; text: string }[] = [];
  const hline = (value: number, cls: string, label: string, from = first): void => {
    svg.append(
      node('line', {
        class: cls,
        x1: x(Math.max(first, from)),
        x2: WIDTH - MARGIN.right,
        y1: y(value),
        y2: y(value),
        'data-value': value,
      }),
    );
    labels.push({ y: y(value) + 4, text: label });
  };
  hline(50, 'threshold-50', '50 MME/day');
  hline(90, 'threshold-90', '90 MME/day');
  hline(input.average90, 'average-90', `90-day avg ${input.average90}`, last - 89);
  hline(input.average60, 'average-60', `60-day avg ${input.average60}`, last - 59);
  labels.sort((a, b) => a.y - b.y);
  for (let i = 1; i < labels.length; i++) {
    const previous = labels[i - 1];
    const label = labels[i];
    if (previous && label && label.y - previous.y < 14) label.y = previous.y + 14;
  }
  for (const label of labels)
    svg.append(node('text', { x: WIDTH - MARGIN.right + 4, y: label.y }, label.text));

  // The daily series as a step line.
  let path = '';
  series.forEach((p, i) => {
    const d = dayNumber(p.date);
    path += `${i === 0 ? 'M' : 'L'}${x(d).toFixed(1)},${y(p.mme).toFixed(1)}L${x(d + 1).toFixed(1)},${y(p.mme).toFixed(1)}`;
  });
  svg.append(node('path', { class: 'series', d: path }));

  // The orders.
  svg.append(
    node(
      'text',
      { x: MARGIN.left, y: timelineTop - 6 },
      'Orders (bar = days covered; hatched = dose unknown)',
    ),
  );
  for (const p of placed) {
    const top = timelineTop + p.lane * LANE;
    const bar = node('rect', {
      class: `order-bar${p.order.mme === null ? ' order-bar--incomplete' : ''}`,
      x: x(p.from),
      y: top,
      width: Math.max(2, x(p.to + 1) - x(p.from)),
      height: LANE - 6,
      'data-order': p.order.id,
    });
    bar.append(
      node(
        'title',
        {},
        `${p.order.label}: ${p.order.start} to ${p.order.end}, ${p.order.mme === null ? 'MME unknown' : `${p.order.mme} MME/day`}`,
      ),
    );
    svg.append(bar);
    svg.append(
      node(
        'text',
        { x: x(p.from) + 3, y: top + LANE - 10 },
        p.order.mme === null ? '? MME' : `${p.order.mme}`,
      ),
    );
  }
  return svg;
}
