"""Where a student's kernel runs: resource limits always, a bubblewrap sandbox where possible.

Plain nbgrader runs student code with the instructor's permissions. Here every grading kernel
is started through `python -I .../classgrade/launch.py PLAN CONNECTION_FILE`, which

- sets resource limits (address space = --memory, no core dumps, files at most
  launch.FILE_LIMIT);
- points HOME, IPYTHONDIR, MPLCONFIGDIR at the kernel's own run folder, so nothing is read
  from or written to the instructor's configuration;
- with bubblewrap ("bwrap", Debian package bubblewrap) execs the kernel in a sandbox:
  the whole file system read-only; the home folder, the course's solutions/ and grading/
  folders, the submissions and the output folder replaced by empty folders (the interpreter
  and the backproplab package re-exposed read-only); a private /tmp; only the run folder
  writable; its own PID, IPC, UTS and network namespaces (the kernel talks to the grader over
  Unix sockets in the run folder); killed with its grader. When the grader runs as root the
  kernel also drops to an unprivileged uid/gid of its own (kernel_uid), may not gain
  privileges, and may run at most launch.PROCESS_LIMIT processes and threads.

Without bubblewrap ("none") only the limits, the private HOME and the separate process and
working copy remain; the grade command says so in its summary.
"""
from __future__ import annotations

import hashlib
import itertools
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from . import launch

__all__ = ["Jail", "choose", "kernelspec", "write_plan", "prepare_run", "font_cache", "compile_package", "kernel_answers",
           "parse_size", "MODES", "kernel_uid", "SPEC_NAME"]

MODES = ("auto", "bwrap", "none")
UID_BASE = 1_900_000_000       # + pid and count (kernel_uid): uids no account uses
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
        probe = subprocess.run([exe, *launch.unshare_args(), "--ro-bind", "/", "/", "--", "true"],
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
    spec = {"argv": [sys.executable, "-I", str(Path(launch.__file__).resolve()), str(plan_path),
                     "{connection_file}"],
            "display_name": "backproplab (grading)", "language": "python",
            # the kernel is not the launcher's direct child inside bwrap: interrupt by message
            "interrupt_mode": "message"}
    (folder / "kernel.json").write_text(json.dumps(spec, indent=1), encoding="utf-8")
    return spec_root


def write_plan(path: Path, jail: Jail, run: Path, private: Path, uid: int | None = None,
               answers: dict | None = None) -> Path:
    """The launcher's instructions: the jail, the run folder, a private folder for the key, the uid,
    this process's pid (the launcher's parent) and the run's reference answers (kernel_answers)."""
    path.write_text(json.dumps({"jail": jail.to_dict(), "run": str(run), "private": str(private), "uid": uid,
                                "grader": os.getpid(),    # the launcher's parent
                                "answers": answers}),
                    encoding="utf-8")
    return path


def compile_package() -> None:
    """Compile the package's bytecode before the kernels start: the sandbox is read-only, so a
    kernel cannot write it, and without it every kernel compiles the catalogues from source."""
    import compileall
    try:
        compileall.compile_dir(str(Path(launch.__file__).resolve().parents[1]), quiet=2)
    except OSError:
        pass                                   # a read-only installation: compiled when installed


def kernel_answers(folder: Path, timeout: float = 300) -> dict | None:
    """The checks' reference answers (checks/references.py) computed once for a grading run's
    kernels, in a process with their BLAS setting: {path, sha256} of the file, or None.
    A failure costs time, never grades: the kernels then compute the answers themselves."""
    from ..grading import nbgrader_env
    path = Path(folder) / "answers.pickle"
    env = {**nbgrader_env(), **launch.ONE_BLAS_THREAD, "MPLBACKEND": "Agg"}
    code = "import sys; from backproplab.checks.references import write; write(sys.argv[1])"
    try:
        subprocess.run([sys.executable, "-c", code, str(path)], env=env, cwd=str(folder), timeout=timeout,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        _traversable(path)                 # the kernels' own uids read it
    except OSError:
        return None
    # the kernel checks the digest before it unpickles: without the sandbox a student's code
    # could rewrite the file for the kernels after it, which would then ignore it
    return {"path": str(path), "sha256": digest}


def font_cache() -> str | None:
    """matplotlib's font list (built now if missing): copied into each run folder, since a
    kernel with its own MPLCONFIGDIR would otherwise rebuild it, a second or more per notebook."""
    import matplotlib
    from matplotlib import font_manager  # importing it writes the font list if missing
    # by its exact name: a cache folder shared with older matplotlibs also holds their lists
    # (fontlist-v390.json sorts after fontlist-v3.11.0.json), which this one would rebuild
    found = Path(matplotlib.get_cachedir(), f"fontlist-v{font_manager.FontManager.__version__}.json")
    return str(found) if found.is_file() else None


_STARTED = itertools.count()


def kernel_uid() -> int:
    """A fresh uid (and gid) for the next kernel this process starts: one student's processes
    (a fork bomb) count against that kernel's process limit only, and processes of the
    previous kernel still being killed cannot stop the next one from starting."""
    return UID_BASE + (os.getpid() % 100_000) * 1000 + next(_STARTED) % 1000


def prepare_run(run: Path, jail: Jail, fonts: str | None, uid: int | None = None) -> None:
    """The kernel's home: IPython and matplotlib configuration, owned by the kernel's user."""
    profile = run / ".ipython" / "profile_default"
    profile.mkdir(parents=True)
    if not jail.figures:
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
