"""Other Pythons on this machine: CI's quick tier and the tests of run.py's version check use them."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

_VERSION = "import sys; sys.stdout.write('%d.%d' % sys.version_info[:2])"


def _version_of(python: str) -> str | None:
    try:
        done = subprocess.run([python, "-c", _VERSION], capture_output=True, text=True, timeout=30,
                              stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def _patch(path: Path) -> int:
    """3.10.13 -> 13 (pyenv's folder name); anything else sorts first."""
    last = path.parents[1].name.split(".")[-1]
    return int(last) if last.isdigit() else -1


def find_python(version: tuple) -> str | None:
    """The path of a working Python `version` (major, minor), or None.

    Looked for as pythonX.Y on PATH, then under pyenv's versions/ ($PYENV_ROOT, default
    ~/.pyenv), newest patch release first. Each candidate is run: a pyenv shim of a Python
    that is installed but not selected fails, and is passed over.
    """
    wanted = "%d.%d" % tuple(version)
    name = f"python{wanted}"
    candidates = [shutil.which(name)]
    versions = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"
    candidates += sorted(versions.glob(f"{wanted}.*/bin/{name}"), key=_patch, reverse=True)
    for candidate in candidates:
        if candidate and _version_of(str(candidate)) == wanted:
            return str(candidate)
    return None
