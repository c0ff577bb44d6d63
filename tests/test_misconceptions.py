"""The instructors' misconception report, end to end through `backproplab grade`.

A synthetic class (tests/_classroom.py), where chosen students hand in chosen wrong answers:
catalogued mistakes, and generic wrong answers that no catalogue holds (the sigmoid times 1.1,
a neuron answering each case with 1.1 times the expected value through a lookup table, a
quadratic loss times 1.1). Two students patch the checks in their kernel: one so that its
failing check names a false mistake, one so that every check prints a fake diagnosis and
fails without running. The plan below says, for every student and exercise, what the grader
must count; every expected count, share, order and summary line is computed from it and from
the source notebooks' points, never from a run.

Runs: (1) the class; (2) a rerun after one student changed one answer (counts updated, the
report rebuilt from the saved state); (3) a rerun on a copy of the output whose state file was
written before diagnoses existed (it loads; the failed cells count as "not recorded").
"""
from __future__ import annotations

import csv
import html
import io
import json
import re
import shutil
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from backproplab import cli
from backproplab.checks import exercise, exercises
from backproplab.classgrade import diagnoses, misconceptions
from backproplab.classgrade.state import STATE_NAME
from backproplab.grading import lesson_ids

from _classroom import ROOT, checked_cell_id, make_course, nbmeta, release_nb, scaled_lookup_source, \
    solution_nb, with_functions

L1 = "01-neurons-and-logic-gates"
L2 = "02-forward-pass-and-initialisation"
HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", re.S)

SIGMOID_TIMES_1_1 = ("def sigmoid(z):\n    z = np.asarray(z, dtype=float)\n"
                     "    return 1.1 / (1.0 + np.exp(-z))   # a factor crept in\n")
QUADRATIC_TIMES_1_1 = ("def quadratic(y_hat, y):\n"
                       "    difference = np.asarray(y_hat, dtype=float) - np.asarray(y, dtype=float)\n"
                       "    return 0.55 * float(np.mean(np.sum(difference ** 2, axis=1)))\n")
# in the kernel every failing check now says "Likely mistake: FAKE ..." (its receipt is intact)
FAKE_WORDS = """
from backproplab.checks.exercise import Diagnosis
Diagnosis.suffix = lambda self: "\\n  Likely mistake: FAKE-DIAGNOSIS that is tanh(z)"
"""
# the kernel's diagnosis itself replaced: the receipt no longer holds the calls a diagnosis makes
FAKE_DIAGNOSIS = """
from backproplab.checks.exercise import Diagnosis, Exercise
Exercise.diagnose = lambda self, fn, got, case: Diagnosis("mistake", "tanh", "FAKE-DIAGNOSIS that is tanh")
"""
# every check prints a fake diagnosis and fails without running (no receipt at all)
FAKE_CHECKS = """
import backproplab.checks
def _fake(name, fn):
    print("FAKE-CHECK Likely mistake: that is tanh(z)")
    raise AssertionError("FAKE-CHECK that is tanh(z)")
backproplab.checks.check = _fake
backproplab.checks.grade = _fake
"""


def mistake(name, key):
    return next(m for m in exercise(name).mistakes if m.key == key)


def points(lesson) -> dict:
    """{exercise: points} from the source notebook's metadata, in notebook order."""
    src = solution_nb(lesson)
    pts = {nbmeta(c)["grade_id"]: float(nbmeta(c)["points"]) for c in src.cells if nbmeta(c).get("grade")}
    names = [n for n, e in exercises().items() if e.lesson == lesson]
    ids = [nbmeta(c).get("grade_id") for c in src.cells]
    return {n: pts[checked_cell_id(src, n)] for n in sorted(names, key=lambda n: ids.index(checked_cell_id(src, n)))}


# -- the plan: what each student hands in, and what the grader must count -------------------------

FULL, STUB = ("full",), ("not_attempted", "not attempted")
KINDS = ("mistake", "relation", "problem", "other")    # ties in a count: this order, then the key


def plan_class():
    """({(student, lesson): HandIn}, {(student, lesson): {exercise: outcome}}).

    An outcome is FULL, STUB or (kind, key): what the grader must count."""
    sources, outcomes = {}, {}
    no_receipt = ("other", "no receipt")

    def hand_in(student, lesson, answers: dict, blank=False):
        sources[(student, lesson)] = HandIn(blank, {n: (src, patch) for n, (src, patch, _) in answers.items()})
        outcomes[(student, lesson)] = {n: (STUB if blank else FULL) for n in points(lesson)}
        outcomes[(student, lesson)].update({n: out for n, (_, _, out) in answers.items()})

    def m(name, key):
        return (mistake(name, key).source, None, ("mistake", key))

    factor = ("relation", "constant_factor")
    # the solution's neuron and xnor_network call the notebook's sigmoid: with a wrong sigmoid
    # they would fail too, so its authors write them without it (the catalogue's alternatives)
    own = {n: (exercise(n).alternatives[0], None, FULL) for n in ("neuron", "xnor_network")}
    hand_in("ada", L1, {**own, "sigmoid": m("sigmoid", "no_minus")})
    hand_in("bob", L1, {**own, "sigmoid": m("sigmoid", "no_minus"),
                        "neuron": (scaled_lookup_source("neuron"), None, factor)})
    hand_in("cyd", L1, {**own, "sigmoid": (SIGMOID_TIMES_1_1, None, factor)})
    hand_in("dee", L1, {"neuron": m("neuron", "no_bias"), "gate_weights": m("gate_weights", "and_with_or_bias"),
                        "xnor_network": m("xnor_network", "or_hidden")})
    hand_in("eve", L1, {}, blank=True)
    hand_in("fay", L1, {**own, "sigmoid": (SIGMOID_TIMES_1_1, FAKE_WORDS, factor)})
    hand_in("gus", L1, {"sigmoid": (None, FAKE_CHECKS, no_receipt)})
    outcomes[("gus", L1)] = {n: no_receipt for n in points(L1)}    # every check patched away
    hand_in("hal", L1, {**own, "sigmoid": (SIGMOID_TIMES_1_1, FAKE_DIAGNOSIS, no_receipt)})
    hand_in("ada", L2, {"quadratic": m("quadratic", "sum_over_samples")})
    hand_in("bob", L2, {})
    hand_in("cyd", L2, {"quadratic": (QUADRATIC_TIMES_1_1, None, factor), "xavier_normal": m("xavier_normal", "he")})
    return sources, outcomes


@dataclass
class HandIn:
    blank: bool        # the release (stubs) instead of the solution for the exercises not named
    answers: dict      # {exercise: (source of its function or None, code appended to its cell or None)}


def notebook(lesson, hand_in: HandIn):
    """The solution (or the release, for a blank hand-in) with the planned answers."""
    nb = release_nb(lesson) if hand_in.blank else solution_nb(lesson)
    nb = with_functions(nb, {n: src for n, (src, _) in hand_in.answers.items() if src})
    for name, (_, patch) in hand_in.answers.items():
        if patch:
            cell = next(c for c in nb.cells if nbmeta(c).get("solution") and re.search(rf"^def {name}\(", c.source, re.M))
            cell.source += "\n" + patch
    return nb


def write_class(folder: Path, sources) -> None:
    for (student, lesson), hand_in in sources.items():
        path = folder / student / lesson / f"{lesson}.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook(lesson, hand_in), str(path))


def student_code_lines(sources) -> set:
    """Lines of code the students wrote (their answers and patches), long enough to be telling."""
    lines = set()
    for hand_in in sources.values():
        for texts in hand_in.answers.values():
            for text in texts:
                for line in (text or "").splitlines():
                    line = line.strip()
                    if len(line) >= 20 and not line.startswith(('"""', "#")):
                        lines.add(line)
    return lines


# -- what the plan says the report must hold -------------------------------------------------------

def expected_rows(outcomes) -> list:
    """misconceptions.csv as the plan says, as (row dicts without the explanation) in order."""
    rows = []
    for lesson in sorted({lesson for _, lesson in outcomes}):
        pts = points(lesson)
        students = sorted(s for s, l in outcomes if l == lesson)
        n = len(students)
        per = []
        for position, (name, full) in enumerate(pts.items()):
            got = {s: outcomes[(s, lesson)][name] for s in students}
            scored = [full if got[s] == FULL else 0.0 for s in students]
            findings = defaultdict(list)
            for s in students:
                if got[s] not in (FULL, STUB):
                    findings[got[s]].append(s)
            lost = full * n - sum(scored)
            head = {"lesson": lesson, "exercise": name, "row": "exercise", "graded": str(n),
                    "mean_points": misconceptions._num(sum(scored) / n), "max_points": misconceptions._num(full),
                    "share_full_marks": misconceptions._num(sum(got[s] == FULL for s in students) / n),
                    "share_not_attempted": misconceptions._num(sum(got[s] == STUB for s in students) / n),
                    "points_lost": misconceptions._num(lost)}
            body = [{"lesson": lesson, "exercise": name, "row": "diagnosis", "kind": kind, "diagnosis": key,
                     "students": str(len(who)), "share": misconceptions._num(len(who) / n),
                     "student_ids": ";".join(sorted(who)), "graded": str(n)}
                    for (kind, key), who in sorted(findings.items(),
                                                   key=lambda kv: (-len(kv[1]), KINDS.index(kv[0][0]), kv[0][1]))]
            per.append((-lost, position, head, body))
        for _, _, head, body in sorted(per, key=lambda t: (t[0], t[1])):
            rows.append(head)
            rows.extend(body)
    return rows


def read_rows(text: str) -> list:
    return list(csv.DictReader(io.StringIO(text)))


def compare(rows, outcomes) -> list:
    """Problems between misconceptions.csv's rows and the plan (an empty list when they agree)."""
    want = expected_rows(outcomes)
    problems = []
    if [(r["lesson"], r["exercise"], r["row"], r["kind"], r["diagnosis"]) for r in rows] != \
            [(w["lesson"], w["exercise"], w["row"], w.get("kind", ""), w.get("diagnosis", "")) for w in want]:
        problems.append("rows differ:\n  got  " + "\n  got  ".join(
            f"{r['lesson'][:2]} {r['exercise']} {r['row']} {r['kind']} {r['diagnosis']} {r['students']}" for r in rows)
            + "\n  want " + "\n  want ".join(
            f"{w['lesson'][:2]} {w['exercise']} {w['row']} {w.get('kind', '')} {w.get('diagnosis', '')} "
            f"{w.get('students', '')}" for w in want))
        return problems
    for got, w in zip(rows, want):
        for column, value in w.items():
            if got[column] != value:
                problems.append(f"{w['lesson'][:2]} {w['exercise']} {w.get('diagnosis', '(exercise)')}: "
                                f"{column} = {got[column]!r}, expected {value!r}")
    return problems


# -- the runs ---------------------------------------------------------------------------------------

def _grade(subs, course, out=None):
    args = ["grade", str(subs), "--root", str(course), "--jobs", "2", "--no-progress"]
    return cli.main(args + (["--out", str(out)] if out else []))


def _run_outputs(out: Path) -> dict:
    return {"csv": (out / "misconceptions.csv").read_text(), "page": (out / "report.html").read_text(),
            "summary": (out / "summary.txt").read_text(),
            "state": json.loads((out / STATE_NAME).read_text())["entries"]}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    if L1 not in lesson_ids(ROOT) or L2 not in lesson_ids(ROOT):
        pytest.skip("lessons 01 and 02 are needed")
    base = tmp_path_factory.mktemp("misconceptions")
    course = make_course(base / "course")
    subs = base / "submitted"
    sources, outcomes = plan_class()
    write_class(subs, sources)
    out = course / "grading"
    runs = {}
    assert _grade(subs, course) == 0
    runs["first"] = dict(_run_outputs(out), outcomes={k: dict(v) for k, v in outcomes.items()})
    # (2) bob corrects his sigmoid in lesson 01; his neuron stays wrong
    changed = HandIn(False, {n: a for n, a in sources[("bob", L1)].answers.items() if n != "sigmoid"})
    sources[("bob", L1)] = changed
    outcomes[("bob", L1)]["sigmoid"] = FULL
    write_class(subs, {("bob", L1): changed})
    assert _grade(subs, course) == 0
    runs["changed"] = dict(_run_outputs(out), outcomes={k: dict(v) for k, v in outcomes.items()})
    # (3) the same output, but its state file written before diagnoses were recorded
    old = base / "old-output"
    shutil.copytree(out, old)
    state = json.loads((old / STATE_NAME).read_text())
    for entry in state["entries"].values():
        for cell in entry["result"]["cells"]:
            del cell["diagnosis"]
    (old / STATE_NAME).write_text(json.dumps(state))
    runs["old_state"] = dict(code=_grade(subs, course, old), **_run_outputs(old))
    return dict(base=base, course=course, out=out, runs=runs, sources=sources)


# -- misconceptions.csv -------------------------------------------------------------------------------

def test_misconceptions_csv_counts_the_plan_exactly(graded):
    run = graded["runs"]["first"]
    rows = read_rows(run["csv"])
    assert list(rows[0]) == list(misconceptions.COLUMNS)
    problems = compare(rows, run["outcomes"])
    assert not problems, "\n".join(problems)


def test_the_explanations_are_the_catalogues_and_the_relations_sentences(graded):
    rows = [r for r in read_rows(graded["runs"]["first"]["csv"]) if r["row"] == "diagnosis"]
    assert rows
    for r in rows:
        if r["kind"] == "mistake":
            assert r["explanation"] == mistake(r["exercise"], r["diagnosis"]).explain
        elif r["kind"] == "relation":
            assert r["diagnosis"] == "constant_factor"
            assert r["explanation"] == "every value is 1.1 times the expected one."
        else:
            assert r["diagnosis"] == "no receipt" and r["explanation"] == diagnoses.NO_RECEIPT["text"]


def test_shares_add_up_to_the_whole_class(graded):
    rows = read_rows(graded["runs"]["first"]["csv"])
    for head in (r for r in rows if r["row"] == "exercise"):
        diagnosed = sum(float(r["share"]) for r in rows
                        if r["row"] == "diagnosis" and (r["lesson"], r["exercise"]) == (head["lesson"], head["exercise"]))
        total = float(head["share_full_marks"]) + float(head["share_not_attempted"]) + diagnosed
        assert abs(total - 1.0) < 0.01, head


def test_a_kernel_that_prints_a_fake_diagnosis_changes_no_count(graded):
    run = graded["runs"]["first"]
    # the patches ran: the kernel said the fake words ...
    for student, fake in (("fay", "FAKE-DIAGNOSIS"), ("gus", "FAKE-CHECK"), ("hal", "FAKE-DIAGNOSIS")):
        nb = nbformat.read(str(graded["out"] / "autograded" / student / L1 / f"{L1}.ipynb"), as_version=4)
        said = json.dumps([c.get("outputs", []) for c in nb.cells if nbmeta(c).get("grade")])
        assert fake in said, f"{student}'s patch did not run"
    # ... and the report counted the grader's judgement: fay's factor 1.1; no receipt that
    # replays for gus (no check ran) nor for hal (its receipt lacks the diagnosis' calls)
    rows = {(r["lesson"], r["exercise"], r["diagnosis"]): r for r in read_rows(run["csv"]) if r["row"] == "diagnosis"}
    assert "fay" in rows[(L1, "sigmoid", "constant_factor")]["student_ids"].split(";")
    assert all("gus" in rows[(L1, name, "no receipt")]["student_ids"].split(";") for name in points(L1))
    assert "hal" in rows[(L1, "sigmoid", "no receipt")]["student_ids"].split(";")
    assert not any(key[2] == "tanh" for key in rows)
    for text in (run["csv"], run["page"], run["summary"]):
        assert "FAKE" not in text


def test_each_cell_result_keeps_its_diagnosis_in_the_state(graded):
    state = graded["runs"]["first"]["state"]
    outcomes = graded["runs"]["first"]["outcomes"]
    for (student, lesson), planned in outcomes.items():
        cells = {c["exercise"]: c for c in state[f"{student}/{lesson}"]["result"]["cells"]}
        for name, outcome in planned.items():
            d = cells[name]["diagnosis"]
            if outcome == FULL:
                assert d is None and cells[name]["passed"], (student, name)
            else:
                assert (d["kind"], d["key"]) == outcome, (student, name, d)


# -- report.html --------------------------------------------------------------------------------------

def _sections(page: str, lesson: str) -> list:
    return re.findall(rf'<h3 id="{re.escape(lesson)}-([A-Za-z_0-9]+)">', page)


def _explained_keys(page: str, lesson: str, name: str) -> list:
    start = page.index(f'<h3 id="{lesson}-{name}">')
    end = page.find("<h3 ", start + 1)
    section = page[start:end if end > 0 else len(page)]
    ordered = section[section.find("<ol>"):section.find("</ol>")]
    return [html.unescape(k) for k in re.findall(r'<li><span class="key">([^<]+)</span>', ordered)]


@pytest.mark.parametrize("run", ["first", "changed"])
def test_the_report_lists_the_exercises_by_points_lost_and_their_top_explanations(graded, run):
    page = graded["runs"][run]["page"]
    want = expected_rows(graded["runs"][run]["outcomes"])
    for lesson in (L1, L2):
        order = [w["exercise"] for w in want if w["lesson"] == lesson and w["row"] == "exercise"]
        assert _sections(page, lesson) == order
        for name in order:
            keys = [w["diagnosis"] for w in want if (w["lesson"], w["exercise"], w["row"]) == (lesson, name, "diagnosis")]
            assert _explained_keys(page, lesson, name) == keys[:3], (lesson, name)
    for r in (r for r in read_rows(graded["runs"][run]["csv"]) if r["row"] == "diagnosis"):
        assert html.escape(r["explanation"]) in page
    # one chart per exercise that lost points, with its title and axis label
    lost = [w for w in want if w["row"] == "exercise" and float(w["points_lost"]) > 0]
    assert page.count("<svg ") == len(lost)
    assert page.count("students (of ") == len(lost) and page.count("lost its points</text>") == len(lost)


def _visible_text(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def test_the_report_is_one_file_without_scripts_or_outside_requests(graded):
    page = graded["runs"]["first"]["page"]
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page.lower() and "javascript:" not in page.lower() and "@import" not in page
    assert not re.search(r"<(link|img|iframe|object|embed)\b", page, re.I)
    targets = re.findall(r'(?:href|src)\s*=\s*"([^"]*)"', page) + re.findall(r"url\(([^)]*)\)", page)
    assert targets and all(t.startswith("#") for t in targets), [t for t in targets if not t.startswith("#")]


def test_the_report_opens_offline_in_chromium(graded):
    from _offline_page import visit
    path = graded["out"] / "report.html"
    probe = """() => [...document.querySelectorAll('figure svg')].map(s => s.getBoundingClientRect().height)"""
    seen = visit([path], probe)[path]
    assert seen.attempted == [] and seen.outside == [] and seen.errors == [], seen
    assert len(seen.probe) == graded["runs"]["changed"]["page"].count("<svg ") and all(h > 100 for h in seen.probe), seen.probe


def test_the_report_holds_no_student_code_and_no_hidden_test_code(graded):
    lines = student_code_lines(graded["sources"])
    hidden = {line.strip() for lesson in (L1, L2) for c in solution_nb(lesson).cells
              for block in HIDDEN.findall(c.source) for line in block.splitlines() if line.strip()}
    assert len(lines) > 20 and hidden
    for run in ("first", "changed"):
        for name, text in (("report.html", _visible_text(graded["runs"][run]["page"])),
                           ("report.html source", graded["runs"][run]["page"]),
                           ("misconceptions.csv", graded["runs"][run]["csv"])):
            leaked = [line for line in lines | hidden if line in text]
            assert not leaked, f"{name}: {leaked}"
            assert "HIDDEN TESTS" not in text and "BEGIN SOLUTION" not in text


# -- summary and reruns -------------------------------------------------------------------------------

def test_the_summary_prints_the_three_most_frequent_diagnoses_of_each_lesson(graded):
    for run in ("first", "changed"):
        summary = graded["runs"][run]["summary"].splitlines()
        want = expected_rows(graded["runs"][run]["outcomes"])
        for lesson in (L1, L2):
            students = sorted({s for s, l in graded["runs"][run]["outcomes"] if l == lesson})
            head = summary.index(f"most frequent diagnoses, {lesson} ({len(students)} students graded):")
            rank = [w["exercise"] for w in want if w["lesson"] == lesson and w["row"] == "exercise"]
            found = sorted((w for w in want if w["lesson"] == lesson and w["row"] == "diagnosis"),
                           key=lambda w: (-int(w["students"]), rank.index(w["exercise"]), KINDS.index(w["kind"]),
                                          w["diagnosis"]))
            lines = summary[head + 1:head + 1 + min(3, len(found))]
            for line, w in zip(lines, found):
                assert line.startswith(f"  {w['exercise']}: {w['diagnosis']} ({w['kind']}), {w['students']} of "
                                       f"{len(students)} students"), (line, w)
        assert any(line.startswith("misconception report: ") and line.endswith("report.html") for line in summary)


def test_a_rerun_with_one_changed_hand_in_updates_the_counts(graded):
    first, changed = graded["runs"]["first"], graded["runs"]["changed"]
    assert "this run: 1 graded" in changed["summary"]
    problems = compare(read_rows(changed["csv"]), changed["outcomes"])
    assert not problems, "\n".join(problems)
    before = {(r["exercise"], r["diagnosis"]): r for r in read_rows(first["csv"]) if r["lesson"] == L1}
    after = {(r["exercise"], r["diagnosis"]): r for r in read_rows(changed["csv"]) if r["lesson"] == L1}
    assert before[("sigmoid", "no_minus")]["student_ids"] == "ada;bob"
    assert after[("sigmoid", "no_minus")]["student_ids"] == "ada"
    assert after[("neuron", "constant_factor")]["student_ids"] == "bob"


def test_a_state_file_without_diagnoses_still_loads(graded):
    old = graded["runs"]["old_state"]
    assert old["code"] == 0
    assert "this run: 0 graded" in old["summary"]
    rows = read_rows(old["csv"])
    outcomes = graded["runs"]["changed"]["outcomes"]
    for r in (r for r in rows if r["row"] == "diagnosis"):
        assert (r["kind"], r["diagnosis"]) == ("other", "not recorded")
        failed = [s for (s, l), o in outcomes.items() if l == r["lesson"] and o[r["exercise"]] != FULL]
        assert r["student_ids"] == ";".join(sorted(failed))


# -- the diagnosis kept for a cell: only what the grader vouches for ----------------------------------

def _receipt(name, fn, stage="check"):
    from backproplab.checks import CheckFailure, NotWrittenYet
    ex = exercise(name)
    calls = ex.recording(fn)
    try:
        getattr(ex, stage)(fn)
    except (CheckFailure, NotWrittenYet):
        pass
    finally:
        ex.stop_recording()
    return json.loads(json.dumps({"exercise": name, "stage": stage, "calls": calls}))


def _cell(source):
    return nbformat.v4.new_code_cell(source)


def test_a_problem_keeps_python_exception_names_and_the_graders_own_words():
    def sigmoid(z):
        return 1 / 0

    rec = _receipt("sigmoid", sigmoid)
    cell = _cell('check("sigmoid", sigmoid)')
    found = diagnoses.diagnose_cell(cell, [rec])
    assert found["kind"] == "problem" and found["key"] == "raised ZeroDivisionError"
    assert "division by zero" not in found["text"]          # the kernel's message is not kept
    # a forged key or message: the grader's words only
    forged = json.loads(json.dumps(rec))
    for call in forged["calls"]:
        call.update(key="raised <b>print('owned')</b>", problem="def sigmoid(z): return 'secret'")
    found = diagnoses.diagnose_cell(cell, [forged])
    assert found == {"kind": "problem", "key": "raised an exception", "text": diagnoses._raised_text("an exception")}


def test_the_cells_last_grade_receipt_is_replayed_else_its_check_receipt():
    ex = exercise("sigmoid")
    wrong = ex.compile(mistake("sigmoid", "no_minus").source)
    right = ex.compile(ex.alternatives[0])
    cell = _cell('check("sigmoid", sigmoid)\ngrade("sigmoid", sigmoid)')
    check_wrong, grade_right = _receipt("sigmoid", wrong), _receipt("sigmoid", right, "grade")
    assert diagnoses.diagnose_cell(cell, [check_wrong])["key"] == "no_minus"
    # a grade receipt that passes wins over a failing check receipt: the failure is elsewhere
    assert diagnoses.diagnose_cell(cell, [check_wrong, grade_right]) == diagnoses.NO_RECEIPT
    assert diagnoses.diagnose_cell(cell, [grade_right, _receipt("sigmoid", wrong, "grade")])["key"] == "no_minus"
    assert diagnoses.diagnose_cell(cell, []) == diagnoses.NO_RECEIPT
    garbage = {"exercise": "sigmoid", "stage": "check", "calls": [{"result": {"t": "nd", "b": "%%%"}}]}
    assert diagnoses.diagnose_cell(cell, [garbage, 17, None]) == diagnoses.NO_RECEIPT

    def stub(z):
        raise NotImplementedError()
    assert diagnoses.diagnose_cell(cell, [_receipt("sigmoid", stub)]) == diagnoses.NOT_ATTEMPTED


def test_a_mistake_key_outside_the_catalogue_is_not_counted_as_one():
    assert diagnoses.trusted("sigmoid", {"kind": "mistake", "key": "invented", "text": "x"})["kind"] == "other"
    assert diagnoses.trusted("sigmoid", {"kind": "relation", "key": "invented", "text": "x"})["kind"] == "other"
    kept = diagnoses.trusted("sigmoid", {"kind": "mistake", "key": "tanh", "text": "anything"})
    assert kept == {"kind": "mistake", "key": "tanh", "text": mistake("sigmoid", "tanh").explain}
