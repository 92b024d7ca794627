"""Tiny hand-made results, one per kind the report shows: the render layer is tested on them without a build.

Every number is chosen so that what the report says of it can be worked out by hand; the comments say how.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from report_builder.labels import (
    DECLINED,
    PROBABILITY,
    PROFIT,
    PROFIT_AT_RISK,
    SEGMENT,
    STABLE,
    USUAL_AT_RISK,
    USUAL_STABLE,
    VALUABLE_AT_RISK,
    VALUABLE_STABLE,
)
from report_builder.results.analysis import (
    CategoricalFeature,
    Correlation,
    Curve,
    Distribution,
    Driver,
    Evaluation,
    Explanation,
    Exploration,
    ModelScore,
    ModelSearch,
    NumericFeature,
)
from report_builder.results.backtest import Backtest, Economics, Group, SegmentValue
from report_builder.results.data import CleanData, Fix, SourceFile
from report_builder.results.segments import Contrast, Segmentation, SegmentStats

PAGES, MINUTES, SERVICE, PROMO = "Страниц_за_визит", "Минут_предыдущий_месяц", "Тип сервиса", "Акционные_покупки"


def clean_data() -> CleanData:
    """10 customers read, 8 kept; activity declined for 2 of them: 25 %."""
    customers = pd.DataFrame({PAGES: [3, 4, 5, 6, 7, 8, 9, 10]}, index=pd.Index(range(1, 9), name="id"))
    sources = (SourceFile("market_file.csv", 10, "0" * 64, "utf-8", ",", "."), SourceFile("money.csv", 10, "1" * 64, "cp1251", ";", ","))
    fixes = (Fix("Лишние пробелы в категориях", SERVICE, 2, "исправлено", "market_file.csv"),)
    return CleanData(customers, 10, sources, fixes, {STABLE: 6, DECLINED: 2}, {})


def exploration() -> Exploration:
    continuous = Distribution(False, np.linspace(0.0, 10.0, 6), np.array([0.3, 0.3, 0.2, 0.1, 0.1]), np.array([0.1, 0.1, 0.2, 0.3, 0.3]))
    discrete = Distribution(True, np.array([1.0, 2.0, 3.0]), np.array([0.5, 0.3, 0.2]), np.array([0.2, 0.3, 0.5]))
    numeric = (
        NumericFeature(PAGES, 5.0, 9.0, 5.0, 9.0, -1.2, 1e-6, continuous),
        NumericFeature("Ошибка_сервиса", 2.0, 2.1, 2.0, 2.0, 0.05, 0.6, discrete),
    )
    categorical = (CategoricalFeature(SERVICE, {"премиум": 0.5, "стандарт": 0.3}, {"премиум": 10, "стандарт": 20}, 0.01, 0.2),)
    return Exploration(numeric, categorical, 0.38, 0.05)


def correlation() -> Correlation:
    """Two of three features linked with the activity at φK 0,5 or more; no pair above 0,9, VIF below 5."""
    names = [PAGES, MINUTES, SERVICE, "Покупательская активность"]
    matrix = pd.DataFrame(
        [[1.0, 0.4, 0.1, 0.63], [0.4, 1.0, 0.2, 0.55], [0.1, 0.2, 1.0, 0.12], [0.63, 0.55, 0.12, 1.0]], index=names, columns=names
    )
    return Correlation(matrix, ((PAGES, 0.63), (MINUTES, 0.55), (SERVICE, 0.12)), (), ((MINUTES, 2.8), (PAGES, 1.9)), 0.9, 5.0)


def _score(family: str, title: str, cv: float, test: float) -> ModelScore:
    return ModelScore(family, title, {"C": "1.0"}, cv, 0.01, (cv,) * 5, test, (test - 0.02, test + 0.02), 0.5, 10, {"C": "loguniform(0.01, 100)"})


def search() -> ModelSearch:
    """Two families, logistic regression chosen; 20 of 100 customers held out (20 %)."""
    scores = (_score("logreg", "Логистическая регрессия (L2)", 0.895, 0.865), _score("tree", "Дерево решений (CART)", 0.85, 0.84))
    return ModelSearch(scores, "logreg", None, pd.Index(range(80)), pd.Index(range(80, 100)), 0.5, 80)  # type: ignore[arg-type]


def evaluation(threshold: float = 0.5, best_f1: float = 0.42) -> Evaluation:
    """At the threshold: 32 of 40 decliners found (80 %), 32 of 42 alarms right (76 %); gap 6 п. п."""
    curve = Curve(np.array([0.0, 0.2, 1.0]), np.array([0.0, 0.7, 1.0]))
    confusion = np.array([[50, 10], [8, 32]])
    return Evaluation(
        None, "sigmoid", {"none": 0.1452, "sigmoid": 0.1431, "isotonic": 0.1467}, pd.Series([0.2, 0.8]), curve, curve, 0.8,
        Curve(np.array([0.1, 0.5, 0.9]), np.array([0.15, 0.45, 0.85])), np.array([30, 40, 30]),
        0.06, 0.07, 0.143, 0.236, threshold, best_f1, confusion, np.array([[45, 15], [5, 35]]), 32 / 42, 32 / 40,
    )


def drivers() -> tuple[Driver, ...]:
    """Five drivers, strongest first by SHAP; by permutation the order of the last two is swapped."""
    return (
        Driver(PAGES, 0.08, "down", -0.8, None, 0.05, 0.01),
        Driver(MINUTES, 0.05, "down", -0.6, None, 0.03, 0.01),
        Driver(PROMO, 0.04, "up", 0.7, None, 0.02, 0.005),
        Driver(SERVICE, 0.02, "category", 0.0, "премиум", 0.004, 0.002),
        Driver("Ошибка_сервиса", 0.004, "up", 0.2, None, 0.006, 0.001),
    )


def explanation() -> Explanation:
    found = drivers()
    features = tuple(d.feature for d in found)
    rng = np.random.default_rng(1)
    values = pd.DataFrame(
        {PAGES: rng.integers(1, 12, 6), MINUTES: rng.integers(5, 20, 6), PROMO: rng.random(6),
         SERVICE: ["премиум", "стандарт"] * 3, "Ошибка_сервиса": rng.integers(0, 5, 6)}
    )
    return Explanation("TreeExplainer", features, rng.normal(0, 0.05, (6, len(features))), values, 0.38, found, 1e-12)


def _stats(name: str, customers: int, share: float, probability: float, profit_at_risk: float, base: bool = True) -> SegmentStats:
    return SegmentStats(name, "описание", base, probability >= 0.5, customers, share, probability, 4.0, profit_at_risk, 1000.0)


def segmentation() -> Segmentation:
    """Eight customers in four segments; the priority segment holds 600 of the 1 000 at risk (60 %)."""
    probability = [0.9, 0.8, 0.2, 0.1, 0.7, 0.6, 0.3, 0.2]
    profit = [6.0, 5.0, 6.0, 5.0, 2.0, 3.0, 2.0, 3.0]
    names = [VALUABLE_AT_RISK] * 2 + [VALUABLE_STABLE] * 2 + [USUAL_AT_RISK] * 2 + [USUAL_STABLE] * 2
    frame = pd.DataFrame({PROBABILITY: probability, PROFIT: profit, SEGMENT: names}, index=pd.Index(range(1, 9), name="id"))
    frame[PROFIT_AT_RISK] = frame[PROBABILITY] * frame[PROFIT] * 3
    segments = (
        _stats(VALUABLE_AT_RISK, 2, 0.25, 0.85, 600.0),
        _stats(VALUABLE_STABLE, 2, 0.25, 0.15, 100.0),
        _stats(USUAL_AT_RISK, 2, 0.25, 0.65, 250.0),
        _stats(USUAL_STABLE, 2, 0.25, 0.25, 50.0),
        _stats("Любители акций в зоне риска", 3, 0.375, 0.7, 400.0, base=False),
    )
    members = {s.name: tuple(frame.index[frame[SEGMENT] == s.name]) for s in segments}
    contrasts = (
        Contrast(SERVICE, "categorical", 0.6, 0.3, 0.35, 0.001, "премиум"),
        Contrast(PAGES, "numeric", 5.1, 9.9, -1.5, 1e-9),
        Contrast(PROMO, "numeric", 0.46, 0.24, 0.9, 1e-6),
        Contrast("Ошибка_сервиса", "numeric", 4.1, 4.2, -0.05, 0.4),
    )
    drivers_in_segment = ((MINUTES, 0.07, 0.064), (PROMO, 0.06, 0.056), ("Ошибка_сервиса", 0.01, -0.003))
    return Segmentation(frame, members, segments, VALUABLE_AT_RISK, 0.5, 4.5, 3, contrasts, drivers_in_segment, contrasts[1:])


def backtest() -> Backtest:
    groups = (Group("offer", 300, 0.30), Group("control", 40, 0.35))
    return Backtest(
        "2026-Q2", 1140, 0.887, (0.866, 0.905), 0.959, 0.16,
        np.array([0.1, 0.3, 0.5, 0.7, 0.9]), np.array([0.12, 0.25, 0.55, 0.8, 0.95]), np.array([200, 250, 250, 240, 200]),
        0.5, 0.7, 0.6, 0.36, 0.39, True, 0.16, True, groups, 0.05, (-0.1, 0.2), (), "early",
    )


def economics(cost: float = 1.0, values: tuple[float, ...] = (-0.5, 0.3, 1.2)) -> Economics:
    """Three probability bands: 0–30 %, 30–60 %, 60–100 %, each with the expected value given."""
    edges = ((0.0, 0.3), (0.3, 0.6), (0.6, 1.0))
    bands = tuple((low, high, value) for (low, high), value in zip(edges, values))
    return Economics(0.1, False, (SegmentValue(VALUABLE_AT_RISK, 200, 120.0, True),), bands, cost)
