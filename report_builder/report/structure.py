"""Arrange results into the report's sections, each with its numbered figures.

The sections are declared in the stage table, each owned by the stage whose result it shows;
a section is present when its owner's result is. Front sections follow «Главное», then the body,
then the appendix, each part in table order. A section's charts are drawn by a stage of their own
(`charts_<key>`, made from the section's chart function) and only arranged and numbered here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from report_builder.config import Config, ReportConfig
from report_builder.report.figure import Figure
from report_builder.runner import Section

PARTS = ("front", "body", "appendix")


@dataclass(frozen=True)
class DrawnSection:
    key: str  # partial template name and HTML anchor
    title: str
    figures: dict[str, Figure]


@dataclass(frozen=True)
class ReportView:
    results: object  # the table's results class (report_builder.pipeline.ReportResults)
    settings: Config
    sections: tuple[DrawnSection, ...]

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
    def money_unit(self) -> str:
        """The unit every money figure carries: the configured one, or the money table's own units."""
        return self.config.money_unit or "ед."


def arrange_sections(results: object) -> tuple[DrawnSection, ...]:
    """The report's sections in reading order, with the charts their stages drew, numbered through the report."""
    declared: tuple[tuple[str, Section], ...] = getattr(type(results), "sections")
    arranged = []
    for part in PARTS:
        for owner, section in declared:
            if section.part != part or getattr(results, owner) is None:
                continue
            figures = (getattr(results, f"charts_{section.key}", None) or []) if section.figures else []
            arranged.append(DrawnSection(section.key, section.title, {f.key: f for f in figures if isinstance(f, Figure)}))
    return _renumber(arranged)


def _renumber(sections: list[DrawnSection]) -> tuple[DrawnSection, ...]:
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
