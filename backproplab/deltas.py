"""Node deltas: the backward pass of Samatova (steps 2 and 3) and CENG 506.

A node delta is delta_j = dE/dz_j, the derivative of ONE sample's loss with respect to the
weighted input z_j of unit j. Arrays hold one sample per row, so delta has the shape of z,
(n_samples, n_units), and is NOT divided by n: the 1/n of the batch mean enters only in
weight_gradients, where the per-sample contributions are averaged.

    output layer:   delta = dE/dy_hat * phi'(z)                 (element-wise activations)
    hidden layer:   delta_i = phi'_i * sum_k w_ik delta_k        i.e. phi'(z) * (delta_next @ W_next.T)
    gradients:      dE/dW = a_prev.T @ delta / n,   dE/db = mean of delta over the samples

Samatova writes the hidden rule as sum_k w_ki delta_k with w_ki "from k to i" in the
column-vector notation; with our W of shape (n_in, n_out) the weight from unit i to unit k
of the next layer is W_next[i, k], hence the transpose.

Softmax is the one activation here that is not element-wise: s_i depends on every z_j, so
phi'(z) becomes the Jacobian J = diag(s) - s s^T and the chain rule reads delta = J^T g
(g = dE/ds). J is symmetric and J g = s * (g - s.g), which is what is computed: the same
product as with the full (k, k) matrix, without building it. Samatova's table entry
s(1 - s) is only J's diagonal; using it alone gives wrong deltas unless the loss is
cross-entropy, where the product collapses to the famous y_hat - y.
"""
from __future__ import annotations

import functools

import numpy as np

from . import activations as _act
from . import losses as _losses
from ._validate import as_float_array, check_size, choice

# Cross-entropy takes logarithms of the outputs, so it needs outputs that are probabilities.
_PROBABILITY_OUTPUTS = ("sigmoid", "softmax")
_CROSS_ENTROPIES = ("binary_cross_entropy", "cross_entropy")


# ----------------------------------------------------------------------------------------
# The arithmetic (no argument checks): used by the public functions below and by MLP.
# ----------------------------------------------------------------------------------------

def _through_activation(name, z, a, g):
    """dE/dz from g = dE/da, where a = phi(z) is the layer's output (one sample per row).

    g must be a new array of the caller's (a product or a difference it has just made): it
    is overwritten with the result, which is returned, so that no further array is made.
    sigmoid and tanh use the layer's output, as CENG 506 writes it: sigma' = a (1 - a),
    tanh' = 1 - a^2 (the same numbers as sigmoid_prime(z), tanh_prime(z), without a second
    exponential); ReLU's derivative is 1 where z > 0 and 0 elsewhere (relu_prime), linear's 1.
    The other piecewise activations take their derivative from activations.py.
    """
    if name == "sigmoid":
        g *= a
        g *= 1.0 - a
    elif name == "tanh":
        slope = a * a
        np.subtract(1.0, slope, out=slope)
        g *= slope
    elif name == "relu":
        g *= z > 0
    elif name == "softmax":
        # J^T g with J = diag(s) - s s^T, row by row: s * (g - sum_j g_j s_j)
        g -= np.add.reduce(g * a, axis=-1, keepdims=True)
        g *= a
    elif name != "linear":
        g *= _act.get_activation(name).df(z)
    return g


@functools.lru_cache(maxsize=16)
def _ones(n):
    """A read-only vector of n ones. The sums over the samples (rows) of an (n, k) array A
    are the product ones(n) @ A, and its sums along each row are A @ ones(k): one BLAS call
    each, several times faster than np.add.reduce for the course's layer sizes (the same
    sums, added up in another order)."""
    v = np.ones(n)
    v.flags.writeable = False
    return v


def _check_probability_output(loss, activation, where):
    if loss in _CROSS_ENTROPIES and activation not in _PROBABILITY_OUTPUTS:
        raise ValueError(
            f"{where}: the {loss} loss needs outputs that are probabilities in (0, 1), "
            f"but the output activation is {activation!r}; use a 'sigmoid' or 'softmax' "
            "output layer, or the 'quadratic' / 'mse' loss")


def _output_delta(y_hat, y, z, a, loss, activation, n=1):
    """Output-layer deltas divided by n; y already has y_hat's shape (labels turned one-hot).

    a is phi(z) (in an MLP it is y_hat itself). The MLP passes its batch size as n, so that
    the batch mean's 1/n enters once, here, and every delta before it carries it. Where a
    shortcut holds exactly it is used:
      binary_cross_entropy + sigmoid:  y_hat - y
      cross_entropy + softmax:         y_hat * sum_k y_k - y, i.e. y_hat - y for one-hot
                                       (or any probability) targets, computed as y_hat - y
                                       plus y_hat (sum_k y_k - 1) where that sum is not 1
    quadratic: (y_hat - y) * phi'(z); mse = the quadratic times 2/k (it also averages over
    the k outputs). Any other pairing goes through the chain rule, dE/dy_hat times phi'(z)
    (the softmax Jacobian for softmax), with dE/dy_hat from losses.py.
    """
    if loss == "quadratic":
        g = y_hat - y
    elif loss == "mse":
        g = y_hat - y
        g *= 2.0 / y_hat.shape[1]
    elif loss == "binary_cross_entropy" and activation == "sigmoid":
        g = y_hat - y
        if n != 1:
            g /= float(n)
        return g
    elif loss == "cross_entropy" and activation == "softmax":
        g = y_hat - y
        total = np.dot(y, _ones(y.shape[1]))           # sum_k y_k, one per sample
        if np.count_nonzero(total != 1.0):   # targets not summing to 1: y_hat * sum_k y_k - y
            g += y_hat * (total - 1.0)[:, None]
        if n != 1:
            g /= float(n)
        return g
    else:
        # losses.py returns the derivative of the batch MEAN, per-sample / y_hat.shape[0]
        g = _losses.get_loss(loss)[1](y_hat, y)
        if n != y_hat.shape[0]:
            g *= y_hat.shape[0] / n
        return _through_activation(activation, z, a, g)
    if n != 1:
        g /= float(n)
    return _through_activation(activation, z, a, g)


def _backward_sweep(zs, outs, y, weights, names, loss, l2):
    """The backward pass of a stack of layers from its forward values, with no checks:
    (grads_W, grads_b) of the batch-mean loss + l2 * sum_l ||W^(l)||_F^2.

    zs[l], outs[l + 1]: Z and A = phi(Z) of layer l; outs[0] = X. y has the output's shape
    (labels one-hot). MLP.backward and layers.backward both run this, so the two agree to
    the last bit. The batch mean's 1/n enters once, in the output deltas, and every delta
    before them carries it, so that
        dW^(l) = A^(l-1)^T delta^(l),   db^(l) = 1^T delta^(l)  (the deltas summed over the
        batch, as a product with a vector of ones),   delta^(l-1) = phi'(Z^(l-1)) * delta^(l) W^(l)^T
    """
    n = y.shape[0]
    ones = _ones(n)
    L = len(weights)
    grads_W, grads_b = [None] * L, [None] * L
    delta = _output_delta(outs[-1], y, zs[-1], outs[-1], loss, names[-1], n)
    for l in range(L - 1, -1, -1):
        dW = outs[l].T @ delta
        if l2:
            dW += (2.0 * l2) * weights[l]
        grads_W[l] = dW
        grads_b[l] = np.dot(ones, delta)
        if l:
            delta = _through_activation(names[l - 1], zs[l - 1], outs[l], delta @ weights[l].T)
    return grads_W, grads_b


def _weight_gradients(a_prev, delta):
    n = delta.shape[0]
    dW = a_prev.T @ delta
    dW /= n
    # sum / n is bit-for-bit what delta.mean(axis=0) computes, at a third of the overhead
    db = np.add.reduce(delta, axis=0)
    db /= n
    return dW, db


# ----------------------------------------------------------------------------------------
# Public functions
# ----------------------------------------------------------------------------------------

def _batch(x, where, name):
    arr = as_float_array(x, where, name, ndim=2)
    if arr.shape[0] == 0:
        raise ValueError(f"{where}: {name} has shape {arr.shape}: it needs at least one sample (row)")
    return arr


def _ndim(y):
    """np.ndim(y), or None where NumPy cannot make an array of y (a ragged list)."""
    try:
        return np.ndim(y)
    except (TypeError, ValueError):
        return None


def _targets(y_hat, y, loss, where, what="y_hat"):
    """y as an array of y_hat's shape; integer labels (n,) are accepted for cross_entropy.

    `what` names y_hat in the error message (the MLP says "the last forward's output").
    """
    if loss == "cross_entropy" and _ndim(y) == 1 and len(y) == y_hat.shape[0]:
        return _losses._one_hot_targets(y_hat, y, where)[1]
    y = as_float_array(y, where, "y")
    if y.shape != y_hat.shape:
        hint = " (or integer labels of shape (n,))" if loss == "cross_entropy" else ""
        raise ValueError(f"{where}: y has shape {y.shape} but {what} has shape {y_hat.shape}; "
                         f"y must have that shape{hint}")
    return y


def output_delta(y_hat, y, z, loss="quadratic", activation="sigmoid"):
    """Deltas of the output layer, dE/dz for each sample's loss E (rows = samples, not / n).

    y_hat = phi(z), y the targets, all of shape (n, k); for loss="cross_entropy" y may be
    integer labels of shape (n,).

    quadratic (E = 1/2 sum_k (y_hat_k - y_k)^2):  delta = (y_hat - y) * phi'(z)   (Samatova)
        but for a softmax output phi'(z) is the Jacobian: delta_row = J(z_row)^T (y_hat - y)_row
    mse (E = 1/k sum_k (y_hat_k - y_k)^2):         delta = 2/k (y_hat - y) * phi'(z)
    cross_entropy / binary_cross_entropy with a sigmoid or softmax output:  delta = y_hat - y
        (Samatova: "do not use the derivative of the activation for the cross-entropy"),
        as the API contract specifies for all four pairings.
    That shortcut is the exact derivative for binary_cross_entropy + sigmoid and for
    cross_entropy + softmax with targets that sum to 1 per sample (one-hot or labels). For
    the crossed pairings (cross_entropy + sigmoid, binary_cross_entropy + softmax) it is not:
    there the true delta is the chain rule dE/dy_hat * phi'(z). This function keeps the
    contract's formula; MLP.backward, whose contract is the exact gradient of the loss, uses
    the chain rule for those pairings.
    The cross-entropies with any other output activation raise ValueError: their outputs are
    not probabilities, so the logarithms are meaningless.
    """
    where = "output_delta"
    loss = choice(loss, _losses.NAMES, where, "loss")
    activation = choice(activation, _act.NAMES, where, "activation")
    _check_probability_output(loss, activation, where)
    y_hat = _batch(y_hat, where, "y_hat")
    z = _batch(z, where, "z")
    if z.shape != y_hat.shape:
        raise ValueError(f"{where}: z has shape {z.shape} but y_hat has shape {y_hat.shape}; "
                         "they must be the same shape (y_hat = phi(z))")
    y = _targets(y_hat, y, loss, where)
    if loss in _CROSS_ENTROPIES:
        return y_hat - y   # the contract's node delta (see the docstring for when it is exact)
    a = _act.get_activation(activation).f(z)
    return _output_delta(y_hat, y, z, a, loss, activation)


def hidden_delta(delta_next, W_next, z, activation="sigmoid"):
    """Deltas of a hidden layer from those of the layer after it (Samatova, step 3).

    delta_i = phi'(z_i) * sum_k w_ik delta_k,   i.e.   phi'(z) * (delta_next @ W_next.T)

    delta_next: (n, k) deltas of the next layer; W_next: (m, k) weights from this layer's m
    units into it; z: (n, m) this layer's weighted inputs. For a softmax layer phi'(z) is its
    Jacobian (see the module docstring). Returns (n, m).
    """
    where = "hidden_delta"
    activation = choice(activation, _act.NAMES, where, "activation")
    delta_next = _batch(delta_next, where, "delta_next")
    W_next = as_float_array(W_next, where, "W_next", ndim=2)
    z = _batch(z, where, "z")
    n, k = delta_next.shape
    if W_next.shape[1] != k:
        raise ValueError(f"{where}: W_next has shape {W_next.shape} but delta_next has shape "
                         f"{delta_next.shape}; W_next needs one column per unit of the next "
                         f"layer, i.e. shape (m, {k})")
    if z.shape != (n, W_next.shape[0]):
        raise ValueError(f"{where}: z has shape {z.shape} but delta_next has shape "
                         f"{delta_next.shape} and W_next has shape {W_next.shape}; z must have "
                         f"shape {(n, W_next.shape[0])} (one row per sample, one column per row "
                         "of W_next)")
    a = _act.get_activation(activation).f(z)
    return _through_activation(activation, z, a, delta_next @ W_next.T)


def weight_gradients(a_prev, delta):
    """Gradients of the batch-mean loss for one layer, (dW, db).

    dE/dw_ij = mean over samples of a_prev_i delta_j (CENG 506: dE/dw_ij = delta_j a_i), so
    dW = a_prev.T @ delta / n of shape (m, k), and db = delta.mean(axis=0) of shape (k,).
    a_prev: (n, m) the previous layer's outputs (the inputs X for the first layer);
    delta: (n, k) this layer's deltas.
    """
    where = "weight_gradients"
    a_prev = _batch(a_prev, where, "a_prev")
    delta = _batch(delta, where, "delta")
    if a_prev.shape[0] != delta.shape[0]:
        raise ValueError(f"{where}: a_prev has shape {a_prev.shape} but delta has shape "
                         f"{delta.shape}; they need the same number of samples (rows)")
    check_size(a_prev.shape[1] * delta.shape[1], where,
               f"dW of shape {(a_prev.shape[1], delta.shape[1])}")
    return _weight_gradients(a_prev, delta)
