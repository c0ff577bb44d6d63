"""report.html: what the class got wrong, one page an instructor reads before the next lecture.

Per lesson, its exercises ordered by points lost, each with a horizontal bar chart of its
diagnoses (matplotlib, drawn as inline SVG, so the page is one file that opens from disk with no
script and no outside request) and the text of its top explanations. Bars carry their count and
share as text and a hatching per kind of diagnosis, so the chart reads in black and white.

The page holds only student ids, counts and the checks' own sentences (catalogue entries,
relations, the grader's fixed sentences): never a line of a student's code or of a hidden test.
"""
from __future__ import annotations

import html
import io
import re

__all__ = ["render", "chart_svg"]

# fill and hatching per kind: the hatching alone tells the kinds apart without colour
STYLE = {
    "mistake": ("#9ecae1", "///", "catalogued mistake"),
    "relation": ("#fdd0a2", "...", "generic relation"),
    "problem": ("#d9d9d9", "xx", "the call failed"),
    "other": ("#ffffff", "", "no explanation / no receipt"),
    "not_attempted": ("#f0f0f0", "--", "not attempted (stub)"),
}
TOP = 3          # explanations quoted under each chart
# nothing from outside the page, even if a sentence ever carried markup past the escaping
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"

_CSS = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem;
       color: #111; line-height: 1.45; }
h1 { font-size: 1.6rem; } h2 { margin-top: 2.5rem; border-bottom: 2px solid #333; }
h3 { margin-top: 2rem; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { border: 1px solid #999; padding: 0.25rem 0.6rem; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 0.5rem 0; } figure svg { max-width: 100%; height: auto; }
.key { font-family: ui-monospace, monospace; font-weight: bold; }
.muted { color: #444; }
"""


def _e(text) -> str:
    return html.escape(str(text), quote=True)


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def _bars(ex) -> list:
    """(label, kind, students) per bar, most students first; the stub last."""
    bars = [(f.key, f.kind if f.kind in STYLE else "other", len(f.students)) for f in ex.ranked()]
    if ex.not_attempted:
        bars.append(("not attempted", "not_attempted", len(ex.not_attempted)))
    return bars


def chart_svg(ex) -> str:
    """The exercise's diagnoses as a horizontal bar chart, an <svg> element (matplotlib)."""
    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    bars = _bars(ex)
    kinds = [k for k in STYLE if any(kind == k for _, kind, _ in bars)]
    columns = min(3, len(kinds))
    # margins in inches, set by hand: a layout engine would draw each chart twice
    width, top, right = 7.5, 0.45, 0.3
    bottom = 0.7 + 0.2 * (1 + -(-len(kinds) // columns))     # axis label, legend title and rows
    left = 0.75 + 0.075 * max(len(label) for label, _, _ in bars)
    height = top + bottom + 0.42 * len(bars)
    # ids inside the SVG are hashes salted per chart: several charts share one page
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": f"{ex.lesson}/{ex.exercise}",
                                "font.size": 10, "hatch.linewidth": 0.8}):
        fig = Figure(figsize=(width, height))
        fig.subplots_adjust(left=left / width, right=1 - right / width, top=1 - top / height,
                            bottom=bottom / height)
        ax = fig.add_subplot()
        ys = list(range(len(bars)))[::-1]          # most frequent on top
        most = max(n for _, _, n in bars)
        for y, (label, kind, n) in zip(ys, bars):
            face, hatch, _ = STYLE[kind]
            ax.barh(y, n, height=0.6, color=face, hatch=hatch, edgecolor="#222", linewidth=0.8)
            ax.text(n + most * 0.02, y, f"{n} ({_pct(n / ex.graded)})", va="center", fontsize=9)
        ax.set_yticks(ys, [label for label, _, _ in bars])
        ax.set_ylim(-0.6, len(bars) - 0.4)
        ax.set_xlim(0, most * 1.25)
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.set_xlabel(f"students (of {ex.graded} graded)")
        ax.set_ylabel("diagnosis")
        ax.set_title(f"{ex.exercise}: why {ex.lost} of {ex.graded} students lost its points")
        # below the axes, never over a bar or its count
        fig.legend(handles=[Patch(facecolor=STYLE[k][0], hatch=STYLE[k][1], edgecolor="#222", label=STYLE[k][2])
                            for k in kinds], loc="lower center", ncols=columns,
                   fontsize=8, title="kind of diagnosis", title_fontsize=8, frameon=False)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    svg = buf.getvalue()
    svg = svg[svg.index("<svg"):]                    # no XML declaration or DOCTYPE inside HTML
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S)
    title = f"Bar chart of the diagnoses of {ex.exercise}"
    return re.sub(r"<svg ", f'<svg role="img" aria-label="{_e(title)}" ', svg, count=1)


def _exercise_table(exercises) -> str:
    rows = "".join(
        f'<tr><td><a href="#{_e(ex.lesson)}-{_e(ex.exercise)}" class="key">{_e(ex.exercise)}</a></td>'
        f'<td class="n">{ex.points_lost:g}</td><td class="n">{ex.mean_points:.2f} / {ex.max_points:g}</td>'
        f'<td class="n">{_pct(ex.share_full_marks)}</td><td class="n">{_pct(ex.share_not_attempted)}</td></tr>'
        for ex in exercises)
    return ("<table><thead><tr><th>exercise</th><th>points lost</th><th>mean score</th>"
            "<th>full marks</th><th>not attempted</th></tr></thead><tbody>" + rows + "</tbody></table>")


def _exercise_section(ex) -> str:
    head = (f'<h3 id="{_e(ex.lesson)}-{_e(ex.exercise)}"><span class="key">{_e(ex.exercise)}</span>: '
            f"{ex.points_lost:g} points lost</h3>"
            f'<p class="muted">{ex.graded} students graded: {_pct(ex.share_full_marks)} full marks, '
            f"{_pct(ex.share_not_attempted)} not attempted, mean {ex.mean_points:.2f} of {ex.max_points:g}.</p>")
    if not ex.findings and not ex.not_attempted:
        return head + "<p>Every graded student got full marks.</p>"
    items = "".join(
        f'<li><span class="key">{_e(f.key)}</span> ({_e(f.kind)}), {len(f.students)} '
        f"student{'s' if len(f.students) != 1 else ''} ({_pct(ex.share(f))}): {_e(f.text)}"
        f"<details><summary>who</summary>{_e(', '.join(sorted(f.students)))}</details></li>"
        for f in ex.ranked()[:TOP])
    explained = f"<ol>{items}</ol>" if items else "<p>No wrong answers: only stubs handed in.</p>"
    return (head + f"<figure>{chart_svg(ex)}</figure>"
            f"<p><b>Top explanations</b> (the sentence the students read under their check):</p>{explained}")


def render(tallied: dict) -> str:
    """The whole page from misconceptions.tally()."""
    parts = []
    for lesson, exercises in tallied.items():
        graded = max((ex.graded for ex in exercises), default=0)
        parts.append(f'<h2 id="{_e(lesson)}">{_e(lesson)}</h2><p>{graded} students graded. '
                     "Exercises by points lost:</p>" + _exercise_table(exercises))
        parts.extend(_exercise_section(ex) for ex in exercises)
    body = "".join(parts) or "<p>Nothing graded yet.</p>"
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
            "<title>What the class got wrong - backproplab</title>"
            f"<style>{_CSS}</style></head><body><h1>What the class got wrong</h1>"
            "<p>From the grader's own judgement of every failed test cell (its replay of the "
            "cell's receipt, outside the student's notebook): the catalogued mistake that "
            "reproduces the answer, else the relation between the answer and the expected one, "
            "else what went wrong with the call. Each student counts once per exercise; shares "
            "are of the lesson's graded class. The same numbers, with every student id, are in "
            "misconceptions.csv beside this page.</p>"
            f"{body}</body></html>\n")
