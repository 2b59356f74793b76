// Words: nearest words, analogies, odd one out (GloVe 6B 50d), and a 2-D plot with analogy arrows.
import { api, ApiProblem } from "../api.js";
import { PALETTE } from "../chart.js";
import { errorBox, field, fill, h, num, s } from "../dom.js";

const message = (err) => (err instanceof ApiProblem ? err.message : String(err));

export async function render(main, params, { setParams }) {
  const state = { word: params.get("word") ?? "frog", analogy: params.get("analogy") ?? "king - man + woman",
    odd: params.get("odd") ?? "breakfast cereal dinner lunch", plot: params.get("plot") ?? "paris france tokyo japan" };
  const save = () => setParams(state, { push: false });
  main.append(h("h1", {}, "Words"), h("p", { class: "muted" }, "Static word vectors: one vector per word, whatever the sentence."),
    tool("Nearest words", "word", state, save, (v) => api("/v1/words/similar", { method: "POST", body: { word: v, k: 10 } }), table),
    tool("Analogy", "analogy", state, save, (v) => api("/v1/words/analogy", { method: "POST", body: { expression: v, k: 10 } }), table,
      "a - b + c, e.g. king - man + woman"),
    tool("Odd one out", "odd", state, save, (v) => api("/v1/words/odd", { method: "POST", body: { words: v.split(/[\s,]+/).filter(Boolean) } }),
      (answer) => h("p", {}, "The odd one out: ", h("strong", {}, answer.results[0].word), ` (cosine ${num(answer.results[0].score)} to the mean)`)),
    tool("Plot in 2-D", "plot", state, save, (v) => api("/v1/words/plot", { method: "POST",
      body: { words: v.split(/[\s,]+/).filter(Boolean), analogies: state.analogy.includes("-") || state.analogy.includes(":") ? [state.analogy] : [] } }),
    plot, "words; the analogy above is drawn as arrows"));
}

function tool(title, key, state, save, call, view, hint = null) {
  const input = h("input", { type: "text", name: key, value: state[key], required: true });
  const out = h("div", { "aria-live": "polite" });
  const go = async () => {
    state[key] = input.value;
    save();
    fill(out, h("p", { class: "muted" }, "Working…"));
    try { fill(out, view(await call(input.value))); } catch (err) { fill(out, errorBox(message(err))); }
  };
  const form = h("form", { class: "bar" }, field(title, input, { grow: true, hint }), h("button", { type: "submit" }, "Go"));
  form.addEventListener("submit", (event) => { event.preventDefault(); go(); });
  if (state[key]) go();
  return h("section", { class: "panel" }, form, out);
}

function table(answer) {
  return h("table", {}, h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "word"), h("th", { class: "num", scope: "col" }, "cosine"))),
    h("tbody", {}, answer.results.map((n) => h("tr", {}, h("td", {}, n.word), h("td", { class: "num" }, num(n.score))))));
}

function plot(answer) {
  const W = 640, H = 420, pad = 50;
  const [x0, x1] = [Math.min(...answer.x), Math.max(...answer.x)], [y0, y1] = [Math.min(...answer.y), Math.max(...answer.y)];
  const px = (v) => pad + ((v - x0) / (x1 - x0 || 1)) * (W - 2 * pad), py = (v) => H - pad - ((v - y0) / (y1 - y0 || 1)) * (H - 2 * pad);
  const svg = s("svg", { class: "chart", viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": `Words in 2-D: ${answer.words.join(", ")}` });
  const defs = s("defs");
  svg.append(defs);
  answer.arrows.forEach((a, n) => {
    const colour = PALETTE[a.group % PALETTE.length];
    const id = `arrow-${n}`;
    defs.append(s("marker", { id, viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" },
      s("path", { d: "M0,0 L10,5 L0,10 z", fill: colour })));
    svg.append(s("line", { x1: px(answer.x[a.start]), y1: py(answer.y[a.start]), x2: px(answer.x[a.end]), y2: py(answer.y[a.end]),
      stroke: colour, "stroke-width": 2.5, "marker-end": `url(#${id})` }));
  });
  answer.words.forEach((word, i) => svg.append(s("circle", { cx: px(answer.x[i]), cy: py(answer.y[i]), r: 4, fill: "#202124" }),
    s("text", { x: px(answer.x[i]) + 7, y: py(answer.y[i]) - 6 }, word)));
  return [svg, answer.analogies.length ? h("p", { class: "muted" }, `Arrows: ${answer.analogies.join("; ")}. Parallel arrows of equal length mean the vectors hold the analogy.`) : null];
}
