"""SIGTERM and Ctrl-C during a build: the build stops by an `Interrupted` exception, so every cleanup on the way out runs
(the staging folder, the lock, the background worker), and the previous report stays whole.

The exception is raised by the signal's handler, in whatever the main thread was doing, except in two places where
it would leave things broken: the import system (the import lock stays held, and the build's importing thread waits for
it for ever; or a library's bare `except:` around an import swallows the exception) and the starting or stopping of a
worker process (a process started but not yet recorded is never stopped, and keeps the command's output pipes open). A
signal that finds the main thread there comes back 50 ms later, until it finds it elsewhere. A cleanup that fails on
the interruption's way out is the interruption, not an error of its own.

The worker processes are not killed: one killed while it sends a result leaves loky's manager thread waiting for the
rest of the message, and the command waiting for that thread at exit. Told to stop, each ends once its current stage is
done.
"""

from __future__ import annotations

import contextlib
import os
import signal
import types
from collections.abc import Iterator

from report_builder.errors import Interrupted

_CAN_DEFER = hasattr(signal, "setitimer")  # not on Windows: there the signal is handled at once
_AGAIN = 0.05  # seconds until a signal that found the main thread where it must not stop is handled again
# Where the main thread must not stop: the import system, and the code that starts and stops processes (the standard
# library's, and loky's, which joblib and the build's background worker use).
_CRITICAL = ("<frozen importlib", os.path.join(os.path.dirname(os.__file__), "multiprocessing", ""),
             os.path.join("joblib", "externals", "loky", ""))


@contextlib.contextmanager
def interruptible() -> Iterator[None]:
    """SIGTERM and Ctrl-C raise `Interrupted` inside the block; what was set before is set again after it."""
    deferred: list[int] = []

    def stop(number: int, frame: types.FrameType | None) -> None:
        if _CAN_DEFER and _critical(frame):
            deferred.append(number)
            signal.setitimer(signal.ITIMER_REAL, _AGAIN)
            return
        raise Interrupted(number)

    def again(_number: int, frame: types.FrameType | None) -> None:
        if deferred:
            stop(deferred.pop(), frame)

    handlers = [(signal.SIGTERM, stop), (signal.SIGINT, stop)] + ([(signal.SIGALRM, again)] if _CAN_DEFER else [])
    previous = {number: signal.signal(number, handler) for number, handler in handlers}
    try:
        yield
    except BaseException as exc:
        stopped = _interruption(exc)
        if stopped is None or stopped is exc:
            raise
        raise stopped from (exc if isinstance(exc, Exception) else None)
    finally:
        if _CAN_DEFER:
            signal.setitimer(signal.ITIMER_REAL, 0)
        for number, handler in previous.items():
            signal.signal(number, handler)


def _critical(frame: types.FrameType | None) -> bool:
    while frame is not None:
        if any(part in frame.f_code.co_filename for part in _CRITICAL):
            return True
        frame = frame.f_back
    return False


def _interruption(error: BaseException) -> Interrupted | None:
    """The interruption that `error` is, or was raised while handling (joblib, aborting the model search, joins its
    manager thread, and fails when the signal came while that thread was starting). Python keeps the chain free of
    cycles."""
    found: BaseException | None = error
    while found is not None:
        if isinstance(found, Interrupted):
            return found
        if isinstance(found, KeyboardInterrupt):  # a Ctrl-C that came before the block, or in a library's own handler
            return Interrupted(signal.SIGINT)
        found = found.__context__
    return None
