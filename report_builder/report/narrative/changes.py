"""«Что изменилось»: this quarter against the last one — headline numbers, moves between segments, drift, model."""

from __future__ import annotations

import json
from dataclasses import dataclass

from report_builder.labels import BASE_SEGMENTS, USUAL_AT_RISK, USUAL_STABLE, VALUABLE_AT_RISK, VALUABLE_STABLE
from report_builder.report.filters import NBSP, count, num, plural
from report_builder.report.narrative.common import exact, percent, quarter_as
from report_builder.results.history import Comparison, Flow, MetricChange
from report_builder.results.history import GONE, NEW
from report_builder.settings_doc import described

VERDICT_WORDS = {"good": "к лучшему", "bad": "к худшему", "noise": "в пределах случайных колебаний"}


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
    """«+2,1 п. п.» for shares, «−4 %» for counts and money; «без изменений» when nothing moved."""
    if metric.change == 0:
        return "без изменений"
    if metric.unit == "pp":
        return f"{'+' if metric.change >= 0 else '−'}{num(abs(metric.change), 1)}{NBSP}п.{NBSP}п."
    return f"{'+' if metric.change >= 0 else '−'}{num(abs(metric.change) * 100)}{NBSP}%"


def metric_value(metric: MetricChange, value: float, unit: str) -> str:
    if metric.name == "declined_share":
        return percent(value)
    if metric.name == "profit_at_risk":
        return f"{num(value)} {unit}"
    return num(value)


def verdict_note(metric: MetricChange) -> str:
    """« (к лучшему)» after a change; nothing after «без изменений»."""
    return "" if metric.change == 0 else f" ({VERDICT_WORDS[metric.verdict]})"


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


def model_change(comparison: Comparison) -> str:
    same = comparison.model_then == comparison.model_now
    then, now = comparison.model_then_title or comparison.model_then, comparison.model_now_title or comparison.model_now
    if same:
        return f"Модель прогноза та же — {now.lower()}."
    return f"Модель прогноза сменилась: была «{then.lower()}», теперь «{now.lower()}»."


def risk_zone_change(comparison: Comparison) -> str:
    """How much of the change in the at-risk count the threshold, the model and the customers explain."""
    zone = comparison.risk_zone
    if zone is None:
        return ""
    total = zone.now - zone.then
    parts = []
    if zone.from_threshold:
        parts.append(f"новый порог вероятности ({percent(zone.threshold_then)} → {percent(zone.threshold_now)}) — {_signed(zone.from_threshold)}")
    if zone.from_model is not None and comparison.model_then != comparison.model_now:
        parts.append(f"смена модели — {_signed(zone.from_model)}")
    elif zone.from_model:
        parts.append(f"переобучение модели на новых данных — {_signed(zone.from_model)}")
    parts.append(f"сами покупатели — {_signed(zone.from_customers)}")
    head = f"В зоне риска {count(zone.now, 'покупатель', 'покупателя', 'покупателей')} против {num(zone.then)} в прошлом квартале ({_signed(total)})"
    if zone.with_old_model is None:
        return f"{head}: из них {'; '.join(parts)} (модель прошлого квартала восстановить не удалось, её вклад входит в «сами покупатели»)."
    return f"{head}: {'; '.join(parts)}. Каждая часть посчитана на покупателях этого квартала с прежними порогом и моделью."


def _signed(value: int) -> str:
    return f"{'+' if value >= 0 else '−'}{num(abs(value))}"


def settings_changed(comparison: Comparison) -> list[str]:
    """The analysis settings that changed, named by their description: «вероятность снижения, с которой …: 0.5 → 0.6»."""
    return [f"{described(c.path)}: {setting_value(c.old)} → {setting_value(c.new)}" for c in comparison.settings_changes]


def setting_value(text: str) -> str:
    """A recorded setting's value as the report prints numbers and words: «0.05» -> «0,05», «True» -> «да»,
    «—» (not set) -> «не задано», a list -> its items."""
    if text == "—":
        return "не задано"
    if text in ("True", "False"):
        return "да" if text == "True" else "нет"
    try:
        return exact(float(text))
    except ValueError:
        pass
    if text.startswith("["):
        items = json.loads(text)
        return ", ".join(setting_value(str(i)) for i in items) if items else "пусто"
    return f"«{text}»"


