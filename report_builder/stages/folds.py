"""The one cross-validation splitter every stage uses: the same folds for the search, the evaluation and the scores."""

from __future__ import annotations

from sklearn.model_selection import StratifiedKFold


def cross_validation(folds: int, seed: int) -> StratifiedKFold:
    return StratifiedKFold(folds, shuffle=True, random_state=seed)
