"""Students and instructors know the slide decks by author or course, not by file number.

The decks live in ../shared/seeds/ as 000_*.txt ... 003_*.txt; those numbers mean nothing to a
reader. Everything a student or an instructor reads - the notebooks, the checks' messages, the
package's docstrings, the README - names them Samatova, Kang, Kauchak or CENG 506.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BY_NUMBER = re.compile(r"\bseeds? ?0?0[0-3]\b", re.IGNORECASE)
READ_BY_PEOPLE = [*sorted((ROOT / "solutions").rglob("*.ipynb")), *sorted((ROOT / "lessons").rglob("*.ipynb")),
                  *sorted((ROOT / "backproplab").rglob("*.py")), ROOT / "README.md"]


@pytest.mark.parametrize("path", READ_BY_PEOPLE, ids=lambda p: str(p.relative_to(ROOT)))
def test_decks_are_cited_by_author_or_course(path):
    found = [m.group(0) for m in BY_NUMBER.finditer(path.read_text(encoding="utf-8"))]
    assert not found, f"{path.name} cites a deck by file number: {found[:5]}"


def test_the_readme_names_every_deck_in_full():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for deck in ("Deep Learning, Part 2: Backpropagation", "Deep Feedforward Networks - 2",
                 "CS159", "CENG 506 Deep Learning, Lecture 3"):
        assert deck in readme
