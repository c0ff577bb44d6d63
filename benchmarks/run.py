#!/usr/bin/env python3
"""Run every benchmark and print one table of figures, baselines, ratios and targets.

    .venv/bin/python benchmarks/run.py           # full run (a few minutes)
    .venv/bin/python benchmarks/run.py --quick   # smaller sizes, for a smoke run
    .venv/bin/python benchmarks/run.py --markdown > table.md

Each bench_*.py module here has run(quick) -> list of rows {benchmark, figure, baseline,
ratio, target, met}; ratios are ours / baseline, both measured in this same run, so the
comparison holds when the machine's speed drifts. Optional baselines (micrograd, torch)
are skipped with a note when not installed: `pip install -e .[bench]`.
"""
from __future__ import annotations

import argparse
import importlib
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
MODULES = ("bench_graph", "bench_mlp", "bench_train", "bench_lessons", "bench_widgets")


def _cell(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)


def _verdict(row) -> str:
    met = row.get("met")
    return "n/a" if met is None else ("met" if met else "NOT met")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, fewer repeats")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    parser.add_argument("--only", choices=MODULES, action="append", help="run only these modules")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(HERE))
    rows = []
    for name in args.only or MODULES:
        start = time.perf_counter()
        module = importlib.import_module(name)
        rows.extend(module.run(quick=args.quick))
        print(f"# {name}: {time.perf_counter() - start:.1f} s", file=sys.stderr)

    header = ("benchmark", "figure", "baseline", "ratio", "target", "verdict")
    table = [header] + [tuple(_cell(r.get(k)) for k in header[:-1]) + (_verdict(r),) for r in rows]
    print(f"python {platform.python_version()}, {platform.machine()}, "
          f"{'quick' if args.quick else 'full'} run")
    if args.markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
        for line in table[1:]:
            print("| " + " | ".join(line) + " |")
    else:
        widths = [max(len(line[i]) for line in table) for i in range(len(header))]
        for line in table:
            print("  ".join(cell.ljust(w) for cell, w in zip(line, widths)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
