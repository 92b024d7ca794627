"""SHAP values of the chosen model with the explainer that fits it; permutation importance as a check."""

from __future__ import annotations

import numpy as np
import pandas as pd

from report_builder.calibration import base_estimator
from report_builder.features import features_and_target
from report_builder.labels import CATEGORICAL, FEATURES
from report_builder.results.analysis import Driver, Evaluation, Explanation, ModelSearch
from report_builder.results.data import CleanData
from report_builder.shap_values import is_tree_model, shap_values


def explain(
    search: ModelSearch,
    evaluation: Evaluation,
    data: CleanData,
    sample: int,
    agnostic_sample: int,
    background: int,
    repeats: int,
    seed: int,
    n_jobs: int = 1,
) -> Explanation:
    """SHAP on a sample of held-out customers: `sample` for tree models, `agnostic_sample` for the others."""
    from sklearn.inspection import permutation_importance

    X, y = features_and_target(data)
    X_train = X.loc[search.train_index]
    X_test, y_test = X.loc[search.test_index], y.loc[search.test_index]
    model = base_estimator(evaluation.model)  # the model's own output; calibration only rescales it
    size = sample if is_tree_model(model) else agnostic_sample
    rows = X_test.sample(min(size, len(X_test)), random_state=seed)
    name, values, base = shap_values(model, rows, X_train, background, seed)
    output = model.predict_proba(rows)[:, 1]
    additivity = float(np.max(np.abs(base + values.sum(axis=1) - output)))

    importance = permutation_importance(
        model, X_test, y_test, scoring="roc_auc", n_repeats=repeats, random_state=seed, n_jobs=n_jobs
    )  # the same values whatever n_jobs: every feature is shuffled with the same seed
    drivers = [
        _driver(f, values[:, i], rows[f], importance.importances_mean[i], importance.importances_std[i])
        for i, f in enumerate(FEATURES)
    ]
    drivers.sort(key=lambda d: -d.mean_abs_shap)
    return Explanation(name, tuple(FEATURES), values, rows, float(base), tuple(drivers), additivity)


def _driver(feature: str, shap_values: np.ndarray, values: pd.Series, perm: float, perm_std: float) -> Driver:
    from scipy.stats import spearmanr

    mean_abs = float(np.mean(np.abs(shap_values)))
    if feature in CATEGORICAL:
        by_category = pd.Series(shap_values, index=values.to_numpy()).groupby(level=0).mean()
        return Driver(feature, mean_abs, "category", 0.0, str(by_category.idxmax()), float(perm), float(perm_std))
    if values.nunique() < 2 or np.ptp(shap_values) == 0:
        return Driver(feature, mean_abs, "none", 0.0, None, float(perm), float(perm_std))
    rho = float(np.nan_to_num(spearmanr(values.to_numpy(dtype=float), shap_values).statistic))
    return Driver(feature, mean_abs, "up" if rho >= 0 else "down", rho, None, float(perm), float(perm_std))
