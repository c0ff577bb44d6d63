"""What the class got wrong: misconceptions.csv, report.html and the summary's top diagnoses.

Everything here is rebuilt from the saved grading state (state.py) at the end of every run, so
a rerun with one changed hand-in changes exactly that student's counts. Each graded test cell
that failed carries the grader's own diagnosis (diagnoses.py); each student counts once per
exercise.

A lesson's exercise is taken over its *graded class*: the students whose submission of the
lesson was scored (status "graded", or "failed" after a kernel crash, whose earlier cells keep
their points; not a file that could not be read, nor a machinery error). Every such student
either got the exercise's full marks, or did not attempt it (the released stub's
NotImplementedError), or has exactly one diagnosis, so for each exercise

    share_full_marks + share_not_attempted + sum of its diagnosis rows' share = 1.

misconceptions.csv, one row per lesson x exercise (row = "exercise") followed by one per
lesson x exercise x diagnosis (row = "diagnosis"), lessons in order, exercises by points lost:

    lesson, exercise, row, kind, diagnosis, explanation, students, share, student_ids, graded,
    mean_points, max_points, share_full_marks, share_not_attempted, points_lost

(COLUMNS documents each; the README's "Feedback" section too.)
"""
from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field

from .diagnoses import NOT_RECORDED
from .state import atomic_write_text

__all__ = ["COLUMNS", "KIND_ORDER", "tally", "top", "csv_text", "summary_lines", "write", "ExerciseTally", "Finding"]

COLUMNS = {
    "lesson": "the lesson id",
    "exercise": "the exercise (the function the students write)",
    "row": '"exercise": the exercise over the lesson\'s graded class; "diagnosis": one diagnosis of it',
    "kind": "diagnosis rows: mistake (a catalogue entry), relation (a generic relation between the "
            "answer and the expected one), problem (the call itself failed), other",
    "diagnosis": "diagnosis rows: the catalogue key, the relation's name, the problem, or other / "
                 "no receipt / not recorded",
    "explanation": "diagnosis rows: the catalogue's or the relation's sentence (for a relation with "
                   "a number in it, the sentence most of these students got)",
    "students": "diagnosis rows: how many students got this diagnosis",
    "share": "diagnosis rows: students / graded (a fraction between 0 and 1)",
    "student_ids": "diagnosis rows: those students' ids, sorted, separated by ';'",
    "graded": "the lesson's graded class: students whose submission of the lesson was scored",
    "mean_points": "exercise rows: the mean points over the graded class",
    "max_points": "exercise rows: the exercise's points",
    "share_full_marks": "exercise rows: the share of the graded class with full marks",
    "share_not_attempted": "exercise rows: the share that handed in the released stub "
                           "(NotImplementedError)",
    "points_lost": "exercise rows: points not scored, summed over the graded class (the order of "
                   "the exercises)",
}


# ties in a count: the more telling kind of diagnosis first
KIND_ORDER = {"mistake": 0, "relation": 1, "problem": 2, "other": 3}


def _kind_rank(kind: str) -> int:
    return KIND_ORDER.get(kind, len(KIND_ORDER))


@dataclass
class Finding:
    """One diagnosis of one exercise: who got it and with which sentence."""

    kind: str
    key: str
    students: list = field(default_factory=list)
    texts: Counter = field(default_factory=Counter)

    @property
    def text(self) -> str:
        """The sentence most of these students got (ties: the first in sorted order)."""
        if not self.texts:
            return ""
        return sorted(self.texts.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]


@dataclass
class ExerciseTally:
    lesson: str
    exercise: str
    max_points: float = 0.0
    points: list = field(default_factory=list)           # one per graded student
    not_attempted: list = field(default_factory=list)    # student ids
    findings: dict = field(default_factory=dict)          # (kind, key) -> Finding

    @property
    def graded(self) -> int:
        return len(self.points)

    @property
    def points_lost(self) -> float:
        return self.max_points * self.graded - sum(self.points)

    @property
    def mean_points(self) -> float:
        return sum(self.points) / self.graded if self.graded else 0.0

    @property
    def lost(self) -> int:
        """Students without full marks."""
        return sum(p < self.max_points for p in self.points)

    @property
    def share_full_marks(self) -> float:
        return (self.graded - self.lost) / self.graded if self.graded else 0.0

    @property
    def share_not_attempted(self) -> float:
        return len(self.not_attempted) / self.graded if self.graded else 0.0

    def ranked(self) -> list:
        """The findings, most students first (then by KIND_ORDER and key)."""
        return sorted(self.findings.values(), key=lambda f: (-len(f.students), _kind_rank(f.kind), f.key))

    def share(self, finding: Finding) -> float:
        return len(finding.students) / self.graded if self.graded else 0.0


def _scored(result) -> bool:
    return result.get("status") in ("graded", "failed") and bool(result.get("cells"))


def tally(entries, order: dict) -> dict:
    """{lesson: [ExerciseTally, most points lost first]} from [(student, lesson, result)].

    order: {lesson: [exercise names in notebook order]} (ties in points lost keep it)."""
    found: dict = {}
    for student, lesson, result in sorted(entries, key=lambda e: (e[1], e[0])):
        if not _scored(result):
            continue
        for cell in result["cells"]:
            name = cell.get("exercise") or cell.get("grade_id")
            ex = found.setdefault(lesson, {}).setdefault(name, ExerciseTally(lesson, name))
            ex.max_points = max(ex.max_points, float(cell.get("max_points", 0) or 0))
            ex.points.append(float(cell.get("points", 0) or 0))
            if cell.get("passed"):
                continue
            # a failed cell of a state file written before diagnoses were recorded has none
            d = cell.get("diagnosis") or NOT_RECORDED
            if d["kind"] == "not_attempted":
                ex.not_attempted.append(student)
                continue
            finding = ex.findings.setdefault((d["kind"], d["key"]), Finding(d["kind"], d["key"]))
            finding.students.append(student)
            finding.texts[d.get("text", "")] += 1
    out = {}
    for lesson in sorted(found):
        position = {n: i for i, n in enumerate(order.get(lesson, []))}
        exercises = sorted(found[lesson].values(),
                           key=lambda e: (-e.points_lost, position.get(e.exercise, len(position)), e.exercise))
        out[lesson] = exercises
    return out


def _num(x: float) -> str:
    return f"{x:.3f}".rstrip("0").rstrip(".") if x != int(x) else f"{int(x)}"


def csv_text(tallied: dict) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(COLUMNS), lineterminator="\n")
    writer.writeheader()
    for lesson, exercises in tallied.items():
        for ex in exercises:
            writer.writerow({"lesson": lesson, "exercise": ex.exercise, "row": "exercise", "graded": ex.graded,
                             "mean_points": _num(ex.mean_points), "max_points": _num(ex.max_points),
                             "share_full_marks": _num(ex.share_full_marks),
                             "share_not_attempted": _num(ex.share_not_attempted),
                             "points_lost": _num(ex.points_lost)})
            for f in ex.ranked():
                writer.writerow({"lesson": lesson, "exercise": ex.exercise, "row": "diagnosis", "kind": f.kind,
                                 "diagnosis": f.key, "explanation": f.text, "students": len(f.students),
                                 "share": _num(ex.share(f)), "student_ids": ";".join(sorted(f.students)),
                                 "graded": ex.graded})
    return buf.getvalue()


def top(exercises, n: int = 3) -> list:
    """The n most frequent (exercise, finding) pairs of a lesson (ties: the exercise's rank by
    points lost, then as ExerciseTally.ranked)."""
    pairs = [(ex, f) for ex in exercises for f in ex.findings.values()]
    rank = {id(ex): i for i, ex in enumerate(exercises)}
    return sorted(pairs, key=lambda p: (-len(p[1].students), rank[id(p[0])], _kind_rank(p[1].kind), p[1].key))[:n]


def summary_lines(tallied: dict, lessons, report_path=None) -> list:
    """The three most frequent diagnoses of each lesson graded in this run."""
    lines = []
    for lesson in lessons:
        if lesson not in tallied:
            continue
        exercises = tallied[lesson]
        graded = max((ex.graded for ex in exercises), default=0)
        lines.append(f"most frequent diagnoses, {lesson} ({graded} students graded):")
        best = top(exercises)
        if not best:
            lines.append("  none: every graded answer passed or was not attempted")
        for ex, f in best:
            text = f.text if len(f.text) <= 90 else f.text[:87] + "..."
            lines.append(f"  {ex.exercise}: {f.key} ({f.kind}), {len(f.students)} of {ex.graded} "
                         f"students ({100 * ex.share(f):.0f}%): {text}")
    if lines and report_path:
        lines.append(f"misconception report: {report_path}")
    return lines


def write(out, entries, order: dict, lessons) -> list:
    """Write out/misconceptions.csv and out/report.html from [(student, lesson, result)];
    return the summary's lines for `lessons` (those graded in this run)."""
    from .report_page import render
    tallied = tally(entries, order)
    atomic_write_text(out / "misconceptions.csv", csv_text(tallied))
    atomic_write_text(out / "report.html", render(tallied))
    return summary_lines(tallied, lessons, out / "report.html")
