// Interval plots of the comparison, drawn as SVG (CSP-safe: attributes only, colours from theme classes in
// main.css): each candidate's mean with its 95% interval on one axis, and the paired difference against zero.
import type { CompareViewData } from '../../src/shared/evalCompareProtocol';
import { fmt } from '../lib/dom';

const NS = 'http://www.w3.org/2000/svg';
const W = 420;
const LEFT = 110;
const RIGHT = 60;
const ROW = 28;

function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number>,
  text?: string,
): SVGElementTagNameMap[K] {
  const node = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

interface Row {
  label: string;
  cls: string;
  value: number;
  ci: [number, number];
}

function finite(n: number, fallback: number): number {
  return Number.isFinite(n) ? n : fallback;
}

function plot(rows: Row[], domain: [number, number], zero: boolean, label: string): SVGSVGElement {
  const height = rows.length * ROW + 26;
  const root = svg('svg', {
    viewBox: `0 0 ${W} ${height}`,
    role: 'img',
    'aria-label': label,
    class: 'interval-plot',
  });
  const [lo, hi] = domain;
  const x = (v: number) => LEFT + ((finite(v, lo) - lo) / (hi - lo || 1)) * (W - LEFT - RIGHT);
  const axisY = rows.length * ROW + 6;
  root.append(svg('line', { x1: LEFT, x2: W - RIGHT, y1: axisY, y2: axisY, class: 'axis' }));
  for (const t of [lo, (lo + hi) / 2, hi]) {
    root.append(svg('line', { x1: x(t), x2: x(t), y1: axisY, y2: axisY + 4, class: 'axis' }));
    root.append(svg('text', { x: x(t), y: axisY + 16, class: 'tick', 'text-anchor': 'middle' }, fmt(t, 2)));
  }
  if (zero && lo < 0 && hi > 0)
    root.append(svg('line', { x1: x(0), x2: x(0), y1: 0, y2: axisY, class: 'zero' }));
  rows.forEach((r, i) => {
    const y = i * ROW + ROW / 2;
    root.append(svg('text', { x: LEFT - 8, y: y + 4, class: 'row-label', 'text-anchor': 'end' }, r.label));
    root.append(svg('line', { x1: x(r.ci[0]), x2: x(r.ci[1]), y1: y, y2: y, class: `ci ${r.cls}` }));
    for (const end of r.ci)
      root.append(svg('line', { x1: x(end), x2: x(end), y1: y - 5, y2: y + 5, class: `ci ${r.cls}` }));
    root.append(svg('circle', { cx: x(r.value), cy: y, r: 4.5, class: `dot ${r.cls}` }));
    root.append(svg('text', { x: W - RIGHT + 6, y: y + 4, class: 'row-value' }, fmt(r.value)));
  });
  return root;
}

function clip(s: string, n = 16): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

export function meansPlot(v: CompareViewData): SVGSVGElement {
  const rows: Row[] = v.candidates.map((c, i) => ({
    label: clip(c.name),
    cls: i === 0 ? 'side-a' : 'side-b',
    value: c.mean,
    ci: c.ci,
  }));
  const values = rows.flatMap((r) => [r.value, ...r.ci]).filter(Number.isFinite);
  // Rewards usually live in [0, 1]: keep that frame unless the data leave it.
  const domain: [number, number] = [Math.min(0, ...values), Math.max(1, ...values)];
  return plot(rows, domain, false, 'Mean reward of each candidate with its 95% interval');
}

export function differencePlot(v: CompareViewData): SVGSVGElement {
  const d = v.paired;
  const span = Math.max(0.05, ...[d.difference, ...d.ci].filter(Number.isFinite).map(Math.abs)) * 1.15;
  return plot(
    [{ label: clip(`${v.names[0]} − ${v.names[1]}`), cls: 'diff', value: d.difference, ci: d.ci }],
    [-span, span],
    true,
    'Paired difference with its 95% interval, against zero',
  );
}
