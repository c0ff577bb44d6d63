"""The Quickstart's `python3 run.py course`, seen in a real browser.

What a student gets must be JupyterLab on lessons/ with the lessons' kernel, nbgrader's
Validate button and working widgets. Starting `jupyter lab` proves none of that: a missing
lab extension or widget manager shows up only in the page. So this starts JupyterLab from the
repository's .venv as run.py does (same binary, same environment, the lessons as the
notebook directory), opens lesson 01 in headless Chromium through Playwright and checks:

- the notebook opens on the "Python 3 (backproplab)" kernel, which goes idle;
- the notebook toolbar has nbgrader's Validate button, and validating the released lesson
  reports its failing cells with the stubs' NotImplementedError (the nbgrader server
  extension ran the notebook);
- the lesson's neuron explorer renders as ipywidgets (sliders and picture, not a text repr),
  and moving a slider reaches the kernel and back (the explanation text is redrawn).

The server runs on a temporary copy of lessons/, because Validate saves the notebook first and
the repository must not change; its config, data and runtime directories are temporary too,
so the user's Jupyter settings neither affect the test nor get touched. Only localhost is used.

Needs Debian's Chromium at /usr/bin/chromium (`python3 run.py test` installs it with apt-get
when it can) and the `playwright` package (the dev extra); without them the tests skip.
Screenshots are written to the test's tmp_path.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from course_env import install, lab

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[1]
LESSON = "01-neurons-and-logic-gates"
NOTEBOOK = f"{LESSON}/{LESSON}.ipynb"
TOKEN = "backproplab-browser-test"
# The flags that work on a machine with a closed network (background services off) as root.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (python3 run.py test does, "
                "as root with apt-get)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api",
                               reason="playwright is not installed (pip install -e .[dev])")
expect = sync_api.expect


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_server(proc, url: str, log: Path, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"jupyter lab exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200 and "started" in json.load(r):
                    return
        except OSError:
            pass
        time.sleep(0.3)
    pytest.fail(f"jupyter lab did not answer {url} in {timeout:.0f} s:\n{log.read_text()[-3000:]}")


def _stop(proc) -> None:
    """End the server and its kernels: the whole process group it leads."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        except ProcessLookupError:
            pass
    # kernels started by the server are in its group too; none may outlive the test
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


@pytest.fixture(scope="module")
def lab_url(tmp_path_factory):
    """JupyterLab as `run.py course` starts it, on a temporary copy of lessons/."""
    jupyter = install.BIN / "jupyter"
    if not jupyter.exists():
        pytest.skip(f"{jupyter} is missing: run `python3 run.py test` once to set up .venv")
    tmp = tmp_path_factory.mktemp("lab")
    lessons = tmp / "lessons"
    shutil.copytree(ROOT / "lessons", lessons)
    # JupyterLab's own news/update checks would show a notification and reach for the net.
    settings = tmp / "config" / "lab" / "user-settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    env = install.env()
    env.update(JUPYTER_CONFIG_DIR=str(tmp / "config"), JUPYTER_DATA_DIR=str(tmp / "data"),
               JUPYTER_RUNTIME_DIR=str(tmp / "runtime"), MPLBACKEND="Agg")
    port = _free_port()
    log = tmp / "jupyter.log"
    # exactly the command line of `run.py course`, plus what a test needs (port, token)
    cmd = [str(c) for c in lab.lab_command(lessons, [
        "--no-browser", "--ServerApp.open_browser=False", "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={TOKEN}"])]
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_for_server(proc, f"{base}/api/status?token={TOKEN}", log)
        yield base
    finally:
        _stop(proc)


@pytest.fixture(scope="module")
def lesson(lab_url, tmp_path_factory):
    """Lesson 01 open in headless Chromium, its kernel started and idle."""
    shots = tmp_path_factory.mktemp("screenshots")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                    args=CHROMIUM_ARGS)
        try:
            pg = browser.new_page(viewport={"width": 1400, "height": 1000})
            pg.set_default_timeout(30_000)
            pg.goto(f"{lab_url}/lab/tree/{NOTEBOOK}?token={TOKEN}")
            panel = pg.locator(".jp-NotebookPanel:visible")
            expect(panel.locator(".jp-Cell").first).to_be_visible(timeout=45_000)
            # the execution indicator reports the kernel's status once it has started
            expect(panel.locator(".jp-Notebook-ExecutionIndicator")).to_have_attribute(
                "data-status", "idle", timeout=45_000)
            pg.shots = shots
            yield pg
            pg.screenshot(path=str(shots / "final.png"))
        finally:
            browser.close()


def _panel(lesson):
    return lesson.locator(".jp-NotebookPanel:visible")


def test_lesson_opens_on_the_backproplab_kernel(lesson):
    toolbar = _panel(lesson).locator(".jp-NotebookPanel-toolbar")
    # the lesson's kernelspec, installed into .venv by run.py: no "Select Kernel" dialog
    expect(toolbar.locator(".jp-KernelName")).to_have_text("Python 3 (backproplab)")
    expect(lesson.locator(".jp-Dialog")).to_have_count(0)
    expect(toolbar.locator(".jp-Notebook-ExecutionIndicator")).to_have_attribute(
        "data-status", "idle")


def test_validate_reports_the_released_stubs(lesson):
    button = _panel(lesson).locator(".jp-NotebookPanel-toolbar jp-button.validate-button")
    expect(button).to_have_text("Validate")
    button.click()
    # the server extension runs the whole lesson; the released stubs fail its test cells
    dialog = lesson.locator(".jp-Dialog")
    expect(dialog.locator(".jp-Dialog-header")).to_have_text("Validation Results",
                                                             timeout=90_000)
    body = dialog.locator(".validation-failed")
    expect(body).to_be_visible()
    expect(body).to_contain_text("The following cell failed")
    expect(body).to_contain_text("NotImplementedError")
    expect(body).to_contain_text('check("sigmoid", sigmoid)')
    lesson.screenshot(path=str(lesson.shots / "validate.png"))
    dialog.locator(".jp-Dialog-button.jp-mod-accept").click()
    expect(dialog).to_have_count(0)
    expect(button).to_have_text("Validate")


def test_neuron_explorer_renders_and_reacts(lesson):
    cell = _panel(lesson).locator(".jp-CodeCell").filter(has_text="display(neuron_explorer(")
    expect(cell).to_have_count(1)
    cell.scroll_into_view_if_needed()
    cell.locator(".jp-InputArea-editor").click()
    lesson.keyboard.press("Shift+Enter")
    output = cell.locator(".jp-OutputArea-output")
    # rendered by the widget manager, not the text repr "VBox(children=...)"
    sliders = output.locator(".jupyter-widgets.widget-slider")
    expect(sliders).to_have_count(3, timeout=30_000)
    expect(output.locator("img.widget-image")).to_be_visible()
    expect(output).not_to_contain_text("Error displaying widget")
    text = output.locator(".widget-html")
    # CENG 506's AND neuron: z = -30, -10, -10, 10 on the rows 00, 01, 10, 11
    expect(text).to_contain_text("10.00")
    expect(text).not_to_contain_text("10.50")
    lesson.screenshot(path=str(lesson.shots / "widget.png"))
    # w1: one step right (20 -> 20.5); the kernel's callback redraws the text
    handle = sliders.first.locator(".noUi-handle")
    handle.focus()
    lesson.keyboard.press("ArrowRight")
    expect(sliders.first.locator(".widget-readout")).to_have_text("20.50")
    # row 11 now has z = 20.5 + 20 - 30 = 10.5
    expect(text).to_contain_text("10.50", timeout=15_000)
    lesson.screenshot(path=str(lesson.shots / "widget-moved.png"))
