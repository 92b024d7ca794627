"""Offers: a rule fires for an at-risk segment only where the segment's data supports it."""

from __future__ import annotations

import pandas as pd
import pytest

from report_builder.config import OfferRule, RecommendationsConfig
from pydantic import ValidationError
from report_builder.results.segments import Segmentation, SegmentStats
from report_builder.stages.recommend import recommend

CART = "Неоплаченные_продукты_штук_квартал"  # rule: >= 4
ERRORS = "Ошибка_сервиса"  # rule: >= 6
PAGES = "Страниц_за_визит"  # rule: <= 5

# id: (probability, cart, errors, pages). Stable: probability below 0.5.
CUSTOMERS = {
    1: (0.10, 5, 7, 9),
    2: (0.20, 4, 6, 9),
    3: (0.10, 1, 7, 8),
    4: (0.30, 0, 6, 8),
    5: (0.10, 2, 1, 9),
    6: (0.20, 3, 2, 7),
    7: (0.10, 1, 3, 8),
    8: (0.40, 0, 0, 9),
    11: (0.90, 6, 1, 9),
    12: (0.80, 4, 2, 8),
    13: (0.70, 9, 7, 4),
    14: (0.60, 0, 1, 3),
    15: (0.90, 1, 2, 5),
    16: (0.80, 2, 0, 9),
    21: (0.60, 5, 0, 9),
    22: (0.70, 4, 1, 8),
    23: (0.90, 0, 3, 7),
    24: (0.80, 1, 2, 9),
}
STABLE = (1, 2, 3, 4, 5, 6, 7, 8)  # cart: 2 of 8 (0.25); errors: 4 of 8 (0.5); pages: none
SEGMENTS = {
    "A": (11, 12, 13, 14, 15, 16),  # priority; cart: 3 of 6 (0.5); errors: 1 of 6; pages: 3 of 6
    "B": (21, 22, 23, 24),  # cart: 2 of 4; pages: none
    "C": (13, 14, 21, 23),  # overlaps A and B; cart: 2 of 4; pages: 2 of 4
    "S": STABLE,  # not at risk: never gets offers
}
AT_RISK = {"A": True, "B": True, "C": True, "S": False}
NO_CONSENT = ()  # every customer agreed to mailings, unless a test says otherwise


def segmentation(priority: str = "A") -> Segmentation:
    frame = pd.DataFrame.from_dict(CUSTOMERS, orient="index", columns=["probability", CART, ERRORS, PAGES])
    frame["profit_at_risk"] = [10.0 + 3 * i for i in frame.index]  # distinct, easy to recount
    frame["segment"] = ["S" if i in STABLE else "A" if i in SEGMENTS["A"] else "B" for i in frame.index]
    frame["Разрешить сообщать"] = ["нет" if i in NO_CONSENT else "да" for i in frame.index]
    stats = tuple(
        SegmentStats(
            name=name,
            description="",
            base=name != "C",
            at_risk=AT_RISK[name],
            customers=len(ids),
            share=len(ids) / len(frame),
            mean_probability=float(frame.loc[list(ids), "probability"].mean()),
            mean_profit=1.0,
            profit_at_risk=float(frame.loc[list(ids), "profit_at_risk"].sum()),
            revenue_3m=0.0,
        )
        for name, ids in SEGMENTS.items()
    )
    return Segmentation(
        customers=frame,
        members=dict(SEGMENTS),
        segments=stats,
        priority=priority,
        threshold=0.5,
        value_threshold=0.0,
        months=3,
        contrasts=(),
        priority_drivers=(),
    )


def rule(name: str, feature: str, op: str, value: float, channels: tuple[str, ...] = ("сайт", "email"), **limits: float) -> OfferRule:
    return OfferRule(
        name=name, title=f"Предложение {name}", action=f"действие {name}", feature=feature, op=op, value=value,
        channels=channels, **limits,
    )


CART_RULE = rule("cart", CART, ">=", 4)
ERRORS_RULE = rule("errors", ERRORS, ">=", 6, min_share=0.1)
PAGES_RULE = rule("pages", PAGES, "<=", 5)
RULES = (CART_RULE, ERRORS_RULE, PAGES_RULE)


def meets(ids: tuple[int, ...], column: int, op: str, value: float) -> list[int]:
    """Manual recount: customers among `ids` whose value in CUSTOMERS[...][column] meets the condition."""
    return [i for i in ids if (CUSTOMERS[i][column] >= value if op == ">=" else CUSTOMERS[i][column] <= value)]


def at_risk_of(ids: list[int]) -> float:
    return sum(10.0 + 3 * i for i in ids)


@pytest.mark.parametrize(
    ("min_share", "min_lift", "fires"),
    [
        (0.25, 1.3, True),  # 0.5 of the segment, 0.25 of the stable customers
        (0.5, 1.0, True),  # share exactly at min_share
        (0.51, 1.0, False),  # share below min_share
        (0.25, 2.0, True),  # share exactly min_lift × stable share
        (0.25, 2.5, False),  # not enough more common than among stable customers
        (0.0, 1.0, True),
    ],
)
def test_rule_fires_only_with_enough_share_and_lift(min_share: float, min_lift: float, fires: bool) -> None:
    config = RecommendationsConfig(rules=(rule("cart", CART, ">=", 4, min_share=min_share, min_lift=min_lift),))
    result = recommend(segmentation(), config)
    offer = next(o for o in (*result.offers, *result.rejected) if o.segment == "A")
    assert offer.share_segment == 0.5
    assert offer.share_stable == 0.25
    assert offer.fired is fires
    assert (offer in result.offers) is fires
    assert (offer in result.rejected) is (not fires)


def test_condition_more_common_among_stable_customers_is_rejected() -> None:
    result = recommend(segmentation(), RecommendationsConfig(rules=RULES))
    assert not [o for o in result.offers if o.rule == "errors"]
    rejected = [o for o in result.rejected if o.rule == "errors"]
    assert len(rejected) == 1
    offer = rejected[0]
    assert offer.segment == "A"  # the priority segment only
    assert not offer.fired
    assert offer.share_segment == pytest.approx(1 / 6)  # above its min_share of 0.1
    assert offer.share_stable == 0.5
    assert all(o.segment == "A" for o in result.rejected)


def test_rejected_offers_follow_the_priority_segment() -> None:
    result = recommend(segmentation(priority="B"), RecommendationsConfig(rules=RULES))
    assert {(o.rule, o.segment) for o in result.rejected} == {("errors", "B"), ("pages", "B")}


def test_offers_count_customers_and_profit_like_a_manual_recount() -> None:
    result = recommend(segmentation(), RecommendationsConfig(rules=RULES))
    columns = {CART: 1, ERRORS: 2, PAGES: 3}
    fired = {(o.rule, o.segment) for o in result.offers}
    assert fired == {("cart", "A"), ("cart", "B"), ("cart", "C"), ("pages", "A"), ("pages", "C")}
    for offer in result.offers:
        expected = meets(SEGMENTS[offer.segment], columns[offer.feature], offer.op, offer.value)
        assert offer.customers == len(expected), (offer.rule, offer.segment)
        assert sorted(offer.customer_ids) == sorted(expected), (offer.rule, offer.segment)
        assert offer.profit_at_risk == pytest.approx(at_risk_of(expected)), (offer.rule, offer.segment)
        assert offer.share_segment == pytest.approx(len(expected) / len(SEGMENTS[offer.segment]))
    assert all(o.segment != "S" for o in (*result.offers, *result.rejected))  # stable segment skipped
    profits = [o.profit_at_risk for o in result.offers]
    assert profits == sorted(profits, reverse=True)


def test_actions_count_each_customer_once_across_segments() -> None:
    result = recommend(segmentation(), RecommendationsConfig(rules=RULES))
    actions = {a.rule: a for a in result.actions}
    assert set(actions) == {"cart", "pages"}
    cart = actions["cart"]
    cart_ids = {11, 12, 13, 21, 22}  # 13 is in A and C, 21 in B and C
    assert sum(o.customers for o in result.offers if o.rule == "cart") == 7
    assert cart.customers == len(cart_ids)
    assert cart.profit_at_risk == pytest.approx(at_risk_of(sorted(cart_ids)))
    assert sorted(cart.segments) == ["A", "B", "C"]
    assert cart.title == "Предложение cart" and cart.action == "действие cart"
    pages = actions["pages"]
    assert pages.customers == 3  # 13, 14, 15
    assert pages.profit_at_risk == pytest.approx(at_risk_of([13, 14, 15]))
    profits = [a.profit_at_risk for a in result.actions]
    assert profits == sorted(profits, reverse=True)


def test_every_customer_meeting_a_fired_rule_is_eligible_stable_ones_too() -> None:
    result = recommend(segmentation(), RecommendationsConfig(rules=RULES))
    eligible = result.eligible
    assert list(eligible.columns) == ["cart", "pages"]  # errors never fired
    assert set(eligible.index[eligible["cart"]]) == {1, 2, 11, 12, 13, 21, 22}  # 1 and 2 are stable customers
    assert set(eligible.index[eligible["pages"]]) == {13, 14, 15}
    assert eligible.loc[13].tolist() == [True, True]


def test_unknown_feature_in_a_rule_is_refused_by_the_settings() -> None:
    with pytest.raises(ValidationError, match="Нет_такого_признака"):
        RecommendationsConfig(rules=(rule("bad", "Нет_такого_признака", ">=", 1),))


def test_rule_on_a_categorical_feature_is_refused_by_the_settings() -> None:
    with pytest.raises(ValidationError, match="нечисловой признак «Тип сервиса»"):
        RecommendationsConfig(rules=(rule("text", "Тип сервиса", ">=", 1),))


def test_customers_without_consent_get_no_messages(monkeypatch: pytest.MonkeyPatch) -> None:
    """12 and 13 meet the cart rule but did not agree to mailings: e-mail cannot reach them, the site can."""
    globals()["NO_CONSENT"] = (12, 13)
    try:
        seg = segmentation()
        by_mail = recommend(seg, RecommendationsConfig(rules=(rule("cart", CART, ">=", 4, channels=("email", "push")),)))
        on_site = recommend(seg, RecommendationsConfig(rules=(rule("cart", CART, ">=", 4, channels=("сайт", "email")),)))
    finally:
        globals()["NO_CONSENT"] = ()
    mail_offer = next(o for o in by_mail.offers if o.segment == "A")
    assert set(mail_offer.customer_ids) == {11} and mail_offer.unreachable == 2  # 11, 12, 13 meet it; 11 agreed
    assert mail_offer.customers == 1
    site_offer = next(o for o in on_site.offers if o.segment == "A")
    assert set(site_offer.customer_ids) == {11, 12, 13} and site_offer.unreachable == 0
    assert on_site.eligible.loc[[11, 12, 13], "cart"].all()
    assert not by_mail.eligible.loc[[12, 13], "cart"].any() and by_mail.eligible.at[11, "cart"]
    assert {12, 13} <= set(by_mail.unreachable) and not {12, 13} & set(on_site.unreachable)
    action = by_mail.actions[0]
    assert action.channels == ("email", "push") and action.unreachable >= 2
