"""Forward computations of a neuron, a layer and a stack of layers (Samatova, Kauchak and CENG 506).

Batch-first notation: A_prev has one sample per row, W has shape (n_in, n_out) and
Z = A_prev W + b. The lectures' column-vector form a = W h + b (Kang) is the same
computation transposed: Z^T = W^T A_prev^T + b.
"""
from __future__ import annotations

import numpy as np

from ._validate import as_float_array, check_size
from .activations import get_activation


def neuron(x, w, b, activation="sigmoid"):
    """One artificial neuron: a = g(sum_i w_i x_i + b) = g(x . w + b).

    x: one input (m,) or a batch (n, m); w: (m,); b: a number; activation: a name from
    backproplab.activations ("step" is Kauchak's hard threshold, "sigmoid" CENG 506's g).
    Returns a number for one input, (n,) for a batch.
    """
    x = as_float_array(x, "neuron", "x", ndim=(1, 2))
    w = as_float_array(w, "neuron", "w", ndim=1)
    b = as_float_array(b, "neuron", "b", ndim=0)
    if x.shape[-1] != w.shape[0]:
        raise ValueError(f"neuron: x has shape {x.shape} but w has shape {w.shape}; "
                         f"x needs {w.shape[0]} features in its last axis")
    g = get_activation(activation).f
    return g(x @ w + b)


def layer_forward(A_prev, W, b, activation="sigmoid"):
    """One fully connected layer: Z = A_prev W + b, A = phi(Z). Returns (Z, A).

    A_prev: (n, n_in); W: (n_in, n_out); b: (n_out,).
    """
    A_prev = as_float_array(A_prev, "layer_forward", "A_prev", ndim=2)
    W = as_float_array(W, "layer_forward", "W", ndim=2)
    b = as_float_array(b, "layer_forward", "b", ndim=1)
    if A_prev.shape[1] != W.shape[0]:
        raise ValueError(f"layer_forward: A_prev has shape {A_prev.shape} but W has shape {W.shape}; "
                         f"W needs {A_prev.shape[1]} rows (one per input feature)")
    if b.shape[0] != W.shape[1]:
        raise ValueError(f"layer_forward: b has shape {b.shape} but W has shape {W.shape}; "
                         f"b needs {W.shape[1]} entries (one per neuron)")
    check_size(A_prev.shape[0] * W.shape[1], "layer_forward",
               f"Z of shape {(A_prev.shape[0], W.shape[1])}")
    Z = A_prev @ W + b
    return Z, get_activation(activation).f(Z)


def forward(X, weights, biases, activations):
    """The forward pass of an MLP: A^(0) = X, A^(l) = phi_l(A^(l-1) W^(l) + b^(l)); returns y_hat.

    weights, biases, activations: lists with one entry per layer.
    """
    for name, seq in (("weights", weights), ("biases", biases), ("activations", activations)):
        if not isinstance(seq, (list, tuple)):
            raise TypeError(f"forward: {name} must be a list with one entry per layer, "
                            f"got {type(seq).__name__}")
    if not (len(weights) == len(biases) == len(activations)) or not weights:
        raise ValueError(f"forward: weights, biases and activations need one entry per layer; got "
                         f"{len(weights)}, {len(biases)} and {len(activations)}")
    A = as_float_array(X, "forward", "X", ndim=2)
    for W, b, act in zip(weights, biases, activations):
        _, A = layer_forward(A, W, b, act)
    return A
