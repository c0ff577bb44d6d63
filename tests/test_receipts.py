"""Receipts (backproplab/checks/receipt.py): the hidden tests' verdict replayed outside the kernel.

The grader trusts a hidden test cell only when the receipt it published - every call of the
student's function and its outcome - replays to a pass through an untouched copy of the
exercise. So: the replay must reach the same verdict as the kernel for honest runs (every
exercise, a correct alternative and each catalogued mistake), and a receipt that was not made
by the checks (wrong values, missing or extra calls, garbage) must fail.
"""
from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from backproplab.checks import CheckFailure, NotWrittenYet, exercises, receipt
from backproplab.checks.receipt import decode, encode, replay

CATALOGUE = exercises()


def _record(name, fn):
    """Grade fn in this process as the kernel does: (kernel verdict, receipt through JSON)."""
    ex = CATALOGUE[name]
    calls = ex.recording(fn)
    try:
        with np.errstate(all="ignore"):    # catalogued mistakes such as log(0) warn by design
            ex.grade(fn)
        verdict = None
    except (CheckFailure, NotWrittenYet) as exc:
        verdict = str(exc)
    finally:
        ex.stop_recording()
    return verdict, json.loads(json.dumps({"exercise": name, "calls": calls}))


def _same(a, b):
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.dtype == b.dtype and a.shape == b.shape and \
            np.array_equal(a, b, equal_nan=a.dtype.kind in "fc")
    if isinstance(a, (tuple, list)):
        return type(a) is type(b) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, np.generic):
        return type(a) is type(b) and (a == b or (a != a and b != b))
    return type(a) is type(b) and (a == b or (a != a and b != b))


numeric_arrays = hnp.arrays(dtype=st.sampled_from([np.float64, np.float32, np.int64, np.int32, np.bool_,
                                                   np.complex128, np.uint8]),
                            shape=hnp.array_shapes(min_dims=0, max_dims=3, max_side=4))
values = st.recursive(
    st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats(allow_nan=True) | st.text(max_size=5)
    | numeric_arrays | numeric_arrays.map(lambda a: a[()] if a.ndim == 0 else a),
    lambda inner: st.lists(inner, max_size=3) | st.lists(inner, max_size=3).map(tuple), max_leaves=8)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(values)
def test_encoding_round_trips_type_dtype_shape_and_bits(x):
    back = decode(json.loads(json.dumps(encode(x))))
    assert _same(x, back), (x, back)


def test_other_objects_keep_their_type_name_and_numeric_value():
    from fractions import Fraction
    back = decode(json.loads(json.dumps(encode(Fraction(1, 4)))))
    assert type(back).__name__ == "Fraction"
    assert np.asarray(back, dtype=float) == 0.25
    nothing = decode(encode(object()))
    with pytest.raises(TypeError):
        np.asarray(nothing, dtype=float)


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_replay_reaches_the_kernels_verdict(name):
    ex = CATALOGUE[name]
    sources = [("alternative", a) for a in ex.alternatives] + [(m.key, m.source) for m in ex.mistakes]
    assert sources, f"{name} has no catalogue to replay"
    for label, source in sources:
        verdict, rec = _record(name, ex.compile(source))
        again = replay(name, rec)
        assert (verdict is None) == (again is None), f"{name} {label}: kernel {verdict!r}, replay {again!r}"
        if verdict is not None:
            assert again == verdict, f"{name} {label}: the replay's message differs"


def _record_stage(name, fn, stage):
    """Run check or grade on fn in this process: (the kernel's CheckFailure or None, receipt)."""
    ex = CATALOGUE[name]
    calls = ex.recording(fn)
    caught = None
    try:
        with np.errstate(all="ignore"):
            getattr(ex, stage)(fn)
    except CheckFailure as exc:
        caught = exc
    finally:
        ex.stop_recording()
    return caught, json.loads(json.dumps({"exercise": name, "stage": stage, "calls": calls}))


@pytest.mark.parametrize("stage", ["check", "grade"])
@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_the_replay_reaches_the_kernels_diagnosis(name, stage):
    # the misconception report counts what the grader's replay says, not the kernel's text
    ex = CATALOGUE[name]
    for mistake in ex.mistakes:
        caught, rec = _record_stage(name, ex.compile(mistake.source), stage)
        if caught is None:
            assert stage == "check" and mistake.hidden_only
            assert receipt.diagnose(name, rec) is None
            continue
        assert receipt.diagnose(name, rec) == caught.diagnosis.to_dict(), (name, mistake.key)
        assert caught.diagnosis.kind == "mistake" and caught.diagnosis.key == mistake.key


def test_a_stub_is_diagnosed_as_not_attempted_and_a_check_receipt_cannot_pass_the_grade():
    def stub(z):
        raise NotImplementedError()

    ex = CATALOGUE["sigmoid"]
    calls = ex.recording(stub)
    with pytest.raises(NotWrittenYet):
        ex.check(stub)
    ex.stop_recording()
    rec = {"exercise": "sigmoid", "stage": "check", "calls": calls}
    assert receipt.diagnose("sigmoid", rec)["kind"] == "not_attempted"
    _, good_check = _record_stage("sigmoid", ex.compile(ex.alternatives[0]), "check")
    assert receipt.diagnose("sigmoid", good_check) is None
    assert "missing or malformed" in replay("sigmoid", good_check)   # only a grade receipt grades


def test_the_reference_handed_in_fails_in_the_replay_too():
    import backproplab.activations as act
    verdict, rec = _record("sigmoid", act.sigmoid)
    assert verdict is not None and "reference answer" in verdict
    assert "reference answer" in replay("sigmoid", rec)


def _good_receipt():
    ex = CATALOGUE["sigmoid"]
    verdict, rec = _record("sigmoid", ex.compile(ex.alternatives[0]))
    assert verdict is None and replay("sigmoid", rec) is None
    return rec


def test_a_forged_value_fails():
    rec = _good_receipt()
    first = rec["calls"][0]["result"]
    rec["calls"][0]["result"] = encode(decode(first) + 0.5)
    assert replay("sigmoid", rec) is not None


@pytest.mark.parametrize("edit, says", [
    (lambda calls: calls[:-1], "fewer calls"),
    (lambda calls: calls + calls[-1:], "never made"),
    (lambda calls: [], "fewer calls"),
    (lambda calls: [{"result": {"t": "nonsense"}}] + calls[1:], "does not match"),
])
def test_a_receipt_not_made_by_the_checks_fails(edit, says):
    rec = _good_receipt()
    rec["calls"] = edit(rec["calls"])
    why = replay("sigmoid", rec)
    assert why is not None and says in why, why


@pytest.mark.parametrize("bad", [None, "receipt", {"exercise": "neuron", "calls": []}, {"exercise": "sigmoid"}])
def test_malformed_receipts_fail(bad):
    assert "missing or malformed" in replay("sigmoid", bad)


def test_the_replay_leaves_the_exercise_as_it_was():
    ex = CATALOGUE["sigmoid"]
    replay("sigmoid", {"exercise": "sigmoid", "calls": []})
    assert ex._student is None and ex._replay is None and ex._recording is None
    ex.check(ex.compile(ex.alternatives[0]))   # the visible check still runs the real function


def test_receipts_are_published_only_in_a_grading_kernel(monkeypatch):
    published = []
    monkeypatch.setattr("IPython.display.publish_display_data", lambda data, **kw: published.append(data))
    monkeypatch.setattr("IPython.get_ipython", lambda: object())
    monkeypatch.delenv(receipt.GRADING_ENV, raising=False)
    receipt.publish("sigmoid", [])
    assert published == []
    monkeypatch.setenv(receipt.GRADING_ENV, "1")
    receipt.publish("sigmoid", [])
    assert published and published[0][receipt.MIME] == {"exercise": "sigmoid", "stage": "grade", "calls": []}
    receipt.publish("sigmoid", [], "check")
    assert published[1][receipt.MIME] == {"exercise": "sigmoid", "stage": "check", "calls": []}
