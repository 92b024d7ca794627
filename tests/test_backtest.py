"""The back-test of last quarter's forecast and the measured uplift, checked against hand computations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from report_builder.config import BacktestConfig
from report_builder.labels import DECLINED, STABLE, TARGET, USUAL_AT_RISK, VALUABLE_AT_RISK, VALUABLE_STABLE
from report_builder.results.data import CleanData
from report_builder.pipeline import HISTORY
from report_builder.records import record_type
from report_builder.results.analysis import Evaluation, ModelSearch
from report_builder.results.history import Reference
from report_builder.results.report import RunInfo
from report_builder.results.segments import CustomerList
from report_builder.stages.backtest import backtest


def snapshot(people: pd.DataFrame, threshold: float = 0.5, cv_auc: float = 0.9) -> object:
    """Last quarter as the history reads it back: its run, its model's promise, its threshold and its customers."""
    run = record_type(RunInfo)(period="2026-Q3", built_at="2026-09-30T00:00:00+00:00", versions={}, dataset="shop",
                               config_hash="h", settings="{}", money_unit="ед.")
    parts = {part: None for part in HISTORY.parts}
    parts.update(run=run, search=record_type(ModelSearch)(best="logreg", best_cv_auc=cv_auc),
                 evaluation=record_type(Evaluation)(threshold=threshold),
                 customer_list=record_type(CustomerList)(people=people.assign(control=people["control"].astype(bool))))
    return HISTORY.snapshot(**parts)


def data(outcomes: dict[int, int]) -> CleanData:
    frame = pd.DataFrame({TARGET: [DECLINED if v else STABLE for v in outcomes.values()]}, index=list(outcomes))
    return CleanData(frame, len(frame), (), (), {}, {})


def people(rows: list[tuple[int, float, str, int, str]]) -> pd.DataFrame:
    """(id, probability, segment, control, offers)."""
    frame = pd.DataFrame(rows, columns=["id", "probability", "segment", "control", "offers"]).set_index("id")
    return frame.assign(profit=1.0, profit_at_risk=1.0, declined=0)


def test_known_probabilities_and_outcomes_give_known_auc_and_rates() -> None:
    # Four customers, ranked 0.9 > 0.8 > 0.3 > 0.2; those at 0.9 and 0.3 declined: of 4 pairs, 3 are ranked right.
    rows = [(1, 0.9, VALUABLE_AT_RISK, 0, "x"), (2, 0.8, VALUABLE_AT_RISK, 0, "x"), (3, 0.3, VALUABLE_STABLE, 0, ""), (4, 0.2, VALUABLE_STABLE, 0, "")]
    result = backtest(Reference((snapshot(people(rows)),)), data({1: 1, 2: 0, 3: 1, 4: 0, 9: 1}), BacktestConfig(), 200, 0)
    assert result is not None
    assert result.customers == 4  # customer 9 is new: not in the back-test
    assert result.roc_auc == pytest.approx(0.75)
    assert result.predicted_rate == pytest.approx(0.5) and result.actual_rate == pytest.approx(0.5)
    assert result.precision == pytest.approx(0.5) and result.recall == pytest.approx(0.5)
    assert result.brier == pytest.approx(((0.9 - 1) ** 2 + 0.8**2 + (0.3 - 1) ** 2 + 0.2**2) / 4)
    assert not result.auc_fell or result.cv_roc_auc_then - result.roc_auc > 0.05
    assert result.auc_fell  # 0,75 against the 0,90 promised


def test_no_shared_customers_no_backtest() -> None:
    rows = [(1, 0.9, VALUABLE_AT_RISK, 0, "x"), (2, 0.1, VALUABLE_STABLE, 0, "")]
    assert backtest(Reference((snapshot(people(rows)),)), data({5: 1, 6: 0}), BacktestConfig(), 200, 0) is None
    assert backtest(Reference(), data({5: 1, 6: 0}), BacktestConfig(), 200, 0) is None


def test_uplift_compares_offered_and_control_at_risk_customers() -> None:
    rng = np.random.default_rng(0)
    rows, outcomes = [], {}
    for i in range(800):
        control = int(i < 200)
        rows.append((i, 0.8, USUAL_AT_RISK, control, "" if control else "Предложение (сайт)"))
        outcomes[i] = int(rng.random() < (0.6 if control else 0.4))  # offers prevent a third of the drops
    for i in range(800, 900):
        rows.append((i, 0.2, VALUABLE_STABLE, 0, ""))
        outcomes[i] = int(rng.random() < 0.1)
    result = backtest(Reference((snapshot(people(rows)),)), data(outcomes), BacktestConfig(), 200, 0)
    offer, control = result.groups
    assert (offer.name, offer.customers, control.name, control.customers) == ("offer", 600, "control", 200)
    expected_offer = np.mean([outcomes[i] for i in range(200, 800)])
    expected_control = np.mean([outcomes[i] for i in range(200)])
    assert offer.actual_rate == pytest.approx(expected_offer) and control.actual_rate == pytest.approx(expected_control)
    assert result.uplift == pytest.approx(expected_control - expected_offer)
    low, high = result.uplift_ci95
    assert low < result.uplift < high
    assert result.verdict == "effect" and low > 0


def test_small_groups_are_too_early_to_read() -> None:
    rows = [(i, 0.8, USUAL_AT_RISK, int(i < 3), "" if i < 3 else "x") for i in range(20)]
    outcomes = {i: i % 2 for i in range(20)}
    result = backtest(Reference((snapshot(people(rows)),)), data(outcomes), BacktestConfig(), 200, 0)
    assert result.verdict == "small_groups"


def test_persistence_is_measured_on_the_same_customers() -> None:
    """Last quarter's labels: 1 and 2 declined. This quarter 1 and 3 did: persistence finds one of two, one of two right."""
    from histories import clean, people as plan_people, snapshot as quarter

    ids = pd.Index([1, 2, 3, 4])
    then = clean(pd.Series([1, 1, 0, 0], index=ids))
    assigned = plan_people(ids, probability=[0.9, 0.2, 0.8, 0.1])
    result = backtest(Reference((quarter("2026-Q2", then, assigned),)), clean(pd.Series([1, 0, 1, 0], index=ids)), BacktestConfig(), 200, 0)
    assert result.persistence_precision == pytest.approx(0.5) and result.persistence_recall == pytest.approx(0.5)
    assert result.persistence_roc_auc == pytest.approx(0.5)
    assert result.roc_auc == pytest.approx(1.0) and not result.beaten_by_persistence
    assert result.constant_brier == pytest.approx(0.25)  # last quarter's share of decliners, a half, given to everyone
    assert result.kind_then == "same_quarter" and result.mean_predicted == pytest.approx(0.5)


def test_the_plan_is_checked_against_its_control_group() -> None:
    """400 planned customers, 100 held back; the offered ones decline at 40 %, the control group at 60 %."""
    from histories import clean, people as plan_people, snapshot as quarter

    ids = pd.Index(np.arange(400))
    control = ids < 100
    assigned = plan_people(ids, in_plan=True, control=control, expected_gain=2.0, profit=5.0, cost=0.5,
                           rules=np.where(control, "", "cart"), offers=np.where(control, "", "Корзина (сайт)"))
    declined = pd.Series(np.where(control, (ids % 10 < 6), (ids % 10 < 4)).astype(int), index=ids)
    reference = Reference((quarter("2026-Q2", clean(pd.Series(0, index=ids)), assigned),))
    result = backtest(reference, clean(declined), BacktestConfig(), 200, 0, months=3)
    check = result.plan
    assert (check.offered, check.control) == (300, 100)
    assert check.uplift == pytest.approx(0.2)
    assert check.promised == pytest.approx(600.0)  # 300 × 2
    # The measured drop × the profit the offered customers stood to lose, less what their contacts cost.
    assert check.measured == pytest.approx(0.2 * 300 * 5.0 * 3 - 300 * 0.5)
    assert check.measured_ci95[0] < check.measured < check.measured_ci95[1]
