"""The students' and instructors' JupyterLab settings that run.py writes into .venv (course_env/lab.py).

What they do in a running JupyterLab is checked in the browser (test_browser.py); here: what is
written where, that nothing is written outside the environment, that settings already there
stay, and how the two labs are started.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from course_env import install, lab

STUDENT_PLUGINS_OFF = {"@jupyter/nbgrader:create-assignment": True, "@jupyter/nbgrader:formgrader": True,
                       "@jupyter/nbgrader:course-list": True}


@pytest.fixture
def venv(tmp_path, monkeypatch):
    """A stand-in .venv; HOME and the user's Jupyter folders point to folders that must stay empty."""
    root = tmp_path / "venv"
    monkeypatch.setattr(lab, "ENV_CONFIG", root / "etc" / "jupyter")
    monkeypatch.setattr(lab, "INSTRUCTOR_CONFIG", root / "etc" / "backproplab" / "instructor")
    monkeypatch.setattr(lab, "LAB_SETTINGS", root / "share" / "jupyter" / "lab" / "settings")
    for name in ("home", "jupyter-config", "jupyter-data"):
        (tmp_path / name).mkdir()
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(tmp_path / "jupyter-config"))
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path / "jupyter-data"))
    return root


def _read(path: Path) -> dict:
    return json.loads(path.read_text())


def test_the_environment_is_the_students_lab(venv, tmp_path):
    lab.configure()
    page = _read(venv / "etc" / "jupyter" / "labconfig" / "page_config.json")
    assert page == {"disabledExtensions": STUDENT_PLUGINS_OFF}
    server = _read(venv / "etc" / "jupyter" / "jupyter_server_config.json")
    assert server["ServerApp"]["jpserver_extensions"] == {
        "nbgrader.server_extensions.formgrader": False, "nbgrader.server_extensions.course_list": False}
    assert server["LabApp"] == {"news_url": None, "check_for_updates_class":
                                "jupyterlab.handlers.announcements.NeverCheckForUpdate"}
    overrides = _read(venv / "share" / "jupyter" / "lab" / "settings" / "overrides.json")
    assert overrides == {"@jupyterlab/apputils-extension:notification":
                         {"fetchNews": "false", "checkForUpdates": False}}
    for name in ("home", "jupyter-config", "jupyter-data"):
        assert list((tmp_path / name).iterdir()) == [], f"written outside the environment: {name}"


def test_the_instructors_layer_turns_the_same_tools_back_on(venv):
    lab.configure()
    page = _read(venv / "etc" / "backproplab" / "instructor" / "labconfig" / "page_config.json")
    assert page == {"disabledExtensions": {plugin: False for plugin in STUDENT_PLUGINS_OFF}}
    server = _read(venv / "etc" / "backproplab" / "instructor" / "jupyter_server_config.json")
    assert server == {"ServerApp": {"jpserver_extensions": {
        "nbgrader.server_extensions.formgrader": True, "nbgrader.server_extensions.course_list": True}}}


def test_settings_already_in_the_environment_stay(venv):
    """e.g. `jupyter labextension disable --sys-prefix X` or a server option set by hand."""
    page = venv / "etc" / "jupyter" / "labconfig" / "page_config.json"
    page.parent.mkdir(parents=True)
    page.write_text(json.dumps({"disabledExtensions": {"some-extension:plugin": True}, "other": 1}))
    server = venv / "etc" / "jupyter" / "jupyter_server_config.json"
    server.write_text(json.dumps({"ServerApp": {"jpserver_extensions": {"jupyter_lsp": False},
                                                "iopub_data_rate_limit": 1e9}}))
    lab.configure()
    lab.configure()   # twice: the same files
    assert _read(page) == {"disabledExtensions": {"some-extension:plugin": True, **STUDENT_PLUGINS_OFF},
                           "other": 1}
    settings = _read(server)["ServerApp"]
    assert settings["iopub_data_rate_limit"] == 1e9
    assert settings["jpserver_extensions"] == {"jupyter_lsp": False,
                                               "nbgrader.server_extensions.formgrader": False,
                                               "nbgrader.server_extensions.course_list": False}


def test_how_the_two_labs_start(tmp_path, monkeypatch):
    monkeypatch.delenv("JUPYTER_CONFIG_PATH", raising=False)
    students = lab.students_lab(["--no-browser"], root=tmp_path)
    assert students.command[:4] == [install.BIN / "jupyter", "lab", "--notebook-dir", tmp_path / "lessons"]
    assert students.command[-1] == "--no-browser" and students.env == {} and students.cwd == tmp_path
    instructors = lab.instructors_lab(["--no-browser"], root=tmp_path)
    assert instructors.command[:4] == [install.BIN / "jupyter", "lab", "--notebook-dir", tmp_path]
    assert "--LabApp.default_url=/lab/tree/solutions" in instructors.command
    assert instructors.cwd == tmp_path / "grading"     # where nbgrader_config.py is
    assert instructors.env == {"JUPYTER_CONFIG_PATH": str(lab.INSTRUCTOR_CONFIG)}
    monkeypatch.setenv("JUPYTER_CONFIG_PATH", "/somewhere/else")
    assert lab.instructors_lab(root=tmp_path).env["JUPYTER_CONFIG_PATH"] == os.pathsep.join(
        [str(lab.INSTRUCTOR_CONFIG), "/somewhere/else"])
