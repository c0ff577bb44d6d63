"""The instructor's LMS round trip: each LMS's download in, graded by `backproplab grade`, and
the grades and feedback out through `backproplab export` in Moodle's and Canvas's import formats.

The downloads are built here from the lessons, shaped as each LMS names its files (lms.py cites
where each layout is described): names with spaces, accents and non-Latin letters, arbitrary
original file names, late markers, resubmission and copy suffixes, two hand-ins of one student,
Blackboard receipts, Brightspace's index.html, Gradescope's metadata, macOS litter (__MACOSX/).
What each student handed in is one of: the solution (full marks), the release (0), or the release
with its first exercise answered by a catalogued alternative (that exercise's points); the
expected points come from the source notebook's metadata, never from a run.

One course root; one `grade` run per download (Moodle's two downloads, lessons 01 and 02, share
an output folder: one student keeps one id across lessons); then the exports read back.
"""
from __future__ import annotations

import csv
import io
import os
import time
import zipfile
from pathlib import Path, PurePosixPath

import nbformat
import pytest

from backproplab import cli
from backproplab.checks import exercises
from backproplab.classgrade.csvcells import Table, quote
from backproplab.classgrade.lms import Context, identify, read_context, slug
from backproplab.classgrade.mapping import discover
from backproplab.grading import lesson_ids

from _classroom import ROOT, checked_cell_id, make_course, nbmeta, release_nb, solution_nb, with_functions

LESSONS = lesson_ids(ROOT)
L1 = "01-neurons-and-logic-gates"
L2 = "02-forward-pass-and-initialisation"
OLD, NEW = (2024, 3, 1, 10, 0, 0), (2024, 3, 2, 9, 0, 0)


# -- what students hand in -------------------------------------------------------------------

def _exercises(lesson):
    """[(exercise, points)] in notebook order, from the source notebook's metadata."""
    src = solution_nb(lesson)
    order = [nbmeta(c).get("grade_id") for c in src.cells]
    names = [n for n, e in exercises().items() if e.lesson == lesson]
    names.sort(key=lambda n: order.index(checked_cell_id(src, n)))
    points = {nbmeta(c)["grade_id"]: float(nbmeta(c)["points"]) for c in src.cells if nbmeta(c).get("grade")}
    return [(n, points[checked_cell_id(src, n)]) for n in names]


def _notebook(kind, lesson):
    """(notebook text, expected total) for 'full', 'blank' or 'half'."""
    ex = _exercises(lesson)
    if kind == "full":
        return nbformat.writes(solution_nb(lesson)), sum(p for _, p in ex)
    if kind == "blank":
        return nbformat.writes(release_nb(lesson)), 0.0
    first, points = ex[0]
    nb = with_functions(release_nb(lesson), {first: exercises()[first].alternatives[0]})
    return nbformat.writes(nb), points


def _zip(path: Path, members: dict) -> Path:
    """A zip of {name: (text, date_time)} (as an LMS download: UTF-8 names, upload times)."""
    with zipfile.ZipFile(path, "w") as zf:
        for name, (text, when) in members.items():
            info = zipfile.ZipInfo(name, date_time=when)
            zf.writestr(info, text)
    return path


RECEIPT = """Name: {name} ({user})
Assignment: Lesson 1
Date Submitted: Friday, 1 March 2024 10:00:00 o'clock CET
Current Grade: Needs Grading

Submission Field:
There is no student submission text data for this assignment.

Comments:
There are no student comments for this assignment.

Files:
	Original filename: {orig}
	Filename: {file}
"""


def _blackboard_members(attempts):
    members = {}
    for user, name, stamp, orig, text, when in attempts:
        stem = f"Lesson 1_{user}_attempt_{stamp}"
        members[f"{stem}_{orig}"] = (text, when)
        members[f"{stem}.txt"] = (RECEIPT.format(name=name, user=user, orig=orig, file=f"{stem}_{orig}"), when)
    return members


def build_downloads(base: Path) -> dict:
    """{layout: (download, extra grade args, {(student, lesson): expected total}, expected unmapped)}."""
    full1, full_pts = _notebook("full", L1)
    blank1, _ = _notebook("blank", L1)
    half1, half_pts = _notebook("half", L1)
    full2, full2_pts = _notebook("full", L2)
    half2, half2_pts = _notebook("half", L2)
    out = {}

    # Moodle, flat (lesson 01, no --lesson): the lesson from the cells or the student's own name
    out["moodle-flat"] = (_zip(base / "moodle-flat.zip", {
        "Ada Lovelace_1001_assignsubmission_file_my homework.ipynb": (full1, NEW),
        "Ada Lovelace_1001_assignsubmission_onlinetext_onlinetext.html": ("<p>see the file</p>", NEW),
        f"Zoë Ünal_1002_assignsubmission_file_{L1} (1).ipynb": (half1, NEW),
        "李雷_1003_assignsubmission_file_lesson01-first.ipynb": (full1, OLD),
        "李雷_1003_assignsubmission_file_lesson01-final.ipynb": (blank1, NEW),
        "__MACOSX/._Ada Lovelace_1001_assignsubmission_file_my homework.ipynb": ("mac", NEW),
    }), [], {("ada-lovelace", L1): full_pts, ("zoë-ünal", L1): half_pts, ("李雷", L1): 0.0},
        {"李雷_1003_assignsubmission_file_lesson01-first.ipynb": "newer",
         "Ada Lovelace_1001_assignsubmission_onlinetext_onlinetext.html": "not a notebook"})

    # Moodle, in folders (lesson 02 with --lesson): Moodle >= 4.1 folders and the older ones with `_`
    out["moodle-folders"] = (_zip(base / "moodle-folders.zip", {
        "Ada Lovelace_2001_assignsubmission_file/Untitled.ipynb": (full2, NEW),
        "Ada Lovelace_2001_assignsubmission_onlinetext/onlinetext.html": ("<p>hi</p>", NEW),
        "Zoë Ünal_2002_assignsubmission_file_/notebook v2 - lesson 1 redo.ipynb": (half2, NEW),
    }), ["--lesson", L2], {("ada-lovelace", L2): full2_pts, ("zoë-ünal", L2): half2_pts},
        {"Ada Lovelace_2001_assignsubmission_onlinetext/onlinetext.html": "not a notebook"})

    # Canvas: late marker, resubmission suffix (the newer upload has the larger file id)
    out["canvas"] = (_zip(base / "canvas.zip", {
        f"lovelaceada_1001_1999_{L1}.ipynb": (blank1, OLD),
        f"lovelaceada_LATE_1001_2002_{L1}-1.ipynb": (full1, NEW),
        "ünalzoë_1002_2003_Homework.ipynb": (half1, NEW),
        "ünalzoë_1002_text.html": ("<p>text entry</p>", NEW),
    }), [], {("1001", L1): full_pts, ("1002", L1): half_pts},
        {f"lovelaceada_1001_1999_{L1}.ipynb": "newer", "ünalzoë_1002_text.html": "not a notebook"})

    # Blackboard Learn: attempts with receipts; a username with `_` (only the receipt says where it starts)
    out["blackboard"] = (_zip(base / "blackboard.zip", _blackboard_members([
        ("alovelace", "Ada Lovelace", "2024-03-01-10-00-00", "my_nb.ipynb", blank1, OLD),
        ("alovelace", "Ada Lovelace", "2024-03-02-09-00-00", "my_nb.ipynb", full1, OLD),   # zip time says nothing
        ("z_unal", "Zoë Ünal", "2024-03-01-11-00-00", "whatever.ipynb", half1, NEW),
    ])), [], {("alovelace", L1): full_pts, ("z_unal", L1): half_pts},
        {"Lesson 1_alovelace_attempt_2024-03-01-10-00-00_my_nb.ipynb": "newer"})

    # Brightspace: a folder per submission and a flat file, index.html
    out["brightspace"] = (_zip(base / "brightspace.zip", {
        "Lesson 01 Download/39786-640693 - Ada Lovelace - Oct 10, 2025 1022 AM/Lesson notebook.ipynb": (full1, NEW),
        f"Lesson 01 Download/39787-640694 - 李雷 - Oct 11, 2025 1130 AM - {L1}.ipynb": (half1, NEW),
        "Lesson 01 Download/index.html": ("<html>index</html>", NEW),
    }), [], {("ada-lovelace", L1): full_pts, ("李雷", L1): half_pts}, {})

    # Gradescope: metadata beside submission folders; a group submission of two students
    meta = """:submission_501:
  :submitters:
  - :name: Ada Lovelace
    :sid: '1001'
    :email: Ada@Example.edu
  :created_at: 2024-03-01 10:00:00.000000000 +00:00
  :score: 0.0
:submission_502:
  :submitters:
  - :name: Zoë Ünal
    :sid: '1002'
    :email: zoe@example.edu
  - :name: 李雷
    :sid: ''
    :email: lilei@example.edu
  :created_at: 2024-03-01 11:00:00.000000000 +00:00
  :score: 0.0
"""
    fake = ":submission_502:\n  :submitters:\n  - :name: Mallory\n    :email: mallory@example.edu\n"
    out["gradescope"] = (_zip(base / "gradescope.zip", {
        "assignment_123_export/submission_metadata.yml": (meta, NEW),
        "assignment_123_export/submission_501/my_notebook.ipynb": (full1, NEW),
        "assignment_123_export/submission_502/hw.ipynb": (half1, NEW),
        "assignment_123_export/submission_502/submission_metadata.yml": (fake, NEW),   # a student's upload
    }), [], {("ada@example.edu", L1): full_pts, ("zoe@example.edu", L1): half_pts,
             ("lilei@example.edu", L1): half_pts},
        {"assignment_123_export/submission_502/submission_metadata.yml": "not a notebook"})

    # nbgrader's submitted/ (a folder, --lesson): the folder names say it, the file name does not matter
    folder = base / "submitted"
    for student, text, name in (("ada", full1, L1), ("zoe", blank1, "whatever")):
        path = folder / student / L1 / f"{name}.ipynb"
        path.parent.mkdir(parents=True)
        path.write_text(text)
        (path.parent / "timestamp.txt").write_text("2024-03-01 10:00:00.000000 UTC")
    out["nbgrader"] = (folder, ["--lesson", L1], {("ada", L1): full_pts, ("zoe", L1): 0.0}, {})
    return out


OUTS = {"moodle-flat": "moodle", "moodle-folders": "moodle"}     # the others: one output folder each


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    if L1 not in LESSONS or L2 not in LESSONS:
        pytest.skip("lessons 01 and 02 are needed")
    base = tmp_path_factory.mktemp("lms")
    course = make_course(base / "course")
    downloads = build_downloads(base)
    runs = {}
    for layout, (download, extra, expected, unmapped) in downloads.items():
        out = base / "out" / OUTS.get(layout, layout)
        code = cli.main(["grade", str(download), "--root", str(course), "--out", str(out), "--jobs", "2",
                         "--no-progress", *extra])
        runs[layout] = dict(code=code, out=out, expected=expected, unmapped=unmapped,
                            summary=(out / "summary.txt").read_text(encoding="utf-8"), download=download)
    return dict(course=course, base=base, runs=runs)


def _grades(out: Path) -> dict:
    with open(out / "grades.csv", newline="", encoding="utf-8") as f:
        return {(r["student"], r["lesson"]): r for r in csv.DictReader(f)}


LAYOUTS = ["moodle-flat", "moodle-folders", "canvas", "blackboard", "brightspace", "gradescope", "nbgrader"]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_student_mapped_and_the_newest_hand_in_graded(graded, layout):
    run = graded["runs"][layout]
    assert run["code"] == 0, run["summary"]
    rows = _grades(run["out"])
    mine = {k: v for k, v in rows.items() if k in run["expected"]}
    assert set(mine) == set(run["expected"]), (sorted(rows), run["summary"])
    for key, total in run["expected"].items():
        assert mine[key]["status"] == "graded", (key, run["summary"])
        assert float(mine[key]["total"]) == total, (key, mine[key]["total"], total)
    summary = run["summary"]
    assert "failed to grade 0" in summary, summary
    listed = [line.split(": ", 1)[1] for line in summary.splitlines() if line.startswith("  unmapped: ")]
    shown = [u.split(":", 1)[1] if u.startswith(run["download"].name + ":") else u for u in listed]
    assert len(shown) == len(run["unmapped"]), summary
    for name, why in run["unmapped"].items():
        assert any(s.startswith(f"{name}: ") and why in s for s in shown), (name, summary)


def test_one_student_keeps_one_id_across_lessons(graded):
    """Moodle's participant numbers differ per assignment (1001, 2001); the key is the name."""
    rows = _grades(graded["runs"]["moodle-flat"]["out"])
    assert {("ada-lovelace", L1), ("ada-lovelace", L2), ("zoë-ünal", L1), ("zoë-ünal", L2)} <= set(rows)
    assert len(rows) == 5        # one row per student and lesson (李雷 handed in lesson 01 only)


# -- the exports -----------------------------------------------------------------------------

WORKSHEET_HEAD = ['"Identifier"', '"Full name"', '"Email address"', '"Status"', '"Grade"', '"Maximum Grade"',
                  '"Grade can be changed"', '"Last modified (submission)"', '"Online text"',
                  '"Last modified (grade)"', '"Feedback comments"']


def _worksheet_rows():
    """Raw fields per row, as Moodle's "Download grading worksheet" writes them (Grade and Feedback empty)."""
    def row(pid, name, email, text):
        return [f'"Participant {pid}"', quote(name), email, '"Submitted for grading"', "", "10.00", "Yes",
                '"Friday, 1 March 2024, 10:00 AM"', quote(text), "-", ""]
    return [WORKSHEET_HEAD, row(1001, "Ada Lovelace", "ada@example.edu", "see the file"),
            row(1002, "Zoë Ünal", "zoe@example.edu", 'a "quoted",\nmulti-line text'),
            row(1003, "李雷", "lilei@example.edu", ""),
            row(1009, "Nobody, Handed-In", "nobody@example.edu", "")]


def _export(*args) -> int:
    return cli.main(["export", *args])


def test_moodle_worksheet_filled_in_place(graded, capsys):
    run = graded["runs"]["moodle-flat"]
    rows = _worksheet_rows()
    text = "\ufeff" + "".join(",".join(r) + "\r\n" for r in rows)
    sheet = graded["base"] / "worksheet.csv"
    sheet.write_bytes(text.encode("utf-8"))
    code = _export("moodle", "--lesson", L1, "--worksheet", str(sheet), "--root", str(graded["course"]),
                   "--out", str(run["out"]))
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert "worksheet row without a graded hand-in: Participant 1009 Nobody, Handed-In" in printed
    result = (run["out"] / "export" / f"moodle-{L1}-worksheet.csv").read_bytes().decode("utf-8")
    parsed = list(csv.reader(io.StringIO(result[1:])))
    grade, feedback = WORKSHEET_HEAD.index('"Grade"'), WORKSHEET_HEAD.index('"Feedback comments"')
    want = {"Participant 1001": run["expected"][("ada-lovelace", L1)],
            "Participant 1002": run["expected"][("zoë-ünal", L1)], "Participant 1003": 0.0}
    expected_text = "\ufeff"
    for raw, got in zip(rows, parsed):
        raw = list(raw)
        if got[0] in want:
            assert float(got[grade]) == want[got[0]], got
            ex = _exercises(L1)
            assert got[feedback].startswith(f"{ex[0][0]} ") and f"autograded {want[got[0]]:g}/" in got[feedback]
            raw[grade], raw[feedback] = quote(got[grade]), quote(got[feedback])
        expected_text += ",".join(raw) + "\r\n"
    assert result == expected_text     # every other byte as Moodle wrote it


def test_moodle_new_worksheet_and_feedback_zip(graded, capsys):
    run = graded["runs"]["moodle-folders"]
    code = _export("moodle", "--lesson", L2, "--root", str(graded["course"]), "--out", str(run["out"]),
                   "--out-of", "100")
    assert code == 0, capsys.readouterr()
    folder = run["out"] / "export"
    with open(folder / f"moodle-{L2}-worksheet.csv", newline="", encoding="utf-8") as f:
        rows = {r["Identifier"]: r for r in csv.DictReader(f)}
    assert set(rows) == {"Participant 2001", "Participant 2002"}
    maximum = sum(p for _, p in _exercises(L2))
    assert float(rows["Participant 2001"]["Grade"]) == 100
    assert float(rows["Participant 2002"]["Grade"]) == pytest.approx(run["expected"][("zoë-ünal", L2)] / maximum * 100,
                                                                   abs=0.005)
    assert rows["Participant 2002"]["Full name"] == "Zoë Ünal" and rows["Participant 2001"]["Last modified (grade)"]
    with zipfile.ZipFile(folder / f"moodle-{L2}-feedback.zip") as zf:
        names = sorted(zf.namelist())
        # one folder per participant, named as in the download (Moodle 4.1+ and older styles)
        assert names == [f"Ada Lovelace_2001_assignsubmission_file/{L2}-feedback.html",
                         f"Zoë Ünal_2002_assignsubmission_file_/{L2}-feedback.html"]
        for name, student in zip(names, ("ada-lovelace", "zoë-ünal")):
            assert zf.read(name) == (run["out"] / "feedback" / student / L2 / f"{L2}.html").read_bytes()


def test_moodle_feedback_zip_of_a_flat_download_names_folders_for_the_importer(graded):
    run = graded["runs"]["moodle-flat"]
    assert _export("moodle", "--lesson", L1, "--root", str(graded["course"]), "--out", str(run["out"])) == 0
    with zipfile.ZipFile(run["out"] / "export" / f"moodle-{L1}-feedback.zip") as zf:
        folders = sorted(n.split("/")[0] for n in zf.namelist())
    # Moodle's importer splits a folder name at `_`: name, participant id, plugin type, plugin name
    assert folders == ["Ada Lovelace_1001_assignsubmission_file_", "Zoë Ünal_1002_assignsubmission_file_",
                       "李雷_1003_assignsubmission_file_"]


GRADEBOOK = [
    ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Lesson 01: Neurons (4001)", "Lesson 02 (4002)",
     "Current Score", "Unposted Current Score", "Final Score"],
    ["    Points Possible", "", "", "", "", "5.00", "12.00", "(read only)", "(read only)", "(read only)"],
    ['"Lovelace, Ada"', "1001", "A1001", "ada", '"Deep Learning, Section 1"', "", "11.5", "", "", ""],
    ['"Ünal, Zoë"', "1002", "A1002", "zoe", '"Deep Learning, Section 1"', "3", "", "40", "40", "20"],
    ['"Student, Test"', "9999", "", "", '"Deep Learning, Section 1"', "", "", "", "", ""],
]


def test_canvas_gradebook_column_filled_everything_else_unchanged(graded, capsys):
    run = graded["runs"]["canvas"]
    book = graded["base"] / "gradebook.csv"
    book.write_bytes("".join(",".join(r) + "\n" for r in GRADEBOOK).encode("utf-8"))
    code = _export("canvas", "--lesson", L1, "--gradebook", str(book), "--root", str(graded["course"]),
                   "--out", str(run["out"]))
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert "column 'Lesson 01: Neurons (4001)'" in printed
    assert "gradebook row without a graded hand-in: Student, Test (ID 9999)" in printed
    result = (run["out"] / "export" / f"canvas-{L1}-gradebook.csv").read_bytes().decode("utf-8")
    want = {"1001": run["expected"][("1001", L1)], "1002": run["expected"][("1002", L1)]}
    expected = ""
    for raw in GRADEBOOK:
        raw = list(raw)
        if raw[1] in want:
            raw[5] = f"{want[raw[1]]:g}"
        expected += ",".join(raw) + "\n"
    assert result == expected


def test_canvas_needs_a_column_it_can_tell(graded, capsys):
    run = graded["runs"]["canvas"]
    book = graded["base"] / "ambiguous.csv"
    book.write_text("Student,ID,Section,Lesson 1 (4001),Lesson 1 quiz (4005)\n", encoding="utf-8")
    code = _export("canvas", "--lesson", L1, "--gradebook", str(book), "--root", str(graded["course"]),
                   "--out", str(run["out"]))
    err = capsys.readouterr().err
    assert code == 1 and "cannot tell which column" in err and "--column" in err
    code = _export("canvas", "--lesson", L1, "--gradebook", str(book), "--column", "Lesson 1 (4001)",
                   "--root", str(graded["course"]), "--out", str(run["out"]))
    assert code == 0
    # Canvas has not these users in this gradebook: both graded students are listed
    assert capsys.readouterr().out.count("graded but not in the gradebook") == 2


def test_plain_csv_export(graded):
    run = graded["runs"]["blackboard"]
    assert _export("csv", "--lesson", L1, "--root", str(graded["course"]), "--out", str(run["out"])) == 0
    with open(run["out"] / "export" / f"{L1}.csv", newline="", encoding="utf-8") as f:
        rows = {r["student"]: r for r in csv.DictReader(f)}
    assert set(rows) == {"alovelace", "z_unal"}
    assert rows["z_unal"]["name"] == "Zoë Ünal" and rows["z_unal"]["lms"] == "blackboard"
    assert "attempt=2024-03-02-09-00-00" in rows["alovelace"]["lms_ids"]
    assert float(rows["alovelace"]["total"]) == run["expected"][("alovelace", L1)]


def test_export_before_grading_says_so(tmp_path, capsys):
    course = make_course(tmp_path / "course")
    assert _export("csv", "--lesson", L1, "--root", str(course)) == 1
    assert "nothing graded yet" in capsys.readouterr().err


# -- mapping alone (no grading) ----------------------------------------------------------------

@pytest.mark.parametrize("name, lms, key, original", [
    ("Ada Lovelace_1001_assignsubmission_file_my homework.ipynb", "moodle", "ada-lovelace", "my homework.ipynb"),
    ("Participant_77_assignsubmission_file_x.ipynb", "moodle", "participant-77", "x.ipynb"),   # blind marking
    # a student's own file name that imitates another prefix never names the student
    ("Mallory Doe_1001_assignsubmission_file_Ada Lovelace_1002_assignsubmission_file_x.ipynb", "moodle",
     "mallory-doe", "Ada Lovelace_1002_assignsubmission_file_x.ipynb"),
    ("lovelaceada_LATE_1001_2002_01-neurons-and-logic-gates-1.ipynb", "canvas", "1001",
     "01-neurons-and-logic-gates-1.ipynb"),
    ("mallory_1003_55_victim_1004_66_x.ipynb", "canvas", "1003", "victim_1004_66_x.ipynb"),
    ("LATE_anon_Ab3xZ_2002_hw.ipynb", "canvas", "anon-ab3xz", "hw.ipynb"),
    ("Lesson 1_jdoe_attempt_2024-03-01-10-00-00_my nb.ipynb", "blackboard", "jdoe", "my nb.ipynb"),
    ("39786-640693 - Ada Lovelace - Oct 10, 2025 1022 AM - x.ipynb", "brightspace", "ada-lovelace", "x.ipynb"),
])
def test_lms_names_are_read_by_their_fields(name, lms, key, original):
    hand, = identify(PurePosixPath(name), Context(), [L1, L2])
    assert (hand.lms, hand.key, hand.original) == (lms, key, original)


@pytest.mark.parametrize("name, student, lesson, why", [
    # the cases of issue 14: the student's own file name leaked into the student id
    ("Eve Twice_1005_assignsubmission_file_lesson01-final.ipynb", "eve-twice", L1, None),
    ("Eve Twice_1005_assignsubmission_file_lesson01-first.ipynb", "eve-twice", L1, None),
    ("lovelaceada_LATE_1001_2002_01-neurons-and-logic-gates-1.ipynb", "1001", L1, None),
    ("01-neurons-and-logic-gates (2).ipynb", None, None, "no student name"),
    ("jdoe_01-neurons-and-logic-gates (2).ipynb", "jdoe", L1, None),
])
def test_names_from_the_issue(name, student, lesson, why):
    from backproplab.classgrade.mapping import map_filename
    got = map_filename(name, [L1, L2])
    assert got[:2] == (student, lesson) and (why is None) == (got[2] is None) and (why or "") in (got[2] or "")


def test_canvas_late_marker_and_brightspace_time_are_read():
    late, = identify(PurePosixPath("lovelaceada_LATE_1001_2002_x.ipynb"), Context(), [L1])
    on_time, = identify(PurePosixPath("lovelaceada_1001_2001_x.ipynb"), Context(), [L1])
    assert late.late and not on_time.late and late.order > on_time.order
    morning, = identify(PurePosixPath("1-2 - A B - Oct 10, 2025 1022 AM/x.ipynb"), Context(), [L1])
    evening, = identify(PurePosixPath("1-2 - A B - Oct 10, 2025 1022 PM/x.ipynb"), Context(), [L1])
    assert evening.order - morning.order == 12 * 3600


def test_slug_keeps_letters_of_every_script():
    assert slug("Zoë  Ünal") == "zoë-ünal" and slug("李雷") == "李雷" and slug("Jean-Luc O'Neil") == "jean-luc-o-neil"
    # the same name typed on macOS (decomposed accents) is the same student
    assert slug("Zoe\u0308 U\u0308nal") == slug("Zoë Ünal")


def _write(folder: Path, files: dict) -> None:
    for rel, text in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_lesson_comes_from_the_option_then_the_name_then_the_cells(tmp_path):
    blank1, _ = _notebook("blank", L1)
    blank2, _ = _notebook("blank", L2)
    cells = {L: {nbmeta(c).get("grade_id") for c in solution_nb(L).cells if nbmeta(c).get("grade_id")}
             for L in (L1, L2)}
    _write(tmp_path, {"A B_1_assignsubmission_file_my homework.ipynb": blank2,     # cells: lesson 02
                      "C D_2_assignsubmission_file_lesson 1.ipynb": blank2,        # the name wins: 01
                      "E F_3_assignsubmission_file_notes.ipynb": "{ not json",
                      "stray.ipynb": blank1})                                      # no layout, no lesson in name
    found, unmapped = discover(tmp_path, [L1, L2], lesson_cells=cells)
    assert {(s.student, s.lesson) for s in found} == {("a-b", L2), ("c-d", L1)}
    reasons = {u.shown: u.reason for u in unmapped}
    assert "no lesson" in reasons["E F_3_assignsubmission_file_notes.ipynb"]
    assert "no known lesson id" in reasons["stray.ipynb"]
    found, unmapped = discover(tmp_path, [L1], known=[L1, L2], forced=L1, lesson_cells=cells)
    assert {(s.student, s.lesson) for s in found} == {("a-b", L1), ("c-d", L1), ("e-f", L1), ("stray", L1)}


def test_nbgrader_folders_of_another_lesson_are_not_forced_into_this_one(tmp_path):
    _write(tmp_path, {f"ann/{L1}/{L1}.ipynb": "{}", f"ann/{L2}/{L2}.ipynb": "{}"})
    found, unmapped = discover(tmp_path, [L1], known=[L1, L2], forced=L1)
    assert [(s.student, s.lesson) for s in found] == [("ann", L1)]
    assert [u.reason for u in unmapped] == [f"lesson {L2}, which this run does not grade (--lesson)"]


def test_moodle_namesakes_are_kept_apart(tmp_path):
    _write(tmp_path, {"Sam Lee_1004_assignsubmission_file_a.ipynb": "{}",
                      "Sam Lee_1005_assignsubmission_file_b.ipynb": "{}"})
    notes = []
    found, unmapped = discover(tmp_path, [L1], forced=L1, notes=notes)
    assert sorted(s.student for s in found) == ["sam-lee-1004", "sam-lee-1005"] and unmapped == []
    assert len(notes) == 2 and "two Moodle participants named Sam Lee" in notes[0]


def test_two_hand_ins_without_lms_time_newest_file_wins(tmp_path):
    _write(tmp_path, {"Ann Bo_1_assignsubmission_file_v1.ipynb": "{}", "Ann Bo_1_assignsubmission_file_v2.ipynb": "{}"})
    old = time.time() - 3600
    os.utime(tmp_path / "Ann Bo_1_assignsubmission_file_v2.ipynb", (old, old))
    found, unmapped = discover(tmp_path, [L1], forced=L1)
    assert [s.path.name for s in found] == ["Ann Bo_1_assignsubmission_file_v1.ipynb"]
    assert "Ann Bo_1_assignsubmission_file_v2.ipynb" == unmapped[0].shown and "is newer" in unmapped[0].reason


def test_blackboard_without_receipts_takes_the_last_field_before_attempt(tmp_path):
    _write(tmp_path, {"Lesson_1_jdoe_attempt_2024-03-01-10-00-00_x.ipynb": "{}"})
    found, _ = discover(tmp_path, [L1, L2])
    assert [(s.student, s.lesson, s.lms) for s in found] == [("jdoe", L1, "blackboard")]


def test_gradescope_metadata_is_read_only_where_gradescope_puts_it(tmp_path):
    _write(tmp_path, {"export/submission_metadata.yml": ":submission_1:\n  :submitters:\n  - :name: A\n    :email: a@x\n",
                      "export/submission_1/submission_metadata.yml":
                          ":submission_9:\n  :submitters:\n  - :name: M\n    :email: m@x\n"})
    files = [(PurePosixPath(p.relative_to(tmp_path).as_posix()), p) for p in tmp_path.rglob("*") if p.is_file()]
    context = read_context(files)
    assert list(context.gradescope) == ["export/submission_1"]
    assert context.gradescope["export/submission_1"][0]["email"] == "a@x"


# -- the CSV cell editor ---------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "a,b\n1,2\n", "a,b\r\n1,2", '\ufeff"x, y","q""uote"\r\n"multi\nline",\r\n', ",,\n,\n", "only\n",
])
def test_csv_without_edits_is_the_same_text(text):
    table = Table(text)
    assert table.text_out() == text
    plain = text[1:] if text.startswith("\ufeff") else text
    assert [table.values(r) for r in range(len(table.rows))] == list(csv.reader(io.StringIO(plain)))


def test_csv_edits_touch_only_their_cells():
    table = Table('h1,"h,2",h3\r\n1,"x",3\r\nshort\r\n')
    table.set(1, 1, 'new "q"')
    table.set(1, 2, "4,5")
    table.set(2, 2, "z")
    assert table.text_out() == 'h1,"h,2",h3\r\n1,"new ""q""","4,5"\r\nshort,,z\r\n'


def test_csv_that_cannot_be_edited_safely_says_where():
    from backproplab.classgrade.csvcells import CsvError
    with pytest.raises(CsvError, match="line 2: a quoted field is never closed"):
        Table('a,b\n1,"open\n')
