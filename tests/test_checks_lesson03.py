"""Lesson 03's exercise catalogue (backproplab/checks/lesson03.py) and its notebook.

The pattern every exercise follows is tested for every lesson in test_checks_catalogues.py,
test_receipts.py and test_nbgrader_roundtrip.py. Here: which exercises lesson 03 has
(local_gradients, topological_order, backward_sweep), their references and points, the
lectures' worked numbers in the visible cases, and what only these exercises do: every call
gets a freshly built graph, what a call did is recorded as plain values, a topological order is
judged by validity (any valid order passes, each kind of invalid order gets its message), and
the hidden chain of 10,001 nodes fails a recursive answer with a message naming the recursion
limit.
"""
from __future__ import annotations

import json
import math
import random
import re

import nbformat
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from _checks_helpers import assert_fails_under_patched_numpy, cell, compiled, failure, solution_nb
from backproplab import graph
from backproplab.checks import CheckFailure, exercise, exercises
from backproplab.checks import lesson03 as L
from backproplab.checks.receipt import decode, replay
from backproplab.graph import Value

SLUG = "03-computational-graphs"
SOLUTION_NB = solution_nb(SLUG)

NAMES = ("local_gradients", "topological_order", "backward_sweep")
REFERENCES = {"local_gradients": graph.local_gradients, "topological_order": graph.topological_order,
              "backward_sweep": Value.backward}
POINTS = {"local_gradients": 2, "topological_order": 2, "backward_sweep": 3}
HIDDEN_ONLY = {("local_gradients", "max_tie_to_a"), ("topological_order", "recursive"),
               ("backward_sweep", "no_reset"), ("backward_sweep", "recursive_topo")}

SETTINGS = settings(deadline=None, max_examples=15, derandomize=True)


def _source(name, key):
    return next(m.source for m in exercise(name).mistakes if m.key == key)


def _labels(nodes):
    return [v.label for v in nodes]


# -- which exercises, their references, points and hidden-only mistakes -------------------------

def test_lesson_has_these_exercises_and_references():
    assert {n: ex.reference for n, ex in exercises().items() if ex.lesson == SLUG} == REFERENCES


def test_solution_notebook_points():
    assert {name: cell(SOLUTION_NB, f"{name}-test").metadata["nbgrader"]["points"]
            for name in NAMES} == POINTS


def test_only_these_mistakes_are_hidden_only():
    assert {(n, m.key) for n in NAMES for m in exercise(n).mistakes if m.hidden_only} == HIDDEN_ONLY


def test_every_exercise_has_four_mistakes_one_hidden_and_two_alternatives():
    for name in NAMES:
        ex = exercise(name)
        assert len(ex.mistakes) >= 4 and any(m.hidden_only for m in ex.mistakes)
        assert len(ex.alternatives) >= 2


def test_the_graph_exercises_forbid_every_way_to_the_reference():
    assert set(exercise("topological_order").forbidden) == {graph.topological_order, graph.backprop,
                                                          graph._grad_table}
    assert set(exercise("backward_sweep").forbidden) == {Value.backward, graph.backprop, graph._grad_table}

    def via_backprop(root):
        for node, g in graph.backprop(root).items():
            node.grad = g
    assert "calls backproplab.graph.backprop, the reference answer" in failure("backward_sweep", via_backprop, "check")

    def via_local_grads(op, a, b=None):
        if op in ("+", "*", "max"):
            return {"+": Value.__add__, "*": Value.__mul__, "max": Value.max}[op](Value(a), Value(b)).local_grads
        if op == "**":
            return (Value(a) ** b).local_grads
        return getattr(Value(a), op)().local_grads
    assert ("calls backproplab.graph.Value.local_grads, the reference answer"
            in failure("local_gradients", via_local_grads, "check"))


# -- the lectures' worked numbers -------------------------------------------------------------

def _case(name, note_start, visible=True):
    cases = exercise(name).visible if visible else exercise(name).hidden
    return next(c for c in cases if c.note.startswith(note_start))


def test_local_gradients_visible_cases_are_ceng506s_gates():
    ex = exercise("local_gradients")
    expected = {c.args: tuple(float(v) for v in c.expected) for c in ex.visible}
    assert expected[("+", -2.0, 5.0)] == (1.0, 1.0)                 # dq/dx = dq/dy = 1
    assert expected[("*", 3.0, -4.0)] == (-4.0, 3.0)                # df/dq = z, df/dz = q
    (e,) = expected[("exp", -1.0)]
    assert round(e, 2) == 0.37 and e == math.exp(-1.0)
    (inv,) = next(expected[c.args] for c in ex.visible if c.args[0] == "**" and c.args[2] == -1.0)
    assert round(inv, 2) == -0.53 and inv == pytest.approx(-1.0 / (1.0 + math.exp(-1.0)) ** 2, rel=1e-15)
    (sig,) = expected[("sigmoid", 1.0)]
    s = 1.0 / (1.0 + math.exp(-1.0))
    assert round(s, 2) == 0.73 and round(sig, 2) == 0.20 and sig == pytest.approx((1 - s) * s, rel=1e-15)
    # the exp gate's step of the slide: (e^-1)(-0.53) = -0.20
    assert round(e * inv, 2) == -0.20
    # max with either input the larger; the hidden cases add ties
    assert expected[("max", 2.0, -1.0)] == (1.0, 0.0) and expected[("max", -3.0, 4.0)] == (0.0, 1.0)
    ties = [c for c in ex.hidden if c.args[0] == "max" and c.args[1] == c.args[2]]
    assert ties and all(tuple(c.expected) == (0.5, 0.5) for c in ties)


def _grads(name, case):
    """{label: expected gradient} of a backward_sweep case."""
    return {entry[0]: float(g) for entry, g in zip(case.args[0], case.expected)}


def test_backward_sweep_visible_cases_are_the_lectures_graphs():
    circuit = _grads("backward_sweep", _case("backward_sweep", "CENG 506's circuit"))
    assert {k: circuit[k] for k in "xyzqf"} == {"x": -4.0, "y": -4.0, "z": 3.0, "q": -4.0, "f": 1.0}
    neuron_case = _case("backward_sweep", "CENG 506's sigmoid neuron")
    neuron = _grads("backward_sweep", neuron_case)
    assert {k: round(neuron[k], 2) for k in ("w0", "x0", "w1", "x1", "w2", "d", "e", "neg")} == {
        "w0": -0.20, "x0": 0.39, "w1": -0.39, "x1": -0.59, "w2": 0.20, "d": -0.53, "e": -0.53, "neg": -0.20}
    f = L.build(neuron_case.args[0])[-1]
    assert round(f.data, 2) == 0.73
    twice = _grads("backward_sweep", _case("backward_sweep", "b = a + a"))
    assert twice == {"a": 4.0, "b": 2.0, "c": 1.0}                       # dc/da = 4
    patterns = _grads("backward_sweep", _case("backward_sweep", "f = 2 (x y"))
    assert {k: patterns[k] for k in "xyzw"} == {"x": -8.0, "y": 6.0, "z": 2.0, "w": 0.0}


def test_kangs_example_reuses_dz_dw():
    nodes = {v.label: v for v in L.build(L.KANG)}
    table = graph.backprop(nodes["z"])
    x, y = nodes["x"].data, nodes["y"].data
    dz_dw = y * (1 - y) * x + (1 - x * x) * y       # dy/dw dz/dy + dx/dw dz/dx
    assert table[nodes["w"]] == pytest.approx(dz_dw, rel=1e-15)
    assert table[nodes["v"]] == pytest.approx(2.0 * dz_dw, rel=1e-15)


def test_the_visible_graphs_have_shared_subexpressions():
    for name in ("topological_order", "backward_sweep"):
        shared = [c.note for c in exercise(name).visible if L._shared(c.args[0])]
        assert any("random" in note for note in shared)
        assert any("b = a + a" in note for note in shared)


# -- the hidden graphs --------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["topological_order", "backward_sweep"])
def test_hidden_cases_include_a_chain_of_at_least_10000_nodes(name):
    chains = [c for c in exercise(name).hidden if len(c.args[0]) >= 10_000]
    assert chains and all(L._depth(c.args[0]) == len(c.args[0]) for c in chains)
    # no other case is anywhere near Python's recursion limit
    assert all(L._depth(c.args[0]) < 100 for c in [*exercise(name).visible, *exercise(name).hidden]
               if len(c.args[0]) < 10_000)


@pytest.mark.parametrize("name", ["topological_order", "backward_sweep"])
def test_hidden_random_graphs_share_subexpressions_and_reach_every_node(name):
    randoms = [c.args[0] for c in exercise(name).hidden if "random" in c.note]
    assert len(randoms) >= 3
    for spec in randoms:
        assert L._shared(spec) and all(L._reachable(spec)) and spec[-1][0] == "f"
        assert L._paths(spec) <= 3000          # a search that forgets what it visited still ends


def _recursive_topo(root):
    order, seen = [], set()

    def visit(node):
        if node not in seen:
            seen.add(node)
            for p in node.parents:
                visit(p)
            order.append(node)
    visit(root)
    return order


def test_a_recursive_topological_order_passes_the_check_and_fails_on_the_recursion_limit():
    assert exercise("topological_order").check(_recursive_topo)
    message = failure("topological_order", _recursive_topo)
    assert message.startswith("hidden test") and "raised RecursionError" in message
    assert "recursion limit (sys.getrecursionlimit(), 1000 by default)" in message
    assert "explicit stack" in message


def test_a_recursive_backward_sweep_fails_on_the_recursion_limit():
    def sweep(root):
        order = _recursive_topo(root)
        for node in order:
            node.grad = 0.0
        root.grad = 1.0
        for node in reversed(order):
            for p, local in zip(node.parents, node.local_grads):
                p.grad += node.grad * local
    assert exercise("backward_sweep").check(sweep)
    message = failure("backward_sweep", sweep)
    assert "raised RecursionError" in message and "sys.getrecursionlimit()" in message


def test_recursion_on_a_shallow_graph_gets_no_recursion_limit_hint():
    def endless(root):
        return endless(root)
    message = failure("topological_order", endless, "check")
    assert "raised RecursionError" in message and "Likely mistake" not in message


# -- a topological order is judged by validity ----------------------------------------------------

def _random_valid_order(root, rnd):
    """A topological order with random tie-breaks (Kahn's algorithm picking any ready node)."""
    nodes = graph_nodes(root)
    waiting = {v: len(v.parents) for v in nodes}
    children = {v: [] for v in nodes}
    for v in nodes:
        for p in v.parents:
            children[p].append(v)
    ready, order = [v for v in nodes if waiting[v] == 0], []
    while ready:
        v = ready.pop(rnd.randrange(len(ready)))
        order.append(v)
        for c in children[v]:
            waiting[c] -= 1
            if waiting[c] == 0:
                ready.append(c)
    return order


@SETTINGS
@given(st.integers(0, 2**32 - 1))
def test_any_valid_order_passes(seed):
    rnd = random.Random(seed)
    ex = exercise("topological_order")
    ex.grade(lambda root: _random_valid_order(root, rnd))


def test_the_two_alternatives_give_different_orders_and_both_pass():
    ex = exercise("topological_order")
    case = _case("topological_order", "a random graph")
    a, b = (ex.call(ex.compile(src), case)[0] for src in ex.alternatives)
    assert a != b
    assert ex.judge_order(a, case) is None and ex.judge_order(b, case) is None


@pytest.mark.parametrize("answer, words", [
    (lambda root: None, r"returned None .*expected a list of the graph's nodes"),
    (lambda root: {root}, r"returned a set; expected a list"),
    (lambda root: [v.label for v in graph.topological_order(root)], r"item 0 is a str \('x'\).*not their labels"),
    (lambda root: [v.data for v in graph.topological_order(root)], r"item 0 is a float .*not their labels or values"),
    (lambda root: [Value(v.data, v.label) for v in graph.topological_order(root)], r"not a node of the graph passed in"),
    (lambda root: graph.topological_order(root)[:-1], r"Missing: 'f'"),
    (lambda root: graph.topological_order(root) * 2, r"lists node '\w+' 2 times"),
    (lambda root: graph.topological_order(root)[::-1], r"lists the root 'f' first"),
])
def test_invalid_orders_get_a_clear_message(answer, words):
    ex = exercise("topological_order")
    # call it with the references' code unwatched: the messages are judged, not the hand-in
    case = _case("topological_order", "CENG 506's circuit")
    args, _ = ex.arguments(case)
    message = ex.judge_order(ex.observe(answer(*args), args, {}), case)
    assert message is not None and re.search(words, message), message


def test_a_parent_after_its_child_is_named():
    ex = exercise("topological_order")
    case = _case("topological_order", "CENG 506's circuit")
    args, _ = ex.arguments(case)
    nodes = {v.label: v for v in graph.topological_order(args[0])}
    swapped = [nodes[k] for k in ("x", "q", "y", "z", "f")]
    message = ex.judge_order(ex.observe(swapped, args, {}), case)
    assert "lists 'q' (position 1) before its parent 'y' (position 2)" in message


# -- every call gets its own graph; what it did is recorded as plain values --------------------------

def test_each_call_gets_a_freshly_built_graph():
    ex = exercise("backward_sweep")
    case = ex.visible[0]
    (root1,), _ = ex.arguments(case)
    (root2,), _ = ex.arguments(case)
    assert root1 is not root2 and root1.data == root2.data
    assert not set(graph.topological_order(root1)) & set(graph.topological_order(root2))


def test_a_function_that_wrecks_its_graph_does_not_spoil_the_next_call():
    calls = []

    def vandal(root):
        calls.append(root)
        for node in graph_nodes(root):
            node.grad = 99.0
            node._parent1 = node._parent2 = None
    ex = exercise("backward_sweep")
    with pytest.raises(CheckFailure):
        ex.check(vandal)
    # the reference's expectations were frozen before, and the next answer gets a whole graph
    ex.grade(ex.compile(ex.alternatives[0]))


def graph_nodes(root):
    seen, stack = {root}, [root]
    while stack:
        for p in stack.pop().parents:
            if p not in seen:
                seen.add(p)
                stack.append(p)
    return seen


def test_changing_a_nodes_value_is_reported():
    def meddler(root):
        for node in graph_nodes(root):
            node.grad = 0.0
        root.data = 0.0
    message = failure("backward_sweep", meddler, "check")
    assert "changed the graph: f.data is a float (0)" in message


def _receipt(name):
    """The receipt of grading the exercise's first alternative, through JSON."""
    ex = exercise(name)
    fn = ex.compile(ex.alternatives[0])
    records = ex.recording(fn)
    try:
        ex.grade(fn)
    finally:
        ex.stop_recording()
    return json.loads(json.dumps({"exercise": name, "calls": records}))


@pytest.mark.parametrize("name", ["topological_order", "backward_sweep"])
def test_receipts_hold_plain_values_and_replay(name):
    rec = _receipt(name)
    kinds = {r["result"]["t"] for r in rec["calls"]}
    assert kinds <= ({"tuple"} if name == "topological_order" else {"nd"})
    for r in rec["calls"]:
        value = decode(r["result"])
        if name == "topological_order":
            assert value[0] == "order" and isinstance(value[1], str)
        else:
            assert value.dtype == np.float64
    assert replay(name, rec) is None


def test_a_receipt_with_an_invalid_order_fails_the_replay():
    rec = _receipt("topological_order")
    order = decode(rec["calls"][0]["result"])
    from backproplab.checks.receipt import encode
    rec["calls"][0]["result"] = encode(("order", " ".join(reversed(order[1].split(" ")))))
    assert "lists the root" in replay("topological_order", rec)


# -- backward_sweep: messages ---------------------------------------------------------------------

def test_a_sweep_that_sets_no_gradient_is_told_to_set_them():
    message = failure("backward_sweep", lambda root: None, "check")
    assert "every node's .grad is 0" in message and "must set node.grad" in message


def test_a_sweep_that_returns_the_table_instead_gets_the_same_hint():
    def table_only(root):
        order = graph_nodes(root)
        return {node: 1.0 for node in order}
    assert "must set node.grad" in failure("backward_sweep", table_only, "check")


def test_a_non_number_gradient_is_named():
    def values(root):
        for node in graph_nodes(root):
            node.grad = Value(1.0)
    assert "left x.grad = a Value, which is not a number" in failure("backward_sweep", values, "check")


def test_a_wrong_gradient_is_named_with_its_derivative():
    message = failure("backward_sweep", compiled("backward_sweep", _source("backward_sweep", "overwrite")), "check")
    assert "after backward_sweep(c), b.grad = 1; expected dc/db = 2" in message


def _sweep_setting(transform):
    """A backward_sweep that sets every node's .grad to transform(the right gradients): it finds
    its case by the graph's labels and input values (tests/test_diagnoses.py's answers, for graphs)."""
    ex = exercise("backward_sweep")
    table = {}
    for case in (*ex.visible, *ex.hidden):
        spec = case.args[0]
        key = frozenset((e[0], e[3] if e[1] == "" else None) for e in spec)
        table[key] = dict(zip((e[0] for e in spec), transform(np.array(case.expected))))

    def backward_sweep(root):
        nodes = graph_nodes(root)
        grads = table[frozenset((v.label, v.data if not v.parents else None) for v in nodes)]
        for node in nodes:
            node.grad = float(grads[node.label])
    return backward_sweep


@pytest.mark.parametrize("key, transform", [
    ("constant_factor", lambda e: 1.1 * e),
    ("constant_offset", lambda e: e + 0.1),
    ("sign_flipped", lambda e: -e),
    ("rounded", lambda e: np.round(e, 2)),
    ("not_finite", lambda e: np.where(np.arange(e.size) == 0, np.inf, e)),
])
def test_backward_sweep_says_how_wrong_gradients_relate_to_the_right_ones(key, transform):
    with pytest.raises(CheckFailure) as info:
        exercise("backward_sweep").grade(_sweep_setting(transform))
    assert info.value.diagnosis.kind == "relation" and info.value.diagnosis.key == key, info.value.message
    assert info.value.diagnosis.text in info.value.message


def test_a_topological_order_gets_no_relation_to_the_references_order():
    assert exercise("topological_order").says_relations is False
    kahn = compiled("topological_order", exercise("topological_order").alternatives[0])
    message = failure("topological_order", lambda root: kahn(root)[::-1], "check")
    assert "lists the root 'f' first" in message and "What came back" not in message


def test_a_patched_value_class_does_not_change_what_is_read_back():
    # a cell that replaces Value.grad by a property cannot make .grad read as the right answer
    saved = Value.__dict__["grad"]
    try:
        Value.grad = property(lambda self: 1.0, lambda self, value: None)
        message = failure("backward_sweep", lambda root: None)
        assert "which is not a number" in message or "every node's .grad is 0" in message
    finally:
        Value.grad = saved


def test_patched_value_operations_do_not_change_the_graphs_the_checks_build():
    saved = Value.__add__
    try:
        Value.__add__ = lambda self, other: saved(self, 0.0)
        ex = exercise("backward_sweep")
        ex.grade(ex.compile(ex.alternatives[1]))       # uses no Value arithmetic itself
    finally:
        Value.__add__ = saved


WRONG = {
    "local_gradients": lambda op, a, b=None: (1.0, 1.0) if op in ("+", "*", "max") else (1.0,),
    "topological_order": lambda root: [root],
    "backward_sweep": lambda root: setattr(root, "grad", 1.0),
}


@pytest.mark.parametrize("name", NAMES)
def test_patched_numpy_and_builtins_do_not_hide_a_wrong_answer(name):
    assert_fails_under_patched_numpy(name, WRONG[name])


# -- local_gradients: messages ---------------------------------------------------------------------

@pytest.mark.parametrize("answer, words", [
    (lambda op, a, b=None: 0.25 if op == "sigmoid" else graph_free(op, a, b),
     r"returned a single number \(0.25\), not a tuple; expected a tuple of one number"),
    (lambda op, a, b=None: None, r"returned None .*expected a tuple of two numbers"),
    (lambda op, a, b=None: (1.0, 1.0, 0.0), r"returned 3 numbers .*expected a tuple of two numbers"),
    (lambda op, a, b=None: ("1", "1"), r"returned a tuple holding a str \('1'\), not only numbers"),
])
def test_local_gradients_malformed_answers_get_a_clear_message(answer, words):
    assert re.search(words, failure("local_gradients", answer, "check"))


def graph_free(op, a, b):
    return exercise("local_gradients").expected(next(
        c for c in exercise("local_gradients").visible if c.args[:2] == (op, a)))


def test_local_gradients_accepts_ints_lists_and_numpy_numbers():
    right = compiled("local_gradients", exercise("local_gradients").alternatives[0])

    def loose(op, a, b=None):
        out = right(op, a, b)
        return [np.float64(v) if k else (int(v) if v == int(v) else v) for k, v in enumerate(out)]
    exercise("local_gradients").grade(loose)


def test_memorised_local_gradients_lose_the_hidden_points():
    ex = exercise("local_gradients")
    table = {c.args: c.expected for c in ex.visible}

    def memorised(*args):
        return table.get(args, (0.0,))
    ex.check(memorised)
    assert failure("local_gradients", memorised).startswith("hidden test")


def test_memorised_graph_answers_lose_the_hidden_points():
    ex = exercise("backward_sweep")
    known = {c.args[0][-1][0] + str(len(c.args[0])): c for c in ex.visible}

    def memorised(root):
        nodes = graph.topological_order(root)   # (only to find the nodes; not allowed in an answer)
        case = known.get(root.label + str(len(nodes)))
        if case:
            by_label = dict(zip((e[0] for e in case.args[0]), case.expected))
            for node in nodes:
                node.grad = float(by_label[node.label])
    ex.check(memorised)
    assert failure("backward_sweep", memorised).startswith("hidden test")


# -- the notebook ------------------------------------------------------------------------------------

def test_the_notebook_setup_defines_the_catalogue_namespaces():
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


def test_notebook_cites_decks_by_author_or_course():
    nb = nbformat.read(SOLUTION_NB, as_version=4)
    text = "\n".join(c.source for c in nb.cells)
    assert "Kang" in text and "CENG 506" in text
    assert not re.search(r"\bseed\s*0\d\d\b", text, re.I)
    assert not re.search(r"\bseed\s*0\d\d\b", " ".join(
        [c.note for n in NAMES for c in (*exercise(n).visible, *exercise(n).hidden)]
        + [m.explain for n in NAMES for m in exercise(n).mistakes] + [exercise(n).summary for n in NAMES]), re.I)


def test_the_notebook_checks_the_patterns_on_the_drawing():
    source = cell_by_id("patterns-code").source
    assert "draw_graph(" in source and 'get_gid() == "node"' in source
    for pattern in ("add distributes", "mul swaps", "max routes"):
        assert pattern in source


def cell_by_id(cid):
    nb = nbformat.read(SOLUTION_NB, as_version=4)
    return next(c for c in nb.cells if c.get("id") == cid)
