// The math panel: nnmath.explain's derivation of the clicked parameter (or explain_step's whole
// step), rendered with KaTeX, with the chain rule, backpropagation and the finite difference side by side.
const $ = (id) => document.getElementById(id);

function renderTex(target, tex, display) {
  try {
    // \htmlData marks each number with the place in the network it comes from (math_panel.py):
    // trusted for that command alone, and not a strict-mode complaint
    window.katex.render(tex, target, {
      displayMode: display, throwOnError: false, output: "html",
      trust: (context) => context.command === "\\htmlData",
      strict: (code) => (code === "htmlExtension" ? "ignore" : "warn"),
    });
  } catch (e) {
    target.textContent = tex; // a renderer failure still shows the formula as text
  }
}

export function renderProse(target, text) {
  // prose with inline $...$ formulas
  text.split(/(\$[^$]*\$)/).forEach((part) => {
    if (part.startsWith("$") && part.endsWith("$") && part.length > 1) {
      const span = document.createElement("span");
      renderTex(span, part.slice(1, -1), false);
      target.append(span);
    } else {
      part.split(/(`[^`]*`)/).forEach((piece) => { // `code`, as the Markdown form writes it
        if (piece.startsWith("`") && piece.endsWith("`") && piece.length > 1) {
          target.append(Object.assign(document.createElement("code"), { textContent: piece.slice(1, -1) }));
        } else target.append(document.createTextNode(piece));
      });
    }
  });
}

function cell(label, value, id, why) {
  const td = document.createElement("div");
  td.className = "value";
  td.innerHTML = `<div class="label"></div><div class="number" id="${id}"></div><div class="why muted"></div>`;
  td.querySelector(".label").textContent = label;
  td.querySelector(".number").textContent = Number.isFinite(value) ? value.toPrecision(10) : String(value);
  td.querySelector(".number").dataset.value = String(value);
  td.querySelector(".why").textContent = why;
  return td;
}

function highlight(names) {
  document.querySelectorAll("#network .from-math").forEach((e) => e.classList.remove("from-math"));
  for (const name of names) {
    document.querySelectorAll(`#network [data-param="${CSS.escape(name)}"], #network [data-unit="${CSS.escape(name)}"]`)
      .forEach((e) => e.classList.add("from-math"));
  }
}

export class MathPanel {
  constructor({ send, onShown, playing }) {
    Object.assign(this, { send, onShown, playing });
    this.parameter = null; this.waiting = false; this.mode = "parameter";
    this.pending = null; this.asked = new Set(); // the request whose reply the panel shows when it comes; every request not yet answered
    this.shown = null; this.latest = null; // the step of the derivation shown, the step of the network
  }

  bindControls(sampleSelect, stepButton, closeButton) {
    this.sampleSelect = sampleSelect;
    sampleSelect.onchange = () => this.parameter && this.request(this.parameter);
    stepButton.onclick = () => this.requestStep();
    // closing drops the outstanding request: its reply, when it comes, does not open the panel again
    closeButton.onclick = () => { $("math").hidden = true; this.parameter = null; this.waiting = false; this.pending = null; };
  }

  structureChanged(s) {
    const n = s.train.length, before = this.sampleSelect.value;
    const options = [new Option("the next batch", "batch")];
    for (let i = 0; i < Math.min(n, 200); i++) {
      const [x1, x2, y] = s.train[i];
      options.push(new Option(`${i}: (${x1.toFixed(2)}, ${x2.toFixed(2)}) → ${s.kind === "regression" ? y.toFixed(2) : y}`, String(i)));
    }
    this.sampleSelect.replaceChildren(...options);
    this.sampleSelect.value = [...this.sampleSelect.options].some((o) => o.value === before) ? before : "0";
    if (!$("math").hidden && this.parameter) this.request(this.parameter); // the derivation of the new network
  }

  sample() { const v = this.sampleSelect.value; return v === "batch" ? "batch" : Number(v); }

  open(text) {
    $("math").hidden = false;
    $("math-body").replaceChildren(Object.assign(document.createElement("p"), { className: "muted", textContent: text }));
    $("math-summary").replaceChildren(); $("math-notes").replaceChildren();
  }

  request(parameter, again = false) {
    this.parameter = parameter; this.waiting = true; this.mode = "parameter";
    if (!again) this.open(`computing the derivation of ${parameter} …`);
    this.ask({ type: "explain", parameter, sample: this.sample() });
  }

  requestStep(again = false) {
    this.parameter = null; this.waiting = true; this.mode = "step";
    if (!again) this.open("computing the whole next step …");
    this.ask({ type: "explain_step" });
  }

  ask(message) {
    this.pending = this.send(message) ?? null;
    if (this.pending !== null) this.asked.add(this.pending);
  }

  // A reply to one of the panel's requests: true when it is the one the panel waits for; a reply
  // to a request dropped (the panel closed, or another derivation asked for since) is ignored
  current(m) {
    this.asked.delete(m.id);
    return m.id === this.pending;
  }

  answers(m) { return this.asked.has(m.id); }

  // The network is at `step`. While training is paused, a derivation of an earlier step is asked
  // for again (the old one stays until the new one arrives): the panel's numbers are the network's.
  follow(step) {
    this.latest = step;
    if (this.playing() || $("math").hidden || this.waiting || this.shown === null || this.shown === step) return;
    if (this.mode === "step") this.requestStep(true); else if (this.parameter) this.request(this.parameter, true);
  }

  error(m) { // true when the message answered one of the panel's requests (and is shown there, or dropped)
    if (!this.answers(m)) return false;
    if (!this.current(m)) return true;
    this.waiting = false; this.shown = null;
    $("math-body").replaceChildren(Object.assign(document.createElement("p"), { className: "refused", textContent: m.message }));
    return true;
  }

  show(m) {
    if (!this.current(m)) return;
    this.waiting = false; this.shown = m.step;
    $("math").hidden = false;
    const summary = $("math-summary");
    summary.replaceChildren();
    summary.dataset.step = String(m.step);
    if (m.mode === "parameter") {
      summary.append(cell("chain rule (the derivation)", m.summary.grad, "math-grad", "the sum written out below"),
        cell("backpropagation", m.summary.backprop, "math-backprop", "net.gradients(x, y)"),
        cell("finite difference", m.summary.fd, "math-fd", "(E(θ+ε) − E(θ−ε)) / 2ε"),
        cell("after one step", m.summary.new, "math-new", "θ − α ∂E/∂θ"));
      summary.dataset.parameter = m.parameter;
    } else {
      summary.append(cell("E before", m.summary.E, "math-E", "on these samples"),
        cell("E after the step", m.summary.E_new, "math-E-new", "with the new W, b"));
      summary.dataset.parameter = "step";
    }
    $("math-notes").replaceChildren(...m.notes.map((n) => Object.assign(document.createElement("p"), { className: "note", textContent: n })));
    const body = $("math-body");
    body.replaceChildren();
    const title = document.createElement("h3");
    renderProse(title, m.title);
    body.append(title);
    m.sections.forEach((section, i) => {
      const h = document.createElement("h4");
      renderProse(h, `${i + 1}. ${section.title}`);
      body.append(h);
      for (const line of section.lines) {
        const div = document.createElement("div");
        div.className = line.kind === "math" ? "eq" : "prose";
        if (line.kind === "math") renderTex(div, line.tex, true); else renderProse(div, line.tex);
        if (line.refs.length) { // hovering a line outlines the units and links its numbers come from,
          div.classList.add("has-refs"); // hovering one number the one place it comes from
          div.onmouseenter = () => highlight(line.refs);
          div.onmouseleave = () => highlight([]);
          div.querySelectorAll("[data-r]").forEach((number) => {
            number.classList.add("number");
            number.onmouseenter = () => highlight([line.refs[Number(number.dataset.r)]]);
            number.onmouseleave = () => highlight(line.refs);
          });
        }
        body.append(div);
      }
    });
    this.onShown();
    if (this.latest !== null) this.follow(this.latest); // steps taken while it was computed
  }
}
