"""Results of loading, validating and cleaning the four source tables."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, ClassVar, Literal

import pandas as pd

from report_builder.labels import CATEGORICAL, DECLINED, NUMERIC, PROFIT, TARGET
from report_builder.records import Out, published

Action = Literal["исправлено", "удалено", "отмечено"]


@dataclass(frozen=True)
class SourceFile:
    file: Annotated[str, Out()]
    rows: Annotated[int, Out()]
    sha256: Annotated[str, Out()]
    encoding: str
    separator: str
    decimal: str
    table: str = ""  # the canonical table, for a source whose name does not say it (a database query)


@dataclass(frozen=True)
class Fix:
    """One correction or observation made on the input, counted."""

    what: Annotated[str, Out()]
    column: Annotated[str | None, Out()]
    rows: Annotated[int, Out()]
    action: Annotated[Action, Out()]
    file: Annotated[str | None, Out()] = None
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


# What the history keeps of each customer's cleaned row: enough to fit next quarter's forecast on it.
CLEAN_COLUMNS: dict[str, type] = {**{c: str for c in CATEGORICAL}, **{c: float for c in NUMERIC}, TARGET: str, PROFIT: float}


@dataclass(frozen=True)
class CleanData:
    """One row per customer kept for the analysis (index: id)."""

    SUMMARY: ClassVar[str] = "data"
    customers: Annotated[pd.DataFrame, Out(summary=False, history=True, columns=CLEAN_COLUMNS)]  # features, target and profit
    customers_in: Annotated[int, Out()]
    sources: Annotated[tuple[SourceFile, ...], Out()]
    fixes: Annotated[tuple[Fix, ...], Out()]
    target_counts: Annotated[dict[str, int], Out()]
    new_categories: Annotated[dict[str, tuple[str, ...]], Out()]

    @published(Out(history=True))
    def customers_used(self) -> int:
        return len(self.customers)

    @property
    def declined(self) -> int:
        return self.target_counts[DECLINED]

    @published(Out(summary=False, history=True))
    def decline_share(self) -> float:
        return self.declined / self.customers_used
