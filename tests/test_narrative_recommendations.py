"""narrative.recommendations: the offer rules as applied, why they were chosen or not, whether a contact pays off."""

from __future__ import annotations

from dataclasses import replace

import small_results as make
from report_builder.report.narrative import effects, plan, recommendations as say
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


def test_without_prices_no_page_says_it_pays_and_the_break_even_is_given() -> None:
    made = make.plan()
    line = plan.plan_line(made, "ед.")
    assert "окупаемость не оценивается" in line and "дешевле 2,27 ед." in line and "да" not in line.split()
    assert plan.money_header(made, "ед.") == "Окупается, если контакт, ед."
    cells = plan.value_cells(made.by_offer[0], "ед.")
    assert cells.money == "дешевле 2,27" and cells.effect == f"20{NB}%, допущение"
    assert "окупается" in plan.plan_chart_title(made, "ед.")


def test_the_break_even_says_what_effect_it_rests_on_and_what_the_measured_interval_allows() -> None:
    made = make.plan()  # five customers offered, nothing measured
    assert plan.plan_line(made, "ед.").endswith("сохраняет одно предложение при допущенном эффекте (измерений ещё нет).")
    everyone = replace(made, customers=made.customers.assign(effect_source="measured"))  # measured on every offer together
    spans_zero = plan.plan_line(replace(everyone, headline=replace(made.headline, expected_gain_range=(-5.0, 2.5))), "ед.")
    assert "сохраняет одно предложение по эффекту, измеренному по всем предложениям; но интервал измерения накрывает ноль: " \
           "на его верхней границе — 0,50 ед., на нижней контакт не окупается ни при какой цене." in spans_zero
    above = plan.plan_line(replace(made, headline=replace(made.headline, expected_gain_range=(5.0, 10.0))), "ед.")
    assert above.endswith("при допущенном эффекте; по границам интервала измерения — от 1,00 до 2,00 ед.")
    in_segment = made.customers.assign(effect_source="measured", measured_segment="Ценные в зоне риска")
    made = replace(made, headline=replace(made.headline, expected_gain_range=(5.0, 10.0)))  # a measurement has its interval
    assert "по эффекту, измеренному в сегменте «Ценные в зоне риска»;" in plan.plan_line(replace(made, customers=in_segment), "ед.")
    offer = in_segment.assign(measured_offer=["pages"] * 3 + [None] * 2)  # the offer's own measurement for three of five
    assert replace(made, customers=offer).measured_in == (("Ценные в зоне риска", "Подборки"), ("Ценные в зоне риска", None))
    assert "измеренному в сегменте «Ценные в зоне риска» для предложения «Подборки» и в сегменте «Ценные в зоне риска»;" \
           in plan.plan_line(replace(made, customers=offer), "ед.")
    mixed = in_segment.assign(effect_source=["measured", "assumed", "measured", "assumed", "assumed"])
    assert "для части покупателей измеренному в сегменте «Ценные в зоне риска», для части — допущенному" \
           in plan.plan_line(replace(made, customers=mixed), "ед.")
    assert replace(made, customers=made.customers.iloc[:0]).effect_source == "assumed"  # nobody offered


def test_a_segment_whose_assumed_gain_the_measurement_calls_a_loss_is_named_beside_the_range() -> None:
    """A harm the adjustment does not confirm keeps a segment in the plan on the assumption, while its measured range is
    a loss: the plan's sentence names it, so that a range reaching below zero is explained where it is read."""
    made = make.plan()
    losing = replace(made.by_segment[0], effect_source="assumed", gain_range=(-351.0, -166.0))
    line = plan.plan_line(replace(made, by_segment=(losing,), headline=replace(made.headline, expected_gain_range=(-5.0, 2.5))), "ед.")
    assert line.endswith(f"на нижней контакт не окупается ни при какой цене (в сегменте «{losing.segment}» измерение "
                         "показывает потерю, а выгода там посчитана по допущению).")
    measured = replace(losing, effect_source="measured")  # a measured loss is not an assumption: nothing to explain
    assert "измерение показывает потерю" not in plan.plan_line(replace(made, by_segment=(measured,)), "ед.")
    priced = make.plan(prices={"сайт": 0.1, "email": 1.0})
    assert "измерение показывает потерю" in plan.plan_line(replace(priced, by_segment=(losing, losing)), "ед.")


def test_with_prices_the_plan_is_money() -> None:
    made = make.plan(prices={"сайт": 0.1, "email": 1.0}, budget=2.3)
    line = plan.plan_line(made, "ед.")
    assert line.startswith("План при бюджете 2 ед.: предложения назначены 3")  # the budget is printed in whole units
    assert "затраты 2 ед." in line and line.endswith("измерений ещё нет).")
    assert plan.money_header(made, "ед.") == "Выгода за вычетом затрат, ед."
    assert {u.reason for u in made.uncovered} == {"not_paying", "budget"}
    assert "не хватило бюджета" in plan.uncovered_sentence(made, 4)


def test_the_loss_says_whether_it_is_measured() -> None:
    from report_builder.results.effects import Loss

    assumed = effects.loss_sentence(Loss(1.0, "assumed"), 3)
    assert assumed.startswith(f"Допущение: покупатель со сниженной активностью теряет 100{NB}% месячной прибыли")
    assert "считается от всей прибыли под риском (вероятность снижения × прибыль в месяц × 3 мес.)" in assumed
    assert f"считается от 40{NB}% прибыли под риском" in effects.loss_sentence(Loss(0.4, "assumed"), 3)
    measured = effects.loss_sentence(Loss(0.3, "measured", (0.25, 0.35), 900, 2), 3)
    assert f"теряет 30{NB}% месячной прибыли (95{NB}% ДИ 25{NB}%–35{NB}%)" in measured and "900" in measured
    # «прибыль под риском» is the segments' (probability × profit × months): the share lost is taken of it, not in it
    assert f"Прибыль под риском (вероятность снижения × прибыль в месяц × 3 мес.) — то, что снижение затрагивает; " \
           f"теряется из неё 30{NB}%" in measured


def test_the_power_sentence_says_when_a_verdict_comes() -> None:
    made = make.plan()
    text = effects.power_sentence(made.power)
    assert "контрольной группы нет — вывода не будет никогда".lower() in text.lower() or "вывод — через" in text


def test_the_power_sentence_asks_for_a_larger_share_only_when_the_present_one_is_too_slow() -> None:
    from report_builder.results.plan import Power

    slow = Power(min_effect=0.2, base_rate=0.55, control_needed=183, control_now=40, control_share=0.05,
                 quarters_to_verdict=5, recommended_share=0.12, target_quarters=2, detection=0.8, auto=False)
    text = effects.power_sentence(slow)
    assert f"нужно 183{NB}покупателя за все кварталы вместе" in text and f"вывод — через 5{NB}кварталов" in text
    assert f"Чтобы вывод был через 2{NB}квартала, в контрольную группу нужно отбирать 12{NB}% плана." in text
    enough = effects.power_sentence(replace(slow, quarters_to_verdict=2, recommended_share=0.10, control_share=0.10))
    assert enough.endswith("Нынешней доли контрольной группы для этого хватает.") and "нужно отбирать" not in enough


def test_a_segment_the_offers_harm_is_named_as_left_out_of_the_plan() -> None:
    from report_builder.labels import VALUABLE_AT_RISK, VALUABLE_STABLE
    from report_builder.report.narrative import recommendations
    from report_builder.results.effects import Effect, Effects, Loss

    def harmful(segment: str) -> Effect:
        return Effect(segment=segment, offer=None, title=None, quarters=("2026-Q1",), offered=300, control=40,
                      offered_rate=0.34, control_rate=0.18, uplift=-0.191, uplift_ci95=(-0.305, -0.076), verdict="harm",
                      used="measured", by_quarter=(), p_value=0.0007, p_adjusted=0.0042)

    made = make.plan()  # its only segment is VALUABLE_AT_RISK
    both = Effects((harmful(VALUABLE_STABLE), harmful(VALUABLE_AT_RISK)), Loss(1.0, "assumed"), 0.2, 0.2, compared=6)
    assert recommendations.dropped_sentence(made, both) == (
        f"Сегмент «{VALUABLE_STABLE}» в план не вошёл: по контрольным группам предложения там вредят — "
        f"разница −19,1{NB}п.{NB}п. (95{NB}% ДИ от −30,5 до −7,6{NB}п.{NB}п.), и вред держится с поправкой Холма "
        f"на 6{NB}сравнений (p{NB}={NB}0,004).")
    assert recommendations.dropped_sentence(made, Effects((), Loss(1.0, "assumed"), 0.2, 0.2)) == ""


def test_a_harm_holms_adjustment_does_not_hold_is_named_and_the_segment_kept() -> None:
    """One group of many reads «вредят», but not once every comparison is counted: the plan keeps it (the effect is
    then an assumption), and the text says why and that the next quarter measures it again; the table says it too."""
    from report_builder.labels import VALUABLE_STABLE
    from report_builder.report.narrative import recommendations
    from report_builder.results.effects import Effect, Effects, Loss

    chance = Effect(segment=VALUABLE_STABLE, offer=None, title=None, quarters=("2026-Q1", "2026-Q2"), offered=376,
                    control=44, offered_rate=0.37, control_rate=0.11, uplift=-0.262, uplift_ci95=(-0.357, -0.168),
                    verdict="harm", used="assumed", by_quarter=(), p_value=0.024, p_adjusted=0.43)
    found = Effects((chance,), Loss(1.0, "assumed"), 0.2, 0.2, compared=21)
    text = recommendations.dropped_sentence(make.plan(), found)
    assert text == (
        f"В сегменте «{VALUABLE_STABLE}» предложения по контрольным группам как будто вредят — разница −26,2{NB}п.{NB}п. "
        f"(95{NB}% ДИ от −35,7 до −16,8{NB}п.{NB}п.), но это лишь одно сравнение из многих (всего их 21), и с поправкой "
        f"Холма на их число вред не подтверждается (p{NB}={NB}0,43): из плана они не исключены, и следующий квартал "
        "проверит это на новой контрольной группе.")
    cells = effects.effect_cells(chance, found)
    assert cells.reading.endswith(f"; с поправкой Холма на 21{NB}сравнение не подтверждается (p{NB}={NB}0,43)")
    assert cells.used == "по допущению"
    confirmed = effects.effect_cells(replace(chance, p_adjusted=0.01, used="measured"), found)
    assert "Холма" not in confirmed.reading and confirmed.used == "по измерению"
    everyone = replace(chance, segment=None, p_value=0.07, p_adjusted=0.07)
    assert effects.effect_cells(everyone, found).reading.endswith(
        f"; критерий Кохрана — Мантеля — Хензеля этого не подтверждает (p{NB}={NB}0,07)")
    # All offers together are tested without Holm's adjustment: the sentence about one comparison of many is not theirs.
    assert recommendations.dropped_sentence(make.plan(), replace(found, effects=(everyone,))) == ""


def test_the_effects_lead_says_which_group_carries_the_money_and_when_to_doubt_it() -> None:
    from report_builder.results.effects import Effect, Effects, Loss

    overall = Effect(None, None, None, ("2026-Q1",), 600, 70, 0.5, 0.47, -0.03, (-0.12, 0.06), "no_effect", "measured", ())
    text = effects.effects_lead(Effects((overall,), Loss(1.0, "assumed"), 0.2, 0.2))
    assert "самой узкой группы с точным измерением (предложение в сегменте, затем предложение, сегмент, все предложения" in text
    assert text.endswith("если деньги плана держатся на такой группе, а строка «все предложения» эффекта не показывает, вывод "
                         "стоит подтвердить следующим кварталом.")
    assert effects.effects_lead(Effects((), Loss(1.0, "assumed"), 0.2, 0.2)).startswith("Измерений эффекта ещё нет")


def test_the_plan_tables_say_where_a_measured_effect_was_measured() -> None:
    made = make.plan()  # nothing measured: nothing to explain
    assert effects.measured_note(made) == ""
    in_segment = made.customers.assign(effect_source="measured", measured_segment="Ценные в зоне риска")
    note = effects.measured_note(replace(made, customers=in_segment))
    assert note.startswith("«Измерен» в столбце «Эффект» — эффект, измеренный в сегменте «Ценные в зоне риска»:")
    assert "не обязательно само предложение" in note
    three = in_segment.assign(measured_segment=["A", "B", "C", "A", "B"])
    assert effects.measured_groups(replace(made, customers=three)) == "в 3 группах"
