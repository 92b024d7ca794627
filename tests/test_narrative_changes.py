"""narrative.changes: this quarter against the last one."""

from __future__ import annotations

from report_builder.labels import BASE_SEGMENTS, USUAL_AT_RISK, USUAL_STABLE, VALUABLE_AT_RISK, VALUABLE_STABLE
from report_builder.report.narrative import changes as say
from report_builder.report.narrative import drift
from report_builder.results.history import Drift, Flow, MetricChange

NB = "\u00a0"


def _metric(name: str, unit: str, change: float, verdict: str = "noise") -> MetricChange:
    return MetricChange(name, "t", 1.0, 1.0, change, unit, 0.5, verdict, ())  # type: ignore[arg-type]


def test_quarters_in_the_case_the_sentence_needs() -> None:
    assert say.compared_with("2026-Q3") == f"Сравнение с III кварталом 2026{NB}г."
    assert say.compared_with("весна") == "Сравнение с периодом «весна»"


def test_headline_changes() -> None:
    assert say.change_text(_metric("declined_share", "pp", 1.2)) == f"+1,2{NB}п.{NB}п."
    assert say.change_text(_metric("customers", "relative", -0.04)) == f"−4{NB}%"
    assert say.metric_value(_metric("declined_share", "pp", 0), 0.38, "ед.") == f"38{NB}%"
    assert say.metric_value(_metric("profit_at_risk", "relative", 0), 5897, "ед.") == f"5{NB}897 ед."
    assert [say.verdict_note(_metric("x", "pp", 0.5, v)) for v in ("good", "bad", "noise")] == [" (к лучшему)", " (к худшему)", " (в пределах случайных колебаний)"]
    unchanged = _metric("customers", "relative", 0.0)
    assert (say.change_text(unchanged), say.verdict_note(unchanged)) == ("без изменений", "")


def test_the_migration_table_has_a_cell_for_every_pair() -> None:
    flows = (Flow("новые", VALUABLE_AT_RISK, 12, 30.0), Flow(VALUABLE_STABLE, VALUABLE_AT_RISK, 1234, 500.0), Flow(USUAL_STABLE, "ушли", 3, 1.0))
    table = say.migration_table(flows)
    assert table.targets == (*BASE_SEGMENTS, "ушли")
    assert [source for source, _ in table.rows] == ["новые", *BASE_SEGMENTS]
    cells = {source: cells for source, cells in table.rows}
    assert cells["новые"] == ("12", "—", "—", "—", "—")
    assert cells[VALUABLE_STABLE] == (f"1{NB}234", "—", "—", "—", "—")
    assert cells[USUAL_STABLE][-1] == "3" and set(cells[USUAL_AT_RISK]) == {"—"}


def test_the_largest_flow_into_the_risk_zone() -> None:
    flows = (Flow(VALUABLE_STABLE, VALUABLE_AT_RISK, 21, 50.0), Flow(USUAL_STABLE, USUAL_AT_RISK, 40, 20.0))
    assert say.largest_flow(flows, "ед.") == f"21{NB}покупатель из сегмента «{VALUABLE_STABLE}» перешёл в «{VALUABLE_AT_RISK}» (их прибыль под риском — 50 ед.)."
    assert say.largest_flow((), "ед.") == "Ни один стабильный покупатель не перешёл в зону риска."


def test_drift() -> None:
    still = Drift("Страниц_за_визит", "wasserstein", 0.01, "нет", (), ())
    moved = Drift("Акционные_покупки", "wasserstein", 0.3, "сильный", (), ())
    assert not drift.shifted(still) and drift.shifted(moved)
    assert drift.drift_summary((still, moved)) == "Сдвинулись признаки: «Доля акционных покупок» (сильный). Порядок — по важности признака для модели."
    assert "заметного сдвига нет" in drift.drift_summary((still,))


def test_sparkline_needs_two_points() -> None:
    assert say.sparkline((1.0,)) == "" and say.sparkline((1.0, 2.0)).startswith('<svg class="spark"')


def test_a_category_row_compares_shares_and_names_the_category_in_its_own_column() -> None:
    row = Drift("Популярная_категория", "psi", 1.07, "сильный", ("Мелкая бытовая техника и электроника",), ("Книги",),
                then=0.0, now=0.14, category="Мелкая бытовая техника и электроника")
    assert drift.drift_values(row) == (f"0{NB}%", f"14{NB}%")
    assert drift.drift_categories(row) == ("доля «Мелкая бытовая техника и электроника»; новые: Мелкая бытовая техника и "
                                           "электроника; исчезли: Книги")
    number = Drift("Страниц_за_визит", "wasserstein", 0.26, "сильный", (), (), then=9.21, now=8.18)
    assert drift.drift_values(number) == ("9,21", "8,18") and drift.drift_categories(number) == ""
