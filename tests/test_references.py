"""The checks' reference answers computed once per grading run (backproplab/checks/references.py).

A kernel handed the file must judge exactly as one that computed the answers itself, must not
run a single reference to build the catalogues, and must ignore a file that is not the one the
grader wrote (another digest: a student's code rewrote it) or not for this package.
"""
from __future__ import annotations

import hashlib
import json
import os
import pickle
import subprocess
import sys
import textwrap

import pytest
from nbformat.v4 import new_code_cell, new_notebook

from backproplab.checks import exercises, references
from backproplab.checks.receipt import encode
from backproplab.classgrade import jail as jailmod
from backproplab.classgrade.jail import Jail, kernel_answers
from backproplab.classgrade.worker import execute

# Prints a digest of every case's answer; with FORBID the references may not run at all.
PROBE = textwrap.dedent("""
    import hashlib, json, sys
    runs = []
    def count(frame, event, arg):
        if event == "call" and frame.f_code.co_name == "run_reference":
            runs.append(frame.f_code.co_filename)
    sys.setprofile(count)      # from before the package is imported: its import builds the catalogues
    from backproplab.checks import exercises
    sys.setprofile(None)
    from backproplab.checks.receipt import encode
    table = {n: [encode(c.expected) for c in (*e.visible, *e.hidden)] for n, e in sorted(exercises().items())}
    print(hashlib.sha256(json.dumps(table, sort_keys=True).encode()).hexdigest())
    print("scipy" in sys.modules, len(runs))
""")


def _probe(env_value=None):
    env = {k: v for k, v in os.environ.items() if k != references.ENV}
    env.update(OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    if env_value:
        env[references.ENV] = env_value
    done = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=300)
    return done


def _digest_here():
    table = {n: [encode(c.expected) for c in (*e.visible, *e.hidden)] for n, e in sorted(exercises().items())}
    return hashlib.sha256(json.dumps(table, sort_keys=True).encode()).hexdigest()


@pytest.fixture(scope="module")
def answers(tmp_path_factory):
    made = kernel_answers(tmp_path_factory.mktemp("answers"))
    assert made is not None and os.path.isfile(made["path"])
    return made


def test_a_kernel_given_the_file_builds_every_catalogue_without_running_a_reference(answers):
    done = _probe(f"{answers['sha256']}:{answers['path']}")
    assert done.returncode == 0, done.stderr[-2000:]
    digest, scipy_loaded, runs = done.stdout.split()
    # the same answers, bit for bit, as computed here (and as every kernel computed before)
    assert digest == _digest_here()
    assert runs == "0"
    # no network is run to build the catalogues, so SciPy (the sigmoid's expit) is not loaded
    assert scipy_loaded == "False"


def test_without_the_file_the_references_run_and_give_the_same_answers():
    done = _probe(None)
    assert done.returncode == 0, done.stderr[-2000:]
    digest, _, runs = done.stdout.split()
    assert digest == _digest_here() and int(runs) >= 500     # 549 answers when this was written


def test_a_rewritten_file_is_ignored(answers, tmp_path):
    with open(answers["path"], "rb") as f:
        table = pickle.load(f)
    name = next(iter(table["answers"]))
    first = next(iter(table["answers"][name]))
    table["answers"][name][first] = "forged"
    forged = tmp_path / "forged.pickle"
    forged.write_bytes(pickle.dumps(table))
    # the grader's digest does not match the forged bytes: the kernel computes the answers
    done = _probe(f"{answers['sha256']}:{forged}")
    assert done.returncode == 0 and done.stdout.split()[0] == _digest_here()
    assert int(done.stdout.split()[2]) >= 500
    assert references._read(f"{answers['sha256']}:{forged}") == {}
    # a digest that matches but a fingerprint of another package version: ignored too
    table["fingerprint"] = "another version"
    stale = pickle.dumps(table)
    forged.write_bytes(stale)
    assert references._read(f"{hashlib.sha256(stale).hexdigest()}:{forged}") == {}
    assert references._read(f"{answers['sha256']}:{tmp_path / 'missing'}") == {}
    assert references._read(f"{answers['sha256']}:{answers['path']}")[name][first] != "forged"


@pytest.mark.parametrize("kind", ["none", "bwrap"])
def test_a_grading_kernel_reads_the_file_and_a_student_cannot_change_it_for_the_next(kind, answers, tmp_path):
    if kind == "bwrap" and jailmod._bwrap_problem():
        pytest.skip(f"no sandbox here: {jailmod._bwrap_problem()}")
    jail = Jail(kind=kind, memory=2 * 2**30, drop_root=(kind == "bwrap" and os.geteuid() == 0))
    before = open(answers["path"], "rb").read()
    hostile = ("import os\nfrom backproplab.checks import references as r\nimport backproplab.checks\n"
               "print(len(r._TABLE) > 0)\npath = os.environ[r.ENV].split(':', 1)[1]\n"
               "try:\n    open(path, 'wb').write(b'forged')\n    print('written')\n"
               "except OSError as e:\n    print('refused')")
    nb = new_notebook(cells=[new_code_cell(hostile)])
    assert execute(nb, tmp_path / "a" / "run", 60, jail, jailmod.font_cache(), answers) is None
    text = "".join(o.get("text", "") for o in nb.cells[0].outputs if o.get("name") == "stdout")
    assert text.splitlines()[0] == "True", nb.cells[0].outputs
    if kind == "bwrap":
        assert text.splitlines()[1] == "refused"           # read-only in the sandbox
        assert open(answers["path"], "rb").read() == before
    else:
        # without the sandbox the student's code runs as the instructor and can write it ...
        assert text.splitlines()[1] == "written"
        # ... and the next kernel ignores it (another digest) and computes the answers itself
        nb = new_notebook(cells=[new_code_cell(
            "from backproplab.checks import references as r\nimport backproplab.checks\nprint(len(r._TABLE))")])
        assert execute(nb, tmp_path / "b" / "run", 60, jail, jailmod.font_cache(), answers) is None
        assert nb.cells[0].outputs[0]["text"].strip() == "0"
        with open(answers["path"], "wb") as f:
            f.write(before)                                 # for the other tests of this module


@pytest.mark.parametrize("students, jobs, handed", [(3, 1, True), (2, 1, False), (5, 2, False)])
def test_a_run_computes_the_answers_once_when_it_has_kernels_enough(students, jobs, handed, tmp_path, monkeypatch):
    import nbformat

    import backproplab.classgrade as classgrade
    from _classroom import make_course, solution_nb
    course = make_course(tmp_path / "course")
    lesson = "01-neurons-and-logic-gates"
    for k in range(students):
        path = tmp_path / "submitted" / f"s{k}" / lesson / f"{lesson}.ipynb"
        path.parent.mkdir(parents=True)
        nbformat.write(solution_nb(lesson), str(path))
    made, seen = [], []
    real_answers, real_grade = classgrade.kernel_answers, classgrade.grade_submission

    def spy_answers(folder):
        made.append(real_answers(folder))
        return made[-1]
    monkeypatch.setattr(classgrade, "kernel_answers", spy_answers)
    # the jobs as the workers get them (the spawned workers cannot be spied on: jobs=... in-process)
    monkeypatch.setattr(classgrade, "ProcessPoolExecutor", _InProcess)
    monkeypatch.setattr(classgrade, "grade_submission", lambda job: seen.append(job) or real_grade(job))
    result = classgrade.grade_class(tmp_path / "submitted", jobs=jobs, root=course, progress=False)
    assert result["graded_now"] == students and not result["failed"]
    assert len(made) == (1 if handed else 0)
    assert [job["answers"] for job in seen] == [made[0] if handed else None] * students
    assert all(row == ["11"] for row in _totals(course))   # lesson 01's solution: every point


class _InProcess:
    """A ProcessPoolExecutor stand-in that runs each job at once, in this process."""

    def __init__(self, max_workers=None, **_):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def submit(self, fn, *args):
        from concurrent.futures import Future
        future = Future()
        future.set_result(fn(*args))
        return future


def _totals(course):
    import csv
    with open(course / "grading" / "grades.csv", newline="") as f:
        return [[r["total"]] for r in csv.DictReader(f)]
