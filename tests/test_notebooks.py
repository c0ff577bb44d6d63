"""The notebook configuration of the test suite (conftest.py + pyproject's pytest options).

A nested pytest run, with the repository's conftest.py and pyproject.toml, on a small course
built in a temporary folder from tests/fixtures/fixture-lesson.ipynb:

- lessons/: a cell after the first exercise that raises NotImplementedError (the stub, or
  the checks' NotWrittenYet) is xfail; any other error fails; NotImplementedError before the
  first exercise fails;
- solutions/: every error fails, NotImplementedError included; the full notebook passes;
- tests/fixtures/*.ipynb is not collected;
- kernels do not use an interactive matplotlib backend.
"""
from __future__ import annotations

import copy
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "fixture-lesson.ipynb"

_SOLUTION = re.compile(r"^( *)### BEGIN SOLUTION\n.*?^ *### END SOLUTION", re.S | re.M)
_HIDDEN = re.compile(r"\n?^ *### BEGIN HIDDEN TESTS\n.*?^ *### END HIDDEN TESTS", re.S | re.M)


def student_version(nb):
    """What nbgrader releases, as far as running the notebook goes: stubs, no hidden tests."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.source = _SOLUTION.sub(r"\1# YOUR CODE HERE\n\1raise NotImplementedError()", cell.source)
            cell.source = _HIDDEN.sub("", cell.source)
    return nb


def _write(nb, path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))


def _outcomes(stdout: str) -> dict:
    """{nodeid: PASSED/FAILED/XFAIL/...} from pytest's -rA short summary."""
    out = {}
    for line in stdout.splitlines():
        m = re.match(r"(PASSED|FAILED|XFAIL|XPASS|SKIPPED|ERROR) (\S+::Cell \d+)", line)
        if m:
            out[m.group(2)] = m.group(1)
    return out


@pytest.fixture(scope="module")
def nested_run(tmp_path_factory):
    course = tmp_path_factory.mktemp("nbcourse")
    shutil.copy(ROOT / "conftest.py", course / "conftest.py")
    shutil.copy(ROOT / "pyproject.toml", course / "pyproject.toml")
    source = nbformat.read(str(FIXTURE), as_version=4)
    student = student_version(source)
    assert "raise NotImplementedError()" in student.cells[3].source  # the fixture's layout
    assert "grade(" not in student.cells[4].source

    demo = copy.deepcopy(student)
    demo.cells += [new_code_cell('raise ValueError("not the stub")'), new_code_cell("after = 1")]
    _write(demo, course / "lessons" / "demo" / "demo.ipynb")

    early = copy.deepcopy(student)
    early.cells.insert(2, new_code_cell('raise NotImplementedError("before any exercise")'))
    _write(early, course / "lessons" / "early" / "early.ipynb")

    backend = copy.deepcopy(source)
    backend.cells = [new_code_cell(
        "import matplotlib\nbackend = matplotlib.get_backend().lower()\n"
        "assert backend in ('agg', 'module://matplotlib_inline.backend_inline'), backend")]
    _write(backend, course / "solutions" / "backend" / "backend.ipynb")
    _write(source, course / "solutions" / "full" / "full.ipynb")
    _write(student, course / "solutions" / "stub" / "stub.ipynb")
    broken = copy.deepcopy(source)
    broken.cells = [new_code_cell('raise ValueError("fixtures are not collected")')]
    _write(broken, course / "tests" / "fixtures" / "broken.ipynb")

    proc = subprocess.run([sys.executable, "-m", "pytest", "-rA", "-p", "no:cacheprovider"],
                          cwd=course, capture_output=True, text=True, timeout=600)
    return proc, _outcomes(proc.stdout)


def test_lesson_stub_errors_are_xfail_and_other_errors_fail(nested_run):
    proc, got = nested_run
    expected = {
        "lessons/demo/demo.ipynb::Cell 0": "PASSED",   # setup
        "lessons/demo/demo.ipynb::Cell 1": "PASSED",   # def sigmoid (stub)
        "lessons/demo/demo.ipynb::Cell 2": "XFAIL",    # check(): NotWrittenYet
        "lessons/demo/demo.ipynb::Cell 3": "PASSED",   # def neuron (stub)
        "lessons/demo/demo.ipynb::Cell 4": "XFAIL",    # check(): NotWrittenYet
        "lessons/demo/demo.ipynb::Cell 5": "XFAIL",    # plot calls the stub: NotImplementedError
        "lessons/demo/demo.ipynb::Cell 6": "FAILED",   # ValueError is never excused
        "lessons/demo/demo.ipynb::Cell 7": "PASSED",
    }
    assert {k: got.get(k) for k in expected} == expected, proc.stdout[-4000:]
    assert "released stub raises NotImplementedError" in proc.stdout


def test_not_implemented_before_the_first_exercise_fails(nested_run):
    proc, got = nested_run
    assert got.get("lessons/early/early.ipynb::Cell 1") == "FAILED", proc.stdout[-4000:]
    # after the first exercise the same error is the stub's, hence xfail
    assert got.get("lessons/early/early.ipynb::Cell 3") == "XFAIL", proc.stdout[-4000:]


def test_solutions_must_run_without_any_error(nested_run):
    proc, got = nested_run
    full = {k: v for k, v in got.items() if k.startswith("solutions/full/")}
    assert len(full) == 6 and set(full.values()) == {"PASSED"}, proc.stdout[-4000:]
    # outside lessons/ a NotImplementedError is a failure like any other
    assert got.get("solutions/stub/stub.ipynb::Cell 2") == "FAILED", proc.stdout[-4000:]


def test_kernels_use_a_non_interactive_matplotlib_backend(nested_run):
    proc, got = nested_run
    assert got.get("solutions/backend/backend.ipynb::Cell 0") == "PASSED", proc.stdout[-4000:]


def test_fixture_notebooks_are_not_collected(nested_run):
    proc, got = nested_run
    assert got, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert not [k for k in got if "fixtures" in k], proc.stdout[-4000:]


def test_the_repository_does_not_collect_its_fixture_notebooks():
    proc = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
                           "tests/fixtures"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert "fixture-lesson.ipynb" not in proc.stdout, proc.stdout[-3000:]
