"""The one cross-validation splitter every stage uses: the same folds for the search, the evaluation and the scores."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from report_builder.features import Splitter


def cross_validation(folds: int, seed: int) -> Splitter:
    return StratifiedFolds(folds, seed)


@dataclass(frozen=True)
class StratifiedFolds:
    """Shuffled stratified folds: scikit-learn's StratifiedKFold, made when the folds are drawn. The stage's result
    is read back from the cache with every other one for the documents, and this way it needs no scikit-learn there."""

    folds: int
    seed: int

    def split(self, X: object = None, y: object = None, groups: object = None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        from sklearn.model_selection import StratifiedKFold

        return StratifiedKFold(self.folds, shuffle=True, random_state=self.seed).split(X, y, groups)

    def get_n_splits(self, X: object = None, y: object = None, groups: object = None) -> int:
        return self.folds
