"""The forecast of next quarter's decline on synthetic histories with a known rule."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from conftest import small_model_config
from report_builder.config import Config, ForecastConfig
from report_builder.features import GroupedFolds
from report_builder.labels import CATEGORICAL, DECLINED, KNOWN_VALUES, NUMERIC, STABLE, TARGET
from report_builder.results.forecast import Quarter
from report_builder.forward import forward_forecast

DRIVER = "Страниц_за_визит"
SHARE = 0.35
SEED = 42


def _frame(rng: np.random.Generator, ids: np.ndarray, declined: np.ndarray) -> pd.DataFrame:
    """Pure-noise features and the given labels."""
    frame = pd.DataFrame(index=pd.Index(ids, name="id"))
    for column in CATEGORICAL:
        frame[column] = rng.choice(np.asarray(KNOWN_VALUES[column], dtype=object), size=len(ids))
    for column in NUMERIC:
        frame[column] = rng.normal(size=len(ids))
    frame[TARGET] = np.where(declined == 1, DECLINED, STABLE)
    return frame


def history(rule: str, quarters: int = 4, customers: int = 300, turnover: float = 0.1, seed: int = 0) -> list[Quarter]:
    """Consecutive quarters; a share of the customers leaves and as many newcomers join each quarter.

    rule "forward": a returning customer declines when their pages per visit of the quarter before were
    low (plus a little noise), whatever their label then; "persistent": they keep last quarter's label.
    A newcomer's label is drawn at random.
    """
    rng = np.random.default_rng(seed)
    ids = np.arange(customers)
    next_id = customers
    frame = _frame(rng, ids, (rng.random(customers) < SHARE).astype(int))
    out = [Quarter("q0", frame)]
    for t in range(1, quarters):
        before = out[-1].customers
        stay = rng.choice(before.index.to_numpy(), size=int(len(before) * (1 - turnover)), replace=False)
        new = np.arange(next_id, next_id + len(before) - len(stay))
        next_id += len(new)
        ids = np.sort(np.concatenate([stay, new]))
        declined = pd.Series((rng.random(len(ids)) < SHARE).astype(int), index=ids)
        stayed = before.loc[np.sort(stay)]
        if rule == "forward":
            score = stayed[DRIVER] + 0.3 * rng.normal(size=len(stayed))
            declined[stayed.index] = (score < score.quantile(SHARE)).astype(int).to_numpy()
        else:
            declined[stayed.index] = (stayed[TARGET] == DECLINED).astype(int).to_numpy()
        out.append(Quarter(f"q{t}", _frame(rng, ids, declined.to_numpy())))
    return out


def run(quarters: list[Quarter], min_customers: int = 100, seed: int = SEED, **model: object):
    config = small_model_config(**model)
    return forward_forecast(quarters[:-1], quarters[-1], ForecastConfig(min_customers=min_customers), config, seed)


@pytest.fixture(scope="module")
def forward_history() -> list[Quarter]:
    return history("forward", quarters=5)  # four quarters to learn from, the fifth is what happens next


@pytest.fixture(scope="module")
def forward_result(forward_history: list[Quarter]):
    return run(forward_history[:-1])


def test_a_forward_rule_is_learnt_and_beats_persistence(forward_history: list[Quarter], forward_result) -> None:
    result = forward_result
    assert result.kind == "forward" and result.reason == "model_better"
    assert result.pairs == (("q0", "q1"), ("q1", "q2"), ("q2", "q3"))
    assert result.model_roc_auc > result.persistence.roc_auc + 0.2
    assert result.roc_auc == result.model_roc_auc
    assert result.roc_auc_ci95[0] < result.roc_auc < result.roc_auc_ci95[1]
    assert result.brier < result.constant_brier
    current = forward_history[3].customers
    assert result.probability.index.equals(current.index)
    assert result.probability.between(0, 1).all()
    declining = current[TARGET] == DECLINED
    assert result.expected.from_declining == pytest.approx(result.probability[declining].sum())
    assert result.expected.from_stable == pytest.approx(result.probability[~declining].sum())
    assert result.expected.total == pytest.approx(result.probability.sum())
    # What happens next: the expected decliners among returning customers are about the real ones.
    after = forward_history[4].customers
    returning = current.index.intersection(after.index)
    actual = int((after.loc[returning, TARGET] == DECLINED).sum())
    assert result.probability[returning].sum() == pytest.approx(actual, rel=0.2)


def test_perfect_persistence_and_noise_features_give_persistence_with_transition_rates() -> None:
    quarters = history("persistent", quarters=4)
    result = run(quarters)
    assert result.kind == "persistence" and result.reason == "persistence_better"
    assert result.persistence.roc_auc == 1.0
    assert result.persistence.precision == 1.0 and result.persistence.recall == 1.0
    assert result.roc_auc == 1.0
    assert (result.rate_from_stable, result.rate_from_declining) == (0.0, 1.0)
    current = quarters[-1].customers
    declining = current[TARGET] == DECLINED
    assert (result.probability[declining] == 1.0).all() and (result.probability[~declining] == 0.0).all()
    assert result.expected.from_declining == declining.sum() and result.expected.from_stable == 0.0
    assert result.brier == 0.0


def test_observed_transition_rates_are_the_persistence_probabilities() -> None:
    """A noisy persistence and features without any information: the probabilities are the observed rates."""
    quarters = history("persistent", quarters=3)
    rng = np.random.default_rng(5)
    flipped = []
    for q in quarters:
        frame = q.customers.copy()
        flip = rng.random(len(frame)) < 0.1
        frame.loc[flip, TARGET] = np.where(frame.loc[flip, TARGET] == DECLINED, STABLE, DECLINED)
        frame[list(NUMERIC)] = 0.0  # the model sees this quarter's label and nothing else: it cannot beat persistence
        for column in CATEGORICAL:
            frame[column] = KNOWN_VALUES[column][0]
        flipped.append(Quarter(q.period, frame))
    result = run(flipped)
    assert result.kind == "persistence"
    assert 0.7 < result.persistence.roc_auc < 0.9
    pairs = [(a.customers, b.customers) for a, b in zip(flipped, flipped[1:])]
    shared = [a.index.intersection(b.index) for a, b in pairs]
    now = pd.concat([a.loc[s, TARGET] for (a, _), s in zip(pairs, shared)])
    then = pd.concat([b.loc[s, TARGET] for (_, b), s in zip(pairs, shared)])
    moved = pd.DataFrame({"now": now.to_numpy() == DECLINED, "then": then.to_numpy() == DECLINED})
    rates = moved.groupby("now")["then"].mean()
    assert result.rate_from_stable == pytest.approx(rates[False])
    assert result.rate_from_declining == pytest.approx(rates[True])
    declining = flipped[-1].customers[TARGET] == DECLINED
    assert np.allclose(result.probability[declining], rates[True])
    assert np.allclose(result.probability[~declining], rates[False])


@pytest.mark.parametrize("rows_each", [(1, 4), (1, 2)], ids=["repeated customers", "one row per customer"])
def test_grouped_folds_keep_each_customer_on_one_side(rows_each: tuple[int, int]) -> None:
    rng = np.random.default_rng(3)
    customers = rng.permutation(np.repeat(np.arange(200), rng.integers(*rows_each, size=200)))
    y = rng.integers(0, 2, size=len(customers))
    folds = GroupedFolds(y, customers, 5, SEED)
    assert folds.get_n_splits() == 5
    tested = np.concatenate([test for _, test in folds.split()])
    assert np.array_equal(np.sort(tested), np.arange(len(customers)))  # every row scored once
    for train, test in folds.split():
        assert not set(customers[train]) & set(customers[test])
        assert 0.2 < y[test].mean() < 0.8
    again = GroupedFolds(y, customers, 5, SEED)
    assert all(np.array_equal(a[1], b[1]) for a, b in zip(folds.split(), again.split()))


def test_grouped_folds_of_one_row_per_customer_are_plain_stratified_folds() -> None:
    """Nothing to group: the folds are scikit-learn's StratifiedKFold, as even in their classes as it draws them."""
    from sklearn.model_selection import StratifiedKFold

    y = np.random.default_rng(5).integers(0, 2, size=1253)
    customers = np.arange(len(y)) * 7
    plain = StratifiedKFold(5, shuffle=True, random_state=SEED).split(np.zeros(len(y)), y)
    assert all(np.array_equal(a[1], b[1]) for a, b in zip(GroupedFolds(y, customers, 5, SEED).split(), plain))


def test_two_pairs_validate_in_time_on_the_latest_pair(forward_history: list[Quarter]) -> None:
    three = forward_history[:3]
    result = run(three)
    assert result.validation == "time"
    assert result.pairs == (("q0", "q1"), ("q1", "q2"))
    latest = three[1].customers.index.intersection(three[2].customers.index)
    assert result.customers == len(latest)


def test_one_pair_is_cross_validated(forward_history: list[Quarter]) -> None:
    two = forward_history[:2]
    result = run(two)
    assert result.validation == "cv"
    assert result.pairs == (("q0", "q1"),)
    assert result.customers == len(two[0].customers.index.intersection(two[1].customers.index))
    assert result.kind == "forward"


def test_too_few_shared_customers_give_no_forecast() -> None:
    quarters = history("forward", quarters=3, customers=150, turnover=0.5)  # 75 shared customers a pair
    assert run(quarters, min_customers=100) is None
    assert forward_forecast([], quarters[0], ForecastConfig(), small_model_config(), SEED) is None  # no earlier quarter


def test_a_pair_with_too_few_shared_customers_is_left_out() -> None:
    quarters = history("forward", quarters=4, customers=300)
    gap = Quarter("q2", quarters[2].customers.iloc[:80])  # shares at most 80 customers with each neighbour
    result = run([quarters[0], quarters[1], gap, quarters[3]], min_customers=100)
    assert result.pairs == (("q0", "q1"),) and result.validation == "cv"
    assert result.probability.index.equals(quarters[3].customers.index)


def test_the_same_seed_gives_the_same_forecast(forward_history: list[Quarter], forward_result) -> None:
    again = run(forward_history[:-1])
    assert again.model_roc_auc == forward_result.model_roc_auc
    assert again.family == forward_result.family and again.calibration == forward_result.calibration
    pd.testing.assert_series_equal(again.probability, forward_result.probability)
    assert again.roc_auc_ci95 == forward_result.roc_auc_ci95


def test_the_forecast_section_has_defaults() -> None:
    assert Config().forecast.min_customers == 100


@pytest.mark.parametrize(("families", "pairs"), [(("svc",), 1), (("svc",), 2), (("tree",), 2), (("knn",), 1)])
def test_families_without_probabilities_or_margins(forward_history: list[Quarter], families: tuple[str, ...], pairs: int) -> None:
    """A margin (SVC) has no raw probability to keep; a tree has no margin: each is calibrated from what it has."""
    result = run(forward_history[: pairs + 1], families=families)
    assert result.family == families[0]
    assert result.validation == ("time" if pairs > 1 else "cv")
    assert dict(result.calibration_brier).keys() == ({"sigmoid", "isotonic"} if families == ("svc",) else {"none", "sigmoid", "isotonic"})
    assert result.probability.between(0, 1).all() and result.kind == "forward"


def test_the_pipeline_takes_the_extra_column_only_when_asked() -> None:
    from report_builder.labels import DECLINED_NOW
    from report_builder.stages.models import families, make_pipeline

    family = families(SEED)["logreg"]
    numeric = {name: columns for name, _, columns in make_pipeline(family).named_steps["prep"].transformers}["num"]
    assert numeric == list(NUMERIC)
    extended = {name: columns for name, _, columns in make_pipeline(family, (DECLINED_NOW,)).named_steps["prep"].transformers}
    assert extended["num"] == [*NUMERIC, DECLINED_NOW] and extended["cat"] == list(CATEGORICAL)


# --- the demo history ----------------------------------------------------------------------------


def test_on_the_demo_quarters_a_forward_model_beats_persistence(tmp_path) -> None:
    from report_builder.demo_data import earlier_quarters
    from report_builder.labels import FEATURES
    from report_builder.resources import demo_data_dir
    from report_builder.stages.clean import clean_tables
    from report_builder.stages.load import load_tables
    from report_builder.stages.validate import validate_tables

    folders = [folder for _, folder in earlier_quarters(demo_data_dir(), tmp_path)] + [demo_data_dir()]
    quarters = [
        Quarter(period, clean_tables(validate_tables(load_tables(folder)), Config().cleaning).customers[[*FEATURES, TARGET]])
        for period, folder in zip(("2026-Q2", "2026-Q3", "2026-Q4"), folders)
    ]
    for before, after in zip(quarters, quarters[1:]):
        shared = before.customers.index.intersection(after.customers.index)
        agreement = (before.customers.loc[shared, TARGET] == after.customers.loc[shared, TARGET]).mean()
        assert 0.7 <= agreement <= 0.85  # labels move from quarter to quarter
    result = run(quarters)
    assert result.validation == "time" and result.kind == "forward"
    assert result.model_roc_auc > result.persistence.roc_auc + 0.03
    assert result.brier < result.constant_brier
