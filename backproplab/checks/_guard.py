"""Catch a student's function that hands in the reference instead of computing the answer.

While the student's function runs, a profile hook watches every Python-level call. If the
code object of a forbidden reference function (e.g. backproplab.activations.sigmoid_prime)
is entered, however it was imported, aliased or wrapped, the call is recorded. A student's
function that removes the hook is caught too: the hook is checked afterwards, and a call of
sys.setprofile while it is active (remove, call, put back) is recorded.
"""
from __future__ import annotations

from . import _safe as s


def code_of(fn):
    """The code object behind a function, method or property getter (None for C functions)."""
    for attr in ("__func__", "fget"):
        fn = s.getattr(fn, attr, fn)
    return s.getattr(fn, "__code__", None)


def _private(qualified: str) -> bool:
    last = qualified.rsplit(".", 1)[-1]
    return last.startswith("_") and not last.startswith("__")


class Watch:
    """Context manager: records calls of the forbidden functions' code objects."""

    def __init__(self, forbidden):
        self.codes = {}
        for fn in forbidden:
            code = code_of(fn)
            if code is not None:
                module = s.getattr(fn, "__module__", "") or ""
                name = s.getattr(fn, "__qualname__", s.getattr(fn, "__name__", "?"))
                self.codes[code] = f"{module}.{name}"
        self.hits = []
        self.tampered = False
        self._previous = None

    def named(self):
        """The calls to name to a student: the public functions, when one was called (its
        private helpers ran inside it and would only be noise); the private ones otherwise."""
        public = [h for h in self.hits if not _private(h)]
        return public or self.hits

    def _hook(self, frame, event, arg):
        if event == "call":
            name = self.codes.get(frame.f_code)
            if name is not None and name not in self.hits:
                self.hits.append(name)
        elif event == "c_call" and arg is s.setprofile:
            # Removing the hook and putting it back before returning would hide the calls
            # in between from the check in __exit__; touching the profiler at all is flagged.
            self.tampered = True

    def __enter__(self):
        self._previous = s.getprofile()
        if self.codes:
            s.setprofile(self._hook)
        return self

    def __exit__(self, *exc):
        if self.codes:
            tampered = self.tampered or s.getprofile() != self._hook
            s.setprofile(self._previous)  # the hook sees this call too: restore the verdict
            self.tampered = tampered
        return False
