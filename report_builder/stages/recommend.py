"""Offers from configured rules, each fired only where the segment's data supports it."""

from __future__ import annotations

import pandas as pd

from report_builder.config import OfferRule, RecommendationsConfig
from report_builder.errors import InputError
from report_builder.labels import FEATURES, NUMERIC, PROBABILITY, PROFIT_AT_RISK
from report_builder.results.segments import Action, Offer, Recommendations, Segmentation


def recommend(segmentation: Segmentation, config: RecommendationsConfig) -> Recommendations:
    frame = segmentation.customers
    stable = frame[frame[PROBABILITY] < segmentation.threshold]
    fired: list[Offer] = []
    rejected: list[Offer] = []
    for rule in config.rules:
        if rule.feature not in FEATURES:
            raise InputError(f"правило «{rule.name}» ссылается на неизвестный признак «{rule.feature}»")
        if rule.feature not in NUMERIC:
            raise InputError(f"правило «{rule.name}» сравнивает с числом нечисловой признак «{rule.feature}»")
        for stats in segmentation.segments:
            if not stats.at_risk or stats.customers == 0:
                continue
            part = frame.loc[list(segmentation.members[stats.name])]
            offer = _evaluate(rule, stats.name, part, stable)
            if offer.fired:
                fired.append(offer)
            elif stats.name == segmentation.priority:
                rejected.append(offer)
    fired.sort(key=lambda o: -o.profit_at_risk)
    per_customer: dict[int, list[str]] = {}
    for offer in fired:
        for customer in offer.customer_ids:
            titles = per_customer.setdefault(customer, [])
            if offer.title not in titles:
                titles.append(offer.title)
    return Recommendations(
        actions=_actions(fired, segmentation),
        offers=tuple(fired),
        rejected=tuple(rejected),
        per_customer={k: tuple(v) for k, v in per_customer.items()},
    )


def _meets(values: pd.Series, rule: OfferRule) -> pd.Series:
    return values >= rule.value if rule.op == ">=" else values <= rule.value


def _evaluate(rule: OfferRule, segment: str, part: pd.DataFrame, stable: pd.DataFrame) -> Offer:
    meets = _meets(part[rule.feature], rule)
    share_segment = float(meets.mean())
    share_stable = float(_meets(stable[rule.feature], rule).mean()) if len(stable) else 0.0
    lift_ok = share_segment >= rule.min_lift * share_stable if share_stable > 0 else share_segment > 0
    targeted = part[meets]
    return Offer(
        rule=rule.name,
        title=rule.title,
        action=rule.action,
        segment=segment,
        feature=rule.feature,
        op=rule.op,
        value=rule.value,
        share_segment=share_segment,
        share_stable=share_stable,
        fired=bool(share_segment >= rule.min_share and lift_ok),
        customers=len(targeted),
        profit_at_risk=float(targeted[PROFIT_AT_RISK].sum()),
        customer_ids=tuple(int(i) for i in targeted.index),
    )


def _actions(fired: list[Offer], segmentation: Segmentation) -> tuple[Action, ...]:
    at_risk = segmentation.customers[PROFIT_AT_RISK]
    actions = []
    for rule in dict.fromkeys(o.rule for o in fired):
        offers = [o for o in fired if o.rule == rule]
        customers = sorted({c for o in offers for c in o.customer_ids})
        actions.append(
            Action(
                rule=rule,
                title=offers[0].title,
                action=offers[0].action,
                segments=tuple(o.segment for o in offers),
                customers=len(customers),
                profit_at_risk=float(at_risk.loc[customers].sum()),
            )
        )
    return tuple(sorted(actions, key=lambda a: -a.profit_at_risk))
