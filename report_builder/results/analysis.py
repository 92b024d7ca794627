"""Results of exploratory analysis, correlation, model search, evaluation and explanation."""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from typing import Annotated, Literal

import numpy as np
import pandas as pd

from report_builder.records import Out, published


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
    family: Annotated[str, Out("name")]
    title: Annotated[str, Out()]
    best_params: Annotated[dict[str, str], Out()]
    cv_roc_auc_mean: Annotated[float, Out(digits=4)]
    cv_roc_auc_std: Annotated[float, Out(digits=4)]
    cv_folds: tuple[float, ...]
    test_roc_auc: Annotated[float, Out(digits=4)]
    test_roc_auc_ci95: Annotated[tuple[float, float], Out(digits=4)]
    fit_seconds: Annotated[float, Out(digits=2)]
    candidates: Annotated[int, Out()]  # tried in full: cross-validated with all of the model's trees
    search_space: dict[str, str]  # parameter -> distribution or choices searched
    screened: Annotated[int, Out()] = 0  # a forest's candidates compared with a quarter of its trees first (0: none)


class FittedModel:
    """A fitted scikit-learn model inside a result. It is pickled (into the cache, to the background worker) as bytes
    and unpickled only when first read, so a process that draws the result's charts, or a stage that reads the
    result's other fields from the cache, never imports scikit-learn for it."""

    def __init__(self, model: object) -> None:
        self._model, self._pickled = model, None

    def get(self) -> object:
        if self._model is None and self._pickled is not None:
            self._model = pickle.loads(self._pickled)
        return self._model

    def __getstate__(self) -> dict[str, object]:
        if self._pickled is None and self._model is not None:
            self._pickled = pickle.dumps(self._model, protocol=pickle.HIGHEST_PROTOCOL)
        return {"_model": None, "_pickled": self._pickled}


@dataclass(frozen=True)
class OutOfFold:
    """A fitted candidate's scores on the training rows, each from the model of the fold that held the row out."""

    proba: np.ndarray | None  # its probability of decline, where it gives one
    raw: np.ndarray  # what ROC-AUC ranks and a calibrator maps: the decision function where there is one, else proba


@dataclass(frozen=True)
class ModelSearch:
    scores: Annotated[tuple[ModelScore, ...], Out("models")]  # sorted by CV mean, best first
    best: Annotated[str, Out("best_model", history=True)]
    fitted: FittedModel  # best family's pipeline (scikit-learn Pipeline), fitted on the training part: `estimator`
    train_index: pd.Index  # rows the models were fitted on
    test_index: pd.Index
    dummy_test_roc_auc: float
    train_available: int  # rows of the training part; more than train_index when it was sampled
    checked: int = 0  # held-out customers the families were scored on (a stratified sample of test_index when large)
    out_of_fold: OutOfFold | None = None  # the chosen candidate's scores on train_index, from the search's own folds

    @property
    def estimator(self) -> object:
        return self.fitted.get()

    @property
    def best_score(self) -> ModelScore:
        return next(s for s in self.scores if s.family == self.best)

    @published(Out(summary=False, history=True))
    def best_cv_auc(self) -> float:
        return self.best_score.cv_roc_auc_mean


@dataclass(frozen=True)
class Curve:
    x: np.ndarray
    y: np.ndarray


@dataclass(frozen=True)
class Evaluation:
    fitted: FittedModel  # fitted on the training part: the pipeline, or the pipeline with its calibrator (`model`)
    calibration_method: Annotated[Literal["none", "sigmoid", "isotonic"], Out("calibration")]  # lowest cross-validated Brier score
    brier_by_method: dict[str, float]  # cross-validated Brier score of each method tried
    test_probability: pd.Series  # index: customer id
    train_probability: pd.Series  # out of fold on the training rows, calibrated by a mapping fitted on the other folds
    roc: Curve
    pr: Curve
    average_precision: float
    calibration: Curve  # mean predicted vs observed share, ten bins of equal size
    calibration_counts: np.ndarray  # customers per bin
    calibration_error: Annotated[float, Out(digits=4)]  # size-weighted gap between predicted and observed share over ten bins (ECE)
    calibration_noise: Annotated[float, Out(digits=4)]  # the error chance alone gives a perfectly calibrated model here (95th percentile)
    brier: Annotated[float, Out(digits=4)]
    brier_reference: float  # Brier of always predicting the base rate
    threshold: Annotated[float, Out(history=True)]  # from config
    best_f1_threshold: Annotated[float, Out(digits=4)]  # chosen on out-of-fold training predictions
    confusion: np.ndarray  # 2x2 at `threshold`: [[TN, FP], [FN, TP]]
    confusion_best: np.ndarray
    precision: float
    recall: float

    @property
    def model(self) -> object:
        return self.fitted.get()

    @published
    def calibrated(self) -> bool:
        return self.calibration_method != "none"


@dataclass(frozen=True)
class Driver:
    feature: Annotated[str, Out(history=True)]
    mean_abs_shap: Annotated[float, Out(digits=5)]
    direction: Annotated[Literal["up", "down", "category", "none"], Out()]  # up: larger values raise the risk; none: unused
    correlation: float  # Spearman between feature value and its SHAP value (numbers only)
    risky_category: Annotated[str | None, Out()]  # category with the largest mean SHAP (categories only)
    permutation: Annotated[float, Out("permutation_importance", digits=5)]  # drop of test ROC-AUC when the feature is shuffled
    permutation_std: float


@dataclass(frozen=True)
class Explanation:
    explainer: Annotated[str, Out()]
    features: tuple[str, ...]
    shap_values: np.ndarray  # rows × features, in probability units
    feature_values: pd.DataFrame  # the explained rows, original values
    base_value: float
    drivers: Annotated[tuple[Driver, ...], Out(history=True)]  # strongest first
    additivity_error: float  # max |base + Σ shap − model output| over explained rows


@dataclass(frozen=True)
class Profile:
    """The ydata-profiling appendix, a standalone HTML page."""

    html: str

    def __bytes__(self) -> bytes:
        return self.html.encode("utf-8")
