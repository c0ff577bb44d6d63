"""Lesson 02, forward pass and initialisation (Samatova and Kang): exercises and their mistakes.

Exercises, in the order of the notebook: layer_forward, forward, xavier_normal, quadratic,
binary_cross_entropy. The worked numbers are those of the 2-2-2 network linked from CENG 506
(M. Mazur, "A Step by Step Backpropagation Example", 2015) and of Samatova's 3-3-1 net with numbers chosen
in the lesson (the slide prints none).

xavier_normal draws random numbers, so it cannot be compared with the reference value by
value: XavierExercise judges its behaviour instead (shape, dtype, reproducibility from the
given rng, independence from NumPy's global generator) and, on a large matrix, the moments
of the distribution with tolerances of a few standard errors.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import activations, init, layers, losses, network
from . import _safe as s
# Bind the builtins this module uses to the copies captured at import (see _safe).
from ._safe import bool, float, isinstance, len, list, str, super, tuple, zip  # noqa: A004
from .behaviour import BehaviourExercise
from .exercise import Case, Exercise, Mistake
from . import register

LESSON = "02-forward-pass-and-initialisation"

# Captured now, before any student code runs: the xavier check reseeds and restores NumPy's
# global generator, and a student's cell must not be able to swap these out.
_seed_global = np.random.seed
_default_rng = np.random.default_rng


# ----------------------------------------------------------------------------- namespaces

def _base_namespace():
    """The setup cell's imports (the lesson's notebook has exactly these)."""
    return {"np": np, "sigmoid": activations.sigmoid, "tanh": activations.tanh,
            "relu": activations.relu, "linear": activations.linear,
            "get_activation": activations.get_activation, "mse": losses.mse}


def _namespace_layer():
    return _base_namespace()


def _namespace_forward():
    # the student's own layer_forward is defined by then; the catalogue uses the reference's
    return {**_base_namespace(), "layer_forward": layers.layer_forward}


def _namespace_xavier():
    return {**_namespace_forward(), "forward": layers.forward}


def _namespace_quadratic():
    return {**_namespace_xavier(), "xavier_normal": init.xavier_normal}


def _namespace_bce():
    # the solution cell defines EPS = 1e-12 above the function
    return {**_namespace_quadratic(), "quadratic": losses.quadratic, "EPS": losses.EPS}


def _fabs(x: float) -> float:
    return x if x >= 0 else -x


# ----------------------------------------------------------------------------- layer_forward

class _PairExercise(Exercise):
    """The answer is a pair (Z, A): each half is compared on its own, with its name."""

    labels = ("Z", "A")

    def judge(self, got, expected, case):
        call = case.call_text(self.name)
        where = f"  [{case.note}]" if case.note else ""
        if not (isinstance(expected, (tuple, list)) and len(expected) == 2):
            return f"{call} does not match."  # only reached for a catalogue entry's odd output
        if not (isinstance(got, (tuple, list)) and len(got) == 2):
            shape = s.to_float_array(expected[0]).shape
            return (f"{call} returned {s.describe_type(got)}; expected a pair (Z, A) of two "
                    f"arrays of shape {shape}: end with `return Z, A`.{where}")
        for label, g, e in zip(self.labels, got, expected):
            message = super().judge(g, e, case)
            if message is not None:
                return f"{label} (the {'first' if label == 'Z' else 'second'} item returned) is wrong: {message}"
        return None


_MAZUR_X = np.array([[0.05, 0.10]])
# W[i, j] from input i to unit j: w1 (i1->h1), w2 (i2->h1) in column 0, w3, w4 in column 1.
_MAZUR_W1 = np.array([[0.15, 0.25], [0.20, 0.30]])
_MAZUR_B1 = np.array([0.35, 0.35])
_MAZUR_W2 = np.array([[0.40, 0.50], [0.45, 0.55]])
_MAZUR_B2 = np.array([0.60, 0.60])
_MAZUR_T = np.array([[0.01, 0.99]])

# Samatova's 3-3-1 net, Y = sum_j phi(sum_i W^IH_ij X_i + b_j) W^HO_j, with the lesson's numbers.
_NET331_X = np.array([[1.0, 0.5, -1.0]])
_NET331_WIH = np.array([[0.2, -0.4, 0.7], [0.5, 0.1, -0.3], [-0.6, 0.8, 0.2]])
_NET331_B = np.array([0.1, -0.1, 0.0])
_NET331_WHO = np.array([[0.9], [-0.5], [0.4]])


def _layer_cases(seed, specs, note="seeded random layer"):
    """specs: (n samples, n_in, n_out, activation) per case."""
    rng = np.random.default_rng(seed)
    cases = []
    for n, n_in, n_out, act in specs:
        A = rng.normal(size=(n, n_in))
        W = rng.normal(size=(n_in, n_out))
        b = rng.normal(size=n_out)
        cases.append(Case((A, W, b, act), note=f"{note}: {n} samples, {n_in} inputs -> {n_out} units, {act}"))
    return cases


register(_PairExercise(
    name="layer_forward",
    reference=layers.layer_forward,
    lesson=LESSON,
    summary="the hidden layer of the 2-2-2 worked example (net_h1 = 0.3775, out_h1 = 0.593269992) "
            "and of Samatova's 3-3-1 net; random batches with non-square and square W and each of "
            "sigmoid, tanh, relu and linear; Z and A both float64 of shape (n, n_out); inputs not modified",
    visible=[
        Case((_MAZUR_X, _MAZUR_W1, _MAZUR_B1, "sigmoid"),
             note="the 2-2-2 example linked from CENG 506: its hidden layer"),
        Case((_NET331_X, _NET331_WIH, _NET331_B, "sigmoid"),
             note="Samatova's 3-3-1 net, its hidden layer (the lesson's numbers)"),
        *_layer_cases(201, [(4, 3, 2, "sigmoid"), (5, 2, 4, "tanh"), (3, 4, 4, "relu"),
                            (6, 3, 1, "linear")]),
    ],
    hidden=[
        *_layer_cases(9201, [(7, 5, 3, "tanh"), (2, 6, 6, "sigmoid"), (8, 1, 3, "relu"),
                             (4, 3, 5, "linear")]),
        *_layer_cases(9202, [(1, 4, 2, "sigmoid"), (1, 3, 3, "tanh")], note="a batch of one"),
        Case((np.array([[30.0, -40.0], [-25.0, 50.0]]), np.array([[1.0, -2.0, 3.0], [0.5, 1.0, -1.0]]),
              np.array([0.0, 1.0, -1.0]), "sigmoid"), note="large |z|: the sigmoid saturates"),
        Case((np.array([[1.0, -1.0, 2.0]]), np.array([[1.0, 0.0], [1.0, 1.0], [0.0, 0.5]]),
              np.array([0.0, -0.0]), "relu"), note="z = 0 exactly: relu(0) = 0"),
    ],
    hidden_summary="fresh random layers of other sizes, batches of one, large |z| and z = 0",
    mistakes=[
        Mistake("transposed_W", "W is used transposed. W has shape (n_in, n_out) and W[i, j] is "
                "the weight from input i to unit j (Samatova's W^IH_ij), so Z = A_prev @ W + b. "
                "W.T is Kang's W^(k), shape (n_out, n_in), which multiplies a column h "
                "from the left (W^(k) h); with samples in rows there is no transpose.",
                "def layer_forward(A_prev, W, b, activation):\n"
                "    Z = A_prev @ W.T + b\n"
                "    return Z, get_activation(activation).f(Z)\n"),
        Mistake("no_bias", "the bias is missing: Z = A_prev @ W + b (b is added to every row).",
                "def layer_forward(A_prev, W, b, activation):\n"
                "    Z = A_prev @ W\n"
                "    return Z, get_activation(activation).f(Z)\n"),
        Mistake("no_activation", "A is returned without the activation: A = phi(Z), not Z.",
                "def layer_forward(A_prev, W, b, activation):\n"
                "    Z = A_prev @ W + b\n"
                "    return Z, Z\n"),
        Mistake("bias_before_product", "b is added before the product: Z = A_prev @ W + b, "
                "not (A_prev + b) @ W. The bias belongs to the unit j, after the weighted sum "
                "sum_i W_ij a_i.",
                "def layer_forward(A_prev, W, b, activation):\n"
                "    Z = (A_prev + b) @ W\n"
                "    return Z, get_activation(activation).f(Z)\n"),
        Mistake("activation_on_input", "phi is applied to the layer's input instead of to Z: "
                "A = phi(A_prev @ W + b), not phi(A_prev) @ W + b.",
                "def layer_forward(A_prev, W, b, activation):\n"
                "    Z = A_prev @ W + b\n"
                "    return Z, get_activation(activation).f(A_prev) @ W + b\n"),
        Mistake("always_sigmoid", "the `activation` argument is ignored (always the sigmoid): "
                "use the function it names, e.g. get_activation(activation).f.",
                "def layer_forward(A_prev, W, b, activation):\n"
                "    Z = A_prev @ W + b\n"
                "    return Z, sigmoid(Z)\n"),
        Mistake("swapped_pair", "Z and A are returned in the wrong order: return Z, A.",
                "def layer_forward(A_prev, W, b, activation):\n"
                "    Z = A_prev @ W + b\n"
                "    return get_activation(activation).f(Z), Z\n"),
    ],
    alternatives=[
        # Samatova's formula read literally: one neuron j at a time, one input i at a time
        "def layer_forward(A_prev, W, b, activation):\n"
        "    phi = {'sigmoid': sigmoid, 'tanh': tanh, 'relu': relu, 'linear': linear}[activation]\n"
        "    n, n_in = A_prev.shape\n"
        "    n_out = W.shape[1]\n"
        "    Z = np.zeros((n, n_out))\n"
        "    for s in range(n):\n"
        "        for j in range(n_out):\n"
        "            z = b[j]\n"
        "            for i in range(n_in):\n"
        "                z += W[i, j] * A_prev[s, i]\n"
        "            Z[s, j] = z\n"
        "    return Z, phi(Z)\n",
        # Kang's column form a = b + W^(k) h with W^(k) = W.T, then transposed back
        "def layer_forward(A_prev, W, b, activation):\n"
        "    a = b[:, None] + W.T @ A_prev.T\n"
        "    Z = a.T\n"
        "    return Z, get_activation(activation).f(Z)\n",
    ],
    forbidden=(layers.layer_forward, layers.forward, network.MLP.forward, network.MLP._run),
    namespace=_namespace_layer,
))


# ----------------------------------------------------------------------------- forward

class _ForwardExercise(Exercise):
    """forward returns y_hat alone; a list of every layer's output gets its own message."""

    def judge(self, got, expected, case):
        if isinstance(expected, (list, tuple)):  # a catalogue entry that returns a list
            if not (isinstance(got, (list, tuple)) and len(got) == len(expected)):
                return f"{case.call_text(self.name)} does not match."
            for g, e in zip(got, expected):
                message = super().judge(g, e, case)
                if message is not None:
                    return message
            return None
        if isinstance(got, (list, tuple)):
            shape = s.to_float_array(expected).shape
            where = f"  [{case.note}]" if case.note else ""
            return (f"{case.call_text(self.name)} returned a {s.type(got).__name__} of {len(got)} "
                    f"items; forward returns y_hat alone, the last layer's output h^(l), an array "
                    f"of shape {shape}.{where}")
        return super().judge(got, expected, case)


def _net(rng, sizes, acts, n, note):
    X = rng.normal(size=(n, sizes[0]))
    weights = [rng.normal(0.0, 1.0 / m ** 0.5, size=(m, k)) for m, k in zip(sizes[:-1], sizes[1:])]
    biases = [rng.normal(0.0, 0.5, size=k) for k in sizes[1:]]
    arrow = "-".join(str(m) for m in sizes)
    return Case((X, weights, biases, list(acts)), note=f"{note}: {arrow} net, {n} samples, {', '.join(acts)}")


def _forward_cases(seed, specs, note="seeded random network"):
    rng = np.random.default_rng(seed)
    return [_net(rng, sizes, acts, n, note) for sizes, acts, n in specs]


register(_ForwardExercise(
    name="forward",
    reference=layers.forward,
    lesson=LESSON,
    summary="the 2-2-2 worked example (out_o1 = 0.75136507, out_o2 = 0.772928465 as printed), "
            "Samatova's 3-3-1 net with a linear output, random nets of 1 to 4 layers mixing "
            "activations; y_hat float64 of shape (n, n_out); inputs not modified",
    visible=[
        Case((_MAZUR_X, [_MAZUR_W1, _MAZUR_W2], [_MAZUR_B1, _MAZUR_B2], ["sigmoid", "sigmoid"]),
             note="the 2-2-2 example linked from CENG 506: out_o1, out_o2 as printed",
             expected=np.array([[0.75136507, 0.772928465]]), atol=1e-8),
        Case((_NET331_X, [_NET331_WIH, _NET331_WHO], [_NET331_B, np.zeros(1)], ["sigmoid", "linear"]),
             note="Samatova's 3-3-1 net: Y = sum_j phi(sum_i W^IH_ij X_i + b_j) W^HO_j"),
        *_forward_cases(202, [([4, 6, 3, 2], ["tanh", "relu", "sigmoid"], 5),
                              ([3, 2], ["sigmoid"], 4),
                              ([2, 5, 5, 5, 1], ["relu", "tanh", "relu", "linear"], 6)]),
    ],
    hidden=[
        *_forward_cases(9203, [([5, 4, 3], ["sigmoid", "tanh"], 7),
                               ([3, 8, 8, 8, 2], ["tanh", "tanh", "relu", "sigmoid"], 3),
                               ([6, 1], ["linear"], 2),
                               ([2, 3, 1], ["relu", "sigmoid"], 10)]),
        *_forward_cases(9204, [([4, 3, 2], ["tanh", "linear"], 1),
                               ([3, 3, 3, 3], ["sigmoid", "sigmoid", "tanh"], 1)], note="a batch of one"),
    ],
    hidden_summary="fresh random networks of other depths and widths, and batches of one",
    mistakes=[
        Mistake("skips_last_activation", "the last layer's activation is skipped: every layer, the "
                "output layer included, computes h^(k) = f(a^(k)); y_hat = h^(l).",
                "def forward(X, weights, biases, activations):\n"
                "    A = X\n"
                "    for W, b, act in zip(weights[:-1], biases[:-1], activations[:-1]):\n"
                "        _, A = layer_forward(A, W, b, act)\n"
                "    return A @ weights[-1] + biases[-1]\n"),
        Mistake("first_activation_everywhere", "every layer uses activations[0]: layer k uses its "
                "own activation, activations[k].",
                "def forward(X, weights, biases, activations):\n"
                "    A = X\n"
                "    for W, b in zip(weights, biases):\n"
                "        _, A = layer_forward(A, W, b, activations[0])\n"
                "    return A\n"),
        Mistake("drops_a_layer", "a layer is missing (off by one): Kang's loop runs for "
                "k = 1, ..., l, over every one of the l weight matrices.",
                "def forward(X, weights, biases, activations):\n"
                "    A = X\n"
                "    for k in range(len(weights) - 1):\n"
                "        _, A = layer_forward(A, weights[k], biases[k], activations[k])\n"
                "    return A\n"),
        Mistake("returns_all_layers", "forward returns every layer's output; it should return "
                "only y_hat = h^(l), the last one.",
                "def forward(X, weights, biases, activations):\n"
                "    outputs = [X]\n"
                "    for W, b, act in zip(weights, biases, activations):\n"
                "        _, A = layer_forward(outputs[-1], W, b, act)\n"
                "        outputs.append(A)\n"
                "    return outputs\n"),
        Mistake("passes_Z_on", "layer_forward returns (Z, A) in that order, and the next layer "
                "takes A = f(Z), not Z: `_, A = layer_forward(A, W, b, act)`.",
                "def forward(X, weights, biases, activations):\n"
                "    A = X\n"
                "    for W, b, act in zip(weights, biases, activations):\n"
                "        A, _ = layer_forward(A, W, b, act)\n"
                "    return A\n"),
    ],
    alternatives=[
        # Kang's algorithm in its own column-vector notation, one sample at a time
        "def forward(X, weights, biases, activations):\n"
        "    rows = []\n"
        "    for x in X:\n"
        "        h = x\n"
        "        for k in range(len(weights)):\n"
        "            a = biases[k] + weights[k].T @ h\n"
        "            h = get_activation(activations[k]).f(a)\n"
        "        rows.append(h)\n"
        "    return np.array(rows)\n",
    ],
    forbidden=(layers.forward, network.MLP.forward, network.MLP._run, network.MLP.predict),
    namespace=_namespace_forward,
))


# ----------------------------------------------------------------------------- xavier_normal

@dataclass
class DrawCase(Case):
    """A call xavier_normal(n_in, n_out, np.random.default_rng(seed)); args = (n_in, n_out).

    stats: the matrix is large enough for the distribution's moments to be checked.
    """

    seed: int = 0
    stats: bool = False

    def call_text(self, name: str) -> str:
        return f"{name}({self.args[0]}, {self.args[1]}, np.random.default_rng({self.seed}))"


# Two settings of NumPy's global generator: a correct answer does not notice which one is set.
_GLOBAL_SEEDS = (12345, 54321)
# A correct sampler misses a 6-standard-error band with probability about 2e-9 per statistic.
_Z = 6.0
_TAIL_P = 0.04550026389635842  # P(|x| > 2 sigma) for a normal distribution


class XavierExercise(BehaviourExercise):
    """Judges a random initialiser by its behaviour and its distribution, not by value.

    A failing case is summarised as a finding (kind, message, value) (checks/behaviour.py). The
    likely mistake is the catalogue entry whose own finding on the same case is of the same
    kind (and, for the moments, of about the same size): the exact numbers depend on how the
    student samples, so the catalogue cannot be matched value by value as in the other exercises.
    """

    def _draw(self, fn, case, seed, global_seed):
        _seed_global(global_seed)
        call = DrawCase((case.args[0], case.args[1], _default_rng(seed)), note=case.note, seed=seed)
        return self.call(fn, call)

    def _examine(self, fn, case):
        n_in, n_out = case.args
        text = case.call_text(self.name)
        where = f"  [{case.note}]" if case.note else ""
        first, problem = self._draw(fn, case, case.seed, _GLOBAL_SEEDS[0])
        if problem:
            return ("error", problem, None)
        if not isinstance(first, s.ndarray):
            return ("type", f"{text} returned {s.describe_type(first)}; expected a float64 array of "
                            f"shape ({n_in}, {n_out}).{where}", None)
        if first.shape != (n_in, n_out):
            return ("shape", f"{text} returned shape {first.shape}; expected ({n_in}, {n_out}): one row "
                             f"per input (n_in) and one column per unit (n_out).{where}", first.shape)
        if first.dtype != s.float64:
            return ("dtype", f"{text} returned dtype {first.dtype}; the course works in float64.{where}", None)
        if not bool(s.isfinite(first).all()):
            return ("finite", f"{text} returned NaN or infinite weights.{where}", None)

        again, problem = self._draw(fn, case, case.seed, _GLOBAL_SEEDS[1])
        if problem:
            return ("error", problem, None)
        if not s.same_value(first, again):
            third, problem = self._draw(fn, case, case.seed, _GLOBAL_SEEDS[0])
            if problem is None and s.same_value(first, third):
                return ("global_state", f"{text} gave different weights when only NumPy's global "
                        "random state (np.random.seed) changed: the weights must come from the rng "
                        f"argument alone, so that the same rng seed gives the same network.{where}", None)
            return ("not_reproducible", f"two calls of {text}, each with a fresh generator seeded "
                    f"{case.seed}, gave different weights: draw every number from the rng "
                    f"argument.{where}", None)

        other, problem = self._draw(fn, case, case.seed + 1, _GLOBAL_SEEDS[0])
        if problem:
            return ("error", problem, None)
        if s.same_value(first, other):
            return ("same_for_seeds", f"{text} and the same call with np.random.default_rng"
                    f"({case.seed + 1}) gave identical weights: the rng argument is not used.{where}", None)
        if case.stats:
            return self._moments(first, case, text, where)
        return None

    def _moments(self, W, case, text, where):
        n_in, n_out = case.args
        N = W.size
        var0 = 2.0 / (n_in + n_out)
        sd0 = var0 ** 0.5
        rule = f"Xavier's rule: mean 0, Var = 2/(n_in + n_out) = 2/{n_in + n_out} = {s.fmt(var0)}"
        mean = float(W.mean())
        tol = _Z * sd0 / N ** 0.5
        if _fabs(mean) > tol:
            return ("mean", f"{text}: the mean of the {N} weights is {s.fmt(mean)}; {rule}, and "
                            f"a sample this size has |mean| < {s.fmt(tol)} ({_Z:g} standard errors)."
                            f"{where}", mean / sd0)
        var = float(W.var())
        tol = _Z * var0 * (2.0 / (N - 1)) ** 0.5
        if _fabs(var - var0) > tol:
            return ("variance", f"{text}: the variance of the {N} weights is {s.fmt(var)}, "
                                f"{s.fmt(var / var0, 4)} times the right value; {rule} (standard "
                                f"deviation {s.fmt(sd0)}), and a sample this size lands within "
                                f"{s.fmt(tol)} of it ({_Z:g} standard errors).{where}", var / var0)
        centred = W - mean
        tail = float((centred.__abs__() > 2.0 * sd0).mean())
        tol = _Z * (_TAIL_P * (1.0 - _TAIL_P) / N) ** 0.5
        if _fabs(tail - _TAIL_P) > tol:
            return ("not_normal", f"{text}: {s.fmt(100.0 * tail, 3)}% of the weights lie beyond two "
                                  f"standard deviations; for a normal distribution it is "
                                  f"{s.fmt(100.0 * _TAIL_P, 3)}% (+- {s.fmt(100.0 * tol, 2)}%). "
                                  f"The mean and variance are right but the weights are not "
                                  f"normally distributed.{where}", tail)
        kurtosis = float(((centred / var ** 0.5) ** 4).mean()) - 3.0
        tol = _Z * (24.0 / N) ** 0.5
        if _fabs(kurtosis) > tol:
            return ("not_normal", f"{text}: the weights' excess kurtosis is {s.fmt(kurtosis, 3)}; for a "
                                  f"normal distribution it is 0 (+- {s.fmt(tol, 2)} for this sample). "
                                  f"The mean and variance are right but the weights are not "
                                  f"normally distributed.{where}", kurtosis)
        return None

    @staticmethod
    def _matches(theirs, finding) -> bool:
        if finding is None or theirs is None:
            return finding is None and theirs is None
        if theirs[0] != finding[0]:
            return False
        if finding[0] in ("mean", "variance"):
            ratio = finding[2] / theirs[2] if theirs[2] != 0 else 0.0
            return 0.8 < ratio < 1.25
        if finding[0] == "shape":
            return theirs[2] == finding[2]
        return True


def _std_source(body):
    return "def xavier_normal(n_in, n_out, rng):\n" + body


register(XavierExercise(
    name="xavier_normal",
    reference=init.xavier_normal,
    lesson=LESSON,
    summary="shape (n_in, n_out) and float64; weights drawn from the rng argument only (same seed "
            "-> same weights, another seed -> other weights, NumPy's global state ignored); on "
            "150000 weights: mean 0, variance 2/(n_in + n_out) and a normal (not uniform) "
            "distribution, each to within 6 standard errors",
    visible=[
        DrawCase((3, 2), seed=0, note="a small 3 -> 2 layer"),
        DrawCase((300, 500), seed=1, stats=True, note="a 300 -> 500 layer: 150000 weights"),
    ],
    hidden=[
        DrawCase((1, 1), seed=7, note="a single weight"),
        DrawCase((4, 4), seed=8, note="a square layer"),
        DrawCase((784, 256), seed=11, stats=True, note="a 784 -> 256 layer: 200704 weights"),
        DrawCase((500, 200), seed=12, stats=True, note="a 500 -> 200 layer: 100000 weights"),
    ],
    hidden_summary="other layer sizes (1 x 1, square, 784 x 256, 500 x 200) and other seeds",
    mistakes=[
        Mistake("variance_as_std", "2/(n_in + n_out) is the VARIANCE; rng.normal takes the standard "
                "deviation, which is its square root: rng.normal(0.0, np.sqrt(2 / (n_in + n_out)), "
                "size=(n_in, n_out)).",
                _std_source("    return rng.normal(0.0, 2.0 / (n_in + n_out), size=(n_in, n_out))\n")),
        Mistake("one_over_n_in", "Var = 1/n_in (LeCun's rule) looks at the inputs only; Samatova's "
                "Xavier rule balances the forward and the backward pass: Var = 2/(n_in + n_out).",
                _std_source("    return rng.normal(0.0, np.sqrt(1.0 / n_in), size=(n_in, n_out))\n")),
        Mistake("he", "Var = 2/n_in is He initialisation (for ReLU layers); Xavier's is "
                "Var = 2/(n_in + n_out).",
                _std_source("    return rng.normal(0.0, np.sqrt(2.0 / n_in), size=(n_in, n_out))\n")),
        Mistake("no_two", "the numerator is 2: Var = 2/(n_in + n_out), that is one over the "
                "average of n_in and n_out.",
                _std_source("    return rng.normal(0.0, np.sqrt(1.0 / (n_in + n_out)), size=(n_in, n_out))\n")),
        Mistake("uniform", "the weights are uniformly distributed (this is the uniform variant of "
                "Glorot's rule); Samatova's Xavier initialisation draws them from a normal "
                "distribution: rng.normal(...).",
                _std_source("    limit = np.sqrt(6.0 / (n_in + n_out))\n"
                            "    return rng.uniform(-limit, limit, size=(n_in, n_out))\n")),
        Mistake("uniform_01", "rng.random draws from [0, 1): every weight is positive and the mean "
                "is not 0. Draw from a normal distribution centred at 0: rng.normal(0.0, std, "
                "size) or rng.standard_normal(size) * std.",
                _std_source("    return rng.random((n_in, n_out)) * np.sqrt(2.0 / (n_in + n_out))\n")),
        Mistake("transposed", "the shape is transposed: W has shape (n_in, n_out), row i holding the "
                "weights that leave input i (Samatova's W^IH_ij goes from input i to hidden j), so "
                "that Z = A_prev @ W + b.",
                _std_source("    return rng.normal(0.0, np.sqrt(2.0 / (n_in + n_out)), size=(n_out, n_in))\n")),
        Mistake("global_generator", "np.random.randn / np.random.normal use NumPy's global "
                "generator and ignore the rng you were given; draw from it instead: "
                "rng.normal(...) or rng.standard_normal(...).",
                _std_source("    return np.random.randn(n_in, n_out) * np.sqrt(2.0 / (n_in + n_out))\n")),
        Mistake("fresh_generator", "a new unseeded generator (np.random.default_rng()) is created "
                "inside, so the same seed never gives the same weights; use the rng argument.",
                _std_source("    gen = np.random.default_rng()\n"
                            "    return gen.normal(0.0, np.sqrt(2.0 / (n_in + n_out)), size=(n_in, n_out))\n")),
        Mistake("fixed_seed", "a generator with a fixed seed is created inside, so the rng argument "
                "is ignored and every call gives the same weights; draw from the rng argument.",
                _std_source("    gen = np.random.default_rng(0)\n"
                            "    return gen.normal(0.0, np.sqrt(2.0 / (n_in + n_out)), size=(n_in, n_out))\n")),
    ],
    alternatives=[
        # row by row, from standard normals scaled by the standard deviation
        _std_source("    std = (2.0 / (n_in + n_out)) ** 0.5\n"
                    "    W = np.empty((n_in, n_out))\n"
                    "    for i in range(n_in):\n"
                    "        W[i] = std * rng.standard_normal(n_out)\n"
                    "    return W\n"),
        # Box-Muller: normals made from pairs of uniforms (a different stream, same distribution)
        _std_source("    u1 = 1.0 - rng.random((n_in, n_out))\n"
                    "    u2 = rng.random((n_in, n_out))\n"
                    "    z = np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)\n"
                    "    return z * np.sqrt(2.0 / (n_in + n_out))\n"),
    ],
    forbidden=(init.xavier_normal, init.he_normal),
    namespace=_namespace_xavier,
))


# ----------------------------------------------------------------------------- losses

def _pairs(seed, shapes, note, probabilities=False):
    rng = np.random.default_rng(seed)
    cases = []
    for shape in shapes:
        if probabilities:
            y_hat = rng.uniform(0.02, 0.98, size=shape)
            y = (rng.random(size=shape) < 0.5).astype(float)
        else:
            y_hat = rng.normal(size=shape)
            y = rng.normal(size=shape)
        cases.append(Case((y_hat, y), note=f"{note}, shape {shape}"))
    return cases


register(Exercise(
    name="quadratic",
    reference=losses.quadratic,
    lesson=LESSON,
    summary="Samatova's E = 1/2 (y - t)^2 on one sample, E_total = 0.298371109 of the 2-2-2 "
            "example (two outputs), random batches of shape (n,) and (n, k) with k > 1; "
            "a float64 number",
    visible=[
        Case((np.array([[0.75136507, 0.772928465]]), _MAZUR_T),
             note="the 2-2-2 example linked from CENG 506: E_total as printed",
             expected=0.298371109, atol=1e-9),
        Case((np.array([0.8]), np.array([1.0])), note="Samatova's E = 1/2 (y - t)^2 = 1/2 (0.8 - 1)^2"),
        *_pairs(203, [(6,), (5, 3), (4, 1)], "seeded random predictions and targets"),
    ],
    hidden=[
        *_pairs(9203, [(9,), (7, 4), (12, 2)], "fresh random predictions and targets"),
        *_pairs(9204, [(1,), (1, 5)], "a batch of one"),
        Case((np.array([[1.5, -2.0], [0.25, 4.0], [3.0, 3.0]]),) * 2, note="y_hat = y: the loss is 0"),
        Case((np.array([[1e3, -2e3], [5e2, 0.0]]), np.array([[0.0, 1.0], [1.0, 0.0]])),
             note="large errors"),
    ],
    hidden_summary="fresh random batches (k up to 5 outputs), a batch of one, y_hat = y and large errors",
    mistakes=[
        Mistake("no_half", "the 1/2 is missing: E = 1/2 sum_k (y_hat - y)^2 per sample (Samatova), "
                "the 1/2 cancelling the 2 of the derivative so that dE/dy = y - t.",
                "def quadratic(y_hat, y):\n"
                "    return np.sum((y_hat - y) ** 2) / y_hat.shape[0]\n"),
        Mistake("sum_over_samples", "the samples are summed, not averaged: divide by the number of "
                "samples n = y_hat.shape[0] (the loss of a batch is the mean of the per-sample losses).",
                "def quadratic(y_hat, y):\n"
                "    return 0.5 * np.sum((y_hat - y) ** 2)\n"),
        Mistake("mean_over_elements", "this averages over every element (n * k of them), which is "
                "MSE/2: with k outputs per sample the per-sample loss SUMS over the k outputs and "
                "only the n samples are averaged.",
                "def quadratic(y_hat, y):\n"
                "    return 0.5 * np.mean((y_hat - y) ** 2)\n"),
        Mistake("mse", "this is Samatova's MSE (mean of (y_hat - y)^2 over all elements, no 1/2); "
                "the quadratic loss is (1/n) sum_samples 1/2 sum_k (y_hat - y)^2.",
                "def quadratic(y_hat, y):\n"
                "    return np.mean((y_hat - y) ** 2)\n"),
        Mistake("square_root", "a square root was taken (a distance, like RMSE); the quadratic loss "
                "keeps the errors squared: (1/n) sum_samples 1/2 sum_k (y_hat - y)^2.",
                "def quadratic(y_hat, y):\n"
                "    return np.sqrt(np.mean((y_hat - y) ** 2))\n"),
    ],
    alternatives=[
        "def quadratic(y_hat, y):\n"
        "    n = len(y_hat)\n"
        "    total = 0.0\n"
        "    for s in range(n):\n"
        "        for d in np.atleast_1d(y_hat[s] - y[s]):\n"
        "            total += 0.5 * d * d\n"
        "    return total / n\n",
    ],
    forbidden=(losses.quadratic, losses.mse, losses._quadratic_sum, losses._mse_sum),
    namespace=_namespace_quadratic,
))


register(Exercise(
    name="binary_cross_entropy",
    reference=losses.binary_cross_entropy,
    lesson=LESSON,
    summary="Samatova's cross-entropy with its minus sign restored on a worked example, random "
            "batches of shape (n,) and (n, k) with k > 1, and predictions of exactly 0 and 1 "
            "(finite thanks to clipping with EPS = 1e-12); a float64 number",
    visible=[
        Case((np.array([0.9, 0.2, 0.7]), np.array([1.0, 0.0, 0.0])),
             note="Samatova's CE with its minus sign: -(ln 0.9 + ln 0.8 + ln 0.3)/3"),
        *_pairs(204, [(8,), (5, 3)], "seeded random probabilities and 0/1 labels", probabilities=True),
        Case((np.array([[1.0, 0.0], [0.0, 0.3]]), np.array([[1.0, 0.0], [1.0, 0.0]])),
             note="y_hat exactly 0 and 1, right and wrong: clip to [EPS, 1 - EPS] before ln"),
    ],
    hidden=[
        *_pairs(9205, [(11,), (6, 4), (9, 2)], "fresh random probabilities and labels", probabilities=True),
        *_pairs(9206, [(1,), (1, 3)], "a batch of one", probabilities=True),
        Case((np.array([1e-15, 1.0 - 1e-15, 1e-13, 0.5]), np.array([1.0, 0.0, 0.0, 1.0])),
             note="y_hat within 1e-12 of 0 and 1"),
        Case((np.array([0.0, 1.0]), np.array([1.0, 0.0])), note="confidently wrong: y_hat = 0 for y = 1"),
        Case((np.array([[1.0, 0.0, 1.0]]), np.array([[1.0, 0.0, 1.0]])), note="confidently right: loss ~ 0"),
    ],
    hidden_summary="fresh random batches (k up to 4), a batch of one, y_hat within 1e-12 of 0 or 1",
    mistakes=[
        Mistake("no_minus", "the minus sign is missing, as in Samatova's printed formula: "
                "ln y_hat and ln(1 - y_hat) are <= 0, so without the minus the 'loss' is negative "
                "and is largest for perfect predictions; minimising it would make the network "
                "worse. E = -(1/n) sum [y ln y_hat + (1 - y) ln(1 - y_hat)].",
                "def binary_cross_entropy(y_hat, y):\n"
                "    p = np.clip(y_hat, EPS, 1 - EPS)\n"
                "    return np.sum(y * np.log(p) + (1 - y) * np.log(1 - p)) / y_hat.shape[0]\n"),
        Mistake("one_term_only", "only the y ln y_hat term is there: samples with y = 0 then cost "
                "nothing however wrong y_hat is; add (1 - y) ln(1 - y_hat).",
                "def binary_cross_entropy(y_hat, y):\n"
                "    p = np.clip(y_hat, EPS, 1 - EPS)\n"
                "    return -np.sum(y * np.log(p)) / y_hat.shape[0]\n"),
        Mistake("sum_over_samples", "the samples are summed, not averaged: divide by the number "
                "of samples n = y_hat.shape[0].",
                "def binary_cross_entropy(y_hat, y):\n"
                "    p = np.clip(y_hat, EPS, 1 - EPS)\n"
                "    return -np.sum(y * np.log(p) + (1 - y) * np.log(1 - p))\n"),
        Mistake("mean_over_elements", "this averages over every element (n * k of them): with k "
                "outputs per sample the per-sample loss SUMS over the k outputs and only the n "
                "samples are averaged.",
                "def binary_cross_entropy(y_hat, y):\n"
                "    p = np.clip(y_hat, EPS, 1 - EPS)\n"
                "    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))\n"),
        Mistake("log10", "np.log10 is the base-10 logarithm; the cross-entropy uses the natural "
                "logarithm ln, which is np.log.",
                "def binary_cross_entropy(y_hat, y):\n"
                "    p = np.clip(y_hat, EPS, 1 - EPS)\n"
                "    return -np.sum(y * np.log10(p) + (1 - y) * np.log10(1 - p)) / y_hat.shape[0]\n"),
        Mistake("no_clip", "y_hat is not clipped: at y_hat = 0 or 1 a logarithm gets 0, and "
                "0 * ln 0 gives nan. Clip first: p = np.clip(y_hat, EPS, 1 - EPS).",
                "def binary_cross_entropy(y_hat, y):\n"
                "    return -np.sum(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat)) / y_hat.shape[0]\n"),
        Mistake("other_eps", "y_hat is clipped with another eps than EPS = 1e-12: a confidently "
                "wrong prediction then costs -ln(eps), e.g. 34.5 for eps = 1e-15 instead of 27.6. "
                "Clip to [EPS, 1 - EPS] as the docstring says.",
                "def binary_cross_entropy(y_hat, y):\n"
                "    p = np.clip(y_hat, 1e-15, 1 - 1e-15)\n"
                "    return -np.sum(y * np.log(p) + (1 - y) * np.log(1 - p)) / y_hat.shape[0]\n"),
    ],
    alternatives=[
        # one sample and one output at a time, choosing the term the label selects
        "def binary_cross_entropy(y_hat, y):\n"
        "    import math\n"
        "    y_hat = np.asarray(y_hat, dtype=float).reshape(len(y_hat), -1)\n"
        "    y = np.asarray(y, dtype=float).reshape(len(y), -1)\n"
        "    total = 0.0\n"
        "    for s in range(y_hat.shape[0]):\n"
        "        for k in range(y_hat.shape[1]):\n"
        "            p = min(max(float(y_hat[s, k]), EPS), 1 - EPS)\n"
        "            total -= y[s, k] * math.log(p) + (1 - y[s, k]) * math.log1p(-p)\n"
        "    return total / y_hat.shape[0]\n",
    ],
    forbidden=(losses.binary_cross_entropy, losses.cross_entropy,
               losses._binary_cross_entropy_sum, losses._cross_entropy_sum),
    namespace=_namespace_bce,
))
