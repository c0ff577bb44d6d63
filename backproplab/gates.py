"""Logic gates as single sigmoid neurons, and XNOR as a two-layer network (CENG 506).

A gate is g(b + w1 x1 + w2 x2) with g the sigmoid; weights of +-20 saturate g, so that
g(-10) ~ 4.5e-5 ~ 0 and g(10) ~ 1 - 4.5e-5 ~ 1 on the four binary inputs.
"""
from __future__ import annotations

import numpy as np

from ._validate import as_float_array, choice
from .activations import sigmoid

# (w1, w2), b: CENG 506 prints AND and OR; NAND and NOR are their negations.
GATE_WEIGHTS = {
    "and": ((20.0, 20.0), -30.0),
    "or": ((20.0, 20.0), -10.0),
    "nand": ((-20.0, -20.0), 30.0),
    "nor": ((-20.0, -20.0), 10.0),   # (NOT x1) AND (NOT x2)
}


def gate_weights(name):
    """(w, b) of a sigmoid neuron computing the gate `name`: w of shape (2,), b a float."""
    w, b = GATE_WEIGHTS[choice(name, tuple(GATE_WEIGHTS), "gate_weights", "gate")]
    return np.array(w), float(b)


def xnor_network(X):
    """x1 XNOR x2 = (x1 AND x2) OR ((NOT x1) AND (NOT x2)), as CENG 506's 2-2-1 network.

    Hidden layer: a1 = g(-30 + 20 x1 + 20 x2) (AND), a2 = g(10 - 20 x1 - 20 x2) (NOR);
    output: g(-10 + 20 a1 + 20 a2) (OR). X: (n, 2); returns (n, 1).
    """
    X = as_float_array(X, "xnor_network", "X", ndim=2)
    if X.shape[1] != 2:
        raise ValueError(f"xnor_network: X has shape {X.shape}; it needs 2 columns (x1, x2)")
    W1 = np.array([[20.0, -20.0], [20.0, -20.0]])
    b1 = np.array([-30.0, 10.0])
    W2 = np.array([[20.0], [20.0]])
    b2 = np.array([-10.0])
    return sigmoid(sigmoid(X @ W1 + b1) @ W2 + b2)
