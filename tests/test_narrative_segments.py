"""narrative.segments: thresholds as applied, the priority segment and how it differs from the stable customers."""

from __future__ import annotations

import small_results as make
from report_builder.report.narrative import segments as say
from report_builder.results.segments import Contrast

NB = "\u00a0"


def test_value_rule_follows_the_quantile() -> None:
    assert "медиана" in say.value_rule(0.5)
    rule = say.value_rule(0.75)
    assert "медиана" not in rule and "0,75" in rule and f"25{NB}%" in rule


def test_thresholds_and_amounts() -> None:
    assert say.threshold_rule(4.0450000001) == "от 4,045"
    assert say.amount(1234.5) == f"1{NB}234" and say.amount(4.567) == "4,57"


def test_the_priority_segment() -> None:
    seg = make.segmentation()
    assert [say.is_priority(s, seg) for s in seg.segments] == [True, False, False, False, False]
    assert say.priority_reason(True) == "задан в настройках"
    assert say.priority_reason(False) == "выбран по наибольшей прибыли под риском"
    assert say.priority_drivers(seg) == (
        f"«Минут на сайте в прошлом месяце» +6,4{NB}п.{NB}п.; «Доля акционных покупок» +5,6{NB}п.{NB}п.; «Сбоев сервиса» −0,3{NB}п.{NB}п."
    )


def test_contrast_cells() -> None:
    share = Contrast("Тип сервиса", "categorical", 0.6, 0.3, 0.35, 0.001, "премиум")
    mean = Contrast("Страниц_за_визит", "numeric", 5.13, 9.91, -1.5, 1e-9)
    assert say.contrast_values(share) == (f"60{NB}%", f"30{NB}%")
    assert say.contrast_values(mean) == ("5,13", "9,91")
    assert say.contrast_difference(mean, 0.05) == "сильное"
    # Large but not significant at this level: said as such; «несущественное» only when small and not significant.
    assert say.contrast_difference(Contrast("Страниц_за_визит", "numeric", 5, 9, -1.5, 0.2), 0.05) == "сильное на вид, но проверкой не подтверждено"
    assert say.contrast_difference(Contrast("Страниц_за_визит", "numeric", 5, 5.1, -0.05, 0.6), 0.05) == "несущественное"
    assert say.contrast_difference(Contrast("Тип_сервиса", "categorical", 0.51, 0.40, 0.099, 0.0004, "премиум"), 0.05) == "слабое"


def test_chart_captions() -> None:
    seg = make.segmentation()
    assert say.scatter_title(seg, "ед.") == f"Сегмент «Ценные в зоне риска»: 2{NB}покупателя, прибыль под риском за 3 мес. — 600 ед."
    assert say.profit_share_title(seg) == f"На сегмент «Ценные в зоне риска» приходится 60{NB}% всей прибыли под риском"
    assert say.contrast_title(seg) == "Сегмент «Ценные в зоне риска» сильнее всего отличается от стабильных покупателей признаком «Страниц за визит»"
