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

import numpy as np

from . import layers
from ._validate import as_float_array, positive_int, rng_from
from .losses import cross_entropy
from .optimizers import Momentum

__all__ = ["EarlyStopping", "fit"]


class EarlyStopping:
    """Callback for train(..., callback=EarlyStopping(net, X_val, y_val)).

    After every epoch it measures net.loss on the validation set (and, if given, on the
    training set: the full-data loss after the epoch, which History.loss is not), keeps a copy
    of the weights whenever the validation loss is lower than every earlier one, and stops
    training (returns True) when `patience` epochs in a row brought no new best.
    Call restore() afterwards to put the best weights back into the network.

    Attributes: val_loss, train_loss (one entry per epoch), best_epoch, best_loss,
    best_weights, best_biases.
    """

    def __init__(self, net, X_val, y_val, loss="cross_entropy", patience=5, X_train=None,
                 y_train=None):
        self.net, self.X_val, self.y_val, self.loss = net, X_val, y_val, loss
        self.patience = positive_int(patience, "EarlyStopping", "patience")
        if (X_train is None) != (y_train is None):
            raise ValueError("EarlyStopping: give both X_train and y_train, or neither")
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
            raise RuntimeError("EarlyStopping.restore: no epoch has been measured yet")
        self.net.weights = self.best_weights
        self.net.biases = self.best_biases


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
    if not (isinstance(weights, (list, tuple)) and isinstance(biases, (list, tuple))):
        raise TypeError(f"{where}: weights and biases must be lists of arrays, one per layer")
    weights = [as_float_array(W, where, f"weights[{l}]", ndim=2) for l, W in enumerate(weights)]
    biases = [as_float_array(b, where, f"biases[{l}]", ndim=1) for l, b in enumerate(biases)]
    rng = rng_from(rng, where)
    epochs = positive_int(epochs, where, "epochs")
    batch_size = positive_int(batch_size, where, "batch_size")
    patience = positive_int(patience, where, "patience")
    params = [p for pair in zip(weights, biases) for p in pair]   # updated in place: copies
    optimizer = Momentum(schedule(0), momentum)
    history = {"train_loss": [], "val_loss": []}
    best, best_loss, waited = None, np.inf, 0
    n = len(X)
    for epoch in range(epochs):
        optimizer.lr = schedule(epoch)
        order = rng.permutation(n)
        for start in range(0, n, batch_size):
            batch = order[start:start + batch_size]
            grads_W, grads_b = layers.backward(X[batch], Y[batch], weights, biases, activations,
                                               loss="cross_entropy")
            optimizer.step(params, [g for pair in zip(grads_W, grads_b) for g in pair])
        history["train_loss"].append(cross_entropy(layers.forward(X, weights, biases, activations), Y))
        val_loss = cross_entropy(layers.forward(X_val, weights, biases, activations), Y_val)
        history["val_loss"].append(val_loss)
        if val_loss < best_loss:
            best_loss, waited = val_loss, 0
            best = ([W.copy() for W in weights], [b.copy() for b in biases])
        else:
            waited += 1
            if waited >= patience:
                break
    return best[0], best[1], history
