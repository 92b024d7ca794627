"""What several sections share: shares, percentage points, exact numbers, period labels, table lengths."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from typing import TypeVar

from babel.dates import format_date

from report_builder.periods import ROMAN
from report_builder.periods import period_label as _period_label
from report_builder.report.filters import LOCALE, NBSP, num
from report_builder.results.report import RunInfo

_T = TypeVar("_T")


def level(value: float, levels: tuple[tuple[float, str], ...]) -> str:
    """The word of the first level whose lower bound the value reaches; levels run from the top down."""
    return next(text for bound, text in levels if value >= bound)


def percent(share: float) -> str:
    """0.381 -> «38 %»."""
    return f"{num(share * 100)}{NBSP}%"


def points(share: float) -> str:
    """A gap between two shares in whole percentage points: 0.06 -> «6 п. п.»."""
    return f"{num(share * 100)}{NBSP}п.{NBSP}п."


def points_number(share: float) -> str:
    """The number of percentage points alone, for a sentence that writes the unit itself: 0.1 -> «10»."""
    return num(share * 100)


def pp(value: float) -> str:
    """A signed difference of shares with one decimal: −0.012 -> «−1,2 п. п.»."""
    sign = "−" if value < 0 else ""
    return f"{sign}{num(abs(value) * 100, 1)}{NBSP}п.{NBSP}п."


def signed_points(value: float) -> str:
    """A signed number of percentage points, without the unit: 0.234 -> «+23,4», −0.103 -> «−10,3»; one that rounds
    to zero -> «0,0»."""
    if round(value * 100, 1) == 0:
        return num(0, 1)
    return f"{'−' if value < 0 else '+'}{num(abs(value) * 100, 1)}"


def interval_points(ci95: tuple[float, float]) -> str:
    """An interval of percentage points, unit once: «от −6,0 до +10,3 п. п.»."""
    return f"от {signed_points(ci95[0])} до {signed_points(ci95[1])}{NBSP}п.{NBSP}п."


def uplift_difference(uplift: float, ci95: tuple[float, float]) -> str:
    """«разница −19,1 п. п. (95 % ДИ от −30,5 до −7,6 п. п.)»: offered against control, with its interval."""
    return f"разница {signed_points(uplift)}{NBSP}п.{NBSP}п. (95{NBSP}% ДИ {interval_points(ci95)})"


def p_note(p: float | None) -> str:
    """A p-value in brackets after a sentence's claim, as the report writes it: « (p = 0,26)», « (p = 0,004)»,
    « (p < 0,001)»; nothing without one."""
    if p is None:
        return ""
    return f" (p{NBSP}<{NBSP}0,001)" if p < 0.001 else f" (p{NBSP}={NBSP}{num(p, 2 if p >= 0.01 else 3)})"


def end(text: str) -> str:
    """A sentence with one full stop at its end, also after an abbreviation such as «п. п.» or «ед.»."""
    text = text.rstrip()
    return text if text.endswith((".", "!", "?")) else text + "."


def short_period(period: str) -> str:
    """«2026-Q3» -> «III кв. 2026» for a table cell; any other label as it is."""
    year, _, quarter = period.partition("-Q")
    if year.isdigit() and quarter.isdigit() and int(quarter) in ROMAN:
        return f"{ROMAN[int(quarter)]}{NBSP}кв.{NBSP}{year}"
    return period


def exact(value: float) -> str:
    """A configured number with every digit it is applied with: 3.5 -> «3,5», 4 -> «4», 0.045 -> «0,045»."""
    text = f"{value:.10g}"
    return text.replace(".", ",").replace("-", "−")


period_label = _period_label  # «2026-Q4» -> «IV квартал 2026 г.»: the stages name a quarter the same way


def quarter_as(period: str, case: str) -> str | None:
    """«IV квартале 2026 г.» for case «квартале»; None for a label that is not a quarter."""
    label_ = period_label(period)
    return label_.replace(" квартал ", f" {case} ", 1) if label_ != period else None


def day_span(first: str, last: str) -> str:
    """Two ISO days as a span: «с 3 июля по 29 сентября 2026 г.», the year said once when both days share it."""
    start, stop = _dt.date.fromisoformat(first), _dt.date.fromisoformat(last)
    if start == stop:
        return _day(start, True)
    return f"с {_day(start, start.year != stop.year)} по {_day(stop, True)}"


def _day(day: _dt.date, year: bool) -> str:
    text = format_date(day, "d MMMM", locale=LOCALE)
    return f"{text} {day.year}{NBSP}г." if year else text


def build_day(run: RunInfo) -> str:
    """The day the report was built, ISO 8601 (the exact time is in summary.json)."""
    return run.built_at[:10]  # YYYY-MM-DD


def head(items: Sequence[_T], limit: int) -> Sequence[_T]:
    """The first `limit` rows a table shows."""
    return items[:limit]


def rows_note(items: Sequence[object], limit: int, where: str) -> str:
    """Under a table cut to `limit` rows: how many there are and where the rest is; nothing when all are shown."""
    if len(items) <= limit:
        return ""
    return f"Показаны первые {limit} строк из {num(len(items))}; полный список — в {where}."
