"""Repair categorical values, drop anomalous and inactive customers, join into one table."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence

import pandas as pd

from report_builder.config import CleaningConfig
from report_builder.errors import InputError
from report_builder.labels import (
    CATEGORICAL,
    FEATURES,
    ID,
    KNOWN_VALUES,
    MINUTES,
    NUMERIC_FILE,
    PERIOD,
    PERIODS_MONEY,
    PERIODS_TIME,
    PROFIT,
    REVENUE,
    REVENUE_COLUMNS,
    TARGET,
    TARGET_CLASSES,
)
from report_builder.results.data import CleanData, Fix, Tables


def clean_tables(tables: Tables, config: CleaningConfig) -> CleanData:
    """Repair, widen, drop anomalies and inactive customers, flag twins, check what is left."""
    fixes: list[Fix] = list(tables.fixes)
    name = tables.source_name
    market, new_categories = _repair_categories(tables, config, fixes)
    money = _periods(tables.market_money, PERIODS_MONEY, name("market_money"), config, fixes)
    time = _periods(tables.market_time, PERIODS_TIME, name("market_time"), config, fixes)
    customers = _widen(tables, market, money, time)
    customers_in = len(customers)
    customers = _drop_anomalies(customers, ((money, REVENUE, name("market_money")), (time, MINUTES, name("market_time"))), config, fixes)
    customers = _drop_inactive(customers, tables, fixes)
    _flag_twins(customers, tables, fixes)
    target_counts = _check_counts(customers, tables, config)
    return CleanData(
        customers=customers[[TARGET, *FEATURES, PROFIT]],
        customers_in=customers_in,
        sources=tables.sources,
        fixes=tuple(fixes),
        target_counts=target_counts,
        new_categories=new_categories,
    )


def _repair_categories(tables: Tables, config: CleaningConfig, fixes: list[Fix]) -> tuple[pd.DataFrame, dict[str, tuple[str, ...]]]:
    market = tables.market_file.copy()
    new_categories: dict[str, tuple[str, ...]] = {}
    for column in (TARGET, *CATEGORICAL):
        strict = column == TARGET
        market[column], new = _repair(market[column], KNOWN_VALUES[column], config, tables.source_name("market_file"), fixes, strict)
        if new:
            new_categories[column] = new
    return market, new_categories


def _periods(long: pd.DataFrame, own: Sequence[str], file: str, config: CleaningConfig, fixes: list[Fix]) -> pd.DataFrame:
    """Each table's periods are its own: a row with another table's period is dropped and listed."""
    own_keys = {_norm(p) for p in own}
    foreign = _per_value(long[PERIOD], lambda v: _norm(v) in _ALL_PERIODS and _norm(v) not in own_keys)
    if foreign.any():
        values = ", ".join(f"«{v}»" for v in long.loc[foreign, PERIOD].unique())
        fixes.append(
            Fix(f"строки с периодом {values}, которого в этой таблице нет, не используются", PERIOD, int(foreign.sum()), "удалено", file,
                tuple((int(i), None) for i in long.loc[foreign, ID].head(5)))
        )
        long = long[~foreign].copy()
    repaired, _ = _repair(long[PERIOD], own, config, file, fixes, strict=True)
    long = long.assign(**{PERIOD: repaired})
    return long


def _widen(tables: Tables, market: pd.DataFrame, money: pd.DataFrame, time: pd.DataFrame) -> pd.DataFrame:
    """One row per customer: market_file joined with revenue and minutes by period, and profit."""
    name = tables.source_name
    revenue = _wide(money, REVENUE, "Выручка", PERIODS_MONEY, name("market_money"))
    minutes = _wide(time, MINUTES, "Минут", PERIODS_TIME, name("market_time"))
    profit = tables.money.set_index(ID)[PROFIT]
    return market.set_index(ID).join(revenue).join(minutes).join(profit)


def _drop_anomalies(
    customers: pd.DataFrame, longs: tuple[tuple[pd.DataFrame, str, str], ...], config: CleaningConfig, fixes: list[Fix]
) -> pd.DataFrame:
    """A customer with one value above Q3 + factor × IQR in a long table is dropped whole."""
    anomalous: set[int] = set()
    for long, value, file in longs:
        anomalous |= _anomalies(long, value, config.anomaly_iqr_factor, file, fixes)
    return customers.drop(index=sorted(anomalous & set(customers.index))) if anomalous else customers


def _drop_inactive(customers: pd.DataFrame, tables: Tables, fixes: list[Fix]) -> pd.DataFrame:
    """Only customers who bought in each of the three months are regular customers."""
    inactive = (customers[list(REVENUE_COLUMNS)] <= 0).any(axis=1)
    if not inactive.any():
        return customers
    fixes.append(
        Fix(
            "клиенты без покупок хотя бы в одном из трёх месяцев исключены (нужны активные все три месяца)",
            REVENUE,
            int(inactive.sum()),
            "удалено",
            tables.source_name("market_money"),
            tuple((int(i), None) for i in customers.index[inactive][:5]),
        )
    )
    return customers[~inactive]


def _flag_twins(customers: pd.DataFrame, tables: Tables, fixes: list[Fix]) -> None:
    twins = customers.duplicated(subset=[TARGET, *CATEGORICAL, *NUMERIC_FILE], keep="first")
    if twins.any():
        fixes.append(
            Fix(
                "клиенты-двойники: строка таблицы покупателей повторяет другую во всех столбцах, кроме id (оставлены, стоит проверить выгрузку)",
                None,
                int(twins.sum()),
                "отмечено",
                tables.source_name("market_file"),
                tuple((int(i), None) for i in customers.index[twins][:5]),
            )
        )


def _check_counts(customers: pd.DataFrame, tables: Tables, config: CleaningConfig) -> dict[str, int]:
    file = tables.source_name("market_file")
    counts = customers[TARGET].value_counts()
    target_counts = {c: int(counts.get(c, 0)) for c in TARGET_CLASSES}
    if min(target_counts.values()) < 10:
        raise InputError(
            "после очистки в целевом признаке почти один класс: "
            + ", ".join(f"{k} — {v}" for k, v in target_counts.items()),
            file=file,
            column=TARGET,
            hint="Модель нельзя обучить без клиентов обоих классов",
        )
    if len(customers) < config.min_customers:
        raise InputError(f"после очистки осталось {len(customers)} клиентов, нужно не меньше {config.min_customers}", file=file)
    return target_counts


def _norm(value: str) -> str:
    return " ".join(value.split()).casefold().replace("ё", "е")


_ALL_PERIODS = {_norm(p) for p in (*PERIODS_MONEY, *PERIODS_TIME)}


def _per_value(values: pd.Series, test: Callable[[str], bool]) -> pd.Series:
    """`test` of each value, computed once per distinct value: a column of a million rows holds a few."""
    return values.map({value: test(value) for value in values.unique()}).astype(bool)


def _repair(
    values: pd.Series,
    known: Sequence[str],
    config: CleaningConfig,
    file: str,
    fixes: list[Fix],
    strict: bool,
) -> tuple[pd.Series, tuple[str, ...]]:
    """Map each value onto a known one: spacing and case first, then closeness of spelling.

    A value far from every known one is a new category (kept) or, when `strict`, an error.
    """
    column = str(values.name)
    by_key = {_norm(k): k for k in known}
    mapping: dict[str, str] = {}
    new: list[str] = []
    for raw in values.unique():
        key = _norm(raw)
        if key in by_key:
            mapping[raw] = by_key[key]
            continue
        close = difflib.get_close_matches(key, list(by_key), n=1, cutoff=config.typo_similarity)
        if close:
            mapping[raw] = by_key[close[0]]
            count = int((values == raw).sum())
            fixes.append(Fix(f"опечатка «{raw}» исправлена на «{mapping[raw]}»", column, count, "исправлено", file))
        elif strict:
            rows = list(values.index[values == raw])
            raise InputError(
                f"неизвестное значение «{raw}»; допустимы: " + ", ".join(f"«{k}»" for k in known),
                file=file,
                column=column,
                rows=rows,
            )
        else:
            mapping[raw] = " ".join(raw.split())
            new.append(mapping[raw])
            count = int((values == raw).sum())
            fixes.append(Fix(f"новая категория «{mapping[raw]}» (оставлена как есть)", column, count, "отмечено", file))
    repaired = values.map(mapping)
    cosmetic = int(((values != repaired) & _per_value(values, lambda v: _norm(v) in by_key)).sum())
    if cosmetic:
        fixes.append(Fix("регистр и лишние пробелы приведены к единому виду", column, cosmetic, "исправлено", file))
    return repaired, tuple(new)


def _wide(long: pd.DataFrame, value: str, prefix: str, periods: Sequence[str], file: str) -> pd.DataFrame:
    # Validation saw distinct spellings; once typos are repaired two rows may name one period.
    repeated = long.duplicated(subset=[ID, PERIOD], keep=False)
    if repeated.any():
        ids = ", ".join(map(str, long.loc[repeated, ID].unique()[:5]))
        raise InputError(
            f"у клиентов {ids} один период указан дважды (после исправления опечаток в названиях периодов)",
            file=file,
            column=PERIOD,
            rows=sorted(long.index[repeated]),
            hint="У каждого клиента должно быть по одной строке на период",
        )
    wide = long.pivot(index=ID, columns=PERIOD, values=value)
    missing_periods = [p for p in periods if p not in wide.columns]
    if missing_periods:
        raise InputError(f"нет периода «{missing_periods[0]}»", file=file, column=PERIOD)
    wide = wide[list(periods)]
    incomplete = wide.isna().any(axis=1)
    if incomplete.any():
        raise InputError(
            f"не у всех клиентов есть все периоды, например id {', '.join(map(str, wide.index[incomplete][:5]))}",
            file=file,
            column=PERIOD,
        )
    wide.columns = [f"{prefix}_{p}" for p in periods]
    return wide


def _anomalies(long: pd.DataFrame, value: str, factor: float, file: str, fixes: list[Fix]) -> set[int]:
    """Values above Q3 + factor × IQR: a customer with one is dropped whole."""
    q1, q3 = long[value].quantile([0.25, 0.75])
    limit = q3 + factor * (q3 - q1)
    flagged = long[long[value] > limit]
    if flagged.empty:
        return set()
    examples = tuple((int(r[ID]), float(r[value])) for _, r in flagged.head(5).iterrows())
    fixes.append(
        Fix(
            f"аномально большие значения (больше {limit:,.0f}); клиенты исключены".replace(",", "\u00a0"),
            value,
            len(flagged),
            "удалено",
            file,
            examples,
        )
    )
    return set(int(i) for i in flagged[ID])
