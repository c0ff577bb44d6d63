"""The grading kernel's jail (backproplab/classgrade/jail.py) and the worker's output cap.

The end-to-end cases (hostile notebooks through the grade command) are in test_hostile.py;
here: the options' parsing and errors, the sandbox choice, and what a kernel started through
the jail can and cannot do, on tiny notebooks.
"""
from __future__ import annotations

import os
import shutil

import pytest
from nbformat.v4 import new_code_cell, new_notebook

from backproplab import cli
from backproplab.classgrade import jail as jailmod
from backproplab.classgrade import launch
from backproplab.classgrade.jail import Jail, choose, parse_size
from backproplab.classgrade.worker import OUTPUT_BUDGET, execute

GIB = 2**30


@pytest.mark.parametrize("text, size", [("4G", 4 * GIB), ("4GiB", 4 * GIB), ("512m", 512 * 2**20),
                                        ("0", 0), ("1.5G", int(1.5 * GIB)), (str(GIB), GIB)])
def test_memory_sizes(text, size):
    assert parse_size(text) == size


@pytest.mark.parametrize("text, says", [("lots", "such as 4G"), ("-1G", "negative"), ("10M", "below 256M"),
                                        ("", "such as 4G")])
def test_bad_memory_sizes_say_what_is_wrong(text, says):
    with pytest.raises(ValueError, match=says):
        parse_size(text)


def test_unknown_sandbox_mode_names_the_choices():
    with pytest.raises(ValueError, match="auto, bwrap, none"):
        choose("docker", 0, hidden=[])


def test_insisting_on_bwrap_without_it_refuses(monkeypatch):
    monkeypatch.setattr(jailmod.shutil, "which", lambda name: None)
    with pytest.raises(RuntimeError, match="bwrap is not installed.*apt install bubblewrap"):
        choose("bwrap", 0, hidden=[])
    fallback = choose("auto", 0, hidden=[])
    assert fallback.kind == "none" and "bwrap is not installed" in fallback.describe()
    assert "student code runs with your permissions" in fallback.describe()


def test_cli_reports_bad_options_without_a_traceback(tmp_path, capsys):
    assert cli.main(["grade", str(tmp_path), "--memory", "lots", "--no-progress"]) == 1
    err = capsys.readouterr().err
    assert "--memory must be a size such as 4G" in err and "Traceback" not in err
    assert cli.main(["grade", str(tmp_path), "--timeout", "0", "--no-progress"]) == 1
    assert "--timeout must be positive" in capsys.readouterr().err


def _run(cells, jail, tmp_path, timeout=20):
    nb = new_notebook(cells=[new_code_cell(src) for src in cells])
    why = execute(nb, tmp_path / "run", timeout, jail, jailmod.font_cache())
    return nb, why


def _stream(cell, name: str) -> str:
    """Everything the cell wrote to one stream, wherever it stands among the outputs."""
    return "".join(o.get("text", "") for o in cell.outputs
                   if o.output_type == "stream" and o.get("name") == name)


def _stdout(cell) -> str:
    # stdout alone: Python >= 3.12 may put a DeprecationWarning (fork() in a multi-threaded
    # process) on stderr before what a cell prints
    return _stream(cell, "stdout")


def _errors(cell) -> list:
    return [o.ename for o in cell.outputs if o.output_type == "error"]


@pytest.mark.parametrize("kind", ["none", "bwrap"])
def test_memory_limit_turns_a_huge_allocation_into_memory_error(kind, tmp_path):
    if kind == "bwrap" and jailmod._bwrap_problem():
        pytest.skip(f"no sandbox here: {jailmod._bwrap_problem()}")
    jail = Jail(kind=kind, memory=2 * GIB, drop_root=(kind == "bwrap" and os.geteuid() == 0))
    nb, why = _run(["import numpy as np\nbig = np.ones(10**10)",   # 80 GB
                    "print('still here')"], jail, tmp_path)
    assert why is None
    assert _errors(nb.cells[0]) == ["MemoryError"], nb.cells[0].outputs
    assert _stdout(nb.cells[1]) == "still here\n"


def test_output_is_capped_while_it_streams(tmp_path):
    """A loop printing 10 x 1 MB keeps at most the budget (plus one note) in the grader."""
    nb, why = _run(["for _ in range(10):\n    print('x' * 1_000_000)", "print('next')"],
                   Jail(kind="none", memory=0), tmp_path)
    text = _stdout(nb.cells[0])
    assert why is None
    # every message's stream name counts against the budget too: a few characters less text
    assert OUTPUT_BUDGET - 500 <= len(text) <= OUTPUT_BUDGET, len(text)
    assert "[output truncated: this cell printed more than" in _stream(nb.cells[0], "stderr")
    assert _stdout(nb.cells[1]) == "next\n"


def test_a_process_the_student_starts_does_not_outlive_the_grading(tmp_path):
    marker = f"backproplab-orphan-{os.getpid()}"
    nb, why = _run([f"import subprocess\nsubprocess.Popen(['sh', '-c', 'exec -a {marker} sleep 300'])"],
                   Jail(kind="none", memory=0), tmp_path)
    assert why is None and not _errors(nb.cells[0])
    alive = [p for p in os.listdir("/proc") if p.isdigit() and _cmdline(p).startswith(marker)]
    assert alive == [], f"processes left behind: {alive}"


def _cmdline(pid: str) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


@pytest.mark.skipif(shutil.which("bwrap") is None, reason="bubblewrap (bwrap) is not installed")
def test_the_sandboxed_kernel_sees_no_secrets_and_writes_nothing_outside(tmp_path):
    if jailmod._bwrap_problem():
        pytest.skip(f"no sandbox here: {jailmod._bwrap_problem()}")
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "answers.txt").write_text("42")
    target = tmp_path / "outside.txt"
    jail = choose("bwrap", 2 * GIB, hidden=[secret])
    nb, why = _run([
        "import os\nprint(sorted(os.listdir(%r)))" % str(secret),
        "open(%r, 'w').write('pwned')" % str(target),
        "open('mine.txt', 'w').write('ok'); print(open('mine.txt').read())",
        "import socket\nsocket.create_connection(('127.0.0.1', 22), timeout=2)",
        "print(os.getuid())",
    ], jail, tmp_path)
    assert why is None
    assert _stdout(nb.cells[0]) == "[]\n", "the hidden folder's files are visible in the sandbox"
    assert set(_errors(nb.cells[1])) <= {"OSError", "PermissionError"} and _errors(nb.cells[1])
    assert not target.exists()
    assert _stdout(nb.cells[2]) == "ok\n", "the kernel cannot write in its own run folder"
    assert _errors(nb.cells[3]), "the sandbox reached the network"
    if os.geteuid() == 0:
        uid = int(_stdout(nb.cells[4]))
        assert uid >= jailmod.UID_BASE, f"the kernel runs as uid {uid}, not one of its own"
    assert (secret / "answers.txt").read_text() == "42"


def test_a_fork_bomb_stops_at_the_kernels_own_process_limit(tmp_path):
    if os.geteuid() != 0 or jailmod._bwrap_problem():
        pytest.skip("the process limit needs root (a uid of the kernel's own) and bubblewrap")
    jail = choose("bwrap", 2 * GIB, hidden=[])
    nb, why = _run(["import os, time\nn = 0\ntry:\n"
                    "    for _ in range(3 * %d):\n" % launch.PROCESS_LIMIT +
                    "        if os.fork() == 0:\n            time.sleep(5)\n            os._exit(0)\n"
                    "        n += 1\nexcept OSError as e:\n    print('stopped after', n)"], jail, tmp_path,
                   # a thousand forks of a kernel: 10 s on a quiet machine, 40 s on a busy one
                   timeout=90)
    out = _stdout(nb.cells[0])
    assert out.startswith("stopped after "), nb.cells[0].outputs
    assert int(out.split()[-1]) <= launch.PROCESS_LIMIT


def test_the_sandbox_tmp_is_bounded(tmp_path):
    if jailmod._bwrap_problem():
        pytest.skip(f"no sandbox here: {jailmod._bwrap_problem()}")
    jail = choose("bwrap", 2 * GIB, hidden=[])
    chunk = 64 * 2**20
    nb, why = _run(["import os\nwritten = 0\ntry:\n"
                    "    for i in range(40):\n"
                    "        with open(f'/tmp/fill{i}', 'wb') as f:\n"
                    "            f.write(b'x' * %d)\n" % chunk +
                    "        written += %d\nexcept OSError as e:\n    print('stopped', written, e.errno)" % chunk],
                   jail, tmp_path)
    out = _stdout(nb.cells[0])
    assert out.startswith("stopped"), nb.cells[0].outputs
    assert int(out.split()[1]) <= launch.TMP_LIMIT


def test_folders_above_a_checkout_under_tmp_or_home_stay_reachable(monkeypatch):
    """A course checked out under /tmp (CI) or the home folder: the sandbox's own /tmp and home
    are empty tmpfs, and bwrap would create the folders down to the re-exposed interpreter as
    0700 root, which the kernel's uid cannot enter."""
    monkeypatch.setattr(launch, "_keep", lambda: ["/tmp/ci/course/.venv", "/tmp/ci/course/backproplab"])
    plan = {"hidden": [], "drop_root": True, "kind": "bwrap"}
    args = launch._bwrap_args(plan, "/tmp/grade-x/job-0/run", "/tmp/grade-x/job-0/run-kernel/private", 4242)
    made = {args[i + 3]: args[i + 1] for i in range(len(args) - 3)
            if args[i] == "--perms" and args[i + 2] == "--dir"}
    for folder in ("/tmp/ci", "/tmp/ci/course"):
        assert made.get(folder) == "0755", (folder, made)
    for folder in ("/tmp/grade-x", "/tmp/grade-x/job-0", "/tmp/grade-x/job-0/run-kernel"):
        assert made.get(folder) == "0711", (folder, made)
    first_bind = args.index("/tmp/ci/course/.venv")
    assert args.index("/tmp/ci/course") < first_bind, "folders must exist before the bind"
    assert "--reuid=4242" in args and "--regid=4242" in args


def test_each_kernel_gets_a_uid_of_its_own():
    """A worker grades submission after submission: the fork bomb of one must not count
    against the process limit of the next (its processes may still be dying)."""
    uids = [jailmod.kernel_uid() for _ in range(5)]
    assert len(set(uids)) == 5 and min(uids) >= jailmod.UID_BASE and max(uids) < 2**32 - 2


@pytest.mark.parametrize("kind", ["none", "bwrap"])
def test_a_worker_killed_mid_run_leaves_no_kernel_behind(kind, tmp_path):
    import signal
    import subprocess
    import sys
    import time
    if kind == "bwrap" and jailmod._bwrap_problem():
        pytest.skip(f"no sandbox here: {jailmod._bwrap_problem()}")
    run = tmp_path / "run"
    worker = subprocess.Popen([sys.executable, "-c", (
        "from pathlib import Path\nfrom nbformat.v4 import new_notebook, new_code_cell\n"
        "from backproplab.classgrade import worker\nfrom backproplab.classgrade.jail import choose\n"
        "nb = new_notebook(cells=[new_code_cell('import time; time.sleep(600)')])\n"
        f"worker.execute(nb, Path({str(run)!r}), 900, choose({kind!r}, 2**31, []))\n")])
    try:
        deadline = time.monotonic() + 60
        while not _processes_mentioning(str(run)) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _processes_mentioning(str(run)), "the kernel never started"
        time.sleep(1)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    deadline = time.monotonic() + 10
    while _processes_mentioning(str(run)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _processes_mentioning(str(run)), "kernel processes outlived their grader"


def _processes_mentioning(text: str) -> list:
    return [p for p in os.listdir("/proc") if p.isdigit() and text in _cmdline(p)]


def test_the_font_list_handed_to_kernels_is_the_running_matplotlibs(tmp_path, monkeypatch):
    import matplotlib
    from matplotlib import font_manager
    real = jailmod.font_cache()
    name = f"fontlist-v{font_manager.FontManager.__version__}.json"
    assert real and os.path.basename(real) == name
    cache = tmp_path / "cache"
    cache.mkdir()
    shutil.copy(real, cache / name)
    # an older matplotlib's list in the same cache folder, sorting after this one's name
    (cache / "fontlist-v390.json").write_text('{"_version": 390}')
    monkeypatch.setattr(matplotlib, "get_cachedir", lambda: str(cache))
    assert jailmod.font_cache() == str(cache / name)


@pytest.mark.parametrize("kind", ["none", "bwrap"])
def test_a_kernel_loads_the_font_list_it_was_given_instead_of_rebuilding_it(kind, tmp_path):
    if kind == "bwrap" and jailmod._bwrap_problem():
        pytest.skip(f"no sandbox here: {jailmod._bwrap_problem()}")
    jail = Jail(kind=kind, memory=2 * GIB, drop_root=(kind == "bwrap" and os.geteuid() == 0))
    nb, why = _run(["import logging\nlogging.basicConfig(level=logging.INFO)\n"
                    "from matplotlib import font_manager\nprint(len(font_manager.fontManager.ttflist) > 0)"],
                   jail, tmp_path)
    assert why is None and _stdout(nb.cells[0]).strip() == "True"
    # matplotlib says so (INFO) when it builds a font list: a second or more per notebook
    assert "generated new fontManager" not in _stream(nb.cells[0], "stderr")


@pytest.mark.parametrize("kind", ["none", "bwrap"])
def test_a_graded_notebook_leaves_no_zombie_process_in_the_worker(kind, tmp_path):
    if kind == "bwrap" and jailmod._bwrap_problem():
        pytest.skip(f"no sandbox here: {jailmod._bwrap_problem()}")
    jail = Jail(kind=kind, memory=2 * GIB, drop_root=(kind == "bwrap" and os.geteuid() == 0))

    def zombies():
        import subprocess
        out = subprocess.run(["ps", "--ppid", str(os.getpid()), "-o", "stat="], capture_output=True, text=True).stdout
        return sum(1 for line in out.split() if line.startswith("Z"))
    before = zombies()
    for k in range(2):
        nb, why = _run(["print('hello')"], jail, tmp_path / str(k))
        assert why is None and _stdout(nb.cells[0]) == "hello\n"
    assert zombies() == before
