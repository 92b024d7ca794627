"""Results of exploratory analysis, correlation, model search, evaluation and explanation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline


@dataclass(frozen=True)
class Distribution:
    """A feature's distribution in each class, ready to draw."""

    discrete: bool  # few distinct values: shares per value; otherwise densities per bin
    positions: np.ndarray  # the values (discrete) or the bin edges, one more than the bins
    declined: np.ndarray  # share or density per value or bin
    stable: np.ndarray


@dataclass(frozen=True)
class NumericFeature:
    feature: str
    mean_declined: float
    mean_stable: float
    median_declined: float
    median_stable: float
    effect_size: float  # Cohen's d, declined minus stable
    p_value: float  # Mann–Whitney U
    distribution: Distribution


@dataclass(frozen=True)
class CategoricalFeature:
    feature: str
    decline_rate: dict[str, float]  # category -> share of «Снизилась» in it
    counts: dict[str, int]
    p_value: float  # chi-square test of independence
    cramer_v: float = 0.0  # strength of the link between the category and the activity class


@dataclass(frozen=True)
class Exploration:
    numeric: tuple[NumericFeature, ...]
    categorical: tuple[CategoricalFeature, ...]
    decline_rate: float
    alpha: float


@dataclass(frozen=True)
class Correlation:
    matrix: pd.DataFrame  # phik, features and target
    with_target: tuple[tuple[str, float], ...]  # sorted, strongest first
    strong_pairs: tuple[tuple[str, str, float], ...]  # feature pairs above the threshold
    vif: tuple[tuple[str, float], ...]  # numeric features, largest first
    pair_threshold: float
    vif_threshold: float

    @property
    def multicollinear(self) -> bool:
        return bool(self.strong_pairs) or any(v > self.vif_threshold for _, v in self.vif)


@dataclass(frozen=True)
class ModelScore:
    family: str
    title: str
    best_params: dict[str, str]
    cv_roc_auc_mean: float
    cv_roc_auc_std: float
    cv_folds: tuple[float, ...]
    test_roc_auc: float
    test_roc_auc_ci95: tuple[float, float]
    fit_seconds: float
    candidates: int
    search_space: dict[str, str]  # parameter -> distribution or choices searched


@dataclass(frozen=True)
class ModelSearch:
    scores: tuple[ModelScore, ...]  # sorted by CV mean, best first
    best: str
    estimator: Pipeline  # best family's pipeline, fitted on the training part
    train_index: pd.Index  # rows the models were fitted on
    test_index: pd.Index
    dummy_test_roc_auc: float
    train_available: int  # rows of the training part; more than train_index when it was sampled

    @property
    def best_score(self) -> ModelScore:
        return next(s for s in self.scores if s.family == self.best)


@dataclass(frozen=True)
class Curve:
    x: np.ndarray
    y: np.ndarray


@dataclass(frozen=True)
class Evaluation:
    model: object  # fitted on the training part: the pipeline, or the pipeline with its calibrator
    calibration_method: Literal["none", "sigmoid", "isotonic"]  # lowest cross-validated Brier score
    brier_by_method: dict[str, float]  # cross-validated Brier score of each method tried
    test_probability: pd.Series  # index: customer id
    roc: Curve
    pr: Curve
    average_precision: float
    calibration: Curve  # mean predicted vs observed share, ten bins of equal size
    calibration_counts: np.ndarray  # customers per bin
    calibration_error: float  # size-weighted gap between predicted and observed share over ten bins (ECE)
    calibration_noise: float  # the error chance alone gives a perfectly calibrated model here (95th percentile)
    brier: float
    brier_reference: float  # Brier of always predicting the base rate
    threshold: float  # from config
    best_f1_threshold: float  # chosen on out-of-fold training predictions
    confusion: np.ndarray  # 2x2 at `threshold`: [[TN, FP], [FN, TP]]
    confusion_best: np.ndarray
    precision: float
    recall: float

    @property
    def calibrated(self) -> bool:
        return self.calibration_method != "none"


@dataclass(frozen=True)
class Driver:
    feature: str
    mean_abs_shap: float
    direction: Literal["up", "down", "category", "none"]  # up: larger values raise the risk; none: unused
    correlation: float  # Spearman between feature value and its SHAP value (numbers only)
    risky_category: str | None  # category with the largest mean SHAP (categories only)
    permutation: float  # drop of test ROC-AUC when the feature is shuffled
    permutation_std: float


@dataclass(frozen=True)
class Explanation:
    explainer: str
    features: tuple[str, ...]
    shap_values: np.ndarray  # rows × features, in probability units
    feature_values: pd.DataFrame  # the explained rows, original values
    base_value: float
    drivers: tuple[Driver, ...]  # strongest first
    additivity_error: float  # max |base + Σ shap − model output| over explained rows


@dataclass(frozen=True)
class Profile:
    """The ydata-profiling appendix, a standalone HTML page."""

    html: str
