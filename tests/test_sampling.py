"""backproplab.sampling: priority sampling (probability growing with the error) and Samatova's
high/low priority pools, against their formulas, exactly where the generator's use is fixed
and statistically (within several standard errors, fixed seeds) for the distributions."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from backproplab.sampling import pooled_sample, priority_probabilities, priority_sample

SETTINGS = settings(deadline=None, max_examples=40, derandomize=True)
errors_st = hnp.arrays(np.float64, st.integers(1, 20), elements=st.floats(0.0, 50.0))


@SETTINGS
@given(errors_st, st.floats(0.0, 3.0), st.floats(1e-3, 1.0))
def test_probabilities_follow_the_formula(e, alpha, eps):
    p = priority_probabilities(e, alpha, eps)
    w = (e + eps) ** alpha
    assert p.shape == e.shape and p.dtype == np.float64
    assert np.allclose(p, w / w.sum(), rtol=1e-12, atol=0)
    assert p.sum() == pytest.approx(1.0, abs=1e-12)
    # the larger the error, the likelier (for alpha > 0): the order of p is the order of e
    if alpha > 0:
        assert np.all(np.diff(p[np.argsort(e, kind="stable")]) >= -1e-15)


def test_alpha_zero_is_uniform_and_alpha_one_is_proportional():
    e = np.array([0.0, 1.0, 3.0])
    assert np.array_equal(priority_probabilities(e, 0.0), np.full(3, 1 / 3))
    assert np.allclose(priority_probabilities(e, 1.0, 0.0), [0.0, 0.25, 0.75])
    assert np.allclose(priority_probabilities(e, 1.0, 1.0), [1 / 7, 2 / 7, 4 / 7])


def test_eps_keeps_learnt_examples_drawable():
    assert priority_probabilities(np.array([0.0, 2.0]), 1.0, 0.01)[0] > 0
    assert priority_probabilities(np.array([0.0, 2.0]), 1.0, 0.0)[0] == 0


@SETTINGS
@given(errors_st, st.integers(1, 40), st.integers(0, 2**32 - 1), st.floats(0.0, 2.0))
def test_sample_is_one_call_of_rng_choice_with_those_probabilities(e, size, seed, alpha):
    got = priority_sample(e, size, np.random.default_rng(seed), alpha=alpha)
    want = np.random.default_rng(seed).choice(e.size, size=size, p=priority_probabilities(e, alpha))
    assert got.dtype.kind == "i" and got.shape == (size,)
    assert np.array_equal(got, want)


def test_sample_frequencies_match_the_probabilities():
    e = np.array([0.0, 0.1, 0.5, 1.0, 4.0])
    p = priority_probabilities(e)
    N = 200_000
    counts = np.bincount(priority_sample(e, N, np.random.default_rng(3)), minlength=5)
    se = np.sqrt(N * p * (1 - p))
    assert np.all(np.abs(counts - N * p) < 5 * se)


def test_pooled_sample_takes_its_share_from_the_largest_errors():
    e = np.array([0.1, 5.0, 0.2, 4.0, 0.0, 0.3, 3.0, 0.05, 0.01, 0.02])
    idx = pooled_sample(e, 10, np.random.default_rng(0), high_fraction=0.3, high_share=0.6)
    assert idx.dtype == np.int64 and idx.shape == (10,)
    assert set(idx[:6]) <= {1, 3, 6}                  # the three largest errors
    assert not set(idx[6:]) & {1, 3, 6}               # the rest from the low pool
    rng = np.random.default_rng(0)                     # the documented generator use
    want = np.r_[rng.choice(np.array([1, 3, 6]), size=6), rng.choice(np.array([0, 2, 4, 5, 7, 8, 9]), size=4)]
    assert np.array_equal(idx, want)


def test_pooled_sample_draws_each_pool_uniformly():
    e = np.arange(10.0)
    N = 100_000
    idx = pooled_sample(e, N, np.random.default_rng(1), high_fraction=0.2, high_share=0.5)
    counts = np.bincount(idx, minlength=10)
    # high pool {8, 9}: N/2 draws over 2; low pool: N/2 over 8
    expect = np.r_[np.full(8, N / 16), np.full(2, N / 4)]
    p = expect / N
    assert np.all(np.abs(counts - expect) < 5 * np.sqrt(N * p * (1 - p)))


def test_pooled_sample_everything_high():
    idx = pooled_sample(np.ones(4), 6, np.random.default_rng(2), high_fraction=1.0)
    assert idx.shape == (6,) and set(idx) <= {0, 1, 2, 3}


@pytest.mark.parametrize("call, error, words", [
    (lambda: priority_probabilities(np.array([1.0, -0.5])), ValueError, "errors must be >= 0"),
    (lambda: priority_probabilities(np.zeros(3), 1.0, 0.0), ValueError, "use eps > 0"),
    (lambda: priority_probabilities(np.ones((2, 2))), ValueError, "must be 1-D"),
    (lambda: priority_probabilities(np.array([])), ValueError, "empty"),
    (lambda: priority_probabilities(np.array([np.nan])), ValueError, "NaN"),
    (lambda: priority_probabilities(np.array([1e300]), 5.0), ValueError, "overflows"),
    (lambda: priority_probabilities(np.ones(2), -1.0), ValueError, "alpha must be >= 0"),
    (lambda: priority_sample(np.ones(2), 3, 7), TypeError, "rng must be a numpy Generator"),
    (lambda: priority_sample(np.ones(2), 0, np.random.default_rng()), ValueError, "batch_size must be >= 1"),
    (lambda: pooled_sample(np.ones(2), 3, np.random.default_rng(), high_fraction=0.0), ValueError,
     "high_fraction must be > 0"),
    (lambda: pooled_sample(np.ones(2), 3, np.random.default_rng(), high_share=1.5), ValueError,
     "high_share must be <= 1"),
])
def test_bad_input(call, error, words):
    with pytest.raises(error) as info:
        call()
    assert words in str(info.value)
