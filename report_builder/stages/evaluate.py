"""Honest evaluation of the chosen model on the held-out part; calibrated probabilities."""

from __future__ import annotations

import numpy as np
import pandas as pd

from report_builder import calibration
from report_builder.features import Splitter, features_and_target
from report_builder.labels import PROBABILITY
from report_builder.results.analysis import Curve, Evaluation, FittedModel, ModelSearch
from report_builder.results.data import CleanData


def evaluate(search: ModelSearch, data: CleanData, cv: Splitter, threshold: float, n_jobs: int) -> Evaluation:
    """The chosen model, calibrated the way that gives the lowest cross-validated Brier score, on the held-out part."""
    from sklearn.base import clone
    from sklearn.metrics import (
        average_precision_score,
        brier_score_loss,
        confusion_matrix,
        precision_recall_curve,
        roc_curve,
    )

    from report_builder.calibrated_model import Calibrated

    X, y = features_and_target(data)
    X_train, y_train = X.loc[search.train_index], y.loc[search.train_index]
    X_test, y_test = X.loc[search.test_index], y.loc[search.test_index]
    # The search kept the chosen candidate's out-of-fold scores and fitted it on every training row: the calibration
    # is chosen and fitted on those, nothing is fitted again. A search that kept no scores gets both fitted here.
    scores, fitted = search.out_of_fold, search.estimator
    if scores is None:
        scores = calibration.scores_out_of_fold(search.estimator, X_train, y_train, cv, n_jobs)
        fitted = clone(search.estimator).fit(X_train, y_train)
    method, brier_by_method, oof = calibration.choose(scores, y_train, cv)
    # Threshold that maximises F1, chosen on out-of-fold training probabilities (not on the test part).
    best_threshold = _best_f1_threshold(y_train.to_numpy(), oof)
    model = fitted if method == "none" else Calibrated(search.estimator, cv, method, n_jobs).assembled(fitted, scores, y_train)
    proba = model.predict_proba(X_test)[:, 1]
    fpr, tpr, _ = roc_curve(y_test, proba)
    precision, recall, _ = precision_recall_curve(y_test, proba)
    predicted, observed, counts = calibration.reliability(y_test.to_numpy(), proba)
    base_rate = float(y_train.mean())
    confusion = confusion_matrix(y_test, (proba >= threshold).astype(int), labels=[0, 1])
    tn, fp, fn, tp = confusion.ravel()
    return Evaluation(
        fitted=FittedModel(model),
        calibration_method=method,
        brier_by_method=brier_by_method,
        test_probability=pd.Series(proba, index=X_test.index, name=PROBABILITY),
        train_probability=pd.Series(oof, index=X_train.index, name=PROBABILITY),
        roc=Curve(fpr, tpr),
        pr=Curve(recall, precision),
        average_precision=float(average_precision_score(y_test, proba)),
        calibration=Curve(predicted, observed),
        calibration_counts=counts,
        calibration_error=calibration.calibration_error(predicted, observed, counts),
        calibration_noise=calibration.noise_level(proba),
        brier=float(brier_score_loss(y_test, proba)),
        brier_reference=float(brier_score_loss(y_test, np.full(len(y_test), base_rate))),
        threshold=threshold,
        best_f1_threshold=best_threshold,
        confusion=confusion,
        confusion_best=confusion_matrix(y_test, (proba >= best_threshold).astype(int), labels=[0, 1]),
        precision=float(tp / (tp + fp)) if tp + fp else 0.0,
        recall=float(tp / (tp + fn)) if tp + fn else 0.0,
    )


def _best_f1_threshold(y: np.ndarray, proba: np.ndarray) -> float:
    from sklearn.metrics import precision_recall_curve

    precision, recall, thresholds = precision_recall_curve(y, proba)
    f1 = 2 * precision[:-1] * recall[:-1] / np.clip(precision[:-1] + recall[:-1], 1e-12, None)
    return float(thresholds[int(np.argmax(f1))])
