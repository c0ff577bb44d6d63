"""backproplab.network.MLP: forward pass, backpropagated gradients, and argument checks."""
import copy
import pickle
import warnings

import numpy as np
import pytest

from backproplab import activations as A
from backproplab import losses as L
from backproplab.gradcheck import numerical_gradient, relative_error
from backproplab.network import MLP

ACTIVATIONS = ["sigmoid", "tanh", "relu", "leaky_relu", "linear", "softmax"]
# Every loss with every output activation it makes sense with: the cross-entropies take
# logarithms of the outputs, so they need probabilities (sigmoid or softmax); the others
# raise ValueError (tested below).
OUTPUT_LOSS = ([(out, loss) for out in ACTIVATIONS for loss in ("quadratic", "mse")]
               + [(out, loss) for out in ("sigmoid", "softmax")
                  for loss in ("binary_cross_entropy", "cross_entropy")])
L2 = [0.0, 0.05]


# ------------------------------------------------------------------ gradients vs numerical
#
# CS231n's relative error max |a - b| / max(1e-8, |a| + |b|) is taken entry by entry, so an
# entry of size g compares the analytic value with a central difference whose rounding
# noise is about eps * |loss| / h ~ 1e-11 whatever g is: for g ~ 1e-5 that noise alone
# reads as a relative error of 1e-6. The test data are therefore drawn (from seeds 0, 1,
# 2, ... in turn) until they are well conditioned, a check made on the NUMERICAL gradient
# and the forward values only, never on backward's results: every numerical entry is
# either exactly 0 (a unit that no perturbation reaches, e.g. a ReLU that is off for every
# sample) or at least 1e-3 in size, and every ReLU/leaky-ReLU input is at least 1e-3 from
# the kink (h = 1e-5 times the inputs never crosses it). The analytic gradients must then
# agree to a relative error below 1e-7.

def _draw(layer_sizes, activations, loss, seed):
    rng = np.random.default_rng(seed)
    net = MLP(layer_sizes, activations, seed=rng)
    for b in net.biases:                  # non-zero biases, so their gradients are tested too
        b[:] = rng.normal(0.0, 0.5, size=b.shape)
    n, k = 4, layer_sizes[-1]
    X = rng.normal(size=(n, layer_sizes[0]))
    if loss == "cross_entropy":
        y = np.eye(k)[rng.integers(0, k, n)]
    elif loss == "binary_cross_entropy":
        y = rng.integers(0, 2, size=(n, k)).astype(float)
    else:
        y = rng.uniform(-1.5, 1.5, size=(n, k))
    return net, X, y


def _numerical(net, X, y, loss, l2):
    return [numerical_gradient(lambda _: net.loss(X, y, loss=loss, l2=l2), p) for p in net.params]


def _well_conditioned(net, X, numeric):
    net.forward(X)
    for name, z in zip(net.activations, net.z):
        if name in ("relu", "leaky_relu") and np.min(np.abs(z)) < 1e-3:
            return False
    return all(np.all((g == 0.0) | (np.abs(g) >= 1e-3)) for g in numeric)


def _case(layer_sizes, activations, loss, l2):
    for seed in range(200):
        net, X, y = _draw(layer_sizes, activations, loss, seed)
        numeric = _numerical(net, X, y, loss, l2)
        if _well_conditioned(net, X, numeric):
            return net, X, y, numeric
    raise AssertionError("no well-conditioned test data in 200 seeds")


def _assert_backward_matches(net, X, y, loss, l2, numeric):
    before = [p.copy() for p in net.params]
    net.forward(X)
    grads_W, grads_b = net.backward(y, loss=loss, l2=l2)
    analytic = [g for pair in zip(grads_W, grads_b) for g in pair]
    assert [g.shape for g in analytic] == [p.shape for p in net.params]
    for i, (g, num) in enumerate(zip(analytic, numeric)):
        err = relative_error(g, num)
        assert err < 1e-7, f"params[{i}]: relative error {err:.3g}"
    for p, p0 in zip(net.params, before):
        np.testing.assert_array_equal(p, p0)


@pytest.mark.parametrize("l2", L2)
@pytest.mark.parametrize("output,loss", OUTPUT_LOSS)
@pytest.mark.parametrize("hidden", ACTIVATIONS)
def test_gradients_match_numerical(hidden, output, loss, l2):
    net, X, y, numeric = _case([3, 4, 3], [hidden, output], loss, l2)
    _assert_backward_matches(net, X, y, loss, l2, numeric)


@pytest.mark.parametrize("l2", L2)
@pytest.mark.parametrize("loss", ["quadratic", "cross_entropy"])
@pytest.mark.parametrize("acts", [["relu", "tanh", "softmax"], ["leaky_relu", "sigmoid", "softmax"]])
def test_gradients_of_a_deeper_mixed_network(acts, loss, l2):
    net, X, y, numeric = _case([3, 4, 4, 3], acts, loss, l2)
    _assert_backward_matches(net, X, y, loss, l2, numeric)


def test_gradients_with_one_sample_and_one_output():
    net, X, y, numeric = _case([2, 3, 1], ["sigmoid", "sigmoid"], "quadratic", 0.0)
    net2 = copy.deepcopy(net)
    _assert_backward_matches(net, X[:1], y[:1], "quadratic", 0.0, _numerical(net2, X[:1], y[:1], "quadratic", 0.0))


def test_cross_entropy_with_integer_labels():
    net, X, y, numeric = _case([3, 4, 3], ["tanh", "softmax"], "cross_entropy", 0.05)
    labels = np.argmax(y, axis=1)
    net.forward(X)
    by_labels = net.backward(labels, "cross_entropy", 0.05)
    net.forward(X)
    by_one_hot = net.backward(y, "cross_entropy", 0.05)
    for a, b in zip(by_labels[0] + by_labels[1], by_one_hot[0] + by_one_hot[1]):
        np.testing.assert_array_equal(a, b)
    assert net.loss(X, labels, "cross_entropy", 0.05) == net.loss(X, y, "cross_entropy", 0.05)


def test_softmax_quadratic_uses_the_jacobian_not_the_shortcut():
    net, X, y, numeric = _case([3, 4, 3], ["tanh", "softmax"], "quadratic", 0.0)
    _assert_backward_matches(net, X, y, "quadratic", 0.0, numeric)
    # the shortcut: Samatova's element-wise s (1 - s) in place of the Jacobian
    net.forward(X)
    z, a = net.z, net.a
    delta = (a[2] - y) * A.softmax_prime(z[1])
    shortcut_dW2 = a[1].T @ delta / X.shape[0]
    assert relative_error(shortcut_dW2, numeric[2]) > 1e-2
    assert np.max(np.abs(shortcut_dW2 - numeric[2])) > 0.05 * np.max(np.abs(numeric[2]))


def test_l2_adds_two_l2_w_to_weight_gradients_only():
    net, X, y, _ = _case([3, 4, 2], ["tanh", "sigmoid"], "quadratic", 0.0)
    net.forward(X)
    gW0, gb0 = (list(g) for g in net.backward(y, "quadratic", 0.0))
    gW1, gb1 = net.backward(y, "quadratic", 0.3)
    for g0, g1, W in zip(gW0, gW1, net.weights):
        np.testing.assert_allclose(g1 - g0, 0.6 * W, rtol=1e-12, atol=1e-15)
    for g0, g1 in zip(gb0, gb1):
        np.testing.assert_array_equal(g0, g1)
    penalty = 0.3 * sum(np.sum(W ** 2) for W in net.weights)
    assert net.loss(X, y, "quadratic", 0.3) == pytest.approx(net.loss(X, y) + penalty, rel=1e-14)


def test_zero_init_leaves_hidden_units_indistinguishable():
    # why weights start random: with all weights 0, every hidden unit gets the same output
    # and the same delta (here 0, since the output weights are 0), so they never differ
    net = MLP([2, 3, 1], "sigmoid", init="zeros")
    X = np.array([[0.0, 1.0], [1.0, 0.5], [0.3, -0.2]])
    y = np.array([[1.0], [0.0], [1.0]])
    net.forward(X)
    gW, gb = net.backward(y)
    assert not np.any(gW[0]) and not np.any(gb[0])
    assert np.all(gW[1] == gW[1][0])


def test_relu_derivative_at_zero_is_zero():
    # the lectures' convention relu'(0) = 0: a hidden unit with z exactly 0 passes no delta
    net = MLP([1, 1, 1], ["relu", "linear"])
    net.weights = [[[1.0]], [[2.0]]]
    net.biases = [[0.0], [0.5]]
    net.forward(np.array([[0.0]]))
    gW, gb = net.backward(np.array([[3.0]]))
    assert gb[1][0] == -2.5                  # the output unit does get a delta
    assert gb[0][0] == 0.0 and gW[0][0, 0] == 0.0


# ------------------------------------------------------------------ forward pass

@pytest.mark.parametrize("hidden", ACTIVATIONS)
def test_forward_matches_the_neuron_formula(hidden):
    # unit j of layer l: a_j = phi(sum_i a_prev_i w_ij + b_j), written out sample by sample
    rng = np.random.default_rng(11)
    net = MLP([3, 4, 2], [hidden, "sigmoid"], seed=3)
    for b in net.biases:
        b[:] = rng.normal(size=b.shape)
    X = rng.normal(size=(5, 3))
    out = net.forward(X)
    for s in range(5):
        a = X[s]
        for W, b, name in zip(net.weights, net.biases, net.activations):
            z = np.array([sum(a[i] * W[i, j] for i in range(W.shape[0])) + b[j]
                          for j in range(W.shape[1])])
            a = A.get_activation(name).f(z)
        np.testing.assert_allclose(out[s], a, rtol=1e-13, atol=1e-15)
    assert out.shape == (5, 2) and out.dtype == np.float64


def test_forward_caches_z_and_a():
    net = MLP([2, 3, 2], ["relu", "softmax"], seed=1)
    X = np.array([[1.0, -2.0], [0.5, 0.5]])
    y_hat = net.forward(X)
    z, a = net.z, net.a
    assert len(z) == 2 and len(a) == 3
    np.testing.assert_array_equal(a[0], X)
    np.testing.assert_array_equal(z[0], X @ net.weights[0] + net.biases[0])
    np.testing.assert_array_equal(a[1], A.relu(z[0]))
    np.testing.assert_array_equal(a[2], y_hat)
    np.testing.assert_allclose(a[2].sum(axis=1), 1.0, rtol=1e-15)
    with pytest.raises(ValueError, match="read-only"):
        z[0][0, 0] = 1.0


def test_forward_returns_a_copy_that_cannot_corrupt_backward():
    net, X, y, numeric = _case([3, 4, 3], ["tanh", "sigmoid"], "quadratic", 0.0)
    y_hat = net.forward(X)
    y_hat -= 100.0                       # a caller reusing the array
    grads_W, grads_b = net.backward(y)
    net2 = copy.deepcopy(net)
    net2.forward(X)
    for g, g2 in zip(grads_W + grads_b, sum(net2.backward(y), [])):
        np.testing.assert_array_equal(g, g2)


def test_loss_does_not_touch_the_forward_cache():
    net, X, y, _ = _case([3, 4, 3], ["tanh", "sigmoid"], "quadratic", 0.0)
    net.forward(X[:2])
    net.loss(X, y)                       # another batch in between
    net.predict(X)
    g = net.backward(y[:2])
    net.forward(X[:2])
    g2 = net.backward(y[:2])
    for a, b in zip(g[0] + g[1], g2[0] + g2[1]):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("loss", ["quadratic", "mse", "binary_cross_entropy", "cross_entropy"])
def test_loss_is_the_losses_module_value(loss):
    rng = np.random.default_rng(2)
    net = MLP([3, 5, 4], ["tanh", "softmax"], seed=2)
    X = rng.normal(size=(6, 3))
    y = np.eye(4)[rng.integers(0, 4, 6)]
    value = net.loss(X, y, loss)
    assert isinstance(value, float)
    assert value == L.get_loss(loss)[0](net.forward(X), y)


def test_predict():
    X = np.array([[0.0, 0.0], [1.0, 1.0], [3.0, -1.0]])
    net = MLP([2, 1], "sigmoid")
    net.weights[0] = [[2.0], [-3.0]]
    net.biases[0] = [0.5]
    p = net.predict(X)
    # z = 0.5, -0.5, 9.5: sigma(z) >= 0.5 exactly when z >= 0
    np.testing.assert_array_equal(p, [[1.0], [0.0], [1.0]])
    soft = MLP([2, 3], "softmax", seed=0)
    np.testing.assert_array_equal(soft.predict(X), np.argmax(soft.forward(X), axis=1))
    assert soft.predict(X).shape == (3,)
    lin = MLP([2, 2], "linear", seed=0)
    np.testing.assert_array_equal(lin.predict(X), lin.forward(X))


# ------------------------------------------------------------------ parameters

def test_params_are_the_live_arrays_in_order():
    net = MLP([2, 3, 1], seed=0)
    p = net.params
    assert [x.shape for x in p] == [(2, 3), (3,), (3, 1), (1,)]
    assert p[0] is net.weights[0] and p[1] is net.biases[0]
    assert p[2] is net.weights[1] and p[3] is net.biases[1]
    X = np.array([[1.0, 2.0]])
    before = net.forward(X)
    p[3] += 1.0                           # an optimizer's in-place update
    assert not np.array_equal(net.forward(X), before)


def test_grads_follow_params_order():
    net, X, y, _ = _case([3, 4, 3], ["tanh", "sigmoid"], "quadratic", 0.0)
    with pytest.raises(RuntimeError, match=r"MLP.grads: no gradients yet; call forward\(X\) and "
                                           r"then backward\(y\) first"):
        net.grads
    net.forward(X)
    gW, gb = net.backward(y)
    g = net.grads
    assert g[0] is gW[0] and g[1] is gb[0] and g[2] is gW[1] and g[3] is gb[1]
    assert [x.shape for x in g] == [x.shape for x in net.params]


def test_one_gradient_descent_step_lowers_the_loss():
    net, X, y, _ = _case([3, 4, 3], ["tanh", "sigmoid"], "quadratic", 0.0)
    before = net.loss(X, y)
    net.forward(X)
    net.backward(y)
    for p, g in zip(net.params, net.grads):
        p -= 0.01 * g
    assert net.loss(X, y) < before


def test_learns_xor():
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([[0.0], [1.0], [1.0], [0.0]])
    net = MLP([2, 4, 1], ["tanh", "sigmoid"], seed=0)
    for _ in range(2000):
        net.forward(X)
        net.backward(y, "binary_cross_entropy")
        for p, g in zip(net.params, net.grads):
            p -= 1.0 * g
    np.testing.assert_array_equal(net.predict(X), y)
    assert net.loss(X, y, "binary_cross_entropy") < 0.05


def test_assigned_weights_are_copied_and_checked():
    net = MLP([2, 2, 1], seed=0)
    W = np.array([[0.1, 0.2], [0.3, 0.4]])
    net.weights[0] = W
    assert net.weights[0] is not W
    np.testing.assert_array_equal(net.weights[0], W)
    net.weights[0] -= 0.5                # in place: stays the same (live) array
    assert net.params[0] is net.weights[0]
    np.testing.assert_array_equal(W, [[0.1, 0.2], [0.3, 0.4]])   # the caller's array untouched
    net.weights = [[[1, 2], [3, 4]], [[5], [6]]]                 # whole list, ints -> float64
    assert net.weights[1].dtype == np.float64 and net.weights[1].shape == (2, 1)
    net.biases[-1] = [0.25]
    assert net.biases[1].tolist() == [0.25]
    dup = copy.deepcopy(net)
    dup.weights[0][0, 0] = 99.0
    assert net.weights[0][0, 0] == 1.0
    again = pickle.loads(pickle.dumps(net))
    for p, q in zip(again.params, net.params):
        np.testing.assert_array_equal(p, q)
    with pytest.raises(ValueError, match=r"MLP.weights\[0\]: got an array of shape"):
        again.weights[0] = np.zeros(3)          # the copies keep their shape checks


def test_int_inputs_are_accepted_and_nothing_is_mutated():
    net = MLP([2, 3, 2], ["relu", "softmax"], seed=0)
    X = np.array([[1, 2], [3, -4]])
    y = np.array([[0.0, 1.0], [1.0, 0.0]])
    labels = np.array([1, 0])
    X0, y0, l0 = X.copy(), y.copy(), labels.copy()
    W0 = [w.copy() for w in net.weights]
    out = net.forward(X)
    assert out.dtype == np.float64
    net.backward(y, "quadratic", 0.1)
    net.backward(labels, "cross_entropy")
    net.loss(X, labels, "cross_entropy", 0.1)
    net.predict(X)
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(y, y0)
    np.testing.assert_array_equal(labels, l0)
    for w, w0 in zip(net.weights, W0):
        np.testing.assert_array_equal(w, w0)


def test_seed_determinism_and_init_scale():
    a, b = MLP([30, 20, 5], seed=4), MLP([30, 20, 5], seed=4)
    for w1, w2 in zip(a.params, b.params):
        np.testing.assert_array_equal(w1, w2)
    assert not np.array_equal(a.weights[0], MLP([30, 20, 5], seed=5).weights[0])
    assert not np.any(a.biases[0]) and not np.any(a.biases[1])
    big = MLP([400, 600], init="he", seed=0)
    # He: variance 2/400; 5 standard errors of the sample variance of 240,000 draws
    assert abs(big.weights[0].var() - 2 / 400) < 5 * (2 / 400) * np.sqrt(2 / 240_000)


@pytest.mark.parametrize("out,loss", [("sigmoid", "binary_cross_entropy"),
                                      ("softmax", "cross_entropy"), ("softmax", "quadratic"),
                                      ("sigmoid", "quadratic")])
def test_huge_inputs_stay_finite_and_silent(out, loss):
    net = MLP([2, 3, 2], ["sigmoid", out], seed=0)
    net.weights[0] = [[1.0, -1.0, 2.0], [3.0, 1.0, -2.0]]
    X = np.array([[1e4, -1e4], [-1e4, 1e4], [0.0, 5e3]])
    y = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]])
    net.weights[1] = [[1e4, -1e4], [-1e4, 1e4], [5e3, 5e3]]   # |z| up to 1e4 at the output too
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        net.forward(X)
        gW, gb = net.backward(y, loss)
        value = net.loss(X, y, loss)
    assert all(np.all(np.isfinite(g)) for g in gW + gb)
    assert np.isfinite(value)


def test_repr():
    assert repr(MLP([2, 3, 1], ["relu", "sigmoid"])) == "MLP([2, 3, 1], activations=['relu', 'sigmoid'])"


# ------------------------------------------------------------------ bad input

def test_forward_bad_x():
    net = MLP([2, 3, 1])
    with pytest.raises(ValueError, match=r"^MLP.forward: X has shape \(4, 3\) but the first layer "
                                         r"takes 2 features$"):
        net.forward(np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"MLP.forward: X has shape \(2,\) but must be 2-D "
                                         r"\(n_samples, n_features\) with 2 features; for one "
                                         r"sample use X.reshape\(1, -1\)"):
        net.forward(np.zeros(2))
    with pytest.raises(ValueError, match=r"MLP.forward: X has shape \(0, 2\): it needs at least "
                                         r"one sample"):
        net.forward(np.zeros((0, 2)))
    with pytest.raises(TypeError, match=r"MLP.forward: X must be a number or an array of numbers"):
        net.forward("abc")
    with pytest.raises(ValueError, match=r"MLP.loss: X has shape \(4, 3\) but the first layer takes 2"):
        net.loss(np.zeros((4, 3)), np.zeros((4, 1)))
    with pytest.raises(ValueError, match=r"MLP.predict: X has shape \(4, 3\) but the first layer takes 2"):
        net.predict(np.zeros((4, 3)))


def test_backward_before_forward():
    net = MLP([2, 3, 1])
    with pytest.raises(RuntimeError, match=r"MLP.backward: no forward pass to go back through; "
                                           r"call forward\(X\) first"):
        net.backward(np.zeros((4, 1)))
    with pytest.raises(RuntimeError, match=r"MLP.z: nothing cached yet; call forward\(X\) first"):
        net.z


def test_backward_bad_y():
    net = MLP([2, 3, 1])
    net.forward(np.zeros((4, 2)))
    with pytest.raises(ValueError, match=r"MLP.backward: y has shape \(4,\) but the last forward's "
                                         r"output has shape \(4, 1\); y must have that shape"):
        net.backward(np.zeros(4))
    with pytest.raises(ValueError, match=r"MLP.backward: y has shape \(3, 1\) but the last "
                                         r"forward's output has shape \(4, 1\)"):
        net.backward(np.zeros((3, 1)))
    with pytest.raises(ValueError, match=r"MLP.loss: y has shape \(4, 2\) but the network's output "
                                         r"for X has shape \(4, 1\)"):
        net.loss(np.zeros((4, 2)), np.zeros((4, 2)))
    soft = MLP([2, 3], "softmax")
    soft.forward(np.zeros((4, 2)))
    with pytest.raises(ValueError, match=r"MLP.backward: class labels must be in 0\.\.2"):
        soft.backward(np.array([0, 1, 3, 0]), "cross_entropy")
    with pytest.raises(ValueError, match=r"MLP.backward: y has shape \(3,\) but the last forward's "
                                         r"output has shape \(4, 3\); y must have that shape \(or "
                                         r"integer labels of shape \(n,\)\)"):
        soft.backward(np.array([0, 1, 2]), "cross_entropy")


def test_backward_bad_loss_and_l2():
    net = MLP([2, 3, 1])
    net.forward(np.zeros((4, 2)))
    y = np.zeros((4, 1))
    with pytest.raises(ValueError, match=r"MLP.backward: unknown loss 'l1'; valid names are: "
                                         r"'quadratic', 'mse', 'binary_cross_entropy', "
                                         r"'cross_entropy'"):
        net.backward(y, "l1")
    with pytest.raises(ValueError, match=r"MLP.backward: l2 must be >= 0.0, got -0.1"):
        net.backward(y, l2=-0.1)
    with pytest.raises(ValueError, match=r"MLP.loss: unknown loss 'l1'; valid names are"):
        net.loss(np.zeros((4, 2)), y, "l1")
    relu_out = MLP([2, 2], "relu")
    relu_out.forward(np.zeros((1, 2)))
    with pytest.raises(ValueError, match=r"MLP.backward: the cross_entropy loss needs outputs that "
                                         r"are probabilities in \(0, 1\), but the output activation "
                                         r"is 'relu'"):
        relu_out.backward(np.array([0]), "cross_entropy")


def test_constructor_bad_layer_sizes():
    with pytest.raises(ValueError, match=r"MLP: layer_sizes must give at least two sizes, the "
                                         r"inputs and the outputs \(e.g. \[2, 3, 1\]\), got \[\]"):
        MLP([])
    with pytest.raises(ValueError, match=r"MLP: layer_sizes must give at least two sizes.*got \[2\]"):
        MLP([2])
    with pytest.raises(ValueError, match=r"MLP: layer_sizes\[1\] must be >= 1, got 0"):
        MLP([2, 0, 1])
    with pytest.raises(TypeError, match=r"MLP: layer_sizes\[1\] must be an integer, got float 2.5"):
        MLP([2, 2.5, 1])
    with pytest.raises(TypeError, match=r"MLP: layer_sizes must be a list of layer widths such as "
                                        r"\[2, 3, 1\], got str"):
        MLP("231")
    with pytest.raises(TypeError, match=r"MLP: layer_sizes must be a list .* got int"):
        MLP(3)


def test_constructor_bad_names():
    with pytest.raises(ValueError, match=r"MLP: unknown activation 'sigmoidal'; valid names are: "
                                         r"'sigmoid', 'tanh', 'relu', 'leaky_relu', 'linear', "
                                         r"'softmax', 'step'"):
        MLP([2, 3, 1], "sigmoidal")
    with pytest.raises(ValueError, match=r"MLP: unknown activation 'gelu'"):
        MLP([2, 3, 1], ["relu", "gelu"])
    with pytest.raises(ValueError, match=r"MLP: unknown init 'glorot'; valid names are: 'xavier', "
                                         r"'he', 'zeros'"):
        MLP([2, 3, 1], init="glorot")
    with pytest.raises(ValueError, match=r"MLP: got 3 activations for 2 layers of weights; give one "
                                         r"name per layer \(len\(layer_sizes\) - 1\) or a single name"):
        MLP([2, 3, 1], ["relu", "relu", "sigmoid"])
    with pytest.raises(TypeError, match=r"MLP: activations must be a name or a list of names, got int"):
        MLP([2, 3, 1], 3)
    with pytest.raises(TypeError, match=r"MLP: seed must be None, a non-negative int or a numpy "
                                        r"Generator, got str 'x'"):
        MLP([2, 3, 1], seed="x")


def test_bad_assigned_parameters():
    net = MLP([2, 3, 1], seed=0)
    with pytest.raises(ValueError, match=r"MLP.weights\[0\]: got an array of shape \(3, 2\) but "
                                         r"layer 1 needs shape \(2, 3\) \(n_in, n_out\)"):
        net.weights[0] = np.zeros((3, 2))
    with pytest.raises(ValueError, match=r"MLP.biases\[1\]: got an array of shape \(1, 1\) but "
                                         r"layer 2 needs shape \(1,\) \(n_out,\)"):
        net.biases[1] = [[0.5]]
    with pytest.raises(ValueError, match=r"MLP.weights: got 1 arrays but the network has 2 layers"):
        net.weights = [np.zeros((2, 3))]
    with pytest.raises(ValueError, match=r"MLP.weights\[1\]: got an array of shape \(1, 3\)"):
        net.weights = [np.zeros((2, 3)), np.zeros((1, 3))]
    with pytest.raises(TypeError, match=r"MLP.weights holds exactly one array per layer \(2\); its "
                                        r"length cannot change"):
        net.weights.append(np.zeros((1, 1)))
    with pytest.raises(TypeError, match=r"MLP.biases holds exactly one array per layer"):
        del net.biases[0]
    with pytest.raises(IndexError, match=r"MLP.weights: index 2 out of range for 2 layers"):
        net.weights[2] = np.zeros((3, 1))
    with pytest.raises(TypeError, match=r"MLP.weights\[0\]: the new value must be a number or an "
                                        r"array of numbers"):
        net.weights[0] = None
    # a failed assignment leaves the network as it was
    assert [w.shape for w in net.weights] == [(2, 3), (3, 1)]
