// The shell: which page the address shows, the API key dialog, and errors shown in plain words.
import { api, apiKey, ApiProblem, onKeyNeeded } from "./api.js";
import { errorBox, fill, h } from "./dom.js";

const PAGES = ["search", "collections", "tokenizer", "words", "space", "inside", "eval"];
const main = document.getElementById("page");
let config = null;
let rendering = 0;

/** The server's offer (models, tokenizers, rerankers), fetched once per page load. */
async function getConfig() {
  if (!config) config = await api("/v1/ui/config");
  return config;
}

function pageOf(pathname) {
  const name = pathname.replace(/^\/+|\/+$/g, "") || "search";
  return PAGES.includes(name) ? name : "search";
}

/** Put ``params`` in the address (dropping empty ones) without reloading. */
function setParams(params, { push = true } = {}) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    for (const v of Array.isArray(value) ? value : [value]) if (v !== undefined && v !== null && v !== "") query.append(key, v);
  }
  const url = `${location.pathname}${query.size ? `?${query}` : ""}`;
  if (url !== `${location.pathname}${location.search}`) history[push ? "pushState" : "replaceState"](null, "", url);
}

function navigate(url) {
  history.pushState(null, "", url);
  render();
}

export function showNotice(message) {
  const notice = document.getElementById("notice");
  notice.hidden = !message;
  notice.textContent = message || "";
}

async function render() {
  const ticket = ++rendering;
  shown = location.pathname + location.search;
  const name = pageOf(location.pathname);
  for (const link of document.querySelectorAll("header nav a")) {
    if (link.dataset.page === name) link.setAttribute("aria-current", "page"); else link.removeAttribute("aria-current");
  }
  document.title = `${name[0].toUpperCase()}${name.slice(1)} · embedrag`;
  showNotice(null);
  try {
    const page = await import(`./pages/${name}.js`);
    const cfg = await getConfig();
    if (ticket !== rendering) return;
    main.replaceChildren();
    await page.render(main, new URLSearchParams(location.search), { config: cfg, setParams, navigate });
  } catch (err) {
    if (ticket !== rendering) return;
    config = null; // the server may have been down: ask again next time
    fill(main, h("h1", {}, "This page could not load"), errorBox(err instanceof ApiProblem ? err.message : `Unexpected error: ${err.message}`),
      h("p", {}, h("button", { type: "button", onclick: () => render() }, "Try again")));
  }
}

// -- the API key ---------------------------------------------------------------------------
const dialog = document.getElementById("key-dialog");
const input = document.getElementById("key-input");

function askKey(reason) {
  return new Promise((resolve) => {
    const title = dialog.querySelector("p");
    title.textContent = reason || "This server asks for an API key. It is kept in this tab only (sessionStorage), never in the address.";
    input.value = "";
    const done = (ok) => {
      dialog.removeEventListener("close", onClose);
      resolve(ok);
    };
    const onClose = () => {
      const value = input.value.trim();
      if (dialog.returnValue === "save" && value) { apiKey.set(value); done(true); } else done(false);
    };
    dialog.returnValue = "";
    dialog.addEventListener("close", onClose);
    dialog.showModal();
    input.focus();
  });
}
onKeyNeeded(askKey);
document.getElementById("key-cancel").addEventListener("click", () => dialog.close("cancel"));
document.getElementById("key-button").addEventListener("click", async () => { if (await askKey(null)) render(); });

// -- links inside the app stay in the page ------------------------------------------------------
document.addEventListener("click", (event) => {
  const link = event.target.closest("a");
  if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
  const url = new URL(link.href, location.href);
  if (url.origin !== location.origin || !PAGES.includes(url.pathname.slice(1))) return;
  if (url.pathname === location.pathname && url.search === location.search && url.hash) return; // an anchor
  event.preventDefault();
  navigate(url.pathname + url.search + url.hash);
  main.focus();
});
let shown = location.pathname + location.search;
window.addEventListener("popstate", () => {
  if (location.pathname + location.search === shown) return; // only the #anchor changed
  render();
});
render();
