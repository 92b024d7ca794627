"""The contact plan on a hand case: who is chosen with and without a binding budget, prices, consent, control group."""

from __future__ import annotations

import pandas as pd
import pytest

from report_builder.config import BacktestConfig, OfferRule, RecommendationsConfig
from report_builder.labels import CONSENT, PROBABILITY, PROFIT, PROFIT_AT_RISK, REVENUE_COLUMNS, SEGMENT
from report_builder.results.effects import Effects, Loss
from report_builder.results.segments import Recommendations, Segmentation
from report_builder.stages.plan import plan

PAGES = "Страниц_за_визит"
# id: (probability, monthly profit, consent); every one meets the rule (pages <= 5).
CUSTOMERS = {1: (0.9, 10.0, "да"), 2: (0.5, 10.0, "да"), 3: (0.8, 2.0, "да"), 4: (0.6, 5.0, "да"), 5: (0.3, 1.0, "нет")}
# Expected gain at the assumed 20 %, 3 months, the whole profit lost: p × profit × 3 × 0.2.
GAIN = {1: 5.4, 2: 3.0, 3: 0.96, 4: 1.8, 5: 0.18}
RULE = OfferRule(name="pages", title="Подборки", action="подборки", feature=PAGES, op="<=", value=5, channels=("сайт", "email"))
PRICES = {"сайт": 0.1, "email": 1.0}  # a customer with consent is reached by both: 1.1


def segmentation() -> Segmentation:
    frame = pd.DataFrame.from_dict(CUSTOMERS, orient="index", columns=[PROBABILITY, PROFIT, CONSENT])
    frame[PAGES] = 3.0
    for column in REVENUE_COLUMNS:
        frame[column] = 100.0
    frame[SEGMENT] = "Ценные в зоне риска"
    frame[PROFIT_AT_RISK] = frame[PROBABILITY] * frame[PROFIT] * 3
    return Segmentation(customers=frame, members={"Ценные в зоне риска": tuple(CUSTOMERS)}, segments=(), priority="Ценные в зоне риска",
                        threshold=0.5, value_threshold=0.0, months=3, contrasts=(), priority_drivers=())


def recommendations() -> Recommendations:
    eligible = pd.DataFrame({"pages": True}, index=pd.Index(list(CUSTOMERS)))
    return Recommendations(actions=(), offers=(), rejected=(), eligible=eligible)


NOTHING_MEASURED = Effects(effects=(), loss=Loss(1.0, "assumed"), assumed=0.2, max_ci_width=0.2)


def make(**settings: object):
    config = RecommendationsConfig(**{"rules": (RULE,), "control_share": 0.0, **settings})
    return plan(segmentation(), recommendations(), NOTHING_MEASURED, config, BacktestConfig(), 0)


def test_with_prices_the_paying_customers_are_chosen_best_return_first() -> None:
    made = make(channel_costs=PRICES)
    chosen = made.customers
    assert chosen.loc[1:4, "cost"].tolist() == pytest.approx([1.1] * 4)
    assert chosen.at[5, "cost"] == pytest.approx(0.1)  # no consent: only the site reaches them, at its price
    assert chosen.at[5, "channels"] == "сайт" and chosen.at[1, "channels"] == "сайт, email"
    assert chosen["gain"].to_dict() == pytest.approx(GAIN)
    assert set(chosen.index[chosen["in_plan"]]) == {1, 2, 4, 5}  # 3 keeps 0,96 for a price of 1,1: it does not pay
    head = made.headline
    assert head.costs_known and head.customers == 4
    assert head.cost == pytest.approx(1.1 * 3 + 0.1)
    assert head.expected_gain == pytest.approx(5.4 + 3.0 + 1.8 + 0.18 - 3.4)
    assert {u.reason: u.customers for u in made.uncovered} == {"not_paying": 1}


def test_a_binding_budget_takes_the_best_return_per_unit_spent() -> None:
    made = make(channel_costs=PRICES, budget=2.3)
    # Net per unit spent: 5 (0,08 / 0,1), 1 (4,3 / 1,1), 2 (1,9 / 1,1), 4 (0,7 / 1,1): 5, 1 and 2 fit into 2,3.
    assert set(made.customers.index[made.customers["in_plan"]]) == {5, 1, 2}
    assert made.headline.cost == pytest.approx(2.3) and made.headline.budget == 2.3
    assert {u.reason: u.customers for u in made.uncovered} == {"not_paying": 1, "budget": 1}
    assert made.headline.best_spend == pytest.approx(3.4)  # all four paying customers: what money would be best spent on


def test_a_budget_that_does_not_bind_changes_nothing() -> None:
    free, ample = make(channel_costs=PRICES), make(channel_costs=PRICES, budget=100.0)
    assert free.customers["in_plan"].equals(ample.customers["in_plan"])
    assert free.headline.expected_gain == pytest.approx(ample.headline.expected_gain)


def test_without_prices_nothing_is_said_to_pay_and_the_break_even_is_given() -> None:
    made = make(budget=2.0)  # a budget cannot bind what has no price
    head = made.headline
    assert not head.costs_known and head.cost is None and head.best_spend is None
    assert head.customers == 5 and head.expected_gain == pytest.approx(sum(GAIN.values()))
    assert head.break_even_cost == pytest.approx(sum(GAIN.values()) / 5)
    value = made.by_offer[0]
    assert value.cost is None and value.net is None and value.break_even_cost == pytest.approx(sum(GAIN.values()) / 5)
    assert value.effect_source == "assumed" and value.effect == 0.2


def test_a_discount_needs_its_size_and_the_unit_rate() -> None:
    rule = RULE.model_copy(update={"discount": 0.05})
    config = RecommendationsConfig(rules=(rule,), control_share=0.0, channel_costs=PRICES)
    unknown = plan(segmentation(), recommendations(), NOTHING_MEASURED, config, BacktestConfig(), 0)
    assert not unknown.headline.costs_known
    known = plan(segmentation(), recommendations(), NOTHING_MEASURED, config.model_copy(update={"revenue_to_money": 0.01}),
                 BacktestConfig(), 0)
    assert known.customers.at[1, "cost"] == pytest.approx(1.1 + 100.0 * 0.05 * 0.01)


def test_the_control_group_is_a_seeded_share_of_the_planned_customers() -> None:
    config = RecommendationsConfig(rules=(RULE,), control_share=0.4)
    first = plan(segmentation(), recommendations(), NOTHING_MEASURED, config, BacktestConfig(), 7)
    again = plan(segmentation(), recommendations(), NOTHING_MEASURED, config, BacktestConfig(), 7)
    assert first.control == again.control and len(first.control) == 2  # 40 % of five planned customers
    assert set(first.control) <= set(first.customers.index[first.customers["in_plan"]])
    assert first.headline.customers == 3  # the control group gets nothing
    assert first.power.control_now == 2 and first.power.control_share == 0.4


def test_an_automatic_control_share_comes_from_the_power_calculation() -> None:
    made = make(control_share="auto")
    power = made.power
    assert power.auto and power.control_share == (power.recommended_share or 0.5)
    assert power.base_rate == pytest.approx(sum(p for p, _, _ in CUSTOMERS.values()) / 5)


def test_an_offer_without_a_price_is_named_when_others_have_one() -> None:
    from report_builder.report.narrative.plan import plan_line

    promo = RULE.model_copy(update={"name": "promo", "title": "Промокоды", "discount": None})  # its size is not set
    eligible = pd.DataFrame({"pages": True, "promo": [True, True, False, False, False]}, index=pd.Index(list(CUSTOMERS)))
    config = RecommendationsConfig(rules=(RULE, promo), control_share=0.0, channel_costs=PRICES)
    made = plan(segmentation(), Recommendations((), (), (), eligible), NOTHING_MEASURED, config, BacktestConfig(), 0)
    assert not made.headline.costs_known and made.headline.unpriced == ("Промокоды",)
    line = plan_line(made, "ед.")
    assert line.startswith("Цена известна не для всех предложений: у «Промокоды» не задана цена канала или размер скидки")
    assert make().headline.unpriced == ()  # nothing priced at all: no list, prices are simply not set
    assert plan_line(make(), "ед.").startswith("Цены контактов не заданы")
