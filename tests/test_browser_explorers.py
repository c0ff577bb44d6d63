"""Lesson 08's explorers in a real browser, moved as a person moves them.

The explorers' own tests (test_widgets.py) set the controls' values in Python. What only a
browser shows is the rest of the loop: that the widgets render in JupyterLab, that a slider
takes the keyboard, that the new value reaches the kernel, and that the kernel's new text and
picture come back into the page, in place, with no traceback anywhere. So this starts the
students' JupyterLab (as test_browser.py does, from .venv, with temporary Jupyter folders) on
a temporary course holding lesson 08 with its exercises done (the solution notebook: the
released one stops at its first stub), opens it in headless Chromium through Playwright, runs
all cells from the Run menu, and then, for each explorer, moves

- the learning-rate slider (focused, one ArrowRight: one step of its log scale),
- the momentum slider (focused, one ArrowLeft),
- the optimizer dropdown (the next optimizer chosen from its list),

checking each time that the readout under the picture and the picture itself change within
seconds, and at the end that no output and no entry of JupyterLab's log console (where the
errors of widget callbacks go) holds a traceback or an error.

Needs what test_browser.py needs (Debian's Chromium, playwright); without it the tests skip.
"""
from __future__ import annotations

import shutil

import pytest

from test_browser import (CHROMIUM, CHROMIUM_ARGS, ROOT, TOKEN, _free_port, _notebook_page, _start,
                          _stop, _test_args, expect, sync_api)
from course_env import install, lab

SLUG = "08-learning-rate-and-momentum"
RUN_ALL_TIMEOUT_MS = 180_000      # the lesson runs in ~10-20 s; a busy machine is slower
CHANGE_TIMEOUT_MS = 15_000        # "within seconds": a redraw takes < 0.2 s in the kernel


@pytest.fixture(scope="module")
def lesson08_url(tmp_path_factory):
    """The students' JupyterLab on a temporary course holding lesson 08, exercises done."""
    jupyter = install.BIN / "jupyter"
    if not jupyter.exists():
        pytest.skip(f"{jupyter} is missing: run `python3 run.py test` once to set up .venv")
    tmp = tmp_path_factory.mktemp("lab08")
    course = tmp / "course"
    (course / "lessons" / SLUG).mkdir(parents=True)
    shutil.copy(ROOT / "solutions" / SLUG / f"{SLUG}.ipynb", course / "lessons" / SLUG)
    (course / "grading").mkdir()
    shutil.copy(ROOT / "grading" / "nbgrader_config.py", course / "grading")
    port = _free_port()
    proc, base = _start(lab.students_lab(_test_args(port), root=course), tmp, port)
    try:
        yield base
    finally:
        _stop(proc)


@pytest.fixture(scope="module")
def page(lesson08_url, tmp_path_factory):
    """Lesson 08 open in the students' JupyterLab, all its cells run."""
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            with _notebook_page(chromium, f"{lesson08_url}/lab/tree/{SLUG}/{SLUG}.ipynb?token={TOKEN}",
                                tmp_path_factory.mktemp("screenshots-lesson08")) as pg:
                _run_all(pg)
                yield pg
        finally:
            chromium.close()


def _menu(pg, menu: str, item: str) -> None:
    pg.locator(".lm-MenuBar-itemLabel", has_text=menu).click()
    pg.locator(".lm-Menu:visible .lm-Menu-item", has_text=item).first.click()


def _run_all(pg) -> None:
    """Run > Run All Cells, then wait for the last cell (the second explorer) to be drawn."""
    _menu(pg, "Run", "Run All Cells")
    panel = pg.locator(".jp-NotebookPanel:visible")
    last = panel.locator(".jp-CodeCell").last
    # the last explorer's picture, rendered by the widget manager
    expect(last.locator(".jp-OutputArea-output img.widget-image")).to_have_count(1, timeout=RUN_ALL_TIMEOUT_MS)
    expect(panel.locator(".jp-Notebook-ExecutionIndicator")).to_have_attribute(
        "data-status", "idle", timeout=RUN_ALL_TIMEOUT_MS)


def _explorer(pg, marker: str):
    """The output of the code cell whose source contains `marker`."""
    cell = pg.locator(".jp-NotebookPanel:visible .jp-CodeCell").filter(has_text=marker)
    expect(cell).to_have_count(1)
    output = cell.locator(".jp-OutputArea-output")
    expect(output.locator("img.widget-image")).to_be_visible()
    return output


def _readout_and_picture(output):
    return (output.locator(".widget-html").last.inner_text(),
            output.locator("img.widget-image").get_attribute("src"))


def _expect_change(pg, output, before, what: str) -> None:
    """The readout and the picture both differ from `before` within CHANGE_TIMEOUT_MS."""
    text, src = before
    html = output.locator(".widget-html").last
    expect(html).not_to_have_text(text, timeout=CHANGE_TIMEOUT_MS)
    image = output.locator("img.widget-image")
    expect(image).not_to_have_attribute("src", src, timeout=CHANGE_TIMEOUT_MS)
    assert output.locator("img.widget-image").count() == 1, f"{what}: the picture was not replaced in place"


def _move_slider(pg, output, index: int, key: str, readout: str) -> None:
    """Focus slider `index` of the explorer's controls and press `key` once, as a person would."""
    slider = output.locator(".jupyter-widgets.widget-slider").nth(index)
    before = _readout_and_picture(output)
    old = slider.locator(".widget-readout").inner_text()
    slider.locator(".noUi-handle").focus()
    pg.keyboard.press(key)
    expect(slider.locator(".widget-readout")).not_to_have_text(old, timeout=CHANGE_TIMEOUT_MS)
    _expect_change(pg, output, before, readout)
    new = slider.locator(".widget-readout").inner_text()
    assert new in output.locator(".widget-html").last.inner_text(), \
        f"{readout}: the readout does not show the slider's new value {new}"


def _move_dropdown(pg, output) -> str:
    select = output.locator(".widget-dropdown select")
    before = _readout_and_picture(output)
    old = select.input_value()
    # a native <select> opens a popup of the browser's own, outside the page: a person picks the
    # next entry there; Playwright's select_option makes that choice (input and change events)
    options = select.locator("option").all_inner_texts()
    select.select_option(options[options.index(old) + 1])
    expect(select).not_to_have_value(old, timeout=CHANGE_TIMEOUT_MS)
    _expect_change(pg, output, before, "optimizer dropdown")
    new = select.input_value()
    assert output.locator(".widget-html").last.inner_text().startswith(new)
    return new


@pytest.mark.parametrize("marker, sliders", [
    ("display(explorer)", 3),                       # learning rate, momentum, steps
    ("display(training_explorer(", 3),              # learning rate, momentum, epochs
])
def test_sliders_and_dropdown_redraw_the_explorer(page, marker, sliders):
    output = _explorer(page, marker)
    expect(output.locator(".jupyter-widgets.widget-slider")).to_have_count(sliders)
    expect(output).not_to_contain_text("Error displaying widget")
    output.screenshot(path=str(page.shots / f"{marker[8:16]}-before.png"))
    # the explorers start on Momentum: the momentum slider is enabled
    assert output.locator(".widget-dropdown select").input_value() == "Momentum"
    _move_slider(page, output, 0, "ArrowRight", "learning-rate slider")
    _move_slider(page, output, 1, "ArrowLeft", "momentum slider")
    assert _move_dropdown(page, output) == "Nesterov"
    output.screenshot(path=str(page.shots / f"{marker[8:16]}-after.png"))


def test_no_traceback_in_any_output_or_in_the_log_console(page):
    # after the explorers were moved (the tests above run first, in file order)
    outputs = page.locator(".jp-NotebookPanel:visible .jp-OutputArea-output")
    assert outputs.count() > 10
    text = "\n".join(outputs.all_inner_texts())
    for bad in ("Traceback", "Error displaying widget", "Error:"):
        assert bad not in text, f"an output holds {bad!r}:\n{text[:3000]}"
    assert page.locator(".jp-NotebookPanel:visible [data-mime-type='application/vnd.jupyter.stderr']").count() == 0
    # JupyterLab's log console: kernel output that belongs to no cell (a widget callback's
    # traceback) and the widget manager's errors land there; show every level
    _menu(page, "View", "Show Log Console")
    console = page.locator(".jp-LogConsole")
    expect(console).to_be_visible()
    level = page.locator(".jp-LogConsole-toolbarLogLevel select, select[aria-label='Log level']").first
    if level.count():
        level.select_option("debug")
    page.screenshot(path=str(page.shots / "log-console.png"))
    entries = console.locator(".jp-OutputArea-output")
    logged = "\n".join(entries.all_inner_texts())
    for bad in ("Traceback", "Error"):
        assert bad not in logged, f"JupyterLab's log console holds {bad!r}:\n{logged[:3000]}"


def test_the_log_console_check_would_see_a_callback_warning(page):
    """The control for the test above: stderr written by a widget callback (a RuntimeWarning
    of NumPy, a printed traceback) reaches the log console, so an empty console means none."""
    panel = page.locator(".jp-NotebookPanel:visible")
    panel.locator(".jp-CodeCell").last.locator(".jp-InputArea-prompt").click()
    page.keyboard.press("Escape")
    page.keyboard.press("b")                       # a new cell below, as a person adds one
    page.keyboard.press("Enter")                   # edit it
    page.keyboard.insert_text(
        "import sys, ipywidgets\n"
        "probe = ipywidgets.IntSlider(description='probe')\n"
        "probe.observe(lambda change: print('Traceback (probe): a callback failed', file=sys.stderr), names='value')\n"
        "display(probe)")
    page.keyboard.press("Shift+Enter")
    slider = panel.locator(".jp-CodeCell").filter(has_text="probe.observe").locator(
        ".jupyter-widgets.widget-slider")
    expect(slider).to_have_count(1, timeout=30_000)
    slider.locator(".noUi-handle").focus()
    page.keyboard.press("ArrowRight")
    console = page.locator(".jp-LogConsole")
    expect(console).to_contain_text("Traceback (probe): a callback failed", timeout=CHANGE_TIMEOUT_MS)
