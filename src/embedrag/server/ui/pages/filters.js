// The filter expressions of the CLI (``topic=animals``, ``year>=2004``, ``source^=docs/``) as the
// HTTP API's filter object. Pure: tested through the browser in tests/ui/test_ui_logic.py.

const OPS = [[">=", "gte"], ["<=", "lte"], ["^=", "prefix"], ["!=", null], [">", "gt"], ["<", "lt"], ["=", "eq"]];

function value(text) {
  const t = text.trim();
  if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t);
  if (t === "true" || t === "false") return t === "true";
  return t.replace(/^["']|["']$/g, "");
}

/** ["topic=animals", "year>=2004"] -> {topic: "animals", year: {gte: 2004}}; throws Error naming a bad one. */
export function parseFilters(expressions) {
  const out = {};
  for (const raw of expressions) {
    const text = raw.trim();
    if (!text) continue;
    const found = OPS.map(([symbol, op]) => [text.indexOf(symbol), symbol, op]).filter(([at]) => at > 0)
      .sort((a, b) => a[0] - b[0] || b[1].length - a[1].length)[0];
    if (!found || found[2] === null) throw new Error(`cannot read the filter "${text}": write key=value, key>=number, key<number or key^=prefix`);
    const [at, symbol, op] = found;
    const key = text.slice(0, at).trim();
    const v = text.slice(at + symbol.length);
    if (!key || !v.trim()) throw new Error(`the filter "${text}" needs a key and a value`);
    if (op === "eq" && v.includes(",")) out[key] = { in: v.split(",").map(value) };
    else if (op === "eq") out[key] = value(v);
    else out[key] = { ...(typeof out[key] === "object" && out[key] !== null ? out[key] : {}), [op]: value(v) };
  }
  return out;
}
