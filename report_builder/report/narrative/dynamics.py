"""«Динамика»: the quarters of the history side by side, each checked by the one after it."""

from __future__ import annotations

from typing import NamedTuple

from report_builder.report.filters import num
from report_builder.report.narrative.common import percent, period_label, short_period, signed_points
from report_builder.results.dynamics import Dynamics, QuarterRow

MISSING = "—"


class DynamicsCells(NamedTuple):
    """One row of the table, as printed."""

    quarter: str
    customers: str
    declined: str
    kind: str
    promised: str
    realised: str
    persistence: str
    at_risk: str
    effect: str
    plan: str


def _auc(value: float | None) -> str:
    return MISSING if value is None else num(value, 3)


def dynamics_cells(row: QuarterRow) -> DynamicsCells:
    effect = MISSING
    if row.uplift is not None and row.uplift_ci95 is not None:
        effect = f"{signed_points(row.uplift)} ({signed_points(row.uplift_ci95[0])}…{signed_points(row.uplift_ci95[1])})"
    plan = MISSING
    if row.plan_promised is not None and row.plan_measured is not None:
        plan = f"{num(row.plan_promised)} / {num(row.plan_measured)}"
    return DynamicsCells(
        quarter=short_period(row.period),
        customers=num(row.customers),
        declined=percent(row.decline_share),
        kind=kind_word(row.forecast_kind),
        promised=_auc(row.promised_roc_auc),
        realised=_auc(row.realised_roc_auc),
        persistence=_auc(row.persistence_roc_auc),
        at_risk=MISSING if row.profit_at_risk is None else num(row.profit_at_risk),
        effect=effect,
        plan=plan,
    )


def decline_trend(dynamics: Dynamics) -> str:
    """«Доля снизивших активность: 36 % → 35 % → 33 % → 38 %»."""
    shares = " → ".join(percent(r.decline_share) for r in dynamics.quarters)
    return f"Доля покупателей со сниженной активностью по кварталам: {shares}."


def accuracy_trend(dynamics: Dynamics) -> str:
    """How the forecasts fared once checked: promised against realised, and against the simple forecast."""
    checked = [r for r in dynamics.quarters if r.realised_roc_auc is not None and r.promised_roc_auc is not None]
    if not checked:
        return "Ни один прогноз истории ещё не проверен следующим кварталом."
    below = [r for r in checked if r.persistence_roc_auc is not None and r.realised_roc_auc < r.persistence_roc_auc]
    fell = [r for r in checked if r.realised_roc_auc < r.promised_roc_auc]
    head = f"Проверено прогнозов: {len(checked)}; на деле хуже обещанного — {len(fell)}"
    if below:
        quarters = ", ".join(period_label(r.period) for r in below)
        return f"{head}; уступили простому прогнозу «как сейчас»: {quarters}."
    return f"{head}; простому прогнозу «как сейчас» не уступил ни один."


def kind_word(kind: str | None) -> str:
    """A forecast's kind in a table cell."""
    return {"forward": "по парам кварталов", "persistence": "«как сейчас»", "same_quarter": "модель квартала"}.get(kind or "", "—")


def dynamics_title(dynamics: Dynamics) -> str:
    """The chart's point: how the latest checked forecast came true, beside the simple one."""
    checked = [r for r in dynamics.quarters if r.realised_roc_auc is not None]
    if not checked:
        return "Доля снизивших по кварталам; прогнозы ещё не проверены"
    last = checked[-1]
    simple = f" против {num(last.persistence_roc_auc, 3)} у «как сейчас»" if last.persistence_roc_auc is not None else ""
    return f"Прогноз, сделанный в {short_period(last.period)}, сбылся с ROC-AUC {num(last.realised_roc_auc or 0.0, 3)}{simple}"
