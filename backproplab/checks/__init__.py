"""Checks for the course's exercises: check() in visible test cells, grade() in hidden ones.

    from backproplab.checks import check
    check("sigmoid", sigmoid)        # prints exactly what it verified, or raises CheckFailure

Each lesson's exercises, with their cases and mistakes catalogue, live in
backproplab/checks/lessonNN.py and register themselves here.
"""
from __future__ import annotations

from . import _safe as s
from . import receipt
from .exercise import Case, CheckFailure, Diagnosis, Exercise, Mistake, NotWrittenYet

__all__ = ["check", "grade", "exercise", "exercises", "register",
           "Case", "CheckFailure", "Diagnosis", "Exercise", "Mistake", "NotWrittenYet"]

_REGISTRY: dict = {}
_LESSON_MODULES = ("lesson01", "lesson02", "lesson03", "lesson04", "lesson05", "lesson06",
                  "lesson07", "lesson08", "lesson09")


def register(ex: Exercise) -> Exercise:
    if ex.name in _REGISTRY:
        raise ValueError(f"exercise {ex.name!r} is registered twice")
    _REGISTRY[ex.name] = ex
    return ex


def _load() -> None:
    if not _REGISTRY:
        import importlib
        for mod in _LESSON_MODULES:
            importlib.import_module(f"{__name__}.{mod}")


def exercises() -> dict:
    """Every registered exercise by name (the function name the student writes)."""
    _load()
    return dict(_REGISTRY)


def exercise(name: str) -> Exercise:
    _load()
    if name not in _REGISTRY:
        raise ValueError(f"no exercise called {name!r}; known exercises: "
                         + ", ".join(sorted(_REGISTRY)))
    return _REGISTRY[name]


def _recorded(name: str, fn, stage: str) -> str:
    """Run the exercise's check or grade on fn; its calls go in a receipt (receipt.py), which
    the grader replays to judge the cell (grade) and to diagnose a failure (either)."""
    ex = exercise(name)
    records = ex.recording(fn)
    try:
        return getattr(ex, stage)(fn)
    finally:
        ex.stop_recording()
        receipt.publish(name, records, stage)


def check(name: str, fn) -> None:
    """Visible test: run the exercise's visible cases on `fn` and say what was checked."""
    s.print("\u2713 " + _recorded(name, fn, "check"))


def grade(name: str, fn) -> None:
    """Hidden test: every case, visible and hidden."""
    s.print("\u2713 " + _recorded(name, fn, "grade"))


# Load the catalogues now: this captures the reference functions and the safe primitives
# when the lesson's setup cell imports the package, before any student code has run.
_load()
