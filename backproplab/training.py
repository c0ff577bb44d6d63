"""The training loop: batch, online and mini-batch gradient descent (Samatova, "Applying
Backpropagation": "Batch and Online training", "Gradient and Stochastic Gradient Descent",
"Mini Batch Update").

One epoch is one pass over the training data. With B samples per batch, an epoch takes
ceil(n / B) steps; each step is

    forward pass -> loss of the batch -> backward pass (gradient = mean over the batch)
    -> optimizer.step(net.params, grads)

B = n (batch_size=None) is gradient descent, B = 1 online / stochastic gradient descent,
anything in between mini-batch gradient descent. The batches of an epoch come from
minibatches(): every sample exactly once, in the order of one rng.permutation(n) when
shuffling (Kauchak's "randomly shuffle training data" before every pass).
"""
from __future__ import annotations

import math
import numbers
import warnings
from dataclasses import dataclass, field

import numpy as np

from ._validate import _show, as_float_array, choice, positive_int, real_number, rng_from
from .deltas import _targets
from .losses import _SUMS
from .losses import NAMES as LOSS_NAMES
from .network import MLP
from .optimizers import Optimizer

__all__ = ["train", "train_online", "train_batch", "minibatches", "History", "DivergenceWarning"]


class DivergenceWarning(UserWarning):
    """train() stopped because the loss (or the gradient) became inf or NaN.

    A UserWarning rather than a RuntimeWarning so that it is not mistaken for (or filtered
    together with) NumPy's floating-point RuntimeWarnings, which train() suppresses.
    """


@dataclass
class History:
    """What happened during train(); one entry per epoch in each list.

    loss         the epoch's training loss: the mean over the epoch's samples of the loss of
                 each batch, each measured by the forward pass that computed its gradient,
                 i.e. BEFORE that batch's update (plus l2 * sum ||W||^2 when l2 > 0).
                 With batch_size=None this is exactly the full-data loss at the start of
                 the epoch. It costs nothing extra: the forward pass is needed anyway.
                 (A full-data loss after every epoch would cost one more forward pass over
                 all the data per epoch; for the loss after training, call net.loss(X, y).)
    grad_norm    the global L2 norm sqrt(sum over all parameters of sum g^2) of the gradient
                 of the epoch's LAST batch (with batch_size=None: the exact full-data
                 gradient at the start of the epoch). This is what `tol` is compared with.
    lr           the learning rate used during the epoch (after the schedule set it).
    epochs_run   epochs started (== len(loss)); steps: optimizer steps taken.
    diverged     True if the loss, the gradient or a parameter became inf/NaN; training
                 stopped there (the epoch in which it happened is counted, and its loss
                 entry is the non-finite batch loss when that is what was seen).
    stopped_early  True if `tol` or the callback stopped training (even in the last epoch).
    stop_reason  "epochs", "tol", "callback" or "diverged".
    """

    loss: list = field(default_factory=list)
    grad_norm: list = field(default_factory=list)
    lr: list = field(default_factory=list)
    epochs_run: int = 0
    steps: int = 0
    diverged: bool = False
    stopped_early: bool = False
    stop_reason: str = "epochs"

    def __repr__(self):
        last = f"{self.loss[-1]:.6g}" if self.loss else "-"
        return (f"History(epochs_run={self.epochs_run}, steps={self.steps}, last epoch loss={last}, "
                f"diverged={self.diverged}, "
                f"stop_reason={self.stop_reason!r})")


# ------------------------------------------------------------------------------ validation

def _check_net(net):
    for attr in ("forward", "backward", "params", "weights"):
        if not hasattr(net, attr):
            raise TypeError(f"train: net must be an MLP (with forward, backward, params and "
                            f"weights), got {type(net).__name__} without .{attr}")


def _check_optimizer(optimizer, need_lr):
    if not callable(getattr(optimizer, "step", None)):
        raise TypeError(f"train: optimizer must have a step(params, grads) method (e.g. SGD(0.1)), "
                        f"got {type(optimizer).__name__}")
    if need_lr and not hasattr(optimizer, "lr"):
        raise TypeError(f"train: a schedule sets optimizer.lr, but {type(optimizer).__name__} has no .lr")


def _check_data(X, y):
    # a float64 X is used as it is (it may be hundreds of megabytes): one pass over it for
    # NaN and inf, no copy; anything else is converted, as before
    X = as_float_array(X, "train", "X", ndim=2, finite=True, copy=False)
    try:
        raw = np.asarray(y)
    except (TypeError, ValueError) as exc:     # ragged nested lists
        raise TypeError(f"train: y must be an array of targets or class labels, "
                        f"got {type(y).__name__} ({exc})") from None
    if raw.dtype.kind in "iub":
        # integer class labels (n,) stay integers for cross_entropy; a copy, never a view
        y = np.array(raw, dtype=np.int64, copy=True)
        if y.ndim not in (1, 2):
            raise ValueError(f"train: y must be 1-D or 2-D, got shape {y.shape}")
    else:
        y = as_float_array(y, "train", "y", ndim=(1, 2), finite=True, copy=False)
    if X.shape[0] == 0:
        raise ValueError(f"train: X has shape {X.shape}; training needs at least one sample")
    if y.shape[0] != X.shape[0]:
        raise ValueError(f"train: X has {X.shape[0]} samples (shape {X.shape}) but y has "
                         f"{y.shape[0]} (shape {y.shape}); they need one row per sample")
    return X, y


def _check_batch_size(batch_size, n):
    if batch_size is None:
        return n
    if isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral):
        raise TypeError(f"train: batch_size must be None (full batch) or an integer, "
                        f"got {type(batch_size).__name__} {_show(batch_size)}")
    if not 1 <= batch_size <= n:
        raise ValueError(f"train: batch_size must be between 1 (online) and the number of samples "
                         f"{n} (full batch), or None for full batch; got {_show(batch_size)}")
    return int(batch_size)


def _check_callable(f, name):
    if f is not None and not callable(f):
        raise TypeError(f"train: {name} must be None or a callable, got {type(f).__name__}")


# ------------------------------------------------------------------------------ batches

def minibatches(X, y, batch_size, rng=None):
    """The mini-batches of one epoch: pairs (X_b, y_b), every sample in exactly one of them.

    With B = batch_size the epoch has ceil(n / B) batches: B samples each, the last one
    smaller when B does not divide n (B >= n: one batch of all n samples). rng (a numpy
    Generator) shuffles: the samples come in the order of ONE call rng.permutation(n), so
    calling minibatches once per epoch with the same generator gives a new order every
    epoch, the same sequence of orders as train(..., seed=rng). rng=None keeps X's order.

    The order is drawn when minibatches is called; the batches are then made as they are
    asked for (a generator): each one gathers its rows of X and y (X[idx], y[idx]), so an
    epoch never holds a shuffled copy of the whole data; with rng=None they are views of X
    and y themselves: do not change them in place.
    """
    where = "minibatches"
    X = X if type(X) is np.ndarray and X.dtype == np.float64 else as_float_array(X, where, "X")
    if X.ndim != 2:
        raise ValueError(f"{where}: X has shape {X.shape} but must be 2-D (n_samples, n_features)")
    y = np.asarray(y)
    if y.ndim not in (1, 2) or y.shape[0] != X.shape[0]:
        raise ValueError(f"{where}: X has shape {X.shape} and y has shape {y.shape}; y must be 1-D "
                         f"or 2-D with one row per sample ({X.shape[0]})")
    if X.shape[0] == 0:
        raise ValueError(f"{where}: X has shape {X.shape}: there is no sample to batch")
    batch_size = positive_int(batch_size, where, "batch_size")
    if rng is not None and not isinstance(rng, np.random.Generator):
        raise TypeError(f"{where}: rng must be a numpy Generator (np.random.default_rng(seed), made "
                        f"once and passed to every epoch) or None, got {type(rng).__name__} "
                        f"{_show(rng)}; a seed here would give every epoch the same order")
    n = X.shape[0]
    if rng is None:
        return ((X[start:start + batch_size], y[start:start + batch_size])
                for start in range(0, n, batch_size))
    order = rng.permutation(n)
    return ((X[idx], y[idx]) for idx in (order[start:start + batch_size]
                                         for start in range(0, n, batch_size)))


# ------------------------------------------------------------------------------ the loop

def _grad_norm(grads) -> float:
    return math.sqrt(sum(float(np.vdot(g, g)) for g in grads))


def _all_finite(arrays) -> bool:
    return all(bool(np.isfinite(a).all()) for a in arrays)


def _set_lr(optimizer, schedule, epoch):
    value = schedule(epoch)
    try:
        optimizer.lr = value
    except (TypeError, ValueError) as exc:
        raise ValueError(f"train: schedule({epoch}) returned {_show(value)}, which is not a valid "
                         f"learning rate ({exc})") from None


def _fast_path(net, optimizer) -> bool:
    """True when train() may run the network's and the optimizer's arithmetic without the
    argument checks of their public methods: an MLP and an Optimizer whose forward,
    backward and step are the package's own (a subclass that overrides one of them, such as
    a network that records its backward passes, is trained through the public methods)."""
    kind = type(net)
    return (isinstance(net, MLP) and kind.forward is MLP.forward
            and kind.backward is MLP.backward and kind._run is MLP._run
            and kind._gradients is MLP._gradients
            and isinstance(optimizer, Optimizer) and type(optimizer).step is Optimizer.step)


class _Run:
    """The state of one call to train(); one method per level of the loop.

    The first step goes through net.forward, net.backward and optimizer.step, which check
    everything about the batch, the network and the optimizer (and raise the errors they
    always raise). Every later step of the call has batches of the same kind, so when
    _fast_path allows it, it runs the same arithmetic without those checks (_fast_step).
    """

    def __init__(self, net, X, y, optimizer, loss, batch_size, shuffle, rng, l2):
        self.net, self.X, self.y, self.opt = net, X, y, optimizer
        self.loss_name = loss
        self.loss_sum, per = _SUMS[loss]
        self.batch, self.shuffle, self.rng, self.l2 = batch_size, shuffle, rng, l2
        self.n = X.shape[0]
        self.fast = _fast_path(net, optimizer)
        self.checked = False     # True once a step has gone through the public methods
        if self.fast and loss == "cross_entropy" and y.ndim == 1:
            # class labels, one-hot once for the whole call (the checks of MLP.backward)
            template = np.empty((self.n, net.layer_sizes[-1]))
            self.y = _targets(template, y, loss, "MLP.backward", "the network's output")
        elif self.fast and y.dtype != np.float64:
            self.y = y.astype(np.float64)    # integer targets, as MLP.backward would take them
        self.per_element = per == "elements"
        self.problem = None      # set to a description when something became inf/NaN

    def _penalty(self) -> float:
        if self.l2 == 0.0:
            return 0.0
        return self.l2 * sum(float(np.vdot(W, W)) for W in self.net.weights)

    def _count(self, y_hat) -> int:
        """What a batch's loss sum is divided by: its samples, or for "mse" its entries."""
        return y_hat.size if self.per_element else y_hat.shape[0]

    def _step(self, Xb, yb):
        """One forward / backward / update through the public methods. Returns the batch's
        loss summed over its samples (see _count), what that sum is to be divided by, and the
        gradients, all from before the update; the gradients are None when the network's
        output is not finite (nothing is updated then)."""
        net = self.net
        y_hat = net.forward(Xb)
        # a sum is the cheapest test of every entry: NaN and inf propagate into it
        if not math.isfinite(float(y_hat.sum())):
            return self._loss_sum(y_hat, yb), self._count(y_hat), None
        grads_W, grads_b = net.backward(yb, self.loss_name, self.l2)
        total = self._loss_sum(y_hat, yb)     # after backward, which has checked yb
        grads = [g for pair in zip(grads_W, grads_b) for g in pair]   # [W1, b1, W2, b2, ...]
        self.opt.step(net.params, grads)
        self.checked = True
        return total, self._count(y_hat), grads

    def _loss_sum(self, y_hat, yb):
        return self.loss_sum(y_hat, _targets(y_hat, yb, self.loss_name, "train"))

    def _fast_step(self, Xb, yb):
        """_step without the checks, for an MLP and an Optimizer (see _fast_path): the same
        arithmetic, number for number."""
        net = self.net
        net._cache = None
        net._cache = cache = net._run(Xb)
        y_hat = cache[1][-1]
        total = self.loss_sum(y_hat, yb)
        # a finite loss needs a finite output: only a loss that is not finite (an output
        # that is not, or a loss too large for float64) needs a look at the output itself
        if not math.isfinite(total) and not math.isfinite(float(y_hat.sum())):
            return total, self._count(y_hat), None
        net._grads = None
        net._grads = grads_W, grads_b = net._gradients(yb, self.loss_name, self.l2)
        grads = [g for pair in zip(grads_W, grads_b) for g in pair]
        self.opt._apply(net.params, grads)
        return total, self._count(y_hat), grads

    def epoch(self, history):
        """One pass over the data; returns (epoch loss, last batch's gradient norm).

        The epoch's loss adds up each batch's loss summed over its samples (from the output
        of the forward pass that computed its gradient) and divides by the number of
        samples once, at the end: the sample-weighted mean of the batch losses, and with a
        single batch exactly the loss function's value.
        """
        B, n = self.batch, self.n
        # with one batch the order cannot matter: no shuffle, and the rng is not drawn from
        rng = self.rng if self.shuffle and B < n else None
        total, count, penalty, grads = 0.0, 0, 0.0, None
        for Xb, yb in minibatches(self.X, self.y, B, rng):
            if self.l2:
                penalty += self._penalty() * Xb.shape[0]   # at the weights this batch sees
            step = self._fast_step if self.fast and self.checked else self._step
            batch_total, batch_count, grads = step(Xb, yb)
            if grads is None:
                self.problem = f"the network's output became inf or NaN in step {history.steps + 1}"
                return batch_total / batch_count, float("nan")
            history.steps += 1
            total += batch_total
            count += batch_count
        epoch_loss = total / count + penalty / n
        norm = _grad_norm(grads)
        if not math.isfinite(epoch_loss):
            self.problem = f"the training loss became {epoch_loss}"
        elif not math.isfinite(norm):
            self.problem = f"the gradient norm became {norm} in step {history.steps}"
        return epoch_loss, norm


def _warn_diverged(problem, epoch, optimizer, where, stacklevel):
    lr = getattr(optimizer, "lr", None)
    at = f" (lr = {lr:g})" if isinstance(lr, numbers.Real) else ""
    warnings.warn(f"{where}: training diverged at epoch {epoch}: {problem}; training stopped and "
                  f"History.diverged is True. The learning rate{at} is probably too large: lower "
                  "the learning rate (or scale the inputs).", DivergenceWarning,
                  stacklevel=stacklevel)


def train(net, X, y, optimizer, loss="quadratic", epochs=100, batch_size=None, shuffle=True,
          seed=None, l2=0.0, schedule=None, tol=None, callback=None) -> History:
    """Train `net` on (X, y) by gradient descent with `optimizer`; returns a History.

    net          an MLP (backproplab.network); its parameters are updated in place.
    X, y         X (n, n_features); y (n, n_outputs) targets, or (n,) integer labels for
                 "cross_entropy". NaN/inf are refused. Neither array is modified.
    optimizer    SGD, Momentum, Nesterov, Adagrad (backproplab.optimizers). Its state
                 carries over between calls, so calling train() again continues training;
                 call optimizer.reset() to start afresh.
    loss         "quadratic", "mse", "binary_cross_entropy" or "cross_entropy".
    epochs       a positive int: passes over the data. Epochs are counted from 0.
    batch_size   None: full batch (one step per epoch, the exact gradient);
                 1: online / stochastic; k: mini-batches of k samples, the last batch of an
                 epoch smaller if k does not divide n. Each step's gradient is the mean over
                 its batch (MLP.backward's convention).
    shuffle      if True and there is more than one batch, visit the samples in a new
                 random order every epoch (with one batch the order cannot matter).
    seed         None, an int or a numpy Generator for that order: the same seed (and the
                 same starting weights) gives the same run, number for number.
    l2           weight-decay strength: minimises loss + l2 * sum ||W||^2 (biases are not
                 regularised).
    schedule     None or a callable epoch -> lr (backproplab.optimizers.step_decay, ...);
                 at the start of every epoch optimizer.lr = schedule(epoch).
    tol          None or a number > 0: stop after an epoch whose grad_norm (the global L2
                 norm of the LAST batch's gradient, see History) is < tol. With full batch
                 that is the true gradient; with mini-batches it is a noisy estimate.
    callback     None or callable(epoch, history), called after every completed epoch (not
                 after one that diverged) with the History so far, before `tol` is checked;
                 returning True stops training (stop_reason "callback").

    Divergence: training stops, History.diverged is True and exactly one DivergenceWarning is
    emitted when a batch's output is inf/NaN (checked before its update, which is not made),
    when the epoch's loss or gradient norm is inf/NaN (at the end of that epoch), or when a
    parameter is inf/NaN after the last step. NumPy's overflow/invalid-value warnings are
    suppressed inside the loop (np.errstate), so there is no stream of them.
    """
    return _train(net, X, y, optimizer, loss, epochs, batch_size, shuffle, seed, l2, schedule,
                  tol, callback)


def _train(net, X, y, optimizer, loss, epochs, batch_size, shuffle, seed, l2, schedule, tol,
           callback, where="train", callers=1) -> History:
    """train()'s loop (also behind train_online and train_batch). `where` names the public
    function in the divergence warning, which points at the line that called it: `callers` is
    the number of backproplab frames between that line and this function."""
    _check_net(net)
    _check_callable(schedule, "schedule")
    _check_callable(callback, "callback")
    _check_optimizer(optimizer, need_lr=schedule is not None)
    X, y = _check_data(X, y)
    loss = choice(loss, LOSS_NAMES, "train", "loss")
    epochs = positive_int(epochs, "train", "epochs")
    B = _check_batch_size(batch_size, X.shape[0])
    if not isinstance(shuffle, bool):
        raise TypeError(f"train: shuffle must be True or False, got {type(shuffle).__name__}")
    rng = rng_from(seed, "train")
    l2 = real_number(l2, "train", "l2", minimum=0.0)
    if tol is not None:
        tol = real_number(tol, "train", "tol", minimum=0.0, strict=True)

    run = _Run(net, X, y, optimizer, loss, B, shuffle, rng, l2)
    history = History()
    for epoch in range(epochs):
        if schedule is not None:
            _set_lr(optimizer, schedule, epoch)
        lr = getattr(optimizer, "lr", None)
        history.lr.append(float(lr) if isinstance(lr, numbers.Real) else lr)
        with np.errstate(all="ignore"):
            epoch_loss, norm = run.epoch(history)
        history.loss.append(float(epoch_loss))
        history.grad_norm.append(norm)
        history.epochs_run += 1
        if run.problem is not None:
            break
        stop = callback is not None and callback(epoch, history) is True
        if stop:
            history.stop_reason = "callback"
        elif tol is not None and norm < tol:
            history.stop_reason = "tol"
        if history.stop_reason != "epochs":
            history.stopped_early = True
            break

    if run.problem is None and not _all_finite(net.params):
        # the last update itself overflowed: no later forward pass would have seen it
        run.problem = "a parameter became inf or NaN in the last step"
    if run.problem is not None:
        history.diverged, history.stop_reason = True, "diverged"
        # frames: warnings.warn <- _warn_diverged <- _train <- `callers` public ones <- the user
        _warn_diverged(run.problem, history.epochs_run - 1, optimizer, where, 3 + callers)
    return history


# ------------------------------------------------------------------------------ lesson 06's loops

def _epoch_losses(net, X, y, lr, epochs, batch_size, rng, l2, where):
    """train() one epoch at a time; J on the whole set after each epoch."""
    from .optimizers import SGD
    lr = real_number(lr, where, "lr", minimum=0.0, strict=True)
    epochs = positive_int(epochs, where, "epochs")
    losses = []

    def after_epoch(epoch, history):
        # J after the update can overflow an epoch before train() sees it diverge: one
        # DivergenceWarning then, not NumPy's overflow warning first
        with np.errstate(all="ignore"):
            losses.append(net.loss(X, y, l2=l2))

    _train(net, X, y, SGD(lr), "quadratic", epochs, batch_size, True, rng, l2, None, None,
           after_epoch, where=where, callers=2)
    return losses


def train_online(net, X, y, lr, epochs, rng, l2=0.0):
    """Kauchak's loop: every epoch, shuffle the examples, then one update per example.

        for each epoch:  order = rng.permutation(n)
                         for i in order:  forward(x_i), backward(y_i), w <- w - lr * dJ_i/dw
                         record J = quadratic loss over all of X + l2 sum ||W||^2

    net: an MLP, trained in place (quadratic loss, each example's gradient with the penalty
    l2 sum ||W||^2, as MLP.backward computes it); rng: a numpy Generator (or a seed), drawn
    from exactly once per epoch by rng.permutation(n), as train() does. Returns the list of
    J after each epoch (`epochs` floats; fewer if training diverged, which train() reports).
    """
    return _epoch_losses(net, X, y, lr, epochs, 1, rng, l2, "train_online")


def train_batch(net, X, y, lr, epochs, l2=0.0):
    """Full-batch gradient descent (Samatova's XOR "batch" training): one update per epoch.

        for each epoch:  forward(X), backward(y) (the gradient of J averaged over all the
                         examples), w <- w - lr * dJ/dw;  record J after the update

    J = the quadratic loss (mean over the examples) + l2 sum ||W||^2. net: an MLP, trained in
    place. Returns the list of J after each epoch (`epochs` floats).
    """
    return _epoch_losses(net, X, y, lr, epochs, None, None, l2, "train_batch")
