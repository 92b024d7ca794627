"""«Динамика»: one row per quarter of the history and this one, each checked by the quarter after it."""

from __future__ import annotations

from report_builder.results.backtest import Backtest
from report_builder.results.data import CleanData
from report_builder.results.dynamics import Dynamics, QuarterRow
from report_builder.results.forecast import Forecast
from report_builder.results.history import Reference
from report_builder.results.segments import Segmentation


def dynamics(
    reference: Reference,
    period: str,
    data: CleanData,
    forecast: Forecast | None = None,
    segmentation: Segmentation | None = None,
    backtest: Backtest | None = None,
) -> Dynamics | None:
    """None on a first report: one quarter makes no trend."""
    if not reference.runs:
        return None
    runs = [(r.run.period, r.data, _promise(r.forecast, r.search), r.segmentation, r.backtest) for r in reference.runs]  # type: ignore[attr-defined]
    runs.append((period, data, _promise(forecast, None), segmentation, backtest))
    checks = {b.reference_period: b for *_, b in runs if b is not None and b.reference_period}
    rows = []
    for quarter, facts, promised, segments, _ in runs:
        if facts is None:
            continue
        check = checks.get(quarter)
        kind, auc = promised
        rows.append(
            QuarterRow(
                period=quarter,
                customers=int(facts.customers_used),
                decline_share=float(facts.decline_share),
                forecast_kind=kind,
                promised_roc_auc=auc,
                realised_roc_auc=_number(check.roc_auc) if check is not None else None,
                persistence_roc_auc=_number(check.persistence_roc_auc) if check is not None else None,
                profit_at_risk=float(segments.totals.profit_at_risk_all) if segments is not None else None,
                uplift=_number(check.uplift) if check is not None else None,
                uplift_ci95=tuple(check.uplift_ci95) if check is not None and check.uplift_ci95 else None,  # type: ignore[arg-type]
                **_plan(check),
            )
        )
    return Dynamics(tuple(rows))


def _promise(forecast: object, search: object) -> tuple[str | None, float | None]:
    """(kind, validated ROC-AUC) of a quarter's forecast; a run recorded before the forecast kinds promised its search's."""
    if forecast is not None:
        return str(forecast.kind), float(forecast.roc_auc)  # type: ignore[attr-defined]
    if search is not None and search.best_cv_auc is not None:  # type: ignore[attr-defined]
        return "same_quarter", float(search.best_cv_auc)  # type: ignore[attr-defined]
    return None, None


def _plan(check: object) -> dict[str, object]:
    found = getattr(check, "plan", None)
    if found is None or found.promised is None:
        return {}
    interval = tuple(found.measured_ci95) if found.measured_ci95 is not None else None
    return {"plan_promised": float(found.promised), "plan_measured": _number(found.measured), "plan_measured_ci95": interval}


def _number(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]
