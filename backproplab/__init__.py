"""backproplab: the reference package of the backpropagation course.

Submodules load on first use (`backproplab.network`, `backproplab.plots`, ...), so that
`import backproplab` is cheap and has no side effects: no plotting backend is touched and
nothing is printed.
"""
from __future__ import annotations

import importlib

__version__ = "0.1.0"

_SUBMODULES = (
    "activations", "losses", "deltas", "init", "network", "graph", "optimizers", "training",
    "gradcheck", "datasets", "plots", "widgets", "layers", "gates", "stacked", "sampling",
    "annealing", "surfaces", "preprocessing", "metrics", "early_stopping", "checks",
)
__all__ = list(_SUBMODULES)


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'backproplab' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_SUBMODULES))
