"""The student's feedback page: the executed notebook as HTML, without hidden test code.

nbgrader's own feedback shows the autograded cells' full source, hidden tests included
(nbgrader #917, #1363). Here each test cell shows the RELEASE version of its source (what the
student had), and its error outputs are reduced to "<error>: <message>" (an IPython traceback
quotes the failing line, which may be a hidden one). The checks' messages (CheckFailure) say
what was checked and what went wrong, which is what the student needs. A header gives the score
per exercise.
"""
from __future__ import annotations

import functools
import html
import json
import re

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


_EXPORTER = None


def _exporter():
    """One HTML exporter per worker process, whose sanitising and markdown filters remember
    their results: the lesson's own cells are the same in every student's notebook, and
    sanitising them again (bleach) was most of a page's rendering time."""
    global _EXPORTER
    if _EXPORTER is None:
        from jinja2 import pass_context
        from nbconvert import HTMLExporter
        from nbconvert.filters.strings import clean_html

        from nbconvert.exporters.templateexporter import TemplateExporter
        from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

        class FeedbackExporter(HTMLExporter):
            def from_notebook_node(self, nb, resources=None, **kw):
                """HTMLExporter's, without its whole-page BeautifulSoup pass (90% of a page's
                time once the filters remember): the same accessibility edits, on the tags."""
                resources = self._init_resources(resources)
                self.register_filter("filter_data_type", WidgetsDataTypeFilter(
                    notebook_metadata=self._nb_metadata, parent=self, resources=resources))
                page, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
                return _accessible(page), resources

            @pass_context
            def markdown2html(self, context, source):
                cell = context.get("cell", {})
                key = (source, json.dumps(cell.get("attachments", {}), sort_keys=True, default=str),
                       str(context.get("resources", {}).get("metadata", {}).get("path", "")))
                return _markdown(key, lambda: HTMLExporter.markdown2html(self, context, source))

        from nbconvert.filters.highlight import Highlight2HTML
        highlighter = Highlight2HTML(pygments_lexer="ipython3")

        @functools.lru_cache(maxsize=CACHE)
        def highlight_cached(source, language, metadata):
            return highlighter(source, language, json.loads(metadata))

        def highlight_code(source, language=None, metadata=None):
            return highlight_cached(source, language, json.dumps(metadata or {}, sort_keys=True, default=str))

        _EXPORTER = FeedbackExporter(filters={"clean_html": functools.lru_cache(maxsize=CACHE)(clean_html),
                                              "highlight_code": highlight_code})
    return _EXPORTER


CACHE = 4096
_NO_ALT = re.compile(r"<img(?![^>]*\balt=)")
_FOCUSABLE = re.compile(r'(<div class="(?:[^"]* )?(?:jp-Cell-inputWrapper|jp-OutputArea-output)(?: [^"]*)?")')


def _accessible(page: str) -> str:
    """Images get an alt text, cell inputs and outputs a tab stop (as nbconvert does)."""
    page = _NO_ALT.sub('<img alt="No description has been provided for this image"', page)
    return _FOCUSABLE.sub(r'\1 tabindex="0"', page)

_MARKDOWN: dict = {}


def _markdown(key, render):
    if key not in _MARKDOWN:
        if len(_MARKDOWN) >= CACHE:
            _MARKDOWN.clear()
        _MARKDOWN[key] = render()
    return _MARKDOWN[key]


def render_feedback(nb, release_nb, cells, job) -> str:
    """HTML of `nb` (modified: pass a copy) with the tests hidden and a score header."""
    hide_tests(nb, release_nb)
    nb.cells.insert(0, nbformat.v4.new_markdown_cell(_header(cells, job)))
    body, _ = _exporter().from_notebook_node(nb)
    return body
