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
    assert "diverged" in box.caption.value
    assert box.image.value != png
    assert any("diverged" in t.get_text() for t in box.figure.axes[0].get_legend().get_texts())


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
