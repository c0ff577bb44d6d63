"""Benchmark of backproplab.training.train() against the same loop written out by hand.

    .venv/bin/python benchmarks/bench_train.py          # full run (about 40 s)
    .venv/bin/python benchmarks/bench_train.py --quick  # fewer epochs and repeats

Cases (synthetic data from a fixed seed, float64; softmax output, cross_entropy, one-hot
targets, SGD with lr 0.1, shuffled mini-batches):

  (ii)  64-128-10,  batch 64,  1024 samples (16 steps per epoch), sigmoid hidden layer
  (iii) 784-256-10, batch 128, 1024 samples (8 steps per epoch), sigmoid hidden layer
  (iii) on 60,000 x 784 (issue 15): 784-256-10 with a ReLU hidden layer, batch 128, ONE
        epoch per call (469 steps), the way a script trains on MNIST-sized data

For the two small cases the manual loop uses the same MLP class and its own forward /
backward (so the comparison measures what train() adds on top of them, not a different
forward pass), draws the same permutation per epoch from the same seed, and updates inline
with w -= lr * g:

    for epoch: order = rng.permutation(n); Xp, yp = X[order], y[order]
        for each batch: net.forward(Xb); gW, gb = net.backward(yb, loss); W -= lr * gW; b -= lr * gb

For the 60,000-sample case the baseline is the network's own forward / backward / step loop,
written as a careful script would for data this size (each batch gathered from X, no
shuffled copy of the whole of it):

    order = rng.permutation(n)
    for each batch: idx = order[start:start + 128]
        net.forward(X[idx]); net.backward(y[idx], loss); opt.step(net.params, net.grads)

train() does in addition: its argument checks, one pass over X for NaN and inf (X itself is
not copied), the loss of every batch (History.loss, from the output of the forward pass it
needs anyway), the gradient norm of each epoch's last batch, np.errstate around each epoch;
after its first step, which goes through the public methods, it runs their arithmetic
without their per-call checks. Its extra memory over the call (tracemalloc: the peak above
what was allocated before it, X and y included in neither) is measured in a separate run
and compared with the size of X (target: under 10%).

Before timing, both are run once from the same initial weights and the script checks the
parameters are identical afterwards (it raises otherwise; in (iii), whose first layer SGD
updates with BLAS axpy, rounding w - lr * g once where the inline update rounds twice, each
array must agree to 1e-12 of its largest value). Times are medians over repeats,
the two implementations interleaved round by round. Targets: train() <= 1.2x the manual
loop for the small cases, <= 1.05x the network's own loop for the 60,000-sample one.

Clock and threads: the timing runs with NumPy's BLAS limited to ONE thread (threadpoolctl,
when installed; it comes with scikit-learn) and measures the process's CPU time
(time.process_time), not wall time. What train() adds is Python-side work; on the shared
2-core machine this was written on, with other jobs running, multithreaded BLAS on these
small matrices and wall-clock times measured mostly scheduler noise (the ratio swung
between 0.5 and 1.7 from run to run). Single-threaded CPU time repeats to about 5%.
A slower (single-threaded) BLAS makes a fixed overhead look relatively smaller, so the
overhead per step is printed as well (to stderr). The 60,000-sample case is measured a
second time with BLAS's default number of threads, and when that is more than one its row
compares WALL-CLOCK time: CPU time would add up the time OpenBLAS's idle threads spend
spinning while they wait for work, which depends on what ran just before more than on the
code measured (bench_mlp.py's docstring tells how far apart two copies of one step came);
the CPU medians are printed beside it, to stderr. Without threadpoolctl BLAS keeps its
default threads throughout.

run(quick=False) returns rows {"benchmark", "figure", "baseline", "ratio", "target", "met"};
figure and baseline are milliseconds per epoch (CPU time, or wall clock where the row says so),
or megabytes for the memory row.
"""
from __future__ import annotations

import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

try:
    from threadpoolctl import threadpool_info, threadpool_limits
except ImportError:   # optional: then BLAS keeps its default number of threads
    threadpool_info = threadpool_limits = None

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from backproplab.network import MLP  # noqa: E402
from backproplab.optimizers import _LARGE, SGD  # noqa: E402
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
# issue 15: one epoch of (iii) per call of train() on MNIST-sized data
BIG = ("train(), one epoch of (iii) 784-256-10 on 60,000 x 784", [784, 256, 10], 128, 60_000)
BIG_TARGET = 1.05
MEMORY_TARGET = 0.10          # train()'s extra memory, as a fraction of X's size


def _data(sizes, n=N_SAMPLES):
    rng = np.random.default_rng(12345)
    X = rng.normal(size=(n, sizes[0]))
    y = np.eye(sizes[-1])[rng.integers(0, sizes[-1], n)]
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
    """Raise unless train() and the manual loop end with the same parameters: identical,
    unless the network has an array SGD updates with BLAS axpy (optimizers._LARGE weights or
    more: (iii)'s first layer), which rounds w - lr * g once where the inline w -= lr * g
    rounds twice; every later value then differs in its last bits, and each array must
    agree to 1e-12 of its largest value."""
    a, b = _fresh_net(sizes), _fresh_net(sizes)
    _with_train(a, X, y, batch, 2)
    _manual(b, X, y, batch, 2)
    fused = any(p.size >= _LARGE for p in a.params)
    for i, (p, q) in enumerate(zip(a.params, b.params)):
        if fused:
            same = np.max(np.abs(p - q)) <= 1e-12 * np.max(np.abs(q))
        else:
            same = np.array_equal(p, q)
        if not same:
            raise AssertionError(f"bench_train: train() and the manual loop disagree in params[{i}] "
                                 f"(max difference {np.max(np.abs(p - q)):.3g})")


def _time(fn, sizes, X, y, batch, epochs):
    net = _fresh_net(sizes)           # built outside the timed region
    start = time.process_time()
    fn(net, X, y, batch, epochs)
    return (time.process_time() - start) / epochs


def run(quick=False):
    if threadpool_limits is None:
        return _run(quick) + _run_big(quick, "default BLAS threads")
    with threadpool_limits(limits=1, user_api="blas"):
        rows = _run(quick) + _run_big(quick, "1 BLAS thread", memory=True)
    default = max((p["num_threads"] for p in threadpool_info() if p.get("user_api") == "blas"),
                  default=None)
    return rows + _run_big(quick, f"default: {default} BLAS threads",
                           wall_clock=default is not None and default > 1)


# ---------------------------------------------------------------------------- issue 15's case

def _big_net(sizes):
    return MLP(sizes, ["relu", "softmax"], seed=0)


def _big_train(net, X, y, batch):
    train(net, X, y, SGD(LR), loss=LOSS, epochs=1, batch_size=batch, shuffle=True, seed=SEED)


def _big_loop(net, X, y, batch):
    """The network's own forward / backward / step loop over one epoch, as train() orders it."""
    opt = SGD(LR)
    order = np.random.default_rng(SEED).permutation(X.shape[0])
    for start in range(0, X.shape[0], batch):
        idx = order[start:start + batch]
        net.forward(X[idx])
        net.backward(y[idx], LOSS)
        opt.step(net.params, net.grads)


def _extra_memory(fn, sizes, X, y, batch):
    """The peak of traced allocations during fn(...) above what was allocated before, bytes."""
    net = _big_net(sizes)
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        fn(net, X, y, batch)
        return tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()


def _run_big(quick, label, memory=False, wall_clock=False):
    """Rows for the 60,000-sample case: train() against the network's own loop (process CPU
    time, or wall-clock time when wall_clock: BLAS on several threads, see the docstring's
    "Clock and threads"), and with memory, train()'s extra memory."""
    name, sizes, batch, n = BIG
    X, y = _data(sizes, n)
    a, b = _big_net(sizes), _big_net(sizes)
    _big_train(a, X, y, batch)
    _big_loop(b, X, y, batch)
    for i, (p, q) in enumerate(zip(a.params, b.params)):
        if not np.array_equal(p, q):
            raise AssertionError(f"bench_train: train() and the network's own loop disagree in "
                                 f"params[{i}] (max difference {np.max(np.abs(p - q)):.3g})")
    rounds = 2 if quick else 9
    cpu = {"train": [], "loop": []}
    wall = {"train": [], "loop": []}
    for r in range(rounds):
        pair = [("train", _big_train), ("loop", _big_loop)]
        for key, fn in (pair if r % 2 == 0 else pair[::-1]):
            net = _big_net(sizes)
            c, w = time.process_time(), time.perf_counter()
            fn(net, X, y, batch)
            cpu[key].append(time.process_time() - c)
            wall[key].append(time.perf_counter() - w)
    c_train, c_loop = (statistics.median(cpu[k]) * 1e3 for k in ("train", "loop"))
    steps = -(-n // batch)
    w_train, w_loop = (statistics.median(wall[k]) * 1e3 for k in ("train", "loop"))
    print(f"# {name} ({label}): CPU ms per call train() {c_train:.0f}, loop {c_loop:.0f} "
          f"({(c_train - c_loop) * 1e3 / steps:+.1f} us per step), ratio {c_train / c_loop:.3f}; "
          f"wall-clock ms train() {w_train:.0f}, loop {w_loop:.0f}, ratio {w_train / w_loop:.3f}; "
          f"samples CPU ms train() {[round(t * 1e3) for t in cpu['train']]}, loop "
          f"{[round(t * 1e3) for t in cpu['loop']]}", file=sys.stderr)
    clock, figure, baseline = (("wall-clock", w_train, w_loop) if wall_clock
                               else ("CPU", c_train, c_loop))
    rows = [{"benchmark": f"{name}, {clock} ms per call ({label})", "figure": figure,
             "baseline": baseline, "ratio": figure / baseline, "target": BIG_TARGET,
             "met": figure / baseline <= BIG_TARGET}]
    if memory:
        extra = _extra_memory(_big_train, sizes, X, y, batch)
        loop_extra = _extra_memory(_big_loop, sizes, X, y, batch)
        print(f"# {name}: extra memory (tracemalloc peak above the start) train() "
              f"{extra / 1e6:.2f} MB, the network's own loop {loop_extra / 1e6:.2f} MB; "
              f"X is {X.nbytes / 1e6:.1f} MB", file=sys.stderr)
        rows.append({"benchmark": f"{name}: train()'s extra memory, MB / X's size in MB",
                     "figure": extra / 1e6, "baseline": X.nbytes / 1e6,
                     "ratio": extra / X.nbytes, "target": MEMORY_TARGET,
                     "met": extra / X.nbytes < MEMORY_TARGET})
    return rows


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
    print(f"{'benchmark':96} {'train()':>10} {'baseline':>10} {'ratio':>7} {'target':>7}  verdict")
    for r in rows:
        print(f"{r['benchmark']:96} {r['figure']:10.3f} {r['baseline']:10.3f} {r['ratio']:7.3f} "
              f"{r['target']:7.2f}  {'met' if r['met'] else 'NOT met'}")
    print("(parameters after train() and after the manual loop were checked identical, "
          "to 1e-12 where SGD updates a layer with BLAS axpy; "
          f"threadpoolctl present: {threadpool_limits is not None})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
