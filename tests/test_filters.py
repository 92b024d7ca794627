"""Russian number, percent, date and plural formats used by the templates."""

from __future__ import annotations

import datetime as dt

import pytest

from report_builder.report.filters import FILTERS, count, date_ru, num, pct, plural, seconds

NBSP = "\u00a0"
MINUS = "\u2212"
FORMS = ("покупатель", "покупателя", "покупателей")


def test_num_groups_thousands_with_nbsp_and_uses_decimal_comma() -> None:
    assert num(1234567.891, 2) == f"1{NBSP}234{NBSP}567,89"
    assert num(1234567.8) == f"1{NBSP}234{NBSP}568"
    assert num(999) == "999"
    assert num(0) == "0"
    assert num(1000, 1) == f"1{NBSP}000,0"


def test_num_has_no_breakable_or_narrow_spaces() -> None:
    text = num(98765432.1, 1)
    assert " " not in text and "\u202f" not in text
    assert text.count(NBSP) == 2


def test_num_negative_uses_true_minus() -> None:
    assert num(-1234.5, 1) == f"{MINUS}1{NBSP}234,5"
    assert num(-7) == f"{MINUS}7"
    assert "-" not in num(-1234567.891, 2)


@pytest.mark.parametrize("missing", [None, float("nan")])
def test_missing_values_are_a_dash(missing) -> None:
    assert num(missing) == "—"
    assert pct(missing) == "—"


def test_pct() -> None:
    assert pct(0.381) == f"38{NBSP}%"
    assert pct(0.3815, 1) == f"38,2{NBSP}%"
    assert pct(1.0) == f"100{NBSP}%"
    assert pct(0) == f"0{NBSP}%"
    assert pct(12.5) == f"1{NBSP}250{NBSP}%"


def test_pct_negative_uses_true_minus() -> None:
    assert pct(-0.05) == f"{MINUS}5{NBSP}%"


def test_date_ru() -> None:
    text = date_ru(dt.date(2026, 11, 23))
    # The year and «г.» are kept together by a non-breaking space.
    assert text[-3] in (NBSP, "\u202f")
    assert text.replace("\u202f", " ").replace(NBSP, " ") == "23 ноября 2026 г."


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (dt.datetime(2026, 3, 1, 23, 59), "1 марта 2026 г."),
        ("2026-05-09T10:00:00+00:00", "9 мая 2026 г."),
        ("2026-01-31", "31 января 2026 г."),
    ],
)
def test_date_ru_accepts_datetimes_and_iso_strings(value, expected) -> None:
    assert date_ru(value).replace("\u202f", " ").replace(NBSP, " ") == expected


@pytest.mark.parametrize(
    ("value", "form"),
    [
        (0, 2),
        (1, 0),
        (2, 1),
        (4, 1),
        (5, 2),
        (11, 2),
        (12, 2),
        (14, 2),
        (21, 0),
        (22, 1),
        (25, 2),
        (101, 0),
        (111, 2),
        (112, 2),
        (1296, 2),
        (1302, 1),
    ],
)
def test_plural(value: int, form: int) -> None:
    assert plural(value, *FORMS) == FORMS[form]


def test_count() -> None:
    assert count(1296, *FORMS) == f"1{NBSP}296{NBSP}покупателей"
    assert count(1, *FORMS) == f"1{NBSP}покупатель"
    assert count(494, "клиент", "клиента", "клиентов") == f"494{NBSP}клиента"
    assert count(1021, *FORMS) == f"1{NBSP}021{NBSP}покупатель"


def test_seconds() -> None:
    assert seconds(42.4) == f"42{NBSP}с"
    assert seconds(3.75) == f"3,8{NBSP}с"


def test_all_filters_are_registered() -> None:
    assert {"num", "pct", "date_ru", "plural", "count"} <= set(FILTERS)
    assert FILTERS["num"] is num


def test_a_value_that_rounds_to_zero_has_no_minus() -> None:
    assert num(-0.3) == "0" and num(-0.004, 2) == "0,00" and num(-0.6) == "−1" and num(-0.006, 2) == "−0,01"
    assert pct(-0.004) == "0\u00a0%" and pct(-0.006) == "−1\u00a0%"


def test_signed_points_of_a_zero_have_no_sign() -> None:
    from report_builder.report.narrative.common import interval_points, signed_points

    assert signed_points(0.234) == "+23,4" and signed_points(-0.103) == "−10,3"
    assert signed_points(-0.0004) == "0,0" and signed_points(0.0) == "0,0"
    assert interval_points((-0.0004, 0.05)) == "от 0,0 до +5,0\u00a0п.\u00a0п."
