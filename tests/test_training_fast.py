"""train()'s own step and its handling of large data (issue 15).

After a first step through net.forward, net.backward and optimizer.step, train() runs the same
arithmetic without their per-call argument checks when the network is an MLP and the optimizer
an Optimizer whose methods are the package's own. Here that step is run against the public
methods (a subclass that overrides backward is stepped through them), number for number; and
train() is checked to work on the caller's X itself, never on a copy of it.
"""
from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from backproplab import activations as A
from backproplab import training
from backproplab.network import MLP
from backproplab.optimizers import SGD, Adagrad, Momentum
from backproplab.training import train


class ThroughPublicMethods(MLP):
    """An MLP with a backward of its own (it only calls MLP.backward): train() steps such a
    network through its public methods, as it steps any network it does not know."""

    def backward(self, y, loss="quadratic", l2=0.0):
        return super().backward(y, loss, l2)


def _data(n, sizes, loss, seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, sizes[0]))
    k = sizes[-1]
    if loss == "cross_entropy":
        labels = rng.integers(0, k, n)
        return X, (labels if seed % 2 else np.eye(k)[labels])
    if loss == "binary_cross_entropy":
        return X, rng.integers(0, 2, size=(n, k)).astype(float)
    return X, rng.uniform(-1.0, 1.0, size=(n, k))


CASES = [
    # sizes, activations, loss, l2, batch_size, optimizer
    ([3, 5, 2], ["tanh", "sigmoid"], "quadratic", 0.0, None, lambda: SGD(0.5)),
    ([3, 5, 3], ["relu", "softmax"], "cross_entropy", 0.01, 4, lambda: SGD(0.2)),
    ([4, 6, 3], ["sigmoid", "softmax"], "cross_entropy", 0.0, 1, lambda: Momentum(0.1)),
    ([3, 4, 4, 2], ["leaky_relu", "tanh", "sigmoid"], "binary_cross_entropy", 0.0, 3,
     lambda: Adagrad(0.3)),
    ([3, 4, 2], ["sigmoid", "linear"], "mse", 0.02, 5, lambda: SGD(0.1)),
    ([2, 3, 3], ["relu", "softmax"], "quadratic", 0.0, 2, lambda: SGD(0.3)),
]


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("sizes, acts, loss, l2, batch_size, make_opt", CASES)
def test_the_fast_step_is_the_public_methods_number_for_number(sizes, acts, loss, l2,
                                                               batch_size, make_opt, seed):
    X, y = _data(13, sizes, loss, seed)
    fast, public = MLP(sizes, acts, seed=seed), ThroughPublicMethods(sizes, acts, seed=seed)
    opt_fast, opt_public = make_opt(), make_opt()
    assert training._fast_path(fast, opt_fast) and not training._fast_path(public, opt_public)
    h_fast = train(fast, X, y, opt_fast, loss=loss, epochs=4, batch_size=batch_size, seed=seed,
                   l2=l2)
    h_public = train(public, X, y, opt_public, loss=loss, epochs=4, batch_size=batch_size,
                     seed=seed, l2=l2)
    for p, q in zip(fast.params, public.params):
        np.testing.assert_array_equal(p, q)
    assert h_fast.loss == h_public.loss and h_fast.grad_norm == h_public.grad_norm
    assert h_fast.steps == h_public.steps == 4 * -(-13 // (batch_size or 13))
    # the network is left as after any step: its last forward pass and gradients cached
    for g, h in zip(fast.grads, public.grads):
        np.testing.assert_array_equal(g, h)
    assert opt_fast.t == opt_public.t == h_fast.steps


def test_integer_targets_take_the_same_steps_on_both_paths():
    rng = np.random.default_rng(3)
    X, y = rng.normal(size=(10, 3)), rng.integers(0, 2, size=(10, 2))
    fast, public = MLP([3, 4, 2], seed=2), ThroughPublicMethods([3, 4, 2], seed=2)
    h_fast = train(fast, X, y, SGD(0.5), epochs=3, batch_size=4, seed=1)
    h_public = train(public, X, y, SGD(0.5), epochs=3, batch_size=4, seed=1)
    for p, q in zip(fast.params, public.params):
        np.testing.assert_array_equal(p, q)
    assert h_fast.loss == h_public.loss


def test_the_fast_step_follows_the_plain_loop_it_replaces():
    # minibatches + forward + backward + w -= lr * g, written out (Kauchak's loop)
    X, y = _data(11, [3, 4, 2], "quadratic", 0)
    net, ref = MLP([3, 4, 2], ["tanh", "sigmoid"], seed=4), MLP([3, 4, 2], ["tanh", "sigmoid"], seed=4)
    h = train(net, X, y, SGD(0.4), epochs=3, batch_size=2, seed=np.random.default_rng(9))
    rng, losses = np.random.default_rng(9), []
    for _ in range(3):
        total = 0.0
        for Xb, yb in training.minibatches(X, y, 2, rng):
            total += ref.loss(Xb, yb) * len(Xb)
            ref.forward(Xb)
            ref.backward(yb)
            for p, g in zip(ref.params, ref.grads):
                p -= 0.4 * g
        losses.append(total / len(X))
    for p, q in zip(net.params, ref.params):
        np.testing.assert_array_equal(p, q)
    np.testing.assert_allclose(h.loss, losses, rtol=1e-12)


def test_a_bad_class_label_anywhere_is_refused_before_any_update():
    X, y = _data(6, [3, 4, 3], "cross_entropy", 1)
    y = y.copy()
    y[-1] = 3                                # the last sample, seen in the last step
    net = MLP([3, 4, 3], ["tanh", "softmax"], seed=0)
    before = [p.copy() for p in net.params]
    with pytest.raises(ValueError, match=r"^MLP\.backward: class labels must be in 0\.\.2"):
        train(net, X, y, SGD(0.1), loss="cross_entropy", epochs=1, batch_size=1, shuffle=False)
    for p, q in zip(net.params, before):
        np.testing.assert_array_equal(p, q)


def test_train_steps_on_views_of_x_itself_when_not_shuffling():
    seen = []

    class Watching(MLP):
        def forward(self, X):
            seen.append(X)
            return super().forward(X)

    X, y = _data(9, [3, 4, 2], "quadratic", 0)
    train(Watching([3, 4, 2], seed=0), X, y, SGD(0.1), epochs=2, batch_size=4, shuffle=False)
    assert len(seen) == 6 and all(np.shares_memory(Xb, X) for Xb in seen)


def test_train_never_copies_x():
    # a copy of X (or a shuffled copy of it per epoch) would show as at least X.nbytes more
    # memory at the peak; one epoch of shuffled mini-batches needs a few batches' worth
    rng = np.random.default_rng(0)
    X = rng.normal(size=(4000, 50))                        # 1.6 MB
    y = np.eye(3)[rng.integers(0, 3, 4000)]
    net = MLP([50, 16, 3], ["relu", "softmax"], seed=0)
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        start = tracemalloc.get_traced_memory()[0]
        train(net, X, y, SGD(0.1), loss="cross_entropy", epochs=1, batch_size=64, seed=0)
        peak = tracemalloc.get_traced_memory()[1] - start
    finally:
        tracemalloc.stop()
    assert peak < X.nbytes / 8, (f"train() needed {peak} bytes more at its peak, for X of "
                                 f"{X.nbytes} bytes: it copies X")


@pytest.mark.parametrize("name", A.NAMES)
def test_the_networks_activation_kernels_are_the_activations(name):
    # the network's kernels (scipy's expit for the sigmoid, a softmax summing its rows by a
    # product with ones, ...) give the values of the public functions, never change z and
    # stay silent on the extremes
    rng = np.random.default_rng(5)
    z = np.vstack([rng.normal(scale=4.0, size=(6, 4)),
                   [[-1e4, 1e4, 0.0, -745.0], [-709.5, 30.0, -30.0, 1e-300]]])
    z0 = z.copy()
    with np.errstate(all="raise"):
        got = A._fast_kernel(name)(z)
    np.testing.assert_array_equal(z, z0)
    want = A.get_activation(name).f(z)
    np.testing.assert_allclose(got, want, rtol=1e-14, atol=1e-300)
    assert got.dtype == np.float64 and got.shape == z.shape
