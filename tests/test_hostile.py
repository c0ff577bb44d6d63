"""Hostile submissions through `backproplab grade` (issue 6): each costs only its own points.

One synthetic class of lesson 01 is graded through the CLI entry point (cli.main), with a
short per-cell timeout. Besides two ordinary students (`good`: the solution, full marks;
`blank`: the release, 0) every student is one attack from the issue, put into an answer cell
of the submitted notebook:

- patch-numpy / patch-exercise / patch-entry: a WRONG sigmoid (catalogue mistake 0) plus
  patched comparisons (np.allclose, np.isclose, np.testing, builtins.abs), patched methods of
  backproplab.checks.exercise.Exercise, or patched backproplab.checks.check/grade; the last two
  replace the checks themselves, so no exercise can be verified and all score 0 (the grader
  judges the hidden tests' receipts outside the kernel and finds none);
- ref-import / ref-call: the reference sigmoid handed in, or called inside the student's def;
- tampered: test cells edited, deleted, duplicated, re-typed and reordered, two answers wrong;
- loop / sleep: `while True: pass` after, `time.sleep(1000)` before the def of exercise 2;
- alloc: an 800 GB numpy array in exercise 2's answer cell;
- exit / segfault: os._exit(1) or a NULL read through ctypes in exercise 2's answer cell;
- corrupt / empty / nbformat-3 / nbformat-99 / other-lesson: files that are no lesson 01 notebook;
- print100mb: 100 MB printed from exercise 1's answer cell;
- outside-page: HTML and JavaScript outputs and a Markdown cell of its own that would make its
  feedback page fetch from outside (scripts, images, an image in TeX).

What each should score comes from the plan (the source notebook's `points`, which answers
are right), never from a run. A second, incremental run then grades one late submission,
`escape`, that tries to write or delete the instructor's files, other students' submissions,
the home folder and /tmp, with absolute paths baked into its source. That needs the
sandbox: when the summary says "sandbox: none" the test is skipped. The course and the
submissions are made world-writable first, so that only the sandbox (not the file
permissions of a root-run grader vs. an unprivileged kernel) can protect them; the course
lives under /var/tmp when possible, because the sandbox hides /tmp as a whole.
The escape runs in its own grade run so that, without a sandbox, the harm it does cannot
change what the other tests read (those read what was saved after the first run).
"""
from __future__ import annotations

import contextlib
import copy
import csv
import hashlib
import html
import io
import json
import os
import random
import re
import shutil
import sys
import tempfile
import time
import traceback
import uuid
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_markdown_cell

from backproplab import cli
from backproplab.checks import exercises
from backproplab.grading import lesson_ids

from _classroom import ROOT, checked_cell_id, make_course, nbmeta, release_nb, solution_cell, solution_nb, \
    with_functions
from _offline_page import visit

L1 = "01-neurons-and-logic-gates"
L2 = "02-forward-pass-and-initialisation"
TIMEOUT = 8                       # seconds per cell (--timeout)
PAGE_LIMIT = 2 * 2**20            # bytes: autograded notebook and feedback of the 100 MB printer
UNREADABLE = ("corrupt", "empty", "nbformat-3", "nbformat-99")


# -- expectations from the source notebook and the catalogue ---------------------------------------

def max_points() -> dict:
    """{exercise: points} of lesson 01, in notebook order, from the source's nbgrader metadata."""
    src = solution_nb(L1)
    by_id = {checked_cell_id(src, name): name for name, ex in exercises().items() if ex.lesson == L1}
    return {by_id[nbmeta(c)["grade_id"]]: float(nbmeta(c)["points"])
            for c in src.cells if nbmeta(c).get("grade_id") in by_id}


def expect(**scores) -> dict:
    """Full marks for every exercise, except those named: True = full, False = 0."""
    full = max_points()
    unknown = set(scores) - set(full)
    assert not unknown, f"no exercises {unknown} in {L1}"
    return {n: (p if scores.get(n, True) else 0.0) for n, p in full.items()}


def exercise_names() -> list:
    return list(max_points())


# -- building the submissions -------------------------------------------------------------------------

def answer_of(nb, name: str):
    return solution_cell(nb, name)


def append_to_answer(nb, name: str, code: str, before: bool = False):
    """A copy of nb with `code` added at the end (or start) of the answer cell defining name()."""
    nb = copy.deepcopy(nb)
    cell = answer_of(nb, name)
    cell.source = f"{code.strip()}\n{cell.source}" if before else f"{cell.source.rstrip()}\n\n{code.strip()}\n"
    return nb


def answers_from_solution(nb, names):
    """A copy of the release nb whose answer cells for `names` hold the solution's text."""
    nb = copy.deepcopy(nb)
    src = solution_nb(L1)
    for name in names:
        answer_of(nb, name).source = answer_of(src, name).source
    return nb


def wrong_sigmoid_with(patch: str):
    """Release, sigmoid = catalogue mistake 0 plus `patch` in its cell, gate_weights right."""
    nb = with_functions(release_nb(L1), {"sigmoid": exercises()["sigmoid"].mistakes[0].source})
    nb = answers_from_solution(nb, ["gate_weights"])
    return append_to_answer(nb, "sigmoid", patch)


PATCH_NUMPY = """
import builtins
import numpy
numpy.allclose = lambda *args, **kwargs: True
numpy.isclose = lambda a, b, *args, **kwargs: numpy.ones(numpy.shape(a), dtype=bool)
numpy.array_equal = lambda *args, **kwargs: True
numpy.testing.assert_allclose = lambda *args, **kwargs: None
numpy.testing.assert_array_almost_equal = lambda *args, **kwargs: None
numpy.testing.assert_array_equal = lambda *args, **kwargs: None
builtins.abs = lambda x: 0
"""

PATCH_EXERCISE = """
import backproplab.checks._safe as _safe
from backproplab.checks.exercise import Exercise
Exercise.check = lambda self, fn: "all fine"
Exercise.grade = lambda self, fn: "all fine"
Exercise.run_case = lambda self, fn, case: None
Exercise.judge = lambda self, got, expected, case: None
_safe.compare = lambda *args, **kwargs: None
"""

PATCH_ENTRY = """
import backproplab.checks
backproplab.checks.check = lambda name, fn: print("all fine")
backproplab.checks.grade = lambda name, fn: print("all fine")
"""


def tampered_tests():
    """Solution answers except neuron and xnor_network (mistake 0), every test cell tampered with."""
    cat = exercises()
    nb = with_functions(solution_nb(L1), {"neuron": cat["neuron"].mistakes[0].source,
                                          "xnor_network": cat["xnor_network"].mistakes[0].source})
    # the student's notebook carries the release's (visible) test cells
    released = {nbmeta(c).get("grade_id"): c for c in release_nb(L1).cells if nbmeta(c).get("grade")}
    for i, cell in enumerate(nb.cells):
        if nbmeta(cell).get("grade_id") in released:
            nb.cells[i] = copy.deepcopy(released[nbmeta(cell)["grade_id"]])

    def test_cell(name):
        gid = checked_cell_id(solution_nb(L1), name)
        return next(c for c in nb.cells if nbmeta(c).get("grade_id") == gid)

    edited = test_cell("sigmoid")                        # edited: source and points
    edited.source = "pass"
    edited.metadata["nbgrader"]["points"] = 100
    nb.cells.remove(test_cell("neuron"))                 # deleted
    original = test_cell("gate_weights")                 # duplicated, the copy first
    dup = copy.deepcopy(original)
    dup.source = 'print("tests skipped")'
    dup["id"] = "dup-of-gate-weights-test"
    nb.cells.insert(nb.cells.index(original), dup)
    retyped = test_cell("xnor_network")                  # re-typed as markdown, moved to the top
    nb.cells.remove(retyped)
    md = new_markdown_cell("nothing to test here", metadata=copy.deepcopy(retyped.metadata))
    md["id"] = retyped.get("id", "retyped")
    nb.cells.insert(0, md)
    return nb


def escape_code(targets: dict) -> str:
    """Answer-cell code trying each write or delete in targets {what: python expression}."""
    lines = ["import os, pathlib, shutil", "_attempts = []"]
    for what, expr in targets.items():
        lines += ["try:", f"    {expr}", f"    _attempts.append({what + ': done'!r})",
                  "except BaseException as _exc:",
                  f"    _attempts.append({what + ': '!r} + type(_exc).__name__)"]
    lines.append('print("\\n".join(_attempts))')
    return "\n".join(lines)


def write_nb(path: Path, nb):
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))


def write_raw(path: Path, data: bytes):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def with_version(nb, version: int) -> bytes:
    data = json.loads(nbformat.writes(nb))
    data["nbformat"] = version
    return json.dumps(data).encode()


OUTSIDE = "http://outside.invalid"     # never resolves; the browser test aborts every request


def page_fetcher(nb):
    """A copy of nb whose outputs and own Markdown cell would make a page fetch from outside."""
    nb = append_to_answer(nb, "sigmoid", (
        "from IPython.display import HTML, Javascript, display\n"
        f"display(HTML('<img src=\"{OUTSIDE}/out.png\"><script>fetch(\"{OUTSIDE}/s\")</script>'))\n"
        f"display(Javascript('fetch(\"{OUTSIDE}/js\")'))"))
    position = nb.cells.index(answer_of(nb, "sigmoid"))
    nb.cells.insert(position + 1, new_markdown_cell(
        f'My notes <img src="{OUTSIDE}/md.png"><script>fetch("{OUTSIDE}/md")</script> '
        f'$\\text{{<img src={OUTSIDE}/tex.png>}}$'))
    return nb


def build_class(subs: Path) -> dict:
    """Write the class (nbgrader layout); return {student: (status, {exercise: points} or None)}."""
    cat = exercises()
    sol, rel = solution_nb(L1), release_nb(L1)
    where = lambda student: subs / student / L1 / f"{L1}.ipynb"   # noqa: E731
    plan = {}

    def add(student, nb, status="graded", scores=None):
        if isinstance(nb, bytes):
            write_raw(where(student), nb)
        else:
            write_nb(where(student), nb)
        plan[student] = (status, scores)

    add("good", sol, scores=expect())
    add("blank", rel, scores={n: 0.0 for n in exercise_names()})
    # 1. patched comparisons: the wrong sigmoid stays wrong; gate_weights (right) keeps its points
    wrong_patched = expect(sigmoid=False, neuron=False, xnor_network=False)
    add("patch-numpy", wrong_sigmoid_with(PATCH_NUMPY), scores=wrong_patched)
    # replacing the checks themselves leaves no exercise verifiable: the grader, judging the
    # receipts outside the kernel, finds none, and even the right gate_weights scores 0
    nothing = expect(sigmoid=False, neuron=False, gate_weights=False, xnor_network=False)
    add("patch-exercise", wrong_sigmoid_with(PATCH_EXERCISE), scores=nothing)
    add("patch-entry", wrong_sigmoid_with(PATCH_ENTRY), scores=nothing)
    # 2. the reference handed in (the other answers are the solution's, which call sigmoid:
    #    only sigmoid's own check forbids the reference)
    ref = copy.deepcopy(sol)
    answer_of(ref, "sigmoid").source = ("from backproplab.activations import sigmoid\n"
                                        "# def sigmoid(z): my own version did not work\n")
    add("ref-import", ref, scores=expect(sigmoid=False))
    add("ref-call", with_functions(sol, {"sigmoid": "def sigmoid(z):\n"
                                                    "    from backproplab import activations as mine\n"
                                                    "    return mine.sigmoid(np.asarray(z, dtype=float)) * 1.0\n"}),
        scores=expect(sigmoid=False))
    # 3. tampered test cells: the instructor's tests decide
    add("tampered", tampered_tests(), scores=expect(neuron=False, xnor_network=False))
    # 4. endless cells in exercise 2's answer cell: after the def (it ran), before it (never ran)
    add("loop", append_to_answer(sol, "neuron", "while True:\n    pass"), scores=expect())
    add("sleep", append_to_answer(sol, "neuron", "import time\ntime.sleep(1000)", before=True),
        scores=expect(neuron=False))
    # 5. an 800 GB array after the def: that cell fails, nothing else does
    add("alloc", append_to_answer(sol, "neuron", "import numpy as np\nbig = np.ones(10**11)"), scores=expect())
    # 6. the kernel dies in exercise 2's answer cell, after exercise 1's test ran
    after_crash = {n: (p if n == "sigmoid" else 0.0) for n, p in expect().items()}
    add("exit", append_to_answer(sol, "neuron", "import os\nos._exit(1)"), "failed", after_crash)
    add("segfault", append_to_answer(sol, "neuron", "import ctypes\nctypes.string_at(0)"), "failed", after_crash)
    # 7. no lesson 01 notebook at all
    add("corrupt", random.Random(6).randbytes(4096), "failed")
    add("empty", b"", "failed")
    add("nbformat-3", with_version(sol, 3), "failed")
    add("nbformat-99", with_version(sol, 99), "failed")
    add("other-lesson", nbformat.writes(solution_nb(L2)).encode(), "failed")
    # 9. 100 MB of output from exercise 1's answer cell
    add("print100mb", append_to_answer(sol, "sigmoid", 'print("x" * 100_000_000)'), scores=expect())
    # 10. a feedback page made to fetch from outside
    add("outside-page", page_fetcher(sol), scores=expect())
    return plan


# -- running the grade command ------------------------------------------------------------------------

def open_up(folder: Path):
    """Everything under folder writable by anyone: only the sandbox may protect it."""
    for dirpath, dirnames, filenames in os.walk(folder):
        os.chmod(dirpath, 0o777)
        for name in filenames:
            path = os.path.join(dirpath, name)
            if not os.path.islink(path):
                os.chmod(path, 0o666)


def grade(subs: Path, course: Path, log: Path) -> dict:
    """cli.main(grade ...) with everything it and its processes print captured in `log`."""
    args = ["grade", str(subs), "--root", str(course), "--jobs", "2", "--no-progress",
            "--timeout", str(TIMEOUT), "--lesson", L1]
    start, code, error = time.monotonic(), None, None
    with open(log, "w", buffering=1) as f:
        sys.stdout.flush()
        sys.stderr.flush()
        saved = os.dup(1), os.dup(2)
        os.dup2(f.fileno(), 1)
        os.dup2(f.fileno(), 2)
        try:
            with contextlib.redirect_stdout(f), contextlib.redirect_stderr(f):
                try:
                    code = cli.main(args)
                except BaseException:  # noqa: BLE001 - reported by the tests
                    error = traceback.format_exc()
        finally:
            f.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])
    out = course / "grading"

    def text(path):
        return path.read_text(errors="replace") if path.is_file() else ""

    return {"code": code, "error": error, "seconds": time.monotonic() - start, "log": log.read_text(errors="replace"),
            "summary": text(out / "summary.txt"), "csv": text(out / "grades.csv")}


def csv_rows(text: str) -> dict:
    return {r["student"]: r for r in csv.DictReader(io.StringIO(text)) if r["lesson"] == L1}


def gradebook_scores(db: Path, students) -> dict:
    """{student: {grade_id: auto_score}} read from nbgrader's gradebook ({} if absent, or why not)."""
    from nbgrader.api import Gradebook, MissingEntry
    found = {}
    try:
        with Gradebook(f"sqlite:///{db}", course_id="backproplab") as gb:
            for student in students:
                try:
                    sub = gb.find_submission_notebook(L1, L1, student)
                except MissingEntry:
                    found[student] = None
                    continue
                found[student] = {g.name: g.auto_score for g in sub.grades}
    except Exception as exc:  # noqa: BLE001 - a broken gradebook is a finding, not a crash
        return {"unreadable": f"{type(exc).__name__}: {exc}"}
    return found


def file_hashes(*roots: Path, skip=()) -> dict:
    hashes = {}
    for root in roots:
        paths = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for path in paths:
            if any(s in path.parents for s in skip):
                continue
            hashes[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return hashes


def base_folder(tmp_path_factory) -> tuple:
    """(folder, remove afterwards?): under /var/tmp (visible, read-only, in the sandbox) if possible."""
    for parent in ("/var/tmp",):
        if os.path.isdir(parent) and os.access(parent, os.W_OK):
            return Path(tempfile.mkdtemp(prefix="backproplab-hostile-", dir=parent)), True
    return tmp_path_factory.mktemp("hostile"), False


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    if L1 not in lesson_ids(ROOT) or L2 not in lesson_ids(ROOT):
        pytest.skip("lessons 01 and 02 are needed")
    base, remove = base_folder(tmp_path_factory)
    try:
        course = make_course(base / "course")
        subs = base / "submitted"
        plan = build_class(subs)
        open_up(base)
        instructor = [course / "solutions", course / "lessons", course / "grading" / "nbgrader_config.py"]
        before_first = file_hashes(*instructor, subs)
        first = grade(subs, course, base / "run1.log")
        first["instructor_files"] = (before_first, file_hashes(*instructor, subs))
        assert first["error"] is None, f"the grade command raised:\n{first['error']}\n{first['log'][-3000:]}"
        out = course / "grading"
        first["gradebook"] = gradebook_scores(out / "gradebook.db", plan)
        first["pages"] = {}
        for student in plan:
            for kind, folder, suffix in (("notebook", "autograded", ".ipynb"), ("feedback", "feedback", ".html")):
                path = out / folder / student / L1 / f"{L1}{suffix}"
                first["pages"][(student, kind)] = path.read_bytes() if path.is_file() else None

        # 8. a late submission trying to write or delete outside its folder, in a second run
        token = uuid.uuid4().hex[:12]
        home_file, tmp_file = Path.home() / f"pwned-{token}", Path(f"/tmp/pwned-{token}")
        sol_nb = course / "solutions" / L1 / f"{L1}.ipynb"
        rel_nb = course / "lessons" / L1 / f"{L1}.ipynb"
        targets = {
            "write solutions/": f"pathlib.Path({str(course / 'solutions' / 'pwned.txt')!r}).write_text('x')",
            "overwrite the source notebook": f"pathlib.Path({str(sol_nb)!r}).write_text('{{}}')",
            "write lessons/": f"pathlib.Path({str(course / 'lessons' / 'pwned.txt')!r}).write_text('x')",
            "overwrite the release notebook": f"pathlib.Path({str(rel_nb)!r}).write_text('{{}}')",
            "overwrite the gradebook": f"pathlib.Path({str(out / 'gradebook.db')!r}).write_bytes(b'garbage')",
            "overwrite nbgrader_config.py":
                f"pathlib.Path({str(out / 'nbgrader_config.py')!r}).write_text('raise SystemExit')",
            "delete good's submission": f"shutil.rmtree({str(subs / 'good')!r})",
            "write the home folder": f"pathlib.Path({str(home_file)!r}).write_text('x')",
            "write /tmp": f"pathlib.Path({str(tmp_file)!r}).write_text('x')",
            "delete grades.csv": f"os.remove({str(out / 'grades.csv')!r})",
        }
        write_nb(subs / "escape" / L1 / f"{L1}.ipynb",
                 append_to_answer(solution_nb(L1), "sigmoid", escape_code(targets)))
        open_up(base)
        watched = [course / "solutions", course / "lessons", out / "nbgrader_config.py", subs]
        before = file_hashes(*watched, skip=[subs / "escape"])
        second = grade(subs, course, base / "run2.log")
        leftovers = [str(p) for p in (home_file, tmp_file) if p.exists()]
        for path in (home_file, tmp_file):
            with contextlib.suppress(OSError):
                path.unlink()
        second.update(hashes_before=before, hashes_after=file_hashes(*watched, skip=[subs / "escape"]),
                      leftovers=leftovers, targets=list(targets),
                      gradebook=gradebook_scores(out / "gradebook.db", ["good", "blank", "escape"]))
        escaped_nb = out / "autograded" / "escape" / L1 / f"{L1}.ipynb"
        second["escape_output"] = answer_cell_text(nbformat.read(str(escaped_nb), as_version=4), "sigmoid") \
            if escaped_nb.is_file() else "(no autograded notebook)"
        yield dict(plan=plan, first=first, second=second, course=course, subs=subs, out=out, base=base)
    finally:
        if remove:
            shutil.rmtree(base, ignore_errors=True)


# -- helpers for the tests ----------------------------------------------------------------------------

def row_problems(rows: dict, student: str, status: str, scores) -> list:
    """What differs between the grades.csv row of student and the plan."""
    row = rows.get(student)
    if row is None:
        return [f"{student}: no row in grades.csv"]
    problems = []
    if row["status"] != status:
        problems.append(f"{student}: status {row['status']!r}, expected {status!r}")
    for name in exercise_names():
        want = "" if scores is None else f"{scores[name]:g}"
        if row.get(name) != want:
            problems.append(f"{student} {name}: {row.get(name)!r}, expected {want!r}")
    total = "" if scores is None else f"{sum(scores.values()):g}"
    if row["total"] != total:
        problems.append(f"{student}: total {row['total']!r}, expected {total!r}")
    return problems


def check_row(graded, student):
    status, scores = graded["plan"][student]
    problems = row_problems(csv_rows(graded["first"]["csv"]), student, status, scores)
    assert not problems, "\n".join(problems) + "\n--- summary:\n" + graded["first"]["summary"]


def page_text(graded, student) -> str:
    data = graded["first"]["pages"][(student, "feedback")]
    assert data is not None, f"no feedback page for {student}"
    return html.unescape(re.sub(r"<[^>]+>", "", data.decode("utf-8", errors="replace")))


def autograded(graded, student):
    data = graded["first"]["pages"][(student, "notebook")]
    assert data is not None, f"no autograded notebook for {student}"
    return nbformat.reads(data.decode("utf-8"), as_version=4)


def errors_in(cell) -> list:
    return [f"{o.get('ename')}: {str(o.get('evalue'))[:200]}" for o in cell.get("outputs", [])
            if o.get("output_type") == "error"]


def answer_cell_errors(nb, name) -> list:
    gid = nbmeta(solution_cell(solution_nb(L1), name))["grade_id"]
    cell = next(c for c in nb.cells if nbmeta(c).get("grade_id") == gid)
    return errors_in(cell)


def answer_cell_text(nb, name) -> str:
    """Everything the answer cell defining name() printed or raised."""
    gid = nbmeta(solution_cell(solution_nb(L1), name))["grade_id"]
    cell = next(c for c in nb.cells if nbmeta(c).get("grade_id") == gid)
    return "\n".join(o.get("text", "") if o.get("output_type") == "stream" else f"{o.get('ename')}: {o.get('evalue')}"
                     for o in cell.get("outputs", []) if o.get("output_type") in ("stream", "error"))


def summary_line(graded, student) -> str | None:
    prefix = f"failed: {student} {L1}:"
    lines = [line.strip() for line in graded["first"]["summary"].splitlines() if line.strip().startswith(prefix)]
    return lines[0] if len(lines) == 1 else None


# -- the tests ------------------------------------------------------------------------------------------

def test_the_run_finishes_and_counts_every_student(graded):
    first, plan = graded["first"], graded["plan"]
    assert first["code"] == 0, first["log"][-3000:]
    graded_n = sum(1 for status, _ in plan.values() if status == "graded")
    failed_n = len(plan) - graded_n
    head = first["summary"].splitlines()[0] if first["summary"] else ""
    assert head.startswith(f"graded {graded_n}, failed to grade {failed_n}, needing manual grading 0, "
                           "unmapped files 0"), f"{head!r}\n{first['summary']}"
    assert sorted(csv_rows(first["csv"])) == sorted(plan)
    print(f"first run: {first['seconds']:.0f} s for {len(plan)} students")


def test_the_first_run_left_every_instructor_file_and_submission_as_it_was(graded):
    """Every case of the first run at once: solutions/, lessons/, the config and all submissions."""
    before, after = graded["first"]["instructor_files"]
    changed = sorted(p for p in set(before) | set(after) if before.get(p) != after.get(p))
    assert not changed, f"changed, created or deleted by the graded notebooks: {changed}"


def test_other_students_are_unaffected(graded):
    for student in ("good", "blank"):
        check_row(graded, student)


@pytest.mark.parametrize("student", ["patch-numpy", "patch-exercise", "patch-entry"])
def test_patched_comparisons_do_not_pass_a_wrong_answer(graded, student):
    # the patches really ran: the answer cell holding them raised nothing
    errors = answer_cell_errors(autograded(graded, student), "sigmoid")
    assert not errors, f"the patching cell failed, so nothing was patched: {errors}"
    check_row(graded, student)
    if student != "patch-numpy":
        page = page_text(graded, student)
        assert "judged outside your notebook, the hidden test of gate_weights fails" in page, page[:3000]


@pytest.mark.parametrize("student", ["ref-import", "ref-call"])
def test_the_reference_scores_zero_and_the_feedback_says_why(graded, student):
    check_row(graded, student)
    page = page_text(graded, student)
    assert "sigmoid calls backproplab.activations.sigmoid, the reference answer from backproplab" in page, \
        page[:3000]


def test_tampered_test_cells_are_replaced_by_the_instructors(graded):
    check_row(graded, "tampered")
    assert "needs manual grading: tampered" not in graded["first"]["summary"]
    nb = autograded(graded, "tampered")
    graded_cells = [c for c in nb.cells if nbmeta(c).get("grade") and not nbmeta(c).get("solution")]
    assert [c.cell_type for c in graded_cells] == ["code"] * len(exercise_names())
    assert all("### BEGIN HIDDEN TESTS" in c.source for c in graded_cells)


@pytest.mark.parametrize("student", ["loop", "sleep"])
def test_an_endless_cell_times_out_and_grading_goes_on(graded, student):
    check_row(graded, student)
    nb = autograded(graded, student)
    timed_out = [i for i, c in enumerate(nb.cells)
                 if any(e.startswith(("CellTimeout", "KeyboardInterrupt")) for e in errors_in(c))]
    expected = [i for i, c in enumerate(nb.cells) if nbmeta(c).get("grade_id") ==
                nbmeta(solution_cell(solution_nb(L1), "neuron"))["grade_id"]]
    assert timed_out == expected, (f"cells with a timeout: {timed_out}, expected only neuron's answer cell "
                                   f"{expected}: {[errors_in(nb.cells[i]) for i in timed_out]}")


def test_a_huge_allocation_fails_its_cell_only(graded):
    check_row(graded, "alloc")
    errors = answer_cell_errors(autograded(graded, "alloc"), "neuron")
    assert any(e.startswith("MemoryError") for e in errors), errors


@pytest.mark.parametrize("student", ["exit", "segfault"])
def test_a_kernel_crash_fails_the_submission_and_keeps_earlier_points(graded, student):
    check_row(graded, student)
    line = summary_line(graded, student)
    assert line and "kernel died" in line, graded["first"]["summary"]


@pytest.mark.parametrize("student", [*UNREADABLE, "other-lesson"])
def test_an_unusable_file_gets_one_clear_summary_line(graded, student):
    check_row(graded, student)
    line = summary_line(graded, student)
    assert line is not None, f"no single 'failed: {student} {L1}: ...' line:\n{graded['first']['summary']}"
    why = "not a readable notebook" if student in UNREADABLE else "holds none of the answer cells"
    assert why in line and len(line) < 400, line
    if student == "nbformat-99":
        assert "99" in line, line


def test_no_traceback_in_the_summary_or_the_output(graded):
    first = graded["first"]
    for name, text in (("summary.txt", first["summary"]), ("output", first["log"])):
        assert "Traceback" not in text, f"{name}:\n{text[-4000:]}"


def test_a_100_mb_print_is_truncated(graded):
    check_row(graded, "print100mb")
    for kind in ("notebook", "feedback"):
        data = graded["first"]["pages"][("print100mb", kind)]
        assert data is not None, f"no {kind} for print100mb"
        assert len(data) < PAGE_LIMIT, f"{kind}: {len(data)} bytes"
        assert b"output truncated" in data, f"{kind} does not say the output was truncated"


def test_a_page_made_to_fetch_from_outside_fetches_nothing(graded, tmp_path):
    check_row(graded, "outside-page")
    data = graded["first"]["pages"][("outside-page", "feedback")]
    text = data.decode()
    # the scripts show as text, the JavaScript output as a note; the images lose their source
    assert text.count("&lt;script&gt;") >= 2 and "JavaScript output: not run in this page" in text
    assert "<script" not in text
    # only links may name the outside (a bare address in text becomes one): nothing loads them
    assert [tag for tag in re.findall(r"<[^>]+>", text) if "outside.invalid" in tag and not tag.startswith("<a ")] == []
    path = tmp_path / "feedback.html"
    path.write_bytes(data)
    seen = visit([path])[path]
    assert seen.attempted == [] and seen.outside == [] and seen.errors == [], seen


def test_the_gradebook_holds_the_expected_scores(graded):
    src = solution_nb(L1)
    book = graded["first"]["gradebook"]
    assert "unreadable" not in book, book
    problems = []
    for student, (status, scores) in graded["plan"].items():
        if status != "graded":
            continue
        want = {checked_cell_id(src, n): p for n, p in scores.items()}
        if book.get(student) != want:
            problems.append(f"{student}: {book.get(student)}, expected {want}")
    assert not problems, "\n".join(problems)


def test_writing_outside_its_folder_does_no_harm(graded):
    second = graded["second"]
    if "sandbox: none" in second["summary"]:
        pytest.skip("no sandbox on this machine (summary says 'sandbox: none'): student code runs with "
                    "the grader's permissions, so this protection is not claimed")
    report = f"\n--- summary:\n{second['summary']}\n--- what the submission printed (tail):\n{second['escape_output']}"
    # the attempts really ran (else nothing below would mean anything)
    missing = [what for what in second["targets"] if f"{what}: " not in second["escape_output"]]
    assert not missing, f"attempts not reported by the submission: {missing}" + report
    assert second["error"] is None, second["error"] + report
    assert second["code"] == 0, second["log"][-3000:] + report
    assert "sandbox:" in second["summary"], "the summary does not say which sandbox was used" + report
    before, after = second["hashes_before"], second["hashes_after"]
    changed = sorted(p for p in set(before) | set(after) if before.get(p) != after.get(p))
    assert not changed, "changed, created or deleted:\n" + "\n".join(changed) + report
    assert not second["leftovers"], f"written outside the course: {second['leftovers']}" + report
    rows = csv_rows(second["csv"])
    problems = []
    for student in ("good", "blank", "escape"):
        status, scores = graded["plan"].get(student, ("graded", expect()))
        problems += row_problems(rows, student, status, scores)
    assert not problems, "\n".join(problems) + report
    src = solution_nb(L1)
    book = second["gradebook"]
    for student, scores in (("good", expect()), ("blank", {n: 0.0 for n in exercise_names()}),
                            ("escape", expect())):
        assert book.get(student) == {checked_cell_id(src, n): p for n, p in scores.items()}, \
            f"gradebook {student}: {book.get(student) if 'unreadable' not in book else book}" + report
