"""Exercises judged by behaviour: functions with many right answers (random draws, splits).

Such a function cannot be compared with the reference's particular answer. A subclass
examines what the student's function does on a case (its `_examine`), and reduces a failure to
a *finding*: (kind, message, detail). The likely mistake is the first catalogue entry whose own
finding, on the failing case and on every visible case the answer fails, matches the
student's (`_matches`: the same kind, and a detail judged alike). NumPy's global random state
is saved before a case and restored after it, so that a judge which seeds it (to see whether
an answer depends on it) leaves the student's generator as it was.
"""
from __future__ import annotations

import numpy as np

from . import _safe as s
from .exercise import NO_DIAGNOSIS, CheckFailure, Diagnosis, Exercise

# Captured before any student code runs, like everything the checks use (see _safe).
_get_global = np.random.get_state
_set_global = np.random.set_state


class BehaviourExercise(Exercise):
    """Base class: subclasses define _examine(fn, case) -> finding or None, and may refine
    _matches(theirs, finding)."""

    says_relations = False

    def freeze(self) -> None:
        """Nothing to compute: judged by behaviour, never by the reference's output."""

    def _examine(self, fn, case):  # pragma: no cover - abstract
        raise NotImplementedError

    @staticmethod
    def _matches(theirs, finding) -> bool:
        """A catalogue entry's finding explains the student's: same kind and same detail."""
        if finding is None or theirs is None:
            return finding is None and theirs is None
        return theirs[0] == finding[0] and theirs[2] == finding[2]

    def failure(self, fn, case):
        saved = _get_global()
        try:
            finding = self._examine(fn, case)
            if finding is None:
                return None
            if finding[0] == "error":
                return CheckFailure(finding[1], Diagnosis("problem", s.getattr(finding[1], "key", "other")))
            diagnosis = self._diagnose(fn, case, finding)
            return CheckFailure(finding[1] + diagnosis.suffix(), diagnosis)
        finally:
            _set_global(saved)   # the student's global generator is left as it was

    def _diagnose(self, fn, case, finding) -> Diagnosis:
        """The first catalogue entry whose finding matches the student's on this case and on
        every visible case."""
        mine = [(other, self._examine(fn, other)) for other in self.visible]
        for mistake in self.mistakes:
            try:
                wrong = self.compile(mistake.source)
            except s.Exception:
                continue
            if self._matches(self._examine_quietly(wrong, case), finding) and s.all_true(
                    f is None or f[0] == "error" or self._matches(self._examine_quietly(wrong, other), f)
                    for other, f in mine):
                return Diagnosis("mistake", mistake.key, mistake.explain)
        return NO_DIAGNOSIS

    def _examine_quietly(self, fn, case):
        try:
            return self._examine(fn, case)
        except s.Exception:
            return ("error", "", None)
