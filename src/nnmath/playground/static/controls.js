// The settings' controls. Each control sends its change to nnmath, which checks it and answers
// with the new structure; the controls then show what nnmath holds (showSettings), not what was typed.
const $ = (id) => document.getElementById(id);
const RATES = [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
const L2S = [0, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1];
const DROPOUTS = [0, 0.1, 0.2, 0.3, 0.5];
const CLIPS = [null, 0.1, 1, 10];
const FEATURE_LABELS = { "x1": "x₁", "x2": "x₂", "x1^2": "x₁²", "x2^2": "x₂²", "x1*x2": "x₁x₂", "sin(x1)": "sin x₁", "sin(x2)": "sin x₂" };
export { FEATURE_LABELS };
let hooks = null;
const fields = {}; // setting name -> {element, kind}
let csvText = null, csvName = null;
let builtInOnly = []; // the data controls an uploaded CSV file has no use for (its points are its own)
const CSV_OFF = "an uploaded CSV file's points are its own: this is for the built-in sets";

function el(tag, attrs = {}, children = []) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "text") e.textContent = v; else if (k.startsWith("on")) e[k] = v; else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c);
  return e;
}

function select(name, options, label, parse = (v) => v) {
  const s = el("select", { id: `set-${name}`, "aria-label": label });
  for (const o of options) s.append(el("option", { value: String(o), text: o === null ? "none" : String(o) }));
  s.onchange = () => hooks.changeSettings({ [name]: parse(s.value) });
  fields[name] = { element: s, kind: "select" };
  return el("label", {}, [label + " ", s]);
}

function number(name, label, attrs) {
  const i = el("input", { id: `set-${name}`, type: "number", ...attrs });
  i.onchange = () => hooks.changeSettings({ [name]: Number(i.value) });
  fields[name] = { element: i, kind: "value" };
  return el("label", {}, [label + " ", i]);
}

function range(name, label, attrs) {
  const i = el("input", { id: `set-${name}`, type: "range", ...attrs });
  const out = el("span", { class: "muted" });
  i.oninput = () => { out.textContent = i.value; };
  i.onchange = () => hooks.changeSettings({ [name]: Number(i.value) });
  fields[name] = { element: i, kind: "value", out };
  return el("label", {}, [label + " ", i, " ", out]);
}

function checkbox(name, label) {
  const i = el("input", { id: `set-${name}`, type: "checkbox" });
  i.onchange = () => hooks.changeSettings({ [name]: i.checked });
  fields[name] = { element: i, kind: "check" };
  return el("label", {}, [i, " " + label]);
}

let current = null; // the settings nnmath holds

// A new data set with an output that suits it (nnmath checks again). A built-in set always names
// its output: `current` may be a reply behind when sets are picked quickly, and an output left out
// would be the one nnmath holds then (the identity of the plane for the moons: refused).
function dataChange(data) {
  const output = current ? current.output : "sigmoid_ce";
  if (["plane", "bumps"].includes(data)) return { data, output: "identity_mse" };
  if (data === "blobs" && (current ? current.classes : 3) > 2) return { data, output: "softmax_ce" };
  if (data === "csv") return output === "identity_mse" ? { data } : { data, output };
  return { data, output: output === "identity_mse" ? "sigmoid_ce" : output };
}

const numberOrNull = (v) => (v === "null" ? null : Number(v));

export function buildControls(h) {
  hooks = h;
  $("training").append(
    select("learning_rate", RATES, "α", Number), select("optimizer", [], "optimizer"),
    number("batch_size", "batch", { min: 1, max: 2000, step: 1 }), select("l2", L2S, "L2 λ", Number),
    select("dropout", DROPOUTS, "dropout", Number), checkbox("batchnorm", "batch norm"), checkbox("residual", "residual"),
    select("clip", CLIPS, "clip ‖g‖", numberOrNull), select("init", [], "init"), select("output", [], "output"),
    number("seed", "seed", { min: 0, max: 2147483647, step: 1 }) /* settings.MAX_SEED */);
  const regenerate = el("button", { id: "regenerate", text: "regenerate", title: "new points (the data seed + 1)",
    onclick: () => hooks.changeSettings({ data_seed: (Number(fields.data_seed.value) || 0) + 1 }) });
  fields.data_seed = { element: null, kind: "hidden", value: 0 };
  const csvFile = el("input", { id: "csv-file", type: "file", accept: ".csv,text/csv" });
  const columns = ["x1", "x2", "target"].map((role) => el("select", { id: `csv-${role}`, "aria-label": `${role} column` }));
  csvFile.onchange = async () => {
    const file = csvFile.files[0];
    if (!file) return;
    csvText = await file.text(); csvName = file.name;
    const header = (csvText.split(/\r?\n/, 1)[0] || "").split(",").map((c) => c.trim().replace(/^"|"$/g, ""));
    columns.forEach((s, i) => {
      s.replaceChildren(...header.map((c) => el("option", { value: c, text: c })));
      s.value = header[i === 2 ? header.length - 1 : i] ?? "";
    });
  };
  const useCsv = el("button", { id: "csv-use", text: "use this file", onclick: () => {
    if (csvText === null) return;
    hooks.upload({ type: "upload", name: csvName, text: csvText, x1: columns[0].value, x2: columns[1].value, target: columns[2].value });
  } });
  const addClass = el("select", { id: "add-class", "aria-label": "a click on the output adds" });
  addClass.onchange = () => hooks.addClass(addClass.value === "off" ? null : Number(addClass.value));
  fields.add_class = { element: addClass, kind: "special" };
  const dataSelect = select("data", [], "set");
  const classes = number("classes", "blob classes", { min: 2, max: 6, step: 1 });
  fields.classes.element.onchange = () => {
    const k = Number(fields.classes.element.value), changes = { classes: k };
    if (current && current.data === "blobs" && k > 2) changes.output = "softmax_ce";
    hooks.changeSettings(changes);
  };
  fields.data.element.onchange = () => hooks.changeSettings(dataChange(fields.data.element.value));
  const points = number("points", "points", { min: 10, max: 2000, step: 10 }), noise = range("noise", "noise", { min: 0, max: 1, step: 0.05 });
  // for a CSV file the train part still applies, when the file is used: its split is drawn then
  builtInOnly = [[fields.points.element, points], [fields.noise.element, noise], [fields.classes.element, classes], [regenerate, regenerate]];
  $("data-controls").append(
    dataSelect, points, noise, range("train_fraction", "train part", { min: 0.1, max: 0.9, step: 0.05 }),
    classes, regenerate,
    el("div", { class: "csv" }, [el("span", { class: "muted", text: "your CSV: " }), csvFile,
      el("label", {}, ["x₁ ", columns[0]]), el("label", {}, ["x₂ ", columns[1]]), el("label", {}, ["label ", columns[2]]), useCsv]),
    el("label", {}, ["a click on the output adds ", addClass]));
  const linkMode = el("select", { id: "link-mode", "aria-label": "links show" }, [
    el("option", { value: "weight", text: "w (sign, |w|)" }), el("option", { value: "gradient", text: "|∂E/∂w|" })]);
  linkMode.onchange = () => hooks.linkMode(linkMode.value);
  const showTest = el("input", { id: "show-test", type: "checkbox" });
  showTest.checked = true;
  showTest.onchange = () => hooks.showTest(showTest.checked);
  $("output-controls").append(el("label", {}, [showTest, " show test points (black edge)"]), el("label", {}, [" links show ", linkMode]));
}

function fillOptions(name, options) {
  const s = fields[name].element;
  if (s.options.length === options.length) return;
  s.replaceChildren(...options.map((o) => el("option", { value: o, text: o })));
}

export function showSettings(settings, structure) {
  current = settings;
  const c = structure.choices;
  fillOptions("optimizer", c.optimizer); fillOptions("init", c.init); fillOptions("output", c.output); fillOptions("data", c.data);
  for (const [name, f] of Object.entries(fields)) {
    if (!(name in settings)) continue;
    const v = settings[name];
    if (f.kind === "check") f.element.checked = v;
    else if (f.kind === "hidden") f.value = v;
    else if (f.element) f.element.value = v === null ? "null" : String(v);
    if (f.out) f.out.textContent = String(v);
  }
  const add = fields.add_class.element, before = add.value;
  const options = structure.kind === "regression" ? [["off", "nothing"], ["-1", "value −1"], ["1", "value +1"]]
    : [["off", "nothing"], ...Array.from({ length: Math.max(2, structure.n_classes) }, (_, k) => [String(k), `class ${k}`])];
  add.replaceChildren(...options.map(([v, t]) => el("option", { value: v, text: t })));
  add.value = options.some(([v]) => v === before) ? before : "off";
  buildFeatures(settings.features, c.features);
  const csv = settings.data === "csv";
  for (const [control, shown] of builtInOnly) { // greyed, and saying why, while the CSV file is the data
    control.disabled = csv;
    shown.classList.toggle("off", csv);
    if (!("title" in shown.dataset)) shown.dataset.title = shown.getAttribute("title") || "";
    if (csv) shown.title = CSV_OFF; else if (shown.dataset.title) shown.title = shown.dataset.title; else shown.removeAttribute("title");
  }
}

let builtFor = null;

function buildFeatures(chosen, all) {
  const key = `${chosen.join(",")}|${all.join(",")}`;
  if (key === builtFor) return; // the same boxes keep their heat maps
  builtFor = key;
  const box = $("features");
  box.replaceChildren(...all.map((f) => {
    const check = el("input", { type: "checkbox", id: `feature-${f}` });
    check.checked = chosen.includes(f);
    check.onchange = () => {
      const next = all.filter((g) => (g === f ? check.checked : chosen.includes(g)));
      hooks.changeSettings({ features: next });
    };
    return el("label", { class: "feature" }, [check, el("canvas", { width: 24, height: 24, "data-feature": f }), " " + FEATURE_LABELS[f]]);
  }));
}
