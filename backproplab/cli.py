"""The `backproplab` command (instructor tools).

    backproplab release [LESSON ...] [--root DIR]   regenerate lessons/ from solutions/
    backproplab grade SUBMISSIONS [--lesson ID ...] [--jobs N] [--out DIR] [--root DIR] [--timeout S]
                      [--sandbox auto|bwrap|none] [--memory SIZE] [--figures]
                                                   autograde a class (folder or .zip)
    backproplab export moodle|canvas|csv --lesson ID [--worksheet FILE] [--gradebook FILE]
                       [--column NAME] [--out-of N] [--out DIR] [--root DIR]
                                                   grades and feedback in the LMS's import format
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


def _grade(args) -> int:
    from .classgrade import GradeError, grade_class
    try:
        summary = grade_class(args.submissions, lessons=args.lesson or None, jobs=args.jobs,
                              out=args.out, root=args.root, timeout=args.timeout,
                              progress=not args.no_progress, sandbox=args.sandbox, memory=args.memory,
                              figures=args.figures)
    except (GradeError, ValueError, OSError, RuntimeError) as exc:
        print(f"backproplab grade: {exc}", file=sys.stderr)
        return 1
    print("\n".join(summary["lines"]))
    print(f"wrote {summary['grades_csv']}")
    return 0


def _export(args) -> int:
    from .classgrade import GradeError
    from .classgrade.export import export_canvas, export_csv, export_moodle
    try:
        if args.lms == "moodle":
            done = export_moodle(args.lesson, worksheet=args.worksheet, root=args.root, out=args.out,
                                 out_of=args.out_of)
        elif args.lms == "canvas":
            if not args.gradebook:
                raise GradeError("canvas needs --gradebook FILE: the gradebook exported from Canvas "
                                 "(Grades > Export > Export Entire Gradebook)")
            done = export_canvas(args.lesson, args.gradebook, column=args.column, root=args.root, out=args.out,
                                 out_of=args.out_of)
        else:
            done = export_csv(args.lesson, root=args.root, out=args.out)
    except (GradeError, ValueError, OSError) as exc:
        print(f"backproplab export: {exc}", file=sys.stderr)
        return 1
    print("\n".join(done["lines"]))
    for path in done["wrote"]:
        print(f"wrote {path}")
    return 0


def _positive(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text}")
    return value


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="backproplab", description="Instructor tools of the backproplab course.")
    sub = parser.add_subparsers(dest="command", required=True)
    rel = sub.add_parser("release", help="regenerate the student notebooks in lessons/ from solutions/ "
                                         "(nbgrader generate_assignment)")
    rel.add_argument("lessons", nargs="*", help="lesson ids, e.g. 01-neurons-and-logic-gates (default: all)")
    rel.add_argument("--root", default=None, help="course root (default: this checkout)")
    rel.set_defaults(run=_release)
    gra = sub.add_parser("grade", help="autograde a folder or .zip of submissions: grades.csv, "
                                       "feedback, nbgrader's gradebook (reruns grade only what changed)")
    gra.add_argument("submissions", help="an LMS download (.zip or its folder: Moodle, Canvas, Blackboard, "
                                         "Brightspace, Gradescope) or nbgrader's submitted/<student>/<lesson>/")
    gra.add_argument("--lesson", action="append", default=[], metavar="ID",
                     help="grade only this lesson (repeatable; default: every lesson); given once, every file "
                          "of the download is that lesson's, whatever its name")
    gra.add_argument("--jobs", type=int, default=2, help="submissions graded in parallel (default 2)")
    gra.add_argument("--out", default=None, help="output folder (default: <root>/grading)")
    gra.add_argument("--root", default=None, help="course root (default: this checkout)")
    gra.add_argument("--timeout", type=float, default=60, help="per-cell time limit in seconds (default 60)")
    gra.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    gra.add_argument("--sandbox", choices=("auto", "bwrap", "none"), default="auto",
                     help="run student code in a bubblewrap sandbox: auto (if it works here, default), "
                          "bwrap (refuse to grade without it), none")
    gra.add_argument("--memory", default="4G", metavar="SIZE",
                     help="address space per student kernel, e.g. 4G or 512M; 0 = no limit (default 4G)")
    gra.add_argument("--figures", action="store_true",
                     help="draw the notebooks' figures into the feedback (slower; default: figures are not drawn)")
    gra.set_defaults(run=_grade)
    exp = sub.add_parser("export", help="write what `grade` graded for one lesson in an LMS's import format "
                                        "(into <out>/export/)")
    exp.add_argument("lms", choices=("moodle", "canvas", "csv"),
                     help="moodle: grading worksheet + feedback zip; canvas: the gradebook CSV filled; "
                          "csv: one row per student")
    exp.add_argument("--lesson", required=True, metavar="ID", help="the lesson (one LMS assignment)")
    exp.add_argument("--worksheet", metavar="FILE", help="moodle: the grading worksheet downloaded from Moodle "
                                                         "(default: write a new one)")
    exp.add_argument("--gradebook", metavar="FILE", help="canvas: the gradebook CSV exported from Canvas")
    exp.add_argument("--column", metavar="NAME", help="canvas: the lesson's column header (default: the column "
                                                      "whose header holds the lesson's id or number)")
    exp.add_argument("--out-of", type=_positive, default=None, metavar="N",
                     help="scale the grades to N points (default: the lesson's points)")
    exp.add_argument("--out", default=None, help="the output folder given to grade (default: <root>/grading)")
    exp.add_argument("--root", default=None, help="course root (default: this checkout)")
    exp.set_defaults(run=_export)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
