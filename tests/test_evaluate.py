"""Evaluation of the chosen model on the held-out part: calibration, curves, confusion, threshold."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.calibration import CalibratedClassifierCV
from sklearn.metrics import auc
from sklearn.pipeline import Pipeline

from conftest import fit_small
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
    assert isinstance(evaluation.model, CalibratedClassifierCV)
    X, _ = features_and_target(demo_data)
    proba = evaluation.model.predict_proba(X.loc[search.test_index])
    assert proba.shape == (len(search.test_index), 2)
    assert ((proba >= 0) & (proba <= 1)).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_allclose(evaluation.test_probability.to_numpy(), proba[:, 1])


def test_other_models_are_not_recalibrated(plain: tuple[ModelSearch, Evaluation]) -> None:
    search, evaluation = plain
    assert search.best != "svc"
    assert not evaluation.calibrated
    assert isinstance(evaluation.model, Pipeline)


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
