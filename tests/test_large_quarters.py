"""A quarter with many customers: models fit on a bounded stratified sample, everyone is still scored."""

from __future__ import annotations

import numpy as np
import pandas as pd

from conftest import fit_small, score_small
from report_builder.features import features_and_target, stratified_cap


def test_cap_keeps_class_shares_and_is_deterministic() -> None:
    y = pd.Series(np.r_[np.ones(300), np.zeros(700)].astype(int), index=pd.RangeIndex(1000, 2000))
    capped = stratified_cap(y.index, y, 100, seed=1)
    assert len(capped) == 100
    assert set(capped) <= set(y.index)
    assert y.loc[capped].mean() == 0.3
    assert capped.equals(stratified_cap(y.index, y, 100, seed=1))
    assert not capped.equals(stratified_cap(y.index, y, 100, seed=2))
    assert stratified_cap(y.index, y, 5000, seed=1).equals(y.index)


def test_capped_search_still_scores_every_customer(demo_data) -> None:
    search, evaluation = fit_small(demo_data, ("logreg",), max_fit_rows=300)
    assert len(search.train_index) == 300
    assert search.train_available > 300
    assert not set(search.train_index) & set(search.test_index)
    scores = score_small(search, evaluation, demo_data, max_fit_rows=300, customers_max=20)
    X, _ = features_and_target(demo_data)
    assert scores.probability.index.equals(X.index)
    assert scores.probability.between(0, 1).all()
