"""Grade ONE submission in a worker process: assemble, execute, score, render feedback.

The worker never touches the gradebook, grades.csv, the state file or the output folder: it
works in its own scratch folder (given by the parent) and returns a small JSON-able result,

    {"status": "graded" | "failed" | "error", "reason": str, "cells": [{grade_id, exercise,
     points, max_points, passed, error, diagnosis}], "manual": [grade_id ...], "notebook": path,
     "feedback": path}

(diagnosis: None for a passed cell, else the grader's own {kind, key, text}: diagnoses.py).

"failed" is the submission's fault (unreadable notebook, kernel crash - cells run before the
crash keep their points); "error" is the grading machinery's (retried on the next run).
The kernel runs in <scratch>/run, a folder holding only the assembled notebook.
"""
from __future__ import annotations

import copy
import os
import shutil
import signal
import subprocess
import time
import traceback
from pathlib import Path

import nbformat

from . import assemble
from .diagnoses import NO_RECEIPT, diagnose_cell
from .feedback import render_feedback
from ..checks.receipt import MIME as RECEIPT_MIME
from .jail import SPEC_NAME, Jail, kernel_uid, kernelspec, prepare_run, write_plan
from .outputs import LIMIT, truncate_outputs

__all__ = ["grade_submission", "score", "watch_parent", "ERROR_CHARS"]

ERROR_CHARS = 2000    # an error text kept in the result (the notebook keeps it all, truncated)
OUTPUT_BUDGET = 2 * LIMIT   # characters of output kept per cell while running (then truncated to LIMIT)
RECEIPT_BUDGET = 64 * 2**20  # characters of hidden-test receipts per cell (xavier_normal's: 15 MB)


def _read(path):
    with open(path, encoding="utf-8") as f:
        return nbformat.read(f, as_version=4)


def _error_output(ename: str, evalue: str):
    return nbformat.v4.new_output("error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


def _size(content) -> int:
    """Characters of an output message's payload (text, data, traceback)."""
    if isinstance(content, str):
        return len(content)
    if isinstance(content, dict):
        return sum(_size(v) for v in content.values())
    if isinstance(content, (list, tuple)):
        return sum(_size(v) for v in content)
    return 0


def _capped_client(budget: int):
    """A NotebookClient that keeps at most `budget` characters of output per cell.

    Beyond it, outputs are dropped as they arrive (one note says so), so a cell printing
    100 MB in a loop never holds more than the budget in the grader's memory.
    """
    from nbclient import NotebookClient

    class CappedClient(NotebookClient):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._used, self._receipts = {}, {}     # characters taken per cell index

        def output(self, outs, msg, display_id, cell_index):
            kind = msg["msg_type"]
            if kind not in ("stream", "display_data", "execute_result", "update_display_data"):
                return super().output(outs, msg, display_id, cell_index)
            if kind == "display_data" and RECEIPT_MIME in (msg["content"].get("data") or {}):
                # receipts are judged, then dropped: a budget of their own
                taken = self._receipts.get(cell_index, 0) + _size(msg["content"])
                self._receipts[cell_index] = taken
                return super().output(outs, msg, display_id, cell_index) if taken <= RECEIPT_BUDGET else None
            used = self._used.get(cell_index, 0)
            size = _size(msg["content"])
            self._used[cell_index] = used + size
            if used + size <= budget:
                return super().output(outs, msg, display_id, cell_index)
            if used > budget:
                return None                                   # already cut, note given
            if kind == "stream":                              # keep what fits, then the note
                msg = {**msg, "content": {**msg["content"], "text": msg["content"]["text"][: budget - used]}}
                super().output(outs, msg, display_id, cell_index)
            outs.append(nbformat.v4.new_output(
                "stream", name="stderr", text=f"\n... [output truncated: this cell printed more than {budget} "
                                              f"characters; the rest is not shown]\n"))
            return None

    return CappedClient


def execute(nb, workdir: Path, timeout: float, jail=None, fonts: str | None = None,
            answers: dict | None = None) -> str | None:
    """Run every code cell of `nb` in place, in a fresh jailed kernel whose cwd is workdir.

    Errors are recorded as outputs and execution goes on. A cell running past `timeout` seconds
    is interrupted (KeyboardInterrupt in its outputs) and marked as timed out. A dead kernel
    ends the run: the cells not run get an error output. Returns why the run ended early, or None.
    The kernel's launcher files go in a sibling folder of workdir (<workdir>-kernel). answers:
    the checks' reference answers computed for the whole run (jail.kernel_answers), or None.
    """
    from jupyter_client import AsyncKernelManager
    from jupyter_client.kernelspec import KernelSpecManager

    from ..grading import nbgrader_env

    jail = jail or Jail(kind="none", memory=0)
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    side = workdir.parent / f"{workdir.name}-kernel"
    (side / "private").mkdir(parents=True)
    uid = kernel_uid() if jail.drop_root else None
    prepare_run(workdir, jail, fonts, uid)
    plan = write_plan(side / "plan.json", jail, workdir, side / "private", uid, answers)
    specs = KernelSpecManager(kernel_dirs=[str(kernelspec(side / "kernels", plan))])
    # Unix sockets in the run folder: the sandboxed kernel has no network at all
    km = AsyncKernelManager(kernel_name=SPEC_NAME, kernel_spec_manager=specs, transport="ipc",
                            ip=str(workdir / "kernel"))
    client = _capped_client(OUTPUT_BUDGET)(
        nb, km=km, timeout=timeout, allow_errors=True, interrupt_on_timeout=True, record_timing=False,
        # a cell that ignores the interrupt must not block the run forever
        error_on_timeout={"ename": "CellTimeout", "evalue": "cell timed out",
                          "traceback": ["CellTimeout: cell timed out"]},
        resources={"metadata": {"path": str(workdir)}})
    code = [(i, c) for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    # the kernel's own start-up chatter is not the instructor's business
    quiet = None if os.environ.get("BACKPROPLAB_KERNEL_OUTPUT") else subprocess.DEVNULL   # for debugging
    group = launcher = None
    try:
        # the launcher (launch.py) adds the kernel's own settings to nbgrader's environment
        with client.setup_kernel(env=nbgrader_env(), stdout=quiet, stderr=quiet):
            group = getattr(km.provisioner, "pgid", None)
            launcher = getattr(km.provisioner, "process", None)
            return _run_cells(client, code, timeout)
    finally:
        # processes the student started (the kernel's process group) must not outlive the grading
        if group:
            try:
                os.killpg(group, signal.SIGKILL)
            except OSError:
                pass
        _reap(launcher)


def _reap(process) -> None:
    """Collect the kernel launcher's exit status. Left unreaped (jupyter_client does not wait for
    it after killing the group), every graded notebook left a zombie process in this worker: a
    class of thousands of notebooks would count them against the user's process limit."""
    if process is None:
        return
    try:
        process.wait(timeout=10)
    except Exception:  # noqa: BLE001 - a launcher that will not die is the sandbox's problem, not the grade's
        pass


def _run_cells(client, code, timeout: float) -> str | None:
    from nbclient.exceptions import DeadKernelError
    for k, (index, cell) in enumerate(code):
        start = time.monotonic()
        try:
            client.execute_cell(cell, index)
        except DeadKernelError:
            why = f"the kernel died while running code cell {k + 1}"
            cell.outputs.append(_error_output("DeadKernelError", why))
            for _, later in code[k + 1:]:
                later.outputs = [_error_output("NotRun", why + "; this cell was not run")]
            return why
        elapsed = time.monotonic() - start
        # kept in the autograded notebook: how long grading a lesson takes, cell by cell
        cell.metadata.setdefault("backproplab", {})["seconds"] = round(elapsed, 3)
        if elapsed >= timeout:
            cell.outputs.append(_error_output(
                "CellTimeout", f"this cell ran longer than {timeout:g} s and was interrupted"))
    return None


def _error_text(cell) -> str | None:
    errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    if not errors:
        return None
    return "\n".join(f"{o.get('ename')}: {o.get('evalue')}" for o in errors)[:ERROR_CHARS]


def _is_receipt(out) -> bool:
    return out.get("output_type") == "display_data" and RECEIPT_MIME in (out.get("data") or {})


def verify_receipts(nb) -> dict:
    """In place: every test cell whose (instructor's) source calls grade("<name>", ...) keeps
    its pass only if the receipt it published replays to a pass here, outside the student's
    kernel (backproplab/checks/receipt.py). Receipts are then removed from every cell.

    Returns {cell index: diagnosis} for every graded test cell that fails, in the kernel or in
    the replay: the grader's own replay of the cell's receipt (diagnoses.py), never the kernel's
    words."""
    from ..checks.receipt import replay
    found = {}
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        receipts = [o["data"][RECEIPT_MIME] for o in cell.get("outputs", []) if _is_receipt(o)]
        cell.outputs = [o for o in cell.get("outputs", []) if not _is_receipt(o)]
        meta = assemble.nbgrader_meta(cell)
        if not meta.get("grade") or meta.get("solution"):
            continue
        failed = bool(_error_text(cell))
        for name in ([] if failed else assemble.hidden_tests_of(cell)):
            mine = [r for r in receipts if isinstance(r, dict) and r.get("exercise") == name]
            why = replay(name, mine[-1]) if mine else (
                "the hidden test left no receipt: something in the notebook changed or silenced "
                "the grading code")
            if why:
                cell.outputs.append(_error_output(
                    "HiddenTestFailed", f"judged outside your notebook, the hidden test of {name} fails: {why}"))
                failed = True
                break
        if failed:
            found[index] = diagnose_cell(cell, receipts)
    return found


def score(nb, diagnoses=None) -> tuple:
    """([cell result], [grade_id needing manual grading]) of an executed notebook.

    An autograded code cell (grade=true, solution=false, points) scores its points when it
    produced no error output, else 0. Answer cells that are also graded, and task cells, are
    left to a person. diagnoses: verify_receipts()' {cell index: diagnosis}; a failed cell
    without one is "no receipt", a passed cell's diagnosis is None.
    """
    cells, manual = [], []
    for index, cell in enumerate(nb.cells):
        meta = assemble.nbgrader_meta(cell)
        if meta.get("task") or (meta.get("grade") and (meta.get("solution") or cell.cell_type != "code")):
            manual.append(meta.get("grade_id"))
            continue
        if not meta.get("grade"):
            continue
        error = _error_text(cell)
        maximum = float(meta.get("points", 0) or 0)
        diagnosis = None if error is None else (diagnoses or {}).get(index, dict(NO_RECEIPT))
        cells.append({"grade_id": meta.get("grade_id"), "exercise": assemble.exercise_of(cell),
                      "points": 0.0 if error else maximum, "max_points": maximum,
                      "passed": error is None, "error": error, "diagnosis": diagnosis})
    return cells, manual


def _failed(reason: str, **extra) -> dict:
    return {"status": "failed", "reason": reason, "cells": [], "manual": [], **extra}


def watch_parent(interval: float = 0.5) -> None:
    """Pool initializer: exit when the parent process dies.

    Otherwise a killed or crashed parent leaves workers (and their kernels) running a class
    nobody will collect. The worker first kills the process groups of its children (each kernel
    launcher leads one): a kernel still starting, or bwrap, would not notice on its own.
    """
    import threading
    parent = os.getppid()

    def poll():
        while True:
            time.sleep(interval)
            if os.getppid() != parent:
                _kill_children()
                os._exit(1)

    threading.Thread(target=poll, name="watch-parent", daemon=True).start()


def _kill_children() -> None:
    """SIGKILL the process group of every child of this process (Linux /proc; else nothing)."""
    me = os.getpid()
    try:
        pids = [int(p) for p in os.listdir("/proc") if p.isdigit()]
    except OSError:
        return
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            if ppid == me:
                os.killpg(os.getpgid(pid), signal.SIGKILL) if os.getpgid(pid) == pid else os.kill(pid, signal.SIGKILL)
        except (OSError, ValueError, IndexError):
            continue


def grade_submission(job: dict) -> dict:
    """Grade the submission described by `job` (see grade_class); never raises."""
    scratch = Path(job["scratch"])
    try:
        return _grade(job, scratch)
    except Exception as exc:  # noqa: BLE001 - reported to the parent, the run goes on
        tail = traceback.format_exc()[-ERROR_CHARS:]
        return {"status": "error", "reason": f"grading machinery failed: {type(exc).__name__}: {exc}",
                "detail": tail, "cells": [], "manual": []}


def _grade(job: dict, scratch: Path) -> dict:
    try:
        student_nb = _read(job["path"])
    except Exception as exc:  # noqa: BLE001 - any unreadable file is the submission's problem
        return _failed(f"not a readable notebook ({type(exc).__name__}: {str(exc)[:200]})")
    source_nb, release_nb = _read(job["source"]), _read(job["release"])
    if assemble.matching_answers(source_nb, student_nb) == 0:
        return _failed(f"holds none of the answer cells of {job['lesson']} (another lesson's notebook?)")
    nb = assemble.build(source_nb, release_nb, student_nb)
    run = scratch / "run"
    run.mkdir(parents=True)   # empty: the assembled notebook (hidden tests) stays out of the kernel's reach
    jail = Jail(**job["jail"]) if job.get("jail") else None
    crashed = execute(nb, run, float(job["timeout"]), jail, job.get("fonts"), job.get("answers"))
    shutil.rmtree(run, ignore_errors=True)
    diagnoses = verify_receipts(nb)
    truncate_outputs(nb)
    cells, manual = score(nb, diagnoses)
    out = scratch / "out"
    out.mkdir(parents=True)
    notebook = out / f"{job['lesson']}.ipynb"
    nbformat.write(nb, str(notebook))
    feedback = out / f"{job['lesson']}.html"
    feedback.write_text(render_feedback(copy.deepcopy(nb), release_nb, cells, job), encoding="utf-8")
    status, reason = ("failed", crashed) if crashed else ("graded", "")
    return {"status": status, "reason": reason, "cells": cells, "manual": manual,
            "notebook": str(notebook), "feedback": str(feedback)}
