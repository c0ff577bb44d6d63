"""Find the submitted notebooks in a folder or a .zip and map each to (student, lesson).

Rules (documented for instructors in the README):

1. nbgrader layout: a notebook at `.../<student>/<lesson>/<anything>.ipynb`, where <lesson> is a
   known lesson id, belongs to <student> (the folder name, exactly as nbgrader uses it).
2. Otherwise the file name says it (LMS downloads). The lesson is the known lesson id found in
   the name (`jdoe_01-neurons-and-logic-gates.ipynb`), else its number written as `lesson01`,
   `lesson_1`, `lesson-01`, or a two-digit token standing alone between `_`, `-`, `.`, spaces
   or the ends of the name (`01_jdoe.ipynb`). Two different lessons in one name: not mapped.
   The student is what is left of the name, split at `_`, without purely numeric tokens
   (LMS user and submission numbers) and LMS words (assignsubmission, file, onlinetext, late),
   joined with `-`, lower-cased, every character other than a-z, 0-9, `.`, `-` turned into `-`:
   `Jane Doe_1234_assignsubmission_file_01-...` -> `jane-doe`, `doejane_12345_67890_01-...`
   -> `doejane`.
3. Hidden files and folders, __MACOSX/ and .ipynb_checkpoints/ (LMS and Jupyter litter) are
   skipped, as are the grader's own autograded/ and feedback/ folders.
4. Two notebooks for the same student and lesson: the newest (modification time, then path)
   wins; the other is reported. Anything not mapped (no lesson, no student, not a notebook,
   a rejected zip member) is reported, never silently dropped.

Zip files are extracted member by member: absolute names, `..` components, links and members
beyond the size limits are rejected (and reported).
"""
from __future__ import annotations

import hashlib
import os
import re
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

__all__ = ["Submission", "Unmapped", "discover", "extract_zip", "map_filename", "sha256_of",
           "MAX_MEMBER_BYTES", "MAX_ZIP_BYTES", "MAX_MEMBERS"]

MAX_MEMBER_BYTES = 50 * 2**20     # a lesson notebook with figures is well under 5 MB
MAX_ZIP_BYTES = 2 * 2**30
MAX_MEMBERS = 20000
_IGNORED_PARTS = {"__MACOSX", ".ipynb_checkpoints", "__pycache__"}
_LMS_WORDS = {"assignsubmission", "file", "onlinetext", "late"}


@dataclass(frozen=True)
class Submission:
    student: str
    lesson: str
    path: Path        # where the notebook is now (inside the extraction dir for a zip)
    shown: str        # how to name it in reports (path relative to what the instructor gave)
    mtime: float


@dataclass(frozen=True)
class Unmapped:
    shown: str
    reason: str


def sha256_of(path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


# -- zip extraction ----------------------------------------------------------------------------

def _member_problem(info: zipfile.ZipInfo) -> str | None:
    name = info.filename.replace("\\", "/")
    parts = PurePosixPath(name).parts
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return "absolute path in the zip: not extracted"
    if ".." in parts:
        return "path leaves the extraction folder ('..'): not extracted"
    if stat.S_ISLNK(info.external_attr >> 16):
        return "symbolic link in the zip: not extracted"
    if info.file_size > MAX_MEMBER_BYTES:
        return f"larger than {MAX_MEMBER_BYTES // 2**20} MB: not extracted"
    return None


def extract_zip(zip_path, dest) -> list:
    """Extract the safe members of `zip_path` into `dest`; return [Unmapped] for the others.

    Sizes are enforced on the bytes actually read, not only on the sizes the zip declares.
    """
    dest = Path(dest).resolve()
    rejected, total = [], 0
    with zipfile.ZipFile(zip_path) as zf:
        infos = zf.infolist()
        if len(infos) > MAX_MEMBERS:
            raise ValueError(f"{zip_path}: {len(infos)} members (more than {MAX_MEMBERS}); not extracted")
        for info in infos:
            if info.is_dir():
                continue
            problem = _member_problem(info)
            if problem is None and total + info.file_size > MAX_ZIP_BYTES:
                problem = f"the zip's extracted size would exceed {MAX_ZIP_BYTES // 2**30} GB: not extracted"
            if problem:
                rejected.append(Unmapped(info.filename, problem))
                continue
            target = (dest / info.filename.replace("\\", "/")).resolve()
            if dest not in target.parents:
                rejected.append(Unmapped(info.filename, "path leaves the extraction folder: not extracted"))
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            written = 0
            with zf.open(info) as src, open(target, "wb") as out:
                for block in iter(lambda: src.read(1 << 20), b""):
                    written += len(block)
                    if written > MAX_MEMBER_BYTES:
                        break
                    out.write(block)
            if written > MAX_MEMBER_BYTES:
                target.unlink()
                rejected.append(Unmapped(info.filename, "larger than declared and the size limit: not extracted"))
                continue
            total += written
            # keep the upload time: "newest wins" between duplicates depends on it
            stamp = _zip_time(info)
            if stamp is not None:
                os.utime(target, (stamp, stamp))
    return rejected


def _zip_time(info):
    import time
    try:
        return time.mktime(info.date_time + (0, 0, -1))
    except (OverflowError, ValueError):
        return None


# -- file names -> (student, lesson) ----------------------------------------------------------

def _normalise_student(text: str) -> str:
    tokens = [t for t in re.split(r"_+", text) if t.strip()]
    kept = [t for t in tokens if not t.strip().isdigit() and t.strip().lower() not in _LMS_WORDS]
    student = re.sub(r"[^a-z0-9.\-]+", "-", "-".join(t.strip() for t in kept).lower())
    return re.sub(r"-{2,}", "-", student).strip("-.")


def _lesson_spans(stem: str, lessons) -> list:
    """[(lesson, start, end)] of every way a lesson shows up in the name (rule 2)."""
    low = stem.lower()
    found = [(lesson, m.start(), m.end()) for lesson in lessons
             for m in re.finditer(re.escape(lesson.lower()), low)]
    if found:
        return found
    numbers = {}
    for lesson in lessons:
        m = re.match(r"^(\d+)", lesson)
        if m:
            numbers.setdefault(int(m.group(1)), lesson)
    patterns = (r"lesson[\s_\-]*0*(\d+)(?!\d)", r"(?:^|(?<=[\s_\-.]))(\d{2})(?=$|[\s_\-.])")
    for pattern in patterns:
        hits = [(numbers[int(m.group(1))], m.start(), m.end()) for m in re.finditer(pattern, low)
                if int(m.group(1)) in numbers]
        if hits:
            return hits
    return []


def map_filename(name: str, lessons) -> tuple:
    """(student, lesson, None) from an LMS file name, or (None, None, why not)."""
    stem = name[:-len(".ipynb")] if name.lower().endswith(".ipynb") else name
    spans = _lesson_spans(stem, lessons)
    which = {lesson for lesson, _, _ in spans}
    if not which:
        return None, None, "no known lesson id or lesson number in the file name"
    if len(which) > 1:
        return None, None, f"the name matches several lessons ({', '.join(sorted(which))})"
    lesson, start, end = spans[0]
    student = _normalise_student(stem[:start] + "_" + stem[end:])
    if not student:
        return None, None, f"lesson {lesson} but no student name in the file name"
    return student, lesson, None


def _map_path(rel: PurePosixPath, lessons) -> tuple:
    parts = rel.parts
    if len(parts) >= 3 and parts[-2] in lessons:
        return parts[-3], parts[-2], None
    return map_filename(parts[-1], lessons)


# -- discovery ------------------------------------------------------------------------------

def _candidates(folder: Path, exclude=()):
    skip = {Path(p).resolve() for p in exclude}
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if d not in _IGNORED_PARTS and not d.startswith(".")
                             and (Path(dirpath) / d).resolve() not in skip)
        for name in sorted(filenames):
            if not name.startswith("."):
                yield Path(dirpath) / name


def discover(folder, lessons, shown_prefix: str = "", exclude=()) -> tuple:
    """([Submission], [Unmapped]) for every file under `folder` (already extracted).

    Hidden files and folders, __MACOSX/, .ipynb_checkpoints/ and the folders in `exclude`
    (the grader's own output, when it lies inside `folder`) are not looked at.
    """
    folder = Path(folder)
    lessons = list(lessons)
    chosen, unmapped = {}, []
    for path in _candidates(folder, exclude):
        rel = PurePosixPath(path.relative_to(folder).as_posix())
        shown = shown_prefix + str(rel)
        if path.is_symlink() or not path.is_file():
            unmapped.append(Unmapped(shown, "not a regular file"))
            continue
        if path.suffix.lower() != ".ipynb":
            unmapped.append(Unmapped(shown, "not a notebook (.ipynb)"))
            continue
        student, lesson, why = _map_path(rel, lessons)
        if why:
            unmapped.append(Unmapped(shown, why))
            continue
        sub = Submission(student, lesson, path, shown, path.stat().st_mtime)
        key = (student, lesson)
        old = chosen.get(key)
        if old is None:
            chosen[key] = sub
            continue
        newer, older = (sub, old) if (sub.mtime, sub.shown) > (old.mtime, old.shown) else (old, sub)
        chosen[key] = newer
        unmapped.append(Unmapped(older.shown, f"another notebook of {student} for {lesson} is newer: "
                                              f"{newer.shown} was graded"))
    return sorted(chosen.values(), key=lambda s: (s.lesson, s.student)), unmapped
