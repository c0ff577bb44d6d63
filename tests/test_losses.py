"""backproplab.losses: hand-computed values, gradients against central differences, numerics, bad input."""
import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from backproplab import losses as L
from backproplab.activations import sigmoid, softmax
from backproplab.gradcheck import numerical_gradient

SETTINGS = settings(deadline=None, max_examples=50, derandomize=True)


shapes = hnp.array_shapes(min_dims=1, max_dims=2, min_side=1, max_side=4)


@st.composite
def regression_pair(draw):
    shape = draw(shapes)
    vals = st.floats(-5.0, 5.0, allow_nan=False)
    return (draw(hnp.arrays(np.float64, shape, elements=vals)),
            draw(hnp.arrays(np.float64, shape, elements=vals)))


@st.composite
def probability_pair(draw):
    """y_hat in [0.1, 0.9] (away from the clipping, see assert_grad) and y in [0, 1]."""
    shape = draw(shapes)
    y_hat = draw(hnp.arrays(np.float64, shape, elements=st.floats(0.1, 0.9)))
    y = draw(hnp.arrays(np.float64, shape, elements=st.floats(0.0, 1.0)))
    return y_hat, y


@st.composite
def categorical_pair(draw):
    """A softmax output (n, k) and one-hot targets."""
    n = draw(st.integers(1, 4))
    k = draw(st.integers(2, 4))
    scores = draw(hnp.arrays(np.float64, (n, k), elements=st.floats(-3.0, 3.0)))
    labels = np.array(draw(st.lists(st.integers(0, k - 1), min_size=n, max_size=n)))
    return softmax(scores), np.eye(k)[labels]


def assert_grad(loss, grad, y_hat, y):
    # Central differences are off by about h^2 |E'''| / 6 per entry. For the logarithms of the
    # cross-entropies |E'''| <= 2 / p^3 <= 2000 on p in [0.1, 0.9], i.e. 3.3e-8 at h = 1e-5:
    # hence atol 1e-7 (a wrong factor or sign in a gradient is off by O(0.1) or more).
    numeric = numerical_gradient(lambda p: loss(p, y), y_hat)
    np.testing.assert_allclose(grad(y_hat, y), numeric, rtol=1e-6, atol=1e-7)


# --- gradients against central differences -------------------------------------------------

@SETTINGS
@given(regression_pair())
def test_quadratic_grad(pair):
    assert_grad(L.quadratic, L.quadratic_grad, *pair)


@SETTINGS
@given(regression_pair())
def test_mse_grad(pair):
    assert_grad(L.mse, L.mse_grad, *pair)


@SETTINGS
@given(probability_pair())
def test_binary_cross_entropy_grad(pair):
    assert_grad(L.binary_cross_entropy, L.binary_cross_entropy_grad, *pair)


@SETTINGS
@given(probability_pair().filter(lambda pair: pair[0].ndim == 2), st.integers(0, 2 ** 31))
def test_cross_entropy_grad(pair, seed):
    # the loss as a function of every entry of y_hat independently (rows need not sum to 1
    # for the partial derivatives), with one-hot targets
    y_hat, _ = pair
    labels = np.random.default_rng(seed).integers(0, y_hat.shape[1], size=y_hat.shape[0])
    assert_grad(L.cross_entropy, L.cross_entropy_grad, y_hat, np.eye(y_hat.shape[1])[labels])


@SETTINGS
@given(categorical_pair())
def test_cross_entropy_through_softmax_is_y_hat_minus_y(pair):
    # Samatova: with softmax outputs, the output delta for cross-entropy is y_hat - y;
    # with the 1/n of the mean, dE/dz = (softmax(z) - y) / n
    s, y = pair
    z = np.log(s)  # scores whose softmax is s
    numeric = numerical_gradient(lambda v: L.cross_entropy(softmax(v), y), z)
    np.testing.assert_allclose(numeric, (s - y) / len(y), rtol=1e-6, atol=1e-9)


# --- values on small cases, by hand ----------------------------------------------------------

def test_quadratic_by_hand():
    y_hat = np.array([[1.0, 2.0], [0.0, -1.0]])
    y = np.array([[0.0, 0.0], [0.0, 1.0]])
    # sample 1: 1/2 (1^2 + 2^2) = 2.5;  sample 2: 1/2 (0^2 + (-2)^2) = 2.0;  mean = 2.25
    assert L.quadratic(y_hat, y) == 2.25
    # (y_hat - y) / n = [[1, 2], [0, -2]] / 2
    np.testing.assert_array_equal(L.quadratic_grad(y_hat, y), [[0.5, 1.0], [0.0, -1.0]])


def test_quadratic_1d_is_one_output_per_sample():
    # three samples, one output each: (1/2)(0.5^2 + 1^2 + 0^2) / 3 = (0.125 + 0.5) / 3
    assert L.quadratic([0.5, 1.0, 2.0], [0.0, 0.0, 2.0]) == pytest.approx(0.625 / 3, rel=1e-15)


def test_mse_by_hand():
    y_hat = np.array([[1.0, 2.0], [0.0, -1.0]])
    y = np.array([[0.0, 0.0], [0.0, 1.0]])
    # mean over the 4 elements of (1, 4, 0, 4) = 9/4
    assert L.mse(y_hat, y) == 2.25
    # 2 (y_hat - y) / 4
    np.testing.assert_array_equal(L.mse_grad(y_hat, y), [[0.5, 1.0], [0.0, -1.0]])
    # 1-D: (0.5^2 + 1^2) / 2 = 0.625 -- here quadratic would give half of that
    assert L.mse([0.5, 1.0], [0.0, 0.0]) == 0.625
    assert L.quadratic([0.5, 1.0], [0.0, 0.0]) == 0.3125


def test_binary_cross_entropy_by_hand():
    y_hat = np.array([0.5, 0.25, 0.75])
    y = np.array([1.0, 0.0, 1.0])
    # -(ln 0.5 + ln 0.75 + ln 0.75) / 3
    expected = -(math.log(0.5) + math.log(0.75) + math.log(0.75)) / 3
    assert L.binary_cross_entropy(y_hat, y) == pytest.approx(expected, rel=1e-14)
    # (y_hat - y) / (y_hat (1 - y_hat)) / 3: (-0.5/0.25, 0.25/0.1875, -0.25/0.1875) / 3
    np.testing.assert_allclose(L.binary_cross_entropy_grad(y_hat, y),
                               np.array([-2.0, 4 / 3, -4 / 3]) / 3, rtol=1e-14)


def test_cross_entropy_by_hand():
    y_hat = np.array([[0.5, 0.25, 0.25], [0.1, 0.1, 0.8]])
    y = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    # -(ln 0.5 + ln 0.8) / 2 = -ln(0.4) / 2
    assert L.cross_entropy(y_hat, y) == pytest.approx(-math.log(0.4) / 2, rel=1e-14)
    # -y / y_hat / 2: -1/0.5/2 = -1 and -1/0.8/2 = -0.625, zeros elsewhere
    np.testing.assert_allclose(L.cross_entropy_grad(y_hat, y),
                               [[-1.0, 0.0, 0.0], [0.0, 0.0, -0.625]], rtol=1e-15)


def test_perfect_predictions_cost_nothing():
    y = np.array([[0.0, 1.0], [1.0, 0.0]])
    assert L.quadratic(y, y) == 0.0
    assert L.mse(y, y) == 0.0
    # clipping at EPS leaves -ln(1 - 1e-12) ~ 1e-12 per entry, not exactly 0
    assert 0.0 <= L.binary_cross_entropy(y, y) < 1e-10
    assert 0.0 <= L.cross_entropy(y, y) < 1e-10


# --- the mean over samples ---------------------------------------------------------------

LOSSES = [L.quadratic, L.mse, L.binary_cross_entropy, L.cross_entropy]
GRADS = [L.quadratic_grad, L.mse_grad, L.binary_cross_entropy_grad, L.cross_entropy_grad]


@SETTINGS
@given(categorical_pair())
def test_loss_of_a_duplicated_batch_equals_the_loss_of_the_batch(pair):
    y_hat, y = pair
    y_hat2, y2 = np.vstack([y_hat, y_hat]), np.vstack([y, y])
    for loss, grad in zip(LOSSES, GRADS):
        assert loss(y_hat2, y2) == pytest.approx(loss(y_hat, y), rel=1e-12, abs=1e-15)
        # the gradient of the mean halves per row when the batch doubles
        np.testing.assert_allclose(grad(y_hat2, y2)[: len(y)], grad(y_hat, y) / 2, rtol=1e-12)


@pytest.mark.parametrize("loss", LOSSES, ids=lambda f: f.__name__)
def test_loss_is_the_mean_of_per_sample_losses(loss):
    y_hat = softmax(np.array([[0.3, -1.0, 2.0], [1.0, 1.0, 0.0], [-2.0, 0.5, 0.5]]))
    y = np.eye(3)[[2, 0, 1]]
    per_sample = [loss(y_hat[i:i + 1], y[i:i + 1]) for i in range(3)]
    assert loss(y_hat, y) == pytest.approx(np.mean(per_sample), rel=1e-13)


# --- numerics: saturated outputs are finite and silent ------------------------------------------

def test_binary_cross_entropy_at_saturated_sigmoid():
    y_hat = sigmoid(np.array([1e4, -1e4, 1e4, -1e4]))
    assert y_hat[0] == 1.0 and y_hat[1] == 0.0  # exactly 0 and 1: ln would be -inf unclipped
    y = np.array([1.0, 0.0, 0.0, 1.0])           # right, right, wrong, wrong
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value = L.binary_cross_entropy(y_hat, y)
        grad = L.binary_cross_entropy_grad(y_hat, y)
    assert np.isfinite(value) and np.all(np.isfinite(grad))
    # two confident mistakes cost -ln(EPS) each (the clip), the right answers ~0
    assert value == pytest.approx(2 * -math.log(L.EPS) / 4, rel=1e-6)
    # the gradient pushes each wrong prediction the right way
    assert grad[2] > 0 and grad[3] < 0


def test_cross_entropy_at_saturated_softmax():
    scores = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 5e3], [0.0, 0.0, 1e4]])
    y_hat = softmax(scores)
    assert np.any(y_hat == 0.0) and np.any(y_hat == 1.0)
    labels = np.array([0, 0, 2])  # right, confidently wrong, right
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value = L.cross_entropy(y_hat, labels)
        grad = L.cross_entropy_grad(y_hat, labels)
    assert np.isfinite(value) and np.all(np.isfinite(grad))
    assert value == pytest.approx(-math.log(L.EPS) / 3, rel=1e-6)


@pytest.mark.parametrize("loss", [L.binary_cross_entropy, L.binary_cross_entropy_grad,
                                  L.cross_entropy, L.cross_entropy_grad], ids=lambda f: f.__name__)
def test_cross_entropies_finite_and_silent_on_extreme_softmax(loss):
    rng = np.random.default_rng(7)
    y_hat = softmax(rng.uniform(-1e4, 1e4, size=(50, 4)))
    y = np.eye(4)[rng.integers(0, 4, size=50)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = loss(y_hat, y)
    assert np.all(np.isfinite(out))


# --- int labels and one-hot targets --------------------------------------------------------

@SETTINGS
@given(categorical_pair())
def test_int_labels_equal_one_hot(pair):
    y_hat, one_hot = pair
    labels = one_hot.argmax(axis=1)
    assert L.cross_entropy(y_hat, labels) == L.cross_entropy(y_hat, one_hot)
    np.testing.assert_array_equal(L.cross_entropy_grad(y_hat, labels), L.cross_entropy_grad(y_hat, one_hot))
    # whole-number floats are labels too
    assert L.cross_entropy(y_hat, labels.astype(float)) == L.cross_entropy(y_hat, one_hot)


# --- Samatova's cross-entropy erratum -------------------------------------------------------

def test_seed_000_cross_entropy_erratum():
    # Samatova prints CE = 1/n sum (y ln y_hat + (1 - y) ln(1 - y_hat)), without the leading
    # minus: every term is a log of a probability, so the printed value is <= 0 and
    # "minimising" it would push predictions away from the targets. Ours is its negative.
    y_hat = np.array([0.9, 0.2, 0.6, 0.3])
    y = np.array([1.0, 0.0, 0.0, 1.0])
    printed = np.mean(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat))
    assert printed < 0
    ours = L.binary_cross_entropy(y_hat, y)
    assert ours >= 0
    assert ours == pytest.approx(-printed, rel=1e-14)


# --- outputs: float, no mutation -------------------------------------------------------------

@pytest.mark.parametrize("loss,grad", list(zip(LOSSES, GRADS)), ids=lambda f: f.__name__)
def test_float_results_and_inputs_not_mutated(loss, grad):
    y_hat = np.array([[0.2, 0.8], [0.6, 0.4]])
    y = np.array([[0, 1], [1, 0]])
    y_hat0, y0 = y_hat.copy(), y.copy()
    value = loss(y_hat, y)
    g = grad(y_hat, y)
    assert type(value) is float
    assert g.dtype == np.float64 and g.shape == y_hat.shape
    np.testing.assert_array_equal(y_hat, y_hat0)
    np.testing.assert_array_equal(y, y0)


# --- bad input ------------------------------------------------------------------------------

@pytest.mark.parametrize("f", LOSSES + GRADS, ids=lambda f: f.__name__)
def test_shape_mismatch_names_both_shapes(f):
    with pytest.raises(ValueError, match=rf"^{f.__name__}: y_hat has shape \(3, 2\) but y has shape "
                                         r"\(2, 3\); they must be the same shape"):
        f(np.full((3, 2), 0.5), np.full((2, 3), 0.5))


@pytest.mark.parametrize("f", [L.quadratic, L.quadratic_grad, L.mse, L.mse_grad,
                               L.binary_cross_entropy, L.binary_cross_entropy_grad], ids=lambda f: f.__name__)
def test_column_against_vector_is_refused(f):
    # (3, 2) vs (3,): broadcasting would silently compare every output with every target
    with pytest.raises(ValueError, match=rf"^{f.__name__}: y_hat has shape \(3, 2\) but y has shape \(3,\)"):
        f(np.full((3, 2), 0.5), np.full(3, 0.5))
    with pytest.raises(ValueError, match=rf"^{f.__name__}: y_hat has shape \(3, 1\) but y has shape \(3,\)"):
        f(np.full((3, 1), 0.5), np.full(3, 0.5))


@pytest.mark.parametrize("f", LOSSES + GRADS, ids=lambda f: f.__name__)
def test_wrong_dimensions_and_empty(f):
    with pytest.raises(ValueError, match=rf"^{f.__name__}: y_hat must be 1-D or 2-D, got shape \(\)"):
        f(0.5, 0.5)
    with pytest.raises(ValueError, match=rf"^{f.__name__}: y_hat must be 1-D or 2-D, got shape \(1, 2, 2\)"):
        f(np.full((1, 2, 2), 0.5), np.full((1, 2, 2), 0.5))
    with pytest.raises(ValueError, match=rf"^{f.__name__}: y_hat and y are empty \(shape \(0, 2\)\); "
                                         "a loss needs at least one sample"):
        f(np.zeros((0, 2)), np.zeros((0, 2)))


@pytest.mark.parametrize("f", LOSSES + GRADS, ids=lambda f: f.__name__)
def test_non_numbers_are_type_errors(f):
    with pytest.raises(TypeError, match=rf"^{f.__name__}: y_hat must be a number or an array of numbers, "
                                        "got str"):
        f("0.5", [1.0])
    with pytest.raises(TypeError, match=rf"^{f.__name__}: y must be a number or an array of numbers, "
                                        "got NoneType"):
        f(np.full((2, 2), 0.5), None)


@pytest.mark.parametrize("f", [L.cross_entropy, L.cross_entropy_grad], ids=lambda f: f.__name__)
def test_bad_labels(f):
    y_hat = np.full((3, 2), 0.5)
    with pytest.raises(ValueError, match=rf"^{f.__name__}: y has 2 labels \(shape \(2,\)\) but y_hat has 3 rows "
                                         r"\(shape \(3, 2\)\)"):
        f(y_hat, np.array([0, 1]))
    with pytest.raises(ValueError, match=rf"^{f.__name__}: class labels must be in 0..1 for y_hat with 2 "
                                         "columns, got labels from 0 to 2"):
        f(y_hat, np.array([0, 2, 1]))
    with pytest.raises(ValueError, match=rf"^{f.__name__}: class labels must be in 0..1 for y_hat with 2 "
                                         "columns, got labels from -1 to 1"):
        f(y_hat, np.array([-1, 0, 1]))
    for bad in (np.array([0.0, 0.5, 1.0]), np.array([0.0, np.nan, 1.0]), np.array(["a", "b", "c"])):
        with pytest.raises(ValueError, match=rf"^{f.__name__}: y of shape \(3,\) must hold integer class labels "
                                             r"0..1, or be one-hot of shape \(3, 2\)"):
            f(y_hat, bad)


# --- get_loss ---------------------------------------------------------------------------

@pytest.mark.parametrize("name,pair", [("quadratic", (L.quadratic, L.quadratic_grad)),
                                       ("mse", (L.mse, L.mse_grad)),
                                       ("binary_cross_entropy", (L.binary_cross_entropy,
                                                                 L.binary_cross_entropy_grad)),
                                       ("cross_entropy", (L.cross_entropy, L.cross_entropy_grad))])
def test_get_loss(name, pair):
    assert L.get_loss(name) == pair
    assert name in L.NAMES


def test_names_are_the_contract_names():
    assert set(L.NAMES) == {"quadratic", "mse", "binary_cross_entropy", "cross_entropy"}


@pytest.mark.parametrize("bad", ["MSE", "crossentropy", None])
def test_get_loss_unknown_name_lists_valid_names(bad):
    with pytest.raises(ValueError, match=rf"^get_loss: unknown loss {bad!r}; valid names are: 'quadratic', "
                                         "'mse', 'binary_cross_entropy', 'cross_entropy'$"):
        L.get_loss(bad)
