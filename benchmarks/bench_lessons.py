#!/usr/bin/env python3
"""How long each lesson takes: in a fresh kernel (target <= 20 s) and under grading (<= 5 s).

1. Each instructor notebook in solutions/ is executed with nbclient in a new "backproplab"
   kernel, as a student's "Restart and run all" would; the figure is the wall time from kernel
   start to the last cell, the median of a few runs. The baseline is the same kernel running an
   empty notebook (start-up and shutdown only), so the ratio column shows what the lesson's own
   cells add.
2. `--graded`: the solution handed in as a student's notebook, assembled and run exactly as
   `backproplab grade` runs it (backproplab.classgrade: the hidden tests included, the sandbox
   when it works here, figures not drawn); the figure is the sum of the cells' times the worker
   records (kernel start-up excluded), the median of a few runs; the baseline is the same sum
   for a notebook of the setup cell alone, whose imports every lesson pays.
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
TARGET_S = 20.0


def _run(nb) -> float:
    start = time.perf_counter()
    NotebookClient(nb, kernel_name="backproplab", timeout=120,
                   resources={"metadata": {"path": str(ROOT)}}).execute()
    return time.perf_counter() - start


def run(quick: bool = False) -> list:
    repeats = 1 if quick else 3
    empty = statistics.median(_run(nbformat.v4.new_notebook()) for _ in range(repeats))
    rows = []
    for path in sorted((ROOT / "solutions").glob("*/*.ipynb")):
        seconds = statistics.median(_run(nbformat.read(path, as_version=4)) for _ in range(repeats))
        rows.append({"benchmark": f"lesson {path.stem}: fresh kernel, top to bottom, s",
                     "figure": seconds, "baseline": empty, "ratio": seconds / empty,
                     "target": f"<= {TARGET_S:.0f} s", "met": seconds <= TARGET_S})
    return rows


GRADED_TARGET_S = 5.0


def _graded_seconds(nb) -> float:
    """Sum of the cell times of `nb` run by the grading worker (as `backproplab grade` does)."""
    import tempfile

    from backproplab.classgrade import jail, worker
    sandbox = jail.choose("auto", jail.parse_size("4G"), hidden=[])
    with tempfile.TemporaryDirectory() as tmp:
        crashed = worker.execute(nb, Path(tmp) / "run", 60, sandbox, jail.font_cache())
    if crashed:
        raise RuntimeError(crashed)
    return sum(c.metadata.get("backproplab", {}).get("seconds", 0.0) for c in nb.cells if c.cell_type == "code")


def run_graded(quick: bool = False) -> list:
    from backproplab.classgrade.assemble import build
    repeats = 1 if quick else 3
    rows = []
    for path in sorted((ROOT / "solutions").glob("*/*.ipynb")):
        source = nbformat.read(path, as_version=4)
        release = nbformat.read(ROOT / "lessons" / path.parent.name / path.name, as_version=4)
        first_code = next(c for c in source.cells if c.cell_type == "code")   # the setup cell
        setup = nbformat.v4.new_notebook(cells=[first_code])
        base = statistics.median(_graded_seconds(build(setup, setup, setup)) for _ in range(repeats))
        seconds = statistics.median(_graded_seconds(build(source, release, source)) for _ in range(repeats))
        rows.append({"benchmark": f"lesson {path.stem}: cell time under backproplab grade, s",
                     "figure": seconds, "baseline": base, "ratio": seconds / base,
                     "target": f"<= {GRADED_TARGET_S:.0f} s", "met": seconds <= GRADED_TARGET_S})
    return rows


if __name__ == "__main__":
    graded = "--graded" in sys.argv
    for row in (run_graded if graded else run)(quick="--quick" in sys.argv):
        base = "setup cell alone" if graded else "empty kernel"
        print(f"{row['benchmark']}: {row['figure']:.1f} s ({base} {row['baseline']:.1f} s), "
              f"target {row['target']}: {'met' if row['met'] else 'NOT met'}")
