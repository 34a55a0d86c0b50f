// Heat maps: nnmath sends each as bytes 0..255 standing for values in [-1, 1] (probabilities in
// [0, 1] for a classifier's output); here they become colours: orange for -1 (class 0), white
// for 0, blue for +1 (class 1), as in TensorFlow Playground.
export const NEG = [245, 147, 34], POS = [8, 119, 189], MID = [232, 234, 235];
export const CLASS_COLOURS = [[245, 147, 34], [8, 119, 189], [76, 175, 80], [156, 39, 176], [229, 57, 53], [96, 125, 139]];

export function decode(text) {
  const raw = atob(text), out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

function mix(a, b, t) { return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t]; }

export function diverging(v) { // v in [-1, 1]
  return v < 0 ? mix(MID, NEG, Math.min(1, -v)) : mix(MID, POS, Math.min(1, v));
}

const COLOURS = Array.from({ length: 256 }, (_, b) => diverging(b / 127.5 - 1)); // byte -> colour, once
const scratch = document.createElement("canvas");

function paint(canvas, n, colourAt) {
  scratch.width = n; scratch.height = n;
  const sctx = scratch.getContext("2d"), image = sctx.createImageData(n, n);
  for (let i = 0; i < n * n; i++) {
    const c = colourAt(i);
    image.data[4 * i] = c[0]; image.data[4 * i + 1] = c[1]; image.data[4 * i + 2] = c[2]; image.data[4 * i + 3] = 255;
  }
  sctx.putImageData(image, 0, 0);
  const ctx = canvas.getContext("2d");
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(scratch, 0, 0, canvas.width, canvas.height);
  return ctx;
}

// A small map is put straight into a canvas of n x n pixels, which CSS stretches to the box.
export function drawMap(canvas, text, n) {
  const bytes = decode(text);
  if (canvas.width !== n) { canvas.width = n; canvas.height = n; }
  const ctx = canvas.getContext("2d"), image = ctx.createImageData(n, n), d = image.data;
  for (let i = 0; i < n * n; i++) {
    const c = COLOURS[bytes[i]];
    d[4 * i] = c[0]; d[4 * i + 1] = c[1]; d[4 * i + 2] = c[2]; d[4 * i + 3] = 255;
  }
  ctx.putImageData(image, 0, 0);
}

function drawPoints(ctx, canvas, rows, h, kind, edge) {
  for (const [x1, x2, y] of rows) {
    const px = ((x1 + h) / (2 * h)) * canvas.width, py = ((h - x2) / (2 * h)) * canvas.height;
    const colour = kind === "regression" ? diverging(Math.max(-1, Math.min(1, y))) : CLASS_COLOURS[y % CLASS_COLOURS.length];
    ctx.beginPath();
    ctx.arc(px, py, 3.2, 0, 2 * Math.PI);
    ctx.fillStyle = `rgb(${colour.join(",")})`;
    ctx.fill();
    ctx.lineWidth = 1;
    ctx.strokeStyle = edge;
    ctx.stroke();
  }
}

export function drawOutput(canvas, heat, structure, showTest) {
  const n = heat.output_grid, maps = heat.output.map(decode);
  let colourAt;
  if (structure.kind === "regression") colourAt = (i) => diverging(maps[0][i] / 127.5 - 1);
  else if (maps.length === 1) colourAt = (i) => diverging(2 * (maps[0][i] / 255) - 1); // ŷ = P(class 1)
  else colourAt = (i) => { // softmax: the likeliest class's colour, paler where it is less sure
    let best = 0;
    for (let k = 1; k < maps.length; k++) if (maps[k][i] > maps[best][i]) best = k;
    const p = maps[best][i] / 255, K = maps.length;
    return mix(MID, CLASS_COLOURS[best % CLASS_COLOURS.length], Math.max(0, (p - 1 / K) / (1 - 1 / K)));
  };
  const ctx = paint(canvas, n, colourAt);
  drawPoints(ctx, canvas, structure.train, structure.half_width, structure.kind, "white");
  if (showTest) drawPoints(ctx, canvas, structure.test, structure.half_width, structure.kind, "black");
  ctx.fillStyle = "rgba(0,0,0,0.55)";
  ctx.font = "11px sans-serif";
  const h = structure.half_width, [n1, n2] = structure.names;
  ctx.fillText(`${n1} →  [${-h}, ${h}]`, 4, canvas.height - 4);
  ctx.save(); ctx.translate(12, canvas.height - 40); ctx.rotate(-Math.PI / 2); ctx.fillText(`${n2} →`, 0, 0); ctx.restore();
}

export function drawInputs(heat, structure) {
  const chosen = structure.settings.features;
  chosen.forEach((f, j) => {
    const canvas = document.querySelector(`#features canvas[data-feature="${CSS.escape(f)}"]`);
    if (canvas && heat.inputs[j]) drawMap(canvas, heat.inputs[j], heat.neuron_grid);
  });
}
