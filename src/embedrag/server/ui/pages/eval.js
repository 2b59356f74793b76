// Eval: retrieval metrics of each search mode on a BEIR folder the server can read, run as a
// background job: the page polls it, and can be left and reopened (/eval?job=ID).
import { api, ApiProblem } from "../api.js";
import { lineChart } from "../chart.js";
import { errorBox, field, fill, h, num, select } from "../dom.js";

const message = (err) => (err instanceof ApiProblem ? err.message : String(err));
const MODES = ["dense", "bm25", "hybrid"];

export async function render(main, params, { config, navigate }) {
  const folder = h("input", { type: "text", name: "folder", required: true, value: params.get("folder") || "", placeholder: "/path/to/beir/scifact" });
  const split = h("input", { type: "text", name: "split", value: "test", size: 6 });
  const limit = h("input", { type: "number", name: "max_queries", min: 1, placeholder: "all", size: 6 });
  const model = select(config.models.map((m) => [m, m]), config.models[0], { name: "model" });
  const boxes = MODES.map((m) => { const b = h("input", { type: "checkbox", name: "mode", value: m, id: `mode-${m}` }); b.checked = true; return b; });
  const status = h("div", { "aria-live": "polite" });
  const form = h("form", {}, h("div", { class: "bar" }, field("BEIR folder on the server", folder, { grow: true, hint: "corpus.jsonl, queries.jsonl, qrels/<split>.tsv" }),
    field("Model", model), field("Split", split), field("Queries", limit)),
  h("fieldset", { class: "row" }, h("legend", {}, "Modes"), boxes.map((b) => h("label", { for: b.id }, b, ` ${b.value}`))),
  h("div", { class: "row" }, h("button", { type: "submit" }, "Evaluate")), status);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const job = await api("/v1/eval/jobs", { method: "POST", body: { folder: folder.value, split: split.value, model: model.value,
        max_queries: limit.value ? Number(limit.value) : null, modes: boxes.filter((b) => b.checked).map((b) => b.value) } });
      navigate(`/eval?job=${encodeURIComponent(job.id)}&folder=${encodeURIComponent(folder.value)}`);
    } catch (err) { fill(status, errorBox(message(err))); }
  });
  const jobView = h("section", { "aria-live": "polite", "aria-label": "Job" });
  const history = h("section", { "aria-label": "Earlier runs" });
  main.append(h("h1", {}, "Eval"), form, jobView, history);
  const listRuns = async () => {
    const jobs = (await api("/v1/eval/jobs")).data;
    if (jobs.length) fill(history, h("h2", {}, "Runs on this server"), h("ul", {}, jobs.map((j) =>
      h("li", {}, h("a", { href: `/eval?job=${encodeURIComponent(j.id)}` }, j.id), ` ${j.params.folder}: ${j.status}`))));
  };
  await listRuns();
  if (params.get("job")) follow(params.get("job"), jobView, main).then(listRuns);
}

async function follow(id, box, main) {
  while (main.isConnected) {
    let job;
    try { job = await api(`/v1/eval/jobs/${encodeURIComponent(id)}`); } catch (err) { fill(box, errorBox(message(err))); return; }
    if (job.status === "done") { fill(box, h("h2", {}, `${job.id}: ${job.params.folder}`), report(job.result)); return; }
    if (job.status === "failed") { fill(box, h("h2", {}, job.id), errorBox(`The evaluation failed: ${job.error}`)); return; }
    const what = job.stage === "index" ? "Building the collection" : job.stage ? `Scoring ${job.stage}` : "Waiting for an earlier job";
    fill(box, h("h2", {}, `${job.id}: ${job.status}`), h("p", {}, `${what}: ${num(job.done)} of ${num(job.total)}`),
      h("progress", { max: job.total || 1, value: job.done, "aria-label": "Progress" }),
      h("p", { class: "muted" }, "You can leave this page: the job goes on in the server, and this address shows it again."));
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

function report(result) {
  const labels = Object.keys(result.results);
  const measures = Object.keys(result.results[labels[0]] || {});
  const series = labels.map((label) => ({ label, points: result.curve.k.map((k, i) => [i, result.curve.recall[label][`recall@${k}`]]) }));
  return [h("p", { class: "muted" }, `${result.dataset} (${result.split}): ${num(result.queries)} queries, ${num(result.documents)} documents, ` +
      `${num(result.chunks)} chunks, ${result.model}`),
  h("div", { class: "scroll" }, h("table", {}, h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "mode"),
    measures.map((m) => h("th", { class: "num", scope: "col" }, m)), h("th", { class: "num", scope: "col" }, "ms/query"))),
  h("tbody", {}, labels.map((label) => h("tr", {}, h("th", { scope: "row" }, label),
    measures.map((m) => h("td", { class: "num" }, num(result.results[label][m]))),
    h("td", { class: "num" }, num(result.timing[`${label}_ms_per_query`], 1))))))),
  lineChart({ series, xs: result.curve.k.map((_, i) => i), xLabel: (i) => String(result.curve.k[i]), title: "recall@k per mode",
    xTitle: "k", yTitle: "recall" })];
}
