"""Scoring every customer: out-of-fold probabilities and per-customer SHAP rows."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.model_selection import StratifiedKFold

from report_builder.features import features_and_target
from report_builder.labels import FEATURES, PROFIT
from conftest import score_small
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
    PREDICTIONS.clear()
    search = dataclasses.replace(scored.search, estimator=RecordingClassifier(scored.search.estimator))
    scores = score_small(search, scored.evaluation, scored.data, customers_max=10)

    ids = set(scored.data.customers.index)
    assert len(PREDICTIONS) == FOLDS
    predicted: dict[int, float] = {}
    for trained_on, scored_ids, proba in PREDICTIONS:
        assert trained_on.isdisjoint(scored_ids)
        assert trained_on | set(scored_ids) == ids  # each model saw every other customer
        for customer, value in zip(scored_ids, proba):
            assert customer not in predicted, f"customer {customer} scored twice"
            predicted[customer] = value
    assert set(predicted) == ids
    # The recorded out-of-fold predictions are exactly the probabilities reported.
    recorded = pd.Series(predicted).reindex(scores.probability.index)
    np.testing.assert_allclose(scores.probability.to_numpy(), recorded.to_numpy())


def test_scores_equal_an_explicit_stratified_fold_loop(scored: Scored) -> None:
    X, y = features_and_target(scored.data)
    expected = pd.Series(np.nan, index=X.index)
    folds = StratifiedKFold(FOLDS, shuffle=True, random_state=SEED)
    for train, test in folds.split(X, y):
        model = clone(scored.search.estimator).fit(X.iloc[train], y.iloc[train])
        expected.iloc[test] = model.predict_proba(X.iloc[test])[:, 1]
    assert expected.notna().all()
    np.testing.assert_allclose(scored.scores.probability.to_numpy(), expected.to_numpy(), rtol=0, atol=1e-9)
    # Scores of a model fitted on everyone would differ: the check above can tell them apart.
    in_sample = clone(scored.search.estimator).fit(X, y).predict_proba(X)[:, 1]
    assert not np.allclose(in_sample, expected.to_numpy(), atol=1e-6)


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
    assert scored.scores.explainer in {"TreeExplainer", "PermutationExplainer"}
