"""Make docs/report-screenshot.png: the misconception report of a synthetic class, in Chromium.

    .venv/bin/python docs/make_screenshot.py                 # 16 students, every lesson
    .venv/bin/python docs/make_screenshot.py --students 30 --keep /tmp/class

A temporary copy of the course, a class whose students answer each exercise, drawn with a
fixed seed, with the solution, a mistake of the exercise's catalogue (the first entries more
often, as real classes share a few mistakes), a generic wrong answer (the expected values times
1.1, looked up case by case) or the released stub; `backproplab grade` grades it and
grading/report.html is photographed in headless Chromium (Playwright driving Debian's
/usr/bin/chromium, as tests/test_browser.py does). The top of the page is kept: the first
lesson's table of exercises and its first charts. --keep DIR keeps the graded course.
"""
from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

CHROMIUM = "/usr/bin/chromium"
OUTPUT = ROOT / "docs" / "report-screenshot.png"


def _stub(name: str) -> str:
    return f"def {name}(*args, **kwargs):\n    raise NotImplementedError()\n"


def _looks_up(ex) -> bool:
    """A factor of 1.1 makes sense for this exercise's answers (numbers or arrays of them)."""
    import numpy as np
    return ex.says_relations and all(isinstance(c.expected, (float, np.ndarray)) for c in (*ex.visible, *ex.hidden))


def answers(rng: random.Random, lesson: str) -> dict:
    """{exercise: source} for one student's hand-in of `lesson` (exercises not named: solution)."""
    from backproplab.checks import exercises
    from _classroom import scaled_lookup_source
    chosen = {}
    for name, ex in exercises().items():
        if ex.lesson != lesson:
            continue
        r = rng.random()
        if r < 0.45:
            continue
        if r < 0.8 and ex.mistakes:
            weights = [1.0 / (i + 1) ** 1.5 for i in range(len(ex.mistakes))]
            chosen[name] = rng.choices(ex.mistakes, weights)[0].source
        elif r < 0.92 and _looks_up(ex):
            chosen[name] = scaled_lookup_source(name)
        else:
            chosen[name] = _stub(name)
    if "sigmoid" in chosen:
        # the solution's neuron and XNOR network use the notebook's sigmoid: written without it
        for name in ("neuron", "xnor_network"):
            chosen.setdefault(name, exercises()[name].alternatives[0])
    return chosen


def make_class(folder: Path, students: int, lessons) -> None:
    import nbformat
    from _classroom import solution_nb, with_functions
    rng = random.Random(20261123)
    for k in range(students):
        for lesson in lessons:
            nb = with_functions(solution_nb(lesson), answers(rng, lesson))
            path = folder / f"student{k + 1:02d}" / lesson / f"{lesson}.ipynb"
            path.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, str(path))


def photograph(page: Path, out: Path, height: int) -> None:
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                    args=["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                                          "--disable-background-networking", "--disable-component-update"])
        try:
            tab = browser.new_page(viewport={"width": 1000, "height": height})
            tab.goto(page.as_uri())
            tab.screenshot(path=str(out))
        finally:
            browser.close()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=16)
    parser.add_argument("--height", type=int, default=1500, help="pixels of the page kept (default 1500)")
    parser.add_argument("--keep", type=Path, default=None, help="keep the graded course in this folder")
    parser.add_argument("--out", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)

    from backproplab import cli
    from backproplab.grading import lesson_ids
    from _classroom import make_course
    work = Path(tempfile.mkdtemp(prefix="report-screenshot-"))
    try:
        course = make_course(work / "course")
        make_class(work / "submitted", args.students, lesson_ids(ROOT))
        code = cli.main(["grade", str(work / "submitted"), "--root", str(course), "--no-progress"])
        if code != 0:
            return code
        photograph(course / "grading" / "report.html", args.out, args.height)
        print(f"wrote {args.out}")
        if args.keep:
            shutil.copytree(course, args.keep, dirs_exist_ok=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
