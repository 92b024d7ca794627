"""The one cross-validation splitter every stage uses: the same folds for the search, the evaluation and the scores."""

from __future__ import annotations

from report_builder.features import Splitter


def cross_validation(folds: int, seed: int) -> Splitter:
    from sklearn.model_selection import StratifiedKFold

    return StratifiedKFold(folds, shuffle=True, random_state=seed)
