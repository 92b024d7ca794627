"""SHAP values of the chosen model with the explainer that fits it; permutation importance as a check."""

from __future__ import annotations

import numpy as np
import pandas as pd
import shap
from scipy.stats import spearmanr
from sklearn.ensemble import ExtraTreesClassifier, RandomForestClassifier
from sklearn.inspection import permutation_importance
from sklearn.pipeline import Pipeline
from sklearn.tree import DecisionTreeClassifier

from report_builder.config import ExplainConfig
from report_builder.features import features_and_target
from report_builder.labels import CATEGORICAL, FEATURES
from report_builder.results.analysis import Driver, Evaluation, Explanation, ModelSearch
from report_builder.results.data import CleanData

_TREES = (DecisionTreeClassifier, RandomForestClassifier, ExtraTreesClassifier)


def explain(search: ModelSearch, evaluation: Evaluation, data: CleanData, config: ExplainConfig, seed: int) -> Explanation:
    X, y = features_and_target(data)
    X_train = X.loc[search.train_index]
    X_test, y_test = X.loc[search.test_index], y.loc[search.test_index]
    model = evaluation.model
    tree = isinstance(model, Pipeline) and isinstance(model.named_steps["clf"], _TREES)
    size = config.sample if tree else config.agnostic_sample
    rows = X_test.sample(min(size, len(X_test)), random_state=seed)
    if tree:
        name, values, base = "TreeExplainer", *_tree_shap(model, rows)  # type: ignore[arg-type]
    else:
        name, values, base = "PermutationExplainer", *_permutation_shap(model, rows, X_train, config, seed)
    output = model.predict_proba(rows)[:, 1]
    additivity = float(np.max(np.abs(base + values.sum(axis=1) - output)))

    importance = permutation_importance(
        model, X_test, y_test, scoring="roc_auc", n_repeats=config.permutation_repeats, random_state=seed, n_jobs=1
    )
    drivers = [
        _driver(f, values[:, i], rows[f], importance.importances_mean[i], importance.importances_std[i])
        for i, f in enumerate(FEATURES)
    ]
    drivers.sort(key=lambda d: -d.mean_abs_shap)
    return Explanation(name, tuple(FEATURES), values, rows, float(base), tuple(drivers), additivity)


def _tree_shap(model: Pipeline, rows: pd.DataFrame) -> tuple[np.ndarray, float]:
    """Exact tree SHAP in probability units, one-hot columns summed back to their feature."""
    prep, clf = model.named_steps["prep"], model.named_steps["clf"]
    explainer = shap.TreeExplainer(clf)
    raw = np.asarray(explainer.shap_values(prep.transform(rows)))
    positive = raw[..., 1] if raw.ndim == 3 else raw
    names = list(prep.get_feature_names_out())
    values = np.zeros((len(rows), len(FEATURES)))
    for j, column in enumerate(names):
        values[:, _owner(column)] += positive[:, j]
    return values, float(np.atleast_1d(explainer.expected_value)[-1])


def _owner(column: str) -> int:
    for i, feature in enumerate(FEATURES):
        if column == feature or (feature in CATEGORICAL and column.startswith(feature + "_")):
            return i
    raise KeyError(column)


def _permutation_shap(
    model: object, rows: pd.DataFrame, X_train: pd.DataFrame, config: ExplainConfig, seed: int
) -> tuple[np.ndarray, float]:
    """Model-agnostic SHAP on the original features over a bounded background sample."""
    codes = {c: sorted(X_train[c].unique().tolist() + [v for v in rows[c].unique() if v not in set(X_train[c])]) for c in CATEGORICAL}

    def encode(frame: pd.DataFrame) -> np.ndarray:
        out = frame.copy()
        for c in CATEGORICAL:
            out[c] = out[c].map({v: k for k, v in enumerate(codes[c])})
        return out.to_numpy(dtype=float)

    def predict(matrix: np.ndarray) -> np.ndarray:
        frame = pd.DataFrame(matrix, columns=list(FEATURES))
        for c in CATEGORICAL:
            frame[c] = [codes[c][int(k)] for k in frame[c]]
        return model.predict_proba(frame)[:, 1]  # type: ignore[attr-defined]

    background = encode(X_train.sample(min(config.background, len(X_train)), random_state=seed))
    explainer = shap.PermutationExplainer(predict, shap.maskers.Independent(background, max_samples=len(background)), seed=seed)
    evals = 2 * len(FEATURES) + 1  # one forward and backward pass per row: exact additivity
    result = explainer(encode(rows), max_evals=evals, batch_size=evals, silent=True)
    return np.asarray(result.values), float(np.mean(result.base_values))


def _driver(feature: str, shap_values: np.ndarray, values: pd.Series, perm: float, perm_std: float) -> Driver:
    mean_abs = float(np.mean(np.abs(shap_values)))
    if feature in CATEGORICAL:
        by_category = pd.Series(shap_values, index=values.to_numpy()).groupby(level=0).mean()
        return Driver(feature, mean_abs, "category", 0.0, str(by_category.idxmax()), float(perm), float(perm_std))
    rho = spearmanr(values.to_numpy(dtype=float), shap_values).statistic if values.nunique() > 1 else 0.0
    rho = float(np.nan_to_num(rho))
    return Driver(feature, mean_abs, "up" if rho >= 0 else "down", rho, None, float(perm), float(perm_std))
