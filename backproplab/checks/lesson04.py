"""Lesson 04, activation functions (Samatova, CENG 506): exercises and their mistakes.

Exercises, in the order of the notebook: sigmoid_prime, tanh_prime, relu_prime,
leaky_relu_prime, softmax, softmax_jacobian. Each is compared with backproplab.activations.

Visible cases hold the derivative table's values at z = 0 and at the saturated ends (|z| = 10
and 30, CENG 506's gate inputs); hidden cases add |z| = 1000, where a formula that builds
e^{|z|} overflows to inf and returns nan, and a batch of one. Several catalogued mistakes are
such overflows. Exercise.same() recognises a NaN answer as a catalogue entry's only when every
other value is bit-for-bit the same; _Lesson04Exercise's judge counts NaN in the same places
as equal and the other values within the exercise's tolerance, as for any answer (the
expected answers themselves are always finite).
"""
from __future__ import annotations

import numpy as np

from .. import activations
from . import _safe as s
from ._safe import bool, float  # noqa: A004 (captured builtins, see _safe)
from .exercise import Case, Exercise, Mistake
from . import register

LESSON = "04-activation-functions"


def _namespace():
    """What the lesson's setup cell imports (catalogue sources may use these)."""
    return {"np": np, "sigmoid": activations.sigmoid, "tanh": activations.tanh,
            "relu": activations.relu, "leaky_relu": activations.leaky_relu}


def _namespace_jacobian():
    # the student's own softmax (exercise 5) is defined by then; the catalogue uses the reference's
    return {**_namespace(), "softmax": activations.softmax}


class _Lesson04Exercise(Exercise):
    """An Exercise whose judge counts NaN as equal to NaN at the same index.

    Used when a catalogued mistake's output (an overflow's inf/inf) is compared with the
    student's: the finite values of an answer written in another order may differ from the
    entry's in the last bits. Expected answers from the reference never hold NaN, so a NaN
    in the student's answer still fails against them.
    """

    def judge(self, got, expected, case):
        g, e = s.to_float_array(got), s.to_float_array(expected)
        if g is not None and e is not None and g.shape == e.shape and s.is_float64_like(got):
            both = (g != g) & (e != e)
            if bool(both.any()):
                g[both] = 0.0
                e[both] = 0.0
                return super().judge(g, e, case)
        return super().judge(got, expected, case)


def _random_cases(seed, shapes, scale=4.0, note="seeded random z", kwargs=None):
    rng = np.random.default_rng(seed)
    cases = []
    for shape in shapes:
        z = rng.normal(0.0, scale, size=shape)
        cases.append(Case((z if shape else float(z),), dict(kwargs or {}),
                          note=f"{note}, shape {shape}"))
    return cases


def _integer_cases(seed, shapes, note):
    """Whole-number z (never strictly between 0 and 1): ReLU's visible cases."""
    rng = np.random.default_rng(seed)
    return [Case((rng.integers(-5, 6, size=shape).astype(np.float64),), note=f"{note}, shape {shape}")
            for shape in shapes]


_SATURATED = np.array([-30.0, -10.0, 0.0, 10.0, 30.0])   # CENG 506's AND/OR gate inputs and 0
_HUGE = np.array([-1000.0, -745.0, -709.0, 0.0, 709.0, 1000.0])


def _elementwise_hidden(seed, kwargs=None):
    """The hidden cases every element-wise derivative shares: |z| = 1000, a batch of one,
    random arrays of other shapes."""
    kw = dict(kwargs or {})
    return [
        Case((1000.0,), dict(kw), note="z = 1000"),
        Case((-1000.0,), dict(kw), note="z = -1000"),
        Case((_HUGE.reshape(1, -1).copy(),), dict(kw),
             note="a batch of one with |z| up to 1000: e^{|z|} overflows float64 beyond 709.78"),
        *_random_cases(seed, [(), (7,), (2, 3, 4), (1, 5)], kwargs=kw,
                       note="fresh random z (shape (1, 5): a batch of one)"),
    ]


# ----------------------------------------------------------------------------- sigmoid_prime

register(_Lesson04Exercise(
    name="sigmoid_prime",
    reference=activations.sigmoid_prime,
    lesson=LESSON,
    summary="Samatova's table at z = 0 (0.25), CENG 506's neuron at z = 1 (0.20), the saturated "
            "ends z = +-10 and +-30, random scalars, vectors and matrices; float64 output of the "
            "input's shape; z not modified",
    visible=[
        Case((0.0,), note="Samatova's table at z = 0: sigma(0)(1 - sigma(0)) = 0.5 * 0.5"),
        Case((1.0,), note="CENG 506's neuron: z = 1, sigma(1) = 0.73, and the slide's "
                          "(e^{-1})(-0.53) = -0.20 is the gradient at -z, so sigma'(1) = 0.20 "
                          "to two decimals", expected=0.20, atol=0.005),
        Case((10.0,), note="saturated: CENG 506's gate input g(10) ~ 1"),
        Case((-10.0,), note="saturated: CENG 506's gate input g(-10) ~ 0"),
        Case((_SATURATED.copy(),), note="CENG 506's AND/OR gate inputs and 0"),
        *_random_cases(401, [(), (6,), (3, 4)]),
    ],
    hidden=_elementwise_hidden(9401),
    hidden_summary="|z| = 1000 (no nan), a batch of one and fresh random arrays",
    mistakes=[
        Mistake("returns_sigmoid",
                "this returns sigma(z) itself, not its slope: sigma'(z) = sigma(z)(1 - sigma(z)), "
                "which is 0.25 at z = 0, where sigma(0) = 0.5.",
                "def sigmoid_prime(z):\n    return sigmoid(z)\n"),
        Mistake("samatova_sign",
                "this is sigma(z)(sigma(z) - 1), the end of Samatova's extra slide "
                "'Differentiating Sigmoid Function', whose sign is wrong: its first step drops "
                "the minus of the power rule, d(u^-1)/du = -u^-2. The sigmoid rises everywhere, "
                "so its slope is positive: sigma'(z) = sigma(z)(1 - sigma(z)).",
                "def sigmoid_prime(z):\n    s = sigmoid(z)\n    return s * (s - 1)\n"),
        Mistake("from_output",
                "this is z(1 - z): the formula s(1 - s) applied to z itself. s(1 - s) holds for "
                "the sigmoid's OUTPUT s = sigma(z); the argument here is the net input z, so "
                "compute s = sigmoid(z) first.",
                "def sigmoid_prime(z):\n    return z * (1 - z)\n"),
        Mistake("tanh_rule",
                "this is 1 - sigma(z)^2, tanh's rule (1 - phi^2 in Samatova's table) applied to "
                "the sigmoid; the sigmoid's is sigma(z)(1 - sigma(z)).",
                "def sigmoid_prime(z):\n    return 1 - sigmoid(z) ** 2\n"),
        Mistake("no_square",
                "e^{-z} / (1 + e^{-z}) is 1 - sigma(z), not the derivative: CENG 506's "
                "derivation has the denominator squared, e^{-z} / (1 + e^{-z})^2.",
                "def sigmoid_prime(z):\n    return np.exp(-z) / (1 + np.exp(-z))\n"),
        Mistake("unstable_ceng",
                "e^{-z} / (1 + e^{-z})^2 (CENG 506's first form) is right in exact arithmetic, "
                "but for z < -709.78 e^{-z} overflows float64 to inf, and inf / inf is nan: "
                "sigmoid_prime(-1000) must be 0. Compute s = sigmoid(z) (stable) and return "
                "s * (1 - s).",
                "def sigmoid_prime(z):\n    return np.exp(-z) / (1 + np.exp(-z)) ** 2\n",
                hidden_only=True),
    ],
    alternatives=[
        # CENG 506's form, made stable: sigma' is even, so e^{-|z|} never overflows
        "def sigmoid_prime(z):\n"
        "    e = np.exp(-np.abs(np.asarray(z, dtype=float)))\n"
        "    out = e / (1.0 + e) ** 2\n"
        "    return out if out.ndim else float(out)\n",
        # sigma(z) = (1 + tanh(z/2)) / 2, so sigma'(z) = (1 - tanh^2(z/2)) / 4
        "def sigmoid_prime(z):\n"
        "    t = np.tanh(0.5 * np.asarray(z, dtype=float))\n"
        "    return 0.25 * (1.0 - t * t)\n",
    ],
    forbidden=(activations.sigmoid_prime,),
    namespace=_namespace,
))


# ----------------------------------------------------------------------------- tanh_prime

register(_Lesson04Exercise(
    name="tanh_prime",
    reference=activations.tanh_prime,
    lesson=LESSON,
    summary="Samatova's table at z = 0 (1.0), z = +-1, the saturated ends z = +-10 and +-30, random "
            "scalars, vectors and matrices; float64 output of the input's shape; z not modified",
    visible=[
        Case((0.0,), note="Samatova's table at z = 0: 1 - tanh^2(0) = 1"),
        Case((1.0,), note="z = 1: 1 - tanh^2(1)"),
        Case((-1.0,), note="z = -1: tanh' is even"),
        Case((10.0,), note="saturated: tanh(10) ~ 1"),
        Case((-10.0,), note="saturated: tanh(-10) ~ -1"),
        Case((_SATURATED.copy(),), note="the saturated ends +-10, +-30 and 0"),
        *_random_cases(402, [(), (6,), (3, 4)]),
    ],
    hidden=_elementwise_hidden(9402),
    hidden_summary="|z| = 1000 (no nan), a batch of one and fresh random arrays",
    mistakes=[
        Mistake("returns_tanh",
                "this returns tanh(z) itself, not its slope: tanh'(z) = 1 - tanh^2(z), which is "
                "1 at z = 0, where tanh(0) = 0.",
                "def tanh_prime(z):\n    return np.tanh(z)\n"),
        Mistake("no_square",
                "1 - tanh(z) misses the square: Samatova's table gives phi'(z) = 1 - phi^2(z), "
                "i.e. 1 - tanh(z) ** 2.",
                "def tanh_prime(z):\n    return 1 - np.tanh(z)\n"),
        Mistake("from_output",
                "this is 1 - z^2: the formula 1 - t^2 applied to z itself. 1 - t^2 holds for "
                "tanh's OUTPUT t = tanh(z); the argument here is the net input z, so compute "
                "t = np.tanh(z) first.",
                "def tanh_prime(z):\n    return 1 - z ** 2\n"),
        Mistake("sigmoid_rule",
                "this is tanh(z)(1 - tanh(z)), the sigmoid's rule phi(1 - phi) applied to tanh; "
                "tanh's own is 1 - tanh^2(z) (Samatova's table).",
                "def tanh_prime(z):\n    t = np.tanh(z)\n    return t * (1 - t)\n"),
        Mistake("sech",
                "1 / cosh(z) is sech(z); the derivative of tanh is sech^2(z) = 1 / cosh^2(z) "
                "= 1 - tanh^2(z): the square is missing.",
                "def tanh_prime(z):\n    return 1 / np.cosh(z)\n"),
        Mistake("exp_definition",
                "tanh computed from its definition (e^z - e^{-z}) / (e^z + e^{-z}) (Samatova's "
                "table) overflows for |z| > 709.78: e^{1000} is inf in float64 and inf / inf is "
                "nan, so tanh_prime(+-1000) is nan instead of 0. Use np.tanh, which never "
                "overflows, then 1 - t ** 2.",
                "def tanh_prime(z):\n"
                "    t = (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z))\n"
                "    return 1 - t ** 2\n",
                hidden_only=True),
    ],
    alternatives=[
        # sech^2(z) = 4 e^{-2|z|} / (1 + e^{-2|z|})^2: even, and e^{-2|z|} never overflows
        "def tanh_prime(z):\n"
        "    e = np.exp(-2.0 * np.abs(np.asarray(z, dtype=float)))\n"
        "    return 4.0 * e / (1.0 + e) ** 2\n",
        # tanh(z) = 2 sigma(2z) - 1, so tanh'(z) = 4 sigma'(2z) = 4 s (1 - s) with s = sigma(2z)
        "def tanh_prime(z):\n"
        "    s = sigmoid(2.0 * np.asarray(z, dtype=float))\n"
        "    return 4.0 * s * (1.0 - s)\n",
    ],
    forbidden=(activations.tanh_prime,),
    namespace=_namespace,
))


# ----------------------------------------------------------------------------- relu_prime

register(_Lesson04Exercise(
    name="relu_prime",
    reference=activations.relu_prime,
    lesson=LESSON,
    summary="z = 0 (0, the convention Samatova states), z = +-10, whole-number vectors and "
            "matrices from -5 to 5; float64 output of the input's shape; z not modified",
    visible=[
        Case((10.0,), note="z = 10: slope 1"),
        Case((0.0,), note="z = 0: ReLU has no derivative there; Samatova's convention "
                          "substitutes 0"),
        Case((-10.0,), note="z = -10: slope 0"),
        Case((np.array([-3.0, -1.5, -1.0, 0.0, 1.0, 1.5, 3.0]),), note="both sides of the kink"),
        *_integer_cases(403, [(8,), (3, 4)], note="seeded whole-number z"),
    ],
    hidden=[
        *_elementwise_hidden(9403),
        Case((0.5,), note="z = 0.5"),
        Case((np.array([1e-300, -1e-300, 0.25, 0.999]),), note="z just above and below 0, and inside (0, 1)"),
    ],
    hidden_summary="z between 0 and 1, |z| = 1000, a batch of one and fresh random arrays",
    mistakes=[
        Mistake("returns_relu",
                "this returns ReLU itself, max(0, z), not its slope: ReLU'(z) = 1 for z > 0 "
                "and 0 for z <= 0.",
                "def relu_prime(z):\n    return np.maximum(0.0, z)\n"),
        Mistake("one_at_zero",
                "at z = 0 ReLU has no derivative; the lectures' convention (Samatova: 'the "
                "gradient of zero is substituted when z = 0') makes relu_prime(0) = 0: test "
                "z > 0, not z >= 0.",
                "def relu_prime(z):\n    return np.where(np.asarray(z) >= 0, 1.0, 0.0)\n"),
        Mistake("sign",
                "np.sign(z) is -1 for z < 0, but ReLU is flat there (max(0, z) = 0), so its "
                "slope is 0, not -1.",
                "def relu_prime(z):\n    return np.sign(z)\n"),
        Mistake("heaviside_half",
                "np.heaviside(z, 0.5) is 0.5 at z = 0: its second argument is the value at 0, "
                "and the lectures' convention for ReLU there is 0: np.heaviside(z, 0.0).",
                "def relu_prime(z):\n    return np.heaviside(z, 0.5)\n"),
        Mistake("clip",
                "np.clip(z, 0, 1) returns z itself for 0 < z < 1, but ReLU's slope is 1 for "
                "every z > 0, however small: 1.0 where z > 0, else 0.0.",
                "def relu_prime(z):\n    return np.clip(z, 0.0, 1.0)\n",
                hidden_only=True),
    ],
    alternatives=[
        "def relu_prime(z):\n"
        "    return (np.asarray(z) > 0).astype(float)\n",
        # one element at a time
        "def relu_prime(z):\n"
        "    z = np.asarray(z, dtype=float)\n"
        "    out = np.zeros(z.shape)\n"
        "    for idx in np.ndindex(z.shape):\n"
        "        if z[idx] > 0:\n"
        "            out[idx] = 1.0\n"
        "    return out\n",
        "def relu_prime(z):\n"
        "    return np.heaviside(z, 0.0)\n",
    ],
    forbidden=(activations.relu_prime,),
    namespace=_namespace,
))


# ----------------------------------------------------------------------------- leaky_relu_prime

register(_Lesson04Exercise(
    name="leaky_relu_prime",
    reference=activations.leaky_relu_prime,
    lesson=LESSON,
    summary="CENG 506's leaky ReLU max(0.1z, z) with the default slope 0.1: z = 0 (the slope, as "
            "ReLU's convention takes the left side), z = +-10, vectors and matrices, and "
            "slope=0.1 passed by name; float64 output of the input's shape; z not modified",
    visible=[
        Case((0.0,), note="z = 0: the left-hand slope, as ReLU's convention (Samatova)"),
        Case((10.0,), note="z = 10: slope 1"),
        Case((-10.0,), note="z = -10: CENG 506's max(0.1z, z) has slope 0.1"),
        Case((np.array([-3.0, -1.5, -1.0, 0.0, 1.0, 1.5, 3.0]),), note="both sides of the kink"),
        Case((np.array([-2.0, 0.0, 2.0]),), {"slope": 0.1}, note="slope passed by name"),
        *_random_cases(404, [(), (3, 4)]),
    ],
    hidden=[
        *_elementwise_hidden(9404),
        Case((np.array([-2.0, -0.5, 0.0, 0.5, 2.0]),), {"slope": 0.2}, note="slope 0.2"),
        Case((np.array([[-1.0, 0.0, 3.0], [-4.0, 5.0, -0.1]]),), {"slope": 0.01}, note="slope 0.01"),
        *_random_cases(9405, [(6,), (1, 4)], kwargs={"slope": 0.3}, note="fresh random z, slope 0.3"),
    ],
    hidden_summary="other slopes (0.2, 0.01, 0.3), |z| = 1000, a batch of one and fresh random arrays",
    mistakes=[
        Mistake("returns_function",
                "this returns the leaky ReLU itself, max(slope * z, z), not its slope: 1 for "
                "z > 0 and `slope` for z <= 0.",
                "def leaky_relu_prime(z, slope=0.1):\n"
                "    z = np.asarray(z, dtype=float)\n"
                "    return np.where(z > 0, z, slope * z)\n"),
        Mistake("no_leak",
                "this is plain ReLU's derivative (0 for z <= 0). The leaky ReLU max(0.1z, z) "
                "(CENG 506) keeps a slope of `slope` for z <= 0: that is its point, a unit with "
                "z < 0 still passes a gradient.",
                "def leaky_relu_prime(z, slope=0.1):\n"
                "    return np.where(np.asarray(z) > 0, 1.0, 0.0)\n"),
        Mistake("one_at_zero",
                "at z = 0 the course takes the left-hand slope, as Samatova's convention does "
                "for ReLU (where it is 0): leaky_relu_prime(0) = slope. Test z > 0, not z >= 0.",
                "def leaky_relu_prime(z, slope=0.1):\n"
                "    return np.where(np.asarray(z) >= 0, 1.0, slope)\n"),
        Mistake("slope_times_z",
                "for z <= 0 the derivative is the constant `slope`, not slope * z (that is the "
                "function's value there).",
                "def leaky_relu_prime(z, slope=0.1):\n"
                "    z = np.asarray(z, dtype=float)\n"
                "    return np.where(z > 0, 1.0, slope * z)\n"),
        Mistake("swapped",
                "the two sides are swapped: the slope is 1 for z > 0 (where max(slope * z, z) = z) "
                "and `slope` for z <= 0.",
                "def leaky_relu_prime(z, slope=0.1):\n"
                "    return np.where(np.asarray(z) > 0, slope, 1.0)\n"),
        Mistake("ignores_slope",
                "the `slope` argument is ignored (0.1 is written in): with slope=0.2 the "
                "derivative for z <= 0 is 0.2. Use the argument: np.where(z > 0, 1.0, slope).",
                "def leaky_relu_prime(z, slope=0.1):\n"
                "    return np.where(np.asarray(z) > 0, 1.0, 0.1)\n",
                hidden_only=True),
    ],
    alternatives=[
        # slope + (1 - slope) * [z > 0]
        "def leaky_relu_prime(z, slope=0.1):\n"
        "    above = (np.asarray(z) > 0).astype(float)\n"
        "    return slope + (1.0 - slope) * above\n",
        "def leaky_relu_prime(z, slope=0.1):\n"
        "    z = np.asarray(z, dtype=float)\n"
        "    out = np.empty(z.shape)\n"
        "    for idx in np.ndindex(z.shape):\n"
        "        out[idx] = 1.0 if z[idx] > 0 else slope\n"
        "    return out\n",
    ],
    forbidden=(activations.leaky_relu_prime,),
    namespace=_namespace,
))


# ----------------------------------------------------------------------------- softmax

def _batches(seed, shapes, scale=3.0, note="seeded random scores"):
    rng = np.random.default_rng(seed)
    return [Case((rng.normal(0.0, scale, size=shape),), note=f"{note}, shape {shape}") for shape in shapes]


register(_Lesson04Exercise(
    name="softmax",
    reference=activations.softmax,
    lesson=LESSON,
    summary="Samatova's e^{z_i} / sum_j e^{z_j} on z = (1, 2, 3), two classes (softmax([1, 0]) = "
            "(sigma(1), sigma(-1))), equal scores, the large scores (1000, 999, 998), random "
            "vectors (k,) and batches (n, k), one softmax per row; output float64 of z's shape; "
            "z not modified",
    visible=[
        Case((np.array([1.0, 2.0, 3.0]),), note="Samatova's table: e^{z_i} / sum_j e^{z_j}"),
        Case((np.array([1.0, 0.0]),), note="two classes: softmax([z, 0])[0] = sigma(z), "
                                           "CENG 506's 0.73 at z = 1"),
        Case((np.zeros(4),), note="equal scores: 1/k each"),
        Case((np.array([400.0, 0.0, -400.0]),),
             note="scores of +-400: e^{400} = 5e173 is still a float64, e^{800} would not be"),
        Case((np.array([1000.0, 999.0, 998.0]),),
             note="large scores: e^{1000} overflows float64 (inf); subtract the max first"),
        *_batches(405, [(6,), (4, 3), (5, 10)]),
    ],
    hidden=[
        Case((np.array([[1000.0, 999.0, 998.0], [-1000.0, -999.0, -998.0]]),),
             note="rows at +1000 and -1000: each row needs its own max"),
        Case((np.array([-1000.0, -1000.0, -1000.0]),), note="all scores -1000: e^{-1000} is 0, so 0/0"),
        Case((np.array([1000.0, 0.0, -1000.0]),), note="|z| = 1000 in one vector"),
        Case((np.array([[-1000.0, 0.0, 1000.0]]),), note="a batch of one with |z| = 1000"),
        *_batches(9405, [(1, 4)], note="a batch of one"),
        *_batches(9406, [(7, 5), (3, 2), (10,), (5, 1)], note="fresh random scores"),
    ],
    hidden_summary="|z| = 1000 (rows far apart, all equal, mixed), batches of one, one class "
                   "(k = 1) and fresh random batches",
    mistakes=[
        Mistake("naive",
                "e^{z} without a shift overflows: e^{1000} is inf in float64 and inf / inf is "
                "nan. Subtract each row's maximum first, z - z.max(axis=-1, keepdims=True): the "
                "value is unchanged (the factor e^{-max} cancels) and every e^{...} is at most 1.",
                "def softmax(z):\n"
                "    e = np.exp(z)\n"
                "    return e / np.sum(e, axis=-1, keepdims=True)\n"),
        Mistake("plus_max",
                "the maximum is added instead of subtracted: z + max(z) makes the exponents "
                "larger, and e^{2000} overflows to inf. The stable shift is z - max(z), so that "
                "every exponent is <= 0.",
                "def softmax(z):\n"
                "    e = np.exp(z + np.max(z, axis=-1, keepdims=True))\n"
                "    return e / np.sum(e, axis=-1, keepdims=True)\n"),
        Mistake("axis0",
                "the sums run over axis 0, down the columns: each ROW of a batch is one sample's "
                "k scores, so normalise over the last axis (axis=-1, keepdims=True), and each "
                "row then sums to 1.",
                "def softmax(z):\n"
                "    e = np.exp(z - np.max(z, axis=0, keepdims=True))\n"
                "    return e / np.sum(e, axis=0, keepdims=True)\n"),
        Mistake("sigmoid_each",
                "this applies the sigmoid to each score on its own. The softmax couples the "
                "scores of a sample, e^{z_i} / sum_j e^{z_j}, so that they sum to 1; with two "
                "classes it is sigma(z_1 - z_2), not sigma(z_1).",
                "def softmax(z):\n    return sigmoid(z)\n"),
        Mistake("no_exp",
                "the scores are divided by their sum without exponentiating: z_i / sum_j z_j is "
                "not a probability (it can be negative or divide by 0). Softmax is "
                "e^{z_i} / sum_j e^{z_j}.",
                "def softmax(z):\n"
                "    return z / np.sum(z, axis=-1, keepdims=True)\n"),
        Mistake("whole_batch",
                "the max and the sum run over the whole batch, as if it were one sample: then all "
                "the rows together sum to 1. Each row is one sample's k scores and is normalised "
                "on its own: np.max(z, axis=-1, keepdims=True) and np.sum(e, axis=-1, "
                "keepdims=True), so that every row sums to 1.",
                "def softmax(z):\n"
                "    e = np.exp(z - np.max(z))\n"
                "    return e / np.sum(e)\n"),
        Mistake("global_max",
                "the maximum is taken over the whole batch, not per row: a row far below the "
                "batch's largest score is shifted so low that every e^{...} underflows to 0, "
                "and 0 / 0 is nan. Subtract each row's own maximum: "
                "z - z.max(axis=-1, keepdims=True).",
                "def softmax(z):\n"
                "    e = np.exp(z - np.max(z))\n"
                "    return e / np.sum(e, axis=-1, keepdims=True)\n",
                hidden_only=True),
        Mistake("squeeze",
                "squeeze() also drops the batch axis of a batch of one: z of shape (1, k) must "
                "give (1, k), one row per sample. Return the shape of z (only a 1-D z gives a "
                "1-D result).",
                "def softmax(z):\n"
                "    z = np.atleast_2d(z)\n"
                "    e = np.exp(z - z.max(axis=1, keepdims=True))\n"
                "    return (e / e.sum(axis=1, keepdims=True)).squeeze()\n",
                hidden_only=True),
    ],
    alternatives=[
        # one row at a time, with Python's math
        "def softmax(z):\n"
        "    import math\n"
        "    z = np.asarray(z, dtype=float)\n"
        "    rows = z.reshape(-1, z.shape[-1])\n"
        "    out = np.empty(rows.shape)\n"
        "    for r, row in enumerate(rows):\n"
        "        m = max(row)\n"
        "        e = [math.exp(v - m) for v in row]\n"
        "        total = sum(e)\n"
        "        out[r] = [v / total for v in e]\n"
        "    return out.reshape(z.shape)\n",
        # log-sum-exp: softmax(z) = exp(z - logsumexp(z)), logsumexp(z) = m + ln sum e^{z - m}
        "def softmax(z):\n"
        "    m = np.max(z, axis=-1, keepdims=True)\n"
        "    lse = m + np.log(np.sum(np.exp(z - m), axis=-1, keepdims=True))\n"
        "    return np.exp(z - lse)\n",
    ],
    forbidden=(activations.softmax, activations._softmax_kernel),
    namespace=_namespace,
))


# ----------------------------------------------------------------------------- softmax_jacobian

def _jac_source(body):
    return "def softmax_jacobian(z):\n    s = softmax(z)\n    k = s.shape[-1]\n" + body


register(_Lesson04Exercise(
    name="softmax_jacobian",
    reference=activations.softmax_jacobian,
    lesson=LESSON,
    summary="J = diag(s) - s s^T on two equal scores (J = [[0.25, -0.25], [-0.25, 0.25]]), on "
            "z = (1, 2, 3), a random vector (k,) -> (k, k) and random batches (n, k) -> "
            "(n, k, k); float64; z not modified",
    visible=[
        Case((np.zeros(2),), note="two equal scores: s = (0.5, 0.5) and ds_1/dz_1 = 0.25, "
                                  "sigma'(0) of Samatova's table again"),
        Case((np.array([1.0, 2.0, 3.0]),), note="z = (1, 2, 3)"),
        *_batches(406, [(5,)], scale=2.0),
        *_batches(407, [(3, 4), (2, 3)], scale=2.0, note="a batch: one k x k Jacobian per row"),
    ],
    hidden=[
        *_batches(9407, [(1, 4)], scale=2.0, note="a batch of one: shape (1, k, k)"),
        Case((np.array([1000.0, 999.0, 998.0]),), note="|z| = 1000"),
        Case((np.array([[1000.0, 0.0, -1000.0], [-1000.0, -1000.0, -1000.0]]),),
             note="a batch with |z| = 1000"),
        *_batches(9408, [(5, 3), (6,), (2, 1)], scale=2.0, note="fresh random scores"),
    ],
    hidden_summary="a batch of one, |z| = 1000 and fresh random vectors and batches",
    mistakes=[
        Mistake("diag_only",
                "only the diagonal s_i (1 - s_i) is there: that is the entry of Samatova's "
                "table, which leaves out ds_i/dz_j = -s_i s_j for i != j (raising one score "
                "lowers every other probability). J = diag(s) - s s^T.",
                _jac_source("    return (s * (1 - s))[..., :, None] * np.eye(k)\n")),
        Mistake("outer_only",
                "diag(s) is missing: ds_i/dz_j = s_i (delta_ij - s_j), so the diagonal gets "
                "s_i on top of -s_i^2. J = diag(s) - s s^T.",
                _jac_source("    return -s[..., :, None] * s[..., None, :]\n")),
        Mistake("identity",
                "the Kronecker delta is multiplied by s_i: ds_i/dz_j = s_i (delta_ij - s_j), so "
                "the first term is diag(s), not the identity.",
                _jac_source("    return np.eye(k) - s[..., :, None] * s[..., None, :]\n")),
        Mistake("from_scores",
                "this is built from the scores z; the Jacobian is built from the "
                "probabilities s = softmax(z): J = diag(s) - s s^T.",
                "def softmax_jacobian(z):\n"
                "    k = z.shape[-1]\n"
                "    return z[..., :, None] * np.eye(k) - z[..., :, None] * z[..., None, :]\n"),
        Mistake("squeeze",
                "squeeze() also drops the batch axis of a batch of one: z of shape (1, k) must "
                "give (1, k, k), one Jacobian per sample.",
                "def softmax_jacobian(z):\n"
                "    s = np.atleast_2d(softmax(z))\n"
                "    J = s[:, :, None] * np.eye(s.shape[1]) - s[:, :, None] * s[:, None, :]\n"
                "    return J.squeeze()\n",
                hidden_only=True),
        Mistake("naive_exp",
                "the softmax inside is computed without subtracting the max: e^{1000} overflows "
                "to inf and inf / inf is nan. Use the stable softmax (your exercise 5).",
                "def softmax_jacobian(z):\n"
                "    e = np.exp(z)\n"
                "    s = e / np.sum(e, axis=-1, keepdims=True)\n"
                "    return s[..., :, None] * (np.eye(z.shape[-1]) - s[..., None, :])\n",
                hidden_only=True),
    ],
    alternatives=[
        # entry by entry: J_ij = s_i (delta_ij - s_j), one row (sample) at a time
        "def softmax_jacobian(z):\n"
        "    z = np.asarray(z, dtype=float)\n"
        "    k = z.shape[-1]\n"
        "    rows = z.reshape(-1, k)\n"
        "    out = np.empty((rows.shape[0], k, k))\n"
        "    for r, row in enumerate(rows):\n"
        "        e = np.exp(row - row.max())\n"
        "        s = e / e.sum()\n"
        "        for i in range(k):\n"
        "            for j in range(k):\n"
        "                out[r, i, j] = s[i] * ((1.0 if i == j else 0.0) - s[j])\n"
        "    return out.reshape(z.shape + (k,))\n",
        # s_i (delta_ij - s_j) by broadcasting
        _jac_source("    return s[..., :, None] * (np.eye(k) - s[..., None, :])\n"),
    ],
    forbidden=(activations.softmax_jacobian,),
    namespace=_namespace_jacobian,
))
