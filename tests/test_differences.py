"""The shared two-group comparison used by the exploratory and the segment analysis."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from report_builder.differences import compare_numbers


def test_perfect_separation_by_one_value_per_group_is_significant() -> None:
    effect, p_value = compare_numbers(pd.Series([1.0] * 30), pd.Series([0.0] * 30))
    assert p_value < 0.001
    assert effect == math.inf  # both groups constant: the strongest difference there is
    assert compare_numbers(pd.Series([0.0] * 30), pd.Series([1.0] * 30))[0] == -math.inf


def test_direction_and_size_of_the_difference() -> None:
    a = pd.Series([5.0, 6.0, 7.0, 8.0] * 10)
    b = pd.Series([1.0, 2.0, 3.0, 4.0] * 10)
    effect, p_value = compare_numbers(a, b)
    assert effect == pytest.approx((6.5 - 2.5) / a.std())
    assert p_value < 0.001
    assert compare_numbers(b, a)[0] == pytest.approx(-effect)


def test_no_difference_and_degenerate_groups() -> None:
    same = pd.Series([1.0, 2.0, 3.0] * 10)
    assert compare_numbers(same, same) == (0.0, pytest.approx(1.0))
    assert compare_numbers(pd.Series([2.0] * 5), pd.Series([2.0] * 5))[1] == 1.0
    assert compare_numbers(pd.Series([], dtype=float), same)[1] == 1.0
