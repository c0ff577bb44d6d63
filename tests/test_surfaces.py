"""backproplab.surfaces: quadratic bowls and the stability of gradient descent on them.

The limits are checked three ways: against the spectral radius (bisection for where it
crosses 1), against runs of the optimizer classes just below and just above them, and on the
lesson's bowl f(w) = 0.1 w1^2 + 2 w2^2.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backproplab.gradcheck import numerical_gradient
from backproplab.optimizers import SGD, Momentum, Nesterov
from backproplab.surfaces import Quadratic, spectral_radius, stability_limit

SETTINGS = settings(deadline=None, max_examples=30, derandomize=True)


def test_the_lessons_bowl():
    f = Quadratic([0.2, 4.0])
    assert f(np.array([1.0, 1.0])) == pytest.approx(0.1 + 2.0, rel=1e-15)
    np.testing.assert_array_equal(f.grad(np.array([-4.0, 1.0])), [-0.8, 4.0])
    assert (f.lambda_min, f.lambda_max, f.condition_number) == (0.2, 4.0, 20.0)
    assert f.formula() == "f(w) = 0.1 w₁² + 2 w₂²"
    # a grid (2, ny, nx), as plot_trajectory evaluates it
    W = np.stack(np.meshgrid(np.linspace(-1, 1, 4), np.linspace(-2, 2, 3)))
    np.testing.assert_allclose(f(W), 0.1 * W[0] ** 2 + 2 * W[1] ** 2, rtol=1e-15)


@SETTINGS
@given(st.floats(0.1, 5.0), st.floats(0.1, 5.0), st.floats(-0.9, 0.9), st.floats(-3, 3), st.floats(-3, 3))
def test_gradient_is_the_numerical_one(a, b, c, x, y):
    H = np.array([[a + abs(c), c], [c, b + abs(c)]])        # symmetric, diagonally dominant
    f = Quadratic(H, center=[0.5, -1.0])
    w = np.array([x, y])
    np.testing.assert_allclose(f.grad(w), numerical_gradient(f, w.copy()), rtol=1e-6, atol=1e-7)
    assert f(f.center) == 0.0
    assert f.condition_number == pytest.approx(np.linalg.cond(H), rel=1e-9)


def _crossing(optimizer, alpha):
    """Where the spectral radius reaches 1, by bisection on h."""
    lo, hi = 0.5, 10.0
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if spectral_radius(mid, alpha, optimizer) < 1.0 else (lo, mid)
    return lo


@pytest.mark.parametrize("optimizer", ["SGD", "Momentum", "Nesterov"])
@pytest.mark.parametrize("alpha", [0.0, 0.3, 0.5, 0.9, 0.99])
def test_the_limit_is_where_the_spectral_radius_reaches_one(optimizer, alpha):
    assert _crossing(optimizer, alpha) == pytest.approx(stability_limit(optimizer, alpha), rel=1e-9)


def _final(cls, lr, alpha, f, steps=3000):
    opt = SGD(lr) if cls is SGD else cls(lr, momentum=alpha)
    w = np.array([-4.0, 1.0])
    with np.errstate(all="ignore"):
        for _ in range(steps):
            opt.step([w], [f.grad(w)])
    return w


@pytest.mark.parametrize("cls, name", [(SGD, "SGD"), (Momentum, "Momentum"), (Nesterov, "Nesterov")])
@pytest.mark.parametrize("alpha", [0.0, 0.5, 0.9])
def test_runs_converge_just_below_the_limit_and_diverge_just_above(cls, name, alpha):
    f = Quadratic([0.2, 4.0])
    limit = stability_limit(name, alpha)
    below = _final(cls, 0.99 * limit / f.lambda_max, alpha, f)
    above = _final(cls, 1.01 * limit / f.lambda_max, alpha, f)
    assert f(below) < 1e-8 * f(np.array([-4.0, 1.0]))
    assert not np.all(np.abs(above) < 1e6)


def test_limits_at_their_known_values():
    assert stability_limit("SGD") == 2.0
    assert stability_limit("Momentum", 0.5) == 3.0
    assert stability_limit("Nesterov", 0.5) == 1.5
    np.testing.assert_allclose(stability_limit("Momentum", np.array([0.0, 0.9])), [2.0, 3.8])
    # the optimal heavy ball on kappa = 20: both directions shrink by (sqrt(k) - 1)/(sqrt(k) + 1)
    k = 20.0
    a = ((np.sqrt(k) - 1) / (np.sqrt(k) + 1)) ** 2
    gamma = (2 / (np.sqrt(0.2) + np.sqrt(4.0))) ** 2
    np.testing.assert_allclose(spectral_radius([gamma * 0.2, gamma * 4.0], a),
                               (np.sqrt(k) - 1) / (np.sqrt(k) + 1), rtol=1e-12)


@pytest.mark.parametrize("call, error, match", [
    (lambda: Quadratic([[1.0, 2.0], [0.0, 1.0]]), ValueError, r"Quadratic: hessian must be symmetric"),
    (lambda: Quadratic([1.0, -1.0]), ValueError, r"Quadratic: hessian must be positive definite .* eigenvalues are \[-1.0, 1.0\]"),
    (lambda: Quadratic([1.0, 2.0], center=[1.0]), ValueError, r"Quadratic: center must be a point of shape \(2,\), got shape \(1,\)"),
    (lambda: Quadratic([1.0, 2.0])(np.zeros(3)), ValueError, r"Quadratic: w must have 2 coordinates"),
    (lambda: stability_limit("Adagrad"), ValueError, r"stability_limit: Adagrad has no stability limit"),
    (lambda: stability_limit("Adam"), ValueError, r"stability_limit: unknown optimizer 'Adam'"),
    (lambda: stability_limit("Momentum", 1.0), ValueError, r"stability_limit: momentum \(alpha\) must be in \[0, 1\)"),
    (lambda: spectral_radius(1.0, 0.5, "Adagrad"), ValueError, r"spectral_radius: unknown optimizer 'Adagrad'"),
])
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()
