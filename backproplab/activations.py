"""Activation functions phi(z) and their derivatives phi'(z) (Samatova's table, CENG 506's list).

Every function takes a number or an array and returns float64 of the same shape (a NumPy
scalar for a scalar input). None of them modifies its argument. sigmoid and softmax are
written so that |z| up to 1e4 and beyond gives finite values and no RuntimeWarning.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Callable

import numpy as np

from ._validate import _show, as_float_array, check_size, choice, real_number


def _z(z, where):
    return as_float_array(z, where, "z")


def _out(a: np.ndarray):
    # a 0-d array becomes a NumPy scalar, so sigmoid(0) prints as 0.5, not array(0.5)
    return a[()] if a.ndim == 0 else a


def _sigmoid_kernel(z: np.ndarray) -> np.ndarray:
    # e^{-z} overflows to inf for z < -709 and 1/(1 + inf) is exactly 0, the right limit;
    # the overflow is expected, so it is silenced here (and only here).
    with np.errstate(over="ignore", under="ignore"):
        return 1.0 / (1.0 + np.exp(-z))


def sigmoid(z):
    """sigma(z) = 1 / (1 + e^{-z}).

    For z < -709, e^{-z} overflows to inf and the result is exactly 0, the correct limit;
    no RuntimeWarning is shown for that.
    """
    return _out(_sigmoid_kernel(_z(z, "sigmoid")))


def sigmoid_prime(z):
    """sigma'(z) = sigma(z) (1 - sigma(z)).

    Samatova's extra slide "Differentiating Sigmoid Function" ends with S(t)(S(t) - 1): the
    sign is wrong (its first step drops the minus of the power rule, d(u^-1)/du = -u^-2,
    keeping only that of d(e^{-t})/dt = -e^{-t}); CENG 506's derivation is right.
    """
    s = _sigmoid_kernel(_z(z, "sigmoid_prime"))
    return _out(s * (1.0 - s))


def tanh(z):
    """tanh(z) = (e^z - e^{-z}) / (e^z + e^{-z})."""
    return _out(np.tanh(_z(z, "tanh")))


def tanh_prime(z):
    """tanh'(z) = 1 - tanh^2(z)."""
    t = np.tanh(_z(z, "tanh_prime"))
    return _out(1.0 - t * t)


def relu(z):
    """ReLU(z) = max(0, z)."""
    z = _z(z, "relu")
    return _out(np.where(z > 0, z, 0.0))


def relu_prime(z):
    """ReLU'(z) = 1 for z > 0, else 0 (0 at z = 0 by the lectures' convention)."""
    z = _z(z, "relu_prime")
    return _out(np.where(z > 0, 1.0, 0.0))


def leaky_relu(z, slope=0.1):
    """Leaky ReLU: max(slope * z, z), i.e. z for z > 0 and slope * z otherwise."""
    slope = real_number(slope, "leaky_relu", "slope")
    z = _z(z, "leaky_relu")
    return _out(np.where(z > 0, z, slope * z))


def leaky_relu_prime(z, slope=0.1):
    """Derivative of leaky ReLU: 1 for z > 0, `slope` for z <= 0."""
    slope = real_number(slope, "leaky_relu_prime", "slope")
    z = _z(z, "leaky_relu_prime")
    return _out(np.where(z > 0, 1.0, slope))


def linear(z):
    """The identity phi(z) = z (used at the output layer for regression)."""
    return _out(_z(z, "linear"))


def linear_prime(z):
    """phi'(z) = 1."""
    return _out(np.ones_like(_z(z, "linear_prime")))


def _axis(z: np.ndarray, axis, where: str) -> int:
    if z.ndim == 0:
        raise ValueError(f"{where}: z must have at least one dimension (a vector of scores), "
                         f"got a scalar of shape {z.shape}")
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)) or not -z.ndim <= axis < z.ndim:
        raise ValueError(f"{where}: axis {_show(axis)} is out of range for z of shape {z.shape}")
    if z.shape[axis] == 0:
        raise ValueError(f"{where}: z of shape {z.shape} has no scores along axis {axis}; "
                         "a softmax needs at least one")
    return int(axis)


def _softmax_kernel(z: np.ndarray, axis: int = -1) -> np.ndarray:
    # e^{-700} / k can land below the smallest normal float: rounding such a probability
    # to (nearly) 0 is harmless, so underflow is ignored here even under an outer
    # np.errstate(all="raise"). Likewise -1e308 - 1e308 overflows to -inf, whose e^{...}
    # is the right 0.
    with np.errstate(under="ignore", over="ignore"):
        e = z - np.maximum.reduce(z, axis=axis, keepdims=True)
        np.exp(e, out=e)
        e /= np.add.reduce(e, axis=axis, keepdims=True)
        return e


def softmax(z, axis=-1):
    """phi(z_i) = e^{z_i} / sum_j e^{z_j} over `axis`.

    Shifted by the maximum first (the value is unchanged, since the shift cancels), so that
    e^{...} never overflows.
    """
    z = _z(z, "softmax")
    return _softmax_kernel(z, _axis(z, axis, "softmax"))


def softmax_prime(z, axis=-1):
    """The diagonal of the softmax Jacobian, s_i (1 - s_i), as in Samatova's table.

    This is only the diagonal: the off-diagonal terms -s_i s_j matter whenever the loss is
    not cross-entropy; see softmax_jacobian.
    """
    z = _z(z, "softmax_prime")
    s = softmax(z, axis=_axis(z, axis, "softmax_prime"))
    return s * (1.0 - s)


def softmax_jacobian(z):
    """J = diag(s) - s s^T, with J_ij = ds_i / dz_j.

    z of shape (k,) gives (k, k); a batch (n, k) gives (n, k, k), one Jacobian per row.
    """
    z = _z(z, "softmax_jacobian")
    if z.ndim not in (1, 2):
        raise ValueError(f"softmax_jacobian: z must be a vector (k,) or a batch (n, k), got shape {z.shape}")
    _axis(z, -1, "softmax_jacobian")
    check_size(z.size * z.shape[-1], "softmax_jacobian", f"the Jacobians for z of shape {z.shape}")
    s = softmax(z, axis=-1)
    with np.errstate(under="ignore"):  # s_i s_j of two tiny probabilities rounds to 0
        outer = s[..., :, None] * s[..., None, :]
    diag = np.zeros_like(outer)
    idx = np.arange(s.shape[-1])
    diag[..., idx, idx] = s
    return diag - outer


def step(z, threshold=0.0):
    """Hard threshold g(z) = 1 if z >= T else 0 (Kauchak)."""
    threshold = real_number(threshold, "step", "threshold")
    z = _z(z, "step")
    return _out(np.where(z >= threshold, 1.0, 0.0))


def step_prime(z, threshold=0.0):
    """Zero everywhere it exists: why a hard threshold cannot be trained by gradients."""
    real_number(threshold, "step_prime", "threshold")
    return _out(np.zeros_like(_z(z, "step_prime")))


@dataclass(frozen=True)
class Activation:
    """An activation by name: .f(z) is phi(z), .df(z) is phi'(z) (element-wise).

    .kernel(z) computes phi(z) like .f, but on a float64 array it trusts, with no checks and
    no copy of z: for the network's inner loop, where the arrays are its own. It returns a
    new array (z itself for "linear") and never changes z.
    """

    name: str
    f: Callable
    df: Callable
    kernel: Callable = None

    def __post_init__(self):
        if self.kernel is None:
            object.__setattr__(self, "kernel", self.f)

    def __repr__(self):
        return f"Activation({self.name!r})"


def _relu_kernel(z: np.ndarray) -> np.ndarray:
    # fmax, not maximum: like relu's np.where(z > 0, z, 0.0) it gives 0 for NaN
    return np.fmax(z, 0.0)


def _leaky_relu_kernel(z: np.ndarray) -> np.ndarray:
    return np.where(z > 0, z, 0.1 * z)


def _linear_kernel(z: np.ndarray) -> np.ndarray:
    return z            # the network never changes its cached arrays, so no copy is needed


_ACTIVATIONS = {
    "sigmoid": Activation("sigmoid", sigmoid, sigmoid_prime, _sigmoid_kernel),
    "tanh": Activation("tanh", tanh, tanh_prime, np.tanh),
    "relu": Activation("relu", relu, relu_prime, _relu_kernel),
    "leaky_relu": Activation("leaky_relu", leaky_relu, leaky_relu_prime, _leaky_relu_kernel),
    "linear": Activation("linear", linear, linear_prime, _linear_kernel),
    "softmax": Activation("softmax", softmax, softmax_prime, _softmax_kernel),
    "step": Activation("step", step, step_prime),
}

NAMES = tuple(_ACTIVATIONS)


@functools.lru_cache(maxsize=None)
def _fast_kernel(name):
    """The kernel the network runs for `name` (see Activation). For the sigmoid that is
    scipy.special.expit when SciPy is installed (it comes with scikit-learn): the same
    1 / (1 + e^{-z}), bit for bit, in one compiled pass and with no warning for an overflow
    of e^{-z}; imported on first use, so that importing backproplab does not load SciPy."""
    if name == "sigmoid":
        try:
            from scipy.special import expit
        except ImportError:
            pass
        else:
            return expit
    return _ACTIVATIONS[name].kernel


def get_activation(name):
    """The Activation called `name`; ValueError listing the valid names otherwise."""
    if isinstance(name, Activation):
        return name
    return _ACTIVATIONS[choice(name, NAMES, "get_activation", "activation")]
