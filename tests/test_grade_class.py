"""`backproplab grade`: a synthetic class graded end to end through the CLI entry point.

The class (tests/_classroom.py builds the notebooks from the checks' catalogues), every lesson:
- full:      the solution notebook                                  -> full marks;
- blank:     the release, unchanged                                 -> 0;
- mistake:   every exercise replaced by its catalogue's mistake 0   -> 0 everywhere;
- mixed:     even exercises mistake 1, odd ones alternative 0       -> points for the odd ones;
- helper:    the first exercise written through a helper defined in the student's own extra
             cell, its test cell deleted and the second test cell replaced by `pass`; the rest
             left as stubs                                          -> first exercise only
             (the instructor's tests run whatever the submission did to its test cells);
- dup:       two notebooks, the older the solution, the newer the release -> newest wins: 0.
Plus files that cannot be mapped. Expected points come from the catalogue plan and the
source notebook's `points` metadata, never from a run.

Runs: (1) the CLI in a subprocess with a fault injection that makes the parent exit after 3
results; (2) a rerun completes the class without regrading those; (3) a rerun grades nothing;
(4) one changed submission is regraded (and the gradebook is backed up first).
"""
from __future__ import annotations

import copy
import csv
import html
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell

from backproplab import cli
from backproplab.checks import exercises
from backproplab.classgrade import CRASH_ENV
from backproplab.classgrade.mapping import discover, map_filename
from backproplab.classgrade.state import STATE_NAME, State
from backproplab.grading import lesson_ids

from _classroom import ROOT, checked_cell_id, make_course, nbmeta, release_nb, solution_cell, solution_nb, \
    with_functions
from _offline_page import visit

LESSONS = lesson_ids(ROOT)
L1 = "01-neurons-and-logic-gates"
L2 = "02-forward-pass-and-initialisation"
CRASH_AFTER = 3
HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", re.S)


# -- the synthetic class ---------------------------------------------------------------------

def _lesson_exercises(lesson):
    """{exercise: (catalogue entry, max points)} in notebook order, from the source metadata."""
    src = solution_nb(lesson)
    catalogue = {n: e for n, e in exercises().items() if e.lesson == lesson}
    points = {nbmeta(c)["grade_id"]: float(nbmeta(c)["points"]) for c in src.cells if nbmeta(c).get("grade")}
    order = sorted(catalogue, key=lambda n: [nbmeta(c).get("grade_id") for c in src.cells].index(checked_cell_id(src, n)))
    return {n: (catalogue[n], points[checked_cell_id(src, n)]) for n in order}


def _write(path: Path, nb, mtime=None):
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    if mtime is not None:
        os.utime(path, (mtime, mtime))


def _helper_submission(lesson, names):
    """The release with exercise 1 written through a helper in an extra cell, tests tampered."""
    nb = release_nb(lesson)
    first, second = names[0], names[1]
    alt = exercises()[first].alternatives[0]
    helper = re.sub(rf"^def {first}\(", f"def _my_{first}(", alt, flags=re.M)
    nb = with_functions(nb, {first: f"def {first}(*args, **kwargs):\n    return _my_{first}(*args, **kwargs)\n"})
    position = nb.cells.index(solution_cell(nb, first))
    nb.cells.insert(position + 1, new_code_cell(helper))          # the student's own cell
    ids = {checked_cell_id(nb, first), checked_cell_id(nb, second)}
    for cell in list(nb.cells):
        if nbmeta(cell).get("grade_id") == checked_cell_id(release_nb(lesson), first):
            nb.cells.remove(cell)                                  # test cell deleted
        elif nbmeta(cell).get("grade_id") in ids:
            cell.source = "pass"                                   # test cell re-typed
    return nb


def build_class(folder: Path) -> dict:
    """Write the class under folder (nbgrader layout); return {(student, lesson): {exercise: points}}."""
    plan = {}
    for lesson in LESSONS:
        ex = _lesson_exercises(lesson)
        names = list(ex)
        full = {n: p for n, (_, p) in ex.items()}
        zero = {n: 0.0 for n in ex}

        def where(student, name=lesson, lesson=lesson):
            return folder / student / lesson / f"{name}.ipynb"

        _write(where("full"), solution_nb(lesson))
        plan[("full", lesson)] = full
        _write(where("blank"), release_nb(lesson))
        plan[("blank", lesson)] = zero
        _write(where("mistake"), with_functions(release_nb(lesson), {n: e.mistakes[0].source for n, (e, _) in ex.items()}))
        plan[("mistake", lesson)] = zero
        mixed = {n: (e.mistakes[1].source if i % 2 == 0 else e.alternatives[0]) for i, (n, (e, _)) in enumerate(ex.items())}
        _write(where("mixed"), with_functions(release_nb(lesson), mixed))
        plan[("mixed", lesson)] = {n: (0.0 if i % 2 == 0 else full[n]) for i, n in enumerate(names)}
        _write(where("helper"), _helper_submission(lesson, names))
        plan[("helper", lesson)] = {**zero, names[0]: full[names[0]]}
        _write(where("dup", "copy-of-work"), solution_nb(lesson), mtime=1_700_000_000)
        _write(where("dup"), release_nb(lesson), mtime=1_800_000_000)
        plan[("dup", lesson)] = zero
    (folder / "notes.txt").write_text("not a notebook")
    _write(folder / "stray.ipynb", release_nb(L1))
    return plan


def _processes_left(text: str, wait: float = 5.0) -> list:
    """Command lines of processes still mentioning `text` (kernels, bwrap) after up to `wait` s."""
    import time
    deadline = time.monotonic() + wait
    while True:
        found = []
        for pid in (p for p in os.listdir("/proc") if p.isdigit()):
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    line = f.read().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if text in line:
                found.append(line[:200])
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def _state(out: Path) -> dict:
    # as the next run reads it: the state file and the journal of a run that stopped early
    return State(out / STATE_NAME).entries


def _grade_args(subs, course):
    return ["grade", str(subs), "--root", str(course), "--jobs", "2", "--no-progress", "--timeout", "60"]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    if L1 not in LESSONS or L2 not in LESSONS:
        pytest.skip("lessons 01 and 02 are needed")
    base = tmp_path_factory.mktemp("classgrade")
    course = make_course(base / "course")
    subs = base / "submitted"
    plan = build_class(subs)
    out = course / "grading"
    runs = {}

    # (1) the parent dies after persisting CRASH_AFTER results
    # (output to a file, not a pipe: a pipe would also wait for any process the parent left behind)
    with open(base / "crash.log", "w") as log:
        proc = subprocess.run([sys.executable, "-m", "backproplab.cli", *_grade_args(subs, course)],
                              env={**os.environ, CRASH_ENV: str(CRASH_AFTER)}, stdout=log, stderr=subprocess.STDOUT,
                              timeout=900)
    runs["crash"] = dict(returncode=proc.returncode, log=(base / "crash.log").read_text(), state=_state(out),
                         left=_processes_left(str(course)))
    # (2) resume, (3) rerun: in-process through the CLI entry point
    for name in ("resume", "rerun"):
        code = cli.main(_grade_args(subs, course))
        runs[name] = dict(returncode=code, state=_state(out), summary=(out / "summary.txt").read_text(),
                          csv=(out / "grades.csv").read_text())
    # (4) one student hands in again: blank now submits the solution of lesson 01
    _write(subs / "blank" / L1 / f"{L1}.ipynb", solution_nb(L1))
    plan[("blank", L1)] = {n: p for n, (_, p) in _lesson_exercises(L1).items()}
    code = cli.main(_grade_args(subs, course))
    runs["changed"] = dict(returncode=code, state=_state(out), summary=(out / "summary.txt").read_text())
    return dict(course=course, out=out, subs=subs, plan=plan, runs=runs)


# -- the tests --------------------------------------------------------------------------------

def test_crash_keeps_what_was_graded_and_resume_does_not_regrade_it(graded):
    crash, resume = graded["runs"]["crash"], graded["runs"]["resume"]
    assert crash["returncode"] == 70, crash["log"][-3000:]
    assert len(crash["state"]) == CRASH_AFTER, crash["log"][-3000:]
    assert resume["returncode"] == 0
    for key, entry in crash["state"].items():
        assert resume["state"][key]["graded_at"] == entry["graded_at"], f"{key} was regraded"
        assert resume["state"][key]["result"] == entry["result"]
    expected = len(graded["plan"])
    assert len(resume["state"]) == expected
    assert f"this run: {expected - CRASH_AFTER} graded, {CRASH_AFTER} unchanged" in resume["summary"]


def test_a_crashed_run_leaves_no_kernel_or_sandbox_running(graded):
    assert graded["runs"]["crash"]["left"] == []


def test_rerun_grades_nothing(graded):
    resume, rerun = graded["runs"]["resume"], graded["runs"]["rerun"]
    assert rerun["returncode"] == 0
    assert f"this run: 0 graded, {len(graded['plan'])} unchanged" in rerun["summary"]
    assert {k: e["graded_at"] for k, e in rerun["state"].items()} == \
        {k: e["graded_at"] for k, e in resume["state"].items()}
    assert rerun["csv"] == resume["csv"]


def test_changed_submission_alone_is_regraded(graded):
    before, after = graded["runs"]["rerun"]["state"], graded["runs"]["changed"]["state"]
    assert "this run: 1 graded" in graded["runs"]["changed"]["summary"]
    changed = {k for k in after if after[k]["graded_at"] != before[k]["graded_at"] or after[k]["sha256"] != before[k]["sha256"]}
    assert changed == {f"blank/{L1}"}


def test_grades_csv_cell_by_cell(graded):
    plan = graded["plan"]
    with open(graded["out"] / "grades.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    columns = [n for lesson in LESSONS for n in _lesson_exercises(lesson)]
    assert list(rows[0].keys()) == ["student", "lesson", "status", *columns, "total", "max"]
    assert sorted((r["student"], r["lesson"]) for r in rows) == sorted(plan)
    problems = []
    for row in rows:
        key = (row["student"], row["lesson"])
        expected = plan[key]
        maximum = sum(p for _, p in _lesson_exercises(row["lesson"]).values())
        if row["status"] != "graded":
            problems.append(f"{key}: status {row['status']}")
        for name in columns:
            want = f"{expected[name]:g}" if name in expected else ""
            if row[name] != want:
                problems.append(f"{key} {name}: {row[name]!r}, expected {want!r}")
        if float(row["total"]) != sum(expected.values()) or float(row["max"]) != maximum:
            problems.append(f"{key}: total {row['total']}/{row['max']}, expected {sum(expected.values())}/{maximum}")
    assert not problems, "\n".join(problems)


def test_summary_reports_every_unmapped_file(graded):
    summary = graded["runs"]["changed"]["summary"]
    # notes.txt, stray.ipynb and one older duplicate per lesson
    assert summary.startswith(f"graded {len(graded['plan'])}, failed to grade 0, needing manual grading 0, "
                              f"unmapped files {2 + len(LESSONS)}")
    assert "unmapped: notes.txt: not a notebook" in summary
    assert "unmapped: stray.ipynb: no known lesson id" in summary
    for lesson in LESSONS:   # the older duplicate is reported with the one that won
        assert (f"unmapped: dup/{lesson}/copy-of-work.ipynb: another notebook of dup for {lesson} is newer: "
                f"dup/{lesson}/{lesson}.ipynb was graded") in summary


def _hidden_lines(lesson):
    return {line.strip() for c in solution_nb(lesson).cells for block in HIDDEN.findall(c.source)
            for line in block.splitlines() if line.strip()}


def _page_text(path: Path) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", path.read_text()))


def test_feedback_never_shows_hidden_tests(graded):
    pages = sorted((graded["out"] / "feedback").rglob("*.html"))
    assert len(pages) == len(graded["plan"])
    for page in pages:
        lesson = page.parent.name
        text = _page_text(page)
        # the visible test lines are there (so the search below would find a hidden one)
        visible = [f'check("{n}", {n})' for n in _lesson_exercises(lesson)]
        assert all(v in text for v in visible), page
        leaked = [line for line in _hidden_lines(lesson) if line in text]
        assert not leaked and "HIDDEN TESTS" not in text, f"{page}: {leaked}"


def test_feedback_says_what_failed_and_the_score(graded):
    # every failed test shows the check's own message (what was checked, what came out)
    lesson = L1
    page = _page_text(graded["out"] / "feedback" / "mistake" / lesson / f"{lesson}.html")
    total = sum(p for _, p in _lesson_exercises(lesson).values())
    assert f"Autograded score: 0 / {total:g}" in page
    nb = nbformat.read(str(graded["out"] / "autograded" / "mistake" / lesson / f"{lesson}.ipynb"), as_version=4)
    errors = [o for c in nb.cells if nbmeta(c).get("grade") for o in c.outputs if o.output_type == "error"]
    assert len(errors) == len(_lesson_exercises(lesson))
    for error in errors:
        assert error.ename == "CheckFailure"
        assert f"CheckFailure: {error.evalue.splitlines()[0]}" in page


def test_the_score_table_gives_each_failed_check_its_first_line_linked_to_the_cell(graded):
    from backproplab.classgrade.feedback import summary
    for lesson in LESSONS:
        page = (graded["out"] / "feedback" / "mistake" / lesson / f"{lesson}.html").read_text()
        header = page[page.index('<header class="bpl-score">'):page.index("</header>")]
        nb = nbformat.read(str(graded["out"] / "autograded" / "mistake" / lesson / f"{lesson}.ipynb"), as_version=4)
        errors = {nbmeta(c)["grade_id"]: o for c in nb.cells if nbmeta(c).get("grade")
                  for o in c.outputs if o.output_type == "error"}
        assert len(errors) == len(_lesson_exercises(lesson))
        for grade_id, error in errors.items():
            first, why = summary(f"{error.ename}: {error.evalue}")
            assert first and error.evalue.splitlines()[0].strip().startswith(first.rstrip("\u2026"))
            assert f'<a href="#cell-id=check-{grade_id}">{html.escape(first)}</a>' in header, (lesson, grade_id)
            assert f'id="cell-id=check-{grade_id}"' in page
            if why:
                assert html.escape(why) in header
        # the catalogue's mistake 0 of each exercise: most are named on top
        assert header.count("Likely mistake: ") >= len(errors) // 2, header


def test_feedback_pages_are_self_sufficient(graded):
    from backproplab.classgrade.feedback import UNDRAWN, undrawn_figure
    pages = sorted((graded["out"] / "feedback").rglob("*.html"))
    notes = 0
    for page in pages:
        text = page.read_text()
        assert "<script" not in text and "Figure size" not in text, page
        assert 'class="tex"' not in text, f"{page}: a formula left as TeX"
        # one grey note per figure grading did not draw, exactly
        student, lesson = page.parent.parent.name, page.parent.name
        nb = nbformat.read(str(graded["out"] / "autograded" / student / lesson / f"{lesson}.ipynb"), as_version=4)
        figures = sum(undrawn_figure(o.get("data", {}).get("text/plain", "")) for c in nb.cells
                      for o in c.get("outputs", []) if set(o.get("data", {})) == {"text/plain"})
        assert text.count(f">{UNDRAWN}</div>") == figures, page
        notes += figures
    assert notes > 2 * len(LESSONS)


def test_feedback_pages_open_offline_in_chromium(graded):
    # a failing and a blank student of every lesson; the formulas drawn by the browser as math
    probe = r"""() => ({maths: document.querySelectorAll('math').length,
                      drawn: [...document.querySelectorAll('math')].filter(m =>
                          getComputedStyle(m).display.includes('math') && m.getBoundingClientRect().height > 0).length,
                      tex: /\\(frac|begin|partial|mathbf)\b/.test(
                          [...document.querySelectorAll('.jp-MarkdownOutput')].map(e => e.innerText).join(' '))})"""
    pages = [graded["out"] / "feedback" / student / lesson / f"{lesson}.html"
             for lesson in LESSONS for student in ("mistake", "blank")]
    for page, seen in visit(pages, probe).items():
        assert seen.attempted == [] and seen.outside == [], (page, seen.attempted)
        assert seen.errors == [], (page, seen.errors)
        assert seen.probe["maths"] > 20 and seen.probe["drawn"] == seen.probe["maths"], (page, seen.probe)
        assert not seen.probe["tex"], f"{page}: TeX left in the lesson's text"


def test_gradebook_holds_the_same_scores_and_was_backed_up(graded):
    from nbgrader.api import Gradebook
    course, plan = graded["course"], graded["plan"]
    with Gradebook(f"sqlite:///{course / 'grading' / 'gradebook.db'}", course_id="backproplab") as gb:
        for (student, lesson), expected in plan.items():
            src = solution_nb(lesson)
            sub = gb.find_submission_notebook(lesson, lesson, student)
            got = {g.name: g.auto_score for g in sub.grades}
            assert got == {checked_cell_id(src, n): p for n, p in expected.items()}, (student, lesson)
    backups = sorted((course / "grading" / "gradebook-backups").glob("gradebook-*.db"))
    assert backups, "no gradebook backup before the run that changed it"
    with Gradebook(f"sqlite:///{backups[-1]}", course_id="backproplab") as gb:   # the state before (4)
        sub = gb.find_submission_notebook(L1, L1, "blank")
        assert all(g.auto_score == 0 for g in sub.grades)


def test_autograded_notebooks_are_where_nbgrader_expects_them(graded):
    for student, lesson in graded["plan"]:
        path = graded["out"] / "autograded" / student / lesson / f"{lesson}.ipynb"
        nb = nbformat.read(str(path), as_version=4)
        assert nb.metadata["kernelspec"]["name"] == "backproplab"
        # the instructor's tests ran, hidden part included
        assert any(HIDDEN.search(c.source) for c in nb.cells if nbmeta(c).get("grade"))
        # every cell that ran says how long it took (benchmarks/bench_lessons.py --graded sums them)
        times = [c.metadata.get("backproplab", {}).get("seconds") for c in nb.cells if c.cell_type == "code"]
        assert all(isinstance(s, float) and s >= 0 for s in times), times


# -- LMS downloads in a zip ------------------------------------------------------------------

@pytest.mark.parametrize("name, student, lesson", [
    (f"jdoe_{L1}.ipynb", "jdoe", L1),
    (f"Jane Doe_1234_assignsubmission_file_{L1}.ipynb", "jane-doe", L1),
    (f"doejane_12345_67890_{L2}.ipynb", "12345", L2),        # Canvas: the user id is the key
    (f"doejane_late_12345_67890_{L2}.ipynb", "12345", L2),
    ("jdoe_lesson01.ipynb", "jdoe", L1),
    ("jdoe_Lesson_2.ipynb", "jdoe", L2),
    ("02_jdoe.ipynb", "jdoe", L2),
    ("Jean-Luc O'Neil_77_assignsubmission_file_lesson-01.ipynb", "jean-luc-o-neil", L1),
])
def test_lms_file_names_map(name, student, lesson):
    assert map_filename(name, [L1, L2]) == (student, lesson, None)


@pytest.mark.parametrize("name, why", [
    ("jdoe.ipynb", "no known lesson id or lesson number"),
    ("jdoe_lesson07.ipynb", "no known lesson id or lesson number"),
    ("jdoe_12345.ipynb", "no known lesson id or lesson number"),
    (f"{L1}.ipynb", "but no student name"),
    (f"jdoe_{L1}_{L2}.ipynb", "matches several lessons"),
])
def test_unmappable_file_names_say_why(name, why):
    student, lesson, reason = map_filename(name, [L1, L2])
    assert student is None and lesson is None and why in reason


def test_discovery_skips_litter_and_the_graders_own_output(tmp_path):
    for rel in [f"s1/{L1}/{L1}.ipynb", f"out/autograded/s2/{L1}/{L1}.ipynb", f"out/feedback/s3/{L1}/x.ipynb",
                f"s4/{L1}/.ipynb_checkpoints/{L1}-checkpoint.ipynb", f"__MACOSX/s5/{L1}/{L1}.ipynb",
                f".hidden_{L1}.ipynb", f"out/s6_{L1}.ipynb"]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("{}")
    found, unmapped = discover(tmp_path, [L1, L2], exclude=[tmp_path / "out" / "autograded", tmp_path / "out" / "feedback"])
    assert [(s.student, s.lesson) for s in found] == [("s1", L1), ("s6", L1)]
    assert unmapped == []


def test_zip_of_lms_files(tmp_path):
    course = make_course(tmp_path / "course")
    archive = tmp_path / "download.zip"
    mistake = with_functions(release_nb(L1), {n: e.mistakes[0].source for n, (e, _) in _lesson_exercises(L1).items()})
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(f"Jane Doe_1234_assignsubmission_file_{L1}.ipynb", nbformat.writes(solution_nb(L1)))
        zf.writestr("01_jdoe.ipynb", nbformat.writes(mistake))
        zf.writestr(f"broken_{L2}.ipynb", "{ this is not json")
        zf.writestr(f"other_{L2}.ipynb", nbformat.writes(solution_nb(L1)))   # lesson 01's notebook
        zf.writestr("../evil_01.ipynb", "{}")
        zf.writestr("/abs_01.ipynb", "{}")
        zf.writestr("readme.md", "hello")
    out = tmp_path / "out"
    code = cli.main(["grade", str(archive), "--root", str(course), "--out", str(out), "--jobs", "2", "--no-progress"])
    assert code == 0
    assert not (tmp_path / "evil_01.ipynb").exists() and not Path("/abs_01.ipynb").exists()
    summary = (out / "summary.txt").read_text()
    assert summary.startswith("graded 2, failed to grade 2, needing manual grading 0, unmapped files 3")
    assert f"failed: broken {L2}: not a readable notebook" in summary
    assert f"failed: other {L2}: holds none of the answer cells of {L2}" in summary
    assert "unmapped: download.zip:../evil_01.ipynb: path leaves the extraction folder" in summary
    assert "unmapped: download.zip:/abs_01.ipynb: absolute path" in summary
    assert "unmapped: download.zip:readme.md: not a notebook" in summary
    with open(out / "grades.csv", newline="") as f:
        rows = {(r["student"], r["lesson"]): r for r in csv.DictReader(f)}
    ex = _lesson_exercises(L1)
    for name, (_, points) in ex.items():
        assert rows[("jane-doe", L1)][name] == f"{points:g}"
        assert rows[("jdoe", L1)][name] == "0"
    assert rows[("broken", L2)]["status"] == "failed" and rows[("broken", L2)]["total"] == ""
    assert (out / "feedback" / "jane-doe" / L1 / f"{L1}.html").is_file()


def test_an_unwritable_gradebook_is_reported_and_grades_csv_still_written(tmp_path, capsys):
    """E.g. a student overwrote it on an unsandboxed machine: one summary line, no traceback."""
    course = make_course(tmp_path / "course")
    (course / "grading" / "gradebook.db").write_bytes(b"this is not a database" * 100)
    subs = tmp_path / "submitted"
    _write(subs / "ann" / L1 / f"{L1}.ipynb", solution_nb(L1))
    code = cli.main(["grade", str(subs), "--root", str(course), "--jobs", "1", "--no-progress", "--lesson", L1])
    printed = capsys.readouterr()
    assert code == 0 and "Traceback" not in printed.out + printed.err
    summary = (course / "grading" / "summary.txt").read_text()
    assert "gradebook: NOT updated" in summary and "grades.csv is complete" in summary, summary
    with open(course / "grading" / "grades.csv", newline="") as f:
        rows = {(r["student"], r["lesson"]): r for r in csv.DictReader(f)}
    full = sum(p for _, p in _lesson_exercises(L1).values())
    assert float(rows[("ann", L1)]["total"]) == full


# -- the worker's execution on a tiny notebook -----------------------------------------------

def test_a_cell_past_the_timeout_is_interrupted_and_the_next_cells_run(tmp_path):
    from nbformat.v4 import new_notebook

    from backproplab.classgrade.worker import execute, score
    graded_meta = {"nbgrader": {"grade": True, "solution": False, "locked": True, "points": 2,
                                "grade_id": "t", "schema_version": 3, "task": False}}
    nb = new_notebook(cells=[new_code_cell("import time\ntime.sleep(60)"),
                             new_code_cell("x = 41"),
                             new_code_cell("assert x + 1 == 42", metadata=copy.deepcopy(graded_meta))])
    assert execute(nb, tmp_path, timeout=2) is None
    first = [o for o in nb.cells[0].outputs if o.output_type == "error"]
    assert any(o.ename == "CellTimeout" for o in first), first
    cells, manual = score(nb)
    assert cells == [{"grade_id": "t", "exercise": None, "points": 2.0, "max_points": 2.0,
                      "passed": True, "error": None, "diagnosis": None}] and manual == []
