"""backproplab.graph: the lectures' worked examples, every op against central differences,
the grad_table algorithm on random graphs, fresh tables, a 1e6-node chain, bad input."""
import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backproplab.gradcheck import numerical_gradient, relative_error
from backproplab.graph import Value, backprop, local_gradients, topological_order

SETTINGS = settings(deadline=None, max_examples=50, derandomize=True)


def sigma(t):
    return 1.0 / (1.0 + math.exp(-t))


# --- CENG 506: f = (x + y) z ------------------------------------------------------------------

def test_seed003_sum_times_z():
    x, y, z = Value(-2.0, "x"), Value(5.0, "y"), Value(-4.0, "z")
    q = x + y
    f = q * z
    f.backward()
    assert (q.data, f.data) == (3.0, -12.0)
    # df/dq = z, df/dz = q; df/dx = df/dq dq/dx = z * 1, same for y
    assert q.grad == -4.0
    assert (x.grad, y.grad, z.grad) == (-4.0, -4.0, 3.0)


# --- CENG 506 / CS231n: the sigmoid neuron -------------------------------------------------------

def _neuron_inputs():
    return [Value(v, name) for v, name in ((2.0, "w0"), (-1.0, "x0"), (-3.0, "w1"), (-2.0, "x1"),
                                           (-3.0, "w2"))]


def _neuron_from_primitives():
    """1 / (1 + exp(-(w0 x0 + w1 x1 + w2))) gate by gate, as drawn on the slide.

    Some of CENG 506's slides write the last term as w2 x2; the worked numbers (w2 = -3.00,
    f = 0.73) treat w2 as a bias (x2 = 1), as here."""
    w0, x0, w1, x1, w2 = leaves = _neuron_inputs()
    s = w0 * x0 + w1 * x1 + w2
    neg = -s
    e = neg.exp()
    d = 1 + e
    f = 1 / d
    return f, leaves, {"s": s, "neg": neg, "e": e, "d": d}


def test_seed003_sigmoid_neuron_value():
    f, _, _ = _neuron_from_primitives()
    f.backward()
    assert round(f.data, 2) == 0.73                  # as printed on the slide
    assert f.data == pytest.approx(1.0 / (1.0 + math.exp(-1.0)), rel=1e-15)   # w.x + w2 = 1


def test_seed003_sigmoid_neuron_gradients_as_printed():
    f, (w0, x0, w1, x1, w2), _ = _neuron_from_primitives()
    f.backward()
    printed = {"w0": -0.20, "x0": 0.39, "w1": -0.39, "x1": -0.59, "w2": 0.20}
    for v in (w0, x0, w1, x1, w2):
        assert round(v.grad, 2) == printed[v.label], v.label


def test_seed003_sigmoid_neuron_gradients_exact():
    # df/ds = sigma(1)(1 - sigma(1)) at s = 1; then ds/dw0 = x0, ds/dx0 = w0, ..., ds/dw2 = 1
    f, (w0, x0, w1, x1, w2), _ = _neuron_from_primitives()
    f.backward()
    ds = sigma(1.0) * (1.0 - sigma(1.0))
    expected = {w0: -1.0 * ds, x0: 2.0 * ds, w1: -2.0 * ds, x1: -3.0 * ds, w2: ds}
    for v, g in expected.items():
        assert v.grad == pytest.approx(g, rel=1e-14), v.label


def test_seed003_exp_gate_step():
    """The slide's step at the exp gate: (e^{-1})(-0.53) = -0.20."""
    f, _, n = _neuron_from_primitives()
    table = backprop(f)
    upstream = table[n["e"]]                      # d f / d e = -1/d^2, printed as -0.53
    assert round(upstream, 2) == -0.53
    assert upstream == pytest.approx(-1.0 / (1.0 + math.exp(-1.0)) ** 2, rel=1e-14)
    assert n["e"].local_grads == (math.exp(-1.0),)    # local gradient of exp at -1: e^{-1}
    assert table[n["neg"]] == pytest.approx(math.exp(-1.0) * upstream, rel=1e-15)
    assert round(table[n["neg"]], 2) == -0.20


def test_sigmoid_gate_gives_the_same_gradients_as_primitives():
    f1, leaves1, _ = _neuron_from_primitives()
    w0, x0, w1, x1, w2 = leaves2 = _neuron_inputs()
    f2 = (w0 * x0 + w1 * x1 + w2).sigmoid()
    f1.backward()
    f2.backward()
    assert f2.data == pytest.approx(f1.data, rel=1e-15)
    for a, b in zip(leaves1, leaves2):
        assert b.grad == pytest.approx(a.grad, rel=1e-14), a.label
    # one sigmoid gate replaces four (*-1, exp, +1, 1/x)
    assert len(topological_order(f2)) == len(topological_order(f1)) - 3


# --- Kang: repeated subexpressions -----------------------------------------------------------

def test_seed001_repeated_subexpression():
    """v -> w -> {x, y} -> z: dz/dw = dy/dw dz/dy + dx/dw dz/dx, dz/dv = dw/dv dz/dw."""
    v = Value(0.3, "v")
    w = v * 2.0
    x = w.tanh()
    y = w.sigmoid()
    z = x * y
    table = backprop(z)
    dz_dx, dz_dy = y.data, x.data
    dx_dw, dy_dw = 1.0 - x.data ** 2, y.data * (1.0 - y.data)
    assert table[x] == dz_dx and table[y] == dz_dy          # computed once, reused below
    assert table[w] == pytest.approx(dy_dw * dz_dy + dx_dw * dz_dx, rel=1e-15)
    assert table[v] == pytest.approx(2.0 * table[w], rel=1e-15)
    grad = numerical_gradient(lambda a: math.tanh(2 * a[0]) * sigma(2 * a[0]), np.array([0.3]))
    assert relative_error(table[v], grad[0]) < 1e-8


def test_a_plus_a_twice_gives_four():
    a = Value(1.0)
    b = a + a
    c = b + b
    c.backward()
    assert (a.grad, b.grad, c.grad) == (4.0, 2.0, 1.0)
    assert topological_order(c) == [a, b, c]


def test_x_times_x():
    x = Value(3.0)
    y = x * x
    y.backward()
    assert x.grad == 6.0


def test_one_value_used_in_many_places():
    x = Value(0.5)
    f = x * x * x + 3 * x - x / 2 + x.exp() * x      # d/dx = 3x^2 + 3 - 1/2 + e^x (1 + x)
    f.backward()
    assert x.grad == pytest.approx(3 * 0.25 + 2.5 + math.exp(0.5) * 1.5, rel=1e-14)


# --- every operation: forward against math, gradient against central differences ------------------

def agrees(analytic, numeric):
    """CS231n's relative error below 1e-7 -- or, for a derivative that is (nearly) 0, where a
    relative error is meaningless, an absolute difference below 1e-9: the central difference
    itself is off by its truncation error h^2 f^(3)/6 (1e-10 for a^3 at h = 1e-5)."""
    analytic, numeric = np.asarray(analytic, float), np.asarray(numeric, float)
    diff = np.abs(analytic - numeric)
    scale = np.maximum(1e-8, np.abs(analytic) + np.abs(numeric))
    return bool(np.all((diff < 1e-9) | (diff / scale < 1e-7)))


def floats(lo, hi):
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


NONZERO = floats(-3.0, 3.0).filter(lambda t: abs(t) > 0.5)
ANY = floats(-3.0, 3.0)

# name: (function of two Values / numbers, the same on floats, strategy for a, for b)
BINARY = {
    "a + b": (lambda a, b: a + b, lambda a, b: a + b, ANY, ANY),
    "a - b": (lambda a, b: a - b, lambda a, b: a - b, ANY, ANY),
    "a * b": (lambda a, b: a * b, lambda a, b: a * b, ANY, ANY),
    "a / b": (lambda a, b: a / b, lambda a, b: a / b, ANY, NONZERO),
}
# name: (function of one Value, the same on floats, its derivative by hand, strategy)
UNARY = {
    "-a": (lambda a: -a, lambda a: -a, lambda a: -1.0, ANY),
    "a + 2.5": (lambda a: a + 2.5, lambda a: a + 2.5, lambda a: 1.0, ANY),
    "2.5 + a": (lambda a: 2.5 + a, lambda a: 2.5 + a, lambda a: 1.0, ANY),
    "a - 2.5": (lambda a: a - 2.5, lambda a: a - 2.5, lambda a: 1.0, ANY),
    "2.5 - a": (lambda a: 2.5 - a, lambda a: 2.5 - a, lambda a: -1.0, ANY),
    "a * -1.5": (lambda a: a * -1.5, lambda a: a * -1.5, lambda a: -1.5, ANY),
    "3 * a": (lambda a: 3 * a, lambda a: 3 * a, lambda a: 3.0, ANY),
    "a / 4": (lambda a: a / 4, lambda a: a / 4, lambda a: 0.25, ANY),
    "1 / a": (lambda a: 1 / a, lambda a: 1 / a, lambda a: -1 / a ** 2, NONZERO),
    "-2 / a": (lambda a: -2 / a, lambda a: -2 / a, lambda a: 2 / a ** 2, NONZERO),
    "a ** 2": (lambda a: a ** 2, lambda a: a ** 2, lambda a: 2 * a, ANY),
    "a ** 3": (lambda a: a ** 3, lambda a: a ** 3, lambda a: 3 * a ** 2, ANY),
    "a ** -1": (lambda a: a ** -1, lambda a: a ** -1, lambda a: -(a ** -2), NONZERO),
    "a ** 0.5": (lambda a: a ** 0.5, lambda a: a ** 0.5, lambda a: 0.5 * a ** -0.5, floats(0.1, 5.0)),
    "a ** -1.5": (lambda a: a ** -1.5, lambda a: a ** -1.5, lambda a: -1.5 * a ** -2.5,
                  floats(0.1, 5.0)),
    "exp": (lambda a: a.exp(), math.exp, math.exp, floats(-5.0, 5.0)),
    "log": (lambda a: a.log(), math.log, lambda a: 1 / a, floats(0.1, 10.0)),
    "tanh": (lambda a: a.tanh(), math.tanh, lambda a: 1 - math.tanh(a) ** 2, floats(-5.0, 5.0)),
    "sigmoid": (lambda a: a.sigmoid(), sigma, lambda a: sigma(a) * (1 - sigma(a)),
                floats(-10.0, 10.0)),
    # central differences are wrong across the kink: keep 1e-3 away from 0
    "relu": (lambda a: a.relu(), lambda a: max(0.0, a), lambda a: float(a > 0),
             ANY.filter(lambda t: abs(t) > 1e-3)),
}


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_op_against_central_differences(name):
    op, op_float, sa, sb = BINARY[name]

    @SETTINGS
    @given(sa, sb)
    def check(a0, b0):
        a, b = Value(a0), Value(b0)
        out = op(a, b)
        out.backward()
        assert out.data == pytest.approx(op_float(a0, b0), rel=1e-15, abs=1e-300)
        num = numerical_gradient(lambda p: op_float(p[0], p[1]), np.array([a0, b0]))
        assert agrees([a.grad, b.grad], num)

    check()


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_op_against_central_differences(name):
    op, op_float, derivative, sa = UNARY[name]

    @SETTINGS
    @given(sa)
    def check(a0):
        a = Value(a0)
        out = op(a)
        out.backward()
        assert type(out.data) is float
        assert out.data == pytest.approx(op_float(a0), rel=1e-15, abs=1e-300)
        num = numerical_gradient(lambda p: op_float(p[0]), np.array([a0]))
        assert agrees(a.grad, num[0])
        assert a.grad == pytest.approx(derivative(a0), rel=1e-14, abs=1e-300)

    check()


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_op_with_a_number_matches_op_with_a_value(name):
    """v op 2.5 and 2.5 op v (no node for the number) agree with Value(2.5) as an input."""
    op = BINARY[name][0]
    for a0 in (-1.7, 0.6, 2.25):
        for left in (True, False):
            a, c = Value(a0), Value(2.5)
            with_value = op(a, c) if left else op(c, a)
            b = Value(a0)
            with_number = op(b, 2.5) if left else op(2.5, b)
            with_value.backward()
            with_number.backward()
            assert with_number.data == with_value.data
            assert b.grad == pytest.approx(a.grad, rel=1e-15)
            assert len(topological_order(with_number)) == 2


# --- the max gate: routes the gradient to the larger input ------------------------------------------

@SETTINGS
@given(ANY, ANY)
def test_max_routes_the_gradient_to_the_larger_input(a0, b0):
    if abs(a0 - b0) < 1e-3:          # central differences are wrong across the kink
        return
    a, b = Value(a0), Value(b0)
    out = a.max(b)
    out.backward()
    assert out.data == max(a0, b0)
    assert (a.grad, b.grad) == ((1.0, 0.0) if a0 > b0 else (0.0, 1.0))
    num = numerical_gradient(lambda p: max(p[0], p[1]), np.array([a0, b0]))
    assert agrees([a.grad, b.grad], num)


def test_max_splits_a_tie_evenly():
    a, b = Value(1.5), Value(1.5)
    out = a.max(b)
    out.backward()
    assert (out.data, a.grad, b.grad) == (1.5, 0.5, 0.5)
    x = Value(2.0)
    same = x.max(x)                   # one node used twice: 1/2 + 1/2
    same.backward()
    assert x.grad == 1.0


@pytest.mark.parametrize("a0, c, value, grad", [(3.0, 1.0, 3.0, 1.0), (-3.0, 1.0, 1.0, 0.0),
                                                (0.0, 0.0, 0.0, 0.5), (-2.5, -2.5, -2.5, 0.5)])
def test_max_with_a_number(a0, c, value, grad):
    a = Value(a0)
    out = a.max(c)
    out.backward()
    assert (out.data, a.grad, out.op, len(out.parents)) == (value, grad, "max", 1)


def test_max_refuses_what_is_not_a_number():
    with pytest.raises(TypeError, match="Value max str"):
        Value(1.0).max("2")


# --- local_gradients: the table of local derivatives --------------------------------------------------

LOCAL_OPS = {
    "+": (lambda a, b: a + b, ANY, ANY), "-": (lambda a, b: a - b, ANY, ANY),
    "*": (lambda a, b: a * b, ANY, ANY), "/": (lambda a, b: a / b, ANY, NONZERO),
    "max": (lambda a, b: max(a, b), ANY, ANY),
    "exp": (math.exp, floats(-5.0, 5.0), None), "log": (math.log, floats(0.1, 10.0), None),
    "tanh": (math.tanh, floats(-5.0, 5.0), None), "sigmoid": (sigma, floats(-10.0, 10.0), None),
    "relu": (lambda a: max(0.0, a), ANY, None), "neg": (lambda a: -a, ANY, None),
}


@pytest.mark.parametrize("op", sorted(LOCAL_OPS))
def test_local_gradients_against_central_differences(op):
    fn, sa, sb = LOCAL_OPS[op]

    @SETTINGS
    @given(sa, sb if sb is not None else st.none())
    def check(a0, b0):
        if op in ("max", "relu") and abs(a0 - (b0 if b0 is not None else 0.0)) < 1e-3:
            return                    # the kink
        got = local_gradients(op, a0) if b0 is None else local_gradients(op, a0, b0)
        assert type(got) is tuple and len(got) == (1 if b0 is None else 2)
        point = np.array([a0] if b0 is None else [a0, b0])
        num = numerical_gradient(lambda p: fn(*p), point)
        assert agrees(list(got), num)

    check()


@SETTINGS
@given(floats(0.2, 3.0), st.sampled_from([2.0, 3.0, -1.0, 0.5, -2.0, 1.0, 0.0]))
def test_local_gradients_of_a_power(a0, n):
    (got,) = local_gradients("**", a0, n)
    assert got == pytest.approx(n * a0 ** (n - 1), rel=1e-14)


def test_local_gradients_are_what_a_value_stores():
    a, b = Value(0.7), Value(-1.3)
    for op, node in (("+", a + b), ("*", a * b), ("max", a.max(b)), ("-", a - b), ("/", a / b)):
        assert local_gradients(op, 0.7, -1.3) == node.local_grads
    for op in ("exp", "tanh", "sigmoid", "relu"):
        assert local_gradients(op, 0.7) == getattr(a, op)().local_grads
    assert local_gradients("**", 0.7, 3) == (a ** 3).local_grads
    # the lectures' gates: mul swaps, the 1/x gate at 1.37 gives -0.53, the sigmoid at 1 gives 0.20
    assert local_gradients("*", 3.0, -4.0) == (-4.0, 3.0)
    assert round(local_gradients("**", 1 + math.exp(-1), -1)[0], 2) == -0.53
    assert round(local_gradients("sigmoid", 1.0)[0], 2) == 0.20


@pytest.mark.parametrize("args, error, words", [
    (("*", 1.0), ValueError, "'\\*' needs two inputs a and b; b is None"),
    (("**", 2.0), ValueError, "needs the exponent n as b"),
    (("exp", 1.0, 2.0), ValueError, "'exp' has one input a; got b=2.0 as well"),
    (("sqrt", 1.0), ValueError, "unknown op 'sqrt'; known ops: '\\+'"),
    ((3, 1.0), TypeError, "op must be a str"),
    (("+", "1", 2.0), TypeError, "data must be a real number"),
])
def test_local_gradients_bad_input(args, error, words):
    with pytest.raises(error, match=words):
        local_gradients(*args)


def test_relu_derivative_is_zero_at_zero():
    a = Value(0.0)
    out = a.relu()
    out.backward()
    assert (out.data, a.grad) == (0.0, 0.0)


def test_sigmoid_and_tanh_are_finite_and_silent_for_large_inputs():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for z in (-1e4, -800.0, 800.0, 1e4):
            a, b = Value(z), Value(z)
            s, t = a.sigmoid(), b.tanh()
            s.backward()
            t.backward()
            assert s.data == (1.0 if z > 0 else 0.0) and t.data == math.copysign(1.0, z)
            assert a.grad == 0.0 and b.grad == 0.0


def test_power_edge_cases():
    zero = Value(0.0)
    (zero ** 0).backward()
    assert zero.grad == 0.0                          # 0^0 = 1 is a constant
    (zero ** 2).backward()
    assert zero.grad == 0.0
    (zero ** 1).backward()
    assert zero.grad == 1.0
    (zero ** 0.5).backward()
    assert zero.grad == math.inf                     # vertical tangent of sqrt at 0
    neg = Value(-2.0)
    out = neg ** 3
    out.backward()
    assert (out.data, neg.grad) == (-8.0, 12.0)


# --- the graph structure, for drawings -------------------------------------------------------------

def test_nodes_record_op_parents_and_local_gradients():
    x, y = Value(2.0, "x"), Value(3.0, "y")
    assert (x.op, x.parents, x.local_grads, x.label) == ("", (), (), "x")
    p = x * y
    assert (p.op, p.parents, p.local_grads, p.label) == ("*", (x, y), (3.0, 2.0), "")
    q = 2 * x
    assert (q.op, q.parents, q.local_grads) == ("*", (x,), (2.0,))
    ops = [(x + y).op, (x - y).op, (x / y).op, (-x).op, (x ** 2).op, x.exp().op, x.log().op,
           x.tanh().op, x.sigmoid().op, x.relu().op]
    assert ops == ["+", "-", "/", "neg", "**", "exp", "log", "tanh", "sigmoid", "relu"]
    assert "x" in repr(x) and "2.0" in repr(x)


def test_values_are_hashed_by_identity():
    a, b = Value(1.0), Value(1.0)
    assert a != b and a == a
    assert len({a: 1, b: 2}) == 2
    assert hash(a) == hash(a)


def test_data_is_float64_even_from_ints_and_numpy():
    for data in (3, np.int64(3), np.float32(3.0), np.array(3.0), np.array([3.0]), np.float64(3.0)):
        v = Value(data)
        assert type(v.data) is float and v.data == 3.0
    assert type((Value(2) + 1).data) is float and type((Value(2) ** 2).data) is float


def test_numpy_scalars_work_as_numbers():
    v = Value(1.5)
    for c in (np.float64(2.0), np.int64(2)):
        for out in (c * v, v * c, c + v, v - c, c / v):
            assert isinstance(out, Value)


# --- random graphs: the grad_table algorithm and topological order ---------------------------------

@st.composite
def programs(draw):
    """A random DAG: leaves, then nodes built from earlier nodes (reuse is likely)."""
    n_leaves = draw(st.integers(1, 4))
    leaves = draw(st.lists(floats(-1.0, 1.0), min_size=n_leaves, max_size=n_leaves))
    steps = draw(st.lists(st.tuples(st.sampled_from(["+", "-", "*", "tanh", "sigmoid", "*c", "c-"]),
                                    st.integers(0, 10 ** 6), st.integers(0, 10 ** 6)),
                          min_size=1, max_size=15))
    return leaves, steps


def run_program(leaves, steps):
    """Build the graph; every binary result is squashed by tanh so values stay bounded."""
    nodes = [Value(v) for v in leaves]
    for op, i, j in steps:
        a, b = nodes[i % len(nodes)], nodes[j % len(nodes)]
        if op == "+":
            out = (a + b).tanh()
        elif op == "-":
            out = (a - b).tanh()
        elif op == "*":
            out = (a * b).tanh()
        elif op == "tanh":
            out = a.tanh()
        elif op == "sigmoid":
            out = a.sigmoid()
        elif op == "*c":
            out = a * 0.75
        else:
            out = 0.5 - a
        nodes.append(out)
    return nodes


def reachable(root):
    """Nodes reachable from root, by a plain traversal (independent of topological_order)."""
    found, todo = {root}, [root]
    while todo:
        for p in todo.pop().parents:
            if p not in found:
                found.add(p)
                todo.append(p)
    return found


@SETTINGS
@given(programs())
def test_topological_order_parents_before_children(program):
    nodes = run_program(*program)
    root = nodes[-1]
    order = topological_order(root)
    assert len(order) == len(set(order))                     # each node once
    assert set(order) == reachable(root)
    assert order[-1] is root
    position = {node: k for k, node in enumerate(order)}
    for node in order:
        for p in node.parents:
            assert position[p] < position[node]


@SETTINGS
@given(programs())
def test_backprop_on_random_graphs_against_central_differences(program):
    leaves, steps = program
    nodes = run_program(leaves, steps)
    table = backprop(nodes[-1])
    assert set(table) == reachable(nodes[-1]) and table[nodes[-1]] == 1.0
    num = numerical_gradient(lambda x: run_program(list(x), steps)[-1].data, np.array(leaves))
    ours = [table.get(leaf, 0.0) for leaf in nodes[:len(leaves)]]   # unreachable leaf: 0
    # agrees(), not relative_error() alone: x - x gives an exact 0 whose central difference
    # is rounding noise (3e-11), a relative error of 1 by CS231n's formula
    assert agrees(ours, num), (ours, num, relative_error(ours, num))


@SETTINGS
@given(programs())
def test_backward_writes_the_grad_table(program):
    nodes = run_program(*program)
    root = nodes[-1]
    table = backprop(root)
    root.backward()
    for node, g in table.items():
        assert node.grad == g


# --- a fresh table on every call -------------------------------------------------------------------

def test_backward_twice_gives_the_same_grads():
    x, y = Value(1.5), Value(-0.5)
    f = (x * y + x).tanh()
    f.backward()
    first = (x.grad, y.grad, f.grad)
    f.backward()
    assert (x.grad, y.grad, f.grad) == first


def test_no_leak_from_an_earlier_backward_on_another_root():
    x = Value(2.0)
    b = x + 1.0                     # shared by both roots
    only_first = b * b
    first = only_first * 10.0
    second = b * 5.0
    first.backward()
    assert (b.grad, x.grad) == (60.0, 60.0)
    second.backward()
    assert (b.grad, x.grad, second.grad) == (5.0, 5.0, 1.0)     # not 65
    table = backprop(second)
    assert only_first not in table and first not in table
    # nodes second does not reach keep the grads of the earlier backward
    assert (only_first.grad, first.grad) == (10.0, 1.0)


def test_backward_of_an_input_is_one():
    x = Value(4.0)
    x.backward()
    assert x.grad == 1.0 and backprop(x) == {x: 1.0}


def test_backprop_does_not_touch_grad():
    x = Value(2.0)
    y = x * 3
    backprop(y)
    assert (x.grad, y.grad) == (0.0, 0.0)


# --- deep graphs ------------------------------------------------------------------------------------

def test_chain_of_a_million_nodes():
    n = 1_000_000
    x = Value(0.0)
    v = x
    for _ in range(n):
        v = v + 1.0
    v.backward()                      # iterative: no RecursionError
    assert v.data == n and x.grad == 1.0
    order = topological_order(v)
    assert len(order) == n + 1 and order[0] is x and order[-1] is v


def test_deep_chain_multiplies_local_gradients():
    # v_k = 0.5 v_{k-1}: dv_n/dx = 0.5^n, exact in floating point (powers of two)
    x = Value(1.0)
    v = x
    for _ in range(1000):
        v = 0.5 * v
    table = backprop(v)
    assert x.grad == 0.0 and table[x] == 2.0 ** -1000


# --- bad input ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("data, kind", [("abc", "str"), (None, "NoneType"), ([1.0], "list"),
                                        (1 + 2j, "complex"), (np.complex128(1.0), "complex"),
                                        (True, "bool")])
def test_value_refuses_non_real_data(data, kind):
    with pytest.raises(TypeError, match=rf"Value: data must be a real number .*got {kind}"):
        Value(data)


def test_value_refuses_arrays_of_several_numbers():
    with pytest.raises(TypeError, match=r"Value: data must be a single real number, "
                                        r"got an array of shape \(2,\)"):
        Value(np.array([1.0, 2.0]))


def test_value_refuses_non_finite_data():
    for bad in (math.nan, math.inf, -math.inf):
        with pytest.raises(ValueError, match=r"Value: data must be finite, got"):
            Value(bad)


def test_value_refuses_a_value_and_a_non_string_label():
    with pytest.raises(TypeError, match="Value: data is already a Value; pass v.data"):
        Value(Value(1.0))
    with pytest.raises(TypeError, match="Value: label must be a str, got int 3"):
        Value(1.0, 3)


@pytest.mark.parametrize("exponent", [Value(2.0), "2", None, True])
def test_power_needs_an_int_or_float_exponent(exponent):
    with pytest.raises(TypeError, match="Value.__pow__: only int/float exponents are supported"):
        Value(2.0) ** exponent


def test_number_to_the_power_of_a_value_is_refused():
    with pytest.raises(TypeError, match="only int/float exponents are supported"):
        2 ** Value(2.0)


def test_power_domain_errors():
    with pytest.raises(ValueError, match=r"Value.__pow__: -8.0 \*\* 0.5 is not a real number"):
        Value(-8.0) ** 0.5
    with pytest.raises(ZeroDivisionError, match=r"Value.__pow__: 0.0 \*\* -1"):
        Value(0.0) ** -1
    with pytest.raises(OverflowError, match=r"Value.__pow__: 1e\+200 \*\* 2 overflows float64"):
        Value(1e200) ** 2
    with pytest.raises(ValueError, match=r"Value.__pow__: the exponent must be finite, got nan"):
        Value(2.0) ** math.nan


def test_log_of_a_non_positive_number():
    for bad in (0.0, -1.5):
        with pytest.raises(ValueError,
                           match=rf"Value.log: log is defined only for positive numbers, got {bad}"):
            Value(bad).log()


def test_division_by_zero():
    with pytest.raises(ZeroDivisionError,
                       match=r"Value.__truediv__: division by a Value equal to 0 \(1.0 / 0.0\)"):
        Value(1.0) / Value(0.0)
    with pytest.raises(ZeroDivisionError, match=r"Value.__truediv__: division by 0"):
        Value(1.0) / 0
    with pytest.raises(ZeroDivisionError, match=r"Value.__rtruediv__: division by a Value equal to 0"):
        1 / Value(0.0)


def test_exp_overflow_is_a_clear_error_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(OverflowError, match=r"Value.exp: exp\(710.0\) overflows float64"):
            Value(710.0).exp()
        assert Value(709.0).exp().data == pytest.approx(math.exp(709.0))


@pytest.mark.parametrize("other, kind", [("a", "str"), (None, "NoneType"), ([1.0], "list"),
                                         (np.array([1.0, 2.0]), "ndarray"), (1j, "complex")])
def test_ops_refuse_non_numbers(other, kind):
    v = Value(1.0)
    for op in (lambda: v + other, lambda: v * other, lambda: v - other, lambda: v / other):
        with pytest.raises(TypeError, match=rf"Value . {kind}: only Values and real numbers"):
            op()


def test_ops_refuse_non_finite_numbers():
    with pytest.raises(ValueError,
                       match=r"Value \+ nan: a number combined with a Value must be finite"):
        Value(1.0) + math.nan
    with pytest.raises(ValueError, match="must be finite"):
        math.inf * Value(1.0)


def test_graph_functions_need_a_value():
    with pytest.raises(TypeError, match="topological_order: root must be a Value, got float"):
        topological_order(1.0)
    with pytest.raises(TypeError, match="backprop: root must be a Value, got str"):
        backprop("f")
