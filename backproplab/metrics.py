"""How good a classifier's predictions are: the accuracy and the confusion matrix.

Both take integer class labels, the true ones and the predicted ones (for a softmax network,
``y_pred = net.predict(X)`` or ``y_hat.argmax(axis=1)``), one per sample.
"""
from __future__ import annotations

import numpy as np

from ._validate import check_size, class_labels, positive_int

__all__ = ["accuracy", "confusion_matrix"]


def _label_pair(y_true, y_pred, where):
    y_true, y_pred = class_labels(y_true, where, "y_true"), class_labels(y_pred, where, "y_pred")
    if y_true.shape != y_pred.shape:
        raise ValueError(f"{where}: y_true has shape {y_true.shape} but y_pred {y_pred.shape}; "
                         "they need one label per sample each")
    if y_true.size == 0:
        raise ValueError(f"{where}: no samples (y_true has shape {y_true.shape})")
    if min(int(y_true.min()), int(y_pred.min())) < 0:
        raise ValueError(f"{where}: class labels must be >= 0")
    return y_true, y_pred


def accuracy(y_true, y_pred) -> float:
    """The share of samples whose predicted label is the true one:

        accuracy = (1/n) sum_i [y_pred_i == y_true_i]     (a float in [0, 1])
    """
    y_true, y_pred = _label_pair(y_true, y_pred, "accuracy")
    return float(np.count_nonzero(y_true == y_pred)) / y_true.size


def confusion_matrix(y_true, y_pred, k=None):
    """C (k, k) int64: C[i, j] = the number of samples of true class i predicted as class j.

    Rows are the true classes, columns the predicted ones (scikit-learn's convention), so the
    diagonal holds the correct predictions, row i sums to the number of samples of class i and
    trace(C) / n is the accuracy. k: the number of classes, by default the largest label + 1;
    every label must be < k (a class that never occurs still gets its row and column).
    """
    where = "confusion_matrix"
    y_true, y_pred = _label_pair(y_true, y_pred, where)
    largest = int(max(y_true.max(), y_pred.max()))
    if k is None:
        k = largest + 1
    k = positive_int(k, where, "k")
    check_size(k * k, where, "the confusion matrix of shape (k, k)")
    if largest >= k:
        raise ValueError(f"{where}: label {largest} does not fit k = {k} classes (labels 0..{k - 1})")
    # one bincount over the flat cell index k * true + predicted counts every pair at once
    return np.bincount(k * y_true + y_pred, minlength=k * k).reshape(k, k).astype(np.int64)
