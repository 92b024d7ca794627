"""Probabilities money can rest on: the calibration of the chosen model, chosen by cross-validated Brier score."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from report_builder.features import Splitter
from report_builder.results.analysis import OutOfFold

Method = Literal["none", "sigmoid", "isotonic"]


def calibrated(estimator: object, cv: Splitter, method: Method, n_jobs: int | None = None) -> object:
    """The estimator as is, or wrapped so one calibrator is fitted on out-of-fold scores (`Calibrated`); `n_jobs`
    processes fit the folds (the result does not depend on it)."""
    from sklearn.base import clone

    from report_builder.calibrated_model import Calibrated

    if method == "none":
        return clone(estimator)
    return Calibrated(clone(estimator), cv, method, n_jobs)


def joined(fitted: object, calibrator: Calibrator) -> object:
    """A fitted classifier with a calibrator fitted before (`Calibrated`); the classifier itself when its probability
    is used as it is."""
    from report_builder.calibrated_model import Calibrated

    if calibrator.method == "none":
        return fitted
    return Calibrated(fitted, None, calibrator.method).joined(fitted, calibrator)  # type: ignore[arg-type]


def base_estimator(model: object) -> object:
    """The fitted pipeline under a calibrator: what SHAP explains (calibration only rescales its output)."""
    from report_builder.calibrated_model import Calibrated

    if isinstance(model, Calibrated) and hasattr(model.estimator_, "predict_proba"):
        return model.estimator_
    return model  # a margin (SVC) has no probability to explain: the calibrated model itself


def model_scores(model: object, X: pd.DataFrame) -> OutOfFold:
    """A fitted model's scores of the rows X: its probability where it gives one, and what a calibrator maps."""
    proba = model.predict_proba(X)[:, 1] if hasattr(model, "predict_proba") else None  # type: ignore[attr-defined]
    raw = model.decision_function(X) if hasattr(model, "decision_function") else proba  # type: ignore[attr-defined]
    return OutOfFold(proba, raw)  # type: ignore[arg-type]


@dataclass(frozen=True)
class HeldOut:
    """One fold of a candidate: its model's scores of the rows it did not see, their ROC-AUC, and the seconds it took."""

    scores: OutOfFold
    roc_auc: float  # NaN for a fold of one class, as GridSearchCV scores a fold it cannot score
    seconds: float


def held_out_scores(model: object, X_train: object, y_train: np.ndarray, X_test: object, y_test: np.ndarray) -> HeldOut:
    """The scores of the rows `X_test` by the model fitted on `X_train`, ranked as GridSearchCV with
    `scoring="roc_auc"` ranks them (the decision function, else the probability). A task of the model search's workers,
    so the fold's ROC-AUC is computed beside the fit rather than by the waiting command; this module imports neither
    the settings nor the stages, so neither do they."""
    from sklearn.metrics import roc_auc_score

    start = time.perf_counter()
    scores = model_scores(model.fit(X_train, y_train), X_test)  # type: ignore[attr-defined]
    seen = y_test
    auc = float(roc_auc_score(seen, scores.raw)) if len(np.unique(seen)) == 2 else float("nan")
    return HeldOut(scores, auc, time.perf_counter() - start)


def raw_score(model: object, X: pd.DataFrame) -> np.ndarray:
    """What a calibrator maps and ROC-AUC ranks: the decision function where the model has one, else its probability."""
    if hasattr(model, "decision_function"):
        return model.decision_function(X)  # type: ignore[attr-defined]
    return model.predict_proba(X)[:, 1]  # type: ignore[attr-defined]


def scores_out_of_fold(estimator: object, X: pd.DataFrame, y: pd.Series | np.ndarray, cv: Splitter,
                       n_jobs: int | None = None, proba: bool = True) -> OutOfFold:
    """The estimator's scores on each fold's rows by a copy fitted on the other folds (the model search keeps these
    for every candidate; this fits them for an estimator that was not searched). `proba=False`: only the score a
    calibrator maps (a model with both a probability and a decision function is then fitted on the folds once)."""
    from sklearn.base import clone
    from sklearn.model_selection import cross_val_predict

    def predicted(method: str) -> np.ndarray:
        out = cross_val_predict(clone(estimator), X, y, cv=cv, method=method, n_jobs=n_jobs)
        return out[:, 1] if method == "predict_proba" else out

    if hasattr(estimator, "decision_function"):
        probability = predicted("predict_proba") if proba and hasattr(estimator, "predict_proba") else None
        return OutOfFold(probability, predicted("decision_function"))
    probability = predicted("predict_proba")
    return OutOfFold(probability if proba else None, probability)


def choose(scores: OutOfFold, y: pd.Series | np.ndarray, cv: Splitter) -> tuple[Method, dict[str, float], np.ndarray]:
    """(method, cross-validated Brier score of each method tried, out-of-fold probabilities of the chosen one).

    The raw model takes part only if it gives probabilities; a calibrator is fitted on the out-of-fold
    scores of the other folds, so no score is calibrated by a mapping that saw it.
    """
    from sklearn.metrics import brier_score_loss

    target = np.asarray(y)
    candidates: dict[str, np.ndarray] = {}
    if scores.proba is not None:
        candidates["none"] = scores.proba
    for name in ("sigmoid", "isotonic"):  # the decision function where there is one, as `Calibrated` maps it
        candidates[name] = cross_calibrated(scores.raw, target, cv, name)
    brier = {name: float(brier_score_loss(target, p)) for name, p in candidates.items()}
    best = min(brier, key=brier.__getitem__)
    return best, brier, candidates[best]  # type: ignore[return-value]


def cross_calibrated(score: np.ndarray, y: np.ndarray, cv: Splitter, method: str) -> np.ndarray:
    """Each fold's scores mapped by a calibrator fitted on the other folds' scores."""
    out = np.empty(len(score))
    for train, test in cv.split(score.reshape(-1, 1), y):
        out[test] = fit_calibrator(score[train], y[train], method)(score[test])  # type: ignore[arg-type]
    return out


@dataclass(frozen=True)
class Calibrator:
    """The mapping from a score to a probability, as plain numbers (a quarter's history keeps them, so that the next
    quarter scores its customers with last quarter's model as it was): isotonic — the knots it interpolates between,
    flat beyond the ends (`numbers`: their scores, then their probabilities); Platt's sigmoid — its slope and
    intercept; none — nothing (the score is a probability already). It maps as the scikit-learn model it was read from
    (IsotonicRegression with out_of_bounds="clip", LogisticRegression), to the last bit."""

    method: Method
    numbers: tuple[float, ...] = ()

    def __call__(self, score: np.ndarray) -> np.ndarray:
        values = np.asarray(score, dtype=float)
        if self.method == "isotonic":
            knots = len(self.numbers) // 2
            return np.interp(values, self.numbers[:knots], self.numbers[knots:])
        if self.method == "sigmoid":
            from scipy.special import expit

            slope, intercept = self.numbers
            return expit(slope * values + intercept)
        return values


def fit_calibrator(score: np.ndarray, y: np.ndarray, method: Method) -> Calibrator:
    """The mapping from a score to a probability, fitted on all the given scores."""
    from sklearn.isotonic import IsotonicRegression
    from sklearn.linear_model import LogisticRegression

    if method == "isotonic":
        isotonic = IsotonicRegression(out_of_bounds="clip", y_min=0, y_max=1).fit(score, y)
        return Calibrator(method, (*map(float, isotonic.X_thresholds_), *map(float, isotonic.y_thresholds_)))
    if method == "sigmoid":
        sigmoid = LogisticRegression(C=1e6).fit(np.asarray(score).reshape(-1, 1), y)
        return Calibrator(method, (float(sigmoid.coef_[0, 0]), float(sigmoid.intercept_[0])))
    return Calibrator(method)


def reliability(y: np.ndarray, proba: np.ndarray, bins: int = 10) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(mean predicted, observed share, customers) per bin of equal size by predicted probability."""
    order = np.argsort(proba, kind="stable")
    groups = [g for g in np.array_split(order, bins) if len(g)]
    predicted = np.array([proba[g].mean() for g in groups])
    observed = np.array([y[g].mean() for g in groups])
    counts = np.array([len(g) for g in groups])
    return predicted, observed, counts


def calibration_error(predicted: np.ndarray, observed: np.ndarray, counts: np.ndarray) -> float:
    """Expected calibration error: the gap between predicted and observed share, averaged over bins by their size.

    A bin counts by its size: a single small bin cannot swing it.
    """
    weights = counts / counts.sum()
    return float(np.sum(weights * np.abs(predicted - observed)))


def noise_level(proba: np.ndarray, bins: int = 10, rounds: int = 400, seed: int = 0) -> float:
    """The calibration error a perfectly calibrated model would still show on this many customers (95th percentile).

    Outcomes are drawn as if every probability were exactly right; what error remains is chance alone.
    """
    rng = np.random.default_rng(seed)
    errors = []
    for _ in range(rounds):
        drawn = (rng.random(len(proba)) < proba).astype(float)
        errors.append(calibration_error(*reliability(drawn, proba, bins)))
    return float(np.percentile(errors, 95))
