// Tokenizer: the pieces a tokenizer cuts text into, as alternating coloured boxes (id on hover or
// focus), with counts; two tokenizers side by side.
import { api, ApiProblem } from "../api.js";
import { errorBox, field, fill, h, num, select } from "../dom.js";

const SAMPLE = "Tokenizers split unbelievably long words; GPT-4o and BERT disagree about “naïve” café prices.";

export async function render(main, params, { config, setParams }) {
  const choices = [["", "(none)"], ...config.tokenizers.map((t) => [t.name, t.label])];
  const text = h("textarea", { name: "text", rows: 4 }, params.get("text") ?? SAMPLE);
  const left = select(choices.slice(1), params.get("a") || "bert-base-uncased", { name: "a" });
  const right = select(choices, params.has("b") ? params.get("b") : "cl100k_base", { name: "b" });
  const panes = [h("section", { "aria-live": "polite" }), h("section", { "aria-live": "polite" })];
  const update = debounce(() => {
    setParams({ text: text.value === SAMPLE ? "" : text.value, a: left.value, b: right.value || "" }, { push: false });
    show(text.value, left.value, panes[0]);
    if (right.value) show(text.value, right.value, panes[1]); else panes[1].replaceChildren();
  }, 200);
  for (const control of [text, left, right]) control.addEventListener("input", update);
  main.append(h("h1", {}, "Tokenizer"), field("Text", text, { grow: true }),
    h("div", { class: "bar row" }, field("Left", left), field("Right", right)),
    h("div", { class: "sides" }, panes));
  update();
}

function debounce(fn, ms) {
  let timer;
  return () => { clearTimeout(timer); timer = setTimeout(fn, ms); };
}

async function show(text, name, pane) {
  if (!text) { fill(pane, h("p", { class: "muted" }, "Type some text.")); return; }
  try {
    const answer = await api("/tokenize", { method: "POST", body: { text, model: name } });
    fill(pane, h("h2", {}, answer.model),
      h("p", { class: "counts" }, `${num([...text].length)} characters · ${num(answer.count)} tokens` +
        (answer.max_tokens ? ` · the model reads at most ${num(answer.max_tokens)}` : "")),
      h("div", { class: "tokens", "aria-label": `Tokens of ${answer.model}` }, answer.pieces.map((piece, i) =>
        h("span", { class: `tok tok-${i % 5}`, title: `id ${answer.tokens[i]}`, tabindex: "0",
          "aria-label": `${piece}, id ${answer.tokens[i]}` }, piece))));
  } catch (err) {
    fill(pane, errorBox(err instanceof ApiProblem ? err.message : String(err)));
  }
}
