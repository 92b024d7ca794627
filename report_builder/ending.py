"""The command's quick exit.

A build leaves some 3,500 modules loaded, and the interpreter spends about a second clearing them after the command has
finished. `exit_now` is registered as an exit handler when the package is first imported, before any library registers
its own, so it runs after all of them (joblib's and loky's clean-up, logging, temporary folders), and after the worker
processes have been joined; once the command has said how it ended (`finished`), it ends the process with that code and
skips only the teardown. Every file the command writes is closed by then. Imported as a library, nothing changes.

The build's worker processes (the background stages, the model search's) end the same way once they are told to stop
(`worker_started`, their initializer): a worker holding matplotlib, scikit-learn and the profiling library spends about
a second clearing them, and the command waits for its workers before it ends.
"""

from __future__ import annotations

import contextlib
import os
import sys

_CODE: list[int] = []


def finished(code: object) -> None:
    """The command has ended with `SystemExit(code)`: None is 0, a number itself, a text (printed by Python) 1."""
    _CODE.append(code if isinstance(code, int) else 0 if code is None else 1)


def worker_started() -> None:
    """In a worker process, first thing: it ends quickly as well. A worker that fails is reported by its executor while
    the build runs (a broken pool), so its own exit code is not needed: it ends with 0."""
    finished(0)


def exit_now() -> None:
    if not _CODE:
        return  # not the command, or it ended by an unexpected error: the ordinary exit
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):  # closed, or a reader that has gone: nothing more can be said
            stream.flush()
    os._exit(_CODE[-1])
