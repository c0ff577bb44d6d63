"""Benchmark of backproplab.graph (the scalar computational graph) against micrograd.

    .venv/bin/python benchmarks/bench_graph.py          # full run (a few minutes)
    .venv/bin/python benchmarks/bench_graph.py --quick  # fewer repeats, no 1e6 micrograd chain

What is measured (medians of several repeats, baselines measured in the same run):

* chain: build + backward of v <- v + 1.0 repeated N times (N = 500, 1e5, 1e6), time per
  link, freeing the graph included. micrograd wraps the constant 1.0 in a Value, so it makes
  two nodes per link; we make one. micrograd's graphs are reference cycles (each node's
  _backward closure refers to the node), freed by the cycle collector; the gc.collect()
  between timed samples keeps part of that cost out of its figures (ours are freed by
  reference counting at once). A row with 40 chains per sample, as in a training loop,
  shows the difference. A second chain v <- v + w with a shared input w (one node per link in both
  libraries) is timed at N = 500 too. micrograd's backward is recursive: its long chains
  run in a thread with a 1 GiB stack and a raised recursion limit (its 1e6 chain, ~20-30 s,
  runs once).
* MLP step: one training step of a micrograd-style MLP(2, [16, 16, 1]) (ReLU hidden layers,
  linear output) on 100 two-moons points: forward, the SVM "max-margin" loss with L2
  regularisation (micrograd's demo loss), backward, SGD update. Both nets get identical
  weights; the script checks that loss and gradients agree before timing. The glue code
  (Neuron/Layer/MLP below) is written in the same style as micrograd's nn module, so the
  difference is the Value class. Inputs: micrograd's demo wraps them in Values; ours are
  plain floats (a plain number in an expression never becomes a node in backproplab); a
  second row wraps ours too. As for the chains, the gc.collect() before each timed step
  frees micrograd's previous (cyclic) graph outside the timing.
* memory: bytes per link of a 20,000-link chain (tracemalloc), after building the graph and
  after backward, for both chains above.

run(quick=False) returns the rows {"benchmark", "figure", "baseline", "ratio", "target",
"met"} that the lead aggregates.
"""
from __future__ import annotations

import gc
import statistics
import sys
import threading
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from backproplab.graph import Value  # noqa: E402

try:
    from micrograd import engine as mg_engine
    from micrograd import nn as mg_nn
except ImportError:                  # optional baseline
    mg_engine = mg_nn = None


# ---------------------------------------------------------------------------- helpers

def _median_times(fns, repeats, number=1):
    """timeit-style: for each fn the median over `repeats` samples of the wall time of one
    call, a sample timing `number` calls in a row. The fns take turns sample by sample, so a
    change in the machine's load hits all of them alike (the ratios are what matter).
    Each fn does its own setup; freeing what it built is part of its time."""
    times = [[] for _ in fns]
    for _ in range(repeats):
        for fn, samples in zip(fns, times):
            gc.collect()
            t0 = time.perf_counter()
            for _ in range(number):
                fn()
            samples.append((time.perf_counter() - t0) / number)
    return [statistics.median(samples) for samples in times]


def _in_big_stack(fn, *args):
    """Run fn(*args) in a thread with a 1 GiB stack and a high recursion limit (micrograd's
    backward is recursive). Returns fn's result or re-raises its exception."""
    out = {}

    def target():
        try:
            out["value"] = fn(*args)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller
            out["error"] = exc

    old_limit = sys.getrecursionlimit()
    old_size = threading.stack_size()
    sys.setrecursionlimit(max(old_limit, 3_000_000))
    threading.stack_size(1 << 30)
    try:
        thread = threading.Thread(target=target)
        thread.start()
        thread.join()
    finally:
        threading.stack_size(old_size)
        sys.setrecursionlimit(old_limit)
    if "error" in out:
        raise out["error"]
    return out["value"]


def _progress(what):
    print(f"bench_graph: {what} ...", file=sys.stderr, flush=True)


def _row(benchmark, figure, baseline=None, target=None, ratio=None, met=None):
    if ratio is None and baseline:
        ratio = figure / baseline
    return {"benchmark": benchmark, "figure": figure, "baseline": baseline,
            "ratio": ratio, "target": target, "met": met}


# ---------------------------------------------------------------------------- chains

def _chain_const(value_cls, n):
    """Build v <- v + 1.0 (n links) and backprop through it."""
    v = value_cls(0.0)
    for _ in range(n):
        v = v + 1.0
    v.backward()
    return v


def _chain_leaf(value_cls, n):
    """Build v <- v + w (n links, w one shared input) and backprop through it."""
    w = value_cls(1.0)
    v = value_cls(0.0)
    for _ in range(n):
        v = v + w
    v.backward()
    return w


def chain_times_per_link(classes, n, repeats, number=1, build=_chain_const):
    """Median seconds per link for build + backward of an n-link chain, one per Value class.
    Long chains run in a big stack (micrograd's backward recurses once per node)."""
    fns = [lambda cls=cls: build(cls, n) for cls in classes]
    if n > 500:
        times = _in_big_stack(_median_times, fns, repeats, number)
    else:
        times = _median_times(fns, repeats, number)
    return [t / n for t in times]


# ---------------------------------------------------------------------------- memory

def bytes_per_node(value_cls, n, build="const"):
    """tracemalloc bytes per link of an n-link chain: (after building, after backward)."""
    def measure():
        gc.collect()
        tracemalloc.start()
        try:
            start = tracemalloc.get_traced_memory()[0]
            w = value_cls(1.0)
            v = value_cls(0.0)
            for _ in range(n):
                v = v + (1.0 if build == "const" else w)
            built = tracemalloc.get_traced_memory()[0]
            v.backward()
            after = tracemalloc.get_traced_memory()[0]
        finally:
            tracemalloc.stop()
        return (built - start) / n, (after - start) / n
    return _in_big_stack(measure)


# ---------------------------------------------------------------------------- MLP of Values

class Neuron:
    """act = b + sum_i w_i x_i, then ReLU unless it is an output neuron."""

    def __init__(self, weights, bias, nonlin):
        self.w = [Value(float(wi)) for wi in weights]
        self.b = Value(float(bias))
        self.nonlin = nonlin

    def __call__(self, x):
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return act.relu() if self.nonlin else act

    def parameters(self):
        return self.w + [self.b]


class Layer:
    def __init__(self, W, b, nonlin):
        # W has shape (n_in, n_out) as everywhere in backproplab: column j feeds neuron j
        self.neurons = [Neuron(W[:, j], b[j], nonlin) for j in range(W.shape[1])]

    def __call__(self, x):
        out = [n(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def parameters(self):
        return [p for n in self.neurons for p in n.parameters()]


class ValueMLP:
    """micrograd-style MLP built from backproplab.graph.Value, with given weights."""

    def __init__(self, weights, biases):
        last = len(weights) - 1
        self.layers = [Layer(W, b, nonlin=i != last) for i, (W, b) in enumerate(zip(weights, biases))]

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]


def _random_weights(sizes, seed):
    rng = np.random.default_rng(seed)
    weights = [rng.uniform(-1, 1, size=(m, n)) for m, n in zip(sizes[:-1], sizes[1:])]
    biases = [rng.uniform(-0.1, 0.1, size=n) for n in sizes[1:]]
    return weights, biases


def _micrograd_mlp(weights, biases):
    """micrograd's nn.MLP with its parameters overwritten by ours (same order of values)."""
    model = mg_nn.MLP(weights[0].shape[0], [W.shape[1] for W in weights])
    for layer, W, b in zip(model.layers, weights, biases):
        for j, neuron in enumerate(layer.neurons):
            for i, wi in enumerate(neuron.w):
                wi.data = float(W[i, j])
            neuron.b.data = float(b[j])
    return model


def two_moons(n=100, seed=0):
    """X (n, 2), labels y in {-1, +1} (the SVM loss's convention)."""
    try:
        from backproplab.datasets import make_moons
        X, y01 = make_moons(n, noise=0.1, seed=seed)
    except ImportError:                                  # datasets not written yet
        rng = np.random.default_rng(seed)
        t = np.linspace(0.0, np.pi, n // 2)
        X = np.vstack([np.column_stack([np.cos(t), np.sin(t)]),
                       np.column_stack([1 - np.cos(t), 0.5 - np.sin(t)])])
        X = X + rng.normal(0.0, 0.1, X.shape)
        y01 = np.repeat([0, 1], n // 2)
    return [list(map(float, row)) for row in X], [2.0 * float(v) - 1.0 for v in y01]


def svm_loss(model, inputs, labels, alpha=1e-4):
    """mean_i max(0, 1 - y_i score_i) + alpha * sum_p p^2   (micrograd's demo loss)."""
    scores = [model(x) for x in inputs]
    losses = [(1 + -yi * si).relu() for yi, si in zip(labels, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = alpha * sum(p * p for p in model.parameters())
    return data_loss + reg_loss


def train_step_ours(model, inputs, labels, lr=0.05, wrap_inputs=False):
    if wrap_inputs:                      # as micrograd's demo does (not needed here)
        inputs = [[Value(xi) for xi in x] for x in inputs]
    loss = svm_loss(model, inputs, labels)
    loss.backward()                      # a fresh grad table: nothing to zero first
    for p in model.parameters():
        p.data -= lr * p.grad
    return loss


def train_step_micrograd(model, inputs, labels, lr=0.05):
    values = [[mg_engine.Value(xi) for xi in x] for x in inputs]   # as in micrograd's demo
    loss = svm_loss(model, values, labels)
    model.zero_grad()
    loss.backward()
    for p in model.parameters():
        p.data -= lr * p.grad
    return loss


def check_same_step(weights, biases, inputs, labels):
    """Both nets from identical weights must agree on loss and gradients; returns max diffs."""
    ours, theirs = ValueMLP(weights, biases), _micrograd_mlp(weights, biases)
    loss_ours = svm_loss(ours, inputs, labels)
    loss_theirs = svm_loss(theirs, [[mg_engine.Value(xi) for xi in x] for x in inputs], labels)
    loss_ours.backward()
    theirs.zero_grad()
    loss_theirs.backward()
    dloss = abs(loss_ours.data - loss_theirs.data)
    dgrad = max(abs(p.grad - q.grad) for p, q in zip(ours.parameters(), theirs.parameters()))
    if dloss > 1e-12 * max(1.0, abs(loss_theirs.data)) or dgrad > 1e-12:
        raise AssertionError(f"bench_graph: ours and micrograd disagree: |dloss| = {dloss:.3g}, "
                             f"max |dgrad| = {dgrad:.3g}")
    return loss_ours.data, dloss, dgrad


def mlp_step_times(setups, inputs, labels, repeats):
    """Median seconds of one training step for each (make_model, step) pair."""
    fns = []
    for make_model, step in setups:
        model = make_model()
        step(model, inputs, labels)              # warm-up
        fns.append(lambda model=model, step=step: step(model, inputs, labels))
    return _median_times(fns, repeats)


# ---------------------------------------------------------------------------- run

def run(quick=False):
    rows = []
    have_mg = mg_engine is not None
    # (repeats, calls per repeat) for each chain length; micrograd's 1e6 chain takes ~20 s
    plan = {500: (51, 1) if quick else (201, 1), 100_000: (3, 1) if quick else (5, 1),
            1_000_000: (1, 1) if quick else (3, 1)}

    # chains: time per link
    for n, (reps, number) in plan.items():
        _progress(f"chain N={n:,}")
        if not have_mg:
            (ours,), base = chain_times_per_link([Value], n, reps, number), None
        elif n < 1_000_000:
            ours, base = chain_times_per_link([Value, mg_engine.Value], n, reps, number)
        else:
            (ours,) = chain_times_per_link([Value], n, reps, number)
            base = None if quick else chain_times_per_link([mg_engine.Value], n, 1)[0]
        if n == 500:
            target, met = "<= 1.0x micrograd per link", (ours / base <= 1.0) if base else None
        else:
            target, met = None, None
        rows.append(_row(f"chain v+1.0, N={n:,}: s per link (build+backward)", ours, base,
                         target, met=met))
        if n == 1_000_000:
            rows.append(_row("chain v+1.0, N=1,000,000: whole chain in s", ours * n,
                             base * n if base else None, "<= 10 s", met=ours * n <= 10.0))

    classes = [Value, mg_engine.Value] if have_mg else [Value]
    reps = plan[500][0]
    ours, base = (chain_times_per_link(classes, 500, reps, build=_chain_leaf) + [None])[:2]
    rows.append(_row("chain v+w (1 node per link in both), N=500: s per link", ours, base,
                     "<= 1.0x micrograd per link", met=(ours / base <= 1.0) if base else None))
    # As in a training loop: 40 chains back to back, so that freeing micrograd's cyclic
    # garbage (node <-> its _backward closure) by the cycle collector is inside the timing.
    ours, base = (chain_times_per_link(classes, 500, 7 if quick else 15, 40) + [None])[:2]
    rows.append(_row("chain v+1.0, N=500, 40 chains back to back: s per link", ours, base,
                     None))

    # MLP(2, [16, 16, 1]) training step on 100 two-moons points
    inputs, labels = two_moons(100, seed=0)
    weights, biases = _random_weights([2, 16, 16, 1], seed=1)
    _progress("MLP step")
    reps = 5 if quick else 11
    setups = [(lambda: ValueMLP(weights, biases), train_step_ours),
              (lambda: ValueMLP(weights, biases),
               lambda m, X, y: train_step_ours(m, X, y, wrap_inputs=True))]
    if have_mg:
        check_same_step(weights, biases, inputs, labels)
        setups.append((lambda: _micrograd_mlp(weights, biases), train_step_micrograd))
    ours, wrapped, base = (mlp_step_times(setups, inputs, labels, reps) + [None])[:3]
    rows.append(_row("MLP(2,[16,16,1]) step, 100 moons: s", ours, base, "<= 0.4x micrograd",
                     met=(ours / base <= 0.4) if base else None))
    rows.append(_row("  same, our inputs wrapped in Values too: s", wrapped, base,
                     "<= 0.4x micrograd", met=(wrapped / base <= 0.4) if base else None))

    # memory
    _progress("memory")
    n = 5_000 if quick else 20_000      # per-node bytes do not depend on n; tracemalloc is slow
    for build, what in (("const", "v+1.0 (micrograd: 2 Values per link)"),
                        ("leaf", "v+w (1 Value per link in both)")):
        built, after = bytes_per_node(Value, n, build)
        base_built = base_after = None
        if have_mg:
            base_built, base_after = bytes_per_node(mg_engine.Value, n, build)
        rows.append(_row(f"memory, chain {what}: bytes per link, built", built, base_built,
                         "<= 0.45x micrograd",
                         met=(built / base_built <= 0.45) if base_built else None))
        rows.append(_row(f"memory, chain {what}: bytes per link, after backward", after,
                         base_after, "<= 0.45x micrograd",
                         met=(after / base_after <= 0.45) if base_after else None))

    if not have_mg:
        print("bench_graph: micrograd is not installed; baselines skipped "
              "(pip install 'backproplab[bench]')", file=sys.stderr)
    return rows


def _fmt(x):
    if x is None:
        return "-"
    if isinstance(x, bool):
        return "yes" if x else "NO"
    if isinstance(x, float):
        return f"{x:.3g}"
    return str(x)


def print_table(rows):
    head = ("benchmark", "figure", "micrograd", "ratio", "target", "met")
    table = [head] + [(r["benchmark"], _fmt(r["figure"]), _fmt(r["baseline"]), _fmt(r["ratio"]),
                       r["target"] or "-", _fmt(r["met"])) for r in rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(head))]
    for k, row in enumerate(table):
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)))
        if k == 0:
            print("  ".join("-" * w for w in widths))


if __name__ == "__main__":
    print_table(run(quick="--quick" in sys.argv[1:]))
