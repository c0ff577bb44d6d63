"""train(): batch / online / mini-batch semantics, determinism, learning XOR, divergence,
early stopping, schedules, callbacks and bad input.

Reference runs are written out here as plain loops over the MLP's own forward, backward and
the optimizer update, so train() is checked against the algorithm it documents.
"""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backproplab.datasets import logic_gate, make_moons
from backproplab.network import MLP
from backproplab.optimizers import SGD, Momentum, Nesterov, step_decay
from backproplab.training import DivergenceWarning, History, train, train_batch, train_online


def data(n=10, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    y = rng.uniform(0.1, 0.9, size=(n, 2))
    return X, y


def net_for(seed=1, acts="sigmoid"):
    return MLP([3, 4, 2], acts, seed=seed)


class SpyNet:
    """An MLP that records the batch each forward pass sees."""

    def __init__(self, net):
        self._net = net
        self.batches = []

    def forward(self, X):
        self.batches.append(np.array(X))
        return self._net.forward(X)

    def __getattr__(self, name):
        return getattr(self._net, name)


class SpySGD(SGD):
    """SGD that counts its steps."""

    def __init__(self, lr):
        super().__init__(lr)
        self.calls = 0

    def step(self, params, grads):
        self.calls += 1
        super().step(params, grads)


def manual_sgd(net, X, y, lr, epochs, batch, loss="quadratic", l2=0.0, lrs=None):
    """The documented loop, with no shuffling: batches in row order."""
    n = X.shape[0]
    for e in range(epochs):
        rate = lrs[e] if lrs is not None else lr
        for s in range(0, n, batch):
            net.forward(X[s:s + batch])
            gW, gb = net.backward(y[s:s + batch], loss, l2)
            for W, g in zip(net.weights, gW):
                W -= rate * g
            for b, g in zip(net.biases, gb):
                b -= rate * g


def same_params(a, b):
    return all(np.array_equal(p, q) for p, q in zip(a.params, b.params))


# ----------------------------------------------------------------------------- semantics

@pytest.mark.parametrize("batch_size, per_epoch", [(None, 1), (10, 1), (1, 10), (3, 4), (5, 2), (9, 2)])
def test_steps_per_epoch(batch_size, per_epoch):
    X, y = data(10)
    opt = SpySGD(0.1)
    h = train(net_for(), X, y, opt, epochs=3, batch_size=batch_size, seed=0)
    assert opt.calls == 3 * per_epoch == h.steps


@settings(deadline=None, max_examples=25, derandomize=True)
@given(st.integers(1, 12), st.integers(1, 3), st.booleans())
def test_every_sample_once_per_epoch_in_batches_of_the_given_size(batch_size, epochs, shuffle):
    X, y = data(12)
    spy = SpyNet(net_for())
    train(spy, X, y, SGD(0.1), epochs=epochs, batch_size=batch_size, shuffle=shuffle, seed=3)
    per_epoch = math.ceil(12 / batch_size)
    sizes = [b.shape[0] for b in spy.batches]
    expected = [batch_size] * (12 // batch_size) + ([12 % batch_size] if 12 % batch_size else [])
    assert sizes == expected * epochs
    for e in range(epochs):
        seen = np.vstack(spy.batches[e * per_epoch:(e + 1) * per_epoch])
        # a permutation of the rows of X
        assert np.array_equal(np.sort(seen, axis=0), np.sort(X, axis=0))
        assert len({row.tobytes() for row in seen}) == 12
        if not shuffle:
            assert np.array_equal(seen, X)


@pytest.mark.parametrize("batch_size", [None, 1, 3])
def test_unshuffled_training_is_the_plain_loop(batch_size):
    X, y = data(10)
    a, b = net_for(), net_for()
    h = train(a, X, y, SGD(0.5), epochs=4, batch_size=batch_size, shuffle=False)
    manual_sgd(b, X, y, 0.5, 4, batch_size or 10)
    assert same_params(a, b)
    assert h.epochs_run == 4 and h.stop_reason == "epochs" and not h.diverged and not h.stopped_early


def test_shuffled_minibatches_follow_the_seeded_permutations():
    # documented: a Generator from `seed` draws one permutation of the rows per epoch
    X, y = data(10)
    a, b = net_for(), net_for()
    train(a, X, y, SGD(0.5), epochs=3, batch_size=4, seed=42)
    rng = np.random.default_rng(42)
    for _ in range(3):
        order = rng.permutation(10)
        manual_sgd(b, X[order], y[order], 0.5, 1, 4)
    assert same_params(a, b)


def test_full_batch_loss_is_the_loss_at_the_start_of_each_epoch():
    X, y = data(10)
    net, twin = net_for(), net_for()
    h = train(net, X, y, SGD(0.5), epochs=3, l2=0.01)
    for e in range(3):
        assert h.loss[e] == pytest.approx(twin.loss(X, y, "quadratic", 0.01), rel=1e-12)
        manual_sgd(twin, X, y, 0.5, 1, 10, l2=0.01)
    assert same_params(net, twin)
    assert net.loss(X, y, "quadratic", 0.01) < h.loss[-1] < h.loss[0]


def test_minibatch_epoch_loss_is_the_sample_weighted_mean_of_the_batch_losses():
    # n = 5, batch 2: batches of 2, 2, 1 samples, each loss taken before its own step
    X, y = data(5)
    net, twin = net_for(), net_for()
    h = train(net, X, y, SGD(0.5), epochs=1, batch_size=2, shuffle=False)
    total = 0.0
    for s in range(0, 5, 2):
        Xb, yb = X[s:s + 2], y[s:s + 2]
        total += twin.loss(Xb, yb) * len(Xb)
        manual_sgd(twin, Xb, yb, 0.5, 1, 2)
    assert h.loss == [pytest.approx(total / 5, rel=1e-12)]


def test_grad_norm_is_the_global_norm_of_the_last_batch_gradient():
    X, y = data(10)
    net, twin = net_for(), net_for()
    h = train(net, X, y, SGD(0.5), epochs=1)
    twin.forward(X)
    gW, gb = twin.backward(y)
    expected = math.sqrt(sum(np.sum(g * g) for g in gW + gb))
    assert h.grad_norm == [pytest.approx(expected, rel=1e-12)]


def test_deterministic_for_a_seed_and_different_across_seeds():
    X, y = data(20)
    runs = []
    for seed in (7, 7, 8):
        net = net_for()
        h = train(net, X, y, Momentum(0.3), epochs=5, batch_size=3, seed=seed)
        runs.append((net, h))
    assert same_params(runs[0][0], runs[1][0]) and runs[0][1].loss == runs[1][1].loss
    assert not same_params(runs[0][0], runs[2][0])


def test_inputs_are_not_mutated():
    X, y = data(10)
    X0, y0 = X.copy(), y.copy()
    train(net_for(), X, y, Nesterov(0.1), epochs=3, batch_size=3, seed=0)
    assert np.array_equal(X, X0) and np.array_equal(y, y0)


def test_parameters_are_updated_in_place():
    X, y = data(10)
    net = net_for()
    W0 = net.weights[0]
    before = W0.copy()
    train(net, X, y, SGD(0.5), epochs=2)
    assert net.weights[0] is W0 and not np.array_equal(W0, before)


# ----------------------------------------------------------------------------- learning

def test_learns_xor_with_a_2_3_1_sigmoid_net():
    X, y = logic_gate("xor")
    net = MLP([2, 3, 1], "sigmoid", seed=0)
    h = train(net, X, y, SGD(2.0), loss="quadratic", epochs=3000)
    assert not h.diverged
    assert net.loss(X, y) < 0.005              # E = mean of 1/2 (y_hat - y)^2: outputs within 0.1
    assert np.array_equal(net.predict(X), y)
    assert h.loss[-1] < h.loss[0] / 10


def test_learns_moons_online_with_cross_entropy_and_softmax():
    X, labels = make_moons(100, 0.1, seed=0)
    net = MLP([2, 8, 2], ["tanh", "softmax"], seed=0)
    h = train(net, X, labels, Momentum(0.05), loss="cross_entropy", epochs=40, batch_size=1, seed=0)
    assert net.loss(X, labels, "cross_entropy") < 0.2 < h.loss[0]
    assert np.mean(net.predict(X) == labels) > 0.95


# ----------------------------------------------------------------------------- divergence

def test_divergence_stops_with_exactly_one_warning_and_no_numpy_warnings():
    X, y = logic_gate("xor")
    net = MLP([2, 4, 1], ["tanh", "linear"], seed=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        h = train(net, X, y, SGD(50.0), epochs=1000)
    assert h.diverged and h.stop_reason == "diverged" and not h.stopped_early
    assert h.epochs_run < 1000 and len(h.loss) == h.epochs_run
    assert not math.isfinite(h.loss[-1]) and all(math.isfinite(v) for v in h.loss[:-1])
    assert len(caught) == 1, [str(w.message) for w in caught]
    w = caught[0]
    assert issubclass(w.category, DivergenceWarning) and not issubclass(w.category, RuntimeWarning)
    msg = str(w.message)
    assert f"diverged at epoch {h.epochs_run - 1}" in msg and "lower the learning rate" in msg
    assert "lr = 50" in msg
    assert w.filename == __file__          # attributed to the caller, not to backproplab


def test_an_overflow_in_the_very_last_step_is_caught():
    # one full-batch step: the loss before it is finite, but lr * g overflows the weights
    X, y = data(10)
    net = MLP([3, 2], "linear", seed=0)
    with pytest.warns(DivergenceWarning, match="a parameter became inf or NaN in the last step") as record:
        h = train(net, X * 1e3, y, SGD(1e306), epochs=1)
    assert h.diverged and h.epochs_run == 1 and math.isfinite(h.loss[0]) and len(record) == 1


def test_a_non_finite_output_stops_before_any_update():
    X, y = data(10)
    net = net_for()
    net.weights[0][0, 0] = np.nan          # e.g. left over from an earlier diverged run
    before = [p.copy() for p in net.params]
    with pytest.warns(DivergenceWarning, match="output became inf or NaN in step 1") as record:
        h = train(net, X, y, SGD(0.1), epochs=5)
    assert h.diverged and h.steps == 0 and h.epochs_run == 1 and len(record) == 1
    assert all(np.array_equal(p, q, equal_nan=True) for p, q in zip(net.params, before))


def test_divergence_in_online_mode_also_warns_once():
    X, y = data(10)
    net = MLP([3, 4, 2], ["relu", "linear"], seed=0)
    with pytest.warns(DivergenceWarning) as record:
        h = train(net, X * 100, y, SGD(10.0), epochs=200, batch_size=1, seed=0)
    assert h.diverged and len(record) == 1


def test_a_healthy_run_emits_no_warning():
    X, y = data(10)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        h = train(net_for(), X, y, SGD(0.1), epochs=5)
    assert not h.diverged


# ----------------------------------------------------------------------------- tol, schedule, callback

def test_tol_stops_when_the_gradient_norm_is_small():
    X, y = logic_gate("and")
    net = MLP([2, 1], "sigmoid", seed=0)
    h = train(net, X, y, SGD(5.0), epochs=20000, tol=1e-3)
    assert h.stop_reason == "tol" and h.stopped_early and h.epochs_run < 20000
    assert h.grad_norm[-1] < 1e-3 <= min(h.grad_norm[:-1])


def test_tol_never_reached_runs_all_epochs():
    X, y = logic_gate("xor")
    h = train(MLP([2, 1], "sigmoid", seed=0), X, y, SGD(0.1), epochs=20, tol=1e-12)
    assert h.epochs_run == 20 and h.stop_reason == "epochs" and not h.stopped_early


def test_schedule_sets_the_learning_rate_of_every_epoch():
    X, y = data(10)
    sched = step_decay(0.8, drop=0.5, every=2)
    net, twin = net_for(), net_for()
    opt = SGD(1.0)
    h = train(net, X, y, opt, epochs=5, schedule=sched)
    assert h.lr == [0.8, 0.8, 0.4, 0.4, 0.2]
    assert opt.lr == 0.2
    manual_sgd(twin, X, y, None, 5, 10, lrs=[0.8, 0.8, 0.4, 0.4, 0.2])
    assert same_params(net, twin)


def test_without_schedule_lr_is_recorded_unchanged():
    X, y = data(10)
    h = train(net_for(), X, y, SGD(0.3), epochs=3)
    assert h.lr == [0.3, 0.3, 0.3]


def test_callback_sees_each_epoch_and_can_stop():
    X, y = data(10)
    seen = []

    def cb(epoch, history):
        assert isinstance(history, History)
        seen.append((epoch, len(history.loss), history.steps))
        return epoch == 2

    h = train(net_for(), X, y, SGD(0.1), epochs=10, batch_size=5, callback=cb, seed=0)
    assert seen == [(0, 1, 2), (1, 2, 4), (2, 3, 6)]
    assert h.stop_reason == "callback" and h.stopped_early and h.epochs_run == 3


def test_callback_returning_none_does_not_stop():
    X, y = data(10)
    h = train(net_for(), X, y, SGD(0.1), epochs=4, callback=lambda e, hist: None)
    assert h.epochs_run == 4 and h.stop_reason == "epochs"


# ----------------------------------------------------------------------------- bad input

@pytest.mark.parametrize("bad, where", [(np.nan, "X"), (np.inf, "y")])
def test_nan_or_inf_in_the_data_is_refused(bad, where):
    X, y = data(10)
    (X if where == "X" else y)[3, 1] = bad
    net = net_for()
    before = [p.copy() for p in net.params]
    with pytest.raises(ValueError, match=rf"train: {where} contains 1 NaN or infinite value\(s\)"):
        train(net, X, y, SGD(0.1), epochs=2)
    assert all(np.array_equal(p, q) for p, q in zip(net.params, before))


@pytest.mark.parametrize("kwargs, exc, msg", [
    ({"epochs": 0}, ValueError, "train: epochs must be >= 1, got 0"),
    ({"epochs": 2.5}, TypeError, "train: epochs must be an integer"),
    ({"batch_size": 0}, ValueError, r"train: batch_size must be between 1 \(online\) and the number of samples 10"),
    ({"batch_size": 11}, ValueError, "train: batch_size must be between 1.*got 11"),
    ({"batch_size": 2.0}, TypeError, r"train: batch_size must be None \(full batch\) or an integer"),
    ({"loss": "hinge"}, ValueError, "train: unknown loss 'hinge'; valid names are: 'quadratic'"),
    ({"l2": -1.0}, ValueError, "train: l2 must be >= 0.0, got -1.0"),
    ({"tol": 0.0}, ValueError, "train: tol must be > 0.0, got 0.0"),
    ({"shuffle": 1}, TypeError, "train: shuffle must be True or False"),
    ({"seed": "abc"}, TypeError, "train: seed must be None, a non-negative int"),
    ({"schedule": 0.1}, TypeError, "train: schedule must be None or a callable, got float"),
    ({"callback": "print"}, TypeError, "train: callback must be None or a callable, got str"),
    ({"schedule": lambda e: -0.1}, ValueError, r"train: schedule\(0\) returned -0.1, which is not a valid learning rate"),
])
def test_bad_arguments(kwargs, exc, msg):
    X, y = data(10)
    with pytest.raises(exc, match=msg):
        train(net_for(), X, y, SGD(0.1), **kwargs)


def test_bad_data_shapes():
    X, y = data(10)
    with pytest.raises(ValueError, match=r"train: X has 10 samples \(shape \(10, 3\)\) but y has 9 \(shape \(9, 2\)\)"):
        train(net_for(), X, y[:9], SGD(0.1))
    with pytest.raises(ValueError, match=r"train: X must be 2-D, got shape \(10,\)"):
        train(net_for(), X[:, 0], y, SGD(0.1))
    with pytest.raises(ValueError, match=r"MLP.forward: X has shape \(10, 2\) but the first layer takes 3 features"):
        train(net_for(), X[:, :2], y, SGD(0.1))


def test_bad_net_and_optimizer():
    X, y = data(10)
    with pytest.raises(TypeError, match="train: net must be an MLP .* got list without .forward"):
        train([1, 2], X, y, SGD(0.1))
    with pytest.raises(TypeError, match=r"train: optimizer must have a step\(params, grads\) method .* got float"):
        train(net_for(), X, y, 0.1)


# -- lesson 06's loops: train_online (Kauchak) and train_batch (Samatova's XOR) ------------------

def test_train_online_is_kauchaks_loop_written_out():
    X, y = data(6)
    net, ref = net_for(3), net_for(3)
    losses = train_online(net, X, y, 0.3, 3, np.random.default_rng(8), l2=0.01)
    rng, expected = np.random.default_rng(8), []
    for _ in range(3):
        for i in rng.permutation(len(X)):        # one permutation per epoch, one update per example
            ref.forward(X[i:i + 1])
            ref.backward(y[i:i + 1], l2=0.01)
            for p, g in zip(ref.params, ref.grads):
                p -= 0.3 * g
        expected.append(ref.loss(X, y, l2=0.01))
    assert losses == expected
    assert all(np.array_equal(p, q) for p, q in zip(net.params, ref.params))


def test_train_batch_is_one_full_gradient_step_per_epoch():
    X, y = logic_gate("xor")
    net, ref = MLP([2, 3, 1], seed=5), MLP([2, 3, 1], seed=5)
    losses = train_batch(net, X, y, 0.7, 4, l2=0.02)
    expected = []
    for _ in range(4):
        ref.forward(X)
        ref.backward(y, l2=0.02)
        for p, g in zip(ref.params, ref.grads):
            p -= 0.7 * g
        expected.append(ref.loss(X, y, l2=0.02))
    assert losses == expected
    assert all(np.array_equal(p, q) for p, q in zip(net.params, ref.params))


def test_train_online_and_batch_refuse_bad_arguments():
    X, y = data(4)
    with pytest.raises(ValueError, match=r"^train_online: lr must be > 0.0, got 0.0"):
        train_online(net_for(), X, y, 0.0, 1, np.random.default_rng(0))
    with pytest.raises(TypeError, match=r"^train_batch: epochs must be an integer, got float 2.5"):
        train_batch(net_for(), X, y, 0.1, 2.5)
    with pytest.raises(TypeError, match=r"^train: seed must be None, a non-negative int or a numpy Generator"):
        train_online(net_for(), X, y, 0.1, 1, "rng")


@pytest.mark.parametrize("loop", ["train_online", "train_batch"])
def test_lesson06_loops_warn_of_divergence_in_their_own_name_at_the_callers_line(loop):
    X, y = logic_gate("xor")
    net = MLP([2, 4, 1], ["tanh", "linear"], seed=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if loop == "train_online":
            losses = train_online(net, X, y, 50.0, 1000, np.random.default_rng(0))
        else:
            losses = train_batch(net, X, y, 50.0, 1000)
    assert len(losses) < 1000
    assert len(caught) == 1, [str(w.message) for w in caught]
    w = caught[0]
    assert issubclass(w.category, DivergenceWarning)
    assert str(w.message).startswith(f"{loop}: training diverged"), str(w.message)
    assert w.filename == __file__, w.filename   # the student's call, not backproplab's frames
