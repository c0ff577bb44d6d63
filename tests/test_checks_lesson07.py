"""Lesson 07's exercise catalogue (backproplab/checks/lesson07.py) and its notebook.

The pattern every exercise follows (alternatives pass, mistakes fail with their explanation,
hidden-only mistakes pass check() and fail grade(), the reference and the stub are recognised,
patched numpy does not help, the solution's code passes, receipts replay) is tested for every
lesson in test_checks_catalogues.py and test_receipts.py. Here: which exercises lesson 07 has
and their points; that the visible and hidden cases are built for the hidden-only mistakes;
the worked numbers the visible cases carry; exact reproduction (what the generator must be
used for, and the messages when it is not); the relations said about sgd_step's step (its
exercise builds its arguments afresh, so test_diagnoses.py cannot measure it); the notebook's
setup, citations and errata; and every claim its text makes about its experiments, by running
the notebook's own cells with the reference functions in place of the student's.
"""
from __future__ import annotations

import math
import re

import matplotlib
import nbformat
import numpy as np
import pytest

from _checks_helpers import assert_fails_under_patched_numpy, cell, compiled, failure, solution_nb
from backproplab import annealing, optimizers, sampling, training
from backproplab.checks import CheckFailure, exercise, exercises
from backproplab.checks import lesson07 as L7

SLUG = "07-gradient-descent"
SOLUTION_NB = solution_nb(SLUG)

NAMES = ("sgd_step", "minibatches", "priority_sample", "acceptance_probability", "anneal")
REFERENCES = {"sgd_step": optimizers.sgd_step, "minibatches": training.minibatches,
              "priority_sample": sampling.priority_sample,
              "acceptance_probability": annealing.acceptance_probability, "anneal": annealing.anneal}
POINTS = {"sgd_step": 2, "minibatches": 2, "priority_sample": 2, "acceptance_probability": 2, "anneal": 3}

# What the visible cases let through on purpose, and why (each tested below):
HIDDEN_ONLY = {
    ("sgd_step", "update_through_reshape"),          # no view among the visible params
    ("minibatches", "drops_last"),                   # visible batch sizes divide n
    ("minibatches", "array_split"),
    ("priority_sample", "alpha_ignored"),            # visible cases use alpha = 1
    ("priority_sample", "eps_after_power"),
    ("acceptance_probability", "frozen_nan"),        # no visible T = 0
    ("anneal", "one_normal_for_all"),                # visible energies are 1-D
}


def _mistake(name, key):
    return compiled(name, next(m.source for m in exercise(name).mistakes if m.key == key))


def _alternative(name, i=0):
    return compiled(name, exercise(name).alternatives[i])


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


# -- answers that only reproduce the visible cases lose the hidden points ----------------------

def _memoriser(name):
    """Answers the visible cases from a table of the reference's answers, and nothing else.
    (The calls get fresh generators and copies, so cases are recognised by their numbers.)"""
    ex = exercise(name)
    table = []
    for case in ex.visible:
        args, kwargs = ex.arguments(case)
        answer = ex.reference(*args, **kwargs)
        table.append((case, list(answer) if name == "minibatches" else answer))

    def key(name, args):
        if name == "sgd_step":
            return [np.asarray(p) for p in args[0]], args[2]
        if name in ("minibatches", "priority_sample"):
            return args[0], args[1]
        if name == "anneal":
            return args[1], args[2:6]
        return args

    def same(a, b):
        if isinstance(a, (list, tuple)) or isinstance(b, (list, tuple)):
            return (isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)) and len(a) == len(b)
                    and all(same(x, y) for x, y in zip(a, b)))
        if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
            return np.shape(a) == np.shape(b) and np.array_equal(a, b)
        return a == b

    def memorised(*args, **kwargs):
        for case, answer in table:
            if same(key(name, case.args), key(name, args)) and case.kwargs == kwargs:
                if name == "sgd_step":
                    for w, new in zip(args[0], ex.expected(case)):
                        w[...] = new
                    return None
                if name == "minibatches":
                    args[3].permutation(len(args[0]))      # the generator used as the task says
                    return [(a.copy(), b.copy()) for a, b in answer]
                return answer
        if name == "sgd_step":
            return None
        return np.zeros(1)
    return memorised


@pytest.mark.parametrize("name", NAMES)
def test_memorised_visible_answers_lose_the_hidden_points(name):
    fn = _memoriser(name)
    exercise(name).check(fn)   # the visible numbers alone are reproduced ...
    assert failure(name, fn).startswith("hidden test")   # ... which is not enough


def _wrong_step(params, grads, lr):
    for w, g in zip(params, grads):
        w -= 2 * lr * g


WRONG = {
    "sgd_step": _wrong_step,
    "minibatches": lambda X, y, batch_size, rng: [(X, y)],
    "priority_sample": lambda errors, batch_size, rng, alpha=1.0, eps=0.01: np.zeros(batch_size, dtype=int),
    "acceptance_probability": lambda dE, T: np.ones(np.shape(dE)),
    "anneal": lambda f, x0, T0, cooling, steps, step_size, rng: np.repeat(np.atleast_2d(x0), steps + 1, axis=0),
}


@pytest.mark.parametrize("name", NAMES)
def test_patched_numpy_and_builtins_do_not_hide_a_wrong_answer(name):
    assert_fails_under_patched_numpy(name, WRONG[name])


# -- the visible and hidden cases are built for the hidden-only mistakes -----------------------

def test_views_only_in_the_hidden_sgd_step_cases():
    ex = exercise("sgd_step")
    assert all(not c.views for c in ex.visible)
    assert any(c.views for c in ex.hidden)


def test_visible_batch_sizes_divide_n_and_hidden_ones_do_not():
    ex = exercise("minibatches")
    assert all(c.args[0].shape[0] % c.args[2] == 0 for c in ex.visible)
    assert any(c.args[0].shape[0] % c.args[2] for c in ex.hidden)
    assert any(c.args[2] > c.args[0].shape[0] for c in ex.hidden)


def test_visible_priority_cases_use_alpha_one_and_hidden_ones_others():
    ex = exercise("priority_sample")
    assert all(c.kwargs.get("alpha", 1.0) == 1.0 for c in ex.visible)
    assert {c.kwargs.get("alpha", 1.0) for c in ex.hidden} >= {0.0, 0.5, 2.0}
    # eps is used visibly: a case with eps != default and errors exactly 0
    assert any("eps" in c.kwargs and (c.args[0] == 0).any() for c in ex.visible)


def test_frozen_temperature_only_in_the_hidden_acceptance_cases():
    ex = exercise("acceptance_probability")
    assert all(c.args[1] > 0 for c in ex.visible)
    frozen = [c for c in ex.hidden if c.args[1] == 0]
    assert frozen and any((np.asarray(c.args[0]) == 0).any() for c in frozen)


def test_visible_anneal_cases_are_one_dimensional_and_hidden_ones_not():
    ex = exercise("anneal")
    assert all(c.args[1].shape == (1,) for c in ex.visible)
    assert any(c.args[1].size > 1 for c in ex.hidden)


# -- worked numbers carried by the visible cases -----------------------------------------------

def test_sgd_step_first_cases_are_kauchaks_valley_and_ceng_506s_first_round():
    ex = exercise("sgd_step")
    valley, neuron = ex.visible[0], ex.visible[1]
    assert ex.expected(valley)[0].tolist() == [2.0]            # 3 - 0.25 * 2 (3 - 1)
    # CENG 506, "Example of weight update": round 1 prints w0 = 2.06, w1 = -2.88, w2 = -3.06
    assert np.round(ex.expected(neuron)[0], 2).tolist() == [2.06, -2.88, -3.06]


def test_acceptance_visible_values_are_the_metropolis_numbers():
    ex = exercise("acceptance_probability")
    assert np.allclose(ex.expected(ex.visible[0]), [1, 1, math.exp(-0.5), math.exp(-1), math.exp(-2)])
    assert np.allclose(ex.expected(ex.visible[1]), [1, 1, math.exp(-1), math.exp(-2), math.exp(-4)])
    assert ex.expected(ex.visible[2]) == pytest.approx(math.exp(-0.15))


def test_xor_case_is_kauchaks_online_loop():
    case = exercise("minibatches").visible[0]
    assert case.args[2] == 1 and case.args[0].tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]


def test_anneal_energies_are_the_lessons_and_do_not_use_numpy_as_a_students_cell_left_it():
    x = np.array([0.7, -1.3])
    assert L7.BUMPY(x) == pytest.approx(np.sum(x ** 2 / 5 + 1 - np.cos(3 * x)))
    saved = np.cos
    try:
        np.cos = lambda z: np.zeros_like(z)
        assert L7.BUMPY(x) == pytest.approx(np.sum(x ** 2 / 5 + 1 - saved(3 * x)))
    finally:
        np.cos = saved


# -- exact reproduction: the generator's use, and what is said when it differs -----------------

def test_minibatches_reference_is_what_train_draws():
    # the expected batches are one rng.permutation(n), cut in order (train() uses minibatches)
    ex = exercise("minibatches")
    for case in (*ex.visible, *ex.hidden):
        X, y, B, seed = case.args
        order = np.random.default_rng(seed).permutation(len(X))
        batches, _ = ex.expected(case)
        assert np.array_equal(np.vstack([b for b, _ in batches]), X[order])


def test_minibatches_from_the_global_generator_is_told_the_rng_was_not_used():
    def minibatches(X, y, batch_size, rng):
        order = np.random.permutation(len(X))
        for s in range(0, len(X), batch_size):
            yield X[order[s:s + batch_size]], y[order[s:s + batch_size]]
    state = np.random.get_state()
    try:
        np.random.seed(3)          # its first permutation of 4 is not the identity
        assert np.random.permutation(4).tolist() != [0, 1, 2, 3]
        np.random.seed(3)
        message = failure("minibatches", minibatches, "check")
    finally:
        np.random.set_state(state)
    assert "not in the order of one call rng.permutation(n)" in message
    assert "The generator you were given was not used at all" in message


def test_minibatches_that_draws_more_is_told_where_the_generator_should_be():
    def minibatches(X, y, batch_size, rng):
        order = rng.permutation(len(X))
        rng.random()                       # a stray draw: this epoch is right, the next is not
        return [(X[order[s:s + batch_size]], y[order[s:s + batch_size]])
                for s in range(0, len(X), batch_size)]
    message = failure("minibatches", minibatches, "check")
    assert "the batches are right, but afterwards the generator is not where" in message


def test_minibatches_with_the_wrong_batch_shape_says_so():
    message = failure("minibatches", lambda X, y, B, rng: None, "check")
    assert "returned None" in message and "yield" in message
    message = failure("minibatches", lambda X, y, B, rng: [X, y], "check")
    assert "each batch must be a pair (X_batch, y_batch)" in message


def test_an_endless_minibatch_generator_is_judged_and_ends():
    def minibatches(X, y, batch_size, rng):
        while True:
            yield X[:batch_size], y[:batch_size]
    message = failure("minibatches", minibatches, "check")
    assert "batches of sizes" in message


def test_minibatches_that_shuffles_the_callers_arrays_is_told_not_to():
    def minibatches(X, y, batch_size, rng):
        order = rng.permutation(len(X))
        X[:] = X[order]
        y[:] = y[order]
        for s in range(0, len(X), batch_size):
            yield X[s:s + batch_size], y[s:s + batch_size]
    assert "modified its argument X in place" in failure("minibatches", minibatches, "check")


def test_priority_sample_messages_for_types_and_first_difference():
    assert "indices are integers" in failure(
        "priority_sample", lambda e, B, rng, alpha=1.0, eps=0.01: rng.choice(len(e), B).astype(float), "check")
    assert "expected a NumPy array" in failure(
        "priority_sample", lambda e, B, rng, alpha=1.0, eps=0.01: list(rng.choice(len(e), B)), "check")
    message = failure("priority_sample", _mistake("priority_sample", "no_eps"), "check")
    assert "the first difference is draw" in message


def test_anneal_message_names_the_first_step_that_differs():
    message = failure("anneal", _mistake("anneal", "no_cooling"), "check")
    assert re.search(r"rows 0 to \d+ of the path are right, row \d+ is not: after step \d+ "
                     r"\(T = T0 \* cooling\^\d+ = [\d.e+-]+\)", message)
    right = _alternative("anneal")
    short = lambda f, x0, T0, c, steps, s, rng: right(f, x0, T0, c, steps, s, rng)[:-1]  # noqa: E731
    assert "expected (151, 1): row 0 is x0" in failure("anneal", short, "check")


def test_anneal_that_calls_the_students_acceptance_rule_is_fine_and_the_reference_is_not():
    # the catalogue's namespace holds the reference acceptance_probability, as the notebook
    # holds the student's own: calling it is allowed, calling annealing.anneal is not
    assert exercise("anneal").grade(_alternative("anneal", 1)).startswith("anneal: passed")
    assert annealing.acceptance_probability not in exercise("anneal").forbidden


# -- sgd_step: judged by the arrays it was given; relations said about the step ----------------

def test_sgd_step_that_returns_new_arrays_is_told_nothing_changed():
    def sgd_step(params, grads, lr):
        return [w - lr * g for w, g in zip(params, grads)]
    message = failure("sgd_step", sgd_step, "check")
    assert "every array in params still holds its old values" in message
    assert "Likely mistake: the arrays in params keep their old values" in message


def test_sgd_step_that_replaces_the_list_items_is_told_so():
    def sgd_step(params, grads, lr):
        for i in range(len(params)):
            params[i] = params[i] - lr * grads[i]
    assert "Likely mistake: the arrays in params keep their old values" in failure("sgd_step", sgd_step, "check")


def test_sgd_step_that_changes_the_gradients_is_told_not_to():
    def sgd_step(params, grads, lr):
        for w, g in zip(params, grads):
            g *= lr
            w -= g
    assert "modified its argument grads in place" in failure("sgd_step", sgd_step, "check")


@pytest.mark.parametrize("body, key, words", [
    ("w -= 1.1 * lr * g", "constant_factor", "every value is 1.1 times the expected one"),
    ("w -= 2 * lr * g", "constant_factor", "a factor 2 or 1/2 is missing or extra"),
    ("w -= lr * g + 0.1", "constant_offset", "every value is the expected one minus 0.1"),
])
def test_sgd_step_relations_are_said_about_the_step_and_are_true(body, key, words):
    env = {"np": np}
    exec(f"def sgd_step(params, grads, lr):\n    for w, g in zip(params, grads):\n        {body}\n", env)
    ex = exercise("sgd_step")
    fn = env["sgd_step"]
    with pytest.raises(CheckFailure) as info:
        ex.grade(fn)
    d, message = info.value.diagnosis, info.value.message
    assert d.kind == "relation" and d.key == key
    assert "the step you took (each array after the call minus before), compared with -lr * grads" in message
    assert words in message


# -- the notebook -------------------------------------------------------------------------------

def _notebook():
    return nbformat.read(SOLUTION_NB, as_version=4)


def _markdown():
    return "\n".join(c.source for c in _notebook().cells if c.cell_type == "markdown")


def test_setup_cell_imports_the_checks_first_and_defines_the_catalogue_namespace():
    source = cell(SOLUTION_NB, "setup").source
    assert source.splitlines()[1].startswith("import backproplab.checks")
    env: dict = {}
    exec("\n".join(line for line in source.splitlines() if not line.startswith("%")), env)
    for name in NAMES:
        assert name not in env, f"the setup cell must not define {name}: the student writes it"
        missing = set(exercise(name).namespace()) - set(env) - set(NAMES)
        assert not missing, f"{name}'s namespace has {missing}, which the notebook does not define"


def test_notebook_kernel_and_no_outputs():
    nb = _notebook()
    assert nb.metadata["kernelspec"]["name"] == "backproplab"
    for code in nb.cells:
        if code.cell_type == "code":
            assert code.outputs == [] and code.execution_count is None


def test_decks_are_cited_by_author_or_course_never_by_file_number():
    texts = [c.source for c in _notebook().cells]
    for name in NAMES:
        ex = exercise(name)
        texts += [ex.summary, ex.hidden_summary] + [c.note for c in (*ex.visible, *ex.hidden)]
        texts += [m.explain for m in ex.mistakes]
    texts.append(open(L7.__file__).read())
    for text in texts:
        assert not re.search(r"\bseeds? ?0\d\d\b", text, re.I), text[:200]
    joined = "\n".join(texts)
    for deck in ("Samatova", "Kauchak", "Kang"):
        assert deck in joined


def test_the_notebook_names_the_errata_and_ambiguities():
    text = _markdown()
    assert "Erratum (Samatova, \"Speed Up, and Jump Out Of Local Minimum\")" in text
    assert "**test** data" in text and "**training** data" in text
    assert "\"General Gradient Descent\"" in text and "one step per sample" in text
    assert "update the relevant\n> weights based on the gradient sign" in text
    assert "*coordinate descent*" in text and "\"pick a\ndimension" in text
    assert "*sums*" in text and "over the examples" in text


def test_every_figure_has_a_title_labels_and_a_legend():
    # one figure per plotting cell: titles, axis labels and a legend in every code cell that plots
    for c in _notebook().cells:
        if c.cell_type == "code" and "plt.subplots" in c.source:
            assert "set_title" in c.source or "title=" in c.source, c.source[:60]
            assert "set_xlabel" in c.source and "set_ylabel" in c.source, c.source[:60]
            assert "legend(" in c.source, c.source[:60]


# -- the claims the text makes about its experiments -------------------------------------------

@pytest.fixture(scope="module")
def run():
    """Every code cell of the solution notebook but the test cells, figures off: the solution
    cells define the exercises' functions (they pass grade(): test_checks_catalogues.py)."""
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    env: dict = {}
    shown, plt.show = plt.show, (lambda *a, **k: None)
    try:
        for c in _notebook().cells:
            if c.cell_type != "code" or c.metadata.get("nbgrader", {}).get("grade"):
                continue
            exec("\n".join(line for line in c.source.splitlines() if not line.startswith("%")), env)
            plt.close("all")
    finally:
        plt.show = shown
    return env


def test_the_valley_walk_and_the_stopping_rule(run):
    assert len(run["walk"]) - 1 == 12 and run["walk"][:3] == [3.0, 2.0, 1.5]
    steps = {label: len(p) - 1 for label, p in run["paths2"].items()}
    gd, cd = steps.values()
    assert gd < cd        # coordinate descent's staircase needs more steps


def test_your_loop_is_train(run):
    assert run["same"] is True


def test_the_minibatch_gradient_is_unbiased_and_its_noise_falls_like_one_over_b(run):
    assert np.abs(np.mean(run["one_epoch"], axis=0) - run["full"]).max() < 1e-12
    noise, se, theory = (np.array(run[k][:-1]) for k in ("noise", "noise_se", "theory"))
    assert np.all(np.abs(noise - theory) < 4 * se)           # within 4 standard errors
    assert np.all(se < 0.15 * theory)                        # and the measurement means something
    assert run["noise"][-1] < 1e-20


def test_batch_sizes_per_update_per_example_and_noise(run):
    runs, first = run["runs"], run["first_reaching"]
    reached = {B: first(runs[B][0], run["TARGET"]) for B in (1, 10, 50, 200)}
    updates = [reached[B][0] for B in (1, 10, 50, 200)]
    examples = [reached[B][1] for B in (1, 10, 50, 200)]
    assert all(min(runs[B][0][:, 2]) <= run["TARGET"] for B in runs)    # every run got there
    assert updates[0] > 1.5 * updates[1] and updates[1] >= updates[2] >= updates[3]
    assert updates[1] <= 1.5 * updates[3]                    # "B = 10 is already close"
    assert examples[0] < examples[1] < examples[2] < examples[3]
    assert examples[3] > 10 * examples[1]                    # "many times fewer examples"
    worse = [np.mean(np.diff(runs[B][0][:, 2]) > 0) for B in (1, 10, 50, 200)]
    assert worse[0] > worse[1] > worse[2] > worse[3] == 0.0
    assert [runs[B][0][-1, 0] for B in (1, 10, 200)] == [200, 100, 100]   # whole epochs, >= 100 updates


def test_sorted_data_without_shuffling(run):
    (plain, plain_recall), (shuffled, shuffled_recall) = run["sorted_runs"].values()
    per_epoch = run["per_epoch"]
    assert plain[-1] > shuffled[-1]
    assert np.std(plain[-per_epoch:]) > 3 * np.std(shuffled[-per_epoch:])   # the swing
    assert np.mean(plain[-per_epoch:]) > np.mean(shuffled[-per_epoch:])
    assert plain_recall[1] > plain_recall[0]                                 # leans to class 1
    assert plain_recall[0] < shuffled_recall[0]


def test_priority_sampling_learns_the_rare_class(run):
    runs = run["sampler_runs"]
    assert run["is_rare"].sum() == 15 and len(run["is_rare"]) == 300
    uniform, priority, pools = (runs[name] for name in run["samplers"])
    end = {k: R[:, -1].mean(axis=0) for k, R in zip(("uniform", "priority", "pools"), (uniform, priority, pools))}
    # the rare class: far more right, and its loss lowest under priority, pools in between
    assert end["priority"][1] > end["uniform"][1] + 0.2
    assert end["uniform"][1] < end["pools"][1] < end["priority"][1]
    assert end["priority"][3] < end["pools"][3] < end["uniform"][3]
    assert np.all(priority[:, -1, 1] > uniform[:, -1, 1])                 # in every seed
    # "its loss falls steadily": the second half of the run below the first, under priority only
    half = priority.shape[1] // 2
    assert priority[:, half:, 3].mean() < priority[:, 1:half, 3].mean()
    assert uniform[:, half:, 3].mean() > 0.8 * uniform[:, 1:half, 3].mean()   # "stays high"
    # the price: the common class's loss ends higher than under uniform sampling, its accuracy kept
    assert end["priority"][4] > end["uniform"][4]
    assert end["priority"][2] > 0.99 and end["pools"][2] > 0.99


def test_gradient_descent_stays_and_slow_cooling_does_best(run):
    assert np.sum(np.abs(run["x_gd"]) < 1) == 0
    assert np.allclose(np.abs(run["x_gd"]), [4.0, 2.0, 2.0, 4.0], atol=0.01)
    success = {label: np.mean(np.abs(x) < 1) for label, x in run["finals"].items()}
    frozen, quenched, annealed, hot = success.values()
    assert annealed == max(success.values()) and annealed > 0.7
    assert annealed > quenched > max(frozen, hot)
    assert min(success.values()) > 0.0     # every schedule does better than gradient descent's 0


def test_metropolis_numbers_printed(run):
    assert annealing.acceptance_probability(1.0, 2.0) == pytest.approx(0.606531, abs=1e-6)
    assert annealing.temperature(299, 2.0, 0.99) == pytest.approx(0.099, abs=5e-4)   # "cooled to 0.1"
    assert annealing.temperature(100, 2.0, 0.95) < 0.02                  # quenched: "cold after about 100 steps"
