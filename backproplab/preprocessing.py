"""The data pipeline before training: a stratified split, and standardisation with the
training set's statistics only.

Why the order matters: the test set stands for data the network has never seen. Anything
learned from it — even a mean and a standard deviation — leaks it into training, and the
test accuracy stops measuring generalisation. So the statistics are computed on the training
part alone and then applied, unchanged, to the validation and test parts (as scikit-learn's
StandardScaler does with fit on the training set and transform on the others).
"""
from __future__ import annotations

import numpy as np

from ._validate import as_float_array, class_labels, real_number, rng_from

__all__ = ["stratified_split", "standardise"]


def stratified_split(y, test_fraction, rng):
    """Indices (train, test) of a random split that keeps each class's share in both parts.

    For every class c, in increasing order of the labels: its n_c indices are shuffled with
    rng.permutation, and the first round(test_fraction * n_c) of them go to the test part, the
    rest to the training part. Both index arrays are returned sorted (int64), together they hold
    every index 0..n-1 exactly once.

    y: (n,) integer class labels; test_fraction: strictly between 0 and 1; rng: a numpy
    Generator (or a seed), the only source of randomness (NumPy's global state is not used).
    """
    where = "stratified_split"
    labels = class_labels(y, where)
    if labels.size < 2:
        raise ValueError(f"{where}: splitting needs at least 2 samples, got {labels.size}")
    f = real_number(test_fraction, where, "test_fraction", minimum=0.0, strict=True, maximum=1.0)
    if f >= 1.0:
        raise ValueError(f"{where}: test_fraction must be < 1 (a share of the samples), got {f}")
    rng = rng_from(rng, where)
    train, test = [], []
    for c in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == c))
        k = round(f * members.size)
        test.append(members[:k])
        train.append(members[k:])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(test))


def standardise(X_train, X_other):
    """Both sets standardised with the TRAINING set's statistics: (X_train_s, X_other_s).

        mu_j = mean of column j of X_train,   sigma_j = its standard deviation (ddof = 0)
        X_s = (X - mu) / sigma        for X_train and X_other alike

    A feature that is constant in the training set (sigma_j = 0, as the always-blank corner
    pixels of the digits) is divided by 1 instead: it is only centred (StandardScaler's
    convention). X_train (n, d) and X_other (m, d), float64 results; neither input is changed.
    """
    where = "standardise"
    X_train = as_float_array(X_train, where, "X_train", ndim=2, finite=True)
    X_other = as_float_array(X_other, where, "X_other", ndim=2, finite=True)
    if X_train.shape[0] == 0:
        raise ValueError(f"{where}: X_train has shape {X_train.shape}: it needs at least one sample")
    if X_other.shape[1] != X_train.shape[1]:
        raise ValueError(f"{where}: X_train has shape {X_train.shape} and X_other {X_other.shape}; "
                         "both need the same number of features (columns)")
    mu = X_train.mean(axis=0)
    sigma = X_train.std(axis=0)
    sigma[sigma == 0.0] = 1.0
    return (X_train - mu) / sigma, (X_other - mu) / sigma
