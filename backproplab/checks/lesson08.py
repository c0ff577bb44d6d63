"""Lesson 08, learning rate and momentum (Samatova, "Tuning NN"): exercises and their mistakes.

Exercises, in the order of the notebook: momentum_step, nesterov_step, adagrad_step (one update
of one weight array, the optimizer's state passed in and returned), then the three learning-rate
strategies of Samatova's "Learning Rate Strategies" slide as schedules (functions epoch -> lr):
constant, step_decay, fixed_then_decay. Each is compared with its namesake in
backproplab.optimizers.

The step exercises are graded on sequences of steps: every case is one step of a run of the
reference on a loss surface (lesson 08's bowl f(w) = 0.1 w1^2 + 2 w2^2, the first layer of an
XOR network, random bowls over weight matrices), with the weights, the gradient and the state
as the run had them at that step, so that the student's function is tried on states a real
optimizer reaches (a step of zero momentum first, then growing ones). A schedule is judged on
the learning rates it gives for epochs 0 .. 49, asked in order, as train() asks them.
"""
from __future__ import annotations

import math

import numpy as np

from .. import activations, network, optimizers
from ..datasets import logic_gate
from ..surfaces import Quadratic
from . import _safe as s
# Bind the builtins this module uses to the copies captured at import (see _safe).
from ._safe import callable, float, isinstance, len, range, str, super  # noqa: A004
from .exercise import Case, Exercise, Mistake
from .lesson05 import _PartsExercise
from . import register

LESSON = "08-learning-rate-and-momentum"
EPOCHS = 50          # a schedule is judged on epochs 0 .. EPOCHS - 1


def _namespace():
    """What the lesson's setup cell imports (catalogue sources may use these)."""
    return {"np": np, "math": math}


# ----------------------------------------------------------------------------- the runs

BOWL = Quadratic([0.2, 4.0])          # f(w) = 0.1 w1^2 + 2 w2^2: lambda = 0.2 and 4, kappa = 20
BOWL_NOTE = "f(w) = 0.1 w1^2 + 2 w2^2"
START = np.array([-4.0, 1.0])

# The XOR network of lesson 06 (2-2-1, sigmoid, quadratic loss): the gradient with respect to
# its first layer's weights, the other weights held where Xavier put them.
_XOR_X, _XOR_Y = logic_gate("xor")
_XOR_NET = network.MLP([2, 2, 1], activations="sigmoid", seed=8)
_XOR_W1, _XOR_W2 = (W.copy() for W in _XOR_NET.weights)
_XOR_B1, _XOR_B2 = (b.copy() for b in _XOR_NET.biases)


def _xor_grad(W1):
    """dE/dW1 with E = (1/n) sum 1/2 (a2 - y)^2, back-propagated as in lesson 06 (the network's
    own backward gives the same numbers, tests/test_checks_lesson08.py; written out here so that
    importing the checks runs no network, whose sigmoid kernel would import SciPy)."""
    a1 = activations.sigmoid(_XOR_X @ W1 + _XOR_B1)
    a2 = activations.sigmoid(a1 @ _XOR_W2 + _XOR_B2)
    d2 = (a2 - _XOR_Y) * a2 * (1.0 - a2) / _XOR_X.shape[0]
    d1 = (d2 @ _XOR_W2.T) * a1 * (1.0 - a1)
    return _XOR_X.T @ d1


def _matrix_bowl(seed, shape, away=0.0):
    """f(W) = 1/2 sum c_ij (W_ij - T_ij)^2 with random curvatures c: (gradient, start).
    away > 0: every weight starts at least that far from its minimum T_ij."""
    rng = np.random.default_rng(seed)
    c = rng.uniform(0.2, 3.0, size=shape)
    T = rng.normal(size=shape)
    start = rng.normal(size=shape)
    if away:
        start = T + np.where(start >= 0, 1.0, -1.0) * (away + np.abs(start))
    return (lambda W: c * (W - T)), start


def _run(step, grad, w0, steps, lr, param, note):
    """One Case per step of the reference `step` from w0: (w_t, dE/dw_t, state_{t-1}, lr, param).

    The state starts at zeros (Delta w_0 = 0, n_0 = 0, G_0 = 0) and each case's state is the
    one the run reached, so a later case checks a step with momentum built up."""
    w = np.array(w0, dtype=np.float64)
    state = np.zeros_like(w)
    cases = []
    for t in range(steps):
        g = np.asarray(grad(w.copy()), dtype=np.float64)
        cases.append(Case((w.copy(), g.copy(), state.copy(), lr, param),
                          note=f"{note}, step {t + 1} of {steps}"))
        w, state = step(w, g, state, lr, param)
    return cases


def _step_cases(step, name, lr, param, hidden=False):
    """The sequences every step exercise is checked on (visible) or graded on (hidden)."""
    pname = "eps" if name == "Adagrad" else "alpha"
    if not hidden:
        bowl = [*_run(step, BOWL.grad, START, 6, lr, param,
                      f"{name}(lr={lr}, {pname}={param}) on {BOWL_NOTE} from (-4, 1)")]
        if name == "Adagrad":
            # gradients of order 1 (eps = 1e-8 negligible): the XOR network's are ~1e-3
            grad_m, w_m = _matrix_bowl(807, (2, 3), away=1.0)
            return bowl + _run(step, grad_m, w_m, 4, 0.1, param,
                               f"{name} on a random bowl over a 2 x 3 weight matrix")
        return bowl + _run(step, _xor_grad, _XOR_W1, 4, 0.5, param,
                           f"{name} on the first layer W1 (2 x 2) of the XOR network")
    other = 0.5 if name != "Adagrad" else 1e-8
    grad_m, w_m = _matrix_bowl(808, (3, 4))
    grad_t, w_t = _matrix_bowl(809, (2, 3, 2))
    return [
        *_run(step, BOWL.grad, np.array([2.0, -1.5]), 8, 0.3, other,
              f"{name}(lr=0.3, {pname}={other}) on {BOWL_NOTE} from (2, -1.5)"),
        *_run(step, grad_m, w_m, 5, 0.2, 0.7 if name != "Adagrad" else 1e-6,
              f"{name} on a random bowl over a 3 x 4 weight matrix"),
        *_run(step, grad_t, w_t, 3, 0.05, 0.0 if name != "Adagrad" else 1e-8,
              f"{name} on a random bowl over weights of shape (2, 3, 2)"),
        *_run(step, BOWL.grad, START, 8, 1.0, 0.5 if name != "Adagrad" else 1e-8,
              f"{name}(lr=1.0) on {BOWL_NOTE}: gamma lambda_max = 4, a run that blows up"),
    ]


# the private update rule behind each reference and its class would do the exercise's work too
_INTERNALS = {
    optimizers.momentum_step: (optimizers._momentum_update, optimizers.Momentum._update),
    optimizers.nesterov_step: (optimizers._nesterov_update, optimizers.Nesterov._update),
    optimizers.adagrad_step: (optimizers._adagrad_update, optimizers.Adagrad._update),
}


def _step_exercise(name, reference, parts, summary, visible, hidden, hidden_summary,
                   mistakes, alternatives):
    # the function and the classes' step (Momentum(lr).step([w], [g]) would do the work)
    ex = _StepExercise(name=name, reference=reference, lesson=LESSON, summary=summary,
                       visible=visible, hidden=hidden, hidden_summary=hidden_summary,
                       mistakes=mistakes, alternatives=alternatives,
                       forbidden=(reference, *_INTERNALS[reference], optimizers.Optimizer.step,
                                  optimizers.Optimizer._apply), namespace=_namespace)
    ex.parts = parts
    ex.ending = f"return {parts[0]}, {parts[1]}"
    return register(ex)


class _StepExercise(_PartsExercise):
    """A step returns the pair (new weights, new state); each item is judged on its own."""


# ----------------------------------------------------------------------------- momentum_step

_SAMATOVA_HALF = Case((np.array([1.0, -2.0]), np.array([4.0, 2.0]), np.zeros(2), 0.5, 0.9),
                      note="Samatova: 'gamma = 0.5 will decrease every gradient by 50%': the "
                           "first step (Delta w_0 = 0) is -0.5 * (4, 2) = (-2, -1)")
_SAMATOVA_MOMENTUM = Case((np.array([-1.0, -3.0]), np.array([4.0, 2.0]), np.array([-2.0, -1.0]),
                           0.5, 0.9),
                          note="the next step, with Delta w_1 = (-2, -1): alpha Delta w_1 adds "
                               "0.9 * (-2, -1) to -0.5 * (4, 2)")

_mom = "def momentum_step(w, grad, dw_prev, lr, momentum=0.9):\n"

_step_exercise(
    "momentum_step", optimizers.momentum_step, ("w_new", "dw"),
    summary="Samatova's Delta w_t = -gamma dE/dw + alpha Delta w_{t-1} on her gamma = 0.5 and "
            "alpha = 0.9, then the first 6 steps of Momentum(0.1, 0.9) on the bowl "
            "0.1 w1^2 + 2 w2^2 and 4 steps on the XOR network's W1, each from the state the run "
            "reached; the pair (w + Delta w_t, Delta w_t), float64, arguments not modified",
    visible=[_SAMATOVA_HALF, _SAMATOVA_MOMENTUM,
             *_step_cases(optimizers.momentum_step, "Momentum", 0.1, 0.9)],
    hidden=_step_cases(optimizers.momentum_step, "Momentum", 0.1, 0.9, hidden=True),
    hidden_summary="other momenta (0.5, 0.7, 0: plain gradient descent), weight matrices and "
                   "3-D weights, and a run that blows up",
    mistakes=[
        Mistake("ascent",
                "the gradient term has the wrong sign: Delta w_t = -gamma dE/dw + alpha "
                "Delta w_{t-1}. A positive gradient means the error grows with the weight, so "
                "the step goes the other way (Samatova, 'Reminder: Gradient Descent').",
                _mom + "    dw = lr * grad + momentum * dw_prev\n    return w + dw, dw\n"),
        Mistake("no_momentum",
                "the momentum term alpha Delta w_{t-1} is missing: this is plain gradient "
                "descent, right only at the first step, where Delta w_0 = 0.",
                _mom + "    dw = -lr * grad\n    return w + dw, dw\n"),
        Mistake("velocity_in_gradient_units",
                "this keeps the velocity of many libraries, v = alpha v + dE/dw with the step "
                "-gamma v, but the state passed in and returned is Samatova's Delta w_{t-1}, "
                "the previous step itself, which already contains gamma: "
                "Delta w_t = alpha Delta w_{t-1} - gamma dE/dw.",
                _mom + "    v = momentum * dw_prev + grad\n    return w - lr * v, v\n"),
        Mistake("old_state",
                "the new weights are right, but the state returned is Delta w_{t-1}, the "
                "previous step: return this step's Delta w_t, which the next call needs.",
                _mom + "    dw = -lr * grad + momentum * dw_prev\n    return w + dw, dw_prev\n"),
        Mistake("weights_not_moved",
                "Delta w_t is right, but the weights returned are w_t unchanged: return "
                "w + Delta w_t.",
                _mom + "    dw = -lr * grad + momentum * dw_prev\n    return w, dw\n"),
        Mistake("damped",
                "(1 - alpha) scales the gradient: that is an exponential moving average of "
                "the gradients, another method. Samatova's update adds the full -gamma dE/dw: "
                "Delta w_t = -gamma dE/dw + alpha Delta w_{t-1}.",
                _mom + "    dw = momentum * dw_prev - (1 - momentum) * lr * grad\n"
                       "    return w + dw, dw\n"),
        Mistake("fixed_alpha",
                "alpha = 0.9 (Samatova's suggestion) is written in, so the `momentum` argument "
                "is ignored: with momentum=0.5 the step must use 0.5.",
                _mom + "    dw = -lr * grad + 0.9 * dw_prev\n    return w + dw, dw\n",
                hidden_only=True),
    ],
    alternatives=[
        _mom + "    dw = np.multiply(momentum, dw_prev) - np.multiply(lr, grad)\n"
               "    return np.add(w, dw), dw\n",
        # one weight at a time
        _mom + "    w = np.asarray(w, dtype=float)\n"
               "    w_new, dw = np.empty(w.shape), np.empty(w.shape)\n"
               "    for i in np.ndindex(w.shape):\n"
               "        dw[i] = momentum * dw_prev[i] - lr * grad[i]\n"
               "        w_new[i] = w[i] + dw[i]\n"
               "    return w_new, dw\n",
    ],
)


# ----------------------------------------------------------------------------- nesterov_step

_nes = "def nesterov_step(w, grad, n_prev, lr, momentum=0.9):\n"

_step_exercise(
    "nesterov_step", optimizers.nesterov_step, ("w_new", "n"),
    summary="Samatova's n_t = alpha n_{t-1} + gamma dE/dw, Delta w_t = alpha n_{t-1} - "
            "(1 + alpha) n_t with gamma = 0.1 and alpha = 0.9: the first 6 steps on the bowl "
            "0.1 w1^2 + 2 w2^2 and 4 steps (gamma = 0.5) on the XOR network's W1, each from "
            "the state the run reached; the pair (w + Delta w_t, n_t), float64, arguments "
            "not modified",
    visible=_step_cases(optimizers.nesterov_step, "Nesterov", 0.1, 0.9),
    hidden=_step_cases(optimizers.nesterov_step, "Nesterov", 0.1, 0.9, hidden=True),
    hidden_summary="other momenta (0.5, 0.7, 0: plain gradient descent), weight matrices and "
                   "3-D weights, and a run that blows up",
    mistakes=[
        Mistake("plain_momentum",
                "the step is -n_t: that is heavy-ball momentum written with n = -Delta w. "
                "Nesterov's step corrects it with the previous n: Delta w_t = alpha n_{t-1} - "
                "(1 + alpha) n_t = -n_t - alpha (n_t - n_{t-1}).",
                _nes + "    n = momentum * n_prev + lr * grad\n    return w - n, n\n"),
        Mistake("one_minus_alpha",
                "(1 - alpha) n_t: Samatova's slide has (1 + alpha) n_t: Delta w_t = alpha "
                "n_{t-1} - (1 + alpha) n_t.",
                _nes + "    n = momentum * n_prev + lr * grad\n"
                       "    return w + momentum * n_prev - (1 - momentum) * n, n\n"),
        Mistake("indices_swapped",
                "n_{t-1} and n_t are swapped in the step: Delta w_t = alpha n_{t-1} - "
                "(1 + alpha) n_t, the NEW n_t times (1 + alpha).",
                _nes + "    n = momentum * n_prev + lr * grad\n"
                       "    return w + momentum * n - (1 + momentum) * n_prev, n\n"),
        Mistake("step_added",
                "the step is subtracted: n_t grows with the gradient and Samatova's "
                "Delta w_t = alpha n_{t-1} - (1 + alpha) n_t is already the change to ADD "
                "to w.",
                _nes + "    n = momentum * n_prev + lr * grad\n"
                       "    return w - (momentum * n_prev - (1 + momentum) * n), n\n"),
        Mistake("old_state",
                "the new weights are right, but the state returned is n_{t-1}: return this "
                "step's n_t = alpha n_{t-1} + gamma dE/dw, which the next call needs.",
                _nes + "    n = momentum * n_prev + lr * grad\n"
                       "    return w + momentum * n_prev - (1 + momentum) * n, n_prev\n"),
        Mistake("fixed_alpha",
                "alpha = 0.9 is written in, so the `momentum` argument is ignored: with "
                "momentum=0.5 the step must use 0.5.",
                _nes + "    n = 0.9 * n_prev + lr * grad\n"
                       "    return w + 0.9 * n_prev - 1.9 * n, n\n",
                hidden_only=True),
    ],
    alternatives=[
        # n_t substituted: Delta w_t = -alpha^2 n_{t-1} - (1 + alpha) gamma dE/dw
        _nes + "    n = momentum * n_prev + lr * grad\n"
               "    return w - momentum ** 2 * n_prev - (1 + momentum) * lr * grad, n\n",
        # one weight at a time
        _nes + "    w = np.asarray(w, dtype=float)\n"
               "    w_new, n = np.empty(w.shape), np.empty(w.shape)\n"
               "    for i in np.ndindex(w.shape):\n"
               "        n[i] = momentum * n_prev[i] + lr * grad[i]\n"
               "        w_new[i] = w[i] + momentum * n_prev[i] - (1 + momentum) * n[i]\n"
               "    return w_new, n\n",
    ],
)


# ----------------------------------------------------------------------------- adagrad_step

_ada = "def adagrad_step(w, grad, G_prev, lr, eps=1e-8):\n"


def _adagrad_hidden():
    cases = _step_cases(optimizers.adagrad_step, "Adagrad", 0.5, 1e-8, hidden=True)
    # w2 starts at its minimum: its gradient stays 0, and 0 / sqrt(0) is 0 / 0 without eps
    cases += _run(optimizers.adagrad_step, BOWL.grad, np.array([-4.0, 0.0]), 4, 0.5, 1e-8,
                  f"Adagrad on {BOWL_NOTE} from (-4, 0): w2 is at its minimum, its gradients "
                  "are all 0")
    # tiny gradients (a flat loss): sqrt(G) ~ 1e-6, where eps = 1e-8 is no longer negligible
    # inside the square root
    tiny = Quadratic([2e-12, 4e-12])
    cases += _run(optimizers.adagrad_step, tiny.grad, START, 3, 0.5, 1e-8,
                  "Adagrad on the bowl 1e-12 w1^2 + 2e-12 w2^2: gradients of about 1e-11")
    return cases


_step_exercise(
    "adagrad_step", optimizers.adagrad_step, ("w_new", "G"),
    summary="Samatova's per-weight rate gamma / sqrt(sum of squared gradients), with "
            "G_t = G_{t-1} + (dE/dw)^2 and w - gamma dE/dw / (sqrt(G_t) + eps): the first 6 steps "
            "of Adagrad(0.5) on the bowl 0.1 w1^2 + 2 w2^2 and 4 steps (gamma = 0.1) on a bowl "
            "over a 2 x 3 weight matrix, each from the state the run reached; the pair (w_new, G_t), "
            "float64, arguments not modified",
    visible=_step_cases(optimizers.adagrad_step, "Adagrad", 0.5, 1e-8),
    hidden=_adagrad_hidden(),
    hidden_summary="weights whose gradients have all been 0, gradients of 1e-11, weight "
                   "matrices, 3-D weights and other eps",
    mistakes=[
        Mistake("old_G",
                "the division uses G_{t-1}, before this step's squared gradient is added: "
                "Samatova's sum includes the current gradient, G_t = G_{t-1} + (dE/dw)^2, and "
                "only then w - gamma dE/dw / (sqrt(G_t) + eps). (At the first step G_0 = 0, so "
                "this divides by eps alone and jumps by gamma dE/dw / 1e-8.)",
                _ada + "    step = lr * grad / (np.sqrt(G_prev) + eps)\n"
                       "    return w - step, G_prev + grad ** 2\n"),
        Mistake("no_sqrt",
                "the rate is divided by G itself; Samatova's is gamma / sqrt(sum of squared "
                "gradients): divide by np.sqrt(G) + eps.",
                _ada + "    G = G_prev + grad ** 2\n    return w - lr * grad / (G + eps), G\n"),
        Mistake("not_squared",
                "G adds the gradients themselves; Adagrad sums their SQUARES, "
                "G_t = G_{t-1} + (dE/dw)^2 (a sum of gradients can be negative, and its square "
                "root is then nan).",
                _ada + "    G = G_prev + grad\n    return w - lr * grad / (np.sqrt(G) + eps), G\n"),
        Mistake("one_G_for_all",
                "one sum of squares is kept for all the weights together: Adagrad keeps one "
                "per weight, so that each weight gets its own rate gamma_i = gamma / "
                "sqrt(sum of ITS squared gradients) (Samatova: 'learning rate for feature i').",
                _ada + "    G = G_prev + np.sum(grad ** 2)\n"
                       "    return w - lr * grad / (np.sqrt(G) + eps), G\n"),
        Mistake("ascent",
                "the step has the wrong sign: w_new = w - gamma dE/dw / (sqrt(G_t) + eps) goes "
                "against the gradient.",
                _ada + "    G = G_prev + grad ** 2\n    return w + lr * grad / (np.sqrt(G) + eps), G\n"),
        Mistake("no_eps",
                "this is Samatova's formula exactly, gamma / sqrt(sum of squared gradients), "
                "without eps: for a weight whose gradients have all been 0, sqrt(G) = 0 and "
                "0 / 0 is nan. Add eps to the square root: dE/dw / (np.sqrt(G) + eps).",
                _ada + "    G = G_prev + grad ** 2\n    return w - lr * grad / np.sqrt(G), G\n",
                hidden_only=True),
        Mistake("eps_inside_sqrt",
                "eps is inside the square root, sqrt(G + eps): with gradients of about 1e-11 "
                "(G ~ 1e-22) that is sqrt(1e-8) = 1e-4 instead of ~1e-11, and the step is "
                "millions of times too small. Add it outside: np.sqrt(G) + eps.",
                _ada + "    G = G_prev + grad ** 2\n"
                       "    return w - lr * grad / np.sqrt(G + eps), G\n",
                hidden_only=True),
    ],
    alternatives=[
        # Samatova's per-weight rate gamma_i, then the step
        _ada + "    G = G_prev + grad * grad\n"
               "    rate = lr / (np.sqrt(G) + eps)\n"
               "    return w - rate * grad, G\n",
        # one weight at a time, with math.sqrt
        _ada + "    w = np.asarray(w, dtype=float)\n"
               "    w_new, G = np.empty(w.shape), np.empty(w.shape)\n"
               "    for i in np.ndindex(w.shape):\n"
               "        G[i] = G_prev[i] + grad[i] ** 2\n"
               "        w_new[i] = w[i] - lr * grad[i] / (math.sqrt(G[i]) + eps)\n"
               "    return w_new, G\n",
    ],
)


# ----------------------------------------------------------------------------- schedules

def _rates(schedule):
    """The learning rates schedule(0), schedule(1), ..., schedule(EPOCHS - 1) as float64."""
    values = []
    for epoch in range(EPOCHS):
        lr = schedule(epoch)
        if isinstance(lr, (bool, str, bytes)) or lr is None:
            raise TypeError(f"the schedule it returned gave {s.fmt(lr)} at epoch {epoch}; a "
                            "learning rate is one number")
        try:
            values.append(float(lr))
        except (TypeError, ValueError):
            raise TypeError(f"the schedule it returned gave {s.describe_type(lr)} at epoch "
                            f"{epoch}; a learning rate is one number") from None
    return s.array(values, dtype=np.float64)


class _ScheduleExercise(Exercise):
    """The student's function returns a schedule (a function epoch -> lr); what is judged is
    the list of its rates for epochs 0 .. EPOCHS - 1. The schedule is called while the call
    is watched, so a schedule that hands in the reference or raises is caught like the call
    itself; a result that is not callable is judged as it is."""

    def observe(self, result, args, kwargs):
        return _rates(result) if callable(result) else result

    def _call(self, fn, case):
        def evaluated(*args, **kwargs):
            result = fn(*args, **kwargs)
            return _rates(result) if callable(result) else result
        return super()._call(evaluated, case)

    def judge(self, got, expected, case):
        e = s.to_float_array(expected)
        if e is None or e.shape != (EPOCHS,):
            return super().judge(got, expected, case)   # two catalogue answers compared
        call = case.call_text(self.name)
        where = f"  [{case.note}]" if case.note else ""
        g = s.to_float_array(got)
        if got is None or g is None or g.shape != (EPOCHS,):
            return (f"{call} returned {s.describe_type(got) if g is None or g.ndim else s.fmt(got)}, "
                    "not a schedule. Return a function of the epoch (def lr(epoch): ... then "
                    f"`return lr`): train() calls schedule(epoch) at the start of every epoch.{where}")
        message = super().judge(got, expected, case)
        if message is None:
            return None
        for epoch in range(EPOCHS):   # the first epoch that is wrong, as train() would meet it
            bad = s.compare(g[epoch:epoch + 1], e[epoch:epoch + 1], self.rtol, self.atol)
            if bad is not None:
                return (f"{call} gives the wrong learning rate at epoch {epoch}: expected "
                        f"{s.fmt(bad[2])}, got {s.fmt(bad[1])} (epochs 0 to {EPOCHS - 1} are "
                        f"asked, in order).{where}")
        return message   # right values, wrong kind (float32): the base judge says so


def _schedule(name, reference, summary, visible, hidden, hidden_summary, mistakes, alternatives):
    return register(_ScheduleExercise(
        name=name, reference=reference, lesson=LESSON, summary=summary, visible=visible,
        hidden=hidden, hidden_summary=hidden_summary, mistakes=mistakes,
        alternatives=alternatives, forbidden=(reference,), namespace=_namespace))


# ---- constant

_const = "def constant(lr):\n"

_schedule(
    "constant", optimizers.constant,
    summary=f"Samatova's 'Fixed' strategy with her gamma ~ 0.1 and gamma = 0.5: the same rate at "
            f"every epoch 0 .. {EPOCHS - 1}",
    visible=[Case((0.1,), note="Samatova: 'Learning Rate, gamma (gamma ~ 0.1)'"),
             Case((0.5,), note="Samatova: 'gamma = 0.5 will decrease every gradient by 50%'")],
    hidden=[Case((2.0,), note="Samatova: 'gamma > 1 accelerated learning'"),
            Case((0.05,), note="gamma = 0.05"), Case((1.0,), note="gamma = 1")],
    hidden_summary="other learning rates (2, 1, 0.05)",
    mistakes=[
        Mistake("returns_number",
                "this returns the learning rate itself, a number; a schedule is a FUNCTION of "
                "the epoch that returns it: def schedule(epoch): return lr, then "
                "`return schedule`.",
                _const + "    return lr\n"),
        Mistake("list_of_rates",
                "this returns a list of rates; a schedule is a function of the epoch (train() "
                "calls schedule(epoch) for as many epochs as it runs, which no list fixes in "
                "advance).",
                _const + "    return [lr] * 100\n"),
        Mistake("decays",
                "the rate shrinks with the epoch: that is a 'steadily decreasing' strategy. "
                "'Fixed' means the same gamma at every epoch.",
                _const + "    return lambda epoch: lr / (1 + epoch)\n"),
        Mistake("epoch_returned",
                "the schedule returns its argument, the epoch; it must return the learning "
                "rate: def schedule(epoch): return lr.",
                _const + "    def schedule(epoch):\n        return epoch\n    return schedule\n"),
        Mistake("fixed_value",
                "0.1 (Samatova's gamma ~ 0.1) is written in, so the `lr` argument is ignored: "
                "constant(0.5) must give 0.5.",
                _const + "    return lambda epoch: 0.1\n"),
        Mistake("capped_at_one",
                "the rate is capped at 1, but a schedule returns the rate it was given: "
                "Samatova lists gamma > 1 too ('accelerated learning'), so constant(2.0) "
                "gives 2.0.",
                _const + "    return lambda epoch: min(lr, 1.0)\n",
                hidden_only=True),
    ],
    alternatives=[
        _const + "    def schedule(epoch):\n        return lr\n    return schedule\n",
        # functools.partial of a two-argument function
        _const + "    import functools\n"
                 "    def rate(lr, epoch):\n        return float(lr)\n"
                 "    return functools.partial(rate, lr)\n",
    ],
)


# ---- step_decay

_step = "def step_decay(lr0, drop=0.5, every=10):\n"

_schedule(
    "step_decay", optimizers.step_decay,
    summary="Samatova's 'Steadily Decreasing' in steps, lr0 * drop ** (epoch // every): "
            "step_decay(0.1, 0.5, 10), (0.5, 0.1, 10) and (1.0, 0.9, 10) over epochs 0 .. "
            f"{EPOCHS - 1}",
    visible=[
        Case((0.1, 0.5, 10), note="Samatova's gamma ~ 0.1, halved every 10 epochs"),
        Case((0.5, 0.1, 10), note="Kauchak: 'often will start larger and then get smaller'"),
        Case((1.0, 0.9, 10), note="lr0 = 1, 10 % less every 10 epochs"),
    ],
    hidden=[
        Case((0.1, 0.5, 3), note="every 3 epochs"),
        Case((0.2, 0.25, 7), note="every 7 epochs"),
        Case((0.05, 0.5, 1), note="every epoch"),
        Case((0.3, 0.5, 25), note="every 25 epochs"),
        Case((2.0, 1.0, 5), note="drop = 1: constant"),
    ],
    hidden_summary="other intervals (every 1, 3, 7 and 25 epochs) and drop = 1",
    mistakes=[
        Mistake("smooth",
                "epoch / every is a fraction, so the rate shrinks a little every epoch; a step "
                "schedule keeps lr0 for `every` epochs, then drops: use integer division, "
                "drop ** (epoch // every).",
                _step + "    return lambda epoch: lr0 * drop ** (epoch / every)\n"),
        Mistake("drops_every_epoch",
                "the rate drops at every epoch (drop ** epoch); it should drop once every "
                "`every` epochs: drop ** (epoch // every).",
                _step + "    return lambda epoch: lr0 * drop ** epoch\n"),
        Mistake("one_epoch_early",
                "each drop comes one epoch early: epochs are counted from 0, so epochs 0 .. "
                "every - 1 run at lr0 and epoch `every` is the first at lr0 * drop: "
                "drop ** (epoch // every), not drop ** ((epoch + 1) // every).",
                _step + "    return lambda epoch: lr0 * drop ** ((epoch + 1) // every)\n"),
        Mistake("subtracts",
                "drop is subtracted at each step; it is a factor: lr0 * drop ** (epoch // every) "
                "(halving with drop = 0.5), which never reaches 0 or below.",
                _step + "    return lambda epoch: lr0 - drop * (epoch // every)\n"),
        Mistake("returns_number",
                "this returns the rate at epoch 0, a number; a schedule is a function of the "
                "epoch: def schedule(epoch): return lr0 * drop ** (epoch // every).",
                _step + "    return lr0\n"),
        Mistake("fixed_interval",
                "every = 10 is written in, so the `every` argument is ignored: step_decay(0.1, "
                "0.5, 3) drops every 3 epochs.",
                _step + "    return lambda epoch: lr0 * drop ** (epoch // 10)\n",
                hidden_only=True),
    ],
    alternatives=[
        # one drop at a time, as the epochs go by
        _step + "    def schedule(epoch):\n"
                "        lr = lr0\n"
                "        for e in range(1, epoch + 1):\n"
                "            if e % every == 0:\n"
                "                lr = lr * drop\n"
                "        return lr\n"
                "    return schedule\n",
        _step + "    def schedule(epoch):\n"
                "        return lr0 * math.pow(drop, math.floor(epoch / every))\n"
                "    return schedule\n",
    ],
)


# ---- fixed_then_decay

_ftd = "def fixed_then_decay(lr0, hold=10, rate=0.1):\n"

_schedule(
    "fixed_then_decay", optimizers.fixed_then_decay,
    summary="Samatova's 'Fixed at the beginning, Steadily Decreasing after a certain point': "
            "lr0 for epochs 0 .. hold - 1, then lr0 / (1 + rate (epoch - hold + 1)); "
            "fixed_then_decay(0.1, 10, 0.1), (0.5, 20, 0.1) and (1.0, 0, 0.1) over epochs 0 .. "
            f"{EPOCHS - 1}",
    visible=[
        Case((0.1, 10, 0.1), note="gamma ~ 0.1 for 10 epochs, then decreasing"),
        Case((0.5, 20, 0.1), note="'It assumes the weight should train faster at beginning'"),
        Case((1.0, 0, 0.1), note="hold = 0: decreasing from the start"),
    ],
    hidden=[
        Case((0.1, 5, 0.5), note="rate 0.5"),
        Case((0.3, 30, 0.02), note="rate 0.02, held 30 epochs"),
        Case((0.2, 1, 1.0), note="rate 1, held 1 epoch"),
        Case((0.1, 60, 0.1), note="held beyond the last epoch asked"),
    ],
    hidden_summary="other rates (0.5, 0.02, 1) and holds (1, 5, 30, 60 epochs)",
    mistakes=[
        Mistake("decay_late",
                "the first decayed epoch still gets lr0: epochs 0 .. hold - 1 are held, and "
                "epoch `hold` already gets lr0 / (1 + rate), i.e. lr0 / (1 + rate (epoch - hold "
                "+ 1)).",
                _ftd + "    return lambda epoch: lr0 if epoch < hold else "
                       "lr0 / (1 + rate * (epoch - hold))\n"),
        Mistake("no_hold",
                "the rate decreases from epoch 0: the first `hold` epochs must keep lr0 (the "
                "'fixed at the beginning' part).",
                _ftd + "    return lambda epoch: lr0 / (1 + rate * (epoch + 1))\n"),
        Mistake("counts_from_zero",
                "after the hold the count starts again from epoch 0 (rate * epoch), so the rate "
                "jumps down at `hold`; the decay counts the epochs since the hold: "
                "lr0 / (1 + rate (epoch - hold + 1)).",
                _ftd + "    return lambda epoch: lr0 if epoch < hold else lr0 / (1 + rate * epoch)\n"),
        Mistake("exponential",
                "this decays exponentially, lr0 (1 - rate)^k; the course's 'steadily "
                "decreasing' after the hold is the inverse-time decay lr0 / (1 + rate k) with "
                "k = epoch - hold + 1, which falls more slowly.",
                _ftd + "    return lambda epoch: lr0 if epoch < hold else "
                       "lr0 * (1 - rate) ** (epoch - hold + 1)\n"),
        Mistake("missing_one",
                "the 1 + is missing: lr0 / (rate k) jumps UP to lr0 / rate (10 x lr0 for "
                "rate = 0.1) right after the hold; the decay is lr0 / (1 + rate k).",
                _ftd + "    return lambda epoch: lr0 if epoch < hold else "
                       "lr0 / (rate * (epoch - hold + 1))\n"),
        Mistake("fixed_rate",
                "rate = 0.1 is written in, so the `rate` argument is ignored: "
                "fixed_then_decay(0.1, 5, 0.5) decays with 0.5.",
                _ftd + "    return lambda epoch: lr0 if epoch < hold else "
                       "lr0 / (1 + 0.1 * (epoch - hold + 1))\n",
                hidden_only=True),
    ],
    alternatives=[
        _ftd + "    def schedule(epoch):\n"
               "        since = max(0, epoch - hold + 1)\n"
               "        return lr0 / (1 + rate * since)\n"
               "    return schedule\n",
        _ftd + "    def schedule(epoch):\n"
               "        if epoch < hold:\n"
               "            return lr0\n"
               "        k = epoch - hold + 1\n"
               "        return lr0 * 1.0 / (1.0 + k * rate)\n"
               "    return schedule\n",
    ],
)
