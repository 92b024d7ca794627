"""Model search: scores of every family, the choice by CV, the split, determinism."""

from __future__ import annotations

from dataclasses import asdict

import numpy as np
import pytest

from pydantic import ValidationError

from report_builder.config import MODEL_PARAMETERS, ModelConfig
from report_builder.errors import InputError
from sklearn.dummy import DummyClassifier
from sklearn.metrics import roc_auc_score

from conftest import SEED, small_model_config
from report_builder.features import features_and_target
from report_builder.results.analysis import Evaluation, ModelScore, ModelSearch
from report_builder.results.data import CleanData
from report_builder.stages.folds import cross_validation
from report_builder.stages.models import FamilySearch, families, make_pipeline, search_families, search_models, search_space

FAMILIES = ("logreg", "tree")


@pytest.fixture(scope="module")
def search(demo_fit: tuple[ModelSearch, Evaluation]) -> ModelSearch:
    return demo_fit[0]


def comparable(score: ModelScore) -> dict[str, object]:
    """Everything in a score except the wall-clock time."""
    fields = asdict(score)
    del fields["fit_seconds"]
    return fields


def run_search(data, config, seed):
    return search_models(data, cross_validation(config.cv_folds, seed), config, seed)


def test_every_family_scored_once(search: ModelSearch) -> None:
    assert sorted(s.family for s in search.scores) == sorted(FAMILIES)
    catalogue = families(SEED)
    for score in search.scores:
        assert score.title == catalogue[score.family].title
        assert score.candidates == 2
        assert score.fit_seconds > 0
        assert score.best_params


def test_cv_scores_are_sane(search: ModelSearch) -> None:
    config = small_model_config()
    for score in search.scores:
        assert len(score.cv_folds) == config.cv_folds == 5
        assert all(0 <= f <= 1 for f in score.cv_folds)
        assert 0 <= score.cv_roc_auc_mean <= 1
        assert 0 <= score.cv_roc_auc_std <= 1
        assert score.cv_roc_auc_mean == pytest.approx(np.mean(score.cv_folds))
        assert score.cv_roc_auc_std == pytest.approx(np.std(score.cv_folds))
        assert score.cv_roc_auc_std > 0  # five different folds never score exactly alike


def test_test_auc_inside_its_bootstrap_interval(search: ModelSearch) -> None:
    for score in search.scores:
        low, high = score.test_roc_auc_ci95
        assert 0 <= low <= score.test_roc_auc <= high <= 1, score.family
        assert high - low < 0.2, score.family  # about 320 test customers: a narrow interval


def test_best_has_highest_cv_mean(search: ModelSearch) -> None:
    means = [s.cv_roc_auc_mean for s in search.scores]
    assert means == sorted(means, reverse=True)
    assert search.best == max(search.scores, key=lambda s: s.cv_roc_auc_mean).family
    assert search.best_score.family == search.best
    expected = type(families(SEED)[search.best].estimator)
    assert isinstance(search.estimator.named_steps["clf"], expected)


def test_best_estimator_is_the_scored_one(search: ModelSearch, demo_data: CleanData) -> None:
    X, y = features_and_target(demo_data)
    proba = search.estimator.predict_proba(X.loc[search.test_index])[:, 1]
    assert roc_auc_score(y.loc[search.test_index], proba) == pytest.approx(search.best_score.test_roc_auc)


def test_split_disjoint_complete_and_stratified(search: ModelSearch, demo_data: CleanData) -> None:
    train, test = search.train_index, search.test_index
    assert train.is_unique and test.is_unique
    assert train.intersection(test).empty
    assert set(train.union(test)) == set(demo_data.customers.index)
    assert len(test) / demo_data.customers_used == pytest.approx(small_model_config().test_size, abs=0.01)
    _, y = features_and_target(demo_data)
    assert abs(y.loc[train].mean() - y.loc[test].mean()) < 0.02


def test_same_seed_same_result(search: ModelSearch, demo_data: CleanData) -> None:
    again = run_search(demo_data, small_model_config(FAMILIES), SEED)
    assert [comparable(s) for s in again.scores] == [comparable(s) for s in search.scores]
    assert again.best == search.best
    assert again.train_index.equals(search.train_index)
    assert again.test_index.equals(search.test_index)


def test_other_seed_other_split(search: ModelSearch, demo_data: CleanData) -> None:
    other = run_search(demo_data, small_model_config(("tree",)), SEED + 1)
    assert set(other.test_index) != set(search.test_index)
    tree = next(s for s in search.scores if s.family == "tree")
    assert other.scores[0].cv_folds != tree.cv_folds


def test_unknown_family_is_refused_by_the_settings() -> None:
    with pytest.raises(ValidationError, match="no_such_family"):
        ModelConfig(families=("tree", "no_such_family"))


def test_settings_know_every_family_and_its_parameters() -> None:
    """The settings check grids without importing scikit-learn; their table must match the estimators."""
    assert {name: tuple(sorted(f.estimator.get_params())) for name, f in families(SEED).items()} == {
        name: tuple(sorted(parameters)) for name, parameters in MODEL_PARAMETERS.items()
    }


def test_grid_from_config_replaces_the_search_space(demo_data: CleanData) -> None:
    config = small_model_config(("tree",)).model_copy(update={"grids": {"tree": {"max_depth": (2, 3)}}})
    result = run_search(demo_data, config, SEED)
    assert result.scores[0].search_space["max_depth"] == "2, 3"
    assert result.scores[0].best_params["max_depth"] in ("2", "3")


@pytest.mark.parametrize(
    ("grids", "match"),
    [
        ({"tree": {"no_such_parameter": (1,)}}, "нет параметра «no_such_parameter»"),
        ({"tree": {"max_depth": ()}}, "пустой список"),
        ({"no_such_family": {"C": (1.0,)}}, "no_such_family"),
    ],
)
def test_bad_grid_is_refused_by_the_settings(grids: dict, match: str) -> None:
    with pytest.raises(ValidationError, match=match):
        ModelConfig(families=("tree",), grids=grids)


def test_a_parameter_another_scikit_learn_lacks_is_an_input_error(demo_data: CleanData) -> None:
    config = small_model_config(("tree",)).model_copy(update={"grids": {"tree": {"no_such_parameter": (1,)}}})
    with pytest.raises(InputError, match="no_such_parameter"):
        run_search(demo_data, config, SEED)


def test_beats_a_dummy_classifier(search: ModelSearch, demo_data: CleanData) -> None:
    X, y = features_and_target(demo_data)
    X_train, y_train = X.loc[search.train_index], y.loc[search.train_index]
    X_test, y_test = X.loc[search.test_index], y.loc[search.test_index]
    dummy = DummyClassifier(strategy="stratified", random_state=SEED).fit(X_train, y_train)
    dummy_auc = roc_auc_score(y_test, dummy.predict_proba(X_test)[:, 1])
    assert search.best_score.test_roc_auc > dummy_auc + 0.2
    assert search.best_score.test_roc_auc > search.dummy_test_roc_auc + 0.2
    assert search.dummy_test_roc_auc == pytest.approx(0.5)


def test_every_candidate_is_scored_as_cross_validation_scores_it(demo_data: CleanData) -> None:
    """All the families' folds run in one parallel pass, in two worker processes: each candidate's fold scores are
    still those scikit-learn's cross-validation gives its own pipeline, and the better family went on searching."""
    from sklearn.model_selection import cross_val_score

    X, y = features_and_target(demo_data)
    X, y = X.iloc[:400], y.iloc[:400]
    config = small_model_config(("knn", "logreg", "tree"), search_iterations=6, cv_folds=3, n_jobs=2)
    cv = cross_validation(config.cv_folds, SEED)
    searches = search_families(X, y, cv, config, SEED)
    tried = {name: len(search.results) for name, search in searches.items()}
    assert sorted(tried.values())[:2] == [2, 2] and max(tried.values()) > 2
    assert max(tried, key=tried.__getitem__) == max(searches, key=lambda name: searches[name].best_score)
    for name, search in searches.items():
        for candidate in search.results:
            pipeline = search.pipeline(candidate.parameters)
            expected = cross_val_score(pipeline, X, y, cv=cv, scoring="roc_auc")
            np.testing.assert_allclose(candidate.folds, expected, err_msg=f"{name} {candidate.parameters}")
        assert search.seconds > 0
    # The folds are prepared once per preparation step (`PreparedFolds`): the candidates above tried every scaler, so
    # each was scored on the rows of its own step.
    scalers = {repr(c.parameters.get("prep__num", "passthrough")) for s in searches.values() for c in s.results}
    assert len(scalers) == 3, scalers


def test_a_fold_is_ranked_by_the_decision_function_and_a_fold_of_one_class_has_no_score(demo_data: CleanData) -> None:
    """A worker's fold: the ROC-AUC of the rows it held out, by the decision function where the model has one (as
    GridSearchCV ranks them); a fold whose held-out rows are all of one class cannot be scored: NaN, its scores kept."""
    from report_builder.calibration import held_out_scores

    X, y = features_and_target(demo_data)
    X, y = X.iloc[:300], y.to_numpy()[:300]
    pipeline = make_pipeline(families(SEED)["svc"])
    train, test = np.arange(200), np.arange(200, 300)
    fold = held_out_scores(pipeline, X.iloc[train], y[train], X.iloc[test], y[test])
    fitted = pipeline.fit(X.iloc[train], y[train])
    assert fold.roc_auc == pytest.approx(roc_auc_score(y[test], fitted.decision_function(X.iloc[test])))
    assert fold.roc_auc != pytest.approx(roc_auc_score(y[test], fitted.predict(X.iloc[test])))
    one_class = np.flatnonzero(y[200:] == y[200])[:20] + 200
    lonely = held_out_scores(pipeline, X.iloc[train], y[train], X.iloc[one_class], y[one_class])
    assert np.isnan(lonely.roc_auc) and len(lonely.scores.raw) == len(one_class) and lonely.seconds > 0


def test_a_forest_is_screened_on_a_quarter_of_its_trees_and_its_best_third_tried_in_full(demo_data: CleanData) -> None:
    """Every candidate of a forest is first cross-validated with 25 of its 100 trees; only the best third of them (the
    first drawn of equal scores) are tried, and scored as cross-validation scores them with all the trees. A family of
    another kind is not screened."""
    from sklearn.model_selection import cross_val_score

    X, y = features_and_target(demo_data)
    X, y = X.iloc[:400], y.iloc[:400]
    config = small_model_config(("extra_trees", "logreg"), search_iterations=9, cv_folds=3, n_jobs=2)
    cv = cross_validation(config.cv_folds, SEED)
    catalogue = families(SEED)
    drawn = FamilySearch("extra_trees", catalogue["extra_trees"], search_space("extra_trees", catalogue["extra_trees"], config),
                         config, SEED).candidates
    assert len(drawn) >= 6
    searches = search_families(X, y, cv, config, SEED)
    forest = searches["extra_trees"]

    def cv_mean(candidate: dict, trees: int) -> float:
        pipeline = forest.pipeline(candidate).set_params(clf__n_estimators=trees)
        return float(np.mean(cross_val_score(pipeline, X, y, cv=cv, scoring="roc_auc")))

    screened = [cv_mean(candidate, 25) for candidate in drawn]
    best_third = sorted(sorted(range(len(drawn)), key=lambda k: -screened[k])[: -(-len(drawn) // 3)])
    assert forest.screened == len(drawn)
    assert [tried.parameters for tried in forest.results] == [drawn[k] for k in best_third]
    for tried in forest.results:
        assert tried.mean == pytest.approx(cv_mean(tried.parameters, 100), abs=1e-12)
    assert searches["logreg"].screened == 0 and len(searches["logreg"].results) >= 3


def test_a_pickled_search_unpickles_its_model_only_when_read(demo_fit: tuple[ModelSearch, Evaluation],
                                                            demo_data: CleanData, tmp_path) -> None:
    """The cache and the background worker get the results pickled: a process that reads only their other fields
    (a chart of the scores, a stage reading the chosen family) never imports scikit-learn for the fitted models."""
    import pickle
    import subprocess
    import sys

    search, evaluation = demo_fit
    X, _ = features_and_target(demo_data)
    rows = X.loc[search.test_index[:5]]
    path = tmp_path / "results.pkl"
    path.write_bytes(pickle.dumps((search, evaluation, rows)))
    script = (
        "import pickle, sys\n"
        f"search, evaluation, rows = pickle.loads(open({str(path)!r}, 'rb').read())\n"
        "print(search.best, len(search.scores), evaluation.calibration_method, 'sklearn' in sys.modules)\n"
        "print(search.estimator.predict_proba(rows).shape, evaluation.model.predict_proba(rows).shape, 'sklearn' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    before, after = result.stdout.splitlines()
    assert before == f"{search.best} {len(search.scores)} {evaluation.calibration_method} False"
    assert after == "(5, 2) (5, 2) True"
    again = pickle.loads(pickle.dumps(search))  # pickled a second time before it was read: the same model
    np.testing.assert_allclose(again.estimator.predict_proba(rows), search.estimator.predict_proba(rows))
