"""An exercise: a function the student writes, its reference, its cases and its mistakes.

check(fn) runs the visible cases and prints exactly what it checked; grade(fn) runs the
visible and the hidden cases. A failure raises CheckFailure, whose message says what was
called, what was expected, what came back and at most one diagnosis, named only when it is
true: the catalogue entry that reproduces the student's function on every visible case where
both run, else a generic relation between what came back and what was expected
(relations.py). The diagnosis also travels with the failure (CheckFailure.diagnosis), for the
instructors' misconception report.

Calls of the student's function happen in a fixed order, whatever the answers: the visible
cases in order until one fails, then (to diagnose) the remaining visible ones, then in grade()
the hidden cases until one fails. The receipt replay (receipt.py) depends on that order.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Optional

import numpy as np

from . import _safe as s
# Bind the builtins this module uses to the copies captured at import (see _safe).
from ._safe import (callable, compile, dict, enumerate, exec, id, isinstance, len, str,  # noqa: A004
                    super, tuple)
from ._guard import Watch
from . import references, relations
from .receipt import ReceiptMismatch, decode, encode


@dataclass(frozen=True)
class Diagnosis:
    """What a failure is put down to: kind "mistake" (key: the catalogue entry's), "relation"
    (key: relations.KEYS), "problem" (the call itself went wrong) or "other" (no explanation)."""

    kind: str
    key: str
    text: str = ""

    def suffix(self) -> str:
        """The line the student reads under the expected and returned values."""
        if self.kind == "mistake":
            return f"\n  Likely mistake: {self.text}"
        if self.kind == "relation":
            return f"\n  What came back: {self.text}"
        return ""

    def to_dict(self) -> dict:
        return {"kind": self.kind, "key": self.key, "text": self.text}


NO_DIAGNOSIS = Diagnosis("other", "other")


class Problem(str):
    """A call that went wrong itself (an exception, a modified argument, the reference called):
    the message, with a key naming the kind of problem."""

    key = "other"

    def __new__(cls, text, key: str):
        obj = str.__new__(cls, text)
        obj.key = key
        return obj


class CheckFailure(AssertionError):
    """A check that failed. IPython shows only the message, not this package's traceback."""

    def __init__(self, message: str, diagnosis: Optional[Diagnosis] = None):
        super().__init__(message)
        self.message = message
        self.diagnosis = diagnosis or NO_DIAGNOSIS

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
    note: what the case is, for messages ("z = 0, Samatova's table").
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
    related: tuple = ()            # functions whose results a wrong answer may be ("sigmoid")

    # Exercises judged by behaviour (many right answers) set this False: a relation to the
    # reference's particular answer would not be a diagnosis.
    says_relations = True

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
        stored = references.stored(self.name) or {}
        self._computed = []
        for i, case in enumerate((*self.visible, *self.hidden)):
            if case.expected is None:
                # a grading run hands every kernel the answers it computed once (references.py)
                case.expected = stored[i] if i in stored else self.run_reference(case)
                self._computed.append(i)

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
            self._recording.append({"problem": str(problem), "key": s.getattr(problem, "key", "other")}
                                   if problem else {"result": encode(result)})
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
            return None, Problem(f"{case.call_text(self.name)} raised {s.type(exc).__name__}: {exc}"
                                 + (f"  [{case.note}]" if case.note else ""),
                                 f"raised {s.type(exc).__name__}")
        if watch.hits:
            return None, Problem(f"{self.name} calls {', '.join(watch.named())}, the reference answer "
                                 "from backproplab. Write the computation yourself (using numpy "
                                 "is fine).", "reference handed in")
        if watch.tampered:
            return None, Problem(f"{self.name} changed the Python profiler, which the checks "
                                 "rely on.", "profiler changed")
        for name, before, after in self._changed_args(case, args, kwargs):
            return None, Problem(f"{case.call_text(self.name)} modified its argument {name} in "
                                 "place. Compute a new array instead of changing the one you were "
                                 "given (for example `z = z * 2`, not `z *= 2`).",
                                 "argument modified in place")
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
        failure = self.failure(fn, case)
        return None if failure is None else failure.message

    def failure(self, fn, case: Case) -> Optional[CheckFailure]:
        """None if fn passes this case, else the CheckFailure to raise (message and diagnosis)."""
        got, problem = self.outcome(fn, case)
        if problem:
            return CheckFailure(problem, Diagnosis("problem", s.getattr(problem, "key", "other")))
        message = self.judge(got, self.expected(case), case)
        if message is None:
            return None
        diagnosis = self.diagnose(fn, got, case)
        return CheckFailure(message + diagnosis.suffix(), diagnosis)

    # -- the student's calls, once each per check or grade -----------------------------

    _run_fn = None       # the function being checked
    _outcomes = None     # id(case) -> (result, problem) of _run_fn in this check or grade

    def _begin(self, fn) -> None:
        self._require_callable(fn)
        self._run_fn, self._outcomes = fn, {}

    def outcome(self, fn, case: Case):
        """(result, problem) of fn on case, calling fn at most once per case and run."""
        if fn is not self._run_fn:
            self._run_fn, self._outcomes = fn, {}
        key = id(case)
        if key not in self._outcomes:
            self._outcomes[key] = self.call(fn, case)
        return self._outcomes[key]

    def visible_outcomes(self, fn) -> list:
        """[(case, result, problem)] of fn on every visible case, in order."""
        return [(case, *self.outcome(fn, case)) for case in self.visible]

    # -- diagnosis: a catalogue entry that reproduces the answer, else a relation -------

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

    def same(self, a, b, case: Case) -> bool:
        """a and b are the same answer on this case (as judge() sees it; NaN equals NaN)."""
        if self.judge(a, b, Case(case.args, case.kwargs)) is None:
            return True
        fa, fb = s.to_float_array(a), s.to_float_array(b)
        if fa is None or fb is None or fa.shape != fb.shape or s.is_float64_like(a) != s.is_float64_like(b):
            return False
        return bool(((fa == fb) | ((fa != fa) & (fb != fb))).all())

    def diagnose(self, fn, got, case: Case) -> Diagnosis:
        """Why fn's answer `got` on `case` is wrong, if that can be said truthfully."""
        seen = self.visible_outcomes(fn)
        mistake = self.reproducing_mistake(got, case, seen)
        if mistake is not None:
            return Diagnosis("mistake", mistake.key, mistake.explain)
        if self.says_relations:
            relation = self.relation(got, case, seen)
            if relation is not None:
                return Diagnosis("relation", relation.key, relation.text)
        return NO_DIAGNOSIS

    def reproducing_mistake(self, got, case: Case, seen) -> Optional[Mistake]:
        """The first catalogue entry that gives `got` on `case` and the student's answer on
        every visible case where both run; None when no entry does."""
        for mistake in self.mistakes:
            theirs, ok = self._mistake_output(mistake, case)
            if not ok or not self.same(got, theirs, case):
                continue
            if s.all_true(self._agrees(mistake, other, mine)
                          for other, mine, problem in seen if problem is None):
                return mistake
        return None

    def _agrees(self, mistake: Mistake, case: Case, mine) -> bool:
        theirs, ok = self._mistake_output(mistake, case)
        return not ok or self.same(mine, theirs, case)

    def relation(self, got, case: Case, seen) -> Optional[relations.Relation]:
        """A generic relation between `got` and the expected value (relations.py)."""
        expected = self.expected(case)
        others = [(mine, self.expected(other)) for other, mine, problem in seen
                  if problem is None and other is not case
                  and self.judge(mine, self.expected(other), other) is not None]
        args, kwargs = self.arguments(case)
        return relations.find(got, expected, others=others, results=self._other_results(case),
                              swapped=self._swapped_expected(case),
                              sizes=[a.shape[0] for a in args if isinstance(a, s.ndarray) and a.ndim])

    def _other_results(self, case: Case) -> list:
        """(name, value) of the lesson's other exercises and the related functions on case."""
        from . import exercises   # the registry, complete by the time a check runs
        functions = [(f"{ex.name}()", ex.reference) for ex in exercises().values()
                     if ex.lesson == self.lesson and ex is not self and ex.says_relations]
        functions += [(f"{s.getattr(f, '__name__', 'another function')}()", f) for f in self.related]
        results = []
        for name, fn in functions:
            try:
                args, kwargs = self.arguments(case)
                with np.errstate(all="ignore"):
                    results.append((name, self.observe(fn(*args, **kwargs), args, kwargs)))
            except s.Exception:
                continue
        return results

    def _swapped_expected(self, case: Case):
        """The reference's answer with the first two same-shaped arguments exchanged."""
        args = case.args
        for i in s.range(len(args)):
            for j in s.range(i + 1, len(args)):
                if self._same_kind(args[i], args[j]) and not s.same_value(args[i], args[j]):
                    swapped = list(args)
                    swapped[i], swapped[j] = swapped[j], swapped[i]
                    try:
                        with np.errstate(all="ignore"):
                            return self.run_reference(Case(tuple(swapped), case.kwargs))
                    except s.Exception:
                        return None
        return None

    @staticmethod
    def _same_kind(a, b) -> bool:
        if isinstance(a, s.ndarray) and isinstance(b, s.ndarray):
            return a.shape == b.shape and a.dtype == b.dtype
        return isinstance(a, s.float) and isinstance(b, s.float)

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
            return None, Problem(s.str(record["problem"]), s.str(record.get("key", "other")))
        return decode(record["result"]), None

    # -- the two entry points ----------------------------------------------------------

    def _first_failure(self, fn, cases) -> Optional[CheckFailure]:
        for case in cases:
            failure = self.failure(fn, case)
            if failure is not None:
                return failure
        return None

    def check(self, fn) -> str:
        """Run the visible cases; return the success report or raise CheckFailure."""
        self._begin(fn)
        failure = self._first_failure(fn, self.visible)
        if failure is not None:
            raise failure
        return (f"{self.name}: passed {s.len(self.visible)} visible checks ({self.summary}). "
                f"When graded, hidden tests also try {self.hidden_summary}.")

    def grade(self, fn) -> str:
        """Run every case, visible and hidden; return a report or raise CheckFailure."""
        self._begin(fn)
        failure = self._first_failure(fn, self.visible)
        if failure is not None:
            raise CheckFailure("a visible check fails: " + failure.message, failure.diagnosis)
        failure = self._first_failure(fn, self.hidden)
        if failure is not None:
            raise CheckFailure(f"hidden test ({self.hidden_summary}) failed: " + failure.message,
                               failure.diagnosis)
        return (f"{self.name}: passed the hidden tests ({s.len(self.hidden)} cases: "
                f"{self.hidden_summary}).")

    def _require_callable(self, fn):
        if not callable(fn):
            raise CheckFailure(f"{self.name} should be a function, but it is {s.describe_type(fn)}. "
                               f"Did you assign to the name {self.name} after defining it?",
                               Diagnosis("problem", "not a function"))
