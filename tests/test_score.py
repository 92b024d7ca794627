"""Scoring every customer: out-of-fold probabilities and per-customer SHAP rows."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin, clone

from report_builder.features import features_and_target
from report_builder.labels import FEATURES, PROFIT
from report_builder.results.analysis import FittedModel
from conftest import fit_small, score_small
from report_builder.stages.evaluate import evaluate
from report_builder.stages.folds import cross_validation
from sklearn.metrics import roc_auc_score
from report_builder.config import Config
from scored_demo import CUSTOMERS_MAX, SEED, Scored, scored_demo

FOLDS = Config().model.cv_folds

# Every prediction a RecordingClassifier makes: (ids it was trained on, ids it scored, probabilities).
PREDICTIONS: list[tuple[frozenset[int], list[int], np.ndarray]] = []


class RecordingClassifier(ClassifierMixin, BaseEstimator):
    """Wraps a classifier and records which customers trained it and which ones it scored."""

    def __init__(self, estimator: object) -> None:
        self.estimator = estimator

    def fit(self, X: pd.DataFrame, y: pd.Series) -> RecordingClassifier:
        self.model_ = clone(self.estimator).fit(X, y)
        self.classes_ = self.model_.classes_
        self.trained_on_ = frozenset(int(i) for i in X.index)
        return self

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        proba = self.model_.predict_proba(X)
        PREDICTIONS.append((self.trained_on_, [int(i) for i in X.index], proba[:, 1]))
        return proba

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return self.model_.predict(X)


@pytest.fixture(scope="module")
def scored(demo_data, demo_fit) -> Scored:
    return scored_demo(demo_data, demo_fit)


def test_every_customer_used_gets_a_probability(scored: Scored) -> None:
    probability = scored.scores.probability
    assert probability.index.equals(scored.data.customers.index)
    assert len(probability) == scored.data.customers_used
    assert probability.notna().all()
    assert ((probability >= 0) & (probability <= 1)).all()
    assert probability.nunique() > len(probability) // 2  # a real model, not a constant


def test_no_customer_is_scored_by_a_model_trained_on_it(scored: Scored) -> None:
    """Every prediction that can reach a customer's probability comes from a model fitted without that customer."""
    PREDICTIONS.clear()
    # Without the search's kept scores, so that every model the evaluation and the scoring use is fitted here.
    search = dataclasses.replace(scored.search, fitted=FittedModel(RecordingClassifier(scored.search.estimator)),
                                 out_of_fold=None)
    evaluation = evaluate(search, scored.data, cross_validation(FOLDS, SEED), 0.5, 1)
    scores = score_small(search, evaluation, scored.data, customers_max=10)
    assert PREDICTIONS, "the recording classifier was used"
    covered: set[int] = set()
    customers = set(scored.data.customers.index)
    for trained_on, scored_ids, _ in PREDICTIONS:
        if not set(scored_ids) <= customers or not trained_on <= customers:
            continue  # a call on bare arrays (inside the calibrator or the explainer): no customer to tell by
        if set(scored_ids) <= set(scores.shap.dropna().index):
            continue  # the explainer's own calls on the explained customers: explanations, not scores
        assert trained_on.isdisjoint(scored_ids)
        covered |= set(scored_ids)
    assert covered == set(scored.data.customers.index)
    assert scores.probability.index.equals(scored.data.customers.index) and scores.probability.notna().all()


def test_scores_are_the_evaluations_out_of_sample_probabilities(scored: Scored) -> None:
    """Training rows keep the calibration's out-of-fold values; the rest come from the model fitted on the training rows."""
    evaluation, scores = scored.evaluation, scored.scores
    train = evaluation.train_probability
    np.testing.assert_allclose(scores.probability.loc[train.index], train.to_numpy())
    rest = scores.probability.index.difference(train.index)
    X, _ = features_and_target(scored.data)
    np.testing.assert_allclose(scores.probability.loc[rest], evaluation.model.predict_proba(X.loc[rest])[:, 1])


def test_a_memorising_model_cannot_score_in_sample(demo_data) -> None:
    """One nearest neighbour gets every customer it was fitted on right; out of sample it cannot."""
    from sklearn.neighbors import KNeighborsClassifier

    from report_builder.stages.models import Family, make_pipeline

    X, y = features_and_target(demo_data)
    memoriser = make_pipeline(Family("1-NN", KNeighborsClassifier(n_neighbors=1), {}, ("standard",))).fit(X, y)
    assert roc_auc_score(y, memoriser.predict_proba(X)[:, 1]) == 1.0  # in sample: perfect
    search = fit_small(demo_data, ("logreg",))[0]
    search = dataclasses.replace(search, fitted=FittedModel(memoriser), out_of_fold=None)
    evaluation = evaluate(search, demo_data, cross_validation(FOLDS, SEED), 0.5, 1)
    scores = score_small(search, evaluation, demo_data, customers_max=10)
    assert roc_auc_score(y, scores.probability.loc[y.index]) < 0.95


def test_shap_rows_for_the_customers_with_the_largest_expected_loss(scored: Scored) -> None:
    shap = scored.scores.shap
    assert shap.index.equals(scored.data.customers.index)
    assert list(shap.columns) == list(FEATURES)
    explained = shap.index[shap.notna().all(axis=1)]
    assert len(explained) == CUSTOMERS_MAX
    assert shap.drop(index=explained).isna().all().all()  # the rest are all-NaN, not partly filled
    expected_loss = scored.scores.probability * scored.data.customers[PROFIT]
    assert set(explained) == set(expected_loss.nlargest(CUSTOMERS_MAX).index)
    values = shap.loc[explained].to_numpy()
    assert np.isfinite(values).all()
    assert (np.abs(values).sum(axis=1) > 0).all()
    assert scored.scores.explainer in {"TreeExplainer (пути деревьев)", "Перестановка признаков в обе стороны"}
