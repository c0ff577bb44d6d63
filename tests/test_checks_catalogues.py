"""The exercise pattern, for every registered exercise of every lesson (backproplab.checks).

For each exercise: the catalogue is complete, its correct alternatives pass, every catalogued
mistake fails grade() with its own explanation (and check() too, unless the catalogue marks it
hidden_only), the reference cannot be handed in, the released stub is recognised, a student's
cell cannot make a wrong answer pass by patching numpy or builtins, and the solution
notebook's own code passes, so that the notebook and the catalogue agree.

What only one lesson has (worked numbers, behaviour judges, the reference and points of each
exercise) is tested in test_checks_lessonNN.py.
"""
from __future__ import annotations

import re

import pytest

from _checks_helpers import assert_fails_under_patched_numpy, cell, compiled, failure, lesson_nb, solution_nb
from backproplab.checks import check, exercise, exercises, grade

NAMES = tuple(exercises())


def _cases(kind):
    """(exercise name, catalogue entry) for every entry of `kind` of every exercise."""
    return [pytest.param(name, entry, id=f"{name}-{getattr(entry, 'key', i)}")
            for name in NAMES for i, entry in enumerate(getattr(exercise(name), kind))]


def _released(name):
    return pytest.param(name, marks=pytest.mark.skipif(
        not lesson_nb(exercise(name).lesson).exists(), reason="lessons/ not generated yet"))


# The catalogues' sources may divide by zero, take log 0 or overflow e^z (that is the mistake), and
# pyproject.toml turns backproplab's RuntimeWarnings into errors.
MISTAKE_WARNINGS = pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning",
                                              "ignore:invalid value:RuntimeWarning",
                                              "ignore:overflow encountered:RuntimeWarning")


# -- the catalogue is complete ---------------------------------------------------------------

@pytest.mark.parametrize("name", NAMES)
def test_catalogue_has_what_the_pattern_requires(name):
    ex = exercise(name)
    assert ex.name == name
    assert solution_nb(ex.lesson).exists()
    assert len(ex.mistakes) >= 3
    assert len(ex.alternatives) >= 1
    assert ex.reference in ex.forbidden
    assert ex.reference.__module__.startswith("backproplab.")
    assert not ex.reference.__module__.startswith("backproplab.checks")
    assert len({m.key for m in ex.mistakes}) == len(ex.mistakes)
    assert ex.visible and ex.hidden


# -- alternatives pass, mistakes fail with their explanation --------------------------------

@pytest.mark.parametrize("name, source", _cases("alternatives"))
def test_alternative_passes(name, source):
    fn = compiled(name, source)
    assert exercise(name).check(fn).startswith(f"{name}: passed")
    assert exercise(name).grade(fn).startswith(f"{name}: passed the hidden tests")


@MISTAKE_WARNINGS
@pytest.mark.parametrize("name, mistake", _cases("mistakes"))
def test_mistake_fails_grade_with_its_explanation(name, mistake):
    message = failure(name, compiled(name, mistake.source))
    assert f"Likely mistake: {mistake.explain}" in message


@MISTAKE_WARNINGS
@pytest.mark.parametrize("name, mistake", _cases("mistakes"))
def test_only_the_intended_mistakes_pass_the_visible_check(name, mistake):
    fn = compiled(name, mistake.source)
    if mistake.hidden_only:
        exercise(name).check(fn)   # passes the visible cases ...
        assert failure(name, fn).startswith("hidden test")   # ... and loses the points
    else:
        assert f"Likely mistake: {mistake.explain}" in failure(name, fn, "check")


# -- the reference cannot be handed in; the stub is recognised -------------------------------

@pytest.mark.parametrize("name", NAMES)
def test_reference_handed_in_is_refused(name):
    reference = exercise(name).reference
    assert re.search(r"calls backproplab\.\S+, the reference answer", failure(name, reference, "check"))

    def wrapper(*args, **kwargs):
        return reference(*args, **kwargs)

    assert re.search(r"calls backproplab\.\S+, the reference answer", failure(name, wrapper))


@pytest.mark.parametrize("name", NAMES)
def test_stub_raises_not_implemented(name):
    def stub(*args, **kwargs):
        raise NotImplementedError()

    with pytest.raises(NotImplementedError, match=f"{name} is not written yet"):
        exercise(name).check(stub)
    with pytest.raises(NotImplementedError, match=f"{name} is not written yet"):
        exercise(name).grade(stub)


# -- a student's cell cannot change the verdict -----------------------------------------------
# (each lesson's file also tries one crude wrong answer per exercise)

@MISTAKE_WARNINGS
@pytest.mark.parametrize("name, mistake", _cases("mistakes"))
def test_patched_numpy_and_builtins_do_not_hide_a_mistake(name, mistake):
    assert_fails_under_patched_numpy(name, compiled(name, mistake.source), visible=not mistake.hidden_only)


# -- the notebook and the catalogue agree ----------------------------------------------------

@pytest.mark.parametrize("name", NAMES)
def test_solution_notebook_code_passes_grade(name):
    code = cell(solution_nb(exercise(name).lesson), name)
    assert code.metadata["nbgrader"]["solution"] is True
    assert "### BEGIN SOLUTION" in code.source
    assert exercise(name).grade(compiled(name, code.source)).startswith(f"{name}: passed")


@pytest.mark.parametrize("name", NAMES)
def test_solution_notebook_test_cell_is_the_pattern(name):
    # the points of each exercise are the lesson's: test_checks_lessonNN.py checks them
    test = cell(solution_nb(exercise(name).lesson), f"{name}-test")
    assert test.metadata["nbgrader"]["grade"] is True
    assert test.metadata["nbgrader"]["locked"] is True
    assert test.metadata["nbgrader"]["points"] > 0
    assert test.source == (f'from backproplab.checks import check\ncheck("{name}", {name})\n'
                           f'### BEGIN HIDDEN TESTS\nfrom backproplab.checks import grade\n'
                           f'grade("{name}", {name})\n### END HIDDEN TESTS')


@pytest.mark.parametrize("name", [_released(name) for name in NAMES])
def test_released_stub_raises_not_implemented(name):
    released = lesson_nb(exercise(name).lesson)
    code = cell(released, name)
    assert "raise NotImplementedError()" in code.source and "BEGIN SOLUTION" not in code.source
    with pytest.raises(NotImplementedError):
        exercise(name).check(compiled(name, code.source))
    assert "HIDDEN TESTS" not in cell(released, f"{name}-test").source


# -- what check() reports ----------------------------------------------------------------------

@pytest.mark.parametrize("name", NAMES)
def test_check_says_what_it_checked_and_that_hidden_tests_remain(name, capsys):
    check(name, compiled(name, exercise(name).alternatives[0]))
    out = capsys.readouterr().out
    assert out.startswith(f"\u2713 {name}: passed {len(exercise(name).visible)} visible checks (")
    assert "hidden tests also try" in out
    assert "all tests passed" not in out.lower()
    grade(name, compiled(name, exercise(name).alternatives[0]))
    assert f"passed the hidden tests ({len(exercise(name).hidden)} cases" in capsys.readouterr().out
