"""Repair categorical values, drop anomalous and inactive customers, join into one table."""

from __future__ import annotations

import difflib
from collections.abc import Sequence

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
    TARGET,
    TARGET_CLASSES,
)
from report_builder.results.data import CleanData, Fix, Tables


def clean_tables(tables: Tables, config: CleaningConfig) -> CleanData:
    fixes: list[Fix] = list(tables.fixes)
    name = tables.source_name
    market = tables.market_file.copy()
    money = tables.market_money.copy()
    time = tables.market_time.copy()

    new_categories: dict[str, tuple[str, ...]] = {}
    for column in (TARGET, *CATEGORICAL):
        strict = column == TARGET
        market[column], new = _repair(market[column], KNOWN_VALUES[column], config, name("market_file"), fixes, strict)
        if new:
            new_categories[column] = new
    money[PERIOD], _ = _repair(money[PERIOD], PERIODS_MONEY, config, name("market_money"), fixes, strict=True)
    time[PERIOD], _ = _repair(time[PERIOD], PERIODS_MONEY, config, name("market_time"), fixes, strict=True)

    revenue = _wide(money, REVENUE, "Выручка", PERIODS_MONEY, name("market_money"))
    minutes = _wide(time, MINUTES, "Минут", PERIODS_TIME, name("market_time"))
    profit = tables.money.set_index(ID)[PROFIT]
    customers = market.set_index(ID).join(revenue).join(minutes).join(profit)
    customers_in = len(customers)

    anomalous = _anomalies(money, REVENUE, config.anomaly_iqr_factor, name("market_money"), fixes)
    anomalous |= _anomalies(time, MINUTES, config.anomaly_iqr_factor, name("market_time"), fixes)
    if anomalous:
        customers = customers.drop(index=sorted(anomalous))

    inactive = (customers[list(revenue.columns)] <= 0).any(axis=1)
    if inactive.any():
        fixes.append(
            Fix(
                "клиенты без покупок хотя бы в одном из трёх месяцев исключены (нужны активные все три месяца)",
                REVENUE,
                int(inactive.sum()),
                "удалено",
                name("market_money"),
                tuple(str(i) for i in customers.index[inactive][:5]),
            )
        )
        customers = customers[~inactive]

    twins = customers.duplicated(subset=[TARGET, *CATEGORICAL, *NUMERIC_FILE], keep="first")
    if twins.any():
        fixes.append(
            Fix(
                "клиенты-двойники: строка market_file повторяет другую во всех столбцах, кроме id (оставлены, стоит проверить выгрузку)",
                None,
                int(twins.sum()),
                "отмечено",
                name("market_file"),
                tuple(str(i) for i in customers.index[twins][:5]),
            )
        )

    counts = customers[TARGET].value_counts()
    target_counts = {c: int(counts.get(c, 0)) for c in TARGET_CLASSES}
    if min(target_counts.values()) < 10:
        raise InputError(
            "после очистки в целевом признаке почти один класс: "
            + ", ".join(f"{k} — {v}" for k, v in target_counts.items()),
            file=name("market_file"),
            column=TARGET,
            hint="Модель нельзя обучить без клиентов обоих классов",
        )
    if len(customers) < config.min_customers:
        raise InputError(
            f"после очистки осталось {len(customers)} клиентов, нужно не меньше {config.min_customers}",
            file=name("market_file"),
        )
    return CleanData(
        customers=customers[[TARGET, *FEATURES, PROFIT]],
        customers_in=customers_in,
        sources=tables.sources,
        fixes=tuple(fixes),
        target_counts=target_counts,
        new_categories=new_categories,
    )


def _norm(value: str) -> str:
    return " ".join(value.split()).casefold().replace("ё", "е")


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
    cosmetic = int(((values != repaired) & values.map(lambda v: _norm(v) in by_key)).sum())
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
    examples = tuple(f"id {r[ID]}: {r[value]}" for _, r in flagged.head(5).iterrows())
    fixes.append(
        Fix(
            f"аномальные значения (выше Q3 + {factor:g}×IQR = {limit:,.0f}); клиенты исключены".replace(",", " "),
            value,
            len(flagged),
            "удалено",
            file,
            examples,
        )
    )
    return set(int(i) for i in flagged[ID])
