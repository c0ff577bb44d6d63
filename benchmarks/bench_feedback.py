"""Benchmark: the self-sufficient feedback page (issue 17) against the page as it was.

    .venv/bin/python benchmarks/bench_feedback.py                 # grade a small class, then measure
    .venv/bin/python benchmarks/bench_feedback.py --graded DIR    # reuse a grading output (grading/)
    .venv/bin/python benchmarks/bench_feedback.py --quick         # fewer repeats

Pages: real graded notebooks - 4 students (the solution, the blank release, every exercise a
catalogued mistake, half mistakes half alternatives, as bench_grade.py makes them) x every
lesson, graded by `backproplab grade` with its defaults (figures not drawn).

Baseline: the page as it was, rendered in the same run by the renderer as it was -
backproplab/classgrade/feedback.py at commit BEFORE, read from this repository's git history
(nbconvert's lab template, MathJax and require.js from a CDN, the same per-worker caches). Each
notebook gets both pages, from the same notebook, cells and job.

Figures (ratios now / before; target <= 2 for each, issue 17):
- size: mean bytes of a page, and of the largest;
- writing time as a grading worker sees it: a fresh process renders every page in turn,
  student by student (the first page of each lesson finds the caches cold for that lesson,
  the others warm); the whole class's time, and the median first-of-a-lesson and later page,
  medians over fresh processes run alternately for the two renderers;
- reading time: Chromium (Debian's, headless) opening each page from disk with every outside
  request aborted (offline), to its load event and a layout; median over pages and repeats,
  interleaved. Skipped with a note when Chromium or Playwright is missing.
run(quick=False) returns rows {"benchmark", "figure", "baseline", "ratio", "target", "met"}.
"""
from __future__ import annotations

import copy
import importlib.util
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

# main when issue 17 started: the feedback renderer with MathJax from a CDN
BEFORE = "87b1f5adb8b685226d51afd70a3b4458b595971a"
TARGET = 2.0
CHROMIUM = Path("/usr/bin/chromium")


def _before_module():
    """backproplab.classgrade.feedback as it was at BEFORE, imported beside today's."""
    source = subprocess.run(["git", "-C", str(ROOT), "show", f"{BEFORE}:backproplab/classgrade/feedback.py"],
                            capture_output=True, text=True, check=True).stdout
    folder = Path(tempfile.mkdtemp(prefix="feedback-before-"))
    (folder / "feedback_before.py").write_text(source)
    spec = importlib.util.spec_from_file_location("backproplab.classgrade.feedback_before",
                                                  folder / "feedback_before.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _renderer(kind: str):
    if kind == "now":
        from backproplab.classgrade.feedback import render_feedback
        return render_feedback
    return _before_module().render_feedback


def _jobs(graded: Path, course: Path) -> list:
    """(key, lesson, autograded notebook path, release path, cell results, job), student by student."""
    state = json.loads((graded / ".grade-state.json").read_text())["entries"]
    jobs = []
    for key in sorted(state):
        student, lesson = key.split("/")
        result = state[key]["result"]
        notebook = graded / "autograded" / student / lesson / f"{lesson}.ipynb"
        if result.get("status") == "graded" and notebook.is_file():
            jobs.append((key, lesson, notebook, course / "lessons" / lesson / f"{lesson}.ipynb", result["cells"],
                         {"student": student, "lesson": lesson}))
    return jobs


def worker(kind: str, graded: Path, course: Path, out: Path) -> list:
    """In this (fresh) process: render every page with renderer `kind`, write it under `out`;
    [(key, lesson, seconds, bytes)]."""
    import nbformat
    import nbconvert  # noqa: F401 - the import is a worker's start-up, not a page's cost
    render = _renderer(kind)
    rows = []
    for key, lesson, notebook, release, cells, job in _jobs(graded, course):
        nb = nbformat.read(str(notebook), as_version=4)
        rel = nbformat.read(str(release), as_version=4)
        if kind == "before":
            # the baseline at its best: each cell's run time, recorded while grading since, would
            # make its highlighting cache miss on every student's code cells
            for cell in nb.cells:
                cell.metadata.pop("backproplab", None)
        start = time.perf_counter()
        page = render(copy.deepcopy(nb), rel, cells, job)
        seconds = time.perf_counter() - start
        path = out / kind / f"{key.replace('/', '__')}.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(page, encoding="utf-8")
        rows.append((key, lesson, seconds, len(page.encode("utf-8"))))
    return rows


def _grade_class(tmp: Path) -> tuple:
    from bench_grade import _course, _make_class
    from backproplab.grading import lesson_ids, nbgrader_env
    course = _course(tmp / "course")
    _make_class(tmp / "submitted", 4, lesson_ids(ROOT))
    proc = subprocess.run([sys.executable, "-m", "backproplab.cli", "grade", str(tmp / "submitted"), "--root",
                           str(course), "--jobs", "2", "--no-progress"], env=nbgrader_env(),
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"backproplab grade failed:\n{proc.stdout}{proc.stderr}")
    return course / "grading", course


def _writing(graded: Path, course: Path, out: Path, repeats: int) -> dict:
    """{kind: [rows of each fresh process]}, the two renderers alternating."""
    runs = {"before": [], "now": []}
    for _ in range(repeats):
        for kind in ("before", "now"):
            proc = subprocess.run([sys.executable, __file__, "--worker", kind, str(graded), str(course), str(out)],
                                  capture_output=True, text=True)
            if proc.returncode != 0:
                raise RuntimeError(f"worker {kind} failed:\n{proc.stderr[-3000:]}")
            runs[kind].append(json.loads(proc.stdout.splitlines()[-1]))
    return runs


def _timing(rows_per_run: list) -> dict:
    """Whole class, first page of a lesson, later pages: medians over the runs."""
    totals, firsts, laters = [], [], []
    for rows in rows_per_run:
        totals.append(sum(r[2] for r in rows))
        seen = set()
        for key, lesson, seconds, _ in rows:
            (laters if lesson in seen else firsts).append(seconds)
            seen.add(lesson)
    return {"class": statistics.median(totals), "first": statistics.median(firsts), "later": statistics.median(laters)}


def _only(url: str):
    """A route handler letting through the page's own file only (offline)."""
    def handle(route):
        route.continue_() if route.request.url == url else route.abort()
    return handle


def _reading(out: Path, repeats: int) -> dict | None:
    """{kind: median seconds} for Chromium to load and lay out a page offline, or None."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    if not CHROMIUM.exists():
        return None
    names = sorted(p.name for p in (out / "now").glob("*.html"))
    times = {"before": [], "now": []}
    args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=args)
        try:
            for _ in range(repeats):
                for name in names:
                    for kind in ("before", "now"):
                        url = (out / kind / name).resolve().as_uri()
                        page = browser.new_page()
                        page.route("**/*", _only(url))
                        start = time.perf_counter()
                        page.goto(url, wait_until="load")
                        page.evaluate("document.body.offsetHeight")
                        times[kind].append(time.perf_counter() - start)
                        page.close()
        finally:
            browser.close()
    return {kind: statistics.median(t) for kind, t in times.items()}


def _row(label, figure, baseline, target=TARGET):
    ratio = figure / baseline
    return {"benchmark": label, "figure": figure, "baseline": baseline, "ratio": ratio,
            "target": f"<= {target}x the page as it was", "met": ratio <= target}


def run(quick: bool = False, graded: Path | None = None) -> list:
    repeats = 2 if quick else 5
    with tempfile.TemporaryDirectory(prefix="bench-feedback-") as tmp:
        tmp = Path(tmp)
        if graded is None:
            graded, course = _grade_class(tmp)
        else:
            graded = Path(graded).resolve()
            course = graded.parent
        out = tmp / "pages"
        runs = _writing(graded, course, out, repeats)
        pages = len(runs["now"][0])
        size = {k: [r[3] for r in runs[k][0]] for k in runs}
        timing = {k: _timing(runs[k]) for k in runs}
        reading = _reading(out, 1 if quick else 3)
    rows = [
        _row(f"feedback page size, mean of {pages} pages: bytes", statistics.mean(size["now"]), statistics.mean(size["before"])),
        _row("feedback page size, largest page: bytes", max(size["now"]), max(size["before"])),
        _row(f"writing the {pages} pages of the class in one worker: s", timing["now"]["class"], timing["before"]["class"]),
        _row("writing a lesson's first page in a worker (cold caches): s", timing["now"]["first"], timing["before"]["first"]),
        _row("writing a later page (warm caches): s", timing["now"]["later"], timing["before"]["later"]),
    ]
    if reading is None:
        print("reading time skipped: Chromium (/usr/bin/chromium) or playwright is missing", file=sys.stderr)
    else:
        rows.append(_row("Chromium opening a page from disk, offline, to load and layout: s",
                         reading["now"], reading["before"]))
    return rows


if __name__ == "__main__":
    args = sys.argv[1:]
    if args[:1] == ["--worker"]:
        print(json.dumps(worker(args[1], Path(args[2]), Path(args[3]), Path(args[4]))))
        sys.exit(0)
    given = Path(args[args.index("--graded") + 1]) if "--graded" in args else None
    for row in run(quick="--quick" in args, graded=given):
        print(f"{row['benchmark']}: {row['figure']:.4g} vs {row['baseline']:.4g} before, ratio {row['ratio']:.2f} "
              f"({row['target']}: {'met' if row['met'] else 'NOT met'})")
