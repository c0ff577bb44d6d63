"""Many networks of one shape trained at once: the many-seeds experiments (lesson 06).

Training one small network is mostly Python overhead (a few microseconds per NumPy call on
arrays of a handful of numbers), so training 500 of them one after the other costs 500 times
that. Here the S networks' parameters are stacked along a last axis of length S,

    W^(l): (n_in, n_out, S),   b^(l): (n_out, S),   Z^(l), A^(l): (n, n_out, S),

and every NumPy call serves all S networks. Network s follows exactly the steps that
training.train() would take for it alone with the same order of the samples: the forward
pass Z^(l) = A^(l-1) W^(l) + b^(l) of each network, the quadratic loss averaged over the
batch, its gradient by the node deltas of backproplab.deltas, and w <- w - lr * dE/dw. With
mini-batches or online updates every network visits the samples in the same shuffled order
(one permutation per epoch, drawn as train() draws it), so the networks differ only in their
starting weights.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validate import MAX_ELEMENTS, as_float_array, check_size, positive_int, real_number, rng_from
from .activations import get_activation
from .deltas import _through_activation

__all__ = ["train_stacked", "StackedHistory"]


def _sigmoid(z):
    # the package's sigmoid kernel enters np.errstate on every call, which costs more than
    # the arithmetic on arrays this small; train_stacked sets errstate once for its loop
    return 1.0 / (1.0 + np.exp(-z))


_KERNELS = {"sigmoid": _sigmoid, "tanh": np.tanh}


@dataclass
class StackedHistory:
    """What train_stacked() measured, one column per network (in the order of `nets`).

    loss       (epochs + 1, S): the quadratic loss over the whole training set, row 0 before
               training and row e after epoch e (so loss[1:] is what the lesson's training
               loops return, one value per epoch).
    max_error  (epochs + 1, S): max over the samples and outputs of |y_hat - y| at the same
               moments; below 0.5 means every 0/1 target is on the right side of 0.5, i.e.
               MLP.predict gets every sample right.
    """

    loss: np.ndarray
    max_error: np.ndarray

    def solved_at(self, threshold: float = 0.5) -> np.ndarray:
        """For each network, the first epoch after which max_error < threshold (0 = before
        training), or -1 where that never happened."""
        hit = self.max_error < threshold
        first = np.argmax(hit, axis=0)
        return np.where(hit.any(axis=0), first, -1)


def _check_nets(nets):
    where = "train_stacked"
    if isinstance(nets, (str, bytes)) or not hasattr(nets, "__len__") or len(nets) == 0:
        raise TypeError(f"{where}: nets must be a non-empty list of MLPs of one shape, "
                        f"got {type(nets).__name__}")
    nets = list(nets)
    first = nets[0]
    for i, net in enumerate(nets):
        for attr in ("layer_sizes", "activations", "weights", "biases"):
            if not hasattr(net, attr):
                raise TypeError(f"{where}: nets[{i}] must be an MLP, got {type(net).__name__}")
        if net.layer_sizes != first.layer_sizes or net.activations != first.activations:
            raise ValueError(f"{where}: nets[{i}] is {net!r} but nets[0] is {first!r}; every "
                             "network must have the same layer sizes and activations")
    if "softmax" in first.activations:
        raise ValueError(f"{where}: softmax couples its outputs; only element-wise activations "
                         f"are supported here, got {list(first.activations)}")
    return nets


def _forward(X, Ws, bs, phis):
    """Every layer's (Z, A) for all networks; X (n, n_in) is shared, so layer 1 is one product."""
    zs, outs = [], []
    A = X
    for W, b, phi in zip(Ws, bs, phis):
        Z = np.einsum("ni,iks->nks", A, W) if A.ndim == 2 else np.einsum("nis,iks->nks", A, W)
        Z += b
        A = phi(Z)
        zs.append(Z)
        outs.append(A)
    return zs, outs


def _step(X, Y, zs, outs, Ws, bs, names, lr):
    """One gradient-descent step of every network on the batch (X, Y) whose forward pass
    gave zs, outs: deltas per sample, gradients averaged over the batch (deltas.py)."""
    n = X.shape[0]
    delta = _through_activation(names[-1], zs[-1], outs[-1], outs[-1] - Y)
    for l in range(len(Ws) - 1, -1, -1):
        A_prev = X if l == 0 else outs[l - 1]
        if A_prev.ndim == 2:
            dW = np.einsum("ni,nks->iks", A_prev, delta)
        else:
            dW = np.einsum("nis,nks->iks", A_prev, delta)
        db = delta.sum(axis=0)
        if l:
            back = np.einsum("nks,iks->nis", delta, Ws[l])
            delta = _through_activation(names[l - 1], zs[l - 1], outs[l - 1], back)
        Ws[l] -= (lr / n) * dW
        bs[l] -= (lr / n) * db


def _measure(out, Y):
    err = out - Y
    loss = 0.5 * np.einsum("nks,nks->s", err, err) / out.shape[0]
    return loss, np.abs(err).max(axis=(0, 1))


def train_stacked(nets, X, y, lr, epochs, batch_size=None, shuffle=True, seed=None):
    """Gradient descent on the quadratic loss for every MLP in `nets` at once (in place).

    nets: MLPs with the same layer sizes and element-wise activations; each keeps its own
    starting weights. X (n, n_in), y (n, n_out). lr: the learning rate; epochs: passes over
    the data. batch_size None: full batch (one step per epoch); 1: online (Kauchak's loop);
    k: mini-batches of k, the last one smaller. shuffle and seed as in training.train():
    with more than one batch, one permutation of the samples per epoch from `seed` (None, an
    int or a Generator), the same for every network.

    Network s ends exactly where train(nets[s], X, y, SGD(lr), epochs=epochs,
    batch_size=batch_size, shuffle=shuffle, seed=<the same seed>) would leave it (to
    rounding). The final weights are written back into the nets. Returns a StackedHistory.
    """
    where = "train_stacked"
    nets = _check_nets(nets)
    sizes = nets[0].layer_sizes
    X = as_float_array(X, where, "X", ndim=2, finite=True)
    y = as_float_array(y, where, "y", ndim=2, finite=True)
    if X.shape[1] != sizes[0] or y.shape != (X.shape[0], sizes[-1]) or X.shape[0] == 0:
        raise ValueError(f"{where}: X has shape {X.shape} and y {y.shape}, but the networks "
                         f"{list(sizes)} need X (n, {sizes[0]}) and y (n, {sizes[-1]}), n >= 1")
    lr = real_number(lr, where, "lr", minimum=0.0, strict=True)
    epochs = positive_int(epochs, where, "epochs")
    n, S = X.shape[0], len(nets)
    B = n if batch_size is None else positive_int(batch_size, where, "batch_size")
    if B > n:
        raise ValueError(f"{where}: batch_size {B} is larger than the {n} samples")
    check_size(n * max(sizes) * S, where, f"the activations of {S} networks on {n} samples")
    if (epochs + 1) * S > MAX_ELEMENTS:
        check_size((epochs + 1) * S, where, "the loss history")
    rng = rng_from(seed, where)

    names = nets[0].activations
    phis = [_KERNELS.get(name) or get_activation(name).kernel for name in names]
    Ws = [np.stack([net.weights[l] for net in nets], axis=-1) for l in range(len(names))]
    bs = [np.stack([net.biases[l] for net in nets], axis=-1) for l in range(len(names))]
    Y = y[:, :, None]
    loss = np.empty((epochs + 1, S))
    max_error = np.empty((epochs + 1, S))

    with np.errstate(over="ignore", under="ignore"):
        zs, outs = _forward(X, Ws, bs, phis)
        loss[0], max_error[0] = _measure(outs[-1], Y)
        for epoch in range(1, epochs + 1):
            if B == n:
                # the forward pass that measured the last epoch is this step's forward pass
                _step(X, Y, zs, outs, Ws, bs, names, lr)
            else:
                order = rng.permutation(n) if shuffle else np.arange(n)
                Xs, Ys = X[order], Y[order]
                for start in range(0, n, B):
                    Xb, Yb = Xs[start:start + B], Ys[start:start + B]
                    zb, ob = _forward(Xb, Ws, bs, phis)
                    _step(Xb, Yb, zb, ob, Ws, bs, names, lr)
            zs, outs = _forward(X, Ws, bs, phis)
            loss[epoch], max_error[epoch] = _measure(outs[-1], Y)

    for s, net in enumerate(nets):
        net.weights = [W[..., s] for W in Ws]
        net.biases = [b[..., s] for b in bs]
    return StackedHistory(loss=loss, max_error=max_error)
