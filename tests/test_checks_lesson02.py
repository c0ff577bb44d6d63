"""Lesson 02's exercise catalogue (backproplab/checks/lesson02.py) and its notebook.

The pattern every exercise follows (alternatives pass, mistakes fail grade() and the visible
check() with their explanation, the reference and the stub are recognised, ...) is tested for
every lesson in test_checks_catalogues.py. Here: which exercises lesson 02 has (layer_forward,
forward, xavier_normal, quadratic, binary_cross_entropy), their references and points, one
crude wrong answer each under a patched numpy, and the lectures' worked numbers.
xavier_normal draws random numbers and is judged by behaviour and by the moments of its
distribution, so that judge gets tests of its own: it accepts correct samplers on any seed,
rejects a 5 % variance error, and leaves NumPy's global generator as it found it.
"""
from __future__ import annotations

import builtins
import math
import re

import nbformat
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from _checks_helpers import assert_fails_under_patched_numpy, cell, compiled, failure, solution_nb
from backproplab import init, layers, losses, network
from backproplab.checks import CheckFailure, exercise, exercises
from backproplab.checks.lesson02 import DrawCase

SLUG = "02-forward-pass-and-initialisation"
SOLUTION_NB = solution_nb(SLUG)

NAMES = ("layer_forward", "forward", "xavier_normal", "quadratic", "binary_cross_entropy")
REFERENCES = {"layer_forward": layers.layer_forward, "forward": layers.forward,
              "xavier_normal": init.xavier_normal, "quadratic": losses.quadratic,
              "binary_cross_entropy": losses.binary_cross_entropy}
POINTS = dict.fromkeys(NAMES, 2)

# No catalogued mistake is meant to slip through the visible check: each exercise's visible
# cases include what exposes it (a square and non-square W, k > 1 outputs, y_hat of exactly
# 0 and 1, a 150000-weight matrix). Hidden cases guard against answers tuned to the visible
# numbers instead (test_memorised_visible_answers_lose_the_hidden_points).
HIDDEN_ONLY: set = set()

SETTINGS = settings(deadline=None, max_examples=30, derandomize=True)


# -- which exercises, their references, points and hidden-only mistakes -------------------------

def test_lesson_has_these_exercises_and_references():
    assert {n: ex.reference for n, ex in exercises().items() if ex.lesson == SLUG} == REFERENCES


def test_solution_notebook_points():
    assert {name: cell(SOLUTION_NB, f"{name}-test").metadata["nbgrader"]["points"]
            for name in NAMES} == POINTS


def test_no_mistake_is_hidden_only():
    assert {(n, m.key) for n in NAMES for m in exercise(n).mistakes if m.hidden_only} == HIDDEN_ONLY


def test_forward_forbids_the_networks_own_forward_pass():
    assert network.MLP.forward in exercise("forward").forbidden


def test_brief_mistakes_are_catalogued():
    keys = {name: {m.key for m in exercise(name).mistakes} for name in NAMES}
    assert {"transposed_W", "no_bias", "no_activation", "bias_before_product",
            "activation_on_input"} <= keys["layer_forward"]
    assert {"skips_last_activation", "first_activation_everywhere", "drops_a_layer",
            "returns_all_layers"} <= keys["forward"]
    assert {"variance_as_std", "one_over_n_in", "uniform", "transposed",
            "global_generator"} <= keys["xavier_normal"]
    assert {"no_half", "sum_over_samples", "mean_over_elements", "square_root"} <= keys["quadratic"]
    assert {"no_minus", "one_term_only", "sum_over_samples", "log10"} <= keys["binary_cross_entropy"]


def _memoriser(name):
    """Answers the visible cases from a table (the reference's answers) and nothing else."""
    ex = exercise(name)
    table = [(case.args, ex.expected(case)) for case in ex.visible]

    def same_args(a, b):
        return len(a) == len(b) and all(
            np.array_equal(np.asarray(x, dtype=object), np.asarray(y, dtype=object))
            if not isinstance(x, (list, tuple)) else same_args(x, y) for x, y in zip(a, b))

    def memorised(*args):
        for known, answer in table:
            if same_args(known, args):
                return answer
        return np.zeros(1)
    return memorised


@pytest.mark.parametrize("name", [n for n in NAMES if n != "xavier_normal"])
def test_memorised_visible_answers_lose_the_hidden_points(name):
    fn = _memoriser(name)
    exercise(name).check(fn)   # the visible numbers alone are reproduced ...
    assert failure(name, fn).startswith("hidden test")   # ... which is not enough


def test_forward_through_an_mlp_is_refused():
    def via_mlp(X, weights, biases, activations):
        sizes = [weights[0].shape[0]] + [W.shape[1] for W in weights]
        net = network.MLP(sizes, activations=list(activations))
        net.weights, net.biases = weights, biases
        return net.forward(X)

    assert "calls backproplab.network.MLP.forward" in failure("forward", via_mlp, "check")


# -- a student's cell cannot change the verdict -----------------------------------------------

WRONG = {
    "layer_forward": lambda A, W, b, act: (A @ W, A @ W),
    "forward": lambda X, Ws, bs, acts: X @ Ws[0],
    "xavier_normal": lambda n_in, n_out, rng: rng.uniform(-1.0, 1.0, size=(n_in, n_out)),
    "quadratic": lambda y_hat, y: float(np.mean((y_hat - y) ** 2)),
    "binary_cross_entropy": lambda y_hat, y: float(np.mean(np.clip(y_hat, 1e-12, 1.0) * y)),
}


@pytest.mark.parametrize("name", NAMES)
def test_patched_numpy_and_builtins_do_not_hide_a_wrong_answer(name):
    assert_fails_under_patched_numpy(name, WRONG[name])


def test_patched_numpy_does_not_fail_a_right_xavier_answer():
    saved = (np.var, np.mean, np.sqrt, np.random.seed, np.random.default_rng, builtins.abs)
    right = compiled("xavier_normal", exercise("xavier_normal").alternatives[0])
    try:
        np.var = lambda *a, **k: 123.0
        np.mean = lambda *a, **k: 123.0
        np.random.seed = lambda *a, **k: None
        np.random.default_rng = lambda *a, **k: saved[4](0)
        builtins.abs = lambda x: 0
        exercise("xavier_normal").grade(right)
    finally:
        np.var, np.mean, np.sqrt, np.random.seed, np.random.default_rng, builtins.abs = saved


# -- xavier_normal: judged by behaviour and by its distribution ---------------------------------

def _xavier(scale=1.0, draw="normal"):
    def xavier_normal(n_in, n_out, rng):
        std = scale * math.sqrt(2.0 / (n_in + n_out))
        if draw == "normal":
            return rng.normal(0.0, std, size=(n_in, n_out))
        # another stream of the same distribution: columns first, then transposed
        return std * rng.standard_normal((n_out, n_in)).T.copy()
    return xavier_normal


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1), draw=st.sampled_from(["normal", "columns"]))
def test_xavier_judge_accepts_a_correct_sampler_on_any_seed(seed, draw):
    # 6 standard errors per statistic: a correct sampler fails with probability ~1e-8
    ex = exercise("xavier_normal")
    case = DrawCase((300, 500), seed=seed, stats=True)
    assert ex.run_case(_xavier(draw=draw), case) is None


@pytest.mark.parametrize("scale2", [0.95, 1.05])
def test_xavier_judge_detects_a_five_percent_variance_error(scale2):
    # the band is 6 * sqrt(2 / 150000) = 2.2 % of the variance wide
    ex = exercise("xavier_normal")
    message = ex.run_case(_xavier(scale=math.sqrt(scale2)), ex.visible[1])
    assert message is not None and "the variance of the 150000 weights" in message


def test_xavier_variance_message_states_the_rule_with_the_numbers():
    std_as_var = compiled("xavier_normal", next(
        m.source for m in exercise("xavier_normal").mistakes if m.key == "variance_as_std"))
    message = failure("xavier_normal", std_as_var, "check")
    # 2 / (300 + 500) = 0.0025 is the variance; its square root 0.05 the standard deviation
    assert "Var = 2/(n_in + n_out) = 2/800 = 0.0025 (standard deviation 0.05)" in message


def test_xavier_uniform_with_the_right_variance_fails_as_not_normal():
    # Glorot's uniform variant has mean 0 and the right variance: only the shape differs
    message = failure("xavier_normal", lambda n_in, n_out, rng: rng.uniform(
        -math.sqrt(6 / (n_in + n_out)), math.sqrt(6 / (n_in + n_out)), size=(n_in, n_out)), "check")
    assert "not normally distributed" in message


def test_xavier_heavy_tails_fail_as_not_normal():
    # Student-t with 5 degrees of freedom, rescaled to the right variance: more weight in the tails
    def t5(n_in, n_out, rng):
        return rng.standard_t(5, size=(n_in, n_out)) * math.sqrt(3 / 5) * math.sqrt(2 / (n_in + n_out))
    assert "not normally distributed" in failure("xavier_normal", t5, "check")


def test_xavier_check_leaves_the_global_generator_as_it_was():
    np.random.seed(2024)
    before = np.random.get_state()
    exercise("xavier_normal").grade(_xavier())
    with pytest.raises(CheckFailure):
        exercise("xavier_normal").grade(lambda n_in, n_out, rng: np.random.randn(n_in, n_out))
    after = np.random.get_state()
    assert before[0] == after[0] and np.array_equal(before[1], after[1]) and before[2:] == after[2:]


def test_xavier_does_not_care_how_rng_is_used_as_long_as_it_is_the_only_source():
    # drawing extra numbers first changes the values but not the behaviour
    def wasteful(n_in, n_out, rng):
        rng.random(17)
        return rng.normal(0.0, math.sqrt(2 / (n_in + n_out)), size=(n_in, n_out))
    exercise("xavier_normal").grade(wasteful)


@pytest.mark.parametrize("answer, words", [
    (lambda n_in, n_out, rng: rng.normal(size=(n_in, n_out)).tolist(), r"returned a list"),
    (lambda n_in, n_out, rng: rng.normal(size=(n_in, n_out)).astype(np.float32), r"dtype float32"),
    (lambda n_in, n_out, rng: rng.normal(size=n_in * n_out), r"returned shape \(6,\); expected \(3, 2\)"),
])
def test_xavier_malformed_answers_get_a_clear_message(answer, words):
    assert re.search(words, failure("xavier_normal", answer, "check"))


# -- the lectures' worked numbers -------------------------------------------------------------

MAZUR_X = np.array([[0.05, 0.10]])
MAZUR_W1 = np.array([[0.15, 0.25], [0.20, 0.30]])   # w1, w2 into h1 (column 0); w3, w4 into h2
MAZUR_B1 = np.array([0.35, 0.35])
MAZUR_W2 = np.array([[0.40, 0.50], [0.45, 0.55]])
MAZUR_B2 = np.array([0.60, 0.60])


def test_layer_forward_first_case_is_mazurs_hidden_layer():
    # Mazur prints net_h1 = 0.3775, out_h1 = 0.593269992, out_h2 = 0.596884378
    case = exercise("layer_forward").visible[0]
    A_prev, W, b, act = case.args
    assert np.array_equal(A_prev, MAZUR_X) and np.array_equal(W, MAZUR_W1) and act == "sigmoid"
    Z, A = case.expected
    assert Z[0, 0] == pytest.approx(0.05 * 0.15 + 0.10 * 0.20 + 0.35, abs=1e-15)
    assert Z[0, 0] == pytest.approx(0.3775, abs=5e-5)
    assert A[0] == pytest.approx([0.593269992, 0.596884378], abs=5e-10)
    # W is square here, so the transposed-W mistake gives numbers, not a shape error
    assert W.shape[0] == W.shape[1]
    shapes = [c.args[1].shape for c in exercise("layer_forward").visible]
    assert any(m != n for m, n in shapes)


def test_forward_first_case_is_mazurs_network_as_printed():
    case = exercise("forward").visible[0]
    X, weights, biases, acts = case.args
    assert np.array_equal(weights[0], MAZUR_W1) and np.array_equal(weights[1], MAZUR_W2)
    assert np.array_equal(biases[1], MAZUR_B2) and acts == ["sigmoid", "sigmoid"]
    assert np.array_equal(case.expected, [[0.75136507, 0.772928465]])
    # the printed numbers are within the case's tolerance of the algorithm's
    assert np.max(np.abs(layers.forward(*case.args) - case.expected)) <= case.atol


def test_forward_second_case_is_seed_000s_formula():
    # Y = sum_j phi(sum_i W^IH_ij X_i + b_j) W^HO_j, computed term by term
    X, (W_IH, W_HO), (b, b_out), acts = exercise("forward").visible[1].args
    assert acts == ["sigmoid", "linear"] and not b_out.any()
    Y = sum(1 / (1 + math.exp(-(sum(W_IH[i, j] * X[0, i] for i in range(3)) + b[j]))) * W_HO[j, 0]
            for j in range(3))
    assert exercise("forward").visible[1].expected[0, 0] == pytest.approx(Y, rel=1e-12)


def test_quadratic_first_case_is_mazurs_total_error():
    # E_total = 1/2 (0.01 - 0.75136507)^2 + 1/2 (0.99 - 0.772928465)^2, printed 0.298371109
    case = exercise("quadratic").visible[0]
    assert case.expected == 0.298371109
    by_hand = 0.5 * (0.01 - 0.75136507) ** 2 + 0.5 * (0.99 - 0.772928465) ** 2
    assert abs(by_hand - case.expected) <= case.atol
    assert abs(losses.quadratic(*case.args) - case.expected) <= case.atol


def test_quadratic_visible_cases_have_several_outputs_per_sample():
    assert any(c.args[0].ndim == 2 and c.args[0].shape[1] > 1 for c in exercise("quadratic").visible)
    assert any(c.args[0].ndim == 1 for c in exercise("quadratic").visible)


def test_cross_entropy_worked_example_and_the_seeds_missing_minus():
    # Samatova prints CE = 1/n sum (y ln y_hat + (1 - y) ln(1 - y_hat)), without the minus
    case = exercise("binary_cross_entropy").visible[0]
    y_hat, y = case.args
    right = -(math.log(0.9) + math.log(0.8) + math.log(0.3)) / 3
    assert case.expected == pytest.approx(right, rel=1e-12)
    as_printed = lambda y_hat, y: float(np.mean(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat)))  # noqa: E731
    message = failure("binary_cross_entropy", as_printed, "check")
    assert f"returned {-right:.6g}" in message
    # not the catalogue's "minus sign is missing" entry: unclipped, the slide's formula gives
    # NaN at y_hat = 0 where that entry (which clips) does not, so the entry is not named;
    # what holds on every value it returns is said instead
    assert "Likely mistake" not in message
    assert "the opposite sign: a minus sign is missing" in message
    def clipped(y_hat, y):   # the slide's formula, clipped and averaged over samples
        p = np.clip(y_hat, 1e-12, 1 - 1e-12)
        return float(np.sum(y * np.log(p) + (1 - y) * np.log(1 - p)) / len(y_hat))
    assert "Likely mistake: the minus sign is missing" in failure("binary_cross_entropy", clipped, "check")


def test_cross_entropy_cases_need_clipping_at_exactly_zero_and_one():
    ex = exercise("binary_cross_entropy")
    edges = [c for c in ex.visible if np.any((c.args[0] == 0.0) | (c.args[0] == 1.0))]
    assert edges, "a visible case must hold y_hat of exactly 0 or 1"
    # every expected answer is finite, and a confidently wrong prediction costs -ln(EPS)
    for case in (*ex.visible, *ex.hidden):
        assert np.isfinite(case.expected)
    wrong = next(c for c in ex.hidden if "confidently wrong" in c.note)
    # y_hat = 0 for y = 1 costs -ln EPS; y_hat = 1 for y = 0 costs -ln(1 - (1 - EPS)), where
    # 1 - EPS is rounded to float64 first (so that term is -ln 1.0000889e-12, not -ln 1e-12)
    p_high = 1.0 - losses.EPS
    per_sample = (-math.log(losses.EPS), -math.log(1.0 - p_high))
    assert wrong.expected == pytest.approx(sum(per_sample) / 2, rel=1e-12)
    assert min(per_sample) > 27.6


@pytest.mark.parametrize("name", ["layer_forward", "forward", "quadratic", "binary_cross_entropy"])
def test_hidden_cases_include_a_batch_of_one(name):
    assert any(np.asarray(c.args[0]).shape[0] == 1 for c in exercise(name).hidden)


# -- the notebook and the catalogue agree ----------------------------------------------------

def test_setup_cell_defines_the_catalogue_namespace_and_no_exercise_name():
    source = cell(SOLUTION_NB, "setup").source
    assert "import backproplab.checks" in source
    env: dict = {}
    exec("\n".join(line for line in source.splitlines() if not line.startswith("%")), env)
    for name in NAMES:
        assert name not in env, f"the setup cell must not define {name}: the student writes it"
    # every name the catalogue sources may use is defined by the setup cell, by an earlier
    # exercise or by the EPS line of the cross-entropy cell
    earlier = set(NAMES) | {"EPS"}
    for name in NAMES:
        missing = set(exercise(name).namespace()) - set(env) - earlier
        assert not missing, f"{name}'s namespace has {missing}, which the notebook does not define"


def test_notebook_kernel_and_no_outputs():
    nb = nbformat.read(SOLUTION_NB, as_version=4)
    assert nb.metadata["kernelspec"]["name"] == "backproplab"
    for code in nb.cells:
        if code.cell_type == "code":
            assert code.outputs == [] and code.execution_count is None


# -- what check() reports ----------------------------------------------------------------------

def test_modifying_an_argument_in_place_is_reported():
    def in_place(A_prev, W, b, activation):
        A_prev *= 1.0
        W += 0.0
        b -= b   # zeroes the caller's bias
        Z = A_prev @ W
        return Z, 1 / (1 + np.exp(-Z))
    assert "modified its argument" in failure("layer_forward", in_place, "check")


def test_returning_a_list_from_forward_gets_its_own_message():
    def all_layers(X, weights, biases, activations):
        out = [X]
        for W, b, act in zip(weights, biases, activations):
            out.append(layers.layer_forward(out[-1], W, b, act)[1])
        return out
    message = failure("forward", all_layers, "check")
    assert "returned a list of 3 items; forward returns y_hat alone" in message
