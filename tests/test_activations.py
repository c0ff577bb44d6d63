"""backproplab.activations: values, derivatives against central differences, numerics, bad input."""
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from backproplab import activations as A
from backproplab.gradcheck import numerical_gradient

SETTINGS = settings(deadline=None, max_examples=50, derandomize=True)
H = 1e-5


def central_diff(f, z, h=H):
    """Element-wise (f(z + h) - f(z - h)) / 2h: the derivative of an element-wise function.

    The same central difference as gradcheck.numerical_gradient, done for all entries at once:
    an element-wise f has a diagonal Jacobian. (numerical_gradient of sum(f(z)) would add the
    rounding of the sum of all the other entries to every difference quotient.)
    """
    return (f(z + h) - f(z - h)) / (2 * h)


def numerical_jacobian(f, z, h=H):
    """J[i, j] = d f(z)_i / d z_j: row i is the numerical gradient of the output f(z)_i."""
    z = np.array(z, dtype=np.float64)  # numerical_gradient perturbs its x in place
    return np.stack([numerical_gradient(lambda v: f(v)[i], z, h) for i in range(z.size)])


def arrays(lo=-20.0, hi=20.0, away_from=None, min_dims=1, max_dims=2):
    """float64 arrays with entries in [lo, hi], optionally kept 1e-3 away from one point."""
    elements = st.floats(lo, hi, allow_nan=False, allow_infinity=False)
    if away_from is not None:
        elements = elements.filter(lambda v: abs(v - away_from) > 1e-3)
    return hnp.arrays(np.float64, hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, max_side=5),
                      elements=elements)


# (function, derivative, the point the derivative does not exist at, if any)
ELEMENTWISE = {
    "sigmoid": (A.sigmoid, A.sigmoid_prime, None),
    "tanh": (A.tanh, A.tanh_prime, None),
    "relu": (A.relu, A.relu_prime, 0.0),
    "leaky_relu": (A.leaky_relu, A.leaky_relu_prime, 0.0),
    "linear": (A.linear, A.linear_prime, None),
    "step": (A.step, A.step_prime, 0.0),
}


# --- derivatives against central differences ---------------------------------------------

@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_derivative_matches_central_differences(name):
    f, df, kink = ELEMENTWISE[name]

    @SETTINGS
    @given(arrays(away_from=kink))
    def check(z):
        # central-difference error is O(h^2 f''') + O(eps / h): ~1e-10 here
        np.testing.assert_allclose(df(z), central_diff(f, z), rtol=1e-6, atol=1e-9)

    check()


@SETTINGS
@given(arrays(away_from=0.0), st.floats(0.0, 0.5))
def test_leaky_relu_prime_with_any_slope_matches_central_differences(z, slope):
    np.testing.assert_allclose(A.leaky_relu_prime(z, slope=slope),
                               central_diff(lambda v: A.leaky_relu(v, slope=slope), z),
                               rtol=1e-6, atol=1e-9)


@SETTINGS
@given(arrays(away_from=1.5), )
def test_step_prime_is_zero_away_from_a_nonzero_threshold(z):
    np.testing.assert_array_equal(A.step_prime(z, threshold=1.5), 0.0)
    np.testing.assert_array_equal(central_diff(lambda v: A.step(v, threshold=1.5), z), 0.0)


# --- softmax ---------------------------------------------------------------------------------

@SETTINGS
@given(arrays(-50.0, 50.0, min_dims=2, max_dims=2))
def test_softmax_rows_are_probabilities(z):
    s = A.softmax(z)
    assert s.shape == z.shape
    assert np.all(s >= 0) and np.all(s <= 1)
    np.testing.assert_allclose(s.sum(axis=-1), 1.0, rtol=0, atol=1e-12)


@SETTINGS
@given(arrays(-50.0, 50.0, min_dims=2, max_dims=2), st.floats(-100.0, 100.0))
def test_softmax_is_invariant_to_adding_a_constant_per_row(z, c):
    shift = c * np.arange(1, z.shape[0] + 1)[:, None]  # a different constant on every row
    np.testing.assert_allclose(A.softmax(z + shift), A.softmax(z), rtol=1e-9, atol=1e-14)


def test_softmax_along_axis_0_normalises_columns():
    z = np.array([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]])
    s = A.softmax(z, axis=0)
    np.testing.assert_allclose(s.sum(axis=0), 1.0)
    # column 1 has two equal scores; column 0 has e^1/(e^1 + e^3)
    np.testing.assert_allclose(s[:, 1], [0.5, 0.5])
    np.testing.assert_allclose(s[0, 0], np.e / (np.e + np.e ** 3))
    np.testing.assert_allclose(A.softmax_prime(z, axis=0), s * (1 - s))


def test_softmax_small_case_by_hand():
    # e^0, e^ln2, e^ln5 = 1, 2, 5; total 8
    np.testing.assert_allclose(A.softmax(np.log([1.0, 2.0, 5.0])), [1 / 8, 2 / 8, 5 / 8], rtol=1e-15)


@SETTINGS
@given(arrays(-10.0, 10.0, min_dims=1, max_dims=1))
def test_softmax_jacobian_matches_numerical_jacobian(z):
    J = A.softmax_jacobian(z)
    assert J.shape == (z.size, z.size)
    np.testing.assert_allclose(J, numerical_jacobian(A.softmax, z), rtol=1e-6, atol=1e-9)


@SETTINGS
@given(arrays(-10.0, 10.0, min_dims=1, max_dims=1))
def test_softmax_prime_is_the_diagonal_of_the_jacobian(z):
    # the Jacobian's diagonal is s - s^2, softmax_prime is s (1 - s): equal up to the rounding
    # of s - s^2 (a few ulps of s <= 1, i.e. below 1e-15 in absolute terms)
    np.testing.assert_allclose(np.diag(A.softmax_jacobian(z)), A.softmax_prime(z), rtol=0, atol=1e-15)


def test_softmax_jacobian_of_a_batch_is_one_jacobian_per_row():
    z = np.array([[0.5, -1.0, 2.0], [3.0, 3.0, -4.0]])
    J = A.softmax_jacobian(z)
    assert J.shape == (2, 3, 3)
    for i in range(2):
        np.testing.assert_allclose(J[i], A.softmax_jacobian(z[i]), rtol=1e-15)
        np.testing.assert_allclose(J[i], numerical_jacobian(A.softmax, z[i]), rtol=1e-6, atol=1e-9)
    # each column of a softmax Jacobian sums to 0: the outputs always sum to 1
    np.testing.assert_allclose(J.sum(axis=1), 0.0, atol=1e-15)


def test_softmax_jacobian_refuses_3d():
    with pytest.raises(ValueError, match=r"softmax_jacobian: z must be a vector \(k,\) or a batch "
                                         r"\(n, k\), got shape \(2, 2, 2\)"):
        A.softmax_jacobian(np.zeros((2, 2, 2)))


@pytest.mark.parametrize("f", [A.softmax, A.softmax_prime])
def test_softmax_refuses_a_scalar_and_a_bad_axis(f):
    with pytest.raises(ValueError, match=rf"^{f.__name__}: z must have at least one dimension"):
        f(1.0)
    with pytest.raises(ValueError, match=rf"^{f.__name__}: axis 2 is out of range for z of shape \(2, 3\)"):
        f(np.zeros((2, 3)), axis=2)


# --- numerics: finite and silent for |z| up to 1e4 --------------------------------------------

EXTREME = np.concatenate([-np.logspace(-3, 4, 200), [0.0], np.logspace(-3, 4, 200),
                          [-746.0, -745.0, -720.0, -709.8, -709.5, 709.5, 710.0, 745.0]])


@pytest.mark.parametrize("f", [A.sigmoid, A.sigmoid_prime, A.tanh, A.tanh_prime])
def test_elementwise_is_finite_and_silent_for_large_z(f):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = f(EXTREME)
    assert np.all(np.isfinite(out))


def test_sigmoid_limits_for_large_z():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert A.sigmoid(1e4) == 1.0 and A.sigmoid(-1e4) == 0.0
        assert A.sigmoid_prime(1e4) == 0.0 and A.sigmoid_prime(-1e4) == 0.0
    # sigma(-z) = 1 - sigma(z) over the whole range
    np.testing.assert_allclose(A.sigmoid(-EXTREME), 1.0 - A.sigmoid(EXTREME), atol=1e-16)


def softmax_cases():
    rng = np.random.default_rng(3)
    big = rng.uniform(-1e4, 1e4, size=(20, 5))
    # rows whose small probabilities fall into the subnormal range after the division
    sub = np.array([[0.0, 0.0, 0.0, -710.45594135, -700.59961018],
                    [0.0, 0.0, -709.5, -720.0, -745.0],
                    [1e4, -1e4, 0.0, 1e4, -1e4]])
    return np.vstack([big, sub])


@pytest.mark.parametrize("f", [A.softmax, A.softmax_prime, A.softmax_jacobian])
def test_softmax_is_finite_and_silent_for_scores_up_to_1e4(f):
    z = softmax_cases()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = f(z)
    assert np.all(np.isfinite(out))
    if f is A.softmax:
        np.testing.assert_allclose(out.sum(axis=-1), 1.0, atol=1e-12)


@pytest.mark.parametrize("f", [A.sigmoid, A.sigmoid_prime, A.softmax, A.softmax_prime, A.softmax_jacobian])
def test_an_outer_errstate_raise_does_not_break_sigmoid_or_softmax(f):
    # a student may run with np.seterr(all="raise"); an underflow of a probability to 0 is
    # harmless, so these functions guard their own underflow instead of raising
    z = softmax_cases() if f in (A.softmax, A.softmax_prime, A.softmax_jacobian) else EXTREME
    with np.errstate(all="raise"):
        out = f(z)
    assert np.all(np.isfinite(out))


# --- lecture conventions and worked values ----------------------------------------------------

def test_relu_prime_at_zero_is_zero():
    # Samatova: ReLU has no derivative at 0; "by convention the gradient of zero is substituted"
    assert A.relu_prime(0.0) == 0.0
    np.testing.assert_array_equal(A.relu_prime(np.array([-1.0, 0.0, 1e-300, 2.0])), [0.0, 0.0, 1.0, 1.0])
    np.testing.assert_array_equal(A.relu(np.array([-1.0, 0.0, 2.5])), [0.0, 0.0, 2.5])


def test_leaky_relu_slope():
    # CENG 506: max(0.1 x, x)
    z = np.array([-10.0, -1.0, 0.0, 3.0])
    np.testing.assert_array_equal(A.leaky_relu(z), np.maximum(0.1 * z, z))
    np.testing.assert_array_equal(A.leaky_relu(z, slope=0.2), [-2.0, -0.2, 0.0, 3.0])
    np.testing.assert_array_equal(A.leaky_relu_prime(z), [0.1, 0.1, 0.1, 1.0])
    np.testing.assert_array_equal(A.leaky_relu_prime(z, slope=0.2), [0.2, 0.2, 0.2, 1.0])


def test_step_at_threshold():
    # g(z) = 1 if z >= T else 0: the threshold itself counts as "on"
    assert A.step(0.0) == 1.0
    assert A.step(-1e-300) == 0.0
    assert A.step(2.0, threshold=2.0) == 1.0
    assert A.step(np.nextafter(2.0, 0.0), threshold=2.0) == 0.0


def test_sigmoid_prime_at_zero_is_exactly_a_quarter():
    assert A.sigmoid(0.0) == 0.5
    assert A.sigmoid_prime(0.0) == 0.25


def test_seed_000_sigmoid_derivative_erratum():
    # Samatova's extra slide derives dS/dt = S(t) (S(t) - 1). It drops the minus sign of
    # d(e^{-t})/dt = -e^{-t}: the printed expression is negative where the sigmoid is
    # increasing. Ours, S (1 - S) (CENG 506's derivation), matches the numerical derivative.
    z = np.linspace(-6, 6, 25)
    numeric = central_diff(A.sigmoid, z)
    s = A.sigmoid(z)
    printed = s * (s - 1)
    assert np.all(numeric > 0)
    assert np.all(printed < 0)
    np.testing.assert_allclose(printed, -numeric, rtol=1e-6)   # exactly the wrong sign
    np.testing.assert_allclose(A.sigmoid_prime(z), numeric, rtol=1e-6)


def test_tanh_prime_is_one_minus_tanh_squared():
    z = np.linspace(-5, 5, 41)
    np.testing.assert_allclose(A.tanh_prime(z), 1.0 - np.tanh(z) ** 2, rtol=1e-15, atol=1e-16)
    np.testing.assert_allclose(A.tanh(z), (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z)), rtol=1e-14)
    assert A.tanh_prime(0.0) == 1.0


def test_linear_is_the_identity():
    z = np.array([[-3.0, 0.0], [2.5, 7.0]])
    np.testing.assert_array_equal(A.linear(z), z)
    np.testing.assert_array_equal(A.linear_prime(z), np.ones_like(z))


# --- types, shapes, no mutation -----------------------------------------------------------

ALL_ARRAY_FUNCS = [A.sigmoid, A.sigmoid_prime, A.tanh, A.tanh_prime, A.relu, A.relu_prime,
                   A.leaky_relu, A.leaky_relu_prime, A.linear, A.linear_prime, A.softmax,
                   A.softmax_prime, A.step, A.step_prime]


@pytest.mark.parametrize("f", ALL_ARRAY_FUNCS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("z", [np.array([-2.0, 0.0, 3.0]), np.array([[1, -2, 0], [4, 5, -6]]),
                               np.array([[0.5, -0.5]], dtype=np.float32)], ids=["1d", "2d-int", "float32"])
def test_float64_same_shape_input_not_mutated(f, z):
    before = z.copy()
    out = f(z)
    assert isinstance(out, np.ndarray)
    assert out.dtype == np.float64
    assert out.shape == z.shape
    np.testing.assert_array_equal(z, before)
    assert z.dtype == before.dtype
    assert out is not z


def test_linear_returns_a_new_array():
    z = np.array([1.0, 2.0])
    out = A.linear(z)
    out[0] = 99.0
    assert z[0] == 1.0


@pytest.mark.parametrize("f", [A.sigmoid, A.sigmoid_prime, A.tanh, A.tanh_prime, A.relu, A.relu_prime,
                               A.leaky_relu, A.leaky_relu_prime, A.linear, A.linear_prime,
                               A.step, A.step_prime], ids=lambda f: f.__name__)
@pytest.mark.parametrize("z", [0.7, -3, np.float32(1.5)], ids=["float", "int", "np.float32"])
def test_scalar_in_scalar_out(f, z):
    out = f(z)
    assert np.ndim(out) == 0
    assert isinstance(out, np.float64)
    assert not isinstance(out, np.ndarray)


def test_lists_are_accepted():
    np.testing.assert_allclose(A.sigmoid([0.0, 0.0]), [0.5, 0.5])
    np.testing.assert_allclose(A.softmax([[0.0, 0.0]]), [[0.5, 0.5]])


# --- get_activation -------------------------------------------------------------------------

EXPECTED = {
    "sigmoid": (A.sigmoid, A.sigmoid_prime),
    "tanh": (A.tanh, A.tanh_prime),
    "relu": (A.relu, A.relu_prime),
    "leaky_relu": (A.leaky_relu, A.leaky_relu_prime),
    "linear": (A.linear, A.linear_prime),
    "softmax": (A.softmax, A.softmax_prime),
    "step": (A.step, A.step_prime),
}


def test_names_are_the_contract_names():
    assert set(A.NAMES) == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_get_activation(name):
    act = A.get_activation(name)
    f, df = EXPECTED[name]
    assert act.name == name
    assert act.f is f and act.df is df
    z = np.array([[-1.5, 0.25, 2.0]])
    np.testing.assert_array_equal(act.f(z), f(z))
    np.testing.assert_array_equal(act.df(z), df(z))
    assert A.get_activation(act) is act


@pytest.mark.parametrize("bad", ["sigmod", "ReLU", "", None, 3])
def test_get_activation_unknown_name_lists_valid_names(bad):
    with pytest.raises(ValueError) as info:
        A.get_activation(bad)
    msg = str(info.value)
    assert msg.startswith(f"get_activation: unknown activation {bad!r}; valid names are: ")
    for name in EXPECTED:
        assert repr(name) in msg


# --- bad input --------------------------------------------------------------------------

@pytest.mark.parametrize("f", ALL_ARRAY_FUNCS + [A.softmax_jacobian], ids=lambda f: f.__name__)
@pytest.mark.parametrize("bad", ["1.0", None, ["a", "b"], ["1.5"], [1.0, None], [1j], {"z": 1}],
                         ids=["str", "None", "list-of-str", "list-of-numeric-str", "list-with-None",
                              "complex", "dict"])
def test_bad_input_is_a_type_error_naming_the_function(f, bad):
    with pytest.raises(TypeError, match=rf"^{f.__name__}: z must be a number or an array of numbers, got "):
        f(bad)


@pytest.mark.parametrize("f", [A.leaky_relu, A.leaky_relu_prime])
def test_bad_slope(f):
    with pytest.raises(TypeError, match=rf"^{f.__name__}: slope must be a real number, got str '0.1'"):
        f(1.0, slope="0.1")
    with pytest.raises(ValueError, match=rf"^{f.__name__}: slope must be finite, got nan"):
        f(1.0, slope=float("nan"))


@pytest.mark.parametrize("f", [A.step, A.step_prime])
def test_bad_threshold(f):
    with pytest.raises(TypeError, match=rf"^{f.__name__}: threshold must be a real number, got NoneType None"):
        f(1.0, threshold=None)
