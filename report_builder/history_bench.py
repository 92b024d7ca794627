"""The run history at scale: quarters of generated customers recorded, then read back as a later build does.

    python -m report_builder.bench --history
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path


def history_bench(quarters: int = 8, customers: int = 100_000) -> None:
    """The history at scale: `quarters` runs of `customers` each recorded, then one comparison (no model is fitted)."""
    import dataclasses

    import numpy as np
    import pandas as pd

    from report_builder.history import History, history_url
    from report_builder.labels import (
        BASE_SEGMENTS,
        CATEGORICAL,
        DECLINED,
        NUMERIC,
        PROFIT,
        STABLE,
        TARGET,
    )
    from report_builder.pipeline import HISTORY
    from report_builder.records import record_type
    from report_builder.results.data import CleanData
    from report_builder.results.report import RunInfo
    from report_builder.results.segments import (
        PEOPLE_COLUMNS,
        CustomerList,
        Segmentation,
        SegmentStats,
        Totals,
    )

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
                               "offers": rng.choice(["", "Персональные подборки товаров (сайт, email)"], customers),
                               "rules": rng.choice(["", "Персональные подборки товаров"], customers),
                               "eligible": rng.choice(["", "Персональные подборки товаров"], customers),
                               "in_plan": rng.random(customers) < 0.3, "expected_gain": rng.gamma(2, 1, customers),
                               "cost": np.full(customers, 50.0)}, index=ids)
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
