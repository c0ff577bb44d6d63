"""Optimizers and learning-rate schedules against Samatova's formulas.

The hand-worked examples use binary fractions (halves, quarters, ...) so that every
intermediate value is exact in float64 and the results can be compared with ==.
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from backproplab import optimizers
from backproplab.optimizers import (SGD, Adagrad, Momentum, Nesterov, constant,
                                    fixed_then_decay, step_decay)

SETTINGS = settings(deadline=None, max_examples=50, derandomize=True)

finite = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)
learning_rates = st.floats(1e-4, 10.0)
momenta = st.floats(0.0, 0.99)


@st.composite
def param_and_grads(draw, steps=3):
    """An array w and `steps` gradients of its shape."""
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=2, max_side=4))
    w = draw(hnp.arrays(np.float64, shape, elements=finite))
    gs = [draw(hnp.arrays(np.float64, shape, elements=finite)) for _ in range(steps)]
    return w, gs


def run(opt, w0, grads):
    """Apply `opt` to a copy of w0 once per gradient; return the weights after every step."""
    w = np.array(w0, dtype=np.float64)
    history = []
    for g in grads:
        opt.step([w], [np.asarray(g, dtype=np.float64)])
        history.append(w.copy())
    return history


# ----------------------------------------------------------------------------- by hand

def test_sgd_by_hand():
    # w <- w - gamma g, gamma = 1/4
    # step 1: g = (4, 1/2):  (1 - 1/4*4, -2 - 1/4*1/2)   = (0, -17/8)
    # step 2: g = (-2, 8):   (0 + 1/2,  -17/8 - 2)       = (1/2, -33/8)
    steps = run(SGD(0.25), [1.0, -2.0], [[4.0, 0.5], [-2.0, 8.0]])
    assert np.array_equal(steps[0], [0.0, -17 / 8])
    assert np.array_equal(steps[1], [0.5, -33 / 8])


def test_momentum_by_hand():
    # Delta w_t = -gamma g_t + alpha Delta w_{t-1}, gamma = alpha = 1/2, w_0 = (1, 3)
    # component 1, g = 2, -1, 4:
    #   dw1 = -1/2*2           = -1   -> w = 0
    #   dw2 = -1/2*(-1) + 1/2*(-1) = 0 -> w = 0
    #   dw3 = -1/2*4 + 1/2*0   = -2   -> w = -2
    # component 2, g = 4, 0, -2:
    #   dw1 = -2                      -> w = 1
    #   dw2 = 0 + 1/2*(-2)     = -1   -> w = 0
    #   dw3 = 1 + 1/2*(-1)     = 1/2  -> w = 1/2
    steps = run(Momentum(0.5, momentum=0.5), [1.0, 3.0], [[2.0, 4.0], [-1.0, 0.0], [4.0, -2.0]])
    assert np.array_equal(steps[0], [0.0, 1.0])
    assert np.array_equal(steps[1], [0.0, 0.0])
    assert np.array_equal(steps[2], [-2.0, 0.5])


def test_nesterov_by_hand():
    # n_t = alpha n_{t-1} + gamma g_t;  Delta w_t = alpha n_{t-1} - (1 + alpha) n_t
    # gamma = alpha = 1/2, w_0 = (1, 3)
    # component 1, g = 2, -1, 4:
    #   n1 = 0 + 1       = 1;    dw1 = 0 - 3/2*1        = -3/2  -> w = -1/2
    #   n2 = 1/2 - 1/2   = 0;    dw2 = 1/2*1 - 0        = 1/2   -> w = 0
    #   n3 = 0 + 2       = 2;    dw3 = 0 - 3/2*2        = -3    -> w = -3
    # component 2, g = 4, 0, -2:
    #   n1 = 2;                  dw1 = -3                       -> w = 0
    #   n2 = 1 + 0       = 1;    dw2 = 1/2*2 - 3/2*1    = -1/2  -> w = -1/2
    #   n3 = 1/2 - 1     = -1/2; dw3 = 1/2*1 + 3/2*1/2  = 5/4   -> w = 3/4
    steps = run(Nesterov(0.5, momentum=0.5), [1.0, 3.0], [[2.0, 4.0], [-1.0, 0.0], [4.0, -2.0]])
    assert np.array_equal(steps[0], [-0.5, 0.0])
    assert np.array_equal(steps[1], [0.0, -0.5])
    assert np.array_equal(steps[2], [-3.0, 0.75])


def test_adagrad_by_hand_seed_formula():
    # eps = 0 is Samatova's gamma_i = gamma / sqrt(sum g_i^2), sum including the current g.
    # gamma = 1, w_0 = (1, 0)
    # component 1, g = 3, 4:  G = 9 -> w = 1 - 3/3 = 0;   G = 25 -> w = 0 - 4/5 = -4/5
    # component 2, g = 0, 2:  G = 0 -> no move (0/0 is left alone); G = 4 -> w = -2/2 = -1
    steps = run(Adagrad(1.0, eps=0.0), [1.0, 0.0], [[3.0, 0.0], [4.0, 2.0]])
    assert np.array_equal(steps[0], [0.0, 0.0])
    assert np.array_equal(steps[1], [-4 / 5, -1.0])


def test_adagrad_by_hand_with_eps():
    # the same first step with eps = 1e-8: w = 1 - 3 / (3 + 1e-8) = 1e-8 / (3 + 1e-8);
    # component 2 has G = 0: w = 0 - 0 / (0 + eps) = 0.
    # 1 - 0.99999999667 cancels ~8 of the 16 digits, hence rel=1e-6.
    (w,) = run(Adagrad(1.0), [1.0, 0.0], [[3.0, 0.0]])
    assert w[0] == pytest.approx(1e-8 / (3 + 1e-8), rel=1e-6)
    assert w[1] == 0.0


def test_works_on_a_list_of_differently_shaped_arrays():
    W = np.array([[1.0, 2.0], [3.0, 4.0]])
    b = np.array([0.5])
    opt = SGD(0.5)
    opt.step([W, b], [np.ones((2, 2)), np.array([2.0])])
    assert np.array_equal(W, [[0.5, 1.5], [2.5, 3.5]])
    assert np.array_equal(b, [-0.5])


# ----------------------------------------------------------------------------- properties

@SETTINGS
@given(param_and_grads(steps=1), learning_rates)
def test_sgd_step_is_w_minus_lr_g(wg, lr):
    w0, (g,) = wg
    w = w0.copy()
    SGD(lr).step([w], [g])
    assert np.array_equal(w, w0 - lr * g)


def _within_one_rounding(w, numpy_way, g, lr):
    """True where w is NumPy's w0 - lr * g (numpy_way) to within one rounding of lr * g and
    of the result."""
    bound = np.spacing(np.abs(lr * g)) + np.spacing(np.abs(numpy_way))
    return np.all(np.abs(w - numpy_way) <= bound)


def _exactly(w, g, lr):
    """w - lr * g computed exactly, then rounded once to the nearest float64."""
    return float(Fraction(float(w)) - Fraction(lr) * Fraction(float(g)))


@pytest.mark.parametrize("lr", [0.1, 0.37, 1e-3])
def test_sgd_on_a_large_array_rounds_each_update_at_most_as_numpy_does(lr):
    # a layer of at least 32,768 weights is updated in one pass (BLAS axpy, in pieces):
    # every weight must get w - lr * g, rounded once (fused multiply-add) or as NumPy rounds
    # it; no piece may be skipped or updated twice, and the gradient stays as it was
    rng = np.random.default_rng(3)
    w0, g = rng.normal(size=(784, 256)), rng.normal(size=(784, 256))
    keep = g.copy()
    w = w0.copy()
    SGD(lr).step([w], [g])
    numpy_way = w0 - lr * g
    assert np.array_equal(g, keep)
    assert _within_one_rounding(w, numpy_way, g, lr)
    flat_w, flat_0, flat_g, flat_np = w.ravel(), w0.ravel(), g.ravel(), numpy_way.ravel()
    picks = np.concatenate([rng.choice(w.size, 1500, replace=False),
                            np.arange(9_990, 10_010), np.arange(w.size - 20, w.size)])
    for i in picks:
        exact = _exactly(flat_0[i], flat_g[i], lr)
        assert flat_w[i] in (exact, flat_np[i])
        assert abs(flat_w[i] - exact) <= abs(flat_np[i] - exact)


def test_sgd_on_large_arrays_in_other_layouts():
    # weights or a gradient that are not one C-ordered block (a transposed gradient among
    # them), or weights that are their own gradient, take NumPy's update bit for bit
    rng = np.random.default_rng(4)
    w0 = rng.normal(size=(400, 200))
    cases = {"Fortran-ordered weights": (np.asfortranarray(w0), rng.normal(size=(400, 200))),
             "a transposed gradient": (w0.copy(), rng.normal(size=(200, 400)).T),
             "the gradient is the weights": (w0.copy(), None)}
    for name, (w, g) in cases.items():
        g = w if g is None else g
        expected = w - 0.3 * g
        SGD(0.3).step([w], [g])
        assert np.array_equal(w, expected), name


def test_sgd_on_a_large_array_without_scipy_is_numpys_bit_for_bit(monkeypatch):
    monkeypatch.setattr(optimizers, "_axpy", lambda: None)
    rng = np.random.default_rng(5)
    w, opt = rng.normal(size=(300, 200)), SGD(0.3)
    for _ in range(2):     # the second step reuses the array lr * g went into
        g = rng.normal(size=(300, 200))
        expected = w - 0.3 * g
        opt.step([w], [g])
        assert np.array_equal(w, expected)


@SETTINGS
@given(param_and_grads(), learning_rates)
def test_momentum_zero_is_sgd(wg, lr):
    w0, gs = wg
    assert all(np.array_equal(a, b) for a, b in
               zip(run(Momentum(lr, momentum=0.0), w0, gs), run(SGD(lr), w0, gs)))


@SETTINGS
@given(param_and_grads(), learning_rates)
def test_nesterov_zero_is_sgd(wg, lr):
    w0, gs = wg
    assert all(np.array_equal(a, b) for a, b in
               zip(run(Nesterov(lr, momentum=0.0), w0, gs), run(SGD(lr), w0, gs)))


@SETTINGS
@given(param_and_grads(steps=1), learning_rates, momenta)
def test_first_steps(wg, lr, alpha):
    # n_0 = 0 and Delta w_0 = 0: Momentum's first step is plain SGD,
    # Nesterov's is -(1 + alpha) gamma g.
    w0, gs = wg
    (m,) = run(Momentum(lr, alpha), w0, gs)
    (n,) = run(Nesterov(lr, alpha), w0, gs)
    assert np.array_equal(m, run(SGD(lr), w0, gs)[0])
    np.testing.assert_allclose(n - w0, -(1 + alpha) * lr * gs[0], rtol=1e-12, atol=1e-9)


@SETTINGS
@given(param_and_grads(steps=4), learning_rates, momenta)
def test_nesterov_matches_its_rewritten_form(wg, lr, alpha):
    # Substituting n_t: Delta w_t = -alpha^2 n_{t-1} - (1 + alpha) gamma g_t.
    w0, gs = wg
    got = run(Nesterov(lr, alpha), w0, gs)
    w, n = w0.copy(), np.zeros_like(w0)
    for g, w_opt in zip(gs, got):
        w = w - alpha ** 2 * n - (1 + alpha) * lr * g
        n = alpha * n + lr * g
        np.testing.assert_allclose(w_opt, w, rtol=1e-9, atol=1e-6)


@SETTINGS
@given(st.floats(-10, 10).filter(lambda x: abs(x) > 1e-3), learning_rates, momenta,
       st.integers(1, 20))
def test_momentum_under_a_constant_gradient_is_a_geometric_series(g, lr, alpha, t):
    # Delta w_t = -gamma g (1 + alpha + ... + alpha^{t-1}) = -gamma g (1 - alpha^t) / (1 - alpha)
    w = run(Momentum(lr, alpha), [0.0], [[g]] * (t + 1))
    dw_last = w[-1] - w[-2]
    expected = -lr * g * (1 - alpha ** (t + 1)) / (1 - alpha)
    assert dw_last[0] == pytest.approx(expected, rel=1e-9)


@SETTINGS
@given(param_and_grads(steps=1), learning_rates)
def test_adagrad_first_step_is_about_lr_sign_g(wg, lr):
    # G_1 = g^2, so the step is gamma g / (|g| + eps): within gamma eps / |g| of gamma sign(g)
    w0, (g,) = wg
    (w,) = run(Adagrad(lr), w0, [g])
    step = w0 - w
    big = np.abs(g) > 1e-3
    np.testing.assert_allclose(step[big], lr * np.sign(g[big]), rtol=1e-4)
    assert np.all(np.abs(step[~big]) <= lr)


@SETTINGS
@given(st.floats(-10, 10).filter(lambda x: abs(x) > 1e-3), learning_rates, st.integers(1, 20))
def test_adagrad_constant_gradient_steps_shrink_like_one_over_sqrt_t(g, lr, t):
    # G_t = t g^2, step t = gamma g / (sqrt(t) |g| + eps) ~ gamma sign(g) / sqrt(t)
    w = run(Adagrad(lr, eps=0.0), [0.0], [[g]] * t)
    last = w[-1] - (w[-2] if t > 1 else 0.0)
    assert last[0] == pytest.approx(-lr * np.sign(g) / np.sqrt(t), rel=1e-9)


# ----------------------------------------------------------------------------- in place, state

@pytest.mark.parametrize("make", [lambda: SGD(0.1), lambda: Momentum(0.1), lambda: Nesterov(0.1),
                                  lambda: Adagrad(0.1)])
def test_updates_the_same_array_objects_and_leaves_grads_alone(make):
    W, b = np.ones((2, 3)), np.zeros(3)
    params = [W, b]
    gW, gb = np.full((2, 3), 0.5), np.array([1.0, -1.0, 2.0])
    grads = [gW, gb]
    keep = [gW.copy(), gb.copy()]
    opt = make()
    opt.step(params, grads)
    assert params[0] is W and params[1] is b
    assert not np.array_equal(W, np.ones((2, 3)))        # something happened, in W itself
    assert np.all(b != 0.0)
    assert np.array_equal(gW, keep[0]) and np.array_equal(gb, keep[1])


@pytest.mark.parametrize("cls", [Momentum, Nesterov, Adagrad])
def test_reset_clears_state(cls):
    gs = [[1.0, -2.0], [0.5, 0.25], [-1.0, 4.0]]
    opt = cls(0.25)
    run(opt, [0.0, 0.0], gs)
    opt.reset()
    assert opt.t == 0
    after_reset = run(opt, [0.0, 0.0], gs[:1])[0]
    fresh = run(cls(0.25), [0.0, 0.0], gs[:1])[0]
    stale = run(cls(0.25), [0.0, 0.0], gs + gs[:1])  # what no reset would do
    assert np.array_equal(after_reset, fresh)
    assert not np.array_equal(stale[-1] - stale[-2], fresh)


@pytest.mark.parametrize("cls", [Momentum, Nesterov, Adagrad])
def test_changing_params_between_steps_is_refused(cls):
    opt = cls(0.1)
    opt.step([np.zeros((2, 3)), np.zeros(3)], [np.ones((2, 3)), np.ones(3)])
    with pytest.raises(ValueError, match=r"params changed.*\[\(2, 3\), \(3,\)\].*\[\(3, 2\), \(2,\)\].*reset\(\)"):
        opt.step([np.zeros((3, 2)), np.zeros(2)], [np.ones((3, 2)), np.ones(2)])
    with pytest.raises(ValueError, match=r"2 arrays.*now got 1 arrays"):
        opt.step([np.zeros((2, 3))], [np.ones((2, 3))])
    opt.reset()
    opt.step([np.zeros((3, 2)), np.zeros(2)], [np.ones((3, 2)), np.ones(2)])  # fine after reset


def test_sgd_is_stateless_so_any_shapes_are_fine():
    opt = SGD(0.5)
    opt.step([np.zeros(2)], [np.ones(2)])
    w = np.zeros((3, 3))
    opt.step([w], [np.ones((3, 3))])
    assert np.array_equal(w, np.full((3, 3), -0.5))


def test_lr_is_settable_and_used():
    opt = SGD(1.0)
    opt.lr = 0.25
    w = np.array([1.0])
    opt.step([w], [np.array([2.0])])
    assert w[0] == 0.5
    assert opt.lr == 0.25


# ----------------------------------------------------------------------------- bad input

@pytest.mark.parametrize("cls", [SGD, Momentum, Nesterov, Adagrad])
@pytest.mark.parametrize("lr", [0.0, -0.1, float("nan"), float("inf")])
def test_bad_learning_rate(cls, lr):
    with pytest.raises(ValueError, match=rf"{cls.__name__}: lr \(the learning rate gamma\) must be"):
        cls(lr)
    opt = cls(0.1)
    with pytest.raises(ValueError, match=rf"{cls.__name__}\.lr.*must be"):
        opt.lr = lr
    assert opt.lr == 0.1


def test_lr_of_wrong_type():
    with pytest.raises(TypeError, match="SGD: lr.*must be a real number, got str"):
        SGD("0.1")


@pytest.mark.parametrize("cls", [Momentum, Nesterov])
def test_bad_momentum(cls):
    with pytest.raises(ValueError, match=rf"{cls.__name__}: momentum \(alpha\) must be < 1, got 1.0"):
        cls(0.1, momentum=1.0)
    with pytest.raises(ValueError, match=rf"{cls.__name__}: momentum \(alpha\) must be >= 0"):
        cls(0.1, momentum=-0.5)


def test_bad_eps():
    with pytest.raises(ValueError, match="Adagrad: eps must be >= 0"):
        Adagrad(0.1, eps=-1e-8)


def test_params_and_grads_must_match():
    opt = Momentum(0.1)
    with pytest.raises(ValueError, match=r"Momentum.step: got 2 params but 1 grads"):
        opt.step([np.zeros(2), np.zeros(3)], [np.zeros(2)])
    with pytest.raises(ValueError, match=r"Momentum.step: grads\[1\] has shape \(2,\) but params\[1\] has shape \(3,\)"):
        opt.step([np.zeros(2), np.zeros(3)], [np.zeros(2), np.zeros(2)])
    with pytest.raises(TypeError, match=r"SGD.step: params must be a list of arrays, got ndarray"):
        SGD(0.1).step(np.zeros(2), [np.zeros(2)])


def test_params_must_be_updatable_float_arrays():
    with pytest.raises(TypeError, match=r"SGD.step: params\[0\] has dtype int64; an integer array cannot"):
        SGD(0.1).step([np.array([1, 2], dtype=np.int64)], [np.ones(2)])
    with pytest.raises(TypeError, match=r"Adagrad.step: params\[0\] must be a NumPy array to be updated in place, got list"):
        Adagrad(0.1).step([[1.0, 2.0]], [np.ones(2)])
    w = np.zeros(2)
    w.flags.writeable = False
    with pytest.raises(ValueError, match=r"Nesterov.step: params\[0\] is read-only"):
        Nesterov(0.1).step([w], [np.ones(2)])
    with pytest.raises(TypeError, match=r"SGD.step: grads\[0\] must be an array of numbers, got str"):
        SGD(0.1).step([np.zeros(2)], ["ab"])


def test_a_refused_step_changes_nothing():
    # the shape check of the second pair must come before the first pair is updated
    w1, w2 = np.zeros(2), np.zeros(3)
    with pytest.raises(ValueError):
        SGD(0.1).step([w1, w2], [np.ones(2), np.ones(2)])
    assert np.array_equal(w1, np.zeros(2))


# ----------------------------------------------------------------------------- schedules

def test_constant_schedule():
    s = constant(0.1)
    assert [s(e) for e in (0, 1, 50)] == [0.1, 0.1, 0.1]


def test_step_decay_values():
    # lr0 * drop ** (epoch // every): 0..2 -> 1, 3..5 -> 1/2, 6..8 -> 1/4, 9 -> 1/8
    s = step_decay(1.0, drop=0.5, every=3)
    assert [s(e) for e in range(10)] == [1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.125]


def test_fixed_then_decay_values():
    # lr0 for epochs 0..hold-1, then lr0 / (1 + rate (epoch - hold + 1)); lr0 = 1, hold = 2, rate = 1/2
    # epoch 0, 1: 1;  epoch 2: 1/(1 + 1/2) = 2/3;  epoch 3: 1/2;  epoch 4: 1/(1 + 3/2) = 2/5
    s = fixed_then_decay(1.0, hold=2, rate=0.5)
    assert [s(e) for e in range(5)] == pytest.approx([1, 1, 2 / 3, 1 / 2, 2 / 5], rel=1e-15)
    s0 = fixed_then_decay(1.0, hold=0, rate=1.0)
    assert s0(0) == 0.5          # hold = 0 decays from the first epoch


@SETTINGS
@given(st.floats(1e-4, 10), st.integers(0, 20), st.floats(1e-3, 10), st.integers(0, 200))
def test_fixed_then_decay_never_increases(lr0, hold, rate, epoch):
    s = fixed_then_decay(lr0, hold, rate)
    assert 0 < s(epoch + 1) <= s(epoch) <= lr0


def test_schedules_accept_numpy_integers_and_drive_an_optimizer():
    opt = SGD(1.0)
    s = step_decay(0.5, 0.5, 1)
    opt.lr = s(np.int64(2))
    assert opt.lr == 0.125


def test_schedule_bad_input():
    with pytest.raises(ValueError, match="step_decay: drop must be <= 1.0, got 2.0"):
        step_decay(0.1, drop=2.0, every=1)
    with pytest.raises(ValueError, match="step_decay: every must be >= 1, got 0"):
        step_decay(0.1, drop=0.5, every=0)
    with pytest.raises(ValueError, match="fixed_then_decay: hold must be >= 0, got -1"):
        fixed_then_decay(0.1, hold=-1, rate=0.1)
    with pytest.raises(ValueError, match="fixed_then_decay: rate must be > 0.0"):
        fixed_then_decay(0.1, hold=1, rate=0.0)
    with pytest.raises(ValueError, match=r"constant: lr \(the learning rate gamma\) must be > 0.0"):
        constant(0.0)
    with pytest.raises(ValueError, match="step_decay: epoch must be >= 0, got -1"):
        step_decay(0.1)(-1)
    with pytest.raises(TypeError, match=r"constant: epoch must be an integer \(epochs are counted from 0\)"):
        constant(0.1)(1.5)


# ----------------------------------------------------------------------------- one step as a function
# momentum_step, nesterov_step, adagrad_step: the classes' arithmetic for one array, the state
# passed in and returned (lesson 08's exercises are graded against them).

from backproplab.optimizers import adagrad_step, momentum_step, nesterov_step  # noqa: E402

STEP_FUNCTIONS = {
    "Momentum": (lambda lr, p: Momentum(lr, momentum=p), momentum_step),
    "Nesterov": (lambda lr, p: Nesterov(lr, momentum=p), nesterov_step),
    "Adagrad": (lambda lr, p: Adagrad(lr, eps=p), adagrad_step),
}


def thread(step, w0, grads, lr, param):
    """The weights after every step of `step`, the state carried from call to call."""
    w, state, out = np.array(w0, dtype=np.float64), np.zeros(np.shape(w0)), []
    for g in grads:
        w, state = step(w, np.asarray(g, dtype=np.float64), state, lr, param)
        out.append(w)
    return out


@SETTINGS
@given(param_and_grads(steps=4), learning_rates, momenta, st.sampled_from(sorted(STEP_FUNCTIONS)))
def test_the_step_functions_are_the_classes_bit_for_bit(wg, lr, param, name):
    make, step = STEP_FUNCTIONS[name]
    param = param * 1e-6 if name == "Adagrad" else param      # eps for Adagrad
    w0, gs = wg
    ours, theirs = thread(step, w0, gs, lr, param), run(make(lr, param), w0, gs)
    assert all(np.array_equal(a, b, equal_nan=True) for a, b in zip(ours, theirs))


def test_momentum_step_by_hand_samatovas_half():
    # Samatova: "gamma = 0.5 will decrease every gradient by 50%": the first step (dw_0 = 0)
    # is -0.5 g; the second adds alpha * the first
    w, g = np.array([1.0, -2.0]), np.array([4.0, 2.0])
    w1, dw1 = momentum_step(w, g, np.zeros(2), 0.5, 0.9)
    assert np.array_equal(dw1, [-2.0, -1.0]) and np.array_equal(w1, [-1.0, -3.0])
    w2, dw2 = momentum_step(w1, g, dw1, 0.5, 0.5)
    assert np.array_equal(dw2, [-3.0, -1.5]) and np.array_equal(w2, [-4.0, -4.5])


def test_nesterov_step_first_step_is_one_plus_alpha_times_gradient_descent():
    w1, n1 = nesterov_step(np.array([1.0]), np.array([2.0]), np.zeros(1), 0.25, 0.5)
    assert np.array_equal(n1, [0.5]) and np.array_equal(w1, [1.0 - 1.5 * 0.5])


def test_adagrad_step_by_hand():
    # G = 0 + 3^2 = 9: w = 1 - 1 * 3 / (3 + eps); the weight with g = 0 stays (0 / (0 + eps))
    w1, G = adagrad_step(np.array([1.0, 5.0]), np.array([3.0, 0.0]), np.zeros(2), 1.0, eps=0.0)
    assert np.array_equal(G, [9.0, 0.0]) and np.array_equal(w1, [0.0, 5.0])


@SETTINGS
@given(st.floats(0.01, 0.49), st.floats(0.0, 0.95))
def test_samatovas_nesterov_is_the_look_ahead_method(lr, alpha):
    # Sutskever et al.'s form: v_t = alpha v_{t-1} - gamma grad(theta_{t-1} + alpha v_{t-1}),
    # theta_t = theta_{t-1} + v_t. Samatova's weights are its look-ahead points:
    # w_t = theta_t + alpha v_t, and n_t = -v_t (the lesson proves it by induction).
    H = np.array([[1.0, 0.3], [0.3, 2.0]])
    grad = lambda w: H @ w                                  # noqa: E731
    theta, v = np.array([2.0, -1.0]), np.zeros(2)
    w, n = theta.copy(), np.zeros(2)
    for _ in range(40):
        v = alpha * v - lr * grad(theta + alpha * v)
        theta = theta + v
        w, n = nesterov_step(w, grad(w), n, lr, alpha)
        np.testing.assert_allclose(w, theta + alpha * v, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(n, -v, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("step", [momentum_step, nesterov_step, adagrad_step])
def test_the_step_functions_leave_their_arguments_alone(step):
    args = [np.array([[1.0, -2.0]]), np.array([[0.5, 3.0]]), np.array([[0.25, 1.0]])]
    before = [a.copy() for a in args]
    w_new, state = step(*args, 0.1, 0.5)
    assert all(np.array_equal(a, b) for a, b in zip(args, before))
    assert w_new.dtype == np.float64 and state.dtype == np.float64
    assert not any(np.shares_memory(r, a) for r in (w_new, state) for a in args)


@pytest.mark.parametrize("call, match", [
    (lambda: momentum_step(np.zeros(2), np.zeros(3), np.zeros(2), 0.1),
     r"momentum_step: grad has shape \(3,\) but w has shape \(2,\)"),
    (lambda: nesterov_step(np.zeros((2, 2)), np.zeros((2, 2)), np.zeros(2), 0.1),
     r"nesterov_step: n_prev has shape \(2,\) but w has shape \(2, 2\)"),
    (lambda: momentum_step(np.zeros(2), np.zeros(2), np.zeros(2), 0.1, momentum=1.0),
     r"momentum_step: momentum \(alpha\) must be < 1, got 1.0"),
    (lambda: nesterov_step(np.zeros(2), np.zeros(2), np.zeros(2), 0.0),
     r"nesterov_step: lr \(the learning rate gamma\) must be > 0.0, got 0.0"),
    (lambda: adagrad_step(np.zeros(2), np.zeros(2), -np.ones(2), 0.1),
     r"adagrad_step: G_prev holds negative values; it is a sum of squared gradients"),
    (lambda: adagrad_step(np.zeros(2), np.zeros(2), np.zeros(2), 0.1, eps=-1.0),
     r"adagrad_step: eps must be >= 0.0, got -1.0"),
])
def test_the_step_functions_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()
