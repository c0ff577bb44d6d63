"""Lesson 08's exercise catalogue (backproplab/checks/lesson08.py) and its notebook.

The pattern every exercise follows (alternatives pass, mistakes fail with their explanation,
hidden-only mistakes pass check() and fail grade(), the reference and the stub are recognised,
patched numpy does not help, receipts replay, the nbgrader round trip) is tested for every
lesson elsewhere. Here: which exercises lesson 08 has, their references and points; that the
step exercises are graded on real runs of backproplab.optimizers (every case is a step of a
run, its state the one the run reached, the classes' runs included); why each hidden-only
mistake gets through the visible check and which hidden case catches it; the schedules'
judge (a schedule returned, its first wrong epoch, its calls watched); Samatova's numbers in
the visible cases; and the notebook's setup, text and errata.
"""
from __future__ import annotations

import re

import nbformat
import numpy as np
import pytest

from _checks_helpers import cell, compiled, failure, solution_nb
from backproplab import optimizers
from backproplab.checks import exercise, exercises
from backproplab.checks import lesson08 as L8

SLUG = "08-learning-rate-and-momentum"
SOLUTION_NB = solution_nb(SLUG)

NAMES = ("momentum_step", "nesterov_step", "adagrad_step", "constant", "step_decay",
         "fixed_then_decay")
REFERENCES = {"momentum_step": optimizers.momentum_step, "nesterov_step": optimizers.nesterov_step,
              "adagrad_step": optimizers.adagrad_step, "constant": optimizers.constant,
              "step_decay": optimizers.step_decay, "fixed_then_decay": optimizers.fixed_then_decay}
POINTS = {"momentum_step": 2, "nesterov_step": 2, "adagrad_step": 2, "constant": 1,
          "step_decay": 1, "fixed_then_decay": 2}
CLASSES = {"momentum_step": optimizers.Momentum, "nesterov_step": optimizers.Nesterov,
           "adagrad_step": optimizers.Adagrad}

# What the visible cases let through on purpose, and why (each tested below):
HIDDEN_ONLY = {
    ("momentum_step", "fixed_alpha"),          # every visible case has alpha = 0.9
    ("nesterov_step", "fixed_alpha"),
    ("adagrad_step", "no_eps"),                # no visible weight without a gradient yet
    ("adagrad_step", "eps_inside_sqrt"),       # visible gradients are of order 1
    ("constant", "capped_at_one"),             # visible rates are below 1
    ("step_decay", "fixed_interval"),          # every visible case drops every 10 epochs
    ("fixed_then_decay", "fixed_rate"),        # every visible case has rate 0.1
}


def _mistake(name, key):
    return compiled(name, next(m.source for m in exercise(name).mistakes if m.key == key))


# -- which exercises, their references, points and hidden-only mistakes -------------------------

def test_lesson_has_these_exercises_and_references():
    assert {n: ex.reference for n, ex in exercises().items() if ex.lesson == SLUG} == REFERENCES


def test_solution_notebook_points_and_order():
    nb = nbformat.read(SOLUTION_NB, as_version=4)
    tests = [c.metadata["nbgrader"]["grade_id"] for c in nb.cells
             if c.metadata.get("nbgrader", {}).get("grade")]
    assert tests == [f"{n}-test" for n in NAMES]
    assert {n: cell(SOLUTION_NB, f"{n}-test").metadata["nbgrader"]["points"] for n in NAMES} == POINTS


def test_hidden_only_mistakes_are_these():
    assert {(n, m.key) for n in NAMES for m in exercise(n).mistakes if m.hidden_only} == HIDDEN_ONLY


@pytest.mark.parametrize("name", NAMES)
def test_every_exercise_has_the_issues_minimum(name):
    ex = exercise(name)
    assert len(ex.mistakes) >= 4 and any(m.hidden_only for m in ex.mistakes) and ex.alternatives


# -- the step exercises are graded on runs of the reference ---------------------------------------

SAMATOVA_CASES = (L8._SAMATOVA_HALF, L8._SAMATOVA_MOMENTUM)   # two steps by hand, not a run


def _runs(cases):
    """Split cases into runs: a case whose state is all zeros starts a new run."""
    runs = []
    for case in cases:
        if not np.any(case.args[2]) or not runs:
            runs.append([])
        runs[-1].append(case)
    return runs


@pytest.mark.parametrize("name", ["momentum_step", "nesterov_step", "adagrad_step"])
def test_each_case_is_a_step_of_a_run_from_the_state_it_reached(name):
    ex = exercise(name)
    runs = _runs([c for c in (*ex.visible, *ex.hidden) if not any(c is s for s in SAMATOVA_CASES)])
    assert len(runs) >= 2 + 4
    for run in runs:
        for case, after in zip(run, run[1:]):
            w_new, state = ex.expected(case)
            np.testing.assert_array_equal(after.args[0], w_new)      # the next step starts there
            np.testing.assert_array_equal(after.args[2], state)      # with the state returned
            assert after.args[3:] == case.args[3:]                   # same lr and alpha / eps


@pytest.mark.parametrize("name", ["momentum_step", "nesterov_step", "adagrad_step"])
def test_the_runs_are_those_of_the_optimizer_classes(name):
    # the class, stepping on the same gradients, goes through the same weights bit for bit
    ex = exercise(name)
    for run in _runs([c for c in (*ex.visible, *ex.hidden) if not any(c is s for s in SAMATOVA_CASES)]):
        lr, param = run[0].args[3:]
        opt = (CLASSES[name](lr, eps=param) if name == "adagrad_step"
               else CLASSES[name](lr, momentum=param))
        w = run[0].args[0].copy()
        for case in run:
            np.testing.assert_array_equal(w, case.args[0])
            opt.step([w], [case.args[1].copy()])
        np.testing.assert_array_equal(w, ex.expected(run[-1])[0])


def test_samatovas_numbers_open_the_momentum_check():
    first, second = exercise("momentum_step").visible[:2]
    assert first.args[3:] == (0.5, 0.9) and "50%" in first.note
    np.testing.assert_array_equal(first.expected[1], -0.5 * first.args[1])   # half the gradient
    np.testing.assert_array_equal(second.args[2], first.expected[1])
    np.testing.assert_array_equal(second.expected[1], [-2.0 - 1.8, -1.0 - 0.9])


def test_visible_runs_use_samatovas_gamma_and_alpha():
    for name in ("momentum_step", "nesterov_step"):
        assert {c.args[4] for c in exercise(name).visible} == {0.9}
        assert any(c.args[3] == 0.1 for c in exercise(name).visible)
        assert {c.args[4] for c in exercise(name).hidden} >= {0.0, 0.5, 0.7}


def test_hidden_runs_include_one_that_blows_up():
    for name in ("momentum_step", "nesterov_step"):
        last = [c for c in exercise(name).hidden if "blows up" in c.note]
        assert len(last) == 8
        w_end = exercise(name).expected(last[-1])[0]
        assert np.abs(w_end).max() > 10 * np.abs(last[0].args[0]).max()


# -- why each hidden-only mistake gets through, and what catches it ------------------------------

@pytest.mark.parametrize("name, key, hidden_note", [
    ("momentum_step", "fixed_alpha", "alpha=0.5"),
    ("nesterov_step", "fixed_alpha", "alpha=0.5"),
    ("adagrad_step", "no_eps", "w2 is at its minimum"),
    ("adagrad_step", "eps_inside_sqrt", "gradients of about 1e-11"),
    ("constant", "capped_at_one", "gamma > 1"),
    ("step_decay", "fixed_interval", "every 3 epochs"),
    ("fixed_then_decay", "fixed_rate", "rate 0.5"),
])
def test_a_hidden_only_mistake_is_caught_by_its_hidden_case(name, key, hidden_note):
    ex, fn = exercise(name), _mistake(name, key)
    assert ex.check(fn).startswith(f"{name}: passed")
    assert failure(name, fn).startswith("hidden test")
    # the hidden case built for it catches it (another hidden case may catch it first)
    cases = [c for c in ex.hidden if hidden_note in c.note]
    assert cases
    with np.errstate(all="ignore"):
        assert any(ex.judge(ex.observe(fn(*c.args), c.args, {}), ex.expected(c), c) is not None
                   for c in cases)


def test_no_visible_adagrad_weight_lacks_a_gradient_and_visible_gradients_are_large():
    for case in exercise("adagrad_step").visible:
        G = case.args[2] + case.args[1] ** 2
        assert G.min() > 0.01
    zero = [c for c in exercise("adagrad_step").hidden if "at its minimum" in c.note]
    assert zero and all(c.args[1][1] == 0.0 for c in zero)


def test_adagrad_without_eps_returns_nan_where_the_slide_divides_0_by_0():
    ex = exercise("adagrad_step")
    case = next(c for c in ex.hidden if "at its minimum" in c.note)
    with np.errstate(all="ignore"):
        w_new, _ = _mistake("adagrad_step", "no_eps")(*case.args)
    assert np.isnan(w_new[1]) and np.isfinite(ex.expected(case)[0]).all()


# -- the schedules ----------------------------------------------------------------------------------

def test_a_number_is_told_it_is_not_a_schedule():
    message = failure("constant", lambda lr: lr, "check")
    assert message.startswith("constant(0.1) returned 0.1, not a schedule. Return a function of "
                              "the epoch")
    assert "Likely mistake: this returns the learning rate itself" in message


def test_the_first_wrong_epoch_is_named():
    def step_decay(lr0, drop=0.5, every=10):
        return lambda epoch: lr0 * drop ** (epoch / every)
    message = failure("step_decay", step_decay, "check")
    assert message.startswith("step_decay(0.1, 0.5, 10) gives the wrong learning rate at epoch 1: "
                              "expected 0.1, got 0.0933033")
    assert "Likely mistake: epoch / every is a fraction" in message


def test_a_schedule_that_hands_in_the_reference_is_caught_inside_the_returned_function():
    reference = optimizers.step_decay

    def step_decay(lr0, drop=0.5, every=10):
        return lambda epoch: reference(lr0, drop, every)(epoch)
    assert re.search(r"calls backproplab\.optimizers\.step_decay, the reference answer",
                     failure("step_decay", step_decay, "check"))


def test_a_schedule_that_raises_is_reported_with_its_call():
    def fixed_then_decay(lr0, hold=10, rate=0.1):
        def schedule(epoch):
            if epoch >= hold:
                raise ZeroDivisionError("oops")
            return lr0
        return schedule
    message = failure("fixed_then_decay", fixed_then_decay, "check")
    assert message.startswith("fixed_then_decay(0.1, 10, 0.1) raised ZeroDivisionError: oops")


def test_a_schedule_returning_none_says_so():
    message = failure("constant", lambda lr: (lambda epoch: None), "check")
    assert "raised TypeError: the schedule it returned gave None at epoch 0; a learning rate is one number" in message


def test_the_schedules_are_asked_epochs_0_to_49_in_order():
    asked = []

    def constant(lr):
        def schedule(epoch):
            asked.append(epoch)
            return lr
        return schedule
    exercise("constant").check(constant)
    assert asked == list(range(L8.EPOCHS)) * 2


# -- the notebook -----------------------------------------------------------------------------------

def test_setup_cell_defines_the_catalogue_namespace_and_no_exercise_name():
    source = cell(SOLUTION_NB, "setup").source
    assert "import backproplab.checks" in source
    env: dict = {}
    exec("\n".join(line for line in source.splitlines() if not line.startswith("%")), env)
    for name in NAMES:
        assert name not in env, f"the setup cell must not define {name}: the student writes it"
        missing = set(exercise(name).namespace()) - set(env)
        assert not missing, f"{name}'s namespace has {missing}, which the notebook does not define"


def test_notebook_kernel_and_no_outputs():
    nb = nbformat.read(SOLUTION_NB, as_version=4)
    assert nb.metadata["kernelspec"]["name"] == "backproplab"
    for code in nb.cells:
        if code.cell_type == "code":
            assert code.outputs == [] and code.execution_count is None


def test_decks_are_cited_by_author_or_course():
    nb = nbformat.read(SOLUTION_NB, as_version=4)
    texts = [c.source for c in nb.cells]
    for name in NAMES:
        ex = exercise(name)
        texts += [ex.summary, ex.hidden_summary] + [c.note for c in (*ex.visible, *ex.hidden)]
        texts += [m.explain for m in ex.mistakes]
    for text in texts:
        assert not re.search(r"\bseeds? ?0\d\d\b", text, re.I), text[:200]
    joined = "\n".join(texts)
    for deck in ("Samatova", "CENG 506", "Kang", "Kauchak"):
        assert deck in joined


def test_the_notebook_teaches_every_slide_of_samatovas_tuning_part():
    text = "\n".join(c.source for c in nbformat.read(SOLUTION_NB, as_version=4).cells
                     if c.cell_type == "markdown")
    for slide in ("Evolution of the Cost / Error", "Backpropagation Weight Update",
                  "Choosing Learning Rate & Momentum", "Comparison of Learning Rates",
                  "Learning Rate Strategies", "Adaptive Subgradient (Adagrad)",
                  "Problem w/ Mini-Batching & Nesterov Momentum"):
        assert slide in text, slide
    # her numbers and claims, each with what the lesson measured
    for quote in ("\\gamma \\sim 0.1", "\\alpha \\sim 0.9", "will decrease every gradient by 50 %",
                  "accelerated learning", "break through a local minimum",
                  "events with high frequency will get small learning rate"):
        assert quote in text, quote


def test_the_notebook_names_the_errata_and_notes():
    text = "\n".join(c.source for c in nbformat.read(SOLUTION_NB, as_version=4).cells
                     if c.cell_type == "markdown")
    assert 'Erratum (Samatova, "Adaptive Subgradient (Adagrad)")' in text and "0/0" in text
    assert 'Note (Samatova, "Problem w/ Mini-Batching & Nesterov Momentum")' in text
    assert 'Note (Samatova, "Learning Rate Strategies")' in text and "Still very universal" in text
    assert "1 is not special" in text


def test_the_explorer_cells_carry_no_points_and_come_last():
    nb = nbformat.read(SOLUTION_NB, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    shown = [i for i, c in enumerate(code) if "display(" in c.source]
    assert len(shown) == 2 and shown == [len(code) - 2, len(code) - 1]
    for c in code[-2:]:
        assert not c.metadata.get("nbgrader", {}).get("grade")
        assert "explorer" in c.source


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_xor_gradient_the_cases_are_built_on_is_the_networks_own(seed):
    from backproplab.datasets import logic_gate
    from backproplab.network import MLP
    net = MLP([2, 2, 1], activations="sigmoid", seed=8)
    W1 = L8._XOR_W1 + np.random.default_rng(seed).normal(scale=0.5, size=L8._XOR_W1.shape) * (seed > 0)
    net.weights[0] = W1
    X, y = logic_gate("xor")
    net.forward(X)
    grads_W, _ = net.backward(y, loss="quadratic")
    np.testing.assert_allclose(L8._xor_grad(W1.copy()), grads_W[0], rtol=1e-12, atol=1e-15)
    assert np.abs(grads_W[0]).max() > 1e-6        # not a trivially zero gradient
