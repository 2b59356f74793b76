// Space: a collection's chunks in 2-D (PCA, or UMAP with its extra), coloured by a metadata field,
// drawn on a canvas so 100,000 points pan and zoom smoothly. Hover: the chunk's text; click: its
// nearest chunks; a typed query appears as a star among them.
import { api, ApiProblem } from "../api.js";
import { PALETTE } from "../chart.js";
import { errorBox, field, fill, h, num, select } from "../dom.js";
import { collectionSelect, listCollections } from "./common.js";

const message = (err) => (err instanceof ApiProblem ? err.message : String(err));

export async function render(main, params, { config, setParams }) {
  const collections = await listCollections();
  const state = { collection: params.get("collection") || (collections[0] && collections[0].name) || "",
    color: params.get("color") || "folder", method: params.get("method") || "pca", q: params.get("q") || "" };
  main.append(h("h1", {}, "Space"));
  if (!collections.length) { main.append(h("p", {}, "No collections yet: ", h("a", { href: "/collections" }, "create one"), ".")); return; }
  const chooser = collectionSelect(collections, state.collection);
  const method = select(config.map_methods.map((m) => [m, m.toUpperCase()]), state.method, { name: "method" });
  const colour = select([[state.color, state.color]], state.color, { name: "color" });
  const query = h("input", { type: "search", name: "q", value: state.q, placeholder: "a query to place on the map" });
  const status = h("p", { class: "muted", "aria-live": "polite" });
  const legend = h("ul", { class: "legend", "aria-label": "Colours" });
  const canvas = h("canvas", { tabindex: "0", "aria-label": "Map of the chunks: drag or arrow keys to pan, wheel or + and - to zoom, 0 to reset" });
  const tip = h("div", { class: "tip", hidden: true });
  const details = h("section", { "aria-live": "polite", "aria-label": "Selected point" });
  const form = h("form", { class: "bar" }, field("Collection", chooser), field("Projection", method), field("Colour by", colour),
    field("Query", query, { grow: true }), h("button", { type: "submit" }, "Show"));
  main.append(form, status, legend, h("div", { class: "mapbox" }, canvas, tip), details);
  const view = new MapView(canvas, tip, details, status);
  let loaded = null;
  const load = async () => {
    Object.assign(state, { collection: chooser.value, method: method.value, color: colour.value, q: query.value });
    setParams(state, { push: false });
    const key = `${state.collection}|${state.method}|${state.color}`;
    try {
      if (loaded !== key) {
        fill(status, `Projecting ${state.collection} with ${state.method.toUpperCase()}…`);
        const map = await api(`/v1/collections/${encodeURIComponent(state.collection)}/map?method=${state.method}&color_by=${encodeURIComponent(state.color)}`);
        loaded = key;
        fill(colour, map.fields.map((f) => h("option", { value: f }, f)));
        colour.value = map.color_by;
        fill(legend, map.groups.map((g, i) => h("li", {}, h("span", { class: "swatch" }), g)));
        legend.querySelectorAll(".swatch").forEach((el, i) => { el.style.background = PALETTE[i % PALETTE.length]; });
        fill(status, `${num(map.shown)} of ${num(map.total)} chunks` + (map.sampled ? ` (an even sample: maps draw at most ${num(map.shown)})` : "") +
          `, ${map.method.toUpperCase()}, coloured by ${map.color_by}.`);
        view.setMap(map);
      }
      view.setQuery(null);
      if (state.q) view.setQuery(await api(`/v1/maps/${view.map.map_id}/query`, { method: "POST", body: { query: state.q } }), state.q);
    } catch (err) { fill(status, errorBox(message(err))); }
  };
  form.addEventListener("submit", (event) => { event.preventDefault(); load(); });
  for (const control of [chooser, method, colour]) control.addEventListener("change", load);
  await load();
}

class MapView {
  constructor(canvas, tip, details, status) {
    Object.assign(this, { canvas, tip, details, status, map: null, query: null, selected: null, texts: new Map() });
    this.ctx = canvas.getContext("2d");
    this.bind();
    new ResizeObserver(() => this.draw()).observe(canvas);
  }

  setMap(map) {
    this.map = map;
    this.selected = null;
    const n = map.x.length;
    this.xs = Float32Array.from(map.x);
    this.ys = Float32Array.from(map.y);
    // Points grouped by colour: one fillStyle per group, not per point.
    this.byGroup = map.groups.map(() => []);
    for (let i = 0; i < n; i++) this.byGroup[map.group[i]].push(i);
    this.bounds = [Infinity, -Infinity, Infinity, -Infinity];  // a loop: spreading 100,000 arguments overflows the stack
    for (let i = 0; i < n; i++) {
      const b = this.bounds;
      b[0] = Math.min(b[0], this.xs[i]); b[1] = Math.max(b[1], this.xs[i]); b[2] = Math.min(b[2], this.ys[i]); b[3] = Math.max(b[3], this.ys[i]);
    }
    this.buildGrid();
    this.reset();
  }

  setQuery(answer, text) {
    this.query = answer ? { ...answer, text } : null;
    if (answer) this.showNeighbours(`Nearest chunks to the query "${text}" (placed ${answer.placed})`, answer.neighbours);
    this.draw();
  }

  reset() {
    const [x0, x1, y0, y1] = this.bounds;
    this.view = { cx: (x0 + x1) / 2, cy: (y0 + y1) / 2, span: Math.max(x1 - x0, y1 - y0) * 1.08 || 1 };
    this.draw();
  }

  // World <-> screen (CSS pixels).
  scale() { return Math.min(this.canvas.clientWidth, this.canvas.clientHeight) / this.view.span; }
  toScreen(x, y) {
    const k = this.scale();
    return [this.canvas.clientWidth / 2 + (x - this.view.cx) * k, this.canvas.clientHeight / 2 - (y - this.view.cy) * k];
  }
  toWorld(px, py) {
    const k = this.scale();
    return [this.view.cx + (px - this.canvas.clientWidth / 2) / k, this.view.cy - (py - this.canvas.clientHeight / 2) / k];
  }

  buildGrid() {
    const [x0, x1, y0, y1] = this.bounds;
    this.cells = 256;
    this.cell = Math.max(x1 - x0, y1 - y0) / this.cells || 1;
    this.grid = new Map();
    for (let i = 0; i < this.xs.length; i++) {
      const key = Math.floor((this.xs[i] - x0) / this.cell) * 100003 + Math.floor((this.ys[i] - y0) / this.cell);
      if (!this.grid.has(key)) this.grid.set(key, []);
      this.grid.get(key).push(i);
    }
  }

  /** The point nearest to screen position (px, py) within 8 pixels, or -1. */
  pick(px, py) {
    const [wx, wy] = this.toWorld(px, py);
    const radius = 8 / this.scale();
    const [x0, , y0] = this.bounds;
    const reach = Math.min(Math.ceil(radius / this.cell), 8);
    const cx = Math.floor((wx - x0) / this.cell), cy = Math.floor((wy - y0) / this.cell);
    let best = -1, bestD = radius * radius;
    for (let gx = cx - reach; gx <= cx + reach; gx++) for (let gy = cy - reach; gy <= cy + reach; gy++) {
      for (const i of this.grid.get(gx * 100003 + gy) || []) {
        const d = (this.xs[i] - wx) ** 2 + (this.ys[i] - wy) ** 2;
        if (d < bestD) { bestD = d; best = i; }
      }
    }
    return best;
  }

  draw() {
    if (!this.map) return;
    const { canvas, ctx } = this;
    const dpr = window.devicePixelRatio || 1;
    const w = canvas.clientWidth, hgt = canvas.clientHeight;
    if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(hgt * dpr)) {
      canvas.width = Math.round(w * dpr); canvas.height = Math.round(hgt * dpr);
    }
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, hgt);
    const k = this.scale(), ox = w / 2 - this.view.cx * k, oy = hgt / 2 + this.view.cy * k;
    const size = this.xs.length > 20000 ? 2 : 4;
    let drawn = 0;
    this.byGroup.forEach((indices, g) => {
      ctx.fillStyle = PALETTE[g % PALETTE.length];
      for (const i of indices) {
        const sx = ox + this.xs[i] * k, sy = oy - this.ys[i] * k;
        if (sx < -size || sy < -size || sx > w + size || sy > hgt + size) continue;
        ctx.fillRect(sx - size / 2, sy - size / 2, size, size);
        drawn++;
      }
    });
    this.canvas.dataset.drawn = String(drawn);
    const ring = (i, colour) => {
      const [sx, sy] = this.toScreen(this.xs[i], this.ys[i]);
      ctx.strokeStyle = colour; ctx.lineWidth = 2; ctx.beginPath(); ctx.arc(sx, sy, 6, 0, 2 * Math.PI); ctx.stroke();
    };
    if (this.neighbours) for (const n of this.neighbours) ring(n.i, "#202124");
    if (this.selected !== null) ring(this.selected, "#e37400");
    if (this.query) {
      const [sx, sy] = this.toScreen(this.query.x, this.query.y);
      ctx.fillStyle = "#e37400"; ctx.strokeStyle = "#202124"; ctx.lineWidth = 1.5;
      ctx.beginPath();
      for (let j = 0; j < 10; j++) {
        const r = j % 2 ? 5 : 12, a = -Math.PI / 2 + (j * Math.PI) / 5;
        ctx.lineTo(sx + r * Math.cos(a), sy + r * Math.sin(a));
      }
      ctx.closePath(); ctx.fill(); ctx.stroke();
      ctx.fillStyle = "#202124"; ctx.font = "13px system-ui"; ctx.fillText(this.query.text, sx + 14, sy - 8);
    }
  }

  bind() {
    const c = this.canvas;
    let drag = null, frame = 0;
    const redraw = () => { if (!frame) frame = requestAnimationFrame(() => { frame = 0; this.draw(); }); };
    c.addEventListener("pointerdown", (e) => { drag = { x: e.offsetX, y: e.offsetY, moved: false }; c.setPointerCapture(e.pointerId); });
    c.addEventListener("pointermove", (e) => {
      if (!this.map) return;
      if (drag) {
        const k = this.scale();
        if (Math.abs(e.offsetX - drag.x) + Math.abs(e.offsetY - drag.y) > 2) drag.moved = true;
        this.view.cx -= (e.offsetX - drag.x) / k; this.view.cy += (e.offsetY - drag.y) / k;
        drag.x = e.offsetX; drag.y = e.offsetY;
        this.tip.hidden = true;
        redraw();
        return;
      }
      this.hover(this.pick(e.offsetX, e.offsetY), e.offsetX, e.offsetY);
    });
    c.addEventListener("pointerup", (e) => {
      const clicked = drag && !drag.moved;
      drag = null;
      if (clicked && this.map) { const i = this.pick(e.offsetX, e.offsetY); if (i >= 0) this.select(i); }
    });
    c.addEventListener("pointerleave", () => { this.tip.hidden = true; });
    c.addEventListener("wheel", (e) => {
      if (!this.map) return;
      e.preventDefault();
      const [wx, wy] = this.toWorld(e.offsetX, e.offsetY);
      const f = Math.exp(e.deltaY * 0.0015);
      this.view.span *= f;
      this.view.cx = wx - (wx - this.view.cx) * f; this.view.cy = wy - (wy - this.view.cy) * f;
      redraw();
    }, { passive: false });
    c.addEventListener("keydown", (e) => {
      if (!this.map) return;
      const step = this.view.span / 10;
      const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, step], ArrowDown: [0, -step] };
      if (moves[e.key]) { this.view.cx += moves[e.key][0]; this.view.cy += moves[e.key][1]; }
      else if (e.key === "+" || e.key === "=") this.view.span /= 1.25;
      else if (e.key === "-") this.view.span *= 1.25;
      else if (e.key === "0") { this.reset(); return; }
      else return;
      e.preventDefault();
      redraw();
    });
  }

  async hover(i, px, py) {
    const tip = this.tip;
    if (i < 0) { tip.hidden = true; return; }
    tip.hidden = false;
    tip.style.left = `${Math.min(px + 12, this.canvas.clientWidth - 240)}px`;
    tip.style.top = `${py + 12}px`;
    tip.textContent = this.map.ids[i];
    this.hovered = i;
    const text = await this.text(i);
    if (this.hovered === i && text !== null) tip.textContent = `${this.map.ids[i]}\n${text.length > 280 ? `${text.slice(0, 280)}… (click for all)` : text}`;
  }

  async text(i) {
    if (!this.texts.has(i)) {
      try { this.texts.set(i, await api(`/v1/maps/${this.map.map_id}/points/${i}`)); } catch (err) { return null; }
    }
    return this.texts.get(i).text;
  }

  async select(i) {
    this.selected = i;
    this.draw();
    try {
      const p = await api(`/v1/maps/${this.map.map_id}/points/${i}`);
      this.texts.set(i, p);
      this.showNeighbours(`Nearest chunks to ${p.id}`, p.neighbours, p);
    } catch (err) { fill(this.details, errorBox(message(err))); }
  }

  showNeighbours(title, neighbours, point = null) {
    this.neighbours = neighbours;
    fill(this.details, h("div", { class: "panel" },
      point ? [h("h2", {}, point.id), h("p", { class: "muted" }, point.source), h("div", { class: "text" }, point.text)] : null,
      h("h2", {}, title),
      h("ol", {}, neighbours.map((n) => h("li", {}, h("button", { type: "button", class: "quiet", onclick: () => this.select(n.i) }, n.id),
        ` cosine ${num(n.score)}`)))));
    this.draw();
  }
}
