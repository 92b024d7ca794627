"""Offers from configured rules, each fired only where the segment's data supports it, sent only where allowed.

A promotional message (e-mail, push, SMS) needs the customer's consent; a customer who has not
agreed to mailings is reached only through the site, so reach counts only those an offer can reach.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from report_builder.config import SITE, OfferRule, RecommendationsConfig
from report_builder.labels import CONSENT, CONSENT_YES, PROBABILITY, PROFIT_AT_RISK, SEGMENT
from report_builder.results.segments import Action, Offer, Recommendations, Segmentation


def recommend(segmentation: Segmentation, config: RecommendationsConfig, seed: int) -> Recommendations:
    frame = segmentation.customers
    stable = frame[frame[PROBABILITY] < segmentation.threshold]
    control = control_group(segmentation, config.control_share, seed)
    offered = frame.drop(index=list(control))  # the control group gets no offer: it shows what offers change
    fired: list[Offer] = []
    rejected: list[Offer] = []
    for rule in config.rules:
        # The settings admit only numeric features (`OfferRule.feature`).
        for stats in segmentation.segments:
            if not stats.at_risk or stats.customers == 0:
                continue
            part = offered.loc[offered.index.intersection(list(segmentation.members[stats.name]))]
            offer = _evaluate(rule, stats.name, part, stable, rule.feature in segmentation.defined_by.get(stats.name, ()))
            if offer.fired:
                fired.append(offer)
            elif stats.name == segmentation.priority:
                rejected.append(offer)
    fired.sort(key=lambda o: -o.profit_at_risk)
    rules = {r.name: r for r in config.rules}
    return Recommendations(
        actions=_actions(fired, segmentation, rules),
        offers=tuple(fired),
        rejected=tuple(rejected),
        per_customer=_per_customer(fired, frame, rules),
        control=tuple(sorted(control)),
        control_share=config.control_share,
    )


def control_group(segmentation: Segmentation, share: float, seed: int) -> set[int]:
    """A seeded random share of the at-risk customers of each base segment, held back from every offer."""
    if share <= 0:
        return set()
    frame = segmentation.customers
    at_risk = frame[frame[PROBABILITY] >= segmentation.threshold]
    rng = np.random.default_rng(seed)
    chosen: set[int] = set()
    for _, part in at_risk.groupby(SEGMENT, sort=True):
        size = int(round(share * len(part)))
        chosen |= {int(i) for i in rng.choice(np.sort(part.index.to_numpy()), size=size, replace=False)}
    return chosen


def channels_for(rule: OfferRule, consent: bool) -> tuple[str, ...]:
    """The channels an offer may use for a customer: messages only with consent."""
    return rule.channels if consent else tuple(c for c in rule.channels if c == SITE)


def _reachable(part: pd.DataFrame, rule: OfferRule) -> pd.Series:
    return (part[CONSENT] == CONSENT_YES) | (SITE in rule.channels)


def _meets(values: pd.Series, rule: OfferRule) -> pd.Series:
    return values >= rule.value if rule.op == ">=" else values <= rule.value


def _evaluate(rule: OfferRule, segment: str, part: pd.DataFrame, stable: pd.DataFrame, by_definition: bool = False) -> Offer:
    meets = _meets(part[rule.feature], rule)
    share_segment = float(meets.mean())
    share_stable = float(_meets(stable[rule.feature], rule).mean()) if len(stable) else 0.0
    lift_ok = share_segment >= rule.min_lift * share_stable if share_stable > 0 else share_segment > 0
    reachable = meets & _reachable(part, rule)
    targeted = part[reachable]
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
        unreachable=int((meets & ~reachable).sum()),
        by_definition=by_definition,
    )


def _per_customer(fired: list[Offer], frame: pd.DataFrame, rules: dict[str, OfferRule]) -> dict[int, tuple[str, ...]]:
    """Customer id -> the offers for them, each with the channels allowed for that customer."""
    per_customer: dict[int, list[str]] = {}
    for offer in fired:
        rule = rules[offer.rule]
        for customer in offer.customer_ids:
            consent = frame.at[customer, CONSENT] == CONSENT_YES
            text = f"{offer.title} ({', '.join(channels_for(rule, consent))})"
            offers = per_customer.setdefault(customer, [])
            if text not in offers:
                offers.append(text)
    return {k: tuple(v) for k, v in per_customer.items()}


def _actions(fired: list[Offer], segmentation: Segmentation, rules: dict[str, OfferRule]) -> tuple[Action, ...]:
    at_risk = segmentation.customers[PROFIT_AT_RISK]
    actions = []
    for name in dict.fromkeys(o.rule for o in fired):
        offers = [o for o in fired if o.rule == name]
        rule = rules[name]
        customers = sorted({c for o in offers for c in o.customer_ids})
        actions.append(
            Action(
                rule=name,
                title=offers[0].title,
                action=offers[0].action,
                segments=tuple(o.segment for o in offers),
                customers=len(customers),
                profit_at_risk=float(at_risk.loc[customers].sum()),
                channels=rule.channels,
                owner=rule.owner,
                start=rule.start,
                unreachable=sum(o.unreachable for o in offers),
            )
        )
    return tuple(sorted(actions, key=lambda a: -a.profit_at_risk))
