"""The experiment's statistics against published values and against simulations of known effects."""

from __future__ import annotations

import numpy as np
import pytest

from report_builder.uplift import Arm, control_needed, effect_size, holm, newcombe, no_difference_p, pooled, quarters_needed, share_for


def test_newcombe_interval_matches_the_published_example() -> None:
    # Newcombe (1998), example (a): 56/70 against 48/80 -> 0.2000, 95 % CI 0.0524 to 0.3339.
    difference, (low, high) = newcombe(Arm(70, 56), Arm(80, 48))
    assert difference == pytest.approx(0.2)
    assert low == pytest.approx(0.0524, abs=5e-5) and high == pytest.approx(0.3339, abs=5e-5)


def test_newcombe_example_with_a_zero_cell() -> None:
    # Newcombe (1998), example (h): 10/10 against 0/10 -> 1.0000, 95 % CI 0.6075 to 1.0000.
    difference, (low, high) = newcombe(Arm(10, 10), Arm(10, 0))
    assert difference == 1.0
    assert low == pytest.approx(0.6075, abs=5e-5) and high == pytest.approx(1.0, abs=1e-9)


def test_one_quarter_pooled_is_that_quarter() -> None:
    assert pooled([(Arm(70, 56), Arm(80, 48))]) == newcombe(Arm(70, 56), Arm(80, 48))


def test_pooling_equal_quarters_keeps_the_estimate_and_narrows_the_interval() -> None:
    one = pooled([(Arm(200, 120), Arm(400, 200))])
    two = pooled([(Arm(200, 120), Arm(400, 200)), (Arm(200, 120), Arm(400, 200))])
    assert two[0] == pytest.approx(one[0])
    assert two[1][1] - two[1][0] < one[1][1] - one[1][0]
    assert (two[1][1] - two[1][0]) == pytest.approx((one[1][1] - one[1][0]) / np.sqrt(2), rel=0.05)


def test_the_pooled_estimate_is_unbiased_and_its_interval_covers_the_truth() -> None:
    """Three quarters, each with its own decline rate; the offers lower it by 10 points. 600 simulated histories."""
    rng = np.random.default_rng(11)
    truth, hits, estimates = 0.10, 0, []
    for _ in range(600):
        strata = []
        for base in (0.55, 0.65, 0.75):
            control = Arm(150, int(rng.binomial(150, base)))
            offered = Arm(450, int(rng.binomial(450, base - truth)))
            strata.append((control, offered))
        estimate, (low, high) = pooled(strata)
        estimates.append(estimate)
        hits += low <= truth <= high
    assert np.mean(estimates) == pytest.approx(truth, abs=0.005)
    assert 0.93 <= hits / 600 <= 0.97


def test_power_matches_cohens_table() -> None:
    # Cohen (1988), table 6.4.1: h = 0.2, two-sided alpha 0.05, power 0.80 -> 392 per group (393 rounded up).
    assert control_needed(0.2, 0.5, 0.05, 0.8) == 393
    # h = 0.5: 63 per group.
    assert control_needed(0.5, 0.5, 0.05, 0.8) == 63


def test_a_small_control_group_needs_fewer_controls_but_more_customers_in_all() -> None:
    h = effect_size(0.76, 0.2)  # 76 % decline, offers prevent a fifth: 76 % -> 61 %
    assert h == pytest.approx(0.329, abs=1e-3)
    tenth, half = control_needed(h, 0.1, 0.05, 0.8), control_needed(h, 0.5, 0.05, 0.8)
    assert tenth < half  # the nine times larger offered group carries part of the precision ...
    assert tenth * 10 > half * 2  # ... but the experiment needs more customers in all


def test_quarters_and_share_to_a_verdict_agree() -> None:
    h = effect_size(0.76, 0.2)
    needed = control_needed(h, 0.1, 0.05, 0.8)
    assert quarters_needed(h, 0.1, 400, 0.05, 0.8) == int(np.ceil(needed / 40))
    assert quarters_needed(h, 0.0, 400, 0.05, 0.8) is None
    share = share_for(h, 400, 2, 0.05, 0.8)
    assert share is not None
    assert quarters_needed(h, share, 400, 0.05, 0.8) <= 2 < quarters_needed(h, share - 0.01, 400, 0.05, 0.8)
    assert share_for(h, 20, 1, 0.05, 0.8) is None  # twenty customers a quarter cannot decide in one


def _cmh_by_hand(strata: list[tuple[Arm, Arm]]) -> float:
    """Cochran–Mantel–Haenszel with continuity correction, written out: (|Σ (a − E a)| − ½)² / Σ Var a on one degree of
    freedom, a being the offered group's declines in each quarter."""
    from scipy.stats import chi2

    gap, variance = 0.0, 0.0
    for control, offered in strata:
        total = control.customers + offered.customers
        declined = control.declined + offered.declined
        gap += offered.declined - offered.customers * declined / total
        variance += offered.customers * control.customers * declined * (total - declined) / (total**2 * (total - 1))
    return float(chi2.sf((abs(gap) - 0.5) ** 2 / variance, 1))


def test_the_test_of_no_difference_is_cochran_mantel_haenszels() -> None:
    # The demo's «Ценные стабильные» over three quarters: nobody declined in two small control groups.
    strata = [(Arm(7, 0), Arm(79, 16)), (Arm(15, 0), Arm(119, 42)), (Arm(22, 8), Arm(178, 75))]
    found = no_difference_p(strata)
    assert found == pytest.approx(_cmh_by_hand(strata), rel=1e-9)
    assert 0.02 < found < 0.03  # the pooled interval of these quarters lies far below zero: −35,7…−16,8 п. п.
    assert no_difference_p([(Arm(40, 40), Arm(300, 300))]) is None  # everyone declined: nothing to test
    assert no_difference_p([(Arm(40, 10), Arm(300, 75)), (Arm(40, 0), Arm(300, 0))]) == pytest.approx(
        no_difference_p([(Arm(40, 10), Arm(300, 75))]))  # a quarter without a decline adds nothing


def test_holm_adjusts_each_p_value_by_its_rank() -> None:
    assert holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])
    assert holm([]) == []
