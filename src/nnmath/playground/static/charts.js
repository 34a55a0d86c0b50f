// The curves: E on the training and test parts (and the accuracy) against the step, and
// ‖∂E/∂W^l‖ per layer on a log scale, with the first-to-last ratio: the vanishing gradient live.
const LAYER_COLOURS = ["#1565c0", "#2e7d32", "#ef6c00", "#6a1b9a", "#c62828", "#00838f", "#5d4037", "#37474f", "#ad1457"];

function num(v) { return typeof v === "number" ? v : v === null ? null : v === "NaN" ? NaN : v === "∞" ? Infinity : -Infinity; }
function fmt(v) { return v === null ? "–" : Number.isFinite(v) ? v.toPrecision(4) : Number.isNaN(v) ? "NaN" : v > 0 ? "∞" : "−∞"; }

const MOST_POINTS = 300; // a curve is drawn through at most this many points (the last one always)

function thin(points) {
  if (points.length <= MOST_POINTS) return points;
  const every = Math.ceil(points.length / MOST_POINTS);
  return points.filter((_, i) => i % every === 0 || i === points.length - 1);
}

export class Charts {
  constructor(lossCanvas, gradCanvas, lossNumbers, ratioBox, accuracyCanvas) {
    Object.assign(this, { lossCanvas, gradCanvas, lossNumbers, ratioBox, accuracyCanvas });
    this.records = []; this.layers = 0; this.kind = "binary";
  }

  reset(records, layers, kind) {
    this.records = []; this.layers = layers; this.kind = kind;
    this.add(records);
  }

  add(records) {
    for (const r of records) this.records.push(r);
    if (this.records.length > 4000) this.records = this.records.filter((_, i) => i % 2 === 0); // bounded: every other point
    this.draw();
  }

  draw() {
    const last = this.records[this.records.length - 1];
    if (!last) return;
    const loss = (k) => num(last[k]);
    const acc = (k) => (last[k] === null ? "" : `, accuracy ${(100 * last[k]).toFixed(1)}%`);
    this.lossNumbers.innerHTML = `<span class="train">train E = ${fmt(loss("train_loss"))}${acc("train_accuracy")}</span><br>` +
      `<span class="test">test E = ${fmt(loss("test_loss"))}${acc("test_accuracy")}</span>`;
    this.lossNumbers.dataset.trainLoss = String(loss("train_loss"));
    this.lossNumbers.dataset.firstTrainLoss = String(num(this.records[0].train_loss));
    this.plot(this.lossCanvas, [["train_loss", "#333", []], ["test_loss", "#999", [4, 3]]].map(([key, colour, dash]) => ({
      colour, dash, points: this.records.map((r) => [r.step, num(r[key])]).filter(([, v]) => v !== null) })), false);
    const accuracy = [["train_accuracy", "#333", []], ["test_accuracy", "#999", [4, 3]]].map(([key, colour, dash]) => ({
      colour, dash, points: this.records.filter((r) => r[key] !== null).map((r) => [r.step, num(r[key])]) }));
    this.accuracyCanvas.hidden = this.kind === "regression";
    if (this.kind !== "regression") this.plot(this.accuracyCanvas, accuracy, false, [0, 1]);
    const withNorms = this.records.filter((r) => r.grad_norms);
    const series = Array.from({ length: this.layers }, (_, l) => ({
      colour: LAYER_COLOURS[l % LAYER_COLOURS.length], dash: [], label: `W${l + 1}`,
      points: withNorms.map((r) => [r.step, num(r.grad_norms[l])]) }));
    this.plot(this.gradCanvas, series, true);
    const g = withNorms.length ? withNorms[withNorms.length - 1].grad_norms.map(num) : null;
    this.ratioBox.innerHTML = g ? `‖∂E/∂W¹‖ / ‖∂E/∂W<sup>${g.length}</sup>‖ = <b id="grad-ratio">${fmt(g[0] / g[g.length - 1])}</b>` +
      series.map((s, l) => ` <span style="color:${s.colour}">W${l + 1} ${fmt(g[l])}</span>`).join("") : "train to see the gradients";
  }

  plot(canvas, series, log, fixed = null) {
    series = series.map((s) => ({ ...s, points: thin(s.points) }));
    const ctx = canvas.getContext("2d"), W = canvas.width, H = canvas.height, pad = 34;
    ctx.fillStyle = "white"; ctx.fillRect(0, 0, W, H);
    const tr = (v) => (log ? Math.log10(v) : v);
    const all = series.flatMap((s) => s.points).filter(([, v]) => Number.isFinite(v) && (!log || v > 0));
    if (!all.length) return;
    let x0 = Math.min(...all.map((p) => p[0])), x1 = Math.max(...all.map((p) => p[0]));
    let y0 = Math.min(...all.map((p) => tr(p[1]))), y1 = Math.max(...all.map((p) => tr(p[1])));
    if (!log) y0 = Math.min(0, y0);
    if (fixed) [y0, y1] = fixed;
    if (log) { y0 = Math.floor(y0); y1 = Math.ceil(y1); }
    if (x1 === x0) x1 = x0 + 1;
    if (y1 === y0) y1 = y0 + 1;
    const X = (x) => pad + ((x - x0) / (x1 - x0)) * (W - pad - 6), Y = (y) => H - 16 - ((tr(y) - y0) / (y1 - y0)) * (H - 24);
    ctx.strokeStyle = "#ccc"; ctx.fillStyle = "#666"; ctx.font = "10px sans-serif"; ctx.lineWidth = 1;
    const every = Math.max(1, Math.ceil((y1 - y0) / 6)); // at most about 7 powers of ten are labelled
    const ticks = log ? Array.from({ length: Math.floor((y1 - y0) / every) + 1 }, (_, i) => y0 + i * every) : [y0, (y0 + y1) / 2, y1];
    for (const t of ticks) {
      const y = H - 16 - ((t - y0) / (y1 - y0)) * (H - 24);
      ctx.beginPath(); ctx.moveTo(pad, y); ctx.lineTo(W - 6, y); ctx.stroke();
      ctx.fillText(log ? `1e${t}` : t.toPrecision(2), 2, y + 3);
    }
    ctx.fillText(`step ${x1}`, W - 60, H - 3);
    for (const s of series) {
      ctx.strokeStyle = s.colour; ctx.setLineDash(s.dash); ctx.lineWidth = 1.5; ctx.beginPath();
      let started = false;
      for (const [x, v] of s.points) {
        if (!Number.isFinite(v) || (log && v <= 0)) { started = false; continue; }
        if (started) ctx.lineTo(X(x), Y(v)); else { ctx.moveTo(X(x), Y(v)); started = true; }
      }
      ctx.stroke(); ctx.setLineDash([]);
    }
  }
}
