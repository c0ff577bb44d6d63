"""Tests of backproplab.widgets: drive the controls as a student would, check what is shown.

The explorers draw on plain matplotlib Figures (not pyplot) and show them as PNG bytes in an
ipywidgets.Image, so no backend and no kernel are needed here.
"""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backproplab import activations as act
from backproplab import widgets
from backproplab.datasets import logic_gate


def images_of(box):
    return box.figure.axes[0].images


# ------------------------------------------------------------------------- neuron explorer

def test_neuron_explorer_default_is_the_lectures_and_neuron():
    box = widgets.neuron_explorer()
    s = box.state
    X, y = logic_gate("and")
    # CENG 506: g(-30 + 20 x1 + 20 x2): g(-30), g(-10), g(-10), g(10) ~ 0, 0, 0, 1
    np.testing.assert_array_equal(s["z"], [-30.0, -10.0, -10.0, 10.0])
    np.testing.assert_allclose(s["a"], act.sigmoid(s["z"]), rtol=1e-15)
    assert s["a"][3] > 0.9999 and np.all(s["a"][:3] < 1e-4)
    assert s["correct"] == 4
    np.testing.assert_array_equal(s["target"], y[:, 0])
    assert box.image.value[:4] == b"\x89PNG"
    assert box.caption.value.count("✓") == 4


def test_neuron_explorer_b_minus_10_makes_it_or():
    box = widgets.neuron_explorer()
    box.controls["gate"].value = "or"
    assert box.state["correct"] == 2          # the AND neuron gets OR's rows 01 and 10 wrong
    box.controls["b"].value = -10.0           # CENG 506's OR neuron g(-10 + 20 x1 + 20 x2)
    assert box.state["correct"] == 4
    np.testing.assert_array_equal(box.state["z"], [-10.0, 10.0, 10.0, 30.0])


def test_neuron_explorer_picture_follows_the_sliders():
    box = widgets.neuron_explorer()
    before_png, before = box.image.value, images_of(box)[0].get_array().copy()
    box.controls["w2"].value = -5.0
    after = images_of(box)[0].get_array()
    assert box.image.value != before_png
    assert not np.array_equal(before, after)
    # the top-right pixel is the output at (1.25, 1.25): phi(20 * 1.25 - 5 * 1.25 - 30)
    assert after[-1, -1] == pytest.approx(act.sigmoid(20 * 1.25 - 5 * 1.25 - 30), rel=1e-12)
    assert box.state["w2"] == -5.0


def test_set_values_draws_once_and_checks_names():
    box = widgets.neuron_explorer()
    drawn = []
    box.image.observe(lambda change: drawn.append(change), names="value")
    box.set_values(w1=-20.0, w2=-20.0, b=10.0, gate="nor")
    assert len(drawn) == 1
    assert box.state["correct"] == 4          # NOR = NOT OR: the OR neuron with signs flipped
    with pytest.raises(ValueError, match=r"set_values: unknown control\(s\) 'w3'; the controls are: 'w1'"):
        box.set_values(w3=1.0)


def test_neuron_explorer_activation_dropdown():
    box = widgets.neuron_explorer(w1=1.0, w2=-2.0, b=0.5, gate="nand")
    box.controls["activation"].value = "tanh"
    z = 1.0 * np.array([0, 0, 1, 1]) - 2.0 * np.array([0, 1, 0, 1]) + 0.5
    np.testing.assert_allclose(box.state["a"], np.tanh(z), rtol=1e-15)
    box.controls["activation"].value = "step"
    np.testing.assert_array_equal(box.state["a"], (z >= 0).astype(float))
    assert "step" in box.figure.axes[0].get_title()


@settings(deadline=None, max_examples=10, derandomize=True)
@given(st.floats(-40, 40), st.floats(-40, 40), st.floats(-40, 40))
def test_no_single_neuron_computes_xor(w1, w2, b):
    # XOR is not linearly separable (CENG 506): whatever the sliders say, one row is wrong
    box = _xor_box()
    box.set_values(w1=w1, w2=w2, b=b)
    assert (box.state["w1"], box.state["w2"], box.state["b"]) == (w1, w2, b)
    assert box.state["correct"] <= 3
    assert box.caption.value.count("✗") == 4 - box.state["correct"]


_XOR = []


def _xor_box():
    if not _XOR:   # one explorer for all examples: building one draws a figure
        _XOR.append(widgets.neuron_explorer(gate="xor"))
    return _XOR[0]


@pytest.mark.parametrize("kwargs, error, match", [
    ({"activation": "softmax"}, ValueError, r"neuron_explorer: unknown activation 'softmax'; valid names are: 'sigmoid'"),
    ({"gate": "implies"}, ValueError, r"neuron_explorer: unknown gate 'implies'; valid names are: 'and'"),
    ({"w1": 100.0}, ValueError, r"neuron_explorer: w1 must be <= 40.0, got 100.0"),
    ({"b": "x"}, TypeError, r"neuron_explorer: b must be a real number"),
])
def test_neuron_explorer_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        widgets.neuron_explorer(**kwargs)


# ------------------------------------------------------------------------- activation explorer

@pytest.mark.parametrize("name, z, saturated", [
    ("sigmoid", 0.0, False), ("sigmoid", 5.0, True), ("tanh", -3.0, True),
    ("relu", 5.0, False), ("relu", -1.0, True), ("leaky_relu", -1.0, False),
])
def test_activation_explorer_reports_phi_and_phi_prime_at_z(name, z, saturated):
    box = widgets.activation_explorer()
    box.set_values(activation=name, z=z)
    a = act.get_activation(name)
    s = box.state
    assert s["value"] == pytest.approx(float(a.f(z)), rel=1e-15, abs=1e-300)
    assert s["derivative"] == pytest.approx(float(a.df(z)), rel=1e-15, abs=1e-300)
    assert s["saturated"] is saturated
    assert ("saturated" in box.figure.axes[0].get_title()) is saturated


def test_activation_explorer_tangent_touches_the_curve_with_slope_phi_prime():
    box = widgets.activation_explorer("tanh", z=0.7)
    (tangent,) = [ln for ln in box.figure.axes[0].lines if ln.get_label() == "tangent at z"]
    (t0, t1), (y0, y1) = tangent.get_xdata(), tangent.get_ydata()
    slope = (y1 - y0) / (t1 - t0)
    assert slope == pytest.approx(1 - math.tanh(0.7) ** 2, rel=1e-12)
    assert y0 + slope * (0.7 - t0) == pytest.approx(math.tanh(0.7), rel=1e-12)


def test_activation_explorer_bad_input():
    with pytest.raises(ValueError, match=r"activation_explorer: unknown activation 'softmax'"):
        widgets.activation_explorer("softmax")
    with pytest.raises(ValueError, match=r"activation_explorer: z must be >= -8.0, got -9.0"):
        widgets.activation_explorer(z=-9.0)


# ------------------------------------------------------------------------- learning-rate explorer

START = np.array([-4.0, 1.5])


def ravine_grad(w):   # the default surface (w1^2 + 10 w2^2) / 2
    return np.array([w[0], 10.0 * w[1]])


def test_lr_explorer_first_sgd_step_is_w_minus_lr_times_gradient():
    box = widgets.learning_rate_explorer(lr=0.05, steps=3)
    path = box.state["path"]
    assert path.shape == (4, 2)
    np.testing.assert_array_equal(path[0], START)
    # Samatova: Delta w = -gamma dE/dw; grad at (-4, 1.5) is (-4, 15)
    np.testing.assert_allclose(path[1], [-4.0 + 0.05 * 4.0, 1.5 - 0.05 * 15.0], rtol=1e-15)
    np.testing.assert_allclose(box.state["losses"], [0.5 * (p[0] ** 2 + 10 * p[1] ** 2) for p in path])
    assert box.controls["momentum"].disabled


def test_lr_explorer_nesterov_and_momentum_steps_follow_seed_000():
    box = widgets.learning_rate_explorer(lr=0.01, momentum=0.8, steps=2)
    box.controls["optimizer"].value = "Momentum"
    assert not box.controls["momentum"].disabled
    g0 = ravine_grad(START)
    dw1 = -0.01 * g0                               # Delta w_1 = -gamma g + alpha * 0
    w1 = START + dw1
    dw2 = -0.01 * ravine_grad(w1) + 0.8 * dw1      # Delta w_2 = -gamma g + alpha Delta w_1
    np.testing.assert_allclose(box.state["path"], [START, w1, w1 + dw2], rtol=1e-14)

    box.controls["optimizer"].value = "Nesterov"
    n1 = 0.01 * g0                                 # n_1 = alpha n_0 + gamma g, n_0 = 0
    w1 = START + 0.8 * 0.0 - 1.8 * n1              # Delta w = alpha n_0 - (1 + alpha) n_1
    n2 = 0.8 * n1 + 0.01 * ravine_grad(w1)
    w2 = w1 + 0.8 * n1 - 1.8 * n2
    np.testing.assert_allclose(box.state["path"], [START, w1, w2], rtol=1e-14)


def test_lr_explorer_adagrad_first_step_is_about_lr_times_sign():
    box = widgets.learning_rate_explorer(optimizer="Adagrad", lr=0.5, steps=1)
    # G_1 = g^2, so the first step is gamma g / (|g| + eps)
    np.testing.assert_allclose(box.state["path"][1], START - 0.5 * np.sign(ravine_grad(START)),
                               rtol=1e-8)


def test_lr_explorer_too_large_learning_rate_diverges():
    # gradient descent on (w1^2 + 10 w2^2) / 2 multiplies w2 by (1 - 10 gamma) per step:
    # it converges for gamma < 2/10 and diverges for gamma > 2/10 (Samatova: "gamma is too
    # high -> fails to converge")
    box = widgets.learning_rate_explorer(steps=500)
    box.controls["lr"].value = 0.19
    assert not box.state["diverged"] and box.state["losses"][-1] < 1e-6
    png = box.image.value
    box.controls["lr"].value = 0.21
    assert box.state["diverged"]
    # w2 grows by |1 - 10 * 0.21| = 1.1 per step: past |w| = 1e6 after k steps
    k = box.state["diverged_after"]
    assert 1.5 * 1.1 ** (k - 1) <= 1e6 < 1.5 * 1.1 ** k * 1.0000001
    assert f"diverged after {k} steps" in box.caption.value
    assert box.image.value != png
    texts = [t.get_text() for t in box.figure.texts + box.figure.axes[0].texts if t.get_visible()]
    assert f"diverged after {k} steps" in " ".join(texts)


def test_lr_explorer_with_a_custom_surface_and_numerical_gradient():
    f = lambda w: (w[0] - 1.0) ** 2 + (w[1] + 2.0) ** 2   # noqa: E731
    box = widgets.learning_rate_explorer(f, start=(0.0, 0.0), lr=0.1, steps=60)
    path = box.state["path"]
    # gradient (2(w1 - 1), 2(w2 + 2)) at (0, 0) is (-2, 4)
    np.testing.assert_allclose(path[1], [0.2, -0.4], rtol=1e-8)
    np.testing.assert_allclose(path[-1], [1.0, -2.0], atol=1e-5)
    # the view was fixed at the first drawing: it stays put when the settings change
    view = (box.figure.axes[0].get_xlim(), box.figure.axes[0].get_ylim())
    box.controls["lr"].value = 0.01
    assert (box.figure.axes[0].get_xlim(), box.figure.axes[0].get_ylim()) == view


def test_lr_explorer_shows_errors_of_a_callback_instead_of_losing_them():
    def f(w):
        if abs(w[0]) > 50:
            raise ValueError("f is only defined for |w1| <= 50")
        return w[0] ** 2 + w[1] ** 2
    box = widgets.learning_rate_explorer(f, start=(1.0, 1.0), lr=0.1, steps=5, bounds=((-2, 2), (-2, 2)))
    assert "error" not in box.state
    box.controls["lr"].value = 10.0     # 1 -> -19 -> 361: f is called outside its domain
    assert "f is only defined" in box.state["error"]
    assert "f is only defined" in box.caption.value


@pytest.mark.parametrize("kwargs, error, match", [
    ({"start": (1.0, 2.0, 3.0)}, ValueError, r"learning_rate_explorer: start must be a point \(w1, w2\), got shape \(3,\)"),
    ({"optimizer": "Adam"}, ValueError, r"learning_rate_explorer: unknown optimizer 'Adam'; valid names are: 'SGD'"),
    ({"lr": 0.0}, ValueError, r"learning_rate_explorer: lr must be >= 0.0001, got 0.0"),
    ({"steps": 0}, ValueError, r"learning_rate_explorer: steps must be >= 1, got 0"),
    ({"steps": 1000}, ValueError, r"learning_rate_explorer: steps must be <= 500, got 1000"),
    ({"momentum": 1.0}, ValueError, r"learning_rate_explorer: momentum must be <= 0.99, got 1.0"),
    ({"f": 3}, TypeError, r"learning_rate_explorer: f must be a function"),
])
def test_lr_explorer_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        widgets.learning_rate_explorer(**kwargs)


def test_lr_explorer_grad_of_the_wrong_shape():
    with pytest.raises(ValueError, match=r"grad\(w\) returned shape \(3,\); it must return"):
        widgets.learning_rate_explorer(lambda w: w[0] ** 2, grad=lambda w: np.zeros(3))


# ------------------------------------------------------------------------- lesson 08's explorers
# The explorers on lesson 08's bowl f(w) = 0.1 w1^2 + 2 w2^2: the drawn path is a run of the
# reference optimizer, a diverging setting says so, the picture changes in place and fast.

import warnings

import matplotlib.pyplot as plt

from backproplab import optimizers
from backproplab.network import MLP
from backproplab.surfaces import Quadratic, stability_limit
from backproplab.training import train
from backproplab.datasets import make_moons

BOWL = Quadratic([0.2, 4.0])
BOWL_START = np.array([-4.0, 1.0])


def _reference_path(name, lr, momentum, steps, f=BOWL, start=BOWL_START):
    opt = {"SGD": lambda: optimizers.SGD(lr), "Adagrad": lambda: optimizers.Adagrad(lr),
           "Momentum": lambda: optimizers.Momentum(lr, momentum=momentum),
           "Nesterov": lambda: optimizers.Nesterov(lr, momentum=momentum)}[name]()
    w, path = start.copy(), [start.copy()]
    with np.errstate(all="ignore"):
        for _ in range(steps):
            opt.step([w], [f.grad(w)])
            if not np.all(np.isfinite(w)):
                break
            path.append(w.copy())
            if np.abs(w).max() > 1e6:
                break
    return np.array(path)


@pytest.fixture(scope="module")
def bowl_box():
    return widgets.learning_rate_explorer(BOWL, start=BOWL_START, optimizer="Momentum", lr=0.1,
                                          momentum=0.5, steps=120)


@pytest.mark.parametrize("optimizer, lr, momentum", [
    ("SGD", 0.45, 0.5), ("Momentum", 0.3, 0.9), ("Momentum", 0.7, 0.5), ("Nesterov", 0.1, 0.9),
    ("Nesterov", 0.35, 0.5), ("Adagrad", 2.0, 0.5), ("Adagrad", 0.01, 0.0),
])
def test_drawn_path_is_a_run_of_the_reference_optimizer(bowl_box, optimizer, lr, momentum):
    # moved one control at a time, as a person would: the lr slider, the momentum slider, the
    # dropdown (a FloatLogSlider keeps the exact value it is set to)
    bowl_box.controls["lr"].value = lr
    bowl_box.controls["momentum"].value = momentum
    bowl_box.controls["optimizer"].value = optimizer
    expected = _reference_path(optimizer, lr, momentum, 120)
    np.testing.assert_array_equal(bowl_box.path_line.get_xydata(), expected)
    np.testing.assert_array_equal(bowl_box.state["path"], expected)
    loss_line = bowl_box.loss_axes.lines[0]
    np.testing.assert_allclose(loss_line.get_ydata(), [BOWL(w) for w in expected], rtol=1e-15)
    assert bowl_box.controls["momentum"].disabled == (optimizer in ("SGD", "Adagrad"))


@pytest.mark.parametrize("optimizer, momentum", [("SGD", 0.0), ("Momentum", 0.5), ("Momentum", 0.9),
                                                 ("Nesterov", 0.5), ("Nesterov", 0.9)])
def test_the_explorer_diverges_exactly_beyond_the_stability_limit(bowl_box, optimizer, momentum):
    # gamma * lambda_max against 2, 2(1 + alpha) and 2(1 + alpha)/(1 + 2 alpha): 3 % below the
    # limit the run converges, 3 % above it is told "diverged after k steps"
    limit = stability_limit(optimizer, momentum)
    for factor, diverges in ((0.97, False), (1.03, True)):
        lr = factor * limit / BOWL.lambda_max
        bowl_box.set_values(optimizer=optimizer, momentum=momentum, lr=lr, steps=500)
        s = bowl_box.state
        assert s["h"] == pytest.approx(factor * limit) and s["limit"] == pytest.approx(limit)
        assert s["stable"] is (not diverges) and s["diverged"] is diverges, (optimizer, momentum, factor)
        if diverges:
            k = s["diverged_after"]
            assert k == len(_reference_path(optimizer, lr, momentum, 500)) - 1
            assert f"diverged after {k} steps" in bowl_box.caption.value
            assert "unstable" in bowl_box.caption.value
        else:
            assert s["losses"][-1] < 1e-6 * s["losses"][0]
            assert "diverged" not in bowl_box.caption.value and "stable" in bowl_box.caption.value
    bowl_box.set_values(steps=120)


def test_a_diverging_setting_draws_a_picture_and_warns_nothing(bowl_box):
    bowl_box.set_values(optimizer="SGD", lr=10.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")          # an overflow warning would raise here
        bowl_box.set_values(optimizer="Momentum", momentum=0.99, lr=10.0, steps=500)
    s = bowl_box.state
    assert s["diverged"] and "error" not in s
    path = bowl_box.path_line.get_xydata()
    assert np.all(np.isfinite(path)) and len(path) == s["diverged_after"] + 1
    assert np.abs(path[-1]).max() > 1e6 and np.abs(path[-2]).max() <= 1e6
    assert bowl_box.image.value[:4] == b"\x89PNG"
    heading = " ".join(t.get_text() for t in bowl_box.figure.texts)
    assert f"diverged after {s['diverged_after']} steps" in heading
    bowl_box.set_values(optimizer="Momentum", lr=0.1, momentum=0.5, steps=120)


def test_the_picture_changes_in_place(bowl_box):
    figure, image, n_figures = bowl_box.figure, bowl_box.image, len(plt.get_fignums())
    artists = [len(ax.get_children()) for ax in figure.axes]
    seen = []
    image.observe(lambda change: seen.append(change["new"]), names="value")
    for lr in (0.2, 0.3, 0.4):
        bowl_box.controls["lr"].value = lr
    # one new PNG per move, into the same Image widget, from the same Figure; nothing new in
    # pyplot's registry and the same number of axes (nothing stacks up)
    assert len(seen) == 3 and len(set(seen)) == 3
    assert bowl_box.figure is figure and bowl_box.image is image and bowl_box.children[1] is image
    assert len(plt.get_fignums()) == n_figures and len(figure.axes) == 2
    assert [len(ax.get_children()) for ax in figure.axes] == artists


def test_the_picture_shows_what_the_state_says(bowl_box):
    # the painted PNG is the figure as drawn: re-rendering the same figure from scratch gives
    # the same pixels, so the incremental repaint left nothing stale behind
    import io
    from matplotlib.image import imread
    bowl_box.set_values(optimizer="Nesterov", lr=0.2, momentum=0.8)
    painted = imread(io.BytesIO(bowl_box.image.value))
    for artist in bowl_box.figure.findobj(lambda a: a.get_animated()):
        artist.set_animated(False)
    try:
        buf = io.BytesIO()
        bowl_box.figure.savefig(buf, format="png", dpi=bowl_box.figure.dpi)
    finally:
        bowl_box.update()   # (render marks them animated again)
    fresh = imread(io.BytesIO(buf.getvalue()))
    assert painted.shape[:2] == fresh.shape[:2]
    assert np.mean(np.abs(painted[..., :3] - fresh[..., :3]) > 0.1) < 0.002


def test_the_explorer_paints_nothing_when_the_kernel_draws_no_figures(monkeypatch):
    # as under `backproplab grade` (c.InlineBackend.figure_formats = set()): the state and the
    # artists are computed, no picture
    from traitlets.config import Config
    import IPython
    class Shell:
        config = Config({"InlineBackend": {"figure_formats": set()}})
    monkeypatch.setattr(IPython, "get_ipython", lambda: Shell())
    box = widgets.learning_rate_explorer(BOWL, start=BOWL_START, lr=0.1, steps=20)
    assert box.image.value == b""
    box.controls["lr"].value = 0.55
    np.testing.assert_array_equal(box.path_line.get_xydata(), _reference_path("SGD", 0.55, 0.0, 20))
    assert box.image.value == b""
    Shell.config = Config({"InlineBackend": {"figure_formats": {"png"}}})
    box.controls["lr"].value = 0.5
    assert box.image.value[:4] == b"\x89PNG"


def test_quadratic_caption_names_the_limit_and_the_condition_number():
    box = widgets.learning_rate_explorer(BOWL, start=BOWL_START, optimizer="Nesterov", lr=0.25,
                                         momentum=0.5, steps=10)
    assert "γ λ<sub>max</sub> = 0.25 × 4 = 1 &lt; 2(1 + α)/(1 + 2α) = 1.5: stable" in box.caption.value
    assert "κ = 20" in box.caption.value
    box.controls["optimizer"].value = "Adagrad"
    assert box.state["limit"] is None and "at most γ long" in box.caption.value


def _moons():
    X, y = make_moons(200, noise=0.2, seed=0)
    return X, y.reshape(-1, 1).astype(float)


@pytest.fixture(scope="module")
def net_box():
    return widgets.training_explorer(optimizer="Momentum", lr=0.3, momentum=0.9, epochs=60)


@pytest.mark.parametrize("optimizer, lr, momentum", [
    ("SGD", 1.0, 0.9), ("Momentum", 0.3, 0.9), ("Nesterov", 0.1, 0.5), ("Adagrad", 0.3, 0.0),
])
def test_training_explorer_draws_the_reference_training_run(net_box, optimizer, lr, momentum):
    net_box.controls["optimizer"].value = optimizer
    net_box.controls["lr"].value = lr
    net_box.controls["momentum"].value = momentum
    X, y = _moons()
    net = MLP([2, 8, 1], activations=["tanh", "sigmoid"], seed=0)
    opt = {"SGD": optimizers.SGD(lr), "Momentum": optimizers.Momentum(lr, momentum=momentum),
           "Nesterov": optimizers.Nesterov(lr, momentum=momentum), "Adagrad": optimizers.Adagrad(lr)}[optimizer]
    history = train(net, X, y, opt, loss="binary_cross_entropy", epochs=60, seed=0)
    loss_line = net_box.loss_axes.lines[0]
    np.testing.assert_array_equal(loss_line.get_ydata(), history.loss)
    np.testing.assert_array_equal(loss_line.get_xdata(), np.arange(60))
    accuracy = np.mean((net.forward(X)[:, 0] >= 0.5) == (y[:, 0] == 1.0))
    assert net_box.state["accuracy"] == accuracy
    for W, W_ref in zip(net_box.state["net"].weights, net.weights):
        np.testing.assert_array_equal(W, W_ref)
    # the shading is the trained net's output on the grid
    image = net_box.boundary_axes.images[0].get_array()
    assert 0.0 <= image.min() and image.max() <= 1.0 and image.std() > 0.1
    assert f"accuracy {100 * accuracy:.1f} %" in net_box.caption.value


def test_training_explorer_on_xor_learns_it():
    box = widgets.training_explorer(data="xor", optimizer="Momentum", lr=1.0, momentum=0.9, epochs=300)
    assert box.state["accuracy"] == 1.0 and box.state["losses"][-1] < box.state["losses"][0] / 10


def test_training_explorer_says_diverged_after_k_steps_without_warnings():
    box = widgets.training_explorer(loss="quadratic", optimizer="SGD", lr=0.3, epochs=150)
    assert not box.state["diverged"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        box.controls["lr"].value = 3.0
    s = box.state
    assert s["diverged"] and "error" not in s and s["accuracy"] is None
    X, y = _moons()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        history = train(MLP([2, 8, 1], activations=["tanh", "linear"], seed=0), X, y,
                        optimizers.SGD(3.0), loss="quadratic", epochs=150, seed=0)
    assert history.diverged and s["diverged_after"] == history.steps
    assert f"diverged after {history.steps} steps" in box.caption.value
    banner = [t.get_text() for t in box.boundary_axes.texts if t.get_visible()]
    assert banner == [f"diverged after {history.steps} steps"]
    assert box.image.value[:4] == b"\x89PNG"
    box.controls["lr"].value = 0.3      # and back: the boundary is drawn again
    assert not box.state["diverged"] and not any(t.get_visible() for t in box.boundary_axes.texts)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"data": "spirals"}, ValueError, r"training_explorer: unknown data 'spirals'; valid names are: 'moons', 'xor'"),
    ({"hidden": 100}, ValueError, r"training_explorer: hidden must be <= 64"),
    ({"lr": 100.0}, ValueError, r"training_explorer: lr must be <= 31.6"),
    ({"epochs": 5}, ValueError, r"training_explorer: epochs must be >= 10, got 5"),
    ({"loss": "mse"}, ValueError, r"training_explorer: unknown loss 'mse'"),
])
def test_training_explorer_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        widgets.training_explorer(**kwargs)
