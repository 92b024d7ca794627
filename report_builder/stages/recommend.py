"""Offers from configured rules, each fired only where the segment's data supports it, sent only where allowed.

Which customers get which offer, and who is held back as the control group, is the plan's to decide (`stages/plan.py`).

A promotional message (e-mail, push, SMS) needs the customer's consent; a customer who has not
agreed to mailings is reached only through the site, so reach counts only those an offer can reach.
"""

from __future__ import annotations

import pandas as pd

from report_builder.config import SITE, OfferRule, RecommendationsConfig
from report_builder.labels import CONSENT, CONSENT_YES, PROBABILITY, PROFIT_AT_RISK
from report_builder.results.segments import Action, Offer, Recommendations, Segmentation


def recommend(segmentation: Segmentation, config: RecommendationsConfig) -> Recommendations:
    """Rules fire per at-risk segment where its data supports them; each customer is then eligible for every fired
    rule whose condition they meet and whose channels can reach them («стабильные» included)."""
    frame = segmentation.customers
    stable = frame[frame[PROBABILITY] < segmentation.threshold]
    fired: list[Offer] = []
    rejected: list[Offer] = []
    for rule in config.rules:
        # The settings admit only numeric features (`OfferRule.feature`).
        for stats in segmentation.segments:
            if not stats.at_risk or stats.customers == 0:
                continue
            part = frame.loc[frame.index.intersection(list(segmentation.members[stats.name]))]
            offer = _evaluate(rule, stats.name, part, stable, rule.feature in segmentation.defined_by.get(stats.name, ()))
            if offer.fired:
                fired.append(offer)
            elif stats.name == segmentation.priority:
                rejected.append(offer)
    fired.sort(key=lambda o: -o.profit_at_risk)
    rules = {r.name: r for r in config.rules}
    used = [r for r in config.rules if any(o.rule == r.name for o in fired)]  # in the settings' order
    return Recommendations(
        actions=_actions(fired, segmentation, rules),
        offers=tuple(fired),
        rejected=tuple(rejected),
        eligible=_eligible(used, frame),
        unreachable=_unreachable(used, frame),
    )


def _eligible(rules: list[OfferRule], frame: pd.DataFrame) -> pd.DataFrame:
    """Per customer and fired rule: whether its condition holds and one of its channels can reach the customer."""
    return pd.DataFrame({rule.name: _meets(frame[rule.feature], rule) & _reachable(frame, rule) for rule in rules},
                        index=frame.index, dtype=bool)


def _unreachable(rules: list[OfferRule], frame: pd.DataFrame) -> tuple[int, ...]:
    """Customers who meet a fired rule's condition but whom no such rule can reach (no consent, no site channel)."""
    meets = pd.Series(False, index=frame.index)
    reached = pd.Series(False, index=frame.index)
    for rule in rules:
        condition = _meets(frame[rule.feature], rule)
        meets |= condition
        reached |= condition & _reachable(frame, rule)
    return tuple(int(i) for i in frame.index[meets & ~reached])


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
