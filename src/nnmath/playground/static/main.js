// The page: one WebSocket to the nnmath session; every number drawn comes from its replies.
// Play is a loop of requests: one epoch is asked for at a time (the next as soon as its frame
// arrives, before it is drawn), so a slow page gets fewer frames, never a queue of them.
import { settingsFromUrl, writeUrl } from "./url.js";
import { buildControls, showSettings } from "./controls.js";
import { drawNetwork, updateNetwork, selectParameter } from "./network.js";
import { drawOutput, drawInputs } from "./heatmap.js";
import { Charts } from "./charts.js";
import { MathPanel } from "./mathpanel.js";
import { savePngs } from "./files.js";

const $ = (id) => document.getElementById(id);
const state = { structure: null, frame: null, playing: false, awaiting: false, linkMode: "weight", addClass: null, showTest: true };
const stats = { frames: 0, since: performance.now(), fps: 0, clickAt: null, derivationMs: [], drawMs: 0, drawn: 0,
  epochsAsked: new Set(), mostAsked: 0 }; // the epoch requests not yet answered, and the most there were at once
window.nnmathStats = stats; // read by the benchmark and the browser test
let socket = null;
let nextId = 1;
const charts = new Charts($("loss-chart"), $("grad-chart"), $("loss-numbers"), $("ratio"), $("accuracy-chart"));

function send(message) {
  if (!socket || socket.readyState !== WebSocket.OPEN) return;
  message.id = nextId++;
  socket.send(JSON.stringify(message));
  if (message.type === "epoch") {
    stats.epochsAsked.add(message.id);
    stats.mostAsked = Math.max(stats.mostAsked, stats.epochsAsked.size);
  }
  return message.id; // the server's replies carry it back
}

function status(text, kind) {
  const box = $("status");
  box.textContent = text || "";
  box.className = kind || "";
}

const math = new MathPanel({ send, playing: () => state.playing, onShown: () => {
  if (stats.clickAt !== null) { stats.derivationMs.push(performance.now() - stats.clickAt); stats.clickAt = null; }
} });

function explain(parameter) {
  stats.clickAt = performance.now();
  selectParameter(parameter);
  math.request(parameter);
}

function changeSettings(changes) { send({ type: "settings", changes }); }

function onStructure(s) {
  state.structure = s;
  showSettings(s.settings, s);
  writeUrl(s.settings);
  charts.reset(s.records || [], s.sizes.length - 1, s.kind);
  drawNet();
  math.structureChanged(s);
  $("network-summary").textContent = `[${s.sizes.join(", ")}], ${s.kind}`;
}

let drawnWidth = 0; // the network is drawn to its box's width: again when the window changes that

function drawNet() {
  drawNetwork($("network"), state.structure, { explain, changeSettings, linkMode: () => state.linkMode });
  drawnWidth = $("network").clientWidth;
}

window.addEventListener("resize", () => {
  if (!state.structure || $("network").clientWidth === drawnWidth) return;
  drawNet();
  if (state.frame) updateNetwork(state.frame, state.structure, state.linkMode);
});

function onFrame(f) {
  // while playing, the next epoch is asked for before this frame is drawn: nnmath trains while the
  // page draws, and still at most one request is ever outstanding
  const ours = state.awaiting !== false && f.id === state.awaiting; // the play loop's own reply, not a setting's
  if (ours) state.awaiting = false;
  if (state.playing && !f.diverged && ours) nextEpoch();
  const began = performance.now();
  state.frame = f;
  $("epochs").textContent = f.epoch;
  $("steps").textContent = f.step;
  charts.add(f.records);
  updateNetwork(f, state.structure, state.linkMode);
  drawOutput($("output"), f.heat, state.structure, state.showTest);
  drawInputs(f.heat, state.structure);
  math.follow(f.step);
  if (f.diverged) {
    status(`Training diverged ${f.diverged}. The weights are kept from before that step; lower α and press reset.`, "error");
    setPlaying(false);
  }
  stats.frames += 1;
  const now = performance.now();
  stats.drawMs += now - began; stats.drawn += 1;
  if (now - stats.since > 1000) {
    stats.fps = (stats.frames * 1000) / (now - stats.since);
    stats.frames = 0; stats.since = now;
    if (state.playing) $("fps").textContent = `${stats.fps.toFixed(0)} frames/s`;
  }
}

function setPlaying(on) {
  state.playing = on;
  $("play").innerHTML = on ? "&#x23F8; pause" : "&#x25B6; play";
  $("play").classList.toggle("on", on);
  if (!on) { $("fps").textContent = ""; if (state.frame) math.follow(state.frame.step); }
  if (on) { stats.frames = 0; stats.since = performance.now(); if (!state.awaiting) nextEpoch(); }
}

function nextEpoch() { // the play loop's one outstanding request, known by its id
  state.awaiting = send({ type: "epoch" }) ?? false;
}

function onMessage(event) {
  const m = JSON.parse(event.data);
  stats.epochsAsked.delete(m.id);
  if (m.type === "structure") { status(""); onStructure(m); }
  else if (m.type === "frame") onFrame(m);
  else if (m.type === "derivation") math.show(m);
  else if (m.type === "error") {
    if (m.id === state.awaiting) state.awaiting = false;
    if (!math.error(m)) status(m.message, "error"); // a refused derivation is said in the panel
    if (state.playing) setPlaying(false);
    if (state.structure) showSettings(state.structure.settings, state.structure); // the controls show what nnmath holds
  }
}

function connect() {
  const url = new URL("/ws", location.href);
  url.protocol = "ws:";
  url.search = new URLSearchParams({ token: new URLSearchParams(location.search).get("token") || "" }).toString();
  socket = new WebSocket(url);
  socket.onopen = () => send({ type: "hello", settings: settingsFromUrl() });
  socket.onmessage = onMessage;
  socket.onclose = () => { setPlaying(false); status("The connection to nnmath closed: is 'nnmath playground' still running? Reload to reconnect.", "error"); };
}

buildControls({
  changeSettings,
  addClass: (c) => { state.addClass = c; },
  linkMode: (mode) => { state.linkMode = mode; if (state.frame) updateNetwork(state.frame, state.structure, mode); },
  showTest: (on) => { state.showTest = on; if (state.frame) drawOutput($("output"), state.frame.heat, state.structure, on); },
  upload: (message) => send(message),
});
$("play").onclick = () => setPlaying(!state.playing);
$("step").onclick = () => { setPlaying(false); send({ type: "train", steps: 1 }); };
$("epoch").onclick = () => { setPlaying(false); send({ type: "epoch" }); };
$("step-math").onclick = () => { setPlaying(false); math.requestStep(); };
$("reset").onclick = () => { setPlaying(false); status(""); send({ type: "reset" }); };
$("save-png").onclick = () => savePngs([$("output"), $("loss-chart"), $("accuracy-chart"), $("grad-chart")]);
$("load-model").onchange = async (e) => {
  const file = e.target.files[0];
  if (!file) return;
  const bytes = new Uint8Array(await file.arrayBuffer());
  let text = "";
  for (let i = 0; i < bytes.length; i += 8192) text += String.fromCharCode(...bytes.subarray(i, i + 8192));
  send({ type: "load_model", name: file.name, data: btoa(text) });
  e.target.value = "";
};
$("output").onclick = (e) => {
  if (state.addClass === null || !state.structure) return;
  const canvas = $("output"), r = canvas.getBoundingClientRect(), h = state.structure.half_width;
  const x1 = ((e.clientX - r.left) / r.width) * 2 * h - h, x2 = h - ((e.clientY - r.top) / r.height) * 2 * h;
  send({ type: "add_point", x1, x2, label: state.addClass });
};
math.bindControls($("math-sample"), $("math-step"), $("math-close"));
connect();
