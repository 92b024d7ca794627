"""Exploratory analysis: effect sizes, tests of difference and decline rates by category."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from report_builder.labels import CATEGORICAL, DECLINED, NUMERIC, TARGET
from report_builder.results.analysis import CategoricalFeature, Exploration, NumericFeature
from report_builder.results.data import CleanData
from report_builder.stages.explore import explore

PAGES = "Страниц_за_визит"
SERVICE = "Тип сервиса"


@pytest.fixture(scope="module")
def exploration(demo_data: CleanData) -> Exploration:
    return explore(demo_data)


def numeric(result: Exploration, feature: str) -> NumericFeature:
    return next(n for n in result.numeric if n.feature == feature)


def categorical(result: Exploration, feature: str) -> CategoricalFeature:
    return next(c for c in result.categorical if c.feature == feature)


def with_column(data: CleanData, column: str, make: Callable[[pd.Series], object]) -> CleanData:
    """A copy of the data where `column` is replaced by make(declined mask)."""
    frame = data.customers.copy()
    frame[column] = make(frame[TARGET] == DECLINED)
    return replace(data, customers=frame)


def same_in_both_classes(values: list[object]):
    """Cycle `values` within each class, so both classes get (almost) the same distribution."""

    def make(declined: pd.Series) -> pd.Series:
        position = declined.groupby(declined).cumcount()  # running number within the class
        return pd.Series([values[i % len(values)] for i in position], index=declined.index)

    return make


def test_every_feature_is_covered(exploration: Exploration, demo_data: CleanData) -> None:
    assert [n.feature for n in exploration.numeric] == list(NUMERIC)
    assert [c.feature for c in exploration.categorical] == list(CATEGORICAL)
    expected = (demo_data.customers[TARGET] == DECLINED).mean()
    assert exploration.decline_rate == pytest.approx(expected)
    assert 0 < exploration.alpha < 1


def test_pages_per_visit_lower_for_declined(exploration: Exploration, demo_data: CleanData) -> None:
    pages = numeric(exploration, PAGES)
    frame = demo_data.customers
    declined = frame[TARGET] == DECLINED
    assert pages.mean_declined == pytest.approx(frame.loc[declined, PAGES].mean())
    assert pages.mean_stable == pytest.approx(frame.loc[~declined, PAGES].mean())
    assert pages.mean_declined < pages.mean_stable
    assert pages.effect_size < -0.5  # a large effect in the demo data
    assert pages.p_value < 1e-6


def test_effect_sign_follows_the_difference(exploration: Exploration) -> None:
    for feature in exploration.numeric:
        if abs(feature.effect_size) > 0.05:
            assert np.sign(feature.effect_size) == np.sign(feature.mean_declined - feature.mean_stable), feature.feature


def test_shifted_feature_has_positive_effect(demo_data: CleanData) -> None:
    shifted = with_column(demo_data, PAGES, lambda declined: np.where(declined, 10.0, 0.0) + np.arange(len(declined)) % 3)
    pages = numeric(explore(shifted), PAGES)
    assert pages.effect_size > 1
    assert pages.p_value < 1e-6


def test_p_values_are_probabilities(exploration: Exploration) -> None:
    for feature in (*exploration.numeric, *exploration.categorical):
        assert 0 <= feature.p_value <= 1, feature.feature
        assert not np.isnan(feature.p_value), feature.feature


def test_categorical_decline_rates(exploration: Exploration, demo_data: CleanData) -> None:
    frame = demo_data.customers
    for feature in exploration.categorical:
        rates = list(feature.decline_rate.values())
        assert all(0 <= r <= 1 for r in rates), feature.feature
        assert rates == sorted(rates, reverse=True), feature.feature
        assert set(feature.decline_rate) == set(frame[feature.feature].unique())
        assert sum(feature.counts.values()) == len(frame)
        for category, rate in feature.decline_rate.items():
            in_category = frame[frame[feature.feature] == category]
            assert rate == pytest.approx((in_category[TARGET] == DECLINED).mean())
            assert feature.counts[category] == len(in_category)


def test_feature_without_difference_has_large_p_value(demo_data: CleanData) -> None:
    flat = with_column(demo_data, PAGES, same_in_both_classes([1, 2, 3, 4, 5]))
    flat = with_column(flat, SERVICE, same_in_both_classes(["стандарт", "премиум"]))
    result = explore(flat)
    pages = numeric(result, PAGES)
    assert pages.p_value > 0.5
    assert abs(pages.effect_size) < 0.05
    service = categorical(result, SERVICE)
    assert service.p_value > 0.5
    rates = list(service.decline_rate.values())
    assert max(rates) - min(rates) < 0.01


def test_two_valued_feature_that_separates_classes_is_significant(demo_data: CleanData) -> None:
    """One value for every declined customer and another for every stable one: the strongest difference."""
    separated = with_column(demo_data, PAGES, lambda declined: np.where(declined, 1.0, 2.0))
    pages = numeric(explore(separated), PAGES)
    assert pages.p_value < 1e-6
    assert pages.mean_declined < pages.mean_stable


def test_constant_feature_has_no_difference(demo_data: CleanData) -> None:
    constant = with_column(demo_data, PAGES, lambda declined: np.full(len(declined), 3.0))
    pages = numeric(explore(constant), PAGES)
    assert pages.p_value == 1.0
    assert pages.effect_size == 0.0
