"""narrative.eda: each feature read in words, and the scale of differences every section uses."""

from __future__ import annotations

import numpy as np

from report_builder.report.narrative import eda as say
from report_builder.results.analysis import CategoricalFeature, Distribution, NumericFeature
from report_builder.results.segments import Contrast

DIST = Distribution(True, np.array([1.0]), np.array([1.0]), np.array([1.0]))


def test_importance_follows_alpha_and_effect_size() -> None:
    strong = Contrast("Страниц_за_визит", "numeric", 5.0, 9.0, -0.9, 0.03)
    assert say.important(strong, alpha=0.05)
    assert not say.important(strong, alpha=0.01)
    tiny = Contrast("Страниц_за_визит", "numeric", 5.0, 5.1, -0.1, 0.0001)
    assert not say.important(tiny, alpha=0.05)
    assert "0,01" in say.importance_rule(0.01) and "0,001" in say.importance_rule(0.001)


def test_the_smallest_important_difference_is_the_one_called_weak() -> None:
    assert say.MIN_EFFECT == 0.2
    assert say.difference(Contrast("x", "numeric", 1, 2, say.MIN_EFFECT, 0.0)) == "слабое"
    assert "хотя бы слабое по размеру" in say.importance_rule(0.05) and "небольшое" not in say.importance_rule(0.05)


def test_differences_use_cohen_for_numbers_and_cramer_for_categories() -> None:
    assert say.difference(Contrast("x", "numeric", 1, 2, -0.45, 0.0)) == "слабое"
    assert say.difference(Contrast("x", "categorical", 0.5, 0.2, 0.45, 0.0)) == "заметное"
    assert say.difference(Contrast("x", "numeric", 1, 2, 0.1, 0.0)) == say.NO_DIFFERENCE == "несущественное"


def test_readings_name_both_groups_rightly() -> None:
    two = CategoricalFeature("Разрешить сообщать", {"да": 0.39, "нет": 0.37}, {"да": 900, "нет": 396}, 0.6, 0.02)
    assert "в обеих группах" in say.categorical_reading(two, 0.05)
    many = CategoricalFeature("Популярная_категория", {"a": 0.5, "b": 0.3, "c": 0.2}, {"a": 90, "b": 60, "c": 30}, 0.001, 0.35)
    assert "«a»" in say.categorical_reading(many, 0.05) and "«c»" in say.categorical_reading(many, 0.05)
    assert "различие заметное" in say.categorical_reading(many, 0.05)
    higher = NumericFeature("Ошибка_сервиса", 4.2, 3.9, 4, 4, 0.5, 0.001, DIST)
    reading = say.numeric_reading(higher, 0.05)
    assert "выше" in reading and "заметное" in reading and "у снизивших" in reading and "у сохранивших" in reading
    assert "p" not in reading.replace("показатель", "").split(":")[0]  # no p-values in the main text
    # «несущественное» only when a difference is both small and not significant
    small_but_real = NumericFeature("Ошибка_сервиса", 4.2, 4.1, 4, 4, 0.05, 0.001, DIST)
    assert "различие слабое" in say.numeric_reading(small_but_real, 0.05)
    small_and_unsure = NumericFeature("Ошибка_сервиса", 4.2, 4.1, 4, 4, 0.05, 0.4, DIST)
    assert "различие несущественное" in say.numeric_reading(small_and_unsure, 0.05)
    large_but_unsure = say.numeric_reading(higher, 0.0001)
    assert "заметное на вид, но проверкой не подтверждено" in large_but_unsure and "несущественное" not in large_but_unsure
    premium = CategoricalFeature("Тип_сервиса", {"премиум": 0.51, "стандарт": 0.40}, {"премиум": 376, "стандарт": 920}, 0.0004, 0.099)
    assert "различие слабое" in say.categorical_reading(premium, 0.05)  # Cramér's V 0.099 with p < 0.001 is real


def test_a_category_of_a_few_customers_is_set_aside_not_named_the_riskiest() -> None:
    """A new category of three customers who all declined: the reading names the riskiest among the categories of
    at least MIN_CATEGORY customers, and says which ones it left out and how many customers they have."""
    rates = {"Товары для животных": 1.0, "Товары для детей": 0.45, "Кухонная посуда": 0.3, "Техника": 0.16}
    counts = {"Товары для животных": 3, "Товары для детей": 330, "Кухонная посуда": say.MIN_CATEGORY, "Техника": 170}
    reading = say.categorical_reading(CategoricalFeature("Популярная_категория", rates, counts, 0.001, 0.2), 0.05)
    assert reading.startswith("Чаще всего активность снижается в группе «Товары для детей» (45\u00a0%), реже всего — «Техника»")
    assert "Группа меньше 30\u00a0покупателей («Товары для животных» — 3) в сравнение не входит: по ней вывод делать рано." in reading
    assert say.compared(CategoricalFeature("x", rates, counts, 0.001, 0.2)) == ["Товары для детей", "Кухонная посуда", "Техника"]
    alone = {"a": 0.9, "b": 0.5, "c": 0.2}
    few = say.categorical_reading(CategoricalFeature("x", alone, {"a": 2, "b": 5, "c": 400}, 0.001, 0.2), 0.05)
    assert "мало данных" in few and "«a» — 2, «b» — 5" in few and "входят: по ним" in few and "Чаще всего" not in few
    alike = say.categorical_reading(CategoricalFeature("x", rates, counts, 0.4, 0.01), 0.05)
    assert alike.startswith("Доля снизивших почти одинакова во всех сравниваемых группах") and "«Товары для животных» — 3" in alike
