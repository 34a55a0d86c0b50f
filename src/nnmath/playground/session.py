"""One playground session: the settings, the data, the nnmath Network and its training, in plain Python.

The web app (app.py) only passes messages to a Session and sends back what it returns; every
number the page shows is computed here by nnmath itself. Nothing here knows about the web.

- ``apply(changes)``: new settings, checked (a refused change leaves everything as it was);
  data settings make new data and a new network, network settings a new network, training
  settings (α, batch size, optimizer, L2, clipping) apply from the next step.
- ``train(steps)`` / ``train_epoch()``: gradient descent, a step (one batch) at a time.
- ``reset()``: back to the same initial weights: the run replays exactly.
- ``frame()`` and ``structure()``: what the page draws.
- the derivations (``math_panel.explain_parameter``, ``math_panel.explain_next_step``), ``add_point``, ``upload_csv``, the model file (files.py).
"""
from __future__ import annotations

from typing import Any, Optional

import numpy as np

from nnmath.engine import activations, init, optimizers
from nnmath.engine.network import Network
from nnmath.errors import NNMathError
from nnmath.playground import datasets, files, frames
from nnmath.playground.settings import DATA_SETS, FEATURES, MAX_LAYERS, MAX_UNITS, OUTPUTS, Settings
from nnmath.playground.trainer import Diverged, Trainer

DATA_KEYS = {"data", "points", "noise", "train_fraction", "classes", "data_seed"}
NETWORK_KEYS = {"features", "hidden", "activation", "init", "output", "dropout", "batchnorm", "residual", "seed"}
CHOICES = {"data": list(DATA_SETS), "features": list(FEATURES), "activation": list(activations.ACTIVATIONS),
           "init": list(init.INITIALIZERS), "output": list(OUTPUTS), "optimizer": list(optimizers.OPTIMIZERS),
           "max_layers": MAX_LAYERS, "max_units": MAX_UNITS}
MAX_STEPS = 1000  # steps in one request: a bounded amount of work


def check_output(settings: Settings, points: datasets.Points) -> None:
    """The output layer and loss must suit the data: the reason when they do not."""
    output = settings.output
    if points.regression and output != "identity_mse":
        raise NNMathError("regression data needs the identity output with squared error (output identity_mse)")
    if not points.regression and output == "identity_mse":
        raise NNMathError("the identity output is for regression; for classes choose sigmoid_ce, sigmoid_mse or softmax_ce")
    if points.n_classes > 2 and output != "softmax_ce":
        raise NNMathError(f"{points.n_classes} classes need the softmax output with cross-entropy (output softmax_ce)")


class Session:
    def __init__(self, changes: Optional[dict] = None):
        self.settings = Settings()
        self.upload: Optional[datasets.Points] = None  # the points of an uploaded CSV file
        self.points = self._make_points(self.settings)
        self._new_network()
        if changes:
            self.apply(changes)

    # ---- settings, data, network ----------------------------------------------------------
    def _make_points(self, s: Settings) -> datasets.Points:
        if s.data == "csv":
            if self.upload is None:
                raise NNMathError("no CSV file has been uploaded: choose a file first")
            return self.upload
        return datasets.make(s.data, s.points, s.noise, s.train_fraction, s.classes, s.data_seed)

    def apply(self, changes: Any) -> str:
        """Apply checked setting changes; returns what was rebuilt: "data", "network" or "training"."""
        new = self.settings.changed(changes)
        keys = {k for k in changes if getattr(new, k) != getattr(self.settings, k)}
        points = self._make_points(new) if keys & DATA_KEYS else self.points
        check_output(new, points)
        old = self.settings, self.points
        self.settings, self.points = new, points
        try:
            if keys & (DATA_KEYS | NETWORK_KEYS):
                self._new_network()
                return "data" if keys & DATA_KEYS else "network"
        except NNMathError:
            self.settings, self.points = old
            self._new_network()
            raise
        if "optimizer" in keys:
            self.trainer.optimizer = optimizers.get(new.optimizer)  # a new optimizer starts with no state
        return "training"

    def _new_network(self) -> None:
        s, p = self.settings, self.points
        check_output(s, p)
        output, loss = OUTPUTS[s.output]
        n_out = 1 if output != "softmax" else max(2, p.n_classes)
        self.net = Network([len(s.features), *s.hidden, n_out], activation=list(s.activation), output=output,
                           loss=loss, init=s.init, dropout=s.dropout, batchnorm=s.batchnorm,
                           residual=s.residual, seed=s.seed)
        if not p.regression:
            self.net.classes_ = np.arange(max(2, p.n_classes))
        self.initial = {name: a.copy() for name, a in self.net.state().items()}
        self._new_data_arrays()
        self.reset()

    def _new_data_arrays(self) -> None:
        p, names = self.points, self.settings.features
        self.X_train, self.X_test = datasets.features(p.X_train, names), datasets.features(p.X_test, names)
        self.Y_train = self.net.encode(p.y_train)

    def reset(self) -> None:
        """The same initial weights, a fresh optimizer and the same shuffling: the run replays."""
        self.net.load_state(self.initial)
        self.trainer = Trainer(self.net, self.X_train, self.Y_train, self.settings.optimizer, self.settings.seed)
        self.diverged: Optional[str] = None
        self.records: list[dict] = []
        self.sent = 0  # records already sent to the page
        self.last_gradients: Optional[list] = None
        self.records.append(self._record(None))

    # ---- training -------------------------------------------------------------------------
    def train(self, steps: Any = 1) -> None:
        """``steps`` gradient-descent steps (one batch each); stops at divergence."""
        if isinstance(steps, bool) or not isinstance(steps, int) or not 1 <= steps <= MAX_STEPS:
            raise NNMathError(f"steps must be a whole number from 1 to {MAX_STEPS}, got {steps!r}")
        self._run(lambda i: i < steps)

    def train_epoch(self) -> None:
        """Steps until the current pass over the training rows is finished."""
        self._check_not_diverged()
        s, norms = self.settings, None
        try:
            norms = self.trainer.epoch(s.learning_rate, s.batch_size, s.l2, s.clip)
        except Diverged as e:
            self.diverged = f"at step {self.trainer.steps + 1}: {e.what}"
        self.records.append(self._record(norms))

    def _check_not_diverged(self) -> None:
        if self.diverged is not None:
            raise NNMathError(f"training diverged ({self.diverged}); lower α and press reset")

    def _run(self, more) -> None:
        self._check_not_diverged()
        s, norms, i = self.settings, [], 0
        while more(i):
            try:
                norms.append(self.trainer.step(s.learning_rate, s.batch_size, s.l2, s.clip))
            except Diverged as e:
                self.diverged = f"at step {self.trainer.steps + 1}: {e.what}"
                break
            i += 1
        self.records.append(self._record(np.mean(norms, axis=0).tolist() if norms else None))

    def _record(self, grad_norms: Optional[list]) -> dict:
        """The numbers of the curves after the latest steps: E and accuracy on both parts, ‖∂E/∂W^l‖."""
        p, net = self.points, self.net
        with np.errstate(all="ignore"):
            record = {"step": self.trainer.steps, "epoch": self.trainer.epochs,
                      "train_loss": frames.finite_or_text(net.error(self.X_train, p.y_train)),
                      "test_loss": frames.finite_or_text(net.error(self.X_test, p.y_test)) if len(p.y_test) else None,
                      "train_accuracy": None, "test_accuracy": None,
                      "grad_norms": None if grad_norms is None else [frames.finite_or_text(g) for g in grad_norms]}
            if not p.regression:
                record["train_accuracy"] = net.score(self.X_train, p.y_train)
                record["test_accuracy"] = net.score(self.X_test, p.y_test) if len(p.y_test) else None
        return record

    # ---- what the page draws --------------------------------------------------------------
    def structure(self) -> dict:
        """Everything that changes only with the settings: sizes, names, the points."""
        p, net = self.points, self.net

        def rows(X, y):
            return [[float(a), float(b), float(c)] for (a, b), c in zip(X, y)]

        return {"type": "structure", "settings": self.settings.to_dict(), "sizes": net.sizes,
                "activations": [*net.activation_names, net.output_name], "kind": net.kind,
                "n_classes": p.n_classes, "half_width": p.half_width, "names": list(p.names),
                "residual": [layer.residual for layer in net.layers],
                "train": rows(p.X_train, p.y_train), "test": rows(p.X_test, p.y_test), "choices": CHOICES}

    def frame(self) -> dict:
        """The network's current numbers: weights, heat maps, new curve points, counts."""
        net, trainer = self.net, self.trainer
        new, self.sent = self.records[self.sent:], len(self.records)
        rows = trainer.next_rows(self.settings.batch_size)  # ∂E/∂W of the batch the next step takes
        with np.errstate(all="ignore"):
            grads = net.gradients(self.X_train[rows], self.points.y_train[rows])
        return {"type": "frame", "step": trainer.steps, "epoch": trainer.epochs, "diverged": self.diverged,
                "records": new, "weights": frames.matrices(net.weights), "biases": frames.matrices(net.biases),
                "gradients": frames.matrices(grads.weights),
                "heat": frames.heat_maps(net, self.settings.features, self.points.half_width)}

    def all_records(self) -> list[dict]:
        """Every record of the run so far (a page that connects again redraws its curves)."""
        self.sent = len(self.records)
        return list(self.records)

    # ---- the data, by hand ----------------------------------------------------------------
    def add_point(self, x1: Any, x2: Any, label: Any) -> None:
        """A training point of class ``label`` (a value for regression) at (x1, x2)."""
        p = self.points
        h = p.half_width
        for name, v in (("x1", x1), ("x2", x2)):
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not -h <= v <= h:
                raise NNMathError(f"{name} of a new point must be a number in [-{h:g}, {h:g}], got {v!r}")
        if p.regression:
            if isinstance(label, bool) or not isinstance(label, (int, float)) or not -10 <= label <= 10:
                raise NNMathError(f"the value of a new point must be a number in [-10, 10], got {label!r}")
        elif isinstance(label, bool) or label not in range(max(2, p.n_classes)):
            raise NNMathError(f"the class of a new point must be 0..{max(2, p.n_classes) - 1}, got {label!r}")
        p.X_train = np.vstack([p.X_train, [[float(x1), float(x2)]]])
        p.y_train = np.append(p.y_train, label)
        self._new_data_arrays()
        self.trainer.X, self.trainer.Y = self.X_train, self.Y_train
        self.trainer.order = np.append(self.trainer.order, len(self.X_train) - 1)  # visited in this epoch

    def upload_csv(self, name: Any, text: Any, x1: Any = None, x2: Any = None, target: Any = None) -> None:
        """A CSV file's points as the data (read by nnmath's CSV reader); the output follows its labels."""
        points = files.read_csv(name, text, x1, x2, target, self.settings.train_fraction, self.settings.data_seed)
        output = self.settings.output
        if points.regression:
            output = "identity_mse"
        elif points.n_classes > 2:
            output = "softmax_ce"
        elif output == "identity_mse":
            output = "sigmoid_ce"
        new = self.settings.changed({"data": "csv", "output": output})
        old = self.upload, self.settings, self.points
        self.upload, self.settings, self.points = points, new, points
        try:
            self._new_network()
        except NNMathError:
            self.upload, self.settings, self.points = old
            self._new_network()
            raise

    # ---- the model file -------------------------------------------------------------------
    def model_file(self) -> bytes:
        return files.model_bytes(self)

    def _check_upload_fits(self, info: dict, saved: dict) -> None:
        """A model of an uploaded CSV file needs that file's columns uploaded: the reason when they are not."""
        if self.upload is None:
            raise NNMathError("this model was trained on an uploaded CSV file: upload that file first, then load the model")
        chosen = saved.get("features")
        if not isinstance(chosen, list) or not all(isinstance(f, str) for f in chosen):
            return  # Settings.changed refuses it with its reason
        wanted, target = info.get("feature_names"), info.get("target_name")
        if wanted != files.feature_names(chosen, self.upload.names) or target != self.upload.target:
            shown = ", ".join(map(str, wanted)) if isinstance(wanted, list) else "?"
            raise NNMathError(f"this model was trained on a CSV file with the columns {shown} → {target}; this "
                              f"upload's are {', '.join(self.upload.names)} → {self.upload.target}: upload the "
                              "file it was trained on first, then load the model")

    def load_model(self, name: Any, content: bytes) -> None:
        """A model file written by the playground: its settings and weights (reset returns to them)."""
        net, info = files.read_model(name, content)
        saved = info.get("playground")
        if not isinstance(saved, dict):
            raise NNMathError(f"{files.safe_name(name, '.npz')} was not written by the playground (its info holds no "
                              "playground settings); the playground loads the models it exports")
        if saved.get("data") == "csv":
            self._check_upload_fits(info, saved)
        old = self.settings, self.points
        try:
            self.settings = Settings().changed(saved)
            self.points = self._make_points(self.settings)
            self._new_network()
            if net.sizes != self.net.sizes or net.config()["activation"] != self.net.config()["activation"]:
                raise NNMathError(f"the model's layers {net.sizes} do not match its own settings")
            self.net.load_state(net.state())
        except NNMathError:
            self.settings, self.points = old
            self._new_network()
            raise
        self.initial = {k: a.copy() for k, a in self.net.state().items()}
        self.reset()
