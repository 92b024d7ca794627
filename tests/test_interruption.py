"""SIGTERM and Ctrl-C raise `Interrupted` at a safe point, and nothing on the interruption's way out hides it or hangs."""

from __future__ import annotations

import signal
import sys
import threading
import time
from pathlib import Path

import pytest

from report_builder.errors import Interrupted
from report_builder.interruption import interruptible


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGINT], ids=["sigterm", "ctrl-c"])
def test_the_signal_raises_the_interruption_and_the_handlers_are_set_back(number: int) -> None:
    before = {n: signal.getsignal(n) for n in (signal.SIGTERM, signal.SIGINT, signal.SIGALRM)}
    with pytest.raises(Interrupted) as caught, interruptible():
        signal.raise_signal(number)
        time.sleep(5)  # not reached
    assert caught.value.signal_number == number
    assert {n: signal.getsignal(n) for n in before} == before


@pytest.mark.parametrize("how", ["sigterm", "ctrl-c", "keyboard-interrupt"])
def test_a_cleanup_failing_on_the_interruptions_way_out_still_reports_the_interruption(how: str) -> None:
    number = signal.SIGTERM if how == "sigterm" else signal.SIGINT
    with pytest.raises(Interrupted) as caught, interruptible():
        try:
            if how == "keyboard-interrupt":
                raise KeyboardInterrupt  # Python's own, from a Ctrl-C outside the command's handler
            signal.raise_signal(number)
        finally:
            # what joblib's abort of the model search did, to a thread whose start the signal had cut short
            threading.Thread(target=print).join()
    assert caught.value.signal_number == number
    assert isinstance(caught.value.__cause__, RuntimeError) and "before it is started" in str(caught.value.__cause__)


def test_a_signal_that_comes_during_an_import_waits_until_the_import_is_done(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "signalled_while_imported.py").write_text(
        "import signal\n"
        "try:  # a library's guarded import, whose bare except would swallow an interruption raised inside it\n"
        "    signal.raise_signal(signal.SIGTERM)  # the handler runs here, inside the import\n"
        "except:  # noqa: E722\n"
        "    pass\n"
        "WHOLE = True\n",
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    started = time.perf_counter()
    with pytest.raises(Interrupted), interruptible():
        import signalled_while_imported  # noqa: F401

        while time.perf_counter() - started < 5:  # the interruption comes here, after the import
            time.sleep(0.01)
    assert time.perf_counter() - started < 1
    assert sys.modules["signalled_while_imported"].WHOLE
    # the import lock is free: another thread imports
    other = threading.Thread(target=__import__, args=("wave",), daemon=True)
    other.start()
    other.join(timeout=10)
    assert not other.is_alive()


def test_a_signal_that_comes_while_a_process_is_being_started_or_stopped_waits_until_that_is_done() -> None:
    import multiprocessing.util

    done: list[bool] = []

    def inside() -> None:  # called from multiprocessing's own code, as a process's start or stop would run
        signal.raise_signal(signal.SIGINT)
        done.append(True)

    started = time.perf_counter()
    with pytest.raises(Interrupted) as caught, interruptible():
        multiprocessing.util.Finalize(None, inside, exitpriority=0)()
        while time.perf_counter() - started < 5:
            time.sleep(0.01)
    assert done == [True] and caught.value.signal_number == signal.SIGINT
    assert time.perf_counter() - started < 1
