"""Receipts: the hidden tests' verdict is reached outside the student's kernel.

Everything in the kernel, the checks included, can be patched by code in an answer cell
(`Exercise.grade = lambda self, fn: "passed"`). So grade() does not have the last word: while
it runs, every call of the student's function is recorded - what it returned, or the problem
with the call (an exception, the reference called, an argument modified) - and the record is
published with the cell's outputs as a display message of type MIME. The grading worker, a
process no student code runs in, then replays the record through its own, untouched copy of
the exercise (replay): the same cases, the same judging, with the recorded results standing in
for the student's function. A test cell passes only if the kernel's check raised nothing AND
the replay passes; a missing or inconsistent receipt fails.

What a receipt cannot stop: a patched grade() that publishes the correct results for every
case. Producing them takes a correct implementation (or the reference's source copied), which
is what a student would hand in anyway.
"""
from __future__ import annotations

import base64
import os
from typing import Optional

import numpy as np

from . import _safe as s

__all__ = ["MIME", "GRADING_ENV", "encode", "decode", "publish", "replay", "diagnose", "ReceiptMismatch"]

MIME = "application/vnd.backproplab.receipt+json"
GRADING_ENV = "BACKPROPLAB_GRADING"    # set by the grade command's kernel launcher
_NUMERIC_KINDS = "biufc"


class ReceiptMismatch(Exception):
    """The record does not fit the grading's calls: it was not made by the checks."""


def encode(x):
    """A JSON-able, exact description of a returned value (type, dtype, shape and bytes)."""
    if x is None or isinstance(x, (bool, str)):
        return {"t": "py", "v": x}
    if isinstance(x, np.generic) and x.dtype.kind in _NUMERIC_KINDS:
        return {"t": "np", "dtype": x.dtype.str, "b": base64.b64encode(x.tobytes()).decode()}
    if isinstance(x, np.ndarray) and x.dtype.kind in _NUMERIC_KINDS:
        data = np.array(x, order="C", copy=True)   # ascontiguousarray would make 0-d arrays 1-d
        return {"t": "nd", "dtype": data.dtype.str, "shape": list(data.shape),
                "b": base64.b64encode(data.tobytes()).decode()}
    if type(x) in (int, float, complex):
        return {"t": type(x).__name__, "v": repr(x)}
    if isinstance(x, (tuple, list)):
        return {"t": "tuple" if isinstance(x, tuple) else "list", "items": [encode(i) for i in x]}
    # anything else: its type's name and, when it has one, its value as float64
    value = s.to_float_array(x)
    return {"t": "other", "type": type(x).__name__, "value": None if value is None else encode(value)}


def _opaque(type_name: str, value):
    """A stand-in with the original type's name and numeric value (for messages and judging)."""
    def __array__(self, dtype=None, copy=None):
        if value is None:
            raise TypeError(f"{type_name} is not numeric")
        return value.astype(dtype) if dtype is not None else value

    cls = type(type_name, (), {"__array__": __array__, "__repr__": lambda self: f"<{type_name}>"})
    return cls()


def decode(d):
    t = d["t"]
    if t == "py":
        return d["v"]
    if t in ("int", "float", "complex"):
        return {"int": int, "float": float, "complex": complex}[t](d["v"])
    if t == "np":
        return np.frombuffer(base64.b64decode(d["b"]), dtype=np.dtype(d["dtype"]))[0]
    if t == "nd":
        flat = np.frombuffer(base64.b64decode(d["b"]), dtype=np.dtype(d["dtype"]))
        return flat.reshape(tuple(d["shape"])).copy()
    if t in ("tuple", "list"):
        items = [decode(i) for i in d["items"]]
        return tuple(items) if t == "tuple" else items
    if t == "other":
        return _opaque(str(d["type"]), None if d["value"] is None else decode(d["value"]))
    raise ReceiptMismatch(f"unknown value tag {t!r}")


def publish(name: str, records: list, stage: str = "grade") -> None:
    """Put the receipt in the running cell's outputs: only in a grading kernel (GRADING_ENV set),
    so that a notebook run by hand does not keep megabytes of receipts. stage: "check" (the
    visible test) or "grade" (the hidden test)."""
    if not os.environ.get(GRADING_ENV):
        return
    try:
        from IPython import get_ipython
        from IPython.display import publish_display_data
    except ImportError:
        return
    if get_ipython() is None:
        return
    publish_display_data({MIME: {"exercise": name, "stage": stage, "calls": records},
                          "text/plain": f"[receipt of the {stage} of {name}: {len(records)} calls]"})


def _run(name: str, receipt, stage: str):
    """Replay `receipt` through stage ("check" or "grade") of the exercise, here.

    Returns (None, None) when it passes, else (why, Diagnosis). Raises ReceiptMismatch for a
    receipt that is malformed, of another exercise or stage, or does not fit the cases."""
    from . import CheckFailure, NotWrittenYet, exercise
    if not isinstance(receipt, dict) or receipt.get("exercise") != name \
            or not isinstance(receipt.get("calls"), list) or receipt.get("stage", "grade") != stage:
        raise ReceiptMismatch("the hidden test's receipt is missing or malformed")
    ex = exercise(name)
    try:
        getattr(ex, stage)(ex.replaying(receipt["calls"]))
    except (CheckFailure, NotWrittenYet) as exc:
        return str(exc), getattr(exc, "diagnosis", None)
    except (ReceiptMismatch, KeyError, TypeError, ValueError) as exc:
        raise ReceiptMismatch(f"the hidden test's receipt does not match its cases "
                              f"({type(exc).__name__}: {exc})") from None
    finally:
        leftover = ex.stop_replay()
    if leftover:
        raise ReceiptMismatch(f"the hidden test's receipt holds {leftover} calls the tests never made")
    return None, None


def replay(name: str, receipt) -> Optional[str]:
    """None if the recorded calls pass `name`'s hidden test, judged here; else why not."""
    try:
        why, _ = _run(name, receipt, "grade")
    except ReceiptMismatch as exc:
        return str(exc)
    return why


def diagnose(name: str, receipt) -> Optional[dict]:
    """The diagnosis of a failed check or grade, reached by replaying its receipt here.

    {"kind", "key", "text"} as exercise.Diagnosis.to_dict(); kind "not_attempted" for the
    released stub, "problem"/"receipt" for a receipt that does not replay; None when the
    recorded calls pass."""
    stage = receipt.get("stage", "grade") if isinstance(receipt, dict) else "grade"
    try:
        why, diagnosis = _run(name, receipt, stage if stage in ("check", "grade") else "grade")
    except ReceiptMismatch as exc:
        return {"kind": "problem", "key": "receipt", "text": str(exc)}
    if why is None:
        return None
    if diagnosis is None:
        return {"kind": "not_attempted", "key": "not attempted", "text": why}
    return diagnosis.to_dict()
