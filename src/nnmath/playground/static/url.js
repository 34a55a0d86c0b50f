// Every setting in the address: ?token=...&data=xor&hidden=4,2&activation=tanh,tanh&...
// A link with these settings gives the same run (same data seed, same initial weights).
const LISTS = { hidden: Number, activation: String, features: String };
const RESERVED = new Set(["token"]);

function parseValue(key, text) {
  if (key in LISTS) return text === "" ? [] : text.split(",").map((t) => LISTS[key](t));
  if (text === "true") return true;
  if (text === "false") return false;
  if (text === "none") return null;
  const n = Number(text);
  return text !== "" && Number.isFinite(n) ? n : text;
}

export function settingsFromUrl() {
  const out = {};
  for (const [key, value] of new URLSearchParams(location.search)) {
    if (!RESERVED.has(key)) out[key] = parseValue(key, value);
  }
  return out;
}

export function writeUrl(settings) {
  const params = new URLSearchParams(location.search);
  for (const [key, value] of Object.entries(settings)) {
    params.set(key, Array.isArray(value) ? value.join(",") : value === null ? "none" : String(value));
  }
  history.replaceState(null, "", `${location.pathname}?${params.toString()}`);
}
