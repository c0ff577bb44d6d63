"""A round trip through real nbgrader: release, submit, autograde, read the gradebook.

In a temporary course (a copy of solutions/, grading/nbgrader_config.py, its own gradebook)
every lesson is released and then autograded for these students:

- "full": the solution notebook                      -> every autograded cell full marks;
- "blank": the committed release, unchanged           -> 0 autograded points;
- "mistake-j": the release with every exercise's function replaced by mistake j of that
  exercise's catalogue (backproplab.checks), cycling  -> each of those test cells scores 0,
  and the check (not a NameError or a stub) is what rejected it;
- "alt-j": the same with the catalogue's alternative j (a correct implementation written
  differently from the reference)                     -> full marks.

Scores come from the gradebook (nbgrader.api.Gradebook), never from exit codes
(`nbgrader validate` exits 0 even when tests fail).

Kernel pinning: the temporary course's source notebooks (hence the kernelspec nbgrader
stores and writes into every submission) name a kernel that does not exist. Grading still
works only because grading/nbgrader_config.py pins Execute.kernel_name; a cell added to the
"full" submission prints the kernel's interpreter, which must be the pinned kernelspec's.

Runtime: per lesson one release and one autograde call over all its students, each lesson
in its own temporary course (two lessons at a time). By default 3 mistakes per exercise and
its first alternative are submitted; BACKPROPLAB_ROUNDTRIP=all submits every mistake and
every alternative. Only the lessons of the selected tests are graded: `-k 01-neurons` grades
lesson 01 alone (CI's quick tier on other Pythons does). The "full" and "alt" submissions must
also run every cell without error.
"""
from __future__ import annotations

import copy
import os
import shutil
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell

from backproplab.checks import exercises
from backproplab.grading import lesson_ids, release, run_nbgrader

from _classroom import nbmeta as _nb
from _classroom import set_kernel as _set_kernel
from _classroom import checked_cell_id as _test_cell_id
from _classroom import with_functions as _with_functions

ROOT = Path(__file__).resolve().parent.parent
LESSONS = lesson_ids(ROOT)
BOGUS_KERNEL = "backproplab-roundtrip-no-such-kernel"
THOROUGH = os.environ.get("BACKPROPLAB_ROUNDTRIP", "") == "all"
MIN_MISTAKES = 3


# -- building submissions (shared helpers: tests/_classroom.py) ------------------------------

def _submit(course: Path, student: str, lesson: str, nb):
    path = course / "grading" / "submitted" / student / lesson / f"{lesson}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))


# -- the round trip ---------------------------------------------------------------------------

def _grade_lesson(course: Path, lesson: str, catalogue: dict) -> dict:
    """Release one lesson in its own course folder, submit, autograde, read the gradebook."""
    (course / "grading").mkdir(parents=True)
    shutil.copy(ROOT / "grading" / "nbgrader_config.py", course / "grading")
    solution = nbformat.read(str(ROOT / "solutions" / lesson / f"{lesson}.ipynb"), as_version=4)
    released = nbformat.read(str(ROOT / "lessons" / lesson / f"{lesson}.ipynb"), as_version=4)
    source = copy.deepcopy(solution)
    _set_kernel(source, BOGUS_KERNEL)
    (course / "solutions" / lesson).mkdir(parents=True)
    nbformat.write(source, str(course / "solutions" / lesson / f"{lesson}.ipynb"))
    release(course)   # fills this course's gradebook with the lesson's autograded cells

    lesson_ex = {n: e for n, e in catalogue.items() if e.lesson == lesson}
    plan = {"full": {}, "blank": {}}   # student -> {exercise: what was submitted}
    full = copy.deepcopy(solution)
    _set_kernel(full, BOGUS_KERNEL)
    full.cells.append(new_code_cell('import sys\nprint("roundtrip kernel python:", sys.executable)'))
    _submit(course, "full", lesson, full)
    _submit(course, "blank", lesson, released)
    k = max([MIN_MISTAKES] + ([len(e.mistakes) for e in lesson_ex.values()] if THOROUGH else []))
    for j in range(k):
        chosen = {n: e.mistakes[j % len(e.mistakes)] for n, e in lesson_ex.items() if e.mistakes}
        _submit(course, f"mistake-{j}", lesson, _with_functions(released, {n: m.source for n, m in chosen.items()}))
        plan[f"mistake-{j}"] = {n: m.key for n, m in chosen.items()}
    m = max([1] + ([len(e.alternatives) for e in lesson_ex.values()] if THOROUGH else []))
    for j in range(m):
        chosen = {n: e.alternatives[j % len(e.alternatives)] for n, e in lesson_ex.items() if e.alternatives}
        _submit(course, f"alt-{j}", lesson, _with_functions(released, chosen))
        plan[f"alt-{j}"] = {n: f"alternative {j % len(lesson_ex[n].alternatives)}" for n in chosen}

    proc = run_nbgrader(["autograde", lesson, "--force"], course, check=False)
    log = f"exit {proc.returncode}\n{proc.stdout[-3000:]}{proc.stderr[-6000:]}"

    from nbgrader.api import Gradebook
    scores = {}   # student -> {grade_id: (auto_score, max_score)}
    with Gradebook(f"sqlite:///{course / 'grading' / 'gradebook.db'}") as gb:
        max_scores = {c.name: c.max_score for c in gb.find_notebook(lesson, lesson).grade_cells}
        for student in plan:
            try:
                sub = gb.find_submission_notebook(lesson, lesson, student)
            except Exception:   # noqa: BLE001 - not graded at all: reported by the tests
                continue
            scores[student] = {g.name: (g.auto_score, g.max_score) for g in sub.grades}
    return dict(lesson=lesson, course=course, plan=plan, test_ids={n: _test_cell_id(released, n) for n in lesson_ex},
                log=log, scores=scores, max_scores=max_scores, exercises=lesson_ex)


def _selected_lessons(session) -> list:
    """The lessons whose tests of this module are selected (e.g. `-k 01-neurons` grades one)."""
    lessons = set()
    for item in session.items:
        callspec = getattr(item, "callspec", None)
        if getattr(item, "module", None) is sys.modules[__name__] and callspec is not None:
            lessons.add(callspec.params["lesson"])
    return sorted(lessons)


@pytest.fixture(scope="module")
def graded(request, tmp_path_factory):
    """{lesson: results} for the selected lessons. Lessons are graded in separate course folders
    (separate gradebooks), two at a time: the work is nbgrader and kernel subprocesses."""
    if not LESSONS:
        pytest.skip("no lessons in solutions/ yet")
    lessons = _selected_lessons(request.session)
    catalogue = exercises()
    courses = {lesson: tmp_path_factory.mktemp(f"roundtrip-{lesson[:2]}") for lesson in lessons}
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {lesson: pool.submit(_grade_lesson, courses[lesson], lesson, catalogue) for lesson in lessons}
        return {lesson: f.result() for lesson, f in futures.items()}


def _autograded(result, student):
    """The autograded notebook: {grade_id: outputs} of graded cells, and every cell's outputs."""
    lesson = result["lesson"]
    path = result["course"] / "grading" / "autograded" / student / lesson / f"{lesson}.ipynb"
    nb = nbformat.read(str(path), as_version=4)
    cells = [c for c in nb.cells if c.cell_type == "code"]
    return {_nb(c)["grade_id"]: c.get("outputs", []) for c in cells if _nb(c).get("grade_id")}, cells


def _error_text(outputs) -> str:
    return "\n".join(f"{o.get('ename')}: {o.get('evalue')}" for o in outputs if o.get("output_type") == "error")


def _scores(result, student):
    assert student in result["scores"], f"{student} was not graded:\n{result['log']}"
    return result["scores"][student]


# -- the tests --------------------------------------------------------------------------------

@pytest.mark.parametrize("lesson", LESSONS)
def test_lesson_and_catalogue_agree(graded, lesson):
    result = graded[lesson]
    assert len(result["exercises"]) >= 3, f"{lesson} has {len(result['exercises'])} catalogued exercises; >= 3 wanted"
    for name, ex in result["exercises"].items():
        assert len(ex.mistakes) >= MIN_MISTAKES, f"{name}: {len(ex.mistakes)} mistakes in its catalogue"
        assert ex.alternatives, f"{name}: no alternative implementation in its catalogue"
    tested = set(result["test_ids"].values())
    assert tested == set(result["max_scores"]), (
        f"autograded cells of {lesson} that call no catalogued exercise's check(): "
        f"{sorted(set(result['max_scores']) - tested)}")


@pytest.mark.parametrize("lesson", LESSONS)
def test_autograde_ran_cleanly(graded, lesson):
    assert graded[lesson]["log"].startswith("exit 0"), graded[lesson]["log"]


@pytest.mark.parametrize("lesson", LESSONS)
def test_solution_gets_full_marks_with_the_pinned_kernel(graded, lesson):
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
    manager = KernelSpecManager()
    with pytest.raises(NoSuchKernel):
        manager.get_kernel_spec(BOGUS_KERNEL)   # the notebooks name a kernel that is not there
    result = graded[lesson]
    scores = _scores(result, "full")
    assert scores == {gid: (mx, mx) for gid, mx in result["max_scores"].items()}, (
        f"the solution of {lesson} does not get full marks (if every cell scored 0, the pinned "
        f"kernel Execute.kernel_name was not used):\n{scores}\n{result['log']}")
    _, cells = _autograded(result, "full")
    printed = "".join(o.get("text", "") for c in cells for o in c.get("outputs", [])
                      if o.get("output_type") == "stream")
    pinned = manager.get_kernel_spec("backproplab").argv[0]
    assert f"roundtrip kernel python: {pinned}" in printed, printed[-2000:]


@pytest.mark.parametrize("lesson", LESSONS)
def test_unchanged_release_gets_zero(graded, lesson):
    result = graded[lesson]
    scores = _scores(result, "blank")
    assert scores and all(auto == 0 for auto, _ in scores.values()), scores
    outputs, _ = _autograded(result, "blank")
    for name, gid in result["test_ids"].items():
        error = _error_text(outputs[gid])
        assert error.startswith(("NotWrittenYet", "NotImplementedError")), (
            f"{lesson}: the blank {name} test cell failed otherwise: {error}")


@pytest.mark.parametrize("lesson", LESSONS)
def test_every_catalogued_mistake_loses_its_points(graded, lesson):
    result, problems = graded[lesson], []
    for student, submitted in result["plan"].items():
        if not student.startswith("mistake-"):
            continue
        scores = _scores(result, student)
        outputs, _ = _autograded(result, student)
        for name, key in submitted.items():
            gid = result["test_ids"][name]
            auto, mx = scores[gid]
            error = _error_text(outputs[gid])
            if auto != 0:
                problems.append(f"{name} mistake {key!r} scored {auto}/{mx}")
            elif not error.startswith("CheckFailure") or "NameError" in error:
                problems.append(f"{name} mistake {key!r} lost its points for another reason: {error[:300]}")
    assert not problems, f"{lesson}:\n" + "\n".join(problems)


@pytest.mark.parametrize("lesson", LESSONS)
def test_alternative_implementations_get_full_marks(graded, lesson):
    result, problems = graded[lesson], []
    for student in result["plan"]:
        if not student.startswith("alt-"):
            continue
        outputs, _ = _autograded(result, student)
        for gid, (auto, mx) in _scores(result, student).items():
            if auto != mx:
                problems.append(f"{student} {gid}: {auto}/{mx}: {_error_text(outputs.get(gid, []))[:400]}")
    assert not problems, f"{lesson}:\n" + "\n".join(problems)


@pytest.mark.parametrize("lesson", LESSONS)
def test_correct_implementations_run_the_whole_lesson(graded, lesson):
    # A correct answer written differently (loops, say) must not break a later demo cell,
    # e.g. by running into nbgrader's per-cell timeout (Execute.timeout).
    result, problems = graded[lesson], []
    for student in result["plan"]:
        if student == "full" or student.startswith("alt-"):
            _, cells = _autograded(result, student)
            for i, cell in enumerate(cells):
                error = _error_text(cell.get("outputs", []))
                if error:
                    problems.append(f"{student}, code cell {i}: {error[:300]}\n  {cell.source[:120]!r}")
    assert not problems, f"{lesson}:\n" + "\n".join(problems)
