"""Lesson 05's exercise catalogue (backproplab/checks/lesson05.py) and its notebook.

The pattern every exercise follows (alternatives pass, mistakes fail with their explanation,
hidden-only mistakes pass check() and fail grade(), the reference and the stub are recognised,
patched numpy does not help, the solution's code passes) is tested for every lesson in
test_checks_catalogues.py. Here: which exercises lesson 05 has and their points, which
mistakes only the hidden tests catch and that the visible and hidden cases are built to make
it so, the worked numbers the visible cases carry (the 2-2-2 example's printed gradients,
CENG 506's first round), the messages of the item-by-item judge and of numerical_gradient,
and the notebook's setup. The 2-2-2 example's later figures and CENG 506's whole table are
tested in test_mazur.py and test_lectures.py; layers.backward, the reference of backward_pass,
in test_layers_backward.py.
"""
from __future__ import annotations

import re

import nbformat
import numpy as np
import pytest

from _checks_helpers import assert_fails_under_patched_numpy, cell, compiled, failure, solution_nb
from backproplab import deltas, gradcheck, layers
from backproplab.activations import sigmoid
from backproplab.checks import exercise, exercises
from backproplab.checks import lesson05 as L5

SLUG = "05-node-deltas"
SOLUTION_NB = solution_nb(SLUG)

NAMES = ("output_delta", "hidden_delta", "weight_gradients", "backward_pass",
         "numerical_gradient", "relative_error")
REFERENCES = {"output_delta": deltas.output_delta, "hidden_delta": deltas.hidden_delta,
              "weight_gradients": deltas.weight_gradients, "backward_pass": layers.backward,
              "numerical_gradient": gradcheck.numerical_gradient,
              "relative_error": gradcheck.relative_error}
POINTS = dict.fromkeys(NAMES, 2)

# What the visible cases let through on purpose, and why (each tested below):
HIDDEN_ONLY = {
    ("output_delta", "relu_as_linear"),                 # no ReLU output among the visible cases
    ("hidden_delta", "relu_prime_one_at_zero"),         # no unit exactly at z = 0 there
    ("weight_gradients", "outer_of_means"),             # visible batches: one sample, or one sample twice
    ("backward_pass", "first_activation_for_every_hidden_layer"),   # visible hidden layers share one activation
    ("numerical_gradient", "ignores_h"),                # visible cases use the default h
    ("relative_error", "no_floor"),                     # no visible value below the 1e-8 floor
    ("relative_error", "floor_added"),
}


def _printed(value, text):
    """value agrees with a printed figure to every digit printed."""
    decimals = len(text.split(".")[1])
    return abs(value - float(text)) <= 0.5 * 10.0 ** -decimals


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
    assert len(ex.mistakes) >= 4 and any(m.hidden_only for m in ex.mistakes)
    assert len(ex.alternatives) >= 2


def _memoriser(name):
    """Answers the visible cases from a table (the reference's answers) and nothing else."""
    ex = exercise(name)
    table = [(case.args, case.kwargs, ex.expected(case)) for case in ex.visible]

    def same(a, b):
        if isinstance(a, (list, tuple)) or isinstance(b, (list, tuple)):
            return (isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)) and len(a) == len(b)
                    and all(same(x, y) for x, y in zip(a, b)))
        if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
            return np.array_equal(a, b)
        return a is b or a == b

    def memorised(*args, **kwargs):
        for known, known_kw, answer in table:
            if same(known, args) and known_kw.keys() == kwargs.keys() and all(
                    same(known_kw[k], kwargs[k]) for k in kwargs):
                return answer
        return np.zeros(1)
    return memorised


@pytest.mark.parametrize("name", NAMES)
def test_memorised_visible_answers_lose_the_hidden_points(name):
    fn = _memoriser(name)
    exercise(name).check(fn)   # the visible numbers alone are reproduced ...
    assert failure(name, fn).startswith("hidden test")   # ... which is not enough


WRONG = {
    "output_delta": lambda y_hat, y, z, loss="quadratic", activation="sigmoid": y_hat - y,
    "hidden_delta": lambda delta_next, W_next, z, activation="sigmoid": delta_next @ W_next.T,
    "weight_gradients": lambda a_prev, delta: (a_prev.T @ delta, delta.sum(axis=0)),
    "backward_pass": lambda X, y, weights, biases, activations, loss="quadratic": (
        [np.zeros(np.shape(W)) for W in weights], [np.zeros(np.shape(b)) for b in biases]),
    "numerical_gradient": lambda f, x, h=1e-5: np.zeros(np.shape(x)),
    "relative_error": lambda a, b: 0.0,
}


@pytest.mark.parametrize("name", NAMES)
def test_patched_numpy_and_builtins_do_not_hide_a_wrong_answer(name):
    assert_fails_under_patched_numpy(name, WRONG[name])


# -- the visible and hidden cases are built for the hidden-only mistakes -----------------------

def test_relu_outputs_only_in_the_hidden_output_delta_cases():
    ex = exercise("output_delta")
    assert all(c.kwargs["activation"] in ("sigmoid", "tanh", "linear", "softmax") for c in ex.visible)
    relu = [c for c in ex.hidden if c.kwargs["activation"] == "relu"]
    assert relu and np.any(relu[0].args[2] < 0)       # units that are off: phi' = 0 there
    # and each loss of the exercise is visible, with its matched output
    pairs = {(c.kwargs["loss"], c.kwargs["activation"]) for c in ex.visible}
    assert {("binary_cross_entropy", "sigmoid"), ("cross_entropy", "softmax")} <= pairs


def test_units_at_exactly_zero_only_in_the_hidden_hidden_delta_cases():
    ex = exercise("hidden_delta")
    assert not any(np.any(c.args[2] == 0.0) for c in ex.visible)
    at_zero = [c for c in ex.hidden if c.kwargs["activation"] in ("relu", "leaky_relu") and np.any(c.args[2] == 0.0)]
    assert {c.kwargs["activation"] for c in at_zero} == {"relu", "leaky_relu"}
    # relu'(0) = 0 and leaky_relu'(0) = 0.1: such units pass back nothing / a tenth
    case = at_zero[0]
    zero = case.args[2] == 0.0
    assert np.all(case.expected[zero] == 0.0)
    # the visible cases still need the transpose: one square W_next (values) and non-square ones
    shapes = [c.args[1].shape for c in ex.visible]
    assert any(m == k for m, k in shapes) and any(m != k for m, k in shapes)
    # the one-sample sum broadcasts into wrong numbers only when n == m
    assert any(c.args[0].shape[0] == c.args[2].shape[1] > 1 for c in ex.visible)


def test_visible_weight_gradient_batches_are_one_sample_or_copies_of_one():
    ex = exercise("weight_gradients")
    for case in ex.visible:
        a_prev, delta = case.args
        assert np.all(a_prev == a_prev[0]) and np.all(delta == delta[0])
    assert any(c.args[0].shape[0] > 1 for c in ex.visible)            # the mean is still tested
    assert any(c.args[0].shape[1] != c.args[1].shape[1] for c in ex.visible)   # and the transpose
    distinct = [c for c in ex.hidden if c.args[0].shape[0] > 1]
    assert distinct and all(not np.all(c.args[0] == c.args[0][0]) for c in distinct)


def test_visible_networks_share_one_hidden_activation_and_hidden_ones_do_not():
    ex = exercise("backward_pass")
    for case in ex.visible:
        hidden = case.args[4][:-1]
        assert len(set(hidden)) <= 1
    assert any(len(c.args[2]) == 3 for c in ex.visible)                 # a deeper net is visible
    assert any(len(set(c.args[4][:-1])) > 1 for c in ex.hidden)
    losses = {c.kwargs["loss"] for c in ex.visible}
    assert losses == {"quadratic", "binary_cross_entropy", "cross_entropy"}


def test_step_size_only_varies_in_the_hidden_numerical_gradient_cases():
    ex = exercise("numerical_gradient")
    assert all("h" not in c.kwargs for c in ex.visible)
    assert {c.kwargs.get("h") for c in ex.hidden} >= {1e-3, 1e-4}
    assert any(c.args[1].ndim == 2 for c in ex.visible) and any(c.args[1].ndim == 3 for c in ex.hidden)


def test_floor_only_matters_in_the_hidden_relative_error_cases():
    ex = exercise("relative_error")
    for case in ex.visible:
        # |a| + |b| >= 0.5: adding 1e-8 changes an answer by at most 2e-8 of itself, inside
        # the check's rtol of 1e-7, and the floor max(1e-8, .) never acts
        a, b = (np.asarray(v) for v in case.args)
        assert np.min(np.abs(a) + np.abs(b)) >= 0.5 and ex.rtol >= 5 * 2e-8
    first = ex.hidden[0]
    assert first.expected == pytest.approx(0.1, rel=1e-12)   # 1e-9 / max(1e-8, 1e-9)


# -- the lectures' worked numbers --------------------------------------------------------------

def test_output_delta_first_cases_are_mazurs_outputs_and_ceng_506s_neuron():
    mazur, ceng = exercise("output_delta").visible[:2]
    y_hat, y, z = mazur.args
    assert y_hat[0] == pytest.approx([0.75136507, 0.772928465], abs=5e-10)
    assert mazur.expected == pytest.approx((y_hat - y) * y_hat * (1 - y_hat), rel=1e-14)
    # delta_o1 times out_h1 is the page's dE/dw5
    assert _printed(mazur.expected[0, 0] * sigmoid(0.3775), "0.082167041")
    y_hat, y, z = ceng.args
    assert z[0, 0] == 1.0 and round(float(y_hat[0, 0]), 2) == 0.73 and y[0, 0] == 0.43
    assert ceng.expected[0, 0] == pytest.approx((sigmoid(1.0) - 0.43) * sigmoid(1.0) * (1 - sigmoid(1.0)))


def test_hidden_delta_goes_back_through_the_original_output_weights():
    case = exercise("hidden_delta").visible[0]
    delta_o, W2, z1 = case.args
    assert np.array_equal(W2, [[0.40, 0.50], [0.45, 0.55]])
    a1 = sigmoid(z1)
    by_hand = a1 * (1 - a1) * np.array([[delta_o[0, 0] * 0.40 + delta_o[0, 1] * 0.50,
                                         delta_o[0, 0] * 0.45 + delta_o[0, 1] * 0.55]])
    assert case.expected == pytest.approx(by_hand, rel=1e-13)
    # times i1 = 0.05: the page's dE/dw1
    assert _printed(case.expected[0, 0] * 0.05, "0.000438568")


def test_weight_gradients_carry_the_printed_gradients_and_ceng_506s_first_round():
    out, hid, ceng, twice = exercise("weight_gradients").visible
    assert _printed(out.expected[0][0, 0], "0.082167041")      # dE/dw5
    assert _printed(hid.expected[0][0, 0], "0.000438568")      # dE/dw1
    # a batch of two copies of one sample has that sample's gradient
    assert np.allclose(twice.expected[0], out.expected[0], rtol=1e-15)
    assert np.allclose(twice.expected[1], out.expected[1], rtol=1e-15)
    # CENG 506: w - dW (learning rate 1) is the printed first round (2.06, -2.88), bias -3.06
    dW, db = ceng.expected
    assert np.round(np.array([2.0, -3.0]) - dW[:, 0], 2).tolist() == [2.06, -2.88]
    assert round(float(-3.0 - db[0]), 2) == -3.06


def test_backward_pass_carries_the_printed_gradients():
    mazur, ceng = exercise("backward_pass").visible[:2]
    grads_W, grads_b = mazur.expected
    assert _printed(grads_W[1][0, 0], "0.082167041") and _printed(grads_W[0][0, 0], "0.000438568")
    # the page's w1+ and w5+ with eta = 0.5 (the rest of the round: test_mazur.py)
    assert _printed(0.15 - 0.5 * grads_W[0][0, 0], "0.149780716")
    assert _printed(0.40 - 0.5 * grads_W[1][0, 0], "0.35891648")
    (dW,), (db,) = ceng.expected
    assert np.round([2.0 - dW[0, 0], -3.0 - dW[1, 0], -3.0 - db[0]], 2).tolist() == [2.06, -2.88, -3.06]


def test_numerical_gradient_of_the_2_2_2_loss_is_the_printed_gradient():
    case = next(c for c in exercise("numerical_gradient").visible if "W^(2)" in c.note)
    assert _printed(case.expected[0, 0], "0.082167041")
    grads_W, _ = layers.backward(L5.MAZUR_X, L5.MAZUR_T, [L5.MAZUR_W1, L5.MAZUR_W2],
                                 [L5.MAZUR_B1, L5.MAZUR_B2], ["sigmoid", "sigmoid"])
    assert gradcheck.relative_error(case.expected, grads_W[1]) < 1e-7


def test_objectives_do_not_use_numpy_as_a_students_cell_left_it():
    case = exercise("numerical_gradient").visible[0]
    f, x = case.args
    before = f(x)
    saved = np.sin
    try:
        np.sin = lambda v, *a, **k: np.zeros_like(v)
        assert f(x) == before
    finally:
        np.sin = saved


# -- messages -----------------------------------------------------------------------------------

def test_numerical_gradient_that_does_not_restore_x_exactly_is_told_how():
    def drifting(f, x, h=1e-5):
        grad = np.zeros(x.shape)
        for i in np.ndindex(x.shape):
            x[i] += h
            up = f(x)
            x[i] -= 2 * h
            down = f(x)
            x[i] += h          # x[i] + h - 2h + h: not always x[i]
            grad[i] = (up - down) / (2 * h)
        return grad
    message = failure("numerical_gradient", drifting, "check")
    assert "left x changed" in message and "x[i] = old" in message


def test_numerical_gradient_may_perturb_x_in_place_when_it_restores_it():
    exercise("numerical_gradient").grade(compiled("numerical_gradient", cell(SOLUTION_NB, "numerical_gradient").source))


def test_weight_gradients_returning_one_array_is_told_to_return_the_pair():
    message = failure("weight_gradients", lambda a_prev, delta: a_prev.T @ delta / len(a_prev), "check")
    assert "expected 2 items, dW and db: end with `return dW, db`" in message


def test_weight_gradients_names_the_wrong_item():
    message = failure("weight_gradients", _mistake("weight_gradients", "db_summed"), "check")
    assert message.startswith("db (item 2 of what you returned) is wrong:")


def test_backward_pass_with_a_layer_missing_says_how_many_items():
    right = compiled("backward_pass", exercise("backward_pass").alternatives[1])

    def one_short(*args, **kwargs):
        grads_W, grads_b = right(*args, **kwargs)
        return grads_W[1:], grads_b[1:]
    message = failure("backward_pass", one_short, "check")
    assert re.search(r"grads_W \(item 1 of what you returned\) holds 1 items; expected 2, one per layer", message)


def test_backward_pass_message_shows_shapes_not_whole_networks():
    message = failure("backward_pass", _mistake("backward_pass", "reversed_lists"), "check")
    assert "backward_pass(array(1, 2), array(1, 2), [array(2, 2), array(2, 2)]" in message


# -- the notebook ---------------------------------------------------------------------------

def test_setup_cell_defines_the_catalogue_namespace_and_no_exercise_name():
    source = cell(SOLUTION_NB, "setup").source
    assert "import backproplab.checks" in source
    env: dict = {}
    exec("\n".join(line for line in source.splitlines() if not line.startswith("%")), env)
    for name in NAMES:
        assert name not in env, f"the setup cell must not define {name}: the student writes it"
    for name in NAMES:
        missing = set(exercise(name).namespace()) - set(env) - set(NAMES)
        assert not missing, f"{name}'s namespace has {missing}, which the notebook does not define"


def test_notebook_kernel_and_no_outputs():
    nb = nbformat.read(SOLUTION_NB, as_version=4)
    assert nb.metadata["kernelspec"]["name"] == "backproplab"
    for code in nb.cells:
        if code.cell_type == "code":
            assert code.outputs == [] and code.execution_count is None


def test_decks_are_cited_by_author_or_course_never_by_file_number():
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


def test_the_notebook_names_the_errata():
    text = "\n".join(c.source for c in nbformat.read(SOLUTION_NB, as_version=4).cells if c.cell_type == "markdown")
    assert "2.14" in text and "2.15" in text                         # CENG 506's round-3 w0
    assert "0.291027924" in text and "0.291027774" in text           # the page's round-1 error
    assert "0.0000351085" in text and "9,999" in text                # its final error
    assert "Chain Rule – Cont." in text                              # Samatova's missing phi


def test_a_doubled_layer_gradient_is_said_with_where_it_is():
    right = compiled("backward_pass", exercise("backward_pass").alternatives[1])

    def doubled(*args, **kwargs):
        grads_W, grads_b = right(*args, **kwargs)
        return [grads_W[0], 2 * grads_W[1], *grads_W[2:]], grads_b
    message = failure("backward_pass", doubled, "check")
    assert "in item 1 of the 2 returned (its item 2 of the 2): every value is 2 times" in message


def test_weight_gradients_with_its_arguments_swapped_is_told_so():
    right = compiled("weight_gradients", exercise("weight_gradients").alternatives[0])
    message = failure("weight_gradients", lambda a_prev, delta: right(delta, a_prev), "check")
    assert "two arguments are swapped" in message
