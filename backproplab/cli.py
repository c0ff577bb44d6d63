"""The `backproplab` command (instructor tools).

    backproplab release [LESSON ...] [--root DIR]   regenerate lessons/ from solutions/
"""
from __future__ import annotations

import argparse
import sys


def _release(args) -> int:
    from .grading import ReleaseError, release
    try:
        paths = release(args.root, args.lessons or None)
    except ReleaseError as exc:
        print(f"backproplab release: {exc}", file=sys.stderr)
        return 1
    for path in paths:
        print(f"wrote {path}")
    if not paths:
        print("backproplab release: no lessons in solutions/", file=sys.stderr)
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="backproplab", description="Instructor tools of the backproplab course.")
    sub = parser.add_subparsers(dest="command", required=True)
    rel = sub.add_parser("release", help="regenerate the student notebooks in lessons/ from solutions/ "
                                         "(nbgrader generate_assignment)")
    rel.add_argument("lessons", nargs="*", help="lesson ids, e.g. 01-neurons-and-logic-gates (default: all)")
    rel.add_argument("--root", default=None, help="course root (default: this checkout)")
    rel.set_defaults(run=_release)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
