"""Score every customer: out-of-fold probability of decline and per-customer SHAP drivers."""

from __future__ import annotations

import pandas as pd

from report_builder.calibration import base_estimator
from report_builder.features import features_and_target
from report_builder.labels import FEATURES, PROBABILITY, PROFIT
from report_builder.results.analysis import Evaluation, ModelSearch
from report_builder.results.data import CleanData
from report_builder.results.segments import Scores
from report_builder.shap_values import shap_values


def score_customers(
    search: ModelSearch,
    evaluation: Evaluation,
    data: CleanData,
    customers_max: int,
    background: int,
    seed: int,
) -> Scores:
    """No customer is scored by a model that saw its label: the training rows keep the out-of-fold probabilities the
    calibration was chosen on; every other customer is scored by the calibrated model fitted on the training rows.

    Per-customer SHAP drivers for the `customers_max` customers with the largest expected loss.
    """

    X, _ = features_and_target(data)
    rest = X.index.difference(evaluation.train_probability.index)
    unseen = pd.Series(evaluation.model.predict_proba(X.loc[rest])[:, 1], index=rest)  # type: ignore[attr-defined]
    probability = pd.concat([evaluation.train_probability, unseen]).reindex(X.index).rename(PROBABILITY)
    expected_loss = probability * data.customers[PROFIT]
    rows = X.loc[expected_loss.nlargest(customers_max).index]
    X_train = X.loc[search.train_index]
    # Ranking a customer's top drivers needs less precision than the report's explanation: trees give their path
    # contributions at once; the model-agnostic explainer (it JIT-compiles its kernels once per process) runs here.
    background = max(background // 3, 10)
    name, values, _ = shap_values(base_estimator(evaluation.model), rows, X_train, background, seed, exact=False)
    return Scores(
        probability=probability,
        shap=pd.DataFrame(values, index=rows.index, columns=list(FEATURES)).reindex(X.index),
        explainer=name,
    )
