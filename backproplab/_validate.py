"""Argument checks shared by every public function.

Each check raises ValueError (or TypeError for a wrong kind of object) whose message
starts with the public function's name, says what it got and what it expected, so that
a student reading a traceback learns what went wrong without opening this package.
"""
from __future__ import annotations

import math
import numbers

import numpy as np

# The largest array (in elements) a size argument may ask for: 10**8 float64 are 800 MB,
# far beyond anything the course needs. A larger request is almost surely a typo
# (n=10**12) and is refused at once, instead of trying to allocate terabytes.
MAX_ELEMENTS = 10**8


def as_float_array(x, where: str, name: str, *, ndim=None, finite: bool = False,
                   copy: bool = True) -> np.ndarray:
    """Return `x` as a float64 array (a new array: callers may not mutate the original).

    ndim: None, an int or a tuple of allowed numbers of dimensions.
    finite: refuse NaN and inf.
    copy=False: a float64 ndarray is returned as it is, not copied (for callers that only
    read it, such as train(), whose X may be hundreds of megabytes); anything else is
    converted as with copy=True.
    """
    if not copy and type(x) is np.ndarray and x.dtype == np.float64:
        _check_ndim(x, ndim, where, name)
        if finite:
            check_finite(x, where, name)
        return x
    if isinstance(x, (str, bytes)) or x is None:
        raise TypeError(f"{where}: {name} must be a number or an array of numbers, got {type(x).__name__}")
    try:
        raw = x if isinstance(x, np.ndarray) else np.asarray(x)
        problem = _not_real(raw)
        if problem is None:
            arr = np.array(raw, dtype=np.float64, copy=True)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{where}: {name} must be a number or an array of numbers, "
                        f"got {type(x).__name__} ({exc})") from None
    except OverflowError:
        # a Python int beyond float64's range, e.g. [10**400]
        raise ValueError(f"{where}: {name} holds an integer too large for float64 "
                         "(the largest is about 1.8e308)") from None
    if problem is not None:
        raise TypeError(f"{where}: {name} must be a number or an array of numbers, "
                        f"got {type(x).__name__} holding {problem}")
    _check_ndim(arr, ndim, where, name)
    if finite:
        check_finite(arr, where, name)
    return arr


def _check_ndim(arr, ndim, where, name) -> None:
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            want = " or ".join(f"{d}-D" for d in allowed)
            raise ValueError(f"{where}: {name} must be {want}, got shape {arr.shape}")


def check_finite(arr: np.ndarray, where: str, name: str) -> None:
    """Refuse NaN and inf in a float array, in one pass over it and without a new array.

    The sum of the entries is finite only if every entry is (NaN and inf propagate, and an
    overflow only ever gives inf), so one sum settles the common case; only a sum that is
    not finite (bad entries, or finite ones too large to add up) is looked into. A 2-D
    array in one block of memory is summed as X @ ones, row sums first: a BLAS product,
    which reads the array at the speed of memory (and with all of BLAS's threads).
    """
    with np.errstate(over="ignore", invalid="ignore"):
        if arr.ndim == 2 and arr.shape[1] > 1 and (arr.flags.c_contiguous
                                                   or arr.flags.f_contiguous):
            total = np.add.reduce(np.dot(arr, np.ones(arr.shape[1])))
        else:
            total = np.add.reduce(arr, axis=None)
    if np.isfinite(total):
        return
    bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
    if bad:
        raise ValueError(f"{where}: {name} contains {bad} NaN or infinite value(s); "
                         "clean the data first")


def _not_real(raw: np.ndarray):
    """What in `raw` is not a real number, or None if nothing.

    Converting to float64 directly would not complain: NumPy parses the text "1.5" as 1.5,
    turns None into nan and drops the imaginary part of a complex number (with only a
    warning), each of which would hide a mistake in the caller's data.
    """
    kind = raw.dtype.kind
    if kind in "biuf":
        return None
    if kind == "c":
        return "complex numbers"
    if kind in "USa":
        return "text"
    if kind != "O":
        return f"values of dtype {raw.dtype}"
    for v in raw.flat:
        if v is None:
            return "None"
        if isinstance(v, (str, bytes)):
            return "text"
        if isinstance(v, numbers.Complex) and not isinstance(v, numbers.Real):
            return "complex numbers"
    return None


def same_shape(a: np.ndarray, b: np.ndarray, where: str, names=("y_hat", "y")) -> None:
    if a.shape != b.shape:
        raise ValueError(f"{where}: {names[0]} has shape {a.shape} but {names[1]} has shape "
                         f"{b.shape}; they must be the same shape")


def positive_int(n, where: str, name: str, minimum: int = 1) -> int:
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise TypeError(f"{where}: {name} must be an integer, got {type(n).__name__} {_show(n)}")
    if n < minimum:
        raise ValueError(f"{where}: {name} must be >= {_show(minimum)}, got {_show(n)}")
    return int(n)


def _show(v) -> str:
    """repr(v) for a message, short; repr() refuses ints of more than 4300 digits (Python >= 3.11)."""
    if isinstance(v, numbers.Integral) and not isinstance(v, bool) and abs(v) >= 10**100:
        return f"{'-' if v < 0 else ''}about 10^{math.log10(abs(v)):.0f}"
    try:
        text = repr(v)
    except Exception:           # e.g. a list holding such an int
        return f"<{type(v).__name__}>"
    return text if len(text) <= 200 else text[:200] + "..."


def real_number(x, where: str, name: str, *, minimum=None, strict: bool = False,
                maximum=None) -> float:
    """A finite real scalar, optionally bounded below (strictly or not) and above."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"{where}: {name} must be a real number, got {type(x).__name__} {_show(x)}")
    try:
        x = float(x)
    except OverflowError:
        raise ValueError(f"{where}: {name} must be finite, got an integer too large for "
                         "float64") from None
    if not np.isfinite(x):
        raise ValueError(f"{where}: {name} must be finite, got {x}")
    if minimum is not None and (x <= minimum if strict else x < minimum):
        raise ValueError(f"{where}: {name} must be {'>' if strict else '>='} {minimum}, got {x}")
    if maximum is not None and x > maximum:
        raise ValueError(f"{where}: {name} must be <= {maximum}, got {x}")
    return x


def check_size(n_elements: int, where: str, what: str) -> None:
    """Refuse, before allocating it, an array of more than MAX_ELEMENTS elements."""
    if n_elements > MAX_ELEMENTS:
        # sizes are exact ints, possibly beyond float's range (and str()'s digit limit)
        n = int(n_elements)
        count = str(n) if n < 10**12 else f"about 10^{math.log10(n):.1f}"
        raise ValueError(f"{where}: {what} would have {count} elements, more than the limit "
                         f"of {MAX_ELEMENTS:.0e} (800 MB of float64); use smaller sizes")


def choice(value, valid, where: str, name: str) -> str:
    """A name from `valid`; the error lists every valid name."""
    if not isinstance(value, str) or value not in valid:
        raise ValueError(f"{where}: unknown {name} {_show(value)}; valid names are: "
                         + ", ".join(repr(v) for v in valid))
    return value


def rng_from(seed, where: str) -> np.random.Generator:
    """A Generator from None, an int seed or an existing Generator."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None or (isinstance(seed, numbers.Integral) and not isinstance(seed, bool) and seed >= 0):
        return np.random.default_rng(seed)
    raise TypeError(f"{where}: seed must be None, a non-negative int or a numpy Generator, "
                    f"got {type(seed).__name__} {_show(seed)}")


def class_labels(y, where: str, name: str = "y") -> np.ndarray:
    """`y` as 1-D int64 class labels (a new array); refuses floats, bools, other shapes."""
    try:
        raw = np.asarray(y)
    except (TypeError, ValueError) as exc:     # ragged nested lists
        raise TypeError(f"{where}: {name} must be 1-D integer class labels, "
                        f"got {type(y).__name__} ({exc})") from None
    if raw.ndim != 1:
        hint = (" (one-hot rows or probabilities? take the labels with .argmax(axis=1))"
                if raw.ndim == 2 else "")
        raise ValueError(f"{where}: {name} must be 1-D class labels of shape (n,), got shape "
                         f"{raw.shape}{hint}")
    if raw.dtype.kind not in "iu":
        raise TypeError(f"{where}: {name} must hold integer class labels, got dtype {raw.dtype}")
    return raw.astype(np.int64)
