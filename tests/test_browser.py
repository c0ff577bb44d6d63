"""The Quickstart's `python3 run.py course`, and `python3 run.py instructor`, seen in a real browser.

What a student gets must be JupyterLab on lessons/ with the lessons' kernel, nbgrader's
Validate button and working widgets, and nothing of the instructor's. Starting `jupyter lab`
proves none of that: a missing lab extension or widget manager shows up only in the page. So
this starts JupyterLab from the repository's .venv as run.py does (course_env.lab: same
binary, same command line, environment and folder, .venv's own Jupyter settings), opens
lesson 01 in headless Chromium through Playwright and checks:

- the notebook opens on the "Python 3 (backproplab)" kernel, which goes idle;
- the notebook toolbar has nbgrader's Validate button, and validating the released lesson
  reports its failing cells with the stubs' NotImplementedError (the nbgrader server
  extension ran the notebook);
- the lesson's neuron explorer renders as ipywidgets (sliders and picture, not a text repr),
  and moving a slider reaches the kernel and back (the explanation text is redrawn);
- nbgrader's instructor tools are absent (no Create Assignment panel, no formgrader or course
  list in the Nbgrader menu, no formgrader on the server), and JupyterLab shows no "get
  notified about official Jupyter news?" pop-up and does not check for updates.

And in the instructors' JupyterLab (`run.py instructor`): it opens on solutions/, the Create
Assignment panel shows the lesson's graded cells, and the formgrader lists the lessons.

The servers run on temporary copies of the course (Validate saves the notebook first, the
formgrader creates a gradebook, and the repository must not change); their user config, data
and runtime directories are temporary too, so the user's Jupyter settings neither affect the
test nor get touched. Only localhost is used.

Needs Debian's Chromium at /usr/bin/chromium (`python3 run.py test` installs it with apt-get
when it can) and the `playwright` package (the dev extra); without them the tests skip.
Screenshots are written to the test's tmp_path.
"""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
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


def _start(which: lab.Lab, tmp: Path, port: int):
    """Start JupyterLab as `which` says (on `port`); its process and base URL."""
    env = install.env(which.env)
    env.update(JUPYTER_CONFIG_DIR=str(tmp / "config"), JUPYTER_DATA_DIR=str(tmp / "data"),
               JUPYTER_RUNTIME_DIR=str(tmp / "runtime"), MPLBACKEND="Agg")
    log = tmp / "jupyter.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([str(c) for c in which.command], cwd=which.cwd, env=env, stdout=out,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for_server(proc, f"{base}/api/status?token={TOKEN}", log)
    except BaseException:
        _stop(proc)
        raise
    return proc, base


def _test_args(port: int) -> list:
    """What a test adds to run.py's command line: no browser, the port, a known token."""
    return ["--no-browser", "--ServerApp.open_browser=False", "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={TOKEN}"]


def _course_copy(tmp: Path) -> Path:
    """A course root to serve: lessons/, solutions/ and the nbgrader configuration."""
    course = tmp / "course"
    for folder in ("lessons", "solutions"):
        shutil.copytree(ROOT / folder, course / folder)
    (course / "grading").mkdir()
    shutil.copy(ROOT / "grading" / "nbgrader_config.py", course / "grading")
    return course


@contextlib.contextmanager
def _served(tmp: Path, which_lab):
    """The JupyterLab `which_lab` (lab.students_lab or lab.instructors_lab) makes, run on a
    temporary copy of the course; its base URL while the block runs."""
    jupyter = install.BIN / "jupyter"
    if not jupyter.exists():
        pytest.skip(f"{jupyter} is missing: run `python3 run.py test` once to set up .venv")
    port = _free_port()
    proc, base = _start(which_lab(_test_args(port), root=_course_copy(tmp)), tmp, port)
    try:
        yield base
    finally:
        _stop(proc)


@pytest.fixture(scope="module")
def lab_url(tmp_path_factory):
    """The students' JupyterLab as `run.py course` starts it."""
    with _served(tmp_path_factory.mktemp("lab"), lab.students_lab) as base:
        yield base


@pytest.fixture(scope="module")
def instructors_url(tmp_path_factory):
    """The instructors' JupyterLab as `run.py instructor` starts it."""
    with _served(tmp_path_factory.mktemp("instructors-lab"), lab.instructors_lab) as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@contextlib.contextmanager
def _notebook_page(browser, url: str, shots: Path):
    """A page with the notebook at `url` open, its kernel started and idle; screenshots go to
    `shots` (the last one when the block ends)."""
    pg = browser.new_page(viewport={"width": 1400, "height": 1000})
    pg.set_default_timeout(30_000)
    pg.goto(url)
    panel = pg.locator(".jp-NotebookPanel:visible")
    expect(panel.locator(".jp-Cell").first).to_be_visible(timeout=45_000)
    # the session names the kernel once the server has started it (the execution indicator
    # says "idle" before that too); a busy machine takes a while
    expect(panel.locator(".jp-NotebookPanel-toolbar .jp-KernelName")).to_have_text(
        "Python 3 (backproplab)", timeout=90_000)
    expect(panel.locator(".jp-Notebook-ExecutionIndicator")).to_have_attribute(
        "data-status", "idle", timeout=45_000)
    pg.shots = shots
    try:
        yield pg
        pg.screenshot(path=str(shots / "final.png"))
    finally:
        pg.close()


@pytest.fixture(scope="module")
def lesson(lab_url, browser, tmp_path_factory):
    """Lesson 01 open in the students' JupyterLab."""
    with _notebook_page(browser, f"{lab_url}/lab/tree/{NOTEBOOK}?token={TOKEN}",
                        tmp_path_factory.mktemp("screenshots")) as pg:
        yield pg


@pytest.fixture(scope="module")
def solution(instructors_url, browser, tmp_path_factory):
    """Lesson 01's instructor notebook open in the instructors' JupyterLab."""
    with _notebook_page(browser, f"{instructors_url}/lab/tree/solutions/{NOTEBOOK}?token={TOKEN}",
                        tmp_path_factory.mktemp("screenshots-instructors")) as pg:
        yield pg


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args):
        return None


def _head(url: str) -> tuple:
    """The HTTP status of a GET and where it redirects to (redirects not followed)."""
    try:
        with urllib.request.build_opener(_NoRedirect).open(url, timeout=30) as r:
            return r.status, None
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Location")


def _nbgrader_menu(pg) -> list:
    """The visible items of the Nbgrader menu."""
    pg.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").click()
    menu = pg.locator(".lm-Menu:visible")
    expect(menu.locator(".lm-Menu-item").first).to_be_visible()
    items = menu.locator(".lm-Menu-item:not(.lm-mod-hidden) .lm-Menu-itemLabel").all_text_contents()
    pg.keyboard.press("Escape")
    expect(menu).to_have_count(0)
    return items


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


# -- what a student does not get ---------------------------------------------------------------

def test_the_students_lab_has_no_instructor_tools(lesson, lab_url):
    # the Create Assignment side panel, where a cell's grading metadata could be changed
    tabs = lesson.locator(".jp-SideBar .lm-TabBar-tab")
    expect(tabs.first).to_be_visible()
    expect(lesson.locator("#nbgrader-create_assignemnt")).to_have_count(0)   # nbgrader's spelling
    assert "Create Assignment" not in " ".join(tabs.all_text_contents())
    # the Nbgrader menu keeps the students' assignment list only
    assert _nbgrader_menu(lesson) == ["Assignment List"]
    # and the server has no formgrader or course list to offer
    assert _head(f"{lab_url}/formgrader?token={TOKEN}")[0] == 404
    assert _head(f"{lab_url}/formgraders?token={TOKEN}")[0] == 404
    # Validate stays (test_validate_reports_the_released_stubs uses it)
    expect(_panel(lesson).locator(".jp-NotebookPanel-toolbar jp-button.validate-button")).to_have_count(1)


def test_no_news_question_and_no_update_check(lesson, lab_url):
    """JupyterLab's default asks in a toast over the lesson's first cells whether to fetch news."""
    expect(lesson.locator(".jp-Notebook-ExecutionIndicator:visible")).to_have_attribute("data-status", "idle")
    expect(lesson.get_by_text("official Jupyter news")).to_have_count(0)
    expect(lesson.locator(".Toastify__toast")).to_have_count(0)
    # why: the server fetches no news feed (the page is told news are disabled) and the
    # notification settings' defaults say no news and no update check
    config = json.loads(lesson.locator("#jupyter-config-data").text_content())
    assert config["news"] == {"disabled": True}
    with urllib.request.urlopen(f"{lab_url}/lab/api/settings/@jupyterlab/apputils-extension:notification"
                                f"?token={TOKEN}", timeout=30) as r:
        notification = json.load(r)["schema"]["properties"]
    assert notification["fetchNews"]["default"] == "false"
    assert notification["checkForUpdates"]["default"] is False


# -- the instructors' JupyterLab ----------------------------------------------------------------

def test_the_instructors_lab_opens_on_solutions(instructors_url):
    status, location = _head(f"{instructors_url}/?token={TOKEN}")
    assert status == 302 and location.split("?")[0].endswith("/lab/tree/solutions"), (status, location)


def test_the_instructors_lab_has_the_create_assignment_panel(solution):
    tab = solution.locator(".jp-SideBar.jp-mod-right .lm-TabBar-tab", has_text="Create Assignment")
    expect(tab).to_have_count(1)
    tab.click()
    panel = solution.locator("#nbgrader-create_assignemnt")
    expect(panel).to_be_visible()
    # nbgrader's cell widgets show the lesson's graded cells: the sigmoid answer and its tests
    widgets = panel.locator(".nbgrader-CellWidget")
    expect(widgets.first).to_be_visible(timeout=30_000)
    types = [t for t in panel.locator(".nbgrader-CellType select").evaluate_all(
        "els => els.map(e => e.options[e.selectedIndex].text)")]
    assert "Autograded answer" in types and "Autograded tests" in types, types
    solution.screenshot(path=str(solution.shots / "create-assignment.png"))
    assert _nbgrader_menu(solution) == ["Assignment List", "Course List", "Formgrader", "Create assignment"]


def test_the_instructors_formgrader_lists_the_lessons(instructors_url):
    with urllib.request.urlopen(f"{instructors_url}/formgrader/api/assignments?token={TOKEN}",
                                timeout=60) as r:
        assignments = json.load(r)
    lessons = sorted(p.name for p in (ROOT / "solutions").iterdir() if p.is_dir() and p.name[:2].isdigit())
    assert sorted(a["name"] for a in assignments) == lessons
    assert {a["source_path"] for a in assignments} == {f"solutions/{name}" for name in lessons}
