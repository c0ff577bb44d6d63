"""The course's virtual environment, .venv in the repository, and the system packages of the tests."""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
# What the environment is built from: a change to any of them reinstalls it.
SPEC_FILES = ("pyproject.toml", "run.py", *sorted(
    str(p.relative_to(ROOT)) for p in (ROOT / "course_env").glob("*.py")))


def _spec_hash(extras: str) -> str:
    h = hashlib.sha256(extras.encode())
    for name in SPEC_FILES:
        h.update(name.encode())
        h.update((ROOT / name).read_bytes())
    return h.hexdigest()


def env(extra: dict | None = None) -> dict:
    """The environment of a command run from .venv."""
    environ = dict(os.environ)
    # nbgrader calls `alembic` and `jupyter` from PATH: the venv's bin must come first.
    environ["PATH"] = str(BIN) + os.pathsep + environ.get("PATH", "")
    environ["VIRTUAL_ENV"] = str(VENV)
    environ.pop("PYTHONHOME", None)
    environ.update(extra or {})
    return environ


def run(cmd: list, extra_env: dict | None = None, **kw) -> int:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    return subprocess.call([str(c) for c in cmd], cwd=kw.pop("cwd", ROOT), env=env(extra_env), **kw)


def create_venv() -> None:
    """Create .venv with pip, or stop with one line saying what is missing."""
    print(f"Creating the virtual environment in {VENV} ...", flush=True)
    try:
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    except (OSError, subprocess.CalledProcessError) as exc:
        # e.g. Debian and Ubuntu ship ensurepip, which puts pip into a new venv, separately;
        # a .venv without pip would stop every later run, so none is left behind
        shutil.rmtree(VENV, ignore_errors=True)
        version = "%d.%d" % sys.version_info[:2]
        sys.exit(f"run.py: could not create {VENV} with pip ({exc}); on Debian or Ubuntu install "
                 f"Python's venv package (`sudo apt install python{version}-venv`) and run this again.")


def setup(extras: str, configure=None) -> None:
    """Create .venv and install the package with `extras`, unless already done.

    `configure()`, when given, runs last (e.g. writing the environment's Jupyter settings).
    """
    if not PY.exists():
        create_venv()
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
        if run(cmd) != 0:
            sys.exit(f"run.py: setup failed at: {' '.join(map(str, cmd))}")
    if configure is not None:
        configure()
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
        apt_env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        for cmd in (["apt-get", "update", "-qq"],
                    ["apt-get", "install", "-y", "-qq", *missing]):
            try:
                done = subprocess.run(cmd, env=apt_env, stdin=subprocess.DEVNULL,
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
