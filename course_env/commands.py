"""The commands of run.py: `course` and `test`."""
from __future__ import annotations

from .install import PY, ROOT, ensure_system_packages, run, setup
from .lab import lab_command

USAGE = """usage: python3 run.py COMMAND [ARGS...]

    python3 run.py course   # sets up .venv here and opens JupyterLab on lessons/
    python3 run.py test     # sets up .venv here and runs the whole test suite

ARGS go to JupyterLab or pytest (e.g. `python3 run.py test -k graph -x`)."""


def course(args: list) -> int:
    setup("course")
    return run(lab_command(ROOT / "lessons", args))


def test(args: list) -> int:
    setup("dev")
    ensure_system_packages()
    return run([PY, "-m", "pytest", *args])


def main(argv: list) -> int:
    commands = {"course": course, "test": test}
    if not argv or argv[0] not in commands:
        print(USAGE)
        return 2
    return commands[argv[0]](argv[1:])
