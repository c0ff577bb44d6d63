"""Lesson 09's exercise catalogue (backproplab/checks/lesson09.py) and its notebook.

The pattern every exercise follows is tested for every lesson in test_checks_catalogues.py.
Here: which exercises lesson 09 has and their points, which mistakes only the hidden tests
catch and that the cases are built to make it so, the behaviour judges of stratified_split and
fit (their messages, and correct answers written otherwise than the reference), and the
notebook: its setup, its pipeline cell (run with the references: the lesson's run reaches its
claimed accuracy), and every number its text states.
"""
from __future__ import annotations

import copy
import math
import re

import nbformat
import numpy as np
import pytest

from _checks_helpers import assert_fails_under_patched_numpy, cell, compiled, failure, solution_nb
from backproplab import early_stopping, metrics, preprocessing
from backproplab.checks import CheckFailure, exercise, exercises
from backproplab.checks import lesson09 as L9
from backproplab.datasets import load_digits

SLUG = "09-capstone-digits"
SOLUTION_NB = solution_nb(SLUG)

NAMES = ("stratified_split", "standardise", "fit", "accuracy", "confusion_matrix")
REFERENCES = {"stratified_split": preprocessing.stratified_split,
              "standardise": preprocessing.standardise, "fit": early_stopping.fit,
              "accuracy": metrics.accuracy, "confusion_matrix": metrics.confusion_matrix}
POINTS = {"stratified_split": 2, "standardise": 2, "fit": 4, "accuracy": 1, "confusion_matrix": 2}

# What the visible cases let through on purpose, and why (each tested below):
HIDDEN_ONLY = {
    ("stratified_split", "classes_by_range"),   # visible labels are exactly 0..K-1
    ("standardise", "one_pass_variance"),       # no visible feature with a mean far above its spread
    ("fit", "drops_last_batch"),                # visible batch sizes divide the training sets
    ("accuracy", "balanced_accuracy"),          # visible classes are balanced
    ("confusion_matrix", "k_from_data"),        # every visible case has its largest label k - 1
}


def _mistake(name, key):
    return compiled(name, next(m.source for m in exercise(name).mistakes if m.key == key))


def _solution(name):
    return compiled(name, cell(SOLUTION_NB, name).source)


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
    assert len(ex.alternatives) >= 1


def test_test_statistics_are_a_catalogued_mistake_of_standardise():
    # the issue names this one: the other set standardised with its own statistics
    mistake = next(m for m in exercise("standardise").mistakes if m.key == "other_statistics")
    assert not mistake.hidden_only and "ITS OWN mean" in mistake.explain
    assert "Likely mistake: " + mistake.explain in failure("standardise", compiled("standardise", mistake.source), "check")


def _memoriser(name):
    """Answers the visible cases with the reference's answers (computed here) and nothing else."""
    ex = exercise(name)
    table = []
    for case in ex.visible:
        args, kwargs = ex.arguments(case)
        table.append((case.args, case.kwargs, ex.reference(*args, **kwargs)))

    def same(a, b):
        if isinstance(a, (list, tuple)) or isinstance(b, (list, tuple)):
            return (isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)) and len(a) == len(b)
                    and all(same(x, y) for x, y in zip(a, b)))
        if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
            return isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and np.array_equal(a, b)
        return a is b or a == b

    def memorised(*args, **kwargs):
        for known, known_kw, answer in table:
            if same(known, args[:len(known)]) and known_kw.keys() == kwargs.keys() and all(
                    same(known_kw[k], kwargs[k]) for k in kwargs):
                return copy.deepcopy(answer)
        return np.zeros(1)
    return memorised


@pytest.mark.parametrize("name", ["standardise", "fit", "accuracy", "confusion_matrix"])
def test_memorised_visible_answers_lose_the_hidden_points(name):
    fn = _memoriser(name)
    exercise(name).check(fn)   # the visible answers alone are reproduced ...
    assert failure(name, fn).startswith("hidden test")   # ... which is not enough


WRONG = {
    "stratified_split": lambda y, test_fraction, rng: (np.arange(len(y)), np.arange(0)),
    "standardise": lambda X_train, X_other: (X_train - X_train.mean(0), X_other - X_other.mean(0)),
    "fit": lambda weights, biases, activations, X, Y, X_val, Y_val, rng, **kw: (
        [W.copy() for W in weights], [b.copy() for b in biases], {"train_loss": [1.0], "val_loss": [1.0]}),
    "accuracy": lambda y_true, y_pred: 1.0,
    "confusion_matrix": lambda y_true, y_pred, k: np.eye(k, dtype=int),
}


@pytest.mark.parametrize("name", NAMES)
def test_patched_numpy_and_builtins_do_not_hide_a_wrong_answer(name):
    assert_fails_under_patched_numpy(name, WRONG[name])


# -- the visible and hidden cases are built for the hidden-only mistakes -----------------------

def test_visible_split_labels_are_0_to_k_minus_1_and_a_hidden_case_has_others():
    ex = exercise("stratified_split")
    for case in ex.visible:
        labels = np.unique(case.args[0])
        assert np.array_equal(labels, np.arange(len(labels)))
    assert any(not np.array_equal(np.unique(c.args[0]), np.arange(len(np.unique(c.args[0]))))
               for c in ex.hidden)


def test_only_a_hidden_standardise_case_has_a_mean_far_above_its_spread():
    def ratio(case):
        X = case.args[0]
        sigma = X.std(axis=0)
        return float(np.max(np.abs(X.mean(axis=0))[sigma > 0] / sigma[sigma > 0]))
    ex = exercise("standardise")
    assert max(ratio(c) for c in ex.visible) < 100
    assert max(ratio(c) for c in ex.hidden) > 1e4


def test_visible_fit_batches_divide_the_training_set_and_a_hidden_one_does_not():
    ex = exercise("fit")
    assert all(len(c.args[3]) % c.kwargs["batch_size"] == 0 for c in ex.visible)
    assert any(len(c.args[3]) % c.kwargs["batch_size"] for c in ex.hidden)


def test_visible_accuracy_classes_are_balanced_and_a_hidden_case_is_not():
    ex = exercise("accuracy")
    assert all(len(set(np.bincount(c.args[0]).tolist())) == 1 for c in ex.visible)
    assert any(len(set(np.bincount(c.args[0]).tolist())) > 1 for c in ex.hidden)


def test_visible_confusion_cases_use_label_k_minus_1_and_a_hidden_one_does_not():
    ex = exercise("confusion_matrix")
    top = lambda c: max(c.args[0].max(), c.args[1].max())   # noqa: E731
    assert all(top(c) == c.args[2] - 1 for c in ex.visible)
    assert any(top(c) < c.args[2] - 1 for c in ex.hidden)


def test_the_visible_fit_cases_make_every_visible_mistake_show():
    # the learning rate changes within the visible runs (schedule mistakes, the other momentum),
    # and early stopping ends the first one with its best epoch before the last
    ex = exercise("fit")
    for case in ex.visible:
        rates = {case.kwargs["schedule"](e) for e in range(case.kwargs["epochs"])}
        assert len(rates) > 1
    epochs_run, _, val, _, _ = ex.expected(ex.visible[0])
    assert epochs_run < ex.visible[0].kwargs["epochs"]
    assert int(np.argmin(val)) == epochs_run - 1 - ex.visible[0].kwargs["patience"]


def test_a_visible_standardise_case_has_a_pixel_blank_in_training_but_inked_elsewhere():
    X_train, X_other = exercise("standardise").visible[1].args
    blank = X_train.std(axis=0) == 0
    assert (X_other[:, blank] > 0).any()


# -- the behaviour judge of stratified_split ---------------------------------------------------

def _split_with(body):
    return compiled("stratified_split", "def stratified_split(y, test_fraction, rng):\n" + body)


def test_a_split_drawing_its_own_way_from_rng_passes():
    # rng.choice, and an extra draw first: other splits than the reference's, all stratified
    fn = _split_with("    rng.random()\n"
                     "    test = np.concatenate([rng.choice(np.flatnonzero(y == c), round(test_fraction * np.sum(y == c)),\n"
                     "                                      replace=False) for c in np.unique(y)])\n"
                     "    return np.setdiff1d(np.arange(len(y)), test), test\n")
    assert exercise("stratified_split").grade(fn).startswith("stratified_split: passed")


@pytest.mark.parametrize("body, words", [
    ("    return list(range(len(y))), []\n", "expected a 1-D NumPy array of integer indices"),
    ("    i = rng.permutation(len(y))\n    return i[5:], i[:6]\n", "is in both parts"),
    ("    i = rng.permutation(len(y))\n    return i[10:], i[:5]\n", "in neither part"),
    ("    i = rng.permutation(len(y))\n    return i, np.array([len(y)])\n", "outside 0.."),
    ("    i = rng.permutation(len(y))\n    return i[3:], np.concatenate([i[:3], i[:1]])\n", "times; every sample"),
    ("    i = rng.permutation(len(y)).astype(float)\n    return i[3:], i[:3]\n", "integer indices"),
])
def test_split_messages_say_what_is_wrong(body, words):
    message = failure("stratified_split", _split_with(body), "check")
    assert words in message
    assert message.startswith("stratified_split(y, 0.25, np.random.default_rng(0))")


def test_a_split_that_ignores_rng_on_tiny_data_is_caught_and_a_random_one_is_not():
    # the 5-sample hidden case has few possible splits: several seeds are tried before a split is
    # called independent of the rng
    ex = exercise("stratified_split")
    tiny = next(c for c in ex.hidden if len(c.args[0]) == 5)
    ok = compiled("stratified_split", ex.alternatives[0])
    assert ex.failure(ok, tiny) is None
    fixed = _mistake("stratified_split", "not_shuffled")
    assert "all gave the same split" in ex.failure(fixed, tiny).message


def test_the_split_judge_leaves_numpys_global_state_as_it_was():
    np.random.seed(123)
    before = np.random.random(3)
    np.random.seed(123)
    exercise("stratified_split").check(compiled("stratified_split", exercise("stratified_split").alternatives[1]))
    assert np.array_equal(np.random.random(3), before)


# -- the judge of fit ----------------------------------------------------------------------------

def _fit_with(*edits):
    """The solution's fit with parts of its source replaced: each edit is (old, new)."""
    source = cell(SOLUTION_NB, "fit").source
    for old, new in edits:
        assert old in source
        source = source.replace(old, new)
    return compiled("fit", source)


def test_fit_updating_the_given_weights_in_place_is_told_so():
    fn = _fit_with(("weights = [W.copy() for W in weights]", "weights = list(weights)"),
                   ("weights[l] = weights[l] + step_W[l]", "weights[l] += step_W[l]"))
    message = failure("fit", fn, "check")
    assert "modified its argument #1 in place" in message


def test_fit_returning_two_things_is_told_to_return_three():
    fn = _fit_with(("return best[0], best[1], history", "return best[0], best[1]"))
    assert "expected three things: `return best_weights, best_biases, history`" in failure("fit", fn, "check")


def test_fit_returning_the_history_as_a_list_is_told_the_dict():
    fn = _fit_with(("return best[0], best[1], history", "return best[0], best[1], history['val_loss']"))
    assert "expected a dict {'train_loss': [...], 'val_loss': [...]}" in failure("fit", fn, "check")


def test_fit_returning_weights_of_other_shapes_is_told_the_shapes():
    fn = _fit_with(("return best[0], best[1], history", "return [W.T for W in best[0]], best[1], history"))
    message = failure("fit", fn, "check")
    assert "returned the weights as [(16, 64), (10, 16)]; expected a list of 2 arrays of shapes [(64, 16), (16, 10)]" in message


def test_fit_curve_message_names_the_epoch_and_both_values():
    fn = _mistake("fit", "schedule_ignored")
    message = failure("fit", fn, "check")
    assert re.search(r"after epoch 3 \(counted from 0\) your training loss is \S+; the reference, same "
                     r"data, same starting weights, same seed, has \S+\. The curves agree up to epoch 2\.", message)


def test_fit_returning_the_last_weights_is_told_which_epoch_was_best():
    message = failure("fit", _mistake("fit", "last_weights"), "check")
    assert re.search(r"the weights you returned have validation loss \S+, but the lowest in your "
                     r"history is \S+, after epoch \d+: return the weights of that epoch", message)


def test_fit_stopping_late_is_told_the_rule():
    message = failure("fit", _mistake("fit", "patience_plus_one"), "check")
    assert "your loop ran" in message and "early stopping ends training once 2 epochs in a row" in message


def test_fit_is_judged_to_a_relative_1e_6_as_the_notebook_says():
    assert exercise("fit").rtol == 1e-6
    assert r"(to a relative $10^{-6}$)" in " ".join(cell(SOLUTION_NB, "fit-task").source.split())


def test_fit_observation_is_computed_with_numpy_as_it_was_at_import():
    # the returned weights' validation loss and test accuracy do not use a patched numpy
    ex = exercise("fit")
    case = ex.visible[0]
    expected = ex.expected(case)
    args, kwargs = ex.arguments(case)
    result = early_stopping.fit(*args, **kwargs)
    saved = np.exp, np.argmax
    try:
        np.exp = lambda z, *a, **k: np.zeros_like(z)
        np.argmax = lambda *a, **k: 0
        again = ex.observe(result, args, kwargs)
    finally:
        np.exp, np.argmax = saved
    assert again[3:] == pytest.approx(expected[3:], rel=1e-12)


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


def _markdown():
    """The notebook's text, every run of white space (line breaks too) as one space."""
    text = " ".join(c.source for c in nbformat.read(SOLUTION_NB, as_version=4).cells if c.cell_type == "markdown")
    return " ".join(text.split())


def test_the_notebook_names_the_errata():
    text = _markdown()
    assert 'For each sample in **test** data' in text and "**training** data" in text
    assert r"$\varphi'(z) = 1$" in text and r"\mathrm{diag}(s) - s s^{\top}" in text
    assert "lacks its minus sign" in text


def _pipeline():
    """The notebook's pipeline cell run with the references in place of the student's functions."""
    env = {"stratified_split": preprocessing.stratified_split, "standardise": preprocessing.standardise,
           "fit": early_stopping.fit, "accuracy": metrics.accuracy}
    setup = cell(SOLUTION_NB, "setup").source
    exec("\n".join(line for line in setup.splitlines() if not line.startswith("%")), env)
    env["X_digits"], env["y_digits"] = load_digits(scale=False)
    exec(cell(SOLUTION_NB, "pipeline").source, env)
    return env


@pytest.fixture(scope="module")
def lesson_run():
    env = _pipeline()
    return env, env["digits_data"](), env["digits_run"]()


def test_the_lesson_run_reaches_95_percent_on_the_test_set(lesson_run):
    env, data, run = lesson_run
    assert metrics.accuracy(data["y_test"], run["y_pred"]) >= 0.95


def test_the_texts_numbers_are_the_data_and_the_run(lesson_run):
    env, data, run = lesson_run
    text = _markdown()
    X, y = env["X_digits"], env["y_digits"]
    assert "1,797 images" in text and len(y) == 1797
    assert "values 0 to 16" in text and X.min() == 0 and X.max() == 16
    assert "about 180 images per digit" in text and set(np.bincount(y)) <= set(range(170, 190))
    # the three parts: 60%, 15% and 25% of the images
    assert "| 60% |" in text and "| 15% |" in text and "| 25% |" in text
    assert len(data["train"]) / len(y) == pytest.approx(0.60, abs=0.005)
    assert len(data["val"]) / len(y) == pytest.approx(0.15, abs=0.005)
    assert len(data["test"]) / len(y) == pytest.approx(0.25, abs=0.005)
    # more parameters than training images; 450 test images, one of them 0.22 points, the
    # binomial standard error about 0.8 points at 97%
    assert "$64 \\cdot 32 + 32 + 32 \\cdot 10 + 10$ parameters, more than there are training" in text
    assert 64 * 32 + 32 + 32 * 10 + 10 > len(data["train"])
    assert "(450 images, so one image is 0.22 percentage points" in text and len(data["test"]) == 450
    assert round(100 / 450, 2) == 0.22
    assert "about 0.8 points at $p = 0.97$" in text and round(100 * math.sqrt(0.97 * 0.03 / 450), 1) == 0.8
    # the schedule written out: 0.05 for epochs 0-9, then 0.05 / (1 + 0.1 (e - 9))
    schedule = env["SETTINGS"]["schedule"]
    assert "$\\gamma = 0.05$ for epochs 0–9" in text
    assert [schedule(e) for e in range(10)] == [0.05] * 10
    assert all(schedule(e) == pytest.approx(0.05 / (1 + 0.1 * (e - 9))) for e in range(10, 40))
    assert "$\\alpha = 0.9$" in text and env["SETTINGS"]["momentum"] == 0.9
    assert "Here $B = 32$" in text and env["SETTINGS"]["batch_size"] == 32


def test_the_curves_read_as_the_text_says(lesson_run):
    # "the training loss keeps falling ... while the validation loss levels off and creeps up"
    env, data, run = lesson_run
    train, val = run["history"]["train_loss"], run["history"]["val_loss"]
    best = int(np.argmin(val))
    assert len(val) == best + 1 + env["SETTINGS"]["patience"]       # stopped by early stopping
    assert all(b < a for a, b in zip(train, train[1:]))                # the training loss falls throughout
    assert val[-1] > val[best] and val[1] < val[0] and train[1] < train[0]
    assert "levels off and creeps up" in _markdown()


def test_the_split_of_the_lesson_has_a_pixel_blank_in_training_but_inked_elsewhere(lesson_run):
    # section 3 says "the cell after the exercise finds such a pixel in this very split"
    env, data, run = lesson_run
    X = env["X_digits"]
    blank = X[data["train"]].std(axis=0) == 0
    others = np.concatenate([data["val"], data["test"]])
    assert (X[others][:, blank] > 0).any()
    assert "finds such a pixel in this very split" in _markdown()


def test_the_first_layer_gains_neighbour_correlation_as_the_text_says(lesson_run):
    env, data, run = lesson_run

    def neighbours(W):
        images = W.T.reshape(-1, 8, 8)
        return np.corrcoef(images[:, :, :-1].ravel(), images[:, :, 1:].ravel())[0, 1]
    start = env["initial_weights"]()[0][0]
    assert abs(neighbours(start)) < 0.1 < neighbours(run["weights"][0])
    assert np.abs(run["weights"][0]).max() > np.abs(start).max()


def test_the_package_route_of_section_8_is_the_same_run(lesson_run):
    # MLP + Momentum + train() + EarlyStopping from the same weights and seed: the same curves
    from backproplab.network import MLP
    from backproplab.optimizers import Momentum
    from backproplab.training import train
    env, d, run = lesson_run
    net = MLP(env["SIZES"], env["ACTIVATIONS"])
    net.weights, net.biases = env["initial_weights"]()
    stopper = early_stopping.EarlyStopping(net, d["X_val"], d["Y_val"], patience=env["SETTINGS"]["patience"],
                                           X_train=d["X_train"], y_train=d["Y_train"])
    schedule = env["SETTINGS"]["schedule"]
    # with one BLAS thread, as the notebook trains: BLAS with another number of threads sums in
    # another order, and the curves then agree to rounding only
    with env["threadpool_limits"](1, user_api="blas"):
        train(net, d["X_train"], d["Y_train"], Momentum(schedule(0), 0.9), loss="cross_entropy",
              epochs=40, batch_size=32, seed=np.random.default_rng(env["SEED"] + 200),
              schedule=schedule, callback=stopper)
    assert stopper.val_loss == run["history"]["val_loss"]
    assert stopper.train_loss == run["history"]["train_loss"]


def test_some_pixels_are_inked_in_most_images_and_others_almost_never():
    # section 3: "some pixels are inked in most images while others almost never are"
    X, _ = load_digits(scale=False)
    inked = (X > 0).mean(axis=0)
    assert inked.max() > 0.9 and 0 < inked[inked > 0].min() < 0.01
    assert "some pixels are inked in most images while others almost never are" in _markdown()


def test_some_mistakes_of_the_lesson_run_are_confident(lesson_run):
    # "others are confident mistakes"
    env, d, run = lesson_run
    wrong = np.flatnonzero(run["y_pred"] != d["y_test"])
    assert run["y_hat"][wrong, run["y_pred"][wrong]].max() > 0.9
    assert "others are confident mistakes" in _markdown()


def test_another_shuffle_seed_moves_the_accuracy_by_about_a_standard_error(lesson_run):
    # the summary: "another seed moves the accuracy by about as much as the test set's own
    # standard error"; the package's route with the notebook's two other seeds
    from backproplab.network import MLP
    from backproplab.optimizers import Momentum
    from backproplab.training import train
    env, d, run = lesson_run
    mine = metrics.accuracy(d["y_test"], run["y_pred"])
    se = math.sqrt(mine * (1 - mine) / len(d["y_test"]))
    moved = []
    for seed in (env["SEED"] + 201, env["SEED"] + 202):
        net = MLP(env["SIZES"], env["ACTIVATIONS"])
        net.weights, net.biases = env["initial_weights"]()
        stopper = early_stopping.EarlyStopping(net, d["X_val"], d["Y_val"], patience=5)
        schedule = env["SETTINGS"]["schedule"]
        with env["threadpool_limits"](1, user_api="blas"):
            train(net, d["X_train"], d["Y_train"], Momentum(schedule(0), 0.9), loss="cross_entropy",
                  epochs=40, batch_size=32, seed=np.random.default_rng(seed), schedule=schedule,
                  callback=stopper)
        stopper.restore()
        moved.append(abs(metrics.accuracy(d["y_test"], net.predict(d["X_test"])) - mine))
    assert 0 < max(moved) <= 3 * se
    assert "another seed moves the accuracy by about as much as the test set's own standard error" in _markdown()
