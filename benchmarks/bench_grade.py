"""Benchmark: `backproplab grade --jobs 2` against `nbgrader autograde` run serially.

    .venv/bin/python benchmarks/bench_grade.py           # 60 students x every lesson
    .venv/bin/python benchmarks/bench_grade.py --quick   # 6 students
    .venv/bin/python benchmarks/bench_grade.py --students 20
    .venv/bin/python benchmarks/bench_grade.py --figures # ours also draws the figures (--figures)

A synthetic class in nbgrader's layout (submitted/<student>/<lesson>/<lesson>.ipynb), the
students cycling through: the solution, the unchanged release, every exercise replaced by a
mistake of its catalogue (mistake j for student j), half mistakes and half alternatives.
Each tool grades the same submissions in its own temporary copy of the course (solutions/,
lessons/, grading/nbgrader_config.py, a gradebook filled by `nbgrader generate_assignment`):

- baseline: `nbgrader autograde <lesson> --force` once per lesson over all students, one after
  the other - how an instructor runs it serially;
- ours: `python -m backproplab.cli grade <submitted> --jobs 2`, a fresh run (no state), with
  its defaults: the sandbox when bubblewrap works here, figures not drawn (--figures: drawn, as
  nbgrader does), hidden tests judged again from their receipts, and every student's HTML
  feedback rendered (nbgrader's autograde renders none).

Wall-clock times of whole commands, start-up included. The script checks that both gave
every submission the same total score (a row with met=False otherwise). Target: ours <= 0.4x (issue 13: all nine lessons; it was 0.6x for the first two).
run(quick=False) returns rows {"benchmark", "figure", "baseline", "ratio", "target", "met"};
figure and baseline are seconds.
"""
from __future__ import annotations

import copy
import csv
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import nbformat  # noqa: E402

from backproplab.checks import exercises  # noqa: E402
from backproplab.grading import lesson_ids, nbgrader_env, release, run_nbgrader  # noqa: E402

TARGET = 0.4


def _replace(release_nb, sources: dict):
    """The release with each named exercise's `def name(` cell body replaced by `sources[name]`."""
    sys.path.insert(0, str(ROOT / "tests"))
    from _classroom import with_functions
    return with_functions(release_nb, sources)


def _student_nb(k: int, lesson: str, solution, released, catalogue):
    ex = {n: e for n, e in catalogue.items() if e.lesson == lesson}
    kind = k % 4
    if kind == 0:
        return copy.deepcopy(solution)
    if kind == 1:
        return copy.deepcopy(released)
    if kind == 2:
        return _replace(released, {n: e.mistakes[k % len(e.mistakes)].source for n, e in ex.items()})
    return _replace(released, {n: (e.mistakes[0].source if i % 2 else e.alternatives[0])
                               for i, (n, e) in enumerate(ex.items())})


def _course(dest: Path) -> Path:
    for folder in ("solutions", "lessons"):
        shutil.copytree(ROOT / folder, dest / folder)
    (dest / "grading").mkdir(parents=True)
    shutil.copy(ROOT / "grading" / "nbgrader_config.py", dest / "grading")
    release(dest)     # fills the gradebook with the lessons' cells, as a term starts
    return dest


def _make_class(submitted: Path, students: int, lessons) -> None:
    catalogue = exercises()
    for lesson in lessons:
        solution = nbformat.read(str(ROOT / "solutions" / lesson / f"{lesson}.ipynb"), as_version=4)
        released = nbformat.read(str(ROOT / "lessons" / lesson / f"{lesson}.ipynb"), as_version=4)
        for k in range(students):
            path = submitted / f"student{k:03d}" / lesson / f"{lesson}.ipynb"
            path.parent.mkdir(parents=True)
            nbformat.write(_student_nb(k, lesson, solution, released, catalogue), str(path))


def _nbgrader_totals(course: Path, lessons) -> dict:
    from nbgrader.api import Gradebook
    totals = {}
    with Gradebook(f"sqlite:///{course / 'grading' / 'gradebook.db'}", course_id="backproplab") as gb:
        for lesson in lessons:
            for sub in gb.assignment_submissions(lesson):
                totals[(sub.student.id, lesson)] = sum(g.auto_score or 0 for g in sub.notebooks[0].grades)
    return totals


def _our_totals(out: Path) -> dict:
    with open(out / "grades.csv", newline="") as f:
        return {(r["student"], r["lesson"]): float(r["total"] or 0) for r in csv.DictReader(f)}


def run(quick: bool = False, students: int | None = None, figures: bool = False) -> list:
    students = students or (6 if quick else 60)
    lessons = lesson_ids(ROOT)
    n = students * len(lessons)
    with tempfile.TemporaryDirectory(prefix="bench-grade-") as tmp:
        tmp = Path(tmp)
        theirs, ours = _course(tmp / "nbgrader"), _course(tmp / "ours")
        _make_class(theirs / "grading" / "submitted", students, lessons)
        shutil.copytree(theirs / "grading" / "submitted", tmp / "submitted")

        start = time.perf_counter()
        for lesson in lessons:
            run_nbgrader(["autograde", lesson, "--force", "--log-level=WARN"], theirs)
        baseline = time.perf_counter() - start

        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "backproplab.cli", "grade", str(tmp / "submitted"),
                               "--root", str(ours), "--jobs", "2", "--no-progress"] + (["--figures"] if figures else []),
                              env=nbgrader_env(), capture_output=True, text=True)
        figure = time.perf_counter() - start
        if proc.returncode != 0:
            raise RuntimeError(f"backproplab grade failed:\n{proc.stdout}{proc.stderr}")

        a, b = _nbgrader_totals(theirs, lessons), _our_totals(ours / "grading")
        differ = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
    label = (f"grade {students} students x {len(lessons)} lessons ({n} notebooks)"
             f"{', figures drawn' if figures else ''}, s")
    ratio = figure / baseline
    print(f"{label}: backproplab grade --jobs 2 {figure:.1f} s, nbgrader autograde serial {baseline:.1f} s, "
          f"ratio {ratio:.2f} (target <= {TARGET}); {figure / n:.2f} s vs {baseline / n:.2f} s per notebook",
          file=sys.stderr)
    if differ:
        print(f"scores differ for {len(differ)} submissions, e.g. {differ[:5]}: "
              f"nbgrader {[a.get(k) for k in differ[:5]]}, ours {[b.get(k) for k in differ[:5]]}", file=sys.stderr)
    return [{"benchmark": label, "figure": figure, "baseline": baseline, "ratio": ratio,
             "target": f"<= {TARGET}", "met": ratio <= TARGET},
            {"benchmark": "grade: same total as nbgrader for every submission", "figure": n - len(differ),
             "baseline": n, "ratio": (n - len(differ)) / n, "target": "= 1", "met": not differ}]


if __name__ == "__main__":
    args = sys.argv[1:]
    count = int(args[args.index("--students") + 1]) if "--students" in args else None
    rows = run(quick="--quick" in args, students=count, figures="--figures" in args)
    for row in rows:
        print(row)
