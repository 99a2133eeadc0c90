/**
 * Hand-written SVG charts for the report (no dependencies): bar and line
 * panels with linear or log axes, composed side by side into one file.
 */

export interface Panel {
  svg: string;
}

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface BarGroup {
  name: string;
  color: string;
  values: (number | undefined)[];
  /** Text above each bar; defaults to the value. */
  labels?: (string | undefined)[];
}

export interface RefLine {
  y: number;
  label: string;
  color: string;
}

export interface Series {
  name: string;
  color: string;
  points: [number, number][];
  dashed?: boolean;
}

const FONT = 'font-family="Helvetica, Arial, sans-serif"';
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
export const fmt = (v: number) =>
  v >= 1000 ? `${Math.round(v).toLocaleString('en-US')}` : v >= 10 ? v.toFixed(0) : v >= 1 ? v.toFixed(2).replace(/\.?0+$/, '') : v >= 0.01 ? v.toFixed(2) : String(Number(v.toPrecision(1)));

function scale(min: number, max: number, from: number, to: number, log: boolean) {
  if (log) {
    const a = Math.log10(min);
    const b = Math.log10(max);
    return (v: number) => from + ((Math.log10(Math.max(v, min)) - a) / (b - a)) * (to - from);
  }
  return (v: number) => from + ((v - min) / (max - min)) * (to - from);
}

function ticks(min: number, max: number, log: boolean): number[] {
  if (log) {
    const out: number[] = [];
    for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) {
      const v = 10 ** e;
      if (v >= min * 0.999 && v <= max * 1.001) out.push(v);
    }
    return out;
  }
  const raw = (max - min) / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + 1e-9; v += step) out.push(Number(v.toPrecision(10)));
  return out;
}

function frame(box: Box, title: string, subtitle?: string): string {
  return (
    `<text x="${box.x}" y="${box.y - 28}" ${FONT} font-size="15" font-weight="bold" fill="#222">${esc(title)}</text>` +
    (subtitle === undefined ? '' : `<text x="${box.x}" y="${box.y - 11}" ${FONT} font-size="11" fill="#666">${esc(subtitle)}</text>`)
  );
}

function yAxis(box: Box, ys: (v: number) => number, values: number[], label: string, unit: (v: number) => string): string {
  let s = '';
  for (const v of values) {
    const y = ys(v);
    s += `<line x1="${box.x}" y1="${y}" x2="${box.x + box.w}" y2="${y}" stroke="#e5e5e5"/>`;
    s += `<text x="${box.x - 6}" y="${y + 4}" ${FONT} font-size="11" text-anchor="end" fill="#555">${esc(unit(v))}</text>`;
  }
  s += `<text transform="translate(${box.x - 52},${box.y + box.h / 2}) rotate(-90)" ${FONT} font-size="12" text-anchor="middle" fill="#333">${esc(label)}</text>`;
  s += `<line x1="${box.x}" y1="${box.y + box.h}" x2="${box.x + box.w}" y2="${box.y + box.h}" stroke="#999"/>`;
  s += `<line x1="${box.x}" y1="${box.y}" x2="${box.x}" y2="${box.y + box.h}" stroke="#999"/>`;
  return s;
}

/** Legend entries in `columns` columns under the x-axis label (never over the plot). */
function legend(box: Box, items: { name: string; color: string; dashed?: boolean }[], columns = 2): string {
  let s = '';
  const colW = box.w / columns;
  items.forEach((it, i) => {
    const x = box.x + (i % columns) * colW;
    const y = box.y + box.h + 54 + Math.floor(i / columns) * 16;
    s += `<line x1="${x}" y1="${y - 4}" x2="${x + 18}" y2="${y - 4}" stroke="${it.color}" stroke-width="3"${it.dashed ? ' stroke-dasharray="5,3"' : ''}/>`;
    s += `<text x="${x + 24}" y="${y}" ${FONT} font-size="11" fill="#333">${esc(it.name)}</text>`;
  });
  return s;
}

export function barPanel(
  box: Box,
  opts: {
    title: string;
    subtitle?: string;
    categories: string[];
    xLabel: string;
    yLabel: string;
    groups: BarGroup[];
    refLines?: RefLine[];
    log?: boolean;
    unit?: (v: number) => string;
  },
): Panel {
  const all = [...opts.groups.flatMap((g) => g.values.filter((v): v is number => v !== undefined && v > 0)), ...(opts.refLines ?? []).map((r) => r.y)];
  const log = opts.log ?? false;
  const max = log ? 10 ** Math.ceil(Math.log10(Math.max(...all) * 1.05)) : Math.max(...all) * 1.15;
  const min = log ? 10 ** Math.floor(Math.log10(Math.min(...all))) : 0;
  const ys = scale(min, max, box.y + box.h, box.y, log);
  const unit = opts.unit ?? fmt;
  let s = frame(box, opts.title, opts.subtitle) + yAxis(box, ys, ticks(min, max, log), opts.yLabel, unit);
  for (const r of opts.refLines ?? []) {
    const y = ys(r.y);
    s += `<line x1="${box.x}" y1="${y}" x2="${box.x + box.w}" y2="${y}" stroke="${r.color}" stroke-width="1.5" stroke-dasharray="6,4"/>`;
  }
  const slot = box.w / opts.categories.length;
  const barW = Math.min(36, (slot * 0.7) / opts.groups.length);
  opts.categories.forEach((c, i) => {
    const cx = box.x + slot * (i + 0.5);
    s += `<text x="${cx}" y="${box.y + box.h + 16}" ${FONT} font-size="11" text-anchor="middle" fill="#333">${esc(c)}</text>`;
    opts.groups.forEach((g, j) => {
      const v = g.values[i];
      if (v === undefined) return;
      const x = cx - (barW * opts.groups.length) / 2 + j * barW;
      const y = ys(v);
      s += `<rect x="${x + 1}" y="${y}" width="${barW - 2}" height="${box.y + box.h - y}" fill="${g.color}"/>`;
      const label = g.labels?.[i] ?? unit(v);
      const tw = label.length * 5.6 + 4;
      s += `<rect x="${x + barW / 2 - tw / 2}" y="${y - 13}" width="${tw}" height="12" fill="#fff" fill-opacity="0.85"/>`;
      s += `<text x="${x + barW / 2}" y="${y - 3}" ${FONT} font-size="9.5" text-anchor="middle" fill="#222">${esc(label)}</text>`;
    });
  });
  s += `<text x="${box.x + box.w / 2}" y="${box.y + box.h + 34}" ${FONT} font-size="12" text-anchor="middle" fill="#333">${esc(opts.xLabel)}</text>`;
  const entries = [
    ...(opts.groups.length > 1 || (opts.refLines ?? []).length > 0 ? opts.groups.map((g) => ({ name: g.name, color: g.color })) : []),
    ...(opts.refLines ?? []).map((r) => ({ name: r.label, color: r.color, dashed: true })),
  ];
  s += legend(box, entries, 1);
  return { svg: s };
}

export function linePanel(
  box: Box,
  opts: {
    title: string;
    subtitle?: string;
    xLabel: string;
    yLabel: string;
    series: Series[];
    xLog?: boolean;
    yLog?: boolean;
    xUnit?: (v: number) => string;
    yUnit?: (v: number) => string;
    xTicks?: number[];
    markers?: { x: number; y: number; label: string; color: string }[];
  },
): Panel {
  const xsAll = opts.series.flatMap((s) => s.points.map((p) => p[0]));
  const ysAll = opts.series.flatMap((s) => s.points.map((p) => p[1])).filter((v) => !opts.yLog || v > 0);
  const xLog = opts.xLog ?? false;
  const yLog = opts.yLog ?? false;
  const xMin = Math.min(...xsAll);
  const xMax = Math.max(...xsAll);
  const yMax = yLog ? 10 ** Math.ceil(Math.log10(Math.max(...ysAll))) : Math.max(...ysAll) * 1.15;
  const yMin = yLog ? 10 ** Math.floor(Math.log10(Math.min(...ysAll))) : 0;
  const xs = scale(xMin, xMax, box.x, box.x + box.w, xLog);
  const ys = scale(yMin, yMax, box.y + box.h, box.y, yLog);
  const yUnit = opts.yUnit ?? fmt;
  const xUnit = opts.xUnit ?? fmt;
  let s = frame(box, opts.title, opts.subtitle) + yAxis(box, ys, ticks(yMin, yMax, yLog), opts.yLabel, yUnit);
  for (const v of opts.xTicks ?? ticks(xMin, xMax, xLog)) {
    const x = xs(v);
    s += `<line x1="${x}" y1="${box.y}" x2="${x}" y2="${box.y + box.h}" stroke="#f0f0f0"/>`;
    s += `<text x="${x}" y="${box.y + box.h + 16}" ${FONT} font-size="11" text-anchor="middle" fill="#333">${esc(xUnit(v))}</text>`;
  }
  for (const se of opts.series) {
    const pts = se.points.filter((p) => !yLog || p[1] > 0).map((p) => `${xs(p[0]).toFixed(1)},${ys(p[1]).toFixed(1)}`);
    s += `<polyline points="${pts.join(' ')}" fill="none" stroke="${se.color}" stroke-width="2.5"${se.dashed ? ' stroke-dasharray="6,4"' : ''}/>`;
    if (se.points.length <= 8) {
      for (const p of se.points) s += `<circle cx="${xs(p[0]).toFixed(1)}" cy="${ys(p[1]).toFixed(1)}" r="3.5" fill="${se.color}"/>`;
    }
  }
  for (const m of opts.markers ?? []) {
    const x = xs(m.x);
    const y = ys(m.y);
    s += `<circle cx="${x}" cy="${y}" r="4" fill="none" stroke="${m.color}" stroke-width="2"/>`;
    s += `<rect x="${x + 4}" y="${y - 18}" width="${m.label.length * 6 + 4}" height="14" fill="#fff" fill-opacity="0.85"/>`;
    s += `<text x="${x + 6}" y="${y - 6}" ${FONT} font-size="10.5" fill="${m.color}">${esc(m.label)}</text>`;
  }
  s += `<text x="${box.x + box.w / 2}" y="${box.y + box.h + 34}" ${FONT} font-size="12" text-anchor="middle" fill="#333">${esc(opts.xLabel)}</text>`;
  s += legend(box, opts.series.map((se) => ({ name: se.name, color: se.color, dashed: se.dashed })), 1);
  return { svg: s };
}

export function svgDocument(width: number, height: number, panels: Panel[], footer?: string): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    ...panels.map((p) => p.svg),
    footer === undefined ? '' : `<text x="12" y="${height - 8}" ${FONT} font-size="10" fill="#888">${esc(footer)}</text>`,
    '</svg>',
    '',
  ].join('\n');
}
