"""Worked numbers of CENG 506 (CENG 506, lecture 3): logic gates as sigmoid neurons, the XNOR
network, and the weight-update table of a single sigmoid neuron.

Everything is computed here with plain NumPy and backproplab.activations (not the network
module), so these tests check the lecture's arithmetic against the package's building blocks.
"""
import numpy as np
import pytest

from backproplab.activations import sigmoid, sigmoid_prime, step
from backproplab.datasets import logic_gate

# CENG 506 prints g(-10) ~ 0 and g(10) ~ 1; the worst of these is g(+-10), 4.5e-5 away.
APPROX = 1e-4


def neuron(X, b, w1, w2):
    """f_w(x) = g(b + w1 x1 + w2 x2), g the sigmoid, for every row of X."""
    return sigmoid(b + w1 * X[:, 0] + w2 * X[:, 1])


def assert_gate(out, target):
    target = target.ravel()
    assert np.all(np.abs(out - target) < APPROX)
    np.testing.assert_array_equal(step(out, threshold=0.5), target)


# --- single-neuron gates -------------------------------------------------------------------

def test_truth_table_order_is_seed_003s():
    X, _ = logic_gate("and")
    np.testing.assert_array_equal(X, [[0, 0], [0, 1], [1, 0], [1, 1]])


def test_and_gate():
    # f_w(x) = g(-30 + 20 x1 + 20 x2): g(-30), g(-10), g(-10), g(10) ~ 0, 0, 0, 1
    X, y = logic_gate("and")
    out = neuron(X, -30.0, 20.0, 20.0)
    np.testing.assert_array_equal(y.ravel(), [0, 0, 0, 1])
    assert_gate(out, y)
    # the printed arguments of g, row by row
    np.testing.assert_allclose(out, sigmoid(np.array([-30.0, -10.0, -10.0, 10.0])), rtol=1e-15)


def test_or_gate():
    # f_w(x) = g(-10 + 20 x1 + 20 x2): g(-10), g(10), g(10), g(30) ~ 0, 1, 1, 1
    X, y = logic_gate("or")
    out = neuron(X, -10.0, 20.0, 20.0)
    np.testing.assert_array_equal(y.ravel(), [0, 1, 1, 1])
    assert_gate(out, y)
    np.testing.assert_allclose(out, sigmoid(np.array([-10.0, 10.0, 10.0, 30.0])), rtol=1e-15)


def test_nand_gate():
    # NOT AND: flip every sign of AND's weights, g(30 - 20 x1 - 20 x2) = 1 - AND(x)
    X, y = logic_gate("nand")
    out = neuron(X, 30.0, -20.0, -20.0)
    np.testing.assert_array_equal(y.ravel(), [1, 1, 1, 0])
    assert_gate(out, y)
    np.testing.assert_allclose(out, 1.0 - neuron(X, -30.0, 20.0, 20.0), atol=1e-15)


def test_not_gate():
    # NOT x = g(10 - 20 x): g(10) ~ 1 at x = 0, g(-10) ~ 0 at x = 1
    x = np.array([0.0, 1.0])
    out = sigmoid(10.0 - 20.0 * x)
    assert np.all(np.abs(out - [1.0, 0.0]) < APPROX)
    np.testing.assert_array_equal(step(out, threshold=0.5), [1.0, 0.0])


def test_and_is_not_sharp_with_small_weights():
    # why the slide uses weights of 20: with g(-3 + 2 x1 + 2 x2) the right answer is still
    # on the right side of 0.5, but far from "~ 0 / ~ 1"
    X, y = logic_gate("and")
    out = neuron(X, -3.0, 2.0, 2.0)
    np.testing.assert_array_equal(step(out, threshold=0.5), y.ravel())
    assert np.max(np.abs(out - y.ravel())) > 0.2


# --- the XNOR network ----------------------------------------------------------------------

def test_xnor_network_reproduces_the_printed_table():
    # hidden: a1 = x1 AND x2 = g(-30 + 20 x1 + 20 x2),
    #         a2 = (NOT x1) AND (NOT x2) = g(10 - 20 x1 - 20 x2);
    # output: f = a1 OR a2 = g(-10 + 20 a1 + 20 a2)
    X, y = logic_gate("xnor")
    a1 = neuron(X, -30.0, 20.0, 20.0)
    a2 = neuron(X, 10.0, -20.0, -20.0)
    f = sigmoid(-10.0 + 20.0 * a1 + 20.0 * a2)
    # CENG 506's table:  x1 x2 | a1 a2 | f
    printed = np.array([[0, 0, 0, 1, 1],
                        [0, 1, 0, 0, 0],
                        [1, 0, 0, 0, 0],
                        [1, 1, 1, 0, 1]], dtype=float)
    np.testing.assert_array_equal(X, printed[:, :2])
    for got, col in ((a1, 2), (a2, 3), (f, 4)):
        assert np.all(np.abs(got - printed[:, col]) < APPROX)
        np.testing.assert_array_equal(step(got, threshold=0.5), printed[:, col])
    np.testing.assert_array_equal(y.ravel(), printed[:, 4])


def test_xnor_is_the_negation_of_xor():
    X, xnor = logic_gate("xnor")
    X2, xor = logic_gate("xor")
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(xnor, 1.0 - xor)


# --- the weight-update table -----------------------------------------------------------------
#
# CENG 506: f(w, x) = sigma(w0 x0 + w1 x1 + w2) with w = (2, -3, -3), x = (-1, -2): f = 0.73,
# target 0.43. "Update in the 1st round (we subtract the gradients)" prints w = (2.06, -2.88,
# -3.06), f = 0.66. The gradient of E = 1/2 (f - t)^2 with learning rate 1 reproduces that:
#   dE/dw = (f - t) sigma'(z) (x0, x1, 1) = 0.3 * 0.197 * (-1, -2, 1) = (-0.059, -0.118, 0.059)
# so w becomes (2.059, -2.882, -3.059). The slide's "loss is 0.3" is the error f - t (the
# upstream gradient dE/df), not the loss E = 1/2 (0.3)^2 = 0.045.

W_START = np.array([2.0, -3.0, -3.0])
X_IN = np.array([-1.0, -2.0, 1.0])  # (x0, x1) and the constant 1 that multiplies w2
TARGET = 0.43


def f_of(w):
    return sigmoid(w @ X_IN)


def gradient_step(w, lr=1.0):
    """One step of gradient descent on E = 1/2 (f - t)^2 for the single sigmoid neuron."""
    z = w @ X_IN
    grad = (sigmoid(z) - TARGET) * sigmoid_prime(z) * X_IN  # dE/df * df/dz * dz/dw
    return w - lr * grad


def rounds(n, lr=1.0):
    """[(w, f)] after rounds 1..n; f is the neuron's output with the updated weights."""
    out, w = [], W_START.copy()
    for _ in range(n):
        w = gradient_step(w, lr)
        out.append((w, f_of(w)))
    return out


def test_starting_point():
    # z = 2 * -1 + -3 * -2 - 3 = 1, f = sigma(1) = 0.7311 ~ 0.73; f - t = 0.30
    assert W_START @ X_IN == 1.0
    assert round(float(f_of(W_START)), 2) == 0.73
    assert round(float(f_of(W_START)) - TARGET, 2) == 0.30


def test_the_gradient_is_the_numerical_one():
    def E(w):
        return 0.5 * (f_of(w) - TARGET) ** 2

    numeric = np.array([(E(W_START + h) - E(W_START - h)) / 2e-5 for h in np.eye(3) * 1e-5])
    np.testing.assert_allclose(W_START - gradient_step(W_START), numeric, rtol=1e-7)


def test_first_round_needs_squared_error_and_learning_rate_one():
    w1, f1 = rounds(1)[0]
    np.testing.assert_array_equal(np.round(w1, 2), [2.06, -2.88, -3.06])
    assert round(float(f1), 2) == 0.66
    # other readings of the slide do not reproduce the printed first round:
    # E = (f - t)^2 (a gradient twice as large), or learning rate 0.5
    for lr in (2.0, 0.5):
        w_other, _ = rounds(1, lr)[0]
        assert not np.array_equal(np.round(w_other, 2), [2.06, -2.88, -3.06])


# (round, printed w0, w1, w2, printed f)
PRINTED = [
    (1, 2.06, -2.88, -3.06, 0.66),
    (2, 2.11, -2.78, -3.11, 0.58),
    (3, 2.14, -2.70, -3.15, 0.53),
    (19, 2.21, -2.57, -3.21, 0.43),
]


@pytest.mark.parametrize("n,w0,w1,w2,f", PRINTED, ids=[f"round{r[0]}" for r in PRINTED])
def test_weight_update_table(n, w0, w1, w2, f):
    w, f_n = rounds(n)[n - 1]
    if n == 3:
        # The slide prints w0 = 2.14, but the algorithm gives w0 = 2.1476, i.e. 2.15. No
        # learning rate or loss could give 2.14 next to the printed w2 = -3.15: x0 = -1 and
        # the constant input 1 make every step change w0 and w2 by opposite amounts, so
        # w0 + w2 = 2 - 3 = -1 in every round, and -1 - (-3.15) = 2.15. The printed 2.14 is
        # 2.1476 truncated instead of rounded (w2 = -3.1476 was rounded to -3.15).
        assert w[0] == pytest.approx(2.1476, abs=5e-5)
        assert np.floor(w[0] * 100) / 100 == w0   # the printed figure, truncated
        w0 = 2.15
    np.testing.assert_array_equal(np.round(w, 2), [w0, w1, w2])
    assert round(float(f_n), 2) == f


def test_w0_plus_w2_is_constant():
    # the invariant behind the round-3 erratum above
    for w, _ in rounds(19):
        assert w[0] + w[2] == pytest.approx(-1.0, abs=1e-14)
        # and likewise w1 - 2 w0 = -3 - 4 = -7, since x1 = 2 x0
        assert w[1] - 2 * w[0] == pytest.approx(-7.0, abs=1e-13)


def test_the_output_approaches_the_target_monotonically():
    fs = [float(f) for _, f in rounds(19)]
    assert all(a > b for a, b in zip(fs, fs[1:]))
    assert all(f > TARGET for f in fs)                   # never overshoots with lr = 1
    assert abs(fs[-1] - TARGET) < 5e-4
    # round 19 is the first printed "0.43": by round 10 f is already 0.434, which rounds to 0.43 too
    assert [round(f, 2) for f in fs].index(0.43) < 18
