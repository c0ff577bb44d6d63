"""Early stopping on a validation set: stop when the validation loss stops improving, keep the
best epoch's weights.

Samatova ("By Updating the Weights w/ Gradient Descent") ends back-propagation when the
gradient becomes insignificant or after a number of iterations. On real data a third rule is
the one that matters: the training loss keeps falling while the loss on data the network
does not train on (the validation set) turns back up — the network starts to memorise the
training set. Early stopping measures the validation loss after every epoch, remembers the
weights of the best epoch so far, and stops after `patience` epochs without a new best.

EarlyStopping is a callback for backproplab.training.train() on an MLP; fit() is the same
training for a network given as lists (weights, biases, activations), the form of the
lessons' exercises (lesson 09's training loop).
"""
from __future__ import annotations

import warnings

import numpy as np

from . import layers
from ._validate import as_float_array, choice, positive_int, real_number, rng_from
from .activations import NAMES as ACTIVATION_NAMES
from .deltas import _check_probability_output
from .layers import _layer_lists
from .losses import cross_entropy
from .optimizers import Momentum
from .training import DivergenceWarning

__all__ = ["EarlyStopping", "fit"]


def _data(X, Y, where, names, n_in=None, n_out=None):
    """X (n, n_in) and targets Y (n, n_out) as float64, finite, one row per sample each."""
    X = as_float_array(X, where, names[0], ndim=2, finite=True)
    Y = as_float_array(Y, where, names[1], ndim=2, finite=True)
    if X.shape[0] == 0 or X.shape[0] != Y.shape[0]:
        raise ValueError(f"{where}: {names[0]} has shape {X.shape} and {names[1]} {Y.shape}; they "
                         "need the same number of rows (samples), at least one")
    if n_in is not None and X.shape[1] != n_in:
        raise ValueError(f"{where}: {names[0]} has shape {X.shape} but the first layer takes "
                         f"{n_in} features")
    if n_out is not None and Y.shape[1] != n_out:
        raise ValueError(f"{where}: {names[1]} has shape {Y.shape} but the network has {n_out} "
                         "outputs (one-hot targets, one column per class)")
    return X, Y


class EarlyStopping:
    """Callback for train(..., callback=EarlyStopping(net, X_val, y_val)).

    After every epoch it measures net.loss on the validation set (and, if given, on the
    training set: the full-data loss after the epoch, which History.loss is not), keeps a copy
    of the weights whenever the validation loss is lower than every earlier one, and stops
    training (returns True) when `patience` epochs in a row brought no new best.
    Call restore() afterwards to put the best weights back into the network.

    net: an MLP; X_val (m, n_in) and y_val: its validation data (targets as net.loss takes
    them for `loss`). Attributes: val_loss, train_loss (one entry per epoch), best_epoch,
    best_loss, best_weights, best_biases.
    """

    def __init__(self, net, X_val, y_val, loss="cross_entropy", patience=5, X_train=None,
                 y_train=None):
        where = "EarlyStopping"
        for attr in ("loss", "weights", "biases"):
            if not hasattr(net, attr):
                raise TypeError(f"{where}: net must be an MLP (with loss, weights and biases), "
                                f"got {type(net).__name__} without .{attr}")
        self.patience = positive_int(patience, where, "patience")
        if (X_train is None) != (y_train is None):
            raise ValueError(f"{where}: give both X_train and y_train, or neither")
        # a first measurement checks the data, the targets and the loss's name at once
        for X, y, names in ((X_val, y_val, ("X_val", "y_val")), (X_train, y_train, ("X_train", "y_train"))):
            if X is not None:
                try:
                    net.loss(X, y, loss)
                except (TypeError, ValueError) as exc:
                    raise type(exc)(f"{where}: {names[0]} and {names[1]} do not fit the network "
                                    f"({exc})") from None
        self.net, self.X_val, self.y_val, self.loss = net, X_val, y_val, loss
        self.X_train, self.y_train = X_train, y_train
        self.val_loss, self.train_loss = [], []
        self.best_epoch, self.best_loss = None, np.inf
        self.best_weights = self.best_biases = None
        self._waited = 0

    def __call__(self, epoch, history) -> bool:
        net = self.net
        if self.X_train is not None:
            self.train_loss.append(net.loss(self.X_train, self.y_train, self.loss))
        current = net.loss(self.X_val, self.y_val, self.loss)
        self.val_loss.append(current)
        if current < self.best_loss:
            self.best_epoch, self.best_loss = epoch, current
            self.best_weights = [W.copy() for W in net.weights]
            self.best_biases = [b.copy() for b in net.biases]
            self._waited = 0
            return False
        self._waited += 1
        return self._waited >= self.patience

    def restore(self) -> None:
        """Put the best epoch's weights and biases back into the network."""
        if self.best_weights is None:
            raise RuntimeError("EarlyStopping.restore: no epoch had a finite validation loss yet")
        self.net.weights = self.best_weights
        self.net.biases = self.best_biases


def _network(weights, biases, activations, where):
    """The network's lists, checked: copies of the arrays, one activation name per layer."""
    _layer_lists(weights, biases, activations, where)
    weights = [as_float_array(W, where, f"weights[{l}]", ndim=2, finite=True) for l, W in enumerate(weights)]
    biases = [as_float_array(b, where, f"biases[{l}]", ndim=1, finite=True) for l, b in enumerate(biases)]
    for l, (W, b) in enumerate(zip(weights, biases)):
        if b.shape != (W.shape[1],) or (l and W.shape[0] != weights[l - 1].shape[1]):
            raise ValueError(f"{where}: layer {l} has weights of shape {W.shape} and biases of shape "
                             f"{b.shape}; the layers must chain: W^(l) (n_in, n_out), b^(l) (n_out,), "
                             f"shapes {[w.shape for w in weights]}")
    names = [choice(a, ACTIVATION_NAMES, where, "activation") for a in activations]
    _check_probability_output("cross_entropy", names[-1], where)
    return weights, biases, names


def _rate(schedule, epoch, where):
    try:
        value = schedule(epoch)
    except Exception as exc:
        raise TypeError(f"{where}: schedule({epoch}) failed: {type(exc).__name__}: {exc} (a "
                        "schedule is a function epoch -> learning rate, e.g. fixed_then_decay(0.05))") from None
    return real_number(value, where, f"schedule({epoch})", minimum=0.0, strict=True)


def fit(weights, biases, activations, X, Y, X_val, Y_val, rng, epochs, batch_size, schedule,
        momentum, patience):
    """Mini-batch gradient descent with momentum, a learning-rate schedule and early stopping.

    Every epoch e (counted from 0): the learning rate is gamma = schedule(e); the training
    samples are visited in the order rng.permutation(n) (drawn once at the start of the epoch,
    nothing else draws from rng), in batches of `batch_size` (the last one smaller if
    batch_size does not divide n); for each batch the gradient g of its mean cross-entropy is
    back-propagated (layers.backward) and every parameter takes Samatova's momentum step

        Delta w_t = -gamma * g + momentum * Delta w_{t-1},     w <- w + Delta w_t

    (Delta w starts at 0 and carries over from batch to batch and epoch to epoch: the
    optimizers.Momentum step). After the epoch the cross-entropy on all of (X, Y) and on
    (X_val, Y_val) is recorded; training stops after `patience` epochs in a row without a new
    lowest validation loss, or after `epochs`.

    weights, biases, activations: the network as lists, one entry per layer (a softmax last);
    they are not changed. Y, Y_val: one-hot targets. rng: a numpy Generator (or a seed).
    Returns (best_weights, best_biases, history): the weights of the epoch with the lowest
    validation loss, and history = {"train_loss": [...], "val_loss": [...]} with one float per
    epoch run. The same run as MLP + Momentum + train(..., seed=rng, schedule=schedule,
    callback=EarlyStopping(...)) from the same weights, whenever batch_size < n.
    """
    where = "fit"
    weights, biases, activations = _network(weights, biases, activations, where)
    X, Y = _data(X, Y, where, ("X", "Y"), weights[0].shape[0], weights[-1].shape[1])
    X_val, Y_val = _data(X_val, Y_val, where, ("X_val", "Y_val"), weights[0].shape[0], weights[-1].shape[1])
    rng = rng_from(rng, where)
    epochs = positive_int(epochs, where, "epochs")
    batch_size = positive_int(batch_size, where, "batch_size")
    patience = positive_int(patience, where, "patience")
    momentum = real_number(momentum, where, "momentum (alpha)", minimum=0.0)
    if momentum >= 1.0:
        raise ValueError(f"{where}: momentum (alpha) must be < 1, got {momentum}")
    if not callable(schedule):
        raise TypeError(f"{where}: schedule must be a function epoch -> learning rate (e.g. "
                        f"fixed_then_decay(0.05)), got {type(schedule).__name__}")
    params = [p for pair in zip(weights, biases) for p in pair]   # updated in place: copies
    optimizer = Momentum(_rate(schedule, 0, where), momentum)
    history = {"train_loss": [], "val_loss": []}
    best, best_loss, waited = None, np.inf, 0
    n = X.shape[0]
    for epoch in range(epochs):
        optimizer.lr = _rate(schedule, epoch, where)
        order = rng.permutation(n)
        with np.errstate(all="ignore"):   # a diverging run is caught below, without warnings
            for start in range(0, n, batch_size):
                batch = order[start:start + batch_size]
                grads_W, grads_b = layers.backward(X[batch], Y[batch], weights, biases, activations,
                                                   loss="cross_entropy")
                optimizer.step(params, [g for pair in zip(grads_W, grads_b) for g in pair])
            history["train_loss"].append(cross_entropy(layers.forward(X, weights, biases, activations), Y))
            val_loss = cross_entropy(layers.forward(X_val, weights, biases, activations), Y_val)
        history["val_loss"].append(val_loss)
        if not np.isfinite(val_loss) or not np.isfinite(history["train_loss"][-1]):
            warnings.warn(f"fit: training diverged in epoch {epoch} (a loss became {val_loss}); "
                          "stopped there. Lower the learning rate.", DivergenceWarning, stacklevel=2)
            break
        if val_loss < best_loss:
            best_loss, waited = val_loss, 0
            best = ([W.copy() for W in weights], [b.copy() for b in biases])
        else:
            waited += 1
            if waited >= patience:
                break
    if best is None:
        raise RuntimeError(f"{where}: training diverged in the first epoch, no weights to return; "
                           "lower the learning rate")
    return best[0], best[1], history
