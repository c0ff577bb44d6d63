"""Forward computations of a neuron, a layer and a stack of layers (Samatova, Kauchak and CENG 506),
and the backward pass of such a stack (lesson 05's reference; with Kang's L2 penalty, lesson 06's).

Batch-first notation: A_prev has one sample per row, W has shape (n_in, n_out) and
Z = A_prev W + b. The lectures' column-vector form a = W h + b (Kang) is the same
computation transposed: Z^T = W^T A_prev^T + b.
"""
from __future__ import annotations

import numpy as np

from . import losses as _losses
from ._validate import as_float_array, check_size, choice, real_number
from .activations import get_activation
from .deltas import _backward_sweep, _check_probability_output, _targets


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


def _layer_lists(weights, biases, activations, where):
    for name, seq in (("weights", weights), ("biases", biases), ("activations", activations)):
        if not isinstance(seq, (list, tuple)):
            raise TypeError(f"{where}: {name} must be a list with one entry per layer, "
                            f"got {type(seq).__name__}")
    if not (len(weights) == len(biases) == len(activations)) or not weights:
        raise ValueError(f"{where}: weights, biases and activations need one entry per layer; got "
                         f"{len(weights)}, {len(biases)} and {len(activations)}")


def forward(X, weights, biases, activations):
    """The forward pass of an MLP: A^(0) = X, A^(l) = phi_l(A^(l-1) W^(l) + b^(l)); returns y_hat.

    weights, biases, activations: lists with one entry per layer.
    """
    _layer_lists(weights, biases, activations, "forward")
    A = as_float_array(X, "forward", "X", ndim=2)
    for W, b, act in zip(weights, biases, activations):
        _, A = layer_forward(A, W, b, act)
    return A


def backward(X, y, weights, biases, activations, loss="quadratic", l2=0.0):
    """Gradients of the batch-mean loss with respect to every weight and bias: (grads_W, grads_b).

    The forward pass keeps every layer's Z^(l) and A^(l) (A^(0) = X); then, from the output
    layer L back to the first (Samatova's steps 2 to 4, Kang's backward computation):

        delta^(L) = dE/dZ^(L)                       (deltas.output_delta's formula)
        dW^(l) = A^(l-1)^T delta^(l) / n,   db^(l) = mean of delta^(l) over the samples
        delta^(l-1) = phi'_(l-1)(Z^(l-1)) * (delta^(l) W^(l)^T)

    For the cross-entropies with a sigmoid or softmax output the output delta is the exact
    derivative, as in MLP.backward (y_hat - y for the matched pairings). y: targets of the
    output's shape (or, for loss="cross_entropy", integer labels (n,)). Returns two lists
    matching weights and biases.

    l2 > 0 adds Kang's penalty lambda * Omega with Omega = sum_l ||W^(l)||_F^2 (the weights
    only, as MLP.backward): each dW^(l) gains 2 * l2 * W^(l), the biases' gradients nothing.
    """
    return _backward(X, y, weights, biases, activations, loss, l2, "backward")


def _backward(X, y, weights, biases, activations, loss, l2, where):
    """backward()'s computation; `where` names the public function in error messages."""
    _layer_lists(weights, biases, activations, where)
    loss = choice(loss, _losses.NAMES, where, "loss")
    l2 = real_number(l2, where, "l2", minimum=0.0)
    _check_probability_output(loss, activations[-1], where)
    A = [as_float_array(X, where, "X", ndim=2)]
    Z = []
    for W, b, act in zip(weights, biases, activations):
        z, a = layer_forward(A[-1], W, b, act)
        Z.append(z)
        A.append(a)
    y = _targets(A[-1], y, loss, where, "the network's output")
    Ws = [as_float_array(W, where, f"weights[{l}]") for l, W in enumerate(weights)]
    # the arithmetic of MLP.backward, to the last bit (deltas._backward_sweep)
    return _backward_sweep(Z, A, y, Ws, activations, loss, l2)


def two_layer_backward(X, y, W1, b1, W2, b2, l2=0.0, hidden="sigmoid", output="sigmoid"):
    """Every gradient of a network with one hidden layer (lesson 06's reference):

        J = (1/n) sum_s 1/2 ||y_hat_s - y_s||^2 + l2 (||W1||_F^2 + ||W2||_F^2)
        H = hidden(X W1 + b1),   y_hat = output(H W2 + b2)

    Kang's backward computation in batch-first form gives g = dJ/dy_hat = (y_hat - y) / n,
    then per layer g <- g * f'(a), db = the column sums of g, dW = h_prev^T g + 2 l2 W,
    g <- g W^T. The biases are not regularised. Returns (dW1, db1, dW2, db2).
    """
    grads_W, grads_b = _backward(X, y, [W1, W2], [b1, b2], [hidden, output], "quadratic", l2,
                                 "two_layer_backward")
    return grads_W[0], grads_b[0], grads_W[1], grads_b[1]
