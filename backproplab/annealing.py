"""Simulated annealing: random moves, kept by the Metropolis rule, with a cooling temperature.

Kauchak ("Many variations"): "Simulated annealing: with some probability make a random
weight update; reduce this probability over time". In the usual (Metropolis) form every step
proposes a random move x' = x + step_size * z, z ~ N(0, I), and keeps it with probability

    P(accept) = 1                 if dE = E(x') - E(x) <= 0   (downhill: always)
              = exp(-dE / T)      if dE > 0                   (uphill: sometimes)

where the temperature T falls step by step; here geometrically, T_k = T0 * cooling^k. While
T is high, uphill moves are often kept and the walk can leave a local minimum; as T -> 0 only
downhill moves survive and the walk settles. T = 0 is a greedy random descent.
"""
from __future__ import annotations

import math

import numpy as np

from ._validate import _show, as_float_array, positive_int, real_number

__all__ = ["acceptance_probability", "temperature", "anneal"]


def acceptance_probability(dE, T):
    """Metropolis: min(1, exp(-dE / T)), i.e. 1 where dE <= 0 and exp(-dE / T) where dE > 0.

    dE: a number or an array of energy changes E(x') - E(x); T >= 0 the temperature.
    T = 0 (frozen): 1 where dE <= 0, 0 where dE > 0. Returns float64 of dE's shape (a float
    for a number), never more than 1, with no overflow or division warnings.
    """
    where = "acceptance_probability"
    scalar = np.ndim(dE) == 0 and not isinstance(dE, np.ndarray)
    d = as_float_array(dE, where, "dE")
    if np.isnan(d).any():
        raise ValueError(f"{where}: dE contains NaN")
    T = real_number(T, where, "T (the temperature)", minimum=0.0)
    p = np.ones_like(d)
    uphill = d > 0
    if T == 0.0:
        p[uphill] = 0.0
    else:
        # only the uphill moves reach exp, so its argument is <= 0; dE / T may overflow to
        # inf for a tiny T, and exp(-inf) = 0 is then the right answer
        with np.errstate(over="ignore"):
            p[uphill] = np.exp(-d[uphill] / T)
    return float(p) if scalar else p


def temperature(k, T0, cooling):
    """The geometric schedule T_k = T0 * cooling^k for step k = 0, 1, 2, ... (T_0 = T0).

    T0 >= 0; cooling in (0, 1] (1: a constant temperature). k: an int >= 0 or an array of them.
    """
    where = "temperature"
    T0 = real_number(T0, where, "T0", minimum=0.0)
    cooling = real_number(cooling, where, "cooling", minimum=0.0, strict=True, maximum=1.0)
    if np.ndim(k) == 0 and not isinstance(k, np.ndarray):
        return T0 * cooling ** positive_int(k, where, "k", minimum=0)
    ks = np.asarray(k)
    if ks.dtype.kind not in "iu" or (ks < 0).any():
        raise ValueError(f"{where}: k must hold integers >= 0 (step numbers), got {_show(k)}")
    return T0 * cooling ** ks.astype(np.float64)


def anneal(f, x0, T0, cooling, steps, step_size, rng) -> np.ndarray:
    """Simulated annealing on f from x0; returns the path, shape (steps + 1, d).

    f: a function of x (shape (d,)) returning a number, the energy E; x0: (d,) the start.
    Step k = 0, ..., steps - 1, in this order:
        T = T0 * cooling^k                                   (temperature(k, T0, cooling))
        x_new = x + step_size * rng.standard_normal(d)       (the proposal: d normals)
        dE = f(x_new) - E
        u = rng.random()                                     (drawn at EVERY step)
        if u < acceptance_probability(dE, T): x, E = x_new, f(x_new)
    path[0] = x0 and path[k + 1] is x after step k (rejected steps repeat the point).
    Drawing u even for downhill moves keeps the generator's use the same at every step, so a
    run can be repeated number for number from the same seed.
    """
    where = "anneal"
    if not callable(f):
        raise TypeError(f"{where}: f must be a function of x returning a number, got {type(f).__name__}")
    x = as_float_array(x0, where, "x0", ndim=1, finite=True)
    T0 = real_number(T0, where, "T0", minimum=0.0)
    cooling = real_number(cooling, where, "cooling", minimum=0.0, strict=True, maximum=1.0)
    steps = positive_int(steps, where, "steps", minimum=0)
    step_size = real_number(step_size, where, "step_size", minimum=0.0, strict=True)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"{where}: rng must be a numpy Generator (np.random.default_rng(seed)), "
                        f"got {type(rng).__name__} {_show(rng)}")
    energy = _energy(f, x, where)
    path = np.empty((steps + 1, x.size))
    path[0] = x
    for k in range(steps):
        T = T0 * cooling ** k
        x_new = x + step_size * rng.standard_normal(x.size)
        e_new = _energy(f, x_new, where)
        if rng.random() < acceptance_probability(e_new - energy, T):
            x, energy = x_new, e_new
        path[k + 1] = x
    return path


def _energy(f, x, where) -> float:
    value = f(x.copy())      # f gets a copy: it cannot move the walk by changing x
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{where}: f(x) must return a number, got {type(value).__name__}") from None
    if math.isnan(value):
        raise ValueError(f"{where}: f returned NaN at x = {_show(x.tolist())}")
    return value
