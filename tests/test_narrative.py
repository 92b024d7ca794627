"""The narrative decides every verdict and number-bearing sentence: tested without rendering."""

from __future__ import annotations

import numpy as np
import pytest

from report_builder.report.narrative import say
from report_builder.results.analysis import CategoricalFeature, Correlation, Driver, Explanation, NumericFeature, Distribution
from report_builder.results.segments import Contrast, Offer

DIST = Distribution(True, np.array([1.0]), np.array([1.0]), np.array([1.0]))


@pytest.mark.parametrize(
    ("auc", "verdict"),
    [(0.95, "надёжно"), (0.9, "надёжно"), (0.8999, "хорошо"), (0.8, "хорошо"), (0.75, "удовлетворительно"), (0.6, "плохо")],
)
def test_auc_verdict_follows_the_measured_value(auc: float, verdict: str) -> None:
    assert verdict in say.auc_verdict(auc)


def test_auc_in_words_agrees_in_number() -> None:
    assert say.auc_in_words(0.927) == "в 93 случаях из 100"
    assert say.auc_in_words(0.81) == "в 81 случае из 100"


@pytest.mark.parametrize(("folds", "text"), [(2, "2 блока"), (5, "5 блоков"), (10, "10 блоков"), (21, "21 блок")])
def test_folds_are_said_from_the_setting(folds: int, text: str) -> None:
    assert say.folds_phrase(folds) == f"кросс-валидация на {text.replace(' ', chr(160))}"


def test_value_rule_follows_the_quantile() -> None:
    assert "медиана" in say.value_rule(0.5)
    rule = say.value_rule(0.75)
    assert "медиана" not in rule and "0,75" in rule and "25\u00a0%" in rule


@pytest.mark.parametrize(("value", "level"), [(0.7, "высокая"), (0.69, "заметная"), (0.5, "заметная"), (0.4974, "умеренная"), (0.1, "слабая")])
def test_phik_strength(value: float, level: str) -> None:
    assert say.phik_strength(value) == level


def test_importance_follows_alpha_and_effect_size() -> None:
    strong = Contrast("Страниц_за_визит", "numeric", 5.0, 9.0, -0.9, 0.03)
    assert say.important(strong, alpha=0.05)
    assert not say.important(strong, alpha=0.01)
    tiny = Contrast("Страниц_за_визит", "numeric", 5.0, 5.1, -0.1, 0.0001)
    assert not say.important(tiny, alpha=0.05)
    assert "0,01" in say.importance_rule(0.01)


def test_readings_name_both_groups_rightly() -> None:
    two = CategoricalFeature("Разрешить сообщать", {"да": 0.39, "нет": 0.37}, {"да": 900, "нет": 396}, 0.6, 0.02)
    assert "в обеих группах" in say.categorical_reading(two, 0.05)
    many = CategoricalFeature("Популярная_категория", {"a": 0.5, "b": 0.3, "c": 0.2}, {"a": 1, "b": 1, "c": 1}, 0.001, 0.35)
    assert "«a»" in say.categorical_reading(many, 0.05) and "«c»" in say.categorical_reading(many, 0.05)
    assert "различие заметное" in say.categorical_reading(many, 0.05)
    higher = NumericFeature("Ошибка_сервиса", 4.2, 3.9, 4, 4, 0.5, 0.001, DIST)
    reading = say.numeric_reading(higher, 0.05)
    assert "выше" in reading and "заметное" in reading and "у снизивших" in reading and "у сохранивших" in reading
    assert "p" not in reading.replace("показатель", "").split(":")[0]  # no p-values in the main text
    small = NumericFeature("Ошибка_сервиса", 4.2, 4.1, 4, 4, 0.05, 0.001, DIST)
    assert "несущественное" in say.numeric_reading(small, 0.05)
    assert "несущественное" in say.numeric_reading(higher, 0.0001)


def test_plain_causes_say_direction_and_size() -> None:
    pages = Contrast("Страниц_за_визит", "numeric", 5.6, 9.8, -1.4, 1e-9)
    promo = Contrast("Акционные_покупки", "numeric", 0.45, 0.25, 0.9, 1e-9)
    tiny = Contrast("Ошибка_сервиса", "numeric", 4.1, 4.2, -0.05, 0.4)
    assert say.cause(pages) == "смотрят меньше страниц за визит: 5,6 против 9,8 у стабильных"
    assert say.cause(promo) == "чаще покупают по акциям: 45\u00a0% против 25\u00a0% у стабильных"
    assert say.cause(tiny) is None
    assert say.risk_causes((tiny, promo, pages), None) == [say.cause(promo), say.cause(pages)]


def test_calibration_trust_follows_the_measured_error() -> None:
    assert "можно доверять" in say.calibration_trust(0.04) and "4\u00a0п.\u00a0п." in say.calibration_trust(0.04)
    assert "можно доверять" not in say.calibration_trust(0.06)
    assert "можно доверять" in say.calibration_trust(0.06, noise=0.07)  # within what chance alone gives
    doubtful = say.calibration_trust(0.27)
    assert "можно доверять" not in doubtful and "27\u00a0п.\u00a0п." in doubtful and ".." not in doubtful


def test_period_label() -> None:
    assert say.period_label("2026-Q4") == "IV квартал 2026\u00a0г."
    assert say.period_label("2026-Q1") == "I квартал 2026\u00a0г."
    assert say.period_label("весна") == "весна"


def test_negligible_driver_gets_no_direction() -> None:
    weak = Driver("Ошибка_сервиса", 0.006, "down", -0.2, None, -0.0001, 0.001)
    assert say.driver_effect(weak) == "влияние несущественное"
    weak = Driver("Ошибка_сервиса", 0.004, "down", -0.2, None, -0.0001, 0.001)
    assert say.driver_effect(weak) == "влияние несущественное"
    strong = Driver("Страниц_за_визит", 0.08, "down", -0.8, None, 0.05, 0.01)
    assert say.driver_effect(strong) == "чем меньше страниц за визит, тем выше риск снижения"


def _driver(feature: str, value: float) -> Driver:
    return Driver(feature, value, "up", 0.5, None, 0.01, 0.001)


def test_weakest_drivers_bound_is_true_of_the_unrounded_values() -> None:
    drivers = tuple(_driver(f, v) for f, v in (("Страниц_за_визит", 0.08), ("Длительность", 0.00434), ("Ошибка_сервиса", 0.00406), ("Тип сервиса", 0.00373)))
    explanation = Explanation("TreeExplainer", (), np.zeros((1, 1)), None, 0.4, drivers, 1e-15)  # type: ignore[arg-type]
    text = say.weakest_drivers(explanation)
    assert "меньше 0,5 процентного пункта" in text  # 0,434 п. п. is not «меньше 0,4»
    assert "«Дней с регистрации»" in text


def test_offer_condition_prints_the_number_it_applies() -> None:
    offer = Offer("contacts", "t", "a", "s", "Маркет_актив_6_мес", "<=", 3.5, 0.48, 0.11, True, 10, 1.0, ())
    assert "не больше 3,5" in say.offer_condition(offer)
    assert "48\u00a0%" in say.offer_reason(offer) and "11\u00a0%" in say.offer_reason(offer)
    assert "не меньше 0,045" in say.offer_condition(Offer("x", "t", "a", "s", "Акционные_покупки", ">=", 0.045, 0, 0, False, 0, 0, ()))


def test_multicollinearity_and_vif_rules_print_the_thresholds_in_use() -> None:
    clean = Correlation(None, (), (), (("Минут_текущий_месяц", 4.3),), 0.9, 5.0)  # type: ignore[arg-type]
    assert "Мультиколлинеарности нет" in say.multicollinearity(clean) and "5" in say.multicollinearity(clean)
    strict = Correlation(None, (), (), (("Минут_текущий_месяц", 4.3),), 0.9, 4.0)  # type: ignore[arg-type]
    assert "Наибольший коэффициент" in say.multicollinearity(strict)
    assert say.vif_rule(10.0).startswith("Выше 10")


def test_additivity_is_said_in_words() -> None:
    assert "шестого знака" in say.additivity(1e-15)
    assert "0,20" in say.additivity(0.002)


def test_phik_is_printed_so_that_number_and_strength_agree() -> None:
    assert say.phik_value(0.4974) == "0,497" and say.phik_strength(0.4974) == "умеренная"
    assert say.phik_value(0.62) == "0,62"
    assert say.phik_value(0.69996) == "0,69996"


def test_drivers_read_as_sentences() -> None:
    promo = Driver("Акционные_покупки", 0.05, "up", 0.8, None, 0.02, 0.01)
    assert say.driver_phrase(promo) == "чем выше доля акционных покупок, тем выше риск снижения"
    consent = Driver("Разрешить сообщать", 0.02, "category", 0.0, "да", 0.01, 0.01)
    assert say.driver_phrase(consent) == "риск выше у согласившихся на рассылки"
    category = Driver("Популярная_категория", 0.02, "category", 0.0, "Товары для детей", 0.01, 0.01)
    assert "любимая категория — «Товары для детей»" in say.driver_phrase(category)


def test_an_offer_on_the_feature_that_defines_the_segment_is_not_a_finding() -> None:
    offer = Offer("promo", "t", "a", "Любители акций", "Акционные_покупки", ">=", 0.5, 1.0, 0.04, True, 10, 1.0, (), by_definition=True)
    reason = say.offer_reason(offer)
    assert "так задан сам сегмент" in reason and "100" not in reason


def test_quarters_in_the_cases_sentences_need() -> None:
    assert say.in_period("2026-Q4") == "в IV квартале 2026\u00a0г."
    assert say.compared_with("2026-Q3") == "Сравнение с III кварталом 2026\u00a0г."
    assert say.in_period("весна") == "в периоде «весна»" and say.compared_with("весна") == "Сравнение с периодом «весна»"
