"""Small data sets for the lessons: logic gates, two moons, circles, spirals, digits.

Conventions
-----------
* X is float64 of shape (n, n_features), one sample per row (batch-first).
* logic_gate returns y as float64 of shape (4, 1): the target of a network with one
  sigmoid output, as in CENG 506's truth tables.
* The point clouds (make_moons, make_circles, make_spirals) and load_digits return integer
  class labels y of shape (n,), dtype int64 (0, 1, ... classes-1). They plot directly
  (``c=y``) and are accepted by ``cross_entropy`` with softmax outputs. For other targets:
    - one-hot rows for a softmax / several sigmoid outputs:  ``one_hot(y)``      -> (n, k)
    - a single sigmoid output for two classes:               ``y[:, None].astype(float)`` -> (n, 1)
* Every generator takes `seed` (None, an int or a numpy Generator): the same seed gives
  the same data. The rows are shuffled, so that mini-batches mix the classes; `noise` is
  the standard deviation of Gaussian noise added to each coordinate (0: exact geometry).
"""
from __future__ import annotations

import functools
import importlib.util
import os

import numpy as np

from ._validate import as_float_array, check_size, choice, positive_int, real_number, rng_from

__all__ = ["GATES", "logic_gate", "make_moons", "make_circles", "make_spirals",
           "one_hot", "load_digits"]

# Inputs in the order of CENG 506's truth tables: x1 x2 = 00, 01, 10, 11.
_GATE_INPUTS = ((0, 0), (0, 1), (1, 0), (1, 1))
_GATE_OUTPUTS = {
    "and": (0, 0, 0, 1),
    "or": (0, 1, 1, 1),
    "xor": (0, 1, 1, 0),
    "xnor": (1, 0, 0, 1),
    "nand": (1, 1, 1, 0),
    "nor": (1, 0, 0, 0),
}
GATES = tuple(_GATE_OUTPUTS)


def logic_gate(name):
    """Truth table of a two-input logic gate: X (4, 2) and y (4, 1), float64.

    Rows are x1 x2 = 00, 01, 10, 11 (CENG 506's order). Names: "and", "or", "xor",
    "xnor", "nand", "nor" (case is ignored). AND and OR are linearly separable (seed
    003's single neurons g(-30 + 20 x1 + 20 x2) and g(-10 + 20 x1 + 20 x2)); XOR and
    XNOR need a hidden layer.
    """
    key = name.lower() if isinstance(name, str) else name
    choice(key, GATES, "logic_gate", "gate name")
    X = np.array(_GATE_INPUTS, dtype=np.float64)
    y = np.array(_GATE_OUTPUTS[key], dtype=np.float64).reshape(4, 1)
    return X, y


def _count(n, where, minimum=2):
    """The number of points n, refused before allocating when X (n, 2) would be absurdly large."""
    n = positive_int(n, where, "n", minimum=minimum)
    check_size(2 * n, where, "X of shape (n, 2)")
    return n


def _noise(noise, where):
    return real_number(noise, where, "noise", minimum=0.0)


def _finish(X, y, noise, rng):
    """Shuffle the rows, then add the coordinate noise (both seeded).

    The permutation is drawn first, so the same seed with and without noise gives the
    same order of points: the difference of the two X is exactly the noise.
    """
    order = rng.permutation(X.shape[0])
    X, y = X[order], y[order]
    if noise > 0.0:
        X = X + rng.normal(0.0, noise, size=X.shape)
    return X, y


def _split(n, classes):
    """Points per class: as equal as possible, the first classes taking the remainder."""
    base, extra = divmod(n, classes)
    return [base + (1 if c < extra else 0) for c in range(classes)]


def make_moons(n=100, noise=0.1, seed=None):
    """Two interleaving half circles: X (n, 2) float64, y (n,) int64 labels 0 / 1.

    Class 0 lies on the upper arc (cos t, sin t), class 1 on the lower arc
    (1 - cos t, 1/2 - sin t), for t evenly spaced in [0, pi]; class 0 gets ceil(n/2)
    points. With noise = 0 every point is exactly on its arc.
    n >= 2, noise >= 0.
    """
    n = _count(n, "make_moons")
    noise = _noise(noise, "make_moons")
    rng = rng_from(seed, "make_moons")
    n0, n1 = _split(n, 2)
    t0 = np.linspace(0.0, np.pi, n0)
    t1 = np.linspace(0.0, np.pi, n1)
    upper = np.column_stack([np.cos(t0), np.sin(t0)])
    lower = np.column_stack([1.0 - np.cos(t1), 0.5 - np.sin(t1)])
    X = np.vstack([upper, lower])
    y = np.repeat(np.arange(2, dtype=np.int64), [n0, n1])
    return _finish(X, y, noise, rng)


def make_circles(n=100, noise=0.05, seed=None, factor=0.5):
    """Two concentric circles: X (n, 2) float64, y (n,) int64 labels 0 / 1.

    Class 0 on the circle of radius 1, class 1 on the circle of radius `factor`
    (0 < factor < 1), angles evenly spaced over [0, 2 pi); class 0 gets ceil(n/2)
    points. With noise = 0 every point is exactly on its circle.
    n >= 2, noise >= 0.
    """
    n = _count(n, "make_circles")
    noise = _noise(noise, "make_circles")
    factor = real_number(factor, "make_circles", "factor", minimum=0.0, strict=True)
    if factor >= 1.0:
        raise ValueError(f"make_circles: factor (the inner radius) must be < 1, got {factor}")
    rng = rng_from(seed, "make_circles")
    parts = []
    for radius, m in zip((1.0, factor), _split(n, 2)):
        angle = np.linspace(0.0, 2.0 * np.pi, m, endpoint=False)
        parts.append(radius * np.column_stack([np.cos(angle), np.sin(angle)]))
    y = np.repeat(np.arange(2, dtype=np.int64), [len(p) for p in parts])
    return _finish(np.vstack(parts), y, noise, rng)


def make_spirals(n=300, classes=3, noise=0.05, seed=None, turns=1.0):
    """Interleaved spiral arms, one per class: X (n, 2) float64, y (n,) int64 labels.

    Arm c has points at radius r, evenly spaced in [0, 1], and angle
        theta = 2 pi c / classes + 2 pi turns r,
    i.e. (r cos theta, r sin theta): every arm starts at the centre and winds `turns`
    times around it. Classes get n // classes points each, the first n % classes one
    more. n >= classes, classes >= 2, noise >= 0, turns > 0.
    """
    classes = positive_int(classes, "make_spirals", "classes", minimum=2)
    n = _count(n, "make_spirals", minimum=classes)
    noise = _noise(noise, "make_spirals")
    turns = real_number(turns, "make_spirals", "turns", minimum=0.0, strict=True)
    rng = rng_from(seed, "make_spirals")
    # Arms have only two lengths (m + 1 for the first n % classes, m for the others): each
    # group is computed at once, so that many classes cost no Python loop over the arms.
    base, extra = divmod(n, classes)
    parts, labels = [], []
    for first, stop, m in ((0, extra, base + 1), (extra, classes, base)):
        if stop == first:
            continue
        c = np.arange(first, stop)[:, None]
        r = np.linspace(0.0, 1.0, m)[None, :]
        theta = 2.0 * np.pi * c / classes + 2.0 * np.pi * turns * r
        parts.append(np.column_stack([(r * np.cos(theta)).ravel(), (r * np.sin(theta)).ravel()]))
        labels.append(np.repeat(np.arange(first, stop, dtype=np.int64), m))
    return _finish(np.vstack(parts), np.concatenate(labels), noise, rng)


def one_hot(y, k=None):
    """Integer labels (n,) -> one-hot rows (n, k), float64: row i has a 1 in column y[i].

    k defaults to max(y) + 1; labels must be integers in 0 .. k-1.
    """
    try:
        labels = np.asarray(y)
    except (TypeError, ValueError) as exc:     # ragged nested lists
        raise TypeError(f"one_hot: y must be 1-D integer labels, got {type(y).__name__} ({exc})") from None
    if labels.ndim != 1:
        raise ValueError(f"one_hot: y must be 1-D integer labels of shape (n,), got shape {labels.shape}")
    values = as_float_array(labels, "one_hot", "y", finite=True)
    if labels.dtype.kind not in "iu" and not np.all(values == np.round(values)):
        raise ValueError("one_hot: y must hold integer class labels, got non-integer values")
    # the range is checked on the float values, before the cast to int64, which would
    # turn a label like 1e20 into garbage (with a RuntimeWarning)
    if values.size and values.min() < 0:
        raise ValueError(f"one_hot: class labels must be >= 0, got {values.min():g}")
    if k is None:
        k = int(values.max()) + 1 if values.size else 1
    k = positive_int(k, "one_hot", "k")
    check_size(values.size * k, "one_hot", "the one-hot array of shape (n, k)")
    if values.size and values.max() >= k:
        raise ValueError(f"one_hot: label {values.max():g} does not fit k = {k} classes "
                         f"(labels 0..{k - 1})")
    idx = values.astype(np.int64)
    out = np.zeros((idx.size, k), dtype=np.float64)
    out[np.arange(idx.size), idx] = 1.0
    return out


def _digits_file() -> str:
    """The path of scikit-learn's bundled digits.csv.gz, found without importing scikit-learn.

    Importing sklearn.datasets pulls in SciPy and takes seconds; the data are a small gzipped
    CSV inside scikit-learn's wheel (sklearn/datasets/data/), which find_spec locates
    without running any of the package's code.
    """
    try:
        spec = importlib.util.find_spec("sklearn")
    except (ImportError, ValueError):
        spec = None
    for root in (spec.submodule_search_locations or []) if spec is not None else []:
        path = os.path.join(root, "datasets", "data", "digits.csv.gz")
        if os.path.isfile(path):
            return path
    raise ImportError("load_digits needs scikit-learn, which ships the digits data; install "
                      "the course extra: pip install \"backproplab[course]\" "
                      "(or just: pip install scikit-learn)")


@functools.lru_cache(maxsize=1)
def _digits_table(path):
    table = np.loadtxt(path, delimiter=",")   # np.loadtxt reads .gz files itself
    table.flags.writeable = False
    return table


def load_digits(scale=True):
    """The 8x8 handwritten digits bundled with scikit-learn: X (1797, 64), y (1797,) int64.

    The same arrays as sklearn.datasets.load_digits() (its data and target), read from the
    file inside scikit-learn's wheel: no download, and no import of scikit-learn itself.
    Each row of X is an image read row by row (X[i].reshape(8, 8) is the picture); pixel
    values are counts 0..16, divided by 16 when `scale` is true (inputs in [0, 1] suit
    sigmoid networks). Needs scikit-learn, an optional dependency of the course:
    pip install "backproplab[course]". Fresh arrays every call.
    """
    if not isinstance(scale, bool):
        raise TypeError(f"load_digits: scale must be True or False, got {type(scale).__name__}")
    table = _digits_table(_digits_file())
    X = np.array(table[:, :-1], dtype=np.float64)
    if scale:
        X = X / 16.0
    return X, table[:, -1].astype(np.int64)
