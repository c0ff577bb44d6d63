"""Comparison primitives that a student's notebook cannot patch.

A student's cell runs in the same Python process as the checks, so it can rebind
`np.allclose`, `np.isclose` (which calls `abs` internally), `np.testing.*`, `builtins.abs`
and friends. Everything here is therefore built from

- builtins and NumPy functions captured when this module is imported (the package is
  imported by the lesson's setup cell, before any student code runs), bound as module
  globals so that a later `builtins.X = ...` does not reach them, and
- ndarray's own operators and methods (`-`, `<=`, `.max()`, `.__abs__()`), which live on
  an immutable C type and cannot be replaced from Python.
"""
from __future__ import annotations

import builtins as _b
import sys as _sys

import numpy as _np

# Captured builtins: module globals shadow the builtins module, so a student's
# `builtins.abs = lambda x: 0` after import does not change what these names mean here.
abs = _b.abs
bool = _b.bool
callable = _b.callable
compile = _b.compile
dict = _b.dict
enumerate = _b.enumerate
exec = _b.exec
float = _b.float
getattr = _b.getattr
id = _b.id
int = _b.int
isinstance = _b.isinstance
len = _b.len
list = _b.list
print = _b.print
range = _b.range
repr = _b.repr
str = _b.str
super = _b.super
tuple = _b.tuple
type = _b.type
zip = _b.zip
BaseException = _b.BaseException
Exception = _b.Exception
NotImplementedError = _b.NotImplementedError
KeyboardInterrupt = _b.KeyboardInterrupt

ndarray = _np.ndarray
array = _np.array
float64 = _np.float64
isfinite = _np.isfinite
array2string = _np.array2string
unravel_index = _np.unravel_index
ascontiguousarray = _np.ascontiguousarray
errstate = _np.errstate
sign = _np.sign
concatenate = _np.concatenate

setprofile = _sys.setprofile
getprofile = _sys.getprofile


def to_float_array(x):
    """x as a new float64 ndarray, or None when it is not numeric."""
    try:
        return array(x, dtype=float64, copy=True)
    except (TypeError, ValueError, OverflowError):
        return None


def is_float64_like(x) -> bool:
    """True for Python floats, NumPy float64 scalars and float64 arrays."""
    if isinstance(x, float):  # includes np.float64, a subclass of float
        return True
    if isinstance(x, ndarray):
        return x.dtype == float64
    return False


def copy_arg(x):
    """A private copy of an argument, so the student's function cannot alter our cases."""
    if isinstance(x, ndarray):
        return x.copy()
    if isinstance(x, list):
        return [copy_arg(v) for v in x]
    if isinstance(x, tuple):
        return tuple(copy_arg(v) for v in x)
    return x


def same_value(a, b) -> bool:
    """Exact equality of two arguments (used to detect in-place modification)."""
    if isinstance(a, ndarray) or isinstance(b, ndarray):
        if not (isinstance(a, ndarray) and isinstance(b, ndarray)):
            return False
        if a.shape != b.shape or a.dtype != b.dtype:
            return False
        eq = (a == b) | ((a != a) & (b != b))  # NaN equals NaN here
        return bool(eq.all())
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all_true(same_value(x, y) for x, y in zip(a, b))
    return a is b or a == b


def all_true(items) -> bool:
    for item in items:
        if not item:
            return False
    return True


def compare(got: ndarray, expected: ndarray, rtol: float, atol: float):
    """Element-wise |got - expected| <= atol + rtol |expected|, infinities equal to themselves.

    Both are float64 arrays of the same shape. Returns None when they agree, else
    (index, got_value, expected_value) of the worst element.
    """
    if got.size == 0:
        return None
    shape = got.shape
    got, expected = got.reshape(-1), expected.reshape(-1)  # 1-D, so 0-d inputs index too
    # inf - inf and inf * 0 are NaN here on purpose: no RuntimeWarning in the student's
    # notebook, and no FloatingPointError if the notebook has called np.seterr(all="raise").
    with errstate(all="ignore"):
        diff = (got - expected).__abs__()
        tol = expected.__abs__() * rtol + atol
        # an infinite expected value makes tol infinite, so it must be matched exactly;
        # NaN fails both tests; equal infinities pass the second
        ok = ((diff <= tol) & isfinite(expected)) | (got == expected)
        if bool(ok.all()):
            return None
        # the worst offender: first NaN if any, else the largest excess over the tolerance
        bad = ~ok
        excess = diff - tol
    excess[~bad] = -1.0
    excess[bad & (excess != excess)] = float("inf")
    flat = int(excess.argmax())
    idx = tuple(int(i) for i in unravel_index(flat, shape)) if len(shape) else ()
    return idx, float(got[flat]), float(expected[flat])


def fmt(x, precision: int = 6) -> str:
    """A short readable form of a number or array for messages."""
    if isinstance(x, ndarray):
        if x.ndim == 0:
            return fmt(float(x), precision)
        if x.size > 12:
            return f"an array of shape {x.shape}"
        return array2string(x, precision=precision, separator=", ", max_line_width=10**6).replace("\n", "")
    if isinstance(x, float):
        return f"{x:.{precision}g}"
    if isinstance(x, (list, tuple)) and len(x) <= 6:
        inner = ", ".join(fmt(v, precision) for v in x)
        return f"({inner})" if isinstance(x, tuple) else f"[{inner}]"
    text = repr(x)
    return text if len(text) <= 80 else text[:77] + "..."


def describe_type(x) -> str:
    if isinstance(x, ndarray):
        return f"an array of shape {x.shape} and dtype {x.dtype}"
    if x is None:
        return "None (did you forget `return`?)"
    name = type(x).__name__
    return f"{'an' if name[:1] in 'aeiou' else 'a'} {name}"
