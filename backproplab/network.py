"""A fully connected feed-forward network (multi-layer perceptron) trained by backpropagation.

Batch-first, as in the rest of the package: X has one sample per row, and layer l computes

    z^(l) = a^(l-1) @ W^(l) + b^(l),    a^(l) = phi_l(z^(l)),    a^(0) = X,

with W^(l) of shape (n_in, n_out) (W[i, j] is the weight from unit i to unit j, Samatova's
w^{IH}_ij) and b^(l) of shape (n_out,). In the column-vector notation of Kang-003,
a = W h + b, the weight matrix is the transpose of ours.

backward() is Samatova's algorithm: node deltas at the output (step 2), passed back layer by
layer (step 3), and each layer's gradient as the batch mean of a_prev * delta. The arithmetic
lives in backproplab.deltas, shared with the public delta functions.
"""
from __future__ import annotations

import math

import numpy as np

from . import activations as _act
from . import init as _init
from . import losses as _losses
from ._validate import (MAX_ELEMENTS, _show, as_float_array, check_size, choice, positive_int,
                        real_number, rng_from)
from .deltas import _backward_sweep, _check_probability_output, _targets


def _array_list(value, refusal: str) -> list:
    """`value` as a list (of arrays to be checked one by one); TypeError `refusal` otherwise.

    A string is iterable but never a list of arrays, so it is refused too.
    """
    try:
        if isinstance(value, (str, bytes)):
            raise TypeError
        return list(value)
    except TypeError:
        raise TypeError(f"{refusal}, got {type(value).__name__}") from None


class _LayerArrays(list):
    """One array per layer whose shapes are fixed: net.weights and net.biases.

    Assigning an item (net.weights[0] = W) checks the shape and stores a float64 COPY, so
    training never changes the caller's array; the list's length cannot change.
    Re-assigning the array already stored (net.weights[0] -= 0.1 * g does that) keeps it.
    """

    def __init__(self, arrays, shapes, name):
        super().__init__(arrays)
        self._shapes = tuple(shapes)
        self._name = name

    def _checked(self, i, value):
        if isinstance(value, np.ndarray) and value is list.__getitem__(self, i):
            return value
        where = f"MLP.{self._name}[{i}]"
        arr = as_float_array(value, where, "the new value")
        want = self._shapes[i]
        if arr.shape != want:
            kind = "(n_in, n_out)" if self._name == "weights" else "(n_out,)"
            raise ValueError(f"{where}: got an array of shape {arr.shape} but layer {i + 1} "
                             f"needs shape {want} {kind}")
        return arr

    def __setitem__(self, index, value):
        if isinstance(index, slice):
            positions = range(*index.indices(len(self)))
            values = _array_list(value, f"MLP.{self._name}[{index.start}:{index.stop}]: assign a "
                                        "list of arrays")
            if len(values) != len(positions):
                self._refuse()
            for i, v in zip(positions, values):
                list.__setitem__(self, i, self._checked(i, v))
            return
        i = index.__index__() if hasattr(index, "__index__") else index
        if not isinstance(i, int):
            raise TypeError(f"MLP.{self._name}: index must be an integer, got {type(index).__name__}")
        if not -len(self) <= i < len(self):
            raise IndexError(f"MLP.{self._name}: index {i} out of range for {len(self)} layers")
        i %= len(self)
        list.__setitem__(self, i, self._checked(i, value))

    def _refuse(self, *args, **kwargs):
        raise TypeError(f"MLP.{self._name} holds exactly one array per layer ({len(self)}); "
                        f"its length cannot change: assign net.{self._name}[i] = array instead")

    append = extend = insert = pop = remove = clear = __delitem__ = _refuse
    __iadd__ = __imul__ = sort = reverse = _refuse

    def __reduce__(self):
        # copy.deepcopy / pickle rebuild through __init__ (list's default would call extend)
        return (type(self), (list(self), self._shapes, self._name))


_FLOAT64 = np.dtype(np.float64)   # the common case is recognised by identity, cheaply

# Far more layers than any network of the course; each layer costs a few Python objects, so
# MLP([1] * 10**7) would take a minute and gigabytes before failing anywhere else.
_MAX_LAYERS = 10_000


def _layer_sizes(layer_sizes):
    where = "MLP"
    if isinstance(layer_sizes, (str, bytes)) or not hasattr(layer_sizes, "__len__"):
        raise TypeError(f"{where}: layer_sizes must be a list of layer widths such as [2, 3, 1], "
                        f"got {type(layer_sizes).__name__}")
    try:
        count = len(layer_sizes)
    except TypeError:                          # a 0-d array has __len__ but no length
        raise TypeError(f"{where}: layer_sizes must be a list of layer widths such as [2, 3, 1], "
                        f"got {type(layer_sizes).__name__} of shape ()") from None
    if count > _MAX_LAYERS:
        raise ValueError(f"{where}: layer_sizes gives {count} layers, more than the "
                         f"limit of {_MAX_LAYERS}")
    sizes = [positive_int(n, where, f"layer_sizes[{i}]") for i, n in enumerate(layer_sizes)]
    # refused before any weight is drawn: MLP([2, 10**12, 1]) must not try to allocate terabytes
    total = sum(m * k + k for m, k in zip(sizes[:-1], sizes[1:]))
    if total > MAX_ELEMENTS:
        check_size(total, where, "the weights and biases of these layer_sizes together")
    if len(sizes) < 2:
        raise ValueError(f"{where}: layer_sizes must give at least two sizes, the inputs and the "
                         f"outputs (e.g. [2, 3, 1]), got {_show(list(layer_sizes))}")
    return sizes


def _activation_names(activations, n_layers):
    where = "MLP"
    if isinstance(activations, str):
        activations = [activations] * n_layers
    elif isinstance(activations, (list, tuple)):
        if len(activations) != n_layers:
            raise ValueError(f"{where}: got {len(activations)} activations for {n_layers} layers of "
                             "weights; give one name per layer (len(layer_sizes) - 1) or a "
                             "single name for all of them")
    else:
        raise TypeError(f"{where}: activations must be a name or a list of names, "
                        f"got {type(activations).__name__}")
    return [choice(a, _act.NAMES, where, "activation") for a in activations]


class MLP:
    """Multi-layer perceptron.

    MLP(layer_sizes, activations="sigmoid", init="xavier", seed=None)
        layer_sizes: widths from the inputs to the outputs, e.g. [2, 3, 1]
        activations: one name for every layer, or a list with one name per layer of weights
                     (names as in backproplab.activations, e.g. ["relu", "softmax"])
        init: "xavier" (N(0, 2/(n_in + n_out)), Samatova), "he" (N(0, 2/n_in)) or "zeros";
              biases start at 0
        seed: None, an int or a numpy Generator, for the initial weights

    Attributes: layer_sizes and activations (tuples), weights, biases (assignable, item by
    item or whole; shapes are checked and a copy is stored), params, grads, z and a (the
    values cached by the last forward).
    """

    _losses_ok = frozenset()   # the loss names backward() has accepted for this network

    def __init__(self, layer_sizes, activations="sigmoid", init="xavier", seed=None):
        sizes = _layer_sizes(layer_sizes)
        self.layer_sizes = tuple(sizes)
        self.activations = tuple(_activation_names(activations, len(sizes) - 1))
        self._phi = ()      # the kernels, chosen on the first forward pass (_kernels)
        draw = _init.get_init(choice(init, _init.NAMES, "MLP", "init"))
        rng = rng_from(seed, "MLP")
        self._w_shapes = [(m, k) for m, k in zip(sizes[:-1], sizes[1:])]
        self._b_shapes = [(k,) for k in sizes[1:]]
        self._weights = _LayerArrays([draw(m, k, rng) for m, k in self._w_shapes],
                                     self._w_shapes, "weights")
        self._biases = _LayerArrays([np.zeros(s) for s in self._b_shapes], self._b_shapes, "biases")
        self._widest = max(sizes)   # bounds the size of every array a forward pass makes
        self._cache = None   # (zs, as) of the last forward
        self._grads = None   # (grads_W, grads_b) of the last backward

    def __repr__(self):
        return f"MLP({list(self.layer_sizes)}, activations={list(self.activations)})"

    # ---------------------------------------------------------------- parameters
    @property
    def weights(self):
        """W^(1), W^(2), ...: arrays of shape (n_in, n_out)."""
        return self._weights

    @weights.setter
    def weights(self, arrays):
        self._weights = self._replace(arrays, self._w_shapes, "weights")

    @property
    def biases(self):
        """b^(1), b^(2), ...: arrays of shape (n_out,)."""
        return self._biases

    @biases.setter
    def biases(self, arrays):
        self._biases = self._replace(arrays, self._b_shapes, "biases")

    def _replace(self, arrays, shapes, name):
        arrays = _array_list(arrays, f"MLP.{name}: assign a list with one array per layer")
        if len(arrays) != len(shapes):
            raise ValueError(f"MLP.{name}: got {len(arrays)} arrays but the network has "
                             f"{len(shapes)} layers")
        new = _LayerArrays([None] * len(shapes), shapes, name)
        new[:] = arrays
        return new

    @property
    def params(self):
        """[W1, b1, W2, b2, ...]: the network's own arrays, so updating them in place trains it."""
        out = [None] * (2 * len(self._weights))
        out[0::2], out[1::2] = self._weights, self._biases
        return out

    @property
    def grads(self):
        """[dW1, db1, dW2, db2, ...] from the last backward, in the order of params."""
        if self._grads is None:
            raise RuntimeError("MLP.grads: no gradients yet; call forward(X) and then backward(y) first")
        grads_W, grads_b = self._grads
        out = [None] * (2 * len(grads_W))
        out[0::2], out[1::2] = grads_W, grads_b
        return out

    # ---------------------------------------------------------------- forward pass
    def _inputs(self, X, where):
        if not (type(X) is np.ndarray and X.dtype is _FLOAT64):
            X = as_float_array(X, where, "X")
        if X.ndim != 2:
            raise ValueError(f"{where}: X has shape {X.shape} but must be 2-D (n_samples, "
                             f"n_features) with {self.layer_sizes[0]} features; for one sample "
                             "use X.reshape(1, -1)")
        if X.shape[1] != self.layer_sizes[0]:
            raise ValueError(f"{where}: X has shape {X.shape} but the first layer takes "
                             f"{self.layer_sizes[0]} features")
        if X.shape[0] == 0:
            raise ValueError(f"{where}: X has shape {X.shape}: it needs at least one sample (row)")
        if X.shape[0] * self._widest > MAX_ELEMENTS:
            check_size(X.shape[0] * self._widest, where, f"the activations of the widest "
                       f"layer ({self._widest} units) for X of shape {X.shape}")
        return X

    def _kernels(self) -> tuple:
        """Each layer's activation kernel, looked up once: not when the network is built, since
        the sigmoid's (scipy.special.expit) costs an import of SciPy that a network never run
        (the checks build several when they are imported) should not pay."""
        self._phi = tuple(_act._fast_kernel(name) for name in self.activations)
        return self._phi

    def _run(self, X):
        """z and a of every layer; a[0] is X itself."""
        zs, outs = [], [X]
        a = X
        for W, b, phi in zip(self._weights, self._biases, self._phi or self._kernels()):
            z = a @ W
            z += b
            a = phi(z)
            zs.append(z)
            outs.append(a)
        return zs, outs

    def forward(self, X):
        """y_hat for the samples in the rows of X, shape (n, layer_sizes[-1]).

        Caches every z and a for backward (X itself is kept by reference, not copied: do not
        change X in place between forward and backward). Returns a copy of the output.
        """
        X = self._inputs(X, "MLP.forward")
        # let go of the last pass's arrays first: unless the caller holds them, their memory
        # then serves this pass (allocating anew while they live costs more, for large layers)
        self._cache = None
        self._cache = self._run(X)
        return self._cache[1][-1].copy()

    @property
    def z(self):
        """[z^(1), ..., z^(L)] of the last forward (read-only views)."""
        return [_read_only(z) for z in self._cached("z")[0]]

    @property
    def a(self):
        """[a^(0) = X, a^(1), ..., a^(L) = y_hat] of the last forward (read-only views)."""
        return [_read_only(a) for a in self._cached("a")[1]]

    def _cached(self, name):
        if self._cache is None:
            raise RuntimeError(f"MLP.{name}: nothing cached yet; call forward(X) first")
        return self._cache

    # ---------------------------------------------------------------- backward pass
    def _loss_name(self, loss, where):
        if type(loss) is str and loss in self._losses_ok:
            return loss          # a name this network has accepted before: nothing can differ
        loss = choice(loss, _losses.NAMES, where, "loss")
        _check_probability_output(loss, self.activations[-1], where)
        self._losses_ok = self._losses_ok | {loss}
        return loss

    def _targets_for(self, y, y_hat, loss, where, what):
        if type(y) is np.ndarray and y.dtype is _FLOAT64 and y.shape == y_hat.shape:
            return y   # the common case, checked without copying
        return _targets(y_hat, y, loss, where, what)

    def backward(self, y, loss="quadratic", l2=0.0):
        """Gradients of  loss(y_hat, y) (mean over the batch) + l2 * sum_l ||W^(l)||_F^2.

        Uses the z and a cached by the last forward(X) and the current weights; y must have
        the shape of that forward's output (or, for cross_entropy, be integer labels (n,)).
        Biases are not regularised. Returns (grads_W, grads_b), lists matching weights and
        biases; they are also kept for .grads.
        """
        where = "MLP.backward"
        if self._cache is None:
            raise RuntimeError(f"{where}: no forward pass to go back through; call forward(X) "
                               "first (backward uses the values it cached)")
        loss = self._loss_name(loss, where)
        if not (type(l2) is float and 0.0 <= l2 < math.inf):   # the common case needs no more
            l2 = real_number(l2, where, "l2", minimum=0.0)
        y = self._targets_for(y, self._cache[1][-1], loss, where, "the last forward's output")
        self._grads = None      # as in forward: the last gradients' memory may serve these
        self._grads = self._gradients(y, loss, l2)
        return self._grads

    def _gradients(self, y, loss, l2):
        """backward()'s arithmetic, with no checks: (grads_W, grads_b) from the cached forward
        pass; y has the output's shape, loss and l2 are valid."""
        zs, outs = self._cache
        return _backward_sweep(zs, outs, y, self._weights, self.activations, loss, l2)

    # ---------------------------------------------------------------- loss and prediction
    def loss(self, X, y, loss="quadratic", l2=0.0):
        """loss(y_hat, y) averaged over the samples + l2 * sum_l ||W^(l)||_F^2, as a float.

        Does not touch what forward cached, so it can be called between forward and backward.
        """
        where = "MLP.loss"
        loss = self._loss_name(loss, where)
        l2 = real_number(l2, where, "l2", minimum=0.0)
        y_hat = self._run(self._inputs(X, where))[1][-1]
        y = self._targets_for(y, y_hat, loss, where, "the network's output for X")
        value = _losses.get_loss(loss)[0](y_hat, y)
        if l2:
            value += l2 * sum(float(np.sum(W * W)) for W in self._weights)
        return float(value)

    def predict(self, X):
        """Predictions for the rows of X (does not touch what forward cached).

        softmax output: the class with the largest probability, integer labels of shape (n,);
        sigmoid output: 1.0 where y_hat >= 0.5 else 0.0, shape (n, k) like the targets
        (a single output gives (n, 1), so it compares directly with logic_gate's y);
        any other output (linear, tanh, relu, ...): y_hat itself, as for regression.
        """
        y_hat = self._run(self._inputs(X, "MLP.predict"))[1][-1]
        last = self.activations[-1]
        if last == "softmax":
            return np.argmax(y_hat, axis=1)
        if last == "sigmoid":
            return np.where(y_hat >= 0.5, 1.0, 0.0)
        return y_hat


def _read_only(arr):
    view = arr.view()
    view.flags.writeable = False
    return view
