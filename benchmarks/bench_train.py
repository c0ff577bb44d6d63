"""Benchmark of backproplab.training.train() against the same loop written out by hand.

    .venv/bin/python benchmarks/bench_train.py          # full run (about half a minute)
    .venv/bin/python benchmarks/bench_train.py --quick  # fewer epochs and repeats

Cases (synthetic data from a fixed seed, float64; sigmoid hidden layer, softmax output,
cross_entropy, one-hot targets, SGD with lr 0.1, shuffled mini-batches):

  (ii)  64-128-10,  batch 64,  1024 samples (16 steps per epoch)
  (iii) 784-256-10, batch 128, 1024 samples (8 steps per epoch)

The manual loop uses the same MLP class and its own forward / backward (so the comparison
measures what train() adds on top of them, not a different forward pass), draws the same
permutation per epoch from the same seed, and updates inline with w -= lr * g:

    for epoch: order = rng.permutation(n); Xp, yp = X[order], y[order]
        for each batch: net.forward(Xb); gW, gb = net.backward(yb, loss); W -= lr * gW; b -= lr * gb

train() does in addition: argument and data checks (including a finiteness scan and a copy
of X and y), the loss of every batch (History.loss, from the output of the forward pass it
needs anyway), the optimizer's shape checks, the gradient norm of each epoch's last batch,
np.errstate around each epoch, and one full-data loss at the end (History.final_loss).

Before timing, both are run once from the same initial weights and the script checks the
parameters are identical afterwards (it raises otherwise). Times are medians over repeats,
the two implementations interleaved round by round. Target: train() <= 1.2x the manual loop.

Clock and threads: the timing runs with NumPy's BLAS limited to ONE thread (threadpoolctl,
when installed; it comes with scikit-learn) and measures the process's CPU time
(time.process_time), not wall time. What train() adds is Python-side work; on the shared
2-core machine this was written on, with other jobs running, multithreaded BLAS on these
small matrices and wall-clock times measured mostly scheduler noise (the ratio swung
between 0.5 and 1.7 from run to run). Single-threaded CPU time repeats to about 5%.
A slower (single-threaded) BLAS makes a fixed overhead look relatively smaller, so the
overhead per step is printed as well (to stderr). Without threadpoolctl BLAS keeps its
default threads and CPU time then adds up the time of all of them.

run(quick=False) returns rows {"benchmark", "figure", "baseline", "ratio", "target", "met"};
figure and baseline are milliseconds (CPU time) per epoch.
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np

try:
    from threadpoolctl import threadpool_limits
except ImportError:   # optional: then BLAS keeps its default number of threads
    threadpool_limits = None

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from backproplab.network import MLP  # noqa: E402
from backproplab.optimizers import SGD  # noqa: E402
from backproplab.training import train  # noqa: E402

CASES = [
    # name, layer sizes, batch size
    ("train() vs manual loop (ii) 64-128-10, batch 64", [64, 128, 10], 64),
    ("train() vs manual loop (iii) 784-256-10, batch 128", [784, 256, 10], 128),
]
N_SAMPLES = 1024
LR = 0.1
LOSS = "cross_entropy"
TARGET = 1.2
SEED = 2024


def _data(sizes):
    rng = np.random.default_rng(12345)
    X = rng.normal(size=(N_SAMPLES, sizes[0]))
    y = np.eye(sizes[-1])[rng.integers(0, sizes[-1], N_SAMPLES)]
    return X, y


def _fresh_net(sizes):
    return MLP(sizes, ["sigmoid", "softmax"], seed=0)


def _with_train(net, X, y, batch, epochs):
    train(net, X, y, SGD(LR), loss=LOSS, epochs=epochs, batch_size=batch, shuffle=True, seed=SEED)


def _manual(net, X, y, batch, epochs):
    rng = np.random.default_rng(SEED)
    n = X.shape[0]
    for _ in range(epochs):
        order = rng.permutation(n)
        Xp, yp = X[order], y[order]
        for start in range(0, n, batch):
            net.forward(Xp[start:start + batch])
            gW, gb = net.backward(yp[start:start + batch], LOSS)
            for W, g in zip(net.weights, gW):
                W -= LR * g
            for b, g in zip(net.biases, gb):
                b -= LR * g


def _check_agreement(sizes, X, y, batch):
    a, b = _fresh_net(sizes), _fresh_net(sizes)
    _with_train(a, X, y, batch, 2)
    _manual(b, X, y, batch, 2)
    for i, (p, q) in enumerate(zip(a.params, b.params)):
        if not np.array_equal(p, q):
            raise AssertionError(f"bench_train: train() and the manual loop disagree in params[{i}] "
                                 f"(max difference {np.max(np.abs(p - q)):.3g})")


def _time(fn, sizes, X, y, batch, epochs):
    net = _fresh_net(sizes)           # built outside the timed region
    start = time.process_time()
    fn(net, X, y, batch, epochs)
    return (time.process_time() - start) / epochs


def run(quick=False):
    if threadpool_limits is None:
        return _run(quick)
    with threadpool_limits(limits=1, user_api="blas"):
        return _run(quick)


def _run(quick):
    epochs, rounds = (2, 5) if quick else (5, 15)
    rows = []
    for name, sizes, batch in CASES:
        X, y = _data(sizes)
        _check_agreement(sizes, X, y, batch)
        t_train, t_manual = [], []
        for r in range(rounds):
            # alternate which goes first so that warm-up and drift hit both alike
            pair = [(t_train, _with_train), (t_manual, _manual)]
            for times, fn in (pair if r % 2 == 0 else pair[::-1]):
                times.append(_time(fn, sizes, X, y, batch, epochs))
        figure = statistics.median(t_train) * 1e3
        baseline = statistics.median(t_manual) * 1e3
        ratio = figure / baseline
        steps = -(-N_SAMPLES // batch)
        print(f"# {name}: train() adds {(figure - baseline) * 1e3 / steps:.1f} us per step "
              f"({steps} steps per epoch)", file=sys.stderr)
        rows.append({"benchmark": name + ", CPU ms/epoch", "figure": figure, "baseline": baseline,
                     "ratio": ratio, "target": TARGET, "met": ratio <= TARGET})
    return rows


def main(argv):
    quick = "--quick" in argv
    rows = run(quick=quick)
    print(f"{'benchmark':58} {'train()':>10} {'manual':>10} {'ratio':>7} {'target':>7}  verdict")
    for r in rows:
        print(f"{r['benchmark']:58} {r['figure']:10.3f} {r['baseline']:10.3f} {r['ratio']:7.3f} "
              f"{r['target']:7.2f}  {'met' if r['met'] else 'NOT met'}")
    print("(parameters after train() and after the manual loop were checked identical; "
          f"BLAS threads limited to 1: {threadpool_limits is not None})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
