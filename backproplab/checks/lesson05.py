"""Lesson 05, node deltas (Samatova, CENG 506, the 2-2-2 worked example): exercises and mistakes.

Exercises, in the order of the notebook: output_delta, hidden_delta, weight_gradients,
backward_pass, numerical_gradient, relative_error. The worked numbers are those of the 2-2-2
network of M. Mazur, "A Step by Step Backpropagation Example" (2015), which CENG 506 links,
and of CENG 506's single sigmoid neuron (w = (2, -3), bias -3, x = (-1, -2), target 0.43).

weight_gradients returns the pair (dW, db) and backward_pass the pair of lists
(grads_W, grads_b): _PartsExercise judges such answers item by item and names the item that
is wrong. numerical_gradient takes a function f; the cases' functions are _Objective objects
built from NumPy functions captured at import, so a student's cell that patches NumPy changes
neither them nor the frozen expected values.
"""
from __future__ import annotations

import numpy as np

import math

from .. import activations, deltas, gradcheck, layers, losses, network
from . import _safe as s
# Bind the builtins this module uses to the copies captured at import (see _safe).
from ._safe import enumerate, isinstance, len, list, str, super, tuple, zip  # noqa: A004
from .exercise import Case, Exercise, Mistake, Problem
from . import register

LESSON = "05-node-deltas"

_get = activations.get_activation
_sin, _cos, _exp, _sum = np.sin, np.cos, np.exp, np.sum


# ----------------------------------------------------------------------------- namespaces

def _base_namespace():
    """The setup cell's imports (the lesson's notebook has exactly these)."""
    return {"np": np, "math": math, "get_activation": _get, "sigmoid": activations.sigmoid,
            "softmax": activations.softmax, "quadratic": losses.quadratic,
            "binary_cross_entropy": losses.binary_cross_entropy,
            "cross_entropy": losses.cross_entropy}


def _namespace_backward():
    # the student's own delta functions are defined by then; the catalogue uses the references
    return {**_base_namespace(), "output_delta": deltas.output_delta,
            "hidden_delta": deltas.hidden_delta, "weight_gradients": deltas.weight_gradients}


def _namespace_gradcheck():
    return {**_namespace_backward(), "backward_pass": layers.backward}


def _namespace_relative_error():
    return {**_namespace_gradcheck(), "numerical_gradient": gradcheck.numerical_gradient}


def _def(header):
    """A maker of catalogue sources: the exercise's def line (header) followed by a body."""
    return lambda body: header + body


# ----------------------------------------------------------------------------- worked numbers

# The 2-2-2 example. W[i, j] goes from unit i to unit j: w1 (i1->h1) and w2 (i2->h1) form the
# first column of W1, w5 (h1->o1) and w6 (h2->o1) the first column of W2.
MAZUR_X = np.array([[0.05, 0.10]])
MAZUR_T = np.array([[0.01, 0.99]])
MAZUR_W1 = np.array([[0.15, 0.25], [0.20, 0.30]])
MAZUR_B1 = np.array([0.35, 0.35])
MAZUR_W2 = np.array([[0.40, 0.50], [0.45, 0.55]])
MAZUR_B2 = np.array([0.60, 0.60])
MAZUR_Z1 = MAZUR_X @ MAZUR_W1 + MAZUR_B1              # net_h1 = 0.3775, net_h2
MAZUR_A1 = activations.sigmoid(MAZUR_Z1)             # out_h1, out_h2
MAZUR_Z2 = MAZUR_A1 @ MAZUR_W2 + MAZUR_B2             # net_o1, net_o2
MAZUR_A2 = activations.sigmoid(MAZUR_Z2)             # out_o1, out_o2
MAZUR_DELTA_O = deltas.output_delta(MAZUR_A2, MAZUR_T, MAZUR_Z2)
MAZUR_DELTA_H = deltas.hidden_delta(MAZUR_DELTA_O, MAZUR_W2, MAZUR_Z1)

# CENG 506's neuron f = sigma(w0 x0 + w1 x1 + w2): a one-layer network whose bias is w2.
CENG_X = np.array([[-1.0, -2.0]])
CENG_W = np.array([[2.0], [-3.0]])
CENG_B = np.array([-3.0])
CENG_T = np.array([[0.43]])
CENG_Z = CENG_X @ CENG_W + CENG_B                     # z = 1
CENG_A = activations.sigmoid(CENG_Z)                  # 0.73
CENG_DELTA = deltas.output_delta(CENG_A, CENG_T, CENG_Z)

MAZUR_NOTE = "the 2-2-2 example (Mazur, linked from CENG 506)"
CENG_NOTE = "CENG 506's neuron: w = (2, -3), bias -3, x = (-1, -2), target 0.43"


# ----------------------------------------------------------------------------- helpers

class _ShapesCase(Case):
    """A case whose call is shown with the arguments' shapes (networks print too long)."""

    def call_text(self, name: str) -> str:
        def short(a):
            if isinstance(a, s.ndarray):
                return f"array{a.shape}"
            if isinstance(a, (list, tuple)) and a and isinstance(a[0], s.ndarray):
                return "[" + ", ".join(f"array{v.shape}" for v in a) + "]"
            return s.fmt(a, 4)
        parts = [short(a) for a in self.args]
        parts += [f"{k}={short(v)}" for k, v in self.kwargs.items()]
        return f"{name}({', '.join(parts)})"


class _PartsExercise(Exercise):
    """An answer made of named items, e.g. the pair (dW, db); each item is judged on its own.

    parts: the items' names, in the order returned; an item may itself be a list of arrays
    (one per layer), which is judged array by array.
    """

    parts: tuple = ()
    ending: str = ""

    def judge(self, got, expected, case):
        if not (isinstance(expected, (tuple, list)) and len(expected) == len(self.parts)):
            # only reached when a catalogue entry returned something of another form
            return self._tree(got, expected, case, "the result", "the result")
        if not (isinstance(got, (tuple, list)) and len(got) == len(self.parts)):
            where = f"  [{case.note}]" if case.note else ""
            return (f"{case.call_text(self.name)} returned {s.describe_type(got)}; expected "
                    f"{len(self.parts)} items, {self._items()}: end with `{self.ending}`.{where}")
        for i, (name, g, e) in enumerate(zip(self.parts, got, expected)):
            message = self._tree(g, e, case, name, f"{name} (item {i + 1} of what you returned)")
            if message is not None:
                return message
        return None

    def _items(self):
        return ", ".join(self.parts[:-1]) + " and " + self.parts[-1]

    def _tree(self, got, expected, case, name, label):
        """None if got matches expected item by item; else what differs, naming the item."""
        if isinstance(expected, (tuple, list)):
            if not isinstance(got, (tuple, list)):
                return (f"{label} is {s.describe_type(got)}; expected a list of {len(expected)} "
                        "arrays, one per layer.")
            if len(got) != len(expected):
                return (f"{label} holds {len(got)} items; expected {len(expected)}, one per layer "
                        "(the first layer's first).")
            for i, (g, e) in enumerate(zip(got, expected)):
                message = self._tree(g, e, case, f"{name}[{i}]", f"{name}[{i}]")
                if message is not None:
                    return message
            return None
        message = super().judge(got, expected, case)
        return None if message is None else f"{label} is wrong: {message}"


class _Objective:
    """A function f(x) -> float for numerical_gradient, shown as its Python source."""

    def __init__(self, source: str, fn):
        self.source, self.fn = source, fn

    def __call__(self, x):
        return self.fn(x)

    def __repr__(self):
        return self.source


def _mazur_loss_of_w2(W2):
    """E_total of the 2-2-2 example as a function of W^(2) (the other weights fixed)."""
    out = 1.0 / (1.0 + _exp(-(MAZUR_A1 @ W2 + MAZUR_B2)))
    return float(0.5 * _sum((out - MAZUR_T) ** 2))


def _mazur_loss_of_w1(W1):
    hidden = 1.0 / (1.0 + _exp(-(MAZUR_X @ W1 + MAZUR_B1)))
    out = 1.0 / (1.0 + _exp(-(hidden @ MAZUR_W2 + MAZUR_B2)))
    return float(0.5 * _sum((out - MAZUR_T) ** 2))


# ============================================================================= output_delta

def _output_cases(seed, specs, note="seeded random batch", z_scale=1.5):
    """specs: (n, k, loss, activation) per case; y_hat = phi(z) as a forward pass makes it."""
    rng = np.random.default_rng(seed)
    cases = []
    for n, k, loss, act in specs:
        z = rng.normal(0.0, z_scale, size=(n, k))
        y_hat = _get(act).f(z)
        if loss == "quadratic":
            y = rng.normal(0.0, 1.0, size=(n, k))
        elif loss == "binary_cross_entropy":
            y = (rng.random(size=(n, k)) < 0.5).astype(float)
        else:
            y = np.eye(k)[rng.integers(0, k, size=n)]
        cases.append(Case((y_hat, y, z), {"loss": loss, "activation": act},
                          note=f"{note}: {n} samples, {k} outputs, {loss} loss, {act} output"))
    return cases


_out_source = _def('def output_delta(y_hat, y, z, loss="quadratic", activation="sigmoid"):\n')


_SATURATED_Z = np.array([[40.0, -40.0], [-40.0, 40.0], [3.0, -3.0]])

register(Exercise(
    name="output_delta",
    reference=deltas.output_delta,
    lesson=LESSON,
    summary="the output deltas of the 2-2-2 example (Mazur) and of CENG 506's neuron "
            "(quadratic loss, sigmoid output); random batches with the quadratic loss and tanh "
            "and linear outputs, binary cross-entropy with sigmoid outputs and categorical "
            "cross-entropy with softmax outputs; float64 of y_hat's shape, one row per sample; "
            "inputs not modified",
    visible=[
        Case((MAZUR_A2, MAZUR_T, MAZUR_Z2), {"loss": "quadratic", "activation": "sigmoid"},
             note=f"{MAZUR_NOTE}: delta_o = (out_o - target_o) out_o (1 - out_o)"),
        Case((CENG_A, CENG_T, CENG_Z), {"loss": "quadratic", "activation": "sigmoid"},
             note=f"{CENG_NOTE}: delta = (0.73 - 0.43) sigma'(1)"),
        *_output_cases(501, [(4, 3, "quadratic", "tanh"), (3, 2, "quadratic", "linear"),
                             (5, 1, "binary_cross_entropy", "sigmoid"),
                             (4, 3, "cross_entropy", "softmax"),
                             (3, 2, "binary_cross_entropy", "sigmoid")]),
    ],
    hidden=[
        *_output_cases(9501, [(5, 2, "quadratic", "relu"), (4, 3, "quadratic", "leaky_relu"),
                              (6, 2, "quadratic", "sigmoid"), (7, 5, "cross_entropy", "softmax"),
                              (6, 3, "binary_cross_entropy", "sigmoid")]),
        *_output_cases(9502, [(1, 4, "quadratic", "tanh"), (1, 3, "cross_entropy", "softmax")],
                       note="a batch of one"),
        Case((activations.sigmoid(_SATURATED_Z), np.array([[0.0, 1.0], [0.0, 1.0], [1.0, 0.0]]),
              _SATURATED_Z), {"loss": "binary_cross_entropy", "activation": "sigmoid"},
             note="saturated and wrong: y_hat = 1 for y = 0 and y_hat ~ 0 for y = 1"),
        Case((activations.sigmoid(_SATURATED_Z), np.array([[0.0, 1.0], [0.0, 1.0], [1.0, 0.0]]),
              _SATURATED_Z), {"loss": "quadratic", "activation": "sigmoid"},
             note="saturated outputs with the quadratic loss: phi'(z) ~ 0"),
    ],
    hidden_summary="ReLU and leaky ReLU outputs, fresh random batches, batches of one and "
                   "saturated outputs",
    mistakes=[
        Mistake("no_phi_prime",
                "for the quadratic loss the delta is (y_hat - y) * phi'(z) (Samatova, \"Output "
                "Node Delta for the Error Function\"): dE/dz = dE/dy_hat * dy_hat/dz. Only the "
                "cross-entropy with its matched output has delta = y_hat - y without phi'.",
                _out_source("    return y_hat - y\n")),
        Mistake("phi_prime_not_cancelled",
                "for the cross-entropy with its matched output (sigmoid + binary CE, softmax + "
                "categorical CE) the phi' cancels: dE/dy_hat = (y_hat - y) / (y_hat (1 - y_hat)) "
                "for the sigmoid, and multiplying by sigma'(z) = y_hat (1 - y_hat) leaves "
                "delta = y_hat - y. Multiplying by phi'(z) once more is wrong.",
                _out_source("    return (y_hat - y) * get_activation(activation).df(z)\n")),
        Mistake("sign_flipped",
                "the sign is flipped: delta = dE/dz = (y_hat - y) phi'(z), prediction minus "
                "target. Kauchak's (y - f(v.h)) f'(v.h) is MINUS this gradient, which is why his "
                "update adds it (v_k = v_k + ...); gradient descent subtracts the gradient.",
                _out_source("    if loss == \"quadratic\":\n"
                            "        return (y - y_hat) * get_activation(activation).df(z)\n"
                            "    return y - y_hat\n")),
        Mistake("phi_prime_at_output",
                "phi' is evaluated at the output y_hat instead of at z: delta = (y_hat - y) "
                "phi'(z). For the sigmoid, phi'(z) = y_hat (1 - y_hat) is written WITH the "
                "output (CENG 506's a (1 - a)), but sigma'(y_hat) = sigma(y_hat)(1 - sigma(y_hat)) "
                "is the slope at the wrong point.",
                _out_source("    if loss == \"quadratic\":\n"
                            "        return (y_hat - y) * get_activation(activation).df(y_hat)\n"
                            "    return y_hat - y\n")),
        Mistake("z_for_a",
                "z was put where the formula wants the output a = phi(z): CENG 506's sigmoid "
                "slope a (1 - a) (tanh: 1 - a^2) is in terms of the OUTPUT a = y_hat, so with z "
                "it is sigma(z) (1 - sigma(z)), not z (1 - z).",
                _out_source("    if loss != \"quadratic\":\n"
                            "        return y_hat - y\n"
                            "    a = z\n"
                            "    if activation == \"sigmoid\":\n"
                            "        d = a * (1 - a)\n"
                            "    elif activation == \"tanh\":\n"
                            "        d = 1 - a ** 2\n"
                            "    else:\n"
                            "        d = get_activation(activation).df(a)\n"
                            "    return (y_hat - y) * d\n")),
        Mistake("divided_by_n",
                "the deltas are divided by the number of samples n. A node delta is per sample "
                "(one row each), delta = dE/dz of THAT sample's loss; the 1/n of the batch mean "
                "enters once, when the weight gradients are averaged (weight_gradients).",
                _out_source("    n = y_hat.shape[0]\n"
                            "    if loss == \"quadratic\":\n"
                            "        return (y_hat - y) * get_activation(activation).df(z) / n\n"
                            "    return (y_hat - y) / n\n")),
        Mistake("always_sigmoid_prime",
                "phi' is the sigmoid's y_hat (1 - y_hat) whatever the output activation: use the "
                "derivative of the activation named by the `activation` argument "
                "(get_activation(activation).df(z)): tanh' = 1 - tanh^2, linear' = 1.",
                _out_source("    if loss == \"quadratic\":\n"
                            "        return (y_hat - y) * y_hat * (1 - y_hat)\n"
                            "    return y_hat - y\n")),
        Mistake("relu_as_linear",
                "with a ReLU (or leaky ReLU) output, phi'(z) is 1 only where z > 0: 0 (leaky: "
                "0.1) where z <= 0. Your function uses phi' = 1 there, as for a linear output; "
                "get_activation(activation).df(z) knows every activation's derivative.",
                _out_source("    if loss != \"quadratic\":\n"
                            "        return y_hat - y\n"
                            "    if activation == \"sigmoid\":\n"
                            "        d = y_hat * (1 - y_hat)\n"
                            "    elif activation == \"tanh\":\n"
                            "        d = 1 - y_hat ** 2\n"
                            "    else:\n"
                            "        d = 1.0\n"
                            "    return (y_hat - y) * d\n"),
                hidden_only=True),
    ],
    alternatives=[
        # one sample and one unit at a time, each derivative in terms of the output
        # a = y_hat as CENG 506 writes the sigmoid's (tanh: 1 - a^2; ReLU: 1 where a > 0)
        _out_source("    n, k = y_hat.shape\n"
                    "    delta = np.zeros((n, k))\n"
                    "    for s in range(n):\n"
                    "        for j in range(k):\n"
                    "            a, err = float(y_hat[s, j]), float(y_hat[s, j] - y[s, j])\n"
                    "            if loss != \"quadratic\":\n"
                    "                delta[s, j] = err\n"
                    "                continue\n"
                    "            slope = {\"sigmoid\": a * (1 - a), \"tanh\": 1 - a * a, \"linear\": 1.0,\n"
                    "                     \"relu\": 1.0 if z[s, j] > 0 else 0.0,\n"
                    "                     \"leaky_relu\": 1.0 if z[s, j] > 0 else 0.1}[activation]\n"
                    "            delta[s, j] = err * slope\n"
                    "    return delta\n"),
        # the chain rule for the quadratic loss, dE/dy_hat * dy_hat/dz, with the slope as a
        # numerical derivative's exact cousin: phi' from get_activation, the loss by name
        _out_source("    dE_dyhat = y_hat - y\n"
                    "    if loss in (\"binary_cross_entropy\", \"cross_entropy\"):\n"
                    "        return np.array(dE_dyhat, dtype=float)   # phi' cancels\n"
                    "    return np.multiply(dE_dyhat, get_activation(activation).df(z))\n"),
    ],
    forbidden=(deltas.output_delta, deltas._output_delta, deltas._through_activation),
    namespace=_base_namespace,
))


# ============================================================================= hidden_delta

def _hidden_cases(seed, specs, note="seeded random layer", zeros=False):
    """specs: (n samples, m units here, k units next, activation) per case.

    zeros: some z are exactly 0 (units with no input, as ReLU networks have them)."""
    rng = np.random.default_rng(seed)
    cases = []
    for n, m, k, act in specs:
        delta_next = rng.normal(0.0, 0.5, size=(n, k))
        W_next = rng.normal(0.0, 1.0, size=(m, k))
        z = rng.normal(0.0, 1.5, size=(n, m))
        if zeros:
            z[rng.random(size=(n, m)) < 0.4] = 0.0
            z[0, 0] = 0.0
        cases.append(Case((delta_next, W_next, z), {"activation": act},
                          note=f"{note}: {n} samples, {m} units here, {k} in the next layer, {act}"))
    return cases


_hid_source = _def('def hidden_delta(delta_next, W_next, z, activation="sigmoid"):\n')


register(Exercise(
    name="hidden_delta",
    reference=deltas.hidden_delta,
    lesson=LESSON,
    summary="the hidden deltas of the 2-2-2 example (Mazur: through the ORIGINAL w5..w8); "
            "random batches with sigmoid, tanh, ReLU and linear units, a square and non-square "
            "W_next and a single next unit; float64 of z's shape; inputs not modified",
    visible=[
        Case((MAZUR_DELTA_O, MAZUR_W2, MAZUR_Z1), {"activation": "sigmoid"},
             note=f"{MAZUR_NOTE}: delta_h1 = out_h1 (1 - out_h1) (w5 delta_o1 + w7 delta_o2)"),
        *_hidden_cases(502, [(3, 3, 2, "sigmoid"), (4, 5, 3, "tanh"), (5, 3, 4, "relu"),
                             (2, 4, 1, "linear")]),
    ],
    hidden=[
        *_hidden_cases(9503, [(6, 4, 3, "relu")], note="units exactly at z = 0", zeros=True),
        *_hidden_cases(9504, [(5, 6, 2, "leaky_relu")], note="units exactly at z = 0", zeros=True),
        *_hidden_cases(9505, [(7, 2, 5, "sigmoid"), (4, 4, 4, "tanh"), (3, 8, 6, "relu")]),
        *_hidden_cases(9506, [(1, 6, 2, "tanh"), (1, 3, 3, "sigmoid")], note="a batch of one"),
        Case((np.array([[0.5, -1.0]]), np.array([[1.0, -2.0], [0.5, 0.25], [-1.0, 1.0]]),
              np.array([[30.0, -30.0, 0.0]])), {"activation": "sigmoid"},
             note="saturated units: sigma'(+-30) ~ 1e-13"),
    ],
    hidden_summary="units exactly at z = 0 (ReLU, leaky ReLU), fresh random layers of other "
                   "sizes, batches of one and saturated units",
    mistakes=[
        Mistake("no_transpose",
                "W_next is not transposed. W_next[i, k] is the weight from unit i of this layer "
                "to unit k of the next, so Samatova's sum_k w_ki delta_k (her w_ki is W_next[i, k]) "
                "runs along a ROW of W_next: delta_next @ W_next.T (CENG 506's (w^(l))^T delta^(l+1) in the column "
                "layout).",
                _hid_source("    return get_activation(activation).df(z) * (delta_next @ W_next)\n")),
        Mistake("no_phi_prime",
                "phi'(z) is missing: delta = phi'(z) * (delta_next @ W_next.T). The sum gives "
                "dE/da, the derivative with respect to the unit's OUTPUT; the delta is with "
                "respect to its input z (Kang: 'convert the gradient on the layer's output into "
                "a gradient into the pre-nonlinearity activation').",
                _hid_source("    return delta_next @ W_next.T\n")),
        Mistake("z_for_a",
                "z was put where the formula wants the output a = phi(z): CENG 506's "
                "a^(3) (1 - a^(3)) is the sigmoid's slope in terms of the unit's OUTPUT, so with "
                "z it is sigma(z) (1 - sigma(z)) (tanh: 1 - tanh(z)^2), not z (1 - z).",
                _hid_source("    a = z\n"
                            "    if activation == \"sigmoid\":\n"
                            "        d = a * (1 - a)\n"
                            "    elif activation == \"tanh\":\n"
                            "        d = 1 - a ** 2\n"
                            "    else:\n"
                            "        d = get_activation(activation).df(a)\n"
                            "    return d * (delta_next @ W_next.T)\n")),
        Mistake("one_sample_only",
                "(delta_next * W_next).sum(axis=1) is Samatova's sum_k w_ki delta_k for ONE "
                "sample: with several samples NumPy pairs sample s with unit s. Each sample's "
                "row needs its own sums over k, i.e. the matrix product delta_next @ W_next.T.",
                _hid_source("    return get_activation(activation).df(z) * (delta_next * W_next).sum(axis=1)\n")),
        Mistake("always_sigmoid",
                "phi' is the sigmoid's whatever the layer's activation: use the derivative of "
                "the activation named by the `activation` argument, get_activation(activation).df(z).",
                _hid_source("    a = 1 / (1 + np.exp(-z))\n"
                            "    return a * (1 - a) * (delta_next @ W_next.T)\n")),
        Mistake("relu_prime_one_at_zero",
                "at z = 0 ReLU has no derivative; the lectures' convention (Samatova: 'the "
                "gradient of zero is substituted when z = 0') is phi'(0) = 0, and for leaky ReLU "
                "0.1. Your derivative is 1 at z = 0, e.g. from (z >= 0): a unit sitting exactly "
                "at 0 passes gradient it should not.",
                _hid_source("    if activation == \"relu\":\n"
                            "        d = (z >= 0).astype(float)\n"
                            "    elif activation == \"leaky_relu\":\n"
                            "        d = np.where(z >= 0, 1.0, 0.1)\n"
                            "    else:\n"
                            "        d = get_activation(activation).df(z)\n"
                            "    return d * (delta_next @ W_next.T)\n"),
                hidden_only=True),
    ],
    alternatives=[
        # Samatova's formula read literally: sample by sample, unit by unit, a sum over k
        _hid_source("    n, m = z.shape\n"
                    "    k = W_next.shape[1]\n"
                    "    phi_prime = get_activation(activation).df(z)\n"
                    "    delta = np.zeros((n, m))\n"
                    "    for s in range(n):\n"
                    "        for i in range(m):\n"
                    "            total = 0.0\n"
                    "            for j in range(k):\n"
                    "                total += W_next[i, j] * delta_next[s, j]\n"
                    "            delta[s, i] = phi_prime[s, i] * total\n"
                    "    return delta\n"),
        # CENG 506's column form delta^(l) = (w^(l))^T delta^(l+1) * a'(z), with w^(l) = W_next.T
        _hid_source("    w = W_next.T\n"
                    "    columns = w.T @ delta_next.T\n"
                    "    return columns.T * get_activation(activation).df(z)\n"),
    ],
    forbidden=(deltas.hidden_delta, deltas._through_activation),
    namespace=_base_namespace,
))


# ============================================================================= weight_gradients

def _grad_cases(seed, specs, note="seeded random batch"):
    """specs: (n samples, m inputs, k units) per case; every sample different."""
    rng = np.random.default_rng(seed)
    return [Case((rng.uniform(-1.0, 1.0, size=(n, m)), rng.normal(0.0, 0.5, size=(n, k))),
                 note=f"{note}: {n} samples, {m} inputs, {k} units")
            for n, m, k in specs]


class _GradientPairExercise(_PartsExercise):
    parts = ("dW", "db")
    ending = "return dW, db"


_wg_source = _def("def weight_gradients(a_prev, delta):\n")


register(_GradientPairExercise(
    name="weight_gradients",
    reference=deltas.weight_gradients,
    lesson=LESSON,
    summary="both layers of the 2-2-2 example (Mazur: dE/dw5 = 0.082167041 and dE/dw1 = "
            "0.000438568 as printed), CENG 506's neuron (a non-square W), and a batch of two "
            "copies of one sample (its mean gradient is that sample's); dW of shape (m, k) and "
            "db of shape (k,), float64; inputs not modified",
    visible=[
        Case((MAZUR_A1, MAZUR_DELTA_O), note=f"{MAZUR_NOTE}: the output layer, dW[0, 0] = dE/dw5"),
        Case((MAZUR_X, MAZUR_DELTA_H), note=f"{MAZUR_NOTE}: the hidden layer, dW[0, 0] = dE/dw1"),
        Case((CENG_X, CENG_DELTA), note=f"{CENG_NOTE}: dE/dw0, dE/dw1 and, as db, dE/dw2"),
        Case((np.vstack([MAZUR_A1, MAZUR_A1]), np.vstack([MAZUR_DELTA_O, MAZUR_DELTA_O])),
             note="the 2-2-2 example's sample twice: the mean over the batch is that sample's gradient"),
    ],
    hidden=[
        *_grad_cases(9507, [(5, 3, 2), (8, 4, 4), (4, 1, 3), (6, 2, 1), (40, 5, 3)]),
        *_grad_cases(9508, [(1, 6, 2)], note="a batch of one"),
    ],
    hidden_summary="fresh random batches of different samples (1 to 40 of them, square and "
                   "non-square W, a single input or unit)",
    mistakes=[
        Mistake("summed",
                "the gradients are summed over the batch, not averaged: the loss is the MEAN of "
                "the samples' losses, so dW = a_prev.T @ delta / n and db = delta.mean(axis=0). "
                "With a sum, a batch of two copies of one sample gets twice that sample's gradient.",
                _wg_source("    return a_prev.T @ delta, delta.sum(axis=0)\n")),
        Mistake("transposed",
                "dW is transposed: dE/dW[i, j] = a_i delta_j (CENG 506's delta_j a_i for the weight "
                "from i to j), so dW = a_prev.T @ delta has W's shape (m, k), one row per input. "
                "delta.T @ a_prev is the column layout's (k, m) matrix.",
                _wg_source("    n = a_prev.shape[0]\n"
                           "    return delta.T @ a_prev / n, delta.mean(axis=0)\n")),
        Mistake("db_not_reduced",
                "db is the deltas themselves, one row per sample: the bias gradient has one entry "
                "per unit, the mean over the samples, db = delta.mean(axis=0) of shape (k,).",
                _wg_source("    n = a_prev.shape[0]\n"
                           "    return a_prev.T @ delta / n, delta\n")),
        Mistake("db_wrong_axis",
                "db is averaged over the wrong axis: axis 0 runs over the samples and gives one "
                "entry per unit, db = delta.mean(axis=0); axis=1 averages each sample's units.",
                _wg_source("    n = a_prev.shape[0]\n"
                           "    return a_prev.T @ delta / n, delta.mean(axis=1)\n")),
        Mistake("db_summed",
                "dW is averaged over the batch but db is summed: both are gradients of the same "
                "batch-mean loss, so db = delta.mean(axis=0) (the bias is a weight on a constant "
                "input 1).",
                _wg_source("    n = a_prev.shape[0]\n"
                           "    return a_prev.T @ delta / n, delta.sum(axis=0)\n")),
        Mistake("outer_of_means",
                "the samples were averaged BEFORE multiplying: mean(a) mean(delta)^T is not the "
                "mean of the products a_s delta_s^T unless every sample is the same. Each sample "
                "contributes its own outer product: dW = a_prev.T @ delta / n.",
                _wg_source("    return np.outer(a_prev.mean(axis=0), delta.mean(axis=0)), delta.mean(axis=0)\n"),
                hidden_only=True),
    ],
    alternatives=[
        # CENG 506's dE/dw_ij = delta_j a_i, sample by sample, then averaged
        _wg_source("    n, m = a_prev.shape\n"
                   "    k = delta.shape[1]\n"
                   "    dW = np.zeros((m, k))\n"
                   "    db = np.zeros(k)\n"
                   "    for s in range(n):\n"
                   "        for j in range(k):\n"
                   "            db[j] += delta[s, j]\n"
                   "            for i in range(m):\n"
                   "                dW[i, j] += a_prev[s, i] * delta[s, j]\n"
                   "    return dW / n, db / n\n"),
        # the bias as the weight of a constant input 1 (Samatova's bias neurons)
        _wg_source("    n = a_prev.shape[0]\n"
                   "    with_one = np.hstack([a_prev, np.ones((n, 1))])\n"
                   "    G = with_one.T @ delta / n\n"
                   "    return G[:-1], G[-1]\n"),
    ],
    forbidden=(deltas.weight_gradients, deltas._weight_gradients),
    namespace=_base_namespace,
))


# ============================================================================= backward_pass

def _net_case(rng, sizes, acts, loss, n, note):
    X = rng.normal(size=(n, sizes[0]))
    weights = [rng.normal(0.0, 1.0 / m ** 0.5, size=(m, k)) for m, k in zip(sizes[:-1], sizes[1:])]
    biases = [rng.normal(0.0, 0.5, size=k) for k in sizes[1:]]
    k = sizes[-1]
    if loss == "quadratic":
        y = rng.normal(0.0, 1.0, size=(n, k))
    elif loss == "binary_cross_entropy":
        y = (rng.random(size=(n, k)) < 0.5).astype(float)
    else:
        y = np.eye(k)[rng.integers(0, k, size=n)]
    arrow = "-".join(str(m) for m in sizes)
    return _ShapesCase((X, y, weights, biases, list(acts)), {"loss": loss},
                       note=f"{note}: {arrow} net, {n} samples, {', '.join(acts)}, {loss} loss")


def _net_cases(seed, specs, note="seeded random network"):
    rng = np.random.default_rng(seed)
    return [_net_case(rng, sizes, acts, loss, n, note) for sizes, acts, loss, n in specs]


class _BackwardExercise(_PartsExercise):
    parts = ("grads_W", "grads_b")
    ending = "return grads_W, grads_b"


_bp_source = _def('def backward_pass(X, y, weights, biases, activations, loss="quadratic"):\n')


def _bp_forward(bias="b"):
    return ("    A, Z = [X], []\n"
            "    for W, b, act in zip(weights, biases, activations):\n"
            f"        Z.append(A[-1] @ W{' + ' + bias if bias else ''})\n"
            "        A.append(get_activation(act).f(Z[-1]))\n"
            "    L = len(weights)\n"
            "    grads_W, grads_b = [None] * L, [None] * L\n")


_BP_SWEEP = ("    delta = output_delta(A[-1], y, Z[-1], loss, activations[-1])\n"
             "    for l in range(L - 1, -1, -1):\n"
             "        grads_W[l], grads_b[l] = weight_gradients(A[l], delta)\n"
             "        if l > 0:\n"
             "            delta = hidden_delta(delta, weights[l], Z[l - 1], activations[l - 1])\n"
             "    return grads_W, grads_b\n")

register(_BackwardExercise(
    name="backward_pass",
    reference=layers.backward,
    lesson=LESSON,
    summary="the 2-2-2 example (Mazur: dE/dw5 = 0.082167041, dE/dw1 = 0.000438568 as printed), "
            "CENG 506's neuron (a network of one layer), random networks of two layers with "
            "each loss and its output (quadratic; sigmoid + binary CE; softmax + categorical CE) "
            "and one of three layers; two lists of float64 arrays, the first layer's first; "
            "inputs not modified",
    visible=[
        _ShapesCase((MAZUR_X, MAZUR_T, [MAZUR_W1, MAZUR_W2], [MAZUR_B1, MAZUR_B2],
                     ["sigmoid", "sigmoid"]), {"loss": "quadratic"},
                    note=f"{MAZUR_NOTE}: grads_W[1][0, 0] = dE/dw5, grads_W[0][0, 0] = dE/dw1"),
        _ShapesCase((CENG_X, CENG_T, [CENG_W], [CENG_B], ["sigmoid"]), {"loss": "quadratic"},
                    note=CENG_NOTE),
        *_net_cases(504, [([3, 4, 1], ["tanh", "sigmoid"], "binary_cross_entropy", 5),
                          ([4, 5, 3], ["relu", "softmax"], "cross_entropy", 6),
                          ([2, 3, 2], ["sigmoid", "linear"], "quadratic", 4),
                          ([3, 4, 4, 2], ["tanh", "tanh", "sigmoid"], "quadratic", 3)]),
    ],
    hidden=[
        *_net_cases(9509, [([3, 5, 4, 3, 2], ["relu", "tanh", "sigmoid", "linear"], "quadratic", 6),
                           ([2, 4, 3, 3], ["sigmoid", "relu", "softmax"], "cross_entropy", 5),
                           ([4, 3, 2], ["leaky_relu", "sigmoid"], "binary_cross_entropy", 7),
                           ([3, 2], ["linear"], "quadratic", 4),
                           ([5, 6, 6, 3], ["tanh", "leaky_relu", "softmax"], "cross_entropy", 8)]),
        *_net_cases(9510, [([3, 4, 2], ["tanh", "sigmoid"], "binary_cross_entropy", 1)],
                    note="a batch of one"),
    ],
    hidden_summary="deeper networks whose hidden layers have different activations, a network "
                   "of one linear layer, leaky ReLU layers and a batch of one",
    mistakes=[
        Mistake("z_as_input",
                "the weight gradients use z^(l-1), the previous layer's weighted INPUT; the "
                "weight w_ij multiplies the previous unit's OUTPUT a_i = phi(z_i), so dE/dw_ij = "
                "a_i delta_j: weight_gradients(A[l], delta) with A[0] = X. (Samatova's 'Chain Rule "
                "- Cont.' slide makes this slip: its dNet_1/dW^HO_11 is the hidden unit's net "
                "input, without phi.)",
                _bp_source(_bp_forward() + _BP_SWEEP.replace(
                    "weight_gradients(A[l], delta)", "weight_gradients(Z[l - 1] if l > 0 else X, delta)"))),
        Mistake("reversed_lists",
                "the gradients are listed from the output layer to the first, in the order the "
                "backward sweep meets them; return them in the order of `weights`: grads_W[0] "
                "belongs to weights[0], the first layer.",
                _bp_source(_bp_forward() +
                           "    grads_W, grads_b = [], []\n"
                           "    delta = output_delta(A[-1], y, Z[-1], loss, activations[-1])\n"
                           "    for l in range(L - 1, -1, -1):\n"
                           "        dW, db = weight_gradients(A[l], delta)\n"
                           "        grads_W.append(dW)\n"
                           "        grads_b.append(db)\n"
                           "        if l > 0:\n"
                           "            delta = hidden_delta(delta, weights[l], Z[l - 1], activations[l - 1])\n"
                           "    return grads_W, grads_b\n")),
        Mistake("no_phi_prime_hidden",
                "the deltas are passed back without phi': delta^(l-1) = phi'(z^(l-1)) * "
                "(delta^(l) W^(l).T), i.e. hidden_delta(delta, weights[l], Z[l - 1], "
                "activations[l - 1]), not delta @ weights[l].T alone.",
                _bp_source(_bp_forward() + _BP_SWEEP.replace(
                    "hidden_delta(delta, weights[l], Z[l - 1], activations[l - 1])",
                    "delta @ weights[l].T"))),
        Mistake("loss_not_passed",
                "the loss is not passed on to output_delta, which then uses its default, the "
                "quadratic loss: with a cross-entropy the output delta must be y_hat - y (the "
                "phi' cancels). Call output_delta(A[-1], y, Z[-1], loss, activations[-1]).",
                _bp_source(_bp_forward() + _BP_SWEEP.replace(
                    "output_delta(A[-1], y, Z[-1], loss, activations[-1])",
                    "output_delta(A[-1], y, Z[-1], activation=activations[-1])"))),
        Mistake("activation_off_by_one",
                "the hidden delta of layer l-1 uses layer l's activation: the phi' in "
                "delta^(l-1) = phi'(z^(l-1)) * (delta^(l) W^(l).T) belongs to the layer whose z it "
                "is, activations[l - 1].",
                _bp_source(_bp_forward() + _BP_SWEEP.replace(
                    "Z[l - 1], activations[l - 1])", "Z[l - 1], activations[l])"))),
        Mistake("forward_without_bias",
                "the forward pass inside backward_pass leaves out the biases: Z^(l) = A^(l-1) "
                "W^(l) + b^(l). Without b every z, every phi'(z) and the output differ from the "
                "network's.",
                _bp_source(_bp_forward(bias="") + _BP_SWEEP)),
        Mistake("first_activation_for_every_hidden_layer",
                "every hidden layer uses the FIRST layer's activation (activations[0]); that is "
                "right for one hidden layer, or when all hidden layers share an activation, but "
                "layer l-1's delta needs ITS OWN phi': activations[l - 1].",
                _bp_source(_bp_forward() + "    hidden_act = activations[0]\n" + _BP_SWEEP.replace(
                    "Z[l - 1], activations[l - 1])", "Z[l - 1], hidden_act)")),
                hidden_only=True),
    ],
    alternatives=[
        # Kang's algorithm in the column layout, one sample at a time, then averaged
        _bp_source("    L, n = len(weights), X.shape[0]\n"
                   "    gW = [np.zeros(np.shape(W)) for W in weights]\n"
                   "    gb = [np.zeros(np.shape(b)) for b in biases]\n"
                   "    for x, t in zip(X, y):\n"
                   "        h, a = [x], []\n"
                   "        for k in range(L):\n"
                   "            a.append(biases[k] + weights[k].T @ h[-1])\n"
                   "            h.append(get_activation(activations[k]).f(a[-1]))\n"
                   "        if loss == \"quadratic\":\n"
                   "            g = (h[-1] - t) * get_activation(activations[-1]).df(a[-1])\n"
                   "        else:\n"
                   "            g = h[-1] - t\n"
                   "        for k in range(L - 1, -1, -1):\n"
                   "            gb[k] += g\n"
                   "            gW[k] += np.outer(h[k], g)\n"
                   "            if k > 0:\n"
                   "                g = (weights[k] @ g) * get_activation(activations[k - 1]).df(a[k - 1])\n"
                   "    return [G / n for G in gW], [G / n for G in gb]\n"),
        # the lesson's own functions, the lists built front to back with insert(0, ...)
        _bp_source("    outs, nets = [X], []\n"
                   "    for W, b, act in zip(weights, biases, activations):\n"
                   "        nets.append(outs[-1] @ W + b)\n"
                   "        outs.append(get_activation(act).f(nets[-1]))\n"
                   "    grads_W, grads_b = [], []\n"
                   "    delta = output_delta(outs[-1], y, nets[-1], loss=loss, activation=activations[-1])\n"
                   "    for l in reversed(range(len(weights))):\n"
                   "        dW, db = weight_gradients(outs[l], delta)\n"
                   "        grads_W.insert(0, dW)\n"
                   "        grads_b.insert(0, db)\n"
                   "        if l:\n"
                   "            delta = hidden_delta(delta, weights[l], nets[l - 1], activation=activations[l - 1])\n"
                   "    return grads_W, grads_b\n"),
    ],
    forbidden=(layers.backward, layers._backward, network.MLP.backward,
               network.MLP._gradients, deltas._backward_sweep),
    namespace=_namespace_backward,
))


# ============================================================================= numerical_gradient

class _NumericalGradientExercise(Exercise):
    """numerical_gradient may perturb x in place, but must leave it exactly as it was."""

    def _call(self, fn, case):
        result, problem = super()._call(fn, case)
        if problem is not None and " modified its argument #2 " in problem:
            where = f"  [{case.note}]" if case.note else ""
            problem = Problem(f"{case.call_text(self.name)} left x changed. Perturbing x in place "
                              "is fine, but put every element back EXACTLY: save it first and "
                              "restore it (`old = x[i]` ... `x[i] = old`); x[i] + h - h is not "
                              f"always x[i] in floating point.{where}", "x not restored")
        return result, problem


def _objective_cases(seed, specs, note="a smooth function"):
    """specs: (shape, source, fn, h or None) per case."""
    rng = np.random.default_rng(seed)
    cases = []
    for shape, source, fn, h in specs:
        x = rng.uniform(-1.5, 1.5, size=shape)
        kwargs = {} if h is None else {"h": h}
        cases.append(Case((_Objective(source, fn), x), kwargs,
                          note=f"{note}, x of shape {shape}" + ("" if h is None else f", h = {h:g}")))
    return cases


_SIN3 = ("lambda x: np.sum(np.sin(3 * x) + x ** 3)", lambda x: float(_sum(_sin(3.0 * x) + x ** 3)))
_EXPCOS = ("lambda x: np.sum(np.exp(x) * np.cos(2 * x))", lambda x: float(_sum(_exp(x) * _cos(2.0 * x))))
_SIN5 = ("lambda x: np.sum(np.sin(5 * x))", lambda x: float(_sum(_sin(5.0 * x))))
_MIXED = ("lambda x: np.sum(x * np.roll(x, 1) ** 2)", lambda x: float(_sum(x * np.roll(x, 1) ** 2)))
_MAZUR_W2 = _Objective("E_total(W2)", _mazur_loss_of_w2)
_MAZUR_W1 = _Objective("E_total(W1)", _mazur_loss_of_w1)


_ng_source = _def("def numerical_gradient(f, x, h=1e-5):\n")


register(_NumericalGradientExercise(
    name="numerical_gradient",
    reference=gradcheck.numerical_gradient,
    lesson=LESSON,
    summary="central differences with the default h = 1e-5 on a function of a vector, on the "
            "2-2-2 example's E_total as a function of W^(2) (close to dE/dw5 = 0.082167041) and "
            "on a function of a 3 x 2 matrix; float64 of x's shape; x left exactly as it was",
    visible=[
        *_objective_cases(505, [((5,), *_SIN3, None)]),
        Case((_MAZUR_W2, MAZUR_W2.copy()),
             note=f"{MAZUR_NOTE}: E_total as a function of W^(2) = [[w5, w7], [w6, w8]]"),
        *_objective_cases(506, [((3, 2), *_EXPCOS, None)]),
    ],
    hidden=[
        *_objective_cases(9511, [((4,), *_SIN5, 1e-3), ((2, 3), *_SIN3, 1e-4),
                                 ((2, 2, 2), *_EXPCOS, None), ((1,), *_SIN5, None),
                                 ((6,), *_MIXED, 1e-3)]),
        Case((_MAZUR_W1, MAZUR_W1.copy()), {"h": 1e-6},
             note=f"{MAZUR_NOTE}: E_total as a function of W^(1), h = 1e-6"),
    ],
    hidden_summary="other step sizes h, a 3-D x, an x of one element and E_total as a "
                   "function of the 2-2-2 example's W^(1)",
    mistakes=[
        Mistake("forward_difference",
                "this is the one-sided difference (f(x + h) - f(x)) / h, whose error is O(h); "
                "the central difference (f(x + h) - f(x - h)) / (2h) cancels the f'' term and "
                "errs by O(h^2) only.",
                _ng_source("    grad = np.zeros(x.shape)\n"
                           "    fx = f(x)\n"
                           "    for i in np.ndindex(x.shape):\n"
                           "        old = x[i]\n"
                           "        x[i] = old + h\n"
                           "        grad[i] = (f(x) - fx) / h\n"
                           "        x[i] = old\n"
                           "    return grad\n")),
        Mistake("divides_by_h",
                "the central difference spans 2h, from x - h to x + h: divide by 2 * h, not h.",
                _ng_source("    grad = np.zeros(x.shape)\n"
                           "    for i in np.ndindex(x.shape):\n"
                           "        old = x[i]\n"
                           "        x[i] = old + h\n"
                           "        up = f(x)\n"
                           "        x[i] = old - h\n"
                           "        down = f(x)\n"
                           "        x[i] = old\n"
                           "        grad[i] = (up - down) / h\n"
                           "    return grad\n")),
        Mistake("all_at_once",
                "every element was moved at once (x + h): that measures the slope along the "
                "diagonal direction (1, 1, ..., 1), the SUM of the partial derivatives. Move one "
                "element at a time and keep the others fixed.",
                _ng_source("    g = (f(x + h) - f(x - h)) / (2 * h)\n"
                           "    return np.full(x.shape, g)\n")),
        Mistake("flat_result",
                "the gradient has x's shape, one partial derivative per element (for a weight "
                "matrix, one per weight): return grad.reshape(x.shape), or fill an array made "
                "with np.zeros(x.shape).",
                _ng_source("    flat = x.reshape(-1)\n"
                           "    grad = np.zeros(flat.size)\n"
                           "    for i in range(flat.size):\n"
                           "        old = flat[i]\n"
                           "        flat[i] = old + h\n"
                           "        up = f(x)\n"
                           "        flat[i] = old - h\n"
                           "        down = f(x)\n"
                           "        flat[i] = old\n"
                           "        grad[i] = (up - down) / (2 * h)\n"
                           "    return grad\n")),
        Mistake("rows_perturbed",
                "for a matrix, x[i] is a whole ROW, so each step moved every element of row i at "
                "once; perturb one element at a time, e.g. `for i in np.ndindex(x.shape):` (i is "
                "then a tuple of indices) or through x.flat.",
                _ng_source("    grad = np.zeros(x.shape)\n"
                           "    for i in range(len(x)):\n"
                           "        old = np.copy(x[i])\n"
                           "        x[i] = old + h\n"
                           "        up = f(x)\n"
                           "        x[i] = old - h\n"
                           "        down = f(x)\n"
                           "        x[i] = old\n"
                           "        grad[i] = (up - down) / (2 * h)\n"
                           "    return grad\n")),
        Mistake("ignores_h",
                "the step size argument h is ignored (a fixed 1e-5 is used): take the h you are "
                "given, numerical_gradient(f, x, h).",
                _ng_source("    step = 1e-5\n"
                           "    grad = np.zeros(x.shape)\n"
                           "    for i in np.ndindex(x.shape):\n"
                           "        old = x[i]\n"
                           "        x[i] = old + step\n"
                           "        up = f(x)\n"
                           "        x[i] = old - step\n"
                           "        down = f(x)\n"
                           "        x[i] = old\n"
                           "        grad[i] = (up - down) / (2 * step)\n"
                           "    return grad\n"),
                hidden_only=True),
    ],
    alternatives=[
        # perturbed copies: x itself is never touched
        _ng_source("    grad = np.zeros_like(x, dtype=float)\n"
                   "    for i in np.ndindex(x.shape):\n"
                   "        x_up, x_down = x.copy(), x.copy()\n"
                   "        x_up[i] += h\n"
                   "        x_down[i] -= h\n"
                   "        grad[i] = (f(x_up) - f(x_down)) / (2 * h)\n"
                   "    return grad\n"),
        # one basis direction e_k at a time, through the flat index
        _ng_source("    grad = np.empty(x.size)\n"
                   "    for k in range(x.size):\n"
                   "        e = np.zeros(x.size)\n"
                   "        e[k] = h\n"
                   "        e = e.reshape(x.shape)\n"
                   "        grad[k] = (f(x + e) - f(x - e)) / (2 * h)\n"
                   "    return grad.reshape(x.shape)\n"),
    ],
    forbidden=(gradcheck.numerical_gradient, gradcheck.check_gradients),
    namespace=_namespace_gradcheck,
))


# ============================================================================= relative_error

_re_source = _def("def relative_error(a, b):\n")


def _near_pairs(seed, specs, note="gradients that agree to about 1e-6"):
    rng = np.random.default_rng(seed)
    cases = []
    for shape, scale in specs:
        a = rng.normal(0.0, scale, size=shape)
        b = a * (1.0 + rng.normal(0.0, 1e-6, size=shape))
        cases.append(Case((a, b), note=f"{note}, shape {shape}, size ~{scale:g}"))
    return cases


register(Exercise(
    name="relative_error",
    reference=gradcheck.relative_error,
    lesson=LESSON,
    summary="equal arrays (0), one wrong element among right ones (the worst counts), "
            "opposite signs, a 2 x 2 matrix, and two numbers; a float",
    visible=[
        Case((np.array([1.0, -2.0, 3.0]), np.array([1.0, -2.0, 3.0])), note="equal arrays"),
        Case((np.array([0.5, -1.5, 2.0, 4.0]), np.array([0.5001, -1.5, 2.0, 4.1])),
             note="one element 2.5 % off, one 0.01 % off, two equal"),
        Case((np.array([2.0, -1.0]), np.array([-1.0, -1.0])), note="opposite signs: |2 - (-1)| / (2 + 1) = 1"),
        Case((np.array([[1.5, -2.5], [3.0, 1.0]]), np.array([[1.5, -2.4], [3.0, 1.0 + 2e-9]])),
             note="a 2 x 2 matrix"),
        Case((0.5, 0.25), note="two numbers: |0.5 - 0.25| / (0.5 + 0.25) = 1/3"),
    ],
    hidden=[
        Case((np.array([0.0, 3e-9, 1.0]), np.array([1e-9, 3e-9, 1.0 + 1e-9])),
             note="values below 1e-8: the floor max(1e-8, |a| + |b|) decides"),
        Case((np.array([0.0, 1.0]), np.array([0.0, 1.5])), note="an element that is 0 in both"),
        *_near_pairs(9512, [((2, 3, 2), 1.0), ((7,), 1e6), ((3, 3), 1e-3)]),
        Case((0.0, 0.0), note="two zeros"),
        Case((np.array([-3.0, 2.0, -1.0, 0.5]), np.array([3.0, 2.0, -1.5, -0.5])),
             note="several signs flipped"),
    ],
    hidden_summary="values below the 1e-8 floor, zeros in both, 3-D arrays, large and small "
                   "magnitudes, flipped signs",
    mistakes=[
        Mistake("no_abs_denominator",
                "the denominator is |a| + |b|, not |a + b|: where a and b have opposite signs "
                "|a + b| is small and the 'relative' error explodes (or divides by 0).",
                _re_source("    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a + b))))\n")),
        Mistake("max_denominator",
                "the denominator is |a| + |b| (backproplab.gradcheck, and CS231n's assignments); "
                "max(|a|, |b|), the form of CS231n's notes, gives up to twice the number, so the "
                "thresholds would not mean the same.",
                _re_source("    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.maximum(np.abs(a), np.abs(b)))))\n")),
        Mistake("mean_not_max",
                "the relative errors are averaged; take the WORST element (np.max): one wrong "
                "gradient among many right ones must not be averaged away.",
                _re_source("    return float(np.mean(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))\n")),
        Mistake("norm_based",
                "this is the norm-based relative error ||a - b|| / (||a|| + ||b||), one number "
                "for the whole array, in which one bad element among many good ones is diluted; "
                "this course compares element by element and reports the worst: "
                "max |a - b| / max(1e-8, |a| + |b|).",
                _re_source("    return float(np.linalg.norm(a - b) / max(1e-8, np.linalg.norm(a) + np.linalg.norm(b)))\n")),
        Mistake("elementwise",
                "this returns one relative error per element; the checker needs one number, the "
                "worst of them: np.max(...).",
                _re_source("    return np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))\n")),
        Mistake("signed",
                "the numerator needs an absolute value, |a - b|: without it an element where "
                "b > a counts as negative, and the max can miss the worst element.",
                _re_source("    return float(np.max((a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))\n")),
        Mistake("no_floor",
                "the denominator has no floor: where |a| + |b| is tiny (or 0) the division blows "
                "up (or gives nan). Divide by max(1e-8, |a| + |b|).",
                _re_source("    return float(np.max(np.abs(a - b) / (np.abs(a) + np.abs(b))))\n"),
                hidden_only=True),
        Mistake("floor_added",
                "1e-8 is ADDED to the denominator: the floor is max(1e-8, |a| + |b|), which "
                "leaves every denominator above 1e-8 unchanged and only stops the division by "
                "(nearly) zero.",
                _re_source("    return float(np.max(np.abs(a - b) / (np.abs(a) + np.abs(b) + 1e-8)))\n"),
                hidden_only=True),
    ],
    alternatives=[
        # element by element, with Python floats
        _re_source("    a_flat = np.ravel(a)\n"
                   "    b_flat = np.ravel(b)\n"
                   "    worst = 0.0\n"
                   "    for x, z in zip(a_flat, b_flat):\n"
                   "        x, z = float(x), float(z)\n"
                   "        worst = max(worst, abs(x - z) / max(1e-8, abs(x) + abs(z)))\n"
                   "    return worst\n"),
        _re_source("    scale = np.clip(np.abs(a) + np.abs(b), 1e-8, None)\n"
                   "    return float((np.abs(np.subtract(a, b)) / scale).max())\n"),
    ],
    forbidden=(gradcheck.relative_error, gradcheck.check_gradients),
    namespace=_namespace_relative_error,
))
