"""The catalogues' reference answers, computed once per grading run instead of once per kernel.

Every exercise computes its reference's answer for each case when it is built (Exercise.freeze),
i.e. when a lesson's setup cell imports backproplab.checks: about half a second of every
kernel's start, and the same numbers for every student. `backproplab grade` computes them once,

    python -c "from backproplab.checks.references import write; write('OUT.pickle')"

in a process with the grading kernels' environment (one BLAS thread), and hands the file to
each kernel read-only (BACKPROPLAB_REFERENCES="SHA256:PATH"). A kernel uses the file only when
its bytes have that digest and its fingerprint is this package's source, this Python and this
NumPy; otherwise, or without the variable (a student's own JupyterLab, nbgrader), it computes
the answers itself, as before.
The file is read while the package is imported, before any student code runs, exactly when
the answers would have been computed.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import sys
from pathlib import Path

ENV = "BACKPROPLAB_REFERENCES"
_PACKAGE = Path(__file__).resolve().parents[1]

__all__ = ["ENV", "fingerprint", "write", "stored"]


def fingerprint() -> str:
    """sha256 of the package's Python sources, the interpreter's version and NumPy's version."""
    import numpy as np
    digest = hashlib.sha256(f"{sys.version}\n{np.__version__}\n".encode())
    for path in sorted(_PACKAGE.rglob("*.py")):
        digest.update(str(path.relative_to(_PACKAGE)).encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _answers(ex) -> dict:
    """{case index: answer} for the cases whose answers the exercise computed when built."""
    cases = (*ex.visible, *ex.hidden)
    return {i: cases[i].expected for i in getattr(ex, "_computed", ())}


def write(path) -> int:
    """Compute every exercise's answers (by importing the catalogues) and pickle them to `path`.
    Returns the number of answers written."""
    from . import exercises
    table = {name: answers for name, ex in exercises().items() if (answers := _answers(ex))}
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as f:
        pickle.dump({"fingerprint": fingerprint(), "answers": table}, f, protocol=pickle.HIGHEST_PROTOCOL)
    os.chmod(tmp, 0o644)                # read by the kernels' own uids
    os.replace(tmp, path)
    return sum(len(answers) for answers in table.values())


_TABLE: dict | None = None


def stored(name: str) -> dict | None:
    """{case index: answer} the grading run computed for exercise `name`, or None."""
    global _TABLE
    if _TABLE is None:
        _TABLE = _read(os.environ.get(ENV))
    return _TABLE.get(name)


def _read(value) -> dict:
    """The answers in the file that `value` ("SHA256:PATH") names, when its bytes have that
    digest and its fingerprint is this package's; else {}."""
    digest, _, path = (value or "").partition(":")
    if not path:
        return {}
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return {}
    if hashlib.sha256(data).hexdigest() != digest:
        return {}
    try:
        table = pickle.loads(data)     # the grader's own file, as the digest it gave says
    except Exception:  # noqa: BLE001 - an unreadable file: compute the answers instead
        return {}
    if not isinstance(table, dict) or table.get("fingerprint") != fingerprint():
        return {}
    return table.get("answers") or {}
