"""A rendered chart with its caption, ready for the templates."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from report_builder.report.style import Drawing


@dataclass(frozen=True)
class Figure:
    key: str
    title: str  # the chart's point, said in words
    alt: str  # what the chart shows, for screen readers
    drawing: Drawing
    number: int = 0

    @property
    def svg(self) -> str:
        return self.drawing.svg

    @property
    def markup(self) -> Markup:
        return Markup(self.drawing.svg)  # produced by matplotlib from escaped labels, never raw input

    @property
    def print_src(self) -> str:
        """Where the print page takes the chart's PNG from: the PDF layout serves it from memory (`render.PrintPage`)."""
        return CHART_SCHEME + self.key


CHART_SCHEME = "chart:"
