"""HTML the feedback page may show: Markdown with its formulas as MathML, and outputs, sanitised.

A graded notebook holds the student's own Markdown cells and whatever their code displayed, so
the page keeps only an allowlist of tags and attributes (bleach): no script, no style sheet, no
frame, and no address the browser would fetch by itself - an image's source must be a data:
URL (a notebook's attachments are); links stay, since nothing is fetched until one is clicked.

Formulas ($...$, $$...$$, \\[...\\], \\(...\\), \\begin{env}...\\end{env}, as Jupyter finds them)
are converted by mathml.to_html. The Markdown renderer leaves a placeholder in their place, the
HTML is sanitised, then the placeholders are filled: bleach has no MathML allowlist, and the
MathML is already checked element by element.
"""
from __future__ import annotations

import functools
import html
import json
import re
import secrets

from . import mathml

__all__ = ["clean", "markdown", "TAGS"]

TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "col", "colgroup", "dd", "del",
    "details", "div", "dl", "dt", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img",
    "input", "kbd", "li", "ol", "p", "pre", "s", "samp", "small", "span", "strong", "sub",
    "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul", "var",
})
_ATTRIBUTES = {
    "*": {"class", "id", "title"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"style", "align", "colspan", "rowspan"},
    "th": {"style", "align", "colspan", "rowspan"},
    "input": {"type", "checked", "disabled"},
    "ol": {"start"},
    "details": {"open"},
}
# images only from the page itself; the MIME types a browser shows in <img>
_IMAGE_SOURCE = re.compile(r"data:image/(png|jpeg|gif|webp|svg\+xml)[;,]", re.I)
CACHE = 4096
# a page's cost bounded whatever a student's cell holds (the lessons' largest Markdown cell has
# 3.7 kB and 53 formulas): a longer cell is shown as its text, further formulas as TeX
MAX_MARKDOWN = 50_000
MAX_FORMULAS = 500
# a placeholder no notebook can forge (fresh per process), of letters and digits only: it
# survives Markdown, bleach and the URL-encoding of a heading's anchor unchanged
_MARK = "bplmath" + secrets.token_hex(6)
_PLACEHOLDER = re.compile(_MARK + r"(\d+)z")


# after bleach, a raw "<" only opens a tag, and attribute values are quoted with '"' escaped
_TAG = re.compile(r'<[^"<>]*(?:"[^"]*"[^"<>]*)*>')


def _allowed(tag: str, name: str, value: str) -> bool:
    if name not in _ATTRIBUTES["*"] | _ATTRIBUTES.get(tag, set()):
        return False
    if name == "src":
        return bool(_IMAGE_SOURCE.match(value))
    return name != "href" or not value.strip().lower().startswith("data:")


@functools.lru_cache(maxsize=1)
def _cleaner():
    from bleach.css_sanitizer import CSSSanitizer
    from bleach.sanitizer import Cleaner
    # Markdown tables align their cells with style="text-align: ..."; nothing else is kept
    return Cleaner(tags=TAGS, attributes=_allowed, protocols={"http", "https", "mailto", "data"},
                   css_sanitizer=CSSSanitizer(allowed_css_properties=["text-align"]), strip=False)


@functools.lru_cache(maxsize=CACHE)
def clean(fragment: str) -> str:
    """`fragment` (HTML) with every tag and attribute outside the allowlist escaped or dropped."""
    return _cleaner().clean(fragment)


@functools.lru_cache(maxsize=1)
def _renderer_class():
    from nbconvert.filters.markdown_mistune import InvalidNotebook, IPythonRenderer

    class MathMLRenderer(IPythonRenderer):
        """nbconvert's Markdown renderer, writing a placeholder where MathJax would find TeX."""

        def __init__(self, **kw):
            super().__init__(escape=False, **kw)
            self.formulas = []

        def _hold(self, tex: str, display: bool) -> str:
            tex = tex.strip()
            shown = mathml.to_html(tex, display) if len(self.formulas) < MAX_FORMULAS else mathml.as_code(tex, display)
            self.formulas.append((shown, tex))
            return f"{_MARK}{len(self.formulas) - 1}z"

        def image(self, text: str, url: str, title=None) -> str:
            try:
                return super().image(text, url, title)
            except InvalidNotebook:        # an attachment the notebook does not hold
                return html.escape(text)

        def block_math(self, body: str) -> str:
            return self._hold(body, True)

        def inline_math(self, body: str) -> str:
            return self._hold(body, False)

        def latex_environment(self, name: str, body: str) -> str:
            return self._hold(f"\\begin{{{name}}}{body}\\end{{{name}}}", True)

        def multiline_math(self, text: str) -> str:    # mistune 2 only
            return text

    return MathMLRenderer


@functools.lru_cache(maxsize=CACHE)
def markdown(source: str, attachments: str = "{}", path: str = "", anchor_link_text: str = "¶",
             exclude_anchor_links: bool = False) -> str:
    """Safe HTML of the Markdown `source` with its formulas as MathML (attachments: the cell's,
    as JSON, so that the call can be remembered)."""
    from nbconvert.filters.markdown_mistune import MarkdownWithMath
    if len(source) > MAX_MARKDOWN:
        return f'<pre class="bpl-long">{html.escape(source)}</pre>'
    renderer = _renderer_class()(attachments=json.loads(attachments), path=path,
                                 anchor_link_text=anchor_link_text,
                                 exclude_anchor_links=exclude_anchor_links)
    page = clean(MarkdownWithMath(renderer=renderer).render(source))
    return _fill(page, renderer.formulas) if _MARK in page else page


def _fill(page: str, formulas: list) -> str:
    """The placeholders replaced: by the formula's MathML in text, by its TeX inside a tag (a
    heading's anchor, an image's alt text)."""
    def formula(match, which):
        index = int(match.group(1))
        if index >= len(formulas):
            return ""
        return formulas[index][0] if which == 0 else html.escape(formulas[index][1], quote=True)

    out, start = [], 0
    for tag in _TAG.finditer(page):
        out.append(_PLACEHOLDER.sub(lambda m: formula(m, 0), page[start:tag.start()]))
        out.append(_PLACEHOLDER.sub(lambda m: formula(m, 1), tag.group()))
        start = tag.end()
    out.append(_PLACEHOLDER.sub(lambda m: formula(m, 0), page[start:]))
    return "".join(out)
