"""narrative.recommendations: the offer rules as applied, why they were chosen or not, whether a contact pays off."""

from __future__ import annotations

import small_results as make
from report_builder.report.narrative import recommendations as say
from report_builder.results.backtest import SegmentValue
from report_builder.results.segments import Offer

NB = "\u00a0"


def test_offer_condition_prints_the_number_it_applies() -> None:
    offer = Offer("contacts", "t", "a", "s", "Маркет_актив_6_мес", "<=", 3.5, 0.48, 0.11, True, 10, 1.0, ())
    assert "не больше 3,5" in say.offer_condition(offer)
    assert f"48{NB}%" in say.offer_reason(offer) and f"11{NB}%" in say.offer_reason(offer)
    assert "не меньше 0,045" in say.offer_condition(Offer("x", "t", "a", "s", "Акционные_покупки", ">=", 0.045, 0, 0, False, 0, 0, ()))


def test_an_offer_on_the_feature_that_defines_the_segment_is_not_a_finding() -> None:
    offer = Offer("promo", "t", "a", "Любители акций", "Акционные_покупки", ">=", 0.5, 1.0, 0.04, True, 10, 1.0, (), by_definition=True)
    reason = say.offer_reason(offer)
    assert "так задан сам сегмент" in reason and "100" not in reason


def test_rejected_rules_agree_in_number() -> None:
    rule = Offer("cart", "Напоминание о корзине", "a", "s", "Неоплаченные_продукты_штук_квартал", ">=", 4, 0.2, 0.18, False, 0, 0, ())
    assert say.rejected_rules((), "s") == ""
    assert say.rejected_rules((rule,), "Ценные").startswith("Не сработало правило для сегмента «Ценные»")
    assert say.rejected_rules((rule, rule), "Ценные").startswith("Не сработали правила")


def test_whether_a_contact_pays_off() -> None:
    assert say.worth_it(SegmentValue("s", 10, 5.0, True)) == "да"
    assert say.worth_it(SegmentValue("s", 10, -5.0, False)) == "нет: контакт дороже выгоды"
    assert "допущение из настроек" in say.effect_note(make.economics())


def test_value_by_band_caption() -> None:
    assert say.value_by_band_title(make.economics()) == f"Контакт окупается при вероятности снижения 30{NB}% и выше"
    assert say.value_by_band_title(make.economics(values=(-1.0, -0.5, -0.1))) == "Ни в одной группе контакт не окупается при заданной стоимости"
    assert say.value_by_band_title(make.economics(cost=0.0)).startswith("Стоимость контакта в настройках не задана")
