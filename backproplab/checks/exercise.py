"""An exercise: a function the student writes, its reference, its cases and its mistakes.

check(fn) runs the visible cases and prints exactly what it checked; grade(fn) runs the
visible and the hidden cases. A failure raises CheckFailure, whose message says what was
called, what was expected, what came back and, when the student's answer matches an
entry of the mistakes catalogue, the likely mistake.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Optional

import numpy as np

from . import _safe as s
# Bind the builtins this module uses to the copies captured at import (see _safe).
from ._safe import (callable, compile, dict, enumerate, exec, super)  # noqa: A004
from ._guard import Watch
from .receipt import ReceiptMismatch, decode, encode


class CheckFailure(AssertionError):
    """A check that failed. IPython shows only the message, not this package's traceback."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def _render_traceback_(self):
        # IPython (and so nbgrader's feedback) calls this instead of printing the frames,
        # so the student sees the explanation, not the checker's source.
        return [f"\x1b[0;31mCheckFailure\x1b[0m: {line}" if i == 0 else line
                for i, line in s.zip(s.range(10_000), self.message.splitlines())]


class NotWrittenYet(NotImplementedError):
    """The student's function still raises NotImplementedError (the released stub)."""

    def _render_traceback_(self):
        return [f"\x1b[0;31mNotImplementedError\x1b[0m: {self.args[0]}"]


@dataclass
class Case:
    """One call of the student's function.

    args/kwargs: the arguments (copied before every call).
    note: what the case is, for messages ("z = 0, seed 000's table").
    expected: a printed lecture value to compare with instead of the reference's output,
              with its own tolerance `atol` (lectures print rounded numbers).
    """

    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    note: str = ""
    expected: Any = None
    atol: Optional[float] = None

    def call_text(self, name: str) -> str:
        parts = [s.fmt(a, 4) for a in self.args]
        parts += [f"{k}={s.fmt(v, 4)}" for k, v in self.kwargs.items()]
        return f"{name}({', '.join(parts)})"


@dataclass
class Mistake:
    """A plausible wrong implementation, as source code, and what it gets wrong.

    hidden_only: the visible cases let this mistake through on purpose (only the hidden
    tests catch it), so that learning the answer from the visible check alone costs points.
    """

    key: str
    explain: str
    source: str
    hidden_only: bool = False


@dataclass
class Exercise:
    name: str                      # the function the student writes
    reference: Callable
    lesson: str
    summary: str                   # what check() says it verified, in one phrase
    visible: list
    hidden: list
    mistakes: list = field(default_factory=list)
    alternatives: list = field(default_factory=list)   # correct sources written differently
    forbidden: tuple = ()          # reference functions the answer must not call
    namespace: Callable = dict     # globals for compiling catalogue sources
    rtol: float = 1e-7
    atol: float = 1e-10
    hidden_summary: str = "fresh random inputs and edge cases"

    # -- running one case -------------------------------------------------------------

    def __post_init__(self):
        self.freeze()

    def freeze(self) -> None:
        """Compute the reference's answer for every case now, when the exercise is built.

        The package is imported by the lesson's setup cell, before any student code runs. An
        answer computed at check time would go through numpy as the student's cells left it:
        after `np.exp = lambda z: 0 * z` the reference sigmoid itself returns a step
        function, and a step handed in as `sigmoid` would match it. Exercises judged by
        behaviour rather than by the reference's output override this with a no-op.
        """
        for case in (*self.visible, *self.hidden):
            if case.expected is None:
                case.expected = self.run_reference(case)

    def expected(self, case: Case):
        if case.expected is not None:
            return case.expected
        return self.run_reference(case)

    def run_reference(self, case: Case):
        """What the reference's call on `case` is judged by (observe() of its result)."""
        args, kwargs = self.arguments(case)
        return self.observe(self.reference(*args, **kwargs), args, kwargs)

    # -- hooks for exercises whose functions take or change objects ---------------------

    def arguments(self, case: Case):
        """(args, kwargs) for one call: private copies, so no call can alter the case.

        An exercise whose arguments are objects (a computational graph) overrides this to
        build them afresh for every call."""
        return s.copy_arg(case.args), s.copy_arg(case.kwargs)

    def observe(self, result, args, kwargs):
        """What is judged and recorded of a call: by default what it returned.

        An exercise whose function works by side effect (a backward sweep filling .grad) or
        returns objects (a list of graph nodes) overrides this to return plain numbers or
        strings (the nodes' gradients, their labels), which receipts can carry."""
        return result

    def call(self, fn, case: Case):
        """Call fn on private copies of the case's arguments.

        Returns (result, problem): problem is a message when the call itself went wrong
        (an exception, a modified argument, the reference called). While grade() records
        (receipt.py), the student's calls and their outcomes are recorded; while a receipt is
        replayed, the student's calls return the recorded outcomes instead of running.
        """
        student = fn is self._student
        if student and self._replay is not None:
            return self._next_replayed()
        try:
            result, problem = self._call(fn, case)
        except NotWrittenYet as exc:
            if student and self._recording is not None:
                self._recording.append({"not_written": str(exc)})
            raise
        if student and self._recording is not None:
            self._recording.append({"problem": problem} if problem else {"result": encode(result)})
        return result, problem

    def _call(self, fn, case: Case):
        args, kwargs = self.arguments(case)
        watch = Watch(self.forbidden)
        try:
            with watch:
                result = fn(*args, **kwargs)
        except NotImplementedError:
            raise NotWrittenYet(f"{self.name} is not written yet: replace "
                                "`raise NotImplementedError()` with your code, then run this cell again.") from None
        except s.KeyboardInterrupt:
            raise
        except s.BaseException as exc:  # the student's bug is reported, not propagated
            return None, (f"{case.call_text(self.name)} raised {s.type(exc).__name__}: {exc}"
                          + (f"  [{case.note}]" if case.note else ""))
        if watch.hits:
            return None, (f"{self.name} calls {', '.join(watch.hits)}, the reference answer from "
                          "backproplab. Write the computation yourself (using numpy is fine).")
        if watch.tampered:
            return None, f"{self.name} changed the Python profiler, which the checks rely on."
        for name, before, after in self._changed_args(case, args, kwargs):
            return None, (f"{case.call_text(self.name)} modified its argument {name} in place. "
                          "Compute a new array instead of changing the one you were given "
                          "(for example `z = z * 2`, not `z *= 2`).")
        return self.observe(result, args, kwargs), None

    @staticmethod
    def _changed_args(case, args, kwargs):
        for i, (a, b) in enumerate(s.zip(case.args, args)):
            if not s.same_value(a, b):
                yield f"#{i + 1}", a, b
        for k in case.kwargs:
            if not s.same_value(case.kwargs[k], kwargs[k]):
                yield k, case.kwargs[k], kwargs[k]

    def judge(self, got, expected, case: Case) -> Optional[str]:
        """None if `got` is right, else what is wrong (without the likely-mistake part)."""
        exp = s.to_float_array(expected)
        call = case.call_text(self.name)
        where = f"  [{case.note}]" if case.note else ""
        g = s.to_float_array(got)
        if g is None or (got is None):
            return f"{call} returned {s.describe_type(got)}; expected a float64 {self._shape_words(exp)}.{where}"
        if g.shape != exp.shape:
            return (f"{call} returned shape {g.shape}; expected shape {exp.shape} "
                    f"({self._shape_words(exp)}).{where}")
        if not s.is_float64_like(got):
            return (f"{call} returned {s.describe_type(got)}; the course works in float64 "
                    f"(convert with .astype(float) or write 1.0 instead of 1).{where}")
        atol = case.atol if case.atol is not None else self.atol
        rtol = 0.0 if case.atol is not None else self.rtol
        bad = s.compare(g, exp, rtol, atol)
        if bad is None:
            return None
        idx, gv, ev = bad
        at = f" at index {idx}" if exp.ndim else ""
        if g.size == 1:
            return f"{call} returned {s.fmt(gv)}; expected {s.fmt(ev)}.{where}"
        return (f"{call} is wrong{at}: expected {s.fmt(ev)}, got {s.fmt(gv)}.\n"
                f"  expected {s.fmt(exp, 4)}\n  got      {s.fmt(g, 4)}{where}")

    @staticmethod
    def _shape_words(exp) -> str:
        return "scalar" if exp.ndim == 0 else f"array of shape {exp.shape}"

    def run_case(self, fn, case: Case) -> Optional[str]:
        """None if fn passes this case, else the full message for the student."""
        got, problem = self.call(fn, case)
        if problem:
            return problem
        expected = self.expected(case)
        message = self.judge(got, expected, case)
        if message is None:
            return None
        hint = self.likely_mistake(got, case)
        return message + (f"\n  Likely mistake: {hint}" if hint else "")

    # -- the mistakes catalogue ------------------------------------------------------

    def compile(self, source: str):
        """The function named self.name defined by `source` (a catalogue entry)."""
        env = dict(self.namespace())
        exec(compile(source, f"<{self.name} catalogue>", "exec"), env)
        return env[self.name]

    def _mistake_output(self, mistake: Mistake, case: Case):
        try:
            wrong = self.compile(mistake.source)
            args, kwargs = self.arguments(case)
            with np.errstate(all="ignore"):
                return self.observe(wrong(*args, **kwargs), args, kwargs), True
        except s.Exception:
            return None, False

    def likely_mistake(self, got, case: Case) -> Optional[str]:
        """The catalogue entry whose output equals the student's on this case.

        Several entries can agree on one case (at z = 0 many wrong formulas give the same
        number), so ties go to the entry that the student's function imitates on the most
        visible cases.
        """
        matches = []
        for mistake in self.mistakes:
            theirs, ok = self._mistake_output(mistake, case)
            if ok and self.judge(got, theirs, Case(case.args, case.kwargs)) is None:
                matches.append(mistake)
        if s.len(matches) <= 1:
            return matches[0].explain if matches else None
        student = self._last_checked_fn
        best, best_score = matches[0], -1
        for mistake in matches:
            score = 0
            for other in self.visible:
                theirs, ok = self._mistake_output(mistake, other)
                mine, problem = self.call(student, other) if student is not None else (None, "")
                if ok and problem is None and self.judge(mine, theirs, Case(other.args, other.kwargs)) is None:
                    score += 1
            if score > best_score:
                best, best_score = mistake, score
        return best.explain

    # -- receipts: recording in the kernel, replaying in the grader (receipt.py) -------

    _student = None      # the function whose calls are recorded, or the replay's stand-in
    _recording = None    # the records, while grade() runs in the kernel
    _replay = None       # the records still to hand out, while a receipt is replayed

    def recording(self, fn) -> list:
        """Record fn's calls from now on; returns the (growing) list of records."""
        self._student, self._recording, self._replay = fn, [], None
        return self._recording

    def stop_recording(self) -> None:
        self._student = self._recording = None

    def replaying(self, records) -> Callable:
        """A stand-in for the student's function whose calls return `records` in order."""
        def replayed(*args, **kwargs):
            raise ReceiptMismatch("the stand-in for a replayed function was called directly")
        self._student, self._replay, self._recording = replayed, s.list(records), None
        return replayed

    def stop_replay(self) -> int:
        """End the replay; return how many records were not used."""
        left = s.len(self._replay or [])
        self._student = self._replay = None
        return left

    def _next_replayed(self):
        if not self._replay:
            raise ReceiptMismatch("the receipt holds fewer calls than the hidden test makes")
        record = self._replay.pop(0)
        if "not_written" in record:
            raise NotWrittenYet(s.str(record["not_written"]))
        if "problem" in record:
            return None, s.str(record["problem"])
        return decode(record["result"]), None

    # -- the two entry points ----------------------------------------------------------

    _last_checked_fn = None

    def _first_failure(self, fn, cases) -> Optional[str]:
        self._last_checked_fn = fn
        for case in cases:
            message = self.run_case(fn, case)
            if message:
                return message
        return None

    def check(self, fn) -> str:
        """Run the visible cases; return the success report or raise CheckFailure."""
        self._require_callable(fn)
        message = self._first_failure(fn, self.visible)
        if message:
            raise CheckFailure(message)
        return (f"{self.name}: passed {s.len(self.visible)} visible checks ({self.summary}). "
                f"When graded, hidden tests also try {self.hidden_summary}.")

    def grade(self, fn) -> str:
        """Run every case, visible and hidden; return a report or raise CheckFailure."""
        self._require_callable(fn)
        message = self._first_failure(fn, self.visible)
        if message:
            raise CheckFailure("a visible check fails: " + message)
        message = self._first_failure(fn, self.hidden)
        if message:
            raise CheckFailure(f"hidden test ({self.hidden_summary}) failed: " + message)
        return (f"{self.name}: passed the hidden tests ({s.len(self.hidden)} cases: "
                f"{self.hidden_summary}).")

    def _require_callable(self, fn):
        if not callable(fn):
            raise CheckFailure(f"{self.name} should be a function, but it is {s.describe_type(fn)}. "
                               f"Did you assign to the name {self.name} after defining it?")
