"""What runs for a submission (backproplab/classgrade/assemble.py): the instructor's notebook
with the student's answers, each lesson cell exactly once."""
from __future__ import annotations

import copy
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell

from backproplab.classgrade.assemble import build, grade_id
from backproplab.grading import lesson_ids

ROOT = Path(__file__).resolve().parents[1]


def _nbs(lesson):
    read = lambda folder: nbformat.read(str(ROOT / folder / lesson / f"{lesson}.ipynb"), as_version=4)  # noqa: E731
    return read("solutions"), read("lessons")


def _sources(nb):
    return [c.source for c in nb.cells if c.cell_type == "code"]


@pytest.mark.parametrize("lesson", lesson_ids(ROOT))
def test_the_release_handed_in_runs_each_lesson_cell_once(lesson):
    source, release = _nbs(lesson)
    built = build(source, release, copy.deepcopy(release))
    # the source's cells, in order, the answers replaced by the release's stubs: nothing twice
    assert len(built.cells) == len(source.cells)
    assert [c.get("id") for c in built.cells] == [c.get("id") for c in source.cells]


def test_an_edited_demo_cell_and_a_new_cell_run_as_the_students_own():
    lesson = lesson_ids(ROOT)[0]
    source, release = _nbs(lesson)
    student = copy.deepcopy(release)
    demo = next(i for i, c in enumerate(student.cells) if c.cell_type == "code" and not c.metadata.get("nbgrader"))
    student.cells[demo].source += "\nprint('my experiment')"
    student.cells.insert(demo + 1, new_code_cell("scratch = 1"))
    built = build(source, release, student)
    code = _sources(built)
    assert sum("my experiment" in s for s in code) == 1
    assert code.count("scratch = 1") == 1
    assert len(built.cells) == len(source.cells) + 2
    assert [grade_id(c) for c in built.cells if grade_id(c)] == [grade_id(c) for c in source.cells if grade_id(c)]
