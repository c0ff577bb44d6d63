"""A scalar computational graph and Kang's back-propagation (the grad_table algorithm).

Every arithmetic operation on a :class:`Value` creates a new node u^(i) = f^(i)(A^(i)) that
remembers its parents A^(i) and, computed right away in the forward pass, the local
derivatives du^(i)/du^(j) for each parent u^(j). Back-propagation then needs no knowledge of
the operations at all:

    grad_table[u^(n)] = 1
    for j = n-1 down to 1:
        grad_table[u^(j)] = sum over children u^(i) of u^(j):  grad_table[u^(i)] * du^(i)/du^(j)

Example (CENG 506, f = (x + y) z at x = -2, y = 5, z = -4):

    >>> x, y, z = Value(-2.0), Value(5.0), Value(-4.0)
    >>> f = (x + y) * z
    >>> f.backward()
    >>> f.data, x.grad, y.grad, z.grad
    (-12.0, -4.0, -4.0, 3.0)

Design notes (why the code looks the way it does):

* Every operation here has one or two inputs, so a node stores at most two parents in two
  slots, each next to its local derivative as a plain float. No closure and no set per node:
  a node is one small object, about a sixth of the memory of a micrograd node
  (benchmarks/bench_graph.py measures it).
* A plain number in an expression (``v + 1``, ``2 * v``) does not become a node; only its
  effect on the local derivative is stored (``2 * v`` stores d/dv = 2).
* Local derivatives are computed in the forward pass: after changing an input's ``data``,
  build the expression again before calling ``backward()``.
* Everything is iterative (explicit stacks), so a chain of a million nodes is fine.
* Overflow: ``exp`` and ``**`` raise OverflowError with a message (as Python's math module
  does) instead of returning inf; ``+ - * /`` follow float arithmetic and may give +-inf.
  Nothing here ever emits a RuntimeWarning (no NumPy in the hot path).
"""
from __future__ import annotations

import math
import numbers

__all__ = ["Value", "topological_order", "backprop", "local_gradients"]


class Value:
    """A scalar node of a computational graph: its value ``data`` and, after ``backward()``,
    the gradient ``grad`` = d root / d node.

    ``op`` names the operation that produced the node ("" for an input), ``parents`` are the
    nodes it was computed from, ``label`` is a name for drawings. Two Values are equal only if
    they are the same object, so they can be keys of the grad table.
    """

    __slots__ = ("data", "grad", "label", "op", "_parent1", "_local1", "_parent2", "_local2")

    # NumPy: send `np.float64(2) * v` and `array + v` to our reflected methods (which take the
    # scalar and refuse the array) instead of building an object array of Values.
    __array_ufunc__ = None

    def __init__(self, data, label: str = ""):
        self.data = _real(data)
        if type(label) is not str:
            raise TypeError(f"Value: label must be a str, got {type(label).__name__} {_show(label)}")
        self.label = label
        self.grad = 0.0
        self.op = ""
        self._parent1 = None
        self._local1 = None
        self._parent2 = None
        self._local2 = None

    # ---- the graph, read-only views for drawings and lessons -------------------------------

    @property
    def parents(self) -> tuple:
        """The nodes this one was computed from (empty for an input)."""
        if self._parent1 is None:
            return ()
        if self._parent2 is None:
            return (self._parent1,)
        return (self._parent1, self._parent2)

    @property
    def local_grads(self) -> tuple:
        """d self / d parent for each parent, in the order of ``parents``."""
        if self._parent1 is None:
            return ()
        if self._parent2 is None:
            return (self._local1,)
        return (self._local1, self._local2)

    def __repr__(self) -> str:
        name = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{name})"

    # ---- binary operations: forward value and local derivatives side by side ------------------

    def __add__(self, other):
        """u = a + b;  du/da = 1, du/db = 1."""
        if type(other) is Value:
            return _node(self.data + other.data, "+", self, 1.0, other, 1.0)
        return _node(self.data + _constant(other, "+"), "+", self, 1.0, None, None)

    __radd__ = __add__

    def __sub__(self, other):
        """u = a - b;  du/da = 1, du/db = -1."""
        if type(other) is Value:
            return _node(self.data - other.data, "-", self, 1.0, other, -1.0)
        return _node(self.data - _constant(other, "-"), "-", self, 1.0, None, None)

    def __rsub__(self, other):
        """u = c - a;  du/da = -1."""
        return _node(_constant(other, "-") - self.data, "-", self, -1.0, None, None)

    def __mul__(self, other):
        """u = a b;  du/da = b, du/db = a."""
        if type(other) is Value:
            return _node(self.data * other.data, "*", self, other.data, other, self.data)
        c = _constant(other, "*")
        return _node(self.data * c, "*", self, c, None, None)

    __rmul__ = __mul__

    def __truediv__(self, other):
        """u = a / b;  du/da = 1/b, du/db = -a/b^2 = -u/b."""
        if type(other) is Value:
            b = other.data
            if b == 0.0:
                raise ZeroDivisionError(f"Value.__truediv__: division by a Value equal to 0 "
                                        f"({self.data!r} / {b!r})")
            u = self.data / b
            return _node(u, "/", self, 1.0 / b, other, -u / b)
        c = _constant(other, "/")
        if c == 0.0:
            raise ZeroDivisionError(f"Value.__truediv__: division by 0 ({self.data!r} / {other!r})")
        return _node(self.data / c, "/", self, 1.0 / c, None, None)

    def __rtruediv__(self, other):
        """u = c / a;  du/da = -c/a^2 = -u/a  (c = 1 is the lectures' 1/x gate: -1/x^2)."""
        c = _constant(other, "/")
        a = self.data
        if a == 0.0:
            raise ZeroDivisionError(f"Value.__rtruediv__: division by a Value equal to 0 "
                                    f"({c!r} / {a!r})")
        u = c / a
        return _node(u, "/", self, -u / a, None, None)

    def __pow__(self, n):
        """u = a^n for a plain number n;  du/da = n a^(n-1)."""
        if type(n) is not int and type(n) is not float:
            n = _exponent(n)
        if type(n) is int and not -2**1023 < n < 2**1023:
            # float(n) would overflow inside the arithmetic below, with no message
            raise OverflowError(f"Value.__pow__: the exponent (about 10^{math.log10(abs(n)):.0f}) "
                                "is too large for float64")
        if not math.isfinite(n):
            raise ValueError(f"Value.__pow__: the exponent must be finite, got {n!r}")
        a = self.data
        try:
            u = a ** n
        except ZeroDivisionError:
            raise ZeroDivisionError(f"Value.__pow__: 0.0 ** {n!r} is a division by zero") from None
        except OverflowError:
            raise OverflowError(f"Value.__pow__: {a!r} ** {n!r} overflows float64") from None
        if type(u) is complex:
            raise ValueError(f"Value.__pow__: {a!r} ** {n!r} is not a real number "
                             "(a negative base needs an integer exponent)")
        if n == 0:
            local = 0.0                   # a^0 = 1 is constant
        elif a == 0.0:
            local = 1.0 if n == 1 else (0.0 if n > 1 else math.inf)   # 0 < n < 1: vertical tangent
        else:
            try:
                local = n * a ** (n - 1)
            except OverflowError:         # |a| < 1, n < 1: the slope is beyond float64
                local = n * u / a         # float division gives +-inf instead of raising
        return _node(u, "**", self, local, None, None)

    def __rpow__(self, base):
        raise TypeError(f"Value.__rpow__: {type(base).__name__} ** Value is not supported; "
                        "only int/float exponents are supported "
                        "(write b ** v as (v * math.log(b)).exp())")

    def __neg__(self):
        """u = -a;  du/da = -1."""
        return _node(-self.data, "neg", self, -1.0, None, None)

    # ---- unary functions ----------------------------------------------------------------------

    def exp(self):
        """u = e^a;  du/da = e^a = u."""
        try:
            u = math.exp(self.data)
        except OverflowError:
            raise OverflowError(f"Value.exp: exp({self.data!r}) overflows float64 (the largest "
                                "finite result is exp(709.78)); use .sigmoid() or .tanh(), which "
                                "are computed without overflow") from None
        return _node(u, "exp", self, u, None, None)

    def log(self):
        """u = ln a;  du/da = 1/a."""
        a = self.data
        if a <= 0.0:
            raise ValueError(f"Value.log: log is defined only for positive numbers, got {a!r}")
        return _node(math.log(a), "log", self, 1.0 / a, None, None)

    def tanh(self):
        """u = tanh a;  du/da = 1 - u^2."""
        u = math.tanh(self.data)
        return _node(u, "tanh", self, 1.0 - u * u, None, None)

    def sigmoid(self):
        """u = sigma(a) = 1 / (1 + e^{-a});  du/da = u (1 - u).

        e^{-|a|} never overflows: for a >= 0 u = 1/(1 + e^{-a}), for a < 0 u = e^a/(1 + e^a).
        """
        a = self.data
        if a >= 0.0:
            u = 1.0 / (1.0 + math.exp(-a))
        else:
            e = math.exp(a)
            u = e / (1.0 + e)
        return _node(u, "sigmoid", self, u * (1.0 - u), None, None)

    def relu(self):
        """u = max(0, a);  du/da = 1 if a > 0 else 0 (0 at a = 0, the lectures' convention)."""
        a = self.data
        if a > 0.0:
            return _node(a, "relu", self, 1.0, None, None)
        return _node(0.0, "relu", self, 0.0, None, None)

    def max(self, other):
        """u = max(a, b);  du/da = 1 if a > b, 0 if a < b, and 1/2 at a tie; du/db = 1 - du/da.

        The max gate routes the gradient to the larger input. At a tie any split summing to 1
        is a valid (sub)gradient; splitting it evenly treats both inputs alike (as PyTorch's
        maximum does). ``relu`` keeps the lectures' own convention, 0 at 0.
        """
        if type(other) is Value:
            a, b = self.data, other.data
            local = 1.0 if a > b else (0.0 if a < b else 0.5)
            return _node(a if a >= b else b, "max", self, local, other, 1.0 - local)
        c = _constant(other, "max")
        a = self.data
        local = 1.0 if a > c else (0.0 if a < c else 0.5)
        return _node(a if a >= c else c, "max", self, local, None, None)

    # ---- back-propagation ---------------------------------------------------------------------

    def backward(self) -> None:
        """Set ``node.grad = d self / d node`` for every node reachable from this one.

        The grad table is computed afresh on every call (as by :func:`backprop`), so calling
        backward twice gives the same gradients, and gradients left by an earlier backward
        on another root do not leak into this one. Nodes not reachable from ``self`` keep
        whatever ``grad`` they had.
        """
        for node, g in _grad_table(self).items():
            node.grad = g


_new_value = object.__new__


def _node(data, op, parent1, local1, parent2, local2) -> Value:
    """A node computed by the graph itself (its data is already a checked float)."""
    node = _new_value(Value)
    node.data = data
    node.grad = 0.0
    node.label = ""
    node.op = op
    node._parent1 = parent1
    node._local1 = local1
    node._parent2 = parent2
    node._local2 = local2
    return node


def topological_order(root: Value) -> list:
    """Every node reachable from ``root``, each once, parents before children (root last).

    Depth-first search with an explicit stack instead of recursion: the stack holds a path
    from the root up through parents; the node on top is emitted (and popped) once both its
    parents have been emitted.
    """
    if type(root) is not Value:
        raise TypeError(f"topological_order: root must be a Value, got {type(root).__name__}")
    order = []
    seen = {root}
    stack = [root]
    while stack:
        node = stack[-1]
        p = node._parent1
        if p is not None and p not in seen:
            seen.add(p)
            stack.append(p)
            continue
        p = node._parent2
        if p is not None and p not in seen:
            seen.add(p)
            stack.append(p)
            continue
        # In a DAG a parent already seen is already emitted: a seen but unfinished node
        # lies on the stack below us, i.e. is our descendant, and cannot be our parent.
        order.append(stack.pop())
    return order


def backprop(root: Value) -> dict:
    """The grad table {node: d root / d node} for every node reachable from ``root``.

    Kang's algorithm: grad_table[root] = 1, then for the nodes in reverse topological
    order, grad_table[u_j] = sum over children u_i of grad_table[u_i] * du_i/du_j.
    Each node stores its parents, not its children, so the sum is accumulated from the child
    side: when a child u_i is reached, its (complete) entry times du_i/du_j is added to each
    parent's entry. Every child of u_j comes after u_j in topological order, hence is
    reached before u_j going backwards: by the time u_j is reached its sum is complete.
    A node used twice (x * x, a + a) appears twice among the parents and gets both terms.
    """
    if type(root) is not Value:
        raise TypeError(f"backprop: root must be a Value, got {type(root).__name__}")
    return _grad_table(root)


def _grad_table(root: Value) -> dict:
    # backprop's body, shared with Value.backward: the checks forbid each of the two public
    # functions in lesson 03's backward_sweep and name the one a student called
    order = topological_order(root)
    grad_table = {root: 1.0}
    get = grad_table.get
    for node in reversed(order):
        parent = node._parent1
        if parent is None:          # an input: nothing to pass on
            continue
        g = grad_table[node]
        grad_table[parent] = get(parent, 0.0) + g * node._local1
        parent = node._parent2
        if parent is not None:
            grad_table[parent] = get(parent, 0.0) + g * node._local2
    return grad_table


_TWO_INPUTS = {"+": Value.__add__, "-": Value.__sub__, "*": Value.__mul__,
               "/": Value.__truediv__, "max": Value.max}
_ONE_INPUT = {"exp": Value.exp, "log": Value.log, "tanh": Value.tanh, "sigmoid": Value.sigmoid,
              "relu": Value.relu, "neg": Value.__neg__}


def local_gradients(op: str, a, b=None) -> tuple:
    """The local derivatives of one operation u = op(a, b) at the numbers a (and b).

    Two inputs ("+", "-", "*", "/", "max"): (du/da, du/db), e.g. mul swaps:
    local_gradients("*", a, b) = (b, a). One input ("exp", "log", "tanh", "sigmoid", "relu",
    "neg"): (du/da,), e.g. ("sigmoid", a) -> (s (1 - s),) with s = sigma(a). "**" takes the
    exponent n as b (a plain number, not an input): (n a^(n-1),). These are the numbers a
    :class:`Value` stores as ``local_grads`` when the operation is applied to inputs holding
    a and b, which is how they are computed here.
    """
    if type(op) is not str:
        raise TypeError(f"local_gradients: op must be a str such as '*' or 'exp', got "
                        f"{type(op).__name__} {_show(op)}")
    if op in _TWO_INPUTS or op == "**":
        if b is None:
            what = "the exponent n as b" if op == "**" else "two inputs a and b"
            raise ValueError(f"local_gradients: {op!r} needs {what}; b is None")
        if op == "**":
            return ((Value(a) ** b)._local1,)
        node = _TWO_INPUTS[op](Value(a), Value(b))
        return (node._local1, node._local2)
    if op in _ONE_INPUT:
        if b is not None:
            raise ValueError(f"local_gradients: {op!r} has one input a; got b={_show(b)} as well")
        return (_ONE_INPUT[op](Value(a))._local1,)
    known = ", ".join(repr(k) for k in (*_TWO_INPUTS, "**", *_ONE_INPUT))
    raise ValueError(f"local_gradients: unknown op {_show(op)}; known ops: {known}")


# ---- argument checks (a float takes the first, cheap branch; the rest is off the hot path) ------

def _real(x) -> float:
    """Value's data as a finite float; a clear TypeError/ValueError otherwise."""
    if type(x) is not float:
        if type(x) is Value:
            raise TypeError("Value: data is already a Value; pass v.data for a new input node")
        if hasattr(x, "shape") and hasattr(x, "dtype"):        # NumPy array or scalar
            if getattr(x, "size", 1) != 1:
                raise TypeError(f"Value: data must be a single real number, got an array of "
                                f"shape {x.shape}")
            x = x.item()
        if isinstance(x, bool) or not isinstance(x, numbers.Real):
            complex_ = isinstance(x, numbers.Complex) and not isinstance(x, numbers.Real)
            what = "complex" if complex_ else type(x).__name__
            raise TypeError(f"Value: data must be a real number (int or float), got {what} {_show(x)}")
        try:
            x = float(x)
        except OverflowError:
            raise ValueError("Value: data must be finite, got an int too large for float64") from None
    if not math.isfinite(x):
        raise ValueError(f"Value: data must be finite, got {x!r}")
    return x


def _constant(c, op: str) -> float:
    """A plain number taking part in an operation with a Value, as a finite float."""
    if type(c) is not float:
        if type(c) is not int and (isinstance(c, bool) or not isinstance(c, numbers.Real)):
            raise TypeError(f"Value {op} {type(c).__name__}: only Values and real numbers "
                            f"(int, float) can be combined with a Value, got {_show(c)}")
        try:
            c = float(c)
        except OverflowError:
            raise ValueError(f"Value {op} int: a number combined with a Value must be finite, "
                             "got an int too large for float64") from None
    if not math.isfinite(c):
        raise ValueError(f"Value {op} {c!r}: a number combined with a Value must be finite")
    return c


def _exponent(n):
    if isinstance(n, numbers.Integral) and not isinstance(n, bool):
        return int(n)
    if isinstance(n, numbers.Real) and not isinstance(n, bool):
        return float(n)
    raise TypeError(f"Value.__pow__: only int/float exponents are supported, got "
                    f"{type(n).__name__} {_show(n)}")


def _show(x) -> str:
    """repr(x) for a message; repr() itself fails on an int of more than 4300 digits."""
    try:
        text = repr(x)
    except ValueError:
        return f"<{type(x).__name__}>"
    return text if len(text) <= 200 else text[:200] + "..."
