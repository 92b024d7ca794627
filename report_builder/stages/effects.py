"""The offers' effect and a decline's cost, measured on every pair of neighbouring quarters in the history.

A quarter's plan assigned offers and held a random part of the planned customers back (the control
group); the next quarter's labels show how many of each group declined. The difference is read for
everyone, for each segment and for each offer, per quarter (Newcombe's interval) and pooled over
the quarters (inverse-variance); whether there is a difference at all, by the Cochran–Mantel–Haenszel
test, adjusted (Holm) over the segments, offers and cells large enough to decide, so that a harm read
in one group of many by chance does not leave it out of the plan for good. What a decline costs is
the profit change from one quarter to the next of customers who declined, against those who kept
their level.

Whether an offer was actually sent does not enter here: this is the effect of assigning it (intention to
treat), which is what a plan decides, so the money of the next plan rests on it. The back-test sets it
beside the effect per contacted customer when a quarter's data has its contacts table.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import pandas as pd

from report_builder.config import BacktestConfig, RecommendationsConfig
from report_builder.labels import BASE_SEGMENTS, DECLINED, PROFIT, TARGET
from report_builder.records import Record
from report_builder.results.data import CleanData
from report_builder.results.effects import Effect, Effects, Loss, QuarterUplift
from report_builder.results.history import Reference
from report_builder.uplift import Arm, Verdict, holds, holm, newcombe, no_difference_p, pooled
from report_builder.uplift import verdict as reading

LOSS_ROUNDS = 400  # bootstrap resamples for the interval of the measured loss


@dataclass(frozen=True)
class _Trial:
    """One quarter's assignments and the next quarter's labels, for the customers present in both."""

    period: str
    people: pd.DataFrame  # the history's record of each customer: segment, control, rules, eligible, …
    declined: pd.Series  # 1/0 the quarter after, same index


def effects(reference: Reference, data: CleanData, config: BacktestConfig, recommendations: RecommendationsConfig, seed: int) -> Effects:
    trials = list(_trials(reference, data))
    titles = {r.name: r.title for r in recommendations.rules}
    groups: list[tuple[str | None, str | None]] = [(None, None)]
    groups += [(s, None) for s in BASE_SEGMENTS if any((t.people["segment"] == s).any() for t in trials)]
    rules = _rules(trials)
    groups += [(None, r) for r in rules]
    groups += [(s, r) for r in rules for s, _ in groups[1 : 1 + len(BASE_SEGMENTS)] if s is not None]
    found = [_effect(segment, rule, titles.get(rule or ""), trials, config) for segment, rule in groups]
    # All offers together (the first group) are what the control group is sized for, tested as they are; the segments,
    # offers and cells whose groups are large enough to decide something are picked out of many: adjusted together (Holm).
    tested = [k for k, e in enumerate(found) if k and e.verdict != "small_groups" and e.p_value is not None]
    adjusted = [(0, found[0].p_value), *zip(tested, holm([found[k].p_value for k in tested]))]  # type: ignore[misc]
    for k, p in adjusted:
        found[k] = replace(found[k], p_adjusted=p, used=_used(found[k].verdict, found[k].uplift_ci95, p, config))
    return Effects(tuple(found), _loss(reference, data, recommendations.loss_share, config.min_group, seed),
                   recommendations.effect, config.max_ci_width, config.min_group, len(tested), config.alpha)


def _trials(reference: Reference, data: CleanData) -> Iterator[_Trial]:
    runs = list(reference.runs)
    for k, run in enumerate(runs):
        people = run.customer_list.people if run.customer_list is not None else None  # type: ignore[attr-defined]
        after = _labels(runs[k + 1]) if k + 1 < len(runs) else (data.customers[TARGET] == DECLINED).astype(int)
        if people is None or after is None or "control" not in people:
            continue
        both = people.index.intersection(after.index)
        if len(both):
            yield _Trial(run.run.period, people.loc[both], after.loc[both])  # type: ignore[attr-defined]


def _labels(run: Record) -> pd.Series | None:
    data = run.data  # type: ignore[attr-defined]
    if data is None or data.customers is None or TARGET not in data.customers:
        return None
    return (data.customers[TARGET] == DECLINED).astype(int)


def _rules(trials: list[_Trial]) -> list[str]:
    found: dict[str, None] = {}
    for trial in trials:
        if "rules" in trial.people:
            found.update(dict.fromkeys(str(r) for r in trial.people["rules"].dropna() if r))
    return list(found)


def _arms(trial: _Trial, segment: str | None, rule: str | None) -> tuple[np.ndarray, np.ndarray] | None:
    """(offered, control) masks of one trial for one group; None when the record cannot tell (an older history).

    For one offer, both sides are the customers the plan chose that offer for: those who got it, and those of the
    control group it was chosen for — so the two sides are alike in everything but the offer.
    """
    people = trial.people
    control = people["control"].fillna(False).astype(bool).to_numpy()
    planned = people["rules"] if "rules" in people and people["rules"].notna().any() else None
    if rule is None:
        assigned = people["offers"] if planned is None else planned
        offered = (assigned.fillna("").astype(str).str.len() > 0).to_numpy() & ~control
    else:
        if planned is None or not (control & (planned == rule).to_numpy()).any():
            return None
        chosen = (planned == rule).to_numpy()
        offered, control = chosen & ~control, chosen & control
    if segment is not None:
        mine = (people["segment"] == segment).to_numpy()
        offered, control = offered & mine, control & mine
    return offered, control


def _strata(segment: str | None, rule: str | None, trials: list[_Trial], alpha: float
            ) -> tuple[list[QuarterUplift], list[tuple[Arm, Arm]]]:
    """One group's (control, offered) arms in each quarter that measured it, with that quarter's difference."""
    quarters: list[QuarterUplift] = []
    strata: list[tuple[Arm, Arm]] = []
    for trial in trials:
        masks = _arms(trial, segment, rule)
        if masks is None:
            continue
        declined = trial.declined.to_numpy()
        offered = Arm(int(masks[0].sum()), int(declined[masks[0]].sum()))
        control = Arm(int(masks[1].sum()), int(declined[masks[1]].sum()))
        if offered.customers and control.customers:
            strata.append((control, offered))
            quarters.append(QuarterUplift(trial.period, offered.customers, control.customers, offered.rate, control.rate,
                                          *newcombe(control, offered, alpha)))
    return quarters, strata


def _effect(segment: str | None, rule: str | None, title: str | None, trials: list[_Trial], config: BacktestConfig) -> Effect:
    quarters, strata = _strata(segment, rule, trials, config.alpha)
    offered_n = sum(o.customers for _, o in strata)
    control_n = sum(c.customers for c, _ in strata)
    uplift, ci = pooled(strata, config.alpha) if strata else (None, None)
    verdict = reading(offered_n, control_n, ci, config.min_group, config.max_ci_width)
    return Effect(
        segment=segment,
        offer=rule,
        title=title,
        quarters=tuple(q.period for q in quarters),
        offered=offered_n,
        control=control_n,
        offered_rate=sum(o.declined for _, o in strata) / offered_n if offered_n else 0.0,
        control_rate=sum(c.declined for c, _ in strata) / control_n if control_n else 0.0,
        uplift=uplift,
        uplift_ci95=ci,
        verdict=verdict,
        used=_used(verdict, ci, None, config),
        by_quarter=tuple(quarters),
        p_value=no_difference_p(strata),
    )


def _used(verdict: Verdict, ci: tuple[float, float] | None, p_adjusted: float | None, config: BacktestConfig
          ) -> Literal["measured", "assumed"]:
    """Whether the money rests on a measurement: a narrow interval; an interval wholly below zero only when the harm
    holds with Holm's adjustment for every comparison made, however narrow or wide. Of several groups one reads
    «вредят» by chance now and then (and a control group where nobody declined narrows the pooled interval more than
    its counts allow), while a group the plan leaves out is never measured again."""
    if verdict == "small_groups" or ci is None:
        return "assumed"
    if verdict == "harm":
        return "measured" if holds(p_adjusted, config.alpha) else "assumed"
    return "measured" if ci[1] - ci[0] <= config.max_ci_width else "assumed"


def _loss(reference: Reference, data: CleanData, assumed: float, min_group: int, seed: int) -> Loss:
    """Over every pair of neighbouring quarters, among customers at their level in the first: (Δ profit of those who kept it
    − Δ profit of those who declined) / the decliners' profit before."""
    runs = [r for r in reference.runs if r.data is not None and r.data.customers is not None]  # type: ignore[attr-defined]
    frames = [r.data.customers for r in runs] + [data.customers]  # type: ignore[attr-defined]
    rows = []
    for before, after in zip(frames, frames[1:]):
        if PROFIT not in before or PROFIT not in after:
            continue
        both = before.index.intersection(after.index)
        kept = both[(before.loc[both, TARGET] != DECLINED).to_numpy()]  # at their level before: a decline is a change
        rows.append(pd.DataFrame({
            "before": before.loc[kept, PROFIT].astype(float).to_numpy(),
            "after": after.loc[kept, PROFIT].astype(float).to_numpy(),
            "declined": (after.loc[kept, TARGET] == DECLINED).to_numpy(),
        }))
    table = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=["before", "after", "declined"])
    declined = table["declined"].astype(bool).to_numpy() if len(table) else np.array([], dtype=bool)
    if min(int(declined.sum()), int((~declined).sum())) < min_group:
        return Loss(assumed, "assumed")
    before, after = table["before"].to_numpy(dtype=float), table["after"].to_numpy(dtype=float)
    share = _loss_share(before, after, declined)
    rng = np.random.default_rng(seed)
    draws = []
    for _ in range(LOSS_ROUNDS):
        pick = rng.integers(0, len(table), len(table))
        if declined[pick].any() and (~declined[pick]).any():
            draws.append(_loss_share(before[pick], after[pick], declined[pick]))
    low, high = np.percentile(draws, [2.5, 97.5])
    return Loss(share, "measured", (float(np.clip(low, 0, 1)), float(np.clip(high, 0, 1))), len(table), len(rows))


def _loss_share(before: np.ndarray, after: np.ndarray, declined: np.ndarray) -> float:
    change = after - before
    base = before[declined].mean()
    gap = change[~declined].mean() - change[declined].mean()
    return float(np.clip(gap / base, 0.0, 1.0)) if base > 0 else 0.0
