"""The calibrated model: a classifier and the mapping of its score to a probability (scikit-learn imported with it)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin

from report_builder.calibration import Calibrator, Method, fit_calibrator, raw_score, scores_out_of_fold
from report_builder.features import Splitter
from report_builder.results.analysis import OutOfFold


class Calibrated(ClassifierMixin, BaseEstimator):
    """A classifier whose score is mapped to a probability by a calibrator fitted on out-of-fold scores, the
    classifier itself fitted on every row: what scikit-learn's CalibratedClassifierCV(ensemble=False) fits, with the
    calibrator `choose` measured. `fit` fits the folds; `assembled` takes the fitted classifier and its out-of-fold
    scores from the model search, which already fitted both."""

    def __init__(self, estimator: object, cv: Splitter, method: Method = "sigmoid", n_jobs: int | None = None) -> None:
        self.estimator, self.cv, self.method, self.n_jobs = estimator, cv, method, n_jobs

    def fit(self, X: pd.DataFrame, y: pd.Series | np.ndarray) -> Calibrated:
        from sklearn.base import clone

        scores = scores_out_of_fold(self.estimator, X, y, self.cv, self.n_jobs, proba=False)
        return self.assembled(clone(self.estimator).fit(X, y), scores, y)

    def assembled(self, fitted: object, scores: OutOfFold, y: pd.Series | np.ndarray) -> Calibrated:
        """This calibrated model from `fitted` (the classifier fitted on every row) and its out-of-fold scores."""
        return self.joined(fitted, fit_calibrator(scores.raw, np.asarray(y), self.method))

    def joined(self, fitted: object, calibrator: Calibrator) -> Calibrated:
        """This calibrated model from `fitted` and a calibrator fitted before (one a quarter's history kept)."""
        self.estimator_ = fitted
        self.calibrator_ = calibrator
        self.classes_ = fitted.classes_  # type: ignore[attr-defined]
        return self

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        p = np.clip(self.calibrator_(raw_score(self.estimator_, X)), 0.0, 1.0)
        return np.column_stack([1 - p, p])

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return self.classes_[(self.predict_proba(X)[:, 1] >= 0.5).astype(int)]
