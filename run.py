#!/usr/bin/env python3
"""Set up the course's virtual environment and run the course or the tests.

    python3 run.py course   # install into .venv (once) and open JupyterLab on lessons/
    python3 run.py test     # install into .venv (once) and run the whole test suite

Only the standard library is used here, because on a fresh machine this script runs
before anything else is installed. Both commands are idempotent: the environment is
rebuilt only when pyproject.toml (or this file) changes.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")


def _spec_hash(extras: str) -> str:
    h = hashlib.sha256(extras.encode())
    for name in ("pyproject.toml", "run.py"):
        h.update((ROOT / name).read_bytes())
    return h.hexdigest()


def _env() -> dict:
    env = dict(os.environ)
    # nbgrader calls `alembic` and `jupyter` from PATH: the venv's bin must come first.
    env["PATH"] = str(BIN) + os.pathsep + env.get("PATH", "")
    env["VIRTUAL_ENV"] = str(VENV)
    env.pop("PYTHONHOME", None)
    return env


def _run(cmd: list, **kw) -> int:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    return subprocess.call([str(c) for c in cmd], cwd=kw.pop("cwd", ROOT), env=_env(), **kw)


def setup(extras: str) -> None:
    """Create .venv and install the package with `extras`, unless already done."""
    if not PY.exists():
        print(f"Creating the virtual environment in {VENV} ...", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    want = _spec_hash(extras)
    stamp = VENV / f".installed-{extras}"
    if stamp.exists() and stamp.read_text().strip() == want:
        return
    steps = [
        [PY, "-m", "pip", "install", "--upgrade", "--quiet", "pip"],
        [PY, "-m", "pip", "install", "--quiet", "-e", f".[{extras}]"],
        # The kernel nbgrader and the lessons run in: this environment's Python.
        [PY, "-m", "ipykernel", "install", "--sys-prefix", "--name", "backproplab",
         "--display-name", "Python 3 (backproplab)"],
    ]
    for cmd in steps:
        if _run(cmd) != 0:
            sys.exit(f"run.py: setup failed at: {' '.join(map(str, cmd))}")
    stamp.write_text(want + "\n")


# Debian packages the tests use: {package: (the file it installs, what needs it)}
SYSTEM_PACKAGES = {
    "chromium": (Path("/usr/bin/chromium"), "tests/test_browser.py will be skipped"),
    "bubblewrap": (Path("/usr/bin/bwrap"), "the grading sandbox tests in tests/test_hostile.py will be skipped"),
}


def ensure_system_packages() -> None:
    """Install the Debian packages of SYSTEM_PACKAGES that are missing.

    Only as root with apt-get; anything else, or a failed install, prints a warning and
    carries on: the tests needing the package then skip, naming it.
    """
    missing = [name for name, (path, _) in SYSTEM_PACKAGES.items() if not path.exists()]
    if not missing:
        return
    why = None
    if not (hasattr(os, "geteuid") and os.geteuid() == 0):
        why = "not running as root"
    elif shutil.which("apt-get") is None:
        why = "apt-get not found"
    else:
        print(f"Installing Debian's {', '.join(missing)} for the tests (apt-get) ...", flush=True)
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        for cmd in (["apt-get", "update", "-qq"],
                    ["apt-get", "install", "-y", "-qq", *missing]):
            try:
                done = subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL,
                                      capture_output=True, text=True)
            except OSError as exc:
                why = f"`{' '.join(cmd)}` could not start: {exc}"
                break
            if done.returncode != 0:
                why = f"`{' '.join(cmd)}` failed: {(done.stderr or done.stdout).strip()[-500:]}"
                break
    for name in missing:
        path, consequence = SYSTEM_PACKAGES[name]
        if not path.exists():
            print(f"run.py: WARNING: could not install {name} ({why or f'{path} still missing'}); "
                  f"{consequence}.", flush=True)


def lab_command(notebook_dir: Path, args: list = ()) -> list:
    """The `jupyter lab` command line of the course (tests/test_browser.py runs this one too)."""
    cmd = [BIN / "jupyter", "lab", "--notebook-dir", notebook_dir]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        # Jupyter refuses to start as root without it; containers and CI machines run as root.
        cmd.append("--allow-root")
    return [*cmd, *args]


def course(args: list) -> int:
    setup("course")
    return _run(lab_command(ROOT / "lessons", args))


def test(args: list) -> int:
    setup("dev")
    ensure_system_packages()
    return _run([PY, "-m", "pytest", *args])


def main(argv: list) -> int:
    commands = {"course": course, "test": test}
    if not argv or argv[0] not in commands:
        print(__doc__)
        return 2
    return commands[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
