"""Instructor tools: regenerate the student lessons from the solutions with nbgrader.

The repository is the nbgrader course root (see grading/nbgrader_config.py): instructor
notebooks in solutions/<id>/<id>.ipynb, student versions in lessons/<id>/<id>.ipynb.
`release()` runs the real `nbgrader generate_assignment`, exactly as an instructor would:

    cd grading && PATH=<venv>/bin:$PATH nbgrader generate_assignment <id> --force

Works on any course root that holds solutions/ and grading/nbgrader_config.py, so the tests
can release into a temporary copy (the gradebook of such a run stays inside that copy).
"""
from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

__all__ = ["course_root", "lesson_ids", "nbgrader_env", "run_nbgrader", "release", "ReleaseError"]


class ReleaseError(RuntimeError):
    """nbgrader failed; the message carries its output."""


def course_root() -> Path:
    """The repository this package was installed from (an editable install's checkout)."""
    return Path(__file__).resolve().parent.parent


def lesson_ids(root=None) -> list:
    """The lessons in solutions/, sorted: every folder <id> holding <id>.ipynb."""
    source = Path(root or course_root()) / "solutions"
    if not source.is_dir():
        return []
    return sorted(d.name for d in source.iterdir() if (d / f"{d.name}.ipynb").is_file())


def nbgrader_env() -> dict:
    """The environment nbgrader needs: this Python's scripts folder first on PATH.

    nbgrader starts `alembic` (gradebook migrations) from PATH; another alembic, or none,
    breaks the gradebook set-up.
    """
    env = dict(os.environ)
    scripts = sysconfig.get_path("scripts")
    env["PATH"] = scripts + os.pathsep + env.get("PATH", "")
    env["VIRTUAL_ENV"] = sys.prefix
    env.pop("PYTHONHOME", None)
    return env


def run_nbgrader(args, root=None, check: bool = True) -> subprocess.CompletedProcess:
    """Run `nbgrader <args>` from <root>/grading (where nbgrader_config.py lives).

    Exit codes of some nbgrader commands say little (`nbgrader validate` exits 0 when tests
    fail); callers that grade read the gradebook instead.
    """
    grading = Path(root or course_root()) / "grading"
    if not (grading / "nbgrader_config.py").is_file():
        raise ReleaseError(f"no nbgrader configuration at {grading / 'nbgrader_config.py'}")
    cmd = [sys.executable, "-m", "nbgrader", *[str(a) for a in args]]
    proc = subprocess.run(cmd, cwd=grading, env=nbgrader_env(), capture_output=True, text=True)
    if check and proc.returncode != 0:
        raise ReleaseError(f"`nbgrader {' '.join(map(str, args))}` failed (exit {proc.returncode}) "
                           f"in {grading}:\n{proc.stdout}{proc.stderr}")
    return proc


def release(root=None, lessons=None) -> list:
    """Regenerate lessons/<id>/<id>.ipynb from solutions/ for the given ids (default: all).

    Returns the paths of the generated notebooks. The gradebook used is the one the course
    root's nbgrader_config.py names (grading/gradebook.db of that root).
    """
    root = Path(root or course_root()).resolve()
    known = lesson_ids(root)
    wanted = known if lessons is None else [str(x) for x in lessons]
    unknown = sorted(set(wanted) - set(known))
    if unknown:
        raise ReleaseError(f"no solutions/<id>/<id>.ipynb for {', '.join(unknown)}; "
                           f"known lessons: {', '.join(known) or 'none'}")
    if not wanted:
        return []
    # One nbgrader process for everything when releasing all lessons: its start-up is
    # most of the cost. nbgrader expands the assignment id as a glob.
    batches = ["*"] if lessons is None else wanted
    for assignment in batches:
        run_nbgrader(["generate_assignment", assignment, "--force", "--log-level=WARN"], root)
    out = [root / "lessons" / i / f"{i}.ipynb" for i in wanted]
    missing = [str(p) for p in out if not p.is_file()]
    if missing:
        raise ReleaseError("nbgrader did not write " + ", ".join(missing))
    return out
