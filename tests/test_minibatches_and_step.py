"""training.minibatches (the batches of one epoch) and optimizers.sgd_step (one step, in place).

minibatches is what train() draws its batches from, so a loop written with it and sgd_step
must reproduce train() with SGD number for number (Kauchak's loop: shuffle, then one update
per batch).
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backproplab.network import MLP
from backproplab.optimizers import SGD, sgd_step
from backproplab.training import minibatches, train

SETTINGS = settings(deadline=None, max_examples=40, derandomize=True)


def _data(n, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 3)), rng.normal(size=(n, 2))


@SETTINGS
@given(st.integers(1, 30), st.integers(1, 35), st.integers(0, 2**32 - 1))
def test_every_sample_once_in_batches_of_the_given_size(n, batch_size, seed):
    X, y = _data(n, seed % 7)
    rng = np.random.default_rng(seed)
    batches = list(minibatches(X, y, batch_size, rng))
    sizes = [len(Xb) for Xb, _ in batches]
    B = min(batch_size, n)
    assert sizes == [B] * (n // B) + ([n % B] if n % B else [])
    assert len(batches) == math.ceil(n / batch_size)
    order = np.random.default_rng(seed).permutation(n)       # one permutation, as documented
    assert np.array_equal(np.vstack([Xb for Xb, _ in batches]), X[order])
    assert np.array_equal(np.vstack([yb for _, yb in batches]), y[order])
    # the generator was used by exactly that one call
    assert rng.random() == _after_one_permutation(seed, n)


def _after_one_permutation(seed, n):
    rng = np.random.default_rng(seed)
    rng.permutation(n)
    return rng.random()


def test_without_rng_the_order_is_kept_and_the_last_batch_is_smaller():
    X, y = _data(7)
    batches = list(minibatches(X, y[:, 0], 3))
    assert [len(b) for b, _ in batches] == [3, 3, 1]
    assert np.array_equal(np.vstack([b for b, _ in batches]), X)
    assert np.array_equal(np.concatenate([t for _, t in batches]), y[:, 0])


def test_consecutive_epochs_get_new_orders_from_one_generator():
    X, y = _data(12)
    rng = np.random.default_rng(5)
    first = np.vstack([b for b, _ in minibatches(X, y, 5, rng)])
    second = np.vstack([b for b, _ in minibatches(X, y, 5, rng)])
    assert not np.array_equal(first, second)
    check = np.random.default_rng(5)
    assert np.array_equal(first, X[check.permutation(12)])
    assert np.array_equal(second, X[check.permutation(12)])


def test_inputs_are_not_modified():
    X, y = _data(9)
    X0, y0 = X.copy(), y.copy()
    for Xb, yb in minibatches(X, y, 4, np.random.default_rng(0)):
        pass
    assert np.array_equal(X, X0) and np.array_equal(y, y0)


@pytest.mark.parametrize("batch_size", [1, 4, 10])
def test_a_loop_of_minibatches_and_sgd_step_is_train_with_sgd(batch_size):
    X, y = _data(10)
    a, b = MLP([3, 4, 2], seed=1), MLP([3, 4, 2], seed=1)
    train(a, X, y, SGD(0.3), epochs=3, batch_size=batch_size, seed=np.random.default_rng(11))
    rng = np.random.default_rng(11)
    for _ in range(3):
        # train() does not shuffle a single full batch (the order cannot matter there)
        for Xb, yb in minibatches(X, y, batch_size, rng if batch_size < 10 else None):
            b.forward(Xb)
            gW, gb = b.backward(yb)
            sgd_step(b.params, [g for pair in zip(gW, gb) for g in pair], 0.3)
    assert all(np.array_equal(p, q) for p, q in zip(a.params, b.params))


@pytest.mark.parametrize("args, error, words", [
    ((np.ones(3), np.ones(3), 2), ValueError, "X has shape (3,) but must be 2-D"),
    ((np.ones((3, 2)), np.ones(4), 2), ValueError, "one row per sample (3)"),
    ((np.ones((3, 2)), np.ones(3), 0), ValueError, "batch_size must be >= 1"),
    ((np.ones((3, 2)), np.ones(3), 2.0), TypeError, "batch_size must be an integer"),
    ((np.ones((3, 2)), np.ones(3), 2, 7), TypeError, "a seed here would give every epoch the same order"),
    ((np.ones((0, 2)), np.ones(0), 2), ValueError, "no sample"),
])
def test_minibatches_bad_input(args, error, words):
    with pytest.raises(error, match="minibatches") as info:
        minibatches(*args)
    assert words in str(info.value)


# -- sgd_step ---------------------------------------------------------------------------------

def test_sgd_step_changes_the_very_arrays_given():
    W, b = np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([0.5, -0.5])
    ids = (id(W), id(b))
    assert sgd_step([W, b], [np.array([[1.0, 0.0], [0.0, -1.0]]), np.array([2.0, 2.0])], 0.5) is None
    assert (id(W), id(b)) == ids
    assert np.array_equal(W, [[0.5, 2.0], [3.0, 4.5]]) and np.array_equal(b, [-0.5, -1.5])


def test_sgd_step_through_views_trains_the_network():
    # Kang's W^(k) is the transpose of the course's W: stepping the view steps the network
    net = MLP([3, 2], seed=0)
    W0 = net.weights[0].copy()
    g = np.arange(6.0).reshape(2, 3)
    sgd_step([net.weights[0].T], [g], 0.25)
    assert np.array_equal(net.weights[0], W0 - 0.25 * g.T)


@SETTINGS
@given(st.lists(st.floats(-1e3, 1e3), min_size=1, max_size=6), st.floats(1e-4, 10.0))
def test_sgd_step_is_samatovas_update_with_no_momentum(values, lr):
    w = np.array(values)
    g = np.linspace(-2, 3, len(values))
    expected = w - lr * g
    other = w.copy()
    sgd_step([w], [g], lr)
    SGD(lr).step([other], [g])
    assert np.array_equal(w, expected) and np.array_equal(w, other)


@pytest.mark.parametrize("args, error, words", [
    (([np.ones(2)], [np.ones(3)], 0.1), ValueError, "grads[0] has shape (3,) but params[0] has shape (2,)"),
    (([np.ones(2)], [np.ones(2)], 0.0), ValueError, "must be > 0"),
    (([np.ones(2)], [np.ones(2), np.ones(2)], 0.1), ValueError, "got 1 params but 2 grads"),
    (([[1.0, 2.0]], [np.ones(2)], 0.1), TypeError, "to be updated in place"),
    (([np.ones(2, dtype=int)], [np.ones(2)], 0.1), TypeError, "integer array"),
])
def test_sgd_step_bad_input(args, error, words):
    with pytest.raises(error, match="sgd_step") as info:
        sgd_step(*args)
    assert words in str(info.value)
