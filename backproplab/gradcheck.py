"""Gradient checking: compare backpropagation's gradients with finite differences.

The numerical gradient needs nothing but the loss itself, so it is slow (two loss
evaluations per parameter) but hard to get wrong: the yardstick for the analytic one.
"""
from __future__ import annotations

import numpy as np

from ._validate import as_float_array, real_number, same_shape


def numerical_gradient(f, x, h=1e-5):
    """Central differences: df/dx_i ~ (f(x + h e_i) - f(x - h e_i)) / (2h), for every element.

    f is called as f(x) and must return a real number; x is a float64 array that f reads
    (for a network, one of its weight arrays: f(x) may ignore its argument and just compute
    the loss). Each element of x is changed in place in turn, and x is restored afterwards,
    also when f raises. The error of the formula is O(h^2), against O(h) for the one-sided
    difference. Returns an array of x's shape.
    """
    where = "numerical_gradient"
    if not callable(f):
        raise TypeError(f"{where}: f must be a function of x returning a number, got {type(f).__name__}")
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        got = f"{type(x).__name__}" + (f" of dtype {x.dtype}" if isinstance(x, np.ndarray) else "")
        raise TypeError(f"{where}: x must be a float64 NumPy array (it is perturbed in place, "
                        f"element by element), got {got}")
    if not x.flags.writeable:
        raise ValueError(f"{where}: x of shape {x.shape} is read-only, but it must be perturbed in place")
    h = real_number(h, where, "h", minimum=0.0, strict=True)
    grad = np.empty(x.shape)
    for i in np.ndindex(x.shape):
        old = x[i]
        try:
            x[i] = old + h
            up = _value(f(x), where, i)
            x[i] = old - h
            down = _value(f(x), where, i)
        finally:
            x[i] = old
        grad[i] = (up - down) / (2.0 * h)
    return grad


def _value(v, where, i):
    try:
        return float(v)
    except (TypeError, ValueError):
        try:
            shape = np.shape(v)
        except ValueError:                     # a ragged list has none
            shape = "(ragged)"
        raise TypeError(f"{where}: f must return a single number, got {type(v).__name__} "
                        f"{shape} at element {i}") from None
    except OverflowError:
        raise ValueError(f"{where}: f returned an int too large for float64 at element {i}") from None


def relative_error(a, b):
    """CS231n's relative error: the largest over the elements of |a - b| / max(1e-8, |a| + |b|).

    Read element by element: each pair is compared relative to its own size, and the worst
    pair is reported, so one wrong entry among many large correct ones is still caught. The
    1e-8 floor keeps pairs that are both (near) zero from dividing by zero: they count as
    absolute differences scaled by 1e8. Below 1e-7 is a good match for float64 gradients.
    a and b: numbers or arrays of the same shape. Returns a float (0.0 for empty arrays).
    """
    where = "relative_error"
    a = as_float_array(a, where, "a")
    b = as_float_array(b, where, "b")
    same_shape(a, b, where, names=("a", "b"))
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


def gradient_errors(net, X, y, loss="quadratic", l2=0.0):
    """The relative error of each of net's parameter arrays: backward pass against numerics.

    Runs net.forward(X) and net.backward(y, loss, l2) (so afterwards net.grads are these
    gradients), then differentiates net.loss(X, y, loss, l2) numerically with respect to every
    weight and bias, one array at a time, in the order of net.params ([W1, b1, W2, b2, ...]):
    a bug shows up in the arrays it touches, layer by layer. The parameters are unchanged
    afterwards. Returns a list of floats, one relative_error per parameter array.
    """
    for attr in ("forward", "backward", "loss", "params"):
        if not hasattr(net, attr):
            raise TypeError(f"gradient_errors: net must be an MLP (with forward, backward, loss "
                            f"and params), got {type(net).__name__}")
    net.forward(X)
    net.backward(y, loss=loss, l2=l2)
    analytic = [g.copy() for g in net.grads]
    errors = []
    for p, g in zip(net.params, analytic):
        numeric = numerical_gradient(lambda _: net.loss(X, y, loss=loss, l2=l2), p)
        errors.append(relative_error(g, numeric))
    return errors


def check_gradients(net, X, y, loss="quadratic", l2=0.0):
    """The largest relative error between net.backward's gradients and numerical ones.

    Runs net.forward(X) and net.backward(y, loss, l2) (so afterwards net.grads are these
    gradients), then differentiates net.loss(X, y, loss, l2) numerically with respect to every
    weight and bias. The parameters are unchanged afterwards. Returns the max of
    relative_error over all parameter arrays (gradient_errors gives them one by one).
    """
    for attr in ("forward", "backward", "loss", "params"):
        if not hasattr(net, attr):
            raise TypeError(f"check_gradients: net must be an MLP (with forward, backward, loss "
                            f"and params), got {type(net).__name__}")
    return max(gradient_errors(net, X, y, loss=loss, l2=l2), default=0.0)
