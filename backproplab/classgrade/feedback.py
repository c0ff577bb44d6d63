"""The student's feedback page: the executed notebook as HTML, without hidden test code.

nbgrader's own feedback shows the autograded cells' full source, hidden tests included
(nbgrader #917, #1363). Here each test cell shows the RELEASE version of its source (what the
student had), and its error outputs are reduced to "<error>: <message>" (an IPython traceback
quotes the failing line, which may be a hidden one). The checks' messages (CheckFailure) say
what was checked and what went wrong, which is what the student needs. A header gives the score
per exercise.
"""
from __future__ import annotations

import html

import nbformat

from . import assemble

__all__ = ["hide_tests", "render_feedback"]


def hide_tests(nb, release_nb) -> None:
    """In place: test cells get the release's source and short error outputs."""
    released = {assemble.grade_id(c): c.source for c in release_nb.cells if assemble.grade_id(c)}
    for cell in nb.cells:
        meta = assemble.nbgrader_meta(cell)
        if not meta.get("grade") or meta.get("solution"):
            continue
        source = released.get(meta.get("grade_id"), cell.source)
        cell.source = assemble.strip_hidden(source)
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                out["traceback"] = [f"{out.get('ename')}: {out.get('evalue')}"]


def _header(cells, job) -> str:
    rows = "".join(
        f"| `{c['exercise'] or c['grade_id']}` | {c['points']:g} | {c['max_points']:g} | "
        f"{'passed' if c['passed'] else 'failed - see the cell below the exercise'} |\n" for c in cells)
    total = sum(c["points"] for c in cells)
    maximum = sum(c["max_points"] for c in cells)
    student = html.escape(str(job.get("student", "")))
    return (f"# Feedback: {job.get('lesson', '')}\n\nStudent: {student}\n\n"
            f"**Autograded score: {total:g} / {maximum:g}**\n\n"
            "| exercise | points | out of | |\n|---|---|---|---|\n" + rows)


def render_feedback(nb, release_nb, cells, job) -> str:
    """HTML of `nb` (modified: pass a copy) with the tests hidden and a score header."""
    from nbconvert import HTMLExporter
    hide_tests(nb, release_nb)
    nb.cells.insert(0, nbformat.v4.new_markdown_cell(_header(cells, job)))
    body, _ = HTMLExporter().from_notebook_node(nb)
    return body
