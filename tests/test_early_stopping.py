"""backproplab.early_stopping: the EarlyStopping callback for train(), and fit() on lists.

fit() is checked step by step against a hand computation (one batch: exactly Samatova's
momentum step on layers.backward's gradients), against the package's other route (MLP +
Momentum + train() + EarlyStopping: the same curves, number for number), and on what early
stopping promises: it stops `patience` epochs after the lowest validation loss and returns
that epoch's weights. Hostile input is refused with the function's name.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given

from backproplab import layers
from backproplab.datasets import load_digits, one_hot
from backproplab.early_stopping import EarlyStopping, fit
from backproplab.init import xavier_normal
from backproplab.losses import cross_entropy
from backproplab.network import MLP
from backproplab.optimizers import Momentum, constant, fixed_then_decay, step_decay
from backproplab.preprocessing import standardise
from backproplab.training import DivergenceWarning, train
from test_robustness import HOSTILE, SETTINGS, outcome_is_acceptable


def _problem(seed=0, n=(120, 40), sizes=(64, 12, 10)):
    X, y = load_digits(scale=False)
    rows = np.random.default_rng(seed).permutation(len(y))
    tr, va = rows[:n[0]], rows[n[0]:n[0] + n[1]]
    X_train, X_val = standardise(X[tr], X[va])
    rng = np.random.default_rng(seed + 1)
    weights = [xavier_normal(m, k, rng) for m, k in zip(sizes[:-1], sizes[1:])]
    biases = [np.zeros(k) for k in sizes[1:]]
    return weights, biases, X_train, one_hot(y[tr], 10), X_val, one_hot(y[va], 10)


ACTS = ["relu", "softmax"]


def test_one_epoch_of_one_batch_is_one_momentum_step_by_hand():
    W, b, X, Y, Xv, Yv = _problem()
    gamma = 0.3
    W1, b1, history = fit(W, b, ACTS, X, Y, Xv, Yv, 0, epochs=1, batch_size=len(X),
                          schedule=constant(gamma), momentum=0.9, patience=1)
    order = np.random.default_rng(0).permutation(len(X))
    gW, gb = layers.backward(X[order], Y[order], W, b, ACTS, loss="cross_entropy")
    for mine, start, g in zip(W1 + b1, W + b, gW + gb):
        np.testing.assert_allclose(mine, start - gamma * g, rtol=1e-12, atol=1e-15)
    assert history["train_loss"] == [pytest.approx(cross_entropy(layers.forward(X, W1, b1, ACTS), Y))]
    assert history["val_loss"] == [pytest.approx(cross_entropy(layers.forward(Xv, W1, b1, ACTS), Yv))]


def test_two_batches_carry_the_momentum_over():
    W, b, X, Y, Xv, Yv = _problem()
    half = len(X) // 2
    W1, b1, _ = fit(W, b, ACTS, X, Y, Xv, Yv, 3, epochs=1, batch_size=half,
                    schedule=constant(0.1), momentum=0.5, patience=1)
    order = np.random.default_rng(3).permutation(len(X))
    params, step = [p.copy() for p in W + b], None
    for part in (order[:half], order[half:]):
        grads = layers.backward(X[part], Y[part], params[:2], params[2:], ACTS, loss="cross_entropy")
        g = grads[0] + grads[1]
        step = [-0.1 * gi + (0.5 * s if step else 0.0) for gi, s in zip(g, step or g)]
        params = [p + s for p, s in zip(params, step)]
    for mine, want in zip(W1 + b1, params):
        np.testing.assert_allclose(mine, want, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("batch_size, schedule, momentum, patience", [
    (32, fixed_then_decay(0.1, hold=3, rate=0.5), 0.9, 2),
    (25, step_decay(0.05, drop=0.5, every=2), 0.8, 3),      # a last batch of 20
])
def test_fit_is_mlp_train_and_early_stopping_number_for_number(batch_size, schedule, momentum, patience):
    W, b, X, Y, Xv, Yv = _problem(seed=4)
    W1, b1, history = fit(W, b, ACTS, X, Y, Xv, Yv, np.random.default_rng(9), epochs=20,
                          batch_size=batch_size, schedule=schedule, momentum=momentum, patience=patience)
    net = MLP([64, 12, 10], ACTS)
    net.weights, net.biases = W, b
    stopper = EarlyStopping(net, Xv, Yv, patience=patience, X_train=X, y_train=Y)
    train(net, X, Y, Momentum(schedule(0), momentum), loss="cross_entropy", epochs=20,
          batch_size=batch_size, seed=np.random.default_rng(9), schedule=schedule, callback=stopper)
    assert stopper.val_loss == history["val_loss"] and stopper.train_loss == history["train_loss"]
    stopper.restore()
    for mine, theirs in zip(W1 + b1, list(net.weights) + list(net.biases)):
        assert np.array_equal(mine, theirs)


def test_fit_stops_patience_epochs_after_the_best_and_returns_its_weights():
    W, b, X, Y, Xv, Yv = _problem(seed=6)
    W1, b1, history = fit(W, b, ACTS, X, Y, Xv, Yv, 1, epochs=60, batch_size=20,
                          schedule=constant(0.2), momentum=0.9, patience=3)
    val = history["val_loss"]
    best = int(np.argmin(val))
    assert len(val) == best + 1 + 3 < 60
    assert all(v >= val[best] for v in val[best + 1:])
    assert cross_entropy(layers.forward(Xv, W1, b1, ACTS), Yv) == pytest.approx(val[best], rel=1e-12)


def test_fit_leaves_the_given_network_alone():
    W, b, X, Y, Xv, Yv = _problem()
    saved = [p.copy() for p in W + b]
    fit(W, b, ACTS, X, Y, Xv, Yv, 0, epochs=2, batch_size=30, schedule=constant(0.1), momentum=0.9,
        patience=2)
    assert all(np.array_equal(p, s) for p, s in zip(W + b, saved))


def test_a_diverging_fit_warns_once_and_says_what_to_do():
    W, b, X, Y, Xv, Yv = _problem()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(RuntimeError, match="fit: training diverged in the first epoch"):
            fit(W, b, ["linear", "softmax"], X * 1e6, Y, Xv, Yv, 0, epochs=5, batch_size=10,
                schedule=constant(1e12), momentum=0.9, patience=2)
    assert [w.category for w in caught] == [DivergenceWarning]
    assert "Lower the learning rate" in str(caught[0].message)


def test_early_stopping_callback_keeps_copies_and_restores_them():
    W, b, X, Y, Xv, Yv = _problem()
    net = MLP([64, 12, 10], ACTS)
    net.weights, net.biases = W, b
    stopper = EarlyStopping(net, Xv, Yv, patience=2)
    assert stopper(0, None) is False and stopper.best_epoch == 0
    kept = [w.copy() for w in net.weights]
    net.weights[0] += 5.0                         # a worse network
    assert stopper(1, None) is False and stopper(2, None) is True   # two epochs without a new best
    stopper.restore()
    assert all(np.array_equal(a, w) for a, w in zip(net.weights, kept))
    assert stopper.train_loss == []               # no training data given, none measured


@pytest.mark.parametrize("call, message", [
    (lambda p: fit(p[0][:1], p[1], ACTS, *p[2:], 0, epochs=1, batch_size=5, schedule=constant(0.1),
                   momentum=0.9, patience=1), "fit: weights, biases and activations need one entry per layer"),
    (lambda p: fit(p[0], p[1], ["relu", "relu"], *p[2:], 0, epochs=1, batch_size=5,
                   schedule=constant(0.1), momentum=0.9, patience=1), "fit: the cross_entropy loss needs outputs"),
    (lambda p: fit(p[0], p[1], ACTS, p[2][:, :5], *p[3:], 0, epochs=1, batch_size=5,
                   schedule=constant(0.1), momentum=0.9, patience=1), r"fit: X has shape \(120, 5\) but the first layer takes 64"),
    (lambda p: fit(p[0], p[1], ACTS, *p[2:], 0, epochs=1, batch_size=5, schedule=lambda e: -1.0,
                   momentum=0.9, patience=1), "fit: schedule.0. must be > 0.0"),
    (lambda p: fit(p[0], p[1], ACTS, *p[2:], 0, epochs=1, batch_size=5, schedule=constant(0.1),
                   momentum=1.5, patience=1), "fit: momentum"),
    (lambda p: EarlyStopping(MLP([64, 12, 10], ACTS), p[4][:, :3], p[5]), "EarlyStopping: X_val and y_val do not fit"),
    (lambda p: EarlyStopping("net", p[4], p[5]), "EarlyStopping: net must be an MLP"),
])
def test_refusals_say_what_is_wrong(call, message):
    with pytest.raises((TypeError, ValueError), match=message):
        call(_problem())


SMALL = _problem(n=(10, 5), sizes=(64, 3, 10))


@SETTINGS
@given(h=HOSTILE)
def test_fit_hostile_input(h):
    W, b, X, Y, Xv, Yv = SMALL
    kw = dict(epochs=2, batch_size=5, schedule=constant(0.1), momentum=0.9, patience=1)
    for position in range(8):
        args = [W, b, ACTS, X, Y, Xv, Yv, 0]
        args[position] = h
        outcome_is_acceptable(lambda: fit(*args, **kw), "fit")
    for key in ("batch_size", "schedule", "momentum", "patience"):
        outcome_is_acceptable(lambda: fit(W, b, ACTS, X, Y, Xv, Yv, 0, **{**kw, key: h}), "fit")
    outcome_is_acceptable(lambda: fit(W, b, ACTS, X, Y, Xv, Yv, 0, **{**kw, "epochs": h})
                          if not (isinstance(h, int) and h > 100) else None, "fit")
