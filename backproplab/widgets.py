"""Interactive explorers for the lessons (ipywidgets 8, JupyterLab 4).

    neuron_explorer()           one neuron a = phi(w1 x1 + w2 x2 + b) against a logic gate
    activation_explorer()       phi, phi' and the tangent at a chosen z: where gradients vanish
    learning_rate_explorer()    an optimizer's path over a 2-D loss surface, lr and momentum

Each returns an ``ipywidgets.VBox``: show it by leaving it as a cell's last value. Besides
its children the box carries, for lessons and tests,

    box.controls   {name: widget}  the sliders / dropdowns (set ``.value`` to drive it)
    box.state      dict            what the current picture shows (numbers, arrays)
    box.figure     the matplotlib Figure drawn for the current settings
    box.image      the ipywidgets.Image showing that figure as a PNG
    box.update()   redraw from the controls' current values
    box.set_values(name=value, ...)   set several controls and redraw once

The figures are plain ``matplotlib.figure.Figure`` objects rendered to PNG bytes for an
Image widget: no pyplot, no backend, no figure piling up in pyplot's registry, and the
same picture in every front end. ipywidgets and matplotlib are imported only when an
explorer is built, so ``import backproplab`` stays cheap.
"""
from __future__ import annotations

import html
import io

import numpy as np

from ._validate import as_float_array, choice, positive_int, real_number

__all__ = ["neuron_explorer", "activation_explorer", "learning_rate_explorer"]

_DPI = 96
_PLOTTABLE = ("sigmoid", "tanh", "relu", "leaky_relu", "linear", "step")


# ----------------------------------------------------------------------------- plumbing

def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=_DPI)
    return buf.getvalue()


def _explorer(controls, draw, figsize, caption=True):
    """A VBox of `controls`, the figure and a caption; draw(fig, values) -> (state, caption).

    The first drawing happens here, so that bad arguments raise at once. Later drawings
    run in widget callbacks, where an exception would vanish into the browser's console:
    there it is caught and shown in the caption instead (and kept in state["error"]).
    """
    import ipywidgets as widgets
    from matplotlib.figure import Figure

    # a fixed layout (each draw places its axes): the picture does not jump as titles
    # change, and drawing takes half the time of constrained layout
    fig = Figure(figsize=figsize)
    image = widgets.Image(format="png", layout=widgets.Layout(max_width="100%", height="auto"))
    text = widgets.HTML()
    box = widgets.VBox([widgets.HBox(list(controls.values()),
                                     layout=widgets.Layout(flex_flow="row wrap")),
                        image] + ([text] if caption else []))
    box.controls, box.figure, box.image, box.caption, box.state = controls, fig, image, text, {}

    def render():
        fig.clear()
        state, note = draw(fig, {name: w.value for name, w in controls.items()})
        box.state = state
        text.value = note
        image.value = _png(fig)

    holding = []   # non-empty while set_values() changes several controls at once

    def on_change(_change):
        if holding:
            return
        try:
            render()
        except Exception as exc:  # noqa: BLE001 - shown to the student instead of lost
            box.state = dict(box.state, error=f"{type(exc).__name__}: {exc}")
            text.value = f"<b style='color:#b00'>{html.escape(box.state['error'])}</b>"

    def set_values(**values):
        """Set several controls, then draw once (setting .value one by one draws each time)."""
        unknown = sorted(set(values) - set(controls))
        if unknown:
            raise ValueError(f"set_values: unknown control(s) {', '.join(map(repr, unknown))}; "
                             f"the controls are: {', '.join(map(repr, controls))}")
        holding.append(True)
        try:
            for name, value in values.items():
                controls[name].value = value
        finally:
            holding.pop()
        on_change(None)

    render()
    for w in controls.values():
        w.observe(on_change, names="value")
    box.update, box.set_values = render, set_values
    return box


def _slider(description, value, lo, hi, step, where, name):
    import ipywidgets as widgets
    value = real_number(value, where, name, minimum=lo, maximum=hi)
    return widgets.FloatSlider(value=value, min=lo, max=hi, step=step, description=description,
                               continuous_update=False, readout_format=".2f",
                               style={"description_width": "initial"})


def _dropdown(description, options, value):
    import ipywidgets as widgets
    return widgets.Dropdown(options=list(options), value=value, description=description,
                            style={"description_width": "initial"},
                            layout=widgets.Layout(width="auto"))


# ----------------------------------------------------------------------------- one neuron

def neuron_explorer(w1=20.0, w2=20.0, b=-30.0, activation="sigmoid", gate="and"):
    """One neuron a = phi(w1 x1 + w2 x2 + b) over the unit square, against a logic gate.

    The defaults are CENG 506's AND neuron g(-30 + 20 x1 + 20 x2); b = -10 makes it OR.
    Sliders w1, w2, b in [-40, 40]; activation one of sigmoid, tanh, relu, leaky_relu,
    linear, step; gate one of backproplab.datasets.GATES. The picture shades a over the
    square with the line z = 0 (where the neuron switches) and the gate's four inputs; the
    truth table below says which rows the neuron gets right (it "fires" where z >= 0).
    Try XOR: no setting of one neuron gets all four rows.

    state: w1, w2, b, activation, gate, X (4, 2), target (4,), z (4,), a (4,),
    fires (4,) bool, correct (int, rows right).
    """
    from .activations import get_activation
    from .datasets import GATES, logic_gate

    where = "neuron_explorer"
    choice(activation, _PLOTTABLE, where, "activation")
    gate = gate.lower() if isinstance(gate, str) else gate
    choice(gate, GATES, where, "gate")
    controls = {
        "w1": _slider("w₁", w1, -40.0, 40.0, 0.5, where, "w1"),
        "w2": _slider("w₂", w2, -40.0, 40.0, 0.5, where, "w2"),
        "b": _slider("b", b, -40.0, 40.0, 0.5, where, "b"),
        "activation": _dropdown("activation φ", _PLOTTABLE, activation),
        "gate": _dropdown("gate", GATES, gate),
    }
    # the shading grid: a little beyond the unit square so the corners are not on the edge
    g = np.linspace(-0.25, 1.25, 151)
    G1, G2 = np.meshgrid(g, g)

    def draw(fig, v):
        act = get_activation(v["activation"])
        X, y = logic_gate(v["gate"])
        target = y[:, 0]
        z = v["w1"] * X[:, 0] + v["w2"] * X[:, 1] + v["b"]
        a = np.asarray(act.f(z), dtype=np.float64)
        fires = z >= 0.0
        correct = int(np.sum(fires == (target == 1.0)))

        ax = fig.add_axes((0.11, 0.2, 0.66, 0.72))
        A = np.asarray(act.f(v["w1"] * G1 + v["w2"] * G2 + v["b"]), dtype=np.float64)
        im = ax.imshow(A, origin="lower", extent=(g[0], g[-1], g[0], g[-1]), cmap="viridis",
                       aspect="equal", interpolation="bilinear")
        fig.colorbar(im, cax=fig.add_axes((0.81, 0.2, 0.035, 0.72)),
                     label=r"neuron output $a = \varphi(z)$")
        if A.max() > A.min() and np.any(v["w1"] * G1 + v["w2"] * G2 + v["b"] >= 0) and \
                np.any(v["w1"] * G1 + v["w2"] * G2 + v["b"] < 0):
            ax.contour(G1, G2, v["w1"] * G1 + v["w2"] * G2 + v["b"], levels=[0.0], colors="white",
                       linewidths=2.0, linestyles="--")
        for cls, marker, colour in ((0.0, "o", "#E69F00"), (1.0, "s", "#0072B2")):
            m = target == cls
            ax.scatter(X[m, 0], X[m, 1], s=140, marker=marker, color=colour, edgecolors="white",
                       linewidths=1.5, zorder=3, label=f"{v['gate'].upper()} = {cls:.0f}")
        ax.legend(loc="upper left", bbox_to_anchor=(0.0, -0.14), ncols=2, frameon=False)
        ax.set_xlabel("$x_1$")
        ax.set_ylabel("$x_2$")
        ax.set_title(f"{v['activation']}({_affine(v['w1'], v['w2'], v['b'])}): "
                     f"{correct}/4 rows of {v['gate'].upper()} right")
        state = dict(v, X=X, target=target, z=z, a=a, fires=fires, correct=correct)
        return state, _truth_table(X, target, z, a, fires, v["gate"])

    return _explorer(controls, draw, figsize=(6.0, 5.2))


def _affine(w1, w2, b):
    """ "20 x₁ + 20 x₂ − 30" rather than "20 x₁ + 20 x₂ + -30"."""
    def term(c, var, first):
        sign = ("−" if c < 0 else "") if first else (" − " if c < 0 else " + ")
        return f"{sign}{abs(c):g}{var}"
    return term(w1, " x₁", True) + term(w2, " x₂", False) + term(b, "", False)


def _truth_table(X, target, z, a, fires, gate):
    head = "".join(f"<th style='padding:0 10px'>{h}</th>" for h in
                   ("x₁", "x₂", "z = w₁x₁ + w₂x₂ + b", "a = φ(z)", "fires (z ≥ 0)",
                    gate.upper(), ""))
    rows = []
    for (x1, x2), t, zi, ai, f in zip(X, target, z, a, fires):
        ok = bool(f) == (t == 1.0)
        cells = (f"{x1:.0f}", f"{x2:.0f}", f"{zi:.2f}", f"{ai:.3f}", "1" if f else "0", f"{t:.0f}",
                 "✓" if ok else "<b style='color:#b00'>✗</b>")
        rows.append("<tr>" + "".join(f"<td style='text-align:center'>{c}</td>" for c in cells)
                    + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


# ----------------------------------------------------------------------------- activations

def activation_explorer(activation="sigmoid", z=2.0, z_max=8.0):
    """phi(z), phi'(z) and the tangent line at a chosen z (Samatova's saturation slides).

    Drag z away from 0 to watch sigmoid and tanh flatten: the tangent's slope phi'(z) --
    the factor every gradient through this unit is multiplied by -- goes to 0 (shaded:
    |phi'| < 0.05). ReLU keeps slope 1 for every z > 0 (and 0 for z <= 0).

    state: activation, z, value = phi(z), derivative = phi'(z), saturated (|phi'(z)| < 0.05).
    """
    from .activations import get_activation
    from .plots import plot_activations

    where = "activation_explorer"
    choice(activation, _PLOTTABLE, where, "activation")
    z_max = real_number(z_max, where, "z_max", minimum=0.5, maximum=100.0)
    controls = {
        "activation": _dropdown("activation φ", _PLOTTABLE, activation),
        "z": _slider("z", z, -z_max, z_max, 0.1, where, "z"),
    }

    def draw(fig, v):
        act = get_activation(v["activation"])
        z0 = v["z"]
        value, slope = float(act.f(z0)), float(act.df(z0))
        saturated = abs(slope) < 0.05
        ax = fig.add_subplot()
        fig.subplots_adjust(left=0.1, right=0.97, bottom=0.13, top=0.91)
        plot_activations(v["activation"], ax=ax, z_range=(-z_max, z_max))
        t = np.linspace(z0 - 1.5, z0 + 1.5, 2)
        ax.plot(t, value + slope * (t - z0), color="#009E73", lw=1.5, label="tangent at z")
        ax.scatter([z0], [value], s=60, color="#0072B2", edgecolors="black", zorder=4)
        ax.scatter([z0], [slope], s=60, color="#D55E00", edgecolors="black", zorder=4)
        ax.legend(loc="upper left", fontsize="small", framealpha=0.9)
        ax.set_title(f"{v['activation']} at z = {z0:g}:  φ(z) = {value:.3f},  φ'(z) = {slope:.3f}"
                     + ("  (saturated)" if saturated else ""))
        state = dict(v, value=value, derivative=slope, saturated=saturated)
        note = (f"A gradient passing back through this unit is multiplied by φ'(z) = {slope:.4f}"
                + (": it all but vanishes." if saturated else "."))
        return state, note

    return _explorer(controls, draw, figsize=(6.4, 4.2))


# ----------------------------------------------------------------------------- optimizers

def _ravine(w):
    """The default surface: an elongated bowl f(w) = (w1^2 + 10 w2^2) / 2, steep across
    and flat along, where plain gradient descent zig-zags and momentum helps."""
    return 0.5 * (w[0] ** 2 + 10.0 * w[1] ** 2)


def _ravine_grad(w):
    return np.array([w[0], 10.0 * w[1]])


_OPTIMIZERS = ("SGD", "Momentum", "Nesterov", "Adagrad")


def _make_optimizer(name, lr, momentum):
    from . import optimizers
    if name in ("Momentum", "Nesterov"):
        return getattr(optimizers, name)(lr, momentum=momentum)
    return getattr(optimizers, name)(lr)


def _run_optimizer(grad, start, optimizer, steps, blow_up=1e6):
    """The path (steps + 1, 2) of `optimizer` from `start`, using grad(w) -> (2,) array.

    Stops early, marking the path diverged, when the weights or the gradient stop being
    finite or |w| exceeds `blow_up` (no overflow warnings). Returns (path, diverged).
    """
    w = np.array(start, dtype=np.float64)
    path, diverged = [w.copy()], False
    with np.errstate(all="ignore"):
        for _ in range(steps):
            g = np.asarray(grad(w.copy()), dtype=np.float64)
            if g.shape != (2,):
                raise ValueError(f"learning_rate_explorer: grad(w) returned shape {g.shape}; "
                                 "it must return the gradient (df/dw1, df/dw2), shape (2,)")
            if not np.all(np.isfinite(g)):
                diverged = True
                break
            optimizer.step([w], [g])
            path.append(w.copy())
            if not np.all(np.isfinite(w)) or np.max(np.abs(w)) > blow_up:
                diverged = True
                break
    return np.array(path), diverged


def learning_rate_explorer(f=None, grad=None, start=(-4.0, 1.5), optimizer="SGD", lr=0.05,
                           momentum=0.9, steps=40, bounds=None, optimum=None):
    """An optimizer's steps over a 2-D loss surface, with the learning rate gamma, the
    momentum alpha, the optimizer and the number of steps on sliders (Samatova's "Choosing
    Learning Rate & Momentum").

    f: the loss surface f(w), w = (w1, w2) (see backproplab.plots.plot_trajectory); default
        the ravine (w1^2 + 10 w2^2) / 2 with its minimum at (0, 0): gamma > 0.2 makes plain
        gradient descent diverge across the ravine, small gamma crawls along it.
    grad: its gradient w -> array (2,); default central differences of f
        (backproplab.gradcheck.numerical_gradient). Ignored when f is None.
    start: the initial weights; optimizer: "SGD", "Momentum", "Nesterov" or "Adagrad".
    bounds: the view, ((w1_min, w1_max), (w2_min, w2_max)); default: around the first path
        drawn, then kept fixed so that paths can be compared.
    The right panel is f along the path (the training loss, step by step).

    state: optimizer, lr, momentum, steps, path (k + 1, 2), losses (k + 1,), diverged.
    """
    from .plots import plot_loss, plot_trajectory

    where = "learning_rate_explorer"
    if f is None:
        f, grad, optimum = _ravine, _ravine_grad, (0.0, 0.0) if optimum is None else optimum
        if bounds is None:
            bounds = ((-5.0, 5.0), (-2.5, 2.5))
    elif not callable(f):
        raise TypeError(f"{where}: f must be a function of w = (w1, w2), got {type(f).__name__}")
    if grad is None:
        grad = _numerical(f)
    elif not callable(grad):
        raise TypeError(f"{where}: grad must be a function w -> gradient, got {type(grad).__name__}")
    start = as_float_array(start, where, "start", finite=True)
    if start.shape != (2,):
        raise ValueError(f"{where}: start must be a point (w1, w2), got shape {start.shape}")
    choice(optimizer, _OPTIMIZERS, where, "optimizer")
    lr = real_number(lr, where, "lr", minimum=1e-4, maximum=10.0)
    steps = positive_int(steps, where, "steps")
    if steps > 500:
        raise ValueError(f"{where}: steps must be <= 500, got {steps}")

    import ipywidgets as widgets
    controls = {
        "optimizer": _dropdown("optimizer", _OPTIMIZERS, optimizer),
        "lr": widgets.FloatLogSlider(value=lr, base=10, min=-4, max=1, step=0.05,
                                     description="learning rate γ", continuous_update=False,
                                     readout_format=".3g", style={"description_width": "initial"}),
        "momentum": _slider("momentum α", momentum, 0.0, 0.99, 0.01, where, "momentum"),
        "steps": widgets.IntSlider(value=steps, min=1, max=500, description="steps",
                                   continuous_update=False),
    }
    view = {"bounds": bounds}

    def draw(fig, v):
        controls["momentum"].disabled = v["optimizer"] not in ("Momentum", "Nesterov")
        opt = _make_optimizer(v["optimizer"], v["lr"], v["momentum"])
        path, diverged = _run_optimizer(grad, start, opt, v["steps"])
        with np.errstate(all="ignore"):
            losses = np.array([float(f(w.copy())) for w in path])
        if view["bounds"] is None:   # fix the view at the first drawing
            fixed = plot_trajectory(f, path, ax=fig.add_subplot(), optimum=optimum, resolution=20)
            view["bounds"] = (fixed.axes[0].get_xlim(), fixed.axes[0].get_ylim())
            fig.clear()
        left, right = fig.subplots(1, 2, width_ratios=(3, 2), gridspec_kw=dict(
            left=0.06, right=0.98, bottom=0.12, top=0.92, wspace=0.2))
        name = v["optimizer"] + ("" if controls["momentum"].disabled else f", α = {v['momentum']:g}")
        name += f", γ = {v['lr']:.3g}" + (", diverged" if diverged else "")
        plot_trajectory(f, {name: path}, ax=left, bounds=view["bounds"],
                        optimum=optimum, resolution=100)
        left.legend(loc="upper left", fontsize="small", framealpha=0.9)
        plot_loss({"f(w)": losses}, ax=right, title="Loss along the path")
        right.set_xlabel("step")
        right.get_legend().remove()
        state = dict(v, path=path, losses=losses, diverged=diverged)
        end = path[-1]
        note = (f"After {len(path) - 1} steps: w = ({end[0]:.4g}, {end[1]:.4g}), "
                f"f(w) = {losses[-1]:.4g}" + ("; <b>diverged</b> (γ too large)" if diverged else ""))
        return state, note

    return _explorer(controls, draw, figsize=(10.0, 4.6))


def _numerical(f):
    from .gradcheck import numerical_gradient

    def grad(w):
        # numerical_gradient perturbs its argument in place: give it a copy
        return numerical_gradient(lambda x: float(f(x)), np.array(w, dtype=np.float64))
    return grad
