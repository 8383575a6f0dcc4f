"""What every fault family shares: running repstore with a timeout, judging its messages, trial outcomes."""

import hashlib
import os
import random
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field

CAUGHT, HARMLESS, LOST, CRASH, SKIPPED = "caught", "harmless", "lost", "crash", "skipped"
OUTCOMES = (CAUGHT, HARMLESS, LOST, CRASH)

# Text that only a dump, a trap or raw library output contains: never acceptable in what repstore prints.
DUMP_MARKERS = (
    "Fatal error", "Stack dump", "Current stack trace", "Swift runtime failure", "Error Domain=", "NSError",
    "NSCocoaErrorDomain", "DatabaseError", "Illegal instruction", "Segmentation fault", "Trace/breakpoint",
    "(core dumped)", "<unknown>:0",
)
# SQLite's own words in a one-line message: the fault was reported, but in the library's terms (a finding, not a
# failure, unless a family is strict about it). Collected per trial and summarised after the figures. SQLite's code
# after repstore's own words ("catalog: the file is damaged ...: SQLite error 11: ...") is what repstore means to say.
def in_sqlite_words(line):
    """Whether a line speaks SQLite's language rather than repstore's."""
    return "while executing `" in line or ("SQLite error" in line and "catalog" not in line)
RAW_MESSAGES = []   # (trial label, line)
CURRENT = {"trial": ""}


class Finding(Exception):
    """Raised inside a trial to end it with an outcome and a one-line reason."""

    def __init__(self, outcome, detail):
        super().__init__(detail)
        self.outcome = outcome
        self.detail = detail


@dataclass
class Result:
    argv: list
    code: int            # exit status; -N when killed by signal N; None when it timed out
    stdout: bytes
    stderr: str
    seconds: float

    @property
    def timed_out(self):
        return self.code is None

    def digest(self):
        return hashlib.sha256(self.stdout).hexdigest()[:16]

    def short(self):
        tail = self.stderr.strip().splitlines()[-1:] or [""]
        return f"exit {self.code}: {tail[0][:160]}"


def message_problem(result, many_lines=False, strict=False):
    """Why `result`'s diagnostics are not acceptable, or None.

    Acceptable: no signal, no hang, no dump text; a failure ends stderr with exactly one `repstore: ` line (notes may
    precede it). `many_lines`: several `repstore: ` lines are fine (verify prints one per problem).
    """
    if result.timed_out:
        return f"hang (no exit in {result.seconds:.0f} s)"
    if result.code < 0:
        return f"killed by signal {-result.code}"
    for marker in DUMP_MARKERS:
        if marker in result.stderr:
            line = next(l for l in result.stderr.splitlines() if marker in l)
            return f"dump text {marker!r} in stderr: {line.strip()[:160]}"
    raw = [l.strip() for l in result.stderr.splitlines() if in_sqlite_words(l)]
    if raw:
        if strict:
            return f"raw SQLite text in stderr: {raw[0][:160]}"
        RAW_MESSAGES.append((CURRENT["trial"], raw[0]))
    if result.code == 0:
        return None
    lines = [l for l in result.stderr.splitlines() if l.strip()]
    errors = [l for l in lines if l.startswith("repstore: ")]
    if not lines or not lines[-1].startswith("repstore: "):
        return f"exit {result.code} without a final 'repstore: ' line (stderr: {result.stderr.strip()[:160]!r})"
    if len(errors) > 1 and not many_lines:
        return f"exit {result.code} with {len(errors)} error lines"
    # An error's continuation lines are indented under it; a multi-line message is a dump of some kind.
    if any(l.startswith("          ") for l in lines):
        return f"exit {result.code} with a multi-line message: {result.stderr.strip()[:160]!r}"
    return None


class Repstore:
    """Runs the binary under test; every call has a timeout (a hang is a finding)."""

    def __init__(self, binary, timeout):
        self.binary = os.path.abspath(binary)
        self.timeout = timeout

    def env(self, extra=None):
        env = {k: v for k, v in os.environ.items() if not k.startswith("REPSTORE")}
        env.update({"OPENBLAS_NUM_THREADS": "1"})
        env.update(extra or {})
        return env

    def argv(self, args, store=None):
        return [self.binary] + list(args) + (["--store", store] if store else [])

    def run(self, args, store=None, env=None, timeout=None, prefix=(), cwd=None):
        argv = list(prefix) + self.argv(args, store)
        started = time.monotonic()
        try:
            done = subprocess.run(argv, capture_output=True, env=self.env(env), timeout=timeout or self.timeout, cwd=cwd)
            code, out, err = done.returncode, done.stdout, done.stderr
        except subprocess.TimeoutExpired as expired:
            code, out, err = None, expired.stdout or b"", expired.stderr or b""
        return Result(argv, code, out, err.decode("utf-8", "replace"), time.monotonic() - started)

    def start(self, args, store=None, env=None, prefix=()):
        """A process to signal; its own process group so that a kill reaches nothing else."""
        return subprocess.Popen(list(prefix) + self.argv(args, store), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                env=self.env(env), start_new_session=True)

    def finish(self, process, timeout=None):
        started = time.monotonic()
        try:
            out, err = process.communicate(timeout=timeout or self.timeout)
            code = process.returncode
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            out, err = process.communicate()
            code = None
        return Result(process.args, code, out, err.decode("utf-8", "replace"), time.monotonic() - started)


def expect_clean(result, what, many_lines=False, strict=False):
    """Ends the trial as a crash when `result` shows a signal, a hang or a dump."""
    problem = message_problem(result, many_lines=many_lines, strict=strict)
    if problem:
        raise Finding(CRASH, f"{what}: {problem}")


def expect_success(result, what):
    expect_clean(result, what)
    if result.code != 0:
        raise Finding(LOST, f"{what} failed on an intact store: {result.short()}")


def file_digest(path):
    if not os.path.exists(path):
        return None
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()[:16]


def tree_state(path):
    """Every file under `path` with its size, mode and modification time: to show that nothing was created or touched."""
    state = {}
    for root, dirs, files in os.walk(path):
        for name in dirs + files:
            full = os.path.join(root, name)
            info = os.lstat(full)
            state[os.path.relpath(full, path)] = (info.st_size, info.st_mode, info.st_mtime_ns)
    return state


def flip_bit(path, offset, bit):
    with open(path, "r+b") as f:
        f.seek(offset)
        byte = f.read(1)[0]
        f.seek(offset)
        f.write(bytes([byte ^ (1 << bit)]))


@dataclass
class Trial:
    family: str
    index: int
    seed: int
    outcome: str = SKIPPED
    detail: str = ""
    seconds: float = 0.0
    rng: random.Random = field(default=None, repr=False)


class Context:
    """What a family's trials get: the binary, the run's seed and scale, a work folder, fixtures built once per run."""

    def __init__(self, repstore, seed, scale, work, verbose):
        self.repstore = repstore
        self.seed = seed
        self.scale = scale
        self.work = work
        self.verbose = verbose
        self.fixtures = {}

    def fixture(self, name, build):
        """Builds a fixture once per run (`build(folder)` returns whatever the family keeps of it)."""
        if name not in self.fixtures:
            folder = os.path.join(self.work, "fixture-" + name)
            os.makedirs(folder)
            self.fixtures[name] = build(folder)
        return self.fixtures[name]

    def trial_folder(self, trial):
        folder = tempfile.mkdtemp(prefix=f"{trial.family}-{trial.index}-", dir=self.work)
        os.chmod(folder, 0o755)
        return folder

    def note(self, text):
        if self.verbose:
            print(text, flush=True)


def copy_store(source, destination):
    shutil.copytree(source, destination, symlinks=True)
    return destination
