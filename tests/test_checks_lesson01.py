"""Lesson 01's exercise catalogue (backproplab/checks/lesson01.py) and its notebook.

The pattern every exercise follows (alternatives pass, mistakes fail with their explanation,
the reference and the stub are recognised, ...) is tested for every lesson in
test_checks_catalogues.py. Here: which exercises lesson 01 has, their references, points and
hidden-only mistakes, one crude wrong answer each under a patched numpy, and the lecture's
numbers. gate_weights and xnor_network are judged by behaviour on the truth table, so they get
extra tests of that judgement.
"""
from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from _checks_helpers import assert_fails_under_patched_numpy, cell, compiled, failure, solution_nb
from backproplab import activations, datasets, gates, layers
from backproplab.checks import Case, CheckFailure, exercise, exercises

SLUG = "01-neurons-and-logic-gates"

NAMES = ("sigmoid", "neuron", "gate_weights", "xnor_network")
REFERENCES = {"sigmoid": activations.sigmoid, "neuron": layers.neuron,
              "gate_weights": gates.gate_weights, "xnor_network": gates.xnor_network}
POINTS = {"sigmoid": 2, "neuron": 3, "gate_weights": 3, "xnor_network": 3}

# Mistakes that the visible check lets through on purpose: gate_weights' visible cases are
# AND and OR (CENG 506's slides), and these two get AND and OR right but NAND / NOR wrong.
# They are caught by the hidden tests only, so that a student who learns NAND / NOR from
# the visible check alone loses those points. The catalogue marks them hidden_only; this
# pins the set, so that marking another mistake cannot quietly weaken the visible check.
HIDDEN_ONLY = {("gate_weights", "sign_flipped"), ("gate_weights", "bias_not_negated")}

TRUTH = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
SETTINGS = settings(deadline=None, max_examples=50, derandomize=True)


# -- which exercises, their references, points and hidden-only mistakes -------------------------

def test_lesson_has_these_exercises_and_references():
    assert {n: ex.reference for n, ex in exercises().items() if ex.lesson == SLUG} == REFERENCES


def test_solution_notebook_points():
    nb = solution_nb(SLUG)
    assert {name: cell(nb, f"{name}-test").metadata["nbgrader"]["points"] for name in NAMES} == POINTS


def test_only_these_mistakes_are_hidden_only():
    assert {(n, m.key) for n in NAMES for m in exercise(n).mistakes if m.hidden_only} == HIDDEN_ONLY


# -- a student's cell cannot change the verdict -----------------------------------------------

WRONG = {
    "sigmoid": lambda z: np.tanh(np.asarray(z, dtype=float)),
    "neuron": lambda x, w, b, activation="sigmoid": np.asarray(x, dtype=float) @ np.asarray(w) + b,
    "gate_weights": lambda name: (np.array([20.0, 20.0]), -10.0),      # OR for every gate
    "xnor_network": lambda X: np.full((np.asarray(X).shape[0], 1), 0.5),
}


@pytest.mark.parametrize("name", NAMES)
def test_patched_numpy_and_builtins_do_not_hide_a_wrong_answer(name):
    assert_fails_under_patched_numpy(name, WRONG[name])


def test_patched_exp_does_not_fail_a_right_gate_answer():
    saved = np.exp
    try:
        np.exp = lambda z, *a, **k: np.full_like(np.asarray(z, dtype=float), 7.0)
        exercise("gate_weights").grade(
            lambda name: (np.array(gates.GATE_WEIGHTS[name][0]), gates.GATE_WEIGHTS[name][1]))
    finally:
        np.exp = saved


def test_patched_exp_does_not_turn_the_expected_sigmoid_into_a_step():
    # With np.exp = 0 the reference sigmoid, if called at check time, would return
    # 1/(1 + 0) = 1 for z >= 0 and 0/(1 + 0) = 0 below: a step. The expected values are
    # computed when the catalogue is imported, so a step handed in still fails.
    def step_as_sigmoid(z):
        return np.where(np.asarray(z, dtype=float) >= 0, 1.0, 0.0)[()]

    saved = np.exp
    try:
        np.exp = lambda z, *a, **k: np.zeros_like(np.asarray(z, dtype=float))
        assert "expected 0.5" in failure("sigmoid", step_as_sigmoid)
        fake_neuron = lambda x, w, b, activation="sigmoid": step_as_sigmoid(   # noqa: E731
            np.asarray(x, dtype=float) @ np.asarray(w, dtype=float) + b)
        with pytest.raises(CheckFailure):
            exercise("neuron").grade(fake_neuron)
    finally:
        np.exp = saved


# -- sigmoid and neuron: the lecture's numbers -----------------------------------------------

def test_sigmoid_visible_cases_include_seed_003s_gate_values():
    args = [case.args[0] for case in exercise("sigmoid").visible]
    assert 0.0 in args and 10.0 in args and -10.0 in args


def test_neuron_is_checked_on_seed_003s_worked_neuron():
    # CENG 506, "Another example": w0 = 2, x0 = -1, w1 = -3, x1 = -2, bias -3 -> f = 0.73
    # (printed to two decimals; the algorithm gives sigma(1) = 0.7311)
    case = next(c for c in exercise("neuron").visible if c.atol is not None)
    assert case.expected == 0.73
    got = layers.neuron(*case.args, **case.kwargs)
    assert abs(got - case.expected) <= case.atol
    ex = exercise("neuron")
    assert ex.run_case(lambda x, w, b, activation="sigmoid": 0.7311, case) is None
    message = ex.run_case(lambda x, w, b, activation="sigmoid": 0.72, case)
    assert "returned 0.72; expected 0.73" in message


def test_neuron_threshold_fires_at_zero():
    # Kauchak: g(in) = 1 if in >= T; a strict '>' is a catalogued mistake caught visibly
    message = failure("neuron", compiled("neuron", next(
        m.source for m in exercise("neuron").mistakes if m.key == "strict_threshold")), "check")
    assert "in >= T" in message


# -- gate_weights: judged by behaviour on the truth table ---------------------------------------

def _scaled(k):
    """CENG 506's gates with every weight and the bias multiplied by k (same lines z = 0)."""
    def gate_weights(name):
        w, b = gates.GATE_WEIGHTS[name]
        return k * np.array(w), k * b
    return gate_weights


def test_lectures_gates_pass():
    # CENG 506: AND = g(-30 + 20 x1 + 20 x2), OR = g(-10 + 20 x1 + 20 x2)
    lecture = {"and": (np.array([20.0, 20.0]), -30.0), "or": (np.array([20.0, 20.0]), -10.0),
               "nand": (np.array([-20.0, -20.0]), 30.0), "nor": (np.array([-20.0, -20.0]), 10.0)}
    exercise("gate_weights").grade(lambda name: lecture[name])


@SETTINGS
@given(k=st.floats(min_value=0.47, max_value=200.0))
def test_gate_weights_any_saturated_scale_passes(k):
    # |z| >= 10 k on every row; g(-10 k) <= 0.01 needs 10 k >= ln 99 = 4.595
    exercise("gate_weights").grade(_scaled(k))


@SETTINGS
@given(k=st.floats(min_value=0.01, max_value=0.45))
def test_gate_weights_unsaturated_scale_fails_with_the_saturation_hint(k):
    message = failure("gate_weights", _scaled(k), "check")
    assert "not saturated" in message
    assert "off by more than 0.01" in message


@SETTINGS
@given(w1=st.floats(-60, 60), w2=st.floats(-60, 60), b=st.floats(-90, 90))
def test_gate_weights_verdict_is_the_truth_table_within_001(w1, w2, b):
    # the judge's verdict on AND equals "sigmoid(X w + b) is within 0.01 of the table"
    X, y = datasets.logic_gate("and")
    out = activations.sigmoid(X @ np.array([w1, w2]) + b)
    right = bool(np.all(np.abs(out - y[:, 0]) <= 0.01))
    ex = exercise("gate_weights")
    verdict = ex.run_case(lambda name: (np.array([w1, w2]), b), ex.visible[0]) is None
    assert verdict == right


def test_gate_weights_accepts_ints_lists_and_numpy_scalars():
    table = {"and": ([20, 20], -30), "or": ((20, 20), np.float64(-10)),
             "nand": (np.array([-20, -20]), np.int64(30)), "nor": ([-20.0, -20.0], 10)}
    exercise("gate_weights").grade(lambda name: table[name])


@pytest.mark.parametrize("answer, words", [
    (np.array([20.0, 20.0, -30.0]), r"returned an array of shape \(3,\).*return a pair \(w, b\)"),
    (None, r"returned None \(did you forget `return`\?\); return a pair \(w, b\)"),
    ((np.array([20.0, 20.0]), np.array([-30.0])), r"b as an array of shape \(1,\); the bias of one "
                                                  r"neuron is a single number"),
    ((np.array([20.0, 20.0, 1.0]), -30.0), r"w with shape \(3,\); w must hold the two weights"),
    ((-30.0, np.array([20.0, 20.0])), r"the bias came first"),
    ((np.array([np.inf, 20.0]), -30.0), r"use finite numbers"),
    ((np.array([20.0, 20.0]), "-30"), r"b as something that is not a number"),
])
def test_gate_weights_malformed_answers_get_a_clear_message(answer, words):
    assert re.search(words, failure("gate_weights", lambda name: answer, "check"))


def test_gate_weights_names_the_gate_a_wrong_neuron_computes():
    # AND's weights handed in for OR: the message says it computes AND
    message = failure("gate_weights", lambda name: (np.array([20.0, 20.0]), -30.0), "check")
    assert "gate_weights('or')" in message
    assert "it computes AND, not OR" in message
    assert "Likely mistake" not in message   # no catalogue entry does this


def test_gate_weights_nor_target_is_not_or():
    # NOR is not in api.md's list for logic_gate: the checks derive it as 1 - OR
    ex = exercise("gate_weights")
    nor_case = next(c for c in ex.hidden if c.args == ("nor",))
    assert ex.run_case(lambda name: (np.array([-20.0, -20.0]), 10.0), nor_case) is None
    assert ex.run_case(lambda name: (np.array([20.0, 20.0]), -10.0), nor_case) is not None


# -- xnor_network: judged on the XNOR truth table ---------------------------------------------

def _network(k, W1=((20.0, -20.0), (20.0, -20.0)), b1=(-30.0, 10.0)):
    """CENG 506's XNOR network with every weight and bias scaled by k."""
    def xnor_network(X):
        A = activations.sigmoid(np.asarray(X, dtype=float) @ (k * np.array(W1)) + k * np.array(b1))
        return activations.sigmoid(A @ (k * np.array([[20.0], [20.0]])) - 10.0 * k)
    return xnor_network


def test_xnor_visible_case_is_seed_003s_table():
    # CENG 506's table: f_w(x) = 1, 0, 0, 1 for x1 x2 = 00, 01, 10, 11
    first = exercise("xnor_network").visible[0]
    assert np.array_equal(first.args[0], TRUTH)
    assert np.array_equal(first.expected, [[1.0], [0.0], [0.0], [1.0]])
    X, y = datasets.logic_gate("xnor")
    assert np.array_equal(first.expected, y) and np.array_equal(first.args[0], X)


def test_xnor_hidden_cases_include_batches_of_one():
    shapes = [c.args[0].shape for c in exercise("xnor_network").hidden]
    assert (1, 2) in shapes
    assert any(n > 4 for n, _ in shapes)


@SETTINGS
@given(k=st.floats(min_value=1.0, max_value=50.0))
def test_xnor_any_saturated_scale_passes(k):
    exercise("xnor_network").grade(_network(k))


def test_xnor_unsaturated_network_fails():
    message = failure("xnor_network", _network(0.15), "check")
    assert "xnor_network(" in message and "expected" in message


def test_xnor_flat_output_gets_a_kind_shape_message():
    flat = lambda X: _network(1.0)(X).ravel()   # noqa: E731 - right values, shape (n,)
    message = failure("xnor_network", flat, "check")
    assert "returned shape (4,); expected shape (4, 1)" in message
    assert "the values are right" in message


@SETTINGS
@given(rows=st.lists(st.tuples(st.integers(0, 1), st.integers(0, 1)), min_size=1, max_size=20))
def test_xnor_reference_matches_the_truth_on_any_binary_batch(rows):
    # the judge's targets (1 where x1 == x2) agree with the reference network within 0.01
    X = np.array(rows, dtype=float)
    target = (X[:, 0] == X[:, 1]).astype(float).reshape(-1, 1)
    assert np.max(np.abs(gates.xnor_network(X) - target)) <= 0.01
    ex = exercise("xnor_network")
    case = Case((X,), expected=target, atol=0.01)
    assert ex.run_case(_network(1.0), case) is None
    assert ex.run_case(lambda A: 1.0 - _network(1.0)(A), case) is not None
