"""«Прогноз на следующий квартал»: which forecast is used, how it was checked, against which baselines."""

from __future__ import annotations

from typing import NamedTuple

from report_builder.report.filters import NBSP, count, num
from report_builder.report.narrative.common import percent, short_period
from report_builder.results.forecast import Forecast

PERSISTENCE_NAME = "«кто снизил активность сейчас, снизит и дальше»"
CONSTANT_AUC = 0.5  # one probability for everyone ranks no one above anyone
VALIDATION_WORDS = {
    "time": "проверена во времени: подобрана на более ранних парах и проверена на самой поздней — как если бы её построили кварталом раньше",
    "cv": "проверена перекрёстно: покупатели разбиты на блоки, и каждый покупатель проверяется моделью, которая его не видела",
    "holdout": "проверена на отложенных покупателях этого же квартала",
}


class ForecastRow(NamedTuple):
    """One line of the comparison table: a forecast, its ROC-AUC (with interval when known) and its Brier score."""

    name: str
    auc: str
    brier: str
    used: bool


def pairs_phrase(forecast: Forecast) -> str:
    """«3 парах соседних кварталов (с IV кв. 2025 по III кв. 2026)»: in the case a sentence «обучена на …» needs."""
    first, last = forecast.pairs[0][0], forecast.pairs[-1][1]
    pairs = count(len(forecast.pairs), "паре", "парах", "парах")
    return f"{pairs} соседних кварталов (с {short_period(first)} по {short_period(last)})"


def auc_with_interval(auc: float, ci95: tuple[float, float]) -> str:
    """«0,897 (95 % ДИ 0,878–0,915)»."""
    return f"{num(auc, 3)} (95{NBSP}% ДИ {num(ci95[0], 3)}–{num(ci95[1], 3)})"


def forecast_lead(forecast: Forecast) -> str:
    """The section's first sentence: what is forecast and from what."""
    if forecast.kind == "same_quarter":
        return (
            "В истории ещё нет двух соседних кварталов, поэтому прогноз на следующий квартал — модель этого квартала. "
            "Она отличает покупателей, чья активность уже снизилась, от остальных; насколько хорошо она предсказывает "
            "следующий квартал, станет известно через квартал, когда его данные придут."
        )
    base = (
        f"Прогноз на следующий квартал учится на том, что уже случилось: признаки и активность покупателя в одном квартале "
        f"и его активность в следующем. Модель обучена на {pairs_phrase(forecast)} и {VALIDATION_WORDS[forecast.validation]}."
    )
    return base


def forecast_choice(forecast: Forecast) -> str:
    """Which forecast is used and why, with the numbers that decided it."""
    if forecast.kind == "same_quarter":
        return (
            f"На отложенных покупателях этого квартала ROC-AUC {auc_with_interval(forecast.roc_auc, forecast.roc_auc_ci95)}: "
            "так хорошо модель различает уже случившееся снижение, а не будущее."
        )
    persistence = forecast.persistence
    assert persistence is not None
    model = num(forecast.model_roc_auc, 3)
    simple = num(persistence.roc_auc, 3)
    if forecast.kind == "forward":
        return (
            f"Модель точнее простого прогноза {PERSISTENCE_NAME}: ROC-AUC "
            f"{auc_with_interval(forecast.roc_auc, forecast.roc_auc_ci95)} против {simple} на тех же "
            f"{count(forecast.customers, 'покупателе', 'покупателях', 'покупателях')}; поэтому используется она."
        )
    return (
        f"Модель не точнее простого прогноза {PERSISTENCE_NAME}: ROC-AUC {model} против {simple} на тех же "
        f"{count(forecast.customers, 'покупателе', 'покупателях', 'покупателях')}; поэтому прогноз — по тому, снизилась ли "
        f"активность сейчас: {transition_phrase(forecast)}."
    )


def transition_phrase(forecast: Forecast) -> str:
    """«из снизивших активность снижают её и в следующем квартале 76 %, из сохранивших — 21 %»."""
    if forecast.rate_from_declining is None or forecast.rate_from_stable is None:
        return ""
    return (
        f"из снизивших активность снижают её и в следующем квартале {percent(forecast.rate_from_declining)}, "
        f"из сохранивших прежний уровень — {percent(forecast.rate_from_stable)}"
    )


def forecast_rows(forecast: Forecast) -> list[ForecastRow]:
    """The forecast used beside the simple ones, measured on the same customers; the interval is the used one's."""
    used_auc = auc_with_interval(forecast.roc_auc, forecast.roc_auc_ci95)
    model_used = forecast.kind != "persistence"
    name = {"forward": "Модель на парах кварталов", "persistence": "Модель на парах кварталов (не используется)",
            "same_quarter": "Модель этого квартала"}[forecast.kind]
    rows = [ForecastRow(name, used_auc if model_used else num(forecast.model_roc_auc, 3), num(forecast.model_brier, 3), model_used)]
    if forecast.persistence is not None:
        simple = forecast.persistence
        rows.append(ForecastRow(f"Простой прогноз {PERSISTENCE_NAME}", num(simple.roc_auc, 3) if model_used else used_auc,
                                num(simple.brier, 3), not model_used))
    rows.append(ForecastRow("Всем одна вероятность — доля снизивших", num(CONSTANT_AUC, 3), num(forecast.constant_brier, 3), False))
    return rows


def persistence_accuracy(forecast: Forecast) -> str:
    """Precision and recall of the simple forecast, so a director can picture it."""
    p = forecast.persistence
    if p is None:
        return ""
    return (
        f"Простой прогноз {PERSISTENCE_NAME} на этих покупателях: из тех, у кого активность снизилась, она снизилась и "
        f"в следующем квартале у {percent(p.precision)}; из всех, у кого она снизилась в следующем квартале, "
        f"{percent(p.recall)} были среди снизивших раньше."
    )


def brier_reading(forecast: Forecast) -> str:
    """The Brier score of the forecast used against the constant forecast's."""
    better = forecast.brier < forecast.constant_brier
    comparison = "меньше" if better else "не меньше"
    return (
        f"Оценка Брайера (средний квадрат ошибки вероятности) — {num(forecast.brier, 3)}, {comparison}, чем "
        f"{num(forecast.constant_brier, 3)} у прогноза «всем одна вероятность»"
        + (": вероятности точнее простой доли." if better else ": как вероятности они не лучше простой доли.")
    )


def expected_sources(forecast: Forecast) -> str:
    """Where next quarter's decline comes from: the expected decliners among stable and declining customers."""
    expected = forecast.expected
    if expected is None:
        return ""
    total = round(expected.total)
    stable = round(expected.from_stable)
    return (
        f"В следующем квартале ожидается около {count(total, 'снизившего', 'снизивших', 'снизивших')} активность; "
        f"из них около {num(stable)} ({percent(expected.stable_share)}) — среди покупателей, у которых она сейчас "
        f"на прежнем уровне, остальные {num(total - stable)} — среди тех, у кого она уже снизилась."
    )


def is_forward(forecast: Forecast) -> bool:
    return forecast.looks_ahead


def transition_sentence(forecast: Forecast) -> str:
    """The observed quarter-to-quarter rates, for the director's sense of scale."""
    phrase = transition_phrase(forecast)
    return f"По истории {phrase}." if phrase else ""
