"""backproplab.gradcheck: central differences, the relative error, and check_gradients."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

from backproplab.activations import softmax_prime
from backproplab.deltas import hidden_delta, weight_gradients
from backproplab.gradcheck import check_gradients, gradient_errors, numerical_gradient, relative_error
from backproplab.network import MLP

SETTINGS = settings(max_examples=40, deadline=None, derandomize=True)
finite = st.floats(-3.0, 3.0, allow_nan=False, allow_infinity=False)


# ------------------------------------------------------------------ numerical_gradient

@SETTINGS
@given(arrays(np.float64, array_shapes(min_dims=1, max_dims=3, max_side=4), elements=finite))
def test_numerical_gradient_of_cubic(x):
    # f = sum x^3, f' = 3 x^2; central differences err by h^2 f''' / 6 = h^2 = 1e-10 (f''' = 6),
    # plus rounding ~ eps |f| / h <= 1e-9 here
    x0 = x.copy()
    g = numerical_gradient(lambda v: np.sum(v ** 3), x)
    assert g.shape == x.shape
    np.testing.assert_allclose(g, 3 * x0 ** 2, rtol=0, atol=1e-8)
    np.testing.assert_array_equal(x, x0)      # restored exactly


@SETTINGS
@given(arrays(np.float64, (3,), elements=finite), arrays(np.float64, (3, 3), elements=finite))
def test_numerical_gradient_of_quadratic_form_is_exact_up_to_rounding(x, M):
    # for a quadratic f the central difference has no truncation error: grad = (M + M^T) x
    g = numerical_gradient(lambda v: v @ M @ v, x)
    np.testing.assert_allclose(g, (M + M.T) @ x, rtol=0, atol=1e-8)


def test_numerical_gradient_central_not_one_sided():
    # f = x^2 at x = 1: central gives 2 (exact for a quadratic); forward differences would give
    # 2 + h, wrong by 1e-5 -- far outside the tolerance
    g = numerical_gradient(lambda v: float(v[0] ** 2), np.array([1.0]))
    assert abs(g[0] - 2.0) < 1e-9


def test_numerical_gradient_step_size_is_used():
    # f = x^3 at x = 1: central difference = 3 + h^2 exactly, so h is visible
    for h in (1e-2, 1e-3):
        g = numerical_gradient(lambda v: float(v[0] ** 3), np.array([1.0]), h=h)
        assert abs(g[0] - (3.0 + h * h)) < 1e-9


def test_numerical_gradient_perturbs_x_in_place():
    # f sees the perturbation through the array itself (as a network sees its weights)
    x = np.array([0.5, -1.0])
    seen = []
    held = x

    def f(v):
        assert v is held
        seen.append(held.copy())
        return float(np.sum(held))

    numerical_gradient(f, x, h=0.25)
    assert [s.tolist() for s in seen] == [[0.75, -1.0], [0.25, -1.0], [0.5, -0.75], [0.5, -1.25]]
    assert x.tolist() == [0.5, -1.0]


def test_numerical_gradient_restores_x_when_f_raises():
    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    calls = []

    def f(v):
        calls.append(1)
        if len(calls) == 4:          # while element (0, 1) is perturbed
            raise RuntimeError("boom")
        return float(np.sum(v))

    with pytest.raises(RuntimeError, match="boom"):
        numerical_gradient(f, x)
    np.testing.assert_array_equal(x, [[1.0, 2.0], [3.0, 4.0]])


def test_numerical_gradient_bad_arguments():
    x = np.zeros(3)
    with pytest.raises(TypeError, match=r"numerical_gradient: f must be a function of x returning "
                                        r"a number, got int"):
        numerical_gradient(3, x)
    with pytest.raises(TypeError, match=r"numerical_gradient: x must be a float64 NumPy array "
                                        r"\(it is perturbed in place, element by element\), got list"):
        numerical_gradient(np.sum, [1.0, 2.0])
    with pytest.raises(TypeError, match=r"numerical_gradient: x must be a float64 NumPy array .* "
                                        r"got ndarray of dtype int64"):
        numerical_gradient(np.sum, np.arange(3))
    with pytest.raises(ValueError, match=r"numerical_gradient: h must be > 0.0, got 0.0"):
        numerical_gradient(np.sum, x, h=0.0)
    with pytest.raises(ValueError, match=r"numerical_gradient: h must be > 0.0, got -1.0"):
        numerical_gradient(np.sum, x, h=-1.0)
    with pytest.raises(TypeError, match=r"numerical_gradient: f must return a single number, got "
                                        r"ndarray \(3,\) at element \(0,\)"):
        numerical_gradient(lambda v: v * 2, x)
    ro = np.zeros(2)
    ro.flags.writeable = False
    with pytest.raises(ValueError, match=r"numerical_gradient: x of shape \(2,\) is read-only"):
        numerical_gradient(np.sum, ro)


# ------------------------------------------------------------------ relative_error

def test_relative_error_is_elementwise_then_max():
    # The contract's max |a-b| / max(1e-8, |a|+|b|), read element by element (CS231n):
    # the pair (1e-3, 2e-3) is off by a third of its size, and that is what is reported,
    # although the largest absolute difference is tiny next to the largest entry.
    assert relative_error([1.0, 1e-3], [1.0, 2e-3]) == pytest.approx(1.0 / 3.0, rel=1e-12)
    assert relative_error([2.0, 1.0], [1.0, 1.0]) == pytest.approx(1.0 / 3.0, rel=1e-12)


def test_relative_error_floor_for_zeros():
    assert relative_error(0.0, 0.0) == 0.0
    # both tiny: the 1e-8 floor makes it an absolute difference times 1e8
    assert relative_error(1e-10, 0.0) == pytest.approx(1e-2, rel=1e-12)
    assert relative_error(np.zeros(0), np.zeros(0)) == 0.0


@SETTINGS
@given(arrays(np.float64, (4,), elements=finite), arrays(np.float64, (4,), elements=finite))
def test_relative_error_properties(a, b):
    r = relative_error(a, b)
    assert isinstance(r, float)
    assert 0.0 <= r <= 1.0                      # |a-b| <= |a|+|b|
    assert r == relative_error(b, a)            # symmetric
    assert relative_error(a, a) == 0.0


def test_relative_error_shape_mismatch():
    with pytest.raises(ValueError, match=r"relative_error: a has shape \(2,\) but b has shape \(3,\)"):
        relative_error(np.zeros(2), np.zeros(3))


# ------------------------------------------------------------------ check_gradients

def _net_and_data(seed=0, output="sigmoid"):
    rng = np.random.default_rng(seed)
    net = MLP([3, 4, 2], ["tanh", output], seed=seed)
    for b in net.biases:
        b[:] = rng.normal(size=b.shape)
    X = rng.normal(size=(5, 3))
    y = np.eye(2)[rng.integers(0, 2, 5)]
    return net, X, y


@pytest.mark.parametrize("loss,l2", [("quadratic", 0.0), ("binary_cross_entropy", 0.05)])
def test_check_gradients_accepts_a_correct_network_and_keeps_its_parameters(loss, l2):
    net, X, y = _net_and_data()
    before = [p.copy() for p in net.params]
    ids = [id(p) for p in net.params]
    err = check_gradients(net, X, y, loss=loss, l2=l2)
    assert isinstance(err, float) and 0.0 <= err < 1e-7
    for p, p0 in zip(net.params, before):
        np.testing.assert_array_equal(p, p0)
    assert [id(p) for p in net.params] == ids


class _ScaledBackward(MLP):
    """A network whose gradients are 0.1 % too large: check_gradients must notice."""

    def backward(self, y, loss="quadratic", l2=0.0):
        gW, gb = super().backward(y, loss, l2)
        for g in gW + gb:
            g *= 1.001
        return gW, gb


class _SoftmaxShortcut(MLP):
    """Quadratic loss on a softmax output with the diagonal-only derivative s (1 - s)."""

    def backward(self, y, loss="quadratic", l2=0.0):
        z, a = self.z, self.a
        delta = (a[-1] - y) * softmax_prime(z[-1])
        gW, gb = [None, None], [None, None]
        gW[1], gb[1] = weight_gradients(a[1], delta)
        delta = hidden_delta(delta, self.weights[1], z[0], self.activations[0])
        gW[0], gb[0] = weight_gradients(a[0], delta)
        self._grads = (gW, gb)
        return gW, gb


def test_check_gradients_detects_wrong_gradients():
    net, X, y = _net_and_data()
    bad = _ScaledBackward([3, 4, 2], ["tanh", "sigmoid"], seed=0)
    bad.weights, bad.biases = net.weights, net.biases
    assert check_gradients(bad, X, y) > 1e-4
    assert check_gradients(net, X, y) < 1e-7


def test_check_gradients_detects_the_softmax_shortcut():
    net, X, y = _net_and_data(output="softmax")
    bad = _SoftmaxShortcut([3, 4, 2], ["tanh", "softmax"], seed=0)
    bad.weights, bad.biases = net.weights, net.biases
    assert check_gradients(net, X, y, "quadratic") < 1e-7
    assert check_gradients(bad, X, y, "quadratic") > 1e-2


def test_check_gradients_refuses_non_networks():
    with pytest.raises(TypeError, match=r"check_gradients: net must be an MLP .* got list"):
        check_gradients([1, 2], np.zeros((1, 1)), np.zeros((1, 1)))


# ------------------------------------------------------------------ gradient_errors (lesson 06)

def test_gradient_errors_gives_one_error_per_array_in_params_order():
    net, X, y = _net_and_data()
    errors = gradient_errors(net, X, y, l2=0.02)
    assert len(errors) == len(net.params) == 4
    assert all(isinstance(e, float) and 0.0 <= e < 1e-7 for e in errors)
    assert check_gradients(net, X, y, l2=0.02) == max(errors)


class _SummedBiases(MLP):
    """The bias gradients summed over the batch: only b1, b2 may be flagged."""

    def backward(self, y, loss="quadratic", l2=0.0):
        gW, gb = super().backward(y, loss, l2)
        for g in gb:
            g *= len(y)
        return gW, gb


def test_gradient_errors_says_which_arrays_are_wrong():
    net, X, y = _net_and_data()
    bad = _SummedBiases([3, 4, 2], ["tanh", "sigmoid"], seed=0)
    bad.weights, bad.biases = net.weights, net.biases
    W1, b1, W2, b2 = gradient_errors(bad, X, y)
    assert W1 < 1e-7 and W2 < 1e-7
    # |n g - g| / (n |g| + |g|) = (n - 1) / (n + 1) for n = 5 samples
    assert b1 == pytest.approx(4 / 6, rel=1e-6) and b2 == pytest.approx(4 / 6, rel=1e-6)
    before = [p.copy() for p in bad.params]
    gradient_errors(bad, X, y)
    assert all(np.array_equal(p, q) for p, q in zip(bad.params, before))


def test_gradient_errors_refuses_non_networks():
    with pytest.raises(TypeError, match=r"gradient_errors: net must be an MLP .* got dict"):
        gradient_errors({}, np.zeros((1, 1)), np.zeros((1, 1)))
