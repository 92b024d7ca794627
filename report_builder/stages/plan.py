"""Whom to contact next quarter, with which offer, for what expected gain, within the budget; who is held back.

A customer's expected gain from an offer is «forecast probability × monthly profit × share of profit a
decline loses × months × share of declines the offer prevents»; the net gain subtracts the contact's
price and any discount. The best offer per customer is kept; with prices known the customers are
taken by net gain per unit spent until the budget is used (the greedy order, which is how money is
best spent when every contact costs about the same), and only where the net gain is positive.
Without prices nothing can be said to pay: the plan lists everyone an offer fits, with the price per
contact under which it pays (the break-even). A random share of the planned customers is held back
as the control group: the next quarter shows what the offers changed.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from report_builder.config import BacktestConfig, OfferRule, RecommendationsConfig
from report_builder.labels import CONSENT, CONSENT_YES, PROBABILITY, PROFIT, REVENUE_COLUMNS, SEGMENT
from report_builder.results.effects import Effects
from report_builder.results.plan import Curve, Plan, PlanSummary, Power, Uncovered, Value, combined_source
from report_builder.results.segments import Recommendations, Segmentation
from report_builder.uplift import MAX_SHARE, control_needed, effect_size, quarters_needed, share_for


def plan(
    segmentation: Segmentation,
    recommendations: Recommendations,
    effects: Effects,
    config: RecommendationsConfig,
    experiment: BacktestConfig,
    seed: int,
) -> Plan:
    frame = segmentation.customers
    rules = {r.name: r for r in config.rules}
    dropped = tuple(name for name in recommendations.eligible.columns if (e := effects.for_offer(name)) is not None and not e.works)
    usable = [rules[name] for name in recommendations.eligible.columns if name not in dropped]
    kept = frame[PROBABILITY] * frame[PROFIT] * effects.loss.share * segmentation.months  # profit a decline would take
    options = {rule.name: _option(rule, frame, kept, effects, config, recommendations.eligible[rule.name]) for rule in usable}
    chosen = _best(options, frame.index)
    costs_known = bool(chosen["cost"].notna().all())
    ordered = _order(chosen, costs_known)
    in_plan = _within(ordered, config.budget, costs_known)
    chosen["in_plan"] = chosen.index.isin(in_plan.index)
    power = _power(chosen[chosen["in_plan"]], frame, config, experiment)
    chosen["control"] = chosen.index.isin(_control(chosen[chosen["in_plan"]], frame, power.control_share, seed))
    offered = chosen[chosen["in_plan"] & ~chosen["control"]]
    return Plan(
        headline=_headline(offered, config.budget, costs_known, ordered, _unpriced(chosen)),
        power=_counted(power, int(chosen["control"].sum())),
        uncovered=_uncovered(segmentation, recommendations, chosen, dropped),
        by_segment=_sorted(_value(part, str(name), None, costs_known) for name, part in offered.groupby(frame.loc[offered.index, SEGMENT])),
        by_offer=_sorted(_value(part, None, rules[str(name)], costs_known) for name, part in offered.groupby("rule")),
        dropped=dropped,
        customers=chosen,
        eligible=recommendations.eligible[[r.name for r in usable]],
        curve=_curve(ordered, costs_known),
        months=segmentation.months,
        loss_share=effects.loss.share,
        loss_source=effects.loss.source,
    )


def _option(rule: OfferRule, frame: pd.DataFrame, kept: pd.Series, effects: Effects, config: RecommendationsConfig,
            eligible: pd.Series) -> pd.DataFrame:
    """One offer for every customer it fits: its channels, gain (with the measured range), price and net gain."""
    fits = frame.index[eligible.reindex(frame.index, fill_value=False).to_numpy(dtype=bool)]
    effect, low, high, source, basis = _effects(rule.name, frame.loc[fits, SEGMENT], effects)
    consent = frame.loc[fits, CONSENT] == CONSENT_YES
    reach = {True: rule.reach(True), False: rule.reach(False)}
    prices = {k: rule.contact_cost(v, config.channel_costs) for k, v in reach.items()}
    revenue = frame.loc[fits, list(REVENUE_COLUMNS)].mean(axis=1)
    discount = _discount(rule, revenue, config.revenue_to_money)
    price = consent.map(lambda c: prices[bool(c)]).astype(float)
    cost = price + discount
    gain = kept.loc[fits] * effect
    return pd.DataFrame({
        "rule": rule.name,
        "title": rule.title,
        "channels": consent.map(lambda c: ", ".join(reach[bool(c)])),
        "gain": gain,
        "gain_low": kept.loc[fits] * low,
        "gain_high": kept.loc[fits] * high,
        "cost": cost,
        "net": gain - cost,
        "effect": effect,
        "effect_source": source,
        "measured_segment": basis.map(lambda g: g[0] if g else None),  # the group whose measurement the money uses
        "measured_offer": basis.map(lambda g: g[1] if g else None),
    }, index=fits)


def _effects(rule: str, segments: pd.Series, effects: Effects) -> tuple[pd.Series, pd.Series, pd.Series, pd.Series, pd.Series]:
    """Per customer: the effect the money uses for this offer in the customer's segment, its measured range, source and
    the group it was measured in (`Effects.applied`)."""
    found = {name: effects.applied(rule, name) for name in segments.unique()}
    effect = segments.map(lambda s: found[s].effect).astype(float)
    low = segments.map(lambda s: found[s].interval[0] if found[s].interval else np.nan).astype(float)
    high = segments.map(lambda s: found[s].interval[1] if found[s].interval else np.nan).astype(float)
    return effect, low, high, segments.map(lambda s: found[s].source), segments.map(lambda s: found[s].group)


def _discount(rule: OfferRule, revenue: pd.Series, revenue_to_money: float | None) -> pd.Series:
    """What a discount costs in profit units: its share of a month's purchase; unknown without its size or the unit rate."""
    if rule.discount == 0:
        return pd.Series(0.0, index=revenue.index)
    if rule.discount is None or revenue_to_money is None:
        return pd.Series(np.nan, index=revenue.index)
    return revenue * rule.discount * revenue_to_money


def _best(options: dict[str, pd.DataFrame], index: pd.Index) -> pd.DataFrame:
    """One offer per customer: the largest net gain where the price is known, else the largest gain."""
    if not options:
        columns = ["rule", "title", "channels", "gain", "gain_low", "gain_high", "cost", "net", "effect", "effect_source",
                   "measured_segment", "measured_offer"]
        return pd.DataFrame(columns=columns, index=pd.Index([], name=index.name))
    stacked = pd.concat(options.values())
    stacked["score"] = stacked["net"].fillna(stacked["gain"])
    stacked = stacked.rename_axis("customer").reset_index()
    best = stacked.sort_values(["customer", "score"], ascending=[True, False], kind="stable").drop_duplicates("customer")
    return best.set_index("customer").rename_axis(index.name).drop(columns="score")


def _order(chosen: pd.DataFrame, costs_known: bool) -> pd.DataFrame:
    """The customers worth contacting, best return first: by net gain per unit spent (free contacts first), or by gain.

    A customer whose offer is measured to change nothing in their segment gains nothing and is left out."""
    if not costs_known:
        return chosen[chosen["gain"] > 0].sort_values("gain", ascending=False, kind="stable")
    paying = chosen[chosen["net"] > 0]
    ratio = np.where(paying["cost"] > 0, paying["net"] / paying["cost"].where(paying["cost"] > 0, 1.0), np.inf)
    return paying.assign(_ratio=ratio).sort_values(["_ratio", "net"], ascending=False, kind="stable").drop(columns="_ratio")


def _within(ordered: pd.DataFrame, budget: float | None, costs_known: bool) -> pd.DataFrame:
    if budget is None or not costs_known:
        return ordered
    return ordered[ordered["cost"].cumsum() <= budget + 1e-9]


def _power(planned: pd.DataFrame, frame: pd.DataFrame, config: RecommendationsConfig, experiment: BacktestConfig) -> Power:
    base = float(frame.loc[planned.index, PROBABILITY].mean()) if len(planned) else 0.0
    h = effect_size(base, config.assumed_min_effect) if 0 < base < 1 else 0.0
    size = len(planned)
    recommended = share_for(h, size, experiment.quarters_to_verdict, experiment.alpha, experiment.power) if h > 0 else None
    auto = config.control_share == "auto"
    share = (recommended if recommended is not None else MAX_SHARE) if auto else float(config.control_share)
    needed = control_needed(h, share if share > 0 else MAX_SHARE, experiment.alpha, experiment.power) if h > 0 else 0
    return Power(
        min_effect=config.assumed_min_effect,
        base_rate=base,
        control_needed=needed,
        control_now=0,
        control_share=share,
        quarters_to_verdict=quarters_needed(h, share, size, experiment.alpha, experiment.power) if h > 0 else None,
        recommended_share=recommended,
        target_quarters=experiment.quarters_to_verdict,
        detection=experiment.power,
        auto=auto,
    )


def _counted(power: Power, control: int) -> Power:
    return Power(**{**power.__dict__, "control_now": control})


def _control(planned: pd.DataFrame, frame: pd.DataFrame, share: float, seed: int) -> set[int]:
    """A seeded random share of the planned customers of each segment, held back from every offer."""
    if share <= 0 or planned.empty:
        return set()
    rng = np.random.default_rng(seed)
    chosen: set[int] = set()
    for _, part in frame.loc[planned.index].groupby(SEGMENT, sort=True):
        size = int(round(share * len(part)))
        chosen |= {int(i) for i in rng.choice(np.sort(part.index.to_numpy()), size=size, replace=False)}
    return chosen


def _unpriced(chosen: pd.DataFrame) -> tuple[str, ...]:
    """The offers without a price, when some offers have one (none priced: no prices are set at all)."""
    missing = chosen["cost"].isna()
    return tuple(sorted(set(chosen.loc[missing, "title"]))) if missing.any() and not missing.all() else ()


def _headline(offered: pd.DataFrame, budget: float | None, costs_known: bool, ordered: pd.DataFrame,
              unpriced: tuple[str, ...]) -> PlanSummary:
    gain = float(offered["gain"].sum())
    cost = float(offered["cost"].sum()) if costs_known else None
    has_range = len(offered) and offered["gain_low"].notna().all()
    low, high = (float(offered["gain_low"].sum()), float(offered["gain_high"].sum())) if has_range else (None, None)
    return PlanSummary(
        budget=budget,
        customers=len(offered),
        cost=cost,
        expected_gain=gain - (cost or 0.0),
        expected_gain_range=(low - (cost or 0.0), high - (cost or 0.0)) if low is not None and high is not None else None,
        break_even_cost=gain / len(offered) if len(offered) else 0.0,
        costs_known=costs_known,
        best_spend=float(ordered["cost"].sum()) if costs_known else None,
        unpriced=unpriced,
    )


def _value(part: pd.DataFrame, segment: str | None, rule: OfferRule | None, costs_known: bool) -> Value:
    has_range = part["gain_low"].notna().all()
    return Value(
        segment=segment,
        offer=rule.name if rule else None,
        title=rule.title if rule else str(segment),
        action=rule.action if rule else "",
        channels=rule.channels if rule else (),
        owner=rule.owner if rule else "",
        start=rule.start if rule else "",
        customers=len(part),
        gain=float(part["gain"].sum()),
        gain_range=(float(part["gain_low"].sum()), float(part["gain_high"].sum())) if has_range else None,
        cost=float(part["cost"].sum()) if costs_known else None,
        break_even_cost=float(part["gain"].mean()),
        effect=float(part["effect"].mean()),
        effect_source=combined_source(part["effect_source"]),
    )


def _sorted(values: Iterable[Value]) -> tuple[Value, ...]:
    """Largest expected gain (net of cost, when known) first."""
    return tuple(sorted(values, key=lambda v: -(v.net if v.net is not None else v.gain)))


def _uncovered(segmentation: Segmentation, recommendations: Recommendations, chosen: pd.DataFrame, dropped: tuple[str, ...]) -> tuple[Uncovered, ...]:
    """At-risk customers the plan leaves out, each counted once under the first reason that applies."""
    frame = segmentation.customers
    at_risk = frame.index[frame[PROBABILITY] >= segmentation.threshold]
    eligible = recommendations.eligible.reindex(at_risk, fill_value=False)
    any_rule = eligible.any(axis=1)
    working = eligible.drop(columns=list(dropped)).any(axis=1) if dropped else any_rule
    left = ~at_risk.isin(chosen.index[chosen["in_plan"].to_numpy(dtype=bool)])
    kept = chosen["net"].fillna(chosen["gain"]).reindex(at_risk)  # net gain where prices are known, else the gain
    reasons = np.select(
        [~any_rule.to_numpy(), ~working.to_numpy(), ~(kept > 0).to_numpy() & kept.notna().to_numpy()],
        [np.where(at_risk.isin(list(recommendations.unreachable)), "no_consent", "no_rule"), "not_working", "not_paying"],
        default="budget",
    )[left]
    found = pd.Series(reasons).value_counts()
    order = ("no_rule", "no_consent", "not_working", "not_paying", "budget")
    return tuple(Uncovered(reason, int(found[reason])) for reason in order if reason in found)  # type: ignore[arg-type]


def _curve(ordered: pd.DataFrame, costs_known: bool) -> Curve:
    """Cumulative spend and net gain in the plan's order (without prices: contacts counted, gain before costs)."""
    spend = ordered["cost"].cumsum().to_numpy(dtype=float) if costs_known else np.arange(1, len(ordered) + 1, dtype=float)
    cost = ordered["cost"].fillna(0.0) if costs_known else 0.0
    net = (ordered["gain"] - cost).cumsum().to_numpy(dtype=float)
    ranged = len(ordered) and ordered["gain_low"].notna().all()
    low = (ordered["gain_low"] - cost).cumsum().to_numpy(dtype=float) if ranged else None
    high = (ordered["gain_high"] - cost).cumsum().to_numpy(dtype=float) if ranged else None
    return Curve(np.r_[0.0, spend], np.r_[0.0, net], None if low is None else np.r_[0.0, low], None if high is None else np.r_[0.0, high])
