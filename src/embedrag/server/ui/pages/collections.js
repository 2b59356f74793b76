// Collections and ingest: the list with counts and model, create one, upload files or paste text
// (progress and a result per file), and a collection's documents with delete buttons.
import { api, ApiProblem } from "../api.js";
import { errorBox, field, fill, h, num, select } from "../dom.js";
import { collectionSelect, listCollections } from "./common.js";

const message = (err) => (err instanceof ApiProblem ? err.message : String(err));

export async function render(main, params, { config, setParams, navigate }) {
  const collections = await listCollections();
  const current = params.get("collection") || (collections[0] && collections[0].name) || "";
  main.append(h("h1", {}, "Collections"), listTable(collections), createForm(config, navigate));
  if (!collections.length) return;
  const chooser = collectionSelect(collections, current);
  chooser.addEventListener("change", () => navigate(`/collections?collection=${encodeURIComponent(chooser.value)}`));
  const docs = h("section", { "aria-label": "Documents" });
  main.append(h("h2", {}, "Add documents"), h("div", { class: "bar row" }, field("To collection", chooser)),
    uploadForm(chooser, () => showDocuments(chooser.value, docs)), pasteForm(chooser, () => showDocuments(chooser.value, docs)),
    h("h2", {}, "Documents"), docs);
  setParams({ collection: chooser.value }, { push: false });
  showDocuments(chooser.value, docs);
}

function listTable(collections) {
  if (!collections.length) return h("p", {}, "No collections yet: create one below.");
  return h("div", { class: "scroll" }, h("table", {},
    h("thead", {}, h("tr", {}, ["name", "documents", "chunks", "model", "dims", ""].map((c, i) => h("th", { class: i && i < 3 || i === 4 ? "num" : null, scope: "col" }, c)))),
    h("tbody", {}, collections.map((c) => h("tr", {},
      h("th", { scope: "row" }, h("a", { href: `/collections?collection=${encodeURIComponent(c.name)}` }, c.name)),
      h("td", { class: "num" }, num(c.documents)), h("td", { class: "num" }, num(c.chunks)), h("td", {}, c.model),
      h("td", { class: "num" }, num(c.dims)),
      h("td", {}, h("a", { href: `/search?collection=${encodeURIComponent(c.name)}` }, "search"), " · ",
        h("a", { href: `/space?collection=${encodeURIComponent(c.name)}` }, "map")))))));
}

function createForm(config, navigate) {
  const name = h("input", { name: "name", required: true, pattern: "[A-Za-z0-9][A-Za-z0-9_.\\-]{0,63}", placeholder: "notes" });
  const model = select(config.models.map((m) => [m, m]), config.models[0], { name: "model" });
  const status = h("div", { "aria-live": "polite" });
  const form = h("form", { class: "bar", "aria-label": "Create a collection" },
    field("New collection", name, { hint: "letters, digits, _ . -" }), field("Model", model), h("button", { type: "submit" }, "Create"), status);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api("/v1/collections", { method: "POST", body: { name: name.value, model: model.value } });
      navigate(`/collections?collection=${encodeURIComponent(name.value)}`);
    } catch (err) { fill(status, errorBox(message(err))); }
  });
  return h("section", {}, h("h2", {}, "Create"), form);
}

function outcome(answer) {
  if (answer.skipped.length) return [false, `skipped: ${answer.skipped.map((s) => s.reason).join("; ")}`];
  if (answer.added) return [true, `added (${answer.chunks} chunks)`];
  if (answer.updated) return [true, `updated (${answer.chunks} chunks)`];
  return [true, "unchanged (same text already stored)"];
}

function uploadForm(chooser, done) {
  const files = h("input", { type: "file", multiple: true, name: "files", required: true,
    accept: ".txt,.md,.markdown,.html,.htm,.pdf,.jsonl,.json,.csv,.rst" });
  const progress = h("progress", { max: 1, value: 0, hidden: true, "aria-label": "Upload progress" });
  const counter = h("p", { class: "muted", "aria-live": "polite" });
  const list = h("ul", { class: "results", "aria-label": "Per-file results" });
  const form = h("form", { class: "bar", "aria-label": "Upload files" },
    field("Files", files, { grow: true, hint: "Markdown, text, HTML, PDF, JSONL, CSV; each up to 8 MB" }),
    h("button", { type: "submit" }, "Upload and ingest"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const chosen = [...files.files];
    list.replaceChildren();
    progress.hidden = false;
    progress.max = chosen.length;
    progress.value = 0;
    for (const [i, file] of chosen.entries()) {
      counter.textContent = `Ingesting ${i + 1} of ${chosen.length}: ${file.name}`;
      let ok, text;
      try {
        const answer = await api(`/v1/collections/${encodeURIComponent(chooser.value)}/files/${encodeURIComponent(file.name)}`,
          { method: "PUT", raw: await file.arrayBuffer() });
        [ok, text] = outcome(answer);
      } catch (err) { [ok, text] = [false, message(err)]; }
      list.append(h("li", { class: ok ? "ok" : "bad" }, h("strong", {}, file.name), `: ${text}`));
      progress.value = i + 1;
    }
    counter.textContent = `Done: ${chosen.length} file(s).`;
    done();
  });
  return h("section", { class: "panel" }, form, progress, counter, list);
}

function pasteForm(chooser, done) {
  const id = h("input", { name: "id", required: true, placeholder: "my-note" });
  const text = h("textarea", { name: "text", required: true, rows: 5 });
  const status = h("div", { "aria-live": "polite" });
  const form = h("form", { "aria-label": "Paste text" }, h("div", { class: "bar" }, field("Document id", id)),
    field("Text", text, { grow: true }), h("div", { class: "row" }, h("button", { type: "submit" }, "Add text")), status);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const answer = await api(`/v1/collections/${encodeURIComponent(chooser.value)}/documents`,
        { method: "POST", body: { documents: [{ id: id.value, text: text.value }] } });
      const [ok, said] = outcome(answer);
      fill(status, h("p", { class: ok ? "ok" : "error" }, `${id.value}: ${said}`));
      done();
    } catch (err) { fill(status, errorBox(message(err))); }
  });
  return h("section", { class: "panel" }, h("h3", {}, "Or paste text"), form);
}

async function showDocuments(name, box) {
  fill(box, h("p", { class: "muted" }, "Loading documents…"));
  try {
    const page = await api(`/v1/collections/${encodeURIComponent(name)}/documents?limit=200`);
    if (!page.total) { fill(box, h("p", {}, "No documents yet.")); return; }
    fill(box, h("p", { class: "muted" }, page.total > page.data.length ? `The first ${page.data.length} of ${page.total} documents.` : `${page.total} documents.`),
      h("div", { class: "scroll" }, h("table", {},
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "id"), h("th", { scope: "col" }, "source"), h("th", { class: "num", scope: "col" }, "chunks"), h("th", {}, ""))),
        h("tbody", {}, page.data.map((doc) => h("tr", {}, h("td", {}, doc.id), h("td", {}, doc.source), h("td", { class: "num" }, num(doc.chunks)),
          h("td", {}, h("button", { type: "button", class: "danger", "aria-label": `Delete ${doc.id}`, onclick: async (event) => {
            if (!confirm(`Delete the document ${doc.id}?`)) return;
            event.target.disabled = true;
            try {
              await api(`/v1/collections/${encodeURIComponent(name)}/documents/${encodeURIComponent(doc.id)}`, { method: "DELETE" });
              showDocuments(name, box);
            } catch (err) { box.prepend(errorBox(message(err))); event.target.disabled = false; }
          } }, "Delete"))))))));
  } catch (err) { fill(box, errorBox(message(err))); }
}
