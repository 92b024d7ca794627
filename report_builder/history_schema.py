"""The history's tables, derived from the results' declarations, and the snapshot they are read back into.

Every attribute a result marks ``Out(history=True)`` is kept: a number or a text becomes a column of
`runs` (``<stage>__<attribute>``; a nested result's attributes continue the name), a tuple of results
becomes a child table with one row per element, and a frame becomes a child table with one row per
customer and the columns the declaration names. A snapshot is the run's records, one per stage.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import re
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from report_builder.records import Attribute, Record, element, optional, record_type, recorded, to_record

if TYPE_CHECKING:  # the tables are made when a history is opened: a build that keeps none never loads SQLAlchemy
    import sqlalchemy as sa

RUN = "run"  # the part every snapshot has: the run's own facts (period, data set, build time)
SEPARATOR = "__"
_CYRILLIC = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
                     "a b v g d e e zh z i j k l m n o p r s t u f h c ch sh sch - y - e yu ya".split()))
_CYRILLIC.update({"ъ": "", "ь": ""})


def column_name(text: str) -> str:
    """A column name any database takes (ASCII, at most 60 bytes) for a feature's Russian name."""
    latin = "".join(_CYRILLIC.get(ch, ch) for ch in text.lower())
    return re.sub(r"[^a-z0-9]+", "_", latin).strip("_")[:60] or "column"


@dataclass(frozen=True)
class ChildRows:
    """A child table's rows without their run id: the column names, and each row's values in that order (a quarter's
    customers as tuples, which the database driver takes as they are)."""

    names: tuple[str, ...]
    values: list[tuple[object, ...]]

    @classmethod
    def of(cls, rows: list[dict[str, object]]) -> ChildRows:
        """Rows made as mappings, all with the same keys."""
        names = tuple(rows[0]) if rows else ()
        return cls(names, [tuple(row[n] for n in names) for row in rows])


@dataclass(frozen=True)
class Column:
    name: str
    path: tuple[str, ...]  # attribute names from the part's record down to the value
    hint: object


@dataclass(frozen=True)
class Child:
    """A child table: rows of a tuple of results, or a frame of customers."""

    table: sa.Table
    part: str
    path: tuple[str, ...]
    element: type | None  # the recorded result class of a tuple's elements
    columns: tuple[Column, ...]  # a tuple's element columns, or a frame's columns (path: the frame's column)


def _sql_type(hint: object) -> sa.types.TypeEngine:
    import sqlalchemy as sa

    inner, _ = optional(hint)
    if inner is bool:
        return sa.Boolean()
    if inner is int:
        return sa.BigInteger()
    if inner is float:
        return sa.Float()
    return sa.Text()  # text, a Literal, or JSON for tuples and mappings of plain values


def _is_json(hint: object) -> bool:
    inner, _ = optional(hint)
    return typing.get_origin(inner) in (tuple, dict) or inner in (tuple, dict)


def _flat(cls: type, prefix: tuple[str, ...]) -> tuple[list[Column], list[tuple[tuple[str, ...], Attribute]]]:
    """The scalar columns of a result class, and the attributes that need a child table."""
    columns: list[Column] = []
    children: list[tuple[tuple[str, ...], Attribute]] = []
    for a in recorded(cls):
        inner, _ = optional(a.hint)
        path = (*prefix, a.name)
        if inner is pd.DataFrame or (element(inner) is not None and dataclasses.is_dataclass(element(inner))):
            children.append((path, a))
        elif dataclasses.is_dataclass(inner):
            nested, deeper = _flat(inner, path)  # type: ignore[arg-type]
            columns += nested
            children += deeper
        else:
            columns.append(Column(SEPARATOR.join(path), path, a.hint))
    return columns, children


def _child(metadata: sa.MetaData, part: str, path: tuple[str, ...], attribute: Attribute) -> Child:
    """A child table of `runs`: a frame's customers, or a tuple's elements by position."""
    import sqlalchemy as sa

    name = SEPARATOR.join((part, *path))
    inner, _ = optional(attribute.hint)
    keys = [sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id", ondelete="CASCADE"), nullable=False, index=True)]
    if inner is pd.DataFrame:
        declared = attribute.out.columns or {}
        columns = tuple(Column(column_name(c), (c,), kind | None) for c, kind in declared.items())  # type: ignore[operator]
        keys.append(sa.Column("customer_id", sa.BigInteger, nullable=False))
        table = sa.Table(name, metadata, *keys, *(sa.Column(c.name, _sql_type(c.hint), nullable=True) for c in columns))
        return Child(table, part, path, None, columns)
    item = element(inner)
    assert isinstance(item, type)
    flat, deeper = _flat(item, ())
    assert not deeper, f"{name}: a tuple's elements keep plain values only"
    keys.append(sa.Column("position", sa.Integer, nullable=False))
    table = sa.Table(name, metadata, *keys, *(sa.Column(c.name, _sql_type(c.hint), nullable=True) for c in flat))
    return Child(table, part, path, item, tuple(flat))


@dataclass(frozen=True)
class _Tables:
    metadata: sa.MetaData
    version: sa.Table
    runs: sa.Table
    columns: dict[str, list[Column]]  # each part's columns of `runs`
    children: list[Child]


class HistorySchema:
    """Tables and snapshot type for the parts (stage name → result class) whose results the history keeps."""

    def __init__(self, parts: Mapping[str, type]) -> None:
        self.parts = {name: cls for name, cls in parts.items() if recorded(cls)}
        assert RUN in self.parts, "the run's facts are part of every snapshot"
        self.snapshot = dataclasses.make_dataclass(
            "Snapshot", [(part, record_type(cls) | None) for part, cls in self.parts.items()], frozen=True,  # type: ignore[operator]
            namespace={"period": property(lambda s: s.run.period), "__doc__": "One recorded run, a record per stage."},
        )
        self.snapshot.__module__ = __name__

    @functools.cached_property
    def _tables(self) -> _Tables:
        """The SQL tables, made when the history is first used."""
        import sqlalchemy as sa

        metadata = sa.MetaData()
        version = sa.Table("schema_version", metadata, sa.Column("version", sa.Integer, nullable=False),
                           sa.Column("fingerprint", sa.String(64), nullable=True))
        columns: dict[str, list[Column]] = {}
        children: list[Child] = []
        run_columns = [sa.Column("id", sa.Integer, primary_key=True, autoincrement=True)]
        for part, cls in self.parts.items():
            flat, deeper = _flat(cls, ())
            columns[part] = flat
            run_columns.append(sa.Column(f"{part}{SEPARATOR}present", sa.Boolean, nullable=False))
            run_columns += [sa.Column(f"{part}{SEPARATOR}{c.name}", _sql_type(c.hint), nullable=True) for c in flat]
            for path, attribute in deeper:
                children.append(_child(metadata, part, path, attribute))
        runs = sa.Table("runs", metadata, *run_columns,
                        sa.UniqueConstraint("run__dataset", "run__period", name="one_run_per_period"))
        return _Tables(metadata, version, runs, columns, children)

    @property
    def metadata(self) -> sa.MetaData:
        return self._tables.metadata

    @property
    def version(self) -> sa.Table:
        return self._tables.version

    @property
    def runs(self) -> sa.Table:
        return self._tables.runs

    @property
    def columns(self) -> dict[str, list[Column]]:
        return self._tables.columns

    @property
    def children(self) -> list[Child]:
        return self._tables.children

    @property
    def fingerprint(self) -> str:
        """What the derived schema is: tables, columns and their types. It changes with any recorded declaration."""
        shape = [(t.name, [(c.name, str(c.type)) for c in t.columns]) for t in self.metadata.sorted_tables]
        return hashlib.sha256(json.dumps(shape).encode()).hexdigest()[:16]

    # --- writing -------------------------------------------------------------------------------

    def take(self, values: Mapping[str, object]) -> object:
        """A snapshot of this run from its results (by stage name), as the history would read it back."""
        return self.snapshot(**{part: to_record(values.get(part)) for part in self.parts})

    def rows(self, snapshot: object) -> tuple[dict[str, object], list[tuple[sa.Table, ChildRows]]]:
        """The `runs` row and the child rows (without their run id) of a snapshot."""
        run: dict[str, object] = {}
        for part in self.parts:
            record = getattr(snapshot, part)
            run[f"{part}{SEPARATOR}present"] = record is not None
            for c in self.columns[part]:
                run[f"{part}{SEPARATOR}{c.name}"] = None if record is None else _encode(_at(record, c.path), c.hint)
        children = []
        for child in self.children:
            value = _at(getattr(snapshot, child.part), child.path)
            children.append((child.table, _child_rows(child, value)))
        return run, children

    # --- reading -------------------------------------------------------------------------------

    def read(self, row: Mapping[str, object], children: Mapping[str, list[Mapping[str, object]] | pd.DataFrame]) -> object:
        """A snapshot from its `runs` row and its child rows (by table name)."""
        parts = {}
        for part, cls in self.parts.items():
            if not row[f"{part}{SEPARATOR}present"]:
                parts[part] = None
                continue
            flat = {c.path: _decode(row[f"{part}{SEPARATOR}{c.name}"], c.hint) for c in self.columns[part]}
            for child in (c for c in self.children if c.part == part):
                flat[child.path] = _read_child(child, children.get(child.table.name, []))
            parts[part] = _build(cls, (), flat)
        return self.snapshot(**parts)


def _at(value: object, path: tuple[str, ...]) -> object:
    for name in path:
        value = None if value is None else getattr(value, name)
    return value


@functools.cache
def _encoder(hint: object) -> Callable[[object], object]:
    """How a value of the declared type is written: decided once per type, not for every one of a quarter's cells
    (a frame's column holds a value per customer)."""
    if _is_json(hint):
        return _as_json
    inner, _ = optional(hint)
    plain: Callable[[object], object] = inner if inner in (int, float, str) else str  # type: ignore[assignment]

    def encode(value: object) -> object:
        return value if value is None or isinstance(value, bool) else plain(value)

    return encode


def _as_json(value: object) -> object:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=isinstance(value, dict))


def _encode(value: object, hint: object) -> object:
    return _encoder(hint)(value)


def _decode(value: object, hint: object) -> object:
    if value is None or not _is_json(hint):
        return value
    data = json.loads(str(value))
    return tuple(data) if isinstance(data, list) else data


def _child_rows(child: Child, value: object) -> ChildRows:
    names = tuple(c.name for c in child.columns)
    if value is None:
        return ChildRows(names, [])
    if isinstance(value, pd.DataFrame):
        frame = value[[c.path[0] for c in child.columns]]
        cells = frame.astype(object).where(frame.notna(), None)
        # Column by column, each with its one encoder, then the columns zipped into rows.
        columns = [list(map(_encoder(c.hint), cells[c.path[0]].tolist())) for c in child.columns]
        return ChildRows(("customer_id", *names), list(zip([int(i) for i in frame.index], *columns)))
    return ChildRows(("position", *names), [(k, *(_encode(_at(item, c.path), c.hint) for c in child.columns))
                                            for k, item in enumerate(value)])  # type: ignore[arg-type]


def _read_child(child: Child, rows: list[Mapping[str, object]] | pd.DataFrame) -> object:
    if child.element is None:
        frame = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(rows)
        names = {c.name: c.path[0] for c in child.columns}
        if frame.empty:
            return pd.DataFrame(columns=list(names.values()), index=pd.Index([], name="id"))
        out = frame.set_index("customer_id")[list(names)].rename(columns=names)
        out.index.name = "id"
        return out
    ordered = sorted(rows.to_dict("records") if isinstance(rows, pd.DataFrame) else rows, key=lambda r: r["position"])  # type: ignore[arg-type, return-value]
    flat_rows = [{c.path: _decode(r[c.name], c.hint) for c in child.columns} for r in ordered]
    return tuple(_build(child.element, (), flat) for flat in flat_rows)


def _build(cls: type, prefix: tuple[str, ...], flat: Mapping[tuple[str, ...], object]) -> Record:
    values = {}
    for a in recorded(cls):
        path = (*prefix, a.name)
        inner, _ = optional(a.hint)
        if path in flat:
            values[a.name] = flat[path]
        elif dataclasses.is_dataclass(inner):
            values[a.name] = _build(inner, path, flat)  # type: ignore[arg-type]
        else:
            values[a.name] = None
    return record_type(cls)(**values)
