/**
 * A small SVG chart of the headline numbers (no chart library: the picture is two panels of lines and
 * bars, and an SVG string keeps the bench free of native image dependencies).
 */
export interface Series {
  name: string;
  color: string;
  points: [number, number][];
}

export interface Bars {
  label: string;
  values: { name: string; color: string; value: number }[];
}

const WIDTH = 900;
const HEIGHT = 360;
const PANEL = { width: 400, height: 260, top: 50 };

export function renderChart(options: {
  title: string;
  lines: { title: string; xLabel: string; yLabel: string; series: Series[] };
  bars: { title: string; yLabel: string; groups: Bars[] };
}): string {
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="16" font-weight="bold">${escape(options.title)}</text>`,
    linePanel(40, options.lines),
    barPanel(490, options.bars),
    '</svg>',
  ];
  return parts.join('\n');
}

function linePanel(
  left: number,
  panel: { title: string; xLabel: string; yLabel: string; series: Series[] },
): string {
  const all = panel.series.flatMap((s) => s.points);
  const xs = all.map(([x]) => x);
  const maxX = Math.max(1, ...xs);
  const maxY = niceMax(Math.max(1, ...all.map(([, y]) => y)));
  const sx = (x: number) =>
    left + 40 + ((x - Math.min(...xs, 0)) / (maxX - Math.min(...xs, 0) || 1)) * (PANEL.width - 50);
  const sy = (y: number) => PANEL.top + PANEL.height - (y / maxY) * PANEL.height;
  const out = [axes(left + 40, panel.title, panel.xLabel, panel.yLabel, maxY)];
  for (const x of [...new Set(xs)])
    out.push(`<text x="${sx(x)}" y="${PANEL.top + PANEL.height + 16}" text-anchor="middle">${x}</text>`);
  panel.series.forEach((series, index) => {
    const path = series.points
      .map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`)
      .join(' ');
    out.push(`<path d="${path}" fill="none" stroke="${series.color}" stroke-width="2"/>`);
    for (const [x, y] of series.points)
      out.push(`<circle cx="${sx(x)}" cy="${sy(y)}" r="3" fill="${series.color}"/>`);
    out.push(
      `<text x="${left + 50}" y="${PANEL.top + 14 + index * 14}" fill="${series.color}">${escape(series.name)}</text>`,
    );
  });
  return out.join('\n');
}

function barPanel(left: number, panel: { title: string; yLabel: string; groups: Bars[] }): string {
  const maxY = niceMax(Math.max(1, ...panel.groups.flatMap((g) => g.values.map((v) => v.value))));
  const out = [axes(left + 40, panel.title, '', panel.yLabel, maxY)];
  const groupWidth = (PANEL.width - 50) / Math.max(1, panel.groups.length);
  panel.groups.forEach((group, g) => {
    const barWidth = (groupWidth - 10) / Math.max(1, group.values.length);
    group.values.forEach((bar, b) => {
      const x = left + 45 + g * groupWidth + b * barWidth;
      const h = (bar.value / maxY) * PANEL.height;
      out.push(
        `<rect x="${x.toFixed(1)}" y="${(PANEL.top + PANEL.height - h).toFixed(1)}" width="${(barWidth - 2).toFixed(1)}" height="${h.toFixed(1)}" fill="${bar.color}"><title>${escape(`${group.label} ${bar.name}: ${bar.value.toFixed(1)}`)}</title></rect>`,
      );
    });
    out.push(
      `<text x="${left + 45 + g * groupWidth + groupWidth / 2 - 5}" y="${PANEL.top + PANEL.height + 16}" text-anchor="middle" font-size="10">${escape(group.label)}</text>`,
    );
  });
  const legend = panel.groups[0]?.values ?? [];
  legend.forEach((bar, index) =>
    out.push(
      `<text x="${left + 50}" y="${PANEL.top + 14 + index * 14}" fill="${bar.color}">${escape(bar.name)}</text>`,
    ),
  );
  return out.join('\n');
}

function axes(x0: number, title: string, xLabel: string, yLabel: string, maxY: number): string {
  const bottom = PANEL.top + PANEL.height;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => {
    const y = bottom - f * PANEL.height;
    return `<line x1="${x0}" x2="${x0 + PANEL.width - 40}" y1="${y}" y2="${y}" stroke="#eee"/><text x="${x0 - 4}" y="${y + 4}" text-anchor="end">${round(maxY * f)}</text>`;
  });
  return [
    `<text x="${x0 + (PANEL.width - 40) / 2}" y="${PANEL.top - 12}" text-anchor="middle" font-weight="bold">${escape(title)}</text>`,
    ...ticks,
    `<line x1="${x0}" x2="${x0}" y1="${PANEL.top}" y2="${bottom}" stroke="#333"/>`,
    `<line x1="${x0}" x2="${x0 + PANEL.width - 40}" y1="${bottom}" y2="${bottom}" stroke="#333"/>`,
    `<text x="${x0 + (PANEL.width - 40) / 2}" y="${bottom + 32}" text-anchor="middle">${escape(xLabel)}</text>`,
    `<text transform="translate(${x0 - 34},${PANEL.top + PANEL.height / 2}) rotate(-90)" text-anchor="middle">${escape(yLabel)}</text>`,
  ].join('\n');
}

function niceMax(value: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(value));
  return Math.ceil(value / magnitude) * magnitude;
}

function round(value: number): string {
  return value >= 10 ? value.toFixed(0) : value.toFixed(1);
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
