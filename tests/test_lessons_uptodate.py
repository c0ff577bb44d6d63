"""lessons/ is exactly what `nbgrader generate_assignment` makes of solutions/ today.

Every lesson is regenerated with real nbgrader into a temporary copy of the course
(solutions/ + grading/nbgrader_config.py; the copy's own gradebook), and compared byte for
byte with the committed lessons/. Regenerating in a second fresh copy must give the same
bytes again, so that the committed files are a function of solutions/ alone.
"""
from __future__ import annotations

import difflib
import json
import shutil
from pathlib import Path

import pytest

from backproplab.grading import lesson_ids, release

ROOT = Path(__file__).resolve().parent.parent
FIX = ("lessons/ is out of date: run `backproplab release` (or, from grading/ with the "
       "environment's bin first on PATH, `nbgrader generate_assignment <lesson> --force`) and commit")


def _course_copy(dest: Path) -> Path:
    (dest / "grading").mkdir(parents=True)
    shutil.copytree(ROOT / "solutions", dest / "solutions",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    shutil.copy(ROOT / "grading" / "nbgrader_config.py", dest / "grading" / "nbgrader_config.py")
    return dest


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    """Two independent releases of every lesson: {lesson: (bytes of run 1, bytes of run 2)}."""
    runs = []
    for name in ("release-a", "release-b"):
        course = _course_copy(tmp_path_factory.mktemp(name))
        paths = release(course)
        runs.append({p.parent.name: p.read_bytes() for p in paths})
    return {k: (runs[0][k], runs[1].get(k)) for k in runs[0]}


def _where_they_differ(ours: bytes, theirs: bytes) -> str:
    """A short account of the first differences, cell by cell when both are JSON."""
    try:
        a, b = json.loads(ours), json.loads(theirs)
    except ValueError:
        return "(not JSON)"
    notes = []
    if a.get("metadata") != b.get("metadata"):
        notes.append("notebook metadata differs")
    ca, cb = a.get("cells", []), b.get("cells", [])
    if len(ca) != len(cb):
        notes.append(f"{len(cb)} cells committed, {len(ca)} generated")
    for i, (x, y) in enumerate(zip(ca, cb)):
        if x != y:
            gid = x.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")
            notes.append(f"cell {i} {gid}: " + "".join(difflib.unified_diff(
                json.dumps(y, indent=1, sort_keys=True).splitlines(True),
                json.dumps(x, indent=1, sort_keys=True).splitlines(True),
                "committed", "generated", n=1))[:1500])
        if len(notes) >= 3:
            break
    return "\n".join(notes) or "(same JSON, different bytes: formatting or line endings)"


def test_every_solution_has_a_committed_lesson_and_no_lesson_is_orphaned():
    committed = sorted(d.name for d in (ROOT / "lessons").iterdir()
                       if d.is_dir() and not d.name.startswith("."))
    assert committed == lesson_ids(ROOT), f"{FIX} (lessons/ has {committed}, solutions/ has {lesson_ids(ROOT)})"


@pytest.mark.parametrize("lesson", lesson_ids(ROOT))
def test_committed_lesson_equals_a_fresh_release(released, lesson):
    generated, _ = released[lesson]
    committed_path = ROOT / "lessons" / lesson / f"{lesson}.ipynb"
    assert committed_path.is_file(), f"{FIX}: {committed_path.relative_to(ROOT)} is missing"
    committed = committed_path.read_bytes()
    assert generated == committed, (
        f"{FIX}\n{committed_path.relative_to(ROOT)} differs from the release of "
        f"solutions/{lesson}:\n{_where_they_differ(generated, committed)}")


@pytest.mark.parametrize("lesson", lesson_ids(ROOT))
def test_release_is_deterministic(released, lesson):
    first, second = released[lesson]
    assert second is not None and first == second, (
        f"two releases of solutions/{lesson} differ:\n{_where_they_differ(first, second or b'')}")


@pytest.mark.parametrize("lesson", lesson_ids(ROOT))
def test_released_lesson_hides_solutions_and_hidden_tests(released, lesson):
    text = released[lesson][0].decode("utf-8")
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "grade(\""):
        assert marker not in text, f"the student version of {lesson} still contains {marker!r}"
    assert "raise NotImplementedError()" in text


# -- the release tool itself (backproplab.grading, `backproplab release`) --------------------

def test_nbgrader_runs_with_this_environment_first_on_path():
    import sysconfig
    from backproplab.grading import nbgrader_env
    path = nbgrader_env()["PATH"]
    # nbgrader starts alembic from PATH to set up the gradebook: it must be this environment's
    assert shutil.which("alembic", path=path) == str(Path(sysconfig.get_path("scripts")) / "alembic")


def test_release_names_unknown_lessons(tmp_path, capsys):
    from backproplab.cli import main
    from backproplab.grading import ReleaseError
    course = _course_copy(tmp_path / "course")
    with pytest.raises(ReleaseError, match=r"no solutions/<id>/<id>.ipynb for 99-nope; known lessons: 0"):
        release(course, ["99-nope"])
    assert main(["release", "99-nope", "--root", str(course)]) == 1
    assert "backproplab release: no solutions/<id>/<id>.ipynb for 99-nope" in capsys.readouterr().err
    assert not (course / "lessons").exists()


def test_cli_releases_one_lesson_into_a_course(tmp_path, capsys):
    from backproplab.cli import main
    course = tmp_path / "course"
    (course / "grading").mkdir(parents=True)
    shutil.copy(ROOT / "grading" / "nbgrader_config.py", course / "grading")
    (course / "solutions" / "00-fixture").mkdir(parents=True)
    shutil.copy(ROOT / "tests" / "fixtures" / "fixture-lesson.ipynb",
                course / "solutions" / "00-fixture" / "00-fixture.ipynb")
    assert main(["release", "00-fixture", "--root", str(course)]) == 0
    out = course / "lessons" / "00-fixture" / "00-fixture.ipynb"
    assert f"wrote {out}" in capsys.readouterr().out
    nb = json.loads(out.read_text())
    sources = ["".join(c["source"]) for c in nb["cells"]]
    assert sources[3].endswith("    # YOUR CODE HERE\n    raise NotImplementedError()")
    assert sources[4] == 'from backproplab.checks import check\ncheck("sigmoid", sigmoid)'
    assert (course / "grading" / "gradebook.db").is_file()   # the copy's own gradebook
