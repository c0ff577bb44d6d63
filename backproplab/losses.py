"""Loss functions E(y_hat, y) and their gradients dE/dy_hat.

y_hat and y have the same shape, (n,) or (n, k), one row per sample. Every loss is the
MEAN over the n samples of a per-sample loss, so its gradient carries a factor 1/n; that
is what makes a batch's gradient the average of the per-sample gradients (Kang's
g = 1/m' sum_i grad L_i).
"""
from __future__ import annotations

import numpy as np

from ._validate import as_float_array, choice, same_shape

# Probabilities are clipped to [EPS, 1 - EPS] before a logarithm: ln(0) would be -inf.
# 1e-12 keeps ln(EPS) ~ -27.6 finite while changing no probability a network can
# usefully express.
EPS = 1e-12


def _pair(y_hat, y, where):
    y_hat = as_float_array(y_hat, where, "y_hat", ndim=(1, 2))
    y = as_float_array(y, where, "y", ndim=(1, 2))
    same_shape(y_hat, y, where)
    if y_hat.shape[0] == 0:
        raise ValueError(f"{where}: y_hat and y are empty (shape {y_hat.shape}); "
                         "a loss needs at least one sample")
    return y_hat, y


# The sums over the samples of each loss, with no checks (y_hat and y float arrays of one
# shape, labels already one-hot): the public losses below are these divided by n, and
# train() adds them up batch by batch for an epoch's loss. np.add.reduce(., axis=None) is
# what np.sum computes, bit for bit, without np.sum's call overhead.

def _quadratic_sum(y_hat, y):
    d = y_hat - y
    d *= d
    return 0.5 * np.add.reduce(d, axis=None)


def _mse_sum(y_hat, y):
    """sum (y_hat - y)^2 over every element: divided by y.size it is the MSE."""
    d = y_hat - y
    d *= d
    return np.add.reduce(d, axis=None)


def _binary_cross_entropy_sum(y_hat, y):
    p = np.clip(y_hat, EPS, 1.0 - EPS)
    return -np.add.reduce(y * np.log(p) + (1.0 - y) * np.log1p(-p), axis=None)


def _cross_entropy_sum(y_hat, y):
    return -np.add.reduce(y * np.log(np.clip(y_hat, EPS, 1.0)), axis=None)


def quadratic(y_hat, y):
    """E = (1/n) sum_samples 1/2 sum_k (y_hat - y)^2  (Samatova's E = 1/2 sum (y - t)^2 per sample)."""
    y_hat, y = _pair(y_hat, y, "quadratic")
    return float(_quadratic_sum(y_hat, y) / y_hat.shape[0])


def quadratic_grad(y_hat, y):
    """dE/dy_hat = (y_hat - y) / n."""
    y_hat, y = _pair(y_hat, y, "quadratic_grad")
    return (y_hat - y) / y_hat.shape[0]


def mse(y_hat, y):
    """MSE = mean over all elements of (y_hat - y)^2  (Samatova's MSE = 1/n sum (y_hat - y)^2)."""
    y_hat, y = _pair(y_hat, y, "mse")
    return float(_mse_sum(y_hat, y) / y.size)


def mse_grad(y_hat, y):
    """dMSE/dy_hat = 2 (y_hat - y) / y.size."""
    y_hat, y = _pair(y_hat, y, "mse_grad")
    return 2.0 * (y_hat - y) / y.size


def binary_cross_entropy(y_hat, y):
    """E = -(1/n) sum_samples sum_k [y ln y_hat + (1 - y) ln(1 - y_hat)].

    Samatova prints this formula without its leading minus sign; without it the "loss"
    is negative and gradient descent would make the predictions worse.
    """
    y_hat, y = _pair(y_hat, y, "binary_cross_entropy")
    return float(_binary_cross_entropy_sum(y_hat, y) / y_hat.shape[0])


def binary_cross_entropy_grad(y_hat, y):
    """dE/dy_hat = (y_hat - y) / (y_hat (1 - y_hat)) / n, with y_hat clipped as in the loss."""
    y_hat, y = _pair(y_hat, y, "binary_cross_entropy_grad")
    p = np.clip(y_hat, EPS, 1.0 - EPS)
    return (p - y) / (p * (1.0 - p)) / y_hat.shape[0]


def _one_hot_targets(y_hat, y, where):
    """y as one-hot (n, k): either given so, or as integer labels of shape (n,)."""
    y_hat = as_float_array(y_hat, where, "y_hat", ndim=(1, 2))
    try:
        labels = np.asarray(y)
    except (TypeError, ValueError) as exc:     # ragged nested lists
        raise TypeError(f"{where}: y must be an array of targets or class labels, "
                        f"got {type(y).__name__} ({exc})") from None
    if labels.ndim == 1 and y_hat.ndim == 2:
        if labels.shape[0] != y_hat.shape[0]:
            raise ValueError(f"{where}: y has {labels.shape[0]} labels (shape {labels.shape}) but y_hat "
                             f"has {y_hat.shape[0]} rows (shape {y_hat.shape})")
        if labels.dtype.kind not in "iub" and not (
                labels.dtype.kind == "f" and np.all(np.isfinite(labels)) and np.all(labels == np.round(labels))):
            raise ValueError(f"{where}: y of shape {labels.shape} must hold integer class labels "
                             f"0..{y_hat.shape[1] - 1}, or be one-hot of shape {y_hat.shape}")
        k = y_hat.shape[1]
        # checked before the cast to int64, which would wrap a label like 1e20 (with a warning)
        if labels.size and (labels.min() < 0 or labels.max() >= k):
            raise ValueError(f"{where}: class labels must be in 0..{k - 1} for y_hat with {k} columns, "
                             f"got labels from {labels.min()} to {labels.max()}")
        idx = labels.astype(np.int64)
        one_hot = np.zeros_like(y_hat)
        one_hot[np.arange(idx.size), idx] = 1.0
        return _pair(y_hat, one_hot, where)
    return _pair(y_hat, y, where)


def cross_entropy(y_hat, y):
    """Categorical cross-entropy E = -(1/n) sum_samples sum_k y_k ln y_hat_k.

    y is one-hot with y_hat's shape (n, k), or integer labels of shape (n,).
    """
    y_hat, y = _one_hot_targets(y_hat, y, "cross_entropy")
    return float(_cross_entropy_sum(y_hat, y) / y_hat.shape[0])


def cross_entropy_grad(y_hat, y):
    """dE/dy_hat = -y / y_hat / n  (y_hat clipped as in the loss)."""
    y_hat, y = _one_hot_targets(y_hat, y, "cross_entropy_grad")
    return -y / np.clip(y_hat, EPS, 1.0) / y_hat.shape[0]


_LOSSES = {
    "quadratic": (quadratic, quadratic_grad),
    "mse": (mse, mse_grad),
    "binary_cross_entropy": (binary_cross_entropy, binary_cross_entropy_grad),
    "cross_entropy": (cross_entropy, cross_entropy_grad),
}

NAMES = tuple(_LOSSES)

# name -> (the sum over the samples, without checks; what that sum is divided by for the
# loss: the number of samples, or for "mse" the number of elements)
_SUMS = {
    "quadratic": (_quadratic_sum, "samples"),
    "mse": (_mse_sum, "elements"),
    "binary_cross_entropy": (_binary_cross_entropy_sum, "samples"),
    "cross_entropy": (_cross_entropy_sum, "samples"),
}


def get_loss(name):
    """(loss, loss_grad) for `name`; ValueError listing the valid names otherwise."""
    return _LOSSES[choice(name, NAMES, "get_loss", "loss")]
