"""Write autograded scores into nbgrader's gradebook (the parent process only).

Instructors keep their nbgrader habits: formgrader, `nbgrader export` and `nbgrader
generate_feedback` read the gradebook (and grading/autograded/). For each graded submission the
student and the submission are created if missing, and each autograded cell's Grade gets
auto_score, with needs_manual_grade set as nbgrader's autograde sets it. The lesson's
assignment, notebook and cells are created from the source when the gradebook lacks them
(a gradebook that never saw `nbgrader generate_assignment`). Before a run writes, the gradebook
file is copied to grading/gradebook-backups/gradebook-<UTC time>.db.
"""
from __future__ import annotations

import shutil
import warnings
from datetime import datetime, timezone
from pathlib import Path

from . import assemble

__all__ = ["backup", "write_results", "COURSE_ID"]

COURSE_ID = "backproplab"   # grading/nbgrader_config.py: CourseDirectory.course_id


def backup(db_path) -> Path | None:
    """Copy the gradebook aside (None when there is none yet)."""
    db_path = Path(db_path)
    if not db_path.is_file():
        return None
    folder = db_path.parent / "gradebook-backups"
    folder.mkdir(exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    target = folder / f"{db_path.stem}-{stamp}{db_path.suffix}"
    shutil.copy2(db_path, target)
    return target


def _ensure_lesson(gb, lesson: str, source_nb) -> None:
    from nbgrader.api import MissingEntry
    gb.update_or_create_assignment(lesson)
    try:
        gb.find_notebook(lesson, lesson)
        return      # released with nbgrader: its cells are there already
    except MissingEntry:
        gb.add_notebook(lesson, lesson)
    for cell in source_nb.cells:
        meta = assemble.nbgrader_meta(cell)
        gid = meta.get("grade_id")
        if meta.get("grade"):
            gb.add_grade_cell(gid, lesson, lesson, max_score=float(meta.get("points", 0) or 0),
                              cell_type=cell.cell_type)
        if meta.get("solution"):
            gb.add_solution_cell(gid, lesson, lesson)


def _submission(gb, lesson: str, student: str):
    from nbgrader.api import MissingEntry
    gb.update_or_create_student(student)
    try:
        return gb.find_submission(lesson, student)
    except MissingEntry:
        return gb.add_submission(lesson, student)


def _sa_warning():
    try:
        from sqlalchemy.exc import SAWarning
        return SAWarning
    except ImportError:  # pragma: no cover - nbgrader depends on SQLAlchemy
        return Warning


def write_results(db_path, items, source_nbs: dict) -> list:
    """Write [(student, lesson, result)] into the gradebook at db_path; return the keys written.

    Results with no cell scores (an unreadable notebook) are not written: they are in the
    summary and grades.csv instead.
    """
    from nbgrader.api import Gradebook, MissingEntry
    written = []
    with warnings.catch_warnings(), Gradebook(f"sqlite:///{db_path}", course_id=COURSE_ID) as gb:
        # nbgrader's add_submission trips SQLAlchemy's autoflush warning (as in its autograde)
        warnings.simplefilter("ignore", category=_sa_warning())
        for lesson in sorted({lesson for _, lesson, r in items if r["cells"]}):
            _ensure_lesson(gb, lesson, source_nbs[lesson])
        for student, lesson, result in items:
            if not result["cells"]:
                continue
            _submission(gb, lesson, student)
            for cell in result["cells"]:
                try:
                    grade = gb.find_grade(cell["grade_id"], lesson, lesson, student)
                except MissingEntry:
                    continue    # a cell the released lesson did not have: nothing to fill
                grade.auto_score = cell["points"]
                grade.needs_manual_grade = grade.manual_score is not None
            gb.db.commit()
            written.append((student, lesson))
    return written
