"""Lesson 01, neurons and logic gates (seeds 002, 003): exercises and their mistakes."""
from __future__ import annotations

import numpy as np

from .. import activations, gates, layers
from .exercise import Case, Exercise, Mistake
from . import register

LESSON = "01-neurons-and-logic-gates"


def _namespace():
    """What a student's notebook has defined when it reaches these exercises."""
    return {"np": np, "sigmoid": activations.sigmoid, "step": activations.step}


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
    summary="g(0) = 0.5 and g(+-10) of seed 003's gate tables; random scalars, vectors and "
            "matrices; float64 output of the input's shape; z not modified",
    visible=[
        Case((0.0,), note="g(0) = 1/2"),
        Case((10.0,), note="seed 003: g(10) ~ 1"),
        Case((-10.0,), note="seed 003: g(-10) ~ 0"),
        Case((np.array([-30.0, -10.0, 10.0, 30.0]),), note="seed 003's AND/OR table values"),
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
    forbidden=(activations.sigmoid,),
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
    summary="seed 003's AND neuron g(-30 + 20 x1 + 20 x2) on the truth table, the step "
            "threshold at z = 0, random single inputs and batches with both activations; "
            "output shape and float64; inputs not modified",
    visible=[
        Case((_TRUTH, np.array([20.0, 20.0]), -30.0), {"activation": "sigmoid"},
             note="seed 003's AND neuron on the truth table"),
        Case((np.array([1.0, 1.0]), np.array([1.0, -1.0]), 0.0), {"activation": "step"},
             note="z = 0 exactly: seed 002's threshold fires when in >= T"),
        *_neuron_cases(102, 6),
    ],
    hidden=[
        *_neuron_cases(9102, 10),
        Case((np.array([[0.5, -1.0, 2.0]]), np.array([1.0, 2.0, 3.0]), -0.5), {"activation": "sigmoid"},
             note="a batch of one"),
        Case((_TRUTH, np.array([20.0, 20.0]), -10.0), {"activation": "step"},
             note="seed 003's OR neuron with a hard threshold"),
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
        Mistake("strict_threshold", "seed 002's hard threshold is 1 when in >= T: at exactly "
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
