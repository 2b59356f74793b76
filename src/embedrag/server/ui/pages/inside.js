// Inside the transformer: how similar one word is to itself across sentences after each layer of
// all-MiniLM-L6-v2, beside its static GloVe vector (the same in every sentence: a flat line at 1);
// and BERT's fill-in and next-sentence heads when the server has them (embedrag serve --heads DIR).
import { api, ApiProblem } from "../api.js";
import { lineChart } from "../chart.js";
import { errorBox, field, fill, h, num } from "../dom.js";

const BANK = ["We had a picnic on the grassy bank of the river.", "The boat drifted towards the muddy bank.",
  "She deposited her salary at the bank.", "The bank raised its interest rates on loans."];

export async function render(main, params, { config, setParams }) {
  const word = h("input", { type: "text", name: "word", value: params.get("word") || "bank", required: true });
  const given = params.getAll("s");
  const sentences = h("textarea", { name: "s", rows: 5 }, (given.length ? given : BANK).join("\n"));
  const out = h("section", { "aria-live": "polite" });
  const form = h("form", {}, h("div", { class: "bar" }, field("Word", word)), field("Sentences (one per line)", sentences, { grow: true }),
    h("div", { class: "row" }, h("button", { type: "submit" }, "Compare")));
  const go = async () => {
    const lines = sentences.value.split("\n").map((l) => l.trim()).filter(Boolean);
    setParams({ word: word.value, s: lines }, { push: false });
    fill(out, h("p", { class: "muted" }, "Running the encoder layer by layer…"));
    try {
      show(await api("/v1/contextual/compare", { method: "POST", body: { word: word.value, sentences: lines } }), out);
    } catch (err) { fill(out, errorBox(err instanceof ApiProblem ? err.message : String(err))); }
  };
  form.addEventListener("submit", (event) => { event.preventDefault(); go(); });
  main.append(h("h1", {}, "Inside the transformer"),
    h("p", { class: "muted" }, "A static vector gives a word one meaning; a transformer mixes the sentence in, layer by layer."), form, out);
  if (config.heads && config.heads.includes("fill-mask")) main.append(fillMaskForm());
  if (config.heads && config.heads.includes("next-sentence")) main.append(nextSentenceForm());
  go();
}

function problem(err) { return errorBox(err instanceof ApiProblem ? err.message : String(err)); }

/** BERT's masked-LM head: the most probable word pieces for each [MASK]. */
function fillMaskForm() {
  const text = h("input", { type: "text", name: "mask-text", value: "The river [MASK] flooded the fields.", required: true });
  const out = h("div", { "aria-live": "polite", id: "fill-mask-out" });
  const form = h("form", { class: "bar" }, field("Text with [MASK]", text, { grow: true }), h("button", { type: "submit" }, "Fill in"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    fill(out, h("p", { class: "muted" }, "Filling in…"));
    try {
      const answer = await api("/v1/fill-mask", { method: "POST", body: { text: text.value, top_k: 5 } });
      fill(out, answer.masks.map((candidates, i) => h("div", {},
        h("h3", {}, answer.masks.length > 1 ? `${answer.mask} ${i + 1}` : answer.mask),
        h("ol", { class: "candidates" }, candidates.map((c) => h("li", {}, h("code", {}, c.token), ` ${(c.probability * 100).toFixed(1)}%`))))));
    } catch (err) { fill(out, problem(err)); }
  });
  return h("section", { class: "panel", "aria-label": "Fill in the blank" }, h("h2", {}, "Fill in the blank"),
    h("p", { class: "muted" }, "BERT's masked-LM head guesses the word piece behind each [MASK]."), form, out);
}

/** BERT's next-sentence head: P(IsNext) for a pair of sentences. */
function nextSentenceForm() {
  const first = h("input", { type: "text", name: "first", value: "I went to the shop.", required: true });
  const second = h("input", { type: "text", name: "second", value: "I bought some milk.", required: true });
  const out = h("div", { "aria-live": "polite", id: "next-sentence-out" });
  const form = h("form", { class: "bar" }, field("Sentence A", first, { grow: true }), field("Sentence B", second, { grow: true }),
    h("button", { type: "submit" }, "Score"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    fill(out, h("span", { class: "muted" }, "Scoring…"));
    try {
      const answer = await api("/v1/next-sentence", { method: "POST", body: { first: first.value, second: second.value } });
      fill(out, `P(B follows A) = ${answer.is_next.toFixed(4)}`);
    } catch (err) { fill(out, problem(err)); }
  });
  return h("section", { class: "panel", "aria-label": "Next sentence" }, h("h2", {}, "Next sentence"),
    h("p", { class: "muted" }, "BERT's next-sentence head: how likely sentence B follows sentence A."), form, out);
}

function show(answer, out) {
  const r = answer.result;
  const n = r.sentences.length;
  const pairs = [];
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) pairs.push([i, j]);
  const layers = r.layers.map((l) => l.layer);
  const series = pairs.map(([i, j]) => ({ label: `s${i + 1}–s${j + 1}`, points: r.layers.map((l) => [l.layer, l.similarity[i][j]]) }));
  if (r.static) series.push({ label: `static (${answer.static_vectors})`, points: layers.map((l) => [l, r.static[0][1]]), dashed: true, colour: "#555" });
  const low = Math.min(...series.flatMap((line) => line.points.map((p) => p[1])));
  fill(out, lineChart({ series, xs: layers, xLabel: (l) => (l === 0 ? "emb" : String(l)), yMin: Math.max(0, Math.floor(low * 10) / 10), yMax: 1,
    title: `Cosine of '${r.word}' between sentences after each layer of ${answer.model}`, xTitle: "layer", yTitle: "cosine" }),
  h("ol", {}, r.sentences.map((sentence, i) => h("li", {}, `s${i + 1}: ${sentence}`, h("span", { class: "muted" }, ` (pieces: ${r.pieces[i].join(" ")})`)))),
  h("details", {}, h("summary", {}, "The numbers"), h("div", { class: "scroll" }, h("table", {},
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "layer"), pairs.map(([i, j]) => h("th", { class: "num", scope: "col" }, `s${i + 1}–s${j + 1}`)))),
    h("tbody", {}, r.layers.map((l) => h("tr", {}, h("th", { scope: "row" }, l.layer === 0 ? "embeddings" : String(l.layer)),
      pairs.map(([i, j]) => h("td", { class: "num" }, num(l.similarity[i][j]))))))))));
}
