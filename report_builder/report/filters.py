"""Russian number, date and plural formats for the templates (built on babel)."""

from __future__ import annotations

import datetime as dt
import math

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

from report_builder.labels import label

LOCALE = Locale("ru", "RU")
NBSP = "\u00a0"


def num(value: float | int | None, digits: int = 0) -> str:
    """1234567.8 -> «1 234 568»; digits > 0 keeps that many decimals with a comma."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    if round(float(value), digits) == 0:  # −0,3 printed in whole units is «0», not «−0»
        value = 0
    text = format_decimal(value, format=pattern, locale=LOCALE)
    return text.replace("\u202f", NBSP).replace("-", "−")


def pct(value: float | None, digits: int = 0) -> str:
    """0.381 -> «38 %» (share given as a fraction)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    pattern = "#,##0" + ("." + "0" * digits if digits else "") + "\u00a0%"
    if round(float(value) * 100, digits) == 0:
        value = 0.0
    return format_percent(value, format=pattern, locale=LOCALE).replace("\u202f", NBSP).replace("-", "−")


def date_ru(value: dt.date | dt.datetime | str) -> str:
    """«23 ноября 2026 г.»"""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    return format_date(value, format="long", locale=LOCALE)


def plural(count: int, one: str, few: str, many: str) -> str:
    """Russian plural form agreeing with `count`: 1 покупатель, 3 покупателя, 12 покупателей."""
    form = LOCALE.plural_form(abs(int(count)))
    return {"one": one, "few": few}.get(form, many)


def count(value: int, one: str, few: str, many: str) -> str:
    """«1 296 покупателей»."""
    return f"{num(value)}{NBSP}{plural(value, one, few, many)}"


def seconds(value: float) -> str:
    return f"{num(value, 1 if value < 10 else 0)}{NBSP}с"


def zipped(first: object, *others: object) -> list[tuple[object, ...]]:
    """Rows from columns of equal length: ``months | zip(declined, stable)``."""
    return list(zip(first, *others, strict=True))  # type: ignore[call-overload]


FILTERS = {"zip": zipped, "num": num, "pct": pct, "date_ru": date_ru, "plural": plural, "count": count, "seconds": seconds, "label": label}
