"""How long a build takes: the cases an analyst meets, on the real data (or any folder), and growth with the shop.

    python -m report_builder.bench [--data DIR] [--repeats 5]
        cold build, warm rebuild, rebuild after one changed setting (without and with a history), a quarter with a
        history
    python -m report_builder.bench --customers 1000000
        the stage table at 100,000, 300,000 and 1,000,000 generated customers (every size up to the one asked); its
        last row is what the build does after its stages (recording the quarter in the history, publishing the files)
    python -m report_builder.bench --history
        the run history at scale (8 quarters × 100,000 customers recorded and read back)

Commands are timed as the analyst runs them (`python -m report_builder build …` in a new process); medians of
`--repeats` runs, each printed beside the time a fixed reference work took just before it (`reference_work`: the
machine's speed drifts). Nothing here is a test: the figures are printed, not checked.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from report_builder.results.report import StageTiming

REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "market"
SCALE = (100_000, 300_000, 1_000_000)
PERIOD = "2026-Q3"


@dataclasses.dataclass(frozen=True)
class Timed:
    seconds: float  # wall-clock
    cpu: float  # processor seconds of the command and the worker processes it waited for (user + system)
    reference: float  # processor seconds of `reference_work` just before: the machine's speed at that moment


def _command(data: Path, out: Path, *extra: str) -> Timed:
    """One `report_builder build` in a new process: its time and the processor time it used. The two tell apart less
    work (both fall) from work spread better over the cores (only the time falls)."""
    command = [sys.executable, "-m", "report_builder", "build", "--data", str(data), "--output", str(out),
               "--period", PERIOD, "--quiet", *extra]
    reference = reference_work()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=True)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return Timed(seconds, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime, reference)


def _in_process(data: Path, out: Path, cache: Path | None, history: Path | None,
                settings: dict[str, object] | None = None) -> tuple[list[StageTiming], float]:
    from report_builder.build import build_report
    from report_builder.config import load_config

    config = load_config(None, **(settings or {}))
    timings: list[StageTiming] = []
    start = last_stage = time.perf_counter()

    def on_stage(timing: StageTiming) -> None:
        nonlocal last_stage
        timings.append(timing)
        last_stage = time.perf_counter()

    build_report(config, data, out, PERIOD, cache, on_stage=on_stage,
                 history=str(history) if history else None, use_history=history is not None)
    end = time.perf_counter()
    # Recording the quarter in the history and publishing the files come after the last stage: a row of their own.
    timings.append(StageTiming("after_stages", "После этапов: история, публикация", end - last_stage, False))
    return timings, end - start


def _fresh(data: Path, out: Path, history: Path | None = None) -> tuple[list[StageTiming], float]:
    """`_in_process` without a cache in a new Python process, so that no build finds the libraries another one
    imported (a second build in the same process would seem faster by their import time)."""
    facts = _in_new_process("--one-build", str(data), str(out), *([str(history)] if history else []))
    return _timings(facts), facts["build"]


def _in_new_process(*args: str) -> dict:
    """This module run with `args` in a new Python process: the JSON line it prints last."""
    result = subprocess.run([sys.executable, "-m", "report_builder.bench", *args], check=True, capture_output=True, text=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def _timings(facts: dict) -> list[StageTiming]:
    return [StageTiming(**t) for t in facts["timings"]]


def one_build(data: Path, out: Path, history: Path | None) -> None:
    """One build without a cache; its timings as one JSON line."""
    timings, seconds = _in_process(data, out, None, history)
    print(json.dumps({"build": seconds, "timings": [dataclasses.asdict(t) for t in timings]}))


def _middle(runs: list[tuple[list[StageTiming], float]]) -> tuple[list[StageTiming], float]:
    """The run of median length (the upper one of an even count)."""
    return sorted(runs, key=lambda run: run[1])[len(runs) // 2]


def _median(values: Sequence[float]) -> str:
    return f"{statistics.median(values):.1f} с (из {len(values)}: {', '.join(f'{v:.1f}' for v in values)})"


def reference_work() -> float:
    """Processor seconds of a fixed piece of work like the build's own (a forest of trees fitted and its rows scored,
    pandas grouping, plain Python): the same work every time, so that two bench runs tell how much of their difference
    is the machine's speed at that moment (it drifts by a quarter and more within an hour) rather than the code's."""
    import numpy as np
    import pandas as pd
    from sklearn.ensemble import ExtraTreesClassifier

    rng = np.random.default_rng(0)
    X = rng.normal(size=(1_000, 12))
    y = (X[:, 0] + X[:, 1] * X[:, 2] + rng.normal(size=1_000) > 0).astype(int)
    frame = pd.DataFrame(X).assign(group=rng.integers(0, 50, size=1_000))
    start = time.process_time()
    model = ExtraTreesClassifier(n_estimators=200, min_samples_leaf=3, random_state=0).fit(X, y)
    model.predict_proba(X)
    for _ in range(20):
        frame.groupby("group").agg(["mean", "std"])
    sum(i * i for i in range(1_000_000))
    return time.process_time() - start


def _timed(runs: Sequence[Timed]) -> str:
    """The median time of the runs, the median processor time, and the reference work's time before each run."""
    references = ", ".join(f"{r.reference:.2f}" for r in runs)
    return (f"{_median([r.seconds for r in runs])}; процессор {statistics.median(r.cpu for r in runs):.1f} с; "
            f"эталон {references} с")


def cases(data: Path, repeats: int) -> None:
    """Cold, warm, one changed setting and the history case, each a command as the analyst runs it."""
    from report_builder.demo_data import earlier_quarters
    from report_builder.periods import previous_period

    work = Path(tempfile.mkdtemp(prefix="rb-bench-"))
    try:
        cache = work / "cache"
        # A quarter with a history: two earlier quarters made from this one are built first.
        history = work / "history.sqlite"
        for back, folder in earlier_quarters(data, work / "earlier", quarters=2):
            subprocess.run([sys.executable, "-m", "report_builder", "build", "--data", str(folder), "--output",
                            str(work / f"q-{back}"), "--period", previous_period(PERIOD, back), "--quiet",
                            "--history", str(history), "--cache-dir", str(cache / "earlier")], check=True)
        # This quarter cold in one process, without and with the history, alternately (the machine's drift falls on
        # both); each with-history build gets the two earlier quarters only.
        plain, quarterly = [], []
        for k in range(min(repeats, 3)):
            plain.append(_fresh(data, work / f"plain-{k}"))
            shutil.copy(history, work / f"history-{k}.sqlite")
            quarterly.append(_fresh(data, work / f"quarterly-{k}", work / f"history-{k}.sqlite"))
        cold = [_command(data, work / f"cold-{k}", "--no-cache", "--no-history") for k in range(min(repeats, 3))]
        _command(data, work / "warm", "--cache-dir", str(cache), "--no-history")
        warm = [_command(data, work / "warm", "--cache-dir", str(cache), "--no-history") for _ in range(repeats)]
        warm_in_process = [_in_process(data, work / "warm-ip", cache, None)[1] for _ in range(repeats + 1)][1:]
        changed = []
        for k in range(repeats):  # a new value each time: nothing of it is in the cache yet
            settings = work / f"settings-{k}.toml"
            settings.write_text(f"[segments]\nvalue_quantile = {0.70 + 0.01 * k:.2f}\n", encoding="utf-8")
            changed.append(_command(data, work / "warm", "--cache-dir", str(cache), "--no-history", "--config", str(settings)))
        # The same with a history of the two earlier quarters: what the analyst's usual build does (it keeps one).
        shutil.copy(history, work / "history-changed.sqlite")
        history_options = ("--cache-dir", str(cache), "--history", str(work / "history-changed.sqlite"))
        _command(data, work / "warm-history", *history_options)
        changed_with_history = [
            _command(data, work / "warm-history", *history_options, "--config", str(work / f"settings-{k}.toml"))
            for k in range(repeats)
        ]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"Данные: {data}")
    print("\nЭтапы холодной сборки в одном процессе (HTML, PDF, профиль, файлы покупателей; сборка с медианным "
          "временем), с:")
    _stage_table({"без истории": _middle(plain)[0], "с историей (2 квартала)": _middle(quarterly)[0]})
    alone, with_history = ([seconds for _, seconds in runs] for runs in (plain, quarterly))
    # Each with-history build ran right after its build without one: their differences, paired, keep the machine's
    # drift out of the figure better than the difference of the two medians does.
    extra = [quarter - single for single, quarter in zip(alone, with_history)]
    print(f"\nВся холодная сборка в одном процессе: {_median(alone)}; с историей: {_median(with_history)}; "
          f"квартальные этапы добавляют {statistics.median(extra):+.1f} с (медиана разностей соседних сборок: "
          f"{', '.join(f'{d:+.1f}' for d in extra)}; разность медиан "
          f"{statistics.median(with_history) - statistics.median(alone):+.1f} с)")
    print(f"Команда, холодная сборка (--no-cache): {_timed(cold)}")
    print(f"Команда, повторная сборка без изменений: {_timed(warm)}")
    print(f"Повторная сборка в одном процессе: {_median(warm_in_process)}")
    print(f"Команда после изменения одной настройки сегментов: {_timed(changed)}")
    print(f"То же с историей (2 квартала): {_timed(changed_with_history)}")
    print("Эталон — время одной и той же работы (лес деревьев, pandas, чистый Python) перед каждым запуском команды: "
          "чем оно больше, тем медленнее была в тот момент машина")


def _stage_table(columns: dict[str, list[StageTiming]]) -> None:
    names: dict[str, str] = {}
    for timings in columns.values():
        names.update({t.stage: t.title for t in timings})
    print(f"{'Этап':<42}" + "".join(f"{c:>26}" for c in columns))
    for stage, title in names.items():
        cells = []
        for timings in columns.values():
            found = [t.seconds for t in timings if t.stage == stage]
            cells.append(f"{found[0]:>26.2f}" if found else f"{'—':>26}")
        print(f"{title[:41]:<42}" + "".join(cells))


def scale(largest: int) -> None:
    """The stage table at every size of SCALE up to `largest` (and at `largest`), each build in its own process."""
    sizes = sorted({*(s for s in SCALE if s <= largest), largest})
    found: dict[str, list[StageTiming]] = {}
    lines = []
    for size in sizes:
        facts = _in_new_process("--one-scale", str(size))
        found[f"{size:,}".replace(",", " ")] = _timings(facts)
        lines.append(f"{size:>10,} покупателей: данные созданы за {facts['generate']:.0f} с; сборка {facts['build']:.0f} с "
                     f"({facts['build'] / 60:.1f} мин); пик памяти всех процессов сборки вместе "
                     f"{facts['together_gib']:.2f} ГиБ (сама сборка до {facts['peak_gib']:.2f} ГиБ; "
                     f"один дочерний процесс до {facts['children_peak_gib']:.2f} ГиБ)")
    print("Сборка по созданным данным (HTML, PDF, профиль, файлы покупателей, запись в историю), с:")
    _stage_table(found)
    print()
    print("\n".join(lines).replace(",", " "))


class TreeMemory:
    """The largest memory this process and all its descendants held at one moment (the sum of their proportional set
    sizes, so that shared libraries count once), sampled in a thread every quarter of a second (Linux /proc)."""

    def __init__(self) -> None:
        import threading

        self.peak_kib = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def stop(self) -> float:
        """The peak in GiB."""
        self._stop.set()
        self._thread.join()
        return self.peak_kib / (1024 * 1024)

    def _sample(self) -> None:
        import os

        while not self._stop.wait(0.25):
            self.peak_kib = max(self.peak_kib, sum(_pss_kib(pid) for pid in _tree(os.getpid())))


def _tree(root: int) -> list[int]:
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += [child for child, parent in parents.items() if parent == pid]
    return found


def _pss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def one_scale(customers: int) -> None:
    """One build of generated data of this size; its facts as one JSON line."""
    from report_builder.demo_data import write_demo

    work = Path(tempfile.mkdtemp(prefix="rb-scale-"))
    try:
        start = time.perf_counter()
        write_demo(work / "data", customers=customers)
        generate = time.perf_counter() - start
        memory = TreeMemory()
        timings, seconds = _in_process(work / "data", work / "out" / PERIOD, work / "cache", work / "out" / "history.sqlite")
        together = memory.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    kib = 1024 * 1024  # ru_maxrss is in KiB on Linux
    print(json.dumps({
        "generate": generate, "build": seconds, "together_gib": together,
        "peak_gib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / kib,
        "children_peak_gib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / kib,
        "timings": [dataclasses.asdict(t) for t in timings],
    }))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=REAL)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--customers", type=int, default=None, help="the scale table up to this many generated customers")
    parser.add_argument("--one-scale", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--one-build", type=Path, nargs="+", default=None, help=argparse.SUPPRESS)  # data, out[, history]
    parser.add_argument("--history", action="store_true", help="the run history at scale")
    args = parser.parse_args(argv)
    if args.history:
        from report_builder.history_bench import history_bench

        history_bench()
    elif args.one_scale:
        one_scale(args.one_scale)
    elif args.one_build:
        one_build(args.one_build[0], args.one_build[1], args.one_build[2] if len(args.one_build) > 2 else None)
    elif args.customers:
        scale(args.customers)
    else:
        if not args.data.is_dir():
            raise SystemExit(f"нет папки с данными: {args.data}")
        cases(args.data, args.repeats)


if __name__ == "__main__":
    main()
