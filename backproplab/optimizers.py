"""Gradient-descent update rules (Samatova, "Backpropagation Weight Update" onwards).

Notation of Samatova: gamma is the learning rate (`lr`), alpha the momentum (`momentum`),
dE/dw the gradient `g` of the error with respect to a weight w, t the step number.

Every optimizer has one method, ``step(params, grads)``: `params` and `grads` are lists of
arrays of matching shapes (e.g. ``net.params`` and ``net.grads``, [W1, b1, W2, b2, ...]).
The parameter arrays are updated IN PLACE (the very same array objects change), so a
network whose `.weights` and `.biases` are those arrays sees the new values at once.
The other arguments are never modified.

Optimizers with a memory (Momentum, Nesterov, Adagrad) keep one state array per position
in the `params` list. The shapes are remembered at the first step; a later step with a
different number of arrays or different shapes raises ValueError instead of silently
mixing the state of two networks. Call ``reset()`` to start afresh (e.g. for a new network).

The learning rate ``lr`` can be changed between steps (that is what a learning-rate
schedule does); the new value is checked like the one given to the constructor.

The same updates for ONE array, as functions without a memory (lesson 08's exercises):
momentum_step, nesterov_step and adagrad_step take the state explicitly and return the new
weights and the new state, ``(w_new, state)``, leaving their arguments alone. The classes
call them, so that the two forms cannot drift apart.

Learning-rate schedules (Samatova, "Learning Rate Strategies") are at the end of this
module: constant, step_decay and fixed_then_decay return callables ``epoch -> lr``.
"""
from __future__ import annotations

import functools
import numbers

import numpy as np

from ._validate import _show, as_float_array, positive_int, real_number

__all__ = ["Optimizer", "SGD", "Momentum", "Nesterov", "Adagrad",
           "sgd_step", "momentum_step", "nesterov_step", "adagrad_step",
           "constant", "step_decay", "fixed_then_decay"]


def _learning_rate(lr, where):
    return real_number(lr, where, "lr (the learning rate gamma)", minimum=0.0, strict=True)


def _momentum(momentum, where):
    m = real_number(momentum, where, "momentum (alpha)", minimum=0.0)
    if m >= 1.0:
        # alpha >= 1 never forgets a step: the velocity grows without bound
        raise ValueError(f"{where}: momentum (alpha) must be < 1, got {m}; "
                         "Samatova suggests alpha ~ 0.9")
    return m


_FLOAT64 = np.dtype(np.float64)
_LARGE = 1 << 15     # elements (256 kB of float64): SGD updates larger arrays with BLAS axpy
# OpenBLAS runs an axpy of more than 10,000 elements on several threads. SciPy's BLAS has a
# thread pool of its own, beside NumPy's: waking it between NumPy's matrix products leaves
# two pools spinning on the same cores (a step several times slower on two cores). Pieces of
# at most this many elements always run on the calling thread.
_AXPY_PIECE = 10_000


@functools.lru_cache(maxsize=None)
def _axpy():
    """BLAS daxpy (y <- a x + y, in place, one pass over x and y) from SciPy, or None.

    Imported on first use: importing backproplab does not load scipy.linalg (a quarter of
    a second), and only a network with a layer of _LARGE weights or more ever needs it."""
    try:
        from scipy.linalg.blas import daxpy
    except ImportError:
        return None
    return daxpy


def _subtract_scaled(w, g, lr):
    """w <- w - lr * g in place, for a large C-ordered float64 w and float64 g of its shape,
    in ONE pass over w and g (NumPy needs two: lr * g into an array, then w minus it, and
    the second array costs as much again as the update itself at 1.6 MB). Each weight gets
    w - lr * g rounded once where the CPU fuses the multiply and the add (FMA), which can
    differ from NumPy's twice-rounded w - (lr * g) in the last bit. Returns False, having
    changed nothing, when SciPy's BLAS is missing or w or g is not one C-ordered block (a
    contiguous copy of a strided g would cost the pass and the new array saved)."""
    axpy = _axpy()
    if (axpy is None or not (w.flags.c_contiguous and g.flags.c_contiguous)
            or np.may_share_memory(w, g)):
        return False     # (overlapping arrays: NumPy's ufuncs know how to read before writing)
    flat_w, flat_g = w.reshape(-1), g.reshape(-1)
    size, a = flat_w.size, -lr
    for start in range(0, size, _AXPY_PIECE):
        # daxpy(x, y, n, a, offx, incx, offy, incy): f2py writes y in place; offsets rather
        # than slices, and no keywords, keep the 21 calls of a 784 x 256 layer cheap
        axpy(flat_g, flat_w, min(_AXPY_PIECE, size - start), a, start, 1, start, 1)
    return True


def _ready(params, grads) -> bool:
    """True when params and grads are lists of float64 arrays, pair by pair of one shape,
    every parameter writable: the common case, recognised without building anything (any
    other input goes through _check_lists, which accepts or explains it)."""
    if type(params) is not list or type(grads) is not list or len(params) != len(grads):
        return False
    for w, g in zip(params, grads):
        if not (type(w) is np.ndarray and type(g) is np.ndarray and w.dtype is _FLOAT64
                and g.dtype is _FLOAT64 and w.shape == g.shape and w.flags.writeable):
            return False
    return True


def _check_lists(params, grads, where):
    """Return grads as float arrays after checking both lists; params must be updatable in place."""
    for name, seq in (("params", params), ("grads", grads)):
        if not isinstance(seq, (list, tuple)):
            raise TypeError(f"{where}: {name} must be a list of arrays, got {type(seq).__name__}")
    if len(params) != len(grads):
        raise ValueError(f"{where}: got {len(params)} params but {len(grads)} grads; "
                         "they must match one to one")
    checked = []
    for i, (w, g) in enumerate(zip(params, grads)):
        if not isinstance(w, np.ndarray):
            raise TypeError(f"{where}: params[{i}] must be a NumPy array to be updated in place, "
                            f"got {type(w).__name__}")
        if w.dtype.kind != "f":
            raise TypeError(f"{where}: params[{i}] has dtype {w.dtype}; an integer array cannot "
                            "hold the updated values in place: use a float64 array "
                            "(e.g. w.astype(float))")
        if not w.flags.writeable:
            raise ValueError(f"{where}: params[{i}] is read-only and cannot be updated in place")
        if not isinstance(g, np.ndarray) or g.dtype.kind not in "fiu":
            # refuses None, text and complex numbers, which np.asarray would turn into nan,
            # garbage or (dropping the imaginary part) a silently wrong step
            try:
                g = as_float_array(g, where, f"grads[{i}]")
            except TypeError as exc:
                got = str(exc).split(", got ", 1)[-1]
                raise TypeError(f"{where}: grads[{i}] must be an array of numbers, got {got}") from None
        if g.shape != w.shape:
            raise ValueError(f"{where}: grads[{i}] has shape {g.shape} but params[{i}] has shape "
                             f"{w.shape}; each gradient must have its parameter's shape")
        checked.append(g)
    return checked


# --------------------------------------------------------------------------------------
# One update of one array, state in and state out (no memory of their own).

def _step_arrays(w, grad, state, where, state_name):
    """w, grad and the state as new float64 arrays of one shape (the caller's stay untouched)."""
    w = as_float_array(w, where, "w")
    grad = as_float_array(grad, where, "grad")
    state = as_float_array(state, where, state_name)
    for name, arr in (("grad", grad), (state_name, state)):
        if arr.shape != w.shape:
            raise ValueError(f"{where}: {name} has shape {arr.shape} but w has shape {w.shape}; "
                             f"{name} must have the weights' shape")
    return w, grad, state


def momentum_step(w, grad, dw_prev, lr, momentum=0.9):
    """One step of gradient descent with momentum (Samatova, "Backpropagation Weight Update"):

        Delta w_t = -gamma * dE/dw_t + alpha * Delta w_{t-1},    w_{t+1} = w_t + Delta w_t

    w: the weights w_t; grad: dE/dw at w_t; dw_prev: the previous step Delta w_{t-1} (zeros
    before the first step), all of one shape; lr: gamma > 0; momentum: alpha in [0, 1).
    Returns (w_t + Delta w_t, Delta w_t) as new float64 arrays; the new state is the step itself.
    """
    where = "momentum_step"
    w, g, dw_prev = _step_arrays(w, grad, dw_prev, where, "dw_prev")
    return _momentum_update(w, g, dw_prev, _learning_rate(lr, where), _momentum(momentum, where))


def _momentum_update(w, g, dw_prev, lr, a):
    """momentum_step's arithmetic, on arguments already checked (the class's fast path)."""
    dw = a * dw_prev - lr * g
    return w + dw, dw


def nesterov_step(w, grad, n_prev, lr, momentum=0.9):
    """One step of Nesterov momentum in Samatova's form ("Problem w/ Mini-Batching & Nesterov
    Momentum"):

        n_t = alpha * n_{t-1} + gamma * dE/dw_t
        Delta w_t = alpha * n_{t-1} - (1 + alpha) * n_t,    w_{t+1} = w_t + Delta w_t

    with n_0 = 0 and the gradient taken at w_t itself (the form is Nesterov's look-ahead
    rewritten so that no second point is needed; lesson 08 shows the two agree).
    Returns (w_t + Delta w_t, n_t) as new float64 arrays.
    """
    where = "nesterov_step"
    w, g, n_prev = _step_arrays(w, grad, n_prev, where, "n_prev")
    return _nesterov_update(w, g, n_prev, _learning_rate(lr, where), _momentum(momentum, where))


def _nesterov_update(w, g, n_prev, lr, a):
    """nesterov_step's arithmetic, on arguments already checked."""
    n = a * n_prev + lr * g
    return w + (a * n_prev - (1.0 + a) * n), n


def adagrad_step(w, grad, G_prev, lr, eps=1e-8):
    """One Adagrad step (Samatova, "Adaptive Subgradient (Adagrad)"), weight by weight:

        G_t = G_{t-1} + (dE/dw_t)^2,    w_{t+1} = w_t - gamma * dE/dw_t / (sqrt(G_t) + eps)

    G_prev: the sum of the squared gradients so far (zeros before the first step). Samatova's
    rate gamma / sqrt(sum of squared gradients) has no eps; eps > 0 keeps a weight whose
    gradients have all been 0 from computing 0 / 0 (eps = 0: her formula, such weights stay).
    Returns (w_{t+1}, G_t) as new float64 arrays.
    """
    where = "adagrad_step"
    w, g, G_prev = _step_arrays(w, grad, G_prev, where, "G_prev")
    lr = _learning_rate(lr, where)
    eps = real_number(eps, where, "eps", minimum=0.0)
    if np.any(G_prev < 0):
        raise ValueError(f"{where}: G_prev holds negative values; it is a sum of squared "
                         "gradients (zeros before the first step)")
    return _adagrad_update(w, g, G_prev, lr, eps)


def _adagrad_update(w, g, G_prev, lr, eps):
    """adagrad_step's arithmetic, on arguments already checked."""
    G = G_prev + g * g
    denom = np.sqrt(G)
    if eps > 0.0:
        return w - lr * g / (denom + eps), G
    # Samatova exactly: where G is still 0 the gradient is 0 too; leave the weight alone
    return w - lr * np.divide(g, denom, out=np.zeros_like(g), where=denom > 0.0), G


class Optimizer:
    """Base class: validation, the learning rate, and per-position state bookkeeping.

    Subclasses implement ``_update(i, w, g)``, which changes ``w`` in place.
    Attributes: lr (settable), t (steps taken since the last reset()).
    Gradients are not checked for NaN/inf: they would propagate into the parameters, and
    train() detects that as divergence.
    """

    def __init__(self, lr):
        self._lr = _learning_rate(lr, type(self).__name__)
        self._shapes = None      # shapes of the params list at the first step since reset()
        self.t = 0               # number of steps taken since reset()

    @property
    def lr(self) -> float:
        """The learning rate gamma (> 0, finite); may be changed between steps."""
        return self._lr

    @lr.setter
    def lr(self, value):
        self._lr = _learning_rate(value, f"{type(self).__name__}.lr")

    def reset(self) -> None:
        """Forget every state array and the remembered shapes (step count back to 0)."""
        self._shapes = None
        self.t = 0
        self._clear_state()

    def _clear_state(self) -> None:
        pass

    def _remember_shapes(self, params) -> None:
        shapes = tuple(w.shape for w in params)
        if self._shapes is None:
            self._shapes = shapes
        elif shapes != self._shapes:
            raise ValueError(
                f"{type(self).__name__}.step: params changed since the first step: this "
                f"optimizer's state belongs to {len(self._shapes)} arrays of shapes "
                f"{list(self._shapes)}, now got "
                f"{len(shapes)} arrays of shapes {list(shapes)}; call reset() before using "
                "it for other parameters")

    def step(self, params, grads) -> None:
        """Update every array of `params` in place from the matching array of `grads`."""
        if not _ready(params, grads):
            grads = _check_lists(params, grads, f"{type(self).__name__}.step")
        self._remember_shapes(params)
        self._apply(params, grads)

    def _apply(self, params, grads) -> None:
        """step() without its checks, for a caller that has made them already (train() does,
        at its first step): params and grads lists of float arrays that fit one another."""
        update = self._update
        for i, (w, g) in enumerate(zip(params, grads)):
            update(i, w, g)
        self.t += 1

    def _update(self, i, w, g) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def __repr__(self):
        return f"{type(self).__name__}(lr={self.lr!r})"


class SGD(Optimizer):
    """Plain gradient descent: w <- w - gamma * dE/dw.

    Samatova's update with alpha = 0: Delta w_t = -gamma dE/dw_t. No state, so SGD may be
    used on lists of any shapes from one step to the next.

    Arrays of at least 32,768 float64 weights (an MNIST-sized layer), stored in C order like
    their gradients, are updated in one pass with BLAS axpy, which rounds w - gamma * g once per weight where the CPU has fused
    multiply-add: within one rounding of NumPy's w - gamma * g, and then the nearer of the
    two to the exact value. Smaller arrays get NumPy's w - gamma * g, bit for bit (as
    Momentum with alpha = 0 and sgd_step compute it).
    """

    def __init__(self, lr):
        super().__init__(lr)
        self._work = {}   # shape -> the array lr * g is written into, where axpy cannot serve

    def _remember_shapes(self, params) -> None:
        pass  # stateless: nothing could be mixed up

    def _apply(self, params, grads) -> None:
        if type(self)._update is not SGD._update:    # a subclass with a rule of its own
            super()._apply(params, grads)
            return
        lr = self._lr
        for w, g in zip(params, grads):
            if g.size < _LARGE or g.dtype is not _FLOAT64 or w.dtype is not _FLOAT64:
                w -= lr * g
            elif not _subtract_scaled(w, g, lr):
                # w -= lr * g with lr * g written into an array kept from the last step: a
                # new array of a large layer's size at every step can cost fresh pages from
                # the operating system each time (the allocator hands big blocks back)
                work = self._work.get(g.shape)
                if work is None:
                    work = self._work[g.shape] = np.empty(g.shape)
                np.multiply(g, lr, out=work)
                w -= work
        self.t += 1

    def _update(self, i, w, g) -> None:
        w -= self._lr * g


def sgd_step(params, grads, lr) -> None:
    """One gradient-descent step, in place: w <- w - gamma * dE/dw for every array.

    Samatova's Delta w_t = -gamma dE/dw_t (momentum alpha = 0); Kang's theta <- theta - eps g.
    params: the arrays to change (e.g. net.params: the network's own arrays, or views of
    them such as W.T), grads: their gradients, same shapes; lr: gamma > 0. The very arrays
    in `params` change, so the network holding them sees the step; returns None.
    """
    lr = _learning_rate(lr, "sgd_step")
    for w, g in zip(params, _check_lists(params, grads, "sgd_step")):
        w -= lr * g


class Momentum(Optimizer):
    """Gradient descent with momentum (Samatova, "Backpropagation Weight Update").

        Delta w_t = -gamma * dE/dw_t + alpha * Delta w_{t-1},    w <- w + Delta w_t

    with Delta w_0 = 0, gamma = lr, alpha = momentum in [0, 1). alpha = 0 is SGD.
    The state is Delta w_{t-1}, one array per parameter.
    """

    def __init__(self, lr, momentum=0.9):
        super().__init__(lr)
        self.momentum = _momentum(momentum, "Momentum")
        self._dw = {}

    def _clear_state(self) -> None:
        self._dw = {}

    def _update(self, i, w, g) -> None:
        dw_prev = self._dw.get(i)
        if dw_prev is None:
            dw_prev = np.zeros_like(w)
        w[...], self._dw[i] = _momentum_update(w, g, dw_prev, self.lr, self.momentum)

    def __repr__(self):
        return f"Momentum(lr={self.lr!r}, momentum={self.momentum!r})"


class Nesterov(Optimizer):
    """Nesterov momentum, in Samatova's form ("Problem w/ Mini-Batching & Nesterov Momentum").

        n_0 = 0
        n_t = alpha * n_{t-1} + gamma * dE/dw_t
        Delta w_t = alpha * n_{t-1} - (1 + alpha) * n_t,    w <- w + Delta w_t

    Substituting n_t gives Delta w_t = -alpha^2 n_{t-1} - (1 + alpha) gamma dE/dw_t; the
    first step is therefore -(1 + alpha) * gamma * dE/dw. The gradient is taken at the
    current weights (this rewriting is what spares Nesterov's look-ahead point).
    """

    def __init__(self, lr, momentum=0.9):
        super().__init__(lr)
        self.momentum = _momentum(momentum, "Nesterov")
        self._n = {}

    def _clear_state(self) -> None:
        self._n = {}

    def _update(self, i, w, g) -> None:
        n_prev = self._n.get(i)
        if n_prev is None:
            n_prev = np.zeros_like(w)
        w[...], self._n[i] = _nesterov_update(w, g, n_prev, self.lr, self.momentum)

    def __repr__(self):
        return f"Nesterov(lr={self.lr!r}, momentum={self.momentum!r})"


class Adagrad(Optimizer):
    """Adaptive subgradient (Samatova, "Adaptive Subgradient (Adagrad)").

        G_t = G_{t-1} + (dE/dw_t)^2                    (elementwise, G_0 = 0)
        w <- w - gamma * dE/dw_t / (sqrt(G_t) + eps)

    Samatova writes the per-weight rate gamma_i = gamma / sqrt(sum (gradient of i)^2): the
    sum of the squared gradients so far, including the current one, and no eps. eps (> 0
    by default) keeps a weight whose gradients have all been 0 from dividing 0 by 0; with
    eps = 0 the seed's formula is used exactly, and such weights are simply not moved.
    Because G_1 = g^2, the first step is gamma * g / (|g| + eps) ~ gamma * sign(g).
    """

    def __init__(self, lr, eps=1e-8):
        super().__init__(lr)
        self.eps = real_number(eps, "Adagrad", "eps", minimum=0.0)
        self._G = {}

    def _clear_state(self) -> None:
        self._G = {}

    def _update(self, i, w, g) -> None:
        G_prev = self._G.get(i)
        if G_prev is None:
            G_prev = np.zeros_like(w)
        w[...], self._G[i] = _adagrad_update(w, g, G_prev, self.lr, self.eps)

    def __repr__(self):
        return f"Adagrad(lr={self.lr!r}, eps={self.eps!r})"


# --------------------------------------------------------------------------------------
# Learning-rate schedules (Samatova, "Learning Rate Strategies"). A schedule is a callable
# epoch -> lr; epochs are counted from 0. train() calls it at the start of every epoch.

def _as_float(k) -> float:
    """An epoch count as a float; one beyond float64's range is inf, the schedule's limit."""
    try:
        return float(k)
    except OverflowError:
        return float("inf")


def _epoch(epoch, where) -> int:
    if isinstance(epoch, bool) or not isinstance(epoch, numbers.Integral):
        raise TypeError(f"{where}: epoch must be an integer (epochs are counted from 0), "
                        f"got {type(epoch).__name__} {_show(epoch)}")
    return positive_int(epoch, where, "epoch", minimum=0)


class _Schedule:
    """A named, inspectable epoch -> lr callable."""

    def __init__(self, name, formula, fn, **args):
        self._name, self._fn, self.args = name, fn, args
        self.formula = formula

    def __call__(self, epoch) -> float:
        return float(self._fn(_epoch(epoch, self._name)))

    def __repr__(self):
        inner = ", ".join(f"{k}={v!r}" for k, v in self.args.items())
        return f"{self._name}({inner})"


def constant(lr):
    """The "Fixed" strategy: lr(epoch) = lr for every epoch."""
    lr = _learning_rate(lr, "constant")
    return _Schedule("constant", "lr", lambda epoch: lr, lr=lr)


def step_decay(lr0, drop=0.5, every=10):
    """"Steadily decreasing" in steps: lr(epoch) = lr0 * drop ** (epoch // every).

    Epochs 0 .. every-1 use lr0, the next `every` epochs lr0 * drop, and so on.
    drop in (0, 1]; every a positive integer.
    """
    lr0 = _learning_rate(lr0, "step_decay")
    drop = real_number(drop, "step_decay", "drop", minimum=0.0, strict=True, maximum=1.0)
    every = positive_int(every, "step_decay", "every")
    return _Schedule("step_decay", "lr0 * drop ** (epoch // every)",
                     lambda epoch: lr0 * drop ** _as_float(epoch // every),
                     lr0=lr0, drop=drop, every=every)


def fixed_then_decay(lr0, hold=10, rate=0.1):
    """"Fixed at the beginning, steadily decreasing after a certain point" (inverse-time decay).

        lr(epoch) = lr0                                       for epoch < hold
        lr(epoch) = lr0 / (1 + rate * (epoch - hold + 1))     for epoch >= hold

    So the first `hold` epochs (0 .. hold-1) run at lr0 and epoch `hold` is the first to
    decay, to lr0 / (1 + rate); after that the rate falls like 1/epoch, slowly enough that
    training keeps moving. hold is an integer >= 0 (0: decay from the start); rate > 0.
    """
    lr0 = _learning_rate(lr0, "fixed_then_decay")
    hold = positive_int(hold, "fixed_then_decay", "hold", minimum=0)
    rate = real_number(rate, "fixed_then_decay", "rate", minimum=0.0, strict=True)

    def lr(epoch):
        if epoch < hold:
            return lr0
        return lr0 / (1.0 + rate * _as_float(epoch - hold + 1))

    return _Schedule("fixed_then_decay",
                     "lr0 if epoch < hold else lr0 / (1 + rate * (epoch - hold + 1))",
                     lr, lr0=lr0, hold=hold, rate=rate)

