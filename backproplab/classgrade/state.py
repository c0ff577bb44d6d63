"""The resumable record of a class's grading: one JSON file, rewritten atomically.

Keyed by "student/lesson", each entry holds the submission's sha256 and the worker's result
(plus where its files went and whether the gradebook has it). Only the parent process writes
it, once per finished submission: a crash loses at most the submissions being graded.
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
        self.entries = {}
        if self.path.is_file():
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if data.get("version") != _VERSION:
                raise ValueError(f"{self.path}: unknown state version {data.get('version')!r}")
            self.entries = data["entries"]

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
        self.entries[self.key(student, lesson)] = entry
        self.save()

    def save(self) -> None:
        text = json.dumps({"version": _VERSION, "entries": self.entries}, indent=1, sort_keys=True)
        atomic_write_text(self.path, text)
