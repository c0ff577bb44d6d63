"""Hostile input to every public function: it returns, or refuses with a clear error.

Issue 6, last requirement: no input to a public function crashes the Python process or hangs.
The acceptable outcomes of any call are a return value, or a ValueError, TypeError,
OverflowError, ZeroDivisionError or RuntimeError whose message starts with the name of the
function that refused. Never a segfault or abort, never a hang, never a MemoryError from trying
to allocate what a typo asked for (MLP([2, 10**12, 1]), make_moons(10**12)): sizes are refused
before anything is allocated.

Two kinds of tests:
* cheap, pure calls run in this process, fed by hypothesis from a pool of hostile values (NaN,
  inf, 1e308, subnormals, empty and 0-d arrays, 3-D/4-D arrays, object arrays, text, None,
  dicts, mixed lists, bools, complex numbers, ints beyond float64);
* calls where a crash, a hang or a huge allocation is conceivable run in ONE child process
  (python -c, under a 4 GB address-space limit so that an allocation attempt surfaces as
  MemoryError instead of swapping), each case timed; the child reports a JSON line per case.
"""
from __future__ import annotations

import json
import math
import re
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from backproplab import activations as A
from backproplab import datasets as DS
from backproplab import deltas as D
from backproplab import gates as GT
from backproplab import gradcheck as GC
from backproplab import init as I
from backproplab import layers as LY
from backproplab import losses as L
from backproplab import network as N
from backproplab import optimizers as O
from backproplab import training as T
from backproplab.graph import Value, backprop, topological_order

ACCEPTED = (ValueError, TypeError, OverflowError, ZeroDivisionError, RuntimeError)
SETTINGS = settings(deadline=None, max_examples=25, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])


# ------------------------------------------------------------------------ hostile values

HOSTILE_FIXED = [
    None, "1.5", "", b"1", {}, {"a": 1}, set(), object(), slice(1), (1, "a"),
    [1, "a"], [1.0, None], [[1.0, 2.0], [3.0]], [1, [2, 3]], [{"a": 1}],
    1 + 2j, np.complex128(1j), True, False, np.bool_(True),
    10**400, -10**400, 2**64, float("nan"), float("inf"), -float("inf"), 1e308, -1e308,
    5e-324, 0.0, -0.0, 0, -1, np.float64("nan"), np.int64(-3),
    np.empty((0,)), np.empty((0, 3)), np.empty((3, 0)), np.zeros(()), np.array(np.nan),
    np.zeros((2, 2, 2)), np.zeros((1, 1, 1, 1)),
    np.array([1, "a"], dtype=object), np.array([None, None]), np.array(["1", "2"]),
    np.array([1 + 1j, 2]), np.array([np.nan, np.inf, -np.inf]), np.full((2, 3), 1e308),
    np.full((2, 2), -1e308), np.array([True, False]), np.array([10**400], dtype=object),
    np.array(["2020-01-01"], dtype="datetime64[D]"), np.zeros(2, dtype=[("a", "f8")]),
    np.arange(6, dtype=np.uint64).reshape(2, 3), np.zeros((2, 3), dtype=np.float16),
]

_float_arrays = hnp.arrays(
    dtype=st.sampled_from([np.float64, np.float32, np.int64, np.bool_, np.complex128]),
    shape=hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=3),
    elements=None)
_mixed_lists = st.lists(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(),
                                  st.complex_numbers(), st.text(max_size=2)), max_size=4)



def _ten_to(e):
    # built when drawn: hypothesis cannot repr an int of more than 4300 digits in a strategy
    return 10**e if e > 0 else -(10**-e)


HOSTILE = st.one_of(st.sampled_from(HOSTILE_FIXED), _float_arrays, _mixed_lists,
                    st.floats(allow_nan=True, allow_infinity=True), st.integers(),
                    st.sampled_from([5000, -5000]).map(_ten_to))


def _prefixes(p):
    return (p,) if isinstance(p, str) else tuple(p)


def outcome_is_acceptable(call, prefix):
    """Run call(); a return is fine, a refusal must be one of ACCEPTED naming the function."""
    try:
        call()
    except ACCEPTED as exc:
        msg = str(exc)
        assert msg.startswith(_prefixes(prefix)), (
            f"{type(exc).__name__} does not start with {prefix!r}: {msg!r}")
        assert len(msg) > len(prefix) + 5, f"message too short to help: {msg!r}"


# ------------------------------------------------------------------------ in-process table
# name -> (expected message prefix, function taking the hostile value `h`)

def _net(sizes=(2, 3, 1), activations="sigmoid"):
    return N.MLP(list(sizes), activations=activations, seed=0)


def _forwarded(sizes=(2, 3, 1), activations="sigmoid"):
    net = _net(sizes, activations)
    net.forward(np.ones((4, sizes[0])))
    return net


Z = np.array([[0.5, -1.0], [2.0, 0.0]])
P = np.array([[0.2, 0.8], [0.6, 0.4]])
XG, YG = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]]), np.array([[1.0], [1.0], [0.0], [0.0]])

CALLS = {
    # activations: z hostile, or a parameter hostile
    **{f"{name}(h)": (name, (lambda f: lambda h: f(h))(getattr(A, name)))
       for name in ("sigmoid", "sigmoid_prime", "tanh", "tanh_prime", "relu", "relu_prime",
                    "leaky_relu", "leaky_relu_prime", "linear", "linear_prime", "softmax",
                    "softmax_prime", "softmax_jacobian", "step", "step_prime")},
    "leaky_relu(z, slope=h)": ("leaky_relu", lambda h: A.leaky_relu(Z, slope=h)),
    "leaky_relu_prime(z, slope=h)": ("leaky_relu_prime", lambda h: A.leaky_relu_prime(Z, slope=h)),
    "softmax(z, axis=h)": ("softmax", lambda h: A.softmax(Z, axis=h)),
    "softmax_prime(z, axis=h)": ("softmax_prime", lambda h: A.softmax_prime(Z, axis=h)),
    "step(z, threshold=h)": ("step", lambda h: A.step(Z, threshold=h)),
    "get_activation(h)": ("get_activation", A.get_activation),
    # losses: either argument hostile
    **{f"{name}(h, y)": (name, (lambda f: lambda h: f(h, P))(getattr(L, name)))
       for name in L.NAMES + tuple(n + "_grad" for n in L.NAMES)},
    **{f"{name}(y_hat, h)": (name, (lambda f: lambda h: f(P, h))(getattr(L, name)))
       for name in L.NAMES + tuple(n + "_grad" for n in L.NAMES)},
    "get_loss(h)": ("get_loss", L.get_loss),
    # deltas
    "output_delta(h, ...)": ("output_delta", lambda h: D.output_delta(h, P, Z)),
    "output_delta(.., h, ..)": ("output_delta", lambda h: D.output_delta(P, h, Z, loss="cross_entropy",
                                                                         activation="softmax")),
    "output_delta(.., z=h)": ("output_delta", lambda h: D.output_delta(P, P, h)),
    "output_delta(loss=h)": ("output_delta", lambda h: D.output_delta(P, P, Z, loss=h)),
    "output_delta(activation=h)": ("output_delta", lambda h: D.output_delta(P, P, Z, activation=h)),
    "hidden_delta(h, ..)": ("hidden_delta", lambda h: D.hidden_delta(h, Z, Z)),
    "hidden_delta(.., h, ..)": ("hidden_delta", lambda h: D.hidden_delta(Z, h, Z)),
    "hidden_delta(.., z=h)": ("hidden_delta", lambda h: D.hidden_delta(Z, Z, h, activation="tanh")),
    "weight_gradients(h, delta)": ("weight_gradients", lambda h: D.weight_gradients(h, Z)),
    "weight_gradients(a_prev, h)": ("weight_gradients", lambda h: D.weight_gradients(Z, h)),
    # init
    **{f"{name}(h, 3)": (name, (lambda f: lambda h: f(h, 3, 0))(getattr(I, name)))
       for name in ("xavier_normal", "he_normal", "zeros")},
    **{f"{name}(2, 3, rng=h)": (name, (lambda f: lambda h: f(2, 3, h))(getattr(I, name)))
       for name in ("xavier_normal", "he_normal", "zeros")},
    "get_init(h)": ("get_init", I.get_init),
    # network
    "MLP(h)": ("MLP", lambda h: N.MLP(h)),
    "MLP(.., activations=h)": ("MLP", lambda h: N.MLP([2, 3, 1], activations=h)),
    "MLP(.., init=h)": ("MLP", lambda h: N.MLP([2, 3, 1], init=h)),
    "MLP(.., seed=h)": ("MLP", lambda h: N.MLP([2, 3, 1], seed=h)),
    "MLP.forward(h)": ("MLP.forward", lambda h: _net().forward(h)),
    "MLP.predict(h)": ("MLP.predict", lambda h: _net().predict(h)),
    "MLP.loss(h, y)": ("MLP.loss", lambda h: _net().loss(h, np.zeros((4, 1)))),
    "MLP.loss(X, h)": ("MLP.loss", lambda h: _net().loss(np.ones((4, 2)), h)),
    "MLP.loss(.., l2=h)": ("MLP.loss", lambda h: _net().loss(np.ones((4, 2)), np.zeros((4, 1)), l2=h)),
    "MLP.backward(h)": ("MLP.backward", lambda h: _forwarded().backward(h)),
    "MLP.backward(h, cross_entropy)": ("MLP.backward", lambda h: _forwarded(
        (2, 3, 2), ["tanh", "softmax"]).backward(h, loss="cross_entropy")),
    "MLP.backward(y, loss=h)": ("MLP.backward", lambda h: _forwarded().backward(np.zeros((4, 1)), loss=h)),
    "MLP.backward(y, l2=h)": ("MLP.backward", lambda h: _forwarded().backward(np.zeros((4, 1)), l2=h)),
    "MLP.weights[0] = h": ("MLP.weights[0]", lambda h: _net().weights.__setitem__(0, h)),
    "MLP.biases[1] = h": ("MLP.biases[1]", lambda h: _net().biases.__setitem__(1, h)),
    "MLP.weights = h": ("MLP.weights", lambda h: setattr(_net(), "weights", h)),
    "MLP.weights[:] = h": ("MLP.weights", lambda h: _net().weights.__setitem__(slice(None), h)),
    # graph
    "Value(h)": ("Value", lambda h: Value(h)),
    "Value(1, label=h)": ("Value", lambda h: Value(1.0, label=h)),
    **{f"Value {op} h": ("Value", (lambda fn: lambda h: fn(Value(1.5), h))(fn))
       for op, fn in (("+", lambda a, b: a + b), ("-", lambda a, b: a - b),
                      ("*", lambda a, b: a * b), ("/", lambda a, b: a / b),
                      ("**", lambda a, b: a ** b))},
    **{f"h {op} Value": ("Value", (lambda fn: lambda h: fn(h, Value(1.5)))(fn))
       for op, fn in (("+", lambda a, b: a + b), ("-", lambda a, b: a - b),
                      ("*", lambda a, b: a * b), ("/", lambda a, b: a / b))},
    "topological_order(h)": ("topological_order", topological_order),
    "backprop(h)": ("backprop", backprop),
    # optimizers and schedules
    **{f"{cls}(h)": (cls, (lambda c: lambda h: c(h))(getattr(O, cls)))
       for cls in ("SGD", "Momentum", "Nesterov", "Adagrad")},
    "Momentum(0.1, momentum=h)": ("Momentum", lambda h: O.Momentum(0.1, momentum=h)),
    "Nesterov(0.1, momentum=h)": ("Nesterov", lambda h: O.Nesterov(0.1, momentum=h)),
    "Adagrad(0.1, eps=h)": ("Adagrad", lambda h: O.Adagrad(0.1, eps=h)),
    "SGD.lr = h": ("SGD.lr", lambda h: setattr(O.SGD(0.1), "lr", h)),
    **{f"{cls}.step(params, [h])": (f"{cls}.step", (lambda c: lambda h: c(0.1).step([np.zeros((2, 3))], [h]))(
        getattr(O, cls))) for cls in ("SGD", "Momentum", "Nesterov", "Adagrad")},
    "SGD.step([h], grads)": ("SGD.step", lambda h: O.SGD(0.1).step([h], [np.zeros((2, 3))])),
    "SGD.step(h, h)": ("SGD.step", lambda h: O.SGD(0.1).step(h, h)),
    "constant(h)": ("constant", O.constant),
    "step_decay(h)": ("step_decay", O.step_decay),
    "step_decay(0.1, drop=h)": ("step_decay", lambda h: O.step_decay(0.1, drop=h)),
    "step_decay(0.1, every=h)": ("step_decay", lambda h: O.step_decay(0.1, every=h)),
    "step_decay(..)(h)": ("step_decay", lambda h: O.step_decay(0.1)(h)),
    "fixed_then_decay(h)": ("fixed_then_decay", O.fixed_then_decay),
    "fixed_then_decay(0.1, hold=h)": ("fixed_then_decay", lambda h: O.fixed_then_decay(0.1, hold=h)),
    "fixed_then_decay(0.1, rate=h)": ("fixed_then_decay", lambda h: O.fixed_then_decay(0.1, rate=h)),
    "fixed_then_decay(..)(h)": ("fixed_then_decay", lambda h: O.fixed_then_decay(0.1)(h)),
    # training (tiny data, few epochs: these run in-process)
    "train(X=h)": (("train", "MLP."), lambda h: T.train(_net(), h, YG, O.SGD(0.1), epochs=2)),
    "train(y=h)": (("train", "MLP."), lambda h: T.train(_net(), XG, h, O.SGD(0.1), epochs=2)),
    "train(net=h)": ("train", lambda h: T.train(h, XG, YG, O.SGD(0.1), epochs=2)),
    "train(optimizer=h)": ("train", lambda h: T.train(_net(), XG, YG, h, epochs=2)),
    "train(loss=h)": ("train", lambda h: T.train(_net(), XG, YG, O.SGD(0.1), loss=h, epochs=2)),
    # a huge epochs value is legitimate (it would just run long): in the child process, with a callback
    "train(epochs=h)": ("train", lambda h: T.train(_net(), XG, YG, O.SGD(0.1), epochs=h)
                        if not (isinstance(h, int) and h > 100) else None),
    "train(batch_size=h)": ("train", lambda h: T.train(_net(), XG, YG, O.SGD(0.1), epochs=2, batch_size=h)),
    "train(shuffle=h)": ("train", lambda h: T.train(_net(), XG, YG, O.SGD(0.1), epochs=2, shuffle=h)),
    "train(seed=h)": ("train", lambda h: T.train(_net(), XG, YG, O.SGD(0.1), epochs=2, seed=h)),
    "train(l2=h)": ("train", lambda h: T.train(_net(), XG, YG, O.SGD(0.1), epochs=2, l2=h)),
    "train(schedule=h)": ("train", lambda h: T.train(_net(), XG, YG, O.SGD(0.1), epochs=2, schedule=h)),
    "train(tol=h)": ("train", lambda h: T.train(_net(), XG, YG, O.SGD(0.1), epochs=2, tol=h)),
    "train(callback=h)": ("train", lambda h: T.train(_net(), XG, YG, O.SGD(0.1), epochs=2, callback=h)),
    # gradcheck
    "numerical_gradient(f, h)": ("numerical_gradient", lambda h: GC.numerical_gradient(lambda x: 0.0, h)),
    "numerical_gradient(h, x)": ("numerical_gradient", lambda h: GC.numerical_gradient(h, np.zeros(2))),
    "numerical_gradient(f returns h)": ("numerical_gradient",
                                        lambda h: GC.numerical_gradient(lambda x: h, np.zeros(2))),
    "numerical_gradient(.., h=h)": ("numerical_gradient",
                                    lambda h: GC.numerical_gradient(lambda x: 0.0, np.zeros(2), h=h)),
    "relative_error(h, b)": ("relative_error", lambda h: GC.relative_error(h, P)),
    "relative_error(a, h)": ("relative_error", lambda h: GC.relative_error(P, h)),
    "check_gradients(net, h, y)": (("check_gradients", "MLP."),
                                   lambda h: GC.check_gradients(_net(), h, np.zeros((4, 1)))),
    "check_gradients(h, X, y)": ("check_gradients", lambda h: GC.check_gradients(h, XG, YG)),
    # datasets (small n only here; the huge sizes are in the child process below)
    "logic_gate(h)": ("logic_gate", DS.logic_gate),
    "one_hot(h)": ("one_hot", lambda h: DS.one_hot(h) if not _too_big_label(h) else None),
    "one_hot(y, k=h)": ("one_hot", lambda h: DS.one_hot([0, 1], k=h)),
    "load_digits(scale=h)": ("load_digits", lambda h: DS.load_digits(scale=h) if h is not True
                             and h is not False else None),
    **{f"{name}(n=h)": (name, (lambda f: lambda h: f(n=h, seed=0) if not _big_int(h) else None)(
        getattr(DS, name))) for name in ("make_moons", "make_circles", "make_spirals")},
    **{f"{name}(noise=h)": (name, (lambda f: lambda h: f(n=20, noise=h, seed=0))(getattr(DS, name)))
       for name in ("make_moons", "make_circles", "make_spirals")},
    **{f"{name}(seed=h)": (name, (lambda f: lambda h: f(n=20, seed=h))(getattr(DS, name)))
       for name in ("make_moons", "make_circles", "make_spirals")},
    "make_circles(factor=h)": ("make_circles", lambda h: DS.make_circles(20, seed=0, factor=h)),
    "make_spirals(classes=h)": ("make_spirals", lambda h: DS.make_spirals(30, classes=h, seed=0)),
    "make_spirals(turns=h)": ("make_spirals", lambda h: DS.make_spirals(30, seed=0, turns=h)),
    # layers and gates
    "neuron(h, w, b)": ("neuron", lambda h: LY.neuron(h, np.ones(2), 0.5)),
    "neuron(x, h, b)": ("neuron", lambda h: LY.neuron(np.ones(2), h, 0.5)),
    "neuron(x, w, h)": ("neuron", lambda h: LY.neuron(np.ones(2), np.ones(2), h)),
    "neuron(.., activation=h)": ("get_activation", lambda h: LY.neuron(np.ones(2), np.ones(2), 0.5, h)),
    "layer_forward(h, W, b)": ("layer_forward", lambda h: LY.layer_forward(h, Z, np.zeros(2))),
    "layer_forward(A, h, b)": ("layer_forward", lambda h: LY.layer_forward(Z, h, np.zeros(2))),
    "layer_forward(A, W, h)": ("layer_forward", lambda h: LY.layer_forward(Z, Z, h)),
    "forward(h, ..)": (("forward", "layer_forward"), lambda h: LY.forward(h, [Z], [np.zeros(2)], ["tanh"])),
    "forward(X, h, ..)": (("forward", "layer_forward"), lambda h: LY.forward(Z, h, [np.zeros(2)], ["tanh"])),
    "forward(X, [h], ..)": ("layer_forward", lambda h: LY.forward(Z, [h], [np.zeros(2)], ["tanh"])),
    "backward(h, y, ..)": (("backward", "layer_forward"), lambda h: LY.backward(h, P, [Z], [np.zeros(2)], ["tanh"])),
    "backward(X, h, ..)": ("backward", lambda h: LY.backward(Z, h, [Z], [np.zeros(2)], ["tanh"])),
    "backward(X, y, h, ..)": (("backward", "layer_forward"), lambda h: LY.backward(Z, P, h, [np.zeros(2)], ["tanh"])),
    "backward(X, y, [h], ..)": ("layer_forward", lambda h: LY.backward(Z, P, [h], [np.zeros(2)], ["tanh"])),
    "backward(.., [h], acts)": ("layer_forward", lambda h: LY.backward(Z, P, [Z], [h], ["tanh"])),
    "backward(.., [h])": ("get_activation", lambda h: LY.backward(Z, P, [Z], [np.zeros(2)], [h])),
    "backward(.., loss=h)": ("backward", lambda h: LY.backward(Z, P, [Z], [np.zeros(2)], ["softmax"], h)),
    "gate_weights(h)": ("gate_weights", GT.gate_weights),
    "xnor_network(h)": ("xnor_network", GT.xnor_network),
}


def _big_int(h):
    # ints beyond a few thousand points are the child process's business (allocation, time)
    return isinstance(h, (int, np.integer)) and not isinstance(h, bool) and h > 5000


def _too_big_label(h):
    try:
        return np.size(h) > 0 and np.nanmax(np.abs(np.asarray(h, dtype=float))) > 5000
    except Exception:
        return False


@pytest.mark.parametrize("name", sorted(CALLS))
@SETTINGS
@given(h=HOSTILE)
def test_hostile_value_is_returned_or_refused_with_the_function_name(name, h):
    prefix, call = CALLS[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", T.DivergenceWarning)   # a legitimate outcome of train()
        warnings.simplefilter("ignore", RuntimeWarning)         # NaN/inf in, NaN/inf out
        outcome_is_acceptable(lambda: call(h), prefix)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_every_listed_hostile_value_is_returned_or_refused(name):
    # hypothesis samples the pool; this tries every entry of it (and the >4300-digit ints)
    prefix, call = CALLS[name]
    for h in HOSTILE_FIXED + [10**5000, -10**5000, [10**5000], np.array([10**5000], dtype=object)]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", T.DivergenceWarning)
            warnings.simplefilter("ignore", RuntimeWarning)
            try:
                outcome_is_acceptable(lambda: call(h), prefix)
            except AssertionError as exc:
                raise AssertionError(f"{name} with h of type {type(h).__name__}: {exc}") from None


# ------------------------------------------------------------------------ exact refusals
# a few of the hostile values above, with the exact exception type and message each must give

@pytest.mark.parametrize("call, exc, match", [
    (lambda: A.sigmoid(None), TypeError, r"^sigmoid: z must be a number or an array of numbers, got NoneType"),
    (lambda: A.tanh("1.5"), TypeError, r"^tanh: z must be .* got str"),
    (lambda: A.relu({"a": 1}), TypeError, r"^relu: z must be .* got dict"),
    (lambda: A.sigmoid([1, "a"]), TypeError, r"^sigmoid: z .* holding text"),
    (lambda: A.sigmoid([1.0, None]), TypeError, r"^sigmoid: z .* holding None"),
    (lambda: A.sigmoid(np.array([1 + 1j])), TypeError, r"^sigmoid: z .* holding complex numbers"),
    (lambda: A.sigmoid([[1.0, 2.0], [3.0]]), TypeError, r"^sigmoid: z must be a number or an array"),
    (lambda: A.sigmoid([10**400]), ValueError, r"^sigmoid: z holds an integer too large for float64"),
    (lambda: A.leaky_relu(1.0, slope=10**400), ValueError, r"^leaky_relu: slope must be finite"),
    (lambda: A.leaky_relu(1.0, slope=np.nan), ValueError, r"^leaky_relu: slope must be finite, got nan"),
    (lambda: A.step(1.0, threshold=True), TypeError, r"^step: threshold must be a real number, got bool"),
    (lambda: A.softmax(np.float64(3.0)), ValueError, r"^softmax: z must have at least one dimension"),
    (lambda: A.softmax(Z, axis=2), ValueError, r"^softmax: axis 2 is out of range for z of shape \(2, 2\)"),
    (lambda: A.softmax(Z, axis=1.0), ValueError, r"^softmax: axis 1.0 is out of range"),
    (lambda: A.softmax_jacobian(np.zeros((2, 2, 2))), ValueError, r"^softmax_jacobian: z must be a vector"),
    (lambda: A.get_activation(None), ValueError, r"^get_activation: unknown activation None; valid names"),
    (lambda: L.quadratic(np.empty((0, 3)), np.empty((0, 3))), ValueError, r"^quadratic: y_hat and y are empty"),
    (lambda: L.mse(np.zeros((2, 2, 2)), np.zeros((2, 2, 2))), ValueError, r"^mse: y_hat must be 1-D or 2-D, got shape \(2, 2, 2\)"),
    (lambda: L.mse(np.zeros(()), np.zeros(())), ValueError, r"^mse: y_hat must be 1-D or 2-D, got shape \(\)"),
    (lambda: L.cross_entropy(P, np.array([1e20, 0.0])), ValueError, r"^cross_entropy: class labels must be in 0\.\.1"),
    (lambda: L.cross_entropy(P, np.array([0.5, 1.0])), ValueError, r"^cross_entropy: y of shape \(2,\) must hold integer class labels"),
    (lambda: D.weight_gradients(np.empty((0, 2)), np.empty((0, 2))), ValueError, r"^weight_gradients: a_prev has shape \(0, 2\)"),
    (lambda: I.xavier_normal(0, 3), ValueError, r"^xavier_normal: n_in must be >= 1, got 0"),
    (lambda: I.he_normal(-1, 3), ValueError, r"^he_normal: n_in must be >= 1, got -1"),
    (lambda: I.zeros(2.0, 3), TypeError, r"^zeros: n_in must be an integer, got float"),
    (lambda: N.MLP([2, -1, 1]), ValueError, r"^MLP: layer_sizes\[1\] must be >= 1, got -1"),
    (lambda: N.MLP([2, 0]), ValueError, r"^MLP: layer_sizes\[1\] must be >= 1, got 0"),
    (lambda: N.MLP([2, True]), TypeError, r"^MLP: layer_sizes\[1\] must be an integer, got bool"),
    (lambda: N.MLP(None), TypeError, r"^MLP: layer_sizes must be a list of layer widths"),
    (lambda: N.MLP("23"), TypeError, r"^MLP: layer_sizes must be a list of layer widths"),
    (lambda: _net().forward(np.zeros((4, 2, 1))), ValueError, r"^MLP.forward: X has shape \(4, 2, 1\) but must be 2-D"),
    (lambda: _net().forward(np.empty((0, 2))), ValueError, r"^MLP.forward: X has shape \(0, 2\): it needs at least one sample"),
    (lambda: _net().forward(np.zeros(())), ValueError, r"^MLP.forward: X has shape \(\) but must be 2-D"),
    (lambda: _net().backward(np.zeros((4, 1))), RuntimeError, r"^MLP.backward: no forward pass"),
    (lambda: _net().grads, RuntimeError, r"^MLP.grads: no gradients yet"),
    (lambda: setattr(_net(), "weights", None), TypeError, r"^MLP.weights: assign a list with one array per layer"),
    (lambda: _net().weights.__setitem__(slice(None), 3), TypeError, r"^MLP.weights\[None:None\]: assign a list"),
    (lambda: Value(float("nan")), ValueError, r"^Value: data must be finite, got nan"),
    (lambda: Value(10**400), ValueError, r"^Value: data must be finite, got an int too large"),
    (lambda: Value(1 + 2j), TypeError, r"^Value: data must be a real number \(int or float\), got complex"),
    (lambda: Value(np.zeros(3)), TypeError, r"^Value: data must be a single real number, got an array of shape \(3,\)"),
    (lambda: Value(1.0) + 10**400, ValueError, r"^Value \+ int: a number combined with a Value must be finite"),
    (lambda: Value(1.0) * float("inf"), ValueError, r"^Value \* inf: a number combined with a Value must be finite"),
    (lambda: Value(2.0) ** 10**400, OverflowError, r"^Value.__pow__: the exponent \(about 10\^400\) is too large"),
    (lambda: Value(1e308) ** 2, OverflowError, r"^Value.__pow__: 1e\+308 \*\* 2 overflows float64"),
    (lambda: Value(-8.0) ** 0.5, ValueError, r"^Value.__pow__: -8.0 \*\* 0.5 is not a real number"),
    (lambda: Value(0.0) ** -1, ZeroDivisionError, r"^Value.__pow__: 0.0 \*\* -1 is a division by zero"),
    (lambda: Value(1.0) / Value(0.0), ZeroDivisionError, r"^Value.__truediv__: division by a Value equal to 0"),
    (lambda: 1.0 / Value(0.0), ZeroDivisionError, r"^Value.__rtruediv__: division by a Value equal to 0"),
    (lambda: Value(1000.0).exp(), OverflowError, r"^Value.exp: exp\(1000.0\) overflows float64"),
    (lambda: Value(-1.0).log(), ValueError, r"^Value.log: log is defined only for positive numbers"),
    (lambda: 2.0 ** Value(1.0), TypeError, r"^Value.__rpow__"),
    (lambda: topological_order(1.0), TypeError, r"^topological_order: root must be a Value, got float"),
    (lambda: backprop([Value(1.0)]), TypeError, r"^backprop: root must be a Value, got list"),
    (lambda: O.SGD(10**400), ValueError, r"^SGD: lr \(the learning rate gamma\) must be finite"),
    (lambda: O.SGD(0.0), ValueError, r"^SGD: lr \(the learning rate gamma\) must be > 0.0"),
    (lambda: O.Momentum(0.1, momentum=1.0), ValueError, r"^Momentum: momentum \(alpha\) must be < 1"),
    (lambda: O.SGD(0.1).step([np.zeros(2)], [np.array([1 + 1j, 2])]), TypeError, r"^SGD.step: grads\[0\] must be an array of numbers, got ndarray holding complex"),
    (lambda: O.SGD(0.1).step([np.zeros(1)], [None]), TypeError, r"^SGD.step: grads\[0\] must be an array of numbers, got NoneType"),
    (lambda: O.SGD(0.1).step([np.zeros(1)], [[10**400]]), ValueError, r"^SGD.step: grads\[0\] holds an integer too large"),
    (lambda: O.SGD(0.1).step([np.zeros(2)], []), ValueError, r"^SGD.step: got 1 params but 0 grads"),
    (lambda: O.SGD(0.1).step(np.zeros(2), np.zeros(2)), TypeError, r"^SGD.step: params must be a list of arrays, got ndarray"),
    (lambda: O.Adagrad(0.1).step([np.zeros(2, dtype=int)], [np.ones(2)]), TypeError, r"^Adagrad.step: params\[0\] has dtype int64"),
    (lambda: O.step_decay(0.1)(-1), ValueError, r"^step_decay: epoch must be >= 0, got -1"),
    (lambda: O.fixed_then_decay(0.1)(2.0), TypeError, r"^fixed_then_decay: epoch must be an integer"),
    (lambda: GC.numerical_gradient(lambda x: 10**400, np.zeros(2)), ValueError, r"^numerical_gradient: f returned an int too large for float64"),
    (lambda: GC.numerical_gradient(lambda x: "a", np.zeros(2)), TypeError, r"^numerical_gradient: f must return a single number"),
    (lambda: GC.numerical_gradient(lambda x: 0.0, [0.0]), TypeError, r"^numerical_gradient: x must be a float64 NumPy array"),
    (lambda: GC.relative_error(np.zeros(2), np.zeros(3)), ValueError, r"^relative_error: a has shape \(2,\) but b has shape \(3,\)"),
    (lambda: DS.make_moons(-1), ValueError, r"^make_moons: n must be >= 2, got -1"),
    (lambda: DS.make_circles(0), ValueError, r"^make_circles: n must be >= 2, got 0"),
    (lambda: DS.make_spirals(2, classes=3), ValueError, r"^make_spirals: n must be >= 3, got 2"),
    (lambda: DS.make_moons(2.5), TypeError, r"^make_moons: n must be an integer, got float"),
    (lambda: DS.make_moons(10, noise=-1.0), ValueError, r"^make_moons: noise must be >= 0.0"),
    (lambda: DS.one_hot(np.array([1e20])), ValueError, r"^one_hot: the one-hot array of shape \(n, k\) would have about 10\^20"),
    (lambda: DS.one_hot([-1]), ValueError, r"^one_hot: class labels must be >= 0, got -1"),
    (lambda: DS.one_hot([[0]]), ValueError, r"^one_hot: y must be 1-D integer labels"),
    (lambda: DS.logic_gate(None), ValueError, r"^logic_gate: unknown gate name None; valid names"),
    (lambda: LY.forward(Z, None, None, None), TypeError, r"^forward: weights must be a list with one entry per layer, got NoneType"),
    (lambda: LY.neuron(np.ones(2), np.ones(2), np.ones(1)), ValueError, r"^neuron: b must be 0-D, got shape \(1,\)"),
    (lambda: GT.xnor_network(np.zeros((4, 3))), ValueError, r"^xnor_network: X has shape \(4, 3\); it needs 2 columns"),
    (lambda: T.train(_net(), XG * np.nan, YG, O.SGD(0.1)), ValueError, r"^train: X contains 8 NaN or infinite value\(s\)"),
    (lambda: T.train(_net(), XG, np.full((4, 1), np.inf), O.SGD(0.1)), ValueError, r"^train: y contains 4 NaN or infinite value\(s\)"),
    (lambda: T.train(_net(), np.zeros((0, 2)), np.zeros((0, 1)), O.SGD(0.1)), ValueError, r"^train: X has shape \(0, 2\); training needs at least one sample"),
    (lambda: T.train(_net(), XG, YG, O.SGD(0.1), batch_size=10**12), ValueError, r"^train: batch_size must be between 1 \(online\) and the number of samples 4"),
], ids=lambda v: "" if callable(v) else None)
def test_exact_refusals(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


@pytest.mark.parametrize("epochs, exc", [("5", TypeError), (5.0, TypeError), (True, TypeError),
                                         (None, TypeError), (np.float64(3), TypeError),
                                         (0, ValueError), (-1, ValueError), (-10**12, ValueError)])
def test_train_refuses_bad_epoch_counts(epochs, exc):
    with pytest.raises(exc, match=r"^train: epochs must be"):
        T.train(_net(), XG, YG, O.SGD(0.1), epochs=epochs)


def test_stateful_optimizer_refuses_a_different_parameter_list():
    opt = O.Momentum(0.1)
    w = np.zeros((2, 3))
    opt.step([w], [np.ones((2, 3))])
    with pytest.raises(ValueError, match=r"^Momentum.step: params changed since the first step"):
        opt.step([np.zeros(3)], [np.ones(3)])
    with pytest.raises(ValueError, match=r"^Momentum.step: got 1 params but 2 grads"):
        opt.step([w], [np.ones((2, 3)), np.ones(3)])


def test_layer_index_out_of_range_is_an_index_error_naming_the_list():
    # IndexError, not one of ACCEPTED: it is what any Python list raises for a bad index
    with pytest.raises(IndexError, match=r"^MLP.weights: index 10{400} out of range for 2 layers"):
        _net().weights[10**400] = np.zeros((2, 3))


def test_size_limit_is_exactly_max_elements():
    from backproplab._validate import MAX_ELEMENTS, check_size
    check_size(MAX_ELEMENTS, "f", "X")                  # at the limit: allowed
    with pytest.raises(ValueError, match=r"^f: X would have 100000001 elements, more than the limit"):
        check_size(MAX_ELEMENTS + 1, "f", "X")


def test_parents_cannot_be_assigned():
    # the graph is built only by operations: a cycle cannot be made through the public API
    a = Value(1.0)
    b = a * 2.0
    for attr in ("parents", "local_grads"):
        with pytest.raises(AttributeError):
            setattr(a, attr, (b,))
    assert a.parents == () and b.parents == (a,)


def test_graph_with_infinite_and_nan_values_backpropagates_without_warnings():
    # + - * / follow float arithmetic: 1e308 * 1e308 = inf, inf - inf = nan; backward still runs
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        x, y = Value(1e308), Value(1e308)
        big = x * y
        nan = big - big
        out = (nan * x + big).tanh()
        out.backward()
    assert math.isinf(big.data) and math.isnan(nan.data) and math.isnan(out.data)
    assert len(topological_order(out)) == 7 and set(backprop(out)) == set(topological_order(out))
    assert math.isnan(x.grad) and math.isnan(y.grad)


# ------------------------------------------------------------------------ documented ranges: silent

def _silent(call):
    with warnings.catch_warnings(), np.errstate(over="warn", invalid="warn", divide="warn", under="ignore"):
        warnings.simplefilter("error", RuntimeWarning)
        return call()


DOC_Z = hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=2, min_side=1, max_side=5),
                   elements=st.floats(-1e4, 1e4))


@SETTINGS
@given(z=DOC_Z)
def test_activations_are_finite_and_silent_for_abs_z_up_to_1e4(z):
    for name in ("sigmoid", "sigmoid_prime", "tanh", "tanh_prime", "relu", "relu_prime",
                 "leaky_relu", "leaky_relu_prime", "linear", "linear_prime", "softmax",
                 "softmax_prime", "step", "step_prime"):
        out = _silent(lambda: getattr(A, name)(z))
        assert np.all(np.isfinite(out)), name
    assert np.all(np.isfinite(_silent(lambda: A.softmax_jacobian(z))))


@SETTINGS
@given(z=DOC_Z, data=st.data())
def test_cross_entropies_are_finite_and_silent_for_abs_z_up_to_1e4(z, data):
    y = data.draw(hnp.arrays(np.float64, z.shape, elements=st.sampled_from([0.0, 1.0])))
    p_sig = A.sigmoid(z)
    for f in (L.binary_cross_entropy, L.binary_cross_entropy_grad, L.quadratic, L.mse,
              L.quadratic_grad, L.mse_grad):
        assert np.all(np.isfinite(_silent(lambda: f(p_sig, y))))
    p_soft = A.softmax(z)
    for f in (L.cross_entropy, L.cross_entropy_grad):
        assert np.all(np.isfinite(_silent(lambda: f(p_soft, y))))


def test_softmax_of_opposite_extremes_is_exact_and_silent():
    # -1e308 - 1e308 overflows to -inf, whose exponential is the right 0
    assert np.array_equal(_silent(lambda: A.softmax([1e308, -1e308])), [1.0, 0.0])


# ------------------------------------------------------------------------ the child process
# Calls where a crash, a hang or an attempt to allocate terabytes is conceivable. Each case is a
# Python expression; the child evaluates them in order and prints one JSON line per case.

CHILD_CASES = {
    # huge sizes must be refused at once, before any allocation
    "MLP([2, 10**12, 1])": ("N.MLP([2, 10**12, 1])", "ValueError", r"^MLP: the weights and biases .* more than the limit"),
    "MLP([10**6, 10**6])": ("N.MLP([10**6, 10**6])", "ValueError", r"^MLP: .* more than the limit"),
    "MLP([2, 10**5000])": ("N.MLP([2, 10**5000])", "ValueError", r"^MLP: .* about 10\^5000"),
    "MLP([1] * 10**6)": ("N.MLP([1] * 10**6)", "ValueError", r"^MLP: layer_sizes gives 1000000 layers"),
    "MLP([1] * 10**4) works": ("len(N.MLP([1] * 10**4).weights)", "return", "9999"),
    "MLP.forward wide": ("N.MLP([1, 10**4, 1]).forward(np.zeros((10**6, 1)))", "ValueError",
                         r"^MLP.forward: the activations of the widest layer"),
    "xavier_normal(10**6, 10**6)": ("I.xavier_normal(10**6, 10**6)", "ValueError", r"^xavier_normal: .* more than the limit"),
    "he_normal(10**12, 1)": ("I.he_normal(10**12, 1)", "ValueError", r"^he_normal: .* more than the limit"),
    "zeros(10**6, 10**6)": ("I.zeros(10**6, 10**6)", "ValueError", r"^zeros: .* more than the limit"),
    "make_moons(10**12)": ("DS.make_moons(10**12)", "ValueError", r"^make_moons: X of shape \(n, 2\) would have"),
    "make_circles(10**12)": ("DS.make_circles(10**12)", "ValueError", r"^make_circles: .* more than the limit"),
    "make_spirals(10**12)": ("DS.make_spirals(10**12)", "ValueError", r"^make_spirals: .* more than the limit"),
    "make_spirals(n=classes=10**6)": ("DS.make_spirals(10**6, classes=10**6)[0].shape", "return", "(1000000, 2)"),
    "one_hot(k=10**12)": ("DS.one_hot([0, 1], k=10**12)", "ValueError", r"^one_hot: .* more than the limit"),
    "one_hot([10**12])": ("DS.one_hot([10**12])", "ValueError", r"^one_hot: .* more than the limit"),
    "softmax_jacobian wide": ("A.softmax_jacobian(np.zeros((1, 10**5)))", "ValueError", r"^softmax_jacobian: .* more than the limit"),
    "weight_gradients outer": ("D.weight_gradients(np.zeros((1, 10**5)), np.zeros((1, 10**5)))", "ValueError",
                               r"^weight_gradients: dW of shape \(100000, 100000\)"),
    "layer_forward outer": ("LY.layer_forward(np.zeros((10**5, 1)), np.zeros((1, 10**5)), np.zeros(10**5))",
                            "ValueError", r"^layer_forward: Z of shape \(100000, 100000\)"),
    "train(batch_size=10**12)": ("T.train(N.MLP([2, 1]), np.ones((4, 2)), np.ones((4, 1)), O.SGD(.1), batch_size=10**12)",
                                 "ValueError", r"^train: batch_size must be between"),
    # deeply nested / self-referencing containers
    "recursive list": ("(lambda a: (a.append(a), A.sigmoid(a)))([])", "TypeError", r"^sigmoid: z must be"),
    "list nested 10**4 deep": ("A.sigmoid(NEST(10**4))", "TypeError", r"^sigmoid: z must be"),
    # a huge epochs value is legitimate: the callback / tol must stop it
    "train(epochs=10**12) + callback": (
        "T.train(N.MLP([2, 2, 1], seed=0), X4, Y4, O.SGD(.5), epochs=10**12, "
        "callback=lambda e, h: e >= 4).epochs_run", "return", "5"),
    "train(epochs=10**12) + tol": (
        "T.train(N.MLP([2, 2, 1], seed=0), X4, Y4, O.SGD(.5), epochs=10**12, tol=1e9).stop_reason",
        "return", "'tol'"),
    "train(epochs=10**400) + callback": (
        "T.train(N.MLP([2, 1], seed=0), X4, Y4, O.SGD(.5), epochs=10**400, "
        "callback=lambda e, h: True).epochs_run", "return", "1"),
    "train diverges once": (
        "WARNED(lambda: T.train(N.MLP([2, 8, 1], activations='linear', seed=0), X4 * 1e3, Y4, O.SGD(1e3), "
        "epochs=10**12).diverged)", "return", "(True, ['DivergenceWarning'])"),
    "schedule(10**400)": ("(O.step_decay(.1)(10**400), O.step_decay(.1, drop=1.0)(10**400), "
                          "O.fixed_then_decay(.1)(10**400))", "return", "(0.0, 0.1, 0.0)"),
    # graphs: deep, infinite, and a cycle forced through the private slots still terminates
    "chain of 10**6 nodes": ("CHAIN(10**6)", "return", "1.0"),
    "inf graph backward": ("INFGRAPH()", "return", "True"),
    "forced cycle terminates": ("CYCLE()", "return", "2"),
    "Value ** huge int": ("Value(1.0) ** 10**400", "OverflowError", r"^Value.__pow__: the exponent"),
    "numerical_gradient on 0-d x": ("GC.numerical_gradient(lambda x: float(x) ** 2, np.array(3.0)).shape", "return", "()"),
}

CHILD_PRELUDE = r'''
import json, math, resource, sys, time, warnings
resource.setrlimit(resource.RLIMIT_AS, (4 * 2**30, 4 * 2**30))
import numpy as np
from backproplab import activations as A, datasets as DS, deltas as D, gradcheck as GC
from backproplab import init as I, layers as LY, network as N, optimizers as O, training as T
from backproplab.graph import Value, backprop, topological_order
X4 = np.array([[0., 0.], [0., 1.], [1., 0.], [1., 1.]]); Y4 = np.array([[0.], [1.], [1.], [0.]])

def NEST(depth):
    x = [1.0]
    for _ in range(depth):
        x = [x]
    return x

def CHAIN(n):
    x = v = Value(0.5)
    for _ in range(n):
        v = v * 1.0
    v.backward()
    return x.grad

def INFGRAPH():
    x = Value(1e308)
    out = (x * x - x * x) * x
    out.backward()
    return math.isnan(out.data) and math.isnan(x.grad)

def CYCLE():
    a = Value(1.0); b = a + 1.0
    a._parent1, a._local1 = b, 1.0      # tampering: not possible through the public API
    return len(topological_order(b)) + 0 * len(backprop(b))

def WARNED(call):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        out = call()
    return out, [x.category.__name__ for x in w]

for name, expr in json.loads(sys.argv[1]):
    print(json.dumps({"start": name}), flush=True)
    t0 = time.perf_counter()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", RuntimeWarning)
            r = eval(expr)
        res = {"kind": "return", "value": repr(r)[:200]}
        res["runtime_warnings"] = [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
    except BaseException as exc:
        res = {"kind": type(exc).__name__, "value": str(exc)[:300]}
    res["name"], res["seconds"] = name, time.perf_counter() - t0
    print(json.dumps(res), flush=True)
'''


@pytest.fixture(scope="module")
def child_results():
    cases = [(name, expr) for name, (expr, _, _) in CHILD_CASES.items()]
    code = textwrap.dedent(CHILD_PRELUDE)
    try:
        proc = subprocess.run([sys.executable, "-c", code, json.dumps(cases)],
                              capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        started = [json.loads(line)["start"] for line in out.splitlines() if '"start"' in line]
        pytest.fail(f"the child process hung (60 s) in case {started[-1] if started else '?'}")
    lines = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    results = {r["name"]: r for r in lines if "name" in r}
    if proc.returncode != 0:
        started = [r["start"] for r in lines if "start" in r]
        pytest.fail(f"the child process died (exit code {proc.returncode}) in case "
                    f"{started[-1] if started else '?'}:\n{proc.stderr[-2000:]}")
    return results


@pytest.mark.parametrize("name", list(CHILD_CASES))
def test_risky_call_in_a_child_process(child_results, name):
    _, kind, expected = CHILD_CASES[name]
    res = child_results[name]
    assert res["kind"] != "MemoryError", f"{name}: tried to allocate: {res['value']}"
    assert res["kind"] == kind, f"{name}: expected {kind}, got {res['kind']}: {res['value']}"
    if kind == "return":
        assert res["value"] == expected
        assert res["runtime_warnings"] == [], res["runtime_warnings"]
    else:
        assert re.search(expected, res["value"]), res["value"]
    # refusals are immediate; the returning cases are bounded, not hung
    limit = 10.0 if kind == "return" else 1.0
    assert res["seconds"] < limit, f"{name} took {res['seconds']:.1f} s"
