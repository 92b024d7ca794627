"""Check the four tables, and the contacts when there are any, against their declared schemas and give them canonical
columns."""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import warnings
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from report_builder.errors import InputError
from report_builder.labels import (
    CATEGORICAL,
    CHANNEL,
    CONTACT_COLUMNS,
    CONTACTS,
    DATE,
    ID,
    MINUTES,
    NUMERIC_FILE,
    OFFER,
    PERIOD,
    PERIODS_MONEY,
    PERIODS_TIME,
    PROFIT,
    REVENUE,
    TABLE_FILES,
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
        # Coerced by a parser, not declared `str`: pandera checks a `str` column value by value and formats a report of
        # the values that are not text even when all of them are, which was a third of the validation's time.
        return pa.Column(parsers=pa.Parser(_as_text), checks=pa.Check(_filled, name="filled"), nullable=False)

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
        # A day as text: its formats are read after the schema (`_days`), which names the rows it cannot read.
        CONTACTS: pa.DataFrameSchema({ID: identifier, OFFER: text(), CHANNEL: text(), DATE: text()}),
    }


def _filled(values: pd.Series) -> pd.Series:
    """Whether each text has a character other than a space (a missing value is the nullable check's), decided once
    per distinct text: a column of a million rows holds a few categories or periods."""
    codes, texts = pd.factorize(values)
    filled = np.fromiter((text.strip() != "" for text in texts), dtype=bool, count=len(texts))
    return pd.Series(np.append(filled, True)[codes], index=values.index)  # code -1 (missing) takes the last: True


def _as_text(values: pd.Series) -> pd.Series:
    """Every value but a missing one as text, as pandera's coercion to `str` makes it."""
    values = values.astype(object)
    return values.where(values.isna(), values.astype(str))


TABLE_PERIODS = {"market_money": PERIODS_MONEY, "market_time": PERIODS_TIME}  # what a table's period may be

_CHECK_TEXT = {
    "coerce_dtype": "значения не являются числами",
    "dtype": "значения не являются числами",
    "not_nullable": "пустые значения",
    "field_uniqueness": "повторяющиеся значения",
    "multiple_fields_uniqueness": f"повторяющиеся пары значений столбцов «{ID}» и «{PERIOD}»",
    "finite": "бесконечные или слишком большие числа",
    "greater_than_or_equal_to": "отрицательные значения",
    "in_range": "значения вне диапазона от 0 до 1",
    "filled": "пустые значения",
}


def validate_tables(tables: Tables) -> Tables:
    """Canonical column names, coerced types, schema checks and cross-table id consistency; the contacts, when there
    are any, with their days read and their customers known to market_file."""
    fixes: list[Fix] = []
    frames: dict[str, pd.DataFrame] = {}
    for table in TABLE_FILES:
        schema = schemas()[table]
        file = tables.source_name(table)
        frame = _canonical_columns(getattr(tables, table), list(schema.columns), file, fixes)
        if table == "market_file":
            frame = _drop_exact_duplicates(frame, file, fixes)
        frames[table] = _check(schema, frame, file, TABLE_PERIODS.get(table, ()))
    _check_ids(frames, tables, fixes)
    if tables.contacts is not None:
        frames[CONTACTS] = _contacts(tables.contacts, frames["market_file"], tables.source_name(CONTACTS), fixes)
    return replace(tables, **frames, fixes=tables.fixes + tuple(fixes))


# Russian names a shop's export may give the contacts' columns.
_CONTACT_ALIASES = {"предложение": OFFER, "канал": CHANNEL, "дата": DATE, "id покупателя": ID, "id клиента": ID}


def _contacts(frame: pd.DataFrame, market_file: pd.DataFrame, file: str, fixes: list[Fix]) -> pd.DataFrame:
    """The contacts table: its four columns, no empty value, a day in every row, customers of market_file.

    A row repeated in every column (the same offer by the same channel on the same day) is dropped and counted, and so
    are the rows of customers not in market_file, unless no customer is there (an error).
    Offers and channels are named by the settings: that is the contacts stage's to check.
    """
    present = {_key(c) for c in frame.columns}
    renamed = {c: _CONTACT_ALIASES[_key(c)] for c in frame.columns
               if _key(c) in _CONTACT_ALIASES and _CONTACT_ALIASES[_key(c)] not in present}  # the own name wins
    frame = _canonical_columns(frame.rename(columns=renamed), list(CONTACT_COLUMNS), file, fixes)
    frame = frame.assign(**{DATE: frame[DATE].map(_iso)})
    frame = _check(schemas()[CONTACTS], frame, file)
    frame = frame.assign(**{DATE: _days(frame[DATE], file), OFFER: frame[OFFER].str.strip(), CHANNEL: frame[CHANNEL].str.strip()})
    same = pd.DataFrame({ID: frame[ID], OFFER: frame[OFFER].map(_key), CHANNEL: frame[CHANNEL].map(_key), DATE: frame[DATE]})
    repeated = same.duplicated(keep="first")
    if repeated.any():
        fixes.append(Fix("полностью повторяющиеся строки удалены (то же предложение тем же каналом в тот же день)", ID,
                         int(repeated.sum()), "удалено", file))
        frame = frame[~repeated]
    unknown = ~frame[ID].isin(market_file[ID])
    if not unknown.any():
        return frame
    # A customer contacted during the quarter may have left the regular customers by its end: such rows are the shop's
    # real export, not an error, and no measurement can use them (the back-test compares the customers of both
    # quarters). They are left out and listed; how many left depends on the shop, the plan reaches those at risk, and
    # no share of them tells a broken export apart. A table without a single customer of market_file is one: another
    # shop's or a wrong column.
    if unknown.all():
        ids = frame.loc[unknown, ID].astype(str).unique()
        raise InputError(
            f"ни одного покупателя таблицы контактов нет в market_file (id {', '.join(ids[:5])}"
            f"{' и другие' if len(ids) > 5 else ''})",
            file=file,
            column=ID,
            rows=list(frame.index[unknown]),
            hint="Похоже, таблица контактов выгружена не из того магазина или в столбце id не номера покупателей: в ней "
            "должны быть покупатели из market_file этого квартала (контакты ушедших покупателей отчёт пропускает сам)",
        )
    fixes.append(Fix("контакты покупателей, которых нет в market_file этого квартала (ушли или не попали в выгрузку), "
                     "не учитываются", ID, int(unknown.sum()), "удалено", file))
    return frame[~unknown]


def _iso(value: object) -> object:
    """A day an Excel cell or a typed column gives as a date, as text; anything else as it is."""
    if isinstance(value, dt.datetime | dt.date) and not pd.isna(value):
        return value.isoformat()
    return value


_DAY_FORMATS = ("%d.%m.%Y", "%d.%m.%y", "%d/%m/%Y")


def _days(values: pd.Series, file: str) -> pd.Series:
    """Each value as a day: ISO 8601 (2026-07-15, with or without a time) or the Russian 15.07.2026."""
    parsed = {text: _day(text) for text in values.unique()}
    bad = values.map(lambda text: parsed[text] is None)
    if bad.any():
        shown = ", ".join(f"«{v}»" for v in values[bad].unique()[:3])
        raise InputError(
            f"даты не читаются: {shown}",
            file=file,
            column=DATE,
            rows=list(values.index[bad]),
            hint="Ожидается дата вида 2026-07-15 или 15.07.2026",
        )
    return pd.to_datetime(values.map(parsed))


def _day(text: str) -> dt.date | None:
    text = text.strip()
    try:
        return dt.datetime.fromisoformat(text).date()
    except ValueError:
        pass
    day = text.split(" ", 1)[0]
    for shape in _DAY_FORMATS:
        try:
            return dt.datetime.strptime(day, shape).date()
        except ValueError:
            continue
    return None


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


def _check(schema: pa.DataFrameSchema, frame: pd.DataFrame, file: str, periods: Sequence[str] = ()) -> pd.DataFrame:
    """The frame as the schema coerces it, or the first failed check as an InputError naming its values and rows.
    `periods`: the table's own periods, named in the hint when a repeated (id, period) pair has another one."""
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
        # A column's own failure first: pairs of ids that are empty or not numbers repeat only because of that.
        own = cases[cases["check"].astype(str) != "multiple_fields_uniqueness"]
        first = (own if len(own) else cases).iloc[0]
        column = first["column"] if isinstance(first["column"], str) else None
        same = cases[(cases["column"] == first["column"]) & (cases["check"] == first["check"])]
        check = str(first["check"]).split("(")[0]
        values = ", ".join(f"«{v}»" for v in same["failure_case"].dropna().astype(str).unique()[:3])
        problem = _CHECK_TEXT.get(check, f"не пройдена проверка {first['check']}")
        hint = None
        if check == "multiple_fields_uniqueness":  # a pair: both its values, and why its rows may have met
            pairs = cases[cases["check"] == first["check"]]
            column, values, hint = None, _repeated_pairs(pairs), _unknown_period_hint(pairs, periods)
        raise InputError(
            f"{problem}: {values}" if values else problem,
            file=file,
            column=column,
            rows=sorted(int(i) for i in same["index"].dropna().unique()),
            hint=hint,
        ) from None


def _repeated_pairs(cases: pd.DataFrame) -> str:
    """The first repeated (id, period) pairs as «id — period», each once."""
    shown: list[str] = []
    for _, row in cases.groupby("index", sort=True):
        values = dict(zip(row["column"], row["failure_case"]))
        pair = " — ".join("пусто" if pd.isna(values.get(c)) else str(values[c]) for c in (ID, PERIOD))
        if pair not in shown:
            shown.append(pair)
        if len(shown) == 3:
            break
    return ", ".join(f"«{pair}»" for pair in shown)


def _unknown_period_hint(cases: pd.DataFrame, periods: Sequence[str]) -> str | None:
    """Rows that repeat an (id, period) pair because their period is none of the table's own: the likelier mistake."""
    named = cases.loc[cases["column"] == PERIOD, "failure_case"].astype(str)
    own = {_key(p) for p in periods}  # as a column's name: case, «ё» and spaces or underscores aside
    unknown = [v for v in named.unique() if _key(v) not in own]
    if not periods or not unknown:
        return None
    return (f"Периода {', '.join(f'«{v}»' for v in unknown[:3])} в этой таблице нет, поэтому строки совпали: "
            f"допустимы {', '.join(f'«{p}»' for p in periods)}")


def _check_ids(frames: dict[str, pd.DataFrame], tables: Tables, fixes: list[Fix]) -> None:
    customers = frames["market_file"][ID].to_numpy()
    for table in ("market_money", "market_time", "money"):
        frame = frames[table]
        file = tables.source_name(table)
        absent = np.setdiff1d(customers, frame[ID].to_numpy())  # sorted
        if len(absent):
            raise InputError(
                f"нет данных для {len(absent)} клиентов из market_file, например id {', '.join(map(str, absent[:5]))}",
                file=file,
                column=ID,
            )
        known = frame[ID].isin(customers)
        if not known.all():
            fixes.append(
                Fix("строки клиентов, которых нет в market_file, не используются", ID, int((~known).sum()), "удалено", file)
            )
            frames[table] = frame[known]
