"""«Динамика»: every quarter's promise beside what the next quarter showed of it."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from histories import clean, snapshot
from report_builder.records import record_type
from report_builder.results.backtest import Backtest, PlanCheck
from report_builder.results.forecast import Forecast
from report_builder.results.history import Reference
from report_builder.results.segments import Segmentation, Totals
from report_builder.stages.dynamics import dynamics

IDS = pd.Index(range(10))


def quarter(period: str, declined: int, promised: float, kind: str = "forward", check: object = None, at_risk: float = 100.0) -> object:
    """An earlier quarter with its forecast's promise, its profit at risk and the back-test it made of the quarter before."""
    base = snapshot(period, clean(pd.Series([1] * declined + [0] * (10 - declined), index=IDS)))
    forecast = record_type(Forecast)(kind=kind, validation="cv", roc_auc=promised)
    totals = record_type(Totals)(profit_at_risk_all=at_risk, quarter_profit=1000.0)
    segmentation = record_type(Segmentation)(segments=(), at_risk_customers=3, totals=totals)
    return replace(base, forecast=forecast, segmentation=segmentation, backtest=check)


def check(of: str, realised: float, persistence: float, uplift: float | None = None, plan: tuple[float, float] | None = None) -> object:
    found = record_type(PlanCheck)(promised=plan[0], measured=plan[1], measured_ci95=(plan[1] - 5, plan[1] + 5)) if plan else None
    return record_type(Backtest)(reference_period=of, roc_auc=realised, persistence_roc_auc=persistence, uplift=uplift,
                                 uplift_ci95=(uplift - 0.1, uplift + 0.1) if uplift is not None else None, plan=found)


def test_a_first_report_has_no_dynamics() -> None:
    assert dynamics(Reference(), "2026-Q1", clean(pd.Series([1, 0], index=[1, 2]))) is None


def test_each_quarter_is_checked_by_the_next_one() -> None:
    q1 = quarter("2026-Q1", declined=3, promised=0.93, kind="same_quarter", at_risk=120.0)
    q2 = quarter("2026-Q2", declined=4, promised=0.81, check=check("2026-Q1", 0.75, 0.78, uplift=0.02, plan=(50.0, 10.0)))
    now = clean(pd.Series([1] * 5 + [0] * 5, index=IDS))
    found = dynamics(Reference((q1, q2)), "2026-Q3", now, backtest=check("2026-Q2", 0.80, 0.74))  # type: ignore[arg-type]
    rows = {r.period: r for r in found.quarters}
    assert list(rows) == ["2026-Q1", "2026-Q2", "2026-Q3"]
    assert [r.decline_share for r in found.quarters] == pytest.approx([0.3, 0.4, 0.5])
    first = rows["2026-Q1"]
    assert (first.forecast_kind, first.promised_roc_auc, first.realised_roc_auc, first.persistence_roc_auc) == ("same_quarter", 0.93, 0.75, 0.78)
    assert first.uplift == 0.02 and first.uplift_ci95 == pytest.approx((-0.08, 0.12))
    assert (first.plan_promised, first.plan_measured) == (50.0, 10.0) and first.profit_at_risk == 120.0
    assert (rows["2026-Q2"].realised_roc_auc, rows["2026-Q2"].persistence_roc_auc) == (0.80, 0.74)
    last = rows["2026-Q3"]
    assert last.realised_roc_auc is None and last.promised_roc_auc is None  # this quarter: no forecast passed, nothing checked yet
