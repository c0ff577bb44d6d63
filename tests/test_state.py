"""The grading state's file and journal (backproplab/classgrade/state.py)."""
from __future__ import annotations

import json

from backproplab.classgrade.state import STATE_NAME, State


def _entry(n):
    return {"sha256": f"{n:064x}", "result": {"status": "graded", "cells": [{"points": n}]}}


def test_each_entry_is_on_disk_when_put_returns_and_save_folds_the_journal(tmp_path):
    state = State(tmp_path / STATE_NAME)
    for n in range(3):
        state.put(f"s{n}", "01", _entry(n))
        # a run killed now loses nothing it has put
        assert State(tmp_path / STATE_NAME).entries == state.entries
    assert not (tmp_path / STATE_NAME).exists() and state.journal.is_file()
    state.save()
    assert not state.journal.exists()
    assert json.loads((tmp_path / STATE_NAME).read_text())["entries"] == state.entries
    again = State(tmp_path / STATE_NAME)
    again.put("s0", "01", _entry(7))          # a newer grading of the same submission wins
    assert State(tmp_path / STATE_NAME).get("s0", "01") == _entry(7)
    assert State(tmp_path / STATE_NAME).get("s2", "01") == _entry(2)


def test_a_line_cut_short_by_a_crash_costs_only_its_own_entry(tmp_path):
    state = State(tmp_path / STATE_NAME)
    state.put("a", "01", _entry(1))
    state.put("b", "01", _entry(2))
    text = state.journal.read_text()
    state.journal.write_text(text[: len(text) - 20])      # the crash cut b's line
    resumed = State(tmp_path / STATE_NAME)
    assert set(resumed.entries) == {"a/01"}
    resumed.put("c", "01", _entry(3))                       # appended after the cut line
    assert State(tmp_path / STATE_NAME).entries == {"a/01": _entry(1), "c/01": _entry(3)}


def test_writing_a_class_is_linear_in_its_size(tmp_path):
    # the whole file was rewritten per submission: 540 notebooks wrote about 1.5 GB
    state = State(tmp_path / STATE_NAME)
    entry = _entry(1)
    entry["result"]["error"] = "x" * 2000
    for n in range(200):
        state.put(f"s{n}", "01", entry)
    one = len(json.dumps(["s0/01", entry], sort_keys=True)) + 2
    assert state.journal.stat().st_size <= 200 * (one + 8)
