"""Quarter labels («2026-Q3»): the last finished one, and the one before another."""

from __future__ import annotations

import datetime as dt


def last_finished_quarter(today: dt.date) -> str:
    """The label of the last quarter that has ended by `today`: 2 December 2026 -> «2026-Q3», 1 January -> last year's Q4.

    A quarterly report is built after its quarter ends, so the quarter under way is never the default."""
    index = today.year * 4 + (today.month - 1) // 3 - 1
    return f"{index // 4}-Q{index % 4 + 1}"


def previous_period(period: str, back: int = 1) -> str:
    """«2026-Q4», 2 -> «2026-Q2»; a label of another shape gets a suffix."""
    year, _, quarter = period.partition("-Q")
    if not (year.isdigit() and quarter.isdigit()):
        return f"{period}-{back}"
    index = int(year) * 4 + int(quarter) - 1 - back
    return f"{index // 4}-Q{index % 4 + 1}"


def quarter_days(period: str) -> tuple[dt.date, dt.date] | None:
    """The first and the last day of a quarter: «2026-Q3» -> (1 July, 30 September 2026); None for a label of another shape."""
    year, _, quarter = period.partition("-Q")
    if not (year.isdigit() and quarter.isdigit() and 1 <= int(quarter) <= 4):
        return None
    first = dt.date(int(year), 3 * int(quarter) - 2, 1)
    after = dt.date(int(year) + (int(quarter) == 4), 3 * int(quarter) % 12 + 1, 1)
    return first, after - dt.timedelta(days=1)


def consecutive(before: str, after: str) -> bool:
    """Whether `after` is the quarter right after `before` (labels of another shape never are)."""
    return "-Q" in after and previous_period(after) == before


ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
NBSP = "\u00a0"


def period_label(period: str) -> str:
    """«2026-Q4» -> «IV квартал 2026 г.»; any other label as it is."""
    year, _, quarter = period.partition("-Q")
    if year.isdigit() and quarter.isdigit() and int(quarter) in ROMAN:
        return f"{ROMAN[int(quarter)]} квартал {year}{NBSP}г."
    return period
