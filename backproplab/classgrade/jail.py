"""Where a student's kernel runs: resource limits always, a bubblewrap sandbox where possible.

Plain nbgrader runs student code with the instructor's permissions. Here every grading kernel
is started through `python -I .../classgrade/jail.py PLAN CONNECTION_FILE`, which

- sets resource limits (address space = --memory, no core dumps, files at most FILE_LIMIT);
- points HOME, IPYTHONDIR, MPLCONFIGDIR at the kernel's own run folder, so nothing is read
  from or written to the instructor's configuration;
- with bubblewrap ("bwrap", Debian package bubblewrap) execs the kernel in a sandbox:
  the whole file system read-only; the home folder, the course's solutions/ and grading/
  folders, the submissions and the output folder replaced by empty folders (the interpreter
  and the backproplab package re-exposed read-only); a private /tmp; only the run folder
  writable; its own PID, IPC, UTS and network namespaces (the kernel talks to the grader over
  Unix sockets in the run folder); killed with its grader. When the grader runs as root the
  kernel also drops to an unprivileged uid/gid of its own (kernel_uid), may not gain
  privileges, and may run at most PROCESS_LIMIT processes and threads.

Without bubblewrap ("none") only the limits, the private HOME and the separate process and
working copy remain; the grade command says so in its summary.
"""
from __future__ import annotations

import json
import os
import resource
import shutil
import stat
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

__all__ = ["Jail", "choose", "kernelspec", "write_plan", "prepare_run", "font_cache", "parse_size", "MODES", "kernel_uid", "FILE_LIMIT", "SPEC_NAME"]

MODES = ("auto", "bwrap", "none")
UID_BASE = 1_900_000_000       # + the worker's pid: a uid no account uses, one per running kernel
FILE_LIMIT = 256 * 2**20       # bytes: one file a student's code may write
TMP_LIMIT = 256 * 2**20        # bytes: the sandbox's private /tmp (a tmpfs, i.e. memory)
PROCESS_LIMIT = 1024           # processes and threads of a kernel's uid (root only)
SPEC_NAME = "backproplab-jail"


@dataclass(frozen=True)
class Jail:
    kind: str                  # "bwrap" or "none"
    memory: int                # bytes of address space for the kernel; 0 = no limit
    hidden: tuple = ()         # folders the kernel sees as empty
    figures: bool = False      # render matplotlib figures (else they show as text)
    drop_root: bool = False    # run each kernel as its own unused uid/gid (kernel_uid)
    why_not: str = ""          # kind "none": why there is no sandbox

    def describe(self) -> str:
        memory = f"{self.memory / 2**30:g} GiB address space per kernel" if self.memory else "no memory limit"
        if self.kind == "bwrap":
            who = "each kernel as its own unprivileged uid, " if self.drop_root else ""
            return (f"sandbox: bubblewrap ({who}read-only file system, no network, course answers, "
                    f"grading files, submissions and home hidden; {memory})")
        return (f"sandbox: none ({self.why_not}: student code runs with your permissions and can read and "
                f"write what you can; {memory})")

    def to_dict(self) -> dict:
        return asdict(self)


def parse_size(text) -> int:
    """'4G', '512M', '0' (no limit) or a number of bytes -> bytes."""
    units = {"": 1, "K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}
    raw = str(text).strip().upper().removesuffix("B").removesuffix("I")
    unit = raw[-1:] if raw[-1:] in units else ""
    number = raw[: len(raw) - len(unit)]
    try:
        value = float(number)
    except ValueError:
        raise ValueError(f"--memory must be a size such as 4G, 512M or 0 (no limit), got {text!r}") from None
    if value < 0 or value != value:
        raise ValueError(f"--memory must not be negative, got {text!r}")
    size = int(value * units[unit])
    if 0 < size < 256 * 2**20:
        raise ValueError(f"--memory {text!r} is below 256M, too little for a Python kernel with numpy")
    return size


def _bwrap_problem() -> str | None:
    """None if bubblewrap can start a sandbox here, else why not."""
    exe = shutil.which("bwrap")
    if not exe:
        return "bwrap is not installed"
    try:
        probe = subprocess.run([exe, *_unshare(), "--ro-bind", "/", "/", "--", "true"],
                               capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"bwrap did not start: {exc}"
    if probe.returncode != 0:
        return f"bwrap failed: {probe.stderr.strip()[:200]}"
    return None


def choose(mode: str, memory: int, hidden, figures: bool = False) -> Jail:
    """The jail for this run; mode 'bwrap' insists on the sandbox, 'auto' uses it if it works."""
    if mode not in MODES:
        raise ValueError(f"--sandbox must be one of {', '.join(MODES)}, got {mode!r}")
    kind, why_not = "none", "--sandbox none"
    if mode != "none":
        problem = _bwrap_problem()
        if problem is None:
            kind, why_not = "bwrap", ""
        elif mode == "bwrap":
            raise RuntimeError(f"--sandbox bwrap: {problem} (Debian/Ubuntu: apt install bubblewrap)")
        else:
            why_not = f"{problem}; Debian/Ubuntu: apt install bubblewrap"
    shown = tuple(sorted({str(Path(h).resolve()) for h in hidden if h}))
    return Jail(kind=kind, memory=int(memory), hidden=shown, figures=figures,
                drop_root=(kind == "bwrap" and os.geteuid() == 0), why_not=why_not)


def kernelspec(spec_root: Path, plan_path: Path) -> Path:
    """Write a kernelspec whose command is this launcher; return the folder to search."""
    folder = spec_root / SPEC_NAME
    folder.mkdir(parents=True, exist_ok=True)
    # run as a script: importing the package first would cost every kernel start a few 100 ms
    spec = {"argv": [sys.executable, "-I", str(Path(__file__).resolve()), str(plan_path), "{connection_file}"],
            "display_name": "backproplab (grading)", "language": "python",
            # the kernel is not the launcher's direct child inside bwrap: interrupt by message
            "interrupt_mode": "message"}
    (folder / "kernel.json").write_text(json.dumps(spec, indent=1), encoding="utf-8")
    return spec_root


def write_plan(path: Path, jail: Jail, run: Path, private: Path, uid: int | None = None) -> Path:
    """The launcher's instructions: the jail, the run folder, a private folder for the key, the uid."""
    path.write_text(json.dumps({"jail": jail.to_dict(), "run": str(run), "private": str(private), "uid": uid}),
                    encoding="utf-8")
    return path


def font_cache() -> str | None:
    """matplotlib's font list (built now if missing): copied into each run folder, since a
    kernel with its own MPLCONFIGDIR would otherwise rebuild it, a second or more per notebook."""
    import matplotlib
    from matplotlib import font_manager  # noqa: F401 - importing it writes the font list if missing
    found = sorted(Path(matplotlib.get_cachedir()).glob("fontlist-*.json"))
    return str(found[-1]) if found else None


def kernel_uid() -> int:
    """The uid (and gid) of the kernel this worker starts: own per kernel, so that one student's
    processes (a fork bomb) count against that kernel's process limit only."""
    return UID_BASE + os.getpid()


def prepare_run(run: Path, jail: Jail | dict, fonts: str | None, uid: int | None = None) -> None:
    """The kernel's home: IPython and matplotlib configuration, owned by the kernel's user."""
    jail = jail if isinstance(jail, dict) else jail.to_dict()
    profile = run / ".ipython" / "profile_default"
    profile.mkdir(parents=True)
    if not jail["figures"]:
        # figures are not graded; drawing them is most of a lesson's run time
        (profile / "ipython_kernel_config.py").write_text("c.InlineBackend.figure_formats = set()\n")
    (run / ".matplotlib").mkdir()
    if fonts and os.path.isfile(fonts):
        shutil.copy(fonts, run / ".matplotlib" / os.path.basename(fonts))
    if uid is not None:
        _traversable(run)
        for folder, dirs, files in os.walk(run):
            for name in [folder, *(os.path.join(folder, n) for n in dirs + files)]:
                os.chown(name, uid, uid)


def _traversable(path: Path) -> None:
    """Let the kernel's uid walk down to `path`: bubblewrap gives the sandbox's copies of its parent
    folders their modes, and mkdtemp's are 0700. Only folders below the temp folder, owned by
    us, get o+x (enter, not list)."""
    top = Path(tempfile.gettempdir()).resolve()
    for folder in Path(path).resolve().parents:
        if folder == top or top not in folder.parents:
            break
        info = folder.stat()
        if info.st_uid == os.geteuid() and not info.st_mode & stat.S_IXOTH:
            os.chmod(folder, stat.S_IMODE(info.st_mode) | stat.S_IXOTH)


# -- the launcher (runs as the kernel's parent, then execs) ------------------------------------

def _unshare() -> list:
    return ["--unshare-ipc", "--unshare-pid", "--unshare-uts", "--unshare-net", "--unshare-cgroup-try",
            "--die-with-parent", "--new-session"] + ([] if os.geteuid() == 0 else ["--unshare-user"])


def _keep() -> list:
    """Folders the kernel needs even under a hidden one: the interpreter, the packages."""
    paths = {sys.prefix, sys.base_prefix, os.path.realpath(sys.executable),
             str(Path(__file__).resolve().parents[1])}     # the backproplab package
    for p in list(paths):
        paths.add(os.path.realpath(p))
    return sorted(p for p in paths if os.path.exists(p))


def _bwrap_args(jail: dict, run: str, private: str, uid: int | None) -> list:
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
    args += ["--bind", run, run, "--ro-bind", private, private, "--chdir", run, *_unshare()]
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


def _environment(jail: dict, run: str) -> dict:
    env = dict(os.environ)
    env.update(HOME=run, IPYTHONDIR=os.path.join(run, ".ipython"), MPLCONFIGDIR=os.path.join(run, ".matplotlib"),
               MPLBACKEND="Agg", PYTHONNOUSERSITE="1", TMPDIR="/tmp" if jail["kind"] == "bwrap" else run,
               # lessons' arrays are tiny; one BLAS thread per kernel keeps parallel jobs from fighting
               OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1",
               BACKPROPLAB_GRADING="1")     # the checks publish receipts (checks/receipt.py)
    for secret in ("JUPYTER_TOKEN", "JPY_API_TOKEN", "JUPYTERHUB_API_TOKEN"):
        env.pop(secret, None)
    if jail["kind"] == "bwrap":
        # in its PID namespace the kernel's parent is pid 1, which ipykernel's parent poller takes
        # for "the grader died"; --die-with-parent does that job here
        env.pop("JPY_PARENT_PID", None)
    return env


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
    kernel = [sys.executable, "-m", "ipykernel_launcher", "-f", key]
    command = (_bwrap_args(jail, run, private, uid) if jail["kind"] == "bwrap" else []) + kernel
    os.execvpe(command[0], command, _environment(jail, run))


if __name__ == "__main__":
    main(sys.argv[1:])
