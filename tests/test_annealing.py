"""backproplab.annealing: the Metropolis acceptance rule, the geometric temperature schedule and
the annealing walk, against their formulas, a hand-written loop, and the distribution the
rule samples at a fixed temperature (Boltzmann: exp(-E/T))."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backproplab.annealing import acceptance_probability, anneal, temperature

SETTINGS = settings(deadline=None, max_examples=60, derandomize=True)


@SETTINGS
@given(st.floats(-1e6, 1e6), st.floats(1e-6, 1e6))
def test_acceptance_is_min_of_one_and_exp(dE, T):
    p = acceptance_probability(dE, T)
    assert isinstance(p, float)
    assert p == (1.0 if dE <= 0 else math.exp(-dE / T))
    assert 0.0 <= p <= 1.0


def test_acceptance_worked_values_and_arrays():
    p = acceptance_probability(np.array([-2.0, 0.0, 1.0, 2.0]), 2.0)
    assert np.allclose(p, [1.0, 1.0, math.exp(-0.5), math.exp(-1.0)], rtol=1e-15)
    assert acceptance_probability(np.array([[1.0, -1.0]]), 1.0).shape == (1, 2)


def test_frozen_temperature_accepts_only_downhill_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = acceptance_probability(np.array([-1e300, -1.0, 0.0, 1e-300, 5.0]), 0.0)
        assert np.array_equal(p, [1.0, 1.0, 1.0, 0.0, 0.0])
        assert acceptance_probability(np.array([-1e308, 1e308]), 1e-300).tolist() == [1.0, 0.0]


def test_hotter_accepts_more_uphill():
    Ts = [0.1, 0.5, 1.0, 5.0]
    ps = [acceptance_probability(1.0, T) for T in Ts]
    assert ps == sorted(ps) and ps[-1] < 1.0


def test_temperature_schedule():
    assert temperature(0, 3.0, 0.9) == 3.0
    assert temperature(2, 4.0, 0.5) == 1.0
    assert np.array_equal(temperature(np.arange(4), 8.0, 0.5), [8.0, 4.0, 2.0, 1.0])
    assert temperature(10, 2.0, 1.0) == 2.0


def _hand_loop(f, x0, T0, cooling, steps, step_size, seed):
    rng = np.random.default_rng(seed)
    x = np.array(x0, dtype=float)
    E = f(x)
    path = [x.copy()]
    for k in range(steps):
        T = T0 * cooling ** k
        x_new = x + step_size * rng.standard_normal(x.size)
        dE = f(x_new) - E
        u = rng.random()
        if dE <= 0 or (T > 0 and u < math.exp(-dE / T)):
            x, E = x_new, f(x_new)
        path.append(x.copy())
    return np.array(path)


def _bumpy(x):
    return float(np.sum(x ** 2 / 10 + 1 - np.cos(3 * x)))


@pytest.mark.parametrize("x0, T0, cooling", [([4.0], 2.0, 0.99), ([1.0, -2.0], 1.0, 0.95),
                                             ([3.0], 0.0, 0.5), ([0.5], 5.0, 1.0)])
def test_anneal_is_the_documented_loop(x0, T0, cooling):
    got = anneal(_bumpy, x0, T0, cooling, 300, 0.4, np.random.default_rng(7))
    assert got.shape == (301, len(x0))
    assert np.array_equal(got, _hand_loop(_bumpy, x0, T0, cooling, 300, 0.4, 7))


def test_frozen_anneal_never_goes_uphill():
    path = anneal(_bumpy, [4.0, -3.0], 0.0, 0.9, 400, 0.3, np.random.default_rng(1))
    energies = np.array([_bumpy(x) for x in path])
    assert np.all(np.diff(energies) <= 0)
    assert (np.diff(energies) < 0).any()


def test_at_a_fixed_temperature_the_walk_samples_boltzmann():
    # E = x^2 / 2 at T: the density exp(-E/T) is N(0, T), so E[x^2] = T. The chain is
    # correlated; 40000 steps with step 1.5 leave a few thousand effective samples.
    for T in (0.5, 2.0):
        path = anneal(lambda x: float(x[0] ** 2 / 2), [0.0], T, 1.0, 40_000, 1.5, np.random.default_rng(4))
        second_moment = float(np.mean(path[1000:, 0] ** 2))
        assert second_moment == pytest.approx(T, rel=0.1)


def test_anneal_leaves_x0_alone_and_gives_f_copies():
    x0 = np.array([1.0, 2.0])
    seen = []

    def f(x):
        seen.append(x)
        x += 100.0           # a hostile f cannot move the walk
        return 0.0

    path = anneal(f, x0, 1.0, 0.9, 5, 0.1, np.random.default_rng(0))
    assert np.array_equal(x0, [1.0, 2.0])
    assert np.all(np.abs(path) < 10)


@pytest.mark.parametrize("call, error, words", [
    (lambda: acceptance_probability(1.0, -1.0), ValueError, "T (the temperature) must be >= 0"),
    (lambda: acceptance_probability(np.array([np.nan]), 1.0), ValueError, "NaN"),
    (lambda: temperature(2, 1.0, 0.0), ValueError, "cooling must be > 0"),
    (lambda: temperature(2, 1.0, 1.5), ValueError, "cooling must be <= 1"),
    (lambda: temperature(np.array([0.5]), 1.0, 0.5), ValueError, "integers >= 0"),
    (lambda: anneal(_bumpy, [[1.0]], 1.0, 0.9, 5, 0.1, np.random.default_rng()), ValueError, "x0 must be 1-D"),
    (lambda: anneal(_bumpy, [1.0], 1.0, 0.9, 5, 0.1, 3), TypeError, "rng must be a numpy Generator"),
    (lambda: anneal(_bumpy, [1.0], 1.0, 0.9, 5, 0.0, np.random.default_rng()), ValueError, "step_size must be > 0"),
    (lambda: anneal(lambda x: "a", [1.0], 1.0, 0.9, 5, 0.1, np.random.default_rng()), TypeError, "must return a number"),
    (lambda: anneal(3, [1.0], 1.0, 0.9, 5, 0.1, np.random.default_rng()), TypeError, "f must be a function"),
])
def test_bad_input(call, error, words):
    with pytest.raises(error) as info:
        call()
    assert words in str(info.value)
