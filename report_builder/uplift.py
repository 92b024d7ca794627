"""Statistics of an experiment with a control group: the difference of two shares, pooled over quarters, and power.

Each formula is statsmodels': Newcombe's hybrid score interval for one quarter, inverse-variance
(fixed-effect) pooling for several, the Cochran–Mantel–Haenszel test of no difference in any quarter with
Holm's adjustment for the many groups compared, and the normal-approximation power of two proportions
(Cohen's h) for the size a control group needs. The effect per contacted customer is Bloom's
estimator (the complier average causal effect): the difference by assignment over the share contacted.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

MAX_SHARE = 0.5  # a control group larger than the offered one is never recommended
# What a comparison with the control group allows one to say. small_groups: a group is below the minimum;
# effect / harm: the interval lies above / below zero; wide_interval: it holds zero and is wider than the
# maximum; no_effect: a narrow interval around zero.
Verdict = Literal["small_groups", "wide_interval", "effect", "harm", "no_effect"]


@dataclass(frozen=True)
class Arm:
    """One group of one quarter: how many customers, how many of them declined."""

    customers: int
    declined: int

    @property
    def rate(self) -> float:
        return self.declined / self.customers if self.customers else 0.0


def newcombe(control: Arm, offered: Arm, alpha: float = 0.05) -> tuple[float, tuple[float, float]]:
    """Control's decline rate minus the offered group's (the drop the offers made), with Newcombe's interval."""
    from statsmodels.stats.proportion import confint_proportions_2indep

    low, high = confint_proportions_2indep(
        control.declined, control.customers, offered.declined, offered.customers, method="newcomb", compare="diff", alpha=alpha
    )
    return control.rate - offered.rate, (float(low), float(high))


def pooled(strata: Sequence[tuple[Arm, Arm]], alpha: float = 0.05) -> tuple[float, tuple[float, float]]:
    """The difference over several quarters (control, offered per quarter): one quarter as it is, more by inverse variance.

    Each quarter's difference weighs by the inverse of its variance (fixed effect: the offers are the same
    intervention each quarter); a share of 0 or 1 gets its variance from half a customer added to each cell.
    """
    from statsmodels.stats.meta_analysis import combine_effects

    used = [(c, o) for c, o in strata if c.customers and o.customers]
    if not used:
        raise ValueError("no quarter with both groups")
    if len(used) == 1:
        return newcombe(*used[0], alpha=alpha)
    effect = np.array([c.rate - o.rate for c, o in used])
    variance = np.array([_variance(c) + _variance(o) for c, o in used])
    with warnings.catch_warnings():  # the random-effects part it also computes warns on two strata; it is not used
        warnings.simplefilter("ignore", RuntimeWarning)
        result = combine_effects(effect, variance, method_re="chi2", use_t=False)
        low, high = result.conf_int(alpha=alpha, use_t=False)[0]
    return float(result.mean_effect_fe), (float(low), float(high))


def no_difference_p(strata: Sequence[tuple[Arm, Arm]]) -> float | None:
    """The p-value of the Cochran–Mantel–Haenszel test (with continuity correction) that the offers changed the decline
    rate in no quarter (control, offered per quarter); None when no quarter has customers who declined and who did not.

    Unlike the pooled interval it needs no variance of a share: a control group in which nobody declined (a share of 0)
    does not make it surer than the counts allow."""
    from statsmodels.stats.contingency_tables import StratifiedTable

    tables = [np.array([[o.declined, o.customers - o.declined], [c.declined, c.customers - c.declined]])
              for c, o in strata if c.customers and o.customers]
    informative = [t for t in tables if t[:, 0].sum() and t[:, 1].sum()]  # a quarter without both outcomes adds nothing
    if not informative:
        return None
    found = float(StratifiedTable(informative).test_null_odds(correction=True).pvalue)
    return found if math.isfinite(found) else None


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm's adjustment of p-values tested together: the chance that any of them reads as a difference by chance stays
    within the level."""
    from statsmodels.stats.multitest import multipletests

    if not p_values:
        return []
    return [float(p) for p in multipletests(list(p_values), method="holm")[1]]


def holds(p_value: float | None, alpha: float) -> bool:
    """Whether a difference holds by its test at the level: the one rule for the money and for the report's marks."""
    return p_value is not None and p_value < alpha


def _variance(arm: Arm) -> float:
    """The variance of a share; for a share of 0 or 1, that of (declined + ½) / (customers + 1)."""
    share = arm.rate if 0 < arm.declined < arm.customers else (arm.declined + 0.5) / (arm.customers + 1)
    return share * (1 - share) / arm.customers


def per_contacted(
    uplift: float, ci95: tuple[float, float], contacted: float, control_contacted: float = 0.0
) -> tuple[float, tuple[float, float]] | None:
    """The effect per customer actually contacted, from the effect of assigning an offer (intention to treat).

    Bloom's estimator: the difference between the groups divided by the share of the offered group that was contacted,
    when the control group got nothing; contacts sent to the control group all the same are taken off that share (the
    Wald estimator, which Bloom's is when there are none). The interval is the difference's interval divided alike.
    It assumes an offer does nothing to those it never reached. None when no more of the offered group than of the
    control group was contacted: then nothing can be put down to the contacts.
    """
    reached = contacted - control_contacted
    if reached <= 0:
        return None
    return uplift / reached, (ci95[0] / reached, ci95[1] / reached)


def effect_size(base_rate: float, relative_effect: float) -> float:
    """Cohen's h between a decline rate and the same rate lowered by `relative_effect` (a share of declines prevented)."""
    from statsmodels.stats.proportion import proportion_effectsize

    lowered = base_rate * (1 - relative_effect)
    return abs(float(proportion_effectsize(base_rate, lowered)))


def control_needed(h: float, share: float, alpha: float, power: float) -> int:
    """Control customers (over all quarters pooled) for `power` to detect h when the offered group is (1 - share) / share times larger."""
    from statsmodels.stats.power import NormalIndPower

    ratio = (1 - share) / share
    found = NormalIndPower().solve_power(effect_size=h, nobs1=None, alpha=alpha, power=power, ratio=ratio, alternative="two-sided")
    return int(math.ceil(float(np.asarray(found).item())))


def quarters_needed(h: float, share: float, eligible: int, alpha: float, power: float) -> int | None:
    """Quarters of this many eligible customers until the pooled control group is large enough; None without a control group."""
    per_quarter = share * eligible
    if share <= 0 or per_quarter < 1:
        return None
    return int(math.ceil(control_needed(h, share, alpha, power) / per_quarter))


def share_for(h: float, eligible: int, quarters: int, alpha: float, power: float) -> float | None:
    """The smallest control share (in whole per cent) that reaches a verdict within `quarters`; None if even half does not."""
    for percent in range(1, int(MAX_SHARE * 100) + 1):
        needed = quarters_needed(h, percent / 100, eligible, alpha, power)
        if needed is not None and needed <= quarters:
            return percent / 100
    return None


def verdict(offered: int, control: int, ci: tuple[float, float] | None, min_group: int, max_width: float) -> Verdict:
    """The reading of a difference and its interval: the real reason when there is no conclusion."""
    if ci is None or min(offered, control) < min_group:
        return "small_groups"
    if ci[0] > 0:
        return "effect"
    if ci[1] < 0:
        return "harm"
    return "wide_interval" if ci[1] - ci[0] > max_width else "no_effect"
