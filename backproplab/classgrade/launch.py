"""The grading kernel's launcher: limits, environment, then exec - in bubblewrap if asked.

The kernelspec that jail.py writes for each submission runs this file as a script,

    python -I .../classgrade/launch.py PLAN CONNECTION_FILE

(a script, not `-m`: importing the package first would cost every kernel start a few 100 ms).
It copies the connection file where only the kernel's uid can read it, sets the resource
limits, and execs ipykernel - inside bubblewrap, dropping to the kernel's own uid when root,
when the plan's jail is "bwrap". See jail.py for what the sandbox hides and why.
"""
from __future__ import annotations

import json
import os
import resource
import shutil
import sys
from pathlib import Path

FILE_LIMIT = 256 * 2**20       # bytes: one file a student's code may write
TMP_LIMIT = 256 * 2**20        # bytes: the sandbox's private /tmp (a tmpfs, i.e. memory)
PROCESS_LIMIT = 1024           # processes and threads of a kernel's uid (root only)
# lessons' arrays are tiny; one BLAS thread per kernel keeps parallel jobs from fighting
ONE_BLAS_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def unshare_args() -> list:
    """bwrap's namespace options (a user namespace only when not root: root needs none)."""
    return ["--unshare-ipc", "--unshare-pid", "--unshare-uts", "--unshare-net", "--unshare-cgroup-try",
            "--die-with-parent", "--new-session"] + ([] if os.geteuid() == 0 else ["--unshare-user"])


def _keep() -> list:
    """Folders the kernel needs even under a hidden one: the interpreter, the packages."""
    paths = {sys.prefix, sys.base_prefix, os.path.realpath(sys.executable),
             str(Path(__file__).resolve().parents[1])}     # the backproplab package
    for p in list(paths):
        paths.add(os.path.realpath(p))
    return sorted(p for p in paths if os.path.exists(p))


def _bwrap_args(jail: dict, run: str, private: str, uid: int | None, answers: dict | None = None) -> list:
    home = os.path.realpath(os.path.expanduser("~"))
    # the private /tmp lives in memory, outside the address-space limit: give it a size
    args = ["bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
            "--perms", "1777", "--size", str(TMP_LIMIT), "--tmpfs", "/tmp"]
    if home != "/" and os.path.isdir(home):
        args += ["--perms", "0755", "--tmpfs", home]
    tmpfs = [Path("/tmp")] + ([Path(home)] if home != "/" else [])
    for keep in _keep():
        # bwrap would make the folders on the way in a new tmpfs 0700 root: the kernel's uid
        # could not reach the interpreter (e.g. a checkout under /tmp or the home folder)
        args += _folders_on_the_way(keep, tmpfs, "0755") + ["--ro-bind", keep, keep]
    for hidden in jail["hidden"]:
        if hidden == home:
            continue
        if os.path.isdir(hidden):
            args += ["--perms", "0755", "--tmpfs", hidden]
        elif os.path.exists(hidden):
            args += ["--ro-bind", "/dev/null", hidden]
    for path in (run, private):
        args += _folders_on_the_way(path, tmpfs, "0711")
    args += ["--bind", run, run, "--ro-bind", private, private]
    if answers:
        path = answers["path"]
        args += _folders_on_the_way(path, tmpfs, "0711") + ["--ro-bind", path, path]
    args += ["--chdir", run, *unshare_args()]
    if uid is not None:
        # setpriv changing uid from root clears every capability; no_new_privs stops setuid programs
        args += ["--", "setpriv", f"--reuid={uid}", f"--regid={uid}",
                 "--clear-groups", "--no-new-privs"]
    else:
        args += ["--"]
    return args


def _folders_on_the_way(path: str, tmpfs: list, mode: str) -> list:
    """`--dir` arguments making the folders between a tmpfs and `path` with `mode`."""
    args = []
    for folder in reversed(Path(path).parents):
        if any(root in folder.parents for root in tmpfs):
            args += ["--perms", mode, "--dir", str(folder)]
    return args


def _limits(memory: int, uid: int | None) -> None:
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if uid is not None:
        # counted per uid (threads too): the kernel's own uid runs nothing else, so a fork bomb
        # stops here; under the instructor's uid it would count all their processes
        resource.setrlimit(resource.RLIMIT_NPROC, (PROCESS_LIMIT, PROCESS_LIMIT))
    resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_LIMIT, FILE_LIMIT))
    if memory:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))


def _environment(jail: dict, run: str, answers: dict | None = None) -> dict:
    env = dict(os.environ)
    env.update(HOME=run, IPYTHONDIR=os.path.join(run, ".ipython"), MPLCONFIGDIR=os.path.join(run, ".matplotlib"),
               MPLBACKEND="Agg", PYTHONNOUSERSITE="1", TMPDIR="/tmp" if jail["kind"] == "bwrap" else run,
               **ONE_BLAS_THREAD,
               BACKPROPLAB_GRADING="1")     # the checks publish receipts (checks/receipt.py)
    env.pop("BACKPROPLAB_REFERENCES", None)
    if answers:      # checks/references.py: computed once per run, checked by its digest
        env["BACKPROPLAB_REFERENCES"] = f"{answers['sha256']}:{answers['path']}"
    for secret in ("JUPYTER_TOKEN", "JPY_API_TOKEN", "JUPYTERHUB_API_TOKEN"):
        env.pop(secret, None)
    if jail["kind"] == "bwrap":
        # in its PID namespace the kernel's parent is pid 1, which ipykernel's parent poller takes
        # for "the grader died"; --die-with-parent does that job here
        env.pop("JPY_PARENT_PID", None)
    return env


def _die_with_the_grader(grader: int | None) -> None:
    """SIGKILL this process (bwrap, after exec) when the grading worker dies.

    bwrap's --die-with-parent ties the sandboxed kernel to bwrap, but bwrap itself outlived a
    worker killed mid-run (the kernel's own parent check is off in the sandbox, see
    _environment). The parent-death signal survives exec. Linux only; elsewhere nothing.
    """
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, 9, 0, 0, 0)          # PR_SET_PDEATHSIG, SIGKILL
    except (OSError, AttributeError):
        pass
    if grader is not None and os.getppid() != grader:   # it died before the signal was armed
        os._exit(1)


def main(argv) -> None:
    plan_path, connection = argv
    plan = json.loads(Path(plan_path).read_text(encoding="utf-8"))
    jail, run, private, uid = plan["jail"], plan["run"], plan["private"], plan.get("uid")
    # the kernel reads its key from a copy only it (and the grader) can read
    key = os.path.join(private, "kernel.json")
    shutil.copyfile(connection, key)
    os.chmod(key, 0o600)
    if uid is not None:
        os.chown(key, uid, uid)
    _limits(int(jail["memory"]), uid)
    if jail["kind"] == "bwrap":
        _die_with_the_grader(plan.get("grader"))
    kernel = [sys.executable, "-m", "ipykernel_launcher", "-f", key]
    answers = plan.get("answers")
    command = (_bwrap_args(jail, run, private, uid, answers) if jail["kind"] == "bwrap" else []) + kernel
    os.execvpe(command[0], command, _environment(jail, run, answers))


if __name__ == "__main__":
    main(sys.argv[1:])
