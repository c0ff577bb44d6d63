"""backproplab._validate: the argument checks and the messages every public function relies on."""
import numpy as np
import pytest

from backproplab._validate import as_float_array, choice, positive_int, real_number, rng_from, same_shape


# --- as_float_array ---------------------------------------------------------------------

def test_as_float_array_returns_a_float64_copy():
    x = np.array([[1, 2], [3, 4]])
    arr = as_float_array(x, "f", "X")
    assert arr.dtype == np.float64
    np.testing.assert_array_equal(arr, x)
    arr[0, 0] = 99
    assert x[0, 0] == 1  # a copy: callers may modify it freely

    y = np.array([1.0, 2.0])
    assert as_float_array(y, "f", "y") is not y
    assert as_float_array(3, "f", "x").shape == ()
    assert as_float_array([[1, 2]], "f", "x").shape == (1, 2)


@pytest.mark.parametrize("bad,kind", [("abc", "str"), (b"ab", "bytes"), (None, "NoneType")])
def test_as_float_array_refuses_text_and_none(bad, kind):
    with pytest.raises(TypeError, match=rf"^MLP\.forward: X must be a number or an array of numbers, got {kind}$"):
        as_float_array(bad, "MLP.forward", "X")


@pytest.mark.parametrize("bad,kind", [({"a": 1}, "dict"), ([[1, 2], [3]], "list")])
def test_as_float_array_refuses_non_numeric_and_ragged(bad, kind):
    # the message carries numpy's reason in brackets
    with pytest.raises(TypeError, match=rf"^train: X must be a number or an array of numbers, got {kind} \(.+\)$"):
        as_float_array(bad, "train", "X")


@pytest.mark.parametrize("bad,kind,holding", [
    (["1.5", "2"], "list", "text"),            # NumPy alone would parse these to 1.5, 2.0
    (np.array(["a"]), "ndarray", "text"),
    ([[1.0, "2"]], "list", "text"),
    ([None, 1.0], "list", "None"),             # NumPy alone would make this nan
    ([1.0, 2j], "list", "complex numbers"),    # NumPy alone would drop the imaginary part
    (np.array([1 + 1j]), "ndarray", "complex numbers"),
    (1 + 1j, "complex", "complex numbers"),
    (np.array(["2020-01-01"], dtype="datetime64[D]"), "ndarray", r"values of dtype datetime64\[D\]"),
])
def test_as_float_array_refuses_what_numpy_would_silently_convert(bad, kind, holding):
    with pytest.raises(TypeError, match=rf"^MLP\.forward: X must be a number or an array of numbers, "
                                        rf"got {kind} holding {holding}$"):
        as_float_array(bad, "MLP.forward", "X")


def test_as_float_array_accepts_bools_and_numeric_objects():
    from fractions import Fraction
    np.testing.assert_array_equal(as_float_array(np.array([True, False]), "f", "x"), [1.0, 0.0])
    np.testing.assert_array_equal(as_float_array([Fraction(1, 2), np.int64(3)], "f", "x"), [0.5, 3.0])
    np.testing.assert_array_equal(as_float_array(np.array([1, 2], dtype=object), "f", "x"), [1.0, 2.0])


def test_as_float_array_ndim():
    with pytest.raises(ValueError, match=r"^MLP\.forward: X must be 2-D, got shape \(3,\)$"):
        as_float_array(np.zeros(3), "MLP.forward", "X", ndim=2)
    with pytest.raises(ValueError, match=r"^quadratic: y_hat must be 1-D or 2-D, got shape \(2, 2, 2\)$"):
        as_float_array(np.zeros((2, 2, 2)), "quadratic", "y_hat", ndim=(1, 2))
    assert as_float_array(np.zeros((2, 2)), "f", "x", ndim=[1, 2]).shape == (2, 2)


def test_as_float_array_finite():
    x = np.array([[1.0, np.nan], [np.inf, -np.inf]])
    with pytest.raises(ValueError, match=r"^train: X contains 3 NaN or infinite value\(s\); clean the data first$"):
        as_float_array(x, "train", "X", finite=True)
    # without finite=True, NaN passes (some functions must accept it, e.g. to report a divergence)
    assert np.isnan(as_float_array(x, "f", "X")[0, 1])
    assert as_float_array([1.0, 2.0], "f", "x", finite=True).shape == (2,)


# --- same_shape ----------------------------------------------------------------------------

def test_same_shape_message():
    with pytest.raises(ValueError, match=r"^quadratic: y_hat has shape \(3, 2\) but y has shape \(3,\); "
                                         r"they must be the same shape$"):
        same_shape(np.zeros((3, 2)), np.zeros(3), "quadratic")
    with pytest.raises(ValueError, match=r"^SGD\.step: W1 has shape \(2, 2\) but dW1 has shape \(2, 3\)"):
        same_shape(np.zeros((2, 2)), np.zeros((2, 3)), "SGD.step", names=("W1", "dW1"))
    assert same_shape(np.zeros((2, 2)), np.ones((2, 2)), "f") is None


# --- positive_int --------------------------------------------------------------------------

def test_positive_int():
    assert positive_int(3, "train", "epochs") == 3
    assert type(positive_int(np.int64(3), "train", "epochs")) is int
    assert positive_int(0, "train", "epochs", minimum=0) == 0
    with pytest.raises(ValueError, match=r"^train: epochs must be >= 1, got 0$"):
        positive_int(0, "train", "epochs")
    with pytest.raises(ValueError, match=r"^train: batch_size must be >= 1, got -2$"):
        positive_int(-2, "train", "batch_size")


@pytest.mark.parametrize("bad,shown", [(2.0, "float 2.0"), (True, "bool True"), ("3", "str '3'"),
                                       (None, "NoneType None")])
def test_positive_int_refuses_non_integers(bad, shown):
    # True is an int to Python, but epochs=True is surely a mistake
    with pytest.raises(TypeError, match=rf"^train: epochs must be an integer, got {shown}$"):
        positive_int(bad, "train", "epochs")


# --- real_number -----------------------------------------------------------------------

def test_real_number():
    assert real_number(1, "SGD", "lr") == 1.0 and type(real_number(1, "SGD", "lr")) is float
    assert real_number(np.float32(0.5), "SGD", "lr") == 0.5
    assert real_number(0.0, "SGD", "lr", minimum=0.0) == 0.0
    assert real_number(1.0, "Momentum", "momentum", minimum=0.0, maximum=1.0) == 1.0


@pytest.mark.parametrize("bad,shown", [("0.1", "str '0.1'"), (None, "NoneType None"), (False, "bool False"),
                                       (1 + 2j, r"complex \(1\+2j\)")])
def test_real_number_refuses_non_reals(bad, shown):
    with pytest.raises(TypeError, match=rf"^SGD: lr must be a real number, got {shown}$"):
        real_number(bad, "SGD", "lr")


def test_real_number_bounds_and_finiteness():
    with pytest.raises(ValueError, match=r"^SGD: lr must be finite, got nan$"):
        real_number(float("nan"), "SGD", "lr")
    with pytest.raises(ValueError, match=r"^SGD: lr must be finite, got inf$"):
        real_number(np.inf, "SGD", "lr")
    with pytest.raises(ValueError, match=r"^SGD: lr must be > 0.0, got 0.0$"):
        real_number(0.0, "SGD", "lr", minimum=0.0, strict=True)
    with pytest.raises(ValueError, match=r"^MLP\.backward: l2 must be >= 0, got -0.5$"):
        real_number(-0.5, "MLP.backward", "l2", minimum=0)
    with pytest.raises(ValueError, match=r"^Momentum: momentum must be <= 1.0, got 1.5$"):
        real_number(1.5, "Momentum", "momentum", maximum=1.0)


# --- choice -------------------------------------------------------------------------------

def test_choice():
    assert choice("relu", ("sigmoid", "relu"), "MLP", "activation") == "relu"
    with pytest.raises(ValueError, match=r"^MLP: unknown init 'glorot'; valid names are: 'xavier', 'he'$"):
        choice("glorot", ("xavier", "he"), "MLP", "init")
    # a non-string is reported the same way, not as a TypeError from `in`
    with pytest.raises(ValueError, match=r"^MLP: unknown init \['he'\]; valid names are: 'xavier', 'he'$"):
        choice(["he"], ("xavier", "he"), "MLP", "init")


# --- rng_from ----------------------------------------------------------------------------

def test_rng_from():
    g = np.random.default_rng(1)
    assert rng_from(g, "f") is g
    assert isinstance(rng_from(None, "f"), np.random.Generator)
    a, b = rng_from(5, "f"), rng_from(np.int64(5), "f")
    assert a.integers(0, 10 ** 9) == b.integers(0, 10 ** 9)  # same seed, same stream


@pytest.mark.parametrize("bad,shown", [(-1, "int -1"), (1.5, "float 1.5"), ("0", "str '0'"), (True, "bool True")])
def test_rng_from_refuses_bad_seeds(bad, shown):
    with pytest.raises(TypeError, match=rf"^make_moons: seed must be None, a non-negative int or a numpy "
                                        rf"Generator, got {shown}$"):
        rng_from(bad, "make_moons")


def test_as_float_array_without_copy_and_its_finiteness_check():
    # train() reads X without copying it: a float64 array is returned as it is, anything
    # else converted as always; the checks are the same either way
    x = np.arange(6.0).reshape(3, 2)
    assert as_float_array(x, "train", "X", ndim=2, finite=True, copy=False) is x
    ints = np.arange(6).reshape(3, 2)
    got = as_float_array(ints, "train", "X", copy=False)
    assert got is not ints and got.dtype == np.float64
    with pytest.raises(ValueError, match=r"^train: X must be 2-D, got shape \(6,\)$"):
        as_float_array(x.ravel(), "train", "X", ndim=2, copy=False)
    for bad in (x.copy(), np.asfortranarray(x), x[:, ::-1].copy()[:, ::-1]):
        bad[2, 1] = np.nan
        with pytest.raises(ValueError, match=r"^train: X contains 1 NaN or infinite value\(s\)"):
            as_float_array(bad, "train", "X", finite=True, copy=False)
    # finite entries whose sum overflows are finite all the same
    huge = np.full((4, 3), 1e308)
    assert as_float_array(huge, "train", "X", finite=True, copy=False) is huge
    mixed = np.array([[1e308, -np.inf], [np.inf, 1.0]])
    with pytest.raises(ValueError, match=r"^train: X contains 2 NaN or infinite value\(s\)"):
        as_float_array(mixed, "train", "X", finite=True, copy=False)
