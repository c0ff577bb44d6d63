"""LaTeX formulas as MathML written into the page: the browser draws them, no script runs and
nothing is fetched (the feedback page is read offline, or in an LMS that blocks scripts).

latex2mathml does the conversion. Its output is kept only when it parses as MathML made of
the elements and attributes below: the library passes the text of \\text{...} and unknown
commands through as they are, so "\\text{<script>}", "\\style{background: url(...)}" or
"\\href{...}" would otherwise reach the page, and "\\foo" would show as a stray "\\foo". A
formula that does not convert, or converts to anything else, is shown as its TeX in a code span.
"""
from __future__ import annotations

import functools
import html
import re
import xml.etree.ElementTree as ET

__all__ = ["to_html", "as_code", "ELEMENTS", "ATTRIBUTES"]

# MathML Core's presentation elements (what current browsers draw), plus menclose and mfenced
ELEMENTS = frozenset({
    "math", "mrow", "mi", "mn", "mo", "mtext", "ms", "mspace", "msub", "msup", "msubsup",
    "mfrac", "msqrt", "mroot", "mover", "munder", "munderover", "mtable", "mtr", "mtd",
    "mstyle", "mpadded", "mphantom", "menclose", "merror", "mmultiscripts", "mprescripts",
    "semantics", "annotation", "mfenced",
})
# layout attributes only: no style, class, id, href or event handler
ATTRIBUTES = frozenset({
    "display", "displaystyle", "scriptlevel", "mathvariant", "mathcolor", "mathbackground",
    "stretchy", "fence", "form", "separator", "symmetric", "largeop", "movablelimits", "accent",
    "accentunder", "minsize", "maxsize", "lspace", "rspace", "width", "height", "depth",
    "voffset", "linebreak", "linethickness", "columnalign", "rowalign", "columnspacing",
    "rowspacing", "columnlines", "rowlines", "frame", "framespacing", "notation", "open", "close",
    "separators", "columnspan", "rowspan", "encoding",
})
# lengths, keywords, colours: nothing that could name a URL ("url(", ":") or close a quote
_VALUE = re.compile(r"[\w .,#%+\-]*")
# TeX's escapes of literal characters, which latex2mathml leaves in \text{} and \texttt{}
_ESCAPED = re.compile(r"\\([_%&#${} ])")
_NAMESPACE = ' xmlns="http://www.w3.org/1998/Math/MathML"'
# latex2mathml knows align* but not aligned, which lays out the same: right/left column pairs
_ALIGNED = re.compile(r"\\(begin|end)\{aligned\}")


class NotMathML(ValueError):
    """latex2mathml's output is not MathML this page may show."""


def as_code(tex: str, display: bool = False) -> str:
    """The formula as TeX source in a code span, its delimiters included."""
    fence = "$$" if display else "$"
    return f'<code class="tex">{html.escape(fence + tex + fence)}</code>'


@functools.lru_cache(maxsize=16384)
def to_html(tex: str, display: bool = False) -> str:
    """<math> markup of the TeX formula `tex` (a block when `display`), or as_code(tex)."""
    from latex2mathml.converter import convert
    try:
        return _checked(convert(_ALIGNED.sub(r"\\\1{align*}", tex), display="block" if display else "inline"))
    except Exception:  # noqa: BLE001 - latex2mathml raises its own errors and, on odd input,
        return as_code(tex, display)   # Python's (IndexError, KeyError): either way, not math


def _checked(markup: str) -> str:
    """The MathML re-serialised from its parse, when every element and attribute is allowed."""
    root = ET.fromstring(markup.replace(_NAMESPACE, "", 1))   # not well-formed: ParseError
    for node in root.iter():
        if node.tag not in ELEMENTS:
            raise NotMathML(f"element {node.tag!r}")
        for name, value in node.attrib.items():
            if name not in ATTRIBUTES or not _VALUE.fullmatch(value):
                raise NotMathML(f"attribute {name}={value!r}")
        node.text = _literal(node.text)
        node.tail = _literal(node.tail)
    return ET.tostring(root, encoding="unicode", short_empty_elements=True)


def _literal(text):
    """Text with TeX's escaped characters unescaped; a command left in it was not converted."""
    if not text or "\\" not in text:
        return text
    text = _ESCAPED.sub(r"\1", text)
    if "\\" in text:
        raise NotMathML(f"unconverted TeX {text!r}")
    return text
