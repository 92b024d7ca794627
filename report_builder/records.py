"""How results describe themselves: what each field is called in summary.json and whether the history keeps it.

A result field declares itself once, in its type: ``roc_auc: Annotated[float, Out(digits=4, history=True)]``.
A derived value is a property declared with ``@published(...)``. summary.json is written from these
declarations (`to_json`), and the history's tables and the records it reads back are derived from them
(`report_builder.history`); nothing else lists a result's fields.
"""

from __future__ import annotations

import dataclasses
import functools
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import NoneType, UnionType

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Out:
    """How one field of a result is published."""

    key: str | None = None  # its name in summary.json; default: the attribute's own name
    digits: int | None = None  # floats are rounded to this many digits in summary.json
    summary: bool = True  # written to summary.json
    history: bool = False  # recorded in the run history and read back next quarter
    columns: Mapping[str, type] | None = None  # a frame: the columns the history keeps, with their types


class published(property):  # noqa: N801 — used as a decorator, like `property`
    """A derived value (a property) published like a field: ``@published(Out(history=True))``."""

    def __init__(self, out: Out | Callable[..., object] = Out()) -> None:
        if callable(out):  # bare @published
            super().__init__(out)
            self.out = Out()
        else:
            self.out = out

    def __call__(self, fget: Callable[..., object]) -> published:
        made = published(self.out)
        property.__init__(made, fget)
        return made


@dataclass(frozen=True)
class Attribute:
    name: str
    out: Out
    hint: object  # the declared type, without the Out marker

    @property
    def key(self) -> str:
        return self.out.key or self.name


@functools.cache
def attributes(cls: type) -> tuple[Attribute, ...]:
    """The published fields of a result class (in declaration order), then its published properties."""
    if not dataclasses.is_dataclass(cls):
        return ()
    hints = typing.get_type_hints(cls, include_extras=True)
    found = []
    for f in dataclasses.fields(cls):
        hint = hints[f.name]
        marker = next((m for m in getattr(hint, "__metadata__", ()) if isinstance(m, Out)), None)
        if marker is not None:
            found.append(Attribute(f.name, marker, typing.get_args(hint)[0]))
    for klass in reversed(cls.__mro__):
        for name, value in vars(klass).items():
            if isinstance(value, published):
                hint = typing.get_type_hints(value.fget).get("return", object)
                found.append(Attribute(name, value.out, hint))
    return tuple(found)


def summary_key(cls: type) -> str | None:
    """The key a result is nested under in summary.json; None: its fields stand at the top level."""
    return getattr(cls, "SUMMARY", None)


def to_json(value: object, digits: int | None = None) -> object:
    """A result (or any part of one) as JSON data, from the declarations of its fields."""
    if value is None or isinstance(value, bool | str):
        return value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {a.key: to_json(getattr(value, a.name), a.out.digits) for a in attributes(type(value)) if a.out.summary}
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        number = float(value)
        if not np.isfinite(number):  # JSON has no NaN or infinity: a strict reader rejects the whole file
            return None
        return round(number, digits) if digits is not None else number
    if isinstance(value, tuple | list | np.ndarray):
        return [to_json(v, digits) for v in value]
    if isinstance(value, Mapping):
        return {str(k): to_json(v, digits) for k, v in value.items()}
    if isinstance(value, pd.Series | pd.DataFrame):
        raise TypeError("a frame is not published in summary.json; declare Out(summary=False)")
    raise TypeError(f"cannot publish {type(value).__name__}")


def optional(hint: object) -> tuple[object, bool]:
    """(the type inside ``X | None``, whether None is allowed)."""
    if typing.get_origin(hint) in (typing.Union, UnionType):
        inner = [a for a in typing.get_args(hint) if a is not NoneType]
        if len(inner) == 1:
            return inner[0], len(inner) < len(typing.get_args(hint))
    return hint, False


def element(hint: object) -> object | None:
    """The element type of ``tuple[X, ...]``; None for anything else."""
    if typing.get_origin(hint) is tuple:
        args = typing.get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            return args[0]
    return None


# --- what the history keeps: records, the recorded part of a result ----------------------------------


class Record:
    """The recorded part of a result, read back from the history (or taken from this run's result)."""

    source: type  # the result class it records

    def __reduce__(self) -> tuple[object, ...]:  # generated classes are rebuilt from their result class
        return _rebuild, (self.source, {f.name: getattr(self, f.name) for f in dataclasses.fields(self)})  # type: ignore[arg-type]


def _rebuild(source: type, values: dict[str, object]) -> Record:
    return record_type(source)(**values)


def recorded(cls: type) -> tuple[Attribute, ...]:
    return tuple(a for a in attributes(cls) if a.out.history)


@functools.cache
def record_type(cls: type) -> type:
    """A frozen dataclass with the recorded attributes of `cls` (nested results become their records)."""
    # Every field may be absent (None): a history written before a field was declared reads back without it.
    fields = [(a.name, _recorded_hint(a.hint), dataclasses.field(default=None)) for a in recorded(cls)]
    made = dataclasses.make_dataclass(f"{cls.__name__}Record", fields, bases=(Record,), frozen=True)
    made.source = cls  # type: ignore[attr-defined]
    made.__module__ = __name__
    return made


def _recorded_hint(hint: object) -> object:
    inner, nullable = optional(hint)
    if dataclasses.is_dataclass(inner):
        inner = record_type(inner)  # type: ignore[arg-type]
    elif (item := element(inner)) is not None and dataclasses.is_dataclass(item):
        inner = tuple[record_type(item), ...]  # type: ignore[arg-type, misc]
    return inner | None if nullable else inner  # type: ignore[operator]


def to_record(value: object) -> object:
    """The recorded part of a result, as the history would read it back."""
    if value is None or isinstance(value, pd.DataFrame | pd.Series) or not dataclasses.is_dataclass(value):
        return value
    if isinstance(value, Record):
        return value
    cls = type(value)
    found = {}
    for a in recorded(cls):
        item = getattr(value, a.name)
        if isinstance(item, pd.DataFrame) and a.out.columns is not None:
            item = item[list(a.out.columns)]
        found[a.name] = tuple(to_record(v) for v in item) if isinstance(item, tuple) and item and dataclasses.is_dataclass(item[0]) else to_record(item)
    return record_type(cls)(**found)
