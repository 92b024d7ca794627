"""Stage timings on the real data (or any folder): cold cache, then warm cache.

    python -m report_builder.bench [--data DIR] [--customers N]

With --customers, a generated demo set of that size is timed instead.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from report_builder.build import build_report
from report_builder.config import load_config
from report_builder.results.report import StageTiming

REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "market"


def _run(config: object, data: Path, out: Path, cache: Path) -> tuple[list[StageTiming], float]:
    timings: list[StageTiming] = []
    start = time.perf_counter()
    build_report(config, data, out, "bench", cache, on_stage=timings.append, use_history=False)  # type: ignore[arg-type]
    return timings, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=REAL)
    parser.add_argument("--customers", type=int, default=None)
    parser.add_argument("--profile", action="store_true", help="include the ydata-profiling appendix")
    parser.add_argument("--history", action="store_true", help="time the run history at scale instead (8 quarters × 100,000)")
    args = parser.parse_args()
    if args.history:
        history_bench()
        return
    work = Path(tempfile.mkdtemp(prefix="rb-bench-"))
    try:
        data = args.data
        if args.customers:
            from report_builder.demo_data import write_demo

            data = work / "data"
            write_demo(data, customers=args.customers)
        if not data.is_dir():
            raise SystemExit(f"нет папки с данными: {data}")
        config = load_config(None, **{"report.profile": args.profile})
        cold, cold_total = _run(config, data, work / "cold", work / "cache")
        warm, warm_total = _run(config, data, work / "warm", work / "cache")
        command = [sys.executable, "-m", "report_builder", "build", "--data", str(data), "--output", str(work / "cli"),
                   "--cache-dir", str(work / "cache"), "--period", "bench"]
        command += ["--profile"] if args.profile else ["--no-profile"]
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        cli_warm = time.perf_counter() - start
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"Данные: {data}")
    print(f"{'Этап':<36}{'холодный кэш, с':>18}{'тёплый кэш, с':>16}")
    warm_by = {t.stage: t for t in warm}
    for t in cold:
        w = warm_by.get(t.stage)
        print(f"{t.title:<36}{t.seconds:>18.2f}{(w.seconds if w else float('nan')):>16.2f}")
    analysis = sum(t.seconds for t in cold if t.stage in {"models", "evaluate", "explain"})
    print(f"{'Поиск, оценка и SHAP вместе':<36}{analysis:>18.2f}")
    print(f"{'Вся сборка в одном процессе':<36}{cold_total:>18.2f}{warm_total:>16.2f}")
    print(f"{'Команда report-builder build':<36}{'':>18}{cli_warm:>16.2f}")



def history_bench(quarters: int = 8, customers: int = 100_000) -> None:
    """The history at scale: `quarters` runs of `customers` each recorded, then one comparison (no model is fitted)."""
    import dataclasses

    import numpy as np
    import pandas as pd

    from report_builder.history import History, history_url
    from report_builder.labels import BASE_SEGMENTS, CATEGORICAL, DECLINED, NUMERIC, PROFIT, STABLE, TARGET
    from report_builder.pipeline import HISTORY
    from report_builder.records import record_type
    from report_builder.results.report import RunInfo
    from report_builder.results.segments import PEOPLE_COLUMNS, CustomerList, Segmentation, SegmentStats, Totals

    rng = np.random.default_rng(0)
    work = Path(tempfile.mkdtemp(prefix="rb-history-bench-"))

    def quarter(q: int) -> object:
        ids = pd.Index(np.arange(q * customers // 10, q * customers // 10 + customers), name="id")
        clean = pd.DataFrame({**{f: rng.normal(q * 0.05, 1, customers) for f in NUMERIC},
                              **{f: rng.choice(["a", "b", "c"], customers) for f in CATEGORICAL},
                              TARGET: rng.choice([DECLINED, STABLE], customers), PROFIT: rng.gamma(4, 1, customers)}, index=ids)
        people = pd.DataFrame({"probability": rng.random(customers), "segment": rng.choice(BASE_SEGMENTS, customers),
                               "profit": rng.gamma(4, 1, customers), "profit_at_risk": rng.gamma(2, 1, customers),
                               "control": rng.random(customers) < 0.1,
                               "offers": rng.choice(["", "Персональные подборки товаров (сайт, email)"], customers)}, index=ids)
        parts = {part: None for part in HISTORY.parts}
        parts["run"] = record_type(RunInfo)(period=f"{2020 + q // 4}-Q{q % 4 + 1}", built_at="2026-01-01T00:00:00+00:00",
                                            versions={}, dataset="bench", config_hash="x", settings="{}", money_unit="ед.")
        parts["data"] = record_type(CleanData)(customers=clean, customers_used=customers, decline_share=0.38)
        parts["segmentation"] = record_type(Segmentation)(
            segments=tuple(record_type(SegmentStats)(name=s, customers=customers // 4, profit_at_risk=1e4) for s in BASE_SEGMENTS),
            at_risk_customers=customers // 3, totals=record_type(Totals)(profit_at_risk_all=1e5, quarter_profit=3e5))
        parts["customer_list"] = record_type(CustomerList)(people=people[list(PEOPLE_COLUMNS)])
        return HISTORY.snapshot(**parts)

    try:
        store = History(history_url(str(work / "history.sqlite")))
        snapshots = [quarter(q) for q in range(quarters)]
        start = time.perf_counter()
        for snapshot in snapshots[:-1]:
            with store.recording([snapshot]):
                pass
        recorded = time.perf_counter() - start
        start = time.perf_counter()
        found = store.reference("bench", snapshots[-1].period)
        read = time.perf_counter() - start
        last = snapshots[-1]
        compared = found.snapshot is not None and all(len(r.data.customers) == customers for r in found.runs)
        size = (work / "history.sqlite").stat().st_size / 2**20
    finally:
        shutil.rmtree(work, ignore_errors=True)
    assert compared and dataclasses.is_dataclass(last)
    print(f"История: {quarters - 1} кварталов по {customers:,} покупателей (признаки и метки каждого) записаны за "
          f"{recorded:.1f} с ({recorded / (quarters - 1):.1f} с на квартал); файл SQLite — {size:.0f} МБ "
          f"({size / (quarters - 1):.0f} МБ на квартал)")
    print(f"Чтение всех {quarters - 1} прошлых кварталов из истории: {read:.2f} с")


if __name__ == "__main__":
    main()
