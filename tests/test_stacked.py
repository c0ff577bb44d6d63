"""backproplab.stacked.train_stacked: many networks of one shape trained at once (lesson 06).

Each network must take exactly the steps train() takes for it alone with the same order of
the samples: checked for full batch, online and mini-batches, several depths and activations;
then the recorded losses and solved_at against the networks themselves, and bad input.
"""
from __future__ import annotations

import numpy as np
import pytest

from backproplab.datasets import logic_gate
from backproplab.network import MLP
from backproplab.optimizers import SGD
from backproplab.stacked import StackedHistory, train_stacked
from backproplab.training import train

SHAPES = [([2, 3, 1], ["sigmoid", "sigmoid"]), ([3, 4, 3, 2], ["tanh", "relu", "sigmoid"]),
          ([2, 5, 1], ["leaky_relu", "linear"])]


def _data(sizes, n=6, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, sizes[0])), rng.uniform(0.0, 1.0, size=(n, sizes[-1]))


@pytest.mark.parametrize("sizes, acts", SHAPES)
@pytest.mark.parametrize("batch_size", [None, 1, 4])
def test_each_network_takes_trains_steps(sizes, acts, batch_size):
    X, y = _data(sizes)
    nets = [MLP(sizes, acts, seed=s) for s in range(4)]
    history = train_stacked(nets, X, y, 0.3, 7, batch_size=batch_size, seed=11)
    for s, net in enumerate(nets):
        alone = MLP(sizes, acts, seed=s)
        train(alone, X, y, SGD(0.3), epochs=7, batch_size=batch_size, seed=11)
        for p, q in zip(net.params, alone.params):
            np.testing.assert_allclose(p, q, rtol=1e-12, atol=1e-14)
        assert history.loss[-1, s] == pytest.approx(alone.loss(X, y), rel=1e-12)


def test_losses_and_errors_are_measured_after_every_epoch():
    X, y = logic_gate("xor")
    nets = [MLP([2, 2, 1], seed=s) for s in range(3)]
    starts = [MLP([2, 2, 1], seed=s).loss(X, y) for s in range(3)]
    history = train_stacked(nets, X, y, 2.0, 5)
    assert isinstance(history, StackedHistory)
    assert history.loss.shape == history.max_error.shape == (6, 3)
    np.testing.assert_allclose(history.loss[0], starts, rtol=1e-12)
    for s, net in enumerate(nets):
        assert history.max_error[-1, s] == pytest.approx(np.abs(net.forward(X) - y).max(), rel=1e-12)
    # row e is after epoch e: one more epoch from the saved state gives the next row
    again = [MLP([2, 2, 1], seed=s) for s in range(3)]
    train_stacked(again, X, y, 2.0, 4)
    np.testing.assert_allclose(train_stacked(again, X, y, 2.0, 1).loss[1], history.loss[5], rtol=1e-12)


def test_solved_at_is_the_first_epoch_with_every_sample_on_its_side():
    history = StackedHistory(loss=np.zeros((4, 3)),
                             max_error=np.array([[0.9, 0.4, 0.9], [0.6, 0.3, 0.9],
                                                 [0.45, 0.6, 0.9], [0.3, 0.2, 0.8]]))
    np.testing.assert_array_equal(history.solved_at(), [2, 0, -1])
    np.testing.assert_array_equal(history.solved_at(threshold=0.35), [3, 1, -1])


def test_xor_is_solved_exactly_when_predict_gets_all_four_right():
    X, y = logic_gate("xor")
    nets = [MLP([2, 3, 1], seed=s) for s in range(20)]
    history = train_stacked(nets, X, y, 2.8, 400)
    solved = history.max_error[-1] < 0.5
    assert 0 < solved.sum() < 20          # some, not all, within 400 epochs: both branches tested
    for net, ok in zip(nets, solved):
        assert np.array_equal(net.predict(X), y) == ok


@pytest.mark.parametrize("call, exc, match", [
    (lambda X, y: train_stacked([], X, y, 0.1, 1), TypeError, r"^train_stacked: nets must be a non-empty list"),
    (lambda X, y: train_stacked([MLP([2, 2, 1]), MLP([2, 3, 1])], X, y, 0.1, 1), ValueError,
     r"^train_stacked: nets\[1\] is MLP\(\[2, 3, 1\].* but nets\[0\] is MLP\(\[2, 2, 1\]"),
    (lambda X, y: train_stacked([MLP([2, 2], "softmax")], X, np.eye(2)[[0, 1, 1, 0]], 0.1, 1), ValueError,
     r"^train_stacked: softmax couples its outputs"),
    (lambda X, y: train_stacked([MLP([3, 2, 1])], X, y, 0.1, 1), ValueError,
     r"^train_stacked: X has shape \(4, 2\) and y \(4, 1\), but the networks \[3, 2, 1\] need X \(n, 3\)"),
    (lambda X, y: train_stacked([MLP([2, 2, 1])], X, y, 0.0, 1), ValueError, r"^train_stacked: lr must be > 0.0"),
    (lambda X, y: train_stacked([MLP([2, 2, 1])], X, y, 0.1, 1, batch_size=5), ValueError,
     r"^train_stacked: batch_size 5 is larger than the 4 samples"),
    (lambda X, y: train_stacked([MLP([2, 2, 1])], X, y, 0.1, 10**9), ValueError,
     r"^train_stacked: the loss history would have 1000000001 elements"),
])
def test_bad_arguments_are_refused(call, exc, match):
    X, y = logic_gate("xor")
    with pytest.raises(exc, match=match):
        call(X, y)
