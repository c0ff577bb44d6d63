"""Lesson 03, computational graphs (Kang; CENG 506's circuits): exercises and their mistakes.

Exercises, in the order of the notebook: local_gradients, topological_order, backward_sweep.

local_gradients(op, a, b) takes plain numbers and returns a tuple; it is compared with
backproplab.graph.local_gradients as usual.

topological_order(root) and backward_sweep(root) take a backproplab.graph.Value graph. A case
holds its graph as plain data, a *spec*: one entry (label, op, parent indices, number) per
node in creation order, the root last. Every call gets a graph freshly built from the spec
(arguments()), so no call sees what an earlier call did to its nodes, and observe() turns
what the function did into plain values that receipts can carry: the labels of the nodes in
the order returned, or every node's .grad in the spec's order.

A topological order is not unique, so topological_order is judged by validity (every node
reachable from the root exactly once, each after all of its parents); two answers count as
the same (for the mistakes catalogue) only when they list the same labels in the same order.

Hidden cases include a chain of 10,001 nodes: a recursive depth-first search dies there on
Python's recursion limit, and the message says so.
"""
from __future__ import annotations

import builtins as _b
import math
import numbers
from dataclasses import dataclass

import numpy as np

from .. import graph
from ..graph import Value
from . import _safe as s
# Bind the builtins this module uses to the copies captured at import (see _safe).
from ._safe import enumerate, float, isinstance, len, list, str, super, tuple, zip  # noqa: A004
from .exercise import Case, CheckFailure, Diagnosis, Exercise, Mistake
from . import register

# builtins _safe does not export, captured the same way
dict = _b.dict  # noqa: A001
id = _b.id  # noqa: A001
set = _b.set  # noqa: A001
type = _b.type  # noqa: A001
_max, _min, _sum = _b.max, _b.min, _b.sum

LESSON = "03-computational-graphs"

# ----------------------------------------------------------------------------- graphs as data

# Value's operations and slots, captured before any student code runs: a cell that patches
# Value.__add__ or replaces Value.grad by a property changes neither the graphs the checks
# build nor what they read back.
_VALUE_NEW = object.__new__
_VALUE_INIT = Value.__init__
_TWO = {"+": Value.__add__, "-": Value.__sub__, "*": Value.__mul__, "max": Value.max}
_ONE = {"exp": Value.exp, "tanh": Value.tanh, "sigmoid": Value.sigmoid, "relu": Value.relu}
_POW = Value.__pow__
_SLOT = {name: Value.__dict__[name] for name in ("data", "grad", "label")}
_SET_LABEL = _SLOT["label"].__set__


def _get(node, slot):
    return _SLOT[slot].__get__(node, Value)


def build(spec) -> list:
    """The Values of a spec, in its order (the root last)."""
    nodes = []
    append, make = nodes.append, _make
    for entry in spec:
        append(make(entry, nodes))
    return nodes


def _make(entry, nodes):
    """The Value of one spec entry, its parents taken from `nodes`."""
    label, op, parents, number = entry
    if op == "":
        v = _VALUE_NEW(Value)
        _VALUE_INIT(v, number, label)
        return v
    if op in _TWO:
        v = _TWO[op](nodes[parents[0]], nodes[parents[1]] if len(parents) == 2 else number)
    elif op == "**":
        v = _POW(nodes[parents[0]], number)
    else:
        v = _ONE[op](nodes[parents[0]])
    _SET_LABEL(v, label)
    return v


class _Spec:
    """Writes a spec by labels: g.input("x", -2.0); g.op("q", "+", "x", "y"); g.op("d", "+", "e", number=1.0)."""

    def __init__(self):
        self.entries, self.index = [], {}

    def _add(self, label, op, parents, number):
        if label in self.index:
            raise ValueError(f"spec: label {label!r} used twice")
        self.index[label] = len(self.entries)
        self.entries.append((label, op, tuple(self.index[p] for p in parents), number))

    def input(self, label, value):
        self._add(label, "", (), float(value))
        return self

    def op(self, label, op, *parents, number=None):
        self._add(label, op, parents, None if number is None else float(number))
        return self

    def done(self) -> tuple:
        return tuple(self.entries)


def _reachable(spec) -> list:
    """reach[k]: node k is reachable from the root (every spec node of the course is)."""
    reach = [False] * len(spec)
    reach[-1] = True
    for k in s.range(len(spec) - 1, -1, -1):
        if reach[k]:
            for p in spec[k][2]:
                reach[p] = True
    return reach


def _depth(spec) -> int:
    """The number of nodes on the longest path from an input to the root."""
    depth = [1] * len(spec)
    for k, (_, _, parents, _) in enumerate(spec):
        for p in parents:
            if depth[p] + 1 > depth[k]:
                depth[k] = depth[p] + 1
    return depth[-1]


def _paths(spec) -> int:
    """How many (root -> node) paths there are, summed over the nodes: the number of visits of
    a depth-first search that does not remember what it has visited."""
    count = [0] * len(spec)
    count[-1] = 1
    for k in s.range(len(spec) - 1, -1, -1):
        for p in spec[k][2]:
            count[p] += count[k]
    return _sum(count)


def _shared(spec) -> bool:
    """Some node feeds two operations, or one operation twice (a repeated subexpression)."""
    uses = [0] * len(spec)
    for _, _, parents, _ in spec:
        for p in parents:
            uses[p] += 1
    return _max(uses) >= 2


def _random_spec(seed: int, n_inputs: int, n_ops: int, max_paths: int = 3000) -> tuple:
    """A random expression graph with shared subexpressions, every node reachable from the
    root "f", values within +-50, at most `max_paths` root-to-node paths."""
    rng = np.random.default_rng(seed)
    kinds = ("+", "*", "max", "-", "+c", "*c", "**", "tanh", "sigmoid", "exp")
    while True:
        g, nodes = _Spec(), []
        for k in s.range(n_inputs):
            g.input(f"x{k}", round(float(rng.uniform(-1.5, 1.5)), 3))
            nodes.append(_make(g.entries[-1], nodes))
        while len(g.entries) < n_inputs + n_ops:
            n = len(g.entries)
            i = n - int(_min(rng.geometric(0.4), n))      # recent nodes are likelier parents
            j = int(rng.integers(n))
            kind = kinds[int(rng.integers(len(kinds)))]
            a = _get(nodes[i], "data")
            label = f"u{n}"
            if kind in ("+", "*", "max", "-"):
                entry = (label, kind, (i, j), None)
            elif kind == "+c":
                entry = (label, "+", (i,), float(rng.choice([0.5, 1.0, -2.0])))
            elif kind == "*c":
                entry = (label, "*", (i,), float(rng.choice([-1.0, 0.5, 2.0, 3.0])))
            elif kind == "**":
                n_exp = float(rng.choice([2.0, 3.0, -1.0]))
                if n_exp < 0 and (a * a) < 0.04:
                    continue
                entry = (label, "**", (i,), n_exp)
            elif kind == "exp" and a > 3.0:
                continue
            else:
                entry = (label, kind, (i,), None)
            names = [e[0] for e in g.entries]
            v = _make(entry, nodes)
            if (_get(v, "data") * _get(v, "data")) > 2500.0:
                continue
            g._add(label, entry[1], tuple(names[p] for p in entry[2]), entry[3])
            nodes.append(v)
        spec = _finish(g, nodes)
        if _shared(spec) and _paths(spec) <= max_paths:
            return spec


def _finish(g: _Spec, nodes) -> tuple:
    """Sum every node nothing uses into the last one, so that the root "f" reaches them all."""
    used = set()
    for _, _, parents, _ in g.entries:
        used.update(parents)
    dangling = [k for k in s.range(len(g.entries) - 1) if k not in used]
    names = [e[0] for e in g.entries]
    last = names[-1]
    for n, k in enumerate(dangling):
        label = "f" if n == len(dangling) - 1 else f"t{n}"
        g.op(label, "+", last, names[k])
        last = label
    spec = g.done()
    if spec[-1][0] != "f":     # nothing was dangling: relabel the root
        label, op, parents, number = spec[-1]
        spec = spec[:-1] + (("f", op, parents, number),)
    return spec


def _chain_spec(n: int) -> tuple:
    """v0 -> v1 -> ... -> v_n, alternately v * 1.0005 and v + 0.25: a chain of n + 1 nodes."""
    entries = [("v0", "", (), 0.5)]
    for k in s.range(1, n + 1):
        entries.append((f"v{k}", "*" if k % 2 else "+", (k - 1,), 1.0005 if k % 2 else 0.25))
    return tuple(entries)


# The lectures' graphs --------------------------------------------------------------------

# CENG 506, "Derivatives for backpropagation": f = (x + y) z at x = -2, y = 5, z = -4.
CIRCUIT = (_Spec().input("x", -2.0).input("y", 5.0).input("z", -4.0)
           .op("q", "+", "x", "y").op("f", "*", "q", "z").done())

# CENG 506, "Another example": f = 1 / (1 + e^{-(w0 x0 + w1 x1 + w2)}), gate by gate.
NEURON = (_Spec().input("w0", 2.0).input("x0", -1.0).input("w1", -3.0).input("x1", -2.0)
          .input("w2", -3.0)
          .op("w0x0", "*", "w0", "x0").op("w1x1", "*", "w1", "x1")
          .op("s01", "+", "w0x0", "w1x1").op("s", "+", "s01", "w2")
          .op("neg", "*", "s", number=-1.0).op("e", "exp", "neg")
          .op("d", "+", "e", number=1.0).op("f", "**", "d", number=-1.0).done())

# Repeated subexpressions: b = a + a, c = b + b, so dc/da = 4 (four paths of weight 1).
TWICE = _Spec().input("a", 3.0).op("b", "+", "a", "a").op("c", "+", "b", "b").done()

# Kang, "Back-Propagation Example": v -> w -> {x, y} -> z (w is shared by x and y).
KANG = (_Spec().input("v", 0.3).op("w", "*", "v", number=2.0).op("x", "tanh", "w")
        .op("y", "sigmoid", "w").op("z", "*", "x", "y").done())

# add distributes, mul swaps, max routes: f = 2 (x y + max(z, w)) at 3, -4, 2, -1.
PATTERNS = (_Spec().input("x", 3.0).input("y", -4.0).input("z", 2.0).input("w", -1.0)
            .op("p", "*", "x", "y").op("m", "max", "z", "w").op("s", "+", "p", "m")
            .op("f", "*", "s", number=2.0).done())

# x feeds the root directly and through m: f = x + x y.
SKIP = _Spec().input("x", 1.5).input("y", -2.0).op("m", "*", "x", "y").op("f", "+", "x", "m").done()

SQUARE = _Spec().input("x", -1.25).op("f", "*", "x", "x").done()
LONE = _Spec().input("x", 0.75).done()
CHAIN = _chain_spec(10_000)


def _lecture_graphs():
    """The visible cases both graph exercises share: the lectures' graphs."""
    return [_g(CIRCUIT, "CENG 506's circuit f = (x + y) z at x = -2, y = 5, z = -4"),
            _g(NEURON, "CENG 506's sigmoid neuron, gate by gate: f = 0.73"),
            _g(TWICE, "b = a + a, c = b + b: each node used twice, dc/da = 4"),
            _g(KANG, "Kang's example: v -> w -> {x, y} -> z")]


def _hidden_graphs(seed):
    """The hidden cases both graph exercises share: random graphs, small ones, the deep chain."""
    return [*(_g(_random_spec(seed + k, n_inputs, n_ops), "a fresh random graph with shared "
                 "subexpressions") for k, (n_inputs, n_ops) in enumerate(((3, 18), (4, 25), (2, 30)))),
            _g(SQUARE, "f = x * x"),
            _g(LONE, "a graph of one node: the root is an input"),
            _g(CHAIN, "a chain of 10,001 nodes, deeper than Python's recursion limit")]


def _graph_namespace():
    return {"math": math, "np": np, "Value": Value}


def _namespace_topological():
    return {**_graph_namespace(), "local_gradients": graph.local_gradients}


def _namespace_backward():
    return {**_namespace_topological(), "topological_order": graph.topological_order}


def _unset(read, node):
    try:
        return read(node)
    except AttributeError:
        return None


def _real(v):
    """v as a float when it is a real number (not a bool), else None."""
    if isinstance(v, bool) or not isinstance(v, numbers.Real):
        return None
    try:
        return float(v)
    except (TypeError, ValueError, OverflowError):
        return None


def _what(v) -> str:
    """A short description of a value for messages: its type and, when short, its repr."""
    text = s.describe_type(v)
    if isinstance(v, (str, int, float)) and not isinstance(v, bool):
        text += f" ({s.fmt(v, 4)})"
    return text


# ============================================================================ local_gradients

class LocalGradientsExercise(Exercise):
    """local_gradients(op, a, b) -> a tuple, one derivative per input; compared number by number.

    observe() turns the tuple into a 1-D array (NumPy's dtype for the numbers returned), so
    that the generic relations (a factor, the sign, float32, ...) see all of them at once.
    """

    def observe(self, result, args, kwargs):
        """The numbers returned, as a 1-D array; a description when they are not numbers."""
        if isinstance(result, (tuple, list)) or (isinstance(result, s.ndarray) and result.ndim == 1):
            for v in result:
                if _real(v) is None:
                    return f"a {type(result).__name__} holding {_what(v)}, not only numbers"
            return s.array(list(result)) if len(result) else s.array([], dtype=s.float64)
        f = _real(result)
        if f is not None:
            return f"a single number ({s.fmt(f)}), not a tuple"
        return s.describe_type(result)

    def judge(self, got, expected, case):
        call = case.call_text(self.name)
        where = f"  [{case.note}]" if case.note else ""
        if not isinstance(expected, s.ndarray):
            return "different"      # only for a catalogue entry's odd output
        want = _as_tuple(expected)
        if len(want) == 1:
            shape = "a tuple of one number, (du/da,), for a one-input operation"
        else:
            shape = "a tuple of two numbers, (du/da, du/db), one per input"
        if not isinstance(got, (str, s.ndarray)):
            got = self.observe(got, (), {})          # a raw answer (a tuple or list) as observed
        if isinstance(got, str):
            return f"{call} returned {got}; expected {shape}: {s.fmt(want)}.{where}"
        mine = _as_tuple(got)
        if len(mine) != len(want):
            return (f"{call} returned {len(mine)} number{'s' if len(mine) != 1 else ''} "
                    f"{s.fmt(mine)}; expected {shape}: {s.fmt(want)}.{where}")
        if s.compare(s.to_float_array(got), expected, self.rtol, self.atol) is None:
            return None
        return f"{call} returned {s.fmt(mine)}; expected {s.fmt(want)}.{where}"


def _as_tuple(values) -> tuple:
    return tuple(float(v) for v in values)


def _lg(op, a, b=None, note=""):
    return Case((op, float(a)) if b is None else (op, float(a), float(b)), note=note)


def _random_local_cases(seed, note):
    rng = np.random.default_rng(seed)
    cases = []
    for op in ("+", "*", "max", "exp", "tanh", "sigmoid"):
        a, b = (round(float(v), 4) for v in rng.uniform(-3.0, 3.0, size=2))
        cases.append(_lg(op, a, b if op in ("+", "*", "max") else None, note=f"{note}: {op}"))
    for n in (3.0, 0.5, -2.0, 1.0):
        a = round(float(rng.uniform(0.3, 2.5)), 4)
        cases.append(_lg("**", a, n, note=f"{note}: x ** {n:g}"))
    return cases


# One correct body per operation; each catalogued mistake changes one of them.
_LOCAL_BODIES = {
    "+": "return (1.0, 1.0)",
    "*": "return (b, a)",
    "max": "return (1.0, 0.0) if a > b else ((0.0, 1.0) if a < b else (0.5, 0.5))",
    "**": "return (b * a ** (b - 1),)",
    "exp": "return (math.exp(a),)",
    "tanh": "return (1.0 - math.tanh(a) ** 2,)",
    "sigmoid": "s = 1.0 / (1.0 + math.exp(-a))\n        return (s * (1.0 - s),)",
}


def _local_source(changed: dict) -> str:
    """local_gradients written out op by op, with the bodies in `changed` instead of the right ones."""
    lines = ["def local_gradients(op, a, b=None):\n"]
    for op, body in {**_LOCAL_BODIES, **changed}.items():
        lines.append(f"    if op == {op!r}:\n        {body}\n")
    return "".join(lines)


_ONE_PLUS_INV_E = 1.0 + math.exp(-1.0)     # the 1/x gate's input in CENG 506's neuron

register(LocalGradientsExercise(
    name="local_gradients",
    reference=graph.local_gradients,
    lesson=LESSON,
    summary="CENG 506's gates at their worked numbers (f = q z at 3, -4; q = x + y at -2, 5; "
            "w0 x0 at 2, -1; exp at -1: e^-1 = 0.37; the 1/x gate at 1.37: -1/x^2 = -0.53; "
            "sigmoid at 1: 0.20), tanh, x^2, max with either input the larger; a tuple of "
            "one derivative per input",
    visible=[
        # two different derivatives first: a wrong answer's factor or offset shows on it alone
        _lg("*", 3.0, -4.0, note="CENG 506: f = q z at q = 3, z = -4; df/dq = z, df/dz = q"),
        _lg("+", -2.0, 5.0, note="CENG 506: q = x + y at x = -2, y = 5; dq/dx = dq/dy = 1"),
        _lg("*", 2.0, -1.0, note="CENG 506's neuron: w0 x0 at w0 = 2, x0 = -1"),
        _lg("exp", -1.0, note="CENG 506's neuron: the exp gate at -1, e^-1 = 0.37"),
        _lg("**", _ONE_PLUS_INV_E, -1.0,
            note="CENG 506's neuron: the 1/x gate at x = 1 + e^-1 = 1.37, -1/x^2 = -0.53"),
        _lg("sigmoid", 1.0, note="CENG 506: the sigmoid gate at 1, (1 - 0.73) 0.73 = 0.20"),
        _lg("tanh", 0.5, note="tanh' = 1 - tanh^2"),
        _lg("**", 3.0, 2.0, note="x ** 2 at 3"),
        _lg("max", 2.0, -1.0, note="max(z, w) at z = 2, w = -1: the larger input is a"),
        _lg("max", -3.0, 4.0, note="max at a = -3, b = 4: the larger input is b"),
        _lg("sigmoid", -2.0, note="sigmoid at -2"),
    ],
    hidden=[
        *_random_local_cases(9301, "fresh random inputs"),
        *_random_local_cases(9302, "fresh random inputs"),
        _lg("max", 1.5, 1.5, note="a tie, max(1.5, 1.5): the gradient is split evenly"),
        _lg("max", -0.25, -0.25, note="a tie, max(-0.25, -0.25)"),
        _lg("*", 0.0, 7.0, note="a product with a zero input"),
        _lg("**", -1.5, 3.0, note="a negative base, x ** 3"),
        _lg("**", 2.0, 1.0, note="x ** 1"),
        _lg("tanh", 0.0, note="tanh at 0"),
        _lg("sigmoid", 0.0, note="sigmoid at 0: 1/4"),
    ],
    hidden_summary="fresh random inputs for every operation, other exponents (3, 1/2, -2, 1), "
                   "a negative base, and max at a tie",
    mistakes=[
        Mistake("mul_not_swapped", "mul swaps: for u = a b, du/da = b and du/db = a (CENG 506: "
                "f = q z gives df/dq = z, df/dz = q). Returning (a, b) gives each input its own "
                "value instead of the other input's.",
                _local_source({"*": "return (a, b)"})),
        Mistake("add_swapped", "add distributes: u = a + b has du/da = du/db = 1 whatever a and b "
                "are (CENG 506: dq/dx = dq/dy = 1). Swapping the inputs' values is the rule of "
                "the product, not of the sum.",
                _local_source({"+": "return (b, a)"})),
        Mistake("max_distributes", "max routes, it does not distribute: u = max(a, b) passes the "
                "whole gradient to the larger input (du/da = 1, du/db = 0 when a > b) and none "
                "to the other, because a small change of the smaller input does not change u.",
                _local_source({"max": "return (1.0, 1.0)"})),
        Mistake("pow_keeps_n", "the power rule lowers the exponent by one: d(x^n)/dx = n x^(n-1) "
                "(CENG 506's 1/x gate: -1/x^2), not n x^n.",
                _local_source({"**": "return (b * a ** b,)"})),
        Mistake("sigmoid_of_input", "sigma'(a) = sigma(a) (1 - sigma(a)) uses the gate's OUTPUT "
                "s = sigma(a) = 1/(1 + e^-a), not its input: a (1 - a) is the formula applied to "
                "the wrong number (CENG 506: (1 - 0.73) 0.73 = 0.20 at a = 1).",
                _local_source({"sigmoid": "return (a * (1.0 - a),)"})),
        Mistake("tanh_of_input", "tanh'(a) = 1 - tanh(a)^2 squares the gate's OUTPUT tanh(a), not "
                "its input: 1 - a^2 is the formula applied to the wrong number.",
                _local_source({"tanh": "return (1.0 - a * a,)"})),
        Mistake("max_tie_to_a", "at a tie (a == b) this max gives the whole gradient to a; the "
                "lesson's convention (stated in the task) splits it evenly, (0.5, 0.5), so that "
                "neither input is preferred.",
                _local_source({"max": "return (1.0, 0.0) if a >= b else (0.0, 1.0)"}),
                hidden_only=True),
    ],
    alternatives=[
        # a table of derivative formulas, the sigmoid's in CENG 506's first form
        "def local_gradients(op, a, b=None):\n"
        "    table = {\n"
        "        '+': lambda: (1.0, 1.0),\n"
        "        '*': lambda: (float(b), float(a)),\n"
        "        'max': lambda: (float(a > b) + 0.5 * (a == b), float(b > a) + 0.5 * (a == b)),\n"
        "        '**': lambda: (b * math.pow(a, b - 1),),\n"
        "        'exp': lambda: (math.exp(a),),\n"
        "        'tanh': lambda: (1.0 / math.cosh(a) ** 2,),\n"
        "        'sigmoid': lambda: (math.exp(-a) / (1.0 + math.exp(-a)) ** 2,),\n"
        "    }\n"
        "    return table[op]()\n",
        # NumPy, returning a list
        "def local_gradients(op, a, b=None):\n"
        "    if op == '+':\n"
        "        return [1.0, 1.0]\n"
        "    if op == '*':\n"
        "        return [b, a]\n"
        "    if op == 'max':\n"
        "        share = np.sign(a - b) / 2 + 0.5\n"
        "        return [float(share), float(1 - share)]\n"
        "    if op == '**':\n"
        "        return [float(b * np.power(a, b - 1))]\n"
        "    if op == 'exp':\n"
        "        return [float(np.exp(a))]\n"
        "    if op == 'tanh':\n"
        "        return [float(1 - np.tanh(a) ** 2)]\n"
        "    s = 0.5 * (1 + np.tanh(a / 2))\n"
        "    return [float(s * (1 - s))]\n",
    ],
    # building Values and reading their local_grads is handing in the reference
    forbidden=(graph.local_gradients, Value.local_grads.fget),
    namespace=_graph_namespace,
))


# ============================================================================ graph exercises

@dataclass
class GraphCase(Case):
    """One call on a graph: args = (spec, prefilled). The function receives only the root of a
    graph freshly built from the spec; prefilled: every node's .grad already holds the
    gradients of an earlier backward pass through the same root."""

    def call_text(self, name: str) -> str:
        return _call_text(name, self)


def _call_text(name, case) -> str:
    return f"{name}({case.args[0][-1][0]})"


def _g(spec, note, prefilled=False):
    return GraphCase((spec, prefilled), note=note)


class _GraphExercise(Exercise):
    """An exercise whose function takes the root of a Value graph built afresh for each call."""

    def arguments(self, case):
        spec, prefilled = case.args
        nodes = build(spec)
        if prefilled:
            for node, g in graph.backprop(nodes[-1]).items():
                _SLOT["grad"].__set__(node, g)
        self._built = (nodes[-1], nodes, spec)
        return (nodes[-1],), {}

    @staticmethod
    def _changed_args(case, args, kwargs):
        return ()       # the graph is built for this call only; observe() checks it

    def _nodes(self, args):
        root, nodes, spec = self._built
        if args[0] is not root:
            raise RuntimeError("observe() called for another graph than the last one built")
        return nodes, spec

    def failure(self, fn, case):
        """As Exercise.failure, with two additions: an exception that a catalogue entry
        reproduces (the recursive search's RecursionError on the deep chain) is diagnosed as
        that mistake, and the answer is judged by verdict()."""
        got, problem = self.outcome(fn, case)
        if problem:
            mistake = self._raising_mistake(fn, problem, case)
            if mistake is not None:
                diagnosis = Diagnosis("mistake", mistake.key, mistake.explain)
                return CheckFailure(problem + diagnosis.suffix(), diagnosis)
            return CheckFailure(problem, Diagnosis("problem", s.getattr(problem, "key", "other")))
        message = self.verdict(got, case)
        if message is None:
            return None
        diagnosis = self.diagnose(fn, got, case)
        return CheckFailure(message + diagnosis.suffix(), diagnosis)

    def verdict(self, got, case):
        """None when `got` is right on `case`, else what is wrong."""
        return self.judge(got, self.expected(case), case)

    def _raising_mistake(self, fn, problem, case):
        """The first catalogue entry that raises the exception the student's call raised on
        `case` and gives the student's answers on every visible case where both run."""
        key = s.getattr(problem, "key", "")
        if not key.startswith("raised "):
            return None
        seen = self.visible_outcomes(fn)
        for mistake in self.mistakes:
            if self._raised_by(mistake, case) == key[len("raised "):] and s.all_true(
                    self._agrees(mistake, other, mine) for other, mine, p in seen if p is None):
                return mistake
        return None

    def _raised_by(self, mistake, case):
        """The name of the exception the entry raises on `case`, or None."""
        try:
            wrong = self.compile(mistake.source)
            args, kwargs = self.arguments(case)
            wrong(*args, **kwargs)
        except s.BaseException as exc:    # noqa: B036 - what it raises is the question
            return type(exc).__name__
        return None


# ============================================================================ topological_order

class TopologicalOrderExercise(_GraphExercise):
    """Judged by validity; judge() (the sameness used by the catalogue) compares label lists."""

    def observe(self, result, args, kwargs):
        """("order", "x y q z f"): the labels of the returned nodes; ("error", why) otherwise."""
        nodes, spec = self._nodes(args)
        if not isinstance(result, (list, tuple)):
            return ("error", f"returned {s.describe_type(result)}; expected a list of the "
                             "graph's nodes (the Value objects), parents before children")
        where = {id(v): k for k, v in enumerate(nodes)}
        labels = []
        for k, item in enumerate(result):
            if type(item) is not Value:
                return ("error", f"returned a {type(result).__name__} whose item {k} is "
                                 f"{_what(item)}; list the nodes themselves (the Value objects), "
                                 "not their labels or values")
            j = where.get(id(item))
            if j is None:
                return ("error", f"returned a {type(result).__name__} whose item {k} is a Value "
                                 "that is not a node of the graph passed in (a new Value or a "
                                 "copy); list the graph's own nodes")
            labels.append(spec[j][0])
        return ("order", " ".join(labels))

    says_relations = False      # many right answers: no relation to the reference's one

    def verdict(self, got, case):
        return self.judge_order(got, case)

    def judge(self, got, expected, case):
        """None when the two answers are the same list of labels (for the catalogue)."""
        return None if got == expected else "different"

    def judge_order(self, got, case):
        """None when `got` is a topological order of the case's graph, else what is wrong."""
        spec = case.args[0]
        call = _call_text(self.name, case)
        where = f"  [{case.note}]" if case.note else ""
        if not (isinstance(got, tuple) and len(got) == 2 and got[0] in ("order", "error")
                and isinstance(got[1], str)):
            return f"{call} returned something that is not an order.{where}"
        if got[0] == "error":
            return f"{call} {got[1]}.{where}"
        labels = got[1].split(" ") if got[1] else []
        index = {e[0]: k for k, e in enumerate(spec)}
        if [lab for lab in labels if lab not in index]:
            return f"{call} returned nodes that are not in the graph.{where}"
        reach = _reachable(spec)
        n_reach = _sum(1 for r in reach if r)
        counts = {}
        for lab in labels:
            counts[lab] = counts.get(lab, 0) + 1
        repeated = [lab for lab in labels if counts[lab] > 1]
        if repeated:
            lab = repeated[0]
            return (f"{call} lists node '{lab}' {counts[lab]} times ({len(labels)} items for "
                    f"{n_reach} nodes); each node must appear exactly once. A node reached "
                    f"along several paths (a shared subexpression) is still one node.{where}")
        missing = [e[0] for k, e in enumerate(spec) if reach[k] and e[0] not in counts]
        if missing:
            shown = ", ".join(f"'{lab}'" for lab in missing[:6]) + (", ..." if len(missing) > 6 else "")
            return (f"{call} returned {len(labels)} nodes; {n_reach} are reachable from "
                    f"'{spec[-1][0]}' through .parents (the root and the inputs included). "
                    f"Missing: {shown}.{where}")
        position = {lab: k for k, lab in enumerate(labels)}
        late = None
        backwards = True
        for lab in labels:
            for p in spec[index[lab]][2]:
                parent = spec[p][0]
                if position[parent] > position[lab]:
                    late = late or (lab, parent)
                else:
                    backwards = False
        if late is None:
            return None
        if backwards:
            return (f"{call} lists the root '{spec[-1][0]}' first and every node before its "
                    f"parents: that is the order of the backward pass (reverse topological "
                    f"order). A topological order puts every node after all of its parents, "
                    f"the root last.{where}")
        lab, parent = late
        return (f"{call} lists '{lab}' (position {position[lab]}) before its parent '{parent}' "
                f"(position {position[parent]}); every node must come after all of its "
                f"parents.{where}")


_TOPO_RECURSION = (
    "a recursive depth-first search makes one nested call per node along a path, and Python "
    "stops any recursion deeper than its recursion limit (sys.getrecursionlimit(), 1000 by "
    "default) with RecursionError; this graph is a chain of 10,001 nodes. Keep the path in an "
    "explicit stack (a list you append to and pop from) instead of in nested calls.")

register(TopologicalOrderExercise(
    name="topological_order",
    reference=graph.topological_order,
    lesson=LESSON,
    summary="CENG 506's circuit (x + y) z and its sigmoid neuron, the dc/da = 4 graph (a node "
            "used twice by one operation), Kang's graph v -> w -> {x, y} -> z, f = x + x y and a "
            "random graph with shared subexpressions: every node reachable from the root "
            "exactly once, each after all of its parents (any such order is accepted)",
    visible=[
        *_lecture_graphs(),
        _g(SKIP, "f = x + x y: x is used directly and through m = x y"),
        _g(_random_spec(303, 3, 12), "a random graph with shared subexpressions"),
    ],
    hidden=[
        *_hidden_graphs(9303),
        _g(PATTERNS, "f = 2 (x y + max(z, w))"),
    ],
    hidden_summary="fresh random graphs with shared subexpressions, x * x, a one-node graph "
                   "and a chain of 10,001 nodes",
    mistakes=[
        Mistake("no_visited", "nothing remembers which nodes were already visited, so a node "
                "reached along several paths is listed once per path (and the search repeats "
                "its whole subgraph each time). Keep a set of the visited nodes and skip them.",
                "def topological_order(root):\n"
                "    order = []\n"
                "    stack = [(root, False)]\n"
                "    while stack:\n"
                "        node, parents_done = stack.pop()\n"
                "        if parents_done:\n"
                "            order.append(node)\n"
                "        else:\n"
                "            stack.append((node, True))\n"
                "            for p in node.parents:\n"
                "                stack.append((p, False))\n"
                "    return order\n"),
        Mistake("reversed", "the order is reversed: this lists the root first, the order in which "
                "the backward pass visits the nodes. topological_order must put every node "
                "after its parents (the root last); the backward sweep then walks it in reverse.",
                "def topological_order(root):\n"
                "    order, expanded = [], set()\n"
                "    stack = [(root, False)]\n"
                "    while stack:\n"
                "        node, parents_done = stack.pop()\n"
                "        if parents_done:\n"
                "            order.append(node)\n"
                "        elif node not in expanded:\n"
                "            expanded.add(node)\n"
                "            stack.append((node, True))\n"
                "            for p in node.parents:\n"
                "                if p not in expanded:\n"
                "                    stack.append((p, False))\n"
                "    return order[::-1]\n"),
        Mistake("seen_at_push", "nodes are marked as visited when they are pushed on the stack. "
                "A parent pushed for one child but still waiting further down the stack is then "
                "skipped when another child needs it, and that child is listed before it. Mark a "
                "node when it is expanded (popped for the first time), skip it if it was already "
                "expanded, and list it when it comes back with its parents done.",
                "def topological_order(root):\n"
                "    order, seen = [], {root}\n"
                "    stack = [(root, False)]\n"
                "    while stack:\n"
                "        node, parents_done = stack.pop()\n"
                "        if parents_done:\n"
                "            order.append(node)\n"
                "            continue\n"
                "        stack.append((node, True))\n"
                "        for p in node.parents:\n"
                "            if p not in seen:\n"
                "                seen.add(p)\n"
                "                stack.append((p, False))\n"
                "    return order\n"),
        Mistake("preorder_reversed", "each node is listed when the search first reaches it "
                "(pre-order) and the list is then reversed. Reversing a pre-order is not a "
                "topological order: a node reached early along one path can still be the "
                "parent of a node listed before it. List a node only after all of its parents "
                "are listed (post-order): push it back on the stack, marked, before its parents.",
                "def topological_order(root):\n"
                "    order, seen, stack = [], set(), [root]\n"
                "    while stack:\n"
                "        node = stack.pop()\n"
                "        if node in seen:\n"
                "            continue\n"
                "        seen.add(node)\n"
                "        order.append(node)\n"
                "        stack.extend(node.parents)\n"
                "    return order[::-1]\n"),
        Mistake("bfs_reversed", "breadth-first search from the root, reversed, orders the nodes "
                "by their shortest distance from the root. A node that is also reached along a "
                "longer path (a shared subexpression) then lands after a node that uses it. A "
                "node must come after all of its parents, whatever the paths' lengths: list it "
                "after its parents in a depth-first search (post-order).",
                "def topological_order(root):\n"
                "    from collections import deque\n"
                "    order, seen, queue = [], {root}, deque([root])\n"
                "    while queue:\n"
                "        node = queue.popleft()\n"
                "        order.append(node)\n"
                "        for p in node.parents:\n"
                "            if p not in seen:\n"
                "                seen.add(p)\n"
                "                queue.append(p)\n"
                "    return order[::-1]\n"),
        Mistake("inputs_missing", "the inputs (nodes without parents: x, y, the weights) are left "
                "out. They are nodes of the graph too, and the backward pass needs them in the "
                "order: their gradients are the ones training uses.",
                "def topological_order(root):\n"
                "    order, expanded = [], set()\n"
                "    stack = [(root, False)]\n"
                "    while stack:\n"
                "        node, parents_done = stack.pop()\n"
                "        if parents_done:\n"
                "            if node.parents:\n"
                "                order.append(node)\n"
                "        elif node not in expanded:\n"
                "            expanded.add(node)\n"
                "            stack.append((node, True))\n"
                "            for p in node.parents:\n"
                "                if p not in expanded:\n"
                "                    stack.append((p, False))\n"
                "    return order\n"),
        Mistake("recursive", _TOPO_RECURSION,
                "def topological_order(root):\n"
                "    order, seen = [], set()\n"
                "    def visit(node):\n"
                "        if node not in seen:\n"
                "            seen.add(node)\n"
                "            for p in node.parents:\n"
                "                visit(p)\n"
                "            order.append(node)\n"
                "    visit(root)\n"
                "    return order\n",
                hidden_only=True),
    ],
    alternatives=[
        # Kahn's algorithm: collect the graph, then repeatedly emit nodes whose parents are all out
        # (a dict as an ordered set: a set of nodes would order them by memory address)
        "def topological_order(root):\n"
        "    nodes, stack = {root: None}, [root]\n"
        "    while stack:\n"
        "        for p in stack.pop().parents:\n"
        "            if p not in nodes:\n"
        "                nodes[p] = None\n"
        "                stack.append(p)\n"
        "    waiting = {v: len(v.parents) for v in nodes}\n"
        "    children = {v: [] for v in nodes}\n"
        "    for v in nodes:\n"
        "        for p in v.parents:\n"
        "            children[p].append(v)\n"
        "    ready = [v for v in nodes if waiting[v] == 0]\n"
        "    order = []\n"
        "    while ready:\n"
        "        v = ready.pop()\n"
        "        order.append(v)\n"
        "        for c in children[v]:\n"
        "            waiting[c] -= 1\n"
        "            if waiting[c] == 0:\n"
        "                ready.append(c)\n"
        "    return order\n",
        # depth-first, one iterator of parents per node on the stack
        "def topological_order(root):\n"
        "    order, done, on_path = [], set(), {root}\n"
        "    stack = [(root, iter(root.parents))]\n"
        "    while stack:\n"
        "        node, parents = stack[-1]\n"
        "        nxt = next((p for p in parents if p not in done and p not in on_path), None)\n"
        "        if nxt is None:\n"
        "            stack.pop()\n"
        "            done.add(node)\n"
        "            order.append(node)\n"
        "        else:\n"
        "            on_path.add(nxt)\n"
        "            stack.append((nxt, iter(nxt.parents)))\n"
        "    return order\n",
    ],
    forbidden=(graph.topological_order, graph.backprop, graph._grad_table),
    namespace=_namespace_topological,
))


# ============================================================================ backward_sweep

class BackwardSweepExercise(_GraphExercise):
    """backward_sweep(root) sets every node's .grad; observed: the grads in the spec's order."""

    def arguments(self, case):
        args, kwargs = super().arguments(case)
        data = _SLOT["data"].__get__
        self._data = [data(v) for v in self._built[1]]
        return args, kwargs

    def observe(self, result, args, kwargs):
        nodes, spec = self._nodes(args)
        data = _SLOT["data"].__get__
        now = [data(v) for v in nodes]
        if now != self._data:
            k = next(k for k, (a, b) in enumerate(zip(now, self._data)) if a != b)
            return (f"changed the graph: {spec[k][0]}.data is {_what(now[k])} after the call, "
                    f"{s.fmt(self._data[k])} before; the backward pass only reads values")
        read = _SLOT["grad"].__get__
        try:
            grads = [read(v) for v in nodes]
        except AttributeError:          # Value.grad replaced by a property that stores nothing
            grads = [_unset(read, v) for v in nodes]
        for g, entry in zip(grads, spec):
            if type(g) is not float and _real(g) is None:
                return f"left {entry[0]}.grad = {_what(g)}, which is not a number"
        return s.array([float(g) for g in grads], dtype=s.float64)

    def judge(self, got, expected, case):
        spec = case.args[0]
        call = _call_text(self.name, case)
        where = f"  [{case.note}]" if case.note else ""
        if isinstance(expected, str):
            return "different"      # only for a catalogue entry's odd output
        if isinstance(got, str):
            return f"{call} {got}.{where}"
        g, e = s.to_float_array(got), s.to_float_array(expected)
        if g is None or g.shape != e.shape:
            return f"{call} does not match.{where}"
        if s.compare(g, e, self.rtol, self.atol) is None:
            return None
        with s.errstate(all="ignore"):
            ok = ((g - e).__abs__() <= e.__abs__() * self.rtol + self.atol) | (g == e)
        wrong = [k for k in s.range(len(spec)) if not bool(ok[k])]
        root = spec[-1][0]
        if not bool((g != 0.0).any()):
            return (f"after {call} every node's .grad is 0; expected d{root}/d{root} = 1 at the "
                    f"root and, e.g., d{root}/d{spec[wrong[0]][0]} = {s.fmt(float(e[wrong[0]]))}. "
                    f"The function must set node.grad on every node.{where}")
        first = wrong[-1]        # latest created: going backwards, the first to go wrong
        label = spec[first][0]
        return (f"after {call}, {label}.grad = {s.fmt(float(g[first]))}; expected "
                f"d{root}/d{label} = {s.fmt(float(e[first]))} ({len(wrong)} of {len(spec)} "
                f"nodes wrong).{where}")


def _sweep(body):
    return "def backward_sweep(root):\n" + body


def _sweep_source(order="    order = topological_order(root)\n",
                  reset="    for node in order:\n        node.grad = 0.0\n",
                  seed="    root.grad = 1.0\n", sweep="reversed(order)",
                  update="p.grad += node.grad * local") -> str:
    """The backward sweep written out step by step; a catalogued mistake changes one step."""
    return _sweep(order + reset + seed
                  + f"    for node in {sweep}:\n"
                  + "        for p, local in zip(node.parents, node.local_grads):\n"
                  + f"            {update}\n")


_BACKWARD_RECURSION = (
    "the order is built by a recursive depth-first search: it makes one nested call per node "
    "along a path, and Python stops any recursion deeper than its recursion limit "
    "(sys.getrecursionlimit(), 1000 by default) with RecursionError; this graph is a chain of "
    "10,001 nodes. Use your (iterative) topological_order, or keep the path in an explicit "
    "stack instead of in nested calls.")

register(BackwardSweepExercise(
    name="backward_sweep",
    reference=Value.backward,
    lesson=LESSON,
    summary="every node's .grad after the sweep: CENG 506's circuit (x.grad = y.grad = -4, "
            "z.grad = 3) and sigmoid neuron (w0 -0.20, x0 0.39, w1 -0.39, x1 -0.59, w2 0.20), "
            "dc/da = 4, Kang's v -> w -> {x, y} -> z, f = 2 (x y + max(z, w)) and a random "
            "graph with shared subexpressions, against backproplab.graph",
    visible=[
        *_lecture_graphs(),
        _g(PATTERNS, "f = 2 (x y + max(z, w)): add distributes, mul swaps, max routes"),
        _g(_random_spec(313, 3, 12), "a random graph with shared subexpressions"),
    ],
    hidden=[
        *_hidden_graphs(9313),
        _g(SKIP, "f = x + x y"),
        _g(NEURON, "CENG 506's neuron on which backward has already run once", prefilled=True),
        _g(_random_spec(9316, 3, 15), "a random graph on which backward has already run once",
           prefilled=True),
    ],
    hidden_summary="fresh random graphs with shared subexpressions, x * x, a one-node graph, "
                   "graphs whose .grad still hold an earlier backward's gradients, and a chain "
                   "of 10,001 nodes",
    mistakes=[
        Mistake("overwrite", "a node used more than once (b = a + a, or one value feeding two "
                "operations) gets one term per use, and its gradient is their SUM (Kang: "
                "grad_table[u_j] = sum over the children u_i of grad_table[u_i] du_i/du_j). "
                "`p.grad = ...` keeps only the last term; accumulate with `p.grad += ...`.",
                _sweep_source(update="p.grad = node.grad * local")),
        Mistake("no_seed", "the sweep never starts: the root's own gradient d root / d root = 1 "
                "(Kang: grad_table[u^(n)] <- 1) must be set before anything is passed back; "
                "with it left at 0 every product is 0.",
                _sweep_source(seed="")),
        Mistake("forward_order", "the nodes are visited in topological order (inputs first), so "
                "a node passes its gradient on before its children have given it theirs. Go "
                "backwards: reversed(topological_order(root)), the root first (Kang: for j = n - 1 "
                "down to 1).",
                _sweep_source(sweep="order")),
        Mistake("no_chain", "each parent receives only the local gradient du_i/du_j; the chain "
                "rule multiplies it by the node's own gradient, the upstream d root / du_i: "
                "p.grad += node.grad * local.",
                _sweep_source(update="p.grad += local")),
        Mistake("no_reset", "the gradients are added to whatever .grad held before the call "
                "(the gradients of an earlier backward), so a second backward doubles them. "
                "Start every node at 0 (Kang's grad_table starts empty), then set the root's to 1.",
                _sweep_source(reset=""),
                hidden_only=True),
        Mistake("recursive_topo", _BACKWARD_RECURSION,
                _sweep_source(order="    order, seen = [], set()\n"
                                    "    def visit(node):\n"
                                    "        if node not in seen:\n"
                                    "            seen.add(node)\n"
                                    "            for p in node.parents:\n"
                                    "                visit(p)\n"
                                    "            order.append(node)\n"
                                    "    visit(root)\n"),
                hidden_only=True),
    ],
    alternatives=[
        # Kang's formula read literally: each node PULLS the sum over its children, via a table
        _sweep("    order = topological_order(root)\n"
               "    children = {node: [] for node in order}\n"
               "    for node in order:\n"
               "        for k, p in enumerate(node.parents):\n"
               "            children[p].append((node, k))\n"
               "    grad_table = {}\n"
               "    for node in reversed(order):\n"
               "        if node is root:\n"
               "            grad_table[node] = 1.0\n"
               "        else:\n"
               "            grad_table[node] = sum(grad_table[c] * c.local_grads[k]\n"
               "                                   for c, k in children[node])\n"
               "    for node, g in grad_table.items():\n"
               "        node.grad = g\n"),
        # its own iterative order (Kahn's algorithm from the root), pushing to the parents
        _sweep("    waiting, stack = {root: 0}, [root]\n"
               "    while stack:\n"
               "        for p in stack.pop().parents:\n"
               "            if p not in waiting:\n"
               "                waiting[p] = 0\n"
               "                stack.append(p)\n"
               "            waiting[p] += 1\n"
               "    for node in waiting:\n"
               "        node.grad = 0.0\n"
               "    root.grad = 1.0\n"
               "    ready = [root]\n"
               "    while ready:\n"
               "        node = ready.pop()\n"
               "        for p, local in zip(node.parents, node.local_grads):\n"
               "            p.grad = p.grad + node.grad * local\n"
               "            waiting[p] -= 1\n"
               "            if waiting[p] == 0:\n"
               "                ready.append(p)\n"),
    ],
    forbidden=(Value.backward, graph.backprop, graph._grad_table),
    namespace=_namespace_backward,
))
