"""Benchmark of one MLP training step (forward, backward, SGD update) against hand-written NumPy.

    .venv/bin/python benchmarks/bench_mlp.py              # full run (about 30 s)
    .venv/bin/python benchmarks/bench_mlp.py --quick      # fewer repeats
    .venv/bin/python benchmarks/bench_mlp.py --breakdown  # where the time goes, (ii) and (iii)

Cases (issue 15; synthetic data from a fixed seed, float64, one step on the whole batch):

  (i)   XOR 2-3-1, batch 4: sigmoid hidden and output, quadratic loss, lr 0.5
        (the lectures' logic-gate network)
  (ii)  64-128-10, batch 64: ReLU hidden, softmax output, cross_entropy, lr 0.1
  (iii) 784-256-10, batch 128: ReLU hidden, softmax output, cross_entropy, lr 0.1
        (an MNIST-sized classifier)
  Targets are one-hot arrays, built once, for every implementation.

Implementations, all starting from the same weights (Xavier, with small random biases):

  backproplab   net.forward(X); net.backward(y, loss); opt.step(net.params, net.grads) with
                opt = SGD(lr): the public API, every argument check included
  tight numpy   THE BASELINE (the targets are against it): the step a careful engineer writes
                by hand for this one network (_tight_sigmoid_quadratic, _tight_relu_softmax):
                activations computed in place (out=), the learning rate and the batch mean's
                1/n folded into the output delta once (lr/n * (a2 - y) ...), no array made
                per step beyond the results of the matrix products (scratch buffers made
                once), each gradient applied as soon as it is computed (W -= a.T @ delta),
                no argument check. Written with @ for the products and np.add.reduce(...,
                out=) for the sums, the way NumPy code is written.
  tight, same primitives
                the same tight steps with the two primitives where backproplab's step
                differs from them: SciPy's expit for the sigmoid and the sums over the batch
                as products with a vector of ones (1^T delta). What remains of the ratio
                against it is backproplab's own overhead (information, no target).
  tight numpy, again
                a second, separately built copy of the tight step, timed like the others:
                its ratio to the first copy is this run's noise floor (two identical steps
                should give 1.000; on a shared machine they can stray by a few percent)
  numpy loop    the plain loop that was this benchmark's baseline before issue 15 (new arrays
                for every intermediate, a.T @ delta / n, delta.mean(axis=0), w -= lr * g),
                kept with issue 3's targets: (i) <= 2.5, (ii) <= 1.6, (iii) <= 1.3
  torch         PyTorch CPU float64 with autograd: the same network and mean loss,
                loss.backward(), an in-place update under no_grad (optional: skipped when
                torch is not importable)

Targets against the tight step: (i) <= 1.6, (ii) <= 1.3, (iii) <= 1.05.

Before timing, every implementation takes three steps from the same start and the script
checks that all parameters agree with backproplab's to 1e-12 (it raises otherwise), so the
timed code is known to do the same work. Times are medians over ROUNDS = 301 samples (21
with --quick; with 101, two copies of one step came out up to 4% apart on 2026-12-03, with
301 within 2%) of at least ~2 ms of process CPU time (time.process_time: time spent
descheduled while other programs use the cores does not count), the implementations
interleaved sample by sample, in an order that rotates from round to round, so that drift of
the machine's speed hits all alike. Each sample starts with one untimed step, so that
every implementation is timed as its own previous step left the caches and the allocator
(as in a training loop), not as the one timed before it did.

Threads: every case runs twice in one run, first with NumPy's BLAS held to ONE thread
(threadpoolctl; torch too), then with BLAS's default number of threads. With one thread the
rows compare process CPU time. With more than one they compare WALL-CLOCK time (the CPU
time is printed too, for information): process CPU time then adds up the time OpenBLAS's
idle threads spend spinning while they wait for work, and whether a thread is still
spinning when a sample starts depends on what ran just before it, so two copies of the very
same step measured 0.45x to 1.4x apart in CPU time on a two-core machine (they stay within
a few percent in wall-clock time). On a machine whose cores are busy with other work,
wall-clock time measures the neighbours as well: the "again" row shows how much. Without
threadpoolctl only the default is measured.

run(quick=False) returns the rows {"benchmark", "figure", "baseline", "ratio", "target",
"met"}; figures and baselines are microseconds per training step.
"""
from __future__ import annotations

import contextlib
import os
import statistics
import sys
import time
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
    from scipy.special import expit    # what backproplab's network uses for the sigmoid
except ImportError:
    expit = None
try:
    from threadpoolctl import threadpool_info, threadpool_limits
except ImportError:
    threadpool_info = threadpool_limits = None

CASES = [
    # name, layer sizes, batch, hidden and output activations, loss, lr,
    # target against the tight step (issue 15), target against the plain loop (issue 3)
    ("(i) XOR 2-3-1, batch 4", [2, 3, 1], 4, "sigmoid", "sigmoid", "quadratic", 0.5, 1.6, 2.5),
    ("(ii) 64-128-10, batch 64", [64, 128, 10], 64, "relu", "softmax", "cross_entropy", 0.1, 1.3,
     1.6),
    ("(iii) 784-256-10, batch 128", [784, 256, 10], 128, "relu", "softmax", "cross_entropy", 0.1,
     1.05, 1.3),
]
AGREE = 1e-12
ROUNDS = 301   # samples per implementation in a full run (see the docstring)


def _data(sizes, n):
    rng = np.random.default_rng(12345)
    if sizes == [2, 3, 1]:
        X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
        y = np.array([[0.0], [1.0], [1.0], [0.0]])
    else:
        X = rng.normal(size=(n, sizes[0]))
        y = np.eye(sizes[-1])[rng.integers(0, sizes[-1], n)]
    return X, y


# ---------------------------------------------------------------------------- implementations

def _package_step(sizes, hidden, out, loss, lr, start):
    net = MLP(sizes, [hidden, out], seed=0)
    net.weights = start[0::2]
    net.biases = start[1::2]
    opt = SGD(lr)

    def step(X, y):
        net.forward(X)
        net.backward(y, loss)
        opt.step(net.params, net.grads)
    return step, lambda: net.params


def _sigmoid_in_place(z):
    """z <- 1 / (1 + e^{-z}), four ufunc calls and no new array."""
    np.negative(z, out=z)
    np.exp(z, out=z)
    z += 1.0
    np.reciprocal(z, out=z)


def _tight_sigmoid_quadratic(sizes, lr, start, n):
    """The tight step of a sigmoid network (hidden and output) under the quadratic loss."""
    W1, b1, W2, b2 = (p.copy() for p in start)
    scale = lr / n                          # gamma and the batch mean's 1/n, folded once
    slope = np.empty((n, sizes[2]))         # a2 (1 - a2) of the output layer
    gb1, gb2 = np.empty(sizes[1]), np.empty(sizes[2])

    def step(X, Y):
        nonlocal W1, b1, W2, b2            # updated in place below
        a1 = X @ W1
        a1 += b1
        _sigmoid_in_place(a1)
        d2 = a1 @ W2
        d2 += b2
        _sigmoid_in_place(d2)               # a2, overwritten by its delta below
        np.subtract(1.0, d2, out=slope)
        np.multiply(slope, d2, out=slope)
        d2 -= Y
        d2 *= slope
        d2 *= scale                         # lr/n * (a2 - y) a2 (1 - a2)
        d1 = d2 @ W2.T                      # with W2 as the forward pass used it
        W2 -= a1.T @ d2
        b2 -= np.add.reduce(d2, axis=0, out=gb2)
        d1 *= a1
        np.subtract(1.0, a1, out=a1)
        d1 *= a1                            # * a1 (1 - a1)
        W1 -= X.T @ d1
        b1 -= np.add.reduce(d1, axis=0, out=gb1)
    return step, lambda: [W1, b1, W2, b2]


def _tight_relu_softmax(sizes, lr, start, n):
    """The tight step of a ReLU network with a softmax output under cross-entropy."""
    W1, b1, W2, b2 = (p.copy() for p in start)
    scale = lr / n
    col = np.empty((n, 1))                  # each row's max, then its sum of exponentials
    on = np.empty((n, sizes[1]), dtype=bool)   # where the hidden ReLUs are on
    gb1, gb2 = np.empty(sizes[1]), np.empty(sizes[2])

    def step(X, Y):
        nonlocal W1, b1, W2, b2
        a1 = X @ W1
        a1 += b1
        np.maximum(a1, 0.0, out=a1)
        d2 = a1 @ W2
        d2 += b2
        np.maximum.reduce(d2, axis=1, keepdims=True, out=col)
        d2 -= col
        np.exp(d2, out=d2)
        np.add.reduce(d2, axis=1, keepdims=True, out=col)
        d2 /= col                           # a2, overwritten by its delta below
        d2 -= Y
        d2 *= scale                         # lr/n * (a2 - y)
        d1 = d2 @ W2.T
        W2 -= a1.T @ d2
        b2 -= np.add.reduce(d2, axis=0, out=gb2)
        np.greater(a1, 0.0, out=on)
        d1 *= on                            # relu'(z1): 1 where the unit is on
        W1 -= X.T @ d1
        b1 -= np.add.reduce(d1, axis=0, out=gb1)
    return step, lambda: [W1, b1, W2, b2]


def _tight_step(sizes, hidden, out, loss, lr, start, n):
    if (hidden, out, loss) == ("sigmoid", "sigmoid", "quadratic"):
        return _tight_sigmoid_quadratic(sizes, lr, start, n)
    if (hidden, out, loss) == ("relu", "softmax", "cross_entropy"):
        return _tight_relu_softmax(sizes, lr, start, n)
    raise ValueError(f"bench_mlp: no tight step written for {hidden}/{out}/{loss}")


# The tight steps again, with the two primitives backproplab's step uses where they differ
# from the ones above: SciPy's expit for the sigmoid (when installed) and the sums over the
# batch as products with a vector of ones (1^T D). Against these, what remains of the ratio
# is backproplab's own overhead (information, no target).

def _tight_blas_sigmoid_quadratic(sizes, lr, start, n):
    W1, b1, W2, b2 = (p.copy() for p in start)
    scale = lr / n
    slope = np.empty((n, sizes[2]))
    gb1, gb2 = np.empty(sizes[1]), np.empty(sizes[2])
    ones = np.ones(n)
    sigmoid = (lambda z: expit(z, out=z)) if expit is not None else _sigmoid_in_place

    def step(X, Y):
        nonlocal W1, b1, W2, b2
        a1 = X @ W1
        a1 += b1
        sigmoid(a1)
        d2 = a1 @ W2
        d2 += b2
        sigmoid(d2)
        np.subtract(1.0, d2, out=slope)
        np.multiply(slope, d2, out=slope)
        d2 -= Y
        d2 *= slope
        d2 *= scale
        d1 = d2 @ W2.T
        W2 -= a1.T @ d2
        b2 -= np.dot(ones, d2, out=gb2)
        d1 *= a1
        np.subtract(1.0, a1, out=a1)
        d1 *= a1
        W1 -= X.T @ d1
        b1 -= np.dot(ones, d1, out=gb1)
    return step, lambda: [W1, b1, W2, b2]


def _tight_blas_relu_softmax(sizes, lr, start, n):
    W1, b1, W2, b2 = (p.copy() for p in start)
    scale = lr / n
    col = np.empty((n, 1))
    on = np.empty((n, sizes[1]), dtype=bool)
    gb1, gb2 = np.empty(sizes[1]), np.empty(sizes[2])
    ones = np.ones(n)

    def step(X, Y):
        nonlocal W1, b1, W2, b2
        a1 = X @ W1
        a1 += b1
        np.maximum(a1, 0.0, out=a1)
        d2 = a1 @ W2
        d2 += b2
        np.maximum.reduce(d2, axis=1, keepdims=True, out=col)
        d2 -= col
        np.exp(d2, out=d2)
        np.add.reduce(d2, axis=1, keepdims=True, out=col)
        d2 /= col
        d2 -= Y
        d2 *= scale
        d1 = d2 @ W2.T
        W2 -= a1.T @ d2
        b2 -= np.dot(ones, d2, out=gb2)
        np.greater(a1, 0.0, out=on)
        d1 *= on
        W1 -= X.T @ d1
        b1 -= np.dot(ones, d1, out=gb1)
    return step, lambda: [W1, b1, W2, b2]


def _tight_blas_step(sizes, hidden, out, loss, lr, start, n):
    if (hidden, out, loss) == ("sigmoid", "sigmoid", "quadratic"):
        return _tight_blas_sigmoid_quadratic(sizes, lr, start, n)
    return _tight_blas_relu_softmax(sizes, lr, start, n)


def _loop_step(sizes, hidden, out, loss, lr, start, n):
    """The plain loop that was this benchmark's baseline before issue 15."""
    W1, b1, W2, b2 = (p.copy() for p in start)

    def sigmoid(z):
        return 1.0 / (1.0 + np.exp(-z))

    def step(X, y):
        nonlocal W1, b1, W2, b2   # updated in place below
        n = X.shape[0]
        z1 = X @ W1 + b1
        a1 = np.maximum(z1, 0.0) if hidden == "relu" else sigmoid(z1)
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
        slope = (z1 > 0) if hidden == "relu" else a1 * (1.0 - a1)
        d1 = (d2 @ W2.T) * slope
        dW1 = X.T @ d1 / n
        db1 = d1.mean(axis=0)
        W1 -= lr * dW1
        b1 -= lr * db1
        W2 -= lr * dW2
        b2 -= lr * db2
    return step, lambda: [W1, b1, W2, b2]


def _torch_step(sizes, hidden, out, loss, lr, start, n):
    params = [torch.tensor(p, dtype=torch.float64, requires_grad=True) for p in start]
    W1, b1, W2, b2 = params
    phi = torch.relu if hidden == "relu" else torch.sigmoid

    def step(X, y):
        a1 = phi(X @ W1 + b1)
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


def _sample(step, args, number):
    """(CPU seconds, wall seconds) of one call of step(*args), averaged over `number` calls.

    One untimed call first: the timed calls then find the caches and the allocator's free
    memory as this implementation's own previous step left them (as in a training loop),
    not as the implementation timed before it did."""
    step(*args)
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(number):
        step(*args)
    return (time.process_time() - cpu) / number, (time.perf_counter() - wall) / number


def _case(name, sizes, n, hidden, out, loss, lr, quick):
    """Median CPU and wall microseconds per step of each implementation on one case."""
    X, y = _data(sizes, n)
    # Xavier weights and small random biases (zero biases would hide a bias-gradient bug)
    rng = np.random.default_rng(1)
    start = [p.copy() for p in MLP(sizes, seed=7).params]
    start[1::2] = [rng.normal(0.0, 0.1, size=b.shape) for b in start[1::2]]
    makers = {"backproplab": _package_step, "tight numpy": _tight_step,
              "tight numpy, again": _tight_step, "tight, same primitives": _tight_blas_step,
              "numpy loop": _loop_step}
    if torch is not None:
        makers["torch"] = _torch_step
    steps, params, inputs = {}, {}, {}
    for key, make in makers.items():
        if key == "backproplab":
            steps[key], params[key] = make(sizes, hidden, out, loss, lr, start)
        else:
            steps[key], params[key] = make(sizes, hidden, out, loss, lr, start, n)
        inputs[key] = (torch.from_numpy(X), torch.from_numpy(y)) if key == "torch" else (X, y)
        for _ in range(3):
            steps[key](*inputs[key])
    _check_agreement(params, name)

    # Samples of ~2 ms, many rounds, the implementations interleaved sample by sample so
    # that drift of the machine's speed hits all alike, in an order that rotates from round
    # to round so that none always runs after the same other one.
    cpu, _ = _sample(steps["backproplab"], inputs["backproplab"], 20)
    number = max(1, int(0.002 / max(cpu, 1e-9)))
    rounds = 21 if quick else ROUNDS
    samples = {key: [] for key in steps}
    keys = list(steps)
    for r in range(rounds):
        for key in keys[r % len(keys):] + keys[:r % len(keys)]:
            samples[key].append(_sample(steps[key], inputs[key], number))
    return {key: (statistics.median(c for c, _ in v) * 1e6, statistics.median(w for _, w in v) * 1e6)
            for key, v in samples.items()}


def _row(benchmark, figure, baseline=None, target=None):
    ratio = figure / baseline if baseline else None
    met = None if target is None or ratio is None else ratio <= target
    return {"benchmark": benchmark, "figure": figure, "baseline": baseline,
            "ratio": ratio, "target": target, "met": met}


def _blas_threads():
    """The number of threads NumPy's BLAS uses by default (None if threadpoolctl is missing)."""
    if threadpool_info is None:
        return None
    counts = [p["num_threads"] for p in threadpool_info() if p.get("user_api") == "blas"]
    return max(counts) if counts else None


def _settings():
    """(label, a maker of the context that sets the threads, threads): one BLAS thread,
    then the default."""
    default = _blas_threads()
    if threadpool_limits is None:
        return [("default BLAS threads", contextlib.nullcontext, os.cpu_count() or 1)]
    return [("1 BLAS thread", lambda: threadpool_limits(limits=1, user_api="blas"), 1),
            (f"default: {default} BLAS thread{'s' * (default != 1)}", contextlib.nullcontext,
             default)]


def run(quick=False):
    """Rows for the lead's table: backproplab against the tight step (targets), the tight step
    against a second copy of itself (the run's noise), the tight step with backproplab's
    primitives (information), the plain loop (issue 3's targets) and torch (information),
    with one BLAS thread (CPU time), then with the default (wall-clock time when it is more
    than one thread, with the CPU time as information)."""
    torch_before = torch.get_num_threads() if torch is not None else None
    rows = []
    try:
        for label, limit, threads in _settings():
            with limit():
                if torch is not None:
                    torch.set_num_threads(threads)
                # index into the (CPU, wall) medians: see the module's docstring, "Threads"
                m, clock = (0, "CPU") if threads == 1 else (1, "wall-clock")
                for name, sizes, n, hidden, out, loss, lr, target, loop_target in CASES:
                    med = _case(name, sizes, n, hidden, out, loss, lr, quick)
                    ours = med["backproplab"][m]
                    step = f"MLP step {name}, {clock} us: backproplab"
                    rows.append(_row(f"{step} / tight numpy ({label})", ours,
                                     med["tight numpy"][m], target))
                    rows.append(_row(f"MLP step {name}, {clock} us: tight numpy again / tight "
                                     f"numpy: the run's noise ({label})",
                                     med["tight numpy, again"][m], med["tight numpy"][m]))
                    rows.append(_row(f"{step} / tight step with backproplab's primitives "
                                     f"({label})", ours, med["tight, same primitives"][m]))
                    rows.append(_row(f"{step} / numpy loop ({label})", ours, med["numpy loop"][m],
                                     loop_target))
                    if "torch" in med:
                        rows.append(_row(f"{step} / torch float64 ({label})", ours,
                                         med["torch"][m]))
                    if m:
                        rows.append(_row(f"MLP step {name}, CPU us, every thread's time: "
                                         f"backproplab / tight numpy ({label})",
                                         med["backproplab"][0], med["tight numpy"][0]))
                    other = "CPU" if m else "wall-clock"
                    print(f"# {name} ({label}): {other} medians, us: "
                          + ", ".join(f"{k} {v[1 - m]:.1f}" for k, v in med.items())
                          + f"; backproplab / tight numpy "
                            f"{med['backproplab'][1 - m] / med['tight numpy'][1 - m]:.3f}",
                          file=sys.stderr)
    finally:
        if torch is not None:
            torch.set_num_threads(torch_before)
    return rows


# ---------------------------------------------------------------------------- --breakdown

def _halfway(sizes, lr, start, n, level):
    """The tight ReLU/softmax step made like backproplab's, one difference at a time:
    level 1: the ReLU's output a new array (the network keeps z and a = phi(z));
    level 2: + the softmax as the network computes it (np.errstate, a new array) and
             forward()'s copy of the output;
    level 3: + the output delta as backward() computes it (y_hat - y, the check that every
             target row sums to 1, / n): the learning rate no longer folded in, so each
             update multiplies its gradient by it (g = a.T @ delta; g *= lr; W -= g);
    level 4: + the gradients kept as arrays, then applied by SGD's own update rule.
    Every level takes the same steps as the others (breakdown() checks it), so that none is
    timed on a network trained further or less far than the rest: a network that has fit
    its one batch harder computes with smaller deltas, and can meet subnormal numbers.
    Returns (step, a function giving [W1, b1, W2, b2])."""
    W1, b1, W2, b2 = (p.copy() for p in start)
    scale = lr / n
    col = np.empty((n, 1))
    on = np.empty((n, sizes[1]), dtype=bool)
    gb1, gb2 = np.empty(sizes[1]), np.empty(sizes[2])
    ones, ones_k = np.ones(n), np.ones(sizes[2])
    kept = {}
    sgd = SGD(lr)

    def scaled(g):
        # from level 3 the deltas carry 1/n only: each gradient is multiplied by lr (in place:
        # a second 1.6 MB temporary at (iii) makes glibc hand memory back to the system and
        # fault it in again at the next step, which timed this level at 1.76x once)
        if level >= 3:
            g *= lr
        return g

    def step(X, Y):
        nonlocal W1, b1, W2, b2
        # let go of the last step's arrays first, as the network does (forward drops its
        # cache, backward its gradients, before making new ones)
        kept.clear()
        z1 = X @ W1
        z1 += b1
        a1 = np.fmax(z1, 0.0) if level >= 1 else np.maximum(z1, 0.0, out=z1)
        z2 = a1 @ W2
        z2 += b2
        if level >= 2:
            with np.errstate(under="ignore", over="ignore"):
                a2 = z2 - np.maximum.reduce(z2, axis=1, keepdims=True)
                np.exp(a2, out=a2)
                a2 /= np.add.reduce(a2, axis=1, keepdims=True)
            kept["forward"] = (z1, a1, z2, a2, a2.copy())
        else:
            np.maximum.reduce(z2, axis=1, keepdims=True, out=col)
            z2 -= col
            np.exp(z2, out=z2)
            np.add.reduce(z2, axis=1, keepdims=True, out=col)
            z2 /= col
            a2 = z2
        if level >= 3:
            d2 = a2 - Y
            if np.count_nonzero(np.dot(Y, ones_k) != 1.0):
                raise AssertionError("one-hot targets sum to 1")
            d2 /= float(n)
        else:
            a2 -= Y
            a2 *= scale
            d2 = a2
        if level >= 4:
            d1 = d2 @ W2.T
            d1 *= z1 > 0
            grads = (X.T @ d1, np.dot(ones, d1), a1.T @ d2, np.dot(ones, d2))
            kept["grads"] = grads
            sgd._apply([W1, b1, W2, b2], list(grads))
            return
        d1 = d2 @ W2.T
        W2 -= scaled(a1.T @ d2)
        b2 -= scaled(np.dot(ones, d2, out=gb2))
        np.greater(a1, 0.0, out=on)
        d1 *= on
        W1 -= scaled(X.T @ d1)
        b1 -= scaled(np.dot(ones, d1, out=gb1))
    return step, lambda: [W1, b1, W2, b2]


def _internal_step(sizes, hidden, out, loss, lr, start):
    """backproplab's own arithmetic without the public methods' checks (what train() runs
    after its first step): net._run, net._gradients, SGD._apply."""
    net = MLP(sizes, [hidden, out], seed=0)
    net.weights = start[0::2]
    net.biases = start[1::2]
    opt = SGD(lr)

    def step(X, y):
        net._cache = None
        net._cache = net._run(X)
        net._cache[1][-1].copy()
        net._grads = None
        net._grads = net._gradients(y, loss, 0.0)
        opt._apply(net.params, net.grads)
    return step, lambda: net.params


def breakdown(quick=False):
    """Print, for cases (ii) and (iii) with one BLAS thread, the step from the tight one to
    backproplab's, one difference at a time (CPU us and the ratio to the tight step)."""
    labels = ["tight numpy step", "+ ReLU output a new array", "+ softmax kernel, output copy",
              "+ output delta as backward() makes it", "+ gradients as arrays, SGD's update",
              "backproplab's kernels, no checks", "backproplab (forward, backward, step)"]
    limit = threadpool_limits(limits=1, user_api="blas") if threadpool_limits else None
    try:
        for name, sizes, n, hidden, out, loss, lr, *_ in CASES[1:]:
            X, y = _data(sizes, n)
            start = [p.copy() for p in MLP(sizes, seed=7).params]
            made = [_halfway(sizes, lr, start, n, level) for level in range(5)]
            made += [_internal_step(sizes, hidden, out, loss, lr, start),
                     _package_step(sizes, hidden, out, loss, lr, start)]
            steps = [step for step, _ in made]
            for step in steps:
                for _ in range(3):
                    step(X, y)
            _check_agreement({"backproplab": made[-1][1],
                              **{label: params for label, (_, params) in zip(labels, made)}},
                             name)
            number = max(1, int(0.002 / max(_sample(steps[0], (X, y), 10)[0], 1e-9)))
            samples = [[] for _ in steps]
            k = len(steps)
            for r in range(21 if quick else ROUNDS):
                for i in list(range(r % k, k)) + list(range(r % k)):
                    samples[i].append(_sample(steps[i], (X, y), number)[0])
            med = [statistics.median(v) * 1e6 for v in samples]
            print(f"{name}, 1 BLAS thread: CPU us per step (ratio to the tight step)")
            for label, m in zip(labels, med):
                print(f"  {label:42s} {m:9.1f}  {m / med[0]:.3f}")
    finally:
        if limit is not None:
            limit.restore_original_limits()


def _print(rows):
    print(f"{'benchmark':88s} {'figure':>9s} {'baseline':>9s} {'ratio':>6s} {'target':>6s}  verdict")
    for r in rows:
        def cell(v, fmt):
            return format(v, fmt) if v is not None else "-"
        verdict = "n/a" if r["met"] is None else ("met" if r["met"] else "NOT met")
        print(f"{r['benchmark']:88s} {cell(r['figure'], '9.1f')} {cell(r['baseline'], '9.1f')} "
              f"{cell(r['ratio'], '6.3f')} {cell(r['target'], '6.2f')}  {verdict}")


if __name__ == "__main__":
    if "--breakdown" in sys.argv[1:]:
        breakdown(quick="--quick" in sys.argv[1:])
    else:
        _print(run(quick="--quick" in sys.argv[1:]))
