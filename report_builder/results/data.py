"""Results of loading, validating and cleaning the four source tables, and the optional table of contacts."""

from __future__ import annotations

import hashlib
import json
from dataclasses import astuple, dataclass
from typing import Annotated, ClassVar, Literal

import numpy as np
import pandas as pd

from report_builder.labels import CATEGORICAL, CONTACTS, DECLINED, ID, NUMERIC, OFFER, PROFIT, TARGET
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


def table_of(source: SourceFile) -> str:
    """The canonical table a source holds: the one it was read for (a database query), else its file's name."""
    return source.table or source.file.rsplit(".", 1)[0].lower()


@dataclass(frozen=True)
class Tables:
    """The four tables under their canonical names, and the contacts when the data has them; index = line number
    in the source file."""

    market_file: pd.DataFrame
    market_money: pd.DataFrame
    market_time: pd.DataFrame
    money: pd.DataFrame
    sources: tuple[SourceFile, ...]
    fixes: tuple[Fix, ...] = ()
    contacts: pd.DataFrame | None = None  # what was sent (id, offer, channel, date); None: the data has no such table

    @property
    def fingerprint(self) -> str:
        """Where and how the tables were read: file names, encodings, separators and the content's SHA-256.

        The key of the stages that name files and rows (validation, cleaning) and of the documents that show them.
        """
        return "|".join(json.dumps(astuple(s), ensure_ascii=False) for s in self.sources)

    def source_name(self, table: str) -> str:
        return next(s.file for s in self.sources if table_of(s) == table)


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
        results (the documents show those, and their key includes the tables' own fingerprint). What was found in the
        contacts table is not what the analysis reads: adding or correcting that table reuses every model."""
        contacts = {s.file for s in self.sources if table_of(s) == CONTACTS}
        fixes = [f for f in self.fixes if f.file is None or f.file not in contacts]
        digest = hashlib.sha256()
        frame = self.customers
        digest.update(json.dumps([[str(c), str(t)] for c, t in frame.dtypes.items()], ensure_ascii=False).encode())
        digest.update(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes())
        facts = [self.customers_in, sorted(self.target_counts.items()), sorted(self.new_categories.items()),
                 [(f.what, f.column, f.rows, f.action, f.examples) for f in fixes]]
        digest.update(json.dumps(facts, ensure_ascii=False, default=str).encode())
        return digest.hexdigest()

    @published(Out(summary=False, history=True))
    def decline_share(self) -> float:
        return self.declined / self.customers_used


@dataclass(frozen=True)
class ContactCount:
    """Contacts of one channel or one offer."""

    name: Annotated[str, Out()]  # the channel, or the offer rule's name
    contacts: Annotated[int, Out()]
    customers: Annotated[int, Out()]


@dataclass(frozen=True)
class Contacts:
    """What was actually sent to customers during the quarter: the optional contacts table, checked and named by the settings.

    The contacts of a quarter's data describe what was sent to the plan of the quarter before: the back-test sets them
    beside that plan's assignments.
    """

    SUMMARY: ClassVar[str] = "contacts"
    sent: pd.DataFrame  # one row per contact: id, offer (the rule's name), channel (as configured), date (a day)
    file: Annotated[str, Out()]
    rows: Annotated[int, Out()]  # contacts, repeated rows dropped
    customers: Annotated[int, Out()]  # customers with at least one contact
    first_day: Annotated[str, Out()]  # ISO 8601
    last_day: Annotated[str, Out()]
    outside_quarter: Annotated[int | None, Out()]  # contacts dated outside this run's quarter; None: the period is not a quarter
    by_channel: Annotated[tuple[ContactCount, ...], Out()]
    by_offer: Annotated[tuple[ContactCount, ...], Out()]

    def contacted(self, ids: pd.Index) -> np.ndarray:
        """Whether each of these customers was sent anything."""
        return ids.isin(self.sent[ID]).astype(bool)

    def offers_sent(self, ids: pd.Index) -> pd.Series:
        """The offers (rule names) sent to each of these customers, as a set; empty for those not contacted."""
        grouped = self.sent.groupby(ID)[OFFER].agg(lambda v: frozenset(v))
        return grouped.reindex(ids).map(lambda v: v if isinstance(v, frozenset) else frozenset())

    @property
    def fingerprint(self) -> str:
        """What was sent, not where it was read from: the same contacts from a file or a database key the back-test alike."""
        digest = hashlib.sha256(pd.util.hash_pandas_object(self.sent, index=False).to_numpy().tobytes())
        digest.update(json.dumps([self.rows, self.customers, self.first_day, self.last_day, self.outside_quarter]).encode())
        return digest.hexdigest()
