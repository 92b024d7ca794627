"""Deterministic synthetic demo data for the «В один клик» customer report.

The generator produces the four source tables (``market_file.csv``, ``market_money.csv``,
``market_time.csv``, ``money.csv``) with the schema, file formats, distributions and kinds of
defects of the real departmental exports. No real rows are used: every distribution below is a
summary statistic (frequencies, quantiles, class shares) measured on the real tables and
reproduced through a Gaussian copula driven by a latent per-customer churn risk.

Model in short:

* every customer gets a latent risk ``r``, an engagement factor ``e`` and a spending factor
  ``w`` (independent standard normals);
* the target («Снизилась» / «Прежний уровень») marks the customers whose ``r`` plus noise is in
  the top share given by the real class balance;
* every numeric feature is a Gaussian score loading on ``r``/``e``/``w`` plus its own noise,
  mapped onto the real marginal distribution by rank (so marginals match the real ones and the
  directions of the real drivers are kept);
* categorical features are drawn from per-class frequencies;
* the defects of the real exports (typos, inconsistent case and spaces, an absurd revenue,
  customers inactive in some months, duplicated rows) are injected at the end.

Run ``python -m report_builder.demo_data --customers N --seed S --output DIR`` to write a set.
The earlier quarters of a demo history, and what was sent of each quarter's plan (``contacts.csv``),
are made at the end of this module.
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from report_builder.labels import CHANNEL, CONTACTS, DATE, KNOWN_VALUES, OFFER
from report_builder.periods import last_finished_quarter, quarter_days

__all__ = ["DemoTables", "generate", "write_demo"]

# --------------------------------------------------------------------------------------------
# Schema
# --------------------------------------------------------------------------------------------

FIRST_ID = 100001
MIN_CUSTOMERS = 100

ID = "id"
TARGET = "Покупательская активность"
SERVICE = "Тип сервиса"
CONSENT = "Разрешить сообщать"
MARKET_6M = "Маркет_актив_6_мес"
MARKET_CUR = "Маркет_актив_тек_мес"
DURATION = "Длительность"
PROMO = "Акционные_покупки"
CATEGORY = "Популярная_категория"
CATEGORIES_PER_VISIT = "Средний_просмотр_категорий_за_визит"
UNPAID = "Неоплаченные_продукты_штук_квартал"
ERRORS = "Ошибка_сервиса"
PAGES = "Страниц_за_визит"

MARKET_FILE_COLUMNS = [
    ID, TARGET, SERVICE, CONSENT, MARKET_6M, MARKET_CUR, DURATION, PROMO, CATEGORY,
    CATEGORIES_PER_VISIT, UNPAID, ERRORS, PAGES,
]

PERIOD = "Период"
REVENUE = "Выручка"
MINUTES = "минут"
PROFIT = "Прибыль"

DECLINED = "Снизилась"
STABLE = "Прежний уровень"

PERIOD_PREPREV = "препредыдущий_месяц"
PERIOD_PREV = "предыдущий_месяц"
PERIOD_CUR = "текущий_месяц"
# The minutes table of the real exports spells the previous month this way.
PERIOD_PREV_TIME = "предыдцщий_месяц"

MONEY_PERIODS = (PERIOD_PREPREV, PERIOD_PREV, PERIOD_CUR)
TIME_PERIODS = (PERIOD_CUR, PERIOD_PREV_TIME)

FILE_NAMES = ("market_file.csv", "market_money.csv", "market_time.csv", "money.csv")

# --------------------------------------------------------------------------------------------
# Parameters measured on the real tables (aggregates only)
# --------------------------------------------------------------------------------------------

# Share of «Снизилась» (498 of 1300).
DECLINED_SHARE = 0.383
# Noise added to the latent risk before thresholding; controls how separable the classes are.
TARGET_NOISE = 0.35

# Categorical frequencies per class: (stable, declined).
SERVICE_VALUES = KNOWN_VALUES["Тип сервиса"]
SERVICE_PROBS = {0: (0.743, 0.257), 1: (0.659, 0.341)}

CONSENT_VALUES = KNOWN_VALUES["Разрешить сообщать"]
CONSENT_PROBS = {0: (0.737, 0.263), 1: (0.745, 0.255)}

CATEGORY_VALUES = KNOWN_VALUES["Популярная_категория"]
CATEGORY_PROBS = {
    0: (184, 149, 118, 132, 72, 147),
    1: (146, 102, 105, 52, 66, 27),
}

# Integer features: value -> frequency in the real table.
FREQUENCIES: dict[str, dict[int, int]] = {
    MARKET_CUR: {3: 308, 4: 669, 5: 323},
    CATEGORIES_PER_VISIT: {1: 106, 2: 312, 3: 356, 4: 263, 5: 177, 6: 86},
    UNPAID: {0: 116, 1: 261, 2: 261, 3: 218, 4: 197, 5: 135, 6: 44, 7: 34, 8: 20, 9: 10,
             10: 4},
    ERRORS: {0: 17, 1: 74, 2: 189, 3: 226, 4: 257, 5: 208, 6: 156, 7: 92, 8: 66, 9: 15},
    PAGES: {1: 20, 2: 58, 3: 76, 4: 112, 5: 115, 6: 127, 7: 102, 8: 109, 9: 108, 10: 104,
            11: 92, 12: 73, 13: 61, 14: 53, 15: 36, 16: 21, 17: 19, 18: 7, 19: 5, 20: 2},
    "minutes_cur": {4: 9, 5: 11, 6: 35, 7: 45, 8: 72, 9: 109, 10: 104, 11: 106, 12: 118,
                    13: 96, 14: 138, 15: 68, 16: 81, 17: 70, 18: 64, 19: 58, 20: 51, 21: 27,
                    22: 30, 23: 8},
    "minutes_prev": {5: 11, 6: 24, 7: 43, 8: 69, 9: 77, 10: 100, 11: 115, 12: 119, 13: 110,
                     14: 118, 15: 106, 16: 81, 17: 93, 18: 81, 19: 61, 20: 50, 21: 26, 22: 10,
                     23: 6},
}

# Continuous features: quantiles at 0, 1, 5, 10, ..., 95, 99, 100 % (customers active in all
# three months, without the absurd revenue), interpolated linearly.
QUANTILE_GRID = np.concatenate(([0.0, 0.01], np.linspace(0.05, 0.95, 19), [0.99, 1.0]))
QUANTILES: dict[str, tuple[float, ...]] = {
    MARKET_6M: (0.9, 1.4, 2.4, 3.1, 3.3, 3.5, 3.7, 3.9, 4.0, 4.04, 4.1, 4.2, 4.3, 4.4, 4.6, 4.8,
                4.9, 5.2, 5.4, 5.5, 5.8, 6.3, 6.6),
    DURATION: (121, 136, 185.8, 250.6, 318.4, 355.2, 410, 452, 488, 522, 567, 607, 639, 684,
               724.4, 769, 806, 846, 890.6, 941.6, 997.2, 1051, 1079),
    "revenue_preprev": (4098, 4167.9, 4341, 4427.5, 4472.2, 4533, 4584.5, 4636.5, 4680, 4726,
                        4766.8, 4810.5, 4856.2, 4907, 4951, 4994.5, 5056, 5142, 5215.3, 5307,
                        5442, 5609.2, 5663),
    "revenue_prev": (2890, 3154.6, 3639, 4002, 4239.5, 4395.5, 4498.1, 4626.2, 4734.4, 4835,
                     4923.4, 5005.5, 5083.2, 5164.5, 5251.9, 5324, 5405.6, 5531, 5654.4, 5822.2,
                     6037.2, 6379.6, 6869.5),
    "revenue_cur": (2758.7, 3327.6, 3887.7, 4223, 4422.8, 4563.1, 4706, 4830.5, 4923.5, 5001.2,
                    5084.8, 5180, 5270.8, 5379.6, 5485.2, 5598, 5759.3, 5917, 6122.2, 6366.2,
                    6717.5, 7310.2, 7799.4),
    PROFIT: (0.86, 1.57, 2.33, 2.67, 2.94, 3.13, 3.3, 3.47, 3.63, 3.76, 3.9, 4.05, 4.17, 4.28,
             4.4, 4.55, 4.67, 4.85, 5.04, 5.25, 5.58, 6.4, 7.43),
}

# The promo share is bimodal: most customers buy 11-40 % on promotion, about 12.7 % of them
# buy almost only on promotion (0.89-0.99). Piecewise quantile function (u, value).
PROMO_HIGH_SHARE = 0.127
PROMO_LOW_KNOTS = (
    (0.0, 0.05, 0.10, 0.15, 0.20, 0.25, 0.30, 0.35, 0.40, 0.45, 0.50, 0.55, 0.60, 0.65, 0.70,
     0.75, 0.80, 0.85, 0.90, 0.95, 0.99, 0.996, 1.0),
    (0.11, 0.13, 0.13, 0.14, 0.15, 0.16, 0.17, 0.18, 0.21, 0.22, 0.23, 0.24, 0.24, 0.25,
     0.27, 0.28, 0.30, 0.30, 0.32, 0.36, 0.40, 0.44, 0.75),
)
PROMO_HIGH_KNOTS = (
    (0.0, 0.1, 0.2, 0.35, 0.5, 0.65, 0.75, 0.85, 1.0),
    (0.89, 0.89, 0.90, 0.93, 0.94, 0.94, 0.95, 0.98, 0.99),
)

# Loadings of each numeric feature's Gaussian score on (risk, engagement, spending).
# Signs give the direction: fewer pages per visit, fewer minutes, fewer categories, more promo
# purchases, more unpaid items and fewer marketing contacts mean a higher risk of decline.
LOADINGS: dict[str, tuple[float, float, float]] = {
    PAGES: (-0.64, 0.15, 0.0),
    "minutes_prev": (-0.61, 0.15, 0.0),
    "minutes_cur": (-0.52, 0.15, 0.0),
    PROMO: (0.55, -0.08, 0.0),
    MARKET_6M: (-0.48, 0.12, 0.0),
    CATEGORIES_PER_VISIT: (-0.46, 0.08, 0.0),
    "revenue_preprev": (-0.46, 0.15, 0.35),
    UNPAID: (0.44, -0.08, 0.0),
    ERRORS: (-0.12, 0.05, 0.0),
    DURATION: (0.07, 0.0, 0.0),
    MARKET_CUR: (0.0, 0.0, 0.0),
    "revenue_prev": (0.04, 0.0, 0.90),
    "revenue_cur": (0.07, -0.05, 0.90),
    PROFIT: (0.0, 0.0, 0.25),
}

# Row order of the periods inside one customer's block (the exports are not sorted):
# measured frequencies of each permutation.
MONEY_ORDERS = (
    ((PERIOD_CUR, PERIOD_PREPREV, PERIOD_PREV), 314),
    ((PERIOD_PREPREV, PERIOD_PREV, PERIOD_CUR), 298),
    ((PERIOD_PREV, PERIOD_CUR, PERIOD_PREPREV), 288),
    ((PERIOD_PREV, PERIOD_PREPREV, PERIOD_CUR), 145),
    ((PERIOD_CUR, PERIOD_PREV, PERIOD_PREPREV), 132),
    ((PERIOD_PREPREV, PERIOD_CUR, PERIOD_PREV), 123),
)
TIME_ORDERS = (
    ((PERIOD_CUR, PERIOD_PREV_TIME), 677),
    ((PERIOD_PREV_TIME, PERIOD_CUR), 623),
)

# --------------------------------------------------------------------------------------------
# Defects
# --------------------------------------------------------------------------------------------

SERVICE_TYPO = ("премиум", "премиумм")
CATEGORY_TYPO = ("Кухонная посуда", "Кухоная посуда")
# Inconsistent case and stray spaces in the consent column, by original value.
CONSENT_VARIANTS = {"да": ("Да", "да ", " ДА"), "нет": (" нет", "Нет", "нет ")}

SERVICE_TYPO_SHARE = 0.0077
CASE_SPACE_SHARE = 0.003
INACTIVE_SHARE = 0.003
DUPLICATE_SHARE = 0.0085
ABSURD_REVENUE_RANGE = (95_000.0, 110_000.0)


def defect_counts(customers: int) -> dict[str, int]:
    """Number of injected defects of each kind for a data set of ``customers`` customers."""
    return {
        "service_typo": max(1, round(SERVICE_TYPO_SHARE * customers)),
        "case_space": max(3, round(CASE_SPACE_SHARE * customers)),
        "inactive": max(3, round(INACTIVE_SHARE * customers)),
        "duplicates": max(1, round(DUPLICATE_SHARE * customers)),
        "absurd_revenue": 1,
    }


# --------------------------------------------------------------------------------------------
# Generator
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoTables:
    """The four demo tables, shaped like the real exports."""

    market_file: pd.DataFrame
    market_money: pd.DataFrame
    market_time: pd.DataFrame
    money: pd.DataFrame


def _uniform_ranks(score: np.ndarray) -> np.ndarray:
    """Map scores to (0, 1) by rank, i.e. the empirical copula of the score."""
    n = score.size
    ranks = np.empty(n, dtype=np.float64)
    ranks[np.argsort(score, kind="stable")] = np.arange(n, dtype=np.float64)
    return (ranks + 0.5) / n


def _from_frequencies(u: np.ndarray, table: dict[int, int]) -> np.ndarray:
    values = np.array(list(table.keys()), dtype=np.int64)
    cumulative = np.cumsum(np.array(list(table.values()), dtype=np.float64))
    cumulative /= cumulative[-1]
    index = np.searchsorted(cumulative, u, side="right")
    return values[np.minimum(index, values.size - 1)]


def _from_quantiles(u: np.ndarray, grid: Sequence[float], values: Sequence[float]) -> np.ndarray:
    return np.interp(u, np.asarray(grid, dtype=np.float64), np.asarray(values, dtype=np.float64))


def _promo_from_uniform(u: np.ndarray) -> np.ndarray:
    low_end = 1.0 - PROMO_HIGH_SHARE
    low = _from_quantiles(np.minimum(u / low_end, 1.0), *PROMO_LOW_KNOTS)
    high = _from_quantiles(np.clip((u - low_end) / PROMO_HIGH_SHARE, 0.0, 1.0),
                           *PROMO_HIGH_KNOTS)
    return np.where(u < low_end, low, high)


def _draw_categories(rng: np.random.Generator, y: np.ndarray, values: Sequence[str],
                     probs: dict[int, Sequence[float]]) -> np.ndarray:
    table = np.array([probs[0], probs[1]], dtype=np.float64)
    cumulative = np.cumsum(table, axis=1)
    cumulative /= cumulative[:, -1:]
    u = rng.random(y.size)
    index = (u[:, None] >= cumulative[y]).sum(axis=1)
    return np.asarray(values, dtype=object)[np.minimum(index, len(values) - 1)]


def _draw_orders(rng: np.random.Generator, n: int,
                 orders: Sequence[tuple[tuple[str, ...], int]],
                 periods: Sequence[str]) -> np.ndarray:
    """Per-customer row order of the periods, as indices into ``periods``."""
    weights = np.array([count for _, count in orders], dtype=np.float64)
    choice = rng.choice(len(orders), size=n, p=weights / weights.sum())
    perms = np.array([[periods.index(p) for p in order] for order, _ in orders])
    return perms[choice]


def _latent_scores(rng: np.random.Generator, n: int) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    risk = rng.standard_normal(n)
    engagement = rng.standard_normal(n)
    spending = rng.standard_normal(n)
    noise = rng.standard_normal((n, len(LOADINGS)))
    scores = {}
    for j, (name, (a_r, a_e, a_w)) in enumerate(LOADINGS.items()):
        residual = np.sqrt(max(1.0 - a_r**2 - a_e**2 - a_w**2, 0.05))
        scores[name] = a_r * risk + a_e * engagement + a_w * spending + residual * noise[:, j]
    return risk, scores


def _market_file_duplicates_free(frame: pd.DataFrame) -> pd.DataFrame:
    """Nudge the duration of rows that repeat another row by chance (before injection)."""
    columns = [c for c in frame.columns if c != ID]
    low, high = int(QUANTILES[DURATION][0]), int(QUANTILES[DURATION][-1])
    for _ in range(100):
        repeated = frame.duplicated(subset=columns).to_numpy()
        if not repeated.any():
            break
        step = np.where(frame[DURATION].to_numpy() < high, 1, -1)
        frame.loc[repeated, DURATION] = frame.loc[repeated, DURATION] + step[repeated]
        frame[DURATION] = frame[DURATION].clip(low, high)
    return frame


def generate(customers: int = 1300, seed: int = 7) -> DemoTables:
    """Generate the four demo tables for ``customers`` customers, deterministically."""
    n = int(customers)
    if n < MIN_CUSTOMERS:
        raise ValueError(f"customers must be at least {MIN_CUSTOMERS}, got {customers}")
    rng = np.random.default_rng(seed)
    ids = np.arange(FIRST_ID, FIRST_ID + n, dtype=np.int64)
    market_file, revenue, minutes, profit = _clean_tables(rng, ids)
    market_file = _inject_defects(rng, market_file, revenue)
    return _long_tables(rng, market_file, revenue, minutes, profit)


def _clean_tables(rng: np.random.Generator, ids: np.ndarray) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, np.ndarray]:
    """market_file, revenue (customers × 3 months), minutes (× 2) and profit, before any defect."""
    n = ids.size
    # Latent risk and target.
    risk, scores = _latent_scores(rng, n)
    noisy_risk = risk + TARGET_NOISE * rng.standard_normal(n)
    y = (_uniform_ranks(noisy_risk) > 1.0 - DECLINED_SHARE).astype(np.int64)

    u = {name: _uniform_ranks(score) for name, score in scores.items()}

    # market_file.
    market_file = pd.DataFrame({
        ID: ids,
        TARGET: np.where(y == 1, DECLINED, STABLE).astype(object),
        SERVICE: _draw_categories(rng, y, SERVICE_VALUES, SERVICE_PROBS),
        CONSENT: _draw_categories(rng, y, CONSENT_VALUES, CONSENT_PROBS),
        MARKET_6M: np.round(_from_quantiles(u[MARKET_6M], QUANTILE_GRID, QUANTILES[MARKET_6M]), 1),
        MARKET_CUR: _from_frequencies(u[MARKET_CUR], FREQUENCIES[MARKET_CUR]),
        DURATION: np.round(_from_quantiles(u[DURATION], QUANTILE_GRID,
                                           QUANTILES[DURATION])).astype(np.int64),
        PROMO: np.round(_promo_from_uniform(u[PROMO]), 2),
        CATEGORY: _draw_categories(rng, y, CATEGORY_VALUES, CATEGORY_PROBS),
        CATEGORIES_PER_VISIT: _from_frequencies(u[CATEGORIES_PER_VISIT],
                                                FREQUENCIES[CATEGORIES_PER_VISIT]),
        UNPAID: _from_frequencies(u[UNPAID], FREQUENCIES[UNPAID]),
        ERRORS: _from_frequencies(u[ERRORS], FREQUENCIES[ERRORS]),
        PAGES: _from_frequencies(u[PAGES], FREQUENCIES[PAGES]),
    })

    # Revenue (wide), minutes (wide), profit.
    revenue = np.column_stack([
        np.round(_from_quantiles(u["revenue_preprev"], QUANTILE_GRID,
                                 QUANTILES["revenue_preprev"])),
        np.round(_from_quantiles(u["revenue_prev"], QUANTILE_GRID,
                                 QUANTILES["revenue_prev"]) * 2.0) / 2.0,
        np.round(_from_quantiles(u["revenue_cur"], QUANTILE_GRID, QUANTILES["revenue_cur"]), 1),
    ])
    minutes = np.column_stack([
        _from_frequencies(u["minutes_cur"], FREQUENCIES["minutes_cur"]),
        _from_frequencies(u["minutes_prev"], FREQUENCIES["minutes_prev"]),
    ])
    profit = np.round(_from_quantiles(u[PROFIT], QUANTILE_GRID, QUANTILES[PROFIT]), 2)
    return market_file, revenue, minutes, profit


def _inject_defects(rng: np.random.Generator, market_file: pd.DataFrame, revenue: np.ndarray) -> pd.DataFrame:
    """The defects of the real exports; `revenue` is changed in place."""
    n = len(market_file)
    # Defects.
    counts = defect_counts(n)
    order = rng.permutation(n)
    cursor = 0

    def take(k: int) -> np.ndarray:
        nonlocal cursor
        chosen = np.sort(order[cursor:cursor + k])
        cursor += k
        return chosen

    # Customers who were not active in all three months: recently registered, no revenue in
    # the earliest month (and often the previous one), no promo purchases yet.
    inactive = take(counts["inactive"])
    revenue[inactive, 0] = 0.0
    revenue[inactive, 1] = np.where(rng.random(inactive.size) < 0.7, 0.0, revenue[inactive, 1])
    market_file.loc[inactive, DURATION] = rng.integers(100, 160, size=inactive.size)
    market_file.loc[inactive, PROMO] = 0.0

    # One absurd revenue value in the current month.
    absurd = take(1)
    revenue[absurd, 2] = np.round(rng.uniform(*ABSURD_REVENUE_RANGE), 1)

    # Rows of market_file that repeat another row in every column but the id.
    market_file = _market_file_duplicates_free(market_file)
    sources = take(counts["duplicates"])
    targets = take(counts["duplicates"])
    payload = [c for c in MARKET_FILE_COLUMNS if c != ID]
    for column in payload:
        values = market_file[column].to_numpy().copy()
        values[targets] = values[sources]
        market_file[column] = values

    # Remaining rows are eligible for the value-level typos (so duplicates stay exact).
    rest = np.sort(order[cursor:])
    premium_rest = rest[market_file[SERVICE].to_numpy()[rest] == SERVICE_TYPO[0]]
    service_typos = np.sort(rng.choice(premium_rest, size=min(counts["service_typo"],
                                                              premium_rest.size),
                                       replace=False))
    market_file.loc[service_typos, SERVICE] = SERVICE_TYPO[1]

    rest = np.setdiff1d(rest, service_typos)
    case_rows = np.sort(rng.choice(rest, size=counts["case_space"], replace=False))
    original = market_file.loc[case_rows, CONSENT].to_numpy()
    market_file.loc[case_rows, CONSENT] = [
        CONSENT_VARIANTS[value][k % len(CONSENT_VARIANTS[value])]
        for k, value in enumerate(original)
    ]

    market_file[CATEGORY] = market_file[CATEGORY].replace({CATEGORY_TYPO[0]: CATEGORY_TYPO[1]})
    market_file = market_file.astype({
        MARKET_6M: np.float64, PROMO: np.float64, MARKET_CUR: np.int64, DURATION: np.int64,
        CATEGORIES_PER_VISIT: np.int64, UNPAID: np.int64, ERRORS: np.int64, PAGES: np.int64,
    })
    return market_file


def _long_tables(
    rng: np.random.Generator, market_file: pd.DataFrame, revenue: np.ndarray, minutes: np.ndarray, profit: np.ndarray
) -> DemoTables:
    n = len(market_file)
    ids = market_file[ID].to_numpy()
    # Long tables with the per-customer period order of the exports.
    money_order = _draw_orders(rng, n, MONEY_ORDERS, MONEY_PERIODS)
    market_money = pd.DataFrame({
        ID: np.repeat(ids, 3),
        PERIOD: np.asarray(MONEY_PERIODS, dtype=object)[money_order].ravel(),
        REVENUE: np.take_along_axis(revenue, money_order, axis=1).ravel(),
    })
    time_order = _draw_orders(rng, n, TIME_ORDERS, TIME_PERIODS)
    market_time = pd.DataFrame({
        ID: np.repeat(ids, 2),
        PERIOD: np.asarray(TIME_PERIODS, dtype=object)[time_order].ravel(),
        MINUTES: np.take_along_axis(minutes, time_order, axis=1).ravel().astype(np.int64),
    })
    money = pd.DataFrame({ID: ids, PROFIT: profit})

    return DemoTables(market_file=market_file.reset_index(drop=True),
                      market_money=market_money, market_time=market_time, money=money)


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------


def _format_profit(value: float) -> str:
    """Finance export style: decimal comma, no trailing zeros (``4,1``, ``5``)."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def _comma_csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False, sep=",", lineterminator="\r\n").encode("utf-8")


def _money_csv(frame: pd.DataFrame) -> bytes:
    lines = [f"{ID};{PROFIT}"]
    lines += [f"{i};{_format_profit(v)}" for i, v in zip(frame[ID].tolist(),
                                                        frame[PROFIT].tolist())]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def write_demo(out_dir: Path, customers: int = 1300, seed: int = 7) -> list[Path]:
    """Write the four demo files into ``out_dir`` (created if needed) and return their paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    tables = generate(customers=customers, seed=seed)
    contents = (
        _comma_csv(tables.market_file),
        _comma_csv(tables.market_money),
        _comma_csv(tables.market_time),
        _money_csv(tables.money),
    )
    paths = []
    for name, data in zip(FILE_NAMES, contents):
        path = out_dir / name
        path.write_bytes(data)
        paths.append(path)
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m report_builder.demo_data",
        description="Write a synthetic demo data set shaped like the «В один клик» exports.",
    )
    parser.add_argument("--customers", type=int, default=1300, help="number of customers")
    parser.add_argument("--seed", type=int, default=7, help="random seed")
    parser.add_argument("--output", type=Path, default=Path("data/demo"),
                        help="output directory (default: data/demo)")
    args = parser.parse_args(argv)
    for path in write_demo(args.output, customers=args.customers, seed=args.seed):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


# --------------------------------------------------------------------------------------------
# Earlier quarters
# --------------------------------------------------------------------------------------------

TURNOVER = 0.12  # share of customers who are new this quarter, and share who left since the one before
NEW_CATEGORY = "Мелкая бытовая техника и электроника"  # absent before this quarter: the shop added it
STAND_IN = "Товары для детей"  # what those customers preferred before


# Quarter-to-quarter dynamics. Going back from this quarter, the latent risk of a customer follows
# r(t-1) = RISK_MEMORY · r(t) + sqrt(1 - RISK_MEMORY²) · noise (a stationary Gaussian chain, so it
# reads the same forwards); each earlier quarter's label thresholds its risk as `generate` does.
RISK_MEMORY = 0.8
# A customer whose activity declines at t already looks this much riskier (in units of the risk's
# standard deviation) in the features of t-1: engagement falls a quarter ahead of the label.
LEAD = 0.8
# This quarter's risk is not in its files: it is estimated from the features that load on it and the label.
LABEL_WEIGHT = 1.2
# A customer whose activity declines in a quarter earns this share less profit in it than when keeping the level,
# give or take PROFIT_NOISE (the standard deviation of the logarithm of a quarter's profit change).
PROFIT_LOSS = 0.3
PROFIT_NOISE = 0.1
# The offers of a quarter work in one segment and not in the others: of the customers offered something there who
# would have declined the quarter after, this share keeps its level.
WORKING_SEGMENT = "Ценные в зоне риска"
OFFER_EFFECT = 0.5
# Features that follow the risk from quarter to quarter: (table, period or None, column, loading on the risk).
MOVING = (
    ("market_file", None, PAGES, LOADINGS[PAGES][0]),
    ("market_file", None, PROMO, LOADINGS[PROMO][0]),
    ("market_file", None, MARKET_6M, LOADINGS[MARKET_6M][0]),
    ("market_file", None, CATEGORIES_PER_VISIT, LOADINGS[CATEGORIES_PER_VISIT][0]),
    ("market_file", None, UNPAID, LOADINGS[UNPAID][0]),
    ("market_time", PERIOD_CUR, MINUTES, LOADINGS["minutes_cur"][0]),
    ("market_time", PERIOD_PREV_TIME, MINUTES, LOADINGS["minutes_prev"][0]),
    ("market_money", PERIOD_PREPREV, REVENUE, LOADINGS["revenue_preprev"][0]),
)


def earlier_quarters(current: Path, out_dir: Path, quarters: int = 2, seed: int = 11) -> list[tuple[int, Path]]:
    """The demo quarters before `current`, oldest first, as (quarters back, folder).

    Customers change from quarter to quarter. This quarter's latent risk is estimated from its files
    (the features that load on the risk, and the label); going back, the risk follows the chain of
    RISK_MEMORY, and each earlier quarter's label is its risk plus noise thresholded at the real class
    balance, so labels of consecutive quarters agree for about four customers in five. The features
    that load on the risk (pages, promo share, marketing contacts, categories, unpaid items, minutes,
    the earliest month's revenue) are moved with it: a customer's Gaussian score of each one shifts by
    its loading times the change of risk, and by LEAD more towards decline when the customer declines
    in the following quarter, and the quarter's values are dealt out again by that score (so every
    column keeps this quarter's values). A quarter's features thus carry what its label does not: how
    far the risk is and whether engagement already falls.

    A customer's monthly profit is PROFIT_LOSS lower in a quarter whose activity declined than in one whose level
    held, so the history can measure what a decline costs.

    Then the same customers, less this quarter's newcomers, plus customers who have left since; more pages
    and minutes per visit than now (the drift this quarter shows), and no «Мелкая бытовая техника».
    What the offers of one quarter do to the next one's labels is `simulate_offers`'s part.
    """
    tables = {name: pd.read_csv(current / f"{name}.csv", sep=";" if name == "money" else ",", dtype=str, keep_default_na=False)
              for name in ("market_file", "market_money", "market_time", "money")}
    history = _risk_history(tables, quarters, np.random.default_rng(seed))
    found = []
    for back in range(quarters, 0, -1):
        rng = np.random.default_rng(seed + back)
        frames = _turnover(_moved(tables, history, back, rng), rng, back)
        frames["market_file"][PAGES] = (frames["market_file"][PAGES].astype(int) + back).astype(str)
        frames["market_file"][CATEGORY] = frames["market_file"][CATEGORY].replace({NEW_CATEGORY: STAND_IN})
        minutes = frames["market_time"][MINUTES].astype(int) + 2 * back
        frames["market_time"][MINUTES] = minutes.astype(str)
        folder = out_dir / f"quarter-{back}"
        folder.mkdir(parents=True)
        for name, frame in frames.items():
            frame.to_csv(folder / f"{name}.csv", sep=";" if name == "money" else ",", index=False, lineterminator="\r\n")
        found.append((back, folder))
    return found


@dataclass(frozen=True)
class _RiskHistory:
    """Per regular customer (index: id as in the files): Gaussian scores now, and risk and label per quarter back."""

    scores: pd.DataFrame  # one column per MOVING feature, this quarter
    risk: pd.DataFrame  # column k: k quarters back (0: now, estimated)
    declined: pd.DataFrame  # the same for the label (1: «Снизилась»)


def _column(tables: dict[str, pd.DataFrame], table: str, period: str | None, column: str) -> pd.Series:
    """One feature as text, indexed by id (the first row of an id that repeats)."""
    frame = tables[table] if period is None else tables[table][tables[table][PERIOD] == period]
    return frame.drop_duplicates(ID).set_index(ID)[column]


def _gaussian(values: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Normal scores of `values` by rank, ties broken at random."""
    from scipy.special import ndtri

    order = np.lexsort((rng.random(values.size), values))
    ranks = np.empty(values.size)
    ranks[order] = np.arange(values.size)
    return ndtri((ranks + 0.5) / values.size)


def _standard(x: np.ndarray) -> np.ndarray:
    return (x - x.mean()) / x.std()


def _risk_history(tables: dict[str, pd.DataFrame], quarters: int, rng: np.random.Generator) -> _RiskHistory:
    revenue = tables["market_money"].assign(**{REVENUE: tables["market_money"][REVENUE].astype(float)})
    by_id = revenue.groupby(ID)[REVENUE]
    # Customers active in every month and without the absurd revenue: those the cleaning keeps.
    ok = (by_id.min() > 0) & (by_id.max() < 20_000)
    regular = ok[ok].index
    regular = regular.intersection(pd.Index(tables["market_file"][ID])).sort_values()
    scores = pd.DataFrame(index=regular)
    for table, period, column, _ in MOVING:
        values = _column(tables, table, period, column).loc[regular].astype(float).to_numpy()
        scores[f"{table}:{period}:{column}"] = _gaussian(values, rng)
    loadings = np.array([loading for *_, loading in MOVING])
    declined_now = (_column(tables, "market_file", None, TARGET).loc[regular] == DECLINED).to_numpy().astype(float)
    now = _standard(_standard(scores.to_numpy() @ loadings) + LABEL_WEIGHT * _standard(declined_now))
    risk, declined = {0: now}, {0: declined_now.astype(np.int64)}
    for back in range(1, quarters + 1):
        risk[back] = RISK_MEMORY * risk[back - 1] + np.sqrt(1 - RISK_MEMORY**2) * rng.standard_normal(regular.size)
        noisy = risk[back] + TARGET_NOISE * rng.standard_normal(regular.size)
        declined[back] = (_uniform_ranks(noisy) > 1.0 - DECLINED_SHARE).astype(np.int64)
    return _RiskHistory(scores, pd.DataFrame(risk, index=regular), pd.DataFrame(declined, index=regular))


def _moved(tables: dict[str, pd.DataFrame], history: _RiskHistory, back: int, rng: np.random.Generator) -> dict[str, pd.DataFrame]:
    """The current tables with the labels and the moving features of `back` quarters before (regular customers)."""
    out = {name: frame.copy() for name, frame in tables.items()}
    ids = history.scores.index
    risk_change = (history.risk[back] - history.risk[0]).to_numpy()
    declines_next = history.declined[back - 1].to_numpy()
    for (table, period, column, loading), key in zip(MOVING, history.scores.columns):
        score = history.scores[key].to_numpy() + loading * (risk_change + LEAD * declines_next)
        text = _column(tables, table, period, column).loc[ids]
        dealt = text.to_numpy()[np.argsort(text.astype(float).to_numpy(), kind="stable")][np.argsort(np.argsort(score, kind="stable"))]
        _assign(out[table], period, column, pd.Series(dealt, index=ids))
    labels = pd.Series(np.where(history.declined[back].to_numpy() == 1, DECLINED, STABLE), index=ids)
    _assign(out["market_file"], None, TARGET, labels)
    # Profit with this quarter's decline undone and that quarter's applied.
    now = _column(tables, "money", None, PROFIT).loc[ids].str.replace(",", ".").astype(float).to_numpy()
    kept = (1 - PROFIT_LOSS * history.declined[back].to_numpy()) / (1 - PROFIT_LOSS * history.declined[0].to_numpy())
    kept = kept * rng.lognormal(0.0, PROFIT_NOISE, kept.size)  # a month's profit also moves for reasons of its own
    _assign(out["money"], None, PROFIT, pd.Series([_format_profit(v) for v in now * kept], index=ids))
    return out


def _assign(frame: pd.DataFrame, period: str | None, column: str, values: pd.Series) -> None:
    """Set `column` of the rows of the ids in `values` (of one period) in place."""
    rows = frame[ID].isin(values.index) & (True if period is None else frame[PERIOD] == period)
    frame.loc[rows, column] = frame.loc[rows, ID].map(values).to_numpy()


def _turnover(tables: dict[str, pd.DataFrame], rng: np.random.Generator, back: int) -> dict[str, pd.DataFrame]:
    """Drop this quarter's newcomers; add customers who have since left (copies of others under new ids)."""
    ids = tables["market_file"][ID].unique()
    share = min(TURNOVER * back, 0.5)
    newcomers = set(rng.choice(ids, size=int(len(ids) * share), replace=False))
    sources = rng.choice([i for i in ids if i not in newcomers], size=int(len(ids) * share), replace=False)
    first_new = max(int(i) for i in ids) + 1 + 10_000 * back
    renamed = {str(src): str(first_new + k) for k, src in enumerate(sources)}
    out = {}
    for name, frame in tables.items():
        kept = frame[~frame[ID].isin(newcomers)]
        left = frame[frame[ID].isin(renamed)].copy()
        left[ID] = left[ID].map(renamed)
        out[name] = pd.concat([kept, left], ignore_index=True)
    return out


# What the shop's CRM actually sends of a quarter's plan: most customers assigned an offer are reached, the rest are not
# (an address missing, a campaign cut short); a few of those reached get another offer than the one assigned, and a few
# of the control group get one all the same (a list exported before the control group was taken out).
CONTACTED_SHARE = 0.8
OTHER_OFFER_SHARE = 0.03
CONTROL_BREACH_SHARE = 0.05
DAYS_BETWEEN_CHANNELS = 2  # the messages of one offer go out over a few days


def write_contacts(folder: Path, people: pd.DataFrame, offers: Mapping[str, tuple[str, tuple[str, ...]]], period: str,
                   seed: int) -> pd.DataFrame:
    """contacts.csv in `folder`: what was sent during `period` to one quarter's plan, for the customers of `folder`.

    `people`: the history's record of the plan's quarter (index: id; «control», «rules» — the offer planned, the control
    group's too — and «offers» — the assigned offer with the channels that reach the customer). `offers`: each rule's
    title and channels. CONTACTED_SHARE of the customers assigned an offer get it, by each of its channels, on days of
    the quarter; OTHER_OFFER_SHARE of them get another offer instead; CONTROL_BREACH_SHARE of the control group get
    their planned offer all the same. The offer is written by its title, as a CRM names its campaigns. Returns the
    contacts written (id as in the files).
    """
    present = set(pd.read_csv(folder / "market_file.csv", usecols=[ID], dtype=str)[ID])
    plan = people[people.index.astype(str).isin(present) & people["rules"].isin(list(offers))].sort_index()
    control = plan["control"].fillna(False).astype(bool).to_numpy()
    rng = np.random.default_rng(seed)
    reached = np.where(control, rng.random(len(plan)) < CONTROL_BREACH_SHARE, rng.random(len(plan)) < CONTACTED_SHARE)
    switched = ~control & (rng.random(len(plan)) < OTHER_OFFER_SHARE) & (len(offers) > 1)
    first, last = quarter_days(period) or quarter_days(last_finished_quarter(dt.date.today()))  # type: ignore[misc]
    span = (last - first).days - DAYS_BETWEEN_CHANNELS * 3
    names = sorted(offers)
    rows = []
    for k, (customer, row) in enumerate(plan.iterrows()):
        day = first + dt.timedelta(days=int(rng.integers(0, span)))
        if not reached[k]:
            continue
        rule = str(row["rules"])
        title, channels = offers[rule]
        assigned = str(row["offers"])
        if assigned.startswith(f"{title} (") and assigned.endswith(")"):
            channels = tuple(assigned[len(title) + 2 : -1].split(", "))  # the channels that reach this customer
        if control[k]:
            channels = channels[:1]  # a slip: one message, not a campaign
        if switched[k]:
            title, channels = offers[names[(names.index(rule) + 1 + int(rng.integers(0, len(names) - 1))) % len(names)]]
            channels = channels[:1]
        for n, channel in enumerate(channels):
            rows.append((str(customer), title, channel, (day + dt.timedelta(days=n * DAYS_BETWEEN_CHANNELS)).isoformat()))
    sent = pd.DataFrame(rows, columns=[ID, OFFER, CHANNEL, DATE]).sort_values([DATE, ID], kind="stable")
    sent.to_csv(folder / f"{CONTACTS}.csv", index=False, lineterminator="\r\n")
    return sent


def simulate_offers(folder: Path, people: pd.DataFrame, offers: Mapping[str, tuple[str, tuple[str, ...]]], period: str,
                    seed: int) -> int:
    """Send one quarter's offers and let them act on the next quarter's labels, written in `folder` (a quarter of
    `earlier_quarters`, `period` by its label).

    `people`: the history's record of the plan's quarter, with each customer's «segment» (see `write_contacts`, which
    writes what was sent). Of the customers an offer reached in WORKING_SEGMENT, OFFER_EFFECT of those who declined keep
    their level instead (and their profit with it); an offer assigned but never sent does nothing, and neither does one
    elsewhere. Returns how many labels changed.
    """
    sent = write_contacts(folder, people, offers, period, seed)
    path, money_path = folder / "market_file.csv", folder / "money.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    money = pd.read_csv(money_path, sep=";", dtype=str, keep_default_na=False)
    segments = people["segment"].rename(index=str)
    working = {i for i in sent[ID].unique() if segments.get(i) == WORKING_SEGMENT}
    rng = np.random.default_rng(seed)
    candidates = frame.index[frame[ID].isin(working) & (frame[TARGET] == DECLINED)]
    kept = candidates[rng.random(len(candidates)) < OFFER_EFFECT]
    frame.loc[kept, TARGET] = STABLE
    restored = money[ID].isin(set(frame.loc[kept, ID]))
    profit = money.loc[restored, PROFIT].str.replace(",", ".").astype(float) / (1 - PROFIT_LOSS)
    money.loc[restored, PROFIT] = [_format_profit(v) for v in profit]
    frame.to_csv(path, index=False, lineterminator="\r\n")
    money.to_csv(money_path, sep=";", index=False, lineterminator="\r\n")
    return len(kept)
