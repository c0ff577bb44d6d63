"""Shared helpers for building synthetic submissions (used by the nbgrader round trip and the
class-grading tests): find a lesson's answer and test cells, replace an exercise's function in
the released notebook by another implementation (a catalogued mistake or alternative).
"""
from __future__ import annotations

import ast
import copy
import re
import shutil
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent


def nbmeta(cell):
    return cell.get("metadata", {}).get("nbgrader", {})


def solution_cell(nb, name):
    """The one answer cell (nbgrader solution=true) defining `name()`."""
    pattern = re.compile(rf"^def {re.escape(name)}\(", re.M)
    found = [c for c in nb.cells if c.cell_type == "code" and nbmeta(c).get("solution")
             and pattern.search(c.source)]
    assert len(found) == 1, f"expected one solution cell defining {name}(), found {len(found)}"
    return found[0]


def checked_cell_id(nb, name):
    """The grade_id of the one autograded cell calling check("<name>", ...)."""
    pattern = re.compile(rf"""\bcheck\(\s*["']{re.escape(name)}["']""")
    found = [nbmeta(c)["grade_id"] for c in nb.cells if c.cell_type == "code" and nbmeta(c).get("grade")
             and pattern.search(c.source)]
    assert len(found) == 1, f"expected one autograded cell calling check({name!r}, ...), found {found}"
    return found[0]


def replace_function(source: str, name: str, new_def: str) -> str:
    """`source` with its top-level `def name(...)` (the released stub) replaced by new_def.

    Constants or helpers the cell also defines (e.g. EPS) stay, as they would for a student
    who writes the body.
    """
    tree = ast.parse(source)
    node = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == name)
    first = min([node.lineno] + [d.lineno for d in node.decorator_list]) - 1
    lines = source.splitlines()
    return "\n".join(lines[:first] + new_def.rstrip("\n").splitlines() + lines[node.end_lineno:])


def with_functions(release_nb, sources: dict):
    """A copy of the released notebook with each named exercise's function replaced."""
    nb = copy.deepcopy(release_nb)
    for name, source in sources.items():
        cell = solution_cell(nb, name)
        cell.source = replace_function(cell.source, name, source)
    return nb


def set_kernel(nb, name):
    nb.metadata["kernelspec"] = {"name": name, "display_name": name, "language": "python"}


def read_nb(path):
    return nbformat.read(str(path), as_version=4)


def solution_nb(lesson, root=ROOT):
    return read_nb(Path(root) / "solutions" / lesson / f"{lesson}.ipynb")


def release_nb(lesson, root=ROOT):
    return read_nb(Path(root) / "lessons" / lesson / f"{lesson}.ipynb")


def make_course(dest: Path, root=ROOT) -> Path:
    """A temporary course root: solutions/, lessons/, grading/nbgrader_config.py (no gradebook)."""
    dest = Path(dest)
    for folder in ("solutions", "lessons"):
        shutil.copytree(Path(root) / folder, dest / folder)
    (dest / "grading").mkdir(parents=True, exist_ok=True)
    shutil.copy(Path(root) / "grading" / "nbgrader_config.py", dest / "grading")
    return dest


def scaled_lookup_source(name: str, factor: float = 1.1) -> str:
    """A generic wrong answer to exercise `name`: the expected answer of each test case times
    `factor`, looked up case by case (it never calls the reference, which the checks would
    catch as handed in). As the source of a student's answer cell."""
    return f'''def {name}(*args, **kwargs):
    """The expected answer times {factor}, looked up case by case."""
    import numpy as np
    from backproplab.checks import exercise
    from backproplab.checks._safe import same_value
    ex = exercise("{name}")
    for case in [*ex.visible, *ex.hidden]:
        if len(case.args) == len(args) and all(same_value(a, b) for a, b in zip(case.args, args)) \\
                and case.kwargs.keys() == kwargs.keys() \\
                and all(same_value(case.kwargs[k], kwargs[k]) for k in kwargs):
            value = np.asarray(case.expected, dtype=float) * {factor}
            return float(value) if value.ndim == 0 and not isinstance(case.expected, np.ndarray) else value
    raise ValueError("not one of the test cases")
'''
