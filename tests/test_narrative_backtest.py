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
        f"Прогнозировали снижение у 36{NB}% покупателей — снизилась активность у 39{NB}% (1{NB}140{NB}покупателей есть в обоих кварталах)."
    )
    verdict = say.backtest_verdict(bt)
    assert verdict.startswith("Модель стоит переобучить или проверить: модель различает хуже, чем обещала; ")
    assert f"разошёлся с фактом на 16{NB}п.{NB}п." in verdict and f"(95{NB}% ДИ 0,866–0,905) против 0,959" in verdict
    fine = replace(bt, auc_fell=False, calibration_off=False)
    assert say.backtest_verdict(fine).startswith("Прогноз прошлого квартала подтвердился: ROC-AUC на деле 0,887")


def test_the_offers_verdict() -> None:
    bt = make.backtest()
    assert say.uplift_verdict(bt) == "Групп пока мало, вывод о действии предложений делать рано."
    helped = replace(bt, verdict="helped", uplift=0.05, uplift_ci95=(0.01, 0.09))
    assert say.uplift_verdict(helped) == f"Предложения снизили долю снизивших активность на 5,0{NB}п.{NB}п. (95{NB}% ДИ от 1,0{NB}п.{NB}п. до 9,0{NB}п.{NB}п.)."
    hurt = replace(bt, verdict="hurt", uplift=-0.03, uplift_ci95=(-0.05, -0.01))
    assert "чаще, на 3,0" in say.uplift_verdict(hurt)


def test_group_names() -> None:
    assert say.group_name(Group("offer", 1, 0.1)) == "получили предложения"
    assert say.group_name(Group("control", 1, 0.1)) == "контрольная группа"


def test_chart_caption() -> None:
    assert say.backtest_calibration_title(make.backtest()) == (
        "Прогноз 2026-Q2 против факта по десяти группам покупателей: ROC-AUC на деле 0,887"
    )
