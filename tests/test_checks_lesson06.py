"""Lesson 06's exercise catalogue (backproplab/checks/lesson06.py), its notebook and its claims.

The pattern every exercise follows is tested for every lesson in test_checks_catalogues.py,
test_receipts.py and test_diagnoses.py. Here: which exercises lesson 06 has and their points,
which mistakes only the hidden tests catch and that the cases are built to make it so, the
worked numbers the visible cases carry (the 2-2-2 example's printed gradients, Kang's example),
the behaviour judges (gradient_check: the planted bugs show exactly where they are; the
training loops: judged update by update), the notebook's setup and text, and the numbers the
text states without computing them in a cell (measured here over many starting points).
"""
from __future__ import annotations

import math
import re

import nbformat
import numpy as np
import pytest

from _checks_helpers import assert_fails_under_patched_numpy, cell, compiled, failure, solution_nb
from backproplab import gradcheck, layers, training
from backproplab.checks import exercise, exercises
from backproplab.checks import lesson06 as L6
from backproplab.datasets import logic_gate
from backproplab.network import MLP
from backproplab.stacked import train_stacked

SLUG = "06-backprop-for-an-mlp"
SOLUTION_NB = solution_nb(SLUG)
NAMES = ("two_layer_backward", "gradient_check", "train_online", "train_batch")
REFERENCES = {"two_layer_backward": layers.two_layer_backward,
              "gradient_check": gradcheck.gradient_errors,
              "train_online": training.train_online, "train_batch": training.train_batch}
POINTS = dict.fromkeys(NAMES, 2)

# What the visible cases let through on purpose, and why (each tested below):
HIDDEN_ONLY = {
    ("two_layer_backward", "sigmoid_slope_in_hidden_layer"),   # visible hidden layers are all sigmoid
    ("gradient_check", "two_layers_only"),                     # visible networks have two layers
    ("train_online", "four_examples"),                         # visible data sets have four examples
    ("train_batch", "penalty_not_in_the_gradient"),            # no visible penalty in train_batch
    ("train_batch", "penalty_not_in_the_loss"),
}
X_XOR, Y_XOR = logic_gate("xor")


def _mistake(name, key):
    return compiled(name, next(m.source for m in exercise(name).mistakes if m.key == key))


def _printed(value, text):
    decimals = len(text.split(".")[1])
    return abs(value - float(text)) <= 0.5 * 10.0 ** -decimals


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


def test_the_cases_are_built_for_the_hidden_only_mistakes():
    tl = exercise("two_layer_backward")
    assert {c.kwargs["hidden"] for c in tl.visible} == {"sigmoid"}
    assert {c.kwargs["hidden"] for c in tl.hidden} - {"sigmoid"}
    gc = exercise("gradient_check")
    assert {len(c.args[0].sizes) for c in gc.visible} == {3}
    assert any(len(c.args[0].sizes) > 3 for c in gc.hidden)
    on = exercise("train_online")
    assert {len(c.args[1]) for c in on.visible} == {4}
    assert any(len(c.args[1]) != 4 for c in on.hidden)
    ba = exercise("train_batch")
    assert {c.kwargs["l2"] for c in ba.visible} == {0.0}
    assert any(c.kwargs["l2"] > 0 for c in ba.hidden)
    # train_online's visible cases do have a penalty and more than one epoch
    assert any(c.kwargs["l2"] > 0 for c in on.visible) and all(c.args[4] >= 2 for c in on.visible)


def test_memorised_visible_answers_lose_the_hidden_points():
    ex = exercise("two_layer_backward")
    table = [(case.args, case.kwargs, ex.expected(case)) for case in ex.visible]

    def memorised(*args, **kwargs):
        for known, known_kw, answer in table:
            if all(np.array_equal(a, b) for a, b in zip(known, args)) and known_kw == kwargs:
                return answer
        return tuple(np.zeros(np.shape(a)) for a in (args[2], args[3], args[4], args[5]))
    ex.check(memorised)
    assert failure("two_layer_backward", memorised).startswith("hidden test")


WRONG = {
    "two_layer_backward": lambda X, y, W1, b1, W2, b2, l2=0.0, hidden="sigmoid", output="sigmoid": (
        np.zeros(np.shape(W1)), np.zeros(np.shape(b1)), np.zeros(np.shape(W2)), np.zeros(np.shape(b2))),
    "gradient_check": lambda net, X, y, l2=0.0: [0.0] * len(net.params),
    "train_online": lambda net, X, y, lr, epochs, rng, l2=0.0: [0.0] * epochs,
    "train_batch": lambda net, X, y, lr, epochs, l2=0.0: [0.0] * epochs,
}


@pytest.mark.parametrize("name", NAMES)
def test_patched_numpy_and_builtins_do_not_hide_a_wrong_answer(name):
    assert_fails_under_patched_numpy(name, WRONG[name])


# -- worked numbers ---------------------------------------------------------------------------------

def test_two_layer_backward_carries_the_printed_gradients_and_the_penalty():
    ex = exercise("two_layer_backward")
    plain, decayed = ex.expected(ex.visible[0]), ex.expected(ex.visible[1])
    assert _printed(plain[2][0, 0], "0.082167041") and _printed(plain[0][0, 0], "0.000438568")
    _, _, W1, b1, W2, b2 = ex.visible[1].args
    for p, d, param, is_weight in zip(plain, decayed, (W1, b1, W2, b2), (True, False, True, False)):
        np.testing.assert_allclose(d - p, 2 * 0.01 * param if is_weight else 0.0, rtol=1e-9, atol=1e-15)


def test_kangs_case_is_half_of_kangs_own_gradients():
    ex = exercise("two_layer_backward")
    case = next(c for c in ex.visible if c.note.startswith("Kang's example"))
    X, y, W1, b1, W2, b2 = case.args
    assert case.kwargs == {"l2": 0.1, "hidden": "sigmoid", "output": "linear"}
    assert not b1.any() and not b2.any() and X.tolist() == [[1.0, 0.0]]
    # Kang's lines with W = W1^T, v = W2; his J = (y_hat - y)^2 + lam Omega is twice the
    # course's 1/2 (y_hat - y)^2 + 0.1 Omega when lam = 0.2
    W, v, x, lam = W1.T, W2, X.T, 0.2
    h = 1.0 / (1.0 + np.exp(-(W @ x)))
    g = 2 * ((v.T @ h).item() - y.item())
    grad_v = g * h + 2 * lam * v
    grad_W = (g * v * h * (1 - h)) @ x.T + 2 * lam * W
    dW1, db1, dW2, db2 = ex.expected(case)
    np.testing.assert_allclose(dW1, grad_W.T / 2, rtol=1e-12)
    np.testing.assert_allclose(dW2, grad_v / 2, rtol=1e-12)


# -- gradient_check: the planted bugs ---------------------------------------------------------------

def _touched(spec):
    """The names of the arrays a planted bug makes wrong."""
    names = L6._param_names(spec.sizes)
    last = len(spec.sizes) - 1
    return {None: set(),
            "bias_sum": {n for n in names if n[0] == "b"},
            "bias_decay": {n for n in names if n[0] == "b"},
            "half_decay": {n for n in names if n[0] == "W"},
            "no_hidden_slope": {n for n in names if int(n[1:]) < last},
            "last_layer_doubled": {f"W{last}", f"b{last}"}}[spec.bug]


@pytest.mark.parametrize("k", range(11))
def test_the_reference_check_finds_each_bug_exactly_where_it_is(k):
    ex = exercise("gradient_check")
    case = [*ex.visible, *ex.hidden][k]
    errors = ex.expected(case)
    wrong = _touched(case.args[0])
    names = L6._param_names(case.args[0].sizes)
    assert len(errors) == len(names)
    for name, e in zip(names, errors):
        assert (e > 1e-2) if name in wrong else (e < 1e-7), (name, e)   # judged: below 1e-6
    if k < len(ex.visible) and wrong:
        assert f"{' and '.join(sorted(wrong))} must come out wrong" in case.note


def test_the_visible_bugs_are_the_three_of_the_summary():
    assert [c.args[0].bug for c in exercise("gradient_check").visible] == [None, None, "bias_sum", "half_decay",
                                                                           "no_hidden_slope"]


def test_a_check_that_leaves_the_weights_changed_is_told():
    right = compiled("gradient_check", exercise("gradient_check").alternatives[0])

    def careless(net, X, y, l2=0.0):
        errors = right(net, X, y, l2)
        net.params[0][0, 0] += 1e-3
        return errors
    assert "left the network's parameters changed" in failure("gradient_check", careless, "check")


def test_a_check_with_a_wrong_number_of_errors_is_told_the_order():
    message = failure("gradient_check", lambda net, X, y, l2=0.0: [0.0, 0.0], "check")
    assert "returned 2 numbers; expected 4, one relative error per array of net.params, in its order (W1, b1, W2, b2)" in message


# -- the training loops -----------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["train_online", "train_batch"])
def test_the_reference_makes_one_update_per_example_or_per_epoch(name):
    ex = exercise(name)
    for case in [*ex.visible, *ex.hidden]:
        X, epochs = case.args[1], case.args[4]
        seen_X, seen_p, final, losses = ex.expected(case)
        assert len(losses) == epochs
        if name == "train_batch":
            assert len(seen_X) == epochs and all(np.array_equal(x, X) for x in seen_X)
            continue
        n = len(X)
        rng = np.random.default_rng(case.args[5])
        assert len(seen_X) == n * epochs
        for e in range(epochs):
            order = rng.permutation(n)       # one permutation per epoch, one example per update
            for j, i in enumerate(order):
                assert np.array_equal(seen_X[e * n + j], X[i:i + 1])


def test_the_loops_return_the_loss_after_each_epoch():
    ex = exercise("train_batch")
    case = ex.visible[0]
    net = case.args[0].build()
    expected = ex.expected(case)
    for epoch in range(case.args[4]):
        net.forward(X_XOR)
        net.backward(Y_XOR)
        for p, g in zip(net.params, net.grads):
            p -= case.args[3] * g
        assert expected[3][epoch] == net.loss(X_XOR, Y_XOR)


def test_messages_say_which_update_went_wrong():
    message = failure("train_online", _mistake("train_online", "no_shuffle"), "check")
    assert re.search(r"update \d+ \(epoch 1, example \d of 4\) trained on the inputs \[\[.*\]\]; the reference, "
                     r"with the same rng, used", message)
    message = failure("train_batch", _mistake("train_batch", "online_updates"), "check")
    assert "made 12 updates (calls of net.backward); full-batch training makes one update per epoch: 3" in message
    message = failure("train_online", _mistake("train_online", "gradient_ascent"), "check")
    assert re.search(r"before update 2 \(epoch 1, example 2 of 4\) the parameters differ from the reference's "
                     r"\(same starting weights, same rng\): \w\d\[[\d, ]+\] is ", message)
    assert "rng=np.random.default_rng(6), l2=0" in message and "lr=0.7, epochs=2" in message


def test_a_loop_that_shuffles_the_callers_data_is_told():
    def shuffles_in_place(net, X, y, lr, epochs, rng, l2=0.0):
        losses = []
        for _ in range(epochs):
            order = rng.permutation(len(X))
            X[:], y[:] = X[order], y[order]
            for i in range(len(X)):
                net.forward(X[i:i + 1])
                net.backward(y[i:i + 1], l2=l2)
                for p, g in zip(net.params, net.grads):
                    p -= lr * g
            losses.append(net.loss(X, y, l2=l2))
        return losses
    assert "modified its argument X in place" in failure("train_online", shuffles_in_place, "check")


# -- the notebook -----------------------------------------------------------------------------------

def test_setup_cell_defines_the_catalogue_namespace_and_no_exercise_name():
    source = cell(SOLUTION_NB, "setup").source
    assert "import backproplab.checks" in source
    env: dict = {}
    exec("\n".join(line for line in source.splitlines() if not line.startswith("%")), env)
    for name in NAMES:
        assert name not in env
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
    for deck in ("Samatova", "Kang", "Kauchak"):
        assert deck in joined


def test_the_notebook_names_the_errata_and_the_penalty_convention():
    text = "\n".join(c.source for c in nbformat.read(SOLUTION_NB, as_version=4).cells if c.cell_type == "markdown")
    assert r"\operatorname{argmin}_{w,y}" in text and "not over $y$" in text      # Kauchak
    assert "**test** data" in text and "**training** data" in text                # Samatova
    assert '"Two Passes of Backpropagation"' in text and "gradient sign" in text   # Samatova
    assert r"2\lambda W" in text and r"\lambda W" in text and "MLP.backward(y, l2=λ)" in text


# -- the numbers the text states (measured here, not in the notebook) -------------------------------

def _nets(hidden, n_seeds):
    return [MLP([2, hidden, 1], seed=s) for s in range(n_seeds)]


def test_online_and_batch_epochs_over_100_starting_points():
    """Section 4: medians over 100 starts of the epochs to solve XOR (2-2-1)."""
    online = train_stacked(_nets(2, 100), X_XOR, Y_XOR, 0.7, 1500, batch_size=1, seed=0).solved_at()
    batch = train_stacked(_nets(2, 100), X_XOR, Y_XOR, 0.7, 5000).solved_at()
    batch4 = train_stacked(_nets(2, 100), X_XOR, Y_XOR, 2.8, 1250).solved_at()
    both = (online > 0) & (batch > 0)
    assert both.sum() >= 40
    assert 3.0 <= np.median(batch[both] / online[both]) <= 5.0
    assert 0.75 <= np.median(batch[both] / (4 * online[both])) <= 1.25      # about as many updates
    same = (batch > 0) & (batch4 > 0)
    assert 3.8 <= np.median(batch[same] / batch4[same]) <= 4.2


def _unsolved_after(hidden, first, more):
    """The notebook's runs: 200 starts, full batch lr 2.8; the unsolved ones get `more` epochs."""
    nets = _nets(hidden, 200)
    rest = np.flatnonzero(train_stacked(nets, X_XOR, Y_XOR, 2.8, first).solved_at() < 0)
    later = train_stacked([nets[k] for k in rest], X_XOR, Y_XOR, 2.8, more)
    return [nets[k] for k in rest], later


def _weight_norm(net):
    return math.sqrt(sum(float(np.sum(p * p)) for p in net.params))


def test_stuck_runs_stay_stuck_and_some_flat_starts_leave():
    """Section 5: of the 2-2-1 runs not solved after 4000 epochs, those near 1/16 and 1/12 are
    still not solved after 4000 more, with growing weights; some near 1/8 solve XOR."""
    rest, later = _unsolved_after(2, 1000, 3000)
    stuck = [net for net, at in zip(rest, later.solved_at()) if at < 0]
    final = later.loss[-1][later.solved_at() < 0]
    assert len(stuck) >= 10
    levels = np.array([1 / 16, 1 / 12, 1 / 8])
    near = np.abs(final[:, None] - levels).argmin(axis=1)
    assert (np.abs(final - levels[near]) < 0.004).all()
    valleys = [net for net, k in zip(stuck, near) if k < 2]
    flat = [net for net, k in zip(stuck, near) if k == 2]
    assert valleys and flat
    norms = [_weight_norm(net) for net in valleys]
    again = train_stacked(valleys, X_XOR, Y_XOR, 2.8, 4000)
    assert (again.solved_at() < 0).all()
    assert all(_weight_norm(net) > w for net, w in zip(valleys, norms))
    assert (train_stacked(flat, X_XOR, Y_XOR, 2.8, 4000).solved_at() >= 0).any()


def test_four_hidden_units_solve_xor_from_every_start_within_4000_epochs():
    """Section 5: the 4-unit runs not solved within 1000 epochs all solve within 3000 more."""
    rest, later = _unsolved_after(4, 1000, 3000)
    assert len(rest) > 0 and (later.solved_at() >= 0).all()


def test_wider_layers_solve_more_starts_and_sooner():
    shares, medians = [], []
    for hidden in (2, 4, 8):
        at = train_stacked(_nets(hidden, 200), X_XOR, Y_XOR, 2.8, 1000).solved_at()
        shares.append(np.mean(at >= 0))
        medians.append(np.median(at[at >= 0]))
    assert shares[0] < shares[1] <= shares[2]
    assert medians[0] > medians[1] >= medians[2]
