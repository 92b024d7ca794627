"""Arrange results into the report's sections, each with its numbered figures."""

from __future__ import annotations

from dataclasses import dataclass, replace

from report_builder.config import Config, ReportConfig
from report_builder.labels import BASE_SEGMENTS
from report_builder.report.figure import Figure
from report_builder.report.figures import backtest as backtest_figures
from report_builder.report.figures import correlation as corr_figures
from report_builder.report.figures import data as data_figures
from report_builder.report.figures import eda as eda_figures
from report_builder.report.figures import explain as explain_figures
from report_builder.report.figures import models as model_figures
from report_builder.report.figures import segments as segment_figures
from report_builder.results.report import ReportResults


@dataclass(frozen=True)
class Section:
    key: str  # partial template name and HTML anchor
    title: str
    figures: dict[str, Figure]


@dataclass(frozen=True)
class ReportView:
    results: ReportResults
    settings: Config
    sections: tuple[Section, ...]

    @property
    def config(self) -> ReportConfig:
        return self.settings.report

    @property
    def top_actions(self) -> int:
        return self.settings.recommendations.top_actions

    @property
    def priority_configured(self) -> bool:
        return self.settings.segments.priority is not None

    @property
    def base_segments(self) -> list[str]:
        return list(BASE_SEGMENTS)

    @property
    def money_unit(self) -> str:
        """The unit every money figure carries: the configured one, or the money table's own units."""
        return self.config.money_unit or "ед."


def build_sections(results: ReportResults, money_unit: str | None) -> tuple[Section, ...]:
    """The report's sections in reading order, with their charts drawn and numbered."""
    data, eda, corr = results.data, results.exploration, results.correlation
    search, evaluation, explanation = results.search, results.evaluation, results.explanation
    base_rate = eda.decline_rate
    unit = money_unit or "ед."
    sections = [
        *([Section("changes", "Что изменилось", {})] if results.comparison else []),
        *([Section("backtest", "Проверка прошлого прогноза", _numbered([backtest_figures.calibration(results.backtest)]))]
          if results.backtest else []),
        Section("data", "Данные", _numbered([data_figures.class_balance(data)])),
        Section(
            "eda",
            "Исследовательский анализ",
            _numbered(
                [eda_figures.categorical_rates(f, base_rate) for f in eda.categorical]
                + [eda_figures.numeric_distribution(f) for f in eda.numeric]
            ),
        ),
        Section("correlation", "Корреляционный анализ", _numbered([corr_figures.with_target(corr), corr_figures.heatmap(corr)])),
        Section(
            "models",
            "Модели",
            _numbered(
                [
                    model_figures.comparison(search),
                    model_figures.roc_pr(evaluation, search.best_score.test_roc_auc, base_rate),
                    model_figures.confusion(evaluation),
                    model_figures.calibration(evaluation),
                ]
            ),
        ),
    ]
    if explanation is not None:
        sections.append(
            Section("explain", "Важность признаков", _numbered([explain_figures.beeswarm(explanation), explain_figures.importance(explanation)]))
        )
    if (segmentation := results.segmentation) is not None:
        sections += [
            Section(
                "segments",
                "Сегментация покупателей",
                _numbered(
                    [
                        segment_figures.scatter(segmentation, unit),
                        segment_figures.profit_at_risk(segmentation, unit),
                        segment_figures.contrasts(segmentation),
                    ]
                ),
            ),
            Section(
                "recommendations", "Рекомендации",
                _numbered([backtest_figures.value_by_band(results.economics, unit)] if results.economics else []),
            ),
        ]
    sections.append(Section("methodology", "Приложение. Методика", {}))
    return _renumber(sections)


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
