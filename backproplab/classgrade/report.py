"""What the instructor reads: grades.csv, the end-of-run summary, the progress bar.

grades.csv has one row per student and lesson: student, lesson, status, one column per
exercise (the exercise function names are unique across lessons; a column of another lesson is
left empty), total, max. A submission that could not be graded at all has empty points and
total; one whose kernel crashed keeps the points of the cells that ran before the crash.
"""
from __future__ import annotations

import csv
import io
import sys
import time

from .state import atomic_write_text

__all__ = ["columns", "grades_csv", "summary_lines", "Progress"]


def columns(lesson_exercises: dict) -> list:
    """Exercise column names in lesson order, then notebook order."""
    return [name for lesson in sorted(lesson_exercises) for name in lesson_exercises[lesson]]


def _fmt(x) -> str:
    return f"{x:g}" if isinstance(x, (int, float)) else ""


def grades_csv(path, entries: list, lesson_exercises: dict, lesson_max: dict) -> None:
    """Write grades.csv from [(student, lesson, result)] (atomically)."""
    names = columns(lesson_exercises)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["student", "lesson", "status", *names, "total", "max"])
    for student, lesson, result in sorted(entries, key=lambda e: (e[0], e[1])):
        points = {c["exercise"]: c["points"] for c in result["cells"] if c.get("exercise")}
        scored = bool(result["cells"])
        row = [_fmt(points.get(n)) if n in lesson_exercises.get(lesson, []) and scored else "" for n in names]
        total = _fmt(sum(c["points"] for c in result["cells"])) if scored else ""
        writer.writerow([student, lesson, result["status"], *row, total, _fmt(lesson_max.get(lesson))])
    atomic_write_text(path, buf.getvalue())


def summary_lines(entries: list, unmapped: list, graded_now: int, unchanged: int) -> list:
    """The final summary: counts, then one line per problem."""
    graded = [(s, l, r) for s, l, r in entries if r["status"] == "graded"]
    failed = [(s, l, r) for s, l, r in entries if r["status"] != "graded"]
    manual = [(s, l, r) for s, l, r in entries if r.get("manual")]
    lines = [f"graded {len(graded)}, failed to grade {len(failed)}, needing manual grading {len(manual)}, "
             f"unmapped files {len(unmapped)} (this run: {graded_now} graded, {unchanged} unchanged and kept)"]
    for s, l, r in failed:
        lines.append(f"  failed: {s} {l}: {r['reason']}")
    for s, l, r in manual:
        lines.append(f"  needs manual grading: {s} {l}: {', '.join(map(str, r['manual']))}")
    for u in unmapped:
        lines.append(f"  unmapped: {u.shown}: {u.reason}")
    return lines


class Progress:
    """A one-line progress bar on stderr (a line per step when stderr is not a terminal)."""

    def __init__(self, total: int, stream=None, enabled: bool = True, width: int = 30):
        self.total, self.done, self.width = total, 0, width
        self.stream = stream or sys.stderr
        self.enabled = enabled and total > 0
        self.tty = getattr(self.stream, "isatty", lambda: False)()
        self.start = time.monotonic()

    def step(self, label: str) -> None:
        self.done += 1
        if not self.enabled:
            return
        filled = int(self.width * self.done / self.total)
        elapsed = time.monotonic() - self.start
        line = (f"grading [{'#' * filled}{'.' * (self.width - filled)}] {self.done}/{self.total} "
                f"{elapsed:5.0f}s  {label}")
        if self.tty:
            self.stream.write("\r" + line[:120].ljust(120))
            if self.done == self.total:
                self.stream.write("\n")
        else:
            self.stream.write(line + "\n")
        self.stream.flush()
