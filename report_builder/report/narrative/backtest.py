"""«Проверка прошлого прогноза»: did last quarter's forecast come true, and did its offers work."""

from __future__ import annotations

from report_builder.report.filters import NBSP, count, num
from report_builder.report.narrative.common import percent, points, pp
from report_builder.report.narrative.models import auc_interval
from report_builder.results.backtest import Backtest, Group

GROUP_NAMES = {"offer": "получили предложения", "control": "контрольная группа"}


def backtest_rates(backtest: Backtest) -> str:
    return (
        f"Прогнозировали снижение у {percent(backtest.predicted_rate)} покупателей — снизилась активность "
        f"у {percent(backtest.actual_rate)} ({count(backtest.customers, 'покупатель', 'покупателя', 'покупателей')} есть в обоих кварталах)."
    )


def backtest_verdict(backtest: Backtest) -> str:
    auc = (
        f"ROC-AUC на деле {num(backtest.roc_auc, 3)} (95{NBSP}% ДИ {auc_interval(backtest.roc_auc_ci95)}) "
        f"против {num(backtest.cv_roc_auc_then, 3)}, обещанных при подборе"
    )
    if not backtest.retrain:
        return f"Прогноз прошлого квартала подтвердился: {auc}."
    reasons = []
    if backtest.auc_fell:
        reasons.append("модель различает хуже, чем обещала")
    if backtest.calibration_off:
        reasons.append(f"в одной из групп прогноз разошёлся с фактом на {points(backtest.calibration_gap)}")
    return f"Модель стоит переобучить или проверить: {'; '.join(reasons)}. {auc}."


def uplift_verdict(backtest: Backtest) -> str:
    if backtest.verdict == "early" or backtest.uplift is None or backtest.uplift_ci95 is None:
        return "Групп пока мало, вывод о действии предложений делать рано."
    low, high = backtest.uplift_ci95
    interval = f"95{NBSP}% ДИ от {pp(low)} до {pp(high)}"
    if backtest.verdict == "helped":
        return f"Предложения снизили долю снизивших активность на {pp(backtest.uplift)} ({interval})."
    if backtest.verdict == "hurt":
        return f"У получивших предложения снижение случалось чаще, на {pp(-backtest.uplift)} ({interval}): предложения стоит пересмотреть."
    return f"Эффекта предложений пока не видно: разница {pp(backtest.uplift)} ({interval})."


def group_name(group: Group) -> str:
    return GROUP_NAMES[group.name]


# --- chart captions ---------------------------------------------------------------------------

def backtest_calibration_title(backtest: Backtest) -> str:
    return (
        f"Прогноз {backtest.reference_period} против факта по десяти группам покупателей: "
        f"ROC-AUC на деле {num(backtest.roc_auc, 3)}"
    )
