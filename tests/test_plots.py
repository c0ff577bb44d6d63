"""Tests of backproplab.plots: what each figure shows, checked against the data drawn."""
import io
import math
import subprocess
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # before pyplot: no window, the same pixels everywhere

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from backproplab import activations as act  # noqa: E402
from backproplab import plots  # noqa: E402
from backproplab.datasets import logic_gate, make_spirals  # noqa: E402
from backproplab.graph import Value  # noqa: E402
from backproplab.network import MLP  # noqa: E402
from backproplab.optimizers import SGD  # noqa: E402
from backproplab.training import train  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def render(fig):
    """Draw the figure to PNG bytes: errors that only appear at draw time show up here."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=40)
    assert buf.getvalue()[:4] == b"\x89PNG"


def legend_texts(ax):
    legend = ax.get_legend()
    assert legend is not None, "expected a legend"
    return [t.get_text() for t in legend.get_texts()]


def labelled_lines(ax):
    return [ln for ln in ax.lines if not ln.get_label().startswith("_")]


def assert_titled(ax):
    assert ax.get_title().strip()
    assert ax.get_xlabel().strip()


# ------------------------------------------------------------------------- import cost

def test_importing_plots_and_widgets_imports_no_matplotlib_or_ipywidgets():
    code = ("import sys, backproplab, backproplab.plots, backproplab.widgets; "
            "print('matplotlib' in sys.modules, 'ipywidgets' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         check=True)
    assert out.stdout.split() == ["False", "False"]


# ------------------------------------------------------------------------- plot_loss

def test_plot_loss_of_a_real_history_draws_its_losses_per_epoch():
    X, y = logic_gate("xor")
    history = train(MLP([2, 3, 1], seed=0), X, y, SGD(0.5), epochs=25, seed=0)
    fig = plots.plot_loss(history)
    ax = fig.axes[0]
    (line,) = ax.lines
    np.testing.assert_array_equal(line.get_ydata(), history.loss)
    np.testing.assert_array_equal(line.get_xdata(), np.arange(len(history.loss)))
    assert ax.get_xlabel() == "epoch"
    assert "loss" in ax.get_ylabel()
    assert ax.get_title()
    render(fig)


def test_plot_loss_compares_runs_one_line_each_with_a_legend():
    runs = {"lr = 0.1": [0.3, 0.2, 0.1], "lr = 1": [0.3, 0.05], "lr = 10": [0.3, 0.29, 0.28, 0.27]}
    fig = plots.plot_loss(runs)
    ax = fig.axes[0]
    assert len(ax.lines) == 3
    assert legend_texts(ax) == list(runs)
    for line, losses in zip(ax.lines, runs.values()):
        np.testing.assert_array_equal(line.get_ydata(), losses)
    # three distinct colours, or the legend could not tell the runs apart
    assert len({line.get_color() for line in ax.lines}) == 3
    render(fig)


def test_plot_loss_single_list_with_label_has_a_legend():
    ax = plots.plot_loss([1.0, 0.5], label="SGD").axes[0]
    assert legend_texts(ax) == ["SGD"]


def test_plot_loss_marks_a_diverged_run_at_its_last_finite_loss():
    fig = plots.plot_loss({"ok": [1.0, 0.5, 0.25], "lr = 50": [1.0, 8.0, 70.0, math.inf]})
    ax = fig.axes[0]
    texts = legend_texts(ax)
    assert texts[0] == "ok" and texts[1] == "lr = 50 (diverged)"
    (marker,) = ax.collections
    np.testing.assert_array_equal(marker.get_offsets(), [[2.0, 70.0]])
    render(fig)


def test_plot_loss_diverged_flag_of_a_history_is_shown():
    class FakeHistory:  # train()'s History: .loss and .diverged
        loss = [1.0, 2.0, 4.0]
        diverged = True
    ax = plots.plot_loss(FakeHistory()).axes[0]
    assert "diverged" in legend_texts(ax)[0]


@pytest.mark.parametrize("losses, logy, scale", [
    ([1.0, 1e-3], None, "log"),       # spans a factor 1000: log by default
    ([1.0, 0.5], None, "linear"),     # a factor 2: linear
    ([1.0, 0.0], None, "linear"),     # a zero cannot go on a log axis
    ([1.0, 1e-3], False, "linear"),
    ([1.0, 0.5], True, "log"),
])
def test_plot_loss_log_axis(losses, logy, scale):
    ax = plots.plot_loss(losses, logy=logy).axes[0]
    assert ax.get_yscale() == scale
    assert ("log" in ax.get_ylabel()) == (scale == "log")


def test_plot_loss_draws_into_a_given_axes():
    fig, (a, b) = plt.subplots(1, 2)
    out = plots.plot_loss([1.0, 0.5], ax=b, title="run 1")
    assert out is fig
    assert len(b.lines) == 1 and len(a.lines) == 0
    assert b.get_title() == "run 1"


@pytest.mark.parametrize("arg, kwargs, error, match", [
    ([], {}, ValueError, r"plot_loss: history is empty"),
    ([[1.0, 2.0]], {}, ValueError, r"plot_loss: history must be 1-D, got shape \(1, 2\)"),
    ({}, {}, ValueError, r"plot_loss: history is an empty dict"),
    ({"a": []}, {}, ValueError, r"plot_loss: history\['a'\] is empty"),
    ("abc", {}, TypeError, r"plot_loss: history must be a number or an array"),
    ([1.0], {"ax": "left"}, TypeError, r"plot_loss: ax must be a matplotlib Axes"),
    ([1.0], {"logy": "yes"}, TypeError, r"plot_loss: logy must be True, False or None"),
])
def test_plot_loss_bad_input(arg, kwargs, error, match):
    with pytest.raises(error, match=match):
        plots.plot_loss(arg, **kwargs)


# ------------------------------------------------------------------------- decision boundary

def pixel_centres(image):
    """Coordinates of every pixel centre of an imshow image (origin="lower")."""
    arr = image.get_array()
    x0, x1, y0, y1 = image.get_extent()
    ny, nx = arr.shape
    xs = x0 + (np.arange(nx) + 0.5) * (x1 - x0) / nx
    ys = y0 + (np.arange(ny) + 0.5) * (y1 - y0) / ny
    return xs, ys, np.asarray(arr)


def and_neuron():
    """CENG 506's AND neuron g(-30 + 20 x1 + 20 x2) as a one-layer MLP."""
    net = MLP([2, 1], activations="sigmoid", seed=0)
    net.weights = [np.array([[20.0], [20.0]])]
    net.biases = [np.array([-30.0])]
    return net


def test_decision_boundary_colours_are_the_nets_predictions():
    net = and_neuron()
    X, y = logic_gate("and")
    fig = plots.plot_decision_boundary(net, X, y, resolution=60)
    ax = fig.axes[0]
    (image,) = ax.images
    xs, ys, shade = pixel_centres(image)
    assert shade.shape == (60, 60)
    rng = np.random.default_rng(0)
    i, j = rng.integers(0, 60, 200), rng.integers(0, 60, 200)
    points = np.column_stack([xs[j], ys[i]])
    # the shading is P(class 1) at the pixel's centre, and the class is P >= 0.5
    np.testing.assert_allclose(shade[i, j], net.forward(points)[:, 0], rtol=1e-12)
    np.testing.assert_array_equal(shade[i, j] >= 0.5, net.predict(points)[:, 0] == 1.0)
    # the data lie inside the drawn area
    x0, x1, y0, y1 = image.get_extent()
    assert x0 < X[:, 0].min() and X[:, 0].max() < x1 and y0 < X[:, 1].min() and X[:, 1].max() < y1
    render(fig)


def test_decision_boundary_legend_title_and_points():
    net = and_neuron()
    X, y = logic_gate("and")
    ax = plots.plot_decision_boundary(net, X, y).axes[0]
    assert legend_texts(ax) == ["class 0", "class 1", "decision boundary"]
    # one scatter per class, holding exactly that class's points
    scatters = [c for c in ax.collections if c.get_offsets().shape[0] > 0 and c.get_label()]
    by_label = {c.get_label(): c.get_offsets() for c in scatters if c.get_label().startswith("class")}
    np.testing.assert_array_equal(by_label["class 1"], X[y[:, 0] == 1])
    np.testing.assert_array_equal(by_label["class 0"], X[y[:, 0] == 0])
    assert "100 %" in ax.get_title() and "4/4" in ax.get_title()
    assert ax.get_xlabel() and ax.get_ylabel()


def test_decision_boundary_accuracy_in_title_counts_wrong_points():
    net = and_neuron()
    X, _ = logic_gate("or")          # the AND neuron gets OR's rows 01 and 10 wrong
    _, y = logic_gate("or")
    ax = plots.plot_decision_boundary(net, X, y).axes[0]
    assert "50 %" in ax.get_title() and "2/4" in ax.get_title()


def test_decision_boundary_does_not_touch_the_nets_cache():
    net = and_neuron()
    X, y = logic_gate("and")
    net.forward(X)
    before = [a.copy() for a in net.a]
    plots.plot_decision_boundary(net, X, y, resolution=30)
    after = net.a
    assert len(after) == len(before)
    for b, a in zip(before, after):
        np.testing.assert_array_equal(a, b)
    net.backward(y)   # still consistent with the 4-sample forward pass


def spiral_scores(P):
    """A hand-made 3-class scorer for make_spirals: arm c scores cos(angle - arm angle)."""
    r, t = np.hypot(P[:, 0], P[:, 1]), np.arctan2(P[:, 1], P[:, 0])
    return np.stack([np.cos(t - 2 * np.pi * c / 3 - 2 * np.pi * r) for c in range(3)], axis=1)


def test_decision_boundary_multiclass_regions_are_the_argmax():
    X, y = make_spirals(90, classes=3, noise=0.0, seed=1)
    fig = plots.plot_decision_boundary(spiral_scores, X, y, resolution=50)
    ax = fig.axes[0]
    xs, ys, classes = pixel_centres(ax.images[0])
    XX, YY = np.meshgrid(xs, ys)
    expected = np.argmax(spiral_scores(np.column_stack([XX.ravel(), YY.ravel()])), axis=1)
    np.testing.assert_array_equal(classes.ravel(), expected)
    assert legend_texts(ax) == ["class 0", "class 1", "class 2", "decision boundary"]
    # the title's count is the scorer's own argmax on the data (all but the arms' shared
    # centre point, where the three arms meet, are right)
    hits = int(np.sum(np.argmax(spiral_scores(X), axis=1) == y))
    assert hits >= 85
    assert f"{hits}/90" in ax.get_title()
    render(fig)


@pytest.mark.parametrize("form", ["labels", "column", "one_hot"])
def test_decision_boundary_accepts_every_label_format(form):
    X, y01 = logic_gate("and")
    labels = y01[:, 0].astype(int)
    y = {"labels": labels, "column": y01, "one_hot": np.eye(2)[labels]}[form]
    ax = plots.plot_decision_boundary(and_neuron(), X, y, resolution=20).axes[0]
    assert "4/4" in ax.get_title()


def test_decision_boundary_class_names():
    X, y = logic_gate("and")
    ax = plots.plot_decision_boundary(and_neuron(), X, y, class_names=["off", "on"],
                                      resolution=10).axes[0]
    assert legend_texts(ax) == ["off", "on", "decision boundary"]
    with pytest.raises(ValueError, match=r"class_names has 1 names but there are 2 classes"):
        plots.plot_decision_boundary(and_neuron(), X, y, class_names=["off"])


def test_decision_boundary_threshold_for_raw_scores():
    X, y = logic_gate("and")
    score = lambda P: -30 + 20 * P[:, 0] + 20 * P[:, 1]   # noqa: E731 - w.x + b, no sigmoid
    ax = plots.plot_decision_boundary(score, X, y, threshold=0.0, resolution=40).axes[0]
    xs, ys, shade = pixel_centres(ax.images[0])
    XX, YY = np.meshgrid(xs, ys)
    expected = -30 + 20 * XX + 20 * YY
    np.testing.assert_allclose(shade, expected, atol=1e-9)
    # pixels whose centre lies on the line itself (x1 + x2 = 1.5 exactly, up to rounding) are
    # ties: compare the side of the boundary everywhere else
    clear = np.abs(expected) > 1e-9
    np.testing.assert_array_equal((shade >= 0)[clear], (expected >= 0)[clear])
    assert "4/4" in ax.get_title()


@pytest.mark.parametrize("net, X, y, error, match", [
    (and_neuron(), np.zeros((5, 3)), np.zeros(5), ValueError,
     r"plot_decision_boundary: X has shape \(5, 3\); a decision boundary needs 2 features"),
    (and_neuron(), np.zeros((4, 2)), np.zeros(3), ValueError,
     r"plot_decision_boundary: y has shape \(3,\) but X has 4 rows"),
    (and_neuron(), np.zeros((4, 2)), np.array([0, 0.5, 1, 1]), ValueError,
     r"plot_decision_boundary: y must hold class labels"),
    (and_neuron(), np.zeros((4, 2)), np.array([0, 1, 2, 1]), ValueError,
     r"y has class 2 but a net with one output separates only classes 0 and 1"),
    (lambda P: np.zeros((len(P), 2)), np.zeros((4, 2)), np.array([0, 1, 2, 1]), ValueError,
     r"y has class 2 but the net has only 2 outputs"),
    (lambda P: np.zeros((3, 3)), np.zeros((4, 2)), np.zeros(4), ValueError,
     r"the net returned shape \(3, 3\) for \d+ points"),
    (lambda P: np.full(len(P), np.nan), np.zeros((4, 2)), np.zeros(4), ValueError,
     r"the net's output contains NaN or inf"),
    (42, np.zeros((4, 2)), np.zeros(4), TypeError,
     r"plot_decision_boundary: net must be an MLP \(with .forward\) or a callable"),
    (and_neuron(), np.array([[0.0, np.nan]]), np.zeros(1), ValueError,
     r"plot_decision_boundary: X contains 1 NaN or infinite"),
])
def test_decision_boundary_bad_input(net, X, y, error, match):
    with pytest.raises(error, match=match):
        plots.plot_decision_boundary(net, X, y, resolution=10)


# ------------------------------------------------------------------------- trajectories

def bowl(w):
    return 0.5 * (w[0] ** 2 + 10.0 * w[1] ** 2)


def sgd_path(lr, steps, start=(-4.0, 1.5)):
    w = np.array(start)
    path = [w.copy()]
    for _ in range(steps):
        w = w - lr * np.array([w[0], 10.0 * w[1]])
        path.append(w)
    return np.array(path)


def contour_levels(ax):
    from matplotlib.contour import ContourSet
    return [c.levels for c in ax.collections if isinstance(c, ContourSet)]


def test_trajectory_one_line_per_path_with_the_path_as_data():
    paths = {"SGD": sgd_path(0.05, 10), "SGD fast": sgd_path(0.15, 10), "SGD slow": sgd_path(0.01, 5)}
    fig = plots.plot_trajectory(bowl, paths, optimum=(0, 0))
    ax = fig.axes[0]
    assert len(ax.lines) == 3
    for line, p in zip(ax.lines, paths.values()):
        np.testing.assert_array_equal(np.column_stack([line.get_xdata(), line.get_ydata()]), p)
    texts = legend_texts(ax)
    for name in paths:
        assert any(t.startswith(name + " (") for t in texts)
    assert {"start", "end", "minimum"} <= set(texts)
    assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()
    assert len(contour_levels(ax)) == 2   # filled and line contours of f
    render(fig)


def test_trajectory_contours_span_f_over_the_view():
    ax = plots.plot_trajectory(bowl, sgd_path(0.05, 10), bounds=((-5, 5), (-2, 2))).axes[0]
    assert ax.get_xlim() == (-5.0, 5.0) and ax.get_ylim() == (-2.0, 2.0)
    lines = contour_levels(ax)[1]
    # levels lie between min f (0 at the centre) and max f over the box (at a corner: 32.5)
    assert lines.min() >= 0.0 and lines.max() < bowl((5.0, 2.0))
    assert len(lines) >= 10


def test_trajectory_vectorised_and_pointwise_f_give_the_same_contours():
    pointwise = lambda w: 0.5 * (math.pow(w[0], 2) + 10.0 * math.pow(w[1], 2))  # noqa: E731 - scalars only
    summed = lambda w: float(np.sum(np.array([0.5, 5.0]) * np.asarray(w) ** 2))  # noqa: E731 - wrong on grids
    path = sgd_path(0.05, 5)
    ref = contour_levels(plots.plot_trajectory(bowl, path, resolution=30).axes[0])
    for f in (pointwise, summed):
        got = contour_levels(plots.plot_trajectory(f, path, resolution=30).axes[0])
        for a, b in zip(ref, got):
            np.testing.assert_allclose(a, b, rtol=1e-12)


def test_trajectory_diverged_path_is_drawn_to_its_last_finite_point():
    path = np.array([[1.0, 1.0], [2.0, -3.0], [np.inf, 9.0], [np.nan, np.nan]])
    ax = plots.plot_trajectory(bowl, {"lr = 10": path}).axes[0]
    (line,) = ax.lines
    np.testing.assert_array_equal(line.get_xdata(), [1.0, 2.0])
    assert any("diverged" in t for t in legend_texts(ax))


@settings(deadline=None, max_examples=15, derandomize=True)
@given(st.lists(st.tuples(st.floats(-10, 10), st.floats(-10, 10)), min_size=1, max_size=8))
def test_trajectory_view_contains_every_point_of_the_path(points):
    path = np.array(points)
    ax = plots.plot_trajectory(bowl, path, resolution=10, levels=3).axes[0]
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    assert np.all((x0 < path[:, 0]) & (path[:, 0] < x1) & (y0 < path[:, 1]) & (path[:, 1] < y1))
    plt.close("all")


@pytest.mark.parametrize("f, path, kwargs, error, match", [
    (bowl, np.zeros((5, 3)), {}, ValueError,
     r"plot_trajectory: path has shape \(5, 3\); a path is an array \(steps, 2\)"),
    (bowl, {"a": np.zeros(2)}, {}, ValueError, r"plot_trajectory: path\['a'\] must be 2-D"),
    (bowl, {}, {}, ValueError, r"plot_trajectory: path is an empty dict"),
    ("bowl", np.zeros((2, 2)), {}, TypeError, r"plot_trajectory: f must be a function"),
    (bowl, np.zeros((2, 2)), {"bounds": ((1, 0), (0, 1))}, ValueError,
     r"plot_trajectory: bounds must be \(\(w1_min, w1_max\), \(w2_min, w2_max\)\) with min < max"),
    (bowl, np.zeros((2, 2)), {"optimum": (0, 0, 0)}, ValueError,
     r"plot_trajectory: optimum must be a point \(w1, w2\), got shape \(3,\)"),
    (bowl, np.full((2, 2), np.nan), {}, ValueError,
     r"plot_trajectory: every path diverged at its first point; give bounds="),
])
def test_trajectory_bad_input(f, path, kwargs, error, match):
    with pytest.raises(error, match=match):
        plots.plot_trajectory(f, path, **kwargs)


# ------------------------------------------------------------------------- computational graphs

def node_texts(ax):
    return [t for t in ax.texts if t.get_gid() == "node"]


def op_texts(ax):
    return [t.get_text() for t in ax.texts if t.get_gid() == "op"]


def text_of(ax, label):
    (t,) = [t for t in node_texts(ax) if t.get_text().split("\n")[0] == label]
    return t


def lecture_graph():
    """CENG 506: f = (x + y) z at x = -2, y = 5, z = -4."""
    x, y, z = Value(-2.0, "x"), Value(5.0, "y"), Value(-4.0, "z")
    q = x + y
    q.label = "q"
    f = q * z
    f.label = "f"
    f.backward()
    return f


def test_draw_graph_shows_the_lectures_values_and_gradients():
    fig = plots.draw_graph(lecture_graph())
    ax = fig.axes[0]
    assert len(node_texts(ax)) == 5
    # CENG 506: q = x + y = 3, f = q z = -12; df/dq = z = -4, df/dz = q = 3,
    # df/dx = df/dq dq/dx = -4, df/dy = -4, df/df = 1
    expected = {"x": ("-2.00", "-4.00"), "y": ("5.00", "-4.00"), "z": ("-4.00", "3.00"),
                "q": ("3.00", "-4.00"), "f": ("-12.00", "1.00")}
    for label, (data, grad) in expected.items():
        lines = text_of(ax, label).get_text().split("\n")
        assert lines[1] == f"data = {data}" and lines[2] == f"grad = {grad}"
    assert sorted(op_texts(ax)) == ["+", "×"]
    assert ax.get_title() and ax.get_xlabel()
    assert legend_texts(ax) == ["input", "operation", "output"]
    render(fig)


def test_draw_graph_lays_nodes_out_left_to_right_with_one_arrow_per_edge():
    from matplotlib.text import Annotation
    f = lecture_graph()
    ax = plots.draw_graph(f).axes[0]
    x_of = {t.get_text().split("\n")[0]: t.get_position()[0] for t in node_texts(ax)}
    for parent, child in [("x", "q"), ("y", "q"), ("q", "f"), ("z", "f")]:
        assert x_of[parent] < x_of[child]
    arrows = [a for a in ax.texts if isinstance(a, Annotation)]
    # 4 edges parent -> op circle, and one op circle -> node arrow per operation
    assert len(arrows) == 4 + 2


def test_draw_graph_of_the_sigmoid_neuron_names_the_lectures_gates():
    # CENG 506: f = 1 / (1 + exp(-(w0 x0 + w1 x1 + w2))) at w = (2, -3, -3), x = (-1, -2)
    w0, x0, w1, x1, w2 = (Value(v, n) for v, n in
                          [(2.0, "w0"), (-1.0, "x0"), (-3.0, "w1"), (-2.0, "x1"), (-3.0, "w2")])
    s = w0 * x0 + w1 * x1 + w2
    e = (s * -1).exp()
    e.label = "e"
    f = 1 / (e + 1)
    f.label = "f"
    f.backward()
    ax = plots.draw_graph(f).axes[0]
    assert sorted(op_texts(ax)) == sorted(["×", "×", "+", "+", "×-1", "exp", "+1", "1/x"])
    # CENG 506 prints f = 0.73 and, at the exp gate, the gradient -0.53; the slides' last
    # step is (e^-1)(-0.53) = -0.20, the gradient of -s: w2's gradient is -(-0.20) = 0.20
    assert text_of(ax, "f").get_text().split("\n")[1] == "data = 0.73"
    assert text_of(ax, "e").get_text().split("\n")[2] == "grad = -0.53"
    assert text_of(ax, "w2").get_text().split("\n")[2] == "grad = 0.20"
    assert len(node_texts(ax)) == 13
    render(ax.figure)


def test_draw_graph_repeated_subexpression_has_two_arrows():
    from matplotlib.text import Annotation
    a = Value(1.0, "a")
    b = a + a
    c = b + b
    c.label = "c"
    c.backward()
    ax = plots.draw_graph(c).axes[0]
    assert text_of(ax, "a").get_text().endswith("grad = 4.00")   # issue 3: dc/da = 4
    arrows = [t for t in ax.texts if isinstance(t, Annotation)]
    assert len(arrows) == 2 * 2 + 2
    assert len(node_texts(ax)) == 3


def test_draw_graph_before_backward_says_so():
    x = Value(2.0, "x")
    ax = plots.draw_graph(x * 3).axes[0]
    assert "backward()" in ax.get_title()
    assert op_texts(ax) == ["×3"]


def test_draw_graph_names_ops_with_plain_numbers():
    x = Value(3.0, "x")
    for expr, op in [(x + 2, "+2"), (x - 2, "−2"), (2 - x, "2−x"), (x * -1, "×-1"), (x / 4, "÷4"),
                     (6 / x, "6/x"), (x ** 2, "^2"), (x ** 0.5, "^0.5"), (-x, "−"), (x.exp(), "exp"),
                     (x - x * 2, "−")]:
        ax = plots.draw_graph(expr).axes[0]
        assert op_texts(ax)[0] == op
        plt.close("all")


def test_draw_graph_number_format():
    x = Value(0.001234, "tiny")
    y = x * 100000.0
    y.label = "big"
    y.backward()
    ax = plots.draw_graph(y, digits=3).axes[0]
    assert text_of(ax, "tiny").get_text().split("\n")[1:] == ["data = 1.234e-03", "grad = 1.000e+05"]
    assert text_of(ax, "big").get_text().split("\n")[1:] == ["data = 123.400", "grad = 1.000"]


def test_draw_graph_refuses_big_graphs():
    v = Value(1.0, "x")
    for _ in range(100):
        v = v * 1.0
    with pytest.raises(ValueError, match=r"draw_graph: the graph has more than 60 nodes.*max_nodes="):
        plots.draw_graph(v)
    fig = plots.draw_graph(v, max_nodes=101)
    assert len(node_texts(fig.axes[0])) == 101


def test_draw_graph_bad_input():
    with pytest.raises(TypeError, match=r"draw_graph: root must be a backproplab.graph.Value"):
        plots.draw_graph(3.0)
    with pytest.raises(ValueError, match=r"draw_graph: max_nodes must be >= 1, got 0"):
        plots.draw_graph(Value(1.0), max_nodes=0)


# ------------------------------------------------------------------------- activations

def test_plot_activations_draws_phi_and_its_derivative_per_panel():
    names = ["sigmoid", "tanh", "relu"]
    fig = plots.plot_activations(names, z_range=(-5, 5))
    assert len(fig.axes) == 3
    for ax, name in zip(fig.axes, names):
        phi, dphi = labelled_lines(ax)
        a = act.get_activation(name)
        z = phi.get_xdata()
        assert z.min() == -5 and z.max() == 5 and 0.0 in z
        np.testing.assert_array_equal(phi.get_ydata(), a.f(z))
        np.testing.assert_array_equal(dphi.get_ydata(), a.df(z))
        assert name in ax.get_title()
        assert ax.get_xlabel() and ax.get_ylabel()
        assert len(legend_texts(ax)) >= 2
    render(fig)


def test_plot_activations_shades_saturation_only_where_the_derivative_vanishes():
    fig = plots.plot_activations(["sigmoid", "linear"], z_range=(-8, 8))
    sig, lin = fig.axes
    assert any("saturated" in t for t in legend_texts(sig))
    assert not any("saturated" in t for t in legend_texts(lin))   # linear' = 1 everywhere
    (shade,) = sig.collections
    xs = np.concatenate([p.vertices[:, 0] for p in shade.get_paths()])
    # sigmoid'(z) < 0.05 exactly when |z| > 2.89...: the shaded z lie beyond it on both sides
    edge = math.log((1 + math.sqrt(1 - 0.2)) / (1 - math.sqrt(1 - 0.2)))  # 0.05 = s(1-s)
    inner = xs[np.abs(xs) < 7.9]
    assert np.all(np.abs(inner) >= edge - 0.02)
    assert xs.min() <= -7.9 and xs.max() >= 7.9


def test_plot_activations_into_given_axes():
    fig, axes = plt.subplots(1, 2)
    assert plots.plot_activations(["tanh", "step"], ax=axes) is fig
    assert all(len(labelled_lines(a)) == 2 for a in axes)
    fig2, ax = plt.subplots()
    assert plots.plot_activations("relu", ax=ax) is fig2


@pytest.mark.parametrize("names, kwargs, error, match", [
    (["softmax"], {}, ValueError, r"plot_activations: 'softmax' is not element-wise"),
    (["sigmoid", "swish"], {}, ValueError, r"unknown activation 'swish'; valid names are: 'sigmoid'"),
    ([], {}, ValueError, r"plot_activations: names is empty"),
    (["tanh"], {"z_range": (3, -3)}, ValueError,
     r"plot_activations: z_range must be \(z_min, z_max\) with z_min < z_max"),
    (["tanh", "relu"], {"ax": "one"}, ValueError, r"plot_activations: got 1 Axes for 2 activations"),
])
def test_plot_activations_bad_input(names, kwargs, error, match):
    with pytest.raises(error, match=match):
        plots.plot_activations(names, **kwargs)


def test_plot_activation_variance_one_line_per_initialisation():
    v = {"too small": [1e-2, 1e-4, 1e-6], "Xavier": [0.3, 0.28, 0.27], "too large": [0.9, 0.99, 1.0]}
    fig = plots.plot_activation_variance(v)
    ax = fig.axes[0]
    assert len(ax.lines) == 3
    for line, values in zip(ax.lines, v.values()):
        np.testing.assert_array_equal(line.get_xdata(), [1, 2, 3])
        np.testing.assert_array_equal(line.get_ydata(), values)
    assert legend_texts(ax) == list(v)
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "layer" and ax.get_title()
    render(fig)


@pytest.mark.parametrize("v, match", [
    ({"a": [1.0, -0.1]}, r"plot_activation_variance: variances\['a'\] must hold variances >= 0"),
    ({"a": [1.0, np.nan]}, r"variances\['a'\] must hold variances >= 0"),
    ({"a": []}, r"plot_activation_variance: variances\['a'\] is empty"),
    ({}, r"plot_activation_variance: variances is an empty dict"),
])
def test_plot_activation_variance_bad_input(v, match):
    with pytest.raises(ValueError, match=match):
        plots.plot_activation_variance(v)


@pytest.mark.parametrize("x", [5.0, -0.7, 1e-3, 123.456])
def test_division_gates_are_named_by_direction_not_by_exact_float_equality(x):
    # 5 / 3 * 3 != 5 in floating point; an exact test once drew x / 3 as "8.33/x"
    from backproplab.graph import Value
    from backproplab.plots import _op_text
    assert _op_text(Value(x) / 3) == "÷3"
    assert _op_text(3 / Value(x)) == "3/x"


# ----------------------------------------------------------------------------- stability region

def test_stability_region_outline_is_the_formula_and_marks_the_points():
    from backproplab.surfaces import stability_limit
    fig = plots.plot_stability_region(points={"explorer": (0.5, 2.8)}, resolution=100)
    ax = fig.axes[0]
    # the computed outline (a contour of the spectral radius at 1) lies on h = 2 (1 + alpha)
    outline = np.vstack([p.vertices for p in ax.collections[0].get_paths()])
    inside = outline[(outline[:, 0] > 0.02) & (outline[:, 0] < 0.97)]
    assert inside.size and np.abs(inside[:, 1] - stability_limit("Momentum", inside[:, 0])).max() < 0.05
    # the shading is the spectral radius: < 1 below the line, >= 1 above
    rho = np.asarray(ax.images[0].get_array())
    assert rho[10, 50] < 1.0 and rho[-1, 50] >= 1.0
    marked = [c for c in ax.collections if c.get_label() == "explorer"]
    np.testing.assert_array_equal(marked[0].get_offsets(), [[0.5, 2.8]])
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "formula: h = 2(1 + α)" in labels and "explorer" in labels
    assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()
    plt.close(fig)


def test_stability_region_bad_points():
    with pytest.raises(ValueError, match=r"plot_stability_region: points\['x'\] must be \(alpha, h\)"):
        plots.plot_stability_region(points={"x": [1.0, 2.0, 3.0]})
