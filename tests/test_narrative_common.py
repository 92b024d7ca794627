"""narrative.common: shares, points, exact numbers, periods and table lengths."""

from __future__ import annotations

from report_builder.report.narrative import common as say
from report_builder.results.report import RunInfo

NB = "\u00a0"


def test_shares_and_points() -> None:
    assert say.percent(0.381) == f"38{NB}%"
    assert say.points(0.06) == f"6{NB}п.{NB}п." and say.points_number(0.1) == "10"
    assert say.pp(-0.012) == f"−1,2{NB}п.{NB}п." and say.pp(0.05) == f"5,0{NB}п.{NB}п."


def test_exact_prints_every_digit_applied() -> None:
    assert (say.exact(3.5), say.exact(4.0), say.exact(0.045), say.exact(-2.0)) == ("3,5", "4", "0,045", "−2")


def test_levels_run_from_the_top_down() -> None:
    levels = ((0.8, "сильное"), (0.5, "заметное"), (0.0, "нет"))
    assert [say.level(v, levels) for v in (0.9, 0.8, 0.79, 0.0)] == ["сильное", "сильное", "заметное", "нет"]


def test_period_label() -> None:
    assert say.period_label("2026-Q4") == f"IV квартал 2026{NB}г."
    assert say.period_label("2026-Q1") == f"I квартал 2026{NB}г."
    assert say.period_label("весна") == "весна" and say.period_label("2026-Q5") == "2026-Q5"
    assert say.quarter_as("2026-Q3", "квартале") == f"III квартале 2026{NB}г." and say.quarter_as("весна", "квартале") is None


def test_build_day() -> None:
    run = RunInfo("2026-Q3", "2026-10-02T08:15:00+00:00", 42, {}, "data", False)
    assert say.build_day(run) == "2026-10-02"


def test_a_table_shows_its_first_rows_and_says_where_the_rest_is() -> None:
    rows = tuple(range(45))
    assert say.head(rows, 40) == tuple(range(40)) and say.head(rows[:3], 40) == (0, 1, 2)
    assert say.rows_note(rows, 40, "summary.json") == "Показаны первые 40 строк из 45; полный список — в summary.json."
    assert say.rows_note(rows[:40], 40, "summary.json") == ""
