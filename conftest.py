"""Test-suite configuration shared by the Python tests and the notebooks (nbval).

`pytest` (see [tool.pytest.ini_options] in pyproject.toml) collects tests/ and, through nbval,
every notebook in solutions/ and lessons/, one test per code cell, run in order in one kernel
per notebook. The kernel is this environment's Python (--nbval-current-env).

- solutions/: every cell must run without an error.
- lessons/ (the student versions): they must run as a student first sees them. Cells before
  the first exercise (the first cell with nbgrader solution=true) must succeed. From there
  on a cell may fail only with NotImplementedError, i.e. the released stub (directly, or
  through backproplab.checks.NotWrittenYet, its subclass): such a cell is reported as xfail.
  Any other error, or a NotImplementedError before the first exercise, is a failure.

Outputs are not compared (--nbval-lax): solutions/ is committed with outputs cleared, and
figures and float reprs vary across matplotlib/numpy versions. What a notebook computes is
checked by its own autograded cells, which raise on a wrong value. A cell whose output
should be compared must carry committed outputs and a `# NBVAL_CHECK_OUTPUT` comment.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

# Kernels inherit this environment: no figure window, whatever the notebook does first.
os.environ["MPLBACKEND"] = "Agg"

# Notebooks used as test data (e.g. a notebook with a deliberate error) are not course
# notebooks: nbval must not run them.
collect_ignore_glob = ["tests/fixtures/*"]

STUB_REASON = "released stub raises NotImplementedError"
_STUB_ERRORS = ("NotImplementedError", "NotWrittenYet")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _is_lesson_cell(item) -> bool:
    try:
        from nbval.plugin import IPyNbCell
    except ImportError:  # nbval not installed: no notebook items at all
        return False
    if not isinstance(item, IPyNbCell):
        return False
    try:
        rel = Path(item.path).resolve().relative_to(Path(item.config.rootpath).resolve())
    except ValueError:
        return False
    return rel.parts[:1] == ("lessons",)


def _after_first_exercise(item) -> bool:
    """True when the item's cell is the first solution cell of its notebook or comes after it."""
    cells = item.parent.nb.cells
    position = next((i for i, c in enumerate(cells) if c is item.cell), None)
    first = next((i for i, c in enumerate(cells)
                  if c.get("metadata", {}).get("nbgrader", {}).get("solution")), None)
    return position is not None and first is not None and position >= first


def _raised_stub_error(item, excinfo) -> bool:
    """The cell failed because the kernel raised NotImplementedError (or NotWrittenYet)."""
    from nbval.plugin import NbCellError
    if excinfo is None or not isinstance(excinfo.value, NbCellError):
        return False
    errors = [o for o in (item.test_outputs or []) if o.get("output_type") == "error"]
    if not errors:
        return False  # e.g. a timeout: nbval raised without a kernel error
    error = errors[-1]
    if error.get("ename") == "NotImplementedError":
        return True
    if error.get("ename") == "NotWrittenYet":
        # the checks' own subclass renders its traceback as "NotImplementedError: ..."
        lines = [_ANSI.sub("", line) for line in error.get("traceback", [])]
        return any(line.startswith("NotImplementedError:") for line in lines)
    return False


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if (report.when == "call" and report.failed and _is_lesson_cell(item)
            and _after_first_exercise(item) and _raised_stub_error(item, call.excinfo)):
        report.outcome = "skipped"
        report.wasxfail = STUB_REASON
    return report
