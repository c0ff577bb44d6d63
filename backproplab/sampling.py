"""Which examples a mini-batch is drawn from: uniform, priority and pooled sampling.

Kang's SGD draws "a minibatch of examples ... uniformly from the training set". Samatova's
"Mini Batch Update" adds that one "can use priority sampling": examples that the network
still gets badly wrong are drawn more often than those it has learnt. Two forms:

    priority_sample   probability growing with the error (the smooth form):
                      p_i = (e_i + eps)^alpha / sum_j (e_j + eps)^alpha,
                      alpha = 0 is uniform sampling, alpha = 1 proportional to the error;
    pooled_sample     Samatova's slide as printed: the examples are split into a high- and a
                      low-priority pool by their error, and every batch takes a fixed share
                      from each pool.

Both draw with replacement from the generator they are given, and only from it, so that a
run can be repeated number for number.
"""
from __future__ import annotations

import numpy as np

from ._validate import _show, as_float_array, positive_int, real_number

__all__ = ["priority_probabilities", "priority_sample", "pooled_sample"]


def _errors(errors, where) -> np.ndarray:
    e = as_float_array(errors, where, "errors", ndim=1, finite=True)
    if e.size == 0:
        raise ValueError(f"{where}: errors is empty; there is no example to draw")
    if (e < 0).any():
        raise ValueError(f"{where}: errors must be >= 0 (per-example losses or absolute errors), "
                         f"got a minimum of {e.min()!r}")
    return e


def _generator(rng, where) -> np.random.Generator:
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"{where}: rng must be a numpy Generator (np.random.default_rng(seed)), "
                        f"got {type(rng).__name__} {_show(rng)}")
    return rng


def priority_probabilities(errors, alpha=1.0, eps=0.01) -> np.ndarray:
    """p_i = (e_i + eps)^alpha / sum_j (e_j + eps)^alpha: the chance of drawing example i.

    errors: (n,), e_i >= 0 (e.g. each example's loss). alpha >= 0: how strongly the error
    counts (0: every example equally likely; 1: proportional to e_i + eps; larger: sharper).
    eps >= 0 keeps examples with e_i = 0 drawable (otherwise a learnt example would never be
    seen again, and forgetting it would go unnoticed). Returns float64 (n,), summing to 1.
    """
    return _probabilities(errors, alpha, eps, "priority_probabilities")


def _probabilities(errors, alpha, eps, where) -> np.ndarray:
    """priority_probabilities, its messages naming `where` (the public function called)."""
    e = _errors(errors, where)
    alpha = real_number(alpha, where, "alpha", minimum=0.0)
    eps = real_number(eps, where, "eps", minimum=0.0)
    with np.errstate(over="ignore"):      # an overflow is refused below, with its reason
        weights = (e + eps) ** alpha
        total = weights.sum()
    if not total > 0.0:
        raise ValueError(f"{where}: every error is 0 and eps = 0, so no example has a positive "
                         "probability; use eps > 0")
    if not np.isfinite(total):
        raise ValueError(f"{where}: (errors + eps) ** alpha overflows float64 (alpha = {alpha}, "
                         f"largest error {e.max()!r}); use a smaller alpha")
    return weights / total


def priority_sample(errors, batch_size, rng, alpha=1.0, eps=0.01) -> np.ndarray:
    """The indices of one mini-batch drawn with priority_probabilities(errors, alpha, eps).

    Exactly one call rng.choice(n, size=batch_size, p=p): with replacement (an example may
    appear twice), each index independently with probability p_i. Returns int64 (batch_size,).
    """
    where = "priority_sample"
    p = _probabilities(errors, alpha, eps, where)
    batch_size = positive_int(batch_size, where, "batch_size")
    return _generator(rng, where).choice(p.size, size=batch_size, p=p)


def pooled_sample(errors, batch_size, rng, high_fraction=0.2, high_share=0.5) -> np.ndarray:
    """Samatova's priority pools: a share of every batch from the examples with the largest errors.

    The ceil(high_fraction * n) examples with the largest errors form the high-priority pool
    (ties broken by index), the others the low-priority pool, each in increasing index order.
    Of the batch_size indices, round(high_share * batch_size) are drawn uniformly, with
    replacement, from the high pool (rng.choice(high_pool, size=...)), then the rest from the
    low pool in the same way (all from the high pool when the low pool is empty). Returns
    int64 (batch_size,), the high pool's draws first.
    """
    where = "pooled_sample"
    e = _errors(errors, where)
    batch_size = positive_int(batch_size, where, "batch_size")
    rng = _generator(rng, where)
    high_fraction = real_number(high_fraction, where, "high_fraction", minimum=0.0, strict=True,
                                maximum=1.0)
    high_share = real_number(high_share, where, "high_share", minimum=0.0, maximum=1.0)
    n = e.size
    n_high = min(n, int(np.ceil(high_fraction * n)))
    in_high = np.zeros(n, dtype=bool)
    in_high[np.argsort(-e, kind="stable")[:n_high]] = True    # largest errors, ties by index
    high, low = np.flatnonzero(in_high), np.flatnonzero(~in_high)
    k_high = batch_size if low.size == 0 else int(round(high_share * batch_size))
    # pool[rng.integers(0, len(pool), size)] is the same draw as rng.choice(pool, size), faster
    drawn = high[rng.integers(0, high.size, size=k_high)]
    if k_high < batch_size:
        drawn = np.concatenate([drawn, low[rng.integers(0, low.size, size=batch_size - k_high)]])
    return drawn.astype(np.int64, copy=False)

