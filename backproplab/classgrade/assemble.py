"""Build the notebook that is run for one submission, from the instructor's source.

The source (solutions/<id>/<id>.ipynb) decides what runs: its cells in order, with each solution
cell (nbgrader solution=true) replaced by the student's cell of the same grade_id (the first
one, if the student duplicated it; the release's stub if the student deleted it). Every other
cell - teaching text, the setup cell, the autograded test cells WITH their hidden tests - comes
from the source, so an edited, deleted, duplicated or reordered test cell in the submission
changes nothing. The student's own extra cells (no nbgrader metadata) travel right after the
solution cell they followed in the submission, so scratch helpers keep working. The lesson's
own cells without nbgrader metadata (demos, plots) come with every submission too: a copy the
student left as released (same cell id and text) is the source's cell, already in the run, not
an extra one; one the student edited runs as theirs.
"""
from __future__ import annotations

import copy
import re

import nbformat

__all__ = ["KERNELSPEC", "nbgrader_meta", "grade_id", "exercise_of", "hidden_tests_of", "build", "strip_hidden",
           "matching_answers"]

KERNELSPEC = {"name": "backproplab", "display_name": "Python 3 (backproplab)", "language": "python"}
_CHECK_CALL = re.compile(r"""\b(?:check|grade)\(\s*["']([A-Za-z_][A-Za-z0-9_]*)["']""")
_GRADE_CALL = re.compile(r"""\bgrade\(\s*["']([A-Za-z_][A-Za-z0-9_]*)["']""")
_HIDDEN = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS.*?^[ \t]*### END HIDDEN TESTS[^\n]*\n?", re.S | re.M)


def nbgrader_meta(cell) -> dict:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return meta if isinstance(meta, dict) else {}


def grade_id(cell):
    return nbgrader_meta(cell).get("grade_id")


def exercise_of(cell) -> str | None:
    """The exercise a test cell grades: the name in its `check("<name>", ...)` call."""
    m = _CHECK_CALL.search(cell.get("source", ""))
    return m.group(1) if m else None


def hidden_tests_of(cell) -> list:
    """The exercises whose hidden test a cell runs: its `grade("<name>", ...)` calls, in order."""
    return list(dict.fromkeys(_GRADE_CALL.findall(cell.get("source", ""))))


def strip_hidden(source: str) -> str:
    """`source` without its ### BEGIN/END HIDDEN TESTS regions (as nbgrader's release does)."""
    return _HIDDEN.sub("", source)


def _is_solution(cell) -> bool:
    return bool(nbgrader_meta(cell).get("solution"))


def _fresh(cell, source=None):
    """A copy of `cell` with no outputs (and `source` if given)."""
    out = copy.deepcopy(cell)
    if source is not None:
        out["source"] = source
    if out.get("cell_type") == "code":
        out["outputs"] = []
        out["execution_count"] = None
    return out


def _unique_ids(cells) -> None:
    """nbformat 4.5 wants every cell to carry a unique id; students' cells may lack one."""
    seen = set()
    for i, cell in enumerate(cells):
        cid = cell.get("id")
        if not cid or cid in seen:
            cid = f"cell-{i}"
            cell["id"] = cid
        seen.add(cid)


def _text(cell) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def _student_answers(student_nb, wanted: dict, released=frozenset()) -> tuple:
    """({grade_id: first student cell with that id}, {grade_id or None: [extra cells after it]}).

    wanted: {grade_id: cell_type} of the source's answer cells. A student cell answers only if
    its type matches too (another lesson's notebook may reuse an id for a markdown cell).
    released: (cell id, text) of the release's cells; an untouched copy of one is not an extra.
    """
    answers, extras, current = {}, {}, None
    for cell in student_nb.get("cells", []):
        gid = grade_id(cell)
        if gid in wanted and cell.get("cell_type") == wanted[gid]:
            if gid not in answers:
                answers[gid] = cell
            current = gid
        elif not nbgrader_meta(cell) and cell.get("cell_type") in ("code", "markdown") \
                and (cell.get("id"), _text(cell)) not in released:
            extras.setdefault(current, []).append(cell)
    return answers, extras


def _wanted(source_nb) -> dict:
    return {grade_id(c): c.cell_type for c in source_nb.cells if _is_solution(c)}


def matching_answers(source_nb, student_nb) -> int:
    """How many of the source's solution cells the submission holds (0: another lesson's notebook?)."""
    return len(_student_answers(student_nb, _wanted(source_nb))[0])


def build(source_nb, release_nb, student_nb):
    """The notebook to execute (nbformat v4, outputs cleared, kernel pinned)."""
    wanted = _wanted(source_nb)
    stubs = {grade_id(c): c for c in release_nb.cells if grade_id(c) in wanted}
    released = frozenset((c.get("id"), _text(c)) for c in release_nb.cells)
    answers, extras = _student_answers(student_nb, wanted, released)
    cells, placed_leading = [], False
    for cell in source_nb.cells:
        gid = grade_id(cell)
        if not _is_solution(cell):
            cells.append(_fresh(cell))
            continue
        if not placed_leading:   # the student's cells before any answer: just before the first one
            cells.extend(_fresh(c) for c in extras.get(None, []))
            placed_leading = True
        answer = answers.get(gid) or stubs.get(gid)
        # the source's metadata stays authoritative; only the student's text is taken
        text = _text(answer) if answer is not None else cell.source
        cells.append(_fresh(cell, text))
        cells.extend(_fresh(c) for c in extras.get(gid, []))
    _unique_ids(cells)
    nb = nbformat.v4.new_notebook(cells=cells, metadata=copy.deepcopy(source_nb.metadata))
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    return nb
