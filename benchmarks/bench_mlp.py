"""Benchmark of one MLP training step (forward, backward, SGD update) against hand-written loops.

    .venv/bin/python benchmarks/bench_mlp.py          # full run (about half a minute)
    .venv/bin/python benchmarks/bench_mlp.py --quick  # fewer repeats

Cases (synthetic data from a fixed seed, float64, full batch = one step on the whole batch):

  (i)   XOR 2-3-1, 4 samples: sigmoid hidden and output, quadratic loss, lr 0.5
        (the lectures' logic-gate network; a single sigmoid output with the quadratic loss).
  (ii)  64-128-10, batch 64:   sigmoid hidden, softmax output, cross_entropy, lr 0.1
  (iii) 784-256-10, batch 128: sigmoid hidden, softmax output, cross_entropy, lr 0.1
        (an MNIST-sized classifier; softmax + cross-entropy is the standard classifier pair).
  Targets are one-hot arrays, built once, for every implementation.

Implementations, all starting from the same weights:

  backproplab   net.forward(X); net.backward(y, loss); SGD(lr).step(net.params, net.grads)
                (the package's optimizer, argument checks included)
  numpy loop    a plain hand-written forward / backward / SGD loop doing the same arithmetic
                (sigmoid as 1/(1 + exp(-z)), max-shifted softmax, deltas, a.T @ delta / n,
                delta.mean(axis=0), w -= lr * g)
  torch         PyTorch CPU float64 with autograd: the same network and mean loss,
                loss.backward(), an in-place update under no_grad (optional: skipped when
                torch is not importable)

Before timing, every implementation takes three steps from the same start and the script
checks that all parameters agree with backproplab's to 1e-12 (it raises otherwise), so the
timed code is known to do the same work. Times are medians over 101 samples of ~2 ms of
process CPU time (time.process_time, so time spent descheduled while other programs use
the cores does not count), with the implementations interleaved sample by sample so that
drift of the machine's speed hits all alike. The ratio is backproplab's time over the numpy loop's (targets: (i) <= 2.5,
(ii) <= 1.6, (iii) <= 1.3).

Threads: NumPy's BLAS (limited with threadpoolctl) and torch (torch.set_num_threads) both
run on THREADS = 1 thread by default, so each library does the same arithmetic with the same
resources. On the small matrices here, a multi-threaded BLAS on a machine whose cores are
busy with other work measures scheduling noise (we saw 30 ms for a 0.3 ms step); set the
environment variable BENCH_MLP_THREADS to use more. Without threadpoolctl NumPy keeps its
default and torch gets os.cpu_count() threads (the row's name says how many).

run(quick=False) returns the rows {"benchmark", "figure", "baseline", "ratio", "target",
"met"}; figures and baselines are microseconds per training step.
"""
from __future__ import annotations

import contextlib
import os
import statistics
import sys
import time
import timeit
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from backproplab.network import MLP  # noqa: E402
from backproplab.optimizers import SGD  # noqa: E402

try:
    import torch
except ImportError:   # optional baseline
    torch = None
try:
    from threadpoolctl import threadpool_limits
except ImportError:
    threadpool_limits = None

THREADS = int(os.environ.get("BENCH_MLP_THREADS", "1"))

CASES = [
    # name, layer sizes, batch, output activation, loss, lr, target ratio
    ("(i) XOR 2-3-1, batch 4", [2, 3, 1], 4, "sigmoid", "quadratic", 0.5, 2.5),
    ("(ii) 64-128-10, batch 64", [64, 128, 10], 64, "softmax", "cross_entropy", 0.1, 1.6),
    ("(iii) 784-256-10, batch 128", [784, 256, 10], 128, "softmax", "cross_entropy", 0.1, 1.3),
]
AGREE = 1e-12


def _data(sizes, n, out):
    rng = np.random.default_rng(12345)
    if sizes == [2, 3, 1]:
        X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
        y = np.array([[0.0], [1.0], [1.0], [0.0]])
    else:
        X = rng.normal(size=(n, sizes[0]))
        y = np.eye(sizes[-1])[rng.integers(0, sizes[-1], n)]
    return X, y


# ---------------------------------------------------------------------------- implementations

def _package_step(sizes, out, loss, lr, start):
    net = MLP(sizes, ["sigmoid", out], seed=0)
    net.weights = start[0::2]
    net.biases = start[1::2]
    opt = SGD(lr)

    def step(X, y):
        net.forward(X)
        net.backward(y, loss)
        opt.step(net.params, net.grads)
    return step, lambda: net.params


def _numpy_step(sizes, out, loss, lr, start):
    W1, b1, W2, b2 = (p.copy() for p in start)

    def sigmoid(z):
        return 1.0 / (1.0 + np.exp(-z))

    def step(X, y):
        nonlocal W1, b1, W2, b2   # updated in place below
        n = X.shape[0]
        z1 = X @ W1 + b1
        a1 = sigmoid(z1)
        z2 = a1 @ W2 + b2
        if out == "sigmoid":
            a2 = sigmoid(z2)
            d2 = (a2 - y) * a2 * (1.0 - a2)      # quadratic loss, sigmoid output
        else:
            e = np.exp(z2 - z2.max(axis=1, keepdims=True))
            a2 = e / e.sum(axis=1, keepdims=True)
            d2 = a2 - y                          # cross-entropy, softmax output
        dW2 = a1.T @ d2 / n
        db2 = d2.mean(axis=0)
        d1 = (d2 @ W2.T) * a1 * (1.0 - a1)
        dW1 = X.T @ d1 / n
        db1 = d1.mean(axis=0)
        W1 -= lr * dW1
        b1 -= lr * db1
        W2 -= lr * dW2
        b2 -= lr * db2
    return step, lambda: [W1, b1, W2, b2]


def _torch_step(sizes, out, loss, lr, start):
    params = [torch.tensor(p, dtype=torch.float64, requires_grad=True) for p in start]
    W1, b1, W2, b2 = params

    def step(X, y):
        a1 = torch.sigmoid(X @ W1 + b1)
        z2 = a1 @ W2 + b2
        if out == "sigmoid":
            E = 0.5 * ((torch.sigmoid(z2) - y) ** 2).sum() / X.shape[0]
        else:
            E = -(y * torch.log_softmax(z2, dim=1)).sum() / X.shape[0]
        E.backward()
        with torch.no_grad():
            for p in params:
                p -= lr * p.grad
                p.grad = None
    return step, lambda: [p.detach().numpy() for p in params]


# ---------------------------------------------------------------------------- measuring

def _check_agreement(impls, name):
    ref = impls["backproplab"]()
    for other, params in impls.items():
        diff = max(float(np.max(np.abs(np.asarray(a) - b))) for a, b in zip(params(), ref))
        if diff > AGREE:
            raise AssertionError(f"bench_mlp {name}: {other}'s parameters differ from backproplab's "
                                 f"by {diff:.3g} after the same steps")


def _case(name, sizes, n, out, loss, lr, quick):
    X, y = _data(sizes, n, out)
    # Xavier weights and small random biases (zero biases would hide a bias-gradient bug)
    rng = np.random.default_rng(1)
    start = [p.copy() for p in MLP(sizes, seed=7).params]
    start[1::2] = [rng.normal(0.0, 0.1, size=b.shape) for b in start[1::2]]
    makers = {"backproplab": _package_step, "numpy loop": _numpy_step}
    if torch is not None:
        makers["torch"] = _torch_step
    steps, params, inputs = {}, {}, {}
    for key, make in makers.items():
        steps[key], params[key] = make(sizes, out, loss, lr, start)
        inputs[key] = (torch.from_numpy(X), torch.from_numpy(y)) if key == "torch" else (X, y)
        for _ in range(3):
            steps[key](*inputs[key])
    _check_agreement(params, name)

    # CPU time of this process (time.process_time), not wall time: with one thread per
    # library, time the process spends descheduled while other programs run on a shared
    # machine does not count. Samples of ~2 ms, many rounds, implementations interleaved.
    timer = time.process_time
    probe = timeit.Timer(lambda: steps["backproplab"](X, y), timer=timer).timeit(number=20) / 20
    number = max(1, int(0.002 / max(probe, 1e-9)))
    rounds = 21 if quick else 101
    samples = {key: [] for key in steps}
    for _ in range(rounds):
        for key, step in steps.items():
            args = inputs[key]
            t = timeit.Timer(lambda: step(*args), timer=timer).timeit(number=number)
            samples[key].append(t / number)
    med = {key: statistics.median(v) * 1e6 for key, v in samples.items()}
    return med


def _row(benchmark, figure, baseline=None, target=None):
    ratio = figure / baseline if baseline else None
    met = None if target is None or ratio is None else ratio <= target
    return {"benchmark": benchmark, "figure": figure, "baseline": baseline,
            "ratio": ratio, "target": target, "met": met}


def run(quick=False):
    """Rows for the lead's table: backproplab vs the numpy loop (targets) and vs torch (info)."""
    if threadpool_limits is not None:
        limit, threads = threadpool_limits(limits=THREADS, user_api="blas"), THREADS
    else:
        limit, threads = contextlib.nullcontext(), os.cpu_count() or 1
    torch_before = torch.get_num_threads() if torch is not None else None
    rows = []
    with limit:
        if torch is not None:
            torch.set_num_threads(threads)
        try:
            for name, sizes, n, out, loss, lr, target in CASES:
                med = _case(name, sizes, n, out, loss, lr, quick)
                rows.append(_row(f"MLP step {name}, us: backproplab / numpy loop "
                                 f"({threads} BLAS thread{'s' * (threads > 1)})",
                                 med["backproplab"], med["numpy loop"], target))
                if "torch" in med:
                    rows.append(_row(f"MLP step {name}, us: backproplab / torch float64 "
                                     f"({threads} thread{'s' * (threads > 1)})",
                                     med["backproplab"], med["torch"]))
                else:
                    rows.append({"benchmark": f"MLP step {name}: torch not installed, skipped",
                                 "figure": med["backproplab"], "baseline": None, "ratio": None,
                                 "target": None, "met": None})
        finally:
            if torch is not None:
                torch.set_num_threads(torch_before)
    return rows


def _print(rows):
    print(f"{'benchmark':75s} {'figure':>9s} {'baseline':>9s} {'ratio':>6s} {'target':>6s}  verdict")
    for r in rows:
        def cell(v, fmt):
            return format(v, fmt) if v is not None else "-"
        verdict = "n/a" if r["met"] is None else ("met" if r["met"] else "NOT met")
        print(f"{r['benchmark']:75s} {cell(r['figure'], '9.1f')} {cell(r['baseline'], '9.1f')} "
              f"{cell(r['ratio'], '6.2f')} {cell(r['target'], '6.1f')}  {verdict}")


if __name__ == "__main__":
    _print(run(quick="--quick" in sys.argv[1:]))
