"""The commands of run.py: `course`, `instructor` and `test`."""
from __future__ import annotations

from . import lab
from .install import PY, ensure_system_packages, run, setup

USAGE = """usage: python3 run.py COMMAND [ARGS...]

    python3 run.py course       # sets up .venv here and opens JupyterLab on lessons/
    python3 run.py test         # sets up .venv here and runs the whole test suite
    python3 run.py instructor   # JupyterLab on solutions/ with nbgrader's instructor tools

ARGS go to JupyterLab or pytest (e.g. `python3 run.py test -k graph -x`)."""


def _start(which: lab.Lab) -> int:
    return run(which.command, extra_env=which.env, cwd=which.cwd)


def course(args: list) -> int:
    setup("course", configure=lab.configure)
    return _start(lab.students_lab(args))


def instructor(args: list) -> int:
    setup("course", configure=lab.configure)
    return _start(lab.instructors_lab(args))


def test(args: list) -> int:
    setup("dev", configure=lab.configure)
    ensure_system_packages()
    return run([PY, "-m", "pytest", *args])


def main(argv: list) -> int:
    commands = {"course": course, "instructor": instructor, "test": test}
    if not argv or argv[0] not in commands:
        print(USAGE)
        return 2
    return commands[argv[0]](argv[1:])
