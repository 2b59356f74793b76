// A small SVG line chart (the Inside and Eval pages): lines, a legend, axes; built with DOM calls.
import { s } from "./dom.js";

export const PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"];

/** series: [{label, points: [[x, y]], dashed}]; xs: the x ticks (evenly spaced, labelled by xLabel(x)). */
export function lineChart({ series, xs, xLabel = String, yMin = 0, yMax = 1, title, xTitle, yTitle }) {
  const W = 720, H = 360, L = 56, R = 12, T = 28, B = 48 + 18 * Math.ceil(series.length / 3);
  const x = (i) => L + (xs.length > 1 ? (i / (xs.length - 1)) * (W - L - R) : 0);
  const y = (v) => T + (1 - (v - yMin) / (yMax - yMin || 1)) * (H - T - B);
  const svg = s("svg", { class: "chart", viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": title });
  svg.append(s("title", {}, title));
  for (let k = 0; k <= 4; k++) {
    const v = yMin + ((yMax - yMin) * k) / 4;
    svg.append(s("line", { class: "grid", x1: L, x2: W - R, y1: y(v), y2: y(v) }),
      s("text", { x: L - 6, y: y(v) + 4, "text-anchor": "end" }, v.toFixed(2)));
  }
  xs.forEach((value, i) => svg.append(s("text", { x: x(i), y: H - B + 16, "text-anchor": "middle" }, xLabel(value))));
  svg.append(s("line", { class: "axis", x1: L, x2: W - R, y1: H - B, y2: H - B }),
    s("text", { x: (L + W) / 2, y: H - B + 32, "text-anchor": "middle" }, xTitle || ""),
    s("text", { x: 14, y: T - 10 }, yTitle || ""));
  series.forEach((line, n) => {
    const colour = line.colour || PALETTE[n % PALETTE.length];
    const d = line.points.map(([i, v], j) => `${j ? "L" : "M"}${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
    svg.append(s("path", { d, fill: "none", stroke: colour, "stroke-width": 2.5, "stroke-dasharray": line.dashed ? "6 5" : null }));
    for (const [i, v] of line.points) svg.append(s("circle", { cx: x(i), cy: y(v), r: 3, fill: colour }, s("title", {}, `${line.label}: ${v.toFixed(3)}`)));
    const lx = L + (n % 3) * ((W - L) / 3), ly = H - B + 50 + 18 * Math.floor(n / 3);
    svg.append(s("line", { x1: lx, x2: lx + 22, y1: ly - 4, y2: ly - 4, stroke: colour, "stroke-width": 3, "stroke-dasharray": line.dashed ? "6 4" : null }),
      s("text", { x: lx + 28, y: ly }, line.label));
  });
  return svg;
}
