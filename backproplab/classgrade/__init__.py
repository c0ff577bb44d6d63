"""Grade a whole class: a folder or .zip of submissions -> grades.csv, feedback, gradebook.

    from backproplab.classgrade import grade_class
    summary = grade_class("downloads/submissions.zip", jobs=2)

The parent process (this module) maps the submissions, schedules one worker process per
submission (concurrent.futures, --jobs N) and is the only writer of everything in the output
folder: the state file, grades.csv, summary.txt, autograded/<student>/<lesson>/<lesson>.ipynb,
feedback/<student>/<lesson>/<lesson>.html, and nbgrader's gradebook. Each finished result is
persisted at once (state.py), so an interrupted run loses nothing already graded and a rerun
grades only new or changed submissions.
"""
from __future__ import annotations

import os
from contextlib import contextmanager
import shutil
import tempfile
import zipfile
from concurrent.futures import ProcessPoolExecutor, as_completed
from datetime import datetime, timezone
from multiprocessing import get_context
from pathlib import Path

import nbformat

from . import assemble, gradebook, misconceptions, report
from .jail import Jail, choose, compile_package, font_cache, kernel_answers, parse_size
from .mapping import Unmapped, discover, extract_zip, sha256_of
from .state import STATE_NAME, State, atomic_write_text
from .worker import grade_submission, watch_parent

__all__ = ["grade_class", "GradeError", "CRASH_ENV"]

# From this many submissions per worker the run computes the checks' answers once for every
# kernel (jail.kernel_answers): about 1.3 s before the first kernel, about 0.5 s saved in each.
ANSWERS_FROM = 3

# Fault injection for the tests: the parent exits abruptly after persisting this many results.
CRASH_ENV = "BACKPROPLAB_GRADE_CRASH_AFTER"


class GradeError(RuntimeError):
    """The run cannot start (no such folder, unknown lesson, ...)."""


def _lessons(root: Path, wanted) -> list:
    from ..grading import lesson_ids
    known = lesson_ids(root)
    if not known:
        raise GradeError(f"no lessons in {root / 'solutions'}")
    if not wanted:
        return known
    unknown = sorted(set(wanted) - set(known))
    if unknown:
        raise GradeError(f"unknown lesson {', '.join(unknown)}; known lessons: {', '.join(known)}")
    return sorted(set(wanted))


def _lesson_info(root: Path, lessons) -> tuple:
    """Source notebooks, exercise names per lesson (notebook order) and maximum points."""
    sources, names, maxima = {}, {}, {}
    for lesson in lessons:
        nb = nbformat.read(str(root / "solutions" / lesson / f"{lesson}.ipynb"), as_version=4)
        sources[lesson] = nb
        tests = [c for c in nb.cells if assemble.nbgrader_meta(c).get("grade") and c.cell_type == "code"
                 and not assemble.nbgrader_meta(c).get("solution")]
        names[lesson] = [assemble.exercise_of(c) or assemble.grade_id(c) for c in tests]
        maxima[lesson] = sum(float(assemble.nbgrader_meta(c).get("points", 0) or 0) for c in tests)
    return sources, names, maxima


def _collect(submissions: Path, lessons, scratch: Path, out: Path, **how) -> tuple:
    """Map the submissions (folder or .zip); `how` goes to discover (known, forced, lesson_cells, notes)."""
    if not submissions.exists():
        raise GradeError(f"no such file or folder: {submissions}")
    if submissions.is_dir():
        # `backproplab grade grading/` must not grade its own autograded notebooks
        return discover(submissions, lessons, exclude=[out / "autograded", out / "feedback"], **how)
    if zipfile.is_zipfile(submissions):
        folder = scratch / "unzipped"
        folder.mkdir()
        rejected = extract_zip(submissions, folder)
        found, unmapped = discover(folder, lessons, shown_prefix=f"{submissions.name}:", **how)
        return found, [Unmapped(f"{submissions.name}:{u.shown}", u.reason) for u in rejected] + unmapped
    raise GradeError(f"{submissions} is neither a folder nor a .zip file")


def _job(sub, root: Path, scratch: Path, timeout: float, n: int, jail: Jail, fonts) -> dict:
    return {"student": sub.student, "lesson": sub.lesson, "path": str(sub.path),
            "source": str(root / "solutions" / sub.lesson / f"{sub.lesson}.ipynb"),
            "release": str(root / "lessons" / sub.lesson / f"{sub.lesson}.ipynb"),
            "timeout": timeout, "scratch": str(scratch / f"job-{n}"), "jail": jail.to_dict(), "fonts": fonts,
            "answers": None}


def _store_files(result: dict, out: Path, student: str, lesson: str) -> dict:
    """Copy the worker's notebook and feedback into the output folder; keep relative paths."""
    stored = {}
    for kind, folder, suffix in (("notebook", "autograded", ".ipynb"), ("feedback", "feedback", ".html")):
        src = result.pop(kind, None)
        target = out / folder / student / lesson / f"{lesson}{suffix}"
        if not src:
            if target.is_file():   # left from an earlier version of this submission
                target.unlink()
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.tmp")
        shutil.copyfile(src, tmp)
        os.replace(tmp, target)
        stored[kind] = str(target.relative_to(out))
    return stored


def _crash_after() -> int | None:
    value = os.environ.get(CRASH_ENV)
    return int(value) if value else None


def _run_jobs(todo, state: State, out: Path, jobs: int, progress) -> int:
    """Grade `todo` [(submission, sha, job)] in worker processes; persist each result at once."""
    crash_after, done = _crash_after(), 0
    with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("spawn"),
                             initializer=watch_parent) as pool:
        futures = {pool.submit(grade_submission, job): (sub, sha) for sub, sha, job in todo}
        for future in as_completed(futures):
            sub, sha = futures[future]
            try:
                result = future.result()
            except Exception as exc:  # noqa: BLE001 - a worker process died: retried next run
                result = {"status": "error", "reason": f"worker process failed: {type(exc).__name__}: {exc}",
                          "cells": [], "manual": []}
            files = _store_files(result, out, sub.student, sub.lesson)
            state.put(sub.student, sub.lesson, {
                "sha256": sha, "submitted": sub.shown, "lms": sub.identity(), "result": result, "files": files,
                "graded_at": datetime.now(timezone.utc).isoformat(timespec="microseconds"), "gradebook": None})
            done += 1
            progress.step(f"{sub.student} {sub.lesson}: {result['status']}")
            if crash_after is not None and done >= crash_after:
                os._exit(70)
    return done


@contextmanager
def _venv_path():
    """nbgrader's Gradebook starts `alembic` from PATH: the venv's bin first, as nbgrader_env()."""
    from ..grading import nbgrader_env
    old = os.environ.get("PATH")
    os.environ["PATH"] = nbgrader_env()["PATH"]
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("PATH", None)
        else:
            os.environ["PATH"] = old


def _sync_gradebook(db_path: Path, state: State, lessons, sources) -> str | None:
    """Write results the gradebook does not have yet (a backup first). Returns the backup path."""
    stale = [(k, e) for k, e in state.entries.items()
             if e["sha256"] != e.get("gradebook") and k.split("/")[-1] in lessons
             and e["result"]["status"] != "error"]
    if not stale:
        return None
    saved = gradebook.backup(db_path)
    items = [(k.rsplit("/", 1)[0], k.rsplit("/", 1)[1], e["result"]) for k, e in stale]
    with _venv_path():
        gradebook.write_results(db_path, items, sources)
    for _, entry in stale:
        entry["gradebook"] = entry["sha256"]
    state.save()
    return str(saved) if saved else None


def _remember_identities(state: State, unchanged: list) -> None:
    """An unchanged hand-in may come from a new download: keep its LMS identifiers current."""
    stale = [s for s in unchanged if (state.get(s.student, s.lesson) or {}).get("lms") != s.identity()
             or state.get(s.student, s.lesson).get("submitted") != s.shown]
    for sub in stale:
        state.get(sub.student, sub.lesson).update(lms=sub.identity(), submitted=sub.shown)
    if stale:
        state.save()


def _cell_ids(sources: dict) -> dict:
    """{lesson: the nbgrader cell ids of its source notebook} (to tell a notebook's lesson)."""
    return {lesson: {assemble.grade_id(c) for c in nb.cells if assemble.grade_id(c)} for lesson, nb in sources.items()}


def grade_class(submissions, lessons=None, jobs: int = 2, out=None, root=None, timeout: float = 60,
                progress: bool = True, sandbox: str = "auto", memory="4G", figures: bool = False) -> dict:
    """Grade every mapped submission; return the summary as a dict.

    submissions: a folder (nbgrader's submitted/ layout or flat LMS files) or a .zip.
    lessons: restrict to these lesson ids (default: every lesson in solutions/); exactly one
        lesson means every file of the download is that lesson's (`--lesson ID`).
    out: output folder (default <root>/grading). The gradebook is <root>/grading/gradebook.db.
    sandbox: "auto" (bubblewrap when it works here), "bwrap" (insist), "none" (see jail.py).
    memory: address space per kernel ("4G"; 0 = no limit). figures: render plots in feedback.
    """
    from ..grading import course_root
    root = Path(root or course_root()).resolve()
    out = Path(out).resolve() if out else root / "grading"
    if jobs < 1:
        raise GradeError(f"--jobs must be at least 1, got {jobs}")
    if timeout <= 0:
        raise GradeError(f"--timeout must be positive seconds, got {timeout}")
    forced = lessons[0] if lessons and len(set(lessons)) == 1 else None
    lessons = _lessons(root, lessons)
    jail = choose(sandbox, parse_size(memory),
                  hidden=[root / "solutions", root / "grading", out, Path(submissions), Path.home()],
                  figures=figures)
    fonts = font_cache()
    everything = _lessons(root, None)   # grades.csv keeps the rows of lessons not graded now
    sources, names, maxima = _lesson_info(root, everything)
    out.mkdir(parents=True, exist_ok=True)
    state = State(out / STATE_NAME)
    scratch = Path(tempfile.mkdtemp(prefix="backproplab-grade-"))
    try:
        notes = []
        found, unmapped = _collect(Path(submissions), lessons, scratch, out, known=everything, forced=forced,
                                   lesson_cells=_cell_ids(sources), notes=notes)
        todo, kept = [], []
        for n, sub in enumerate(found):
            sha = sha256_of(sub.path)
            if state.is_current(sub.student, sub.lesson, sha):
                kept.append(sub)
            else:
                todo.append((sub, sha, _job(sub, root, scratch, timeout, n, jail, fonts)))
        unchanged = len(kept)
        _remember_identities(state, kept)
        if todo:
            compile_package()
        if len(todo) >= ANSWERS_FROM * jobs:
            answers = kernel_answers(scratch)
            for _, _, job in todo:
                job["answers"] = answers
        bar = report.Progress(len(todo), enabled=progress)
        graded_now = _run_jobs(todo, state, out, jobs, bar) if todo else 0
        if graded_now:
            state.save()        # the journal of this run, folded into the state file
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    db_path = root / "grading" / "gradebook.db"
    gradebook_problem = None
    try:
        backup = _sync_gradebook(db_path, state, lessons, sources)
    except Exception as exc:  # noqa: BLE001 - grades.csv and the state are kept; the next run retries
        backup = None
        gradebook_problem = (f"gradebook: NOT updated, {db_path} could not be written "
                             f"({type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}); "
                             f"grades.csv is complete, the next run retries; earlier copies are in "
                             f"{db_path.parent / 'gradebook-backups'}")
    entries = [(k.rsplit("/", 1)[0], k.rsplit("/", 1)[1], e["result"]) for k, e in state.entries.items()
               if k.rsplit("/", 1)[1] in everything]
    report.grades_csv(out / "grades.csv", entries, names, maxima)
    lines = report.summary_lines(entries, unmapped, graded_now, unchanged) + [f"  note: {n}" for n in notes]
    lines += misconceptions.write(out, entries, names, lessons)   # report.html, misconceptions.csv
    lines.append(jail.describe())
    if gradebook_problem:
        lines.append(gradebook_problem)
    atomic_write_text(out / "summary.txt", "\n".join(lines) + "\n")
    return {"lines": lines, "graded_now": graded_now, "unchanged": unchanged,
            "regraded": sorted(f"{s.student}/{s.lesson}" for s, _, _ in todo),
            "unmapped": [(u.shown, u.reason) for u in unmapped], "backup": backup, "sandbox": jail.kind,
            "grades_csv": str(out / "grades.csv"), "out": str(out),
            "failed": [(s, l, r["reason"]) for s, l, r in entries if r["status"] != "graded"]}
