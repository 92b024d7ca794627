"""Probabilities money can rest on: the calibration of the chosen model, chosen by cross-validated Brier score."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import numpy as np
import pandas as pd

from report_builder.features import Splitter

Method = Literal["none", "sigmoid", "isotonic"]


def calibrated(estimator: object, cv: Splitter, method: Method, n_jobs: int | None = None) -> object:
    """The estimator as is, or wrapped so one calibrator is fitted on out-of-fold scores (ensemble=False); `n_jobs`
    processes fit the folds (the result does not depend on it)."""
    from sklearn.base import clone
    from sklearn.calibration import CalibratedClassifierCV

    if method == "none":
        return clone(estimator)
    return CalibratedClassifierCV(clone(estimator), method=method, cv=cv, ensemble=False, n_jobs=n_jobs)


def base_estimator(model: object) -> object:
    """The fitted pipeline under a calibrator: what SHAP explains (calibration only rescales its output)."""
    from sklearn.calibration import CalibratedClassifierCV

    if isinstance(model, CalibratedClassifierCV):
        inner = model.calibrated_classifiers_[0].estimator
        if hasattr(inner, "predict_proba"):  # a margin (SVC) has no probability to explain: keep the calibrated model
            return inner
    return model


def choose(
    estimator: object, X: pd.DataFrame, y: pd.Series, cv: Splitter, n_jobs: int
) -> tuple[Method, dict[str, float], np.ndarray]:
    """(method, cross-validated Brier score of each method tried, out-of-fold probabilities of the chosen one).

    The raw model takes part only if it gives probabilities; a calibrator is fitted on the out-of-fold
    scores of the other folds, so no score is calibrated by a mapping that saw it.
    """
    from sklearn.base import clone
    from sklearn.metrics import brier_score_loss
    from sklearn.model_selection import cross_val_predict

    target = y.to_numpy()
    candidates: dict[str, np.ndarray] = {}
    if hasattr(estimator, "predict_proba"):
        candidates["none"] = cross_val_predict(clone(estimator), X, y, cv=cv, method="predict_proba", n_jobs=n_jobs)[:, 1]
    # The calibrators see what CalibratedClassifierCV gives them: the decision function where there is one.
    if hasattr(estimator, "decision_function"):
        score = cross_val_predict(clone(estimator), X, y, cv=cv, method="decision_function", n_jobs=n_jobs)
    else:
        score = candidates["none"]
    for name in ("sigmoid", "isotonic"):
        candidates[name] = cross_calibrated(score, target, cv, name)
    brier = {name: float(brier_score_loss(target, p)) for name, p in candidates.items()}
    best = min(brier, key=brier.__getitem__)
    return best, brier, candidates[best]  # type: ignore[return-value]


def cross_calibrated(score: np.ndarray, y: np.ndarray, cv: Splitter, method: str) -> np.ndarray:
    """Each fold's scores mapped by a calibrator fitted on the other folds' scores."""
    from sklearn.isotonic import IsotonicRegression
    from sklearn.linear_model import LogisticRegression

    out = np.empty(len(score))
    for train, test in cv.split(score.reshape(-1, 1), y):
        if method == "isotonic":
            mapping = IsotonicRegression(out_of_bounds="clip", y_min=0, y_max=1).fit(score[train], y[train])
            out[test] = mapping.predict(score[test])
        else:
            platt = LogisticRegression(C=1e6).fit(score[train].reshape(-1, 1), y[train])
            out[test] = platt.predict_proba(score[test].reshape(-1, 1))[:, 1]
    return out


def fit_calibrator(score: np.ndarray, y: np.ndarray, method: Method) -> Callable[[np.ndarray], np.ndarray]:
    """The mapping from a score to a probability, fitted on all the given scores."""
    from sklearn.isotonic import IsotonicRegression
    from sklearn.linear_model import LogisticRegression

    if method == "isotonic":
        mapping = IsotonicRegression(out_of_bounds="clip", y_min=0, y_max=1).fit(score, y)
        return lambda s: np.asarray(mapping.predict(s), dtype=float)
    if method == "sigmoid":
        platt = LogisticRegression(C=1e6).fit(score.reshape(-1, 1), y)
        return lambda s: platt.predict_proba(np.asarray(s).reshape(-1, 1))[:, 1]
    return lambda s: np.asarray(s, dtype=float)


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
