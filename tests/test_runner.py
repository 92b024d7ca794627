"""The declared stage table and its runner: binding by name, checks on import, keys that follow the declaration."""

from __future__ import annotations

import importlib
import os
import sys
import textwrap
from pathlib import Path

import pytest
from pydantic import BaseModel, ConfigDict

from report_builder.cache import StageCache
from report_builder.config import Config
from report_builder.pipeline import GIVEN, STAGES
from report_builder.runner import (
    TIMINGS,
    DeclarationError,
    Given,
    Stage,
    check_readers,
    check_table,
    run_stages,
)


class Part(BaseModel):
    model_config = ConfigDict(frozen=True)
    factor: int = 2
    offset: int = 1
    pause: float = 0.0
    on: bool = True


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True)
    part: Part = Part()
    seed: int = 0


def double(number: int, factor: int) -> int:
    return number * factor


def shift(doubled: int, offset: int) -> int:
    return doubled + offset


def optional_sum(doubled: int, shifted: int | None = None) -> int:
    return doubled + (shifted or 0)


TOY = (
    Stage("double", "Удвоение", double, {"number": "number"}, {"factor": "part.factor"}),
    Stage("shift", "Сдвиг", shift, {"doubled": "double"}, {"offset": "part.offset"}, when="part.on"),
    Stage("total", "Сумма", optional_sum, {"doubled": "double", "shifted": "shift"}),
)


def run(settings: Settings, cache: StageCache, number: int = 5) -> dict[str, tuple[object, bool]]:
    done = run_stages(check_table(TOY, ["number"], settings), {"number": Given(number, str(number))}, settings, cache)
    return {t.stage: (done.value(t.stage), t.cached) for t in done.timings}


def test_the_runner_binds_by_name_and_skips_switched_off_stages(tmp_path: Path) -> None:
    cache = StageCache(tmp_path)
    assert run(Settings(), cache) == {"double": (10, False), "shift": (11, False), "total": (21, False)}
    off = Settings(part=Part(on=False))
    assert run(off, cache) == {"double": (10, True), "total": (10, False)}  # an optional input may be missing


def test_changing_one_setting_recomputes_its_readers_and_what_follows(tmp_path: Path) -> None:
    cache = StageCache(tmp_path)
    run(Settings(), cache)
    again = run(Settings(part=Part(offset=3)), cache)
    assert again == {"double": (10, True), "shift": (13, False), "total": (23, False)}
    assert run(Settings(part=Part(offset=3), seed=9), cache) == {k: (v, True) for k, (v, _) in again.items()}


@pytest.mark.parametrize(
    ("stages", "message"),
    [
        ((Stage("double", "", double, {"number": "number"}),), "missing \\['factor'\\]"),
        ((Stage("double", "", double, {"number": "number", "extra": "number"}, {"factor": "part.factor"}),), "unknown \\['extra'\\]"),
        ((Stage("double", "", double, {"number": "nowhere"}, {"factor": "part.factor"}),), "comes from 'nowhere'"),
        ((Stage("double", "", double, {"number": "number"}, {"factor": "part.no_such"}),), "no setting 'part.no_such'"),
        ((Stage("double", "", double, {"number": "number"}, {"factor": "part.factor"}, when="part.nope"),), "no setting"),
        (
            (
                Stage("double", "", double, {"number": "number"}, {"factor": "part.factor"}),
                Stage("double", "", double, {"number": "number"}, {"factor": "part.factor"}),
            ),
            "declared twice",
        ),
    ],
)
def test_a_declaration_that_does_not_fit_its_function_is_caught(stages: tuple[Stage, ...], message: str) -> None:
    with pytest.raises(DeclarationError, match=message):
        check_table(stages, ["number"], Settings())


def test_the_real_table_is_checked_on_import() -> None:
    assert check_table(STAGES, GIVEN, Config()) == STAGES
    names = [s.name for s in STAGES]
    assert names[:3] == ["tables", "validated", "data"] and names.index("search") < names.index("scores")


def test_a_result_nobody_reads_is_caught_on_import() -> None:
    def lonely(number: int) -> int:
        return number

    with pytest.raises(DeclarationError, match="nothing reads"):
        check_readers(check_table((Stage("lonely", "", lonely, {"number": "number"}),), ["number"], Settings()))


def test_a_section_whose_charts_ask_for_no_result_is_caught_on_import() -> None:
    from report_builder.runner import Section, check_sections, results_class

    def chart(nothing: int) -> list[object]:
        return []

    table = check_table((Stage("double", "", double, {"number": "number"}, {"factor": "part.factor"},
                               section=Section("double", "Удвоение", figures=chart)),), ["number"], Settings())
    with pytest.raises(DeclarationError, match="nothing"):
        check_sections(results_class(table, {"number": int}))


# --- code versions: a toy package on disk, edited between two runs ---------------------------------

TOY_FILES = {
    "__init__.py": "",
    "helpers.py": "def grow(x):\n    return x + 1\n",
    "first.py": "from toypkg.helpers import grow\n\ndef first(number):\n    return grow(number)\n",
    "second.py": "def second(value):\n    return value * 10\n",
    "third.py": "def third(value):\n    return value - 1\n",
}


def _toy_package(root: Path) -> dict[str, object]:
    package = root / "toypkg"
    package.mkdir(parents=True)
    for name, text in TOY_FILES.items():
        (package / name).write_text(textwrap.dedent(text), encoding="utf-8")
    sys.path.insert(0, str(root))
    return {name: importlib.import_module(f"toypkg.{name}") for name in ("first", "second", "third")}


def _toy_run(cache: StageCache) -> dict[str, bool]:
    modules = {name: importlib.import_module(f"toypkg.{name}") for name in ("first", "second", "third")}
    stages = (
        Stage("first", "", modules["first"].first, {"number": "number"}),  # type: ignore[attr-defined]
        Stage("second", "", modules["second"].second, {"value": "first"}),  # type: ignore[attr-defined]
        Stage("third", "", modules["third"].third, {"value": "number"}),  # type: ignore[attr-defined]
    )
    done = run_stages(check_table(stages, ["number"], Settings()), {"number": Given(1, "1")}, Settings(), cache)
    return {t.stage: t.cached for t in done.timings}


def test_editing_a_modules_code_invalidates_its_stages_and_their_dependants_only(tmp_path: Path) -> None:
    _toy_package(tmp_path / "src")
    try:
        cache = StageCache(tmp_path / "cache")
        assert _toy_run(cache) == {"first": False, "second": False, "third": False}
        assert _toy_run(cache) == {"first": True, "second": True, "third": True}
        # An edit to a module the first stage imports: the first stage and the second (fed by it) rerun.
        helpers = tmp_path / "src" / "toypkg" / "helpers.py"
        helpers.write_text("def grow(x):\n    return x + 2\n", encoding="utf-8")
        assert _toy_run(cache) == {"first": False, "second": False, "third": True}
        # An edit to the last stage's own module: only it reruns.
        (tmp_path / "src" / "toypkg" / "third.py").write_text("def third(value):\n    return value - 2\n", encoding="utf-8")
        assert _toy_run(cache) == {"first": True, "second": True, "third": False}
    finally:
        sys.path.remove(str(tmp_path / "src"))
        for name in [m for m in sys.modules if m == "toypkg" or m.startswith("toypkg.")]:
            del sys.modules[name]


class Refused(Exception):
    """A failure the table declares it can do without."""


def pid_of(number: int) -> tuple[int, int]:
    import os

    return number, os.getpid()


def refuse(number: int) -> int:
    raise Refused(f"нет {number}")


def test_a_background_stage_runs_in_another_process_and_is_cached(tmp_path: Path) -> None:
    import os

    table = (
        Stage("pid", "Процесс", pid_of, {"number": "number"}, background=True),
        Stage("double", "Удвоение", double, {"number": "number"}, {"factor": "part.factor"}),
        Stage("both", "Вместе", lambda pid, double: (pid, double), {"pid": "pid", "double": "double"}),
    )
    settings = Settings()
    cache = StageCache(tmp_path)
    first = run_stages(check_table(table, ["number"], settings), {"number": Given(5, "5")}, settings, cache)
    (number, worker), doubled = first.value("both")
    assert (number, doubled) == (5, 10) and worker != os.getpid()
    assert {t.stage: t.cached for t in first.timings} == {"pid": False, "double": False, "both": False}
    again = run_stages(check_table(table, ["number"], settings), {"number": Given(5, "5")}, settings, cache)
    assert {t.stage: t.cached for t in again.timings} == {"pid": True, "double": True, "both": True}
    assert again.value("pid") == (5, worker)  # from the cache, not drawn again


def test_a_pass_over_some_stages_starts_no_worker_for_the_background_stages_it_skips(tmp_path: Path) -> None:
    """The demo's earlier quarters run only the stages whose results the history keeps: the charts that read those
    results are not drawn, so no worker is started for them, and the one the command started ahead is left for the
    pass that draws them."""
    from report_builder import worker

    table = (
        Stage("double", "Удвоение", double, {"number": "number"}, {"factor": "part.factor"}),
        Stage("pid", "Процесс", pid_of, {"number": "double"}, background=True),
    )
    settings = Settings()
    cache = StageCache(tmp_path)
    with worker.started_ahead():
        ahead = worker._STARTED[0]
        ahead_pid = ahead.submit(os.getpid).result()
        part = run_stages(check_table(table, ["number"], settings), {"number": Given(5, "5")}, settings, cache, only={"double"})
        assert part.value("double") == 10 and part.value("pid") is None
        assert worker._STARTED == [ahead]  # not taken: nothing in this pass runs in the background
        whole = run_stages(check_table(table, ["number"], settings), {"number": Given(5, "5")}, settings, cache)
        assert whole.value("pid") == (10, ahead_pid) and worker._STARTED == []


def test_a_worker_started_ahead_runs_the_background_stages(tmp_path: Path) -> None:
    """The command starts the worker before it loads the analysis libraries; the build's background stages then run
    in that process, not in a second one, and a later build starts its own."""
    import os

    from report_builder import worker

    table = (Stage("pid", "Процесс", pid_of, {"number": "number"}, background=True),)
    settings = Settings()
    with worker.started_ahead():
        started_pid = worker._STARTED[0].submit(os.getpid).result()
        assert started_pid != os.getpid()
        done = run_stages(check_table(table, ["number"], settings), {"number": Given(5, "5")}, settings, StageCache(tmp_path))
        assert done.value("pid") == (5, started_pid)
        assert worker._STARTED == []
    with worker.started_ahead():  # a build that takes nothing: the worker is told to stop when it ends
        unused = worker._STARTED[0]
    assert worker._STARTED == [] and unused._flags.shutdown
    with worker.started_ahead(False):  # a build expected to find everything in the cache starts nothing ahead
        assert worker._STARTED == []
    later = run_stages(check_table(table, ["number"], settings), {"number": Given(6, "6")}, settings, StageCache(tmp_path))
    assert later.value("pid")[1] not in (started_pid, os.getpid())


def priority_and_pid(number: int, pause: float = 0.0) -> tuple[int, int, int, int | None]:
    import os
    import time

    time.sleep(pause)
    policy = os.sched_getscheduler(0) if hasattr(os, "sched_getscheduler") else None
    return number, os.nice(0), os.getpid(), policy


def test_an_idle_stage_runs_in_a_process_of_its_own_at_the_lowest_priority(tmp_path: Path) -> None:
    """A page nothing else reads runs beside the build at the lowest priority, in neither the build's process nor its
    worker; the build waits for it at the end, caches it, and its time is the processor time it took."""
    import os

    table = (
        Stage("idle", "Страница", priority_and_pid, {"number": "number"}, {"pause": "part.pause"},
              background=True, idle=True),
        Stage("pid", "Процесс", pid_of, {"number": "number"}, background=True),
        Stage("read", "Чтение", lambda pid: pid, {"pid": "pid"}),
        Stage("timed", "Время", lambda timings: {t.stage: t.seconds for t in timings}, {"timings": TIMINGS}, cached=False),
    )
    settings = Settings(part=Part(pause=1.0))
    cache = StageCache(tmp_path)
    done = run_stages(check_table(table, ["number"], settings), {"number": Given(5, "5")}, settings, cache)
    number, priority, idle_pid, policy = done.value("idle")
    assert number == 5 and priority == 19
    if hasattr(os, "SCHED_IDLE"):  # Linux: a core that runs only it counts as free when the build wakes a task
        assert policy == os.SCHED_IDLE
    assert idle_pid not in (os.getpid(), done.value("read")[1])
    assert done.value("timed")["idle"] < 0.5  # it slept a second: processor time, not the wall clock
    again = run_stages(check_table(table, ["number"], settings), {"number": Given(5, "5")}, settings, cache)
    assert again.value("idle") == (5, 19, idle_pid, policy) and {t.stage: t.cached for t in again.timings}["idle"]


def fail(number: int) -> int:
    raise RuntimeError(f"сбой {number}")


def sleep_after_saying_pid(said: str) -> int:
    import os
    import time

    Path(said).write_text(str(os.getpid()))
    time.sleep(60)
    return 0


def test_a_failed_build_ends_its_idle_stage_at_once(tmp_path: Path) -> None:
    """The build fails while the idle stage has a minute left: the build says so at once, and the idle process ends."""
    import os
    import time

    said = tmp_path / "pid"
    table = (
        Stage("idle", "Страница", sleep_after_saying_pid, {"said": "said"}, background=True, idle=True),
        Stage("waited", "Ожидание", wait_for, {"flag": "said"}),
        Stage("failed", "Сбой", fail, {"number": "waited"}),
    )
    settings = Settings()
    with pytest.raises(RuntimeError, match="сбой"):
        run_stages(check_table(table, ["said"], settings), {"said": Given(str(said), "said")}, settings,
                   StageCache(tmp_path / "c"))
    pid = int(said.read_text())
    for _ in range(100):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        pytest.fail("the idle stage's process still runs 10 s after the build failed")


def test_an_idle_stage_must_be_a_background_one() -> None:
    with pytest.raises(DeclarationError, match="idle"):
        check_table((Stage("idle", "Страница", pid_of, {"number": "number"}, idle=True),), ["number"], Settings())


def test_a_tolerated_failure_in_the_background_leaves_its_readers_off(tmp_path: Path) -> None:
    table = (
        Stage("refused", "Отказ", refuse, {"number": "number"}, background=True, tolerate=(Refused,)),
        Stage("total", "Сумма", optional_sum, {"doubled": "number", "shifted": "refused"}),
    )
    settings = Settings()
    done = run_stages(check_table(table, ["number"], settings), {"number": Given(5, "5")}, settings, StageCache(tmp_path))
    assert done.value("total") == 5
    assert [str(p) for p in done.problems] == ["нет 5"]


def test_a_stage_that_needs_a_failed_background_result_is_off(tmp_path: Path) -> None:
    table = (
        Stage("refused", "Отказ", refuse, {"number": "number"}, background=True, tolerate=(Refused,)),
        Stage("shift", "Сдвиг", shift, {"doubled": "refused"}, {"offset": "part.offset"}),
    )
    settings = Settings()
    done = run_stages(check_table(table, ["number"], settings), {"number": Given(5, "5")}, settings, StageCache(tmp_path))
    assert done.value("shift") is None and done.keys["shift"] == "off"


def wait_for(flag: str) -> str:
    """Returns once the file exists; gives up after a minute (then the test fails rather than hangs)."""
    import time

    for _ in range(600):
        if Path(flag).exists():
            return "a"
        time.sleep(0.1)
    raise TimeoutError(flag)


def after(a: str) -> str:
    return a + "b"


def make_flag(flag: str) -> bool:
    Path(flag).touch()
    return True


def test_a_background_stage_reads_an_earlier_background_result_without_the_main_process_waiting(tmp_path: Path) -> None:
    # "a" finishes only after "flag" (a stage of the main process) has run: had the main process waited for "a" to
    # hand it to "b", it would never have reached "flag".
    table = (
        Stage("a", "Ожидание", wait_for, {"flag": "flag"}, background=True),
        Stage("b", "После", after, {"a": "a"}, background=True),
        Stage("made", "Флажок", make_flag, {"flag": "flag"}),
        Stage("both", "Вместе", lambda b, made: (b, made), {"b": "b", "made": "made"}),
    )
    settings = Settings()
    flag = str(tmp_path / "flag")
    done = run_stages(check_table(table, ["flag"], settings), {"flag": Given(flag, "flag")}, settings, StageCache(tmp_path / "c"))
    assert done.value("both") == ("ab", True)
    assert {t.stage for t in done.timings} == {"a", "b", "made", "both"}
    again = run_stages(check_table(table, ["flag"], settings), {"flag": Given(flag, "flag")}, settings, StageCache(tmp_path / "c"))
    assert again.value("b") == "ab" and all(t.cached for t in again.timings)


def imported(name: str) -> bool:
    """Whether the module turns up in this process within a minute (a thread of the runner imports it)."""
    import time

    for _ in range(600):
        if name in sys.modules:
            return True
        time.sleep(0.1)
    return False


def test_a_stage_imports_what_later_stages_need_while_it_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "rb_meanwhile_probe.py").write_text("VALUE = 1\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "rb_meanwhile_probe", raising=False)
    table = (
        Stage("waits", "Ожидание", imported, {"name": "name"}, meanwhile=("rb_meanwhile_probe", "rb_no_such_module")),
        Stage("reads", "Чтение", lambda waits: waits, {"waits": "waits"}, loads=("rb_meanwhile_probe", "rb_no_such_module")),
    )
    settings = Settings()
    done = run_stages(check_table(table, ["name"], settings), {"name": Given("rb_meanwhile_probe", "probe")}, settings,
                      StageCache(None))
    assert done.value("waits") is True  # the module that does not exist is left for its stage to report


@pytest.mark.parametrize("on", [True, False])
def test_a_stage_imports_meanwhile_only_what_a_later_stage_that_runs_loads(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, on: bool) -> None:
    """An HTML-only build never loads the PDF's library: the stage that would lay the PDF out is switched off."""
    import threading

    (tmp_path / "rb_later_probe.py").write_text("VALUE = 1\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "rb_later_probe", raising=False)
    table = (
        Stage("double", "Удвоение", double, {"number": "number"}, {"factor": "part.factor"}, meanwhile=("rb_later_probe",)),
        Stage("shift", "Сдвиг", shift, {"doubled": "double"}, {"offset": "part.offset"}, when="part.on", loads=("rb_later_probe",)),
    )
    settings = Settings(part=Part(on=on))
    done = run_stages(check_table(table, ["number"], settings), {"number": Given(5, "5")}, settings, StageCache(None))
    assert done.value("double") == 10 and done.value("shift") == (11 if on else None)
    for thread in threading.enumerate():
        if thread.name == "import-meanwhile":
            thread.join()
    assert ("rb_later_probe" in sys.modules) is on


def test_a_module_imported_meanwhile_that_no_later_stage_loads_is_refused() -> None:
    table = (
        Stage("double", "Удвоение", double, {"number": "number"}, {"factor": "part.factor"}, meanwhile=("weasyprint",)),
        Stage("shift", "Сдвиг", shift, {"doubled": "double"}, {"offset": "part.offset"}),
    )
    with pytest.raises(DeclarationError, match="no later stage loads"):
        check_table(table, ["number"], Settings())


def test_what_an_import_ahead_prints_is_dropped_and_what_the_build_prints_meanwhile_is_kept(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """WeasyPrint prints an English banner when Pango is missing; imported ahead in a thread, it must not reach the user,
    while the build's own lines, written by the main thread at that moment, must."""
    import threading
    import types

    from report_builder.worker import import_all

    gate = types.SimpleNamespace(printed=threading.Event(), go=threading.Event())
    monkeypatch.setitem(sys.modules, "rb_gate", gate)  # type: ignore[arg-type]
    (tmp_path / "rb_noisy_probe.py").write_text(
        "import rb_gate\nprint('banner')\nrb_gate.printed.set()\nrb_gate.go.wait(30)\nprint('banner again')\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "rb_noisy_probe", raising=False)
    stream = sys.stdout
    importing = threading.Thread(target=import_all, args=(("rb_noisy_probe",),))
    importing.start()
    assert gate.printed.wait(30)
    print("✓ Сегментация")  # the main thread, while the import is still running
    gate.go.set()
    importing.join(30)
    assert "rb_noisy_probe" in sys.modules
    assert capsys.readouterr().out == "✓ Сегментация\n"
    assert sys.stdout is stream


def seen_in_another_process(folder: str) -> int:
    """1 once the probe module has been imported by another process (it leaves `imported-<pid>`), within 30 s."""
    import os
    import time

    for _ in range(300):
        if any(p.name != f"imported-{os.getpid()}" for p in Path(folder).glob("imported-*")):
            return 1
        time.sleep(0.1)
    return 0


def test_the_worker_starts_while_the_stage_that_feeds_it_runs_and_never_for_a_cached_build(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    probe = tmp_path / "probe"
    probe.mkdir()
    (probe / "rb_worker_probe.py").write_text(
        "import os, pathlib\n"
        "pathlib.Path(__file__).with_name(f'imported-{os.getpid()}').touch()\n"
        "def drawn(number: int) -> int:\n    return number + 1\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(probe))
    monkeypatch.delitem(sys.modules, "rb_worker_probe", raising=False)
    drawn = importlib.import_module("rb_worker_probe").drawn
    table = (
        # The background stage is submitted only after this one returns: the worker must have started (and imported
        # the background stage's module) while it ran.
        Stage("feeds", "Подготовка", seen_in_another_process, {"folder": "folder"}),
        Stage("drawn", "Рисунок", drawn, {"number": "feeds"}, background=True),
    )
    settings = Settings()
    given = {"folder": Given(str(probe), "probe")}
    done = run_stages(check_table(table, ["folder"], settings), given, settings, StageCache(tmp_path / "c"))
    assert done.value("drawn") == 2
    for flag in probe.glob("imported-*"):
        flag.unlink()
    again = run_stages(check_table(table, ["folder"], settings), given, settings, StageCache(tmp_path / "c"))
    assert again.value("drawn") == 2 and all(t.cached for t in again.timings)
    assert list(probe.glob("imported-*")) == []  # no worker process was started


def test_the_worker_imports_ahead_what_a_background_stage_loads_when_it_runs(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A chart's module defers matplotlib; the stage's `loads` has the worker import it before the stage arrives."""
    probe = tmp_path / "probe"
    probe.mkdir()
    (probe / "rb_heavy_probe.py").write_text(
        "import os, pathlib\npathlib.Path(__file__).with_name(f'imported-{os.getpid()}').touch()\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(probe))
    monkeypatch.delitem(sys.modules, "rb_heavy_probe", raising=False)
    table = (
        # `double` (this module) does not import the probe: only `loads` can bring it into the worker in time.
        Stage("feeds", "Подготовка", seen_in_another_process, {"folder": "folder"}),
        Stage("drawn", "Рисунок", double, {"number": "feeds"}, {"factor": "part.factor"}, background=True,
              loads=("rb_heavy_probe",)),
    )
    settings = Settings()
    done = run_stages(check_table(table, ["folder"], settings), {"folder": Given(str(probe), "probe")}, settings,
                      StageCache(None))
    assert done.value("feeds") == 1  # 0 when the worker never imported the probe


def broken(number: int) -> int:
    raise ValueError(f"сломано на {number}")


def test_a_failed_background_stage_is_reported_not_its_background_reader(tmp_path: Path) -> None:
    """The reader gets its input inside the worker (InWorker), where a failed stage left nothing: the build must stop
    with the first stage's own error, not with the reader's missing input."""
    table = (
        Stage("broken", "Сбой", broken, {"number": "number"}, background=True),
        Stage("after", "После", double, {"number": "broken"}, {"factor": "part.factor"}, background=True),
        Stage("total", "Сумма", optional_sum, {"doubled": "after"}),
    )
    settings = Settings()
    with pytest.raises(ValueError, match="сломано на 5"):
        run_stages(check_table(table, ["number"], settings), {"number": Given(5, "5")}, settings, StageCache(tmp_path))


def slow(number: int) -> int:
    import time

    time.sleep(0.5)
    return number


def broken_later(number: int) -> int:
    """Fails once the worker has started and taken its first stage (it then has room for one more in its queue)."""
    import time

    time.sleep(2)
    return broken(number)


def test_a_failed_build_stops_the_worker_without_an_error_in_its_thread(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Background work still queued when the build fails is dropped (cancelled, not killed): the build reports the
    failure itself and the worker's manager thread does not fail on the dropped work."""
    import threading
    import time

    failures: list[BaseException | None] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: failures.append(args.exc_value))
    table = (
        *(Stage(f"slow{k}", "Медленно", slow, {"number": "number"}, background=True) for k in range(10)),
        Stage("broken", "Сбой", broken_later, {"number": "number"}),
    )
    settings = Settings()
    with pytest.raises(ValueError, match="сломано"):
        run_stages(check_table(table, ["number"], settings), {"number": Given(5, "5")}, settings, StageCache(tmp_path))
    time.sleep(2)  # the worker ends what it has begun and its manager thread stops
    assert failures == []


class Witness:
    """Writes `teardown-<pid>` when the interpreter clears the module that holds it, i.e. only in a full teardown."""

    def __init__(self, folder: str) -> None:
        import os

        # Built-in functions and a plain string: nothing the teardown may have cleared already when this runs.
        self.path, self.open, self.close, self.flags = f"{folder}/teardown-{os.getpid()}", os.open, os.close, os.O_CREAT | os.O_WRONLY

    def __del__(self) -> None:
        self.close(self.open(self.path, self.flags))


def leave_witnesses(folder: str) -> int:
    """In the worker: an exit handler (it must run: the worker ends normally) and a module-level Witness."""
    import atexit
    import os

    pid = os.getpid()
    atexit.register(lambda: (Path(folder) / f"exited-{pid}").write_text("ok", encoding="utf-8"))
    globals()[f"witness_{pid}"] = Witness(folder)
    return pid


def _ended(pid: int) -> bool:
    status = Path(f"/proc/{pid}/status")
    try:
        return "zombie" in status.read_text(encoding="utf-8")
    except FileNotFoundError:
        return True


def test_the_background_worker_ends_without_the_interpreters_teardown(tmp_path: Path) -> None:
    """Told to stop, the worker runs its exit handlers and ends without clearing its modules (about a second with the
    report's libraries loaded), as the command itself does."""
    import time

    table = (Stage("witness", "Свидетель", leave_witnesses, {"folder": "folder"}, background=True),)
    settings = Settings()
    done = run_stages(check_table(table, ["folder"], settings), {"folder": Given(str(tmp_path), "w")}, settings,
                      StageCache(None))
    pid = done.value("witness")
    for _ in range(300):
        if _ended(pid):
            break
        time.sleep(0.1)
    assert _ended(pid), "the worker did not end within 30 s"
    assert (tmp_path / f"exited-{pid}").exists()  # it ended normally: not killed
    assert not (tmp_path / f"teardown-{pid}").exists()  # and skipped the teardown


def ending_codes(count: int) -> list[tuple[int, list[int]]]:
    """Each joblib worker's process and the exit code it will end with at once (`ending.finished`)."""
    import os

    from joblib import Parallel, delayed

    from report_builder import ending

    return Parallel(n_jobs=2)(delayed(lambda: (os.getpid(), list(ending._CODE)))() for _ in range(count))


def test_the_stages_parallel_workers_end_without_the_teardown_too() -> None:
    """The model search's processes (joblib's loky pool, as the stages use it) end as the background worker does;
    the main process is not marked as finished."""
    import os

    from report_builder import ending

    before = list(ending._CODE)
    table = (Stage("codes", "Процессы", ending_codes, {"count": "count"}),)
    settings = Settings()
    done = run_stages(check_table(table, ["count"], settings), {"count": Given(4, "4")}, settings, StageCache(None))
    codes = done.value("codes")
    assert codes and all(pid != os.getpid() and code == [0] for pid, code in codes)
    assert ending._CODE == before
