// Pieces several pages share: the collection picker and hit cards.
import { api } from "../api.js";
import { h, highlight, num } from "../dom.js";

/** The collections on the server: [{name, documents, chunks, model, dims}]. */
export async function listCollections() {
  return (await api("/v1/collections")).data;
}

export function collectionSelect(collections, value) {
  const el = h("select", { name: "collection", required: true },
    collections.length ? null : h("option", { value: "" }, "(no collections yet)"),
    collections.map((c) => h("option", { value: c.name }, `${c.name} (${num(c.chunks)} chunks)`)));
  if (value && collections.some((c) => c.name === value)) el.value = value;
  return el;
}

/** Where a chunk sits: characters, headings, page. */
export function position(hit) {
  const parts = [];
  if (hit.start !== null && hit.start !== undefined) parts.push(`characters ${num(hit.start)}–${num(hit.end)}`);
  const meta = hit.metadata || {};
  if (Array.isArray(meta.headings) && meta.headings.length) parts.push(`§ ${meta.headings.join(" › ")}`);
  if (meta.page !== undefined && meta.page !== null) parts.push(`page ${meta.page}`);
  return parts.join(" · ");
}

export function metadataList(metadata) {
  const entries = Object.entries(metadata || {}).filter(([key]) => key !== "headings" && key !== "page");
  if (!entries.length) return null;
  return h("dl", { class: "meta" }, entries.map(([key, value]) =>
    [h("dt", {}, key), h("dd", {}, typeof value === "string" ? value : JSON.stringify(value))]));
}

/** One hit as a card; ``actions`` are extra buttons. */
export function hitCard(hit, rank, terms, actions = [], idPrefix = "hit") {
  return h("li", { class: "hit", id: `${idPrefix}-${rank}` },
    h("header", {}, h("strong", {}, `${rank}. ${hit.source}`), h("span", { class: "muted" }, `score ${num(hit.score, 4)}`),
      h("span", { class: "muted" }, hit.id)),
    h("div", { class: "muted" }, position(hit)),
    h("div", { class: "text" }, highlight(hit.text, terms)),
    metadataList(hit.metadata),
    actions.length ? h("div", { class: "row" }, actions) : null);
}
