"""Figures for the lessons: loss curves, decision boundaries, optimizer trajectories,
computational graphs, activation functions.

Every function draws into a new figure (made with matplotlib.pyplot, so that Jupyter shows
it) or, when given ``ax=``, into that existing Axes; either way it returns the Figure.
Nothing here calls ``plt.show()`` or changes the matplotlib backend, and matplotlib is
imported only when a function is called: ``import backproplab`` stays cheap.

In a notebook, end the call with ``;`` or assign the result (``fig = plot_loss(h)``):
a Figure left as the cell's last value is shown twice by Jupyter's inline backend.
"""
from __future__ import annotations

import copy

import numpy as np

from ._validate import as_float_array, positive_int, real_number

__all__ = ["plot_loss", "plot_decision_boundary", "plot_trajectory", "draw_graph",
           "plot_activations", "plot_activation_variance", "plot_stability_region"]

# Colour-blind-friendly class / series colours (Okabe-Ito), class c gets _PALETTE[c % 8].
_PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00",
            "#F0E442", "#000000")


# ----------------------------------------------------------------------------- helpers

def _axes(ax, where, figsize):
    """(figure, axes): a new pyplot figure when ax is None, else the given Axes checked."""
    if ax is None:
        import matplotlib.pyplot as plt
        fig, ax = plt.subplots(figsize=figsize, layout="constrained")
        return fig, ax
    from matplotlib.axes import Axes
    if not isinstance(ax, Axes):
        raise TypeError(f"{where}: ax must be a matplotlib Axes (or None for a new figure), "
                        f"got {type(ax).__name__}")
    return ax.figure, ax


def _text(value, where, name):
    if value is not None and not isinstance(value, str):
        raise TypeError(f"{where}: {name} must be a string or None, got {type(value).__name__}")
    return value


def _lighten(colour, amount):
    """`colour` mixed with white: amount 0 keeps it, 1 gives white (for region shading)."""
    from matplotlib.colors import to_rgb
    rgb = np.array(to_rgb(colour))
    return tuple(rgb + (1.0 - rgb) * amount)


def _mapping(data, where, name):
    """A dict {label: series} as a list of (str label, series); a lone series as [(None, s)]."""
    if isinstance(data, dict):
        if not data:
            raise ValueError(f"{where}: {name} is an empty dict; give at least one series")
        return [(str(k), v) for k, v in data.items()]
    return [(None, data)]


# ----------------------------------------------------------------------------- loss curves

def _loss_series(obj, where, name):
    """(losses as a 1-D float array, diverged?) from a History, a list or an array."""
    losses = getattr(obj, "loss", obj)  # a History keeps its per-epoch losses in .loss
    arr = as_float_array(losses, where, name, ndim=1)
    if arr.size == 0:
        raise ValueError(f"{where}: {name} is empty; there is no loss to plot")
    diverged = bool(getattr(obj, "diverged", False)) or not np.all(np.isfinite(arr))
    return arr, diverged


def plot_loss(history, ax=None, *, label=None, logy=None, title=None):
    """Loss per epoch: one curve, or several to compare runs.

    history: a training History (its ``.loss`` list), a sequence / 1-D array of losses, or a
        dict {label: History or losses} -- e.g. {"lr = 0.1": h1, "lr = 1": h2}.
    Epoch e (0, 1, 2, ...; counted from 0 like train()) is on the x axis and history.loss[e]
    on the y axis (train()'s History measures it during epoch e, before that epoch's
    updates for full-batch training, so epoch 0 shows the untrained loss). A run that
    diverged (History.diverged, or inf/NaN losses) is drawn up to its last finite loss,
    marked there with an x and labelled "(diverged)".
    label: legend label of a single curve (a dict's keys are the labels).
    logy: True / False for a logarithmic / linear loss axis; None (default) chooses log when
        every finite loss is > 0 and they span a factor of 100 or more.
    ax: draw into this Axes instead of a new figure. Returns the Figure.
    """
    where = "plot_loss"
    _text(label, where, "label")
    _text(title, where, "title")
    if logy is not None and not isinstance(logy, bool):
        raise TypeError(f"{where}: logy must be True, False or None, got {type(logy).__name__}")
    runs = _mapping(history, where, "history")
    if label is not None and len(runs) == 1 and runs[0][0] is None:
        runs = [(label, runs[0][1])]
    series = [(lab, *_loss_series(h, where, f"history[{lab!r}]" if lab else "history"))
              for lab, h in runs]

    fig, ax = _axes(ax, where, (6.4, 4.0))
    for i, (lab, losses, diverged) in enumerate(series):
        epochs = np.arange(losses.size)
        text = lab if lab is not None else "training loss"
        if diverged:
            text += " (diverged)"
        line, = ax.plot(epochs, losses, color=_PALETTE[i % len(_PALETTE)], lw=1.8, label=text)
        finite = np.flatnonzero(np.isfinite(losses))
        if diverged and finite.size:
            last = finite[-1]
            ax.scatter([epochs[last]], [losses[last]], marker="x", s=60, color=line.get_color(),
                       zorder=3)
    if logy is None:
        finite = np.concatenate([s[np.isfinite(s)] for _, s, _ in series])
        logy = bool(finite.size and finite.min() > 0 and finite.max() >= 100 * finite.min())
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss (log scale)" if logy else "loss")
    ax.set_title(title if title is not None else "Training loss")
    ax.grid(True, which="major", alpha=0.3)
    if len(series) > 1 or series[0][0] is not None or series[0][2]:
        ax.legend()
    return fig


# ----------------------------------------------------------------------------- decision boundary

def _class_labels(y, n, where):
    """Integer class labels (n,) from labels (n,), 0/1 targets (n, 1) or one-hot rows (n, k)."""
    arr = as_float_array(y, where, "y", ndim=(1, 2), finite=True)
    if arr.shape[0] != n:
        raise ValueError(f"{where}: y has shape {arr.shape} but X has {n} rows; "
                         "they must have one row per sample")
    if arr.ndim == 2 and arr.shape[1] > 1:
        return np.argmax(arr, axis=1)
    arr = arr.reshape(n)
    if not np.all(arr == np.round(arr)) or (arr.size and arr.min() < 0):
        raise ValueError(f"{where}: y must hold class labels 0, 1, ... (or one-hot rows), "
                         f"got values such as {arr[(arr != np.round(arr)) | (arr < 0)][0]!r}")
    return arr.astype(np.int64)


def _scores(net, points, where):
    """The net's outputs for `points` as (m, k) (k = 1 for one output)."""
    if hasattr(net, "forward") and callable(net.forward):
        # forward() caches z and a for backward(): run it on a copy so that plotting never
        # replaces the cache of the caller's net with a grid of 40,000 points
        out = copy.deepcopy(net).forward(points)
    elif callable(net):
        out = net(points)
    else:
        raise TypeError(f"{where}: net must be an MLP (with .forward) or a callable X -> scores, "
                        f"got {type(net).__name__}")
    out = np.asarray(out, dtype=np.float64)
    if out.ndim == 1:
        out = out[:, None]
    if out.ndim != 2 or out.shape[0] != points.shape[0]:
        raise ValueError(f"{where}: the net returned shape {out.shape} for {points.shape[0]} "
                         f"points; expected (n,), (n, 1) or (n, k)")
    if not np.all(np.isfinite(out)):
        raise ValueError(f"{where}: the net's output contains NaN or inf (did training diverge?)")
    return out


def _classes_from(scores, threshold):
    if scores.shape[1] == 1:
        return (scores[:, 0] >= threshold).astype(np.int64)
    return np.argmax(scores, axis=1)


def plot_decision_boundary(net, X, y, ax=None, *, resolution=200, threshold=0.5,
                           class_names=None, title=None):
    """The data points coloured by class over the net's decision regions.

    net: an MLP (``net.forward(X)`` is called on a copy, so its cache is untouched) or any
        callable taking an (m, 2) array and returning scores (m,), (m, 1) or (m, k).
        One output: the shading is that output (e.g. P(class 1) of a sigmoid), class 1
        where it is >= `threshold` (use threshold=0 for a raw score such as w.x + b), and
        a black line marks the decision boundary output = threshold.
        k outputs (softmax): class argmax_k, each region in its class's light colour.
    X: (n, 2) inputs; y: class labels (n,), 0/1 targets (n, 1) or one-hot rows (n, k).
    resolution: grid points per axis over the data's range plus a 25 % margin.
    The title gives the accuracy on (X, y). Returns the Figure (of `ax` if given).
    The region image is ``ax.images[0]``: its array is the shading at the grid points.
    """
    where = "plot_decision_boundary"
    X = as_float_array(X, where, "X", finite=True)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"{where}: X has shape {X.shape}; a decision boundary needs 2 features, "
                         "i.e. X of shape (n, 2)")
    if X.shape[0] == 0:
        raise ValueError(f"{where}: X has no rows; there are no points to plot")
    labels = _class_labels(y, X.shape[0], where)
    resolution = positive_int(resolution, where, "resolution", minimum=2)
    threshold = real_number(threshold, where, "threshold")
    _text(title, where, "title")

    lo, hi = X.min(axis=0), X.max(axis=0)
    margin = 0.25 * np.where(hi > lo, hi - lo, 2.0)
    lo, hi = lo - margin, hi + margin
    gx, gy = np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution)
    xx, yy = np.meshgrid(gx, gy)
    grid_scores = _scores(net, np.column_stack([xx.ravel(), yy.ravel()]), where)
    k = grid_scores.shape[1]
    n_classes = max(2 if k == 1 else k, int(labels.max()) + 1)
    if k > 1 and labels.max() >= k:
        raise ValueError(f"{where}: y has class {labels.max()} but the net has only {k} outputs")
    if k == 1 and labels.max() > 1:
        raise ValueError(f"{where}: y has class {labels.max()} but a net with one output "
                         "separates only classes 0 and 1")
    names = _class_names(class_names, n_classes, where)
    predicted = _classes_from(_scores(net, X, where), threshold)
    accuracy = float(np.mean(predicted == labels))

    fig, ax = _axes(ax, where, (6.0, 5.0))
    # pixel edges half a grid step beyond the grid, so that each pixel's centre is the
    # grid point whose score colours it
    hx, hy = (gx[1] - gx[0]) / 2.0, (gy[1] - gy[0]) / 2.0
    extent = (lo[0] - hx, hi[0] + hx, lo[1] - hy, hi[1] + hy)
    if k == 1:
        _binary_regions(ax, xx, yy, grid_scores[:, 0].reshape(xx.shape), threshold, extent)
    else:
        _multiclass_regions(ax, xx, yy, grid_scores, extent)

    from matplotlib.lines import Line2D
    handles = []
    for c in range(n_classes):
        mask = labels == c
        if mask.any():
            handles.append(ax.scatter(X[mask, 0], X[mask, 1], s=40, color=_PALETTE[c % 8],
                                      edgecolors="black", linewidths=0.8, label=names[c], zorder=3))
    handles.append(Line2D([], [], color="black", lw=1.5, label="decision boundary"))
    ax.legend(handles=handles, loc="best", framealpha=0.9)
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    hits = int(np.sum(predicted == labels))
    ax.set_title(title if title is not None else
                 f"Decision boundary (accuracy {100 * accuracy:.0f} %, {hits}/{labels.size})")
    return fig


def _class_names(class_names, n_classes, where):
    if class_names is None:
        return [f"class {c}" for c in range(n_classes)]
    names = [str(c) for c in class_names]
    if len(names) < n_classes:
        raise ValueError(f"{where}: class_names has {len(names)} names but there are "
                         f"{n_classes} classes")
    return names


def _binary_regions(ax, xx, yy, p, threshold, extent):
    from matplotlib.colors import LinearSegmentedColormap, TwoSlopeNorm
    # light class-0 colour -> white at the threshold -> light class-1 colour, so that a
    # region's hue is its predicted class and its depth the net's confidence
    cmap = LinearSegmentedColormap.from_list(
        "backproplab_binary", [_lighten(_PALETTE[0], 0.45), (1, 1, 1), _lighten(_PALETTE[1], 0.45)])
    if 0.0 < threshold < 1.0 and p.min() >= 0.0 and p.max() <= 1.0:
        vmin, vmax = 0.0, 1.0
    else:
        spread = max(np.max(np.abs(p - threshold)), 1e-12)
        vmin, vmax = threshold - spread, threshold + spread
    ax.imshow(p, origin="lower", extent=extent, aspect="auto", cmap=cmap, interpolation="bilinear",
              norm=TwoSlopeNorm(vcenter=threshold, vmin=vmin, vmax=vmax), zorder=0)
    if p.min() < threshold <= p.max():
        ax.contour(xx, yy, p, levels=[threshold], colors="black", linewidths=1.5, zorder=2)


def _multiclass_regions(ax, xx, yy, scores, extent):
    from matplotlib.colors import BoundaryNorm, ListedColormap
    k = scores.shape[1]
    classes = np.argmax(scores, axis=1).reshape(xx.shape)
    cmap = ListedColormap([_lighten(_PALETTE[c % 8], 0.6) for c in range(k)])
    ax.imshow(classes, origin="lower", extent=extent, aspect="auto", cmap=cmap,
              norm=BoundaryNorm(np.arange(k + 1) - 0.5, k), interpolation="nearest", zorder=0)
    # The boundary of class c's region is where its margin s_c - max_{j != c} s_j crosses 0.
    # Contouring the margins (smooth functions) draws smooth lines, where contouring the
    # integer class image would draw the pixels' staircase.
    for c in np.unique(classes):
        others = np.delete(scores, c, axis=1).max(axis=1)
        margin = (scores[:, c] - others).reshape(xx.shape)
        if margin.min() < 0.0 < margin.max():
            ax.contour(xx, yy, margin, levels=[0.0], colors="black", linewidths=1.2, zorder=2)


# ----------------------------------------------------------------------------- trajectories

def _path(p, where, name):
    arr = as_float_array(p, where, name, ndim=2)
    if arr.shape[1] != 2 or arr.shape[0] == 0:
        raise ValueError(f"{where}: {name} has shape {arr.shape}; a path is an array (steps, 2) "
                         "of points (w1, w2), one row per step")
    bad = ~np.all(np.isfinite(arr), axis=1)
    if bad.any():  # a diverged run: keep what happened before it left the numbers
        return arr[: int(np.argmax(bad))], True
    return arr, False


def _pointwise(f, w1, w2):
    return float(f(np.array([w1, w2], dtype=np.float64)))


def _evaluate(f, W1, W2):
    """f on the grid: one vectorised call f(np.stack([W1, W2])) when f supports it, else
    one call per point. A vectorised result is trusted only if it has the grid's shape and
    agrees with point-wise calls at three grid points."""
    Z = None
    try:
        with np.errstate(all="ignore"):
            Z = np.asarray(f(np.stack([W1, W2])), dtype=np.float64)
    except Exception:  # noqa: BLE001 - f need not accept arrays; fall back to single points
        Z = None
    if Z is not None and Z.shape == W1.shape:
        ny, nx = W1.shape
        probes = [(0, 0), (ny // 2, nx // 3), (ny - 1, nx - 1)]
        with np.errstate(all="ignore"):
            if all(np.isclose(Z[i, j], _pointwise(f, W1[i, j], W2[i, j]), rtol=1e-9, atol=1e-12,
                              equal_nan=True) for i, j in probes):
                return Z
    with np.errstate(all="ignore"):
        return np.array([[_pointwise(f, a, b) for a, b in zip(r1, r2)] for r1, r2 in zip(W1, W2)])


def _bounds(bounds, paths, optimum, where):
    if bounds is not None:
        b = as_float_array(bounds, where, "bounds", finite=True)
        if b.shape != (2, 2) or not np.all(b[:, 1] > b[:, 0]):
            raise ValueError(f"{where}: bounds must be ((w1_min, w1_max), (w2_min, w2_max)) with "
                             f"min < max, got {b.tolist()}")
        return b
    parts = [p for p in paths if p.size] + ([optimum[None, :]] if optimum is not None else [])
    if not parts:
        raise ValueError(f"{where}: every path diverged at its first point; give bounds=")
    pts = np.vstack(parts)
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    span = np.maximum(hi - lo, 0.1 * max(np.max(hi - lo), 1.0))
    return np.column_stack([lo - 0.15 * span, hi + 0.15 * span])


def plot_trajectory(f, path, ax=None, *, bounds=None, optimum=None, levels=20, resolution=150,
                    title=None):
    """The steps of one or more optimizers over the contour lines of f(w1, w2).

    f: the function minimised, called as f(w) with w a NumPy array of shape (2,) returning
        a number. If f is written elementwise (``lambda w: w[0]**2 + 10 * w[1]**2``) it is
        also called once with w of shape (2, ny, nx) -- w[0], w[1] are the grid's
        coordinates -- which is much faster; otherwise it is called point by point.
    path: an array (steps, 2), the weights after each step (row 0 = the start), or a dict
        {label: path} to compare optimizers, e.g. {"SGD": p1, "momentum": p2}. A path that
        reaches inf/NaN (a diverged run) is drawn up to its last finite point.
    bounds: ((w1_min, w1_max), (w2_min, w2_max)); default: around the paths (and optimum).
    optimum: (w1, w2) of the minimum, marked with a +, if known.
    levels: number of contour lines (spaced by quantiles of f over the grid, so that both
        the flat bottom and the steep walls get lines).
    Each path is one line in ``ax.lines``; starts (o) and ends (*) are marked.
    Returns the Figure (of `ax` if given).
    """
    where = "plot_trajectory"
    if not callable(f):
        raise TypeError(f"{where}: f must be a function of w = (w1, w2), got {type(f).__name__}")
    runs = [(lab, *_path(p, where, f"path[{lab!r}]" if lab else "path"))
            for lab, p in _mapping(path, where, "path")]
    if optimum is not None:
        optimum = as_float_array(optimum, where, "optimum", finite=True)
        if optimum.shape != (2,):
            raise ValueError(f"{where}: optimum must be a point (w1, w2), got shape {optimum.shape}")
    levels = positive_int(levels, where, "levels", minimum=2)
    resolution = positive_int(resolution, where, "resolution", minimum=10)
    _text(title, where, "title")
    b = _bounds(bounds, [p for _, p, _ in runs], optimum, where)

    # nx != ny, so that a function that mixes up the grid's axes fails the shape check
    W1, W2 = np.meshgrid(np.linspace(b[0, 0], b[0, 1], resolution),
                         np.linspace(b[1, 0], b[1, 1], resolution + 1))
    Z = _evaluate(f, W1, W2)

    fig, ax = _axes(ax, where, (8.0, 5.0))
    _contours(ax, W1, W2, Z, levels)
    handles = _paths(ax, runs)
    if optimum is not None:
        ax.scatter([optimum[0]], [optimum[1]], s=120, marker="P", color="#D55E00",
                   edgecolors="black", zorder=5)
        handles.append(_marker_handle("P", 10, "#D55E00", "minimum"))
    # outside the axes: inside, the legend would hide part of the paths
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0)
    ax.set_xlim(*b[0])
    ax.set_ylim(*b[1])
    ax.set_xlabel("$w_1$")
    ax.set_ylabel("$w_2$")
    default = "Optimizer trajectories" if len(runs) > 1 else "Optimizer trajectory"
    ax.set_title(title if title is not None else default)
    return fig


def _contours(ax, W1, W2, Z, levels):
    """Filled and line contours of Z; levels at quantiles of Z (squared positions, so that
    lines crowd where f is low and the paths end, and the steep walls still get some)."""
    finite = Z[np.isfinite(Z)]
    if not finite.size or finite.max() == finite.min():
        return
    lv = np.unique(np.quantile(finite, np.linspace(0.0, 1.0, levels + 1)[:-1] ** 2))
    if lv.size >= 2:
        ax.contourf(W1, W2, Z, levels=np.append(lv, finite.max()), cmap="Greys_r", alpha=0.35,
                    zorder=0)
        ax.contour(W1, W2, Z, levels=lv, colors="0.35", linewidths=0.6, zorder=1)


def _marker_handle(marker, size, colour, label):
    from matplotlib.lines import Line2D
    return Line2D([], [], ls="", marker=marker, ms=size, mfc=colour, mec="black", label=label)


def _paths(ax, runs):
    """One line per path, then all starts (o) and all ends (*); returns legend handles."""
    starts, ends, colours = [], [], []
    for i, (lab, p, diverged) in enumerate(runs):
        colour = _PALETTE[i % len(_PALETTE)]
        text = lab if lab is not None else "path"
        text += f" ({len(p) - 1} steps{', diverged' if diverged else ''})"
        ax.plot(p[:, 0], p[:, 1], "-o", color=colour, lw=1.6, ms=3, label=text, zorder=3)
        if len(p):
            starts.append(p[0])
            ends.append(p[-1])
            colours.append(colour)
    if starts:
        ax.scatter(*np.array(starts).T, s=70, facecolors="white", edgecolors="black",
                   linewidths=1.5, zorder=4)
        ax.scatter(*np.array(ends).T, s=220, marker="*", c=colours, edgecolors="black",
                   linewidths=0.8, zorder=5)
    return ax.get_legend_handles_labels()[0] + [_marker_handle("o", 8, "white", "start"),
                                                 _marker_handle("*", 13, "0.6", "end")]


# ----------------------------------------------------------------------------- activations

def plot_activations(names=("sigmoid", "tanh", "relu"), ax=None, *, z_range=(-6.0, 6.0),
                     saturation=0.05):
    """phi(z) and phi'(z) of each named activation, one panel per name (Samatova's slides).

    names: one name or a sequence from backproplab.activations.NAMES except "softmax"
        (softmax maps a vector to a vector and has no single curve).
    The z where |phi'(z)| < `saturation` are shaded: there the activation is saturated and
    its derivative, hence the gradient through it, all but vanishes (set saturation=0 to
    turn the shading off).
    ax: one Axes (for one name) or a sequence of Axes, one per name.
    Returns the Figure.
    """
    from .activations import get_activation
    where = "plot_activations"
    names = [names] if isinstance(names, str) else list(names)
    if not names:
        raise ValueError(f"{where}: names is empty; give at least one activation name")
    acts = [get_activation(n) for n in names]
    if any(a.name == "softmax" for a in acts):
        raise ValueError(f"{where}: 'softmax' is not element-wise (it maps a vector of scores to "
                         "probabilities), so it has no single curve phi(z); plot 'sigmoid', its "
                         "two-class case, instead")
    zr = as_float_array(z_range, where, "z_range", finite=True)
    if zr.shape != (2,) or not zr[0] < zr[1]:
        raise ValueError(f"{where}: z_range must be (z_min, z_max) with z_min < z_max, "
                         f"got {zr.tolist()}")
    saturation = real_number(saturation, where, "saturation", minimum=0.0)

    if ax is None:
        import matplotlib.pyplot as plt
        fig, axes = plt.subplots(1, len(acts), figsize=(4.2 * len(acts), 3.6), layout="constrained",
                                 squeeze=False)
        axes = list(axes[0])
    else:
        from matplotlib.axes import Axes
        axes = [ax] if isinstance(ax, Axes) else list(np.ravel(np.asarray(ax, dtype=object)))
        if len(axes) != len(acts) or not all(isinstance(a, Axes) for a in axes):
            raise ValueError(f"{where}: got {len(axes)} Axes for {len(acts)} activations; "
                             "give one Axes per name")
        fig = axes[0].figure

    # an odd count puts a sample exactly at z = 0, where relu'(0) = 0 by convention
    z = np.linspace(zr[0], zr[1], 1201)
    for a, act in zip(axes, acts):
        phi, dphi = act.f(z), act.df(z)
        a.axhline(0.0, color="0.6", lw=0.8, zorder=0)
        a.axvline(0.0, color="0.6", lw=0.8, zorder=0)
        a.plot(z, phi, color=_PALETTE[0], lw=2.0, label=r"$\varphi(z)$")
        a.plot(z, dphi, color=_PALETTE[5], lw=2.0, ls="--", label=r"$\varphi'(z)$")
        flat = np.abs(dphi) < saturation
        if flat.any():
            a.fill_between(z, 0, 1, where=flat, transform=a.get_xaxis_transform(), color="0.5",
                           alpha=0.15, lw=0, label=rf"saturated: $|\varphi'| < {saturation:g}$")
        a.set_title(f"{act.name} and its derivative")
        a.set_xlabel("$z$")
        a.set_ylabel(r"$\varphi(z)$, $\varphi'(z)$")
        a.set_xlim(zr[0], zr[1])
        a.legend(loc="upper left", fontsize="small", framealpha=0.9)
    return fig


def plot_activation_variance(variances, ax=None, *, logy=True, title=None):
    """Variance of the activations layer by layer, one line per initialisation.

    variances: a dict {label: per-layer variances}, e.g. {"sigma = 0.01": v1, "Xavier": v2,
        "sigma = 1": v3} where v[l] is Var(a) of layer l+1's activations over a batch, or a
        single sequence. Shows lesson 02's point: too-small weights make the signal vanish
        with depth, too-large ones make it explode or saturate, Xavier keeps it steady.
    logy: logarithmic variance axis (default: variances span decades).
    Returns the Figure (of `ax` if given).
    """
    where = "plot_activation_variance"
    _text(title, where, "title")
    if not isinstance(logy, bool):
        raise TypeError(f"{where}: logy must be True or False, got {type(logy).__name__}")
    runs = []
    for lab, v in _mapping(variances, where, "variances"):
        name = f"variances[{lab!r}]" if lab else "variances"
        arr = as_float_array(v, where, name, ndim=1)
        if arr.size == 0:
            raise ValueError(f"{where}: {name} is empty; give one variance per layer")
        if np.any(np.isnan(arr)) or np.any(arr < 0):
            raise ValueError(f"{where}: {name} must hold variances >= 0 (inf allowed for an "
                             "explosion), got NaN or a negative value")
        runs.append((lab, arr))

    fig, ax = _axes(ax, where, (6.4, 4.0))
    for i, (lab, arr) in enumerate(runs):
        ax.plot(np.arange(1, arr.size + 1), arr, "-o", color=_PALETTE[i % len(_PALETTE)], lw=1.8,
                ms=4, label=lab if lab is not None else "variance")
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel("layer")
    ax.set_ylabel("variance of the activations" + (" (log scale)" if logy else ""))
    ax.set_title(title if title is not None else "Activation variance through depth")
    ax.grid(True, alpha=0.3)
    if len(runs) > 1 or runs[0][0] is not None:
        ax.legend()
    return fig


# ----------------------------------------------------------------------------- stability

def plot_stability_region(ax=None, *, points=None, h_max=4.5, resolution=200, title=None):
    """Where gradient descent with momentum converges on a quadratic bowl, in the plane of
    the momentum alpha (x) and h = gamma * lambda (y), the learning rate times a curvature.

    The shading is the spectral radius of heavy-ball momentum (backproplab.surfaces:
    the factor by which the error along that curvature shrinks per step), computed at every
    grid point; the region where it is < 1 is outlined in black (computed, not drawn from
    the formula). Over it: the formula's limit h = 2(1 + alpha) (dashed), Nesterov's
    2(1 + alpha)/(1 + 2 alpha) (dotted) and plain gradient descent's h = 2 at alpha = 0.
    points: None or {label: (alpha, h)} settings to mark (e.g. the explorer's), or
        {label: array (m, 2)} several at once.
    Returns the Figure (of `ax` if given).
    """
    from .surfaces import spectral_radius, stability_limit

    where = "plot_stability_region"
    _text(title, where, "title")
    h_max = real_number(h_max, where, "h_max", minimum=0.0, strict=True, maximum=100.0)
    resolution = positive_int(resolution, where, "resolution", minimum=10)
    marks = []
    if points is not None:
        for lab, pts in _mapping(points, where, "points"):
            arr = as_float_array(pts, where, f"points[{lab!r}]", finite=True)
            arr = arr.reshape(-1, 2) if arr.size % 2 == 0 and arr.ndim <= 2 else arr
            if arr.ndim != 2 or arr.shape[1] != 2:
                raise ValueError(f"{where}: points[{lab!r}] must be (alpha, h) or an array (m, 2) "
                                 f"of them, got shape {np.shape(pts)}")
            marks.append((lab, arr))

    alphas = np.linspace(0.0, 0.99, resolution)
    # h = 0 (no step at all) has rho = 1 exactly: start half a grid step above it
    hs = np.linspace(h_max / (2 * resolution), h_max, resolution + 1)
    A, Hh = np.meshgrid(alphas, hs)
    rho = spectral_radius(Hh, A, "Momentum")

    fig, ax = _axes(ax, where, (7.0, 4.8))
    im = ax.imshow(np.minimum(rho, 1.5), origin="lower", aspect="auto", cmap="viridis_r",
                   extent=(alphas[0], alphas[-1], hs[0], hs[-1]), vmin=0.0, vmax=1.5)
    ax.figure.colorbar(im, ax=ax, label="spectral radius ρ: error factor per step")
    ax.contour(A, Hh, rho, levels=[1.0], colors="black", linewidths=2.0)
    ax.plot(alphas, stability_limit("Momentum", alphas), ls="--", color="white", lw=1.8)
    ax.plot(alphas, stability_limit("Nesterov", alphas), ls=":", color="#D55E00", lw=2.2)
    ax.scatter([0.0], [2.0], s=80, marker="o", color="#E69F00", edgecolors="black", zorder=4,
               clip_on=False)
    from matplotlib.lines import Line2D
    handles = [Line2D([], [], color="black", lw=2.0, label="computed: ρ = 1 (momentum)"),
               Line2D([], [], color="white", ls="--", lw=1.8, label="formula: h = 2(1 + α)"),
               Line2D([], [], color="#D55E00", ls=":", lw=2.2, label="Nesterov: h = 2(1 + α)/(1 + 2α)"),
               _marker_handle("o", 8, "#E69F00", "plain GD: h = 2 at α = 0")]
    for i, (lab, arr) in enumerate(marks):
        colour = _PALETTE[(i + 2) % len(_PALETTE)]
        ax.scatter(arr[:, 0], arr[:, 1], s=45, marker="D", color=colour, edgecolors="black",
                   zorder=5, label=lab)
        handles.append(_marker_handle("D", 7, colour, lab if lab is not None else "settings"))
    legend = ax.legend(handles=handles, loc="upper left", fontsize="small", framealpha=0.85)
    legend.get_frame().set_facecolor("0.85")
    ax.set_xlim(alphas[0], alphas[-1])
    ax.set_ylim(0.0, hs[-1])
    ax.set_xlabel("momentum α")
    ax.set_ylabel("h = γ λ  (learning rate × curvature)")
    ax.set_title(title if title is not None else
                 "Where momentum converges on a quadratic: ρ < 1 below the black line")
    return fig


# ----------------------------------------------------------------------------- graphs

_OP_SYMBOLS = {"*": "×", "/": "÷", "**": "^", "neg": "−", "-": "−"}
_NODE_COLOURS = {"input": "#DCEBF7", "operation": "#FFF1CC", "output": "#D5F0E3"}


def _graph_nodes(root, max_nodes, where):
    """The nodes reachable from root, root first then depth-first through the parents
    (the order a reader meets them going back from the output); refuses big graphs."""
    for attr in ("data", "grad", "parents"):
        if not hasattr(root, attr):
            raise TypeError(f"{where}: root must be a backproplab.graph.Value (with .data, .grad "
                            f"and .parents), got {type(root).__name__}")
    order, seen, stack = [], {id(root)}, [root]
    while stack:
        node = stack.pop()
        order.append(node)
        if len(order) > max_nodes:
            raise ValueError(f"{where}: the graph has more than {max_nodes} nodes; a drawing that "
                             "big is unreadable. Draw a smaller expression, or pass max_nodes= "
                             "to raise the limit")
        for parent in reversed(tuple(node.parents)):
            if id(parent) not in seen:
                seen.add(id(parent))
                stack.append(parent)
    return order


def _columns(nodes):
    """Column of each node (by id): an operation sits one column right of its deepest
    parent; an input sits just left of the first operation that uses it, so that it is
    drawn next to where it enters the computation."""
    parents = {id(v): tuple(v.parents) for v in nodes}
    children = {id(v): [] for v in nodes}
    for v in nodes:
        for p in parents[id(v)]:
            children[id(p)].append(v)
    col = {id(v): 0 for v in nodes}
    for _ in range(len(nodes)):  # longest path from the inputs; converges within the depth
        changed = False
        for v in nodes:
            ps = parents[id(v)]
            if ps:
                c = 1 + max(col[id(p)] for p in ps)
                if c != col[id(v)]:
                    col[id(v)], changed = c, True
        if not changed:
            break
    for v in nodes:
        if not parents[id(v)] and children[id(v)]:
            col[id(v)] = min(col[id(c)] for c in children[id(v)]) - 1
    return col


def _op_text(v):
    """The op as drawn in its circle. An op with a plain number (x + 1, -1 * x, 1 / x) has
    one parent; the number is not a node, so it is recovered from the node's value and
    local derivative, giving CENG 506's gate names "+1", "×-1", "1/x" (and "^2")."""
    op = str(getattr(v, "op", "") or "f")
    parents = tuple(v.parents)
    symbol = _OP_SYMBOLS.get(op, op)
    if len(parents) != 1 or op not in ("+", "-", "*", "/", "**"):
        return symbol
    try:
        a, u, local = float(parents[0].data), float(v.data), float(tuple(v.local_grads)[0])
    except (AttributeError, IndexError, TypeError, ValueError):
        return symbol
    if op == "**":   # u = a^n, du/da = n u / a
        return f"^{local * a / u:.3g}" if u and a else symbol
    if op == "+":
        return f"+{u - a:.3g}"
    if op == "*":
        return f"×{local:.3g}"
    if op == "-":   # x - c has d/dx = 1, c - x has d/dx = -1
        return f"−{a - u:.3g}" if local > 0 else f"{u + a:.3g}−x"
    # x / c has d/dx = 1/c, so local * x / u = +1; c / x has d/dx = -c/x^2, giving -1.
    # (An exact test local * x == u fails to rounding, e.g. for 5 / 3.)
    if a == 0 or u == 0 or local * a / u > 0:
        return f"÷{1.0 / local:.3g}" if local else symbol
    return f"{u * a:.3g}/x"   # c / x: u = c / x


def _fmt(x, digits):
    x = float(x)
    if x == 0.0 or 1e-2 <= abs(x) < 1e5:
        return f"{x + 0.0:.{digits}f}"
    return f"{x:.{digits}e}"


def draw_graph(root, ax=None, *, max_nodes=60, digits=2, title=None):
    """A drawing of the computational graph that computes `root`, left (inputs) to right
    (the output), each node showing its value and its gradient.

    root: a backproplab.graph.Value. Call ``root.backward()`` first: the drawing shows each
        node's ``.grad`` = d root / d node as it is (all 0 before any backward).
    Each node is a box "label / data = ... / grad = ..." (an unlabelled operation is named
    by its op); an operation's incoming arrows meet in a small circle naming the op (+, ×,
    exp, ...) -- a node used twice by one op (x * x) has two arrows into it.
    Numbers are printed with `digits` decimals (scientific notation outside 0.01..1e5).
    Graphs of more than `max_nodes` nodes are refused with a ValueError.
    The node boxes' texts have gid "node", the op circles' "op" (for tests and lessons).
    Returns the Figure (of `ax` if given).
    """
    where = "draw_graph"
    max_nodes = positive_int(max_nodes, where, "max_nodes")
    digits = positive_int(digits, where, "digits", minimum=0)
    _text(title, where, "title")
    nodes = _graph_nodes(root, max_nodes, where)
    col = _columns(nodes)
    n_cols = max(col.values()) + 1
    by_col = [[v for v in nodes if col[id(v)] == c] for c in range(n_cols)]
    rows = max(len(c) for c in by_col)

    pos = {}
    for c, column in enumerate(by_col):
        for i, v in enumerate(column):
            pos[id(v)] = (float(c), (len(column) - 1) / 2.0 - i)

    fig, ax = _axes(ax, where, (1.0 + 2.1 * n_cols, 1.3 + 1.2 * rows))
    for v in nodes:
        _draw_node(ax, v, pos, "output" if v is root else None, digits)
    ax.set_xlim(-0.5 - _OP_GAP, n_cols - 0.5)
    ax.set_ylim(-rows / 2.0, rows / 2.0)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_xlabel("forward pass: inputs → output;   grad = d output / d node (backward pass)")
    from matplotlib.patches import Patch
    ax.legend(handles=[Patch(fc=c, ec="0.25", label=k) for k, c in _NODE_COLOURS.items()],
              loc="upper center", bbox_to_anchor=(0.5, 0.0), ncols=3, frameon=False,
              borderaxespad=2.2)
    if title is None:
        title = f"Computational graph ({len(nodes)} nodes)"
        if all(float(v.grad) == 0.0 for v in nodes):
            title += " - call root.backward() to fill in the gradients"
    ax.set_title(title)
    return fig


# data units: one column = 1 wide, one row = 1 high; boxes leave room for the op circle
_BOX_W, _BOX_H, _OP_GAP = 0.56, 0.62, 0.17


def _draw_node(ax, v, pos, kind, digits):
    """v's box at pos[id(v)], and for an operation its op circle and incoming arrows."""
    from matplotlib.patches import FancyBboxPatch
    x, y = pos[id(v)]
    w, h = _BOX_W, _BOX_H
    parents = tuple(v.parents)
    kind = kind or ("operation" if parents else "input")
    ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h,
                                boxstyle="round,pad=0,rounding_size=0.08",
                                fc=_NODE_COLOURS[kind], ec="0.25", lw=1.0, zorder=2))
    # an unlabelled operation is named by its op circle already
    name = getattr(v, "label", "") or ("" if parents else "input")
    ax.text(x, y, f"{name}\ndata = {_fmt(v.data, digits)}\ngrad = {_fmt(v.grad, digits)}",
            ha="center", va="center", fontsize=9, zorder=3, gid="node", linespacing=1.4)
    if not parents:
        return
    ox = x - w / 2 - _OP_GAP
    ax.text(ox, y, _op_text(v), ha="center", va="center", fontsize=8, zorder=4, gid="op",
            bbox=dict(boxstyle="circle,pad=0.25", fc="white", ec="0.25", lw=1.0))
    _arrow(ax, (ox, y), (x - w / 2, y), 0.0, shrink_a=9)
    for k, p in enumerate(parents):
        px, py = pos[id(p)]
        # the same parent twice (x * x): bend the two arrows apart so both show
        bend = 0.0 if parents.count(p) == 1 else (0.25 if k == 0 else -0.25)
        _arrow(ax, (px + w / 2, py), (ox, y), bend, shrink_b=9)


def _arrow(ax, start, end, bend, shrink_a=0.0, shrink_b=0.0):
    ax.annotate("", xy=end, xytext=start, zorder=1,
                arrowprops=dict(arrowstyle="-|>", color="0.3", lw=1.1, shrinkA=shrink_a,
                                shrinkB=shrink_b, connectionstyle=f"arc3,rad={bend}"))
