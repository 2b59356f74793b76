// Search: a collection, a query, mode, rerank, filters -> hits with the query's words marked;
// "more like this"; and an ask panel with the cited context. Everything the page shows is in its URL.
import { api, ApiProblem } from "../api.js";
import { append, errorBox, field, fill, h, highlight, queryTerms, select } from "../dom.js";
import { collectionSelect, hitCard, listCollections, metadataList, position } from "./common.js";
import { parseFilters } from "./filters.js";

const MODES = [["hybrid", "hybrid (dense + BM25)"], ["dense", "dense (vectors)"], ["bm25", "BM25 (words)"]];

export async function render(main, params, { config, setParams }) {
  const collections = await listCollections();
  const state = {
    collection: params.get("collection") || (collections[0] && collections[0].name) || "",
    q: params.get("q") || "", mode: params.get("mode") || "hybrid", rerank: params.get("rerank") || "",
    filter: params.getAll("filter"), k: params.get("k") || "10", similar: params.get("similar") || "",
    ask: params.get("ask") === "1",
  };
  const chooser = collectionSelect(collections, state.collection);
  const query = h("input", { type: "search", name: "q", value: state.q, placeholder: "What are you looking for?", required: true });
  const mode = select(MODES, state.mode, { name: "mode" });
  const rerank = select([["", "none"], ...config.rerankers.map((r) => [r, r])], state.rerank, { name: "rerank" });
  const filters = h("input", { type: "text", name: "filter", value: state.filter.join("; "), placeholder: "topic=animals; year>=2004" });
  const k = h("input", { type: "number", name: "k", min: 1, max: 100, value: state.k, size: 4 });
  const askBox = h("input", { type: "checkbox", name: "ask", id: "ask-toggle" });
  askBox.checked = state.ask;
  const results = h("section", { "aria-live": "polite", "aria-label": "Results" });
  const form = h("form", { class: "bar", role: "search" },
    field("Collection", chooser), field("Query", query, { grow: true }), field("Mode", mode), field("Rerank", rerank),
    field("Filters", filters, { hint: "; between filters" }), field("Hits", k),
    h("div", { class: "field" }, h("label", { for: "ask-toggle" }, "Ask panel"), askBox),
    h("button", { type: "submit" }, "Search"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    Object.assign(state, { collection: chooser.value, q: query.value, mode: mode.value, rerank: rerank.value,
      filter: filters.value.split(";").map((f) => f.trim()).filter(Boolean), k: k.value, similar: "", ask: askBox.checked });
    setParams(urlState(state));
    run(state, results);
  });
  main.append(h("h1", {}, "Search"), form, results);
  if (!collections.length) {
    results.append(h("p", {}, "No collections yet: ", h("a", { href: "/collections" }, "create one and add documents"), "."));
  } else if (state.similar) runSimilar(state, results);
  else if (state.q) run(state, results);
  query.focus();
  results.addEventListener("similar", (event) => {
    state.similar = event.detail;
    setParams(urlState(state));
    runSimilar(state, results);
  });
}

function urlState(state) {
  return { collection: state.collection, q: state.q, mode: state.mode === "hybrid" ? "" : state.mode, rerank: state.rerank,
    filter: state.filter, k: state.k === "10" ? "" : state.k, similar: state.similar, ask: state.ask ? "1" : "" };
}

function moreLike(hit, results) {
  return h("button", { type: "button", class: "quiet",
    onclick: () => results.dispatchEvent(new CustomEvent("similar", { detail: hit.doc_id })) }, "More like this");
}

async function run(state, results) {
  fill(results, h("p", { class: "muted" }, "Searching…"));
  let filters;
  try { filters = state.filter.length ? parseFilters(state.filter) : null; } catch (err) { fill(results, errorBox(err.message)); return; }
  const body = { query: state.q, k: Number(state.k) || 10, mode: state.mode, filters, rerank: state.rerank || null };
  const started = performance.now();
  try {
    const answer = await api(`/v1/collections/${encodeURIComponent(state.collection)}/search`, { method: "POST", body });
    const ms = performance.now() - started;
    const terms = queryTerms(state.q);
    fill(results, h("p", { class: "muted", id: "search-status" }, `${answer.data.length} hits in ${ms.toFixed(0)} ms`),
      answer.data.length ? h("ol", { class: "hits" }, answer.data.map((hit, i) => hitCard(hit, i + 1, terms, [moreLike(hit, results)])))
        : h("p", {}, "Nothing found. Try other words, another mode, or fewer filters."));
    if (state.ask) results.prepend(await askPanel(state, body));
  } catch (err) {
    fill(results, errorBox(err instanceof ApiProblem ? err.message : String(err)));
  }
}

async function runSimilar(state, results) {
  fill(results, h("p", { class: "muted" }, "Looking for similar documents…"));
  try {
    const answer = await api(`/v1/collections/${encodeURIComponent(state.collection)}/similar`,
      { method: "POST", body: { doc_id: state.similar, k: Number(state.k) || 10 } });
    const terms = queryTerms(state.q);
    fill(results, h("h2", {}, `Documents like ${state.similar}`),
      h("ol", { class: "hits" }, answer.data.map((hit, i) => hitCard(hit, i + 1, terms, [moreLike(hit, results)]))));
  } catch (err) {
    fill(results, errorBox(err instanceof ApiProblem ? err.message : String(err)));
  }
}

async function askPanel(state, search) {
  const panel = h("section", { class: "panel", "aria-label": "Ask" }, h("h2", {}, "Ask: the cited context"));
  try {
    const answer = await api(`/v1/collections/${encodeURIComponent(state.collection)}/ask`, { method: "POST",
      body: { question: state.q, k: search.k, mode: search.mode, filters: search.filters, rerank: search.rerank } });
    const terms = queryTerms(state.q);
    const hasAnswer = typeof answer.answer === "string";
    if (hasAnswer) panel.firstChild.textContent = "Ask: the answer and its cited context";
    append(panel,
      // The LLM's reply goes in as text (h() makes text nodes), never as HTML.
      hasAnswer ? h("div", { class: "answer text", id: "ask-answer" }, answer.answer) : null,
      h("p", { class: "muted" }, `${answer.passages.length} passages, ${answer.tokens} tokens (cl100k)` +
        (answer.skipped ? `, ${answer.skipped} left out by the budget` : "") +
        (hasAnswer ? ". The answer above was written by the server's LLM from these passages."
          : ". This server has no LLM endpoint: this is the context and prompt an LLM would be given.")),
      h("p", {}, "Citations: ", answer.passages.map((p) => [h("a", { href: `#passage-${p.n}` }, `[${p.n}] ${p.source}`), " "])),
      answer.passages.map((p) => h("article", { class: "passage", id: `passage-${p.n}`, tabindex: "-1" },
        h("header", {}, h("strong", {}, `[${p.n}] ${p.source}`), h("span", { class: "muted" }, p.id),
          h("span", { class: "muted" }, position(p))),
        h("div", { class: "text" }, highlight(p.text, terms)),
        metadataList(p.metadata))),
      h("details", {}, h("summary", {}, "The prompt"), h("pre", { class: "text" }, answer.prompt)));
  } catch (err) {
    panel.append(errorBox(err instanceof ApiProblem ? err.message : String(err)));
  }
  return panel;
}
