"""Check the four tables against their declared schemas and give them canonical columns."""

from __future__ import annotations

import difflib
import functools
import warnings
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from report_builder.errors import InputError
from report_builder.labels import (
    CATEGORICAL,
    ID,
    MINUTES,
    NUMERIC_FILE,
    PERIOD,
    PROFIT,
    REVENUE,
    TARGET,
)
from report_builder.results.data import Fix, Tables

if TYPE_CHECKING:
    import pandera.pandas as pa


@functools.cache
def schemas() -> dict[str, pa.DataFrameSchema]:
    """The schema of each table (pandera, imported on first use: a build served from the cache never loads it)."""
    import pandera.pandas as pa

    share, non_negative = pa.Check.in_range(0, 1), pa.Check.ge(0)
    finite = pa.Check(np.isfinite, name="finite")  # «inf» or «1e400» would be read as infinity

    def numeric(*checks: pa.Check) -> pa.Column:
        return pa.Column(float, checks=[finite, non_negative, *checks], coerce=True, nullable=False)

    def text() -> pa.Column:
        return pa.Column(str, pa.Check.str_matches(r"\s*\S"), coerce=True, nullable=False)  # not blank

    identifier = pa.Column("int64", coerce=True, nullable=False)
    return {
        "market_file": pa.DataFrameSchema(
            {
                ID: pa.Column("int64", coerce=True, nullable=False, unique=True),
                TARGET: text(),
                **{c: text() for c in CATEGORICAL},
                **{c: numeric(share) if c == "Акционные_покупки" else numeric() for c in NUMERIC_FILE},
            }
        ),
        "market_money": pa.DataFrameSchema({ID: identifier, PERIOD: text(), REVENUE: numeric()}, unique=[ID, PERIOD]),
        "market_time": pa.DataFrameSchema({ID: identifier, PERIOD: text(), MINUTES: numeric()}, unique=[ID, PERIOD]),
        "money": pa.DataFrameSchema({ID: pa.Column("int64", coerce=True, nullable=False, unique=True), PROFIT: numeric()}),
    }


_CHECK_TEXT = {
    "coerce_dtype": "значения не являются числами",
    "dtype": "значения не являются числами",
    "not_nullable": "пустые значения",
    "field_uniqueness": "повторяющиеся значения",
    "multiple_fields_uniqueness": "повторяющиеся пары id и периода",
    "finite": "бесконечные или слишком большие числа",
    "greater_than_or_equal_to": "отрицательные значения",
    "in_range": "значения вне диапазона от 0 до 1",
    "str_length": "пустые значения",
    "str_matches": "пустые значения",
}


def validate_tables(tables: Tables) -> Tables:
    """Canonical column names, coerced types, schema checks and cross-table id consistency."""
    fixes: list[Fix] = []
    frames: dict[str, pd.DataFrame] = {}
    for table, schema in schemas().items():
        file = tables.source_name(table)
        frame = _canonical_columns(getattr(tables, table), list(schema.columns), file, fixes)
        if table == "market_file":
            frame = _drop_exact_duplicates(frame, file, fixes)
        frames[table] = _check(schema, frame, file)
    _check_ids(frames, tables, fixes)
    return replace(tables, **frames, fixes=tables.fixes + tuple(fixes))


def _key(name: str) -> str:
    return name.casefold().replace("ё", "е").replace("_", " ").strip()


def _canonical_columns(frame: pd.DataFrame, required: list[str], file: str, fixes: list[Fix]) -> pd.DataFrame:
    wanted = {_key(c): c for c in required}
    present: dict[str, str] = {}
    for name in frame.columns:
        key = _key(name)
        if key in present and key in wanted:
            raise InputError(
                f"два столбца с этим именем: «{present[key]}» и «{name}»",
                file=file,
                column=wanted[key],
                hint="Оставьте в таблице один из них",
            )
        present.setdefault(key, name)
    # Names equal up to case, spaces and «ё» are taken first; only the columns left over may be
    # misspellings of the rest, so a missing column never takes a neighbour's name.
    renames = {present[key]: c for key, c in wanted.items() if key in present}
    missing: list[str] = []
    for column in required:
        if column in renames.values():
            continue
        free = [key for key, name in present.items() if name not in renames]
        close = difflib.get_close_matches(_key(column), free, n=1, cutoff=0.85)
        if close:
            renames[present[close[0]]] = column
            fixes.append(Fix(f"столбец «{present[close[0]]}» переименован в «{column}»", column, 0, "исправлено", file))
        else:
            missing.append(column)
    if missing:
        raise InputError(
            "нет обязательных столбцов: " + ", ".join(f"«{c}»" for c in missing),
            file=file,
            column=missing[0],
            hint="Найдены столбцы: " + ", ".join(f"«{c}»" for c in frame.columns),
        )
    extra = [c for c in frame.columns if c not in renames]
    if extra:
        fixes.append(Fix("лишние столбцы не используются: " + ", ".join(extra), None, 0, "отмечено", file))
    return frame.rename(columns=renames)[required]


def _drop_exact_duplicates(frame: pd.DataFrame, file: str, fixes: list[Fix]) -> pd.DataFrame:
    """Rows repeated in every column are dropped; one id with different data is an error."""
    exact = frame.duplicated(keep="first")
    if exact.any():
        fixes.append(Fix("полностью повторяющиеся строки удалены", ID, int(exact.sum()), "удалено", file))
        frame = frame[~exact]
    conflicting = frame[ID].duplicated(keep=False) & frame[ID].notna()
    if conflicting.any():
        ids = frame.loc[conflicting, ID].astype(str).unique()
        raise InputError(
            f"у клиентов {', '.join(ids[:5])} несколько строк с разными данными",
            file=file,
            column=ID,
            rows=list(frame.index[conflicting]),
            hint="Оставьте одну строку на клиента",
        )
    return frame


def _check(schema: pa.DataFrameSchema, frame: pd.DataFrame, file: str) -> pd.DataFrame:
    from pandera.errors import SchemaErrors

    try:
        with warnings.catch_warnings():
            # pandera gathers the failures of several checks with pd.concat, which warns when
            # one of them is all-NA (an empty text cell next to another error); not our concern.
            warnings.filterwarnings(
                "ignore", "The behavior of DataFrame concatenation with empty or all-NA", FutureWarning
            )
            return schema.validate(frame, lazy=True)
    except SchemaErrors as exc:
        cases = exc.failure_cases
        first = cases.iloc[0]
        column = first["column"] if isinstance(first["column"], str) else None
        same = cases[(cases["column"] == first["column"]) & (cases["check"] == first["check"])]
        check = str(first["check"]).split("(")[0]
        values = ", ".join(f"«{v}»" for v in same["failure_case"].dropna().astype(str).unique()[:3])
        problem = _CHECK_TEXT.get(check, f"не пройдена проверка {first['check']}")
        raise InputError(
            f"{problem}: {values}" if values else problem,
            file=file,
            column=column,
            rows=sorted(int(i) for i in same["index"].dropna().unique()),
        ) from None


def _check_ids(frames: dict[str, pd.DataFrame], tables: Tables, fixes: list[Fix]) -> None:
    customers = set(frames["market_file"][ID])
    for table in ("market_money", "market_time", "money"):
        frame = frames[table]
        file = tables.source_name(table)
        ids = set(frame[ID])
        absent = sorted(customers - ids)
        if absent:
            raise InputError(
                f"нет данных для {len(absent)} клиентов из market_file, например id {', '.join(map(str, absent[:5]))}",
                file=file,
                column=ID,
            )
        unknown = frame[~frame[ID].isin(customers)]
        if len(unknown):
            fixes.append(
                Fix("строки клиентов, которых нет в market_file, не используются", ID, len(unknown), "удалено", file)
            )
            frames[table] = frame[frame[ID].isin(customers)]
