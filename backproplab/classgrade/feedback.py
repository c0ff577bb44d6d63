"""The student's feedback page: the executed notebook as one HTML file, without hidden test code,
that reads the same opened from disk without network as anywhere else.

nbgrader's own feedback shows the autograded cells' full source, hidden tests included
(nbgrader #917, #1363). Here each test cell shows the RELEASE version of its source (what the
student had), and its error outputs are reduced to "<error>: <message>" (an IPython traceback
quotes the failing line, which may be a hidden one). The checks' messages (CheckFailure) say
what was checked and what went wrong, which is what the student needs.

The page is self-sufficient: formulas are MathML written when the page is (mathml.py), not
TeX left for MathJax from a CDN; it holds no script (nbconvert's require.js, MathJax, mermaid
and widget loaders are left out, JavaScript and widget outputs become a note) and fetches
nothing: Markdown and HTML outputs are sanitised (safehtml.py) and a Content-Security-Policy
forbids any outside request the sanitiser might miss. A figure grading did not draw (only its
"<Figure size ...>" repr) becomes one grey note. On top, a score table gives, for each failed
exercise, the first line of its check's message and the likely mistake, linked to the cell.
"""
from __future__ import annotations

import functools
import html
import json
import re

from . import assemble, safehtml

__all__ = ["hide_tests", "render_feedback", "summary", "UNDRAWN", "CSP"]

UNDRAWN = "figure not drawn while grading; run the notebook to see it"
WIDGET = "interactive widget: run the notebook to use it"
SCRIPT = "JavaScript output: not run in this page"
CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; "
       "base-uri 'none'; form-action 'none'")
CHARS = 300          # of a message line in the score table
CACHE = 4096
_FIGURE_REPR = re.compile(r"<Figure size \d+(?:\.\d+)?x\d+(?:\.\d+)? with \d+ Axes>")
# the lines of a check's message that name the likely mistake or the relation (checks/exercise.py)
_WHY = ("Likely mistake:", "What came back:")
_OWN_ERRORS = ("CheckFailure", "NotWrittenYet", "HiddenTestFailed")

_CSS = """
.bpl-score { max-width: 60rem; margin: 1rem auto 2rem; padding: 0 1rem; font-family: system-ui, sans-serif; }
.bpl-score table { border-collapse: collapse; margin: 0.5rem 0; }
.bpl-score th, .bpl-score td { border: 1px solid #999; padding: 0.25rem 0.6rem; text-align: left; vertical-align: top; }
.bpl-score td.n { text-align: right; font-variant-numeric: tabular-nums; }
.bpl-score .why { display: block; color: #333; margin-top: 0.2rem; }
.bpl-score a { color: #0645ad; text-decoration: underline; }
.bpl-note { color: #666; font-family: system-ui, sans-serif; font-style: italic; font-size: 0.9em; padding: 0.2rem 0; }
/* a font with an OpenType MATH table draws stretched brackets and radicals: each OS has one */
math { font-family: "STIX Two Math", "Cambria Math", "Latin Modern Math", "DejaVu Math TeX Gyre", math; }
code.tex { white-space: pre-wrap; }
math[display="block"] { margin: 0.6em 0; }
mtd[columnalign="left"] { text-align: left; } mtd[columnalign="right"] { text-align: right; }
mtable[columnspacing] > mtr > mtd { padding-left: 0; padding-right: 0; }
mtable[columnspacing] > mtr > mtd[columnalign="left"] { padding-right: 1.5em; }
"""

# nbconvert's lab template, with no script, nothing fetched and the score table on top
TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}
<meta http-equiv="Content-Security-Policy" content="{{ resources.feedback_csp }}">
{%- endblock html_head_js -%}
{% block jupyter_widgets %}{% endblock jupyter_widgets %}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{% block extra_css %}<style type="text/css">{{ resources.feedback_css }}</style>{% endblock extra_css %}
{%- block body_header -%}{{ super() }}{{ resources.feedback_header }}{%- endblock body_header -%}
{% block footer %}
</html>
{% endblock footer %}
{% block data_html scoped -%}
<div class="jp-RenderedHTMLCommon jp-RenderedHTML jp-OutputArea-output {{ extra_class }}" data-mime-type="text/html">
{{ output.data['text/html'] | safe_html }}
</div>
{%- endblock data_html %}
{% block data_latex scoped -%}
<div class="jp-RenderedLatex jp-OutputArea-output {{ extra_class }}" data-mime-type="text/latex">
{{ output.data['text/latex'] | markdown2html }}
</div>
{%- endblock data_latex %}
{%- block data_javascript scoped -%}
<div class="jp-OutputArea-output bpl-note">{{ resources.feedback_notes.script }}</div>
{%- endblock data_javascript -%}
{#- a widget's view (its state is never saved while grading: its text repr is chosen instead) -#}
{%- block data_widget_view scoped -%}
<div class="jp-OutputArea-output bpl-note">{{ resources.feedback_notes.widget }}</div>
{%- endblock data_widget_view -%}
{%- block data_text scoped -%}
{%- if output.data['text/plain'] | undrawn_figure -%}
<div class="jp-OutputArea-output bpl-note">{{ resources.feedback_notes.figure }}</div>
{%- elif 'application/vnd.jupyter.widget-view+json' in output.data -%}
<div class="jp-OutputArea-output bpl-note">{{ resources.feedback_notes.widget }}</div>
{%- else -%}
{{ super() }}
{%- endif -%}
{%- endblock data_text -%}
"""


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


def _local_outputs(nb) -> None:
    """In place: no output names a file for its image (nbconvert would link it, not embed it)."""
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            meta = out.get("metadata")
            if isinstance(meta, dict):
                meta.pop("filenames", None)
            out.pop("svg_filename", None)


def _is_test(cell) -> bool:
    meta = assemble.nbgrader_meta(cell)
    return cell.get("cell_type") == "code" and bool(meta.get("grade")) and not meta.get("solution")


def _anchor_tests(nb) -> dict:
    """In place: each test cell's id becomes "check-<grade_id>" (another cell holding such an id
    gets a fresh one); returns {grade_id: the page's anchor of that cell}."""
    anchors, taken = {}, set()
    for cell in filter(_is_test, nb.cells):
        grade_id = assemble.grade_id(cell)
        cid = "check-" + re.sub(r"[^A-Za-z0-9_-]", "-", str(grade_id))[:50]
        cid = cid if cid not in taken else f"{cid}-{len(taken)}"
        cell["id"] = cid
        taken.add(cid)
        anchors.setdefault(grade_id, f"cell-id={cid}")
    for i, cell in enumerate(nb.cells):
        if not _is_test(cell) and cell.get("id") in taken:
            cell["id"] = f"cell-{i}"
    return anchors


def summary(error: str | None) -> tuple:
    """(first line of a failed cell's message, its likely-mistake or relation line or "")."""
    lines = [line.strip() for line in (error or "").splitlines() if line.strip()]
    if not lines:
        return "", ""
    first = lines[0]
    for name in _OWN_ERRORS:                 # the class name of the checks' own errors is noise
        if first.startswith(name + ": "):
            first = first[len(name) + 2:]
    why = next((line for line in lines[1:] if line.startswith(_WHY)), "")
    return _cut(first), _cut(why)


def _cut(line: str) -> str:
    return line if len(line) <= CHARS else line[:CHARS - 1] + "\u2026"


def _header(cells, job, anchors) -> str:
    """The page's top: the score, and per exercise its points and what its check said."""
    rows = []
    for c in cells:
        name = html.escape(str(c["exercise"] or c["grade_id"]))
        if c["passed"]:
            said = "passed"
        else:
            first, why = summary(c.get("error"))
            anchor = anchors.get(c["grade_id"])
            first = html.escape(first or "failed")
            said = f'<a href="#{html.escape(anchor, quote=True)}">{first}</a>' if anchor else first
            if why:
                said += f'<span class="why">{html.escape(why)}</span>'
        rows.append(f'<tr><td><code>{name}</code></td><td class="n">{c["points"]:g}</td>'
                    f'<td class="n">{c["max_points"]:g}</td><td>{said}</td></tr>')
    total = sum(c["points"] for c in cells)
    maximum = sum(c["max_points"] for c in cells)
    return (f'<header class="bpl-score"><h1>Feedback: {html.escape(str(job.get("lesson", "")))}</h1>'
            f'<p>Student: {html.escape(str(job.get("student", "")))}</p>'
            f"<p><strong>Autograded score: {total:g} / {maximum:g}</strong></p>"
            "<table><thead><tr><th>exercise</th><th>points</th><th>out of</th>"
            "<th>what the check said (the link leads to its cell)</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></header>")


def undrawn_figure(text) -> bool:
    """Whether a text output is only the repr of a matplotlib figure that was not drawn."""
    return bool(_FIGURE_REPR.fullmatch(str(text).strip()))


_EXPORTER = None


def _exporter():
    """One HTML exporter per worker process, whose filters remember their results: the lesson's
    own cells are the same in every student's notebook, and rendering them again (Markdown,
    MathML, sanitising, highlighting) would be most of a page's time."""
    global _EXPORTER
    if _EXPORTER is None:
        from jinja2 import DictLoader, pass_context
        from nbconvert import HTMLExporter
        from nbconvert.exporters.templateexporter import TemplateExporter
        from nbconvert.filters.highlight import Highlight2HTML
        from nbconvert.filters.strings import clean_html
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
                """Safe HTML with MathML (safehtml.markdown), remembered per source."""
                cell = context.get("cell", {})
                attachments = json.dumps(cell.get("attachments", {}), sort_keys=True, default=str)
                path = str(context.get("resources", {}).get("metadata", {}).get("path", ""))
                return safehtml.markdown(source, attachments, path, self.anchor_link_text,
                                         self.exclude_anchor_links)

        highlighter = Highlight2HTML(pygments_lexer="ipython3")

        @functools.lru_cache(maxsize=CACHE)
        def highlight_cached(source, language, magics):
            return highlighter(source, language, {"magics_language": magics} if magics else None)

        def highlight_code(source, language=None, metadata=None):
            # the highlighter reads one key of the cell's metadata: the rest (the seconds the
            # cell ran, recorded while grading) would make each student's cell a new entry
            magics = (metadata or {}).get("magics_language")
            return highlight_cached(source, language, magics if isinstance(magics, str) else None)

        _EXPORTER = FeedbackExporter(
            extra_loaders=[DictLoader({"feedback.html.j2": TEMPLATE})], template_file="feedback.html.j2",
            filters={"clean_html": functools.lru_cache(maxsize=CACHE)(clean_html),
                     "highlight_code": highlight_code, "safe_html": safehtml.clean,
                     "undrawn_figure": undrawn_figure})
    return _EXPORTER


_NO_ALT = re.compile(r"<img(?![^>]*\balt=)")
_FOCUSABLE = re.compile(r'(<div class="(?:[^"]* )?(?:jp-Cell-inputWrapper|jp-OutputArea-output)(?: [^"]*)?")')


def _accessible(page: str) -> str:
    """Images get an alt text, cell inputs and outputs a tab stop (as nbconvert does)."""
    page = _NO_ALT.sub('<img alt="No description has been provided for this image"', page)
    return _FOCUSABLE.sub(r'\1 tabindex="0"', page)


def render_feedback(nb, release_nb, cells, job) -> str:
    """HTML of `nb` (modified: pass a copy) with the tests hidden and a score header."""
    hide_tests(nb, release_nb)
    _local_outputs(nb)
    anchors = _anchor_tests(nb)
    resources = {"feedback_header": _header(cells, job, anchors), "feedback_css": _CSS,
                 "feedback_csp": CSP,
                 "feedback_notes": {"figure": UNDRAWN, "widget": WIDGET, "script": SCRIPT}}
    body, _ = _exporter().from_notebook_node(nb, resources=resources)
    return body
