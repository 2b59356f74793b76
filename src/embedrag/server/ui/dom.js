// Building the page from data without ever parsing it as HTML: every text goes in as a text node.

/** An element: h("a", {href: "/x", class: "y", onclick: fn}, "text", child, [more]). */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  setProps(el, props);
  append(el, children);
  return el;
}

/** An SVG element (charts). */
export function s(tag, props = {}, ...children) {
  const el = document.createElementNS("http://www.w3.org/2000/svg", tag);
  setProps(el, props);
  append(el, children);
  return el;
}

function setProps(el, props) {
  for (const [key, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") el.setAttribute("class", value);
    else if (key === "text") el.textContent = String(value);
    else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? "" : String(value));
  }
}

export function append(el, ...children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Replace everything inside ``el``. */
export function fill(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

const STOP = new Set(["the", "and", "for", "are", "was", "with", "that", "this", "from", "what", "how", "who", "why",
  "when", "where", "which", "does", "did", "has", "have", "had", "not", "but", "you", "its", "into", "about",
  "is", "of", "to", "in", "on", "at", "by", "an", "as", "be", "it", "or", "do", "if", "so", "we", "he", "she"]);

/** The words of a query worth highlighting: letters or digits, two or more, not a stop word. */
export function queryTerms(query) {
  const words = (query.toLowerCase().match(/[\p{L}\p{N}]+/gu) || []).filter((w) => w.length > 1 && !STOP.has(w));
  return [...new Set(words)].sort((a, b) => b.length - a.length);
}

/** ``text`` as nodes, the query terms (at word starts, any case) wrapped in <mark>. */
export function highlight(text, terms) {
  if (!terms.length) return [document.createTextNode(text)];
  const escaped = terms.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}])(${escaped.join("|")})`, "giu");
  const out = [];
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    if (match.index > last) out.push(document.createTextNode(text.slice(last, match.index)));
    out.push(h("mark", {}, match[0]));
    last = match.index + match[0].length;
  }
  if (last < text.length) out.push(document.createTextNode(text.slice(last)));
  return out;
}

/** A labelled form field: label + control, tied by id. */
export function field(label, control, { grow = false, hint = null } = {}) {
  if (!control.id) control.id = `f-${Math.random().toString(36).slice(2, 9)}`;
  return h("div", { class: grow ? "field grow" : "field" }, h("label", { for: control.id }, label), control,
    hint ? h("span", { class: "muted" }, hint) : null);
}

export function select(options, value, props = {}) {
  const el = h("select", props, options.map(([v, label]) => h("option", { value: v }, label)));
  if (value !== undefined && value !== null) el.value = value;
  return el;
}

export function errorBox(message) {
  return h("div", { class: "error", role: "alert" }, message);
}

/** Numbers as people read them. */
export function num(x, digits = 3) {
  return typeof x === "number" ? (Number.isInteger(x) ? x.toLocaleString("en") : x.toFixed(digits)) : String(x);
}
