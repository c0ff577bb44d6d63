"""Data sets: truth tables, shapes, determinism, class balance, exact geometry at noise = 0."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backproplab.datasets import (GATES, load_digits, logic_gate, make_circles, make_moons,
                                  make_spirals, one_hot)

SETTINGS = settings(deadline=None, max_examples=30, derandomize=True)

GENERATORS = {
    "moons": lambda n, noise, seed: make_moons(n, noise, seed),
    "circles": lambda n, noise, seed: make_circles(n, noise, seed),
    "spirals": lambda n, noise, seed: make_spirals(n, 3, noise, seed),
}


# ----------------------------------------------------------------------------- logic gates

# CENG 506's tables, rows x1 x2 = 00, 01, 10, 11; XNOR from its table f_w(x) = 1, 0, 0, 1
TRUTH = {"and": [0, 0, 0, 1], "or": [0, 1, 1, 1], "xor": [0, 1, 1, 0],
         "xnor": [1, 0, 0, 1], "nand": [1, 1, 1, 0], "nor": [1, 0, 0, 0]}


@pytest.mark.parametrize("name", sorted(TRUTH))
def test_logic_gate_truth_tables(name):
    X, y = logic_gate(name)
    assert X.shape == (4, 2) and y.shape == (4, 1)
    assert X.dtype == np.float64 and y.dtype == np.float64
    assert np.array_equal(X, [[0, 0], [0, 1], [1, 0], [1, 1]])
    assert np.array_equal(y[:, 0], TRUTH[name])


def test_logic_gates_agree_with_boolean_logic():
    X, _ = logic_gate("and")
    a, b = X[:, 0].astype(bool), X[:, 1].astype(bool)
    expect = {"and": a & b, "or": a | b, "xor": a ^ b, "xnor": ~(a ^ b),
              "nand": ~(a & b), "nor": ~(a | b)}
    for name in GATES:
        assert np.array_equal(logic_gate(name)[1][:, 0].astype(bool), expect[name]), name


def test_seed_003_neurons_compute_and_and_or():
    # AND: g(-30 + 20 x1 + 20 x2), OR: g(-10 + 20 x1 + 20 x2); rounding the sigmoid gives the table
    for name, bias in (("and", -30.0), ("or", -10.0)):
        X, y = logic_gate(name)
        out = 1 / (1 + np.exp(-(bias + X @ np.array([20.0, 20.0]))))
        assert np.array_equal(np.round(out), y[:, 0])


def test_logic_gate_ignores_case_and_returns_fresh_arrays():
    X1, y1 = logic_gate("XOR")
    X1[0, 0] = 9.0
    X2, _ = logic_gate("xor")
    assert X2[0, 0] == 0.0


def test_logic_gate_unknown_name():
    with pytest.raises(ValueError, match=r"logic_gate: unknown gate name 'xand'; valid names are: "
                                         r"'and', 'or', 'xor', 'xnor', 'nand', 'nor'"):
        logic_gate("xand")
    with pytest.raises(ValueError, match="logic_gate: unknown gate name 3"):
        logic_gate(3)


# ----------------------------------------------------------------------------- point clouds

@pytest.mark.parametrize("kind, n", [(kind, n) for kind in sorted(GENERATORS)
                                     for n in (2, 3, 7, 100, 101)
                                     if not (kind == "spirals" and n < 3)])  # one point per class
def test_shapes_dtypes_and_balance(kind, n):
    X, y = GENERATORS[kind](n, 0.1, 0)
    assert X.shape == (n, 2) and X.dtype == np.float64
    assert y.shape == (n,) and y.dtype == np.int64
    k = 3 if kind == "spirals" else 2
    counts = np.bincount(y, minlength=k)
    assert len(counts) == k and counts.sum() == n
    assert counts.max() - counts.min() <= 1
    assert np.all(np.isfinite(X))


@pytest.mark.parametrize("kind", sorted(GENERATORS))
def test_determinism_by_seed(kind):
    a = GENERATORS[kind](50, 0.2, 123)
    b = GENERATORS[kind](50, 0.2, 123)
    c = GENERATORS[kind](50, 0.2, 124)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])


@pytest.mark.parametrize("kind", sorted(GENERATORS))
def test_rows_are_shuffled(kind):
    # mini-batches should mix the classes: the labels are not in blocks
    _, y = GENERATORS[kind](60, 0.0, 0)
    assert not np.array_equal(y, np.sort(y))


@pytest.mark.parametrize("kind", sorted(GENERATORS))
def test_noise_is_gaussian_with_the_given_scale(kind):
    # the same seed orders the points identically with and without noise,
    # so X1 - X0 is the noise itself: mean 0, standard deviation 0.3 in each coordinate
    X0, y0 = GENERATORS[kind](4000, 0.0, 5)
    X1, y1 = GENERATORS[kind](4000, 0.3, 5)
    assert np.array_equal(y0, y1)
    e = X1 - X0
    # 8000 draws: the sample std is within ~1.6% (2 sd) of 0.3, the mean within ~0.007
    assert np.std(e) == pytest.approx(0.3, rel=0.03)
    assert abs(np.mean(e)) < 0.015


def test_moons_lie_on_their_arcs_without_noise():
    X, y = make_moons(200, 0.0, 1)
    upper, lower = X[y == 0], X[y == 1]
    # upper arc: unit circle centred at (0, 0), y >= 0
    np.testing.assert_allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0, rtol=0, atol=1e-12)
    assert np.all(upper[:, 1] >= -1e-12)
    # lower arc: unit circle centred at (1, 1/2), y <= 1/2
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1.0, lower[:, 1] - 0.5), 1.0, rtol=0, atol=1e-12)
    assert np.all(lower[:, 1] <= 0.5 + 1e-12)
    # the ends of the arcs are included: t = 0 and t = pi
    for p in ([1, 0], [-1, 0]):
        assert np.min(np.hypot(*(upper - p).T)) < 1e-12
    for p in ([0, 0.5], [2, 0.5]):
        assert np.min(np.hypot(*(lower - p).T)) < 1e-12


def test_circles_radii_without_noise():
    X, y = make_circles(101, 0.0, 2, factor=0.3)
    r = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(r[y == 0], 1.0, atol=1e-12)
    np.testing.assert_allclose(r[y == 1], 0.3, atol=1e-12)
    # angles evenly spaced over a full turn: sorted angle gaps all 2 pi / m
    ang = np.sort(np.arctan2(X[y == 0, 1], X[y == 0, 0]) % (2 * np.pi))
    np.testing.assert_allclose(np.diff(ang), 2 * np.pi / len(ang), atol=1e-12)


def test_spirals_geometry_without_noise():
    k, turns = 4, 1.5
    X, y = make_spirals(400, k, 0.0, 3, turns=turns)
    for c in range(k):
        P = X[y == c]
        r = np.hypot(P[:, 0], P[:, 1])
        assert r.min() == 0.0 and r.max() == pytest.approx(1.0, abs=1e-12)
        far = r > 1e-9  # the angle of the centre point is undefined
        theta = np.arctan2(P[far, 1], P[far, 0])
        expected = 2 * np.pi * c / k + 2 * np.pi * turns * r[far]
        # equal angles modulo 2 pi
        gap = np.angle(np.exp(1j * (theta - expected)))
        np.testing.assert_allclose(gap, 0.0, atol=1e-9)


@SETTINGS
@given(st.integers(2, 200), st.floats(0, 1), st.integers(0, 2 ** 32 - 1))
def test_moons_and_circles_any_valid_input(n, noise, seed):
    for make in (make_moons, make_circles):
        X, y = make(n, noise, seed)
        assert X.shape == (n, 2) and set(np.unique(y)) <= {0, 1}


def test_generators_take_a_numpy_generator():
    a = make_moons(20, 0.1, np.random.default_rng(7))
    b = make_moons(20, 0.1, np.random.default_rng(7))
    assert np.array_equal(a[0], b[0])


def test_matches_scikit_learn_geometry_when_available():
    skd = pytest.importorskip("sklearn.datasets")

    def rows(X, y):
        return np.array(sorted(map(tuple, np.column_stack([X, y]).round(12))))

    Xs, ys = skd.make_moons(40, noise=0.0, shuffle=False)
    np.testing.assert_array_equal(rows(*make_moons(40, 0.0, 0)), rows(Xs, ys))
    Xs, ys = skd.make_circles(40, noise=0.0, shuffle=False, factor=0.5)
    np.testing.assert_array_equal(rows(*make_circles(40, 0.0, 0)), rows(Xs, ys))


@pytest.mark.parametrize("call, exc, msg", [
    (lambda: make_moons(1, 0.1, 0), ValueError, "make_moons: n must be >= 2, got 1"),
    (lambda: make_moons(10.5, 0.1, 0), TypeError, "make_moons: n must be an integer, got float"),
    (lambda: make_moons(10, -0.1, 0), ValueError, "make_moons: noise must be >= 0.0, got -0.1"),
    (lambda: make_circles(10, float("nan"), 0), ValueError, "make_circles: noise must be finite"),
    (lambda: make_circles(10, 0.1, 0, factor=1.0), ValueError, r"make_circles: factor \(the inner radius\) must be < 1"),
    (lambda: make_spirals(10, 1, 0.1, 0), ValueError, "make_spirals: classes must be >= 2, got 1"),
    (lambda: make_spirals(2, 3, 0.1, 0), ValueError, "make_spirals: n must be >= 3, got 2"),
    (lambda: make_spirals(10, 2, 0.1, 0, turns=0), ValueError, "make_spirals: turns must be > 0.0"),
    (lambda: make_moons(10, 0.1, -1), TypeError, "make_moons: seed must be None, a non-negative int"),
])
def test_bad_input(call, exc, msg):
    with pytest.raises(exc, match=msg):
        call()


# ----------------------------------------------------------------------------- one_hot

def test_one_hot():
    out = one_hot(np.array([2, 0, 1, 2]))
    assert out.dtype == np.float64
    assert np.array_equal(out, [[0, 0, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1]])
    assert one_hot([0, 1], k=4).shape == (2, 4)
    _, y = make_spirals(30, 3, 0.1, 0)
    assert np.array_equal(one_hot(y).argmax(axis=1), y)


def test_one_hot_bad_input():
    with pytest.raises(ValueError, match=r"one_hot: label 3 does not fit k = 3 classes"):
        one_hot([0, 3], k=3)
    with pytest.raises(ValueError, match="one_hot: class labels must be >= 0, got -1"):
        one_hot([0, -1])
    with pytest.raises(ValueError, match=r"one_hot: y must be 1-D integer labels of shape \(n,\), got shape \(2, 1\)"):
        one_hot([[0], [1]])
    with pytest.raises(ValueError, match="one_hot: y must hold integer class labels"):
        one_hot([0.5, 1.0])


# ----------------------------------------------------------------------------- digits

def test_load_digits():
    pytest.importorskip("sklearn")
    X, y = load_digits()
    assert X.shape == (1797, 64) and y.shape == (1797,)
    assert X.dtype == np.float64 and y.dtype == np.int64
    assert X.min() == 0.0 and X.max() == 1.0
    assert set(np.unique(y)) == set(range(10))
    raw, _ = load_digits(scale=False)
    assert np.array_equal(raw / 16.0, X)


def test_load_digits_is_scikit_learns_digits_read_without_importing_scikit_learn():
    datasets = pytest.importorskip("sklearn.datasets")
    X, y = load_digits(scale=False)
    bunch = datasets.load_digits()
    assert np.array_equal(X, bunch.data) and np.array_equal(y, bunch.target)
    X[0, 0] = 99.0                                   # fresh arrays: the next call is unchanged
    assert load_digits(scale=False)[0][0, 0] == bunch.data[0, 0]
    # importing scikit-learn takes seconds (it pulls in SciPy); load_digits does not need it
    code = ("import sys; from backproplab.datasets import load_digits; load_digits(); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sklearn', 'scipy')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_load_digits_without_sklearn_says_how_to_install(monkeypatch):
    # a None entry in sys.modules makes `import sklearn...` raise ImportError
    monkeypatch.setitem(sys.modules, "sklearn", None)
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    with pytest.raises(ImportError, match=r"load_digits needs scikit-learn.*pip install \"backproplab\[course\]\""):
        load_digits()
