"""Runs the repstore binary: finds it, feeds its standard input, reads its standard output, passes its progress on.

The binary is the engine: the package never reads or writes a store itself. Errors come back as one exception type
carrying repstore's own one-line message and its exit status (1 error, 2 damage found, 64 usage, 75 locked,
130 interrupted)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from typing import IO


class RepstoreError(Exception):
    """A repstore command failed. ``message`` is repstore's one-line error, ``status`` its exit status and
    ``command`` the arguments it ran with."""

    def __init__(self, message: str, status: int, command: Sequence[str] = ()):
        super().__init__(message)
        self.message = message
        self.status = status
        self.command = list(command)

    def __str__(self) -> str:
        return f"{self.message} (exit status {self.status})"


def find_binary(binary: str | os.PathLike | None = None) -> str:
    """The repstore executable: ``binary`` if given, else $REPSTORE_BIN, else ``repstore`` on the PATH."""
    candidate = str(binary) if binary is not None else os.environ.get("REPSTORE_BIN") or shutil.which("repstore")
    if not candidate:
        raise RepstoreError("no repstore binary: put repstore on the PATH or set REPSTORE_BIN", 127)
    if not (os.path.isfile(candidate) and os.access(candidate, os.X_OK)):
        raise RepstoreError(f"{candidate}: not an executable repstore binary", 127)
    return candidate


def run(binary: str, arguments: Sequence[str], *, feed: Callable[[IO[bytes]], None] | None = None,
        read: Callable[[IO[bytes]], object] | None = None, progress: bool = True) -> tuple[object, bytes]:
    """Runs ``binary arguments`` to completion.

    feed:     writes the command's standard input (in a thread of its own, so a large input cannot block on a
              full output pipe); without it, standard input is empty.
    read:     consumes standard output as it arrives and returns the result; without it, standard output is
              returned as bytes.
    progress: repstore's stderr (progress, notes) is copied to sys.stderr line by line as it comes.

    Returns (what ``read`` returned or the stdout bytes, the stderr bytes).
    Raises RepstoreError with repstore's message when the exit status is not 0."""
    command = [binary, *arguments]
    process = subprocess.Popen(command, stdin=subprocess.PIPE if feed else subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    errors: list[bytes] = []
    feed_failure: list[BaseException] = []

    def copy_stderr() -> None:
        in_error = False
        for line in iter(process.stderr.readline, b""):
            errors.append(line)
            # The error itself (with its indented continuation lines) travels in the exception, not here too.
            in_error = line.startswith((b"repstore: ", b"Error: ")) or (in_error and line.startswith(_CONTINUATION))
            if progress and not in_error:
                sys.stderr.write(line.decode("utf-8", "replace"))
                sys.stderr.flush()

    def write_stdin() -> None:
        try:
            feed(process.stdin)
        except BrokenPipeError:
            pass  # repstore stopped reading: its exit status and message say why
        except BaseException as error:  # noqa: BLE001 - re-raised in the caller's thread
            feed_failure.append(error)
        finally:
            try:
                process.stdin.close()
            except BrokenPipeError:
                pass

    threads = [threading.Thread(target=copy_stderr, daemon=True)]
    if feed:
        threads.append(threading.Thread(target=write_stdin, daemon=True))
    for thread in threads:
        thread.start()
    result, read_failure = None, None
    try:
        result = read(process.stdout) if read else process.stdout.read()
        process.stdout.read()  # whatever the reader left, so repstore never blocks on a full pipe
    except Exception as error:  # noqa: BLE001 - a failed command explains a short output better than the reader
        read_failure = error
        process.kill()
    except BaseException:
        process.kill()
        raise
    finally:
        status = process.wait()
        for thread in threads:
            thread.join()
        process.stdout.close()
        process.stderr.close()
    stderr = b"".join(errors)
    if status != 0 and not (read_failure and status == -9):
        raise RepstoreError(error_message(stderr, status), status, command[1:])
    if feed_failure:
        raise feed_failure[0]
    if read_failure:
        raise read_failure
    return result, stderr


_CONTINUATION = b" " * len(b"repstore: ")


def error_message(stderr: bytes, status: int) -> str:
    """repstore's error ("repstore: ..." without the prefix, with the caret lines of a syntax error), or the last
    line of stderr when there is none."""
    lines = [line for line in stderr.decode("utf-8", "replace").splitlines() if line.strip()]
    for index in range(len(lines) - 1, -1, -1):
        for prefix in ("repstore: ", "Error: "):  # Error: starts the argument parser's usage errors
            if lines[index].startswith(prefix):
                message = [lines[index][len(prefix):]]
                for line in lines[index + 1:]:
                    if not line.startswith(_CONTINUATION.decode()):
                        break
                    message.append(line[len(_CONTINUATION):])
                return "\n".join(message)
    if status < 0:
        return f"repstore was killed by signal {-status}"
    return lines[-1] if lines else f"repstore exited with status {status}"
