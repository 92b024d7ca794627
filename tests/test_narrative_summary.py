"""narrative.summary: the verdict on the model and the causes of risk on «Главное»."""

from __future__ import annotations

import pytest

import small_results as make
from report_builder.report.filters import num
from report_builder.report.narrative import causes, summary as say
from report_builder.results.analysis import Driver, Explanation
from report_builder.results.effects import Loss
from report_builder.results.segments import Contrast

NB = "\u00a0"


@pytest.mark.parametrize(
    ("auc", "verdict"),
    [(0.95, "отлично"), (0.9, "отлично"), (0.8999, "хорошо"), (0.8, "хорошо"), (0.75, "удовлетворительно"), (0.6, "плохо")],
)
def test_auc_verdict_follows_the_measured_value(auc: float, verdict: str) -> None:
    text = say.auc_verdict(auc)
    assert verdict in text and "уже снизилась" in text  # a statement about this quarter
    assert "надёжно" not in text and "доверять" not in text


def test_auc_in_words_agrees_in_number() -> None:
    assert say.auc_in_words(0.927) == "в 93 случаях из 100"
    assert say.auc_in_words(0.81) == "в 81 случае из 100"


def test_calibration_trust_follows_the_measured_error() -> None:
    assert "согласуются с фактом" in say.calibration_trust(0.04) and f"4{NB}п.{NB}п." in say.calibration_trust(0.04)
    assert "согласуются" not in say.calibration_trust(0.06)
    assert "согласуются" in say.calibration_trust(0.06, noise=0.07)  # within what chance alone gives
    doubtful = say.calibration_trust(0.27)
    assert "согласуются" not in doubtful and f"27{NB}п.{NB}п." in doubtful and ".." not in doubtful
    assert not any("доверять" in say.calibration_trust(e) for e in (0.01, 0.3))


def test_plain_causes_say_direction_and_size() -> None:
    pages = Contrast("Страниц_за_визит", "numeric", 5.6, 9.8, -1.4, 1e-9)
    promo = Contrast("Акционные_покупки", "numeric", 0.45, 0.25, 0.9, 1e-9)
    tiny = Contrast("Ошибка_сервиса", "numeric", 4.1, 4.2, -0.05, 0.4)
    assert causes.cause(pages) == "смотрят меньше страниц за визит: 5,6 против 9,8 у стабильных"
    assert causes.cause(promo) == f"чаще покупают по акциям: 45{NB}% против 25{NB}% у стабильных"
    assert causes.cause(tiny) is None
    assert causes.risk_causes((tiny, promo, pages), None) == [causes.cause(promo), causes.cause(pages)]


def test_causes_follow_the_model_and_skip_what_barely_matters() -> None:
    pages = Contrast("Страниц_за_визит", "numeric", 5.6, 9.8, -1.4, 1e-9)
    promo = Contrast("Акционные_покупки", "numeric", 0.45, 0.25, 0.9, 1e-9)
    drivers = (Driver("Акционные_покупки", 0.05, "up", 0.8, None, 0.02, 0.01), Driver("Страниц_за_визит", 0.001, "down", -0.1, None, 0.0, 0.0))
    explanation = Explanation("TreeExplainer", (), None, None, 0.4, drivers, 0.0)  # type: ignore[arg-type]
    assert causes.risk_causes((pages, promo), explanation) == [causes.cause(promo)]


def test_the_kpis_of_the_risk_zone() -> None:
    seg = make.segmentation()
    assert say.at_risk_kpi(seg) == f"в зоне риска: вероятность снижения от 50{NB}%"
    # Σ probability × profit × 3 months: 46,5 over all, 37,8 in the zone (probability from 0,5), of 96 quarter profit.
    amount, text = say.inaction_kpi(seg, "тыс. руб.", Loss(1.0, "assumed"))
    assert amount == f"{num(46.5)} тыс. руб."
    assert text == f"под риском за 3 мес., 48{NB}% прибыли квартала; допущение: снижение стоит 100{NB}% прибыли"
    # A measured loss of 30 %: the cost of doing nothing is 30 % of the profit at risk, which the label still names.
    amount, text = say.inaction_kpi(seg, "ед.", Loss(0.3, "measured", (0.2, 0.4), 500))
    assert amount == f"{num(46.5 * 0.3)} ед."
    assert text == f"потеря за 3 мес.: 30{NB}% (измерено) от {num(46.5)} ед. под риском (48{NB}% прибыли квартала)"
    assert say.inaction_kpi(seg, "ед.", Loss(0.5, "assumed"))[1].startswith(f"потеря за 3 мес.: 50{NB}% (допущение) от")


def test_the_period_in_the_case_the_definition_needs() -> None:
    assert say.in_period("2026-Q4") == f"в IV квартале 2026{NB}г."
    assert say.in_period("весна") == "в периоде «весна»"


def test_the_effect_on_the_front_page_is_of_every_offer_together() -> None:
    """A segment's measurement may carry the plan's money; the front page's verdict is on every offer together, and says so."""
    from report_builder.results.effects import Effect, Effects

    overall = Effect(None, None, None, ("2026-Q1", "2026-Q2"), 600, 70, 0.5, 0.47, -0.03, (-0.12, 0.06), "no_effect", "measured", ())
    text = say.effects_headline(Effects((overall,), Loss(1.0, "assumed"), 0.2, 0.2), make.plan().power)
    assert text.startswith(f"Эффект всех предложений вместе по контрольным группам за 2{NB}квартала: эффект не обнаружен")
    nothing = say.effects_headline(Effects((), Loss(1.0, "assumed"), 0.2, 0.2), make.plan().power)
    assert nothing.startswith("Эффект предложений ещё не измерен")
