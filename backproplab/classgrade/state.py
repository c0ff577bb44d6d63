"""The resumable record of a class's grading: one JSON file, rewritten atomically, and a journal.

Keyed by "student/lesson", each entry holds the submission's sha256 and the worker's result
(plus where its files went and whether the gradebook has it). Only the parent process writes
it. Each finished submission is appended to the journal (<file>.journal, one JSON line, on
disk before the next is taken), and save() folds the journal into the file: rewriting the whole
file for every submission made a class's run quadratic (540 notebooks: about 1.5 GB of JSON).
A crash loses at most the submissions being graded; a line it cut short is ignored.
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

__all__ = ["State", "atomic_write_text", "STATE_NAME"]

STATE_NAME = ".grade-state.json"
_VERSION = 1


def atomic_write_text(path, text: str) -> None:
    """Write `text` to `path` so that a reader sees the old or the new file, never half of one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


class State:
    """{key: entry} persisted at `path`."""

    def __init__(self, path):
        self.path = Path(path)
        self.journal = self.path.with_name(self.path.name + ".journal")
        self.entries = {}
        if self.path.is_file():
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if data.get("version") != _VERSION:
                raise ValueError(f"{self.path}: unknown state version {data.get('version')!r}")
            self.entries = data["entries"]
        self._replay()

    def _replay(self) -> None:
        """Entries the journal holds beyond the file (a run that stopped before save())."""
        if not self.journal.is_file():
            return
        with open(self.journal, encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                try:
                    key, entry = json.loads(line)
                except ValueError:
                    continue                 # a line cut short by a crash
                self.entries[key] = entry

    @staticmethod
    def key(student: str, lesson: str) -> str:
        return f"{student}/{lesson}"

    def get(self, student: str, lesson: str):
        return self.entries.get(self.key(student, lesson))

    def is_current(self, student: str, lesson: str, sha256: str) -> bool:
        """Graded already from these exact bytes (machinery errors are retried)."""
        entry = self.get(student, lesson)
        return bool(entry) and entry["sha256"] == sha256 and entry["result"]["status"] != "error"

    def put(self, student: str, lesson: str, entry: dict) -> None:
        """Record one entry now: appended to the journal and on disk when this returns."""
        key = self.key(student, lesson)
        self.entries[key] = entry
        # a line of its own even after a line a crash cut short
        line = "\n" + json.dumps([key, entry], sort_keys=True) + "\n"
        with open(self.journal, "a", encoding="utf-8") as f:
            f.write(line)
            f.flush()
            os.fsync(f.fileno())

    def save(self) -> None:
        """Rewrite the file with every entry, then drop the journal it now holds."""
        text = json.dumps({"version": _VERSION, "entries": self.entries}, indent=1, sort_keys=True)
        atomic_write_text(self.path, text)
        if self.journal.exists():
            self.journal.unlink()
