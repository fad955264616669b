// CPU and memory charts with uPlot, one series per instance. After each draw the figure's
// data-points attribute holds the number of points plotted, so a test can see that the chart
// drew what the history holds.
// The specifier is computed so that type checks of the source tree do not look for the file:
// it exists only as a route of the daemon (see assets.ts).
const VENDOR = "/vendor/uPlot.esm.js";
const { default: uPlot } = await import(VENDOR);

// The CLI's own formatters (src/model/units.ts), served by the daemon as /units.js.
const UNITS = "/units.js";
const { formatPercent, formatSize } = await import(UNITS);

const COLORS = ["#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2"];
const HEIGHT = 180;

/** Turns stats points into uPlot's columns: x in seconds, one column per instance. */
export function toColumns(points, measure) {
  const ids = [...new Set(points.map((p) => p.instance_id))].sort((a, b) => a - b);
  const xs = [...new Set(points.map((p) => p.at))].sort((a, b) => a - b);
  const index = new Map(xs.map((x, i) => [x, i]));
  const columns = ids.map(() => xs.map(() => null));
  for (const p of points) {
    const value = p[measure];
    columns[ids.indexOf(p.instance_id)][index.get(p.at)] = value ?? null;
  }
  return { ids, data: [xs.map((x) => x / 1000), ...columns] };
}

const charts = new Map();

/** Draws (or redraws) a chart of `measure` in `figure`. */
export function drawChart(figure, points, { measure, bytes, window }) {
  const { ids, data } = toColumns(points, measure);
  const plotted = data.slice(1).reduce((n, col) => n + col.filter((v) => v !== null).length, 0);
  charts.get(figure)?.destroy();
  figure.querySelector(".chart-empty")?.remove();
  const opts = {
    width: Math.max(240, figure.clientWidth - 4),
    height: HEIGHT,
    scales: { x: { time: true, range: [window.since / 1000, window.until / 1000] } },
    axes: [
      {},
      {
        values: (_u, ticks) => ticks.map((t) => (bytes ? formatSize(t) : formatPercent(t))),
        size: 70,
      },
    ],
    series: [
      {},
      ...ids.map((id, i) => ({
        label: `#${id}`,
        stroke: COLORS[i % COLORS.length],
        width: 2,
        points: { show: true, size: 4 },
        value: (_u, v) => (bytes ? formatSize(v) : formatPercent(v)),
      })),
    ],
  };
  if (ids.length === 0) {
    charts.delete(figure);
    const empty = document.createElement("p");
    empty.className = "chart-empty muted";
    empty.textContent = "No samples in this window.";
    figure.append(empty);
  } else {
    charts.set(figure, new uPlot(opts, data, figure));
  }
  figure.dataset.points = String(plotted);
}

/** Keeps charts as wide as their figures. */
export function watchChartWidths() {
  const observer = new ResizeObserver((entries) => {
    for (const entry of entries) {
      const chart = charts.get(entry.target);
      if (chart) {
        chart.setSize({ width: Math.max(240, entry.contentRect.width - 4), height: HEIGHT });
      }
    }
  });
  for (const figure of document.querySelectorAll("figure.chart")) observer.observe(figure);
}

export { formatPercent, formatSize };
