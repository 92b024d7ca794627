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
    FittedModel,
    ModelScore,
    ModelSearch,
    NumericFeature,
)
from report_builder.results.backtest import Backtest, Group
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
    categorical = (CategoricalFeature(SERVICE, {"премиум": 0.5, "стандарт": 0.3}, {"премиум": 100, "стандарт": 200}, 0.01, 0.2),)
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
    return ModelSearch(scores, "logreg", FittedModel(None), pd.Index(range(80)), pd.Index(range(80, 100)), 0.5, 80)


def evaluation(threshold: float = 0.5, best_f1: float = 0.42) -> Evaluation:
    """At the threshold: 32 of 40 decliners found (80 %), 32 of 42 alarms right (76 %); gap 6 п. п."""
    curve = Curve(np.array([0.0, 0.2, 1.0]), np.array([0.0, 0.7, 1.0]))
    confusion = np.array([[50, 10], [8, 32]])
    return Evaluation(
        FittedModel(None), "sigmoid", {"none": 0.1452, "sigmoid": 0.1431, "isotonic": 0.1467}, pd.Series([0.2, 0.8]), pd.Series([0.3, 0.7]),
        curve, curve, 0.8,
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


def backtest(**update: object) -> Backtest:
    """Last quarter's forecast: ROC-AUC 0,887 against 0,959 promised (it fell), persistence 0,8; offers 30 % against
    35 % in a control group of 40: an interval too wide to conclude."""
    groups = (Group("offer", 300, 0.30), Group("control", 40, 0.35))
    values: dict[str, object] = dict(
        reference_period="2026-Q2", customers=1140, roc_auc=0.887, roc_auc_ci95=(0.866, 0.905), cv_roc_auc_then=0.959,
        kind_then="forward", persistence_roc_auc=0.8, persistence_precision=0.79, persistence_recall=0.7, brier=0.16,
        constant_brier=0.24, calibration_predicted=np.array([0.1, 0.3, 0.5, 0.7, 0.9]),
        calibration_actual=np.array([0.12, 0.25, 0.55, 0.8, 0.95]), calibration_counts=np.array([200, 250, 250, 240, 200]),
        threshold=0.5, precision=0.7, recall=0.6, predicted_rate=0.36, mean_predicted=0.38, actual_rate=0.39, auc_fell=True,
        calibration_gap=0.16, calibration_off=True, groups=groups, uplift=0.05, uplift_ci95=(-0.1, 0.2), by_segment=(),
        verdict="wide_interval",
    )
    values.update(update)
    return Backtest(**values)  # type: ignore[arg-type]


def plan(prices: dict[str, float] | None = None, budget: float | None = None) -> object:
    """Five customers all fitting one offer, nothing measured: the plan stage on a hand case (see tests/test_plan.py)."""
    from report_builder.config import BacktestConfig, OfferRule, RecommendationsConfig
    from report_builder.labels import CONSENT, REVENUE_COLUMNS
    from report_builder.results.effects import Effects, Loss
    from report_builder.results.segments import Recommendations
    from report_builder.stages.plan import plan as make_plan

    frame = pd.DataFrame({PROBABILITY: [0.9, 0.5, 0.8, 0.6, 0.3], PROFIT: [10.0, 10.0, 2.0, 5.0, 1.0], CONSENT: ["да"] * 4 + ["нет"],
                          PAGES: 3.0, SEGMENT: VALUABLE_AT_RISK}, index=pd.Index(range(1, 6), name="id"))
    for column in REVENUE_COLUMNS:
        frame[column] = 100.0
    frame[PROFIT_AT_RISK] = frame[PROBABILITY] * frame[PROFIT] * 3
    seg = Segmentation(frame, {VALUABLE_AT_RISK: tuple(range(1, 6))}, (), VALUABLE_AT_RISK, 0.5, 0.0, 3, (), ())
    rule = OfferRule(name="pages", title="Подборки", action="подборки", feature=PAGES, op="<=", value=5, channels=("сайт", "email"))
    config = RecommendationsConfig(rules=(rule,), control_share=0.0, channel_costs=prices or {}, budget=budget)
    eligible = Recommendations((), (), (), pd.DataFrame({"pages": True}, index=frame.index))
    return make_plan(seg, eligible, Effects((), Loss(1.0, "assumed"), 0.2, 0.2), config, BacktestConfig(), 0)
