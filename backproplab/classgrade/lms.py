"""Who handed a file in, read from the structure each LMS gives its download.

Each LMS writes the student's identity into fixed fields of the names it gives the files (or
into a metadata file), and keeps the student's own file name only as the last part. This module
reads those fields and never takes the student's own file name as part of an identity. For
every layout it returns a HandIn: the LMS, the student key (the field that stays the same for
one student across assignments), the name as the LMS wrote it, the student's own file name
(where the lesson may still be read), the LMS's per-assignment identifiers (kept for the
exports) and the LMS's own time or attempt number when the name carries one.

Layouts (where each is described: README "How files are matched to students and lessons"):

- Moodle, flat: `<Full name>_<participant id>_assignsubmission_<plugin>_<original name>`;
  "in folders": `<Full name>_<participant id>_assignsubmission_<plugin>[_]/<original name>`
  (trailing `_` before Moodle 4.1). Moodle replaces `_` in names by spaces, so the name is
  the text before the first `_`. Key: the full name (the participant id is new for every
  assignment).
- Canvas: `<login>[_LATE|_late]_<user id>_<file id>_<original name>`, or with anonymous
  grading `[LATE_]anon_<anonymous id>_<file id>_<original name>`. Key: the user id.
- Blackboard Learn: `<Assignment>_<username>_attempt_<YYYY-MM-DD-HH-MM-SS>_<original name>`
  with a receipt `<Assignment>_<username>_attempt_<time>.txt` whose "Name: First Last
  (username)" line gives the username exactly. Key: the username.
- Brightspace (D2L): `<n>-<m> - <First Last> - <Mon D, YYYY HHMM AM>` as a folder holding the
  original files, or as a prefix `... - <original name>` of a flat file. Key: the name.
- Gradescope export: `submission_metadata.yml` beside `submission_<id>/` folders; the
  metadata's submitters (name, sid, email) of each folder. Key: the email (else sid, else name).
- nbgrader: `<student>/<lesson>/<any name>.ipynb`. Key: the student folder.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath

__all__ = ["HandIn", "Context", "identify", "slug", "read_context", "is_metadata"]

METADATA_BYTES = 4 * 2**20      # a receipt or a Gradescope metadata file is a few kB per student


@dataclass(frozen=True)
class HandIn:
    lms: str                  # "moodle", "canvas", "blackboard", "brightspace", "gradescope", "nbgrader", "file"
    key: str                  # the student id used everywhere (grades.csv, feedback/, the gradebook)
    name: str = ""            # the student as the LMS wrote them (display only)
    original: str = ""        # the student's own file name: the lesson may be read there, never the student
    hint: str = ""            # LMS text naming the assignment (Blackboard), read for the lesson before `original`
    ids: tuple = ()           # ((field, value), ...): the LMS's per-assignment identifiers, for the exports
    order: float | None = None  # the LMS's own time (or attempt number) of the hand-in, when the name has one
    late: bool = False


@dataclass
class Context:
    """What the download says besides its file names: Blackboard receipts, Gradescope metadata."""
    receipts: dict = field(default_factory=dict)     # receipt stem -> (username, name)
    gradescope: dict = field(default_factory=dict)   # folder (relative, posix) -> [submitter dict]
    gradescope_time: dict = field(default_factory=dict)


def slug(text: str) -> str:
    """A student key from a name: NFC, case-folded, runs of other characters than letters,
    digits (any script) and `.` turned into `-` ("Zoë Ünal" -> "zoë-ünal", "李雷" -> "李雷")."""
    text = unicodedata.normalize("NFC", text).casefold()
    text = re.sub(r"[^\w.]+|_+", "-", text)
    return re.sub(r"-{2,}", "-", text).strip("-.")


# -- the layouts' patterns -------------------------------------------------------------------

_MOODLE_DIR = re.compile(r"^(?P<name>[^_]+)_(?P<pid>\d+)_(?P<plugin>assignsubmission_[a-z0-9]+)_?$")
_MOODLE_FILE = re.compile(r"^(?P<name>[^_]+)_(?P<pid>\d+)_(?P<plugin>assignsubmission_[a-z0-9]+)_(?P<orig>.+)$")
_CANVAS = re.compile(r"^(?P<login>[^_].*?)_(?:(?P<late>LATE|late)_)?(?P<uid>\d+)_(?P<fid>\d+)_(?P<orig>.+)$")
_CANVAS_ANON = re.compile(r"^(?:(?P<late>LATE|late)_)?anon_(?P<anon>[0-9A-Za-z]+)_(?P<fid>\d+)_(?P<orig>.+)$")
_BB_TIME = r"\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}"
_BLACKBOARD = re.compile(rf"^(?P<head>.+?)_attempt_(?P<ts>{_BB_TIME})(?:_(?P<orig>.+))?$")
_BB_NAME = re.compile(r"^\s*\w[^:\n]*:\s*(?P<name>.*?)\s*\((?P<user>[^()\s]+)\)\s*$", re.M)
_D2L_DATE = r"[^\W\d_]{3,9}\.? \d{1,2}, \d{4},? \d{1,2}:?\d{2}(?: ?[AaPp]\.?[Mm]\.?)?"
_D2L_DIR = re.compile(rf"^(?P<sub>\d+-\d+) - (?P<name>.+?) - (?P<date>{_D2L_DATE})$")
_D2L_FILE = re.compile(rf"^(?P<sub>\d+-\d+) - (?P<name>.+?) - (?P<date>{_D2L_DATE}) - (?P<orig>.+)$")
_GRADESCOPE_DIR = re.compile(r"^submission_\d+$")
GRADESCOPE_META = "submission_metadata.yml"


def is_metadata(rel: PurePosixPath, context: Context) -> bool:
    """A file the LMS adds beside the submissions (not a hand-in, not reported)."""
    name = rel.name
    if name.lower().endswith(".txt") and name[:-4] in context.receipts:
        return True     # Blackboard receipt
    if name == GRADESCOPE_META and rel.parent.as_posix() in {str(PurePosixPath(k).parent) for k in context.gradescope}:
        return True
    if name == "index.html" and len(rel.parts) <= 2:
        return True     # Brightspace's table of the download
    return name == "timestamp.txt" and len(rel.parts) >= 3   # nbgrader's submission time


# -- reading the download's metadata files ---------------------------------------------------

def _read_small(path: Path) -> str | None:
    try:
        if path.is_symlink() or path.stat().st_size > METADATA_BYTES:
            return None
        return path.read_bytes().decode("utf-8-sig", errors="replace")
    except OSError:
        return None


def _receipt(text: str):
    """(username, name) from a Blackboard receipt's first "Name: First Last (username)" line."""
    m = _BB_NAME.search(text[:4000])
    return (m.group("user"), m.group("name")) if m else None


def _gradescope(text: str, folder: str, context: Context) -> None:
    import yaml
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return
    if not isinstance(data, dict):
        return
    for key, record in data.items():
        sub = str(key).lstrip(":")
        if not _GRADESCOPE_DIR.match(sub) or not isinstance(record, dict):
            continue
        people = [{str(k).lstrip(":"): ("" if v is None else str(v)) for k, v in p.items()}
                  for p in record.get(":submitters", record.get("submitters", [])) or [] if isinstance(p, dict)]
        where = str(PurePosixPath(folder) / sub) if folder else sub
        context.gradescope[where] = people
        created = record.get(":created_at", record.get("created_at"))
        context.gradescope_time[where] = _as_time(created)


def _as_time(value) -> float | None:
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).timestamp()
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.strip().replace(" UTC", "+00:00")).timestamp()
        except ValueError:
            return None
    return None


def read_context(files) -> Context:
    """The Context of a download from its [(relative path, absolute path)] of files.

    Only metadata the LMS wrote is read: a Gradescope metadata file inside a submission's own
    folder (a student's upload) is ignored, as is a receipt-shaped file with an original name.
    """
    context = Context()
    for rel, path in files:
        name = rel.name
        m = _BLACKBOARD.match(name[:-4]) if name.lower().endswith(".txt") else None
        if m and not m.group("orig"):
            text = _read_small(path)
            found = _receipt(text) if text else None
            if found:
                context.receipts[name[:-4]] = found
        elif name == GRADESCOPE_META and not any(_GRADESCOPE_DIR.match(p) for p in rel.parts[:-1]):
            text = _read_small(path)
            if text:
                _gradescope(text, rel.parent.as_posix() if rel.parent.parts else "", context)
    return context


# -- one file -> HandIn ----------------------------------------------------------------------

def _moodle(m, original: str, folder: str | None) -> HandIn:
    name, pid = m.group("name").strip(), m.group("pid")
    prefix = f"{m.group('name')}_{pid}"
    ids = (("participant", pid), ("folder", folder or f"{prefix}_{m.group('plugin')}_"))
    # blind marking names everyone "Participant": the number is all there is (and it is per assignment)
    key = f"participant-{pid}" if name.casefold() == "participant" else slug(name)
    return HandIn("moodle", key, name, original, ids=ids)


def _canvas(name: str) -> HandIn | None:
    m = _CANVAS_ANON.match(name)
    if m:
        anon = m.group("anon")
        return HandIn("canvas", f"anon-{anon.lower()}", f"anonymous {anon}", m.group("orig"),
                      ids=(("anonymous", anon), ("file", m.group("fid"))), order=float(m.group("fid")),
                      late=bool(m.group("late")))
    m = _CANVAS.match(name)
    if not m:
        return None
    return HandIn("canvas", m.group("uid"), m.group("login"), m.group("orig"),
                  ids=(("user", m.group("uid")), ("file", m.group("fid"))), order=float(m.group("fid")),
                  late=bool(m.group("late")))


def _blackboard(name: str, context: Context) -> HandIn | None:
    m = _BLACKBOARD.match(name)
    if not m or not m.group("orig"):
        return None
    stem = name[:m.end("ts")]
    head = m.group("head")
    if stem in context.receipts:
        user, shown = context.receipts[stem]
        assignment = head[: -len(user) - 1] if head.endswith("_" + user) else head
    elif "_" in head:
        assignment, user = head.rsplit("_", 1)
        shown = user
    else:
        return None
    when = datetime.strptime(m.group("ts"), "%Y-%m-%d-%H-%M-%S").replace(tzinfo=timezone.utc).timestamp()
    return HandIn("blackboard", user.casefold(), shown, m.group("orig"), hint=assignment,
                  ids=(("username", user), ("attempt", m.group("ts"))), order=when)


def _d2l_time(text: str) -> float | None:
    """Brightspace's "Oct 10, 2025 1022 AM" (English month names; None when it is another form)."""
    clean = re.sub(r"\s+", " ", text.replace(".", "").replace(":", "")).strip()
    clean = re.sub(r"\s*([AaPp])[Mm]$", lambda m: f" {m.group(1).upper()}M", clean)
    for fmt in ("%b %d, %Y %I%M %p", "%B %d, %Y %I%M %p", "%b %d, %Y %H%M", "%B %d, %Y %H%M"):
        try:
            return datetime.strptime(clean, fmt).replace(tzinfo=timezone.utc).timestamp()
        except ValueError:
            continue
    return None


def _brightspace(m, original: str) -> HandIn:
    name = m.group("name").strip()
    return HandIn("brightspace", slug(name), name, original, ids=(("submission", m.group("sub")),),
                  order=_d2l_time(m.group("date")))


def _gradescope_handins(rel: PurePosixPath, context: Context) -> list:
    for depth in range(len(rel.parts) - 1, 0, -1):
        folder = PurePosixPath(*rel.parts[:depth]).as_posix()
        if folder in context.gradescope:
            sub = rel.parts[depth - 1]
            out = []
            for person in context.gradescope[folder]:
                key = (person.get("email") or "").strip().casefold() or (person.get("sid") or "").strip() \
                    or slug(person.get("name", ""))
                if key:
                    out.append(HandIn("gradescope", key, person.get("name", ""), rel.name,
                                      ids=(("submission", sub.split("_", 1)[1]), ("sid", person.get("sid", "")),
                                           ("email", person.get("email", ""))),
                                      order=context.gradescope_time.get(folder)))
            return out
    return []


def identify(rel: PurePosixPath, context: Context, known_lessons) -> list:
    """[HandIn] for the file at `rel` (relative to the download), [] when no layout fits.

    The outermost LMS folder wins, so a student's own sub-folders never name the student.
    Several HandIns only for a Gradescope group submission (one per submitter).
    """
    parts = rel.parts
    if context.gradescope:
        found = _gradescope_handins(rel, context)
        if found:
            return found
    for depth, part in enumerate(parts[:-1]):
        m = _MOODLE_DIR.match(part)
        if m:
            return [_moodle(m, parts[-1], part)]
        m = _D2L_DIR.match(part)
        if m:
            return [_brightspace(m, parts[-1])]
    if len(parts) >= 3 and parts[-2] in known_lessons:
        return [HandIn("nbgrader", parts[-3], parts[-3], parts[-1], ids=(("student", parts[-3]),))]
    name = parts[-1]
    m = _MOODLE_FILE.match(name)
    if m:
        return [_moodle(m, m.group("orig"), None)]
    m = _D2L_FILE.match(name)
    if m:
        return [_brightspace(m, m.group("orig"))]
    for parse in (lambda n: _blackboard(n, context), _canvas):
        found = parse(name)
        if found:
            return [found]
    return []
