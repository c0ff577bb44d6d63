"""Lesson 06, backpropagation for an MLP (Kang, Samatova, Kauchak): exercises and mistakes.

Exercises, in the order of the notebook:

- two_layer_backward: every gradient of a network with one hidden layer under Kang's penalty
  lambda * Omega, Omega = ||W1||_F^2 + ||W2||_F^2 (biases not regularised); judged by value,
  item by item (lesson 05's _PartsExercise). The visible cases carry the 2-2-2 worked
  example's printed gradients and Kang's one-hidden-layer example (linear output, no biases).
- gradient_check: the relative error of each parameter array of an MLP, backward pass against
  central differences. Judged by behaviour: networks whose backward pass is right must get
  errors below 1e-6 everywhere, networks with a planted bug (_BuggyMLP) must get the
  reference's large error exactly in the arrays the bug touches.
- train_online (Kauchak's loop) and train_batch (Samatova's full-batch XOR): judged by what
  they do to the weights, update by update: the network handed in records, at every call of
  its backward (one per update), the examples of its last forward pass and all its parameters
  (_RecordingMLP). With the same starting weights, the same rng and the same order, the
  student's loop must make the reference's updates on the reference's examples, end at its
  weights and return its losses.

The networks are built afresh for every call from a spec (arguments()), with NumPy's
default_rng captured at import, so a student's cell that patches NumPy's random module changes
neither the cases nor the frozen expected values.
"""
from __future__ import annotations

import math

import numpy as np

from .. import (activations, datasets, deltas, gradcheck, layers, losses, network, optimizers,
               stacked, training)
from . import _safe as s
# Bind the builtins this module uses to the copies captured at import (see _safe).
from ._safe import enumerate, isinstance, len, list, str, super, tuple, zip  # noqa: A004
from .exercise import Case, Exercise, Mistake, Problem
from .lesson05 import (MAZUR_B1, MAZUR_B2, MAZUR_NOTE, MAZUR_T, MAZUR_W1, MAZUR_W2, MAZUR_X,
                       _PartsExercise, _ShapesCase)
from . import register

LESSON = "06-backprop-for-an-mlp"

_default_rng = np.random.default_rng
_concatenate = np.concatenate
_XOR = datasets.logic_gate("xor")
_AND = datasets.logic_gate("and")
_OR = datasets.logic_gate("or")

SMALL = 1e-6        # a relative error below this: the backward pass is right there
AGREE = 1e-3        # a large relative error must match the reference's to this fraction


# ----------------------------------------------------------------------------- namespace

def _namespace():
    """The setup cell's imports (the lesson's notebook has exactly these)."""
    return {"np": np, "math": math, "get_activation": activations.get_activation,
            "sigmoid": activations.sigmoid, "quadratic": losses.quadratic, "MLP": network.MLP,
            "numerical_gradient": gradcheck.numerical_gradient,
            "relative_error": gradcheck.relative_error, "SGD": optimizers.SGD,
            "logic_gate": datasets.logic_gate}


def _def(header):
    return lambda body: header + body


# ============================================================================= two_layer_backward

class _TwoLayerExercise(_PartsExercise):
    parts = ("dW1", "db1", "dW2", "db2")
    ending = "return dW1, db1, dW2, db2"


def _tl_case(X, y, W1, b1, W2, b2, l2, hidden="sigmoid", output="sigmoid", note=""):
    return _ShapesCase((X, y, W1, b1, W2, b2), {"l2": l2, "hidden": hidden, "output": output},
                       note=note)


def _tl_random(seed, specs, note="seeded random network"):
    """specs: (n, m, d, k, hidden, output, l2): n samples, m inputs, d hidden units, k outputs."""
    rng = _default_rng(seed)
    cases = []
    for n, m, d, k, hidden, output, l2 in specs:
        X = rng.normal(size=(n, m))
        W1, b1 = rng.normal(0.0, 1.0 / m ** 0.5, size=(m, d)), rng.normal(0.0, 0.5, size=d)
        W2, b2 = rng.normal(0.0, 1.0 / d ** 0.5, size=(d, k)), rng.normal(0.0, 0.5, size=k)
        y = rng.normal(0.0, 1.0, size=(n, k))
        cases.append(_tl_case(X, y, W1, b1, W2, b2, l2, hidden, output,
                              note=f"{note}: {m}-{d}-{k}, {n} samples, {hidden} hidden, {output} "
                                   f"output, l2 = {l2:g}"))
    return cases


def _kang_case():
    """Kang's one-hidden-layer example: a = W x, h = sigma(a), y_hat = v^T h (no biases),
    J = (y_hat - y)^2 + lambda (||W||^2 + ||v||^2), here on Samatova's XOR input (1, 0)."""
    rng = _default_rng(601)
    W = rng.normal(0.0, 0.8, size=(2, 3))
    v = rng.normal(0.0, 0.8, size=(3, 1))
    return _tl_case(np.array([[1.0, 0.0]]), np.array([[1.0]]), W, np.zeros(3), v, np.zeros(1),
                    0.1, "sigmoid", "linear",
                    note="Kang's example: a = W x, h = sigma(a), y_hat = v^T h with no biases "
                         "(b1 = b2 = 0), a linear output, lambda = 0.1, on Samatova's XOR "
                         "input x = (1, 0), target 1")


def _xor_case():
    rng = _default_rng(602)
    X, y = _XOR
    return _tl_case(X, y, rng.normal(0.0, 1.0, size=(2, 3)), rng.normal(0.0, 0.5, size=3),
                    rng.normal(0.0, 1.0, size=(3, 1)), rng.normal(0.0, 0.5, size=1), 0.005,
                    note="the four XOR examples as one batch, a 2-3-1 network, l2 = 0.005")


_tl_source = _def('def two_layer_backward(X, y, W1, b1, W2, b2, l2=0.0, hidden="sigmoid", '
                  'output="sigmoid"):\n')

_TL_FORWARD = ("    n = X.shape[0]\n"
               "    f1, f2 = get_activation(hidden), get_activation(output)\n"
               "    A1 = X @ W1 + b1\n"
               "    H1 = f1.f(A1)\n"
               "    A2 = H1 @ W2 + b2\n"
               "    Y_hat = f2.f(A2)\n")


def _tl_body(start="(Y_hat - y) / n", dW2="H1.T @ g + 2 * l2 * W2", db2="g.sum(axis=0)",
             back="g @ W2.T", slope1="f1.df(A1)", dW1="X.T @ g + 2 * l2 * W1",
             db1="g.sum(axis=0)"):
    """A version of the solution with one piece changed (the catalogue's mistakes)."""
    return _tl_source(_TL_FORWARD
                      + f"    g = {start}\n"
                      + "    g = g * f2.df(A2)\n"
                      + f"    dW2 = {dW2}\n"
                      + f"    db2 = {db2}\n"
                      + f"    g = {back}\n"
                      + f"    g = g * {slope1}\n"
                      + f"    dW1 = {dW1}\n"
                      + f"    db1 = {db1}\n"
                      + "    return dW1, db1, dW2, db2\n")


register(_TwoLayerExercise(
    name="two_layer_backward",
    reference=layers.two_layer_backward,
    lesson=LESSON,
    summary="the 2-2-2 example (Mazur: dE/dw5 = 0.082167041 and dE/dw1 = 0.000438568 as "
            "printed) without and with a penalty, Kang's one-hidden-layer example (a linear "
            "output, no biases, lambda = 0.1), the XOR batch and a random batch with two "
            "outputs; sigmoid hidden layers; four float64 arrays of the parameters' shapes; "
            "inputs not modified",
    visible=[
        _tl_case(MAZUR_X, MAZUR_T, MAZUR_W1, MAZUR_B1, MAZUR_W2, MAZUR_B2, 0.0,
                 note=f"{MAZUR_NOTE}, no penalty: dW2[0, 0] = dE/dw5, dW1[0, 0] = dE/dw1"),
        _tl_case(MAZUR_X, MAZUR_T, MAZUR_W1, MAZUR_B1, MAZUR_W2, MAZUR_B2, 0.01,
                 note=f"{MAZUR_NOTE} with l2 = 0.01: every weight's gradient gains 2 * 0.01 * w"),
        _kang_case(),
        _xor_case(),
        *_tl_random(603, [(5, 3, 4, 2, "sigmoid", "linear", 0.05)]),
    ],
    hidden=[
        *_tl_random(9601, [(6, 3, 5, 2, "tanh", "sigmoid", 0.01), (4, 2, 3, 1, "tanh", "linear", 0.0),
                           (8, 4, 6, 3, "relu", "linear", 0.02), (5, 2, 4, 2, "leaky_relu", "tanh", 0.1),
                           (20, 5, 7, 2, "sigmoid", "sigmoid", 0.5), (3, 3, 2, 4, "sigmoid", "tanh", 0.0)]),
        *_tl_random(9602, [(1, 4, 3, 2, "tanh", "sigmoid", 0.03)], note="a batch of one"),
    ],
    hidden_summary="tanh, ReLU and leaky ReLU hidden layers, tanh outputs, batches of 1 to 20, "
                   "penalties from 0 to 0.5",
    mistakes=[
        Mistake("biases_regularised",
                "the biases were regularised too: Kang's Omega (and MLP.backward's contract) "
                "penalises the weights only, so db gets no 2 * l2 * b term (Kang's lambda * "
                "grad_b Omega is 0).",
                _tl_body(db2="g.sum(axis=0) + 2 * l2 * b2", db1="g.sum(axis=0) + 2 * l2 * b1")),
        Mistake("half_penalty",
                "the penalty's gradient is l2 * W; with Omega = ||W1||^2 + ||W2||^2 (Kang's "
                "||W||_F^2 + ||v||^2) the derivative of l2 * ||W||^2 is 2 * l2 * W. l2 * W belongs "
                "to the other convention, Omega = 1/2 sum ||W||^2.",
                _tl_body(dW2="H1.T @ g + l2 * W2", dW1="X.T @ g + l2 * W1")),
        Mistake("no_penalty",
                "the penalty is missing: J = loss + l2 (||W1||^2 + ||W2||^2), so each weight "
                "gradient gains 2 * l2 * W (Kang: grad_W J = g h^T + lambda grad_W Omega).",
                _tl_body(dW2="H1.T @ g", dW1="X.T @ g")),
        Mistake("kang_factor_two",
                "g starts as 2 (y_hat - y) / n: that is the gradient of Kang's example's loss "
                "(y_hat - y)^2. This course's quadratic loss is 1/2 ||y_hat - y||^2 per sample "
                "(averaged over the batch), whose gradient is (y_hat - y) / n.",
                _tl_body(start="2 * (Y_hat - y) / n")),
        Mistake("not_averaged",
                "the gradient is summed over the samples: J averages the samples' losses, so "
                "g = grad_y_hat J = (y_hat - y) / n (Kang's minibatch g = 1/m' sum_i ...).",
                _tl_body(start="Y_hat - y")),
        Mistake("averaged_twice",
                "the batch's 1/n is applied twice: once in g = (y_hat - y) / n and again in "
                "dW = h^T g / n and db = mean of g. With the 1/n already in g, the sums over the "
                "samples (h^T g, g.sum(axis=0)) are the gradients.",
                _tl_body(dW2="H1.T @ g / n + 2 * l2 * W2", db2="g.mean(axis=0)",
                         dW1="X.T @ g / n + 2 * l2 * W1", db1="g.mean(axis=0)")),
        Mistake("slope_skipped_before_propagating",
                "the gradient passed back to the hidden layer is (y_hat - y) / n W2^T, taken "
                "before the output's f'(a2) was applied. Kang's order is g <- g * f'(a^(2)) "
                "first, then g <- W^(2)T g (in rows: g @ W2.T): the gradient on a2, not on y_hat, "
                "goes back.",
                _tl_body(back="((Y_hat - y) / n) @ W2.T")),
        Mistake("sigmoid_slope_in_hidden_layer",
                "the hidden layer's slope is the sigmoid's h (1 - h) whatever `hidden` names: use "
                "the derivative of the hidden activation, get_activation(hidden).df(A1) (tanh: "
                "1 - h^2, ReLU: 1 where a > 0).",
                _tl_body(slope1="H1 * (1 - H1)"),
                hidden_only=True),
    ],
    alternatives=[
        # lesson 05's node deltas: one row per sample, the 1/n where the gradients are averaged
        _tl_source(_TL_FORWARD
                   + "    delta2 = (Y_hat - y) * f2.df(A2)\n"
                     "    delta1 = f1.df(A1) * (delta2 @ W2.T)\n"
                     "    dW2 = H1.T @ delta2 / n + 2 * l2 * W2\n"
                     "    dW1 = X.T @ delta1 / n + 2 * l2 * W1\n"
                     "    return dW1, delta1.mean(axis=0), dW2, delta2.mean(axis=0)\n"),
        # Kang's algorithm exactly as printed, one sample at a time in column vectors
        # (a = W h + b with W = W1.T), the per-sample gradients averaged (his "Minibatch
        # Processing"), the penalty added once
        _tl_source("    f1, f2 = get_activation(hidden), get_activation(output)\n"
                   "    n = X.shape[0]\n"
                   "    dW1, db1 = np.zeros(W1.shape), np.zeros(b1.shape)\n"
                   "    dW2, db2 = np.zeros(W2.shape), np.zeros(b2.shape)\n"
                   "    for i in range(n):\n"
                   "        x = X[i].reshape(-1, 1)\n"
                   "        a1 = W1.T @ x + b1.reshape(-1, 1)\n"
                   "        h1 = f1.f(a1)\n"
                   "        a2 = W2.T @ h1 + b2.reshape(-1, 1)\n"
                   "        g = f2.f(a2) - y[i].reshape(-1, 1)\n"
                   "        g = g * f2.df(a2)\n"
                   "        db2 += g[:, 0] / n\n"
                   "        dW2 += (g @ h1.T).T / n\n"
                   "        g = W2 @ g\n"
                   "        g = g * f1.df(a1)\n"
                   "        db1 += g[:, 0] / n\n"
                   "        dW1 += (g @ x.T).T / n\n"
                   "    return dW1 + 2 * l2 * W1, db1, dW2 + 2 * l2 * W2, db2\n"),
    ],
    forbidden=(layers.two_layer_backward, layers.backward, layers._backward, network.MLP.backward,
               network.MLP._gradients, deltas._backward_sweep),
    namespace=_namespace,
))


# ============================================================================= networks for the checks

def _param_names(sizes):
    return [f"{kind}{l + 1}" for l in s.range(len(sizes) - 1) for kind in ("W", "b")]


_BUGS = {
    None: "a correct backward pass",
    "bias_sum": "a backward pass that sums the bias gradients over the batch instead of "
                "averaging them",
    "half_decay": "a backward pass that adds l2 * W to the weight gradients instead of 2 l2 W",
    "no_hidden_slope": "a backward pass that forgets f'(a) in the hidden layers",
    "bias_decay": "a backward pass that regularises the biases too (adds 2 l2 b)",
    "last_layer_doubled": "a backward pass whose last layer's gradients are twice too large",
}


class _Net:
    """How to build the network of a case: sizes, activations, the seed of its weights (and
    of its biases, drawn non-zero so that bias bugs show), the bug its backward pass has, and
    whether it was last run forward on other inputs (a stale cache, as after training)."""

    def __init__(self, sizes, acts, seed, bug=None, stale=False, record=False):
        self.sizes, self.acts, self.seed = tuple(sizes), tuple(acts), seed
        self.bug, self.stale, self.record = bug, stale, record

    def build(self, n_stale=None):
        cls = _RecordingMLP if self.record else _BuggyMLP
        net = cls(list(self.sizes), list(self.acts), seed=self.seed)
        if not self.record:
            net.bug = self.bug
            rng = _default_rng(self.seed + 1000)
            net.biases = [rng.normal(0.0, 0.5, size=k) for k in self.sizes[1:]]
            if self.stale and n_stale:
                net.forward(rng.normal(size=(n_stale, self.sizes[0])))
        return net

    def __repr__(self):
        arrow = "-".join(str(k) for k in self.sizes)
        text = f"MLP {arrow} ({', '.join(self.acts)}, weights from seed {self.seed})"
        if not self.record:
            text += f" with {_BUGS[self.bug]}"
        return text


class _BuggyMLP(network.MLP):
    """An MLP whose backward pass has the bug named by .bug (None: none)."""

    bug = None

    def backward(self, y, loss="quadratic", l2=0.0):
        if self.bug == "no_hidden_slope":
            grads_W, grads_b = self._no_hidden_slope(y, l2)
        else:
            grads_W, grads_b = network.MLP.backward(self, y, loss, l2)
        n = self._cache[1][0].shape[0]
        if self.bug == "bias_sum":
            grads_b = [g * n for g in grads_b]
        elif self.bug == "half_decay":
            grads_W = [g - l2 * W for g, W in zip(grads_W, self.weights)]
        elif self.bug == "bias_decay":
            grads_b = [g + 2.0 * l2 * b for g, b in zip(grads_b, self.biases)]
        elif self.bug == "last_layer_doubled":
            grads_W = [*grads_W[:-1], 2.0 * grads_W[-1]]
            grads_b = [*grads_b[:-1], 2.0 * grads_b[-1]]
        self._grads = (grads_W, grads_b)
        return grads_W, grads_b

    def _no_hidden_slope(self, y, l2):
        """The quadratic loss's gradients with the hidden layers' f' left out."""
        zs, outs = self._cache
        y = s.array(y, dtype=s.float64)
        n = y.shape[0]
        delta = (outs[-1] - y) * activations.get_activation(self.activations[-1]).df(zs[-1])
        L = len(self.weights)
        grads_W, grads_b = [None] * L, [None] * L
        for l in s.range(L - 1, -1, -1):
            grads_W[l] = outs[l].T @ delta / n + 2.0 * l2 * self.weights[l]
            grads_b[l] = delta.sum(axis=0) / n
            if l:
                delta = delta @ self.weights[l].T
        return grads_W, grads_b


class _RecordingMLP(network.MLP):
    """An MLP that records, at every backward pass (one per update of a training loop), the
    inputs of its last forward pass and all its parameters at that moment."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.seen_X, self.seen_params = [], []

    def flat(self):
        return _concatenate([p.reshape(-1) for p in self.params])

    def backward(self, y, loss="quadratic", l2=0.0):
        if self._cache is not None:
            self.seen_X.append(s.array(self._cache[1][0], dtype=s.float64, copy=True))
            self.seen_params.append(self.flat())
        return network.MLP.backward(self, y, loss, l2)


class _NetCase(Case):
    """A call whose first argument is a network built from a _Net for that call; the other
    arguments are shown by shape (arrays), value (numbers) or as the rng built from a seed."""

    rng_at = None      # the position of the seed that becomes an rng
    named = ("lr", "epochs")   # the arguments after (net, X, y), shown with their names

    def call_text(self, name: str) -> str:
        parts = []
        for i, a in enumerate(self.args):
            if i == self.rng_at:
                parts.append(f"rng=np.random.default_rng({a})")
            elif isinstance(a, s.ndarray):
                parts.append(f"array{a.shape}")
            elif isinstance(a, _Net):
                parts.append(s.repr(a))
            else:
                label = self.named[i - 3] if 3 <= i < 3 + len(self.named) else ""
                parts.append((f"{label}=" if label else "") + s.fmt(a, 4))
        parts += [f"{k}={s.fmt(v, 4)}" for k, v in self.kwargs.items()]
        return f"{name}({', '.join(parts)})"


class _OnlineCase(_NetCase):
    rng_at = 5


class _NetExercise(Exercise):
    """An exercise whose first argument is a network built afresh for each call; X and y
    (arguments 2 and 3) must not be modified."""

    says_relations = False     # answers are judged in their own terms, see judge()

    def arguments(self, case):
        spec, X, y, *rest = case.args
        net = spec.build(n_stale=X.shape[0])
        rest = [_default_rng(a) if i + 3 == s.getattr(case, "rng_at", None) else a
                for i, a in enumerate(rest)]
        self._built = net
        return (net, X.copy(), y.copy(), *rest), s.copy_arg(case.kwargs)

    @staticmethod
    def _changed_args(case, args, kwargs):
        for i, label in ((1, "X"), (2, "y")):
            if not s.same_value(case.args[i], args[i]):
                yield label, case.args[i], args[i]


# ============================================================================= gradient_check

class _GradientCheckExercise(_NetExercise):
    """gradient_check(net, X, y, l2) -> one relative error per array of net.params.

    Right when, array by array, the error is below SMALL where the reference's is (the
    backward pass is right there) and within AGREE (relative) of the reference's where that is
    large (the planted bug); the exact small values depend on rounding and h."""

    def _call(self, fn, case):
        result, problem = super()._call(fn, case)
        if problem is None:
            net, spec = self._built, case.args[0]
            fresh = spec.build(n_stale=case.args[1].shape[0])
            if not s.all_true(s.same_value(p, q) for p, q in zip(net.params, fresh.params)):
                where = f"  [{case.note}]" if case.note else ""
                problem = Problem(f"{case.call_text(self.name)} left the network's parameters "
                                  "changed. Perturb them in place if you like, but put every "
                                  f"element back exactly (numerical_gradient does).{where}",
                                  "parameters changed")
        return result, problem

    def judge(self, got, expected, case):
        call = case.call_text(self.name)
        where = f"  [{case.note}]" if case.note else ""
        names = _param_names(case.args[0].sizes)
        want = f"one relative error per array of net.params, in its order ({', '.join(names)})"
        exp = s.to_float_array(expected)
        if isinstance(got, (str, bytes)) or not isinstance(got, (list, tuple, s.ndarray)):
            return f"{call} returned {s.describe_type(got)}; expected a list of {len(names)} numbers, {want}.{where}"
        g = s.to_float_array(got)
        if g is None or g.ndim != 1:
            return f"{call} returned a list that is not {len(names)} numbers; expected {want}.{where}"
        if exp is None or exp.ndim != 1:
            return f"{call} returned {len(g)} numbers, not the same answer.{where}"   # catalogue only
        if g.shape != exp.shape:
            return f"{call} returned {g.shape[0]} numbers; expected {exp.shape[0]}, {want}.{where}"
        if not s.bool(s.isfinite(g).all()):
            return f"{call} returned {s.fmt(g)}; a relative error is a finite number.{where}"
        for i, (v, e) in enumerate(zip(g.tolist(), exp.tolist())):
            name = names[i] if i < len(names) else f"item {i + 1}"
            if e < SMALL:
                if not v < SMALL:
                    return (f"{call} returned a relative error of {v:.3g} for {name}, but this "
                            f"network's backward pass is right there: a correct check gives "
                            f"{e:.1e} (below {SMALL:g}).{where}")
            elif (v - e).__abs__() > AGREE * e:
                if v < SMALL:
                    return (f"{call} returned {v:.3g} for {name}: the check did not see that "
                            f"this network's gradient of {name} is wrong (relative error "
                            f"{e:.4g}).{where}")
                return (f"{call} returned {v:.6g} for {name}; a correct check gives {e:.6g} "
                        f"there (this network's gradient of {name} is wrong).{where}")
        return None


def _gc_case(spec, X, y, l2, note):
    return _NetCase((spec, X, y), {"l2": l2}, note=note)


def _gc_random(seed, specs):
    """specs: (sizes, acts, n, bug, l2)."""
    rng = _default_rng(seed)
    cases = []
    for k, (sizes, acts, n, bug, l2) in enumerate(specs):
        X = rng.normal(size=(n, sizes[0]))
        y = rng.uniform(0.0, 1.0, size=(n, sizes[-1]))
        cases.append(_gc_case(_Net(sizes, acts, seed * 10 + k, bug, stale=True), X, y, l2,
                              note=f"{n} random samples, l2 = {l2:g}"))
    return cases


_gc_source = _def("def gradient_check(net, X, y, l2=0.0):\n")


def _gc_body(params="net.params", grads="analytic", loss="net.loss(X, y, l2=l2)", forward=True,
             ret="errors"):
    """The solution with one piece changed (the catalogue's mistakes)."""
    return _gc_source(("    net.forward(X)\n" if forward else "")
                      + "    net.backward(y, l2=l2)\n"
                        "    analytic = [g.copy() for g in net.grads]\n"
                        "    errors = []\n"
                      + f"    for p, g in zip({params}, {grads}):\n"
                      + f"        numeric = numerical_gradient(lambda _: {loss}, p)\n"
                        "        errors.append(relative_error(g, numeric))\n"
                      + f"    return {ret}\n")


_XOR_X, _XOR_Y = _XOR

register(_GradientCheckExercise(
    name="gradient_check",
    reference=gradcheck.gradient_errors,
    lesson=LESSON,
    summary="2-3-1 sigmoid networks on the four XOR examples, each last run forward on other "
            "inputs: correct backward passes without and with l2 = 0.01 (every error below "
            "1e-6), and backward passes with a bug in the bias gradients, in the penalty's "
            "gradient and in the hidden layer (large errors exactly in the arrays the bug "
            "touches, as the reference finds them); one number per array of net.params, in "
            "its order; parameters left as they were",
    visible=[
        _gc_case(_Net((2, 3, 1), ("sigmoid", "sigmoid"), 611, None, stale=True), _XOR_X, _XOR_Y, 0.0,
                 note="the XOR batch, a correct backward pass, no penalty"),
        _gc_case(_Net((2, 3, 1), ("sigmoid", "sigmoid"), 612, None, stale=True), _XOR_X, _XOR_Y, 0.01,
                 note="the XOR batch, a correct backward pass, l2 = 0.01"),
        _gc_case(_Net((2, 3, 1), ("sigmoid", "sigmoid"), 613, "bias_sum", stale=True), _XOR_X, _XOR_Y, 0.0,
                 note="the XOR batch: b1 and b2 must come out wrong, W1 and W2 right"),
        _gc_case(_Net((2, 3, 1), ("sigmoid", "sigmoid"), 614, "half_decay", stale=True), _XOR_X, _XOR_Y,
                 0.05, note="the XOR batch, l2 = 0.05: W1 and W2 must come out wrong, b1 and b2 right"),
        _gc_case(_Net((2, 3, 1), ("sigmoid", "sigmoid"), 615, "no_hidden_slope", stale=True), _XOR_X,
                 _XOR_Y, 0.0, note="the XOR batch: W1 and b1 must come out wrong, W2 and b2 right"),
    ],
    hidden=[
        *_gc_random(964, [((3, 4, 3, 2), ("tanh", "sigmoid", "sigmoid"), 5, None, 0.01),
                          ((3, 4, 3, 2), ("tanh", "tanh", "sigmoid"), 5, "no_hidden_slope", 0.0),
                          ((2, 5, 4, 1), ("sigmoid", "tanh", "linear"), 6, "bias_decay", 0.1),
                          ((2, 5, 4, 1), ("sigmoid", "sigmoid", "sigmoid"), 4, "last_layer_doubled", 0.0),
                          ((4, 3, 2), ("tanh", "sigmoid"), 7, "half_decay", 0.1),
                          ((2, 3, 1), ("sigmoid", "sigmoid"), 1, None, 0.0)]),
    ],
    hidden_summary="three-layer networks (bugs in the middle, the last and the first layer, "
                   "regularised biases), tanh and linear layers, two outputs, a batch of one",
    mistakes=[
        Mistake("no_forward",
                "net.backward was called without a forward pass on X first: backward uses the "
                "values cached by the LAST forward pass, here one on other inputs, so the "
                "'analytic' gradient was not the gradient at (X, y). Call net.forward(X), then "
                "net.backward(y, l2=l2).",
                _gc_body(forward=False)),
        Mistake("penalty_left_out_of_the_loss",
                "the numerical gradient is of net.loss(X, y) without the penalty, while "
                "net.backward(y, l2=l2) includes it: both sides must be the same J, "
                "net.loss(X, y, l2=l2).",
                _gc_body(loss="net.loss(X, y)")),
        Mistake("weights_only",
                "only the weights were checked: a bug in the bias gradients (summed instead of "
                "averaged, regularised) goes unseen. Check every array of net.params "
                "(W1, b1, W2, b2, ...).",
                _gc_body(params="net.weights", grads="analytic[::2]")),
        Mistake("weights_then_biases",
                "the errors are in the order W1, W2, ..., b1, b2, ...; net.params (and "
                "net.grads) interleave them, W1, b1, W2, b2, ...: pair each array with its own "
                "gradient.",
                _gc_source("    net.forward(X)\n"
                           "    net.backward(y, l2=l2)\n"
                           "    grads = net.grads\n"
                           "    pairs = list(zip(net.weights, grads[::2])) + list(zip(net.biases, grads[1::2]))\n"
                           "    errors = []\n"
                           "    for p, g in pairs:\n"
                           "        g = g.copy()\n"
                           "        numeric = numerical_gradient(lambda _: net.loss(X, y, l2=l2), p)\n"
                           "        errors.append(relative_error(g, numeric))\n"
                           "    return errors\n")),
        Mistake("one_number",
                "one number came back, the worst error of all: the check is wanted layer by "
                "layer, one relative error per array of net.params, so that it says WHERE a "
                "backward pass is wrong.",
                _gc_body(ret="max(errors)")),
        Mistake("one_sided",
                "the numerical gradient is the one-sided difference (J(w + h) - J(w)) / h, whose "
                "error O(h) gives relative errors around 1e-6 to 1e-5 even for a correct "
                "backward pass; the central difference, numerical_gradient's "
                "(J(w + h) - J(w - h)) / 2h, errs by O(h^2).",
                _gc_source("    net.forward(X)\n"
                           "    net.backward(y, l2=l2)\n"
                           "    analytic = [g.copy() for g in net.grads]\n"
                           "    errors = []\n"
                           "    for p, g in zip(net.params, analytic):\n"
                           "        J0 = net.loss(X, y, l2=l2)\n"
                           "        numeric = np.zeros(p.shape)\n"
                           "        for i in np.ndindex(p.shape):\n"
                           "            old = p[i]\n"
                           "            p[i] = old + 1e-5\n"
                           "            numeric[i] = (net.loss(X, y, l2=l2) - J0) / 1e-5\n"
                           "            p[i] = old\n"
                           "        errors.append(relative_error(g, numeric))\n"
                           "    return errors\n")),
        Mistake("two_layers_only",
                "only the first two layers are checked (W1, b1, W2, b2, as in a 2-3-1 network): "
                "loop over net.params, whatever the network's depth.",
                _gc_body(params="net.params[:4]", grads="analytic[:4]"),
                hidden_only=True),
    ],
    alternatives=[
        # central differences written out, the relative error inline, weights and biases
        # visited layer by layer
        _gc_source("    net.forward(X)\n"
                   "    grads_W, grads_b = net.backward(y, l2=l2)\n"
                   "    errors = []\n"
                   "    for W, b, dW, db in zip(net.weights, net.biases, grads_W, grads_b):\n"
                   "        for p, g in ((W, dW.copy()), (b, db.copy())):\n"
                   "            numeric = np.zeros(p.shape)\n"
                   "            for i in np.ndindex(p.shape):\n"
                   "                old = p[i]\n"
                   "                p[i] = old + 1e-6\n"
                   "                up = net.loss(X, y, l2=l2)\n"
                   "                p[i] = old - 1e-6\n"
                   "                down = net.loss(X, y, l2=l2)\n"
                   "                p[i] = old\n"
                   "                numeric[i] = (up - down) / 2e-6\n"
                   "            worst = np.max(np.abs(g - numeric) / np.maximum(1e-8, np.abs(g) + np.abs(numeric)))\n"
                   "            errors.append(float(worst))\n"
                   "    return errors\n"),
        # the loss as a function of a perturbed copy that is put into the network
        _gc_source("    net.forward(X)\n"
                   "    net.backward(y, l2=l2)\n"
                   "    grads = [g.copy() for g in net.grads]\n"
                   "    params = net.params\n"
                   "    errors = []\n"
                   "    for k, p in enumerate(params):\n"
                   "        original = p.copy()\n"
                   "        def J(q):\n"
                   "            p[...] = q\n"
                   "            return net.loss(X, y, l2=l2)\n"
                   "        numeric = numerical_gradient(J, original.copy())\n"
                   "        p[...] = original\n"
                   "        errors.append(relative_error(grads[k], numeric))\n"
                   "    return errors\n"),
    ],
    forbidden=(gradcheck.gradient_errors, gradcheck.check_gradients),
    namespace=_namespace,
))


# ============================================================================= the training loops

class _LoopExercise(_NetExercise):
    """A training loop judged update by update (see the module's docstring)."""

    per_epoch = ""     # how many updates an epoch makes, for messages

    def observe(self, result, args, kwargs):
        net = args[0]
        return (list(net.seen_X), list(net.seen_params), net.flat(), result)

    def judge(self, got, expected, case):
        call = case.call_text(self.name)
        where = f"  [{case.note}]" if case.note else ""
        if not (isinstance(got, tuple) and len(got) == 4 and isinstance(expected, tuple)
                and len(expected) == 4):
            return f"{call}: the loop's run could not be observed.{where}"
        seen_X, seen_p, final, losses = got
        want_X, want_p, want_final, want_losses = expected
        sizes = case.args[0].sizes
        n, epochs = case.args[1].shape[0], case.args[4]
        if len(seen_X) != len(want_X):
            if self.per_epoch == "online":
                rule = (f"Kauchak's online loop makes one update per example per epoch: {n} "
                        f"examples x {epochs} epochs = {len(want_X)}")
            else:
                rule = f"full-batch training makes one update per epoch: {len(want_X)}"
            return (f"{call} made {len(seen_X)} updates (calls of net.backward); {rule}.{where}")
        for k, (xs, xw, ps, pw) in enumerate(zip(seen_X, want_X, seen_p, want_p)):
            step = self._step_name(k, n)
            if not self._same_array(ps, pw):
                same = "same starting weights, same rng" if self.per_epoch == "online" else "same starting weights"
                return (f"{call}: before {step} the parameters differ from the reference's "
                        f"({same}): {self._where(ps, pw, sizes)}. "
                        f"{'The update before it' if k else 'The loop changed the weights before its first update'} "
                        f"went wrong.{where}")
            if not self._same_array(xs, xw):
                return (f"{call}: {step} trained on the inputs {s.fmt(xs, 3)}; the reference, "
                        f"with the same rng, used {s.fmt(xw, 3)}.{where}")
        if not self._same_array(final, want_final):
            return (f"{call}: after the last update the parameters differ from the reference's: "
                    f"{self._where(final, want_final, sizes)}.{where}")
        return self._judge_losses(losses, want_losses, call, epochs, where)

    @staticmethod
    def _step_name(k, n):
        return f"update {k + 1}"

    def _same_array(self, a, b):
        fa, fb = s.to_float_array(a), s.to_float_array(b)
        if fa is None or fb is None or fa.shape != fb.shape:
            return False
        return s.compare(fa, fb, self.rtol, self.atol) is None

    @staticmethod
    def _where(got, want, sizes):
        """Which parameter differs most, named (W1[0, 1]: expected ..., got ...)."""
        g, w = s.to_float_array(got), s.to_float_array(want)
        if g is None or w is None or g.shape != w.shape:
            return "they have another shape"
        diff = (g - w).__abs__()
        k = s.int(diff.argmax())
        offset = 0
        for l in s.range(len(sizes) - 1):
            for name, shape in ((f"W{l + 1}", (sizes[l], sizes[l + 1])), (f"b{l + 1}", (sizes[l + 1],))):
                size = 1
                for d in shape:
                    size *= d
                if k < offset + size:
                    idx = s.unravel_index(k - offset, shape)
                    at = ", ".join(str(s.int(i)) for i in idx)
                    return f"{name}[{at}] is {g[k]:.8g}, expected {w[k]:.8g}"
                offset += size
        return f"parameter {k} is {g[k]:.8g}, expected {w[k]:.8g}"

    def _judge_losses(self, losses, want, call, epochs, where):
        shape_rule = (f"return a list of {epochs} numbers, J = net.loss(X, y, l2=l2) after each "
                      "epoch")
        if isinstance(losses, (str, bytes)) or not isinstance(losses, (list, tuple, s.ndarray)):
            return f"{call} returned {s.describe_type(losses)}; {shape_rule}.{where}"
        g, w = s.to_float_array(losses), s.to_float_array(want)
        if g is None or g.ndim != 1:
            return f"{call} returned a list that is not {epochs} numbers; {shape_rule}.{where}"
        if g.shape != w.shape:
            return f"{call} returned {g.shape[0]} losses; {shape_rule}.{where}"
        bad = s.compare(g, w, self.rtol, self.atol)
        if bad is None:
            return None
        idx, gv, ev = bad
        return (f"{call} made the right updates, but the loss it returned for epoch "
                f"{idx[0] + 1} is {s.fmt(gv)}; J over the whole training set after that epoch "
                f"is {s.fmt(ev)}.\n  expected {s.fmt(w, 6)}\n  got      {s.fmt(g, 6)}{where}")


class _OnlineExercise(_LoopExercise):
    per_epoch = "online"

    @staticmethod
    def _step_name(k, n):
        return f"update {k + 1} (epoch {k // n + 1}, example {k % n + 1} of {n})"


class _BatchExercise(_LoopExercise):
    per_epoch = "batch"

    @staticmethod
    def _step_name(k, n):
        return f"update {k + 1} (epoch {k + 1})"


def _online_case(sizes, seed, X, y, lr, epochs, rng_seed, l2, note):
    return _OnlineCase((_Net(sizes, ("sigmoid",) * (len(sizes) - 1), seed, record=True), X, y,
                        lr, epochs, rng_seed), {"l2": l2}, note=note)


def _batch_case(sizes, seed, X, y, lr, epochs, l2, note, acts=None):
    acts = acts or ("sigmoid",) * (len(sizes) - 1)
    return _NetCase((_Net(sizes, acts, seed, record=True), X, y, lr, epochs), {"l2": l2}, note=note)


def _random_data(seed, n, m, k):
    rng = _default_rng(seed)
    return rng.normal(size=(n, m)), rng.uniform(0.0, 1.0, size=(n, k))


_on_source = _def("def train_online(net, X, y, lr, epochs, rng, l2=0.0):\n")
_ON_UPDATE = ("            net.forward(X[i:i + 1])\n"
              "            net.backward(y[i:i + 1], l2=l2)\n"
              "            for p, g in zip(net.params, net.grads):\n"
              "                p -= lr * g\n")


def _on_body(order="rng.permutation(len(X))", update=_ON_UPDATE, before="", record=None):
    return _on_source("    losses = []\n" + before
                      + "    for epoch in range(epochs):\n"
                      + (f"        for i in {order}:\n" if order else "")
                      + update
                      + (record or "        losses.append(net.loss(X, y, l2=l2))\n")
                      + "    return losses\n")


_X6, _Y6 = _random_data(9621, 6, 3, 2)
_X5, _Y5 = _random_data(9622, 5, 2, 1)

register(_OnlineExercise(
    name="train_online",
    reference=training.train_online,
    lesson=LESSON,
    summary="2-2-1 and 2-3-1 sigmoid networks on the XOR and AND gates, 2 and 3 epochs, with "
            "and without l2: every update one example, in the order rng.permutation(4) gives "
            "each epoch, the parameters before every update, after the last one and the losses "
            "returned, all as the reference's with the same seed, order and rng",
    visible=[
        _online_case((2, 2, 1), 621, *_XOR, 0.7, 2, 6, 0.0,
                     note="Kauchak's loop on XOR, 2 epochs of 4 updates"),
        _online_case((2, 3, 1), 622, *_XOR, 0.5, 3, 7, 0.01, note="XOR, 3 epochs, l2 = 0.01"),
        _online_case((2, 2, 1), 623, *_AND, 1.0, 2, 8, 0.0, note="the AND gate, 2 epochs"),
    ],
    hidden=[
        _online_case((2, 2, 1), 9623, *_XOR, 0.7, 6, 9624, 0.0, note="XOR, 6 epochs"),
        _online_case((3, 4, 2), 9625, _X6, _Y6, 0.3, 3, 9626, 0.02,
                     note="6 random samples, two outputs, 3 epochs, l2 = 0.02"),
        _online_case((2, 3, 2, 1), 9627, _X5, _Y5, 0.5, 2, 9628, 0.0,
                     note="5 random samples, two hidden layers, 2 epochs"),
        _online_case((2, 2, 1), 9629, *_OR, 0.9, 1, 9630, 0.001, note="the OR gate, 1 epoch, l2 = 0.001"),
    ],
    hidden_summary="data sets of 5 and 6 samples, two hidden layers, two outputs, more epochs",
    mistakes=[
        Mistake("no_shuffle",
                "the examples are visited in the same order every epoch (0, 1, 2, ...); "
                "Kauchak's loop shuffles the training data at the start of every epoch: "
                "`for i in rng.permutation(len(X)):`.",
                _on_body(order="range(len(X))")),
        Mistake("with_replacement",
                "the examples are drawn with replacement (rng.integers), so in an epoch some "
                "are used twice and some not at all; a shuffle visits every example exactly "
                "once: rng.permutation(len(X)).",
                _on_body(order="rng.integers(0, len(X), size=len(X))")),
        Mistake("shuffled_once",
                "the order is drawn once, before the first epoch, and reused; Kauchak shuffles "
                "at the start of EVERY epoch (for some number of iterations: randomly shuffle "
                "training data; for each example: ...).",
                _on_body(order="order", before="    order = rng.permutation(len(X))\n")),
        Mistake("pairs_broken",
                "X and y were shuffled by two different permutations, so the examples were "
                "paired with the wrong targets; draw ONE order per epoch and index both X and y "
                "with it.",
                _on_source("    losses = []\n"
                           "    for epoch in range(epochs):\n"
                           "        Xs = X[rng.permutation(len(X))]\n"
                           "        ys = y[rng.permutation(len(y))]\n"
                           "        for i in range(len(X)):\n"
                           "            net.forward(Xs[i:i + 1])\n"
                           "            net.backward(ys[i:i + 1], l2=l2)\n"
                           "            for p, g in zip(net.params, net.grads):\n"
                           "                p -= lr * g\n"
                           "        losses.append(net.loss(X, y, l2=l2))\n"
                           "    return losses\n")),
        Mistake("running_loss",
                "the epoch's loss is the mean of the examples' losses, each measured before its "
                "own update (what train()'s History records); asked is J over the whole training "
                "set after the epoch, net.loss(X, y, l2=l2) once its updates are done.",
                _on_body(before="", update="            seen.append(net.loss(X[i:i + 1], y[i:i + 1], l2=l2))\n"
                                           + _ON_UPDATE,
                         order="rng.permutation(len(X))",
                         record="        losses.append(float(np.mean(seen)))\n")
                .replace("    for epoch in range(epochs):\n",
                         "    for epoch in range(epochs):\n        seen = []\n")),
        Mistake("penalty_not_in_the_gradient",
                "l2 was not passed to net.backward, so the updates follow the loss alone; the "
                "penalty's gradient 2 l2 W belongs in every update: net.backward(y_i, l2=l2).",
                _on_body(update=_ON_UPDATE.replace("l2=l2", ""))),
        Mistake("gradient_ascent",
                "the update adds the gradient (gradient ASCENT: the loss goes up); descend: "
                "w <- w - lr * dJ/dw. (Kauchak's v_k = v_k + ... (y - f) ... is the same step: "
                "his (y - f) is minus the gradient's y_hat - y.)",
                _on_body(update=_ON_UPDATE.replace("p -= lr * g", "p += lr * g"))),
        Mistake("four_examples",
                "the order is rng.permutation(4): four examples, as XOR has, whatever the data; "
                "use rng.permutation(len(X)).",
                _on_body(order="rng.permutation(4)"),
                hidden_only=True),
    ],
    alternatives=[
        # the order as a shuffled index array, the optimizer of the package for the step
        _on_source("    n = X.shape[0]\n"
                   "    sgd = SGD(lr)\n"
                   "    losses = []\n"
                   "    for epoch in range(epochs):\n"
                   "        idx = np.arange(n)\n"
                   "        rng.shuffle(idx)\n"
                   "        for i in idx:\n"
                   "            net.forward(X[[i]])\n"
                   "            grads_W, grads_b = net.backward(y[[i]], l2=l2)\n"
                   "            sgd.step(net.params, net.grads)\n"
                   "        losses.append(float(net.loss(X, y, l2=l2)))\n"
                   "    return losses\n"),
        # shuffled copies of the data, each weight and bias updated by name
        _on_source("    losses = []\n"
                   "    for epoch in range(epochs):\n"
                   "        order = rng.permutation(len(X))\n"
                   "        X_epoch, y_epoch = X[order], y[order]\n"
                   "        for x_i, y_i in zip(X_epoch, y_epoch):\n"
                   "            net.forward(x_i.reshape(1, -1))\n"
                   "            grads_W, grads_b = net.backward(y_i.reshape(1, -1), loss='quadratic', l2=l2)\n"
                   "            for l in range(len(net.weights)):\n"
                   "                net.weights[l] = net.weights[l] - lr * grads_W[l]\n"
                   "                net.biases[l] = net.biases[l] - lr * grads_b[l]\n"
                   "        losses.append(net.loss(X, y, l2=l2))\n"
                   "    return losses\n"),
    ],
    forbidden=(training.train_online, training.train_batch, training.train, stacked.train_stacked,
               training._train, training._epoch_losses),
    namespace=_namespace,
))


_ba_source = _def("def train_batch(net, X, y, lr, epochs, l2=0.0):\n")
_BA_UPDATE = ("        net.forward(X)\n"
              "        net.backward(y, l2=l2)\n"
              "        for p, g in zip(net.params, net.grads):\n"
              "            p -= lr * g\n")
_BA_RECORD = "        losses.append(net.loss(X, y, l2=l2))\n"


def _ba_body(update=_BA_UPDATE, record=_BA_RECORD, before=""):
    return _ba_source("    losses = []\n" + before + "    for epoch in range(epochs):\n"
                      + update + record + "    return losses\n")


register(_BatchExercise(
    name="train_batch",
    reference=training.train_batch,
    lesson=LESSON,
    summary="Samatova's XOR trained in full batch (2-2-1 and 2-3-1 sigmoid networks, 3 and 4 "
            "epochs) and the OR gate: one update per epoch on all four examples, the parameters "
            "before every update, after the last one and the losses returned, all as the "
            "reference's from the same starting weights",
    visible=[
        _batch_case((2, 2, 1), 631, *_XOR, 0.7, 3, 0.0, note="Samatova's XOR, full batch, 3 epochs"),
        _batch_case((2, 3, 1), 632, *_XOR, 2.8, 4, 0.0, note="XOR with lr = 2.8, 4 epochs"),
        _batch_case((2, 2, 1), 633, *_OR, 1.0, 2, 0.0, note="the OR gate, 2 epochs"),
    ],
    hidden=[
        _batch_case((2, 3, 1), 9631, *_XOR, 0.7, 5, 0.01, note="XOR, 5 epochs, l2 = 0.01"),
        _batch_case((3, 4, 2), 9632, _X6, _Y6, 0.5, 3, 0.05,
                    note="6 random samples, two outputs, l2 = 0.05"),
        _batch_case((2, 3, 2, 1), 9633, _X5, _Y5, 1.0, 2, 0.0,
                    note="5 random samples, two hidden layers", acts=("tanh", "sigmoid", "sigmoid")),
    ],
    hidden_summary="penalties l2 > 0, data sets of 5 and 6 samples, two outputs, two hidden layers",
    mistakes=[
        Mistake("forward_once",
                "the forward pass runs once, before the loop: net.backward uses the values "
                "cached by the LAST forward pass, so every update applied the gradient at the "
                "starting weights. Each epoch needs its own net.forward(X) before net.backward(y).",
                _ba_body(before="    net.forward(X)\n", update=_BA_UPDATE.replace("        net.forward(X)\n", ""))),
        Mistake("online_updates",
                "this updates after every example (online training); full-batch training makes "
                "ONE update per epoch, with the gradient averaged over all the examples: "
                "net.forward(X), net.backward(y), then the step.",
                _ba_body(update="        for i in range(len(X)):\n"
                                "            net.forward(X[i:i + 1])\n"
                                "            net.backward(y[i:i + 1], l2=l2)\n"
                                "            for p, g in zip(net.params, net.grads):\n"
                                "                p -= lr * g\n")),
        Mistake("biases_not_updated",
                "only the weights are updated; the biases are parameters too (b <- b - lr * dJ/db): "
                "update every array of net.params with its gradient in net.grads.",
                _ba_body(update="        net.forward(X)\n"
                                "        grads_W, grads_b = net.backward(y, l2=l2)\n"
                                "        for W, dW in zip(net.weights, grads_W):\n"
                                "            W -= lr * dW\n")),
        Mistake("loss_before_the_update",
                "the loss was recorded before the epoch's update; the list holds J after each "
                "epoch, so its first entry is already the loss after one step.",
                _ba_body(update="        losses.append(net.loss(X, y, l2=l2))\n" + _BA_UPDATE, record="")),
        Mistake("gradient_ascent",
                "the update adds the gradient (gradient ASCENT: the loss goes up); descend: "
                "w <- w - lr * dJ/dw.",
                _ba_body(update=_BA_UPDATE.replace("p -= lr * g", "p += lr * g"))),
        Mistake("penalty_not_in_the_gradient",
                "l2 was not passed to net.backward, so the updates follow the loss alone; the "
                "penalty's gradient 2 l2 W belongs in every update: net.backward(y, l2=l2).",
                _ba_body(update=_BA_UPDATE.replace("l2=l2", "")),
                hidden_only=True),
        Mistake("penalty_not_in_the_loss",
                "the losses returned leave the penalty out: J = net.loss(X, y, l2=l2) includes "
                "l2 sum ||W||^2.",
                _ba_body(record="        losses.append(net.loss(X, y))\n"),
                hidden_only=True),
    ],
    alternatives=[
        # the package's optimizer for the step, the loss by its formula
        _ba_source("    sgd = SGD(lr)\n"
                   "    losses = []\n"
                   "    for epoch in range(epochs):\n"
                   "        net.forward(X)\n"
                   "        net.backward(y, loss='quadratic', l2=l2)\n"
                   "        sgd.step(net.params, net.grads)\n"
                   "        penalty = l2 * sum(float(np.sum(W ** 2)) for W in net.weights)\n"
                   "        losses.append(quadratic(net.forward(X), y) + penalty)\n"
                   "    return losses\n"),
        # weights and biases updated by name, as new arrays
        _ba_source("    losses = []\n"
                   "    for epoch in range(epochs):\n"
                   "        net.forward(X)\n"
                   "        grads_W, grads_b = net.backward(y, l2=l2)\n"
                   "        net.weights = [W - lr * dW for W, dW in zip(net.weights, grads_W)]\n"
                   "        net.biases = [b - lr * db for b, db in zip(net.biases, grads_b)]\n"
                   "        losses.append(net.loss(X, y, l2=l2))\n"
                   "    return losses\n"),
    ],
    forbidden=(training.train_batch, training.train_online, training.train, stacked.train_stacked,
               training._train, training._epoch_losses),
    namespace=_namespace,
))
