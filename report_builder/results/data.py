"""Results of loading, validating and cleaning the four source tables."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pandas as pd

from report_builder.labels import DECLINED

Action = Literal["исправлено", "удалено", "отмечено"]


@dataclass(frozen=True)
class SourceFile:
    file: str
    rows: int
    sha256: str
    encoding: str
    separator: str
    decimal: str
    table: str = ""  # the canonical table, for a source whose name does not say it (a database query)


@dataclass(frozen=True)
class Fix:
    """One correction or observation made on the input, counted."""

    what: str
    column: str | None
    rows: int
    action: Action
    file: str | None = None
    examples: tuple[str, ...] = ()


@dataclass(frozen=True)
class Tables:
    """The four tables under their canonical names; index = line number in the source file."""

    market_file: pd.DataFrame
    market_money: pd.DataFrame
    market_time: pd.DataFrame
    money: pd.DataFrame
    sources: tuple[SourceFile, ...]
    fixes: tuple[Fix, ...] = ()

    @property
    def fingerprint(self) -> str:
        """The content of the four sources: equal fingerprints, equal tables."""
        return "|".join(s.sha256 for s in self.sources)

    def source_name(self, table: str) -> str:
        return next(s.file for s in self.sources if (s.table or s.file.rsplit(".", 1)[0].lower()) == table)


@dataclass(frozen=True)
class CleanData:
    """One row per customer kept for the analysis (index: id)."""

    customers: pd.DataFrame  # features, target and profit
    customers_in: int
    sources: tuple[SourceFile, ...]
    fixes: tuple[Fix, ...]
    target_counts: dict[str, int]
    new_categories: dict[str, tuple[str, ...]]

    @property
    def customers_used(self) -> int:
        return len(self.customers)

    @property
    def declined(self) -> int:
        return self.target_counts[DECLINED]

    @property
    def decline_share(self) -> float:
        return self.declined / self.customers_used
