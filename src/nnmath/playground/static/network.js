// The network as SVG links between neuron boxes; each box holds the neuron's heat map a^l_k over
// the plane (large on hover). A link is W^l_{j,k}: its width |w| and colour the sign of w, or, by
// the toggle, its width |∂E/∂w| of the next batch. Clicking a link or a bias opens its derivation.
import { drawMap, NEG, POS } from "./heatmap.js";
import { FEATURE_LABELS } from "./controls.js";

const SVG = "http://www.w3.org/2000/svg";
let view = null; // {links: [{l, j, k, path}], nodes: [[canvas...] per column], size}

function svgEl(tag, attrs) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

function layerControls(box, s, l, x, spacing, hooks) {
  const hidden = s.settings.hidden, acts = s.settings.activation;
  const head = document.createElement("div");
  head.className = "layer-head";
  const width = Math.min(88, spacing - 6); // narrow columns get narrow heads, never overlapping
  Object.assign(head.style, { left: `${x - width / 4}px`, width: `${width}px`, marginLeft: "0" });
  const minus = Object.assign(document.createElement("button"), { textContent: "−", title: "one unit fewer" });
  const plus = Object.assign(document.createElement("button"), { textContent: "+", title: "one unit more" });
  minus.onclick = () => hidden[l] > 1 && hooks.changeSettings({ hidden: hidden.map((n, i) => (i === l ? n - 1 : n)) });
  plus.onclick = () => hidden[l] < s.choices.max_units && hooks.changeSettings({ hidden: hidden.map((n, i) => (i === l ? n + 1 : n)) });
  const act = document.createElement("select");
  act.setAttribute("aria-label", `activation of layer ${l + 1}`);
  act.className = "layer-activation";
  for (const a of s.choices.activation) act.append(new Option(a, a, false, a === acts[l]));
  act.onchange = () => hooks.changeSettings({ activation: acts.map((a, i) => (i === l ? act.value : a)) });
  const label = document.createElement("div");
  const units = width < 80 ? `${hidden[l]}` : `${hidden[l]} unit${hidden[l] > 1 ? "s" : ""}`;
  label.textContent = `${units}${s.residual[l] ? " · skip" : ""}`;
  label.title = `${hidden[l]} units${s.residual[l] ? ", with a skip connection a = f(z) + a of the layer before" : ""}`;
  head.append(minus, plus, label, act);
  box.append(head);
}

export function drawNetwork(box, s, hooks) {
  box.replaceChildren();
  const sizes = s.sizes, L = sizes.length - 1, most = Math.max(...sizes);
  const width = Math.max(240, box.clientWidth || 520), top = 58; // the box's width (a narrow window's too)
  const fits = Math.floor((0.55 * (width - 60)) / (L + 1)); // narrow columns (a narrow window, many layers): smaller units
  const size = Math.max(14, Math.min(34, Math.floor(440 / most) - 8, fits)), gap = Math.max(6, Math.min(14, size / 2.5));
  const height = top + most * (size + gap) + 10;
  box.style.height = `${height}px`;
  const xs = sizes.map((_, c) => 30 + (c * (width - 60 - size)) / L);
  const ys = sizes.map((n) => Array.from({ length: n }, (_, k) => top + ((most - n) * (size + gap)) / 2 + k * (size + gap)));
  const svg = svgEl("svg", { width, height, class: "links" });
  box.append(svg);
  view = { links: [], nodes: [], size, biases: [] };
  for (let l = 1; l <= L; l++) {
    for (let j = 0; j < sizes[l - 1]; j++) {
      for (let k = 0; k < sizes[l]; k++) {
        const x0 = xs[l - 1] + size, y0 = ys[l - 1][j] + size / 2, x1 = xs[l], y1 = ys[l][k] + size / 2, mid = (x0 + x1) / 2;
        const d = `M${x0},${y0} C${mid},${y0} ${mid},${y1} ${x1},${y1}`;
        const path = svgEl("path", { d, class: "link" });
        const hit = svgEl("path", { d, class: "hit", "data-param": `W${l}[${j},${k}]` });
        const link = { l, j, k, path, width: "", colour: "" };
        hit.onclick = () => hooks.explain(`W${l}[${j},${k}]`);
        hit.onmouseenter = () => { hit.setAttribute("aria-label", describe(link)); hit.replaceChildren(svgEl("title", {})); hit.firstChild.textContent = describe(link); };
        svg.append(path, hit);
        view.links.push(link);
      }
    }
  }
  const nodes = document.createElement("div");
  nodes.className = "nodes";
  box.append(nodes);
  sizes.forEach((n, c) => {
    const column = [];
    for (let k = 0; k < n; k++) {
      const node = document.createElement("div");
      node.className = "node";
      node.dataset.unit = `u${c},${k}`;
      Object.assign(node.style, { left: `${xs[c]}px`, top: `${ys[c][k]}px`, width: `${size}px`, height: `${size}px` });
      const canvas = Object.assign(document.createElement("canvas"), { width: 24, height: 24 });
      node.append(canvas);
      if (c === 0) node.title = FEATURE_LABELS[s.settings.features[k]] || "";
      if (c > 0) {
        node.title = `${c < L ? "hidden" : "output"} unit a${c}[${k}]`;
        const bias = document.createElement("div");
        bias.className = "bias";
        bias.dataset.param = `b${c}[${k}]`;
        bias.onclick = (e) => { e.stopPropagation(); hooks.explain(`b${c}[${k}]`); };
        node.append(bias);
        view.biases.push({ l: c, k, bias });
      }
      nodes.append(node);
      column.push(canvas);
    }
    view.nodes.push(column);
    if (c === 0) {
      const head = document.createElement("div");
      head.className = "layer-head"; head.style.left = `${xs[c] - 10}px`; head.textContent = "input";
      box.append(head);
    } else if (c < L) layerControls(box, s, c - 1, xs[c], xs[1] - xs[0], hooks);
    else {
      const head = document.createElement("div");
      Object.assign(head.style, { left: `${xs[c] - 10}px`, width: "60px", marginLeft: "0", textAlign: "left" });
      head.className = "layer-head";
      head.textContent = `ŷ: ${s.activations[L - 1]}`;
      box.append(head);
    }
  });
  selectParameter(selected);
  const controls = document.getElementById("network-controls");
  const hidden = s.settings.hidden, acts = s.settings.activation;
  const add = Object.assign(document.createElement("button"), { textContent: "+ layer", id: "add-layer" });
  const remove = Object.assign(document.createElement("button"), { textContent: "− layer", id: "remove-layer" });
  add.onclick = () => hidden.length < s.choices.max_layers && hooks.changeSettings({
    hidden: [...hidden, hidden.length ? hidden[hidden.length - 1] : 4], activation: [...acts, acts.length ? acts[acts.length - 1] : "tanh"] });
  remove.onclick = () => hidden.length > 0 && hooks.changeSettings({ hidden: hidden.slice(0, -1), activation: acts.slice(0, -1) });
  controls.replaceChildren(add, remove, Object.assign(document.createElement("span"), {
    className: "muted", textContent: ` ${hidden.length} hidden layer${hidden.length === 1 ? "" : "s"}` }));
}

let selected = null; // the parameter whose derivation is open: its link or bias is outlined

export function selectParameter(name) {
  selected = name;
  document.querySelectorAll("#network .selected").forEach((e) => e.classList.remove("selected"));
  if (name) document.querySelectorAll(`#network [data-param="${CSS.escape(name)}"]`).forEach((e) => e.classList.add("selected"));
}

let lastFrame = null;

function describe(link) { // the hover text, from the latest frame (written on hover, not every frame)
  if (!lastFrame) return "";
  const i = link.j * lastFrame.sizes[link.l] + link.k;
  const w = value(lastFrame.frame.weights[link.l - 1][i]), g = value(lastFrame.frame.gradients[link.l - 1][i]);
  return `W${link.l}[${link.j},${link.k}] = ${w.toPrecision(4)}, ∂E/∂w = ${g.toPrecision(3)} (click for the math)`;
}

function value(v) { return typeof v === "number" ? v : v === "NaN" ? NaN : v === "∞" ? Infinity : -Infinity; }

export function updateNetwork(frame, s, mode) {
  if (!view || !s) return;
  const sizes = s.sizes;
  lastFrame = { frame, sizes };
  const byGradient = mode === "gradient";
  const most = frame.gradients.map((g) => Math.max(1e-300, ...g.map((v) => Math.abs(value(v)))));
  for (const link of view.links) {
    const index = link.j * sizes[link.l] + link.k;
    const w = value(frame.weights[link.l - 1][index]), g = value(frame.gradients[link.l - 1][index]);
    let width, colour;
    if (byGradient) {
      width = 0.4 + 5 * (Math.abs(g) / most[link.l - 1]);
      colour = "rgb(123, 31, 162)";
    } else {
      width = Math.min(8, 0.4 + 2.2 * Math.abs(w));
      colour = `rgb(${(w >= 0 ? POS : NEG).join(",")})`;
    }
    const widthText = Number.isFinite(width) ? width.toFixed(1) : "1";
    if (widthText !== link.width) { link.path.style.strokeWidth = widthText; link.width = widthText; } // only what changed
    if (colour !== link.colour) { link.path.style.stroke = colour; link.colour = colour; }
  }
  for (const b of view.biases) {
    const v = value(frame.biases[b.l - 1][b.k]);
    b.bias.style.background = `rgb(${(v >= 0 ? POS : NEG).join(",")})`;
    b.bias.style.opacity = String(Math.min(1, 0.25 + Math.abs(v)));
    b.bias.title = `b${b.l}[${b.k}] = ${v.toPrecision(4)} (click for the math)`;
  }
  const heat = frame.heat;
  view.nodes[0].forEach((canvas, j) => heat.inputs[j] && drawMap(canvas, heat.inputs[j], heat.neuron_grid));
  heat.neurons.forEach((layer, l) => layer.forEach((text, k) => view.nodes[l + 1] && view.nodes[l + 1][k] && drawMap(view.nodes[l + 1][k], text, heat.neuron_grid)));
  const out = view.nodes[view.nodes.length - 1];
  out.forEach((canvas, k) => heat.output[k] && drawMap(canvas, heat.output[k], heat.output_grid));
}
