"""Arrange results into the report's sections, each with its numbered figures."""

from __future__ import annotations

from dataclasses import dataclass, replace

from report_builder.config import ReportConfig
from report_builder.report.figure import Figure
from report_builder.report.figures import data as data_figures
from report_builder.results.report import ReportResults


@dataclass(frozen=True)
class Section:
    key: str  # partial template name and HTML anchor
    title: str
    figures: dict[str, Figure]
    ready: bool = True


@dataclass(frozen=True)
class ReportView:
    results: ReportResults
    config: ReportConfig
    sections: tuple[Section, ...]

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)


_COMING = (
    ("eda", "Исследовательский анализ"),
    ("correlation", "Корреляционный анализ"),
    ("models", "Модели"),
    ("explain", "Важность признаков"),
    ("segments", "Сегментация покупателей"),
    ("recommendations", "Рекомендации"),
)


def build_view(results: ReportResults, config: ReportConfig) -> ReportView:
    sections = [
        Section("data", "Данные", _numbered([data_figures.class_balance(results.data)])),
        *(Section(key, title, {}, ready=False) for key, title in _COMING),
    ]
    return ReportView(results, config, _renumber(sections))


def _numbered(figures: list[Figure]) -> dict[str, Figure]:
    return {f.key: f for f in figures}


def _renumber(sections: list[Section]) -> tuple[Section, ...]:
    """Figures are numbered through the whole report in reading order."""
    number = 0
    out = []
    for section in sections:
        figures = {}
        for key, figure in section.figures.items():
            number += 1
            figures[key] = replace(figure, number=number)
        out.append(replace(section, figures=figures))
    return tuple(out)
