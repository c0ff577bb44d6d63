"""backproplab.metrics: the accuracy and the confusion matrix.

Checked on hand-counted examples, against scikit-learn's metrics on random predictions, and on
their relation (trace(C) / n is the accuracy). Hostile input is refused with the function's name.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from backproplab.metrics import accuracy, confusion_matrix
from test_robustness import HOSTILE, SETTINGS, outcome_is_acceptable


def test_accuracy_counts_the_right_predictions():
    assert accuracy(np.array([0, 1, 2, 3]), np.array([0, 1, 0, 3])) == 0.75
    assert accuracy([1, 1], [0, 0]) == 0.0
    assert isinstance(accuracy([2], [2]), float)


def test_confusion_matrix_counts_repeated_pairs_and_keeps_absent_classes():
    C = confusion_matrix(np.array([0, 0, 1, 2, 2, 2]), np.array([0, 1, 1, 2, 0, 2]), k=4)
    assert C.dtype == np.int64
    assert C.tolist() == [[1, 1, 0, 0], [0, 1, 0, 0], [1, 0, 2, 0], [0, 0, 0, 0]]
    assert confusion_matrix([1, 0], [1, 1]).shape == (2, 2)   # k from the largest label


@SETTINGS
@given(n=st.integers(1, 60), k=st.integers(1, 6), seed=st.integers(0, 2**32 - 1))
def test_against_scikit_learn_and_each_other(n, k, seed):
    skm = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(seed)
    y_true, y_pred = rng.integers(0, k, size=n), rng.integers(0, k, size=n)
    C = confusion_matrix(y_true, y_pred, k)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)   # scikit-learn on a single label
        expected = skm.confusion_matrix(y_true, y_pred, labels=list(range(k)))
    assert np.array_equal(C, expected)
    assert accuracy(y_true, y_pred) == pytest.approx(skm.accuracy_score(y_true, y_pred), abs=1e-15)
    assert accuracy(y_true, y_pred) == pytest.approx(np.trace(C) / n, abs=1e-15)
    assert C.sum(axis=1).tolist() == np.bincount(y_true, minlength=k).tolist()


@pytest.mark.parametrize("call, message", [
    (lambda: accuracy(np.eye(3), np.eye(3)),
     r"accuracy: y_true must be 1-D class labels of shape \(n,\), got shape \(3, 3\) \(one-hot rows or "
     r"probabilities\? take the labels with .argmax\(axis=1\)\)"),
    (lambda: accuracy([0, 1], [0, 1, 1]), r"accuracy: y_true has shape \(2,\) but y_pred \(3,\)"),
    (lambda: accuracy([0.5], [1.0]), "accuracy: y_true must hold integer class labels, got dtype float64"),
    (lambda: accuracy(np.array([], dtype=int), np.array([], dtype=int)), "accuracy: no samples"),
    (lambda: confusion_matrix([0, 3], [0, 1], k=3), "confusion_matrix: label 3 does not fit k = 3 classes"),
    (lambda: confusion_matrix([0, -1], [0, 1]), "confusion_matrix: class labels must be >= 0"),
    (lambda: confusion_matrix([0], [0], k=10**5), "confusion_matrix: the confusion matrix of shape"),
])
def test_refusals_say_what_is_wrong(call, message):
    with pytest.raises((TypeError, ValueError), match=message):
        call()


@SETTINGS
@given(h=HOSTILE)
def test_hostile_input(h):
    y = np.array([0, 1, 1])
    outcome_is_acceptable(lambda: accuracy(h, y), "accuracy")
    outcome_is_acceptable(lambda: accuracy(y, h), "accuracy")
    outcome_is_acceptable(lambda: confusion_matrix(h, y), "confusion_matrix")
    outcome_is_acceptable(lambda: confusion_matrix(y, h), "confusion_matrix")
    outcome_is_acceptable(lambda: confusion_matrix(y, y, k=h) if not (isinstance(h, int) and 100 < h <= 10**4)
                          else None, "confusion_matrix")
