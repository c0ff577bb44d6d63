"""The JupyterLab of the course: its command line (tests/test_browser.py starts the same one)."""
from __future__ import annotations

import os
from pathlib import Path

from .install import BIN


def lab_command(notebook_dir: Path, args: list = ()) -> list:
    """The `jupyter lab` command line of the course, on `notebook_dir`."""
    cmd = [BIN / "jupyter", "lab", "--notebook-dir", notebook_dir]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        # Jupyter refuses to start as root without it; containers and CI machines run as root.
        cmd.append("--allow-root")
    return [*cmd, *args]
