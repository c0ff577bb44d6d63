"""Helpers shared by the checks' tests (test_checks_catalogues.py and test_checks_lessonNN.py)."""
from __future__ import annotations

import builtins
import contextlib
from pathlib import Path

import nbformat
import numpy as np
import pytest

from backproplab.checks import CheckFailure, exercise

ROOT = Path(__file__).resolve().parents[1]


def solution_nb(slug: str) -> Path:
    return ROOT / "solutions" / slug / f"{slug}.ipynb"


def lesson_nb(slug: str) -> Path:
    """The released notebook (exists once `lessons/` has been generated)."""
    return ROOT / "lessons" / slug / f"{slug}.ipynb"


def failure(name, fn, how="grade") -> str:
    """The message of the CheckFailure that exercise(name).check / .grade raises on fn."""
    with pytest.raises(CheckFailure) as info:
        getattr(exercise(name), how)(fn)
    return info.value.message


def compiled(name, source):
    return exercise(name).compile(source)


def cell(path, grade_id):
    """The notebook cell whose nbgrader grade_id is `grade_id`."""
    nb = nbformat.read(path, as_version=4)
    for c in nb.cells:
        if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
            return c
    raise AssertionError(f"{path.name} has no cell with grade_id {grade_id!r}")


@contextlib.contextmanager
def patched_numpy():
    """What a student's cell could do to numpy and builtins to make every comparison pass.

    The reference's answers were computed at import, before this patch; the behaviour judges
    (gate_weights, xnor_network, xavier_normal) evaluate sigmoids and moments themselves.
    """
    saved = (np.allclose, np.isclose, np.exp, np.var, np.sqrt, np.random.seed,
             np.random.default_rng, builtins.abs)
    default_rng = np.random.default_rng
    try:
        np.allclose = lambda *a, **k: True
        np.isclose = lambda a, b, *r, **k: np.ones(np.broadcast(a, b).shape, dtype=bool)
        np.exp = lambda z, *a, **k: np.zeros_like(np.asarray(z, dtype=float))
        np.var = lambda *a, **k: 2.0
        np.sqrt = lambda x, *a, **k: x
        np.random.seed = lambda *a, **k: None
        np.random.default_rng = lambda *a, **k: default_rng(0)
        builtins.abs = lambda x: 0
        yield
    finally:
        (np.allclose, np.isclose, np.exp, np.var, np.sqrt, np.random.seed,
         np.random.default_rng, builtins.abs) = saved


def assert_fails_under_patched_numpy(name, fn, visible=True):
    """fn fails grade() (and check(), when `visible`) however numpy and builtins are patched."""
    with patched_numpy():
        if visible:
            with pytest.raises(CheckFailure):
                exercise(name).check(fn)
        with pytest.raises(CheckFailure):
            exercise(name).grade(fn)
