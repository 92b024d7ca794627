"""Results of loading, validating and cleaning the four source tables."""

from __future__ import annotations

import hashlib
import json
from dataclasses import astuple, dataclass
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
    examples: tuple[tuple[int, float | None], ...] = ()  # a few flagged customers: (id, the value flagged, if one)


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
        """Where and how the tables were read: file names, encodings, separators and the content's SHA-256.

        The key of the stages that name files and rows (validation, cleaning) and of the documents that show them.
        """
        return "|".join(json.dumps(astuple(s), ensure_ascii=False) for s in self.sources)

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

    @property
    def fingerprint(self) -> str:
        """What the analysis reads, not where it was read from: the customers' rows (values, types, order, ids), the
        counts and the fixes without their file names. The stages after cleaning are keyed on it, so the same quarter
        read from CSV, Excel, Parquet or a database reuses them; they must not copy `sources` or `Fix.file` into their
        results (the documents show those, and their key includes the tables' own fingerprint)."""
        digest = hashlib.sha256()
        frame = self.customers
        digest.update(json.dumps([[str(c), str(t)] for c, t in frame.dtypes.items()], ensure_ascii=False).encode())
        digest.update(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes())
        facts = [self.customers_in, sorted(self.target_counts.items()), sorted(self.new_categories.items()),
                 [(f.what, f.column, f.rows, f.action, f.examples) for f in self.fixes]]
        digest.update(json.dumps(facts, ensure_ascii=False, default=str).encode())
        return digest.hexdigest()

    @published(Out(summary=False, history=True))
    def decline_share(self) -> float:
        return self.declined / self.customers_used
