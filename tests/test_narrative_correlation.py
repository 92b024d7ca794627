"""narrative.correlation: the strength of links and whether features duplicate each other."""

from __future__ import annotations

import pytest

import small_results as make
from report_builder.report.narrative import correlation as say
from report_builder.results.analysis import Correlation


@pytest.mark.parametrize(("value", "level"), [(0.7, "высокая"), (0.69, "заметная"), (0.5, "заметная"), (0.4974, "умеренная"), (0.1, "слабая")])
def test_phik_strength(value: float, level: str) -> None:
    assert say.phik_strength(value) == level


def test_phik_is_printed_so_that_number_and_strength_agree() -> None:
    assert say.phik_value(0.4974) == "0,497" and say.phik_strength(0.4974) == "умеренная"
    assert say.phik_value(0.62) == "0,62"
    assert say.phik_value(0.69996) == "0,69996"


def test_a_column_of_phik_has_one_count_of_digits() -> None:
    links = Correlation(None, (("a", 0.75), ("b", 0.4974), ("c", 0.31)), (), (("a", 1.0),), 0.9, 5.0)  # type: ignore[arg-type]
    assert say.phik_rows(links) == (("a", "0,750", "высокая"), ("b", "0,497", "умеренная"), ("c", "0,310", "умеренная"))
    plain = Correlation(None, (("a", 0.75), ("c", 0.31)), (), (("a", 1.0),), 0.9, 5.0)  # type: ignore[arg-type]
    assert [text for _, text, _ in say.phik_rows(plain)] == ["0,75", "0,31"]


def test_the_table_lists_the_strongest_links_only() -> None:
    many = Correlation(None, tuple((f"f{i}", 1 - i / 20) for i in range(12)), (), (("f0", 1.0),), 0.9, 5.0)  # type: ignore[arg-type]
    assert say.strongest_links(many) == many.with_target[: say.TARGET_ROWS] and say.TARGET_ROWS == 8


def test_multicollinearity_and_vif_rules_print_the_thresholds_in_use() -> None:
    clean = Correlation(None, (), (), (("Минут_текущий_месяц", 4.3),), 0.9, 5.0)  # type: ignore[arg-type]
    assert "Мультиколлинеарности нет" in say.multicollinearity(clean) and "5" in say.multicollinearity(clean)
    strict = Correlation(None, (), (), (("Минут_текущий_месяц", 4.3),), 0.9, 4.0)  # type: ignore[arg-type]
    assert "Наибольший коэффициент" in say.multicollinearity(strict)
    assert say.vif_rule(10.0).startswith("Выше 10")
    assert "не дублируют" in say.overlap(clean) and "выражается через другие" in say.overlap(strict)


def test_chart_captions() -> None:
    c = make.correlation()
    assert say.target_links_title(c) == "Заметная или высокая связь с активностью (φK от 0,5): 2\u00a0признака"
    assert say.NOTABLE_LINK == 0.5
    assert say.heatmap_title(c) == "Сильнее всего с активностью связан признак «Страниц за визит» (φK = 0,63)"
