"""Quadratic loss surfaces and what gradient descent does on them (lesson 08).

Near a minimum every smooth loss looks like a quadratic bowl, f(w) = 1/2 (w - c)^T H (w - c),
and on a bowl the optimizers of Samatova's "Tuning NN" part can be analysed exactly: along
each eigenvector of the Hessian H (eigenvalue lambda) a step multiplies the distance to the
minimum by a fixed factor that depends only on h = gamma * lambda (gamma the learning rate)
and the momentum alpha:

    plain gradient descent   x_{t+1} = (1 - h) x_t                      converges iff 0 < h < 2
    heavy-ball momentum      x_{t+1} = (1 + alpha - h) x_t - alpha x_{t-1}
                             converges iff 0 < h < 2 (1 + alpha)
    Nesterov                 x_{t+1} = (1 + alpha)(1 - h) x_t - alpha (1 - h) x_{t-1}
                             converges iff 0 < h < 2 (1 + alpha) / (1 + 2 alpha)

(a two-step recursion converges iff both roots of its characteristic polynomial lie inside
the unit circle; spectral_radius() computes the larger root's modulus). The steepest
direction, lambda_max, fails first; the flattest, lambda_min, sets the pace; their ratio is
the condition number kappa = lambda_max / lambda_min.

    Quadratic(hessian, center=0)     f, its gradient, eigenvalues, condition number
    stability_limit(optimizer, momentum)    the largest gamma * lambda_max that converges
    spectral_radius(h, momentum, optimizer) the factor by which the error shrinks per step
"""
from __future__ import annotations

import numpy as np

from ._validate import as_float_array, choice

__all__ = ["Quadratic", "stability_limit", "spectral_radius", "OPTIMIZERS"]

OPTIMIZERS = ("SGD", "Momentum", "Nesterov", "Adagrad")


class Quadratic:
    """f(w) = 1/2 (w - c)^T H (w - c) for a symmetric positive definite 2 x 2 (or n x n) H.

    hessian: the matrix H, or its diagonal (a vector): Quadratic([0.2, 4.0]) is
        f(w) = 0.1 w1^2 + 2 w2^2, the bowl of lesson 08 (condition number 20).
    center: the minimum c (default the origin), where f = 0.

    f(w) takes w of shape (n,) or, for drawing contours, (n, ...) (w[0], w[1] grids);
    grad(w) = H (w - c). Attributes: hessian, center, eigenvalues (ascending),
    lambda_min, lambda_max, condition_number.
    """

    def __init__(self, hessian, center=None):
        where = "Quadratic"
        H = as_float_array(hessian, where, "hessian", ndim=(1, 2), finite=True)
        if H.ndim == 1:
            H = np.diag(H)
        if H.shape[0] != H.shape[1] or H.shape[0] == 0:
            raise ValueError(f"{where}: hessian must be a square matrix or a vector of its "
                             f"diagonal, got shape {H.shape}")
        if not np.allclose(H, H.T, rtol=1e-12, atol=0.0):
            raise ValueError(f"{where}: hessian must be symmetric (a Hessian is), got {H.tolist()}")
        eig = np.linalg.eigvalsh(H)
        if eig[0] <= 0.0:
            raise ValueError(f"{where}: hessian must be positive definite (a bowl with one "
                             f"minimum); its eigenvalues are {eig.tolist()}")
        n = H.shape[0]
        c = np.zeros(n) if center is None else as_float_array(center, where, "center", ndim=1,
                                                                finite=True)
        if c.shape != (n,):
            raise ValueError(f"{where}: center must be a point of shape ({n},), got shape {c.shape}")
        self.hessian, self.center, self.eigenvalues = H, c, eig
        self.lambda_min, self.lambda_max = float(eig[0]), float(eig[-1])
        self.condition_number = self.lambda_max / self.lambda_min

    def _offset(self, w, where):
        w = np.asarray(w, dtype=np.float64)
        n = self.center.size
        if w.ndim == 0 or w.shape[0] != n:
            raise ValueError(f"{where}: w must have {n} coordinates along its first axis, "
                             f"got shape {w.shape}")
        return w - self.center.reshape((n,) + (1,) * (w.ndim - 1))

    def __call__(self, w):
        """f(w) = 1/2 (w - c)^T H (w - c); w of shape (n,) gives a float, (n, ...) an array."""
        d = self._offset(w, "Quadratic")
        Hd = np.tensordot(self.hessian, d, axes=(1, 0))
        value = 0.5 * np.sum(d * Hd, axis=0)
        return float(value) if np.ndim(value) == 0 else value

    def grad(self, w):
        """The gradient H (w - c), of w's shape."""
        return np.tensordot(self.hessian, self._offset(w, "Quadratic.grad"), axes=(1, 0))

    def formula(self) -> str:
        """f as text, e.g. 'f(w) = 0.1 w1² + 2 w2²' for a diagonal H centred at 0."""
        H, c = self.hessian, self.center
        if H.shape != (2, 2) or H[0, 1] != 0.0:
            return "f(w) = ½ (w − c)ᵀ H (w − c)"
        terms = []
        for i, sub in enumerate("₁₂"):
            var = f"w{sub}" if c[i] == 0 else f"(w{sub} {'−' if c[i] > 0 else '+'} {abs(c[i]):g})"
            terms.append(f"{H[i, i] / 2:g} {var}²")
        return "f(w) = " + " + ".join(terms)

    def __repr__(self):
        return f"Quadratic(eigenvalues={self.eigenvalues.tolist()}, center={self.center.tolist()})"


def _alpha(momentum, where):
    a = np.asarray(momentum, dtype=np.float64)
    if np.any(~np.isfinite(a)) or np.any(a < 0.0) or np.any(a >= 1.0):
        raise ValueError(f"{where}: momentum (alpha) must be in [0, 1), got {momentum!r}")
    return a


def stability_limit(optimizer="SGD", momentum=0.0):
    """The largest h = gamma * lambda_max for which `optimizer` converges on a quadratic:

        SGD: 2      Momentum: 2 (1 + alpha)      Nesterov: 2 (1 + alpha) / (1 + 2 alpha)

    (SGD ignores momentum.) Beyond it the steepest direction grows every step: the run
    diverges. Adagrad has no such limit (its steps never exceed gamma), so asking raises.
    momentum may be an array (one limit per value).
    """
    where = "stability_limit"
    choice(optimizer, OPTIMIZERS, where, "optimizer")
    a = _alpha(momentum, where)
    if optimizer == "SGD":
        return 2.0 + 0.0 * a if a.ndim else 2.0
    if optimizer == "Momentum":
        limit = 2.0 * (1.0 + a)
    elif optimizer == "Nesterov":
        limit = 2.0 * (1.0 + a) / (1.0 + 2.0 * a)
    else:
        raise ValueError(f"{where}: Adagrad has no stability limit on a quadratic: each of its "
                         "steps is at most gamma long, so it cannot blow up (it can crawl)")
    return float(limit) if limit.ndim == 0 else limit


def spectral_radius(h, momentum=0.0, optimizer="Momentum"):
    """How much one step shrinks the error along a direction with h = gamma * lambda:
    the largest |root| of the recursion's characteristic polynomial (< 1: converges).

        SGD        |1 - h|
        Momentum   roots of z^2 - (1 + alpha - h) z + alpha
        Nesterov   roots of z^2 - (1 + alpha)(1 - h) z + alpha (1 - h)

    h and momentum broadcast against each other (arrays give an array).
    """
    where = "spectral_radius"
    choice(optimizer, OPTIMIZERS[:3], where, "optimizer")
    h = as_float_array(h, where, "h", finite=True)
    a = _alpha(momentum, where)
    if optimizer == "SGD":
        rho = np.abs(1.0 - h) + 0.0 * a
    else:
        if optimizer == "Momentum":
            b, c = -(1.0 + a - h), a + 0.0 * h
        else:
            b, c = -(1.0 + a) * (1.0 - h), a * (1.0 - h)
        root = np.sqrt((b * b - 4.0 * c).astype(np.complex128))
        rho = np.maximum(np.abs((-b + root) / 2.0), np.abs((-b - root) / 2.0))
    return float(rho) if np.ndim(rho) == 0 else rho
