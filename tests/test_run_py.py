"""run.py on a Python the course does not support: one line saying what to do, exit 2, nothing made.

The check must work where it matters, on old Pythons, so run.py is also run by every old
interpreter this machine has (pyenv's 2.7 and 3.6 to 3.9 here); without any, that test skips
saying so. The supported range itself is checked against pyproject.toml and the README.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import run
from course_env.pythons import find_python

ROOT = Path(__file__).resolve().parents[1]
OLD_PYTHONS = [(2, 7), (3, 6), (3, 7), (3, 8), (3, 9)]


@pytest.mark.parametrize("version", [(3, 9, 18, "final", 0), (3, 6, 15, "final", 0), (2, 7, 18, "final", 0)])
def test_an_old_python_gets_one_line_naming_found_needed_and_how(version, monkeypatch):
    monkeypatch.setattr(run, "_runs", lambda command: False)
    line = run.python_problem(version, "test")
    found = "%d.%d.%d" % version[:3]
    assert "\n" not in line
    assert f"this is Python {found}" in line
    assert "needs Python 3.10 to 3.13" in line
    assert "install one" in line and "run run.py with it" in line


def test_the_message_names_a_newer_python_this_machine_has(monkeypatch):
    monkeypatch.setattr(run, "_runs", lambda command: command in ("python3.11", "python3.12"))
    line = run.python_problem((3, 8, 10), "course")
    assert line.endswith("this machine has python3.12: run `python3.12 run.py course`.")


@pytest.mark.parametrize("minor", [10, 11, 12, 13, 14])
def test_supported_and_newer_pythons_pass(minor):
    assert run.python_problem((3, minor, 0, "final", 0)) is None


def test_a_newer_python_than_tested_gets_a_note_and_goes_on():
    assert run.python_note((3, 13, 9)) is None
    note = run.python_note((3, 14, 0))
    assert "3.14 is newer than the course is tested on (3.10 to 3.13)" in note


def test_the_range_is_the_one_pyproject_and_readme_state():
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert 'requires-python = ">=%d.%d"' % run.OLDEST in pyproject
    readme = (ROOT / "README.md").read_text()
    assert "Python %d.%d to %d.%d" % (run.OLDEST + run.NEWEST) in readme


def _old_pythons() -> list:
    return [p for p in (find_python(v) for v in OLD_PYTHONS) if p]


def test_old_pythons_stop_at_the_check_and_create_nothing(tmp_path):
    """run.py alone in a folder: past the check it would import course_env and fail otherwise."""
    pythons = _old_pythons()
    if not pythons:
        pytest.skip("no Python older than 3.10 on this machine (PATH or pyenv) to run run.py with")
    shutil.copy(ROOT / "run.py", tmp_path / "run.py")
    for python in pythons:
        done = subprocess.run([python, "run.py", "course"], cwd=tmp_path, capture_output=True,
                              text=True, timeout=120, stdin=subprocess.DEVNULL)
        version = subprocess.run([python, "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"],
                                 capture_output=True, text=True).stdout.strip()
        assert done.returncode == 2, (python, done.returncode, done.stderr)
        assert done.stdout == "", (python, done.stdout)
        lines = done.stderr.splitlines()
        assert len(lines) == 1, (python, done.stderr)
        assert re.match(rf"run\.py: this is Python {re.escape(version)}; the course needs Python 3\.10 to 3\.13; ",
                        lines[0]), (python, lines[0])
        assert sorted(p.name for p in tmp_path.iterdir()) == ["run.py"], f"{python} created files"


def test_this_python_gets_past_the_check(tmp_path):
    """The running Python (supported) reaches the commands: no argument prints the usage."""
    done = subprocess.run([sys.executable, str(ROOT / "run.py")], capture_output=True, text=True,
                          timeout=120, stdin=subprocess.DEVNULL)
    assert done.returncode == 2 and done.stdout.startswith("usage: python3 run.py COMMAND"), done


def test_a_venv_without_pip_is_not_left_behind_and_the_package_is_named(tmp_path, monkeypatch):
    """Debian and Ubuntu without python3-venv: creating the venv fails at ensurepip."""
    from course_env import install

    def no_ensurepip(builder, folder):
        Path(folder, "bin").mkdir(parents=True)
        Path(folder, "bin", "python").write_text("")
        raise subprocess.CalledProcessError(1, ["python", "-m", "ensurepip"])

    monkeypatch.setattr(install, "VENV", tmp_path / ".venv")
    monkeypatch.setattr(install.venv.EnvBuilder, "create", no_ensurepip)
    with pytest.raises(SystemExit) as stop:
        install.create_venv()
    message = str(stop.value.code)
    assert "\n" not in message and "ensurepip" in message
    assert f"sudo apt install python{sys.version_info[0]}.{sys.version_info[1]}-venv" in message
    assert not (tmp_path / ".venv").exists()
