"""Find the submitted notebooks in a folder or a .zip and map each to (student, lesson).

Rules (documented for instructors in the README):

1. Who: the LMS layout the file sits in says it (lms.py: Moodle flat and in folders, Canvas,
   Blackboard Learn with its receipts, Brightspace, Gradescope's export, nbgrader's
   `<student>/<lesson>/` folders); the student's own file name never becomes part of the
   student id. A file in none of these layouts is named after its student: what is left of the
   name without the lesson, a copy marker ` (2)`, purely numeric parts and LMS words.
2. Which lesson: with one `--lesson ID`, every file is that lesson's (nbgrader's lesson
   folders excepted). Otherwise nbgrader's lesson folder; else the lesson id or number written in
   the name (Blackboard's assignment part first, then the student's own file name); else, for a
   file in an LMS layout, the lesson whose nbgrader cell ids the notebook holds. A lesson this
   run does not grade, two lessons in one name, or no lesson at all: not mapped, and said so.
3. Hidden files and folders, __MACOSX/ and .ipynb_checkpoints/ (LMS and Jupyter litter) are
   skipped, as are the grader's own autograded/ and feedback/ folders and the files an LMS adds
   beside the hand-ins (Blackboard receipts, Gradescope's metadata, Brightspace's index.html,
   nbgrader's timestamp.txt).
4. Several notebooks for the same student and lesson: the newest wins (the LMS's own time or
   attempt number where the name carries one, else the modification time, then the path); the
   others are reported. Two Moodle participants with the same name are kept apart by their
   participant numbers, and a note says so. Anything not mapped is reported, never dropped.

Zip files are extracted member by member: absolute names, `..` components, links and members
beyond the size limits are rejected (and reported).
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .lms import Context, HandIn, identify, is_metadata, read_context, slug

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
    lms: str = "file"         # the layout that named the student (lms.py)
    name: str = ""            # the student as the LMS wrote them
    ids: tuple = ()           # the LMS's per-assignment identifiers ((field, value), ...)
    order: float | None = None   # the LMS's own time or attempt number of the hand-in

    def identity(self) -> dict:
        """What the exports need to find this hand-in again in the LMS (kept in the state)."""
        return {"lms": self.lms, "name": self.name, "ids": dict(self.ids)}


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


# -- lessons: from names and from the notebook's own cells -----------------------------------

_COPY_MARK = re.compile(r"\s*\(\d+\)$")     # "name (2)": a second copy saved by Jupyter or the OS


def _lesson_spans(stem: str, lessons) -> list:
    """[(lesson, start, end)] of every way a lesson shows up in the name."""
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
    patterns = (r"lesson[\s_\-]*0*(\d+)(?!\d)", r"(?:^|(?<=[\s_\-.]))(\d{2})(?=$|[\s_\-.(])")
    for pattern in patterns:
        hits = [(numbers[int(m.group(1))], m.start(), m.end()) for m in re.finditer(pattern, low)
                if int(m.group(1)) in numbers]
        if hits:
            return hits
    return []


def _stem(name: str) -> str:
    stem = name[:-len(".ipynb")] if name.lower().endswith(".ipynb") else name
    return _COPY_MARK.sub("", stem)


def lesson_in_name(text: str, lessons) -> tuple:
    """(lesson, None), (None, None) when the name says none, or (None, why) for several."""
    which = {lesson for lesson, _, _ in _lesson_spans(_stem(text), lessons)}
    if len(which) > 1:
        return None, f"the name matches several lessons ({', '.join(sorted(which))})"
    return (which.pop() if which else None), None


def distinctive_cells(lesson_cells: dict) -> dict:
    """{lesson: the nbgrader cell ids no other lesson has} (shared ones like "setup" say nothing)."""
    out = {}
    for lesson, ids in lesson_cells.items():
        others = set().union(*(v for k, v in lesson_cells.items() if k != lesson)) if len(lesson_cells) > 1 else set()
        out[lesson] = set(ids) - others
    return out


def lesson_from_cells(path: Path, distinctive: dict) -> str | None:
    """The lesson whose own cell ids the notebook holds most of (None when unclear or unreadable)."""
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError, RecursionError, MemoryError):
        return None
    cells = data.get("cells") if isinstance(data, dict) else None
    ids = set()
    for cell in cells if isinstance(cells, list) else []:
        meta = cell.get("metadata") if isinstance(cell, dict) else None
        meta = meta.get("nbgrader") if isinstance(meta, dict) else None
        gid = meta.get("grade_id") if isinstance(meta, dict) else None
        if isinstance(gid, str):
            ids.add(gid)
    counts = sorted(((len(ids & own), lesson) for lesson, own in distinctive.items()), reverse=True)
    if not counts or counts[0][0] == 0 or (len(counts) > 1 and counts[1][0] == counts[0][0]):
        return None
    return counts[0][1]


# -- one file -> (student, lesson) ---------------------------------------------------------------

def _normalise_student(text: str) -> str:
    tokens = [t.strip() for t in re.split(r"_+", text) if t.strip()]
    kept = [t for t in tokens if not t.isdigit() and t.lower() not in _LMS_WORDS]
    return slug("-".join(kept))


def _by_name(name: str, known, forced) -> tuple:
    """(student, lesson, why) of a file in no LMS layout: the name says both."""
    stem = _stem(name)
    spans = _lesson_spans(stem, known)
    which = {lesson for lesson, _, _ in spans}
    if len(which) > 1 and not forced:
        return None, None, f"the name matches several lessons ({', '.join(sorted(which))})"
    if not which and not forced:
        return None, None, "no known lesson id or lesson number in the file name"
    lesson = forced or spans[0][0]
    rest = stem
    for _, start, end in sorted(spans, key=lambda s: -s[1]):
        rest = rest[:start] + "_" + rest[end:]
    student = _normalise_student(rest)
    if not student:
        return None, None, f"lesson {lesson} but no student name in the file name"
    return student, lesson, None


def _lesson_of(hand: HandIn, rel: PurePosixPath, path: Path, known, forced, distinctive) -> tuple:
    """(lesson, why) of a hand-in whose student an LMS layout gave."""
    if hand.lms == "nbgrader":
        return rel.parts[-2], None
    if forced:
        return forced, None
    for text in (hand.hint, hand.original):
        lesson, why = lesson_in_name(text, known) if text else (None, None)
        if lesson:
            return lesson, None
    lesson = lesson_from_cells(path, distinctive) if path.suffix.lower() == ".ipynb" else None
    if lesson:
        return lesson, None
    return None, "no lesson: neither the file name nor the notebook's cells name a known lesson"


def map_filename(name: str, lessons) -> tuple:
    """(student, lesson, None) from a file name alone, or (None, None, why not)."""
    hands = identify(PurePosixPath(name), Context(), lessons)
    if not hands:
        return _by_name(name, lessons, None)
    for text in (hands[0].hint, hands[0].original):
        lesson, why = lesson_in_name(text, lessons) if text else (None, None)
        if why:
            return None, None, why
        if lesson:
            return hands[0].key, lesson, None
    return None, None, "no known lesson id or lesson number in the file name"


# -- discovery ------------------------------------------------------------------------------

def _candidates(folder: Path, exclude=()):
    skip = {Path(p).resolve() for p in exclude}
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if d not in _IGNORED_PARTS and not d.startswith(".")
                             and (Path(dirpath) / d).resolve() not in skip)
        for name in sorted(filenames):
            if not name.startswith("."):
                yield Path(dirpath) / name


def _map_one(path: Path, rel: PurePosixPath, shown: str, context: Context, lessons, known, forced,
             distinctive) -> tuple:
    """([Submission], why) for one notebook file."""
    hands = identify(rel, context, known)
    if not hands:
        student, lesson, why = _by_name(rel.name, known, forced)
        hands = [HandIn("file", student, original=rel.name)] if student else []
    else:
        lesson, why = _lesson_of(hands[0], rel, path, known, forced, distinctive)
    if why:
        return [], why
    if lesson not in lessons:
        return [], f"lesson {lesson}, which this run does not grade (--lesson)"
    mtime = path.stat().st_mtime
    return [Submission(h.key, lesson, path, shown, mtime, h.lms, h.name, h.ids, h.order) for h in hands], None


def _keep_namesakes_apart(subs: list, notes: list) -> list:
    """Two Moodle participants with one name in one lesson's download: key them by participant too."""
    pids = {}
    for s in subs:
        if s.lms == "moodle":
            pids.setdefault((s.student, s.lesson), set()).add(dict(s.ids).get("participant"))
    clash = {k for k, v in pids.items() if len(v) > 1}
    out = []
    for s in subs:
        if (s.student, s.lesson) in clash:
            pid = dict(s.ids)["participant"]
            notes.append(f"two Moodle participants named {s.name} in {s.lesson}: participant {pid} "
                         f"is graded as {s.student}-{pid}")
            s = Submission(f"{s.student}-{pid}", s.lesson, s.path, s.shown, s.mtime, s.lms, s.name, s.ids, s.order)
        out.append(s)
    return out


def _newest_first(sub: Submission) -> tuple:
    return (sub.order is not None, sub.order or 0.0, sub.mtime, sub.shown)


def discover(folder, lessons, shown_prefix: str = "", exclude=(), *, known=None, forced=None,
             lesson_cells=None, notes=None) -> tuple:
    """([Submission], [Unmapped]) for every file under `folder` (already extracted).

    lessons: the lessons this run grades; known: every lesson of the course (default: lessons);
    forced: the one lesson every file belongs to (`--lesson ID`); lesson_cells: {lesson: its
    nbgrader cell ids}, to tell a notebook's lesson from its cells; notes: a list that receives
    remarks that are not problems (namesakes kept apart). Hidden files and folders, __MACOSX/,
    .ipynb_checkpoints/, the folders in `exclude` (the grader's own output, when it lies inside
    `folder`) and the LMS's own metadata files are not reported.
    """
    folder = Path(folder)
    lessons = list(lessons)
    known = list(known) if known else lessons
    distinctive = distinctive_cells(lesson_cells or {})
    files = [(PurePosixPath(p.relative_to(folder).as_posix()), p) for p in _candidates(folder, exclude)]
    context = read_context([(r, p) for r, p in files if p.is_file() and not p.is_symlink()])
    found, unmapped = [], []
    for rel, path in files:
        shown = shown_prefix + str(rel)
        if path.is_symlink() or not path.is_file():
            unmapped.append(Unmapped(shown, "not a regular file"))
            continue
        if is_metadata(rel, context):
            continue
        if path.suffix.lower() != ".ipynb":
            unmapped.append(Unmapped(shown, "not a notebook (.ipynb)"))
            continue
        subs, why = _map_one(path, rel, shown, context, lessons, known, forced, distinctive)
        if why:
            unmapped.append(Unmapped(shown, why))
        found.extend(subs)
    found = _keep_namesakes_apart(found, notes if notes is not None else [])
    chosen = {}
    for sub in found:
        key = (sub.student, sub.lesson)
        old = chosen.get(key)
        if old is None:
            chosen[key] = sub
            continue
        newer, older = (sub, old) if _newest_first(sub) > _newest_first(old) else (old, sub)
        chosen[key] = newer
        unmapped.append(Unmapped(older.shown, f"another notebook of {sub.student} for {sub.lesson} is newer: "
                                              f"{newer.shown} was graded"))
    return sorted(chosen.values(), key=lambda s: (s.lesson, s.student)), unmapped
