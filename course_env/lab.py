"""The JupyterLab a student gets and the one an instructor gets, both from .venv.

Everything is configured inside .venv, never in the user's own Jupyter folders (~/.jupyter,
~/.local/share/jupyter), so a `jupyter lab` of another installation is untouched:

- .venv/etc/jupyter/ is the environment's own configuration (Jupyter's sys-prefix level, which
  in a virtual environment also outranks the user's). Any JupyterLab from .venv is the
  students' one: nbgrader's instructor tools are off (the Create Assignment panel, the
  formgrader and the course list, in the page and on the server), and JupyterLab neither asks
  about news nor checks for updates (.venv/share/jupyter/lab/settings/overrides.json holds the
  settings' defaults, the server config stops the news feed and the update check).
- .venv/etc/backproplab/instructor/ is a configuration folder that `run.py instructor` puts in
  front of those (JUPYTER_CONFIG_PATH, Jupyter's highest-priority config folders): it turns
  the instructor tools back on.

nbgrader's Validate button and assignment list, and the widgets, stay in both.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from .install import BIN, ROOT, VENV

# nbgrader's instructor tools: lab plugins (the page) and server extensions (their handlers)
INSTRUCTOR_PLUGINS = ["@jupyter/nbgrader:create-assignment", "@jupyter/nbgrader:formgrader",
                      "@jupyter/nbgrader:course-list"]
INSTRUCTOR_SERVER_EXTENSIONS = ["nbgrader.server_extensions.formgrader",
                                "nbgrader.server_extensions.course_list"]
# JupyterLab's "get notified about official Jupyter news?" question and its update check
QUIET_SETTINGS = {"@jupyterlab/apputils-extension:notification": {"fetchNews": "false",
                                                                  "checkForUpdates": False}}
QUIET_SERVER = {"news_url": None,
                "check_for_updates_class": "jupyterlab.handlers.announcements.NeverCheckForUpdate"}

ENV_CONFIG = VENV / "etc" / "jupyter"
INSTRUCTOR_CONFIG = VENV / "etc" / "backproplab" / "instructor"
LAB_SETTINGS = VENV / "share" / "jupyter" / "lab" / "settings"


def _update_json(path: Path, changes: dict) -> None:
    """Merge `changes` into the JSON object in `path` (created if missing), key by key."""
    data = json.loads(path.read_text()) if path.exists() and path.stat().st_size else {}

    def merge(into: dict, new: dict) -> None:
        for key, value in new.items():
            if isinstance(value, dict) and isinstance(into.get(key), dict):
                merge(into[key], value)
            else:
                into[key] = value

    merge(data, changes)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")


def _tools(enabled: bool) -> tuple:
    """(page config, server config) switching nbgrader's instructor tools on or off."""
    page = {"disabledExtensions": {plugin: not enabled for plugin in INSTRUCTOR_PLUGINS}}
    server = {"ServerApp": {"jpserver_extensions": {ext: enabled for ext in INSTRUCTOR_SERVER_EXTENSIONS}}}
    return page, server


def configure() -> None:
    """Write the students' JupyterLab into .venv's own config and the instructors' layer beside it.

    Merged into what is there, so settings made with `jupyter ... --sys-prefix` stay.
    """
    page, server = _tools(enabled=False)
    _update_json(ENV_CONFIG / "labconfig" / "page_config.json", page)
    _update_json(ENV_CONFIG / "jupyter_server_config.json", {**server, "LabApp": QUIET_SERVER})
    _update_json(LAB_SETTINGS / "overrides.json", QUIET_SETTINGS)
    page, server = _tools(enabled=True)
    _update_json(INSTRUCTOR_CONFIG / "labconfig" / "page_config.json", page)
    _update_json(INSTRUCTOR_CONFIG / "jupyter_server_config.json", server)


def lab_command(notebook_dir: Path, args: list = ()) -> list:
    """The `jupyter lab` command line from .venv, on `notebook_dir`."""
    cmd = [BIN / "jupyter", "lab", "--notebook-dir", notebook_dir]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        # Jupyter refuses to start as root without it; containers and CI machines run as root.
        cmd.append("--allow-root")
    return [*cmd, *args]


@dataclass
class Lab:
    """How to start one of the course's JupyterLabs: command line, extra environment, folder."""
    command: list
    env: dict
    cwd: Path


def students_lab(args: list = (), root: Path = ROOT) -> Lab:
    """`run.py course`: JupyterLab on lessons/, as .venv's own config makes it (no instructor tools)."""
    return Lab(lab_command(root / "lessons", args), {}, root)


def instructors_lab(args: list = (), root: Path = ROOT) -> Lab:
    """`run.py instructor`: JupyterLab with nbgrader's instructor tools, opening on solutions/.

    Its root is the course root and it starts in grading/: nbgrader's formgrader reads the
    nbgrader_config.py of the folder the server starts in, and works only on a course root at
    or below the server's root.
    """
    others = os.environ.get("JUPYTER_CONFIG_PATH")
    env = {"JUPYTER_CONFIG_PATH": os.pathsep.join([str(INSTRUCTOR_CONFIG), *([others] if others else [])])}
    return Lab(lab_command(root, ["--LabApp.default_url=/lab/tree/solutions", *args]), env, root / "grading")
