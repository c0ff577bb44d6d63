"""Interactive explorers for the lessons (ipywidgets 8, JupyterLab 4).

    neuron_explorer()           one neuron a = phi(w1 x1 + w2 x2 + b) against a logic gate
    activation_explorer()       phi, phi' and the tangent at a chosen z: where gradients vanish
    learning_rate_explorer()    an optimizer's path over a 2-D loss surface: learning rate
                                (log scale), momentum, optimizer; the loss per step
    training_explorer()         a small network (two moons or XOR) trained live with the same
                                controls: its decision boundary and its loss curve

Each returns an ``ipywidgets.VBox``: show it by leaving it as a cell's last value. Besides
its children the box carries, for lessons and tests,

    box.controls   {name: widget}  the sliders / dropdowns (set ``.value`` to drive it)
    box.state      dict            what the current picture shows (numbers, arrays)
    box.figure     the matplotlib Figure drawn for the current settings
    box.image      the ipywidgets.Image showing that figure as a PNG
    box.caption    the ipywidgets.HTML readout under the picture
    box.update()   redraw from the controls' current values
    box.set_values(name=value, ...)   set several controls and redraw once

The figures are plain ``matplotlib.figure.Figure`` objects on an Agg canvas, rendered to PNG
bytes for one Image widget whose value is replaced: no pyplot, no backend, no figure piling
up in pyplot's registry or in the output, and the same picture in every front end. The two
optimizer explorers draw their unchanging parts (axes, contours, legends) once and repaint
only what moves, so that an update takes well under 200 ms (benchmarks/bench_widgets.py).
In a kernel that draws no figures (c.InlineBackend.figure_formats = set(), as `backproplab
grade` runs notebooks) they compute everything but paint no picture, so graded lessons stay fast.
Nothing needs a browser: tests set the controls' values and read state and the drawn
artists. ipywidgets and matplotlib are imported only when an explorer is built, so
``import backproplab`` stays cheap.
"""
from __future__ import annotations

import html
import io

import numpy as np

from ._validate import as_float_array, choice, positive_int, real_number

__all__ = ["neuron_explorer", "activation_explorer", "learning_rate_explorer", "training_explorer"]

_DPI = 96
_PLOTTABLE = ("sigmoid", "tanh", "relu", "leaky_relu", "linear", "step")


# ----------------------------------------------------------------------------- plumbing

def _png(fig) -> bytes:
    """The pixels the figure's canvas holds now, as PNG bytes (nothing is drawn here).

    Compression level 1 takes a third of the default level's time for 10-20 % more bytes:
    a redraw has to reach the browser quickly, and it travels on localhost."""
    from matplotlib.image import imsave
    buf = io.BytesIO()
    imsave(buf, np.asarray(fig.canvas.buffer_rgba()), format="png",
           pil_kwargs={"compress_level": 1})
    return buf.getvalue()


def _explorer(controls, draw, figsize, caption=True, setup=None):
    """A VBox of `controls`, the figure and a caption; draw(fig, values) -> (state, caption).

    Two ways of drawing. Without `setup`, every update clears the figure and draw() draws
    all of it. With setup(fig, values, invalidate) -> layers, called once, the figure's
    unchanging parts (axes, ticks, contour lines, legends) are drawn once and kept as a
    bitmap; layers() lists the artists that change (line data, texts, an image), which
    draw() updates in place and which alone are painted over the bitmap at each update.
    A draw() that had to change an unchanging part (an axis' limits) calls invalidate(ax):
    the next paint redraws that Axes' region of the bitmap (invalidate() redraws it all).
    Either way the one Figure and the one Image widget are reused: the picture changes in
    place.

    The first drawing happens here, so that bad arguments raise at once. Later drawings
    run in widget callbacks, where an exception would vanish into the browser's console:
    there it is caught and shown in the caption instead (and kept in state["error"]).
    """
    import ipywidgets as widgets
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    # a fixed layout (each draw places its axes): the picture does not jump as titles
    # change, and drawing takes half the time of constrained layout
    fig = Figure(figsize=figsize, dpi=_DPI)
    FigureCanvasAgg(fig)
    image = widgets.Image(format="png", layout=widgets.Layout(max_width="100%", height="auto"))
    text = widgets.HTML()
    box = widgets.VBox([widgets.HBox(list(controls.values()),
                                     layout=widgets.Layout(flex_flow="row wrap")),
                        image] + ([text] if caption else []))
    box.controls, box.figure, box.image, box.caption, box.state = controls, fig, image, text, {}
    background, layers, stale = [], [], []

    def invalidate(ax=None):
        if ax is None:
            background.clear()
        else:
            stale.append(ax)

    def values():
        return {name: w.value for name, w in controls.items()}

    def paint():
        if _figures_off():
            return      # nobody will see it: state, caption and artists are up to date
        canvas = fig.canvas
        moving = layers[0]() if layers else []
        for artist in moving:
            artist.set_animated(True)   # left out of the bitmap, painted over it
        if background and stale:
            canvas.restore_region(background[0])
            _redraw_region(fig, stale)
            background[0] = canvas.copy_from_bbox(fig.bbox)
        elif background:
            canvas.restore_region(background[0])
        else:
            canvas.draw()   # a plain draw leaves the animated artists out
            if setup is not None:
                background.append(canvas.copy_from_bbox(fig.bbox))
        stale.clear()
        for artist in moving:
            fig.draw_artist(artist)
        image.value = _png(fig)

    def render():
        if setup is None:
            fig.clear()
        state, note = draw(fig, values())
        box.state = state
        text.value = note
        with np.errstate(all="ignore"):   # a diverged run's numbers: no overflow warnings
            paint()

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

    if setup is not None:
        layers.append(setup(fig, values(), invalidate))
    render()
    for w in controls.values():
        w.observe(on_change, names="value")
    box.update, box.set_values = render, set_values
    return box


def _figures_off() -> bool:
    """True in a kernel configured to draw no figures (c.InlineBackend.figure_formats = set(),
    as `backproplab grade` sets it): there, nobody will see an explorer's picture, so it is
    not painted (its state, caption and artists are still updated)."""
    import sys
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None or "InlineBackend" not in shell.config:
        return False
    formats = shell.config["InlineBackend"].get("figure_formats")
    return formats is not None and len(formats) == 0


def _redraw_region(fig, axes):
    """Repaint each Axes' cell of the (fixed) layout on the canvas: its area, labels included,
    is filled with the figure's colour and the Axes drawn again (animated artists excluded)."""
    from matplotlib.patches import Rectangle
    renderer = fig.canvas.get_renderer()
    for ax in dict.fromkeys(axes):
        pos = ax.get_position()
        # room for tick labels and axis labels on the left and below, the title above
        x0, y0 = max(pos.x0 - 0.075, 0.0), 0.0
        x1, y1 = min(pos.x1 + 0.015, 1.0), min(pos.y1 + 0.075, 1.0)
        patch = Rectangle((x0, y0), x1 - x0, y1 - y0, transform=fig.transFigure,
                          facecolor=fig.get_facecolor(), edgecolor="none")
        patch.set_figure(fig)
        patch.draw(renderer)
        ax.draw(renderer)


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

_OPTIMIZERS = ("SGD", "Momentum", "Nesterov", "Adagrad")
_BLOW_UP = 1e6       # |w| beyond this (or inf/NaN): the run diverged


def _make_optimizer(name, lr, momentum):
    from . import optimizers
    if name in ("Momentum", "Nesterov"):
        return getattr(optimizers, name)(lr, momentum=momentum)
    return getattr(optimizers, name)(lr)


def _run_optimizer(grad, start, optimizer, steps, blow_up=_BLOW_UP):
    """The path (k + 1, 2) of `optimizer` from `start`, using grad(w) -> (2,) array.

    Stops early, marking the path diverged, when the weights or the gradient stop being
    finite or |w| exceeds `blow_up` (no overflow warnings); the last row is then the first
    point beyond, if finite. Returns (path, diverged).
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
            if not np.all(np.isfinite(w)):
                diverged = True
                break
            path.append(w.copy())
            if np.max(np.abs(w)) > blow_up:
                diverged = True
                break
    return np.array(path), diverged


def _log_slider(description, value, lo_exp, hi_exp, where, name):
    import ipywidgets as widgets
    value = real_number(value, where, name, minimum=10.0 ** lo_exp, maximum=10.0 ** hi_exp)
    return widgets.FloatLogSlider(value=value, base=10, min=lo_exp, max=hi_exp, step=0.05,
                                  description=description, continuous_update=False,
                                  readout_format=".3g", style={"description_width": "initial"})


def _steps_slider(description, value, lo, hi, step, where, name):
    import ipywidgets as widgets
    value = positive_int(value, where, name, minimum=lo)
    if value > hi:
        raise ValueError(f"{where}: {name} must be <= {hi}, got {value}")
    return widgets.IntSlider(value=value, min=lo, max=hi, step=step, description=description,
                             continuous_update=False, style={"description_width": "initial"})


class _LossPanel:
    """A loss curve on an Axes whose frame stays put: only the line (and an x where a diverged
    run stopped) is repainted. The limits change, and the panel is redrawn, only when
    the curve leaves them, would fill too little of them, or the x range changes. The scale
    is logarithmic (whole decades) when every loss is > 0, else linear."""

    def __init__(self, ax, xlabel, title, invalidate, span=None):
        # span: (lo, hi) the log axis always covers at least (fewer redraws)
        self.ax, self.invalidate, self.limits, self.span = ax, invalidate, None, span
        self.line, = ax.plot([], [], color="#0072B2", lw=1.8, label="loss")
        self.stop, = ax.plot([], [], ls="", marker="x", ms=9, mew=2, color="#b00")
        ax.set_xlabel(xlabel)
        ax.set_title(title, fontsize="medium")
        ax.grid(True, alpha=0.3)

    def layers(self):
        return [self.line, self.stop]

    def show(self, losses, diverged, x_max):
        """Draw losses[i] at x = i; x_max: the right end of the axis (the steps asked for)."""
        x = np.arange(losses.size, dtype=np.float64)
        ok = np.isfinite(losses)
        self.line.set_data(x[ok], losses[ok])
        last = np.flatnonzero(ok)[-1:] if diverged else np.array([], dtype=int)
        self.stop.set_data(x[last], losses[last])
        if ok.any():
            self._fit(losses[ok], float(max(1, x_max)))

    def _fit(self, values, x_max):
        lo, hi = float(values.min()), float(values.max())
        log = lo > 0.0
        # a diverging run reaches 1e308; the log axis' tick decades would overflow beyond it
        lo, hi = max(lo, -1e200), min(hi, 1e200)
        if log:
            if self.span is not None:
                lo, hi = min(lo, self.span[0]), max(hi, self.span[1])
            lo, hi = 10.0 ** np.floor(np.log10(lo)), 10.0 ** np.ceil(np.log10(hi))
            hi = max(hi, 10.0 * lo)
            span = np.log10(hi / lo)
        else:
            pad = 0.05 * (hi - lo) or 0.5 * abs(hi) or 1.0
            lo, hi = lo - pad, hi + pad
            span = hi - lo
        cur = self.limits
        if cur is not None and cur[0] == log and cur[3] == x_max and cur[1] <= lo and cur[2] >= hi:
            have = np.log10(cur[2] / cur[1]) if log else cur[2] - cur[1]
            if have <= (span + 8.0 if log else 4.0 * span):
                return
        self.limits = (log, lo, hi, x_max)
        self.ax.set_yscale("log" if log else "linear")
        if log:
            # plain "1e-03" labels: the default 10^{-3} is mathtext, whose parsing is most
            # of the time a redraw of this panel takes
            from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter
            self.ax.yaxis.set_major_locator(LogLocator(base=10.0, numticks=8))
            self.ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:.0e}"))
            self.ax.yaxis.set_minor_formatter(NullFormatter())
        self.ax.set_ylim(lo, hi)
        self.ax.set_xlim(0.0, x_max)
        self.ax.set_ylabel("loss (log scale)" if log else "loss")
        self.invalidate(self.ax)


def _names(v, momentum_used):
    name = v["optimizer"] + (f", α = {v['momentum']:g}" if momentum_used else "")
    return name + f", γ = {v['lr']:.3g}"


def _stability_note(f, v):
    """For a quadratic bowl: gamma * lambda_max against the optimizer's limit (surfaces.py)."""
    from .surfaces import stability_limit
    h = v["lr"] * f.lambda_max
    if v["optimizer"] == "Adagrad":
        return h, None, None, (f"γ λ<sub>max</sub> = {h:.3g}; Adagrad's steps are at most γ long, "
                               "so it cannot blow up on a bowl.")
    limit = stability_limit(v["optimizer"], v["momentum"])
    bound = {"SGD": "2", "Momentum": "2(1 + α)", "Nesterov": "2(1 + α)/(1 + 2α)"}[v["optimizer"]]
    stable = h < limit
    verdict = ("stable: the run converges" if stable else
               "<b>unstable</b>: the steepest direction grows every step")
    note = (f"γ λ<sub>max</sub> = {v['lr']:.3g} × {f.lambda_max:g} = {h:.3g} "
            f"{'&lt;' if stable else '≥'} {bound} = {limit:.3g}: {verdict} "
            f"(condition number κ = {f.condition_number:g}).")
    return h, limit, stable, note


def learning_rate_explorer(f=None, grad=None, start=(-4.0, 1.5), optimizer="SGD", lr=0.05,
                           momentum=0.9, steps=40, bounds=None, optimum=None):
    """An optimizer's steps over a 2-D loss surface, with the learning rate gamma (log-scale
    slider), the momentum alpha (0 to 0.99), the optimizer (SGD, Momentum, Nesterov, Adagrad)
    and the number of steps on controls (Samatova's "Choosing Learning Rate & Momentum").

    f: the loss surface f(w), w = (w1, w2) (see backproplab.plots.plot_trajectory), or a
        backproplab.surfaces.Quadratic bowl, whose gradient, minimum and curvatures are then
        known: the caption compares gamma * lambda_max with the optimizer's stability limit.
        Default: the ravine Quadratic([1, 10]), f = (w1^2 + 10 w2^2) / 2, minimum (0, 0):
        gamma > 0.2 makes plain gradient descent diverge across it, small gamma crawls along it.
    grad: the gradient w -> array (2,); default f.grad for a Quadratic, else central
        differences of f (backproplab.gradcheck.numerical_gradient).
    start: the initial weights; optimizer: "SGD", "Momentum", "Nesterov" or "Adagrad".
    bounds: the view, ((w1_min, w1_max), (w2_min, w2_max)); default: around the first path
        drawn. The view and the contours are drawn once and kept, so paths can be compared.
    The right panel is f along the path (the training loss, step by step). A run whose
    weights leave |w| < 1e6 (or become inf/NaN) stops there and says "diverged after k steps".

    state: optimizer, lr, momentum, steps, path (k + 1, 2), losses (k + 1,), diverged,
    diverged_after (k, or None), and for a Quadratic: h = gamma * lambda_max, limit (the
    largest stable h; None for Adagrad), stable.
    box.path_line, box.loss_axes: the drawn path (a Line2D) and the loss panel.
    """
    from .plots import _PALETTE, _contours, _evaluate, _marker_handle
    from .surfaces import Quadratic

    where = "learning_rate_explorer"
    if f is None:
        f = Quadratic([1.0, 10.0])
        if bounds is None:
            bounds = ((-5.0, 5.0), (-2.5, 2.5))
    elif not callable(f):
        raise TypeError(f"{where}: f must be a function of w = (w1, w2), got {type(f).__name__}")
    bowl = f if isinstance(f, Quadratic) else None
    if bowl is not None:
        if bowl.center.size != 2:
            raise ValueError(f"{where}: the explorer draws 2-D surfaces; this Quadratic has "
                             f"{bowl.center.size} dimensions")
        grad = bowl.grad if grad is None else grad
        optimum = bowl.center if optimum is None else optimum
    if grad is None:
        grad = _numerical(f)
    elif not callable(grad):
        raise TypeError(f"{where}: grad must be a function w -> gradient, got {type(grad).__name__}")
    start = as_float_array(start, where, "start", finite=True)
    if start.shape != (2,):
        raise ValueError(f"{where}: start must be a point (w1, w2), got shape {start.shape}")
    if optimum is not None:
        optimum = as_float_array(optimum, where, "optimum", finite=True)
    choice(optimizer, _OPTIMIZERS, where, "optimizer")
    controls = {
        "optimizer": _dropdown("optimizer", _OPTIMIZERS, optimizer),
        "lr": _log_slider("learning rate γ", lr, -4, 1, where, "lr"),
        "momentum": _slider("momentum α", momentum, 0.0, 0.99, 0.01, where, "momentum"),
        "steps": _steps_slider("steps", steps, 1, 500, 1, where, "steps"),
    }
    from matplotlib.lines import Line2D
    parts = {}

    def run(v):
        opt = _make_optimizer(v["optimizer"], v["lr"], v["momentum"])
        path, diverged = _run_optimizer(grad, start, opt, v["steps"])
        with np.errstate(all="ignore"):
            losses = np.array([float(f(w.copy())) for w in path])
        return path, losses, diverged

    def setup(fig, v, invalidate):
        view = bounds
        if view is None:   # around the first path, then fixed
            from .plots import _bounds
            first, _, _ = run(v)
            ok = first[np.all(np.abs(first) <= 1e3, axis=1)]
            view = _bounds(None, [ok], optimum, where)
        view = as_float_array(view, where, "bounds", finite=True)
        if view.shape != (2, 2) or not np.all(view[:, 1] > view[:, 0]):
            raise ValueError(f"{where}: bounds must be ((w1_min, w1_max), (w2_min, w2_max)) "
                             f"with min < max, got {view.tolist()}")
        left, right = fig.subplots(1, 2, width_ratios=(3, 2), gridspec_kw=dict(
            left=0.06, right=0.98, bottom=0.12, top=0.86, wspace=0.2))
        W1, W2 = np.meshgrid(np.linspace(*view[0], 120), np.linspace(*view[1], 121))
        _contours(left, W1, W2, _evaluate(f, W1, W2), 20)
        left.scatter([start[0]], [start[1]], s=70, facecolors="white", edgecolors="black",
                     linewidths=1.5, zorder=4)
        handles = [Line2D([], [], color=_PALETTE[0], marker="o", ms=3, lw=1.6, label="path"),
                   _marker_handle("o", 8, "white", "start"),
                   _marker_handle("*", 13, _PALETTE[0], "end")]
        if optimum is not None:
            left.scatter([optimum[0]], [optimum[1]], s=120, marker="P", color="#D55E00",
                         edgecolors="black", zorder=5)
            handles.append(_marker_handle("P", 10, "#D55E00", "minimum"))
        legend = left.legend(handles=handles, loc="upper right", fontsize="small", framealpha=0.9)
        left.set_xlim(*view[0])
        left.set_ylim(*view[1])
        left.set_xlabel("$w_1$")
        left.set_ylabel("$w_2$")
        left.set_title(("Loss surface " + bowl.formula()) if bowl is not None else
                       "Loss surface f(w)", fontsize="medium")
        parts["path"], = left.plot([], [], "-o", color=_PALETTE[0], lw=1.6, ms=3, zorder=3,
                                   label="path")
        parts["end"], = left.plot([], [], ls="", marker="*", ms=15, mfc=_PALETTE[0], mec="black",
                                  zorder=5)
        parts["banner"] = left.text(0.5, 0.5, "", transform=left.transAxes, ha="center",
                                    va="center", color="#b00", fontsize="x-large",
                                    fontweight="bold", bbox=dict(facecolor="white",
                                                                 edgecolor="#b00", alpha=0.9))
        parts["heading"] = fig.text(0.06, 0.96, "", ha="left", va="center", fontsize="large")
        with np.errstate(all="ignore"):
            f0 = float(f(start.copy()))
        # a log axis of at least ten decades below f(start): most settings then fit it
        span = (f0 * 1e-8, f0 * 1e2) if np.isfinite(f0) and f0 > 0.0 else None
        parts["loss"] = _LossPanel(right, "step", "f(w) after each step", invalidate, span=span)
        return lambda: [parts["path"], parts["end"], legend, parts["banner"], parts["heading"],
                        *parts["loss"].layers()]

    def draw(fig, v):
        momentum_used = v["optimizer"] in ("Momentum", "Nesterov")
        controls["momentum"].disabled = not momentum_used
        path, losses, diverged = run(v)
        k = len(path) - 1
        parts["path"].set_data(path[:, 0], path[:, 1])
        parts["end"].set_data(path[-1:, 0], path[-1:, 1])
        after = k if diverged else None
        parts["banner"].set_text(f"diverged after {k} steps")
        parts["banner"].set_visible(diverged)
        name = _names(v, momentum_used)
        parts["heading"].set_text(name + (f": diverged after {k} steps" if diverged else
                                          f": f = {losses[-1]:.3g} after {k} steps"))
        parts["loss"].show(losses, diverged, v["steps"])
        state = dict(v, path=path, losses=losses, diverged=diverged, diverged_after=after)
        end = path[-1]
        note = (f"{html.escape(name)}: after {k} steps w = ({end[0]:.4g}, {end[1]:.4g}), "
                f"f(w) = {losses[-1]:.4g}.")
        if diverged:
            note = (f"{html.escape(name)}: <b style='color:#b00'>diverged after {k} steps</b> "
                    f"(|w| passed {_BLOW_UP:.0e}: γ is too large).")
        elif losses[-1] > losses[0]:
            note += f" The loss <b>grew</b> from {losses[0]:.4g}: this γ is too large."
        if bowl is not None:
            h, limit, stable, line = _stability_note(bowl, v)
            state.update(h=h, limit=limit, stable=stable)
            note += "<br>" + line
        return state, note

    box = _explorer(controls, draw, figsize=(10.0, 4.6), setup=setup)
    box.path_line, box.loss_axes = parts["path"], parts["loss"].ax
    return box


def _numerical(f):
    from .gradcheck import numerical_gradient

    def grad(w):
        # numerical_gradient perturbs its argument in place: give it a copy
        return numerical_gradient(lambda x: float(f(x)), np.array(w, dtype=np.float64))
    return grad


# ----------------------------------------------------------------------------- training live

_DATASETS = ("moons", "xor")


def _training_data(data, n, noise, seed, where):
    from .datasets import logic_gate, make_moons
    choice(data, _DATASETS, where, "data")
    if data == "xor":
        X, y = logic_gate("xor")
        return X, y.astype(np.float64)
    X, y = make_moons(n, noise=noise, seed=seed)
    return X, y.reshape(-1, 1).astype(np.float64)


def training_explorer(data="moons", hidden=8, optimizer="Momentum", lr=0.3, momentum=0.9,
                      epochs=150, seed=0, n=200, noise=0.2, loss="binary_cross_entropy"):
    """A small network trained live: every change of the controls trains it again from the
    same initial weights and redraws its decision boundary and its loss curve.

    data: "moons" (n points of two interleaving half-moons, noise as in
        backproplab.datasets.make_moons) or "xor" (the four points of Samatova's XOR).
    The network is MLP([2, hidden, 1], seed=seed) with tanh hidden units, trained by
    backproplab.training.train, full batch (one step per epoch), with the optimizer of the
    dropdown, the learning rate gamma (log-scale slider) and the momentum alpha (0 to 0.99).
    loss: "binary_cross_entropy" (a sigmoid output: P(class 1); its loss is bounded, so no
        setting overflows) or "quadratic" (a linear output regressing the 0/1 labels; the
        boundary is output = 0.5; a large gamma makes it blow up, "diverged after k steps").

    state: optimizer, lr, momentum, epochs, losses (History.loss), accuracy (on the data),
    diverged, diverged_after (steps, or None), history (the History), net (the trained MLP).
    box.loss_axes, box.boundary_axes: the two panels.
    """
    import warnings

    from .network import MLP
    from .plots import _PALETTE
    from .training import train

    where = "training_explorer"
    hidden = positive_int(hidden, where, "hidden")
    if hidden > 64:
        raise ValueError(f"{where}: hidden must be <= 64 (a live explorer trains small nets), "
                         f"got {hidden}")
    n = positive_int(n, where, "n", minimum=4)
    if n > 1000:
        raise ValueError(f"{where}: n must be <= 1000, got {n}")
    noise = real_number(noise, where, "noise", minimum=0.0, maximum=1.0)
    X, y = _training_data(data, n, noise, seed, where)
    choice(optimizer, _OPTIMIZERS, where, "optimizer")
    choice(loss, ("binary_cross_entropy", "quadratic"), where, "loss")
    output = "sigmoid" if loss == "binary_cross_entropy" else "linear"
    controls = {
        "optimizer": _dropdown("optimizer", _OPTIMIZERS, optimizer),
        "lr": _log_slider("learning rate γ", lr, -3, 1.5, where, "lr"),
        "momentum": _slider("momentum α", momentum, 0.0, 0.99, 0.01, where, "momentum"),
        "epochs": _steps_slider("epochs", epochs, 10, 300, 10, where, "epochs"),
    }
    lo, hi = X.min(axis=0), X.max(axis=0)
    margin = 0.25 * np.where(hi > lo, hi - lo, 2.0)
    lo, hi = lo - margin, hi + margin
    gx, gy = np.linspace(lo[0], hi[0], 90), np.linspace(lo[1], hi[1], 80)
    grid = np.column_stack([a.ravel() for a in np.meshgrid(gx, gy)])
    parts = {"contour": None}

    def setup(fig, v, invalidate):
        from matplotlib.colors import LinearSegmentedColormap
        from .plots import _lighten

        left, right = fig.subplots(1, 2, gridspec_kw=dict(left=0.06, right=0.98, bottom=0.12,
                                                          top=0.86, wspace=0.22))
        # light class-0 colour -> white at P = 0.5 -> light class-1 colour (as
        # plot_decision_boundary): the hue is the predicted class, its depth the confidence
        cmap = LinearSegmentedColormap.from_list(
            "backproplab_binary", [_lighten(_PALETTE[0], 0.45), (1, 1, 1),
                                   _lighten(_PALETTE[1], 0.45)])
        parts["image"] = left.imshow(np.full((gy.size, gx.size), 0.5), origin="lower",
                                     extent=(lo[0], hi[0], lo[1], hi[1]), cmap=cmap, vmin=0.0,
                                     vmax=1.0, aspect="auto", interpolation="bilinear")
        parts["points"] = []
        for c, marker in ((0.0, "o"), (1.0, "s")):
            m = y[:, 0] == c
            parts["points"].append(left.scatter(
                X[m, 0], X[m, 1], s=28 if X.shape[0] > 20 else 120, marker=marker,
                color=_PALETTE[int(c)], edgecolors="black", linewidths=0.6, label=f"class {c:.0f}",
                zorder=3))
        from matplotlib.lines import Line2D
        boundary = "boundary P = 0.5" if output == "sigmoid" else "boundary: output 0.5"
        legend = left.legend(handles=[*parts["points"], Line2D([], [], color="black", lw=1.5,
                                                                label=boundary)],
                             loc="lower right", fontsize="small", framealpha=0.9)
        left.set_xlim(lo[0], hi[0])
        left.set_ylim(lo[1], hi[1])
        left.set_xlabel("$x_1$")
        left.set_ylabel("$x_2$")
        left.set_title("Decision regions: P(class 1) shaded" if output == "sigmoid" else
                       "Decision regions: the output shaded (0 to 1)", fontsize="medium")
        parts["banner"] = left.text(0.5, 0.5, "", transform=left.transAxes, ha="center",
                                    va="center", color="#b00", fontsize="x-large",
                                    fontweight="bold", bbox=dict(facecolor="white",
                                                                 edgecolor="#b00", alpha=0.9))
        parts["heading"] = fig.text(0.06, 0.96, "", ha="left", va="center", fontsize="large")
        parts["boundary"] = left
        parts["loss"] = _LossPanel(right, "epoch", f"Training loss ({loss.replace('_', ' ')})",
                                   invalidate, span=(0.01, 10.0))
        spines = list(left.spines.values())   # painted again over the image's edges
        return lambda: [parts["image"], *spines, *([parts["contour"]] if parts["contour"] else []),
                        *parts["points"], legend, parts["banner"], parts["heading"],
                        *parts["loss"].layers()]

    def draw(fig, v):
        momentum_used = v["optimizer"] in ("Momentum", "Nesterov")
        controls["momentum"].disabled = not momentum_used
        net = MLP([2, hidden, 1], activations=["tanh", output], seed=seed)
        opt = _make_optimizer(v["optimizer"], v["lr"], v["momentum"])
        with warnings.catch_warnings():
            # divergence is said in the picture and the caption, not as a warning
            warnings.simplefilter("ignore")
            history = train(net, X, y, opt, loss=loss, epochs=v["epochs"], batch_size=None,
                            seed=seed)
        losses = np.array(history.loss)
        diverged = history.diverged
        accuracy = None
        if parts["contour"] is not None:
            parts["contour"].remove()
            parts["contour"] = None
        if diverged:
            parts["image"].set_data(np.full((gy.size, gx.size), 0.5))
        else:
            with np.errstate(all="ignore"):
                p_grid = net.forward(grid)[:, 0].reshape(gy.size, gx.size)
                accuracy = float(np.mean((net.forward(X)[:, 0] >= 0.5) == (y[:, 0] == 1.0)))
            parts["image"].set_data(np.clip(p_grid, 0.0, 1.0))
            if p_grid.min() < 0.5 < p_grid.max():
                parts["contour"] = parts["boundary"].contour(gx, gy, p_grid, levels=[0.5],
                                                             colors="black", linewidths=1.5)
        parts["banner"].set_text(f"diverged after {history.steps} steps")
        parts["banner"].set_visible(diverged)
        parts["loss"].show(losses, diverged, v["epochs"] - 1)
        name = _names(v, momentum_used)
        summary = (f"diverged after {history.steps} steps" if diverged else
                   f"loss {losses[-1]:.3g} after {history.steps} steps, accuracy {100 * accuracy:.0f} %")
        parts["heading"].set_text(f"{name}: {summary}")
        note = f"{html.escape(name)}, {v['epochs']} epochs: " + (
            f"<b style='color:#b00'>diverged after {history.steps} steps</b> "
            "(the loss or the weights became inf/NaN: γ is too large)." if diverged else
            f"final loss {losses[-1]:.4g}, accuracy {100 * accuracy:.1f} % on the "
            f"{X.shape[0]} training points.")
        state = dict(v, losses=losses, accuracy=accuracy, diverged=diverged,
                     diverged_after=history.steps if diverged else None, history=history, net=net)
        return state, note

    box = _explorer(controls, draw, figsize=(10.0, 4.6), setup=setup)
    box.loss_axes, box.boundary_axes = parts["loss"].ax, parts["boundary"]
    return box
