"""The package as a whole: importing it is silent and cheap, and every name of the API contract
(/work/shared/design/api.md) exists at its module path with the contract's parameters and defaults.

The contract is listed here explicitly rather than parsed from api.md, so that a change to
either shows up as a readable diff. A parameter written as "name" has no default in the
contract (an implementation may still add one: calls written against the contract keep
working); ("name", value) must have exactly that default. Extra parameters after the
contract's, with defaults (e.g. make_circles' `factor`), are allowed for the same reason.
"""
import importlib
import inspect
import json
import os
import subprocess
import sys

import numpy as np
import pytest

NO_DEFAULT = inspect.Parameter.empty

# module -> {qualified name: parameters}; a parameter is "name" or ("name", default)
CONTRACT = {
    "backproplab.activations": {
        "sigmoid": ["z"], "sigmoid_prime": ["z"],
        "tanh": ["z"], "tanh_prime": ["z"],
        "relu": ["z"], "relu_prime": ["z"],
        "leaky_relu": ["z", ("slope", 0.1)], "leaky_relu_prime": ["z", ("slope", 0.1)],
        "linear": ["z"], "linear_prime": ["z"],
        "softmax": ["z", ("axis", -1)], "softmax_prime": ["z", ("axis", -1)],
        "softmax_jacobian": ["z"],
        "step": ["z", ("threshold", 0.0)],
        "get_activation": ["name"],
    },
    "backproplab.losses": {
        name: ["y_hat", "y"] for name in (
            "quadratic", "quadratic_grad", "mse", "mse_grad", "binary_cross_entropy",
            "binary_cross_entropy_grad", "cross_entropy", "cross_entropy_grad")
    },
    "backproplab.deltas": {
        "output_delta": ["y_hat", "y", "z", ("loss", "quadratic"), ("activation", "sigmoid")],
        "hidden_delta": ["delta_next", "W_next", "z", ("activation", "sigmoid")],
        "weight_gradients": ["a_prev", "delta"],
    },
    "backproplab.init": {
        "xavier_normal": ["n_in", "n_out", "rng"],
        "he_normal": ["n_in", "n_out", "rng"],
    },
    "backproplab.network": {
        "MLP": ["layer_sizes", ("activations", "sigmoid"), ("init", "xavier"), ("seed", None)],
        "MLP.forward": ["X"],
        "MLP.backward": ["y", ("loss", "quadratic"), ("l2", 0.0)],
        "MLP.loss": ["X", "y", ("loss", "quadratic"), ("l2", 0.0)],
        "MLP.predict": ["X"],
    },
    "backproplab.graph": {
        "Value": ["data", ("label", "")],
        "Value.backward": [],
        "Value.exp": [], "Value.log": [], "Value.tanh": [], "Value.sigmoid": [], "Value.relu": [],
        "topological_order": ["root"],
        "backprop": ["root"],
    },
    "backproplab.optimizers": {
        "SGD": ["lr"],
        "Momentum": ["lr", ("momentum", 0.9)],
        "Nesterov": ["lr", ("momentum", 0.9)],
        "Adagrad": ["lr", ("eps", 1e-8)],
        **{f"{opt}.step": ["params", "grads"] for opt in ("SGD", "Momentum", "Nesterov", "Adagrad")},
        **{f"{opt}.reset": [] for opt in ("SGD", "Momentum", "Nesterov", "Adagrad")},
        # api.md lists the schedules under backproplab.optimizers
        "constant": ["lr"],
        "step_decay": ["lr0", "drop", "every"],
        "fixed_then_decay": ["lr0", "hold", "rate"],
    },
    "backproplab.training": {
        "train": ["net", "X", "y", "optimizer", ("loss", "quadratic"), ("epochs", 100),
                  ("batch_size", None), ("shuffle", True), ("seed", None), ("l2", 0.0),
                  ("schedule", None), ("tol", None), ("callback", None)],
        "History": None,  # a class; its attributes are checked on a real run below
    },
    "backproplab.gradcheck": {
        "numerical_gradient": ["f", "x", ("h", 1e-5)],
        "relative_error": ["a", "b"],
        "check_gradients": ["net", "X", "y", ("loss", "quadratic"), ("l2", 0.0)],
    },
    "backproplab.datasets": {
        "logic_gate": ["name"],
        "make_moons": ["n", "noise", "seed"],
        "make_circles": ["n", "noise", "seed"],
        "make_spirals": ["n", "classes", "noise", "seed"],
    },
}

ENTRIES = [(module, qualname, params) for module, names in CONTRACT.items()
           for qualname, params in names.items()]


def _resolve(module, qualname):
    obj = importlib.import_module(module)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


@pytest.mark.parametrize("module,qualname,params", ENTRIES, ids=[f"{m}.{q}" for m, q, _ in ENTRIES])
def test_contract_name_and_signature(module, qualname, params):
    obj = _resolve(module, qualname)
    assert callable(obj), f"{module}.{qualname} is not callable"
    if params is None:
        return
    sig = inspect.signature(obj)  # for a class: its constructor, without self
    got = [p for p in sig.parameters.values()
           if p.name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    want_names = [p if isinstance(p, str) else p[0] for p in params]
    assert [p.name for p in got[:len(want_names)]] == want_names, \
        f"{module}.{qualname}{sig}: expected parameters {want_names}"
    extras = [p.name for p in got[len(want_names):] if p.default is NO_DEFAULT]
    assert not extras, f"{module}.{qualname}{sig}: parameters {extras} are not in the contract and have no default"
    for want, p in zip(params, got):
        assert p.kind in (p.POSITIONAL_OR_KEYWORD, p.POSITIONAL_ONLY), \
            f"{module}.{qualname}: {p.name} must be usable positionally, as in the contract"
        if isinstance(want, tuple):
            assert p.default is not NO_DEFAULT, f"{module}.{qualname}: {p.name} needs default {want[1]!r}"
            assert type(p.default) is type(want[1]) and p.default == want[1], \
                f"{module}.{qualname}: {p.name} defaults to {p.default!r}, the contract says {want[1]!r}"


def test_activation_and_loss_names_are_the_contracts():
    from backproplab import activations, losses
    assert set(activations.NAMES) == {"sigmoid", "tanh", "relu", "leaky_relu", "linear", "softmax", "step"}
    for name in activations.NAMES:
        act = activations.get_activation(name)
        assert callable(act.f) and callable(act.df)
    assert set(losses.NAMES) == {"quadratic", "mse", "binary_cross_entropy", "cross_entropy"}


def test_gate_names_are_the_contracts():
    from backproplab.datasets import logic_gate
    for name in ("and", "or", "xor", "xnor", "nand"):
        X, y = logic_gate(name)
        assert X.shape == (4, 2) and y.shape == (4, 1)


def test_mlp_attributes():
    from backproplab.network import MLP
    net = MLP([2, 3, 1], seed=0)
    assert [W.shape for W in net.weights] == [(2, 3), (3, 1)]
    assert [b.shape for b in net.biases] == [(3,), (1,)]
    params = net.params
    assert len(params) == 4
    assert params[0] is net.weights[0] and params[1] is net.biases[0]
    net.forward(np.zeros((5, 2)))
    net.backward(np.zeros((5, 1)))
    assert [g.shape for g in net.grads] == [p.shape for p in params]


def test_value_attributes_and_operators():
    from backproplab.graph import Value
    a = Value(2.0, label="a")
    assert a.data == 2.0 and hasattr(a, "grad")
    # + - * / ** (int/float power), unary -, r-ops with plain numbers
    exprs = {"a + 1": (a + 1, 3.0), "1 + a": (1 + a, 3.0), "a - 1": (a - 1, 1.0), "1 - a": (1 - a, -1.0),
             "a * 3": (a * 3, 6.0), "3 * a": (3 * a, 6.0), "a / 4": (a / 4, 0.5), "4 / a": (4 / a, 2.0),
             "a ** 2": (a ** 2, 4.0), "a ** 0.5": (a ** 0.5, 2.0 ** 0.5), "-a": (-a, -2.0),
             "a * a": (a * a, 4.0)}
    for text, (v, want) in exprs.items():
        assert isinstance(v, Value), text
        assert v.data == pytest.approx(want, rel=1e-15), text


def test_optimizer_lr_is_settable_and_reset_exists():
    from backproplab import optimizers
    for cls in (optimizers.SGD, optimizers.Momentum, optimizers.Nesterov, optimizers.Adagrad):
        opt = cls(0.1)
        assert opt.lr == 0.1
        opt.lr = 0.05
        assert opt.lr == 0.05
        opt.reset()


def test_history_from_a_short_run():
    from backproplab.datasets import logic_gate
    from backproplab.network import MLP
    from backproplab.optimizers import SGD
    from backproplab.training import History, train
    X, y = logic_gate("and")
    history = train(MLP([2, 2, 1], seed=0), X, y, SGD(0.5), epochs=3, seed=0)
    assert isinstance(history, History)
    assert len(history.loss) == 3
    assert history.diverged is False


def test_plots_module_exists():
    # the issue asks for backproplab.plots; api.md gives no names for it
    importlib.import_module("backproplab.plots")


# --- importing is silent and cheap ---------------------------------------------------------

MODULES = list(CONTRACT) + ["backproplab.plots", "backproplab.sampling", "backproplab.annealing"]


def _python(code):
    env = {k: v for k, v in os.environ.items() if k not in ("MPLBACKEND", "PYTHONWARNINGS")}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)


def test_import_prints_nothing():
    proc = _python("import backproplab")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "" and proc.stderr == ""


def test_importing_every_module_prints_nothing():
    proc = _python("import importlib\n" + "".join(f"importlib.import_module({m!r})\n" for m in MODULES))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "" and proc.stderr == ""


def test_import_does_not_load_pyplot_or_ipywidgets():
    proc = _python("import sys, json, backproplab\n"
                   "print(json.dumps(sorted(m for m in ('matplotlib.pyplot', 'ipywidgets') if m in sys.modules)))")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == []


def test_import_does_not_change_the_matplotlib_backend():
    # read rcParams' raw value: matplotlib.get_backend() would itself resolve (and so set) it
    code = ("import importlib, json, matplotlib\n"
            "raw = lambda: dict.__getitem__(matplotlib.rcParams, 'backend')\n"
            "before = raw()\n"
            + "".join(f"importlib.import_module({m!r})\n" for m in MODULES) +
            "after = raw()\n"
            "matplotlib.use('svg')\n"
            + "".join(f"importlib.reload(importlib.import_module({m!r}))\n" for m in MODULES) +
            "print(json.dumps([str(before), str(after), matplotlib.get_backend()]))")
    proc = _python(code)
    assert proc.returncode == 0, proc.stderr
    before, after, chosen = json.loads(proc.stdout)
    assert after == before
    assert chosen.lower() == "svg"  # a backend chosen by the user survives (re)importing every module
