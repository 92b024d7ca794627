"""SHAP explanation of the chosen model: both explainers add up to the model output; drivers."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import explain_small, fit_small, small_explain_config
from report_builder.calibration import base_estimator
from report_builder.labels import CATEGORICAL, FEATURES, NUMERIC
from report_builder.results.analysis import Explanation, ModelSearch
from report_builder.results.data import CleanData

PAGES = "Страниц_за_визит"

# families searched -> explainer expected for the chosen model
PATHS = {"tree": (("tree",), "TreeExplainer"), "agnostic": (("logreg",), "PermutationExplainer")}


@pytest.fixture(scope="module", params=list(PATHS))
def explained(request: pytest.FixtureRequest, demo_data: CleanData) -> tuple[str, ModelSearch, object, Explanation]:
    families, _ = PATHS[request.param]
    search, evaluation = fit_small(demo_data, families)
    return request.param, search, evaluation, explain_small(search, evaluation, demo_data)


def test_explainer_fits_the_model(explained) -> None:
    path, search, _, explanation = explained
    assert explanation.explainer == PATHS[path][1]
    config = small_explain_config()
    size = config.sample if path == "tree" else config.agnostic_sample
    assert explanation.features == FEATURES
    assert explanation.shap_values.shape == (size, len(FEATURES))
    assert list(explanation.feature_values.columns) == list(FEATURES)
    assert len(explanation.feature_values) == size
    assert explanation.feature_values.index.isin(search.test_index).all()


def test_shap_values_add_up_to_the_model_output(explained) -> None:
    _, _, evaluation, explanation = explained
    rows = explanation.feature_values.iloc[:5]
    values = explanation.shap_values[:5]
    output = base_estimator(evaluation.model).predict_proba(rows)[:, 1]  # SHAP explains the model under its calibrator
    np.testing.assert_allclose(explanation.base_value + values.sum(axis=1), output, rtol=0, atol=1e-6)
    assert explanation.additivity_error < 1e-6
    assert 0 < explanation.base_value < 1


def test_drivers_sorted_by_mean_abs_shap(explained) -> None:
    _, _, _, explanation = explained
    drivers = explanation.drivers
    assert sorted(d.feature for d in drivers) == sorted(FEATURES)
    strengths = [d.mean_abs_shap for d in drivers]
    assert strengths == sorted(strengths, reverse=True)
    for driver in drivers:
        column = explanation.features.index(driver.feature)
        assert driver.mean_abs_shap == pytest.approx(np.abs(explanation.shap_values[:, column]).mean())
    assert strengths[0] > 0


def test_categorical_drivers_name_the_risky_category(explained) -> None:
    _, _, _, explanation = explained
    for driver in explanation.drivers:
        if driver.feature in CATEGORICAL:
            assert driver.direction == "category"
            assert driver.risky_category in set(explanation.feature_values[driver.feature])
        else:
            assert driver.feature in NUMERIC
            assert driver.direction in ("up", "down", "none")
            column = explanation.features.index(driver.feature)
            unused = np.ptp(explanation.shap_values[:, column]) == 0
            assert (driver.direction == "none") == unused, driver.feature
            assert driver.risky_category is None
            assert -1 <= driver.correlation <= 1


def test_risky_category_has_largest_mean_shap(explained) -> None:
    _, _, _, explanation = explained
    for driver in explanation.drivers:
        if driver.feature in CATEGORICAL:
            column = explanation.features.index(driver.feature)
            means = {
                category: explanation.shap_values[(explanation.feature_values[driver.feature] == category).to_numpy(), column].mean()
                for category in explanation.feature_values[driver.feature].unique()
            }
            assert means[driver.risky_category] == max(means.values())


def test_fewer_pages_per_visit_raise_the_risk(explained) -> None:
    _, _, _, explanation = explained
    pages = next(d for d in explanation.drivers if d.feature == PAGES)
    assert pages.direction == "down"
    assert pages.correlation < 0
    # One of the strongest drivers in the demo data.
    assert PAGES in [d.feature for d in explanation.drivers[:3]]


def test_direction_agrees_with_shap_values(explained) -> None:
    _, _, _, explanation = explained
    for driver in explanation.drivers:
        if driver.feature in NUMERIC and abs(driver.correlation) > 0.5:
            column = explanation.features.index(driver.feature)
            values = explanation.feature_values[driver.feature].to_numpy(dtype=float)
            shap = explanation.shap_values[:, column]
            high = values > np.median(values)
            if high.any() and (~high).any():
                rises = shap[high].mean() > shap[~high].mean()
                assert rises == (driver.direction == "up"), driver.feature


def test_top_driver_matters_for_test_auc(explained) -> None:
    _, _, _, explanation = explained
    top = explanation.drivers[0]
    assert top.permutation > 0
    assert all(d.permutation_std >= 0 for d in explanation.drivers)
