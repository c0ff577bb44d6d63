"""Lesson 09, the capstone on handwritten digits: exercises and their mistakes.

Exercises, in the order of the notebook: stratified_split, standardise, fit, accuracy,
confusion_matrix. The data are scikit-learn's bundled 8x8 digits (backproplab.datasets).

stratified_split draws random numbers, so it is judged by its behaviour (SplitExercise, on
checks/behaviour.py): two integer index arrays that together hold every index once,
each class's test share within one sample of test_fraction * n_c, the same split from the same
seed and another from another seed, NumPy's global generator ignored.

fit trains a network, and is judged by what it produces with a fixed seed (FitExercise): the
loss curves on the training and validation sets epoch by epoch, the epoch where early stopping
ends the run, the validation loss of the weights it returns and the accuracy those weights
reach on held-out test digits, all against the reference (backproplab.early_stopping.fit) on
the same data, the same starting weights and the same seed. Every call gets a fresh generator
(arguments()), and observe() turns the returned weights into plain numbers for the receipt.
"""
from __future__ import annotations

import builtins as _b
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import (datasets, early_stopping, init, layers, losses, metrics, network,
               preprocessing, training)
from ..optimizers import fixed_then_decay, step_decay
from . import _safe as s
# Bind the builtins this module uses to the copies captured at import (see _safe).
from ._safe import enumerate, float, int, isinstance, len, list, range, str, tuple, zip  # noqa: A004
from .behaviour import BehaviourExercise
from .exercise import Case, Exercise, Mistake
from .lesson05 import _PartsExercise
from . import register

dict = _b.dict  # noqa: A001
round = _b.round  # noqa: A001
_min = _b.min

LESSON = "09-capstone-digits"

# NumPy pieces the judges use, captured before any student code runs (see _safe).
_default_rng = np.random.default_rng
_seed_global = np.random.seed
_unique, _flatnonzero, _sort = np.unique, np.flatnonzero, np.sort
_bincount, _zeros = np.bincount, np.zeros
_exp, _log, _tanh = np.exp, np.log, np.tanh
_argmax = np.argmax
_int64 = np.int64

_DIGITS_X, _DIGITS_Y = datasets.load_digits(scale=False)


# ----------------------------------------------------------------------------- namespaces

def _base_namespace():
    """The setup cell's imports (the lesson's notebook has exactly these)."""
    return {"np": np, "load_digits": datasets.load_digits, "one_hot": datasets.one_hot,
            "xavier_normal": init.xavier_normal, "forward": layers.forward,
            "backward": layers.backward, "cross_entropy": losses.cross_entropy,
            "fixed_then_decay": fixed_then_decay}


def _namespace_standardise():
    # the student's own stratified_split is defined by then; the catalogue uses the reference
    return {**_base_namespace(), "stratified_split": preprocessing.stratified_split}


def _namespace_fit():
    return {**_namespace_standardise(), "standardise": preprocessing.standardise}


def _namespace_accuracy():
    return {**_namespace_fit(), "fit": early_stopping.fit}


def _namespace_confusion():
    return {**_namespace_accuracy(), "accuracy": metrics.accuracy}


def _def(header):
    return lambda body: header + body


def _where(case) -> str:
    return f"  [{case.note}]" if case.note else ""


# ============================================================================= stratified_split

@dataclass
class SplitCase(Case):
    """A call stratified_split(y, test_fraction, np.random.default_rng(seed)); args = (y, f)."""

    seed: int = 0

    def call_text(self, name: str) -> str:
        return f"{name}(y, {self.args[1]!r}, np.random.default_rng({self.seed}))"


# Two settings of NumPy's global generator: a correct answer does not notice which one is set.
_GLOBAL_SEEDS = (2024, 4202)
# Other seeds tried before a split is called independent of the rng.
_OTHER_SEEDS = 8


class SplitExercise(BehaviourExercise):
    """Judges a random split by what it does, not by the reference's particular split.

    Findings (behaviour.py): the kind of failure, its message and a detail; for a split that is
    not stratified the detail says whether the total is right ("total_right": a plain random
    split), every class got the complementary share ("complement") or neither ("other").
    """

    def _draw(self, fn, case, seed, global_seed):
        _seed_global(global_seed)
        call = SplitCase((case.args[0], case.args[1], _default_rng(seed)), note=case.note, seed=seed)
        return self.call(fn, call)

    def _examine(self, fn, case):
        y, f = case.args
        text = case.call_text(self.name)
        where = _where(case)
        first, problem = self._draw(fn, case, case.seed, _GLOBAL_SEEDS[0])
        if problem:
            return ("error", problem, None)
        finding = self._valid(first, y, f, text, where)
        if finding is not None:
            return finding
        again, problem = self._draw(fn, case, case.seed, _GLOBAL_SEEDS[1])
        if problem:
            return ("error", problem, None)
        if not _same_split(first, again):
            third, problem = self._draw(fn, case, case.seed, _GLOBAL_SEEDS[0])
            if problem is None and _same_split(first, third):
                return ("global_state", f"{text} gave another split when only NumPy's global random "
                        "state (np.random.seed) changed: every random number must come from the rng "
                        f"argument, so that the same seed gives the same split.{where}", None)
            return ("not_reproducible", f"two calls of {text}, each with a fresh generator seeded "
                    f"{case.seed}, gave different splits: draw every random number from the rng "
                    f"argument.{where}", None)
        # A tiny data set has few possible splits, so two seeds may agree by chance: only a
        # split that no other seed changes is not random.
        for other_seed in range(case.seed + 1, case.seed + 1 + _OTHER_SEEDS):
            other, problem = self._draw(fn, case, other_seed, _GLOBAL_SEEDS[0])
            if problem:
                return ("error", problem, None)
            if not _same_split(first, other):
                return None
        return ("same_for_seeds", f"{text} and the same call with np.random.default_rng(s) for "
                f"s = {case.seed + 1}..{case.seed + _OTHER_SEEDS} all gave the same split: the "
                f"split does not depend on the rng, so it is not random (which samples are tested "
                f"is decided by the order of the data).{where}", None)

    @staticmethod
    def _valid(result, y, f, text, where):
        """A finding when `result` is not a stratified split of range(len(y)), else None."""
        n = len(y)
        if not (isinstance(result, (tuple, list)) and len(result) == 2):
            return ("type", f"{text} returned {s.describe_type(result)}; expected a pair "
                            f"(train_idx, test_idx) of integer index arrays: end with "
                            f"`return train_idx, test_idx`.{where}", None)
        for name, part in zip(("train_idx", "test_idx"), result):
            if not (isinstance(part, s.ndarray) and part.ndim == 1 and part.dtype.kind in "iu"):
                return ("type", f"{text}: {name} is {s.describe_type(part)}; expected a 1-D NumPy "
                                f"array of integer indices into y (np.flatnonzero and "
                                f"rng.permutation give such arrays).{where}", None)
        train, test = (part.astype(_int64) for part in result)
        for name, part in (("train_idx", train), ("test_idx", test)):
            if part.size and (int(part.min()) < 0 or int(part.max()) >= n):
                return ("range", f"{text}: {name} holds the index {int(part.min()) if int(part.min()) < 0 else int(part.max())}, "
                                 f"outside 0..{n - 1}: return positions in y, the same for every "
                                 f"class.{where}", None)
            counts = _bincount(part, minlength=n)
            if part.size and int(counts.max()) > 1:
                return ("duplicate", f"{text}: {name} holds the index {int(_argmax(counts))} "
                                     f"{int(counts.max())} times; every sample belongs to exactly "
                                     f"one part, once.{where}", None)
        both = _bincount(train, minlength=n) + _bincount(test, minlength=n)
        if int(both.max()) > 1:
            return ("overlap", f"{text}: the index {int(_argmax(both))} is in both parts; the "
                               f"training and test sets must not share a sample.{where}", None)
        if int(both.min()) == 0:
            missing = _flatnonzero(both == 0)
            return ("missing", f"{text}: {missing.size} of the {n} samples are in neither part "
                               f"(the first is index {int(missing[0])}, of class "
                               f"{int(y[int(missing[0])])}); every sample goes to one part.{where}",
                    None)
        tested = _bincount(test, minlength=n)   # 1 where the sample is in the test part
        rows = []
        for c in _unique(y):
            members = y == c
            n_c, t_c = int(members.sum()), int(tested[members].sum())
            if not (t_c - f * n_c).__abs__() < 1.0:
                rows.append((int(c), n_c, t_c))
        if rows:
            c, n_c, t_c = rows[0]
            kind = "complement" if s.all_true(((t - (1.0 - f) * m).__abs__() < 1.0) for _, m, t in rows) \
                else ("total_right" if (test.size - f * n).__abs__() < 1.0 else "other")
            return ("stratified", f"{text}: class {c} has {t_c} of its {n_c} samples in the test "
                                  f"part; a stratified split puts round({f} * {n_c}) = "
                                  f"{round(f * n_c)} there (within one), so that every class keeps "
                                  f"its share. {len(rows)} of the {len(_unique(y))} classes are off."
                                  f"{where}", kind)
        return None


def _same_split(a, b) -> bool:
    return s.all_true(s.same_value(_sort(x.astype(_int64)), _sort(z.astype(_int64))) for x, z in zip(a, b))


def _labels(counts, values=None):
    """Labels with the given count per class, in a fixed shuffled order (seeded)."""
    values = range(len(counts)) if values is None else values
    y = np.repeat(np.array(list(values), dtype=np.int64), counts)
    return np.random.default_rng(len(y)).permutation(y)


_split_source = _def("def stratified_split(y, test_fraction, rng):\n")

register(SplitExercise(
    name="stratified_split",
    reference=preprocessing.stratified_split,
    lesson=LESSON,
    summary="the digits' 1797 labels and a small set with classes of 60, 30, 10 and 5 samples: "
            "two 1-D integer index arrays that together hold every index once; each class's test "
            "part within one sample of test_fraction * n_c; the same split from the same seed and "
            "another from another seed; NumPy's global random state ignored",
    visible=[
        SplitCase((_DIGITS_Y, 0.25), seed=0, note="the digits' labels, 10 classes of 174 to 183"),
        SplitCase((_labels([60, 30, 10, 5]), 0.2), seed=1, note="4 classes of 60, 30, 10 and 5 samples"),
    ],
    hidden=[
        SplitCase((_labels([40, 25, 13], values=(2, 5, 9)), 0.3), seed=7,
                  note="labels 2, 5 and 9 only (not 0..K-1)"),
        SplitCase((_labels([7, 9, 11]), 0.5), seed=8, note="odd class sizes, test_fraction 0.5"),
        SplitCase((_labels([3, 2]), 0.4), seed=9, note="5 samples"),
        SplitCase((_DIGITS_Y[:500], 0.15), seed=10, note="the first 500 digits"),
    ],
    hidden_summary="labels that are not 0..K-1, odd class sizes, 5 samples and other fractions",
    mistakes=[
        Mistake("not_stratified",
                "this is a plain random split of all the samples: the total is right, but each "
                "class's share in the test set is left to chance. Stratify: split every class on "
                "its own (its indices np.flatnonzero(y == c), shuffled, the first "
                "round(test_fraction * n_c) to the test part).",
                _split_source("    order = rng.permutation(len(y))\n"
                              "    k = round(test_fraction * len(y))\n"
                              "    return np.sort(order[k:]), np.sort(order[:k])\n")),
        Mistake("not_shuffled",
                "the first round(test_fraction * n_c) samples of each class go to the test set, "
                "whatever the rng: the order of the data decides (and data are often sorted by "
                "when or by whom they were written). Shuffle each class's indices with "
                "rng.permutation before cutting.",
                _split_source("    train, test = [], []\n"
                              "    for c in np.unique(y):\n"
                              "        members = np.flatnonzero(y == c)\n"
                              "        k = round(test_fraction * len(members))\n"
                              "        test.append(members[:k])\n"
                              "        train.append(members[k:])\n"
                              "    return np.concatenate(train), np.concatenate(test)\n")),
        Mistake("global_generator",
                "np.random.permutation (and np.random.shuffle) use NumPy's global generator and "
                "ignore the rng you were given; shuffle with it instead: rng.permutation(...).",
                _split_source("    train, test = [], []\n"
                              "    for c in np.unique(y):\n"
                              "        members = np.random.permutation(np.flatnonzero(y == c))\n"
                              "        k = round(test_fraction * len(members))\n"
                              "        test.append(members[:k])\n"
                              "        train.append(members[k:])\n"
                              "    return np.concatenate(train), np.concatenate(test)\n")),
        Mistake("fraction_swapped",
                "test_fraction is the share of each class that goes to the TEST set; your split "
                "puts that share in the training set (and the rest in the test set).",
                _split_source("    train, test = [], []\n"
                              "    for c in np.unique(y):\n"
                              "        members = rng.permutation(np.flatnonzero(y == c))\n"
                              "        k = round(test_fraction * len(members))\n"
                              "        train.append(members[:k])\n"
                              "        test.append(members[k:])\n"
                              "    return np.concatenate(train), np.concatenate(test)\n")),
        Mistake("positions_in_class",
                "rng.permutation(n_c) shuffles the positions 0..n_c-1 inside the class, not the "
                "class's indices in y: every class then hands in the same small numbers. "
                "Permute the indices themselves, rng.permutation(np.flatnonzero(y == c)), or "
                "index them with the permutation.",
                _split_source("    train, test = [], []\n"
                              "    for c in np.unique(y):\n"
                              "        n_c = int(np.sum(y == c))\n"
                              "        order = rng.permutation(n_c)\n"
                              "        k = round(test_fraction * n_c)\n"
                              "        test.append(order[:k])\n"
                              "        train.append(order[k:])\n"
                              "    return np.concatenate(train), np.concatenate(test)\n")),
        Mistake("classes_by_range",
                "the classes are taken to be 0, 1, ..., K-1 (range(len(np.unique(y)))), so when "
                "the labels are not exactly those numbers some samples end up in neither part. "
                "Loop over the labels that occur: for c in np.unique(y).",
                _split_source("    train, test = [], []\n"
                              "    for c in range(len(np.unique(y))):\n"
                              "        members = rng.permutation(np.flatnonzero(y == c))\n"
                              "        k = round(test_fraction * len(members))\n"
                              "        test.append(members[:k])\n"
                              "        train.append(members[k:])\n"
                              "    return np.concatenate(train), np.concatenate(test)\n"),
                hidden_only=True),
    ],
    alternatives=[
        # rng.shuffle on a copy, floor instead of round (both within one sample of the share)
        _split_source("    train_idx, test_idx = [], []\n"
                      "    for c in sorted(set(y.tolist())):\n"
                      "        members = [i for i in range(len(y)) if y[i] == c]\n"
                      "        rng.shuffle(members)\n"
                      "        k = int(test_fraction * len(members))\n"
                      "        test_idx += members[:k]\n"
                      "        train_idx += members[k:]\n"
                      "    return np.array(train_idx), np.array(test_idx)\n"),
        # the test samples drawn without replacement, the rest by a mask
        _split_source("    is_test = np.zeros(len(y), dtype=bool)\n"
                      "    for c in np.unique(y):\n"
                      "        members = np.flatnonzero(y == c)\n"
                      "        k = int(np.round(test_fraction * len(members)))\n"
                      "        is_test[rng.choice(members, size=k, replace=False)] = True\n"
                      "    return np.flatnonzero(~is_test), np.flatnonzero(is_test)\n"),
    ],
    forbidden=(preprocessing.stratified_split,),
    namespace=_base_namespace,
))


# ============================================================================= standardise

class _StandardiseExercise(_PartsExercise):
    parts = ("X_train_s", "X_other_s")
    ending = "return X_train_s, X_other_s"

    def same(self, a, b, case) -> bool:
        """Item by item, so that two answers with NaN in the same places are the same."""
        if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)) and len(a) == len(b) == 2:
            return s.all_true(super(_PartsExercise, self).same(x, z, case) for x, z in zip(a, b))
        return super().same(a, b, case)


def _digit_rows(seed, n_train, n_other):
    rng = np.random.default_rng(seed)
    rows = rng.permutation(len(_DIGITS_Y))[:n_train + n_other]
    return _DIGITS_X[rows[:n_train]], _DIGITS_X[rows[n_train:]]


def _random_sets(seed, n_train, n_other, d, note):
    rng = np.random.default_rng(seed)
    scale = rng.uniform(0.5, 4.0, size=d)
    shift = rng.normal(0.0, 3.0, size=d)
    A = rng.normal(size=(n_train, d)) * scale + shift
    B = rng.normal(0.7, 1.5, size=(n_other, d)) * scale + shift   # another mean and spread
    return Case((A, B), note=f"{note}: {n_train} training rows, {n_other} other rows, {d} features")


def _shifted(case, offset):
    """The case with every value moved by `offset` (a mean far larger than the spread)."""
    return Case(tuple(a + offset for a in case.args), note=f"{case.note}, every value near {offset:g}")


# A blank corner pixel (column 0) is 0 in both sets; column 2 is constant 3 in both.
_SMALL_TRAIN = np.array([[0.0, 1.0, 3.0, 10.0], [0.0, 3.0, 3.0, 14.0], [0.0, 8.0, 3.0, 12.0],
                         [0.0, 4.0, 3.0, 16.0]])
_SMALL_OTHER = np.array([[0.0, 2.0, 3.0, 20.0], [0.0, 9.0, 3.0, 11.0]])

# column 1 is blank in every training row but inked in a row of the other set
_BLANK_TRAIN = np.array([[4.0, 0.0, 1.0], [8.0, 0.0, 3.0], [6.0, 0.0, 2.0], [2.0, 0.0, 6.0]])
_BLANK_OTHER = np.array([[5.0, 7.0, 2.0], [3.0, 0.0, 4.0], [9.0, 16.0, 1.0]])

_std_source = _def("def standardise(X_train, X_other):\n")

register(_StandardiseExercise(
    name="standardise",
    reference=preprocessing.standardise,
    lesson=LESSON,
    summary="a small set with a blank and a constant feature, 300 + 100 digits (raw pixels 0..16, "
            "with always-blank pixels) and random sets whose other part has another mean and "
            "spread: both parts centred and scaled with the TRAINING set's mean and standard "
            "deviation, constant features divided by 1; float64 pairs; inputs not modified",
    visible=[
        Case((_SMALL_TRAIN, _SMALL_OTHER), note="4 training rows, 2 other rows; columns 0 and 2 "
             "constant in the training set"),
        Case(_digit_rows(901, 300, 100), note="300 training digits and 100 others, raw pixels"),
        _random_sets(902, 8, 5, 3, "random sets"),
    ],
    hidden=[
        Case((_BLANK_TRAIN, _BLANK_OTHER), note="a feature blank (0) in every training row but "
             "not in the other set"),
        Case(_digit_rows(9901, 50, 1), note="50 training digits, one other"),
        _random_sets(9902, 20, 30, 6, "random sets"),
        _shifted(_random_sets(9903, 12, 6, 4, "random sets"), 1e6),
    ],
    hidden_summary="a feature constant in the training set but not in the other, a single other "
                   "row, other sizes and values near 1e6 that vary by a few units",
    rtol=1e-6,
    mistakes=[
        Mistake("other_statistics",
                "the other set is standardised with ITS OWN mean and standard deviation. The "
                "statistics belong to the training set and are applied unchanged to every other "
                "set: the test set stands for data never seen, and using its statistics lets it "
                "leak into the pipeline (and a single test image would have no spread at all).",
                _std_source("    def own(X):\n"
                            "        sigma = X.std(axis=0)\n"
                            "        sigma[sigma == 0] = 1.0\n"
                            "        return (X - X.mean(axis=0)) / sigma\n"
                            "    return own(X_train), own(X_other)\n")),
        Mistake("pooled_statistics",
                "the mean and standard deviation are taken over the training AND the other set "
                "together: the other set (the test set) leaks into the statistics. Compute them "
                "on X_train alone.",
                _std_source("    both = np.vstack([X_train, X_other])\n"
                            "    mu, sigma = both.mean(axis=0), both.std(axis=0)\n"
                            "    sigma[sigma == 0] = 1.0\n"
                            "    return (X_train - mu) / sigma, (X_other - mu) / sigma\n")),
        Mistake("one_mean_for_all",
                "one mean and one standard deviation are taken over every value (axis=None); "
                "standardising is per feature: mu and sigma of each column (axis=0), since "
                "pixels have different brightness and spread.",
                _std_source("    mu, sigma = X_train.mean(), X_train.std()\n"
                            "    return (X_train - mu) / sigma, (X_other - mu) / sigma\n")),
        Mistake("per_sample",
                "every row is standardised by its own mean and spread (axis=1): that scales each "
                "image on its own. The statistics are per feature over the training samples "
                "(axis=0).",
                _std_source("    def rows(X):\n"
                            "        sigma = X.std(axis=1, keepdims=True)\n"
                            "        sigma[sigma == 0] = 1.0\n"
                            "        return (X - X.mean(axis=1, keepdims=True)) / sigma\n"
                            "    return rows(X_train), rows(X_other)\n")),
        Mistake("no_zero_guard",
                "a feature that is constant in the training set (a pixel blank in every image) "
                "has standard deviation 0, and 0/0 gives NaN. Divide such features by 1 instead: "
                "sigma[sigma == 0] = 1 (scikit-learn's StandardScaler does the same).",
                _std_source("    mu, sigma = X_train.mean(axis=0), X_train.std(axis=0)\n"
                            "    return (X_train - mu) / sigma, (X_other - mu) / sigma\n")),
        Mistake("min_max",
                "this is min-max scaling to [0, 1]; standardising subtracts the training mean "
                "and divides by the training standard deviation, giving every feature mean 0 and "
                "spread 1 on the training set.",
                _std_source("    lo, hi = X_train.min(axis=0), X_train.max(axis=0)\n"
                            "    span = hi - lo\n"
                            "    span[span == 0] = 1.0\n"
                            "    return (X_train - lo) / span, (X_other - lo) / span\n")),
        Mistake("epsilon_guard",
                "a tiny epsilon (sigma + 1e-8) avoids 0/0, but a feature that is blank in every "
                "training image and inked in another image becomes (x - 0) / 1e-8, about 10^8 "
                "times too large (the digits have such pixels: blank in all 300 training images "
                "of the visible check, inked in one of the others), and such an input blows the "
                "network up. Divide constant features by 1 instead: sigma[sigma == 0] = 1.",
                _std_source("    mu, sigma = X_train.mean(axis=0), X_train.std(axis=0)\n"
                            "    return (X_train - mu) / (sigma + 1e-8), (X_other - mu) / (sigma + 1e-8)\n")),
        Mistake("one_pass_variance",
                "the variance is computed as mean(x^2) - mean(x)^2. The formula is exact on "
                "paper, but in floating point the two terms are nearly equal when the mean is "
                "large compared to the spread (values near 1e6 that vary by a few units), and "
                "their difference loses most of its digits. Take the mean of the squared "
                "deviations instead: sigma = np.sqrt(((X - mu) ** 2).mean(axis=0)), or X.std(axis=0).",
                _std_source("    mu = X_train.mean(axis=0)\n"
                            "    sigma = np.sqrt((X_train ** 2).mean(axis=0) - mu ** 2)\n"
                            "    sigma[sigma == 0] = 1.0\n"
                            "    return (X_train - mu) / sigma, (X_other - mu) / sigma\n"),
                hidden_only=True),
    ],
    alternatives=[
        # one feature at a time, the spread as the root of the mean squared deviation
        _std_source("    n, d = X_train.shape\n"
                    "    X_train_s = np.empty((n, d))\n"
                    "    X_other_s = np.empty(X_other.shape)\n"
                    "    for j in range(d):\n"
                    "        column = X_train[:, j]\n"
                    "        mu = column.sum() / n\n"
                    "        sigma = np.sqrt(((column - mu) ** 2).sum() / n)\n"
                    "        if sigma == 0:\n"
                    "            sigma = 1.0\n"
                    "        X_train_s[:, j] = (column - mu) / sigma\n"
                    "        X_other_s[:, j] = (X_other[:, j] - mu) / sigma\n"
                    "    return X_train_s, X_other_s\n"),
        # np.where for the guard, keepdims for broadcasting
        _std_source("    mu = X_train.mean(axis=0, keepdims=True)\n"
                    "    sigma = X_train.std(axis=0, keepdims=True)\n"
                    "    sigma = np.where(sigma > 0, sigma, 1.0)\n"
                    "    return (X_train - mu) / sigma, (X_other - mu) / sigma\n"),
    ],
    forbidden=(preprocessing.standardise,),
    namespace=_namespace_standardise,
))


# ============================================================================= fit

@dataclass
class FitCase(Case):
    """A training run: args = (weights, biases, activations, X, Y, X_val, Y_val); the generator
    np.random.default_rng(seed) is made afresh for every call; held-out (X_test, y_test) judge
    the returned weights."""

    seed: int = 0
    X_test: Any = None
    y_test: Any = None

    def call_text(self, name: str) -> str:
        weights, _, acts, X, Y, X_val, Y_val = self.args
        sizes = "-".join(str(v) for v in [weights[0].shape[0], *(W.shape[1] for W in weights)])
        kw = ", ".join(f"{k}={v!r}" for k, v in self.kwargs.items())
        return (f"{name}(weights and biases of a {sizes} net, {acts!r}, X {X.shape}, Y {Y.shape}, "
                f"X_val {X_val.shape}, Y_val {Y_val.shape}, np.random.default_rng({self.seed}), {kw})")


def _hidden_layer(name, z):
    if name == "relu":
        return z * (z > 0.0)
    if name == "leaky_relu":
        return z * ((z > 0.0) + 0.1 * (z <= 0.0))
    if name == "tanh":
        return _tanh(z)
    if name == "sigmoid":
        return 0.5 * (1.0 + _tanh(0.5 * z))
    return z


def _logits(weights, biases, activations, X):
    """The last layer's z for X, computed with NumPy pieces captured at import."""
    A = X
    for l in range(len(weights)):
        z = A @ weights[l] + biases[l]
        if l == len(weights) - 1:
            return z
        A = _hidden_layer(activations[l], z)


def _judged(weights, biases, activations, X_val, Y_val, X_test, y_test):
    """(cross-entropy on the validation set, accuracy on the test set) of a softmax network."""
    with s.errstate(all="ignore"):
        z = _logits(weights, biases, activations, X_val)
        z = z - z.max(axis=1, keepdims=True)
        log_p = z - _log(_exp(z).sum(axis=1, keepdims=True))
        val = float(-(Y_val * log_p).sum() / Y_val.shape[0])
        predicted = _argmax(_logits(weights, biases, activations, X_test), axis=1)
    return val, float((predicted == y_test).sum()) / len(y_test)


def _describe_arrays(items) -> str:
    if not isinstance(items, (list, tuple)):
        return s.describe_type(items)
    return "[" + ", ".join(f"{s.getattr(a, 'shape', s.type(a).__name__)}" for a in items) + "]"


class FitExercise(Exercise):
    """A training loop, judged by what it produces with a fixed seed against the reference."""

    says_relations = False
    _observing = None    # the case whose call is being observed (set by arguments())

    def arguments(self, case):
        self._observing = case
        args = s.copy_arg(case.args)
        return (*args, _default_rng(case.seed)), s.copy_arg(case.kwargs)

    def observe(self, result, args, kwargs):
        """(epochs run, training-loss curve, validation-loss curve, validation loss and test
        accuracy of the returned weights), or a sentence saying what is malformed."""
        case = self._observing
        weights0, biases0, acts, X, Y, X_val, Y_val, _ = args
        shapes_W = [W.shape for W in weights0]
        shapes_b = [b.shape for b in biases0]
        if not (isinstance(result, (tuple, list)) and len(result) == 3):
            return (f"returned {s.describe_type(result)}; expected three things: "
                    "`return best_weights, best_biases, history`")
        W, b, history = result
        for name, got, want in (("the weights", W, shapes_W), ("the biases", b, shapes_b)):
            if not (isinstance(got, (list, tuple)) and len(got) == len(want)
                    and s.all_true(isinstance(a, s.ndarray) and a.shape == w for a, w in zip(got, want))):
                return (f"returned {name} as {_describe_arrays(got)}; expected a list of "
                        f"{len(want)} arrays of shapes {want}, one per layer")
        if not (isinstance(history, dict) and "train_loss" in history and "val_loss" in history):
            return (f"returned history as {s.describe_type(history)}; expected a dict "
                    "{'train_loss': [...], 'val_loss': [...]} with one loss per epoch")
        curves = []
        for key in ("train_loss", "val_loss"):
            values = s.to_float_array(history[key])
            if values is None or values.ndim != 1 or values.size == 0:
                return (f"history[{key!r}] is {s.describe_type(history[key])}; expected a list "
                        "with one loss (a number) per epoch run")
            curves.append(tuple(float(v) for v in values))
        if len(curves[0]) != len(curves[1]):
            return (f"history holds {len(curves[0])} training losses but {len(curves[1])} "
                    "validation losses; record both after every epoch")
        val, acc = _judged([s.to_float_array(a) for a in W], [s.to_float_array(a) for a in b],
                           acts, X_val, Y_val, case.X_test, case.y_test)
        return (len(curves[0]), curves[0], curves[1], val, acc)

    def _close(self, a, b) -> bool:
        return s.compare(s.array(a, dtype=s.float64), s.array(b, dtype=s.float64), self.rtol, self.atol) is None

    def judge(self, got, expected, case):
        call = case.call_text(self.name)
        where = _where(case)
        if isinstance(got, str):
            return f"{call} {got}.{where}"
        if not (isinstance(got, tuple) and len(got) == 5):
            return f"{call} does not match."   # a catalogue entry's odd output
        n, train, val, returned, acc = got
        m, e_train, e_val, e_returned, e_acc = expected
        for e in range(_min(n, m)):
            for label, mine, theirs in (("training", train[e], e_train[e]), ("validation", val[e], e_val[e])):
                if not self._close(mine, theirs):
                    agree = (f"The curves agree up to epoch {e - 1}." if e else
                             "Already the first epoch differs.")
                    return (f"{call}: after epoch {e} (counted from 0) your {label} loss is "
                            f"{s.fmt(mine)}; the reference, same data, same starting weights, same "
                            f"seed, has {s.fmt(theirs)}. {agree}{where}")
        patience = case.kwargs.get("patience", "?")
        best = _min(range(m), key=lambda e: e_val[e])
        if n != m:
            if n > m:
                return (f"{call}: your loop ran {n} epochs, the reference stops after {m}: the "
                        f"validation loss was lowest after epoch {best}, and early stopping ends "
                        f"training once {patience} epochs in a row bring no new lowest validation "
                        f"loss.{where}")
            return (f"{call}: your loop stopped after {n} epochs; the reference, whose curves "
                    f"agree with yours up to there, runs {m} (epochs={case.kwargs.get('epochs', '?')}, "
                    f"patience={patience}: stop only after {patience} epochs in a row without a new "
                    f"lowest validation loss).{where}")
        if not self._close(returned, e_returned):
            return (f"{call}: the weights you returned have validation loss {s.fmt(returned)}, but "
                    f"the lowest in your history is {s.fmt(val[best])}, after epoch {best}: return "
                    f"the weights of that epoch (copies taken then), not the last ones.{where}")
        if not self._close(acc, e_acc):
            return (f"{call}: the weights you returned reach a test accuracy of {s.fmt(acc, 4)} on "
                    f"held-out digits; the reference's reach {s.fmt(e_acc, 4)}.{where}")
        return None


def _fit_case(seed, n, hidden, acts, note, **kwargs):
    """A training run on a slice of the digits: n = (train, validation, test) sizes."""
    rng = np.random.default_rng(seed)
    rows = rng.permutation(len(_DIGITS_Y))
    n_train, n_val, n_test = n
    tr, va, te = rows[:n_train], rows[n_train:n_train + n_val], rows[n_train + n_val:n_train + n_val + n_test]
    X, X_val = preprocessing.standardise(_DIGITS_X[tr], _DIGITS_X[va])
    _, X_test = preprocessing.standardise(_DIGITS_X[tr], _DIGITS_X[te])
    layer_sizes = [64, *hidden, 10]
    weights = [init.xavier_normal(m, k, rng) for m, k in zip(layer_sizes[:-1], layer_sizes[1:])]
    biases = [np.zeros(k) for k in layer_sizes[1:]]
    args = (weights, biases, list(acts), X, datasets.one_hot(_DIGITS_Y[tr], 10), X_val,
            datasets.one_hot(_DIGITS_Y[va], 10))
    return FitCase(args, kwargs, note=note, seed=seed + 1000, X_test=X_test, y_test=_DIGITS_Y[te])


_fit_header = ("def fit(weights, biases, activations, X, Y, X_val, Y_val, rng,\n"
               "        epochs, batch_size, schedule, momentum, patience):\n")
_fit_source = _def(_fit_header)

# The reference loop in the notebook's words; the catalogue's entries change one thing each.
_FIT_BODY = """\
    weights = [W.copy() for W in weights]
    biases = [b.copy() for b in biases]
    step_W = [np.zeros_like(W) for W in weights]
    step_b = [np.zeros_like(b) for b in biases]
    history = {"train_loss": [], "val_loss": []}
    best_loss, best, waited = np.inf, None, 0
    n = X.shape[0]
    @SHUFFLE_ONCE@
    for epoch in range(epochs):
        gamma = @GAMMA@
        @RESET@
        order = @ORDER@
        for start in range(@RANGE@):
            batch = order[start:start + batch_size]
            grads_W, grads_b = backward(X[batch], Y[batch], weights, biases, activations,
                                        loss="cross_entropy")
            for l in range(len(weights)):
                @STEP@
        history["train_loss"].append(cross_entropy(forward(X, weights, biases, activations), Y))
        val_loss = cross_entropy(forward(X_val, weights, biases, activations), Y_val)
        history["val_loss"].append(val_loss)
        watched = @WATCHED@
        if watched < best_loss:
            best_loss, waited = watched, 0
            best = @BEST@
        else:
            waited += 1
            if waited @STOP@ patience:
                break
    return best[0], best[1], history
"""

_SAMATOVA_STEP = """step_W[l] = -gamma * grads_W[l] + momentum * step_W[l]
                step_b[l] = -gamma * grads_b[l] + momentum * step_b[l]
                weights[l] = weights[l] + step_W[l]
                biases[l] = biases[l] + step_b[l]"""

_FIT_PARTS = {"SHUFFLE_ONCE": "", "GAMMA": "schedule(epoch)", "RESET": "", "ORDER": "rng.permutation(n)",
              "RANGE": "0, n, batch_size", "STEP": _SAMATOVA_STEP, "WATCHED": "val_loss",
              "BEST": "([W.copy() for W in weights], [b.copy() for b in biases])", "STOP": ">="}


def _fit_variant(**changes):
    body = _FIT_BODY
    for key, default in _FIT_PARTS.items():
        body = body.replace(f"@{key}@", changes.get(key, default))
    # drop the lines a variant left empty
    return _fit_source("".join(line + "\n" for line in body.splitlines() if line.strip()))


register(FitExercise(
    name="fit",
    reference=early_stopping.fit,
    lesson=LESSON,
    summary="two training runs on slices of the digits (a 64-16-10 ReLU net whose learning rate "
            "decays and which early stopping ends, and a 64-12-8-10 tanh-ReLU net), each from "
            "given starting weights with a fixed seed: your training and validation losses epoch "
            "by epoch, the epoch where training stops, the validation loss of the weights you "
            "return and the accuracy they reach on held-out test digits, all equal to the "
            "reference's; starting weights not modified",
    visible=[
        _fit_case(931, (192, 64, 150), (16,), ["relu", "softmax"],
                  "192 training digits, the learning rate decays after 3 epochs, early stopping ends it",
                  epochs=15, batch_size=32, schedule=fixed_then_decay(0.1, hold=3, rate=0.5),
                  momentum=0.9, patience=2),
        _fit_case(932, (192, 48, 150), (12, 8), ["tanh", "relu", "softmax"],
                  "two hidden layers, 6 epochs, the learning rate halved every 2 epochs",
                  epochs=6, batch_size=24, schedule=step_decay(0.05, drop=0.5, every=2),
                  momentum=0.8, patience=10),
    ],
    hidden=[
        _fit_case(9931, (200, 50, 150), (16,), ["relu", "softmax"],
                  "200 training digits in batches of 32: the last batch has 8",
                  epochs=8, batch_size=32, schedule=fixed_then_decay(0.1, hold=2, rate=0.5),
                  momentum=0.9, patience=3),
        _fit_case(9932, (150, 60, 150), (10,), ["sigmoid", "softmax"],
                  "a sigmoid hidden layer, momentum 0.5, full batch",
                  epochs=6, batch_size=150, schedule=fixed_then_decay(0.5, hold=0, rate=0.2),
                  momentum=0.5, patience=2),
    ],
    hidden_summary="a batch size that does not divide the training set, a sigmoid network "
                   "trained in full batch with momentum 0.5",
    rtol=1e-6,     # the curves of a correct loop agree to float64 rounding; see judge()
    atol=1e-9,
    mistakes=[
        Mistake("no_shuffle",
                "the samples are visited in the same order every epoch. Kauchak's loop shuffles "
                "the training data at the start of every iteration, so that the batches differ "
                "from epoch to epoch: order = rng.permutation(n) inside the epoch loop.",
                _fit_variant(ORDER="np.arange(n)")),
        Mistake("shuffle_once",
                "the order is drawn once, before the first epoch, and every epoch reuses it. "
                "Draw a new order = rng.permutation(n) at the start of EVERY epoch (Kauchak: "
                "'for some number of iterations: randomly shuffle training data').",
                _fit_variant(SHUFFLE_ONCE="order_once = rng.permutation(n)", ORDER="order_once")),
        Mistake("momentum_reset",
                "the previous step Delta w_{t-1} is set back to 0 at every epoch. Samatova's "
                "Delta w_t = -gamma dE/dw + alpha Delta w_{t-1} carries over from batch to batch "
                "AND from epoch to epoch: set it to 0 once, before training.",
                _fit_variant(RESET="step_W = [np.zeros_like(W) for W in weights]\n"
                                   "        step_b = [np.zeros_like(b) for b in biases]")),
        Mistake("velocity_times_current_gamma",
                "the steps are accumulated from raw gradients and multiplied by the CURRENT "
                "learning rate (v = alpha v + g, w = w - gamma v, as some libraries write "
                "momentum). When the schedule lowers gamma this rescales every past step too; "
                "Samatova's Delta w_t = -gamma_t g_t + alpha Delta w_{t-1} keeps each step at the "
                "rate it was taken with.",
                _fit_variant(STEP="step_W[l] = momentum * step_W[l] + grads_W[l]\n"
                                  "                step_b[l] = momentum * step_b[l] + grads_b[l]\n"
                                  "                weights[l] = weights[l] - gamma * step_W[l]\n"
                                  "                biases[l] = biases[l] - gamma * step_b[l]")),
        Mistake("schedule_ignored",
                "the learning rate stays at schedule(0) for the whole run: ask the schedule for "
                "every epoch's rate, gamma = schedule(epoch) (Samatova's 'fixed at the "
                "beginning, steadily decreasing after a certain point').",
                _fit_variant(GAMMA="schedule(0)")),
        Mistake("epochs_from_one",
                "the schedule is asked for epoch + 1: epochs are counted from 0 (the first epoch "
                "is schedule(0)), so every rate comes one epoch early.",
                _fit_variant(GAMMA="schedule(epoch + 1)")),
        Mistake("last_weights",
                "the weights returned are the last epoch's, not the best epoch's. Keep COPIES "
                "when the validation loss reaches a new low (best = [W.copy() for W in weights], "
                "...): a reference to the lists you keep updating ends up holding the last "
                "weights.",
                _fit_variant(BEST="(weights, biases)")),
        Mistake("patience_plus_one",
                "training stops one epoch late: with patience p it stops as soon as p epochs in "
                "a row brought no new lowest validation loss (waited >= patience), not after "
                "p + 1.",
                _fit_variant(STOP=">")),
        Mistake("watches_training_loss",
                "early stopping watches the TRAINING loss, which keeps falling while the network "
                "memorises the training set. It must watch the validation loss: data the network "
                "does not train on tell when it stops generalising.",
                _fit_variant(WATCHED="history[\"train_loss\"][-1]")),
        Mistake("drops_last_batch",
                "the last, smaller batch of every epoch is skipped (range(0, n - batch_size + 1, "
                "batch_size)), so the samples that fall into it are not trained on that epoch. "
                "Every sample is used once per epoch: range(0, n, batch_size), the last batch "
                "smaller when batch_size does not divide n.",
                _fit_variant(RANGE="0, n - batch_size + 1, batch_size"),
                hidden_only=True),
    ],
    alternatives=[
        # velocity form v = alpha v + gamma g, w -= v (the same steps with the sign flipped),
        # updated in place on copies; early stopping through the best epoch's index
        _fit_source("""\
    import copy
    weights, biases = copy.deepcopy(list(weights)), copy.deepcopy(list(biases))
    velocity = [np.zeros_like(p) for p in weights + biases]
    train_curve, val_curve = [], []
    best_epoch, best_params = -1, None
    for epoch in range(epochs):
        gamma = schedule(epoch)
        order = rng.permutation(len(X))
        batches = [order[i:i + batch_size] for i in range(0, len(X), batch_size)]
        for batch in batches:
            gW, gb = backward(X[batch], Y[batch], weights, biases, activations, "cross_entropy")
            params = weights + biases
            for i, g in enumerate(gW + gb):
                velocity[i] = momentum * velocity[i] + gamma * g
                params[i] -= velocity[i]
        train_curve.append(float(cross_entropy(forward(X, weights, biases, activations), Y)))
        val_curve.append(float(cross_entropy(forward(X_val, weights, biases, activations), Y_val)))
        if best_epoch < 0 or val_curve[-1] < val_curve[best_epoch]:
            best_epoch = epoch
            best_params = copy.deepcopy((weights, biases))
        elif epoch - best_epoch >= patience:
            break
    return best_params[0], best_params[1], {"train_loss": train_curve, "val_loss": val_curve}
"""),
    ],
    forbidden=(early_stopping.fit, early_stopping.EarlyStopping.__call__, training.train,
               training._train, network.MLP.backward, network.MLP._gradients),
    namespace=_namespace_fit,
))


# ============================================================================= accuracy

def _predictions(seed, counts, right, note, k=None):
    """Labels with `counts` per class and predictions right with probability `right`."""
    rng = np.random.default_rng(seed)
    k = len(counts) if k is None else k
    y = rng.permutation(np.repeat(np.arange(len(counts), dtype=np.int64), counts))
    wrong = rng.random(y.size) >= right
    y_pred = y.copy()
    y_pred[wrong] = (y[wrong] + rng.integers(1, k, size=int(wrong.sum()))) % k
    return Case((y, y_pred), note=f"{note}: {y.size} samples")


_acc_source = _def("def accuracy(y_true, y_pred):\n")

register(Exercise(
    name="accuracy",
    reference=metrics.accuracy,
    lesson=LESSON,
    summary="10 labels of which 7 are predicted right (0.7), and random predictions for "
            "balanced classes of the digits' kind; a float in [0, 1]",
    visible=[
        Case((np.array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]), np.array([0, 1, 2, 3, 4, 5, 6, 1, 3, 4])),
             note="one of each digit, 7 right"),
        _predictions(941, [45] * 10, 0.9, "10 classes of 45, about 90% right"),
        _predictions(942, [20, 20, 20], 0.6, "3 classes of 20, about 60% right"),
    ],
    hidden=[
        _predictions(9941, [80, 10, 5, 40], 0.75, "unbalanced classes"),
        _predictions(9942, [30, 30], 1.0, "every prediction right"),
        _predictions(9943, [1], 0.0, "a single sample", k=3),
        Case((np.array([2, 2, 2, 0]), np.array([1, 0, 0, 2])), note="every prediction wrong"),
    ],
    hidden_summary="unbalanced classes, all right, all wrong and a single sample",
    mistakes=[
        Mistake("count",
                "this is the NUMBER of right predictions; the accuracy is their share: divide by "
                "the number of samples n.",
                _acc_source("    return np.sum(y_true == y_pred)\n")),
        Mistake("error_rate",
                "this is the error rate, the share of WRONG predictions: the accuracy is "
                "1 - error rate, the share of samples with y_pred == y_true.",
                _acc_source("    return float(np.mean(y_true != y_pred))\n")),
        Mistake("percent",
                "this is a percentage; the accuracy here is a fraction between 0 and 1 (0.97, "
                "not 97).",
                _acc_source("    return 100.0 * np.mean(y_true == y_pred)\n")),
        Mistake("floor_division",
                "// is floor division: the count of right predictions // n is 0 unless every "
                "prediction is right. Divide with / (true division).",
                _acc_source("    return np.sum(y_true == y_pred) // len(y_true)\n")),
        Mistake("balanced_accuracy",
                "this averages the per-class accuracies (the 'balanced accuracy'); it equals the "
                "accuracy only when every class has the same number of samples. The accuracy is "
                "the share of all samples predicted right.",
                _acc_source("    classes = np.unique(y_true)\n"
                            "    return float(np.mean([np.mean(y_pred[y_true == c] == c) for c in classes]))\n"),
                hidden_only=True),
    ],
    alternatives=[
        _acc_source("    right = 0\n"
                    "    for t, p in zip(y_true, y_pred):\n"
                    "        if t == p:\n"
                    "            right += 1\n"
                    "    return right / len(y_true)\n"),
        _acc_source("    return float(np.mean(y_true == y_pred))\n"),
    ],
    forbidden=(metrics.accuracy, metrics.confusion_matrix),
    namespace=_namespace_accuracy,
))


# ============================================================================= confusion_matrix

class _CountsExercise(Exercise):
    """The answer is a matrix of counts: an integer or a float array, compared exactly."""

    def judge(self, got, expected, case):
        call = case.call_text(self.name)
        where = _where(case)
        exp = s.to_float_array(expected)
        g = s.to_float_array(got)
        if got is None or g is None or not isinstance(got, s.ndarray):
            return (f"{call} returned {s.describe_type(got)}; expected a NumPy array of counts of "
                    f"shape {exp.shape}.{where}")
        if g.shape != exp.shape:
            return f"{call} returned shape {g.shape}; expected {exp.shape}, one row and one column per class.{where}"
        bad = s.compare(g, exp, 0.0, 0.0)
        if bad is None:
            return None
        (i, j), gv, ev = bad
        return (f"{call} is wrong at C[{i}, {j}] (true class {i} predicted as {j}): expected "
                f"{s.fmt(ev)}, got {s.fmt(gv)}.\n  expected {s.fmt(exp, 4)}\n  got      "
                f"{s.fmt(g, 4)}{where}")

    def relation(self, got, case, seen):
        # integer counts are right here: relations look at their values as float64
        if isinstance(got, s.ndarray) and got.dtype.kind in "iub":
            got = s.to_float_array(got)
        return super().relation(got, case, seen)


def _confusion_case(seed, counts, right, note, k=None):
    base = _predictions(seed, counts, right, note, k=k)
    return Case((*base.args, len(counts) if k is None else k), note=base.note)


_cm_source = _def("def confusion_matrix(y_true, y_pred, k):\n")

register(_CountsExercise(
    name="confusion_matrix",
    reference=metrics.confusion_matrix,
    lesson=LESSON,
    summary="6 labels of 3 classes with repeated (true, predicted) pairs, 450 predictions of 10 "
            "classes and 60 of 3; C[i, j] = the number of samples of true class i predicted as j, "
            "shape (k, k)",
    visible=[
        Case((np.array([0, 0, 1, 2, 2, 2]), np.array([0, 1, 1, 2, 0, 2]), 3),
             note="3 classes; the pair (2, 2) occurs twice"),
        _confusion_case(951, [45] * 10, 0.9, "10 classes of 45, about 90% right"),
        _confusion_case(952, [20, 20, 20], 0.6, "3 classes of 20, about 60% right"),
    ],
    hidden=[
        Case((np.array([0, 1, 1, 0]), np.array([1, 1, 0, 0]), 4),
             note="k = 4, but classes 2 and 3 never occur"),
        _confusion_case(9951, [80, 10, 5, 40], 0.75, "unbalanced classes"),
        Case((np.array([3]), np.array([1]), 5), note="a single sample"),
        _confusion_case(9952, [30, 30], 1.0, "every prediction right"),
    ],
    hidden_summary="classes that never occur, unbalanced classes, a single sample and a "
                   "perfect classifier",
    mistakes=[
        Mistake("transposed",
                "rows and columns are exchanged: C[i, j] counts the samples of TRUE class i "
                "PREDICTED as j, so the row index is the true label: C[t, p] += 1.",
                _cm_source("    C = np.zeros((k, k), dtype=int)\n"
                           "    for t, p in zip(y_true, y_pred):\n"
                           "        C[p, t] += 1\n"
                           "    return C\n")),
        Mistake("fancy_index_add",
                "C[y_true, y_pred] += 1 adds 1 only ONCE per distinct (true, predicted) pair: "
                "NumPy's fancy-index += does not accumulate repeated indices. Use a loop, "
                "np.add.at(C, (y_true, y_pred), 1) or np.bincount.",
                _cm_source("    C = np.zeros((k, k), dtype=int)\n"
                           "    C[y_true, y_pred] += 1\n"
                           "    return C\n")),
        Mistake("row_normalised",
                "each row is divided by its sum (the share of each class predicted as each "
                "class): that normalised matrix is useful for plots, but the confusion matrix "
                "holds the COUNTS.",
                _cm_source("    C = np.zeros((k, k))\n"
                           "    for t, p in zip(y_true, y_pred):\n"
                           "        C[t, p] += 1\n"
                           "    return C / C.sum(axis=1, keepdims=True)\n")),
        Mistake("labels_from_one",
                "the labels are taken to start at 1 (C[t - 1, p - 1]): they start at 0, and the "
                "digit 0 lands in the last row and column. Index with the labels themselves: "
                "C[t, p].",
                _cm_source("    C = np.zeros((k, k), dtype=int)\n"
                           "    for t, p in zip(y_true, y_pred):\n"
                           "        C[t - 1, p - 1] += 1\n"
                           "    return C\n")),
        Mistake("k_from_data",
                "the size is taken from the labels that occur (the largest + 1) instead of the "
                "argument k: when the last classes never occur, the matrix is too small. Use "
                "np.zeros((k, k)).",
                _cm_source("    size = int(max(y_true.max(), y_pred.max())) + 1\n"
                           "    C = np.zeros((size, size), dtype=int)\n"
                           "    for t, p in zip(y_true, y_pred):\n"
                           "        C[t, p] += 1\n"
                           "    return C\n"),
                hidden_only=True),
    ],
    alternatives=[
        _cm_source("    C = np.zeros((k, k), dtype=int)\n"
                   "    np.add.at(C, (y_true, y_pred), 1)\n"
                   "    return C\n"),
        _cm_source("    return np.bincount(y_true * k + y_pred, minlength=k * k).reshape(k, k)\n"),
        _cm_source("    C = np.zeros((k, k))\n"
                   "    for i in range(k):\n"
                   "        for j in range(k):\n"
                   "            C[i, j] = np.sum((y_true == i) & (y_pred == j))\n"
                   "    return C\n"),
    ],
    forbidden=(metrics.confusion_matrix,),
    namespace=_namespace_confusion,
))
