"""backproplab.deltas: node deltas (Samatova steps 2-3, CENG 506) against numerical derivatives."""
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from backproplab import activations as A
from backproplab import losses as L
from backproplab.deltas import hidden_delta, output_delta, weight_gradients
from backproplab.gradcheck import numerical_gradient
from backproplab.network import MLP

SETTINGS = settings(max_examples=30, deadline=None, derandomize=True)

# Central differences with h = 1e-5 on float64 carry a rounding error of about
# eps * |f| / h ~ 2e-11 |f| and a truncation error h^2 |f'''| / 6 ~ 2e-11 |f'''|. With the
# inputs drawn below (|z| <= 4, moderate targets) |f| and |f'''| stay below ~50, so an
# absolute 1e-8 plus a relative 1e-6 is a bound the exact derivative meets, while any
# error in a formula (a missing factor, a wrong sign, the diagonal-only softmax) is
# orders of magnitude larger.
RTOL, ATOL = 1e-6, 1e-8

ELEMENTWISE = ["sigmoid", "tanh", "relu", "leaky_relu", "linear"]
SMOOTH_PAIRS = [(loss, act) for loss in ("quadratic", "mse") for act in ELEMENTWISE + ["softmax"]]
CE_PAIRS = [(loss, act) for loss in ("binary_cross_entropy", "cross_entropy")
            for act in ("sigmoid", "softmax")]


def _floats(lo, hi):
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


# relu and leaky_relu have a kink at 0: numerical derivatives there mean nothing, so their
# inputs stay at least 1e-2 away from it (h = 1e-5 never crosses it).
def _z_elements(activation):
    if activation in ("relu", "leaky_relu"):
        return _floats(1e-2, 4.0) | _floats(-4.0, -1e-2)
    return _floats(-4.0, 4.0)


@st.composite
def _shape(draw):
    return draw(st.integers(1, 4)), draw(st.integers(1, 4))


@st.composite
def _output_case(draw, loss, activation):
    n, k = draw(_shape())
    if activation == "softmax":
        k = max(k, 2)
    z = draw(arrays(np.float64, (n, k), elements=_z_elements(activation)))
    lo, hi = (0.0, 1.0) if loss in ("binary_cross_entropy", "cross_entropy") else (-2.0, 2.0)
    y = draw(arrays(np.float64, (n, k), elements=_floats(lo, hi)))
    if loss == "cross_entropy" and activation == "softmax":
        # categorical targets are distributions over the k classes (one-hot, or soft labels):
        # that is what makes the contract's y_hat - y the exact derivative
        y = np.eye(k)[np.argmax(y, axis=1)] if draw(st.booleans()) else (y + 1e-3) / np.sum(y + 1e-3, axis=1, keepdims=True)
    return z, y


def _per_sample_numeric(z, y, loss, activation):
    """d E_i / d z_i for each row i, E_i the loss of that sample alone (the mean over n = 1)."""
    phi = A.get_activation(activation).f
    loss_fn = L.get_loss(loss)[0]
    out = np.empty_like(z)
    for i in range(z.shape[0]):
        zi = z[i:i + 1].copy()
        out[i] = numerical_gradient(lambda v: loss_fn(phi(v), y[i:i + 1]), zi)[0]
    return out


# the pairings where the contract's cross-entropy delta y_hat - y is the true derivative
EXACT_CE_PAIRS = [("binary_cross_entropy", "sigmoid"), ("cross_entropy", "softmax")]
CROSSED_CE_PAIRS = [("cross_entropy", "sigmoid"), ("binary_cross_entropy", "softmax")]


@pytest.mark.parametrize("loss,activation", SMOOTH_PAIRS + EXACT_CE_PAIRS)
def test_output_delta_matches_numerical_derivative_of_each_samples_loss(loss, activation):
    @SETTINGS
    @given(_output_case(loss, activation))
    def check(case):
        z, y = case
        y_hat = A.get_activation(activation).f(z)
        delta = output_delta(y_hat, y, z, loss=loss, activation=activation)
        assert delta.shape == z.shape
        np.testing.assert_allclose(delta, _per_sample_numeric(z, y, loss, activation),
                                   rtol=RTOL, atol=ATOL)
    check()


@pytest.mark.parametrize("activation", ELEMENTWISE)
def test_quadratic_output_delta_is_seed_000_formula(activation):
    # delta_i = (y_hat_i - y_i) * phi'_i, with phi' from the activations module
    rng = np.random.default_rng(1)
    z = rng.uniform(-3, 3, size=(5, 3))
    y = rng.uniform(-1, 1, size=(5, 3))
    act = A.get_activation(activation)
    y_hat = act.f(z)
    np.testing.assert_allclose(output_delta(y_hat, y, z, "quadratic", activation),
                               (y_hat - y) * act.df(z), rtol=1e-14, atol=1e-15)
    # mse averages over the k outputs and has no 1/2: 2/k times the quadratic's delta
    np.testing.assert_allclose(output_delta(y_hat, y, z, "mse", activation),
                               (2.0 / 3.0) * (y_hat - y) * act.df(z), rtol=1e-14, atol=1e-15)


@pytest.mark.parametrize("loss,activation", [("binary_cross_entropy", "sigmoid"),
                                             ("cross_entropy", "softmax")])
def test_cross_entropy_shortcut_is_y_hat_minus_y(loss, activation):
    # Samatova: "the output node delta for the cross entropy error function: y_hat - y"
    rng = np.random.default_rng(2)
    z = rng.normal(size=(6, 4))
    y = np.eye(4)[rng.integers(0, 4, 6)]
    y_hat = A.get_activation(activation).f(z)
    np.testing.assert_allclose(output_delta(y_hat, y, z, loss, activation), y_hat - y,
                               rtol=1e-15, atol=1e-16)


def test_cross_entropy_with_integer_labels_equals_one_hot():
    rng = np.random.default_rng(3)
    z = rng.normal(size=(5, 3))
    labels = np.array([0, 2, 1, 2, 0])
    y_hat = A.softmax(z)
    by_labels = output_delta(y_hat, labels, z, "cross_entropy", "softmax")
    np.testing.assert_array_equal(by_labels, output_delta(y_hat, np.eye(3)[labels], z,
                                                          "cross_entropy", "softmax"))


@pytest.mark.parametrize("loss,activation", CROSSED_CE_PAIRS)
def test_crossed_cross_entropy_pairs_keep_the_contracts_delta_but_the_mlp_is_exact(loss, activation):
    # api.md: output_delta is y_hat - y for cross_entropy / binary_cross_entropy "with sigmoid
    # or softmax output", and the issue says to follow the contract where it is wrong. For
    # these two crossed pairings y_hat - y is NOT dE/dz: the public function keeps the
    # contract's formula, and MLP.backward (contract: the exact gradient of the loss) goes
    # through the chain rule, which matches the numerical derivative.
    z = np.array([[1.0, -0.5, 0.3]])
    y = np.array([[0.0, 1.0, 0.0]])
    y_hat = A.get_activation(activation).f(z)
    numeric = _per_sample_numeric(z, y, loss, activation)
    np.testing.assert_array_equal(output_delta(y_hat, y, z, loss, activation), y_hat - y)
    assert np.max(np.abs((y_hat - y) - numeric)) > 0.1   # the contract's erratum is material
    net = MLP([3, 3], activations=[activation])
    net.weights[0] = np.eye(3)
    net.biases[0] = np.zeros(3)
    net.forward(z)   # with W = I and b = 0 the output layer's z is the input itself
    grads_W, grads_b = net.backward(y, loss=loss)
    np.testing.assert_allclose(grads_b[0], numeric[0], rtol=RTOL, atol=ATOL)


def test_step_output_has_zero_deltas():
    # the hard threshold of Kauchak has derivative 0 wherever it exists: nothing to learn from
    z = np.array([[0.5, -0.5], [2.0, -3.0]])
    y = np.array([[0.0, 1.0], [1.0, 1.0]])
    assert not np.any(output_delta(A.step(z), y, z, "quadratic", "step"))


# ------------------------------------------------------------------ softmax + quadratic

def test_softmax_quadratic_uses_the_full_jacobian():
    rng = np.random.default_rng(4)
    z = rng.normal(scale=2.0, size=(7, 4))
    y = np.eye(4)[rng.integers(0, 4, 7)]
    s = A.softmax(z)
    delta = output_delta(s, y, z, "quadratic", "softmax")
    # delta_row = J(z_row)^T (y_hat - y)_row with J[i, j] = d s_i / d z_j
    J = A.softmax_jacobian(z)
    np.testing.assert_allclose(delta, np.einsum("nji,nj->ni", J, s - y), rtol=1e-12, atol=1e-15)
    numeric = _per_sample_numeric(z, y, "quadratic", "softmax")
    np.testing.assert_allclose(delta, numeric, rtol=RTOL, atol=ATOL)
    # the element-wise shortcut with Samatova's s (1 - s) misses the off-diagonal terms:
    # its error is a sizeable fraction of the deltas themselves
    shortcut = (s - y) * A.softmax_prime(z)
    assert np.max(np.abs(shortcut - numeric)) > 0.1 * np.max(np.abs(numeric))


# ------------------------------------------------------------------ hidden deltas

@st.composite
def _hidden_case(draw, activation):
    n, k = draw(_shape())
    m = draw(st.integers(2 if activation == "softmax" else 1, 4))
    delta_next = draw(arrays(np.float64, (n, k), elements=_floats(-2.0, 2.0)))
    W_next = draw(arrays(np.float64, (m, k), elements=_floats(-2.0, 2.0)))
    z = draw(arrays(np.float64, (n, m), elements=_z_elements(activation)))
    return delta_next, W_next, z


@pytest.mark.parametrize("activation", ELEMENTWISE + ["softmax"])
def test_hidden_delta_matches_numerical_derivative(activation):
    # If delta_next = dE/dz_next and z_next = phi(z) @ W_next + b, then E(z) ~ sum of
    # delta_next * z_next to first order, so dE/dz is the numerical gradient of that sum.
    phi = A.get_activation(activation).f

    @SETTINGS
    @given(_hidden_case(activation))
    def check(case):
        delta_next, W_next, z = case
        delta = hidden_delta(delta_next, W_next, z, activation)
        assert delta.shape == z.shape
        numeric = numerical_gradient(lambda v: np.sum(delta_next * (phi(v) @ W_next)), z.copy())
        np.testing.assert_allclose(delta, numeric, rtol=RTOL, atol=ATOL)
    check()


@pytest.mark.parametrize("activation", ELEMENTWISE)
def test_hidden_delta_is_seed_000_sum(activation):
    # delta_i = phi'_i * sum_k w_ik delta_k, written out with loops (W[i, k]: unit i -> unit k)
    rng = np.random.default_rng(5)
    n, m, k = 3, 4, 2
    delta_next = rng.normal(size=(n, k))
    W = rng.normal(size=(m, k))
    z = rng.uniform(0.1, 2, size=(n, m)) * rng.choice([-1, 1], size=(n, m))
    dphi = A.get_activation(activation).df(z)
    expected = np.zeros((n, m))
    for s in range(n):
        for i in range(m):
            expected[s, i] = dphi[s, i] * sum(W[i, kk] * delta_next[s, kk] for kk in range(k))
    np.testing.assert_allclose(hidden_delta(delta_next, W, z, activation), expected,
                               rtol=1e-13, atol=1e-15)


# ------------------------------------------------------------------ weight gradients

@st.composite
def _layer_case(draw):
    n, k = draw(_shape())
    m = draw(st.integers(1, 4))
    a_prev = draw(arrays(np.float64, (n, m), elements=_floats(-3.0, 3.0)))
    delta = draw(arrays(np.float64, (n, k), elements=_floats(-3.0, 3.0)))
    return a_prev, delta


@SETTINGS
@given(_layer_case())
def test_weight_gradients_are_batch_means_of_delta_times_input(case):
    a_prev, delta = case
    n, m = a_prev.shape
    k = delta.shape[1]
    dW, db = weight_gradients(a_prev, delta)
    assert dW.shape == (m, k) and db.shape == (k,)
    # CENG 506: dE/dw_ij = delta_j a_i for one sample; the batch loss is the mean
    outer = sum(np.outer(a_prev[s], delta[s]) for s in range(n)) / n
    np.testing.assert_allclose(dW, outer, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(db, delta.mean(axis=0), rtol=1e-12, atol=1e-14)
    # and numerically: with delta = dE/dz per sample, E is the mean of sum(delta * z) to first
    # order, z = a_prev @ W + b
    W = np.zeros((m, k))
    b = np.zeros(k)
    num_W = numerical_gradient(lambda w: np.sum(delta * (a_prev @ w + b)) / n, W)
    num_b = numerical_gradient(lambda v: np.sum(delta * (a_prev @ W + v)) / n, b)
    np.testing.assert_allclose(dW, num_W, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(db, num_b, rtol=RTOL, atol=ATOL)


# ------------------------------------------------------------------ consistency with MLP

@pytest.mark.parametrize("hidden", ELEMENTWISE + ["softmax"])
@pytest.mark.parametrize("loss,output", [("quadratic", "sigmoid"), ("mse", "linear"),
                                         ("quadratic", "softmax"), ("cross_entropy", "softmax"),
                                         ("binary_cross_entropy", "sigmoid")])
def test_public_functions_reproduce_mlp_backward(hidden, loss, output):
    rng = np.random.default_rng(6)
    net = MLP([3, 4, 5, 2], [hidden, "tanh", output], seed=8)
    for b in net.biases:
        b[:] = rng.normal(size=b.shape)
    X = rng.normal(size=(6, 3))
    y = rng.uniform(0, 1, size=(6, 2))
    if loss == "cross_entropy":
        y = np.eye(2)[rng.integers(0, 2, 6)]
    net.forward(X)
    grads_W, grads_b = net.backward(y, loss=loss)
    z, a = net.z, net.a
    delta = output_delta(a[-1], y, z[-1], loss=loss, activation=output)
    for layer in (2, 1, 0):
        dW, db = weight_gradients(a[layer], delta)
        np.testing.assert_allclose(dW, grads_W[layer], rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(db, grads_b[layer], rtol=1e-12, atol=1e-15)
        if layer:
            delta = hidden_delta(delta, net.weights[layer], z[layer - 1], net.activations[layer - 1])


# ------------------------------------------------------------------ numerics and inputs

@pytest.mark.parametrize("loss,activation", CE_PAIRS + [("quadratic", "sigmoid"), ("quadratic", "softmax")])
def test_huge_inputs_give_finite_deltas_without_warnings(loss, activation):
    z = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, 1e4]])
    y = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y_hat = A.get_activation(activation).f(z)
        delta = output_delta(y_hat, y, z, loss, activation)
        hidden = hidden_delta(delta, np.ones((3, 3)), z, activation)
    assert np.all(np.isfinite(delta)) and np.all(np.isfinite(hidden))


def test_no_argument_is_modified():
    rng = np.random.default_rng(9)
    args = [rng.normal(size=(3, 2)), rng.normal(size=(3, 2)), rng.normal(size=(3, 2))]
    W = rng.normal(size=(4, 2))
    z4 = rng.normal(size=(3, 4))
    before = [x.copy() for x in args + [W, z4]]
    for act in ELEMENTWISE + ["softmax"]:
        output_delta(*args, loss="quadratic", activation=act)
        hidden_delta(args[0], W, z4, act)
    weight_gradients(z4, args[0])
    for x, x0 in zip(args + [W, z4], before):
        np.testing.assert_array_equal(x, x0)


def test_results_are_float64_from_integer_inputs():
    d = output_delta([[1, 0]], [[0, 1]], [[2, -1]], "quadratic", "linear")
    assert d.dtype == np.float64
    np.testing.assert_array_equal(d, [[1.0, -1.0]])


def test_unknown_names_list_the_valid_ones():
    y = np.zeros((2, 2))
    with pytest.raises(ValueError, match=r"output_delta: unknown loss 'hinge'; valid names are: "
                                         r"'quadratic', 'mse', 'binary_cross_entropy', 'cross_entropy'"):
        output_delta(y, y, y, loss="hinge")
    with pytest.raises(ValueError, match=r"output_delta: unknown activation 'gelu'; valid names "
                                         r"are: 'sigmoid', 'tanh', 'relu'"):
        output_delta(y, y, y, activation="gelu")
    with pytest.raises(ValueError, match=r"hidden_delta: unknown activation 'swish'; valid names are"):
        hidden_delta(y, y, y, activation="swish")


@pytest.mark.parametrize("activation", ["relu", "tanh", "linear", "leaky_relu", "step"])
@pytest.mark.parametrize("loss", ["binary_cross_entropy", "cross_entropy"])
def test_cross_entropy_needs_probability_outputs(loss, activation):
    y = np.full((2, 2), 0.5)
    with pytest.raises(ValueError, match=rf"output_delta: the {loss} loss needs outputs that are "
                                         rf"probabilities in \(0, 1\), but the output activation "
                                         rf"is '{activation}'; use a 'sigmoid' or 'softmax'"):
        output_delta(y, y, y, loss=loss, activation=activation)


def test_output_delta_shape_errors():
    a = np.zeros((4, 2))
    with pytest.raises(ValueError, match=r"output_delta: z has shape \(4, 3\) but y_hat has shape "
                                         r"\(4, 2\)"):
        output_delta(a, a, np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"output_delta: y has shape \(4, 1\) but y_hat has shape "
                                         r"\(4, 2\); y must have that shape"):
        output_delta(a, np.zeros((4, 1)), a)
    with pytest.raises(ValueError, match=r"output_delta: y_hat must be 2-D, got shape \(4,\)"):
        output_delta(np.zeros(4), np.zeros(4), np.zeros(4))
    with pytest.raises(ValueError, match=r"output_delta: y_hat has shape \(0, 2\): it needs at "
                                         r"least one sample"):
        output_delta(np.zeros((0, 2)), np.zeros((0, 2)), np.zeros((0, 2)))
    with pytest.raises(ValueError, match=r"output_delta: class labels must be in 0\.\.1"):
        output_delta(a, np.array([0, 1, 2, 1]), a, "cross_entropy", "softmax")
    with pytest.raises(TypeError, match=r"output_delta: y_hat must be a number or an array"):
        output_delta("abc", a, a)


def test_hidden_delta_shape_errors():
    with pytest.raises(ValueError, match=r"hidden_delta: W_next has shape \(3, 2\) but delta_next "
                                         r"has shape \(4, 1\); W_next needs one column per unit of "
                                         r"the next layer, i\.e\. shape \(m, 1\)"):
        hidden_delta(np.zeros((4, 1)), np.zeros((3, 2)), np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"hidden_delta: z has shape \(4, 5\) but delta_next has "
                                         r"shape \(4, 1\) and W_next has shape \(3, 1\); z must "
                                         r"have shape \(4, 3\)"):
        hidden_delta(np.zeros((4, 1)), np.zeros((3, 1)), np.zeros((4, 5)))
    with pytest.raises(ValueError, match=r"hidden_delta: W_next must be 2-D, got shape \(3,\)"):
        hidden_delta(np.zeros((4, 1)), np.zeros(3), np.zeros((4, 3)))


def test_weight_gradients_shape_errors():
    with pytest.raises(ValueError, match=r"weight_gradients: a_prev has shape \(4, 3\) but delta "
                                         r"has shape \(5, 2\); they need the same number of samples"):
        weight_gradients(np.zeros((4, 3)), np.zeros((5, 2)))
    with pytest.raises(ValueError, match=r"weight_gradients: delta must be 2-D, got shape \(2,\)"):
        weight_gradients(np.zeros((4, 3)), np.zeros(2))
