#!/usr/bin/env python3
"""How long one update of lesson 08's explorers takes (target: <= 200 ms each).

An update is what a student's slider move costs in the kernel: the control's value is set,
the explorer computes the new run and repaints its figure, and the new PNG is in the Image
widget (what the browser then shows). Measured for

- learning_rate_explorer on lesson 08's bowl f(w) = 0.1 w1^2 + 2 w2^2, 100 steps;
- training_explorer: the 2-8-1 network on 200 two-moons points, 150 epochs, full batch;

cycling through settings of the learning-rate slider, the momentum slider and the optimizer
dropdown (diverging ones included), wall time of each assignment, interleaved with the
baseline. Each update's process CPU time and wall time are taken: the CPU time's median and
90th percentile and the wall time's median are held to the target; the rest is printed (on
this shared 2-core machine single updates wait for the neighbours' work, which CPU time
leaves out). The baseline does the same job the straightforward way, as a careful engineer
would write it by hand with this package's plotting functions: the same run (the same
optimizer class; train() for the network), then the whole figure drawn from scratch on a
fresh Agg figure (plot_trajectory + plot_loss; plot_decision_boundary + plot_loss) and saved
as PNG. The explorers instead draw axes, contours and legends once and repaint only what
moves. The PNG encoding of the same picture alone is printed as the floor.
"""
from __future__ import annotations

import io
import statistics
import sys
import time
import warnings

import numpy as np

TARGET_MS = 200.0

_LR_SETTINGS = [("lr", 0.2), ("lr", 0.45), ("lr", 0.6), ("momentum", 0.3), ("lr", 0.8),
                ("momentum", 0.6), ("optimizer", "Nesterov"), ("lr", 0.1), ("optimizer", "SGD"),
                ("lr", 0.55), ("optimizer", "Adagrad"), ("lr", 1.0), ("optimizer", "Momentum"),
                ("momentum", 0.9), ("lr", 0.05)]
_NET_SETTINGS = [("lr", 0.1), ("lr", 1.0), ("momentum", 0.5), ("optimizer", "Nesterov"),
                 ("lr", 3.0), ("optimizer", "SGD"), ("lr", 0.3), ("optimizer", "Adagrad"),
                 ("lr", 0.05), ("optimizer", "Momentum"), ("momentum", 0.9), ("lr", 10.0)]


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=fig.dpi)
    return buf.getvalue()


def _fresh_figure(figsize):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    fig = Figure(figsize=figsize, dpi=96)
    FigureCanvasAgg(fig)
    return fig


def _baseline_lr(f, start, values, steps):
    """The learning-rate explorer's update drawn from scratch."""
    from backproplab.plots import plot_loss, plot_trajectory
    from backproplab.widgets import _make_optimizer, _run_optimizer
    opt = _make_optimizer(values["optimizer"], values["lr"], values["momentum"])
    path, _ = _run_optimizer(f.grad, start, opt, steps)
    with np.errstate(all="ignore"):
        losses = np.array([f(w) for w in path])
    fig = _fresh_figure((10.0, 4.6))
    left, right = fig.subplots(1, 2, width_ratios=(3, 2))
    plot_trajectory(f, path, ax=left, bounds=((-4.6, 0.6), (-0.4, 1.2)), optimum=(0.0, 0.0),
                    resolution=120)
    plot_loss(losses, ax=right, title="f(w) after each step")
    return _png(fig)


def _baseline_net(X, y, values, epochs):
    """The training explorer's update drawn from scratch."""
    from backproplab.network import MLP
    from backproplab.plots import plot_decision_boundary, plot_loss
    from backproplab.training import train
    from backproplab.widgets import _make_optimizer
    net = MLP([2, 8, 1], activations=["tanh", "sigmoid"], seed=0)
    opt = _make_optimizer(values["optimizer"], values["lr"], values["momentum"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        history = train(net, X, y, opt, loss="binary_cross_entropy", epochs=epochs, seed=0)
    fig = _fresh_figure((10.0, 4.6))
    left, right = fig.subplots(1, 2)
    if not history.diverged:
        plot_decision_boundary(net, X, y, ax=left, resolution=90)
    plot_loss(history, ax=right, title="Training loss (binary cross-entropy)")
    return _png(fig)


def _timed(fn) -> tuple:
    """(wall ms, process CPU ms) of fn()."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return 1000.0 * (time.perf_counter() - wall), 1000.0 * (time.process_time() - cpu)


def _cycle(box, settings, baseline, rounds):
    """Interleaved: each setting through the explorer, then the same through the baseline."""
    ours, base = [], []
    for _ in range(rounds):
        for name, value in settings:
            ours.append(_timed(lambda: setattr(box.controls[name], "value", value)))
            if "error" in box.state:
                raise RuntimeError(f"the explorer failed at {name} = {value}: {box.state['error']}")
            values = {k: w.value for k, w in box.controls.items()}
            base.append(_timed(lambda: baseline(values)))
    return np.array(ours), np.array(base)


def _rows(label, ours, base, png_ms):
    rows = []
    for col, clock in ((1, "CPU"), (0, "wall")):
        for stat, fn, held in (("median", np.median, True),
                               ("90th percentile", lambda v: np.percentile(v, 90), clock == "CPU"),
                               ("slowest", np.max, False)):
            a, b = float(fn(ours[:, col])), float(fn(base[:, col]))
            rows.append({"benchmark": f"{label}: one update, {clock} ms, {stat} of {len(ours)} "
                                      "(baseline: redraw from scratch)",
                         "figure": a, "baseline": b, "ratio": a / b,
                         "target": f"<= {TARGET_MS:.0f} ms" if held else "-",
                         "met": (a <= TARGET_MS) if held else None})
    return rows + [
        {"benchmark": f"{label}: PNG encoding alone (floor), wall ms", "figure": png_ms,
         "baseline": None, "ratio": None, "target": "-", "met": None}]


def run(quick: bool = False) -> list:
    from backproplab.datasets import make_moons
    from backproplab.surfaces import Quadratic
    from backproplab.widgets import _png as encode
    from backproplab.widgets import learning_rate_explorer, training_explorer

    rounds = 1 if quick else 3
    bowl, start = Quadratic([0.2, 4.0]), np.array([-4.0, 1.0])
    lr_box = learning_rate_explorer(bowl, start=start, optimizer="Momentum", lr=0.1,
                                    momentum=0.5, steps=100)
    ours, base = _cycle(lr_box, _LR_SETTINGS, lambda v: _baseline_lr(bowl, start, v, 100), rounds)
    rows = _rows("learning_rate_explorer (bowl, 100 steps)", ours, base,
                 statistics.median(_timed(lambda: encode(lr_box.figure))[0] for _ in range(9)))

    X, y = make_moons(200, noise=0.2, seed=0)
    y = y.reshape(-1, 1).astype(float)
    net_box = training_explorer(lr=0.3, momentum=0.9, epochs=150)
    ours, base = _cycle(net_box, _NET_SETTINGS, lambda v: _baseline_net(X, y, v, 150), rounds)
    rows += _rows("training_explorer (moons 200, 2-8-1, 150 epochs)", ours, base,
                  statistics.median(_timed(lambda: encode(net_box.figure))[0] for _ in range(9)))
    return rows


if __name__ == "__main__":
    for row in run(quick="--quick" in sys.argv):
        base = "" if row["baseline"] is None else (f" (baseline {row['baseline']:.0f} ms, "
                                                   f"ratio {row['ratio']:.2f})")
        verdict = "" if row["met"] is None else (", met" if row["met"] else ", NOT met")
        print(f"{row['benchmark']}: {row['figure']:.0f}{base}, target {row['target']}{verdict}")
