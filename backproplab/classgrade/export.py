"""`backproplab export`: what `grade` wrote, in the import formats of Moodle and Canvas.

Reads the grading state `grade` keeps under --out (each hand-in's scores, its feedback page and
the LMS identifiers of the download it came from) and writes into <out>/export/:

- moodle: `moodle-<lesson>-worksheet.csv` for Moodle's "Upload grading worksheet" (the
  worksheet the instructor downloaded with its Grade and Feedback comments cells filled, every
  other byte kept; or a new one with the columns Moodle's importer reads: Identifier, Grade,
  Last modified (grade), Feedback comments), and `moodle-<lesson>-feedback.zip` for "Upload
  multiple feedback files in a zip": one folder per participant, named as in the download
  (`<Full name>_<participant id>_assignsubmission_file[_]`), holding the feedback page.
- canvas: `canvas-<lesson>-gradebook.csv`, the exported Canvas gradebook with this lesson's
  column filled in the rows of the graded students (matched by Canvas user id, the "ID"
  column), every other cell unchanged byte for byte.
- csv: `<lesson>.csv`, one row per student: identifiers, status, points per exercise, total.

Each export also lists the mismatches: a graded student absent from the worksheet or
gradebook, a row of it with no graded hand-in, a hand-in that could not be scored.
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import datetime
from pathlib import Path

from . import GradeError, _lesson_info, _lessons
from .csvcells import CsvError, Table
from .lms import slug
from .state import STATE_NAME, State, atomic_write_text

__all__ = ["export_moodle", "export_canvas", "export_csv", "Graded"]

_MOODLE_ID, _MOODLE_GRADE, _MOODLE_FEEDBACK = "Identifier", "Grade", "Feedback comments"
_MOODLE_MODIFIED, _MOODLE_NAME = "Last modified (grade)", "Full name"


class Graded:
    """One student's hand-in for the lesson, as `grade` recorded it."""

    def __init__(self, student: str, entry: dict, names: list, maximum: float):
        self.student, self.entry, self.maximum = student, entry, maximum
        result = entry["result"]
        self.status = result["status"]
        self.reason = result.get("reason", "")
        self.points = {c["exercise"]: c["points"] for c in result["cells"] if c.get("exercise")}
        self.exercise_max = {c["exercise"]: c["max_points"] for c in result["cells"] if c.get("exercise")}
        self.total = sum(c["points"] for c in result["cells"]) if result["cells"] else None
        self.names = names
        identity = entry.get("lms") or {}
        self.lms, self.name, self.ids = identity.get("lms", ""), identity.get("name", ""), identity.get("ids", {})
        self.feedback = entry.get("files", {}).get("feedback")

    def grade(self, out_of: float | None) -> str:
        """The total as the LMS should read it: points, or scaled to `out_of` (x / max * out_of)."""
        x = self.total if out_of is None else self.total / self.maximum * out_of
        return f"{round(x, 2):g}"

    def comment(self, out_of: float | None) -> str:
        """The per-exercise scores on one line, e.g. "sigmoid 2/2, neuron 0/3; autograded 2/5"."""
        parts = [f"{n} {self.points[n]:g}/{self.exercise_max[n]:g}" for n in self.names if n in self.points]
        total = f"autograded {self.total:g}/{self.maximum:g}"
        if out_of is not None:
            total += f" = {self.grade(out_of)}/{out_of:g}"
        return ", ".join(parts) + "; " + total

    def who(self) -> str:
        return f"{self.student} ({self.name})" if self.name and self.name != self.student else self.student


def _load(root, out, lesson) -> tuple:
    """([Graded] of the lesson, export folder)."""
    from ..grading import course_root
    root = Path(root or course_root()).resolve()
    out = Path(out).resolve() if out else root / "grading"
    _lessons(root, [lesson])
    state_path = out / STATE_NAME
    if not state_path.is_file():
        raise GradeError(f"nothing graded yet: no {state_path} (run `backproplab grade` with the same --root/--out)")
    _, names, maxima = _lesson_info(root, [lesson])
    graded = [Graded(key.rsplit("/", 1)[0], entry, names[lesson], maxima[lesson])
              for key, entry in sorted(State(state_path).entries.items()) if key.rsplit("/", 1)[1] == lesson]
    if not graded:
        raise GradeError(f"nothing graded for {lesson} in {out}")
    return graded, out, out / "export"


def _scored(graded: list, lines: list) -> list:
    """The hand-ins that have a score; the others are listed."""
    for g in graded:
        if g.total is None:
            lines.append(f"  not exported: {g.who()}: {g.status}, no score ({g.reason})")
    return [g for g in graded if g.total is not None]


def _read_csv(path) -> Table:
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise GradeError(f"cannot read {path}: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise GradeError(f"{path} is not UTF-8 text (byte {exc.start}); export it again as CSV (UTF-8)") from exc
    try:
        table = Table(text)
    except CsvError as exc:
        raise GradeError(f"{path}: {exc}") from exc
    if not table.rows:
        raise GradeError(f"{path} is empty")
    return table


def _column(header: list, name: str, path, required: bool = True) -> int | None:
    wanted = [i for i, h in enumerate(header) if h.strip() == name]
    if not wanted and required:
        raise GradeError(f"{path} has no '{name}' column (its columns: {', '.join(h.strip() for h in header)})")
    return wanted[0] if wanted else None


def _write_bytes(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(text.encode("utf-8"))
    tmp.replace(path)


# -- Moodle ----------------------------------------------------------------------------------

def _participant(g: Graded) -> str | None:
    return g.ids.get("participant") if g.lms == "moodle" else None


def _fill_worksheet(path, scored: list, out_of, lines: list) -> str:
    table = _read_csv(path)
    header = table.values(0)
    id_col, grade_col = _column(header, _MOODLE_ID, path), _column(header, _MOODLE_GRADE, path)
    feedback_col = _column(header, _MOODLE_FEEDBACK, path, required=False)
    name_col = _column(header, _MOODLE_NAME, path, required=False)
    if feedback_col is None:
        lines.append(f"  note: {path} has no '{_MOODLE_FEEDBACK}' column (feedback comments are off in this "
                     f"assignment): grades only")
    by_pid = {_participant(g): g for g in scored if _participant(g)}
    by_key = {g.student: g for g in scored}
    used = set()
    for r in range(1, len(table.rows)):
        row = table.values(r)
        if len(row) <= id_col or not row[id_col].strip():
            continue
        m = re.search(r"(\d+)\s*$", row[id_col])
        g = by_pid.get(m.group(1)) if m else None
        if g is None and name_col is not None and name_col < len(row):
            g = by_key.get(slug(row[name_col]))    # graded from a layout without participant numbers
        if g is None or g.student in used:
            shown = row[name_col] if name_col is not None and name_col < len(row) else ""
            lines.append(f"  worksheet row without a graded hand-in: {row[id_col]} {shown}".rstrip())
            continue
        used.add(g.student)
        table.set(r, grade_col, g.grade(out_of))
        if feedback_col is not None:
            table.set(r, feedback_col, g.comment(out_of))
    for g in scored:
        if g.student not in used:
            lines.append(f"  graded but not in the worksheet: {g.who()}")
    return table.text_out()


def _new_worksheet(scored: list, out_of, lines: list) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([_MOODLE_ID, _MOODLE_NAME, _MOODLE_GRADE, "Maximum Grade", _MOODLE_MODIFIED, _MOODLE_FEEDBACK])
    now = datetime.now().strftime("%Y-%m-%d %H:%M:%S")
    for g in scored:
        pid = _participant(g)
        if not pid:
            lines.append(f"  not in the worksheet: {g.who()}: no Moodle participant number (graded from a "
                         f"{g.lms or 'non-Moodle'} layout); pass --worksheet to match by full name")
            continue
        maximum = g.maximum if out_of is None else out_of
        writer.writerow([f"Participant {pid}", g.name, g.grade(out_of), f"{maximum:g}", now, g.comment(out_of)])
    return buf.getvalue()


def _feedback_zip(target: Path, out: Path, scored: list, lesson: str, lines: list) -> int:
    """Moodle's "Upload multiple feedback files in a zip": <download folder>/<lesson>-feedback.html."""
    count = 0
    tmp = target.with_name(f".{target.name}.tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for g in scored:
            folder = g.ids.get("folder") if _participant(g) else None
            page = out / g.feedback if g.feedback else None
            if not folder or page is None or not page.is_file():
                if _participant(g):
                    lines.append(f"  no feedback page for {g.who()}")
                continue
            folder = re.sub(r"[/\\]+", " ", folder)
            zf.write(page, f"{folder}/{lesson}-feedback.html")
            count += 1
    tmp.replace(target)
    return count


def export_moodle(lesson: str, worksheet=None, root=None, out=None, out_of: float | None = None) -> dict:
    """The grading worksheet and the feedback zip for Moodle; returns {"wrote": [...], "lines": [...]}."""
    graded, out, folder = _load(root, out, lesson)
    lines = []
    scored = _scored(graded, lines)
    text = _fill_worksheet(worksheet, scored, out_of, lines) if worksheet else _new_worksheet(scored, out_of, lines)
    sheet = folder / f"moodle-{lesson}-worksheet.csv"
    _write_bytes(sheet, text)
    pages = folder / f"moodle-{lesson}-feedback.zip"
    n = _feedback_zip(pages, out, scored, lesson, lines)
    lines.insert(0, f"moodle: {len(scored)} graded hand-ins of {lesson}, {n} feedback pages")
    return {"wrote": [str(sheet), str(pages)], "lines": lines}


# -- Canvas ----------------------------------------------------------------------------------

_CANVAS_ID = "ID"
_CANVAS_FIXED = {"Student", "ID", "SIS User ID", "SIS Login ID", "Integration ID", "Section", "Root Account"}


def _lesson_column(header: list, lesson: str, column: str | None, path) -> int:
    """The gradebook column of the lesson: --column, else the one whose header names the lesson."""
    if column:
        return _column(header, column, path)
    titles = [(i, re.sub(r"\s*\(\d+\)\s*$", "", h.strip())) for i, h in enumerate(header)
              if h.strip() not in _CANVAS_FIXED]
    exact = [i for i, t in titles if lesson.lower() in t.lower()]
    number = int(re.match(r"^(\d+)", lesson).group(1)) if re.match(r"^\d+", lesson) else None
    numbered = [i for i, t in titles if number is not None and re.search(rf"(?<!\d)0*{number}(?!\d)", t)]
    found = exact or numbered
    if len(found) != 1:
        which = ", ".join(repr(header[i].strip()) for i in found) or "none"
        raise GradeError(f"{path}: cannot tell which column is {lesson} (columns naming it: {which}); "
                         f"pass --column with the column's header")
    return found[0]


def export_canvas(lesson: str, gradebook, column: str | None = None, root=None, out=None,
                  out_of: float | None = None) -> dict:
    """The Canvas gradebook CSV with the lesson's column filled; returns {"wrote": [...], "lines": [...]}."""
    graded, out, folder = _load(root, out, lesson)
    lines = []
    scored = _scored(graded, lines)
    table = _read_csv(gradebook)
    header = table.values(0)
    id_col = _column(header, _CANVAS_ID, gradebook)
    col = _lesson_column(header, lesson, column, gradebook)
    by_user = {}
    for g in scored:
        uid = g.ids.get("user") if g.lms == "canvas" else None
        if uid:
            by_user[uid] = g
        else:
            lines.append(f"  not in the gradebook: {g.who()}: no Canvas user id (graded from a "
                         f"{g.lms or 'non-Canvas'} layout{', anonymous grading' if g.ids.get('anonymous') else ''})")
    filled = set()
    for r in range(1, len(table.rows)):
        row = table.values(r)
        first = row[0].strip() if row else ""
        if first == "Points Possible":
            possible = row[col].strip() if col < len(row) else ""
            maximum = scored[0].maximum if scored and out_of is None else out_of
            try:
                if maximum is not None and possible and abs(float(possible) - maximum) > 1e-9:
                    lines.append(f"  note: the column's Points Possible is {possible}, the grades are out of "
                                 f"{maximum:g}; pass --out-of {possible} to scale them")
            except ValueError:
                pass
            continue
        uid = row[id_col].strip() if id_col < len(row) else ""
        if not uid.isdigit():
            continue
        g = by_user.get(uid)
        if g is None:
            lines.append(f"  gradebook row without a graded hand-in: {first} (ID {uid})")
            continue
        table.set(r, col, g.grade(out_of))
        filled.add(uid)
    for uid, g in by_user.items():
        if uid not in filled:
            lines.append(f"  graded but not in the gradebook: {g.who()}")
    target = folder / f"canvas-{lesson}-gradebook.csv"
    _write_bytes(target, table.text_out())
    lines.insert(0, f"canvas: {len(filled)} grades of {lesson} in column {header[col].strip()!r}")
    return {"wrote": [str(target)], "lines": lines}


# -- plain CSV -------------------------------------------------------------------------------

def export_csv(lesson: str, root=None, out=None) -> dict:
    """One row per student of the lesson: who, where from, status, points per exercise, total, max."""
    graded, out, folder = _load(root, out, lesson)
    names = graded[0].names
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["student", "name", "lms", "lms_ids", "submitted", "status", *names, "total", "max"])
    for g in graded:
        ids = "; ".join(f"{k}={v}" for k, v in sorted(g.ids.items()) if v)
        points = [f"{g.points[n]:g}" if n in g.points else "" for n in names]
        total = f"{g.total:g}" if g.total is not None else ""
        writer.writerow([g.student, g.name, g.lms, ids, g.entry.get("submitted", ""), g.status, *points, total,
                         f"{g.maximum:g}"])
    target = folder / f"{lesson}.csv"
    atomic_write_text(target, buf.getvalue())
    lines = [f"csv: {len(graded)} students of {lesson}"] + \
        [f"  no score: {g.who()}: {g.status} ({g.reason})" for g in graded if g.total is None]
    return {"wrote": [str(target)], "lines": lines}
