"""Lesson 07, gradient descent (Samatova, Kauchak; Kang's SGD): exercises and their mistakes.

Exercises, in the order of the notebook: sgd_step, minibatches, priority_sample,
acceptance_probability, anneal.

sgd_step updates arrays IN PLACE and returns nothing: it is judged by what the arrays it was
given hold afterwards (observe), and what it got wrong is said about the step it took (the
arrays after minus before) against -lr * grads.

minibatches, priority_sample and anneal draw random numbers. Each task fixes how the given
generator must be used (one rng.permutation(n); one rng.choice(n, size, p=p); per step
rng.standard_normal(d) then rng.random()), so their answers are judged by exact reproduction:
every call gets a fresh generator from the case's seed (arguments), made with NumPy's
default_rng captured at import, so a student's cell that patches np.random cannot change it.
minibatches may be a generator function: its batches are drawn inside the call (while the
checks watch for the reference), at most n + 1 of them, so an endless generator ends too.
"""
from __future__ import annotations

import builtins as _builtins
import math
from dataclasses import dataclass

import numpy as np

from .. import annealing, optimizers, sampling, training
from . import _safe as s
from . import relations
# Bind the builtins this module uses to the copies captured at import (see _safe).
from ._safe import (bool, enumerate, float, int, isinstance, len, list, range, str, super,  # noqa: A004
                    tuple, zip)
from .exercise import Case, Exercise, Mistake
from . import register

LESSON = "07-gradient-descent"

# Captured now, before any student code runs (see lesson02's xavier check).
_default_rng = np.random.default_rng
_cos, _sum, _ascontiguous = np.cos, np.sum, np.ascontiguousarray
_iter = _builtins.iter


# ----------------------------------------------------------------------------- namespaces

def _base_namespace():
    """The setup cell's imports that the catalogue's sources use."""
    return {"np": np, "math": math}


def _namespace_anneal():
    # the student's own acceptance_probability is defined by then; the catalogue uses the reference's
    return {**_base_namespace(), "acceptance_probability": annealing.acceptance_probability}


def _def(header):
    """A maker of catalogue sources: the exercise's def line (header) followed by a body."""
    return lambda body: header + body


def _where(case) -> str:
    return f"  [{case.note}]" if case.note else ""


def _equal(a, b) -> bool:
    """Exactly the same answer: same structure, same types of numbers, same values."""
    if isinstance(a, (tuple, list)) or isinstance(b, (tuple, list)):
        return (isinstance(a, (tuple, list)) and isinstance(b, (tuple, list))
                and s.type(a) is s.type(b) and len(a) == len(b)
                and s.all_true(_equal(x, y) for x, y in zip(a, b)))
    if isinstance(a, s.ndarray) or isinstance(b, s.ndarray):
        return (isinstance(a, s.ndarray) and isinstance(b, s.ndarray) and a.shape == b.shape
                and a.dtype.kind == b.dtype.kind and s.same_value(a.astype(s.float64), b.astype(s.float64)))
    return s.type(a) is s.type(b) and s.same_value(a, b)


# ============================================================================= sgd_step

@dataclass
class StepCase(Case):
    """sgd_step(params, grads, lr): args = (params, grads, lr). The arrays at the positions in
    `views` are handed over as transposed views of a private buffer (W.T, as Kang's W^(k) is
    of the course's W), so that an update that goes to a copy is lost as it would be in a
    network."""

    views: tuple = ()

    def call_text(self, name: str) -> str:
        params, grads, lr = self.args

        def arrays(items, views=()):
            small = s.all_true(a.size <= 3 for a in (*params, *grads))
            return "[" + ", ".join((f"array({s.fmt(a, 4)})" if small else f"array{a.shape}")
                                   + (".T" if i in views else "") for i, a in enumerate(items)) + "]"
        return f"{name}({arrays(params, self.views)}, {arrays(grads)}, lr={s.fmt(lr, 4)})"


class SgdStepExercise(Exercise):
    """Judged by the arrays of `params` after the call (the very arrays handed over)."""

    _given = ()

    def arguments(self, case):
        params = []
        for i, p in enumerate(case.args[0]):
            if i in case.views:
                buffer = _ascontiguous(p.T)        # a fresh array holding p transposed
                params.append(buffer.T)            # p's values, as a non-contiguous view
            else:
                params.append(p.copy())
        self._given = tuple(params)
        return (list(params), s.copy_arg(case.args[1]), case.args[2]), {}

    @staticmethod
    def _changed_args(case, args, kwargs):
        # params are meant to change; the gradients and the learning rate are not
        if not s.same_value(case.args[1], args[1]):
            yield "grads", case.args[1], args[1]

    def observe(self, result, args, kwargs):
        """The arrays handed over in params, as they are after the call (copies)."""
        return [a.copy() for a in self._given]

    def judge(self, got, expected, case):
        call, where = case.call_text(self.name), _where(case)
        if not (isinstance(got, list) and isinstance(expected, list) and len(got) == len(expected)):
            return f"{call}: the arrays handed over could not be read back.{where}"
        before = case.args[0]
        if s.all_true(s.same_value(g, b) for g, b in zip(got, before)) and not _equal(got, expected):
            return (f"after {call} every array in params still holds its old values: nothing was "
                    f"updated in place.{where}")
        for i, (g, e) in enumerate(zip(got, expected)):
            g, e = s.to_float_array(g), s.to_float_array(e)
            bad = None if g is None or g.shape != e.shape else s.compare(g, e, self.rtol, self.atol)
            if g is None or g.shape != e.shape:
                return f"after {call}, params[{i}] could not be read back as shape {e.shape}.{where}"
            if bad is not None:
                idx, gv, ev = bad
                at = f" at index {idx}" if e.ndim else ""
                return (f"after {call}, params[{i}] is wrong{at}: expected {s.fmt(ev)} "
                        f"(w - lr * g), got {s.fmt(gv)}.{where}")
        return None

    def relation(self, got, case, seen):
        """A generic relation between the step taken and the step expected, -lr * grads,
        both flattened into one vector (the step, not the new weights, is what was computed)."""
        before = case.args[0]
        taken = s.concatenate([(g - b).reshape(-1) for g, b in zip(got, before)])
        wanted = s.concatenate([(e - b).reshape(-1) for e, b in zip(self.expected(case), before)])
        others = []
        for other, mine, problem in seen:
            if problem is None and other is not case and self.judge(mine, self.expected(other), other) is not None:
                others.append((s.concatenate([(g - b).reshape(-1) for g, b in zip(mine, other.args[0])]),
                               s.concatenate([(e - b).reshape(-1) for e, b in
                                              zip(self.expected(other), other.args[0])])))
        found = relations.find(taken, wanted, others=others)
        if found is None:
            return None
        return relations.Relation(found.key, "the step you took (each array after the call minus "
                                             "before), compared with -lr * grads: " + found.text)


def _step_cases(seed, specs, note, views=()):
    """specs: list of shapes per case, lr; params ~ N(0, 1), grads ~ N(0, 0.5)."""
    rng = np.random.default_rng(seed)
    cases = []
    for shapes, lr in specs:
        params = [rng.normal(size=shape) for shape in shapes]
        grads = [rng.normal(0.0, 0.5, size=shape) for shape in shapes]
        text = ", ".join(str(sh) for sh in shapes)
        cases.append(StepCase((params, grads, lr), note=f"{note}: arrays of shapes {text}, lr = {lr}",
                              views=views))
    return cases


# Kauchak's valley in one dimension: E(w) = (w - 1)^2 at w = 3, slope 2 (w - 1) = 4.
_VALLEY_W, _VALLEY_G = np.array([3.0]), np.array([4.0])
# CENG 506's neuron f = sigmoid(w0 x0 + w1 x1 + w2) at w = (2, -3, -3), x = (-1, -2), target
# 0.43 (lesson 05): delta = (f - t) f (1 - f) at z = 1, gradient delta * (x0, x1, 1).
_CENG_W = np.array([2.0, -3.0, -3.0])
_CENG_F = 1.0 / (1.0 + math.exp(-1.0))
_CENG_G = (_CENG_F - 0.43) * _CENG_F * (1.0 - _CENG_F) * np.array([-1.0, -2.0, 1.0])

_step_source = _def("def sgd_step(params, grads, lr):\n")

register(SgdStepExercise(
    name="sgd_step",
    reference=optimizers.sgd_step,
    lesson=LESSON,
    summary="Kauchak's valley E(w) = (w - 1)^2 from w = 3 with lr 0.25 (w becomes 2), CENG 506's "
            "neuron (w = (2, -3, -3), its gradient, lr 1), a 2-4-1 network's [W1, b1, W2, b2]; "
            "each array handed over is changed in place to w - lr * g; grads left as they were",
    visible=[
        StepCase(([_VALLEY_W], [_VALLEY_G], 0.25),
                 note="Kauchak's valley E(w) = (w - 1)^2: slope 4 at w = 3, so w - 0.25 * 4 = 2"),
        StepCase(([_CENG_W], [_CENG_G], 1.0),
                 note="CENG 506's neuron: w = (w0, w1, w2) = (2, -3, -3), lr 1"),
        *_step_cases(701, [([(2, 4), (4,), (4, 1), (1,)], 0.5)], "a 2-4-1 network's params"),
        *_step_cases(702, [([(3, 2), (2,)], 0.1)], "a 3-2 layer"),
    ],
    hidden=[
        *_step_cases(9701, [([(5, 3), (3,), (3, 2), (2,)], 0.05), ([(1, 1), (1,)], 2.0),
                            ([(4, 6), (6,), (6, 6), (6,), (6, 3), (3,)], 0.3)], "fresh random params"),
        *_step_cases(9702, [([(3, 4), (4,), (4, 2), (2,)], 0.2)],
                     "weights handed over as views (W.T), as Kang's W^(k) of the course's W",
                     views=(0, 2)),
        StepCase(([np.array([[1e3, -2e3], [5.0, 0.0]]), np.array([0.5, -0.5])],
                  [np.array([[40.0, -30.0], [0.0, 1e-9]]), np.array([12.0, -7.0])], 0.01),
                 note="large and tiny gradients"),
    ],
    hidden_summary="fresh networks of other depths and learning rates, weights handed over as "
                   "transposed views (W.T), large and tiny gradients",
    mistakes=[
        Mistake("not_in_place",
                "the arrays in params keep their old values: `w = w - lr * g` (or building new "
                "arrays and returning them, or putting new arrays into the list with "
                "params[i] = ...) makes NEW arrays, while the network still holds the old ones. "
                "Change the arrays themselves: `w -= lr * g` (or w[...] = w - lr * g).",
                _step_source("    for w, g in zip(params, grads):\n"
                             "        w = w - lr * g\n")),
        Mistake("ascent",
                "the step goes uphill: w + lr * g is gradient ASCENT. The gradient points to "
                "where the error grows; Samatova: a positive gradient means DEcrease the weight, "
                "so w <- w - lr * g.",
                _step_source("    for w, g in zip(params, grads):\n"
                             "        w += lr * g\n")),
        Mistake("no_learning_rate",
                "the learning rate is missing: the step is -lr * g, not -g (Samatova's gamma "
                "scales every gradient; with lr = 0.5 each step is half the gradient).",
                _step_source("    for w, g in zip(params, grads):\n"
                             "        w -= g\n")),
        Mistake("sign_only",
                "only the gradient's sign is used (Samatova's 'update the relevant weights based "
                "on the gradient sign', read literally): the step is -lr times the gradient "
                "itself, so a steep slope gives a big step and a flat one a small step.",
                _step_source("    for w, g in zip(params, grads):\n"
                             "        w -= lr * np.sign(g)\n")),
        Mistake("return_in_loop",
                "only the first array is updated: the `return` is inside the loop, so the "
                "function returns after the first pair. Update every array, then return.",
                _step_source("    for w, g in zip(params, grads):\n"
                             "        w -= lr * g\n"
                             "        return\n")),
        Mistake("update_through_reshape",
                "the update went to a reshaped copy: w.reshape(-1) (and w.ravel(), w.flatten()) "
                "is a view of w only when w's numbers lie contiguously in memory; for a view "
                "such as W.T it is a COPY, and changing it leaves w as it was. Update w itself: "
                "w -= lr * g.",
                _step_source("    for w, g in zip(params, grads):\n"
                             "        flat = w.reshape(-1)\n"
                             "        flat -= lr * g.reshape(-1)\n"),
                hidden_only=True),
    ],
    alternatives=[
        # element by element, through the index of every entry
        _step_source("    for w, g in zip(params, grads):\n"
                     "        for i in np.ndindex(w.shape):\n"
                     "            w[i] = w[i] - lr * g[i]\n"),
        # slice assignment with NumPy's out= form
        _step_source("    for i in range(len(params)):\n"
                     "        np.subtract(params[i], lr * grads[i], out=params[i])\n"
                     "    return None\n"),
    ],
    forbidden=(optimizers.sgd_step, optimizers.SGD._update, optimizers.SGD._apply,
               optimizers.Optimizer.step, optimizers.Optimizer._apply),
    namespace=_base_namespace,
))


# ============================================================================= minibatches

@dataclass
class BatchCase(Case):
    """minibatches(X, y, batch_size, np.random.default_rng(seed)): args = (X, y, batch_size, seed)."""

    def call_text(self, name: str) -> str:
        X, y, B, seed = self.args
        return (f"{name}(X of shape {X.shape}, y of shape {y.shape}, batch_size={B}, "
                f"rng=np.random.default_rng({seed}))")


def _pairs(items, limit):
    """At most `limit` items of an iterable answer, each pair copied; None if not iterable."""
    try:
        iterator = _iter(items)
    except s.Exception:
        return None
    out = []
    for item in iterator:
        if isinstance(item, (tuple, list)) and len(item) == 2:
            item = tuple(a.copy() if isinstance(a, s.ndarray) else a for a in item)
        out.append(item)
        if len(out) >= limit:
            break
    return out


class MinibatchesExercise(Exercise):
    """Judged by the batches, in order, and by where the generator is afterwards: exactly where
    one call rng.permutation(n) leaves it (the observation is (batches, rng.random()))."""

    says_relations = False

    def arguments(self, case):
        X, y, B, seed = case.args
        return (X.copy(), y.copy(), B, _default_rng(seed)), {}

    @staticmethod
    def _changed_args(case, args, kwargs):
        for i, name in ((0, "X"), (1, "y")):
            if not s.same_value(case.args[i], args[i]):
                yield name, case.args[i], args[i]

    def _call(self, fn, case):
        limit = case.args[0].shape[0] + 1

        def drawn(*args, **kwargs):     # the batches are made while the checks watch
            result = fn(*args, **kwargs)
            return result if result is None or isinstance(result, str) else _pairs(result, limit)
        return super()._call(drawn, case)

    def observe(self, result, args, kwargs):
        if result is not None and not isinstance(result, (str, list)):
            result = _pairs(result, args[0].shape[0] + 1)
        return (result, float(args[3].random()))

    def judge(self, got, expected, case):
        if _equal(got, expected):
            return None
        call, where = case.call_text(self.name), _where(case)
        if not (isinstance(got, tuple) and len(got) == 2 and isinstance(expected, tuple)):
            return f"{call} does not match.{where}"
        batches, after = got
        want, want_after = expected
        if batches is None or isinstance(batches, str) or not isinstance(batches, list):
            return (f"{call} returned {s.describe_type(batches)}; expected the batches of one epoch: "
                    f"a generator (use yield) or a list of (X_batch, y_batch) pairs.{where}")
        for k, item in enumerate(batches):
            if not (isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], s.ndarray)
                    and isinstance(item[1], s.ndarray)):
                return (f"{call}: batch {k} is {s.describe_type(item)}; each batch must be a pair "
                        f"(X_batch, y_batch) of arrays: yield X[idx], y[idx].{where}")
        if not (isinstance(want, list)):
            return f"{call} does not match.{where}"
        sizes = [len(b[0]) for b in batches]
        want_sizes = [len(b[0]) for b in want]
        if sizes != want_sizes:
            n, B = case.args[0].shape[0], case.args[2]
            last = (f", the last one holding the {n % B} left over" if n % B and B < n else "")
            return (f"{call} gave {len(batches)} batches of sizes {self._sizes(sizes)}; expected "
                    f"{len(want)} of sizes {self._sizes(want_sizes)}: every one of the n = {n} "
                    f"samples exactly once, in batches of batch_size = {B}{last}.{where}")
        return self._contents(batches, after, want, want_after, case, call, where)

    @staticmethod
    def _sizes(sizes) -> str:
        return s.fmt(sizes) if len(sizes) <= 6 else f"[{sizes[0]}, {sizes[1]}, ..., {sizes[-1]}]"

    def _contents(self, batches, after, want, want_after, case, call, where):
        X, y = case.args[0], case.args[1]
        rows = {X[i].tobytes(): i for i in range(X.shape[0])}
        seen = []
        for k, (Xb, yb) in enumerate(batches):
            if Xb.shape[1:] != X.shape[1:] or yb.shape[1:] != y.shape[1:] or len(yb) != len(Xb):
                return (f"{call}: batch {k} holds X of shape {Xb.shape} and y of shape {yb.shape}; "
                        f"expected rows of X (n, {X.shape[1]}) and the matching rows of y "
                        f"{'(n,)' if y.ndim == 1 else f'(n, {y.shape[1]})'}.{where}")
            for r in range(len(Xb)):
                i = rows.get(s.array(Xb[r], dtype=X.dtype).tobytes())
                if i is None:
                    return f"{call}: row {r} of batch {k} is not a row of X.{where}"
                if not s.same_value(s.array(yb[r], dtype=y.dtype), y[i]):
                    return (f"{call}: X and y are not shuffled together: row {r} of batch {k} is "
                            f"sample {i} of X, but its target is not y[{i}] = {s.fmt(y[i], 4)}. "
                            f"Shuffle both with the same order: X[idx], y[idx].{where}")
                seen.append(i)
        n = X.shape[0]
        counts = [0] * n
        for i in seen:
            counts[i] += 1
        twice = [i for i in range(n) if counts[i] > 1]
        never = [i for i in range(n) if counts[i] == 0]
        if twice or never:
            return (f"{call}: one epoch must hold every sample exactly once, but sample(s) "
                    f"{self._few(twice)} appear more than once and {self._few(never)} never.{where}")
        order = [rows[s.array(Xb[r], dtype=X.dtype).tobytes()] for Xb, _ in want for r in range(len(Xb))]
        if seen != order:
            if seen == list(range(n)):
                return (f"{call}: the samples come in their original order 0, 1, 2, ...: shuffle "
                        f"them first with order = rng.permutation(n).{where}")
            fresh = float(_default_rng(case.args[3]).random())
            hint = (" The generator you were given was not used at all (np.random.permutation "
                    "and np.random.shuffle use NumPy's global generator; default_rng() makes a "
                    "new one): draw from rng." if after == fresh else "")
            return (f"{call}: every sample is there once, but not in the order of one call "
                    f"rng.permutation(n) = {s.fmt(s.array(order[:8]))}{' ...' if n > 8 else ''}; "
                    f"yours: {s.fmt(s.array(seen[:8]))}{' ...' if n > 8 else ''}.{hint}{where}")
        if after != want_after:
            return (f"{call}: the batches are right, but afterwards the generator is not where "
                    f"one call of rng.permutation(n) leaves it: draw nothing else from rng, so "
                    f"that the next epoch's order is the one train() would use.{where}")
        return f"{call}: the batches differ from the expected ones in their dtype.{where}"

    @staticmethod
    def _few(items) -> str:
        if not items:
            return "none"
        return ", ".join(str(i) for i in items[:6]) + (" ..." if len(items) > 6 else "")


def _batch_case(seed, n, d, B, note, labels=False, k=1):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = rng.integers(0, 3, size=n) if labels else rng.normal(size=(n, k))
    return BatchCase((X, y, B, seed), note=note)


_XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
_XOR_Y = np.array([[0.0], [1.0], [1.0], [0.0]])

_mb_source = _def("def minibatches(X, y, batch_size, rng):\n")

register(MinibatchesExercise(
    name="minibatches",
    reference=training.minibatches,
    lesson=LESSON,
    summary="Kauchak's XOR loop (4 samples, batch_size 1), 12 samples in batches of 4, 6 in one "
            "batch of 6 (still shuffled), 10 with integer labels in batches of 5: every sample "
            "once, X and y shuffled together, in the order of one rng.permutation(n), and the "
            "generator left where that call leaves it; X and y not modified",
    visible=[
        BatchCase((_XOR_X, _XOR_Y, 1, 0), note="Kauchak's loop on XOR: shuffle, then one example at a time"),
        _batch_case(11, 12, 3, 4, "12 samples in batches of 4"),
        _batch_case(12, 6, 2, 6, "6 samples, one batch of 6: still in a shuffled order"),
        _batch_case(13, 10, 2, 5, "10 samples with integer labels y of shape (10,)", labels=True),
    ],
    hidden=[
        _batch_case(9711, 10, 2, 4, "10 samples in batches of 4: the last batch holds 2"),
        _batch_case(9712, 7, 3, 3, "7 samples in batches of 3: the last batch holds 1"),
        _batch_case(9713, 5, 2, 8, "batch_size 8 > n = 5: one batch of all 5"),
        _batch_case(9714, 1, 4, 1, "a single sample"),
        _batch_case(9715, 200, 2, 32, "200 samples in batches of 32: six of 32 and one of 8", k=2),
        _batch_case(9716, 9, 2, 2, "9 integer labels in batches of 2", labels=True),
    ],
    hidden_summary="batch sizes that do not divide n (the last batch smaller), batch_size > n, "
                   "a single sample, 200 samples in batches of 32",
    mistakes=[
        Mistake("no_shuffle",
                "the samples are never shuffled: every epoch sees them in the same order, and on "
                "data sorted by class the network chases the last class it saw (section 4). "
                "Shuffle first: order = rng.permutation(n).",
                _mb_source("    for start in range(0, len(X), batch_size):\n"
                           "        yield X[start:start + batch_size], y[start:start + batch_size]\n")),
        Mistake("separate_permutations",
                "X and y are shuffled with two different permutations, so sample i's input now "
                "sits next to another sample's target: the network learns noise. Draw ONE "
                "order = rng.permutation(n) and index both with it: X[order], y[order].",
                _mb_source("    Xs, ys = X[rng.permutation(len(X))], y[rng.permutation(len(y))]\n"
                           "    for start in range(0, len(X), batch_size):\n"
                           "        yield Xs[start:start + batch_size], ys[start:start + batch_size]\n")),
        Mistake("with_replacement",
                "each batch draws random indices with replacement (rng.integers), as Kang's "
                "'sample a minibatch ... uniformly' read literally: within an epoch some samples "
                "come twice and some never. Here an epoch is one pass: permute once, then cut "
                "the permutation into consecutive pieces.",
                _mb_source("    n = len(X)\n"
                           "    for start in range(0, n, batch_size):\n"
                           "        idx = rng.integers(0, n, size=min(batch_size, n - start))\n"
                           "        yield X[idx], y[idx]\n")),
        Mistake("new_permutation_per_batch",
                "a new permutation is drawn for every batch and its first samples taken: batches "
                "of one epoch then overlap and miss samples. Draw one permutation per epoch and "
                "cut it into consecutive pieces order[start:start + batch_size].",
                _mb_source("    n = len(X)\n"
                           "    for start in range(0, n, batch_size):\n"
                           "        idx = rng.permutation(n)[:min(batch_size, n - start)]\n"
                           "        yield X[idx], y[idx]\n")),
        Mistake("overlapping_windows",
                "batch i is order[i:i + batch_size]: the windows start one sample apart, so "
                "they overlap. Batch i starts at i * batch_size: "
                "order[i * batch_size:(i + 1) * batch_size].",
                _mb_source("    n = len(X)\n"
                           "    order = rng.permutation(n)\n"
                           "    for i in range(-(-n // batch_size)):\n"
                           "        idx = order[i:i + batch_size]\n"
                           "        yield X[idx], y[idx]\n")),
        Mistake("drops_last",
                "the last, smaller batch is dropped when batch_size does not divide n (e.g. "
                "range(0, n - batch_size + 1, batch_size), or n // batch_size batches): those "
                "samples are never seen in that epoch. Keep it: range(0, n, batch_size).",
                _mb_source("    n = len(X)\n"
                           "    order = rng.permutation(n)\n"
                           "    for start in range(0, n - batch_size + 1, batch_size):\n"
                           "        idx = order[start:start + batch_size]\n"
                           "        yield X[idx], y[idx]\n"),
                hidden_only=True),
        Mistake("array_split",
                "np.array_split(order, n // batch_size) splits into n // batch_size pieces of "
                "nearly equal size (10 samples in batches of 4 become 5 + 5, not 4 + 4 + 2): "
                "cut consecutive pieces of exactly batch_size, order[start:start + batch_size].",
                _mb_source("    n = len(X)\n"
                           "    order = rng.permutation(n)\n"
                           "    for idx in np.array_split(order, max(n // batch_size, 1)):\n"
                           "        yield X[idx], y[idx]\n"),
                hidden_only=True),
    ],
    alternatives=[
        # a list instead of a generator, with a while loop
        _mb_source("    n = X.shape[0]\n"
                   "    order = rng.permutation(n)\n"
                   "    batches = []\n"
                   "    start = 0\n"
                   "    while start < n:\n"
                   "        idx = order[start:start + batch_size]\n"
                   "        batches.append((X[idx], y[idx]))\n"
                   "        start += batch_size\n"
                   "    return batches\n"),
        # rng.shuffle of an index array is the same draw as rng.permutation(n)
        _mb_source("    idx = np.arange(len(X))\n"
                   "    rng.shuffle(idx)\n"
                   "    Xs, ys = X[idx], y[idx]\n"
                   "    for b in range(math.ceil(len(X) / batch_size)):\n"
                   "        yield Xs[b * batch_size:(b + 1) * batch_size], ys[b * batch_size:(b + 1) * batch_size]\n"),
    ],
    forbidden=(training.minibatches,),
    namespace=_base_namespace,
))


# ============================================================================= priority_sample

@dataclass
class SampleCase(Case):
    """priority_sample(errors, batch_size, np.random.default_rng(seed), **kwargs):
    args = (errors, batch_size, seed)."""

    def call_text(self, name: str) -> str:
        errors, B, seed = self.args
        shown = s.fmt(errors, 3) if errors.size <= 8 else f"an array of {errors.size} errors"
        extra = "".join(f", {k}={s.fmt(v, 4)}" for k, v in self.kwargs.items())
        return f"{name}({shown}, {B}, np.random.default_rng({seed}){extra})"


class PrioritySampleExercise(Exercise):
    """Judged by the indices drawn, exactly (the generator's use is fixed by the task)."""

    says_relations = False

    def arguments(self, case):
        errors, B, seed = case.args
        return (errors.copy(), B, _default_rng(seed)), s.copy_arg(case.kwargs)

    @staticmethod
    def _changed_args(case, args, kwargs):
        if not s.same_value(case.args[0], args[0]):
            yield "errors", case.args[0], args[0]

    def judge(self, got, expected, case):
        call, where = case.call_text(self.name), _where(case)
        n, B = case.args[0].size, case.args[1]
        if not isinstance(got, s.ndarray):
            return (f"{call} returned {s.describe_type(got)}; expected a NumPy array of {B} integer "
                    f"indices (what rng.choice returns).{where}")
        if got.dtype.kind not in "iu":
            return (f"{call} returned an array of dtype {got.dtype}; indices are integers "
                    f"(rng.choice(n, size=..., p=p) returns int64).{where}")
        if got.shape != (B,):
            return f"{call} returned shape {got.shape}; expected ({B},): one index per example drawn.{where}"
        if bool((got < 0).any()) or bool((got >= n).any()):
            return f"{call} returned an index outside 0 .. {n - 1}: {s.fmt(got, 4)}.{where}"
        if _equal(got, expected):
            return None
        exp = s.to_float_array(expected)
        if B <= 12:
            drew = f"drew {s.fmt(got)}; expected {s.fmt(expected)}"
        else:
            first = int((s.to_float_array(got) != exp).argmax())
            drew = (f"drew other indices than expected: the first difference is draw {first}, "
                    f"{int(got[first])} instead of {int(exp[first])}")
        return (f"{call} {drew}: the indices of one call rng.choice(n, size=batch_size, p=p) with "
                f"p_i = (e_i + eps)^alpha / sum_j (e_j + eps)^alpha.{where}")


def _sample_case(seed, errors, B, note, **kwargs):
    return SampleCase((np.asarray(errors, dtype=float), B, seed), kwargs, note=note)


def _rare_errors(seed, n_common, n_rare):
    """Errors of a data set with a rare hard class: many small, a few large."""
    rng = np.random.default_rng(seed)
    return np.concatenate([rng.uniform(0.0, 0.1, n_common), rng.uniform(1.5, 4.0, n_rare)])


_ps_source = _def("def priority_sample(errors, batch_size, rng, alpha=1.0, eps=0.01):\n")

register(PrioritySampleExercise(
    name="priority_sample",
    reference=sampling.priority_sample,
    lesson=LESSON,
    summary="8 examples' errors (one of them 0) in a batch of 4, a rare hard class (36 small "
            "errors, 4 large) in a batch of 16, half the errors exactly 0 with eps = 0.5, all "
            "with alpha = 1: the indices of one rng.choice(n, size, p=p), int, of shape "
            "(batch_size,); errors not modified",
    visible=[
        _sample_case(0, [0.02, 0.5, 0.01, 2.3, 0.0, 0.04, 1.1, 0.03], 4, "8 examples, one already learnt (error 0)"),
        _sample_case(1, _rare_errors(71, 36, 4), 16, "a rare hard class: 36 small errors and 4 large ones"),
        _sample_case(2, [0.0, 0.8, 0.0, 0.0, 1.2, 0.0, 0.3, 0.0, 0.0, 2.0], 10,
                     "half the errors exactly 0, eps = 0.5", eps=0.5),
    ],
    hidden=[
        _sample_case(9721, _rare_errors(9720, 90, 10), 32, "alpha = 0: uniform sampling", alpha=0.0),
        _sample_case(9722, _rare_errors(9722, 45, 5), 20, "alpha = 2: sharper than proportional", alpha=2.0),
        _sample_case(9723, _rare_errors(9723, 18, 2), 8, "alpha = 0.5", alpha=0.5),
        _sample_case(9724, np.zeros(6), 6, "every error 0: eps alone decides (uniform)"),
        _sample_case(9725, [0.3, 2.0, 0.0, 1.0, 0.5], 20, "batch_size 20 > n = 5: with replacement"),
        _sample_case(9726, [1.5], 3, "a single example"),
        _sample_case(9727, _rare_errors(9727, 450, 50), 64, "500 examples, a batch of 64, eps = 0.1", eps=0.1),
    ],
    hidden_summary="alpha = 0 (uniform), 0.5 and 2, every error 0, batch_size > n, a single "
                   "example, 500 examples",
    mistakes=[
        Mistake("uniform",
                "the errors are ignored: rng.choice(n, size) without p draws every example "
                "equally often (Kang's uniform minibatch). Priority sampling draws example i "
                "with p_i = (e_i + eps)^alpha / sum_j (e_j + eps)^alpha: pass p=p.",
                _ps_source("    return rng.choice(len(errors), size=batch_size)\n")),
        Mistake("largest_errors",
                "these are simply the batch_size largest errors: no sampling, the rng is not "
                "used, and the same hard examples come back every time while the others are "
                "never revisited. Draw at random, with probabilities growing with the error: "
                "rng.choice(n, size=batch_size, p=p).",
                _ps_source("    return np.argsort(errors)[-batch_size:]\n")),
        Mistake("inverse",
                "the probabilities fall with the error (1 / (e + eps)): this favours the "
                "examples already learnt. Priority sampling favours the large errors: "
                "p_i proportional to (e_i + eps)^alpha.",
                _ps_source("    w = 1.0 / (errors + eps) ** alpha\n"
                           "    return rng.choice(len(errors), size=batch_size, p=w / w.sum())\n")),
        Mistake("no_eps",
                "eps is missing: p_i = e_i^alpha / sum_j e_j^alpha gives an example whose error "
                "is 0 no chance at all, so once learnt it is never checked again (and if every "
                "error is 0 nothing can be drawn). Add eps first: (e_i + eps)^alpha.",
                _ps_source("    w = errors ** alpha\n"
                           "    return rng.choice(len(errors), size=batch_size, p=w / w.sum())\n")),
        Mistake("without_replacement",
                "replace=False draws each example at most once per batch, with another algorithm "
                "(and fails when batch_size > n); the task's call is rng.choice(n, "
                "size=batch_size, p=p), with replacement: a very hard example may be drawn "
                "twice.",
                _ps_source("    w = (errors + eps) ** alpha\n"
                           "    return rng.choice(len(errors), size=batch_size, replace=False, p=w / w.sum())\n")),
        Mistake("alpha_ignored",
                "alpha is ignored (the probabilities are (e + eps) / sum, right only for "
                "alpha = 1): alpha = 0 must give uniform sampling and alpha = 2 a sharper "
                "preference for large errors. Raise to the power alpha: (errors + eps) ** alpha.",
                _ps_source("    w = errors + eps\n"
                           "    return rng.choice(len(errors), size=batch_size, p=w / w.sum())\n"),
                hidden_only=True),
        Mistake("eps_after_power",
                "eps is added after the power (e^alpha + eps instead of (e + eps)^alpha): the "
                "same only for alpha = 1; with alpha = 0 every example should be equally likely.",
                _ps_source("    w = errors ** alpha + eps\n"
                           "    return rng.choice(len(errors), size=batch_size, p=w / w.sum())\n"),
                hidden_only=True),
    ],
    alternatives=[
        # the inverse of the cumulative distribution, which is how rng.choice draws with p
        _ps_source("    w = (errors + eps) ** alpha\n"
                   "    cdf = np.cumsum(w / w.sum())\n"
                   "    cdf /= cdf[-1]\n"
                   "    u = rng.random(batch_size)\n"
                   "    return np.searchsorted(cdf, u, side='right')\n"),
        # one draw at a time: the same uniform numbers in the same order
        _ps_source("    w = [(float(e) + eps) ** alpha for e in errors]\n"
                   "    total = sum(w)\n"
                   "    p = [v / total for v in w]\n"
                   "    return np.array([rng.choice(len(p), p=p) for _ in range(batch_size)])\n"),
    ],
    forbidden=(sampling.priority_sample, sampling.priority_probabilities, sampling._probabilities),
    namespace=_base_namespace,
))


# ============================================================================= acceptance_probability

def _accept_cases(seed, specs, note):
    rng = np.random.default_rng(seed)
    return [Case((rng.normal(0.0, 1.5, size=shape), T), note=f"{note}, dE of shape {shape}, T = {T}")
            for shape, T in specs]


_DE = np.array([-1.0, 0.0, 0.5, 1.0, 2.0])
_ap_source = _def("def acceptance_probability(dE, T):\n")

register(Exercise(
    name="acceptance_probability",
    reference=annealing.acceptance_probability,
    lesson=LESSON,
    summary="dE = (-1, 0, 0.5, 1, 2) at T = 1 (1, 1, e^-0.5, e^-1, e^-2) and at T = 0.5, a "
            "single dE = 0.3 at T = 2, random arrays of energy changes; float64 of dE's shape, "
            "never above 1",
    visible=[
        Case((_DE, 1.0), note="downhill, flat and uphill moves at T = 1"),
        Case((_DE, 0.5), note="the same moves, colder: uphill is accepted less often"),
        Case((0.3, 2.0), note="one uphill move at T = 2: exp(-0.15)"),
        *_accept_cases(741, [((3, 4), 1.5)], "random energy changes"),
    ],
    hidden=[
        Case((np.array([-2.0, -1e-12, 0.0, 1e-12, 3.0]), 0.0),
             note="T = 0, frozen: downhill and flat moves always, uphill never"),
        Case((np.array([-50.0, -5.0, 5.0]), 1e-3), note="a tiny T: exp of a huge number must not overflow"),
        Case((np.array([0.5, 100.0, 1e4]), 1e6), note="a huge T: almost everything accepted"),
        Case((np.array([-3.0, -0.1, -2.5]), 2.0), note="all downhill"),
        *_accept_cases(9741, [((6,), 0.25), ((2, 3), 4.0), ((1,), 1.0)], "fresh random energy changes"),
    ],
    hidden_summary="T = 0 (frozen), a tiny and a huge T, all moves downhill, fresh random arrays",
    mistakes=[
        Mistake("no_min",
                "exp(-dE / T) alone is larger than 1 for a downhill move (dE < 0): a probability "
                "cannot exceed 1. The rule is min(1, exp(-dE / T)): downhill and flat moves are "
                "always accepted. (u < p would accept the same moves, but p is not a probability.)",
                _ap_source("    return np.exp(-np.asarray(dE, dtype=float) / T)\n")),
        Mistake("sign",
                "the sign in the exponent is wrong: exp(+dE / T) accepts uphill moves (dE > 0) "
                "with certainty and downhill ones rarely, i.e. it climbs. Metropolis: "
                "exp(-dE / T) for dE > 0.",
                _ap_source("    return np.minimum(1.0, np.exp(np.asarray(dE, dtype=float) / T))\n")),
        Mistake("times_T",
                "dE is multiplied by T instead of divided: exp(-dE * T) makes a HOT system "
                "(large T) refuse uphill moves and a cold one accept them, the opposite of "
                "annealing. The rule is exp(-dE / T).",
                _ap_source("    return np.minimum(1.0, np.exp(-np.asarray(dE, dtype=float) * T))\n")),
        Mistake("abs_dE",
                "downhill moves are accepted only with probability exp(-|dE| / T): a move that "
                "lowers the energy must always be accepted (probability 1); only uphill moves "
                "are a gamble.",
                _ap_source("    return np.exp(-np.abs(np.asarray(dE, dtype=float)) / T)\n")),
        Mistake("rejection_probability",
                "1 - exp(-dE / T) is the probability of REJECTING an uphill move: the chance to "
                "accept it is exp(-dE / T), close to 1 for a small step uphill and close to 0 "
                "for a big one.",
                _ap_source("    dE = np.asarray(dE, dtype=float)\n"
                           "    return np.where(dE <= 0, 1.0, 1.0 - np.exp(-dE / T))\n")),
        Mistake("frozen_nan",
                "at T = 0 your formula divides by 0: dE / T is NaN for dE = 0 (0 / 0), and "
                "min(1, NaN) is NaN. T = 0 is the frozen limit: a flat or downhill move is "
                "accepted (1), an uphill one never (0); choose by the sign of dE, e.g. "
                "np.where(dE <= 0, 1.0, ...), and exponentiate only where dE > 0.",
                _ap_source("    return np.minimum(1.0, np.exp(-np.asarray(dE, dtype=float) / T))\n"),
                hidden_only=True),
    ],
    alternatives=[
        # one move at a time, with the frozen case by hand
        _ap_source("    d = np.asarray(dE, dtype=float)\n"
                   "    out = np.empty(d.shape)\n"
                   "    for i in np.ndindex(d.shape):\n"
                   "        if d[i] <= 0:\n"
                   "            out[i] = 1.0\n"
                   "        elif T == 0:\n"
                   "            out[i] = 0.0\n"
                   "        else:\n"
                   "            out[i] = math.exp(-d[i] / T)\n"
                   "    return float(out) if np.ndim(dE) == 0 else out\n"),
        # exp(-max(dE, 0) / T) is 1 for every downhill move; T = 0 as a limit
        _ap_source("    d = np.asarray(dE, dtype=float)\n"
                   "    if T == 0:\n"
                   "        return np.where(d <= 0, 1.0, 0.0)\n"
                   "    with np.errstate(over='ignore'):\n"
                   "        return np.exp(-np.maximum(d, 0.0) / T)\n"),
    ],
    forbidden=(annealing.acceptance_probability,),
    namespace=_base_namespace,
))


# ============================================================================= anneal

class Energy:
    """A named energy function of x (shape (d,)), built from NumPy functions captured at
    import: a student's cell that patches NumPy changes neither it nor the frozen paths."""

    def __init__(self, label, fn):
        self.label, self._fn = label, fn

    def __call__(self, x):
        return float(self._fn(s.array(x, dtype=s.float64)))

    def __repr__(self):
        return self.label


BUMPY = Energy("E(x) = sum(x^2 / 5 + 1 - cos 3x)",
               lambda x: _sum(x * x / 5.0 + 1.0 - _cos(3.0 * x)))
DOUBLE_WELL = Energy("E(x) = sum((x^2 - 1)^2 + 0.3 x)",
                     lambda x: _sum((x * x - 1.0) ** 2 + 0.3 * x))
BOWL = Energy("E(x) = sum(x^2)", lambda x: _sum(x * x))


@dataclass
class AnnealCase(Case):
    """anneal(f, x0, T0, cooling, steps, step_size, np.random.default_rng(seed)):
    args = (f, x0, T0, cooling, steps, step_size, seed)."""

    def call_text(self, name: str) -> str:
        f, x0, T0, cooling, steps, step_size, seed = self.args
        return (f"{name}({f!r}, x0={s.fmt(x0, 4)}, T0={T0}, cooling={cooling}, steps={steps}, "
                f"step_size={step_size}, rng=np.random.default_rng({seed}))")


class AnnealExercise(Exercise):
    """Judged by the path, exactly; a wrong one is described by its first differing step."""

    says_relations = False

    def arguments(self, case):
        f, x0, T0, cooling, steps, step_size, seed = case.args
        return (f, x0.copy(), T0, cooling, steps, step_size, _default_rng(seed)), {}

    @staticmethod
    def _changed_args(case, args, kwargs):
        if not s.same_value(case.args[1], args[1]):
            yield "x0", case.args[1], args[1]

    def judge(self, got, expected, case):
        call, where = case.call_text(self.name), _where(case)
        exp = s.to_float_array(expected)
        g = s.to_float_array(got)
        steps, d = case.args[4], case.args[1].size
        if g is None or got is None or isinstance(got, str):
            return (f"{call} returned {s.describe_type(got)}; expected the path, a float64 array "
                    f"of shape ({steps + 1}, {d}).{where}")
        if g.shape != exp.shape:
            return (f"{call} returned shape {g.shape}; expected {exp.shape}: row 0 is x0 and row "
                    f"k + 1 the point after step k ({steps} steps, x of {d} numbers).{where}")
        if not s.is_float64_like(got):
            return f"{call} returned {s.describe_type(got)}; the course works in float64.{where}"
        if s.compare(g, exp, self.rtol, self.atol) is None:
            return None
        for k in range(exp.shape[0]):
            if s.compare(g[k], exp[k], self.rtol, self.atol) is not None:
                break
        else:       # pragma: no cover - the whole comparison failed, so some row does
            k = 0
        if k == 0:
            return f"{call}: path[0] is {s.fmt(g[0], 4)}; it must be x0 = {s.fmt(exp[0], 4)}.{where}"
        T = case.args[2] * case.args[3] ** (k - 1)
        return (f"{call}: rows 0 to {k - 1} of the path are right, row {k} is not: after step "
                f"{k - 1} (T = T0 * cooling^{k - 1} = {s.fmt(T, 4)}), starting from "
                f"{s.fmt(exp[k - 1], 6)}, the walk should be at {s.fmt(exp[k], 6)}; yours is at "
                f"{s.fmt(g[k], 6)}.{where}")


_an_source = _def("def anneal(f, x0, T0, cooling, steps, step_size, rng):\n")


def _anneal_body(T="T0 * cooling ** k", propose="x + step_size * rng.standard_normal(x.shape)",
                 accept="rng.random() < acceptance_probability(E_new - E, T)",
                 on_accept="x, E = x_new, E_new", record="path.append(x.copy())"):
    """The reference loop with one line changed (catalogue entries)."""
    return _an_source("    x = np.array(x0, dtype=float)\n"
                      "    E = f(x)\n"
                      "    path = [x.copy()]\n"
                      "    for k in range(steps):\n"
                      f"        T = {T}\n"
                      f"        x_new = {propose}\n"
                      "        E_new = f(x_new)\n"
                      f"        if {accept}:\n"
                      f"            {on_accept}\n"
                      f"        {record}\n"
                      "    return np.array(path)\n")


def _anneal_case(f, x0, T0, cooling, steps, step_size, seed, note):
    return AnnealCase((f, np.array(x0, dtype=float), T0, cooling, steps, step_size, seed), note=note)


register(AnnealExercise(
    name="anneal",
    reference=annealing.anneal,
    lesson=LESSON,
    summary="the lesson's bumpy 1-D energy from x0 = 4 (T0 = 2, cooling 0.98, 150 steps), a "
            "tilted double well (T0 = 2, cooling 0.8, 60 steps) and a frozen run (T0 = 0): "
            "the whole path of shape (steps + 1, d), reproduced exactly from the seed; x0 not "
            "modified",
    visible=[
        _anneal_case(BUMPY, [4.0], 2.0, 0.98, 150, 0.5, 0, "the lesson's bumpy energy, 1-D"),
        _anneal_case(DOUBLE_WELL, [1.0], 2.0, 0.8, 60, 0.4, 1, "a tilted double well, 1-D, cooled fast"),
        _anneal_case(BUMPY, [-2.5], 0.0, 0.9, 60, 0.3, 2, "T0 = 0: a greedy random descent"),
    ],
    hidden=[
        _anneal_case(BUMPY, [3.0, -2.0], 1.5, 0.97, 120, 0.5, 9751, "the bumpy energy in 2-D"),
        _anneal_case(BOWL, [1.0, 2.0, -1.0], 0.5, 0.9, 80, 0.3, 9752, "a bowl in 3-D"),
        _anneal_case(DOUBLE_WELL, [-1.0], 0.8, 1.0, 100, 0.5, 9753, "cooling = 1: a constant temperature"),
        _anneal_case(BUMPY, [0.5], 3.0, 0.5, 1, 0.2, 9754, "a single step"),
        _anneal_case(BOWL, [2.0, 2.0], 1.0, 0.9, 0, 0.1, 9755, "no step at all: the path is x0 alone"),
    ],
    hidden_summary="2-D and 3-D energies (one normal per coordinate), a constant temperature, "
                   "a single step and no step",
    mistakes=[
        Mistake("u_only_uphill",
                "u is drawn only for uphill moves (e.g. `if dE <= 0 or rng.random() < p`: Python "
                "skips the draw when dE <= 0), so from the first downhill move on every step "
                "uses other random numbers than the task's: still simulated annealing, but not "
                "the walk this seed fixes. Draw u = rng.random() at every step, then compare.",
                _anneal_body(accept="E_new - E <= 0 or rng.random() < acceptance_probability(E_new - E, T)")),
        Mistake("no_cooling",
                "the temperature never falls (T = T0 at every step): the walk keeps accepting "
                "uphill moves as often at the end as at the start and never settles. Step k "
                "runs at T = T0 * cooling^k.",
                _anneal_body(T="T0")),
        Mistake("cooled_too_early",
                "the first step already runs at T0 * cooling (the temperature is lowered before "
                "it is used, or T0 * cooling^(k + 1)): step k runs at T0 * cooling^k, so step 0 "
                "at T0.",
                _anneal_body(T="T0 * cooling ** (k + 1)")),
        Mistake("records_proposals",
                "the path records every PROPOSED point, also the rejected ones: after a rejected "
                "proposal the walk stays where it was, and the path repeats that point.",
                _anneal_body(record="path.append(x_new.copy())")),
        Mistake("energy_not_updated",
                "after an accepted move E still holds the old point's energy, so every later dE "
                "is measured from the wrong point. When a move is accepted, keep its energy too: "
                "x, E = x_new, E_new.",
                _anneal_body(on_accept="x = x_new")),
        Mistake("greedy",
                "only downhill moves are accepted (the temperature plays no part): that is a "
                "random descent, which stays in the first valley it finds. Accept an uphill move "
                "with probability exp(-dE / T): u < acceptance_probability(dE, T).",
                _anneal_body(accept="E_new - E <= 0")),
        Mistake("inverted_test",
                "the test is reversed: u > p accepts with probability 1 - p (uphill moves most "
                "often when they are worst). u is uniform on [0, 1), so u < p happens with "
                "probability p.",
                _anneal_body(accept="rng.random() > acceptance_probability(E_new - E, T)")),
        Mistake("one_normal_for_all",
                "one normal number moves every coordinate by the same amount "
                "(rng.standard_normal() without a shape): in 2-D the walk can only move along "
                "the diagonal. Draw one per coordinate: rng.standard_normal(x.shape).",
                _anneal_body(propose="x + step_size * rng.standard_normal()"),
                hidden_only=True),
    ],
    alternatives=[
        # the path preallocated, T cooled by multiplication, rng.normal for the proposal
        _an_source("    x = np.array(x0, dtype=float)\n"
                   "    path = np.zeros((steps + 1, x.size))\n"
                   "    path[0] = x\n"
                   "    energy = f(x)\n"
                   "    T = T0\n"
                   "    for k in range(steps):\n"
                   "        proposal = x + rng.normal(0.0, step_size, size=x.size)\n"
                   "        e_new = f(proposal)\n"
                   "        dE = e_new - energy\n"
                   "        u = rng.random()\n"
                   "        if dE <= 0 or (T > 0 and u < math.exp(-dE / T)):\n"
                   "            x, energy = proposal, e_new\n"
                   "        path[k + 1] = x\n"
                   "        T *= cooling\n"
                   "    return path\n"),
        _anneal_body(),
    ],
    forbidden=(annealing.anneal, annealing.temperature),
    namespace=_namespace_anneal,
))
