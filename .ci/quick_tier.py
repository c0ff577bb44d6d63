"""CI's quick tier: the course on the oldest and the newest Python it supports.

`python3 run.py test` runs everything on the machine's python3. This runs a quicker part of
the suite on each end of the supported range (run.py's OLDEST and NEWEST) that the machine
has (course_env.pythons.find_python: pythonX.Y on PATH or under pyenv), each in a virtual
environment of its own in a temporary folder (never the repository's .venv), installed the
way run.py installs .venv: `pip install -e .[dev]` and the backproplab kernel.

The quick tier: the package's tests, the checks and their receipts, the grading jail, that
lessons/ is what this Python's nbgrader generates, and one lesson's nbgrader round trip. Not
here: the notebooks themselves, the class-grading, LMS, misconception-report and hostile
end-to-end runs and the browser (the full run covers them; they test no more of the Python
version than the quick tier's own grading and round trip).

A supported Python missing from the machine is a printed SKIPPED line, not a pass in silence.
Exit status: 0 when every Python found passed, 1 otherwise.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import run  # noqa: E402  (run.py: the supported range)
from course_env.pythons import find_python  # noqa: E402

ROUNDTRIP_LESSON = "01-neurons-and-logic-gates"
# The whole-course and end-to-end files the full run has; everything else in tests/ is quick.
NOT_QUICK = ["test_notebooks.py", "test_grade_class.py", "test_hostile.py", "test_browser.py",
             "test_nbgrader_roundtrip.py", "test_lms_roundtrip.py", "test_misconceptions.py"]


def _step(cmd: list, env: dict) -> int:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    return subprocess.call([str(c) for c in cmd], cwd=ROOT, env=env, stdin=subprocess.DEVNULL)


def quick_tier(python: str, version: str) -> int:
    """Install the course with `python` into a temporary venv and run the quick tests there."""
    folder = Path(tempfile.mkdtemp(prefix=f"backproplab-ci-py{version}-"))
    try:
        venv = folder / "venv"
        bin_ = venv / "bin"
        env = dict(os.environ, PATH=str(bin_) + os.pathsep + os.environ.get("PATH", ""),
                   VIRTUAL_ENV=str(venv), MPLBACKEND="Agg")
        env.pop("PYTHONHOME", None)
        py = bin_ / "python"
        pytest = [py, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--no-header"]
        quick = [*pytest, "tests", *(f"--ignore=tests/{name}" for name in NOT_QUICK)]
        # the round trip of one lesson (its fixture grades only the selected lessons)
        roundtrip = [*pytest, "tests/test_nbgrader_roundtrip.py", "-k", ROUNDTRIP_LESSON]
        steps = [
            [python, "-m", "venv", venv],
            [py, "-m", "pip", "install", "--quiet", "--upgrade", "pip"],
            [py, "-m", "pip", "install", "--quiet", "-e", ".[dev]"],
            [py, "-m", "ipykernel", "install", "--sys-prefix", "--name", "backproplab",
             "--display-name", "Python 3 (backproplab)"],
            quick,
            roundtrip,
        ]
        for cmd in steps:
            status = _step(cmd, env)
            if status != 0:
                return status
        return 0
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> int:
    failed = []
    for version in dict.fromkeys([run.OLDEST, run.NEWEST]):
        name = "%d.%d" % version
        python = find_python(version)
        if python is None:
            print(f"quick tier: Python {name}: SKIPPED, not on this machine "
                  f"(no python{name} on PATH or under pyenv's versions/)", flush=True)
            continue
        print(f"quick tier: Python {name} ({python}) ...", flush=True)
        start = time.monotonic()
        status = quick_tier(python, name)
        took = time.monotonic() - start
        print(f"quick tier: Python {name}: {'passed' if status == 0 else f'FAILED (exit {status})'} "
              f"in {took / 60:.1f} min", flush=True)
        if status != 0:
            failed.append(name)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
