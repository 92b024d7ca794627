"""Evaluation of the chosen model on the held-out part: calibration, curves, confusion, threshold."""

from __future__ import annotations

import numpy as np
import pytest
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import auc
from sklearn.pipeline import Pipeline

from conftest import SEED, fit_small, small_model_config
from report_builder import calibration
from report_builder.calibrated_model import Calibrated
from report_builder.stages.folds import cross_validation
from report_builder.features import features_and_target
from report_builder.results.analysis import Curve, Evaluation, ModelSearch
from report_builder.results.data import CleanData


@pytest.fixture(scope="module")
def plain(demo_fit: tuple[ModelSearch, Evaluation]) -> tuple[ModelSearch, Evaluation]:
    return demo_fit


@pytest.fixture(scope="module")
def svc(demo_data: CleanData) -> tuple[ModelSearch, Evaluation]:
    return fit_small(demo_data, ("svc",))


@pytest.fixture(scope="module", params=["plain", "svc"])
def fitted(request: pytest.FixtureRequest) -> tuple[ModelSearch, Evaluation]:
    return request.getfixturevalue(request.param)


def test_svc_is_calibrated(svc: tuple[ModelSearch, Evaluation], demo_data: CleanData) -> None:
    search, evaluation = svc
    assert not hasattr(search.estimator, "predict_proba")  # SVC without probabilities
    assert evaluation.calibrated
    assert isinstance(evaluation.model, Calibrated)
    X, _ = features_and_target(demo_data)
    proba = evaluation.model.predict_proba(X.loc[search.test_index])
    assert proba.shape == (len(search.test_index), 2)
    assert ((proba >= 0) & (proba <= 1)).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_allclose(evaluation.test_probability.to_numpy(), proba[:, 1])


def test_the_calibration_with_the_lowest_cross_validated_brier_is_chosen(fitted: tuple[ModelSearch, Evaluation]) -> None:
    search, evaluation = fitted
    scores = evaluation.brier_by_method
    assert evaluation.calibration_method == min(scores, key=scores.__getitem__)
    assert ("none" in scores) == hasattr(search.estimator, "predict_proba")  # a margin cannot stay uncalibrated
    assert {"sigmoid", "isotonic"} <= set(scores)
    expected = Pipeline if evaluation.calibration_method == "none" else Calibrated
    assert isinstance(evaluation.model, expected)
    assert 0 <= evaluation.calibration_error <= 1


def test_the_search_keeps_the_out_of_fold_scores_the_folds_give(fitted: tuple[ModelSearch, Evaluation],
                                                                 demo_data: CleanData) -> None:
    """The chosen candidate's scores kept by the search are those its fold models give the rows they did not see."""
    search, _ = fitted
    X, y = features_and_target(demo_data)
    X_train, y_train = X.loc[search.train_index], y.loc[search.train_index]
    again = calibration.scores_out_of_fold(search.estimator, X_train, y_train, cross_validation(small_model_config().cv_folds, SEED))
    assert search.out_of_fold is not None
    np.testing.assert_allclose(search.out_of_fold.raw, again.raw)
    assert (search.out_of_fold.proba is None) == (again.proba is None)
    if again.proba is not None:
        np.testing.assert_allclose(search.out_of_fold.proba, again.proba)


def test_the_calibrated_model_is_the_one_fitting_it_anew_gives(fitted: tuple[ModelSearch, Evaluation],
                                                               demo_data: CleanData) -> None:
    """Assembled from the search's fitted model and scores, the calibrated model predicts what one fitted from
    scratch on the training part predicts."""
    search, evaluation = fitted
    X, y = features_and_target(demo_data)
    anew = calibration.calibrated(search.estimator, cross_validation(small_model_config().cv_folds, SEED), evaluation.calibration_method)
    anew.fit(X.loc[search.train_index], y.loc[search.train_index])
    np.testing.assert_allclose(anew.predict_proba(X.loc[search.test_index])[:, 1], evaluation.test_probability.to_numpy())


def test_probabilities_belong_to_the_test_part(fitted: tuple[ModelSearch, Evaluation]) -> None:
    search, evaluation = fitted
    assert evaluation.test_probability.index.equals(search.test_index)
    assert evaluation.test_probability.between(0, 1).all()


def test_confusion_matrices_count_the_test_part(fitted: tuple[ModelSearch, Evaluation], demo_data: CleanData) -> None:
    search, evaluation = fitted
    _, y = features_and_target(demo_data)
    y_test = y.loc[search.test_index].to_numpy()
    proba = evaluation.test_probability.to_numpy()
    for matrix, threshold in ((evaluation.confusion, evaluation.threshold), (evaluation.confusion_best, evaluation.best_f1_threshold)):
        assert matrix.shape == (2, 2)
        assert matrix.sum() == len(search.test_index)
        (tn, fp), (fn, tp) = matrix
        assert tp + fn == y_test.sum()
        assert tp + fp == (proba >= threshold).sum()
    (_, fp), (fn, tp) = evaluation.confusion
    assert evaluation.precision == pytest.approx(tp / (tp + fp))
    assert evaluation.recall == pytest.approx(tp / (tp + fn))


def test_brier_better_than_base_rate(fitted: tuple[ModelSearch, Evaluation], demo_data: CleanData) -> None:
    search, evaluation = fitted
    _, y = features_and_target(demo_data)
    y_test = y.loc[search.test_index].to_numpy()
    proba = evaluation.test_probability.to_numpy()
    assert evaluation.brier == pytest.approx(np.mean((proba - y_test) ** 2))
    base = y.loc[search.train_index].mean()
    assert evaluation.brier_reference == pytest.approx(np.mean((base - y_test) ** 2))
    assert evaluation.brier < evaluation.brier_reference


def test_thresholds(fitted: tuple[ModelSearch, Evaluation]) -> None:
    _, evaluation = fitted
    assert evaluation.threshold == 0.5
    assert 0 < evaluation.best_f1_threshold < 1


def test_roc_curve_monotone_from_corner_to_corner(fitted: tuple[ModelSearch, Evaluation]) -> None:
    _, evaluation = fitted
    roc = evaluation.roc
    assert (roc.x[0], roc.y[0]) == (0, 0)
    assert (roc.x[-1], roc.y[-1]) == (1, 1)
    assert (np.diff(roc.x) >= 0).all() and (np.diff(roc.y) >= 0).all()
    # The area under the curve is far above the diagonal.
    assert auc(roc.x, roc.y) > 0.75


def test_precision_recall_and_calibration_curves(fitted: tuple[ModelSearch, Evaluation]) -> None:
    _, evaluation = fitted
    pr: Curve = evaluation.pr
    assert len(pr.x) == len(pr.y)
    assert ((pr.x >= 0) & (pr.x <= 1)).all() and ((pr.y >= 0) & (pr.y <= 1)).all()
    assert (np.diff(pr.x) <= 0).all()  # recall falls as the threshold rises
    assert 0 < evaluation.average_precision <= 1
    calibration = evaluation.calibration
    assert len(calibration.x) == len(calibration.y) > 1
    assert (np.diff(calibration.x) > 0).all()  # bins in increasing mean prediction
    assert ((calibration.y >= 0) & (calibration.y <= 1)).all()


class Squashed(ClassifierMixin, BaseEstimator):
    """A classifier that ranks well but says p³ where it means p: badly calibrated."""

    def fit(self, X, y):
        self.model_ = LogisticRegression().fit(X, y)
        self.classes_ = self.model_.classes_
        return self

    def predict_proba(self, X):
        p = self.model_.predict_proba(X)[:, 1] ** 3
        return np.column_stack([1 - p, p])

    def predict(self, X):
        return (self.predict_proba(X)[:, 1] >= 0.5).astype(int)


def _synthetic(n: int = 1200, seed: int = 0) -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n)})
    y = pd.Series((rng.random(n) < 1 / (1 + np.exp(-(1.5 * X["a"] - X["b"])))).astype(int))
    return X, y


def test_a_badly_calibrated_model_gets_calibrated_and_a_good_one_does_not() -> None:
    X, y = _synthetic()
    cv = cross_validation(5, 0)
    method, scores, oof = calibration.choose(calibration.scores_out_of_fold(Squashed(), X, y, cv, 1), y, cv)
    assert method in ("sigmoid", "isotonic") and scores[method] < scores["none"]
    method, scores, _ = calibration.choose(calibration.scores_out_of_fold(LogisticRegression(), X, y, cv, 1), y, cv)
    assert method == "none" or scores[method] >= scores["none"] - 0.002  # already calibrated: nothing much to gain
    assert len(oof) == len(y) and ((oof >= 0) & (oof <= 1)).all()


def test_calibration_error_is_the_size_weighted_gap() -> None:
    predicted = np.array([0.1, 0.3, 0.7, 0.9])
    observed = np.array([0.12, 0.25, 0.97, 0.0])
    counts = np.array([40, 40, 40, 5])
    expected = (40 * 0.02 + 40 * 0.05 + 40 * 0.27 + 5 * 0.9) / 125
    assert calibration.calibration_error(predicted, observed, counts) == pytest.approx(expected)
    y = np.array([0] * 50 + [1] * 50)
    proba = np.linspace(0, 1, 100)
    mean_p, share, sizes = calibration.reliability(y, proba, bins=4)
    assert list(sizes) == [25, 25, 25, 25]
    assert list(share) == [0, 0, 1, 1]
    assert mean_p == pytest.approx([0.1212, 0.3737, 0.6263, 0.8788], abs=1e-3)


def test_noise_level_separates_chance_from_miscalibration() -> None:
    rng = np.random.default_rng(3)
    proba = rng.uniform(0.05, 0.95, 320)
    right = (rng.random(320) < proba).astype(float)
    noise = calibration.noise_level(proba, rounds=300, seed=1)
    assert 0.01 < noise < 0.12
    assert calibration.calibration_error(*calibration.reliability(right, proba)) <= noise * 1.2
    wrong = (rng.random(320) < proba**3).astype(float)  # the model says p where the truth is p³
    assert calibration.calibration_error(*calibration.reliability(wrong, proba)) > noise
