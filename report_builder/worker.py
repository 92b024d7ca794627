"""The background workers: one fresh process that runs the background stages in the order they are sent, and one at
the lowest priority for a stage whose result nothing reads (`Stage.idle`).

A light module, so that the command can start the first before it loads the analysis libraries: the worker then
imports what its stages need on the second core while the command's own imports run on the first.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import TextIO

from report_builder import ending

_KEPT: dict[str, object] = {}  # in the worker process: results that a later background stage reads
_STARTED: list[Executor] = []  # in the command: a worker started ahead of the build (`started_ahead`)
COMMON = ("pandas",)  # what every background stage reads its inputs with


@dataclass(frozen=True)
class InWorker:
    """An argument that is the result of an earlier background stage, taken from the worker's memory: the one worker
    runs its stages in order, so the earlier one is done, and the main process need not wait for it to pass it on."""

    name: str


def timed(fn: Callable[..., object], arguments: dict[str, object], name: str, keep: bool,
          processor: bool = False) -> tuple[object, float]:
    """Run a stage in the worker and say how long it took there (`processor`: the processor time it took, for the idle
    worker, whose wall-clock time says only how long the others kept the processor busy)."""
    clock = time.process_time if processor else time.perf_counter
    start = clock()
    found = {p: _KEPT[a.name] if isinstance(a, InWorker) else a for p, a in arguments.items()}
    value = fn(**found)
    if keep:
        _KEPT[name] = value
    return value, clock() - start


def import_all(modules: tuple[str, ...]) -> None:
    """Import the modules (in the worker, before its first stage arrives; or in a thread): a module that fails to import
    is left for its stage to report, and what an import prints is not shown (WeasyPrint prints an English banner when
    Pango is missing; the PDF layout then says in Russian what to install)."""
    with _IMPORTING, _prints_of_this_thread_dropped():
        for module in modules:
            try:
                importlib.import_module(module)
            except Exception:  # noqa: BLE001 - the stage that needs the module imports it again and says what failed
                pass


_IMPORTING = threading.Lock()  # one import_all at a time: each puts back the sys.stdout it found


class _ExceptFrom:
    """A stream that drops what one thread writes and passes on everything else."""

    def __init__(self, stream: TextIO, thread: int | None) -> None:
        self.stream, self.thread = stream, thread  # thread None: nothing dropped any more

    def write(self, text: str) -> int:
        return len(text) if threading.get_ident() == self.thread else self.stream.write(text)

    def __getattr__(self, name: str) -> object:  # flush, isatty, encoding…: the stream's own
        return getattr(self.stream, name)


@contextlib.contextmanager
def _prints_of_this_thread_dropped() -> Iterator[None]:
    """What this thread writes to sys.stdout is dropped while the block runs; what other threads write goes on as before.

    Not contextlib.redirect_stdout, which would swallow every thread's output; nor a `print` of our own in builtins,
    which libraries register at import (numba checks that the function is what its module names)."""
    shown = sys.stdout
    quiet = _ExceptFrom(shown, threading.get_ident())
    sys.stdout = quiet  # type: ignore[assignment]
    try:
        yield
    finally:
        quiet.thread = None  # a module that kept it as its stream loses nothing later
        if sys.stdout is quiet:  # not replaced again meanwhile by someone else
            sys.stdout = shown


def start(idle: bool = False) -> Executor:
    """The worker started ahead of the build, else a new one; `idle`: a new one at the lowest priority."""
    if _STARTED and not idle:
        return _STARTED.pop()
    # loky's (joblib's) executor: a fresh process, not a fork of one that may hold the model libraries' threads, and
    # one that never runs the caller's main script again (a script needs no __main__ guard).
    from joblib.externals.loky import ProcessPoolExecutor

    return ProcessPoolExecutor(max_workers=1, initializer=_idle_worker_started if idle else ending.worker_started)


def _idle_worker_started() -> None:
    """The idle worker: the lowest priority, so that it runs only while a core would otherwise wait (on Windows, which
    has no `nice`, the idle priority class). On Linux also the SCHED_IDLE policy: the scheduler then counts a core that
    runs only this process as free, and puts a task of the build that wakes up there instead of beside another one.
    A system that refuses leaves it at the normal priority: slower, not wrong."""
    with contextlib.suppress(OSError, AttributeError):
        if hasattr(os, "nice"):
            os.nice(19)
            if hasattr(os, "SCHED_IDLE"):
                os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
        else:  # pragma: no cover - Windows
            import ctypes

            kernel = ctypes.windll.kernel32  # type: ignore[attr-defined]
            kernel.SetPriorityClass(kernel.GetCurrentProcess(), 0x40)  # IDLE_PRIORITY_CLASS
    ending.worker_started()


@contextlib.contextmanager
def started_ahead(wanted: bool = True) -> Iterator[None]:
    """The worker started now, before the build loads its libraries, importing what every background stage needs; the
    build takes it when it first sends a stage (`start`). One the build did not take (all its results came from the
    cache, or it failed first) is told to stop when the block ends. Not `wanted` (a build expected to find everything
    in the cache, `last_build`): nothing is started here."""
    if not wanted:
        yield
        return
    executor = start()
    executor.submit(import_all, COMMON)
    _STARTED.append(executor)
    try:
        yield
    finally:
        if executor in _STARTED:
            _STARTED.remove(executor)
            executor.shutdown(wait=False)
