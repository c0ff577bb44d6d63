#!/usr/bin/env python3
"""Set up the course's virtual environment and run the course or the tests.

    python3 run.py course       # install into .venv (once) and open JupyterLab on lessons/
    python3 run.py test         # install into .venv (once) and run the whole test suite

Both commands are idempotent: the environment is rebuilt only when pyproject.toml, this file
or course_env/ changes. The work is done by course_env/ (standard library only, because on a
fresh machine it runs before anything else is installed).

This file first checks the Python it runs on, and is written so that any Python, 2.7 included,
can read it that far: an old Python gets one line saying what to do, not a SyntaxError from
newer code or pip's wall of errors. Keep its syntax that old (no f-strings, no annotations).
"""
import os
import sys

# The Pythons the course supports (pyproject.toml's requires-python, the README, .ci/run).
OLDEST = (3, 10)
NEWEST = (3, 13)


def _runs(command):
    """True when `command` is on PATH and starts (a pyenv shim of a Python not selected does not)."""
    import subprocess
    try:
        with open(os.devnull, "w") as null:
            return subprocess.call([command, "-c", "pass"], stdout=null, stderr=null) == 0
    except OSError:
        return False


def python_problem(version, command="course"):
    """Why a Python of `version` (sys.version_info) cannot run the course, in one line, or None."""
    if tuple(version[:2]) >= OLDEST:
        return None
    found = "%d.%d.%d" % tuple(version[:3])
    wanted = "%d.%d to %d.%d" % (OLDEST + NEWEST)
    newer = [name for name in ("python3.%d" % minor for minor in range(NEWEST[1], OLDEST[1] - 1, -1))
             if _runs(name)]
    if newer:
        how = "this machine has %s: run `%s run.py %s`" % (newer[0], newer[0], command)
    else:
        how = ("install one (python.org/downloads, your system's packages, e.g. Ubuntu 22.04's "
               "python3 is 3.10, or `uv python install 3.12`) and run run.py with it")
    return "run.py: this is Python %s; the course needs Python %s; %s." % (found, wanted, how)


def python_note(version):
    """A one-line note for a Python newer than the course is tested on, or None."""
    if tuple(version[:2]) <= NEWEST:
        return None
    return ("run.py: note: Python %d.%d is newer than the course is tested on (%d.%d to %d.%d); "
            "if setup fails, use one of those." % (tuple(version[:2]) + OLDEST + NEWEST))


if __name__ == "__main__":
    argv = sys.argv[1:]
    problem = python_problem(sys.version_info, argv[0] if argv else "course")
    if problem:
        sys.stderr.write(problem + "\n")
        sys.exit(2)
    note = python_note(sys.version_info)
    if note:
        sys.stderr.write(note + "\n")
    from course_env.commands import main
    sys.exit(main(argv))
