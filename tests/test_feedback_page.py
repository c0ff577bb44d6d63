"""The student's feedback page reads well anywhere (issue 17).

- Every formula of lessons 01-05 becomes MathML when the page is written; matrices, fractions,
  aligned blocks, \\operatorname and cases are checked for the right MathML and, in Chromium,
  for the right layout (numerator above denominator, matrix rows stacked, aligned columns
  lined up). What does not convert, hostile TeX included, is TeX in a code span.
- A graded notebook with a student's hostile Markdown and outputs (scripts, outside images,
  frames, style sheets, JavaScript and widget outputs, forged image file names) and undrawn
  figures becomes a page with no script, whose figures are one grey note each and whose score
  table says why each exercise failed, linked to its cell; opened from disk in Chromium with
  every request intercepted it asks for nothing outside itself and logs no error. Negative
  control: the same notebook through nbconvert's stock exporter (the page as it was) does.
- Hidden tests stay hidden (as tests/test_grade_class.py checks on real graded pages).

The pages are built from the lessons' own notebooks with outputs put in by hand: the grading
run itself is tests/test_grade_class.py's, which checks its real pages the same way.
"""
from __future__ import annotations

import copy
import html
import re

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_output

from backproplab.checks import exercise
from backproplab.classgrade import feedback, mathml, safehtml
from backproplab.classgrade.worker import score
from backproplab.grading import lesson_ids

from _checks_helpers import failure
from _classroom import ROOT, nbmeta, release_nb, solution_nb
from _offline_page import visit

LESSONS = [lesson for lesson in lesson_ids(ROOT) if lesson[:2] in {"01", "02", "03", "04", "05"}]
L1 = "01-neurons-and-logic-gates"
HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", re.S)
# where a hostile page would fetch from: .invalid never resolves, and every request is aborted
OUTSIDE = "http://outside.invalid"
PNG = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")


def _markdown_cells(lesson):
    return [c for c in solution_nb(lesson).cells if c.cell_type == "markdown"]


def _formulas(lesson) -> list:
    """(TeX, display) of every formula in the lesson's Markdown, as nbconvert's parser finds them."""
    from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath

    class Collect(IPythonRenderer):
        def __init__(self):
            super().__init__(escape=False)
            self.found = []

        def block_math(self, body):
            self.found.append((body.strip(), True))
            return ""

        def inline_math(self, body):
            self.found.append((body.strip(), False))
            return ""

        def latex_environment(self, name, body):
            self.found.append((f"\\begin{{{name}}}{body}\\end{{{name}}}", True))
            return ""

    found = []
    for cell in _markdown_cells(lesson):
        renderer = Collect()
        MarkdownWithMath(renderer=renderer).render(cell.source)
        found += renderer.found
    return found


def _first(marker: str):
    """The first formula of lessons 01-05 containing `marker`: (lesson, TeX, display)."""
    for lesson in LESSONS:
        for tex, display in _formulas(lesson):
            if marker in tex:
                return lesson, tex, display
    pytest.fail(f"no formula of {LESSONS} contains {marker!r}")


# -- formulas ---------------------------------------------------------------------------------

@pytest.mark.parametrize("lesson", LESSONS)
def test_every_formula_of_the_lessons_becomes_mathml(lesson):
    formulas = _formulas(lesson)
    assert len(formulas) > 20, "the lesson should have formulas to check"
    pages = [safehtml.markdown(c.source) for c in _markdown_cells(lesson)]
    fallbacks = [code for page in pages for code in re.findall(r'<code class="tex">(.*?)</code>', page, re.S)]
    assert not fallbacks, f"{len(fallbacks)} formulas left as TeX: {fallbacks[:3]}"
    assert sum(page.count("<math ") for page in pages) == len(formulas)
    for page in pages:   # no TeX command left in what the reader sees (code spans aside)
        text = re.sub(r"<code>.*?</code>|<pre>.*?</pre>|<[^>]+>", "", page, flags=re.S)
        assert not re.search(r"\\[A-Za-z]+", text), re.search(r".{40}\\[A-Za-z]+.{20}", text)


@pytest.mark.parametrize("marker, shape", [
    (r"\begin{bmatrix}", r"<mo>\[</mo><mtable>(<mtr>.*?</mtr>){2,}</mtable><mo>\]</mo>"),
    (r"\begin{pmatrix}", r"<mo>\(</mo><mtable>(<mtr>.*?</mtr>){2,}</mtable><mo>\)</mo>"),
    (r"\frac", r"<mfrac><mrow>.+?</mrow><mrow>.+?</mrow></mfrac>"),
    (r"\begin{aligned}", r'<mtable[^>]*><mtr><mtd columnalign="right">.*?<mtd columnalign="left">'),
    (r"\operatorname", r"<mo>(Var|diag|sign|argmax|softmax)</mo>"),
    (r"\begin{cases}", r'<mo [^>]*fence="true"[^>]*>\{</mo><mtable>'),
])
def test_each_kind_of_formula_becomes_the_right_mathml(marker, shape):
    lesson, tex, display = _first(marker)
    markup = mathml.to_html(tex, display)
    assert markup.startswith(f'<math display="{"block" if display else "inline"}">'), (lesson, markup[:200])
    assert re.search(shape, markup, re.S), (lesson, tex, markup[:600])


def test_formulas_of_lessons_03_and_05_render_too():
    for lesson in (l for l in LESSONS if l[:2] in {"03", "05"}):
        shown = [f for f in _formulas(lesson) if f[1]]
        assert shown, lesson
        for tex, display in shown:
            assert mathml.to_html(tex, display).startswith("<math "), (lesson, tex)


@pytest.mark.parametrize("tex", [
    r"\foo{x}",                                           # a command latex2mathml does not know
    r"\frac{1}{",                                         # not TeX
    r"\text{<script>alert(1)</script>}",                  # latex2mathml copies text as it is
    r"\href{http://outside.invalid/}{x}",                 # an href attribute in MathML
    r"\style{background: url(http://outside.invalid/)}{x}",
    r"a & b",                                             # '&' outside an environment
])
def test_what_does_not_convert_stays_tex_in_a_code_span(tex):
    out = mathml.to_html(tex)
    assert out.startswith('<code class="tex">$') and out.endswith('$</code>'), out
    assert "<script" not in out and "href" not in out.replace("\\href", "") and "style=" not in out


def test_the_check_of_latex2mathml_output_is_needed():
    # negative control: without the check, these would reach the page
    from latex2mathml.converter import convert
    assert "<script>" in convert(r"\text{<script>alert(1)</script>}")
    assert 'style="background: url(' in convert(r"\style{background: url(http://outside.invalid/)}{x}")
    assert r"<mi>\foo</mi>" in convert(r"\foo{x}")


def test_a_huge_markdown_cell_costs_bounded_time():
    many = " ".join(f"$x_{{{i}}}$" for i in range(safehtml.MAX_FORMULAS + 20))
    out = safehtml.markdown(many)
    assert out.count("<math ") == safehtml.MAX_FORMULAS and out.count('<code class="tex">') == 20
    long = "<script>x</script> $y$ " * (safehtml.MAX_MARKDOWN // 20)
    out = safehtml.markdown(long)
    assert out.startswith('<pre class="bpl-long">&lt;script&gt;') and "<math" not in out and "<script" not in out


def test_undrawn_figure_repr():
    assert feedback.undrawn_figure("<Figure size 1100x400 with 2 Axes>")
    assert feedback.undrawn_figure("<Figure size 640x480 with 0 Axes>\n")
    assert not feedback.undrawn_figure("z = <Figure size 640x480 with 1 Axes>")
    assert not feedback.undrawn_figure("[<matplotlib.lines.Line2D at 0x7f>]")


# -- a graded notebook with a hostile student -----------------------------------------------

HOSTILE_MARKDOWN = f"""## My notes on $\\sigma'(z)$

<script>fetch("{OUTSIDE}/script")</script>
<img src="{OUTSIDE}/img.png"> <iframe src="{OUTSIDE}/frame"></iframe>
<link rel="stylesheet" href="{OUTSIDE}/sheet.css"><style>@import url({OUTSIDE}/import.css);</style>
<p style="background: url({OUTSIDE}/bg.png)">styled</p> <a href="javascript:alert(1)">js link</a>
<svg><image href="{OUTSIDE}/svg.png"/></svg> <object data="{OUTSIDE}/obj"></object>
![outside]({OUTSIDE}/md.png) ![inline](data:image/png;base64,{PNG})

$\\text{{<img src={OUTSIDE}/tex.png>}}$ and $\\style{{background: url({OUTSIDE}/tex-bg)}}{{x}}$ and $\\href{{{OUTSIDE}}}{{y}}$
"""


def _outputs():
    html_out = (f'<b>bold</b><script>fetch("{OUTSIDE}/out-script")</script><img src="{OUTSIDE}/out.png">'
                f'<iframe src="{OUTSIDE}/out-frame"></iframe>')
    return [
        new_output("display_data", data={"text/plain": "<Figure size 1100x400 with 2 Axes>"}),
        new_output("execute_result", data={"text/plain": "<Figure size 650x400 with 1 Axes>"}, execution_count=3),
        new_output("display_data", data={"text/html": html_out, "text/plain": "html"}),
        new_output("display_data", data={"application/javascript": f'fetch("{OUTSIDE}/js")', "text/plain": "js"}),
        new_output("display_data", data={"application/vnd.jupyter.widget-view+json":
                                         {"model_id": "abc", "version_major": 2, "version_minor": 0},
                                         "text/plain": "interactive(children=(FloatSlider(value=1.0)))"}),
        new_output("display_data", data={"text/latex": r"$\displaystyle \frac{\partial E}{\partial w}$",
                                         "text/plain": "Latex"}),
        new_output("display_data", data={"text/markdown": r"**bold** and $\sqrt{x}$", "text/plain": "md"}),
        new_output("display_data", data={"image/png": PNG, "text/plain": "png"},
                   metadata={"filenames": {"image/png": f"{OUTSIDE}/forged.png"}}),
    ]


def _messages():
    """{exercise: the message of a real failed check} for lesson 01's first two exercises: a
    catalogued mistake (with its "Likely mistake:" line) and a wrong answer a relation explains."""
    sigmoid = exercise("sigmoid")
    wrong = "import numpy as np\ndef sigmoid(z):\n    return 1.1 / (1 + np.exp(-np.asarray(z, dtype=float)))\n"
    return {"sigmoid": failure("sigmoid", sigmoid.compile(sigmoid.mistakes[0].source), "check"),
            "relation": failure("sigmoid", sigmoid.compile(wrong), "check")}


def _graded_notebook(lesson=L1):
    """The lesson as grading leaves it (hidden tests in the test cells): the first test cell
    failed with a catalogued mistake, the second with the stub, the third passed, the fourth
    failed with a relation; a student's hostile Markdown cell and output cell."""
    nb = copy.deepcopy(solution_nb(lesson))
    messages = _messages()
    tests = [c for c in nb.cells if c.cell_type == "code" and nbmeta(c).get("grade") and not nbmeta(c).get("solution")]
    errors = [("CheckFailure", messages["sigmoid"]),
              ("NotWrittenYet", "neuron is not written yet: replace `raise NotImplementedError()` with your code, "
                                "then run this cell again."),
              None,
              ("CheckFailure", messages["relation"])]
    for cell, error in zip(tests, errors):
        cell.outputs = [] if error is None else [new_output("error", ename=error[0], evalue=error[1],
                                                            traceback=["Traceback (most recent call last):", "..."])]
    first_answer = next(i for i, c in enumerate(nb.cells) if nbmeta(c).get("solution"))
    nb.cells.insert(first_answer + 1, new_markdown_cell(HOSTILE_MARKDOWN))
    nb.cells.insert(first_answer + 2, new_code_cell("show_things()", outputs=_outputs()))
    return nb


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """The feedback page of the graded notebook, and the same notebook through nbconvert's
    stock HTML exporter (the page as it was before issue 17)."""
    from nbconvert import HTMLExporter
    folder = tmp_path_factory.mktemp("feedback")
    nb = _graded_notebook()
    cells, _ = score(nb)
    new = feedback.render_feedback(copy.deepcopy(nb), release_nb(L1), cells, {"student": "ada", "lesson": L1})
    old_nb = copy.deepcopy(nb)
    feedback.hide_tests(old_nb, release_nb(L1))
    old, _ = HTMLExporter().from_notebook_node(old_nb)
    (folder / "new.html").write_text(new, encoding="utf-8")
    (folder / "old.html").write_text(old, encoding="utf-8")
    return dict(folder=folder, new=new, old=old, cells=cells, nb=nb)


def test_the_page_holds_no_script_and_no_outside_address(pages):
    page = pages["new"]
    assert f'<meta http-equiv="Content-Security-Policy" content="{feedback.CSP}">' in page
    assert not re.search(r"<(script|iframe|link|object|embed|style[^>]*>[^<]*@import)\b", page, re.I)
    # the addresses survive only as text the student reads (escaped), never in a tag or a style sheet
    assert [tag for tag in re.findall(r"<[^>]+>", page) if "outside.invalid" in tag] == []
    assert [css for css in re.findall(r"<style[^>]*>(.*?)</style>", page, re.S) if "outside.invalid" in css] == []
    tags = "".join(re.findall(r"<[^>]+>", page))
    for target in re.findall(r'\bsrc="([^"]*)"', tags):
        assert target.startswith("data:image/"), target
    for target in re.findall(r'\bhref="([^"]*)"', tags):
        assert "outside.invalid" not in target and not target.startswith(("javascript:", "data:")), target
    assert "javascript:" not in page
    # the student's markup is shown as text, not dropped silently
    assert "&lt;script&gt;" in page


def test_undrawn_figures_are_one_grey_note_each(pages):
    page = pages["new"]
    assert "Figure size" not in page
    notes = re.findall(r'<div class="jp-OutputArea-output bpl-note"[^>]*>([^<]*)</div>', page)
    assert notes.count(feedback.UNDRAWN) == 2, notes
    assert notes.count(feedback.WIDGET) == 1 and notes.count(feedback.SCRIPT) == 1, notes
    assert "Figure size 1100x400" in pages["old"]          # what the old page showed


def test_the_score_table_says_why_each_exercise_failed_linked_to_its_cell(pages):
    page, cells = pages["new"], pages["cells"]
    header = page[page.index('<header class="bpl-score">'):page.index("</header>")]
    assert "Autograded score: " in header
    failed = [c for c in cells if not c["passed"]]
    assert len(failed) == 3 and any(c["passed"] for c in cells)
    ids = set(re.findall(r'\bid="([^"]+)"', page))
    for c in failed:
        first, why = feedback.summary(c["error"])
        row = re.search(rf"<tr><td><code>{c['exercise']}</code>.*?</tr>", header, re.S).group()
        link = re.search(r'<a href="#([^"]+)">([^<]*)</a>', row)
        assert link, row
        assert link.group(1) in ids, f"{link.group(1)} is no anchor of the page"
        # the anchor is the exercise's own test cell, which shows the whole message below
        cell = page[page.index(f'id="{link.group(1)}"'):][:6000]
        assert "check" in cell and c["exercise"] in cell and html.escape(first.split(";")[0][:40]) in cell
        assert first and link.group(2) == html.escape(first), (link.group(2), first)
    sigmoid, neuron, relation = failed
    first, why = feedback.summary(sigmoid["error"])
    assert first.startswith("sigmoid(") and "returned" in first and "CheckFailure" not in first
    assert why.startswith("Likely mistake: ") and exercise("sigmoid").mistakes[0].explain[:40] in why
    assert feedback.summary(neuron["error"]) == (
        "neuron is not written yet: replace `raise NotImplementedError()` with your code, then run this cell again.", "")
    assert feedback.summary(relation["error"])[1].startswith("What came back: every value is 1.1 times")
    for c in failed:
        for line in feedback.summary(c["error"]):
            assert html.escape(line) in header
    assert header.count(">passed<") == len(cells) - len(failed)


def test_the_page_still_hides_the_hidden_tests(pages):
    hidden = {line.strip() for c in solution_nb(L1).cells for block in HIDDEN.findall(c.source)
              for line in block.splitlines() if line.strip()}
    assert hidden and any(HIDDEN.search(c.source) for c in pages["nb"].cells)
    text = html.unescape(re.sub(r"<[^>]+>", "", pages["new"]))
    assert not [line for line in hidden if line in text] and "HIDDEN TESTS" not in text


PROBE = """() => {
  const maths = [...document.querySelectorAll('math')];
  const drawn = maths.filter(m => getComputedStyle(m).display.includes('math')
                                  && m.getBoundingClientRect().width > 0 && m.getBoundingClientRect().height > 0);
  const links = [...document.querySelectorAll('header.bpl-score a[href^="#"]')];
  return {maths: maths.length, drawn: drawn.length, scripts: document.scripts.length,
          links: links.length, targets: links.filter(a => document.getElementById(decodeURIComponent(a.hash.slice(1)))).length,
          notes: [...document.querySelectorAll('.bpl-note')].map(n => n.innerText)};
}"""


def test_the_page_opens_from_disk_with_no_request_and_no_error(pages):
    seen = visit([pages["folder"] / "new.html", pages["folder"] / "old.html"], PROBE)
    new, old = seen[pages["folder"] / "new.html"], seen[pages["folder"] / "old.html"]
    assert new.attempted == [] and new.outside == [], new.attempted
    assert new.errors == [], new.errors
    assert new.probe["scripts"] == 0
    assert new.probe["maths"] > 20 and new.probe["drawn"] == new.probe["maths"], new.probe
    assert new.probe["links"] == 3 and new.probe["targets"] == 3, new.probe
    assert new.probe["notes"].count(feedback.UNDRAWN) == 2
    # negative control: the page as it was asks for MathJax (and more) from outside, and fails
    assert any("mathjax" in url.lower() for url in old.outside), old.outside
    assert any("outside.invalid" in url for url in old.outside), old.outside
    assert old.errors


def test_the_content_security_policy_stops_what_a_sanitiser_would_miss(tmp_path):
    # the second line of defence: markup the sanitiser should have removed, under the page's
    # policy, is tried by the browser and stopped before the network
    from backproplab.classgrade import report_page
    body = (f'<img src="{OUTSIDE}/a.png"><link rel="stylesheet" href="{OUTSIDE}/b.css">'
            f'<script src="{OUTSIDE}/c.js"></script><iframe src="{OUTSIDE}/d"></iframe>'
            f'<div style="background: url({OUTSIDE}/e.png)">x</div><style>@import url({OUTSIDE}/f.css);</style>')
    paths = []
    for name, policy in (("feedback", feedback.CSP), ("report", report_page.CSP), ("none", None)):
        meta = f'<meta http-equiv="Content-Security-Policy" content="{policy}">' if policy else ""
        paths.append(tmp_path / f"{name}.html")
        paths[-1].write_text(f"<!DOCTYPE html><html><head>{meta}</head><body>{body}</body></html>")
    seen = visit(paths)
    for path in paths[:2]:
        assert len(seen[path].attempted) >= 3 and seen[path].outside == [], (path.name, seen[path])
    assert len(seen[paths[2]].outside) >= 4      # negative control: no policy, the requests go out


# -- the formulas in the browser ------------------------------------------------------------

KINDS = {"bmatrix": r"\begin{bmatrix}", "pmatrix": r"\begin{pmatrix}", "frac": r"\frac",
         "aligned": r"\begin{aligned}", "operatorname": r"\operatorname", "cases": r"\begin{cases}"}

LAYOUT = """() => [...document.querySelectorAll('.jp-MarkdownCell')].map(cell => {
  const box = e => e.getBoundingClientRect();
  const math = cell.querySelector('math');
  if (!math) return {kind: cell.innerText.split(':')[0], math: false};
  const frac = math.querySelector('mfrac');
  const table = math.querySelector('mtable');
  const rows = table ? [...table.children] : [];
  return {
    kind: cell.querySelector('p').innerText.split(':')[0], math: true,
    display: getComputedStyle(math).display, text: math.textContent,
    width: box(math).width, height: box(math).height,
    frac: frac ? [box(frac.children[0]).bottom, box(frac.children[1]).top] : null,
    rows: rows.map(r => box(r).top),
    columns: rows.map(r => [...r.children].map(d => Math.round(box(d).left))),
  };
})"""


def test_the_lessons_formulas_are_laid_out_as_math_in_chromium(tmp_path):
    nb = nbformat.v4.new_notebook()
    picked = {kind: _first(marker) for kind, marker in KINDS.items()}
    for kind, (lesson, tex, display) in picked.items():
        fence = "$$" if display else "$"
        nb.cells.append(new_markdown_cell(f"{kind}: from {lesson}\n\n{fence}{tex}{fence}"))
    page = feedback.render_feedback(nb, nbformat.v4.new_notebook(), [], {"student": "s", "lesson": "formulas"})
    (tmp_path / "formulas.html").write_text(page, encoding="utf-8")
    seen = visit([tmp_path / "formulas.html"], LAYOUT)[tmp_path / "formulas.html"]
    assert seen.attempted == [] and seen.errors == []
    laid = {item["kind"]: item for item in seen.probe}
    assert set(laid) == set(KINDS), laid
    for kind, item in laid.items():
        assert item["math"] and item["display"] in ("math", "block math"), item
        assert item["width"] > 10 and item["height"] > 10 and "\\" not in item["text"], item
    for kind in ("frac",):
        top, bottom = laid[kind]["frac"][0], laid[kind]["frac"][1]
        assert top <= bottom + 1, f"the numerator is not above the denominator: {laid[kind]}"
    for kind in ("bmatrix", "pmatrix", "aligned", "cases"):
        rows = laid[kind]["rows"]
        assert len(rows) >= 2 and all(a < b for a, b in zip(rows, rows[1:])), f"{kind}: rows not stacked {rows}"
    columns = laid["aligned"]["columns"]     # every row's cells start at the same x: aligned
    assert len({len(c) for c in columns}) == 1 and len(columns[0]) >= 2
    assert all(len({row[i] for row in columns}) == 1 for i in range(len(columns[0]))), columns
    assert any(name in laid["operatorname"]["text"] for name in ("Var", "diag", "sign", "argmax", "softmax"))
