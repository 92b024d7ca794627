"""Which sections a report has, in which order, and how its figures are numbered: tested on small results."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import ClassVar

import small_results as make
from report_builder.pipeline import ReportResults
from report_builder.report.figure import Figure
from layout import draw_every_chart
from report_builder.report.structure import arrange_sections
from report_builder.runner import Section


def _figure(key: str) -> Figure:
    return Figure(key, f"подпись {key}", f"описание {key}", "<svg></svg>")


def _two_charts(alpha: str, unit: str) -> list[Figure]:
    return [_figure(f"{alpha}-1-{unit}"), _figure(f"{alpha}-2")]


def _one_chart(beta: str) -> list[object]:
    return [_figure(beta), "not a figure"]  # only Figures reach the report


def _appendix_chart(gamma: str, alpha: str) -> list[Figure]:
    return [_figure(f"{gamma}+{alpha}")]


@dataclass(frozen=True)
class Results:
    """Four owners in table order; «beta» shows in front, «gamma» in the appendix, «delta» has no charts."""

    sections: ClassVar = (
        ("alpha", Section("a", "Альфа", figures=_two_charts)),
        ("gamma", Section("g", "Гамма", part="appendix", figures=_appendix_chart)),
        ("beta", Section("b", "Бета", part="front", figures=_one_chart)),
        ("delta", Section("d", "Дельта")),
    )
    alpha: str | None = "α"
    beta: str | None = "β"
    gamma: str | None = "γ"
    delta: str | None = "δ"


def _layout(results: object, unit: str | None = None) -> list[tuple[str, list[tuple[str, int]]]]:
    return [(s.key, [(f.key, f.number) for f in s.figures.values()]) for s in arrange_sections(draw_every_chart(results, unit or "ед."))]


def test_front_sections_come_first_then_the_body_then_the_appendix() -> None:
    assert [key for key, _ in _layout(Results())] == ["b", "a", "d", "g"]


def test_figures_are_numbered_through_the_report_in_reading_order() -> None:
    assert _layout(Results(), "тыс. руб.") == [
        ("b", [("β", 1)]),
        ("a", [("α-1-тыс. руб.", 2), ("α-2", 3)]),
        ("d", []),
        ("g", [("γ+α", 4)]),
    ]


def test_a_section_whose_result_is_absent_is_left_out_and_the_numbers_close_up() -> None:
    assert _layout(Results(beta=None, delta=None)) == [("a", [("α-1-ед.", 1), ("α-2", 2)]), ("g", [("γ+α", 3)])]
    assert _layout(Results(alpha=None, beta=None, gamma=None, delta=None)) == []


def test_sections_keep_their_titles_and_figures_their_captions() -> None:
    drawn = arrange_sections(draw_every_chart(Results()))
    assert [s.title for s in drawn] == ["Бета", "Альфа", "Дельта", "Гамма"]
    assert drawn[1].figures["α-2"].title == "подпись α-2"


def _report_results(**present: object) -> object:
    """The pipeline's own results class with only the given results; every other stage absent."""
    given = {f.name: None for f in dataclasses.fields(ReportResults) if f.default is dataclasses.MISSING}
    return ReportResults(**{**given, **present})


def test_the_real_table_on_an_analysis_without_models() -> None:
    results = _report_results(data=make.clean_data(), exploration=make.exploration(), correlation=make.correlation())
    layout = _layout(results)
    assert [key for key, _ in layout] == ["data", "eda", "correlation"]
    numbers = [n for _, figures in layout for _, n in figures]
    assert numbers == list(range(1, 1 + 1 + 3 + 2))  # class balance, three features, two φK charts
    assert [k for k, _ in layout[1][1]] == ["eda_Тип сервиса", "eda_Страниц_за_визит", "eda_Ошибка_сервиса"]


def test_the_real_table_puts_the_forecast_check_in_front_and_the_methodology_last() -> None:
    results = _report_results(
        data=make.clean_data(), search=make.search(), evaluation=make.evaluation(), exploration=make.exploration(),
        segmentation=make.segmentation(), backtest=make.backtest(),
    )
    drawn = arrange_sections(draw_every_chart(results, "тыс. руб."))
    assert [s.key for s in drawn] == ["backtest", "data", "eda", "models", "segments", "methodology"]
    assert drawn[0].figures["backtest_calibration"].number == 1
    assert drawn[1].figures["class_balance"].number == 2
    assert drawn[-1].figures == {}
    assert "тыс. руб." in drawn[4].figures["segments_scatter"].title
    last = [f.number for s in drawn for f in s.figures.values()]
    assert last == list(range(1, len(last) + 1))
