"""Segmentation: four base segments by risk × value, extra segments from rules, the priority segment."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from report_builder.config import SegmentRule, SegmentsConfig
from pydantic import ValidationError
from report_builder.labels import CATEGORICAL, FEATURES, NUMERIC, PROFIT
from report_builder.results.segments import Segmentation
from report_builder.stages.segment import BASE
from scored_demo import Scored, scored_demo

BASE_NAMES = tuple(b[0] for b in BASE)
PROMO_RULE = SegmentRule(name="Тест", where={"Акционные_покупки": (0.5, None), "probability": (0.5, None)})


@pytest.fixture(scope="module")
def scored(demo_data, demo_fit) -> Scored:
    return scored_demo(demo_data, demo_fit)


@pytest.fixture(scope="module")
def seg(scored: Scored) -> Segmentation:
    return scored.segmented()


def truth(scored: Scored) -> pd.DataFrame:
    """Probability (the forecast used) and profit of every customer, straight from the inputs of the stage."""
    return pd.DataFrame({"probability": scored.forecast.probability, "profit": scored.data.customers[PROFIT]})


def test_base_segments_partition_the_customers(scored: Scored, seg: Segmentation) -> None:
    ids = list(scored.data.customers.index)
    owners: dict[int, list[str]] = {i: [] for i in ids}
    for name in BASE_NAMES:
        for customer in seg.members[name]:
            owners[customer].append(name)
    assert all(len(names) == 1 for names in owners.values()), [i for i, n in owners.items() if len(n) != 1][:5]
    assert seg.customers["segment"].to_dict() == {i: names[0] for i, names in owners.items()}
    assert sum(seg.stats(n).customers for n in BASE_NAMES) == len(ids)
    assert sum(seg.stats(n).share for n in BASE_NAMES) == pytest.approx(1.0)
    assert all(seg.stats(n).base for n in BASE_NAMES)
    assert all(seg.stats(n).customers > 0 for n in BASE_NAMES)


def test_base_segments_follow_the_risk_and_value_thresholds(scored: Scored, seg: Segmentation) -> None:
    t = truth(scored)
    assert seg.value_threshold == pytest.approx(t["profit"].quantile(0.5))
    valuable = t["profit"] >= seg.value_threshold
    risky = t["probability"] >= seg.threshold
    expected = {
        "Ценные в зоне риска": valuable & risky,
        "Ценные стабильные": valuable & ~risky,
        "Обычные в зоне риска": ~valuable & risky,
        "Обычные стабильные": ~valuable & ~risky,
    }
    for name, mask in expected.items():
        assert set(seg.members[name]) == set(t.index[mask]), name
        assert seg.stats(name).at_risk == ("зоне риска" in name), name
    assert seg.at_risk_customers == int(risky.sum())


@pytest.mark.parametrize("months", [3, 2])
def test_profit_at_risk_is_probability_times_profit_times_months(scored: Scored, months: int) -> None:
    seg = scored.segmented(SegmentsConfig(months_at_risk=months))
    t = truth(scored)
    total = len(t)
    for stats in seg.segments:
        part = t.loc[list(seg.members[stats.name])]
        manual = float((part["probability"] * part["profit"] * months).sum())
        assert stats.profit_at_risk == pytest.approx(manual, rel=1e-12), stats.name
        assert stats.customers == len(part)
        assert stats.share == pytest.approx(len(part) / total)
        assert stats.mean_probability == pytest.approx(part["probability"].mean())
        assert stats.mean_profit == pytest.approx(part["profit"].mean())
    per_customer = t["probability"] * t["profit"] * months
    np.testing.assert_allclose(seg.customers["profit_at_risk"].reindex(t.index), per_customer)


def test_extra_segment_has_exactly_the_matching_members(scored: Scored) -> None:
    seg = scored.segmented(SegmentsConfig(extra=(PROMO_RULE,)))
    customers = scored.data.customers
    p = scored.forecast.probability
    expected = set(customers.index[(customers["Акционные_покупки"] >= 0.5) & (p >= 0.5)])
    assert 0 < len(expected) < len(customers)
    assert set(seg.members["Тест"]) == expected
    stats = seg.stats("Тест")
    assert not stats.base
    assert stats.customers == len(expected)
    # Extra segments overlap the base ones and do not change them.
    assert sum(seg.stats(n).customers for n in BASE_NAMES) == len(customers)


def test_extra_segment_bounds_are_inclusive_on_both_sides(scored: Scored) -> None:
    profit = scored.data.customers[PROFIT]
    values = np.sort(profit.unique())
    low, high = float(values[len(values) // 4]), float(values[3 * len(values) // 4])  # actual profits
    rule = SegmentRule(name="Середина", where={PROFIT: (low, high)})
    seg = scored.segmented(SegmentsConfig(extra=(rule,)))
    members = set(seg.members["Середина"])
    assert members == set(profit.index[(profit >= low) & (profit <= high)])
    assert set(profit.index[profit == low]) <= members
    assert set(profit.index[profit == high]) <= members


def test_unknown_column_in_a_rule_is_refused_by_the_settings() -> None:
    with pytest.raises(ValidationError, match="неизвестный столбец «Нет_такого_столбца»"):
        SegmentRule(name="Ошибка", where={"Нет_такого_столбца": (1.0, None)})


@pytest.mark.parametrize(("column", "match"), [("Тип сервиса", "нечисловой признак"), ("segment", "неизвестный столбец")])
def test_bounds_on_a_text_column_are_refused_by_the_settings(column: str, match: str) -> None:
    with pytest.raises(ValidationError, match=match):
        SegmentRule(name="Текст", where={column: (0.5, None)})


def test_priority_defaults_to_the_largest_profit_at_risk(seg: Segmentation) -> None:
    largest = max(seg.segments, key=lambda s: s.profit_at_risk)
    assert seg.priority == largest.name
    assert all(s.profit_at_risk <= largest.profit_at_risk for s in seg.segments)


@pytest.mark.parametrize("name", ["Обычные стабильные", "Тест"])
def test_configured_priority_is_used(scored: Scored, name: str) -> None:
    seg = scored.segmented(SegmentsConfig(extra=(PROMO_RULE,), priority=name))
    assert seg.priority == name
    assert max(seg.segments, key=lambda s: s.profit_at_risk).name != name  # not the default choice


def test_configured_unknown_priority_is_refused_by_the_settings() -> None:
    with pytest.raises(ValidationError, match="Такого сегмента нет"):
        SegmentsConfig(priority="Такого сегмента нет")
    assert SegmentsConfig(extra=(PROMO_RULE,), priority=PROMO_RULE.name).priority == PROMO_RULE.name


def test_contrasts_cover_every_feature_strongest_first(scored: Scored, seg: Segmentation) -> None:
    contrasts = seg.contrasts
    assert sorted(c.feature for c in contrasts) == sorted(FEATURES)
    effects = [abs(c.effect_size) for c in contrasts]
    assert effects == sorted(effects, reverse=True)
    assert effects[0] > 0
    for c in contrasts:
        assert c.kind == ("categorical" if c.feature in CATEGORICAL else "numeric")
    # Numbers compare the priority segment's mean with the stable customers' mean.
    customers = scored.data.customers
    members = list(seg.members[seg.priority])
    stable = customers.index[scored.forecast.probability < seg.threshold]
    for c in contrasts:
        if c.feature in NUMERIC:
            assert c.segment_value == pytest.approx(customers.loc[members, c.feature].mean()), c.feature
            assert c.stable_value == pytest.approx(customers.loc[stable, c.feature].mean()), c.feature


def test_an_extra_segment_cannot_reuse_a_base_name() -> None:
    rule = SegmentRule(name=BASE_NAMES[0], where={"probability": (0.9, None)})
    with pytest.raises(ValidationError, match="уже занято основным сегментом"):
        SegmentsConfig(extra=(rule,))
    other = SegmentRule(name="Свой", where={"probability": (0.9, None)})
    with pytest.raises(ValidationError, match="два дополнительных сегмента"):
        SegmentsConfig(extra=(other, other))


def test_totals_are_the_cost_of_doing_nothing(seg: Segmentation) -> None:
    frame = seg.customers
    totals = seg.totals
    expected_all = (frame["probability"] * frame["Прибыль"] * seg.months).sum()
    zone = frame["probability"] >= seg.threshold
    assert totals.profit_at_risk_all == pytest.approx(expected_all)
    assert totals.profit_at_risk_zone == pytest.approx((frame["probability"] * frame["Прибыль"] * seg.months)[zone].sum())
    assert totals.quarter_profit == pytest.approx(frame["Прибыль"].sum() * seg.months)
    assert totals.share_of_quarter_profit == pytest.approx(expected_all / (frame["Прибыль"].sum() * seg.months))
    assert 0 < totals.profit_at_risk_zone < totals.profit_at_risk_all


def test_risk_profile_compares_every_at_risk_customer_with_the_stable(seg: Segmentation) -> None:
    frame = seg.customers
    pages = next(c for c in seg.risk_profile if c.feature == "Страниц_за_визит")
    at_risk = frame["probability"] >= seg.threshold
    assert pages.segment_value == pytest.approx(frame.loc[at_risk, "Страниц_за_визит"].mean())
    assert pages.stable_value == pytest.approx(frame.loc[~at_risk, "Страниц_за_визит"].mean())
    sizes = [abs(c.effect_size) for c in seg.risk_profile]
    assert sizes == sorted(sizes, reverse=True)
