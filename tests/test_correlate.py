"""phik correlation matrix, correlation with the target and the multicollinearity check."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from report_builder.labels import FEATURES, NUMERIC, TARGET
from report_builder.results.analysis import Correlation
from report_builder.results.data import CleanData
from report_builder.stages.correlate import correlate

MINUTES_NOW = "Минут_текущий_месяц"
MINUTES_BEFORE = "Минут_предыдущий_месяц"


@pytest.fixture(scope="module")
def correlation(demo_data: CleanData) -> Correlation:
    return correlate(demo_data)


@pytest.fixture(scope="module")
def with_near_copy(demo_data: CleanData) -> Correlation:
    """Minutes this month made a near-copy of last month's minutes."""
    frame = demo_data.customers.copy()
    noise = np.random.default_rng(0).normal(0, 0.01, len(frame))
    frame[MINUTES_NOW] = frame[MINUTES_BEFORE] + noise
    return correlate(replace(demo_data, customers=frame))


def test_matrix_is_square_symmetric_and_has_the_target(correlation: Correlation) -> None:
    matrix = correlation.matrix
    assert list(matrix.index) == list(matrix.columns)
    assert set(matrix.columns) == {*FEATURES, TARGET}
    values = matrix.to_numpy(dtype=float)
    assert not np.isnan(values).any()
    np.testing.assert_allclose(values, values.T, atol=1e-9)
    np.testing.assert_allclose(np.diag(values), 1.0)
    assert ((values >= 0) & (values <= 1 + 1e-9)).all()


def test_with_target_sorted_strongest_first(correlation: Correlation) -> None:
    names = [name for name, _ in correlation.with_target]
    values = [value for _, value in correlation.with_target]
    assert sorted(names) == sorted(FEATURES)
    assert TARGET not in names
    assert values == sorted(values, reverse=True)
    for name, value in correlation.with_target:
        assert value == pytest.approx(correlation.matrix.loc[name, TARGET])
    # Pages per visit separates the classes in the demo data, the day of registration does not.
    assert dict(correlation.with_target)["Страниц_за_визит"] > dict(correlation.with_target)["Длительность"]


def test_vif_covers_numeric_features_largest_first(correlation: Correlation) -> None:
    assert sorted(name for name, _ in correlation.vif) == sorted(NUMERIC)
    values = [value for _, value in correlation.vif]
    assert values == sorted(values, reverse=True)
    assert all(v >= 1 - 1e-9 for v in values)  # a VIF is never below one


def test_no_multicollinearity_in_demo_data(correlation: Correlation) -> None:
    assert correlation.strong_pairs == ()
    assert max(v for _, v in correlation.vif) < correlation.vif_threshold
    assert not correlation.multicollinear


def test_near_copy_of_a_feature_is_flagged(with_near_copy: Correlation) -> None:
    assert with_near_copy.multicollinear
    vif = dict(with_near_copy.vif)
    assert vif[MINUTES_NOW] > with_near_copy.vif_threshold
    assert vif[MINUTES_BEFORE] > with_near_copy.vif_threshold
    assert with_near_copy.vif[0][0] in {MINUTES_NOW, MINUTES_BEFORE}
    pairs = {frozenset((a, b)): value for a, b, value in with_near_copy.strong_pairs}
    assert pairs[frozenset((MINUTES_NOW, MINUTES_BEFORE))] >= with_near_copy.pair_threshold


def test_strong_pairs_sorted_and_above_threshold(with_near_copy: Correlation) -> None:
    values = [value for _, _, value in with_near_copy.strong_pairs]
    assert values == sorted(values, reverse=True)
    for a, b, value in with_near_copy.strong_pairs:
        assert a != b and a in FEATURES and b in FEATURES
        assert value >= with_near_copy.pair_threshold
        assert value == pytest.approx(with_near_copy.matrix.loc[a, b])
