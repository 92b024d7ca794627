"""A rendered chart with its caption, ready for the templates."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup


@dataclass(frozen=True)
class Figure:
    key: str
    title: str  # the chart's point, said in words
    alt: str  # what the chart shows, for screen readers
    svg: str
    number: int = 0

    @property
    def markup(self) -> Markup:
        return Markup(self.svg)  # produced by matplotlib from escaped labels, never raw input
