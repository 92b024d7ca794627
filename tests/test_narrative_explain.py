"""narrative.explain: what drives the risk, in sentences, and how much each feature contributes."""

from __future__ import annotations

import numpy as np

import small_results as make
from report_builder.report.narrative import explain as say
from report_builder.results.analysis import Driver, Explanation


def _driver(feature: str, value: float) -> Driver:
    return Driver(feature, value, "up", 0.5, None, 0.01, 0.001)


def _explanation(drivers: tuple[Driver, ...]) -> Explanation:
    return Explanation("TreeExplainer", (), np.zeros((1, 1)), None, 0.4, drivers, 1e-15)  # type: ignore[arg-type]


def test_negligible_driver_gets_no_direction() -> None:
    weak = Driver("Ошибка_сервиса", 0.006, "down", -0.2, None, -0.0001, 0.001)
    assert say.driver_effect(weak) == "влияние несущественное"
    weak = Driver("Ошибка_сервиса", 0.004, "down", -0.2, None, -0.0001, 0.001)
    assert say.driver_effect(weak) == "влияние несущественное"
    strong = Driver("Страниц_за_визит", 0.08, "down", -0.8, None, 0.05, 0.01)
    assert say.driver_effect(strong) == "чем меньше страниц за визит, тем выше риск снижения"


def test_drivers_read_as_sentences() -> None:
    promo = Driver("Акционные_покупки", 0.05, "up", 0.8, None, 0.02, 0.01)
    assert say.driver_phrase(promo) == "чем выше доля акционных покупок, тем выше риск снижения"
    consent = Driver("Разрешить сообщать", 0.02, "category", 0.0, "да", 0.01, 0.01)
    assert say.driver_phrase(consent) == "риск выше у согласившихся на рассылки"
    category = Driver("Популярная_категория", 0.02, "category", 0.0, "Товары для детей", 0.01, 0.01)
    assert "любимая категория — «Товары для детей»" in say.driver_phrase(category)


def test_the_lead_names_the_three_strongest_and_the_next_one() -> None:
    lead = say.leading_drivers(make.explanation())
    assert lead == (
        "Сильнее всего на риск влияют: чем меньше страниц за визит, тем выше риск снижения; "
        "чем меньше минут на сайте в прошлом месяце, тем выше риск снижения; "
        "чем выше доля акционных покупок, тем выше риск снижения. "
        "Далее — риск выше у покупателей с сервисом «премиум»."
    )
    three = _explanation(make.drivers()[:3])
    assert "Далее" not in say.leading_drivers(three) and say.leading_drivers(three).endswith("риск снижения.")


def test_weakest_drivers_bound_is_true_of_the_unrounded_values() -> None:
    drivers = tuple(_driver(f, v) for f, v in (("Страниц_за_визит", 0.08), ("Длительность", 0.00434), ("Ошибка_сервиса", 0.00406), ("Тип сервиса", 0.00373)))
    text = say.weakest_drivers(_explanation(drivers))
    assert "меньше 0,5 процентного пункта" in text  # 0,434 п. п. is not «меньше 0,4»
    assert "«Дней с регистрации»" in text


def test_contribution_and_additivity() -> None:
    assert say.contribution(_driver("Страниц_за_визит", 0.0834)) == "8,3"
    assert "шестого знака" in say.additivity(1e-15)
    assert "0,20" in say.additivity(0.002)


def test_chart_captions() -> None:
    x = make.explanation()
    assert say.beeswarm_title(x) == "Главный фактор риска — «Страниц за визит»: каждая точка — покупатель, правее — выше риск"
    assert say.importance_title(x) == "Два способа оценки важности согласны в 5 из 5 главных признаков"
    # Shuffling «Доля акционных покупок» now costs nothing, a sixth feature costs more: the measures share 4 of 5.
    drivers = make.drivers()
    assert say.AGREEMENT_TOP == 5
    moved = drivers[:2] + (Driver(drivers[2].feature, 0.04, "up", 0.7, None, 0.0, 0.0),) + drivers[3:] + (_driver("Длительность", 0.001),)
    assert say.importance_title(_explanation(moved)) == "Два способа оценки важности согласны в 4 из 5 главных признаков"
