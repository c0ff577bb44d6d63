"""Lesson 01, neurons and logic gates (Kauchak and CENG 506): exercises and their mistakes.

sigmoid and neuron are compared with the reference numerically. gate_weights and
xnor_network have many right answers (any saturated weights compute a gate), so they are
judged by behaviour: the truth table from backproplab.datasets.logic_gate, within GATE_ATOL.
"""
from __future__ import annotations

import numpy as np

from .. import activations, datasets, gates, layers
from . import _safe as s
from ._safe import bool, isinstance, len, str, tuple  # noqa: A004 (captured builtins, see _safe)
from .exercise import Case, CheckFailure, Diagnosis, Exercise, Mistake
from . import register

LESSON = "01-neurons-and-logic-gates"


def _namespace():
    """What a student's notebook has defined when it reaches these exercises."""
    return {"np": np, "sigmoid": activations.sigmoid, "step": activations.step,
            "tanh": activations.tanh, "logic_gate": datasets.logic_gate,
            "neuron": layers.neuron, "gate_weights": gates.gate_weights}


def _random_cases(seed, shapes, scale=4.0, note="seeded random z"):
    rng = np.random.default_rng(seed)
    cases = []
    for shape in shapes:
        z = rng.normal(0.0, scale, size=shape)
        cases.append(Case((z if shape else float(z),), note=f"{note}, shape {shape}"))
    return cases


register(Exercise(
    name="sigmoid",
    reference=activations.sigmoid,
    lesson=LESSON,
    summary="g(0) = 0.5 and g(+-10) of CENG 506's gate tables; random scalars, vectors and "
            "matrices; float64 output of the input's shape; z not modified",
    visible=[
        Case((0.0,), note="g(0) = 1/2"),
        Case((10.0,), note="CENG 506: g(10) ~ 1"),
        Case((-10.0,), note="CENG 506: g(-10) ~ 0"),
        Case((np.array([-30.0, -10.0, 10.0, 30.0]),), note="CENG 506's AND/OR table values"),
        *_random_cases(101, [(), (5,), (3, 4)]),
    ],
    hidden=[
        *_random_cases(9101, [(), (7,), (2, 3, 4), (1, 1)]),
        Case((np.array([-700.0, -40.0, 40.0, 700.0]),), note="large |z|: saturates to 0 and 1"),
        Case((np.zeros((1, 3)),), note="a batch of one"),
    ],
    hidden_summary="fresh random arrays of other shapes, large |z| and a batch of one",
    mistakes=[
        Mistake("no_minus", "g(z) = 1/(1 + e^{-z}): the exponent has a minus sign; 1/(1 + e^{z}) "
                "is g(-z), which flips every output.",
                "def sigmoid(z):\n    return 1 / (1 + np.exp(z))\n"),
        Mistake("no_one", "the denominator is 1 + e^{-z}; without the 1 you get e^{z}, not a "
                "squashing function.",
                "def sigmoid(z):\n    return 1 / np.exp(-z)\n"),
        Mistake("tanh", "that is tanh(z), which ranges over (-1, 1); the sigmoid ranges over (0, 1).",
                "def sigmoid(z):\n    return np.tanh(z)\n"),
        Mistake("step", "that is the hard threshold (step); the sigmoid is its smooth version "
                "1/(1 + e^{-z}).",
                "def sigmoid(z):\n    return np.where(np.asarray(z) >= 0, 1.0, 0.0)\n"),
    ],
    alternatives=[
        "def sigmoid(z):\n"
        "    z = np.asarray(z, dtype=float)\n"
        "    # (1 + tanh(z/2)) / 2 is the same function, and never overflows\n"
        "    out = 0.5 * (1.0 + np.tanh(0.5 * z))\n"
        "    return out if out.ndim else float(out)\n",
    ],
    forbidden=(activations.sigmoid, activations._sigmoid_kernel),
    namespace=_namespace,
))


def _neuron_cases(seed, n_cases):
    rng = np.random.default_rng(seed)
    cases = []
    for i in range(n_cases):
        m = int(rng.integers(1, 5))
        x = rng.normal(size=(int(rng.integers(1, 6)), m)) if i % 2 else rng.normal(size=m)
        act = "sigmoid" if i % 3 else "step"
        cases.append(Case((x, rng.normal(size=m), float(rng.normal())), {"activation": act},
                          note=f"seeded random neuron, {act}"))
    return cases


_TRUTH = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])

register(Exercise(
    name="neuron",
    reference=layers.neuron,
    lesson=LESSON,
    summary="CENG 506's AND neuron g(-30 + 20 x1 + 20 x2) on the truth table, its worked "
            "neuron f = 0.73, the step threshold at z = 0, random single inputs and batches with both activations; "
            "output shape and float64; inputs not modified",
    visible=[
        Case((_TRUTH, np.array([20.0, 20.0]), -30.0), {"activation": "sigmoid"},
             note="CENG 506's AND neuron on the truth table"),
        Case((np.array([-1.0, -2.0]), np.array([2.0, -3.0]), -3.0), {"activation": "sigmoid"},
             note="CENG 506's 'Another example': w0 = 2, x0 = -1, w1 = -3, x1 = -2, bias -3 "
                  "gives f = 0.73", expected=0.73, atol=0.005),
        Case((np.array([1.0, 1.0]), np.array([1.0, -1.0]), 0.0), {"activation": "step"},
             note="z = 0 exactly: Kauchak's threshold fires when in >= T"),
        *_neuron_cases(102, 6),
    ],
    hidden=[
        *_neuron_cases(9102, 10),
        Case((np.array([[0.5, -1.0, 2.0]]), np.array([1.0, 2.0, 3.0]), -0.5), {"activation": "sigmoid"},
             note="a batch of one"),
        Case((_TRUTH, np.array([20.0, 20.0]), -10.0), {"activation": "step"},
             note="CENG 506's OR neuron with a hard threshold"),
    ],
    hidden_summary="fresh random neurons, a batch of one and the OR neuron with a step",
    mistakes=[
        Mistake("no_bias", "the bias is missing: z = x . w + b.",
                "def neuron(x, w, b, activation='sigmoid'):\n"
                "    g = sigmoid if activation == 'sigmoid' else step\n"
                "    return g(np.asarray(x) @ np.asarray(w))\n"),
        Mistake("no_activation", "this is z = x . w + b; the neuron's output is g(z).",
                "def neuron(x, w, b, activation='sigmoid'):\n"
                "    return np.asarray(x) @ np.asarray(w) + b\n"),
        Mistake("activation_per_term", "g is applied once, to the whole weighted sum "
                "x . w + b, not to each term w_i x_i.",
                "def neuron(x, w, b, activation='sigmoid'):\n"
                "    g = sigmoid if activation == 'sigmoid' else step\n"
                "    return np.sum(g(np.asarray(x) * np.asarray(w)), axis=-1) + b\n"),
        Mistake("strict_threshold", "Kauchak's hard threshold is 1 when in >= T: at exactly "
                "z = 0 the step gives 1, not 0.",
                "def neuron(x, w, b, activation='sigmoid'):\n"
                "    z = np.asarray(x) @ np.asarray(w) + b\n"
                "    if activation == 'step':\n"
                "        return np.where(z > 0, 1.0, 0.0)\n"
                "    return sigmoid(z)\n"),
        Mistake("ignores_activation", "the `activation` argument is ignored: with "
                "activation='step' the output must be 0 or 1.",
                "def neuron(x, w, b, activation='sigmoid'):\n"
                "    return sigmoid(np.asarray(x) @ np.asarray(w) + b)\n"),
    ],
    alternatives=[
        "def neuron(x, w, b, activation='sigmoid'):\n"
        "    x = np.asarray(x, dtype=float)\n"
        "    rows = x.reshape(-1, x.shape[-1])\n"
        "    out = np.empty(len(rows))\n"
        "    for r, row in enumerate(rows):\n"
        "        z = b\n"
        "        for xi, wi in zip(row, w):\n"
        "            z += wi * xi\n"
        "        out[r] = (1.0 if z >= 0 else 0.0) if activation == 'step' else 1 / (1 + np.exp(-z))\n"
        "    return out if x.ndim == 2 else float(out[0])\n",
    ],
    forbidden=(layers.neuron,),
    namespace=_namespace,
))


# -- gate_weights: judged by what the neuron computes ------------------------------------

# An answer is right when the sigmoid neuron is within GATE_ATOL of the truth table on every
# row: saturated like the lecture's +-20 weights (which are 4.5e-5 away), not merely on the
# right side of 0.5. GATE_ATOL = 0.01 needs |z| >= ln 99 = 4.6 at each of the four inputs.
GATE_ATOL = 0.01
# captured at import: a student's cell may rebind np.exp / np.errstate, not these names
_exp = np.exp
_errstate = np.errstate


def _truth_table(name):
    """(X (4, 2), y (4,)) of a gate, from backproplab.datasets (NOR = 1 - OR)."""
    if name == "nor":
        X, y = datasets.logic_gate("or")
        return X, 1.0 - y[:, 0]
    X, y = datasets.logic_gate(name)
    return X, y[:, 0]


_GATE_TABLES = {g: _truth_table(g) for g in ("and", "or", "nand", "nor")}


def _neuron(X, w, b):
    """(z, g(z)) for every row of X; g the sigmoid from e^{-|z|}, built from captured pieces.

    Silent for absurd weights too (1e308 + 1e308 overflows to inf, where g is still 0 or 1).
    """
    with _errstate(all="ignore"):
        z = X @ w + b
        e = _exp(-(z.__abs__()))
        return z, (z >= 0) * (1.0 / (1.0 + e)) + (z < 0) * (e / (1.0 + e))


def _unpack_answer(answer):
    """(w (2,), b (), swapped) from a gate_weights answer, or None when it is not a pair
    of an array of two weights and a number (in either order)."""
    if not isinstance(answer, (tuple, s.list)) or len(answer) != 2:
        return None
    if isinstance(answer[0], str) or isinstance(answer[1], str):
        return None
    first, second = s.to_float_array(answer[0]), s.to_float_array(answer[1])
    if first is None or second is None:
        return None
    if not (bool(s.isfinite(first).all()) and bool(s.isfinite(second).all())):
        return None
    if first.shape == (2,) and second.shape == ():
        return first, second, False
    if first.shape == () and second.shape == (2,):
        return second, first, True
    return None


class GateWeightsExercise(Exercise):
    """gate_weights(name) -> (w, b): right when g(X w + b) reproduces the gate's truth table.

    judge() (used to recognise catalogue mistakes) calls two answers the same when their
    neurons behave the same on the gate's four inputs, whatever the exact numbers.
    """

    says_relations = False

    def freeze(self) -> None:
        """Nothing to compute: judged by behaviour, never by the reference's output."""

    def failure(self, fn, case: Case):
        got, problem = self.outcome(fn, case)
        if problem:
            return CheckFailure(problem, Diagnosis("problem", s.getattr(problem, "key", "other")))
        message = self.judge_behaviour(got, case)
        if message is None:
            return None
        diagnosis = self.diagnose(fn, got, case)
        return CheckFailure(message + diagnosis.suffix(), diagnosis)

    def judge(self, got, expected, case: Case):
        mine, theirs = _unpack_answer(got), _unpack_answer(expected)
        if mine is None or theirs is None or mine[2] != theirs[2]:
            return "different"
        X, _ = _GATE_TABLES[case.args[0]]
        same = s.compare(_neuron(X, mine[0], mine[1])[1], _neuron(X, theirs[0], theirs[1])[1],
                         0.0, GATE_ATOL)
        return None if same is None else "different"

    def judge_behaviour(self, got, case: Case):
        """None when `got` is a valid (w, b) whose neuron computes the case's gate."""
        name = case.args[0]
        call = case.call_text(self.name)
        where = f"  [{case.note}]" if case.note else ""
        shape_rule = ("return a pair (w, b): w a NumPy array of the two weights (w1, w2), "
                      "shape (2,), and b the bias, a single number")
        if not isinstance(got, (tuple, s.list)) or len(got) != 2:
            return f"{call} returned {s.describe_type(got)}; {shape_rule}.{where}"
        w = None if isinstance(got[0], str) else s.to_float_array(got[0])
        b = None if isinstance(got[1], str) else s.to_float_array(got[1])
        if w is not None and b is not None and w.shape == () and b.shape == (2,):
            return (f"{call} returned w = {s.fmt(w)} and b = {s.fmt(b)}: the bias came first. "
                    f"{shape_rule[0].upper()}{shape_rule[1:]}, in that order.{where}")
        if w is None or w.shape != (2,):
            what = "something that is not numbers" if w is None else f"shape {w.shape}"
            return (f"{call} returned w with {what}; w must hold the two weights (w1, w2), "
                    f"shape (2,) — {shape_rule}.{where}")
        if b is None or b.shape != ():
            what = "something that is not a number" if b is None else f"an array of shape {b.shape}"
            return (f"{call} returned b as {what}; the bias of one neuron is a single number "
                    f"(like -30.0, not [-30.0]).{where}")
        if not (bool(s.isfinite(w).all()) and bool(s.isfinite(b))):
            return f"{call} returned w = {s.fmt(w)}, b = {s.fmt(b)}; use finite numbers.{where}"
        X, target = _GATE_TABLES[name]
        z, out = _neuron(X, w, b)
        if s.compare(out, target, 0.0, GATE_ATOL) is None:
            return None
        rows = [f"    x1 x2 |   z = b + w1 x1 + w2 x2 |  g(z)    | {name.upper()}"]
        for i in s.range(4):
            off = (out[i] - target[i]).__abs__() > GATE_ATOL
            rows.append(f"     {X[i, 0]:.0f}  {X[i, 1]:.0f} | {z[i]:23.6g} | {out[i]:.6f} | "
                        f"{target[i]:.0f}" + ("   <- off by more than 0.01" if off else ""))
        message = (f"{call} returned w = {s.fmt(w)}, b = {s.fmt(b, 4)}; the neuron "
                   f"g(b + w1 x1 + w2 x2) then gives\n" + "\n".join(rows) + "\n"
                   f"  It must be within {GATE_ATOL} of the truth table on every row.{where}")
        fires = (z >= 0) * 1.0
        if bool((fires == target).all()):
            message += ("\n  Every row is on the right side of z = 0, but the sigmoid is not "
                        "saturated: multiply w and b by the same factor (that keeps the line "
                        "z = 0 and makes g steeper). CENG 506 uses 20, 20 and -30.")
            return message
        for other, (_, other_target) in _GATE_TABLES.items():
            if bool((fires == other_target).all()):
                return message + (f"\n  This neuron fires (z >= 0) exactly where {other.upper()} "
                                  f"is 1: it computes {other.upper()}, not {name.upper()}.")
        if not bool(fires.any()) or bool(fires.all()):
            word, value = ("on every row", 1) if bool(fires.all()) else ("on no row", 0)
            message += (f"\n  This neuron fires (z >= 0) {word}: it says {value} whatever the "
                        "inputs are.")
        return message


def _gate_source(table, swap=False):
    """Source of a gate_weights that returns table[name] = ((w1, w2), b)."""
    ret = "b, np.array(w)" if swap else "np.array(w), b"
    return ("def gate_weights(name):\n"
            f"    table = {table!r}\n"
            "    w, b = table[name]\n"
            f"    return {ret}\n")


_RIGHT = {"and": ((20.0, 20.0), -30.0), "or": ((20.0, 20.0), -10.0),
          "nand": ((-20.0, -20.0), 30.0), "nor": ((-20.0, -20.0), 10.0)}

register(GateWeightsExercise(
    name="gate_weights",
    reference=gates.gate_weights,
    lesson=LESSON,
    summary="AND and OR: the returned (w, b) is a pair of an array of shape (2,) and a number, "
            "and the sigmoid neuron g(b + w1 x1 + w2 x2) is within 0.01 of logic_gate's truth "
            "table on all four inputs (CENG 506's tables)",
    visible=[
        Case(("and",), note="CENG 506: AND = g(-30 + 20 x1 + 20 x2)"),
        Case(("or",), note="CENG 506: OR = g(-10 + 20 x1 + 20 x2)"),
    ],
    hidden=[
        Case(("nand",), note="NAND = NOT (x1 AND x2)"),
        Case(("nor",), note="NOR = (NOT x1) AND (NOT x2) = NOT (x1 OR x2)"),
    ],
    hidden_summary="the gates NAND and NOR on their truth tables",
    # sign_flipped and bias_not_negated get AND and OR (the visible cases) right but NAND and
    # NOR wrong: hidden_only, so a student who learns NAND / NOR from the check loses points.
    mistakes=[
        Mistake("and_with_or_bias",
                "for AND the bias must be -30 (CENG 506): with -10 one active input already "
                "gives z = +10 and the neuron fires, which is OR. The bias decides how many "
                "inputs must be on: AND needs both (z = -10 with one, +10 with two).",
                _gate_source(dict(_RIGHT, **{"and": ((20.0, 20.0), -10.0)}))),
        Mistake("too_small",
                "the signs are right but the weights are too small to saturate the sigmoid: "
                "g(1) = 0.73 is not ~1. Scale w and b up together (CENG 506 uses 20, 20 and "
                "-30), so that |z| >= 10 on every row.",
                _gate_source({"and": ((2.0, 2.0), -3.0), "or": ((2.0, 2.0), -1.0),
                              "nand": ((-2.0, -2.0), 3.0), "nor": ((-2.0, -2.0), 1.0)})),
        Mistake("sign_flipped",
                "NAND is NOT AND and NOR is NOT OR: negate the weights and the bias, because "
                "1 - g(z) = g(-z). NAND = g(30 - 20 x1 - 20 x2), NOR = g(10 - 20 x1 - 20 x2).",
                _gate_source(dict(_RIGHT, nand=_RIGHT["and"], nor=_RIGHT["or"])), hidden_only=True),
        Mistake("swapped",
                "return (w, b) in that order: the weights first (an array of shape (2,)), then "
                "the bias (a number).",
                _gate_source(_RIGHT, swap=True)),
        Mistake("bias_not_negated",
                "negating a gate negates the whole z = b + w1 x1 + w2 x2, the bias included: "
                "NAND = g(30 - 20 x1 - 20 x2), not g(-30 - 20 x1 - 20 x2), which is 0 on every row.",
                _gate_source(dict(_RIGHT, nand=((-20.0, -20.0), -30.0), nor=((-20.0, -20.0), -10.0))),
                hidden_only=True),
        Mistake("boundary_through_points",
                "the line z = 0 runs through two of the inputs, where g(0) = 0.5. Put it between "
                "the points: halfway between one active input (z = b + 20) and two (z = b + 40) "
                "for AND, i.e. b = -30; halfway between none and one for OR, b = -10.",
                _gate_source(dict(_RIGHT, **{"and": ((20.0, 20.0), -20.0), "or": ((20.0, 20.0), -20.0)}))),
    ],
    alternatives=[
        # other saturated weights: the same lines z = 0 as the lecture's, steeper
        "def gate_weights(name):\n"
        "    k = 50.0\n"
        "    if name == 'and':\n"
        "        return k * np.array([1.0, 1.0]), -1.5 * k\n"
        "    if name == 'or':\n"
        "        return k * np.array([1.0, 1.0]), -0.5 * k\n"
        "    if name == 'nand':\n"
        "        return -k * np.array([1.0, 1.0]), 1.5 * k\n"
        "    if name == 'nor':\n"
        "        return -k * np.array([1.0, 1.0]), 0.5 * k\n"
        "    raise ValueError(f'unknown gate {name!r}')\n",
        # NAND and NOR derived from AND and OR by 1 - g(z) = g(-z); tuples and ints for w
        "def gate_weights(name):\n"
        "    base = {'and': (np.array([20, 20]), -30), 'or': (np.array([20, 20]), -10)}\n"
        "    if name in base:\n"
        "        return base[name]\n"
        "    w, b = base[{'nand': 'and', 'nor': 'or'}[name]]\n"
        "    return -w, -b\n",
    ],
    forbidden=(gates.gate_weights,),
    namespace=_namespace,
))


# -- xnor_network: CENG 506's 2-2-1 network, judged on the XNOR truth table --------------

def _xnor_case(X, note):
    """A case whose expected output is x1 XNOR x2 (1 where x1 == x2), shape (n, 1)."""
    X = np.asarray(X, dtype=np.float64)
    y = (X[:, 0] == X[:, 1]).astype(np.float64).reshape(-1, 1)
    return Case((X,), note=note, expected=y, atol=GATE_ATOL)


def _binary_batches(seed, sizes):
    rng = np.random.default_rng(seed)
    return [_xnor_case(rng.integers(0, 2, size=(n, 2)).astype(np.float64),
                       f"seeded random binary rows, batch of {n}") for n in sizes]


_XNOR_X, _XNOR_Y = datasets.logic_gate("xnor")


def _xnor_source(hidden_w="[[20.0, -20.0], [20.0, -20.0]]", hidden_b="[-30.0, 10.0]",
                 out_w="[[20.0], [20.0]]", out_b="[-10.0]", ret="sigmoid(A2 @ W2 + b2)",
                 transpose=False):
    """Source of an xnor_network written as two matrix layers, with parts swapped out."""
    product = "X @ W1.T" if transpose else "X @ W1"
    return ("def xnor_network(X):\n"
            "    X = np.asarray(X, dtype=float)\n"
            f"    W1, b1 = np.array({hidden_w}), np.array({hidden_b})\n"
            f"    W2, b2 = np.array({out_w}), np.array({out_b})\n"
            f"    A2 = sigmoid({product} + b1)\n"
            f"    return {ret}\n")


register(Exercise(
    name="xnor_network",
    reference=gates.xnor_network,
    lesson=LESSON,
    summary="CENG 506's table (f = 1, 0, 0, 1 for x1 x2 = 00, 01, 10, 11) and "
            "logic_gate('xnor'), the rows in another order and a seeded batch of binary rows, "
            "each within 0.01; output float64 of shape (n, 1); X not modified",
    visible=[
        Case((_TRUTH,), note="CENG 506's table: f = 1, 0, 0, 1",
             expected=np.array([[1.0], [0.0], [0.0], [1.0]]), atol=GATE_ATOL),
        Case((_XNOR_X,), note="logic_gate('xnor')", expected=_XNOR_Y, atol=GATE_ATOL),
        _xnor_case(_TRUTH[::-1].copy(), "the truth table upside down (11, 10, 01, 00)"),
        *_binary_batches(103, [6]),
    ],
    hidden=[
        *_binary_batches(9103, [9, 32]),
        _xnor_case([[1.0, 1.0]], "a batch of one: (1, 1)"),
        _xnor_case([[0.0, 1.0]], "a batch of one: (0, 1)"),
        _xnor_case([[0.0, 0.0]], "a batch of one: (0, 0)"),
    ],
    hidden_summary="fresh random batches of binary rows and batches of one",
    # Many weights compute XNOR; answers (and catalogue mistakes) are told apart within 0.01.
    rtol=0.0,
    atol=GATE_ATOL,
    mistakes=[
        Mistake("or_hidden",
                "the first hidden unit must be x1 AND x2 = g(-30 + 20 x1 + 20 x2). With OR "
                "(bias -10) there, the output a1 OR a2 is 1 for every input.",
                _xnor_source(hidden_b="[-10.0, 10.0]")),
        Mistake("no_not",
                "the second hidden unit is (NOT x1) AND (NOT x2) = g(10 - 20 x1 - 20 x2), which "
                "fires only for x1 = x2 = 0. With AND twice the network computes plain AND and "
                "loses the row 00.",
                _xnor_source(hidden_w="[[20.0, 20.0], [20.0, 20.0]]", hidden_b="[-30.0, -30.0]")),
        Mistake("output_and",
                "the output unit is a1 OR a2 = g(-10 + 20 a1 + 20 a2): XNOR is 1 when either "
                "hidden unit fires. a1 AND a2 is 0 for every input, since the two never fire "
                "together.",
                _xnor_source(out_b="[-30.0]")),
        Mistake("returns_hidden",
                "this returns the hidden layer (a1, a2), shape (n, 2). The network's output is "
                "the third unit, f = a_1^(3) = g(-10 + 20 a1 + 20 a2), shape (n, 1).",
                _xnor_source(ret="A2")),
        Mistake("flat",
                "the values are right, but the shape is (n,). The network has one output unit, "
                "so it returns one column per sample, shape (n, 1), like y of "
                "logic_gate('xnor'): keep W2 of shape (2, 1), or end with .reshape(-1, 1).",
                _xnor_source(out_w="[20.0, 20.0]", out_b="-10.0")),
        Mistake("transposed_W1",
                "the hidden weights are transposed. With one sample per row, Z = X W1 + b1 needs "
                "W1 of shape (n_in, n_out) whose column j holds the weights into hidden unit j; "
                "X W1^T mixes the weights of the two units.",
                _xnor_source(transpose=True)),
        Mistake("no_output_bias",
                "the output unit needs its bias: a1 OR a2 = g(-10 + 20 a1 + 20 a2). Without "
                "the -10, the rows 01 and 10 (a1 = a2 = 0) give g(0) = 0.5.",
                _xnor_source(ret="sigmoid(A2 @ W2)")),
    ],
    alternatives=[
        # one sample and one neuron at a time, in the lecture's scalar notation
        "def xnor_network(X):\n"
        "    X = np.asarray(X, dtype=float)\n"
        "    out = np.zeros((X.shape[0], 1))\n"
        "    for i, (x1, x2) in enumerate(X):\n"
        "        a1 = 1 / (1 + np.exp(-(-30 + 20 * x1 + 20 * x2)))\n"
        "        a2 = 1 / (1 + np.exp(-(10 - 20 * x1 - 20 * x2)))\n"
        "        out[i, 0] = 1 / (1 + np.exp(-(-10 + 20 * a1 + 20 * a2)))\n"
        "    return out\n",
        # Kauchak's hard thresholds: exact 0/1 outputs
        "def xnor_network(X):\n"
        "    X = np.asarray(X, dtype=float)\n"
        "    s = X[:, 0] + X[:, 1]\n"
        "    h_and, h_nor = step(s, 1.5), step(-s, -0.5)\n"
        "    return step(h_and + h_nor, 0.5).reshape(-1, 1)\n",
        # built from the gate neurons of the previous exercises
        "def xnor_network(X):\n"
        "    w_and, b_and = gate_weights('and')\n"
        "    w_nor, b_nor = gate_weights('nor')\n"
        "    w_or, b_or = gate_weights('or')\n"
        "    A2 = np.column_stack([neuron(X, w_and, b_and), neuron(X, w_nor, b_nor)])\n"
        "    return neuron(A2, w_or, b_or)[:, None]\n",
    ],
    forbidden=(gates.xnor_network,),
    namespace=_namespace,
))
