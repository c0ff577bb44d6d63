"""backproplab.layers.backward, the reference of lesson 05's backward_pass.

Checked against central differences of the batch-mean loss (hypothesis: random depths,
widths, activations and every loss with an output it allows), against MLP.backward (the
package's other backward pass, with its own arithmetic path and caching) including the
crossed cross-entropy pairings, and for its argument checks.
"""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backproplab import losses
from backproplab.gradcheck import numerical_gradient, relative_error
from backproplab.layers import backward, forward, two_layer_backward
from backproplab.network import MLP

SETTINGS = settings(max_examples=25, deadline=None, derandomize=True)

# smooth activations only: at a ReLU kink a central difference means nothing
SMOOTH = ["sigmoid", "tanh", "linear"]
OUTPUTS = {"quadratic": SMOOTH, "mse": SMOOTH, "binary_cross_entropy": ["sigmoid", "softmax"],
           "cross_entropy": ["sigmoid", "softmax"]}


def _targets(rng, loss, n, k):
    if loss in ("quadratic", "mse"):
        return rng.normal(size=(n, k))
    if loss == "binary_cross_entropy":
        return (rng.random((n, k)) < 0.5).astype(float)
    return np.eye(k)[rng.integers(0, k, size=n)]


@st.composite
def _network(draw):
    loss = draw(st.sampled_from(sorted(OUTPUTS)))
    depth = draw(st.integers(1, 4))
    sizes = [draw(st.integers(1, 4)) for _ in range(depth + 1)]
    out = draw(st.sampled_from(OUTPUTS[loss]))
    if out == "softmax":
        sizes[-1] = max(sizes[-1], 2)
    acts = [draw(st.sampled_from(SMOOTH)) for _ in range(depth - 1)] + [out]
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    n = draw(st.integers(1, 5))
    X = rng.normal(size=(n, sizes[0]))
    weights = [rng.normal(0.0, 1.0, size=(m, k)) for m, k in zip(sizes[:-1], sizes[1:])]
    biases = [rng.normal(0.0, 0.5, size=k) for k in sizes[1:]]
    return X, _targets(rng, loss, n, sizes[-1]), weights, biases, acts, loss


@SETTINGS
@given(net=_network())
def test_gradients_are_the_numerical_ones(net):
    X, y, weights, biases, acts, loss = net
    grads_W, grads_b = backward(X, y, weights, biases, acts, loss)
    value = losses.get_loss(loss)[0]
    for params, grads in ((weights, grads_W), (biases, grads_b)):
        for p, g in zip(params, grads):
            assert g.shape == p.shape and g.dtype == np.float64
            numeric = numerical_gradient(lambda _: value(forward(X, weights, biases, acts), y), p)
            # absolute 1e-8 for (near-)zero entries, else relative: see tests/test_deltas.py
            assert np.all(np.abs(g - numeric) <= 1e-8 + 1e-6 * np.abs(numeric)), relative_error(g, numeric)


@SETTINGS
@given(net=_network())
def test_equals_mlp_backward(net):
    X, y, weights, biases, acts, loss = net
    mlp = MLP([weights[0].shape[0]] + [W.shape[1] for W in weights], activations=acts)
    mlp.weights, mlp.biases = weights, biases
    mlp.forward(X)
    want_W, want_b = mlp.backward(y, loss)
    got_W, got_b = backward(X, y, weights, biases, acts, loss)
    for got, want in zip(got_W + got_b, want_W + want_b):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)


def test_relu_and_leaky_relu_layers_away_from_the_kink():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(6, 3))
    weights = [rng.normal(size=(3, 5)), rng.normal(size=(5, 4)), rng.normal(size=(4, 2))]
    biases = [rng.normal(size=5), rng.normal(size=4), rng.normal(size=2)]
    acts = ["relu", "leaky_relu", "sigmoid"]
    y = rng.normal(size=(6, 2))
    grads_W, grads_b = backward(X, y, weights, biases, acts)
    for params, grads in ((weights, grads_W), (biases, grads_b)):
        for p, g in zip(params, grads):
            numeric = numerical_gradient(lambda _: losses.quadratic(forward(X, weights, biases, acts), y), p)
            assert relative_error(g, numeric) < 1e-6


def test_integer_labels_for_the_categorical_cross_entropy():
    rng = np.random.default_rng(4)
    X, labels = rng.normal(size=(5, 3)), np.array([0, 2, 1, 2, 0])
    weights, biases = [rng.normal(size=(3, 3))], [np.zeros(3)]
    by_label = backward(X, labels, weights, biases, ["softmax"], "cross_entropy")
    one_hot = backward(X, np.eye(3)[labels], weights, biases, ["softmax"], "cross_entropy")
    for a, b in zip(by_label[0] + by_label[1], one_hot[0] + one_hot[1]):
        assert np.array_equal(a, b)


def test_arguments_are_not_modified():
    rng = np.random.default_rng(5)
    X, y = rng.normal(size=(4, 2)), rng.normal(size=(4, 2))
    weights, biases = [rng.normal(size=(2, 3)), rng.normal(size=(3, 2))], [np.ones(3), np.ones(2)]
    copies = [a.copy() for a in (X, y, *weights, *biases)]
    backward(X, y, weights, biases, ["tanh", "linear"])
    assert all(np.array_equal(a, b) for a, b in zip((X, y, *weights, *biases), copies))


@pytest.mark.parametrize("call, exc, match", [
    (lambda: backward(np.zeros((2, 3)), np.zeros((2, 1)), [np.zeros((2, 1))], [np.zeros(1)], ["sigmoid"]),
     ValueError, r"^layer_forward: A_prev has shape \(2, 3\) but W has shape \(2, 1\)"),
    (lambda: backward(np.zeros((2, 2)), np.zeros((2, 3)), [np.zeros((2, 1))], [np.zeros(1)], ["sigmoid"]),
     ValueError, r"^backward: y has shape \(2, 3\) but the network's output has shape \(2, 1\)"),
    (lambda: backward(np.zeros((2, 2)), np.zeros((2, 1)), [np.zeros((2, 1))], [np.zeros(1)], ["tanh"],
                      "binary_cross_entropy"),
     ValueError, r"^backward: the binary_cross_entropy loss needs outputs that are probabilities"),
    (lambda: backward(np.zeros((2, 2)), np.zeros((2, 1)), [np.zeros((2, 1))], [], ["sigmoid"]),
     ValueError, r"^backward: weights, biases and activations need one entry per layer; got 1, 0 and 1"),
    (lambda: backward(np.zeros((2, 2)), np.zeros((2, 1)), np.zeros((2, 1)), [np.zeros(1)], ["sigmoid"]),
     TypeError, r"^backward: weights must be a list with one entry per layer"),
    (lambda: backward(np.zeros((2, 2)), np.zeros((2, 1)), [np.zeros((2, 1))], [np.zeros(1)], ["sigmoid"], "hinge"),
     ValueError, r"^backward: "),
])
def test_bad_arguments_are_refused_with_the_shapes(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


# -- Kang's L2 penalty (lesson 06) and two_layer_backward -----------------------------------------

@SETTINGS
@given(net=_network(), l2=st.sampled_from([0.0, 1e-3, 0.05, 0.7]))
def test_the_penalty_adds_two_l2_w_to_the_weights_only_and_matches_numerics(net, l2):
    X, y, weights, biases, acts, loss = net
    grads_W, grads_b = backward(X, y, weights, biases, acts, loss, l2=l2)
    plain_W, plain_b = backward(X, y, weights, biases, acts, loss)
    for g, p, W in zip(grads_W, plain_W, weights):
        np.testing.assert_allclose(g - p, 2.0 * l2 * W, rtol=1e-9, atol=1e-12)
    for g, p in zip(grads_b, plain_b):
        np.testing.assert_array_equal(g, p)
    value = losses.get_loss(loss)[0]

    def J():
        return value(forward(X, weights, biases, acts), y) + l2 * sum(float(np.sum(W * W)) for W in weights)
    for params, grads in ((weights, grads_W), (biases, grads_b)):
        for p, g in zip(params, grads):
            numeric = numerical_gradient(lambda _: J(), p)
            assert np.all(np.abs(g - numeric) <= 1e-8 + 1e-6 * np.abs(numeric)), relative_error(g, numeric)


def test_two_layer_backward_is_every_gradient_of_its_objective():
    rng = np.random.default_rng(61)
    for hidden, output, l2 in (("sigmoid", "sigmoid", 0.0), ("tanh", "linear", 0.05), ("sigmoid", "tanh", 0.3)):
        X, y = rng.normal(size=(5, 3)), rng.normal(size=(5, 2))
        W1, b1 = rng.normal(size=(3, 4)), rng.normal(size=4)
        W2, b2 = rng.normal(size=(4, 2)), rng.normal(size=2)
        got = two_layer_backward(X, y, W1, b1, W2, b2, l2=l2, hidden=hidden, output=output)
        assert [g.shape for g in got] == [(3, 4), (4,), (4, 2), (2,)]

        def J():
            out = forward(X, [W1, W2], [b1, b2], [hidden, output])
            return 0.5 * np.sum((out - y) ** 2) / 5 + l2 * (np.sum(W1 ** 2) + np.sum(W2 ** 2))
        for p, g in zip((W1, b1, W2, b2), got):
            assert relative_error(g, numerical_gradient(lambda _: J(), p)) < 1e-7


def test_two_layer_backward_reproduces_kangs_example_line_by_line():
    # Kang: a = W x, h = sigma(a), y_hat = v^T h; J = (y_hat - y)^2 + lambda (||W||^2 + ||v||^2)
    rng = np.random.default_rng(601)
    W, v = rng.normal(size=(3, 2)), rng.normal(size=(3, 1))
    x, y, lam = np.array([[1.0], [0.0]]), 1.0, 0.1
    a = W @ x
    h = 1.0 / (1.0 + np.exp(-a))
    y_hat = (v.T @ h).item()
    g = 2 * (y_hat - y)
    grad_v = g * h + 2 * lam * v
    g = g * v * h * (1 - h)
    grad_W = g @ x.T + 2 * lam * W
    # Kang's J is twice the course's objective with l2 = lambda / 2
    dW1, db1, dW2, db2 = two_layer_backward(x.T, np.array([[y]]), W.T, np.zeros(3), v, np.zeros(1),
                                            l2=lam / 2, output="linear")
    np.testing.assert_allclose(2 * dW1, grad_W.T, rtol=1e-12)
    np.testing.assert_allclose(2 * dW2, grad_v, rtol=1e-12)


def test_two_layer_backward_names_itself_in_its_errors():
    with pytest.raises(ValueError, match=r"^two_layer_backward: l2 must be >= 0.0, got -1.0"):
        two_layer_backward(np.zeros((1, 2)), np.zeros((1, 1)), np.zeros((2, 2)), np.zeros(2),
                           np.zeros((2, 1)), np.zeros(1), l2=-1.0)
    with pytest.raises(ValueError, match=r"^two_layer_backward: y has shape \(1, 3\)"):
        two_layer_backward(np.zeros((1, 2)), np.zeros((1, 3)), np.zeros((2, 2)), np.zeros(2),
                           np.zeros((2, 1)), np.zeros(1))
