"""What a wrong answer is, next to the expected one: generic relations said in words.

When no catalogue entry reproduces a student's function, the check still says what a person
would see at a glance, if it holds: "every value is 1.1 times the expected one", "the sign is
flipped", "you returned the transpose", "rounded to 2 decimals", "float32, not float64", "a
list instead of an array", "NaN where the expected values are finite", "the arguments are
swapped", "that is what sigmoid() returns". A relation is said only when it holds on the
failing output, and the numeric ones (a constant factor, offset, sign, rounding) on the other
failing visible outputs too, with at least two values to go on: one number is a constant
multiple of any other, and that would be no diagnosis.

This code runs in the student's kernel (for the message) and in the grader (for the record),
so it uses only captured builtins and ndarray methods (see _safe), and never raises.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from . import _safe as s
from ._safe import abs, bool, float, int, isinstance, len, list, range, str, tuple  # noqa: A004

__all__ = ["Relation", "find", "KEYS"]

# every relation this module can name, for the misconception report and the tests
KEYS = ("other_result", "swapped_arguments", "list", "float32", "integer_dtype", "reshaped",
        "transposed", "not_finite", "sign_flipped", "constant_factor", "constant_offset",
        "rounded")

RTOL = 1e-6     # a relation holds up to what float64 arithmetic in another order changes
_TINY = 1e-12


@dataclass(frozen=True)
class Relation:
    key: str      # one of KEYS
    text: str     # the sentence the student reads


def _close(got, want) -> bool:
    """Same shape and every |got - want| <= RTOL (|want| + max |want|) (NaN never close)."""
    if got.shape != want.shape:
        return False
    if got.size == 0:
        return True
    scale = float(want.__abs__().max()) if bool(s.isfinite(want).all()) else 1.0
    return s.compare(got, want, RTOL, RTOL * scale + _TINY) is None


def _num(x) -> str:
    return s.fmt(float(x), 4)


def find(got, expected, *, others=(), results=(), swapped=None, sizes=()) -> Optional[Relation]:
    """The first relation that holds between `got` and `expected`, or None.

    others:  (got, expected) of the other visible cases the answer also fails.
    results: (name, value) of other functions of the lesson on the same arguments.
    swapped: the expected value with two same-shaped arguments exchanged, if there are two.
    sizes:   the arguments' batch sizes, to name a factor that is one.
    """
    try:
        return _find(got, expected, others, results, swapped, sizes)
    except s.Exception:       # a diagnosis is a courtesy: it never breaks a check
        return None


def _find(got, expected, others, results, swapped, sizes):
    if isinstance(expected, (tuple, list)):
        # the whole answer first: swapped arguments or another function explain every item
        for name, value in results:
            if isinstance(value, (tuple, list)) and _items_close(got, value) and not _items_close(got, expected):
                return _other_result(name)
        if isinstance(swapped, (tuple, list)) and _items_close(got, swapped) and not _items_close(got, expected):
            return _SWAPPED
        return _in_items(got, expected)
    e = s.to_float_array(expected)
    g = s.to_float_array(got)
    if e is None or g is None or isinstance(got, str):
        return None
    for name, value in results:
        v = s.to_float_array(value)
        # the same values in another dtype (an int 0 where that function gives 0.0) are not
        # what it returns: the dtype relation below says what is wrong
        if v is not None and _close(g, v) and not _close(g, e) \
                and s.is_float64_like(got) == s.is_float64_like(value):
            return _other_result(name)
    if swapped is not None:
        w = s.to_float_array(swapped)
        if w is not None and _close(g, w) and not _close(g, e):
            return _SWAPPED
    if isinstance(got, (list, tuple)):
        if _close(g, e):
            return Relation("list", f"the values are right, but they come in a "
                                    f"{s.type(got).__name__}, not a NumPy array: return "
                                    "np.array(...) or compute with arrays throughout.")
        return None
    structural = _dtype(got, g, e) or _shape(g, e)
    if structural is not None or g.shape != e.shape:
        return structural
    if not bool(s.isfinite(g).all()) and bool(s.isfinite(e).all()):
        bad = int((~s.isfinite(g)).sum())
        return Relation("not_finite", f"NaN or inf in {bad} of the {g.size} values returned, where "
                        "every expected value is finite: an intermediate result overflowed "
                        "(e.g. e^z for a large z, then inf/inf or 0 * inf). Use the stable form "
                        "of the formula, which never exponentiates a large positive number "
                        "(for the sigmoid: split by the sign of z; for softmax: subtract the "
                        "maximum first).")
    return _numeric(g, e, others, sizes)


_SWAPPED = Relation("swapped_arguments", "that is the right answer for the arguments the other "
                    "way round: two arguments are swapped (check their order in the function's "
                    "signature).")


def _other_result(name):
    return Relation("other_result", f"that is what {name} returns for the same arguments, not "
                                    "what this exercise asks for.")


def _in_items(got, expected):
    """A tuple answer (Z, A), or one of lists ([dW1, dW2], [db1, db2]): the relation of the
    first item that differs, said with where it is."""
    found = _first_item_relation(got, expected)
    if found is None:
        return None
    where, inner = found
    return Relation(inner.key, f"in {where}: {inner.text}")


def _first_item_relation(got, expected):
    """(where, relation) for the first differing item, looking into nested lists; None if
    the first differing item has no relation."""
    if not (isinstance(got, (tuple, list)) and len(got) == len(expected)):
        return None
    for i in range(len(expected)):
        here = f"item {i + 1} of the {len(expected)} returned"
        if isinstance(expected[i], (tuple, list)):
            if _items_close(got[i], expected[i]):
                continue
            found = _first_item_relation(got[i], expected[i])
            if found is None:
                return None
            return f"{here} (its {found[0].replace(' returned', '')})", found[1]
        g, e = s.to_float_array(got[i]), s.to_float_array(expected[i])
        if g is None or e is None:
            return None
        if g.shape == e.shape and _close(g, e) and s.is_float64_like(got[i]):
            continue
        inner = _find(got[i], expected[i], (), (), None, ())
        return None if inner is None else (here, inner)
    return None


def _items_close(got, expected) -> bool:
    if isinstance(expected, (tuple, list)):
        return (isinstance(got, (tuple, list)) and len(got) == len(expected)
                and s.all_true(_items_close(g, e) for g, e in zip(got, expected)))
    g, e = s.to_float_array(got), s.to_float_array(expected)
    return g is not None and e is not None and g.shape == e.shape and _close(g, e) and s.is_float64_like(got)


def _dtype(got, g, e):
    if isinstance(got, int) and not isinstance(got, bool):   # a Python int: 1 instead of 1.0
        dtype, kind = "int", "i"
    else:
        dtype = s.getattr(got, "dtype", None)
        if dtype is None or dtype == s.float64:
            return None
        kind = s.getattr(dtype, "kind", "")
    if kind == "f":
        if _close(g, e) or (g.shape == e.shape and s.compare(g, e, 1e-5, 1e-7) is None):
            return Relation("float32", f"the values are right to {dtype}'s precision, but the "
                            f"array is {dtype}, not float64: drop the dtype={dtype} (or "
                            ".astype) that made it, and compute in float64.")
        return Relation("float32", f"the array is {dtype}, not float64 (and the values differ "
                                   "too): compute in float64.")
    if kind in "iub":
        truncated = g.shape == e.shape and _close(g, e.__abs__().__floordiv__(1.0) * s.sign(e))
        why = (" The values are the expected ones with their fractions cut off." if truncated
               else "")
        what = "an int" if dtype == "int" else f"an array of the integer dtype {dtype}"
        return Relation("integer_dtype", f"you returned {what}, which cannot "
                        f"hold fractions.{why} Start from floats (1.0 instead of 1, "
                        "np.zeros(..., dtype=float)), or np.asarray(x, dtype=float).")
    return None


def _shape(g, e):
    if g.shape == e.shape:
        if g.ndim == 2 and g.shape[0] == g.shape[1] and g.shape[0] > 1 and _close(g.T, e) \
                and not _close(g, e):
            return Relation("transposed", "you returned the transpose of the expected matrix: "
                            "rows and columns are exchanged.")
        return None
    if g.ndim == 2 and g.shape == e.shape[::-1] and _close(g.T, e):
        return Relation("transposed", f"you returned the transpose of the expected {e.shape} "
                        f"array, shape {g.shape}: rows and columns are exchanged.")
    if g.size == e.size and _close(g.reshape(e.shape), e):
        return Relation("reshaped", f"the values are right, but the shape is {g.shape}, not "
                        f"{e.shape}: reshape the result (e.g. .reshape({_shape_text(e.shape)})).")
    return None


def _shape_text(shape) -> str:
    return ", ".join(str(n) for n in shape) + ("," if len(shape) == 1 else "")


def _numeric(g, e, others, sizes):
    """Sign, factor, offset, rounding: on the failing output, else over it and the other
    failing visible outputs together (a scalar alone cannot show a factor or an offset)."""
    G, E = [g.reshape(-1)], [e.reshape(-1)]
    for og, oe in others:
        og, oe = s.to_float_array(og), s.to_float_array(oe)
        # an output that is not finite elsewhere says nothing about a factor here
        if og is not None and oe is not None and og.shape == oe.shape \
                and bool(s.isfinite(og).all()) and bool(s.isfinite(oe).all()):
            G.append(og.reshape(-1))
            E.append(oe.reshape(-1))
    if not (bool(s.isfinite(g).all()) and bool(s.isfinite(e).all())):
        return None
    found = _numeric_on(G[0], E[0], sizes)
    if found is None and len(G) > 1:
        found = _numeric_on(s.concatenate(G), s.concatenate(E), sizes)
    return found or _rounded(s.concatenate(G), s.concatenate(E))


def _numeric_on(G, E, sizes):
    n_values = int((E.__abs__() > _TINY).sum())
    if n_values >= 1 and _close(G, -E):
        return Relation("sign_flipped", "every value has the right size but the opposite sign: "
                        "a minus sign is missing, or one too many (or a difference taken the "
                        "other way round).")
    if _all_equal(E):
        # every expected value the same (a constant learning rate, softmax of equal scores):
        # a factor c and the offset (c - 1) E fit alike; only other outputs can tell them apart
        return None
    if n_values >= 2:
        k = int((E.__abs__()).argmax())
        c = float(G[k]) / float(E[k])
        # a factor 0 would only say that every value is 0, nothing about the formula
        if abs(c - 1.0) > 1e-6 and c != 0.0 and _close(G, E * c):
            return Relation("constant_factor", f"every value is {_num(c)} times the expected one"
                            f"{_factor_hint(c, sizes)}.")
    if G.size >= 2:
        d = float(G[0]) - float(E[0])
        scale = float(E.__abs__().max())
        if abs(d) > RTOL * scale + _TINY and _close(G, E + d):
            word = "plus" if d > 0 else "minus"
            return Relation("constant_offset", f"every value is the expected one {word} "
                            f"{_num(abs(d))}: a constant term is added, dropped or wrong.")
    return None


def _all_equal(E) -> bool:
    return E.size >= 1 and _close(E, E * 0.0 + float(E[0]))


def _rounded(G, E):
    """Rounded to k decimals, for the largest k that fits every failing value (1.0 for
    0.999955 fits k = 0 to 4; the other values tell which one the student used)."""
    fits = [k for k in range(0, 9) if not _close(E.round(k), E) and _close(G, E.round(k))]
    if not fits:
        return None
    k = fits[-1]
    return Relation("rounded", f"your values are the expected ones rounded to {k} "
                    f"decimal{'s' if k != 1 else ''}: compute with full precision "
                    "and round only when you print.")


def _factor_hint(c: float, sizes) -> str:
    for n in sizes:
        if n > 1 and abs(c - n) <= 1e-9 * n:
            return f" - the batch size n = {n}: a sum where the mean over the batch is wanted?"
        if n > 1 and abs(c * n - 1.0) <= 1e-9:
            return f" - 1/n for the batch size n = {n}: divided by n once too often?"
    if abs(c - 2.0) <= 1e-9 or abs(c - 0.5) <= 1e-9:
        return " - a factor 2 or 1/2 is missing or extra"
    return ""
