"""narrative.backtest: did last quarter's forecast come true, and did its offers work."""

from __future__ import annotations

from dataclasses import replace

import small_results as make
from report_builder.report.narrative import backtest as say
from report_builder.results.backtest import Group

NB = "\u00a0"


def test_the_forecast_against_what_happened() -> None:
    bt = make.backtest()
    assert say.backtest_rates(bt) == (
        f"Из 1{NB}140{NB}покупателей, которые есть в обоих кварталах, прогноз отнёс к зоне риска (вероятность от 50{NB}%) "
        f"36{NB}%, средний прогноз — 38{NB}%; активность снизилась у 39{NB}%."
    )
    verdict = say.backtest_verdict(bt)
    assert verdict.startswith("Прогноз прошлого квартала (модель на парах кварталов) стоит переобучить или проверить — "
                              "он различает хуже, чем обещал, ")
    assert f"разошёлся с фактом на 16{NB}п.{NB}п.: ROC-AUC" in verdict and f"(95{NB}% ДИ 0,866–0,905) против 0,959" in verdict
    assert "у простого прогноза «как сейчас» — 0,800." in verdict and ".." not in verdict
    fine = replace(bt, auc_fell=False, calibration_off=False)
    assert say.backtest_verdict(fine).startswith("Прогноз прошлого квартала (модель на парах кварталов) подтвердился: ROC-AUC на деле 0,887")
    beaten = replace(fine, persistence_roc_auc=0.9)
    assert "простой прогноз «как сейчас» оказался точнее" in say.backtest_verdict(beaten)
    assert say.needs_attention(beaten) if hasattr(say, "needs_attention") else True


def test_the_offers_verdict_names_its_reason() -> None:
    bt = make.backtest()
    text = say.uplift_verdict(bt, 30, 0.2)
    assert text.startswith(f"Предложения прошлого квартала в зоне риска: интервал шире 20{NB}п.{NB}п., вывода пока нет: разница +5,0")
    assert text.endswith(f"(95{NB}% ДИ от −10,0 до +20,0{NB}п.{NB}п.).")
    small = replace(bt, verdict="small_groups")
    assert "группы пока малы (меньше 30" in say.uplift_verdict(small, 30, 0.2)
    helped = replace(bt, verdict="effect", uplift=0.05, uplift_ci95=(0.01, 0.09))
    assert "эффект есть" in say.uplift_verdict(helped, 30, 0.2)
    hurt = replace(bt, verdict="harm", uplift=-0.03, uplift_ci95=(-0.05, -0.01))
    assert "предложения вредят" in say.uplift_verdict(hurt, 30, 0.2)
    none = replace(bt, verdict="no_effect", uplift=0.01, uplift_ci95=(-0.05, 0.07))
    assert "эффект не обнаружен — интервал накрывает ноль" in say.uplift_verdict(none, 30, 0.2)


def test_group_names() -> None:
    assert say.group_name(Group("offer", 1, 0.1)) == "назначены предложения"
    assert say.group_name(Group("control", 1, 0.1)) == "контрольная группа"


def test_chart_caption() -> None:
    assert say.backtest_calibration_title(make.backtest()) == (
        f"Прогноз из отчёта за II квартал 2026{NB}г. против факта по десяти группам покупателей: ROC-AUC на деле 0,887"
    )
