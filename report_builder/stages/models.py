"""Hyperparameter search over model families, each one scikit-learn Pipeline; choice by CV only."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from report_builder.calibration import HeldOut, held_out_scores
from report_builder.config import ModelConfig
from report_builder.errors import InputError
from report_builder.features import (
    Splitter,
    bootstrap_auc,
    features_and_target,
    stratified_cap,
)
from report_builder.labels import CATEGORICAL, NUMERIC
from report_builder.results.analysis import FittedModel, ModelScore, ModelSearch, OutOfFold
from report_builder.results.data import CleanData

if TYPE_CHECKING:
    from sklearn.base import ClassifierMixin
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import MinMaxScaler, StandardScaler


@dataclass(frozen=True)
class Family:
    title: str
    estimator: ClassifierMixin
    grid: dict[str, object]
    scalers: tuple[str, ...]  # scaler choices searched for the numeric columns


# Each family's title, known without importing scikit-learn (the comparison names last quarter's model by it).
FAMILY_TITLES: dict[str, str] = {
    "knn": "k ближайших соседей (KNeighborsClassifier)",
    "tree": "Дерево решений (DecisionTreeClassifier)",
    "logreg": "Логистическая регрессия (LogisticRegression)",
    "svc": "Метод опорных векторов (SVC)",
    "extra_trees": "Сверхслучайный лес (ExtraTreesClassifier)",
    "random_forest": "Случайный лес (RandomForestClassifier)",
    "gradient_boosting": "Градиентный бустинг (HistGradientBoostingClassifier)",
}


def families(seed: int) -> dict[str, Family]:
    from scipy.stats import loguniform, randint
    from sklearn.ensemble import (
        ExtraTreesClassifier,
        HistGradientBoostingClassifier,
        RandomForestClassifier,
    )
    from sklearn.linear_model import LogisticRegression
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.svm import SVC
    from sklearn.tree import DecisionTreeClassifier

    return {
        "knn": Family(
            FAMILY_TITLES["knn"],
            KNeighborsClassifier(),
            {"clf__n_neighbors": randint(5, 80), "clf__weights": ["uniform", "distance"], "clf__p": [1, 2]},
            ("standard", "minmax", "none"),
        ),
        "tree": Family(
            FAMILY_TITLES["tree"],
            DecisionTreeClassifier(random_state=seed),
            {"clf__max_depth": randint(2, 12), "clf__min_samples_leaf": randint(1, 60), "clf__criterion": ["gini", "entropy"]},
            ("none",),
        ),
        "logreg": Family(
            FAMILY_TITLES["logreg"],
            LogisticRegression(solver="saga", max_iter=5000, random_state=seed),
            {"clf__C": loguniform(1e-2, 1e2), "clf__l1_ratio": [0.0, 0.5, 1.0]},
            ("standard", "minmax"),  # saga needs scaled inputs to converge
        ),
        "svc": Family(
            FAMILY_TITLES["svc"],
            SVC(random_state=seed),
            {"clf__C": loguniform(1e-1, 1e2), "clf__gamma": loguniform(1e-3, 1), "clf__kernel": ["rbf"]},
            ("standard", "minmax", "none"),
        ),
        "extra_trees": Family(
            FAMILY_TITLES["extra_trees"],
            ExtraTreesClassifier(n_estimators=100, random_state=seed, n_jobs=1),
            {"clf__max_features": [0.2, 0.3, 0.5, "sqrt"], "clf__min_samples_leaf": randint(1, 8)},
            ("none",),
        ),
        "random_forest": Family(
            FAMILY_TITLES["random_forest"],
            RandomForestClassifier(n_estimators=100, random_state=seed, n_jobs=1),
            {"clf__max_features": [0.2, 0.3, 0.5, "sqrt"], "clf__min_samples_leaf": randint(1, 8)},
            ("none",),
        ),
        "gradient_boosting": Family(
            FAMILY_TITLES["gradient_boosting"],
            HistGradientBoostingClassifier(random_state=seed),
            {
                "clf__learning_rate": loguniform(0.02, 0.3),
                "clf__max_leaf_nodes": randint(4, 32),
                "clf__l2_regularization": loguniform(1e-3, 10),
            },
            ("none",),
        ),
    }


def _scaler(name: str) -> StandardScaler | MinMaxScaler | str:
    from sklearn.preprocessing import MinMaxScaler, StandardScaler

    return {"standard": StandardScaler(), "minmax": MinMaxScaler()}.get(name, "passthrough")


Params = dict[str, str | int | float | bool | None]


def chosen_params(pipeline: Pipeline, family: Family, config: ModelConfig, name: str) -> Params:
    """The searched parameters of a fitted pipeline as plain values (a scaler by its name), to refit it later."""
    values = pipeline.get_params()
    found: Params = {}
    for key in search_space(name, family, config):
        value = values[key]
        if key == "prep__num":
            value = next((n for n in ("standard", "minmax") if isinstance(value, type(_scaler(n)))), "none")
        elif isinstance(value, np.generic):
            value = value.item()
        found[key] = value  # type: ignore[assignment]
    return found


def with_params(family: Family, params: Params, extra_numeric: Sequence[str] = ()) -> Pipeline:
    """A new pipeline of the family with recorded parameters (`chosen_params`) set."""
    pipeline = make_pipeline(family, extra_numeric)
    settings = {k: (_scaler(str(v)) if k == "prep__num" else v) for k, v in params.items()}
    return pipeline.set_params(**settings)


def make_pipeline(family: Family, extra_numeric: Sequence[str] = ()) -> Pipeline:
    """One-hot categories, scaled numbers, a fresh copy of the family's classifier; `extra_numeric` columns join the
    numbers."""
    from sklearn.base import clone
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder

    prep = ColumnTransformer(
        [
            ("cat", OneHotEncoder(handle_unknown="ignore", sparse_output=False), list(CATEGORICAL)),
            ("num", _scaler(family.scalers[0]), [*NUMERIC, *extra_numeric]),
        ],
        verbose_feature_names_out=False,
    )
    return Pipeline([("prep", prep), ("clf", clone(family.estimator))])


def search_models(data: CleanData, cv: Splitter, config: ModelConfig, seed: int) -> ModelSearch:
    """Every family searched on the training part (`search_families`); the choice by cross-validated ROC-AUC only."""
    from sklearn.dummy import DummyClassifier
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import train_test_split

    X, y = features_and_target(data)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=config.test_size, stratify=y, random_state=seed
    )
    available = len(X_train)
    # Large quarters: the search fits on a stratified sample, and the families are checked on a capped held-out
    # sample; every customer is still scored later.
    fit_index = stratified_cap(X_train.index, y_train, config.max_fit_rows, seed)
    X_train, y_train = X_train.loc[fit_index], y_train.loc[fit_index]
    check_index = stratified_cap(X_test.index, y_test, config.max_check_rows, seed)
    X_check, y_check = X_test.loc[check_index], y_test.loc[check_index]
    searches = search_families(X_train, y_train, cv, config, seed)
    scores, fitted = [], {}
    for name, search in searches.items():
        fitted[name] = search.refit(X_train, y_train)
        scores.append(_model_score(search, fitted[name], X_check, y_check, config, seed))
    scores.sort(key=lambda found: -found.cv_roc_auc_mean)
    dummy = DummyClassifier(strategy="prior").fit(X_train, y_train)
    return ModelSearch(
        scores=tuple(scores),
        best=scores[0].family,
        fitted=FittedModel(fitted[scores[0].family]),
        train_index=X_train.index,
        train_available=available,
        checked=len(check_index),
        test_index=X_test.index,
        dummy_test_roc_auc=float(roc_auc_score(y_check, dummy.predict_proba(X_check)[:, 1])),
        out_of_fold=searches[scores[0].family].best.out_of_fold,
    )


def search_families(X: pd.DataFrame, y: pd.Series, cv: object, config: ModelConfig, seed: int,
                    extra_numeric: Sequence[str] = ()) -> dict[str, FamilySearch]:
    """Successive halving over the families: each first tries a third of its candidates, and only the better half of
    the families (rounded down, at least one) go on to the rest; a family dropped early keeps the best of what it
    tried. The candidates are those a random search of `search_iterations` draws. A forest's candidates are first
    compared with a quarter of its trees, and only the best third of them are tried in full (`_screen`); any other
    family searched to the end is searched exactly as in full. `cv` is anything scikit-learn takes as folds."""
    catalogue = families(seed)  # the settings admit only these families and grids of them (`ModelConfig`)
    searches = {name: FamilySearch(name, catalogue[name], search_space(name, catalogue[name], config), config, seed, extra_numeric)
                for name in config.families}
    first = max(2, -(-config.search_iterations // 3))  # at least the third of a forest's candidates its screen keeps
    target = np.asarray(y)
    folds = PreparedFolds(X, target, list(cv.split(X, target)))  # type: ignore[attr-defined]
    _screen(list(searches.values()), folds, config.n_jobs)
    _try(list(searches.values()), first, folds, config.n_jobs)
    ranked = sorted(searches.values(), key=lambda found: -found.best_score)
    _try(ranked[: max(1, len(ranked) // 2)], config.search_iterations, folds, config.n_jobs)
    return searches


class PreparedFolds:
    """The search's folds, each with its rows prepared (categories one-hot, numbers scaled) once per preparation step:
    every candidate with the same step (a family's, and the scaler it tries) is given the rows its pipeline's own fit
    would give its classifier, so the workers fit only the classifiers. Preparing the rows was about a tenth of a
    forest's fold and four fifths of a k-NN's, and it was done again for every candidate of every fold."""

    def __init__(self, X: pd.DataFrame, y: np.ndarray, splits: list[tuple[np.ndarray, np.ndarray]]) -> None:
        self.X, self.y, self.splits = X, y, splits
        self._prepared: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {}

    def rows(self, prep: object) -> list[tuple[np.ndarray, np.ndarray]]:
        """(training rows, held-out rows) of every fold as the step prepares them, fitted on the training rows."""
        from joblib import hash as digest

        key = digest(prep)  # the step with all its parameters (a repr may elide some)
        if key not in self._prepared:
            self._prepared[key] = [self._prepare(prep, train, test) for train, test in self.splits]
        return self._prepared[key]

    def _prepare(self, prep: object, train: np.ndarray, test: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        from sklearn.base import clone

        fitted = clone(prep)
        return fitted.fit_transform(self.X.iloc[train], self.y[train]), fitted.transform(self.X.iloc[test])  # type: ignore[attr-defined]


SCREEN_SHARE = 4  # a forest's candidates are compared with this share of its trees: a quarter


def _screen(searches: list[FamilySearch], folds: PreparedFolds, n_jobs: int) -> None:
    """Successive halving within a forest, on its trees (as scikit-learn's HalvingRandomSearchCV with
    resource="n_estimators"): every candidate is cross-validated with a quarter of the trees, and only the best third
    (rounded up) stay candidates, to be tried in full. A forest's time grows with its trees, so the screen costs about
    what a third of the candidates would in full, and the search of a forest about two thirds of what it did. Fewer
    trees rank the candidates more noisily, not differently on average: one far behind with a quarter of the trees is
    rarely the best with all of them, and a near tie may go either way."""
    screening = [search for search in searches if search.screens]
    pipelines = [search.pipeline(candidate, share=SCREEN_SHARE) for search in screening for candidate in search.candidates]
    scored = _scored(pipelines, folds, n_jobs)
    for search in screening:
        count = len(search.candidates)
        search.screen(scored[:count])
        scored = scored[count:]


def _try(searches: list[FamilySearch], upto: int, folds: PreparedFolds, n_jobs: int) -> None:
    """Every search's candidates up to `upto`, the folds of all of them fitted in one parallel run: no worker waits for
    the last fold of one family before the next family starts. A forest's folds go first (each fits a hundred trees),
    so that the run ends on short tasks."""
    todo = [(search, candidate) for search in sorted(searches, key=_forest_first) for candidate in search.untried(upto)]
    scored = _scored([search.pipeline(candidate) for search, candidate in todo], folds, n_jobs)
    for (search, candidate), parts in zip(todo, scored):
        search.record(candidate, parts, folds.splits, len(folds.y))


def _scored(pipelines: list[Pipeline], folds: PreparedFolds, n_jobs: int) -> list[list[HeldOut]]:
    """Each pipeline's every fold (`held_out_scores` of its classifier on the prepared rows), all the folds in one
    parallel run."""
    from sklearn.utils.parallel import Parallel, delayed

    if not pipelines:
        return []
    y, count = folds.y, len(folds.splits)
    flat = Parallel(n_jobs=n_jobs)(
        delayed(held_out_scores)(pipeline.named_steps["clf"], train_rows, y[train], test_rows, y[test])
        for pipeline in pipelines
        for (train, test), (train_rows, test_rows) in zip(folds.splits, folds.rows(pipeline.named_steps["prep"]))
    )
    return [flat[k * count : (k + 1) * count] for k in range(len(pipelines))]


def _is_forest(family: Family) -> bool:
    return "n_estimators" in family.estimator.get_params()


def _forest_first(search: FamilySearch) -> bool:
    return not _is_forest(search.family)


@dataclass(frozen=True)
class Tried:
    """One candidate tried: its cross-validated ROC-AUC (the mean and each fold's) and its out-of-fold scores."""

    mean: float
    folds: tuple[float, ...]
    parameters: dict[str, object]
    out_of_fold: OutOfFold


class FamilySearch:
    """One family's random search, run in steps: the candidates are drawn once, and tried up to a count (`_try`).

    A candidate is scored as scikit-learn's GridSearchCV with `scoring="roc_auc"` scores it (each fold's model ranks
    the rows it did not see by its decision function, else its probability), and its scores on those rows are kept:
    the evaluation calibrates the chosen one on them instead of fitting the same folds again."""

    def __init__(self, name: str, family: Family, grid: dict[str, object], config: ModelConfig, seed: int,
                 extra_numeric: Sequence[str] = ()) -> None:
        from sklearn.model_selection import ParameterSampler

        self.name, self.family, self.grid, self.extra_numeric = name, family, grid, tuple(extra_numeric)
        drawn = list(ParameterSampler(grid, config.search_iterations, random_state=seed))
        self.candidates = [c for i, c in enumerate(drawn) if c not in drawn[:i]]  # a draw repeated is not fitted twice
        self.results: list[Tried] = []
        self.screened = 0  # candidates compared with a quarter of the trees before the search proper (`_screen`)
        self.seconds = 0.0  # spent fitting: every fold of every candidate screened or tried, and the refit

    @property
    def best_score(self) -> float:
        return self.best.mean

    @property
    def best(self) -> Tried:
        # The first of equal scores, as scikit-learn picks; a candidate without a score (a fold of one class) is last.
        return max(self.results, key=lambda found: -np.inf if np.isnan(found.mean) else found.mean)

    def untried(self, upto: int) -> list[dict[str, object]]:
        return self.candidates[len(self.results) : upto]

    @property
    def screens(self) -> bool:
        """Whether the candidates are screened first: a forest's, when a third of them is fewer than all."""
        return _is_forest(self.family) and len(self.candidates) > 1 and not self.screened

    def pipeline(self, candidate: dict[str, object], share: int = 1) -> Pipeline:
        """The family's pipeline with the candidate's parameters; a forest's with `1 / share` of its trees."""
        from sklearn.base import clone

        pipeline = make_pipeline(self.family, self.extra_numeric).set_params(**clone(candidate, safe=False))
        if share > 1:
            pipeline.set_params(clf__n_estimators=max(1, pipeline.get_params()["clf__n_estimators"] // share))
        return pipeline

    def screen(self, parts: list[list[HeldOut]]) -> None:
        """The candidates' screened folds (one list per candidate, in order): the best third (rounded up) stay
        candidates, in the order they were drawn; a candidate without a score (a fold of one class) goes last."""
        means = [float(np.mean([fold.roc_auc for fold in folds])) for folds in parts]
        ranked = sorted(range(len(means)), key=lambda k: (np.isnan(means[k]), -np.nan_to_num(means[k]), k))
        kept = sorted(ranked[: -(-len(means) // 3)])
        self.screened = len(self.candidates)
        self.candidates = [self.candidates[k] for k in kept]
        self.seconds += sum(fold.seconds for folds in parts for fold in folds)

    def record(self, candidate: dict[str, object], parts: list[HeldOut], splits: list[tuple[np.ndarray, np.ndarray]],
               rows: int) -> None:
        """A candidate's folds (`held_out_scores`, one per split) kept as tried."""
        folds = tuple(fold.roc_auc for fold in parts)
        joined = _joined([fold.scores for fold in parts], splits, rows)
        self.results.append(Tried(float(np.mean(folds)), folds, candidate, joined))
        self.seconds += sum(fold.seconds for fold in parts)

    def refit(self, X: pd.DataFrame, y: pd.Series | np.ndarray) -> Pipeline:
        start = time.perf_counter()
        fitted = self.pipeline(self.best.parameters).fit(X, y)
        self.seconds += time.perf_counter() - start
        return fitted


def _joined(parts: list[OutOfFold], splits: list[tuple[np.ndarray, np.ndarray]], rows: int) -> OutOfFold:
    """The folds' scores put back in row order."""
    raw = np.empty(rows)
    proba = None if parts[0].proba is None else np.empty(rows)
    for (_, test), part in zip(splits, parts):
        raw[test] = part.raw
        if proba is not None:
            proba[test] = part.proba
    return OutOfFold(proba, raw)


def checked_families(config: ModelConfig, seed: int) -> dict[str, Family]:
    """Every family, once the settings are checked to name only known ones."""
    catalogue = families(seed)
    unknown = [f for f in (*config.families, *config.grids) if f not in catalogue]
    if unknown:
        raise InputError(
            f"неизвестное семейство моделей «{unknown[0]}» в настройках",
            hint="Допустимы: " + ", ".join(catalogue),
        )
    return catalogue


def search_space(name: str, family: Family, config: ModelConfig) -> dict[str, object]:
    """The family's search space with the settings' overrides and its scaler choices."""
    grid = {**family.grid, **_override(name, family, config.grids.get(name, {}))}
    if len(family.scalers) > 1:
        grid["prep__num"] = [_scaler(s) for s in family.scalers]
    return grid


def _model_score(search: FamilySearch, fitted: Pipeline, X_check: pd.DataFrame, y_check: pd.Series, config: ModelConfig, seed: int) -> ModelScore:
    from sklearn.metrics import roc_auc_score

    check_score = _score(fitted, X_check)
    best = search.best
    mean, folds, parameters = best.mean, best.folds, best.parameters
    return ModelScore(
        family=search.name,
        title=search.family.title,
        best_params={k.split("__", 1)[1]: _short(v) for k, v in parameters.items()},
        cv_roc_auc_mean=mean,
        cv_roc_auc_std=float(np.std(folds)),
        cv_folds=folds,
        test_roc_auc=float(roc_auc_score(y_check, check_score)),
        test_roc_auc_ci95=bootstrap_auc(y_check.to_numpy(), check_score, config.bootstrap_rounds, seed),
        fit_seconds=search.seconds,
        candidates=len(search.results),
        screened=search.screened,
        search_space={k.split("__", 1)[1]: _describe(v) for k, v in search.grid.items()},
    )


def _score(model: Pipeline, X: object) -> np.ndarray:
    if hasattr(model, "predict_proba"):
        return model.predict_proba(X)[:, 1]
    return model.decision_function(X)


def _short(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if hasattr(value, "get_params"):
        return type(value).__name__
    if value == "passthrough":
        return "без масштабирования"
    return str(value)


def _describe(space: object) -> str:
    """Human-readable search space: a list of choices or a distribution with its bounds."""
    if isinstance(space, list):
        return ", ".join(_short(v) for v in space)
    dist = getattr(space, "dist", None)
    low, high = space.support() if hasattr(space, "support") else (None, None)  # type: ignore[union-attr]
    name = getattr(dist, "name", type(space).__name__)
    kind = {"loguniform": "лог-равномерно", "reciprocal": "лог-равномерно", "randint": "целое равномерно"}.get(name, name)
    return f"{kind} от {low:g} до {high:g}".replace(".", ",")


def _override(name: str, family: Family, grid: dict[str, tuple[object, ...]]) -> dict[str, list[object]]:
    """Values from the config replace a parameter's built-in search space.

    The settings already admit only parameter names of the installed scikit-learn it was written for
    (`config.MODEL_PARAMETERS`); another version of scikit-learn may lack one, so it is checked again here.
    """
    known = family.estimator.get_params()
    for parameter, values in grid.items():
        if parameter not in known:
            raise InputError(
                f"у модели «{name}» нет параметра «{parameter}» (настройка model.grids.{name})",
                hint="Допустимы: " + ", ".join(sorted(known)),
            )
    return {f"clf__{parameter}": list(values) for parameter, values in grid.items()}
