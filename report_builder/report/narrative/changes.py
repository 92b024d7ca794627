"""«Что изменилось»: this quarter against the last one — headline numbers, moves between segments, drift, model."""

from __future__ import annotations

from dataclasses import dataclass

from report_builder.labels import BASE_SEGMENTS, USUAL_AT_RISK, USUAL_STABLE, VALUABLE_AT_RISK, VALUABLE_STABLE, label
from report_builder.report.filters import NBSP, count, num, plural
from report_builder.report.narrative.common import percent, quarter_as
from report_builder.results.history import Comparison, Drift, Flow, MetricChange
from report_builder.stages.compare import GONE, NEW

VERDICT_WORDS = {"good": "к лучшему", "bad": "к худшему", "neutral": "без заметных перемен"}
NO_DRIFT = "нет"  # the drift level of a feature that did not move
DRIFT_NAMED = 5  # moved features named in the sentence


@dataclass(frozen=True)
class MigrationTable:
    """Customers moved from each segment of the last quarter (rows) to each of this one (columns), as printed."""

    targets: tuple[str, ...]
    rows: tuple[tuple[str, tuple[str, ...]], ...]  # source, one cell per target («—» when nobody moved so)


def compared_with(period: str) -> str:
    """«Сравнение с III кварталом 2026 г.»."""
    quarter = quarter_as(period, "кварталом")
    return f"Сравнение с {quarter}" if quarter else f"Сравнение с периодом «{period}»"


def first_report() -> str:
    return "Это первый отчёт в истории — сравнивать не с чем."


def change_text(metric: MetricChange) -> str:
    """«+2,1 п. п.» for shares, «−4 %» for counts and money."""
    if metric.unit == "pp":
        return f"{'+' if metric.change >= 0 else '−'}{num(abs(metric.change), 1)}{NBSP}п.{NBSP}п."
    return f"{'+' if metric.change >= 0 else '−'}{num(abs(metric.change) * 100)}{NBSP}%"


def metric_value(metric: MetricChange, value: float, unit: str) -> str:
    if metric.name == "declined_share":
        return percent(value)
    if metric.name == "profit_at_risk":
        return f"{num(value)} {unit}"
    return num(value)


def verdict_words(metric: MetricChange) -> str:
    return VERDICT_WORDS[metric.verdict]


def sparkline(values: tuple[float, ...], width: int = 84, height: int = 18) -> str:
    """A tiny inline SVG line of the last quarters (numbers only, so nothing to escape)."""
    if len(values) < 2:
        return ""
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    step = (width - 4) / (len(values) - 1)
    points = " ".join(f"{2 + i * step:.1f},{height - 2 - (v - low) / span * (height - 4):.1f}" for i, v in enumerate(values))
    last = points.split()[-1].split(",")
    return (
        f'<svg class="spark" width="{width}" height="{height}" viewBox="0 0 {width} {height}" aria-hidden="true">'
        f'<polyline points="{points}" fill="none" stroke="#57606a" stroke-width="1.4"/>'
        f'<circle cx="{last[0]}" cy="{last[1]}" r="2.2" fill="#0072B2"/></svg>'
    )


def largest_flow(flows: tuple[Flow, ...], unit: str) -> str:
    """The move that matters most: from a stable segment into the risk zone, by profit at risk."""
    stable, risky = (VALUABLE_STABLE, USUAL_STABLE), (VALUABLE_AT_RISK, USUAL_AT_RISK)
    into_risk = [f for f in flows if f.source in stable and f.target in risky]
    if not into_risk:
        return "Ни один стабильный покупатель не перешёл в зону риска."
    top = max(into_risk, key=lambda f: f.profit_at_risk)
    who = count(top.customers, "покупатель", "покупателя", "покупателей")
    moved = plural(top.customers, "перешёл", "перешли", "перешли")
    return f"{who} из сегмента «{top.source}» {moved} в «{top.target}» (их прибыль под риском — {num(top.profit_at_risk)} {unit})."


def migration_table(flows: tuple[Flow, ...]) -> MigrationTable:
    """Rows: newcomers and last quarter's segments; columns: this quarter's segments and those who left."""
    sources, targets = (NEW, *BASE_SEGMENTS), (*BASE_SEGMENTS, GONE)
    moved = {(f.source, f.target): f.customers for f in flows}
    rows = tuple((s, tuple(num(moved[s, t]) if (s, t) in moved else "—" for t in targets)) for s in sources)
    return MigrationTable(targets, rows)


def shifted(drift: Drift) -> bool:
    return drift.level != NO_DRIFT


def drift_summary(drift: tuple[Drift, ...]) -> str:
    moved = [d for d in drift if shifted(d)]
    if not moved:
        return "Данные этого квартала распределены так же, как в прошлом: заметного сдвига нет ни в одном признаке."
    names = ", ".join(f"«{label(d.feature)}» ({d.level})" for d in moved[:DRIFT_NAMED])
    return f"Сдвинулись признаки: {names}. Порядок — по важности признака для модели."


def model_change(comparison: Comparison) -> str:
    same = comparison.model_then == comparison.model_now
    head = "Лучшая модель та же" if same else f"Лучшая модель сменилась: была {comparison.model_then}, теперь {comparison.model_now}"
    return f"{head}; ROC-AUC при подборе {num(comparison.auc_then, 3)} → {num(comparison.auc_now, 3)}."
