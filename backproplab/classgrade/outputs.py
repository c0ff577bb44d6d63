"""Cap the size of a notebook's outputs before anything is written or rendered.

A student who prints 100 MB must not produce a 100 MB feedback page or autograded notebook.
Each text output (stream text, text/plain, text/html, an error's traceback) keeps its first
LIMIT characters and says how much was cut.
"""
from __future__ import annotations

__all__ = ["LIMIT", "truncate_text", "truncate_outputs"]

LIMIT = 100_000


def truncate_text(text, limit: int = LIMIT):
    if isinstance(text, list):
        text = "".join(text)
    if not isinstance(text, str) or len(text) <= limit:
        return text
    return text[:limit] + f"\n... [output truncated: {len(text) - limit} more characters not shown]\n"


def _truncate_output(out, limit: int) -> None:
    if "text" in out:
        out["text"] = truncate_text(out["text"], limit)
    data = out.get("data") or {}
    for mime in ("text/plain", "text/html", "text/markdown", "text/latex"):
        if mime in data:
            data[mime] = truncate_text(data[mime], limit)
    if out.get("output_type") == "error":
        out["evalue"] = truncate_text(str(out.get("evalue", "")), limit)
        lines, used = [], 0
        for line in out.get("traceback", []):
            if used + len(line) > limit:
                lines.append("... [traceback truncated]")
                break
            lines.append(line)
            used += len(line)
        out["traceback"] = lines


def truncate_outputs(nb, limit: int = LIMIT) -> None:
    """Truncate every cell's outputs in place; merged stream text counts per cell."""
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            _truncate_output(out, limit)
