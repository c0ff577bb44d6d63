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


# -- the package's private helpers cannot stand in for a forbidden reference ---------------

def _not_workers():
    """Private helpers that shape, validate or seed, and do none of an exercise's work."""
    from backproplab import activations, deltas, init, optimizers, sampling
    return (activations._out,          # a 0-d result as a NumPy scalar
            activations._z,            # z checked and made a float array
            deltas._batch,             # a 2-D batch checked
            deltas._targets,           # y checked (class labels made one-hot)
            init._rng,                 # a Generator from a seed
            optimizers._learning_rate,  # lr checked
            optimizers._as_float,      # an epoch count as a float (inf beyond float64)
            sampling._generator)       # a Generator from a seed


def _allowed():
    """Per exercise: private workers of public functions the exercise lets a student call."""
    from backproplab import activations, deltas
    return {"sigmoid_prime": (activations._sigmoid_kernel,),   # s = sigmoid(z), then s (1 - s)
            "fit": (deltas._backward_sweep,)}                  # layers.backward's work, allowed


NOT_WORKERS = _not_workers()
ALLOWED = _allowed()


def _private_workers(fn):
    """The private backproplab functions whose result `fn` returns: the outermost calls of a
    `_name(...)` or `self._name(...)` inside a return statement (a validator such as
    `_learning_rate(lr, where)` passed as an argument to the worker is not a worker)."""
    import ast
    import inspect
    import textwrap

    fn = inspect.unwrap(fn)
    if not inspect.isfunction(fn):      # a property's getter is given as its function
        return []
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    except (OSError, TypeError):
        return []
    owner = None
    if "." in fn.__qualname__:
        owner = fn.__globals__.get(fn.__qualname__.split(".")[0])
    found = []

    def resolve(call):
        f = call.func
        if isinstance(f, ast.Name) and f.id.startswith("_"):
            return fn.__globals__.get(f.id)
        if (isinstance(f, ast.Attribute) and f.attr.startswith("_") and not f.attr.startswith("__")
                and isinstance(f.value, ast.Name) and f.value.id == "self" and owner is not None):
            return getattr(owner, f.attr, None)
        return None

    def outermost(node):
        if isinstance(node, ast.Call):
            target = resolve(node)
            if (inspect.isfunction(target) and target.__module__.startswith("backproplab.")
                    and target not in NOT_WORKERS):
                found.append(target)
                return
        for child in ast.iter_child_nodes(node):
            outermost(child)

    body = list(ast.walk(tree.body[0]))
    returns = [n.value for n in body if isinstance(n, ast.Return) and n.value is not None]
    returned = {ast.unparse(n) for r in returns for n in ast.walk(r)
                if isinstance(n, (ast.Name, ast.Attribute))}
    for node in returns:
        outermost(node)
    # `self._grads = self._gradients(...)` and then `return self._grads`
    for node in body:
        if isinstance(node, ast.Assign) and any(ast.unparse(t) in returned for t in node.targets):
            outermost(node.value)
    return found


def _closure(functions):
    """`functions` and, transitively, the private workers they return the result of."""
    seen, todo = [], list(functions)
    while todo:
        fn = todo.pop()
        if any(fn is s for s in seen):
            continue
        seen.append(fn)
        todo.extend(_private_workers(fn))
    return seen


@pytest.mark.parametrize("name", NAMES)
def test_private_workers_of_the_forbidden_functions_are_forbidden_too(name):
    """A student who calls e.g. deltas._backward_sweep, the worker behind layers.backward and
    MLP.backward, has handed in the reference as surely as one who calls layers.backward."""
    ex = exercise(name)
    codes = {getattr(f, "__code__", None) for f in (*ex.forbidden, *ALLOWED.get(name, ()))}
    missing = [f"{f.__module__}.{f.__qualname__}" for f in _closure(ex.forbidden)
               if getattr(f, "__code__", None) not in codes]
    assert not missing, f"{name}: the forbidden functions return the work of {missing}, not forbidden"


def test_the_private_workers_are_found():
    """The finder itself: the helpers this file's test relies on are seen where they are."""
    from backproplab import activations, deltas, layers, losses, network, optimizers
    assert deltas._backward_sweep in _closure([layers.backward])
    assert deltas._backward_sweep in _closure([network.MLP.backward])
    assert losses._quadratic_sum in _private_workers(losses.quadratic)
    assert optimizers._momentum_update in _private_workers(optimizers.momentum_step)
    assert optimizers._learning_rate not in _private_workers(optimizers.momentum_step)
    assert optimizers._adagrad_update in _private_workers(optimizers.adagrad_step)
    assert activations._sigmoid_kernel in _private_workers(activations.sigmoid)  # through _out


def _private_hand_ins():
    import numpy as np

    from backproplab import activations, deltas, losses
    return [
        ("sigmoid", lambda z: activations._sigmoid_kernel(np.asarray(z, dtype=float)),
         "backproplab.activations._sigmoid_kernel"),
        ("quadratic", lambda y_hat, y: losses._quadratic_sum(np.asarray(y_hat, dtype=float),
                                                             np.asarray(y, dtype=float))
         / np.shape(y_hat)[0], "backproplab.losses._quadratic_sum"),
        ("weight_gradients", lambda a_prev, delta: deltas._weight_gradients(
            np.asarray(a_prev, dtype=float), np.asarray(delta, dtype=float)),
         "backproplab.deltas._weight_gradients"),
    ]


@pytest.mark.parametrize("name, answer, helper", _private_hand_ins(),
                         ids=[c[0] for c in _private_hand_ins()])
def test_a_private_worker_handed_in_is_refused_by_its_name(name, answer, helper):
    message = failure(name, answer, "check")
    assert f"calls {helper}, the reference answer" in message, message


@pytest.mark.parametrize("name", ["sigmoid", "quadratic", "backward_pass", "sgd_step"])
def test_the_reference_is_named_without_the_helpers_it_ran(name):
    """The student called the public reference: its private helpers ran inside it, and naming
    them would only make the message harder to read."""
    ref = exercise(name).reference
    message = failure(name, ref, "check")
    assert f"calls {ref.__module__}.{ref.__qualname__}, the reference answer" in message, message
