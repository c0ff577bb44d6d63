"""The exercise-checking core (backproplab/checks: exercise.py, _safe.py, _guard.py).

Uses a toy exercise defined here (not registered): the student writes `toy_tanh(z)`, the
reference is backproplab.activations.tanh. Every test states the behaviour a lesson relies on:
what a student sees on failure, that stubs are recognised, that the reference cannot be
handed in, and that a student's cell cannot change a verdict by patching numpy or builtins.
"""
from __future__ import annotations

import builtins
import functools
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import backproplab.activations as act_module   # "imported before", as a notebook would
from backproplab import activations
from backproplab.checks import (Case, CheckFailure, Exercise, Mistake, NotWrittenYet, check,
                                exercises)

_RNG = np.random.default_rng(20240601)
_Z = _RNG.normal(0.0, 2.0, size=(3, 4))


def _toy(**overrides):
    spec = dict(
        name="toy_tanh",
        reference=activations.tanh,
        lesson="toy",
        summary="tanh(0) = 0, a vector and a seeded 3x4 matrix; float64 of the input's shape",
        visible=[Case((0.0,), note="z = 0"),
                 Case((np.array([-1.0, 0.5, 2.0]),), note="a vector"),
                 Case((_Z,), note="seeded random matrix")],
        hidden=[Case((np.array([[30.0, -30.0, 1e-3]]),), note="a batch of one, saturated")],
        hidden_summary="a saturated batch of one",
        mistakes=[
            Mistake("sigmoid", "that is the sigmoid 1/(1 + e^{-z}); tanh(z) = (e^z - e^{-z})/(e^z + e^{-z}).",
                    "def toy_tanh(z):\n    return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=float)))\n"),
            Mistake("derivative", "that is tanh'(z) = 1 - tanh^2(z), not tanh(z).",
                    "def toy_tanh(z):\n    return 1.0 - np.tanh(np.asarray(z, dtype=float)) ** 2\n"),
        ],
        alternatives=[],
        forbidden=(activations.tanh,),
        namespace=lambda: {"np": np},
    )
    spec.update(overrides)
    return Exercise(**spec)


def right(z):
    z = np.asarray(z, dtype=float)
    e, f = np.exp(z), np.exp(-z)
    return (e - f) / (e + f) if z.ndim else float((e - f) / (e + f))


def right_stable(z):
    return np.tanh(np.asarray(z, dtype=float))


def wrong(z):
    return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=float)))   # the sigmoid


def _failure(ex, fn, how="check") -> str:
    with pytest.raises(CheckFailure) as info:
        getattr(ex, how)(fn)
    return str(info.value)


# -- what the student sees --------------------------------------------------------------------

def test_check_failure_renders_only_its_message():
    failure = CheckFailure("toy_tanh(0) returned 0.5; expected 0.\n  Likely mistake: the sigmoid")
    lines = failure._render_traceback_()
    assert lines == ["\x1b[0;31mCheckFailure\x1b[0m: toy_tanh(0) returned 0.5; expected 0.",
                     "  Likely mistake: the sigmoid"]
    assert isinstance(failure, AssertionError)   # a failing test cell, for nbgrader


def test_ipython_shows_the_message_not_the_checkers_source():
    # What a notebook (and nbgrader's feedback) prints for a failing check: run in a fresh
    # IPython shell, so this process's IPython state is untouched.
    code = textwrap.dedent("""
        from IPython.core.interactiveshell import InteractiveShell
        shell = InteractiveShell.instance(colors="NoColor")
        shell.run_cell("from backproplab.checks import check\\n"
                       "def sigmoid(z):\\n    return z\\n"
                       "check('sigmoid', sigmoid)")
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    out = proc.stdout + proc.stderr
    assert "CheckFailure" in out and "sigmoid(0) returned 0" in out, out
    assert "exercise.py" not in out and "Traceback" not in out, out


def test_a_released_stub_raises_not_written_yet():
    def stub(z):
        # YOUR CODE HERE
        raise NotImplementedError()

    ex = _toy()
    for how in ("check", "grade"):
        with pytest.raises(NotWrittenYet) as info:
            getattr(ex, how)(stub)
        assert isinstance(info.value, NotImplementedError)
        assert "toy_tanh is not written yet" in str(info.value)
    rendered = info.value._render_traceback_()
    assert len(rendered) == 1
    assert rendered[0].startswith("\x1b[0;31mNotImplementedError\x1b[0m: toy_tanh is not written yet")


def test_an_error_inside_the_students_function_is_reported_not_raised():
    def crashes(z):
        return 1 / 0

    message = _failure(_toy(), crashes)
    assert "toy_tanh(0) raised ZeroDivisionError: division by zero" in message
    assert "[z = 0]" in message


def test_something_that_is_not_a_function_is_named():
    message = _failure(_toy(), 0.5)
    assert "toy_tanh should be a function, but it is a float" in message


def test_a_wrong_answer_shows_expected_got_and_the_likely_mistake():
    message = _failure(_toy(), wrong)
    assert message.startswith("toy_tanh(0) returned 0.5; expected 0.")
    assert "Likely mistake: that is the sigmoid 1/(1 + e^{-z})" in message


def test_an_answer_tuned_to_the_visible_cases_loses_in_grade():
    def tuned(z):
        z = np.asarray(z, dtype=float)
        return np.tanh(np.clip(z, -5.0, 5.0)) if z.ndim else float(np.tanh(z))

    _toy().check(tuned)  # the visible cases never reach |z| > 5
    message = _failure(_toy(), tuned, "grade")
    assert message.startswith("hidden test (a saturated batch of one) failed:")


# -- inputs are private and must not change ---------------------------------------------------

def test_modifying_the_argument_in_place_is_reported():
    def in_place(z):
        z = np.asarray(z)
        out = np.tanh(z)
        if z.ndim:
            z[...] = 0.0     # correct result, but it wipes the caller's array
        return out if z.ndim else float(out)

    ex = _toy()
    before = ex.visible[1].args[0].copy()
    message = _failure(ex, in_place)
    assert "toy_tanh([-1. ,  0.5,  2. ]) modified its argument #1 in place" in message
    np.testing.assert_array_equal(ex.visible[1].args[0], before)   # the case itself is intact


# -- handing in the reference -----------------------------------------------------------------

_alias = activations.tanh


def _helper(z):
    return activations.tanh(z)


def by_alias(z):
    return _alias(z)


def by_wrapper(z):
    return _helper(z)


def by_module_attribute(z):
    return act_module.tanh(z)


def by_late_import(z):
    from backproplab.activations import tanh as t
    return t(z)


by_lambda = lambda z: activations.tanh(z)   # noqa: E731
by_partial = functools.partial(activations.tanh)


@pytest.mark.parametrize("fn", [activations.tanh, by_alias, by_wrapper, by_lambda, by_partial,
                                by_module_attribute, by_late_import],
                         ids=["the reference", "alias", "wrapper", "lambda", "partial",
                              "module attribute imported before", "import inside"])
def test_calling_the_reference_is_detected(fn):
    message = _failure(_toy(), fn)
    assert message.startswith("toy_tanh calls backproplab.activations.tanh, the reference answer")


def test_the_reference_is_allowed_when_not_forbidden():
    _toy(forbidden=()).check(by_wrapper)


def _hide_calls(z):
    saved = sys.getprofile()
    sys.setprofile(None)
    try:
        return activations.tanh(z)
    finally:
        sys.setprofile(saved)   # put the hook back so that nothing looks changed


def _drop_profiler(z):
    sys.setprofile(None)
    return right(z)


@pytest.mark.parametrize("fn", [_drop_profiler, _hide_calls], ids=["removed", "removed and restored"])
def test_profiler_tampering_is_detected(fn):
    before = sys.getprofile()
    message = _failure(_toy(), fn)
    assert sys.getprofile() is before
    assert "toy_tanh changed the Python profiler" in message


def test_the_profiler_is_restored_after_a_check():
    before = sys.getprofile()
    _toy().check(right)
    with pytest.raises(CheckFailure):
        _toy().check(by_wrapper)
    assert sys.getprofile() is before


# -- a student's cell cannot change a verdict by patching numpy or builtins -------------------

def _patch(target, name, value):
    old = getattr(target, name)
    setattr(target, name, value)
    return lambda: setattr(target, name, old)


PATCHES = {
    "np.allclose": lambda: _patch(np, "allclose", lambda *a, **k: True),
    "np.isclose": lambda: _patch(np, "isclose", lambda a, b, *r, **k: np.ones(np.shape(a), dtype=bool)),
    "np.array_equal": lambda: _patch(np, "array_equal", lambda *a, **k: True),
    "np.testing.assert_allclose": lambda: _patch(np.testing, "assert_allclose", lambda *a, **k: None),
    "np.testing.assert_array_almost_equal": lambda: _patch(np.testing, "assert_array_almost_equal",
                                                           lambda *a, **k: None),
    "builtins.abs": lambda: _patch(builtins, "abs", lambda x: 0),
    "builtins.max": lambda: _patch(builtins, "max", lambda *a, **k: 0),
}


def _verdict(fn, patch):
    """'pass', or the exception's type name, of check() and grade() under `patch`.

    The exercise is built first, as the lesson's setup cell imports the catalogue before any
    student cell runs.
    """
    ex = _toy()
    restore = patch()
    try:
        try:
            ex.check(fn)
            ex.grade(fn)
            return "pass"
        except Exception as exc:   # noqa: BLE001 - the verdict is the exception's type
            return type(exc).__name__
    finally:
        restore()


@pytest.mark.parametrize("name", sorted(PATCHES))
def test_patching_numpy_or_builtins_does_not_change_verdicts(name):
    assert _verdict(wrong, PATCHES[name]) == "CheckFailure"
    assert _verdict(right, PATCHES[name]) == "pass"
    assert _verdict(right_stable, PATCHES[name]) == "pass"


@pytest.mark.parametrize("name, value", [("len", lambda x: 0), ("isinstance", lambda *a: True)])
def test_breaking_builtins_cannot_make_a_wrong_answer_pass(name, value):
    # numpy's Python code (array printing) and the reference's argument validation use these,
    # so with them broken even a correct answer can fail to be checked: the student only
    # hurts themselves. What matters is that a wrong answer never passes.
    assert _verdict(wrong, lambda: _patch(builtins, name, value)) != "pass"


def test_patching_what_the_reference_calls_does_not_change_verdicts():
    # the reference's answers are computed when the exercise is built (Exercise.freeze)
    def constant(z):
        return np.zeros(np.shape(z)) if np.ndim(z) else 0.0

    verdict = _verdict(constant, lambda: _patch(np, "tanh", lambda z, *a, **k: np.zeros(np.shape(z))))
    assert verdict == "CheckFailure"


# -- types, shapes and special values ---------------------------------------------------------

def test_float32_output_is_rejected_with_a_kind_message():
    as_float32 = lambda z: np.tanh(np.asarray(z, dtype=np.float32))   # noqa: E731
    message = _failure(_toy(), as_float32)
    assert message.startswith("toy_tanh(0) returned a float32; the course works in float64 "
                              "(convert with .astype(float)")
    message = _failure(_toy(visible=[Case((np.zeros(3),))]), as_float32)
    assert "returned an array of shape (3,) and dtype float32; the course works in float64" in message


def test_int_output_is_rejected_with_a_kind_message():
    # tanh(0) = 0 exactly, so the value is right and only the type is wrong
    message = _failure(_toy(), lambda z: 0)
    assert message.startswith("toy_tanh(0) returned an int; the course works in float64")
    message = _failure(_toy(visible=[Case((np.zeros(3),))]), lambda z: np.zeros(3, dtype=int))
    assert "dtype int64" in message and "the course works in float64" in message


def test_a_shape_mismatch_names_both_shapes():
    message = _failure(_toy(visible=[Case((np.array([-1.0, 0.5, 2.0]),))]),
                       lambda z: np.tanh(z).reshape(-1, 1))
    assert "returned shape (3, 1); expected shape (3,) (array of shape (3,))" in message


def test_none_is_not_an_answer():
    message = _failure(_toy(), lambda z: None)
    assert "returned None (did you forget `return`?); expected a float64 scalar" in message


def test_nan_output_fails():
    def one_nan(z):
        out = np.array(np.tanh(np.asarray(z, dtype=float)))
        out.reshape(-1)[-1] = np.nan
        return out

    ex = _toy(visible=[Case((np.array([-1.0, 0.5, 2.0]),))])
    message = _failure(ex, one_nan)
    assert "wrong at index (2,): expected 0.964028, got nan" in message
    message = _failure(_toy(), lambda z: float("nan"))
    assert "toy_tanh(0) returned nan; expected 0." in message


def _sinh(z):
    with np.errstate(over="ignore"):
        return np.sinh(np.asarray(z, dtype=float))


def test_equal_infinities_pass_and_others_do_not():
    big = np.array([-1000.0, 0.5, 1000.0])          # sinh overflows to -inf and +inf
    ex = _toy(name="toy_sinh", reference=_sinh, forbidden=(), visible=[Case((big,))],
              hidden=[], mistakes=[])

    def by_exp(z):
        with np.errstate(over="ignore"):
            return (np.exp(z) - np.exp(-z)) / 2.0

    ex.check(by_exp)
    assert "expected -inf, got inf" in _failure(ex, lambda z: np.abs(by_exp(z)))
    # a huge finite number is not infinity (an infinite expected value has no tolerance)
    assert "expected -inf, got -1.79769e+308" in _failure(ex, lambda z: np.nan_to_num(by_exp(z)))
    assert "expected inf, got nan" in _failure(ex, lambda z: by_exp(z) * np.array([1.0, 1.0, np.nan]))


# -- what a success says ----------------------------------------------------------------------

def test_check_says_what_it_checked_and_not_that_all_tests_passed():
    ex = _toy()
    text = ex.check(right)
    assert text == ("toy_tanh: passed 3 visible checks (tanh(0) = 0, a vector and a seeded 3x4 "
                    "matrix; float64 of the input's shape). When graded, hidden tests also try a "
                    "saturated batch of one.")
    assert ex.grade(right) == "toy_tanh: passed the hidden tests (1 cases: a saturated batch of one)."


def right_sigmoid(z):
    z = np.asarray(z, dtype=float)
    out = 0.5 * (1.0 + np.tanh(0.5 * z))
    return out if out.ndim else float(out)


def test_public_check_prints_a_tick_and_the_report(capsys):
    check("sigmoid", right_sigmoid)   # lesson 01's registered exercise
    out = capsys.readouterr().out
    assert out.startswith("\u2713 sigmoid: passed ")
    assert "hidden tests also try" in out and "all tests passed" not in out.lower()


def test_no_registered_exercise_claims_all_tests_passed():
    for name, ex in exercises().items():
        for text in (ex.summary, ex.hidden_summary):
            assert "all tests passed" not in text.lower(), name
