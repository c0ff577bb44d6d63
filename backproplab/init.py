"""Weight initialisation: the random starting point of the search for good weights (Samatova).

Each initialiser returns a float64 array of shape (n_in, n_out), the layout of
Z = A_prev @ W + b (W[i, j] is the weight from unit i of the previous layer to unit j).
Biases are not drawn here: MLP starts them at zero, since the random weights alone already
make the hidden units differ from one another.
"""
from __future__ import annotations

import numpy as np

from ._validate import _show, check_size, choice, positive_int, rng_from


def _sizes(n_in, n_out, where):
    n_in, n_out = positive_int(n_in, where, "n_in"), positive_int(n_out, where, "n_out")
    check_size(n_in * n_out, where, "a weight matrix of shape (n_in, n_out)")
    return n_in, n_out


def _rng(rng, where):
    try:
        return rng_from(rng, where)
    except TypeError:
        raise TypeError(f"{where}: rng must be a numpy Generator, a non-negative int seed or None, "
                        f"got {type(rng).__name__} {_show(rng)}") from None


def xavier_normal(n_in, n_out, rng=None):
    """Xavier (Glorot) initialisation: every weight ~ N(0, 2 / (n_in + n_out)).

    Samatova: Var(weight) = 2 / (n_in + n_out), centred at 0, "as a function of the number of
    neurons in the in-layer and the out-layer". Balancing both counts keeps the variance of
    the signals roughly the same going forward and of the deltas going backward.

    rng: a numpy Generator, an int seed or None (fresh entropy).
    """
    n_in, n_out = _sizes(n_in, n_out, "xavier_normal")
    rng = _rng(rng, "xavier_normal")
    return rng.normal(0.0, np.sqrt(2.0 / (n_in + n_out)), size=(n_in, n_out))


def he_normal(n_in, n_out, rng=None):
    """He initialisation: every weight ~ N(0, 2 / n_in).

    Suited to ReLU layers, which zero about half their inputs: the factor 2 makes up for the
    halved variance.
    """
    n_in, n_out = _sizes(n_in, n_out, "he_normal")
    rng = _rng(rng, "he_normal")
    return rng.normal(0.0, np.sqrt(2.0 / n_in), size=(n_in, n_out))


def zeros(n_in, n_out, rng=None):
    """All weights 0 (rng is ignored).

    Here to show why initialisation must be random: every hidden unit of a layer then computes
    the same thing and receives the same delta, so gradient descent can never tell them apart.
    """
    n_in, n_out = _sizes(n_in, n_out, "zeros")
    if rng is not None:
        _rng(rng, "zeros")  # still refuse a nonsensical rng argument
    return np.zeros((n_in, n_out))


_INITS = {"xavier": xavier_normal, "he": he_normal, "zeros": zeros}

NAMES = tuple(_INITS)


def get_init(name):
    """The initialiser called `name` ("xavier", "he" or "zeros"); ValueError listing them otherwise."""
    return _INITS[choice(name, NAMES, "get_init", "init")]
