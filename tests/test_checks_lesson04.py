"""Lesson 04's exercise catalogue (backproplab/checks/lesson04.py) and its notebook.

The pattern every exercise follows (alternatives pass, mistakes fail with their explanation,
hidden-only mistakes pass the visible check, the reference and the stub are recognised, receipts
replay, the nbgrader round trip) is tested for every lesson elsewhere. Here: which exercises
lesson 04 has, their references, points and hidden-only mistakes; the lectures' numbers in the
visible cases (the derivative table at z = 0 and the saturated ends, CENG 506's neuron) and the
hidden |z| = 1000 and batches of one; the diagnoses the lesson promises; the softmax Jacobian
against numerical differentiation; and the numbers the notebook's text states (the erratum, the
overflow limits, the vanishing-gradient experiment), computed again from the notebook's own cells.
"""
from __future__ import annotations

import math
import re

import matplotlib.pyplot as plt
import nbformat
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

from _checks_helpers import assert_fails_under_patched_numpy, cell, compiled, failure, solution_nb
from backproplab import activations
from backproplab.checks import exercise, exercises
from backproplab.gradcheck import numerical_gradient, relative_error

SLUG = "04-activation-functions"
SOLUTION_NB = solution_nb(SLUG)

NAMES = ("sigmoid_prime", "tanh_prime", "relu_prime", "leaky_relu_prime", "softmax", "softmax_jacobian")
REFERENCES = {"sigmoid_prime": activations.sigmoid_prime, "tanh_prime": activations.tanh_prime,
              "relu_prime": activations.relu_prime, "leaky_relu_prime": activations.leaky_relu_prime,
              "softmax": activations.softmax, "softmax_jacobian": activations.softmax_jacobian}
POINTS = {"sigmoid_prime": 2, "tanh_prime": 1, "relu_prime": 1, "leaky_relu_prime": 1,
          "softmax": 3, "softmax_jacobian": 2}

# Mistakes the visible check lets through on purpose (the hidden |z| = 1000, batch-of-one,
# other-slope and 0 < z < 1 cases catch them). Pinned, so that marking another mistake
# hidden_only cannot quietly weaken the visible check.
HIDDEN_ONLY = {("sigmoid_prime", "unstable_ceng"), ("tanh_prime", "exp_definition"),
               ("relu_prime", "clip"), ("leaky_relu_prime", "ignores_slope"),
               ("softmax", "global_max"), ("softmax", "squeeze"),
               ("softmax_jacobian", "squeeze"), ("softmax_jacobian", "naive_exp")}

SETTINGS = settings(deadline=None, max_examples=40, derandomize=True)


def _mistake(name, key):
    return compiled(name, next(m.source for m in exercise(name).mistakes if m.key == key))


# -- which exercises, their references, points and hidden-only mistakes -------------------------

def test_lesson_has_these_exercises_and_references():
    assert {n: ex.reference for n, ex in exercises().items() if ex.lesson == SLUG} == REFERENCES


def test_solution_notebook_points():
    assert {name: cell(SOLUTION_NB, f"{name}-test").metadata["nbgrader"]["points"]
            for name in NAMES} == POINTS


def test_only_these_mistakes_are_hidden_only():
    assert {(n, m.key) for n in NAMES for m in exercise(n).mistakes if m.hidden_only} == HIDDEN_ONLY


@pytest.mark.parametrize("name", NAMES)
def test_every_exercise_has_four_mistakes_one_hidden_only_and_an_alternative(name):
    ex = exercise(name)
    assert len(ex.mistakes) >= 4
    assert any(m.hidden_only for m in ex.mistakes)
    assert ex.alternatives


# -- the lectures' numbers in the visible cases -------------------------------------------------

def _visible_at(name, z):
    ex = exercise(name)
    for case in ex.visible:
        if isinstance(case.args[0], float) and case.args[0] == z and not case.kwargs:
            return ex.expected(case)
    raise AssertionError(f"{name} has no visible case at z = {z}")


def test_visible_cases_hold_the_table_at_zero():
    # Samatova's table: sigma'(0) = 1/4, tanh'(0) = 1, ReLU'(0) = 0 by her convention;
    # the leaky ReLU takes its left-hand slope, CENG 506's 0.1
    assert _visible_at("sigmoid_prime", 0.0) == 0.25
    assert _visible_at("tanh_prime", 0.0) == 1.0
    assert _visible_at("relu_prime", 0.0) == 0.0
    assert _visible_at("leaky_relu_prime", 0.0) == pytest.approx(0.1)


@pytest.mark.parametrize("name", ["sigmoid_prime", "tanh_prime", "relu_prime", "leaky_relu_prime"])
def test_visible_cases_hold_the_saturated_ends(name):
    values = {z: _visible_at(name, z) for z in (10.0, -10.0)}
    if name == "sigmoid_prime":
        assert values[10.0] == pytest.approx(4.5396e-5, rel=1e-4) == values[-10.0]
    elif name == "tanh_prime":
        assert values[10.0] == pytest.approx(8.2446e-9, rel=1e-4) == values[-10.0]
    else:
        assert values[10.0] == 1.0 and values[-10.0] == pytest.approx(0.1 if "leaky" in name else 0.0)


def test_sigmoid_prime_is_checked_at_ceng_506s_neuron():
    # CENG 506: w = (2, -3, -3), x = (-1, -2) -> z = 1, f = 0.73; the slide's
    # (e^{-1})(-0.53) = -0.20 is the gradient at -z, so sigma'(1) = 0.20 to two decimals
    z = 2.0 * -1.0 + -3.0 * -2.0 + -3.0
    x = 1.0 + math.exp(-z)
    assert z == 1.0 and round(activations.sigmoid(z), 2) == 0.73
    assert round(-1.0 / x ** 2, 2) == -0.53 and round(math.exp(-z) * -1.0 / x ** 2, 2) == -0.20
    case = next(c for c in exercise("sigmoid_prime").visible if c.atol is not None)
    assert case.args == (1.0,) and case.expected == 0.20
    assert abs(activations.sigmoid_prime(1.0) - case.expected) <= case.atol


@pytest.mark.parametrize("name", NAMES)
def test_hidden_cases_include_z_1000_and_a_batch_of_one(name):
    args = [np.asarray(c.args[0]) for c in exercise(name).hidden]
    assert any(np.max(np.abs(a)) == 1000.0 for a in args)
    assert any(a.ndim == 2 and a.shape[0] == 1 for a in args)


def test_leaky_relu_hidden_cases_try_other_slopes():
    slopes = {c.kwargs.get("slope", 0.1) for c in exercise("leaky_relu_prime").hidden}
    assert {0.2, 0.01, 0.3} <= slopes
    assert {c.kwargs.get("slope", 0.1) for c in exercise("leaky_relu_prime").visible} == {0.1}


def test_relu_visible_cases_avoid_the_open_interval_zero_one():
    # so that np.clip(z, 0, 1) passes the visible check and loses the hidden points
    for case in exercise("relu_prime").visible:
        z = np.asarray(case.args[0])
        assert not np.any((z > 0) & (z < 1))


# -- diagnoses -----------------------------------------------------------------------------------

def test_returning_the_sigmoid_is_diagnosed_with_the_numbers():
    # the project's example: "sigmoid_prime(0) returned 0.5, which is sigmoid(0); the derivative
    # is s(1 - s) = 0.25"
    message = failure("sigmoid_prime", _mistake("sigmoid_prime", "returns_sigmoid"), "check")
    assert "sigmoid_prime(0) returned 0.5; expected 0.25." in message
    assert "this returns sigma(z) itself" in message and "0.25 at z = 0, where sigma(0) = 0.5" in message


def test_samatovas_printed_result_is_the_negative_slope():
    # the erratum: S(t)(S(t) - 1) is -S(1 - S), negative everywhere; the slope is positive
    printed = _mistake("sigmoid_prime", "samatova_sign")
    z = np.linspace(-8.0, 8.0, 33)
    assert np.all(printed(z) < 0)
    assert np.allclose(printed(z), -activations.sigmoid_prime(z), rtol=0, atol=1e-15)
    h = 1e-5
    slope = (activations.sigmoid(z + h) - activations.sigmoid(z - h)) / (2 * h)
    assert np.all(slope > 0) and relative_error(slope, activations.sigmoid_prime(z)) < 1e-7
    assert "drops the minus of the power rule" in failure("sigmoid_prime", printed, "check")


@pytest.mark.parametrize("name, key, words", [
    ("sigmoid_prime", "unstable_ceng", "sigmoid_prime(-1000) returned nan; expected 0."),
    ("tanh_prime", "exp_definition", "tanh_prime(1000) returned nan; expected 0."),
    ("softmax", "global_max", "[rows at +1000 and -1000: each row needs its own max]"),
    ("softmax_jacobian", "naive_exp", "[|z| = 1000]"),
])
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_overflow_mistakes_lose_the_hidden_points_at_1000(name, key, words):
    message = failure(name, _mistake(name, key))
    assert message.startswith("hidden test") and words in message
    assert "Likely mistake: " + next(m.explain for m in exercise(name).mistakes if m.key == key) in message


@pytest.mark.parametrize("name", ["softmax", "softmax_jacobian"])
def test_squeezing_a_batch_of_one_is_caught_by_the_hidden_tests(name):
    message = failure(name, _mistake(name, "squeeze"))
    assert message.startswith("hidden test") and "a batch of one" in message
    assert "expected shape (1," in message


def test_a_nan_answer_never_passes_and_no_entry_is_named_for_other_nans():
    # NaN counts as equal to NaN only against a catalogued mistake's NaN in the same place
    nan_everywhere = lambda z: np.full(np.shape(z), np.nan)   # noqa: E731
    message = failure("softmax", nan_everywhere, "check")
    assert "got nan" in message and "Likely mistake" not in message
    assert "returned nan" in failure("sigmoid_prime", lambda z: np.float64(np.nan), "check")


# -- a student's cell cannot change the verdict -----------------------------------------------

WRONG = {
    "sigmoid_prime": lambda z: 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=float))),
    "tanh_prime": lambda z: np.tanh(np.asarray(z, dtype=float)),
    "relu_prime": lambda z: np.maximum(0.0, np.asarray(z, dtype=float)),
    "leaky_relu_prime": lambda z, slope=0.1: np.ones(np.shape(z)),
    "softmax": lambda z: np.exp(z) / np.sum(np.exp(z)),
    "softmax_jacobian": lambda z: np.zeros(np.shape(z) + (np.shape(z)[-1],)),
}


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("name", NAMES)
def test_patched_numpy_and_builtins_do_not_hide_a_wrong_answer(name):
    assert_fails_under_patched_numpy(name, WRONG[name])


def _memoriser(name):
    """Answers the visible cases from a table (the reference's answers) and nothing else."""
    ex = exercise(name)
    table = [(case.args, case.kwargs, ex.expected(case)) for case in ex.visible]

    def memorised(z, **kwargs):
        for args, kw, answer in table:
            if kw == kwargs and np.array_equal(np.asarray(args[0]), np.asarray(z)) \
                    and np.shape(args[0]) == np.shape(z):
                return answer
        return np.zeros(np.shape(z))
    return memorised


@pytest.mark.parametrize("name", NAMES)
def test_memorised_visible_answers_lose_the_hidden_points(name):
    fn = _memoriser(name)
    exercise(name).check(fn)
    assert failure(name, fn).startswith("hidden test")


# -- the softmax and its Jacobian ------------------------------------------------------------------

scores = hnp.arrays(np.float64, st.tuples(st.integers(1, 3), st.integers(1, 6)),
                    elements=st.floats(-30.0, 30.0))


@SETTINGS
@given(z=scores)
def test_softmax_jacobian_matches_numerical_differentiation(z):
    J = activations.softmax_jacobian(z)
    assert J.shape == z.shape + (z.shape[1],)
    for row, J_row in zip(z, J):
        numerical = np.array([numerical_gradient(lambda v, i=i: float(activations.softmax(v)[i]), row.copy())
                              for i in range(row.size)])
        assert np.max(np.abs(J_row - numerical)) < 1e-8


@SETTINGS
@given(z=scores)
def test_softmax_jacobian_properties_the_lesson_states(z):
    # symmetric, rows summing to 0 (J 1 = 0: shift invariance), diagonal = Samatova's s(1 - s),
    # and J^T dE/ds = s - y for the cross-entropy with a one-hot y
    s = activations.softmax(z)
    J = activations.softmax_jacobian(z)
    assert np.allclose(J, np.swapaxes(J, 1, 2), atol=1e-15)
    assert np.allclose(J.sum(axis=2), 0.0, atol=1e-15)
    assert np.allclose(np.diagonal(J, axis1=1, axis2=2), activations.softmax_prime(z), atol=1e-15)
    y = np.eye(z.shape[1])[np.argmax(z, axis=1)]
    with np.errstate(divide="ignore", invalid="ignore"):
        grad = np.where(y > 0, -y / s, 0.0)
    assert np.allclose(np.einsum("nij,ni->nj", J, grad), s - y, atol=1e-12)


def test_two_equal_scores_give_sigmoid_prime_at_zero():
    J = exercise("softmax_jacobian").expected(exercise("softmax_jacobian").visible[0])
    assert np.array_equal(J, [[0.25, -0.25], [-0.25, 0.25]])


# -- the notebook's text: its numbers, computed again from its own cells -------------------------

def _notebook():
    return nbformat.read(SOLUTION_NB, as_version=4)


def _run_cells(*markers):
    """Execute the setup cell and the code cells containing each marker, in one namespace."""
    nb = _notebook()
    env: dict = {}
    sources = [cell(SOLUTION_NB, "setup").source]
    for marker in markers:
        found = [c.source for c in nb.cells if c.cell_type == "code" and marker in c.source]
        assert len(found) == 1, marker
        sources.append(found[0])
    env.update(sigmoid_prime=activations.sigmoid_prime, tanh_prime=activations.tanh_prime,
               relu_prime=activations.relu_prime, leaky_relu_prime=activations.leaky_relu_prime,
               softmax=activations.softmax, softmax_jacobian=activations.softmax_jacobian)
    try:
        for source in sources:
            exec("\n".join(line for line in source.splitlines() if not line.startswith("%")), env)
    finally:
        plt.close("all")
    return env


def _markdown():
    return "\n".join(c.source for c in _notebook().cells if c.cell_type == "markdown")


def test_vanishing_gradient_experiment_says_what_the_text_says():
    env = _run_cells("depth, width = 20, 50")
    ratio = {label: sizes[0] / sizes[-1] for label, (sizes, _) in env["results"].items()}
    slope = {label: mean_slope.mean() for label, (_, mean_slope) in env["results"].items()}
    saturated = next(label for label in ratio if "saturated" in label)
    # sigmoid: about 1e-13, the size of (1/4)^20 = 9.1e-13; the mean slope just under 1/4
    assert 1e-14 < ratio["sigmoid"] < 1e-12 and 0.2 < slope["sigmoid"] < 0.25
    # tanh with Xavier weights and ReLU keep the gradient's size; ReLU's mean slope about 1/2
    assert 0.3 < ratio["tanh"] < 3 and 0.3 < ratio["ReLU"] < 3
    assert 0.4 < slope["ReLU"] < 0.6 and slope["tanh"] > 0.85
    # saturated tanh: the mean slope about a third, the gradient shrinks by several decades
    assert 0.28 < slope[saturated] < 0.4 and ratio[saturated] < 1e-4
    assert f"{0.25 ** 20:.1e}" == "9.1e-13"


def test_overflow_numbers_in_the_text():
    text = _markdown()
    assert "e^{709.78}" in text and round(math.log(np.finfo(float).max), 2) == 709.78
    with np.errstate(over="ignore", under="ignore"):
        assert np.isinf(np.exp(710.0)) and np.exp(-746.0) == 0.0 and np.exp(-745.0) > 0
    env = _run_cells("def sigmoid_split", "def softmax_naive")
    z = np.array([-1000.0, 1000.0])
    with np.errstate(all="ignore"):
        assert np.array_equal(1.0 / (1.0 + np.exp(-z)), [0.0, 1.0])       # right, by luck, with a warning
        assert np.isnan(np.exp(z) / (1.0 + np.exp(z)))[1]               # inf / inf
        assert np.isnan(env["softmax_naive"](np.array([1000.0, 0.0])))[0]
        assert np.isnan(env["softmax_naive"](np.array([-1000.0, -1000.0]))).all()   # 0 / 0
    assert np.array_equal(env["sigmoid_split"](z), [0.0, 1.0])
    assert np.array_equal(env["softmax_shifted"](np.array([-1000.0, -1000.0])), [0.5, 0.5])


def test_saturation_numbers_in_the_text():
    text = _markdown()
    c = 0.05
    s_edge = (1 + math.sqrt(1 - 4 * c)) / 2
    assert f"{math.log(s_edge / (1 - s_edge)):.2f}" == "2.89" and f"{math.atanh(math.sqrt(1 - c)):.2f}" == "2.18"
    assert abs(activations.sigmoid_prime(2.8872709503576193) - c) < 1e-12
    assert "$\\tfrac14$" in text and "$(\\tfrac14)^{20}$" in text


def test_text_names_the_errata_with_their_correct_forms():
    text = _markdown()
    assert "**Erratum (Samatova, extra slide \"Differentiating Sigmoid Function\").**" in text
    assert "drops the minus sign of the power rule" in text
    assert "S(t)\\,(S(t) - 1)" in text and "S(t)\\,(1 - S(t))" in text
    # the softmax row of Samatova's table is the Jacobian's diagonal; "= 1" is the CE shorthand
    assert "Samatova's table lists only the diagonal" in text
    assert "**Samatova's \"$\\varphi'(z) = 1$\" for the softmax.**" in text
    # the linear row's misprint and ReLU's convention at 0
    assert "it means the identity" in text and "the gradient of zero is\n  substituted when $z = 0$" in text


def test_decks_are_cited_by_author_or_course_never_by_file_number():
    nb = _notebook()
    for c in nb.cells:
        assert not re.search(r"seeds? 00\d", c.source), c.source[:80]
    from backproplab.checks import lesson04
    source = open(lesson04.__file__).read()
    assert not re.search(r"seeds? 00\d", source)


def test_setup_cell_defines_the_catalogue_namespace_and_no_exercise_name():
    source = cell(SOLUTION_NB, "setup").source
    assert source.splitlines()[1].startswith("import backproplab.checks")
    env: dict = {}
    exec("\n".join(line for line in source.splitlines() if not line.startswith("%")), env)
    for name in NAMES:
        assert name not in env, f"the setup cell must not define {name}: the student writes it"
    for name in NAMES:
        missing = set(exercise(name).namespace()) - set(env) - set(NAMES)
        assert not missing, f"{name}'s namespace has {missing}, which the notebook does not define"


def test_notebook_kernel_and_no_outputs():
    nb = _notebook()
    assert nb.metadata["kernelspec"]["name"] == "backproplab"
    for code in nb.cells:
        if code.cell_type == "code":
            assert code.outputs == [] and code.execution_count is None
