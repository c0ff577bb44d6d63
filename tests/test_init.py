"""backproplab.init: Xavier (Samatova), He and zero initialisation."""
import numpy as np
import pytest

from backproplab.init import NAMES, get_init, he_normal, xavier_normal, zeros

# A big sample: 400 x 600 = 240,000 weights.
N_IN, N_OUT = 400, 600
N = N_IN * N_OUT
# For N independent N(0, s2) draws, the sample variance v has standard error s2 * sqrt(2/(N-1))
# and the sample mean has standard error sqrt(s2/N). Five standard errors: a correct
# initialiser fails with probability ~6e-7, while the wrong formulas below (variances off by
# a factor 2 or more, i.e. by hundreds of standard errors) cannot pass.
Z = 5.0


def _check_normal(w, s2):
    se_var = s2 * np.sqrt(2.0 / (N - 1))
    assert abs(w.var(ddof=1) - s2) < Z * se_var
    assert abs(w.mean()) < Z * np.sqrt(s2 / N)
    # Normal, not e.g. uniform with the same variance: P(|w| < sigma) = 0.6827 for a normal,
    # 0.577 for a uniform. Binomial standard error sqrt(p(1-p)/N) ~ 0.00095.
    p = 0.682689492
    inside = np.mean(np.abs(w) < np.sqrt(s2))
    assert abs(inside - p) < Z * np.sqrt(p * (1 - p) / N)


def test_xavier_variance_is_two_over_fan_in_plus_fan_out():
    w = xavier_normal(N_IN, N_OUT, np.random.default_rng(2024))
    _check_normal(w, 2.0 / (N_IN + N_OUT))
    # and not the other usual formulas
    assert abs(w.var() - 1.0 / (N_IN + N_OUT)) > 100 * (2.0 / (N_IN + N_OUT)) * np.sqrt(2.0 / N)
    assert abs(w.var() - 2.0 / N_IN) > 100 * (2.0 / (N_IN + N_OUT)) * np.sqrt(2.0 / N)


def test_he_variance_is_two_over_fan_in():
    w = he_normal(N_IN, N_OUT, np.random.default_rng(7))
    _check_normal(w, 2.0 / N_IN)
    assert abs(w.var() - 2.0 / (N_IN + N_OUT)) > 100 * (2.0 / N_IN) * np.sqrt(2.0 / N)


@pytest.mark.parametrize("fn", [xavier_normal, he_normal, zeros])
@pytest.mark.parametrize("shape", [(1, 1), (2, 3), (5, 1), (784, 256)])
def test_shape_and_dtype(fn, shape):
    w = fn(*shape, np.random.default_rng(0))
    assert w.shape == shape
    assert w.dtype == np.float64


def test_zeros_is_all_zero():
    assert not np.any(zeros(3, 4))


@pytest.mark.parametrize("fn", [xavier_normal, he_normal])
def test_seed_determinism(fn):
    a = fn(20, 30, 123)
    b = fn(20, 30, 123)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, fn(20, 30, 124))
    # a Generator in the same state draws the same numbers; a used one draws new ones
    g1, g2 = np.random.default_rng(5), np.random.default_rng(5)
    np.testing.assert_array_equal(fn(20, 30, g1), fn(20, 30, g2))
    np.testing.assert_array_equal(fn(20, 30, g1), fn(20, 30, g2))
    g3 = np.random.default_rng(5)
    first = fn(20, 30, g3)
    assert not np.array_equal(first, fn(20, 30, g3))


def test_int_seed_matches_generator_from_that_seed():
    np.testing.assert_array_equal(xavier_normal(4, 6, 9), xavier_normal(4, 6, np.random.default_rng(9)))


def test_get_init_names():
    assert set(NAMES) == {"xavier", "he", "zeros"}
    assert get_init("xavier") is xavier_normal
    assert get_init("he") is he_normal
    assert get_init("zeros") is zeros


def test_get_init_unknown_name_lists_valid_names():
    with pytest.raises(ValueError, match=r"get_init: unknown init 'glorot'; valid names are: "
                                         r"'xavier', 'he', 'zeros'"):
        get_init("glorot")


@pytest.mark.parametrize("fn", [xavier_normal, he_normal, zeros])
def test_bad_sizes(fn):
    name = fn.__name__
    with pytest.raises(ValueError, match=rf"{name}: n_in must be >= 1, got 0"):
        fn(0, 3, 1)
    with pytest.raises(ValueError, match=rf"{name}: n_out must be >= 1, got -2"):
        fn(3, -2, 1)
    with pytest.raises(TypeError, match=rf"{name}: n_in must be an integer, got float 2.5"):
        fn(2.5, 3, 1)
    with pytest.raises(TypeError, match=rf"{name}: n_out must be an integer, got str '3'"):
        fn(2, "3", 1)


@pytest.mark.parametrize("fn", [xavier_normal, he_normal, zeros])
def test_bad_rng(fn):
    with pytest.raises(TypeError, match=rf"{fn.__name__}: rng must be a numpy Generator, a "
                                        r"non-negative int seed or None, got str 'abc'"):
        fn(2, 3, "abc")
    with pytest.raises(TypeError, match=rf"{fn.__name__}: rng must be"):
        fn(2, 3, -1)
