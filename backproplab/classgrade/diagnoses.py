"""Why a graded test cell failed, as the grader itself judges it: the record the report counts.

For every graded test cell that fails (in the student's kernel or in the receipt replay), the
grading worker replays the cell's last receipt of its exercise - the hidden test's ("grade"
stage) if there is one, else the visible check's - through its own, untouched copy of the
checks (backproplab/checks/receipt.py: diagnose) and keeps

    {"kind": "mistake" | "relation" | "problem" | "not_attempted" | "other", "key", "text"}

Nothing the student's kernel printed or raised is counted, and no text that came out of the
kernel is kept: the key is checked against what the grader knows (the exercise's catalogue,
relations.KEYS, the problems the checks name, Python's own exception names) and the text is the
catalogue's or the relation's sentence, computed here, or a fixed sentence of this module. A
forged receipt can therefore change only its own student's diagnosis of that exercise, to one
the grader itself would give - never add a row, a student or a word of its own.
"""
from __future__ import annotations

import builtins

from . import assemble

__all__ = ["diagnose_cell", "trusted", "NO_RECEIPT", "NOT_ATTEMPTED", "NOT_RECORDED"]

NO_RECEIPT = {"kind": "other", "key": "no receipt",
              "text": "the cell failed but left no receipt that the grader could replay to a failure: "
                      "it failed before or outside the check (a name not defined, the exercise "
                      "not a function, the checks changed in the notebook, a time-out, the kernel died)"}
NOT_ATTEMPTED = {"kind": "not_attempted", "key": "not attempted",
                 "text": "not attempted: the function still raises NotImplementedError (the released stub)"}
NO_EXPLANATION = {"kind": "other", "key": "other",
                  "text": "wrong, and neither a catalogued mistake nor a generic relation explains the answer"}
# a failed cell graded before diagnoses were recorded (a state file of an earlier version)
NOT_RECORDED = {"kind": "other", "key": "not recorded",
                "text": "graded before diagnoses were recorded: delete grading/.grade-state.json and "
                        "grade again to have them"}

_PROBLEMS = {
    "reference handed in": "the function calls the reference answer from backproplab instead of "
                           "computing it",
    "argument modified in place": "the function modifies an argument in place",
    "profiler changed": "the function changed the Python profiler the checks rely on",
    "not a function": "the exercise's name does not hold a function",
}


def _raised_text(name: str) -> str:
    return f"the function raised {name} on a test case: the call itself failed"


def _problem(key) -> dict:
    """A problem the checks name, with this module's sentence; an exception of the student's own
    (or a forged key) becomes "raised an exception"."""
    if key in _PROBLEMS:
        return {"kind": "problem", "key": key, "text": _PROBLEMS[key]}
    exc = str(key)[len("raised "):] if str(key).startswith("raised ") else ""
    known = getattr(builtins, exc, None) if exc.isidentifier() else None
    if isinstance(known, type) and issubclass(known, BaseException):
        return {"kind": "problem", "key": key, "text": _raised_text(exc)}
    return {"kind": "problem", "key": "raised an exception", "text": _raised_text("an exception")}


def trusted(name: str, found) -> dict | None:
    """receipt.diagnose()'s answer for exercise `name`, kept only as far as the grader vouches
    for it; None when the replay passes."""
    from ..checks import exercise
    from ..checks.relations import KEYS
    if found is None:
        return None
    kind, key = found.get("kind"), found.get("key")
    if kind == "mistake":
        explain = {m.key: m.explain for m in exercise(name).mistakes}
        return {"kind": kind, "key": key, "text": explain[key]} if key in explain else NO_EXPLANATION
    if kind == "relation" and key in KEYS:
        return {"kind": kind, "key": key, "text": str(found.get("text", ""))}
    if kind == "not_attempted":
        return NOT_ATTEMPTED
    if kind == "problem":
        return NO_RECEIPT if key == "receipt" else _problem(key)
    return NO_EXPLANATION


def _exercises_of(cell) -> list:
    """The exercises a test cell checks or grades, its own exercise first."""
    first = assemble.exercise_of(cell)
    return list(dict.fromkeys(([first] if first else []) + assemble.hidden_tests_of(cell)))


def diagnose_cell(cell, receipts: list) -> dict:
    """The diagnosis of a failed graded test cell from the receipts it published.

    Per exercise of the cell, in order: its last grade-stage receipt, else its last check-stage
    one, replayed here; the first that fails gives the diagnosis. None fails: NO_RECEIPT."""
    from ..checks import receipt
    for name in _exercises_of(cell):
        mine = [r for r in receipts if isinstance(r, dict) and r.get("exercise") == name]
        graded = [r for r in mine if r.get("stage", "grade") == "grade"]
        chosen = (graded or mine)[-1:]
        if not chosen:
            continue
        try:
            found = trusted(name, receipt.diagnose(name, chosen[0]))
        except Exception:  # noqa: BLE001 - a receipt is the student's data: one that breaks
            continue       # the replay is no receipt, never a failed grading run
        if found is not None:
            return dict(found)
    return dict(NO_RECEIPT)

