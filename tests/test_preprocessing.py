"""backproplab.preprocessing: the stratified split and standardisation with training statistics.

Checked against what the functions promise (every index once, each class's share, the same
split from the same seed; mean 0 and spread 1 on the training set, the same transformation on
the other set) and, for standardise, against scikit-learn's StandardScaler fitted on the
training set. Hostile input is refused with the function's name.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from backproplab.preprocessing import standardise, stratified_split
from test_robustness import HOSTILE, SETTINGS, outcome_is_acceptable


# ----------------------------------------------------------------------------- stratified_split

@SETTINGS
@given(counts=st.lists(st.integers(2, 40), min_size=1, max_size=6),
       f=st.floats(0.05, 0.95), seed=st.integers(0, 2**32 - 1))
def test_split_holds_every_index_once_and_each_class_share(counts, f, seed):
    y = np.random.default_rng(seed).permutation(np.repeat(np.arange(len(counts)) * 3, counts))
    train, test = stratified_split(y, f, np.random.default_rng(seed))
    assert train.dtype == np.int64 and test.dtype == np.int64
    assert np.array_equal(np.sort(np.concatenate([train, test])), np.arange(len(y)))
    assert np.array_equal(train, np.sort(train)) and np.array_equal(test, np.sort(test))
    for c, n_c in zip(np.arange(len(counts)) * 3, counts):
        assert np.sum(y[test] == c) == round(f * n_c)


def test_split_is_the_seeds_and_only_the_seeds():
    y = np.repeat(np.arange(5), 40)
    first = stratified_split(y, 0.25, np.random.default_rng(1))
    np.random.seed(0)
    again = stratified_split(y, 0.25, 1)     # a seed works as well as a Generator
    np.random.seed(99)
    other = stratified_split(y, 0.25, np.random.default_rng(2))
    assert all(np.array_equal(a, b) for a, b in zip(first, again))
    assert not np.array_equal(first[1], other[1])


def test_split_shuffles_within_each_class():
    # with the labels sorted, an unshuffled split would take the first samples of every class
    y = np.repeat(np.arange(3), 100)
    _, test = stratified_split(y, 0.2, np.random.default_rng(0))
    for c in range(3):
        chosen = test[y[test] == c] - 100 * c
        assert chosen.max() > 50 and not np.array_equal(chosen, np.arange(20))


def test_split_follows_the_documented_draws():
    # for each class in increasing order: rng.permutation of its indices, the first round(f n_c) to test
    y = np.array([2, 0, 2, 1, 0, 2, 1, 0, 2, 2])
    rng = np.random.default_rng(5)
    expected_test = []
    for c in (0, 1, 2):
        members = rng.permutation(np.flatnonzero(y == c))
        expected_test += members[:round(0.4 * len(members))].tolist()
    _, test = stratified_split(y, 0.4, np.random.default_rng(5))
    assert test.tolist() == sorted(expected_test)


def test_split_does_not_change_y():
    y = np.array([1, 0, 1, 0, 1, 0])
    stratified_split(y, 0.5, 0)
    assert y.tolist() == [1, 0, 1, 0, 1, 0]


@pytest.mark.parametrize("args, message", [
    ((np.array([[0, 1], [1, 0]]), 0.5, 0), r"stratified_split: y must be 1-D class labels of shape \(n,\), got shape \(2, 2\)"),
    ((np.array([0.5, 1.0]), 0.5, 0), "stratified_split: y must hold integer class labels, got dtype float64"),
    ((np.array([0]), 0.5, 0), "stratified_split: splitting needs at least 2 samples, got 1"),
    ((np.array([0, 1]), 1.0, 0), r"stratified_split: test_fraction must be < 1 \(a share of the samples\), got 1.0"),
    ((np.array([0, 1]), 0.0, 0), "stratified_split: test_fraction must be > 0.0, got 0.0"),
    ((np.array([0, 1]), 0.5, -1), "stratified_split: seed must be None"),
])
def test_split_refuses_with_a_clear_message(args, message):
    with pytest.raises((TypeError, ValueError), match=message):
        stratified_split(*args)


@SETTINGS
@given(h=HOSTILE)
def test_split_hostile_input(h):
    y = np.array([0, 1, 0, 1, 2, 2])
    outcome_is_acceptable(lambda: stratified_split(h, 0.5, 0), "stratified_split")
    outcome_is_acceptable(lambda: stratified_split(y, h, 0), "stratified_split")
    outcome_is_acceptable(lambda: stratified_split(y, 0.5, h), "stratified_split")


# ----------------------------------------------------------------------------- standardise

def test_standardise_matches_scikit_learns_scaler_fitted_on_the_training_set():
    scaler = pytest.importorskip("sklearn.preprocessing").StandardScaler
    rng = np.random.default_rng(0)
    A = rng.normal(3.0, 2.0, size=(30, 5)) * np.array([1.0, 10.0, 0.1, 5.0, 1.0])
    A[:, 4] = 7.0                                   # a constant feature
    B = rng.normal(1.0, 4.0, size=(12, 5))
    fitted = scaler().fit(A)
    A_s, B_s = standardise(A, B)
    np.testing.assert_allclose(A_s, fitted.transform(A), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(B_s, fitted.transform(B), rtol=1e-12, atol=1e-12)


def test_standardise_uses_the_training_statistics_for_both_sets():
    A = np.array([[0.0, 1.0], [2.0, 3.0], [4.0, 8.0]])
    B = np.array([[10.0, -1.0]])
    A_s, B_s = standardise(A, B)
    mu, sigma = A.mean(axis=0), A.std(axis=0)
    np.testing.assert_allclose(B_s, (B - mu) / sigma)
    np.testing.assert_allclose(A_s.mean(axis=0), 0.0, atol=1e-15)
    np.testing.assert_allclose(A_s.std(axis=0), 1.0)
    # the other set's own statistics play no part: another B gives the same transformation
    assert np.array_equal(standardise(A, np.vstack([B, B + 100.0]))[1][:1], B_s)


def test_standardise_only_centres_a_feature_constant_in_training():
    A = np.array([[0.0, 5.0], [0.0, 7.0]])
    B = np.array([[3.0, 6.0]])
    A_s, B_s = standardise(A, B)
    assert A_s[:, 0].tolist() == [0.0, 0.0] and B_s[0, 0] == 3.0   # (3 - 0) / 1
    assert np.isfinite(B_s).all()


def test_standardise_leaves_its_inputs_alone_and_returns_float64():
    A = np.array([[1, 2], [3, 5]])
    B = np.array([[0, 0]])
    A_s, B_s = standardise(A, B)
    assert A.tolist() == [[1, 2], [3, 5]] and B.tolist() == [[0, 0]]
    assert A_s.dtype == np.float64 and B_s.dtype == np.float64


@pytest.mark.parametrize("args, message", [
    ((np.ones((3, 2)), np.ones((2, 3))), r"standardise: X_train has shape \(3, 2\) and X_other \(2, 3\)"),
    ((np.ones(3), np.ones((2, 3))), "standardise: X_train"),
    ((np.ones((0, 2)), np.ones((1, 2))), r"standardise: X_train has shape \(0, 2\)"),
    ((np.ones((2, 2)), np.array([[np.nan, 1.0]])), "standardise: X_other"),
])
def test_standardise_refuses_with_a_clear_message(args, message):
    with pytest.raises((TypeError, ValueError), match=message):
        standardise(*args)


@SETTINGS
@given(h=HOSTILE)
def test_standardise_hostile_input(h):
    outcome_is_acceptable(lambda: standardise(h, np.ones((2, 3))), "standardise")
    outcome_is_acceptable(lambda: standardise(np.ones((2, 3)), h), "standardise")
