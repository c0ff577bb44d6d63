#!/usr/bin/env python3
"""How long each lesson takes to run top to bottom in a fresh kernel (target: <= 20 s).

Each instructor notebook in solutions/ is executed with nbclient in a new "backproplab"
kernel, as a student's "Restart and run all" would; the figure is the wall time from kernel
start to the last cell, the median of a few runs. The baseline is the same kernel running an
empty notebook (start-up and shutdown only), so the ratio column shows what the lesson's own
cells add.
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


if __name__ == "__main__":
    for row in run(quick="--quick" in sys.argv):
        print(f"{row['benchmark']}: {row['figure']:.1f} s (empty kernel {row['baseline']:.1f} s), "
              f"target {row['target']}: {'met' if row['met'] else 'NOT met'}")
