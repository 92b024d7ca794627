"""«Главное»: the forecast used and how it was checked, the money, the plan and the causes of risk in plain words.

Every sentence here about last quarter's forecast, the offers' effect or the plan is the same function the
later section prints, so the front page can never say what a later page refutes."""

from __future__ import annotations

from report_builder.report.filters import count, num, plural
from report_builder.report.narrative.backtest import verdict_reason
from report_builder.report.narrative.common import end, level, percent, points, quarter_as
from report_builder.report.narrative.effects import loss_note, unconfirmed_note
from report_builder.report.narrative.forecast import PERSISTENCE_NAME, auc_with_interval, pairs_phrase, transition_phrase
from report_builder.results.backtest import Backtest
from report_builder.results.effects import Effects, Loss
from report_builder.results.forecast import Forecast
from report_builder.results.plan import Power
from report_builder.results.segments import Segmentation

# ROC-AUC of the model of this quarter's label: from this value on, how well it tells apart the customers whose
# activity has already declined (a statement about this quarter, never a promise about the next one).
AUC_VERDICTS = (
    (0.9, "Модель отлично отличает покупателей, чья активность уже снизилась, от остальных."),
    (0.8, "Модель хорошо отличает покупателей, чья активность уже снизилась, от остальных."),
    (0.7, "Модель лишь удовлетворительно отличает покупателей, чья активность уже снизилась, от остальных."),
    (0.0, "Модель плохо отличает покупателей, чья активность уже снизилась, от остальных."),
)
CALIBRATION_TRUSTED = 0.05  # an average gap this small is fine whatever the sample size


def auc_verdict(auc: float) -> str:
    return level(auc, AUC_VERDICTS)


def auc_in_words(auc: float) -> str:
    """ROC-AUC as odds a manager can picture: «в 93 случаях из 100»."""
    cases = round(auc * 100)
    return f"в {cases} {plural(cases, 'случае', 'случаях', 'случаях')} из 100"


def calibration_trust(error: float, noise: float = 0.0) -> str:
    """How close the probabilities came to the observed shares: the measured error, against what chance alone gives."""
    gap = points(error)
    if error <= max(CALIBRATION_TRUSTED, noise):
        return (
            f"Вероятности модели согласуются с фактом: в среднем прогноз отличается от фактической доли снизивших "
            f"на {gap} — не больше, чем дал бы случай."
        )
    return (
        f"Вероятности модели — скорее ранжирование, чем точная доля: в среднем прогноз расходится "
        f"с фактом на {gap}, поэтому суммы прибыли под риском — оценка порядка величины."
    )


def in_period(period: str) -> str:
    """«в IV квартале 2026 г.» (or «в периоде …» for a label of another shape)."""
    quarter = quarter_as(period, "квартале")
    return f"в {quarter}" if quarter else f"в периоде «{period}»"


def at_risk_kpi(segmentation: Segmentation) -> str:
    """The label under the number of customers in the risk zone."""
    return f"в зоне риска: вероятность снижения от {percent(segmentation.threshold)}"


def at_risk_kind(forecast: Forecast) -> str:
    """What kind of figure the risk zone is: a forecast checked in time, one checked on this quarter only, or persistence."""
    return {"forward": "прогноз, проверен", "persistence": "прогноз «как сейчас»", "same_quarter": "прогноз, не проверен"}[forecast.kind]


def inaction_kpi(segmentation: Segmentation, unit: str, loss: Loss) -> tuple[str, str]:
    """The cost of doing nothing: (the amount, the label under it). The profit at risk when a decline takes all of it (the
    assumption by default); else the share a decline takes of it, the profit at risk then named in the label."""
    totals = segmentation.totals
    exposed = f"{percent(totals.share_of_quarter_profit)} прибыли квартала"
    if loss.share >= 1:
        assumed = "" if loss.source == "measured" else f"; допущение: снижение стоит {percent(loss.share)} прибыли"
        return f"{num(totals.profit_at_risk_all)} {unit}", f"под риском за {totals.months} мес., {exposed}{assumed}"
    label = f"потеря за {totals.months} мес.: {loss_note(loss)} от {num(totals.profit_at_risk_all)} {unit} под риском ({exposed})"
    return f"{num(totals.profit_at_risk_all * loss.share)} {unit}", label


def forecast_headline(forecast: Forecast) -> str:
    """The forecast used, its kind and its checked accuracy beside the simple forecast — or that it is not checked yet."""
    if forecast.kind == "same_quarter":
        return (
            f"Прогноз на следующий квартал ещё не проверен. Модель обучена на одном квартале и отличает покупателей, "
            f"чья активность уже снизилась, от остальных: на отложенных покупателях этого квартала ROC-AUC "
            f"{auc_with_interval(forecast.roc_auc, forecast.roc_auc_ci95)}. Насколько хорошо она предсказывает следующий квартал, "
            "станет известно через квартал."
        )
    assert forecast.persistence is not None
    check = "на последней паре, обучившись на предыдущих" if forecast.validation == "time" else "перекрёстно, по покупателям"
    if forecast.kind == "forward":
        return (
            f"Прогноз на следующий квартал — модель, обученная на {pairs_phrase(forecast)}. Проверка {check}: "
            f"ROC-AUC {auc_with_interval(forecast.roc_auc, forecast.roc_auc_ci95)} против "
            f"{num(forecast.persistence.roc_auc, 3)} у простого прогноза {PERSISTENCE_NAME}."
        )
    return (
        f"Прогноз на следующий квартал — простой: {transition_phrase(forecast)}. Модель на парах кварталов его не превзошла "
        f"(проверка {check}: ROC-AUC {num(forecast.model_roc_auc, 3)} против {num(forecast.persistence.roc_auc, 3)})."
    )


def effects_headline(effects: Effects, power: Power) -> str:
    """The offers' measured effect, pooled over the quarters, with its reason; or that nothing is measured yet; and when a
    verdict will come."""
    overall = effects.overall
    when = verdict_when(power)
    if overall is None or not overall.quarters:
        return (
            f"Эффект предложений ещё не измерен — его покажет контрольная группа этого квартала; до тех пор выгода считается "
            f"по допущению ({percent(effects.assumed)} предотвращённых снижений). {when}"
        )
    quarters = count(len(overall.quarters), "квартал", "квартала", "кварталов")
    reading = verdict_reason(overall.verdict, overall.uplift, overall.uplift_ci95, effects.min_group, effects.max_ci_width)
    reading += unconfirmed_note(overall, effects)
    if overall.verdict in ("effect", "harm", "no_effect") and not effects.unconfirmed(overall):  # a verdict: nothing to wait for
        return f"Эффект всех предложений вместе по контрольным группам за {quarters}: {reading}."
    return f"Эффект всех предложений вместе по контрольным группам за {quarters}: {reading}. {when}"


def verdict_when(power: Power) -> str:
    """When the control group will allow a verdict on the smallest effect worth seeing, in one sentence."""
    if power.quarters_to_verdict is None:
        return "Контрольной группы нет — эффект не будет измерен никогда."
    return (
        f"Для вывода об эффекте от {percent(power.min_effect)} нужно {count(power.control_needed, 'покупатель', 'покупателя', 'покупателей')} "
        f"в контрольной группе — при нынешней доле {percent(power.control_share)} это "
        f"{count(power.quarters_to_verdict, 'квартал', 'квартала', 'кварталов')}."
    )


def needs_attention(backtest: Backtest) -> bool:
    """The back-test's verdict is not a confirmation: the front page marks it as a warning, as the section does."""
    return backtest.retrain or backtest.beaten_by_persistence


def segments_off() -> str:
    return "Сегментация, план и предложения в этой сборке отключены в настройках (какой настройкой — в «Методике»)."


def money_words(unit: str) -> str:
    """The unit of every sum, said once in words."""
    if unit == "ед.":
        return "Все суммы — в единицах прибыли из таблицы финансового отдела («ед.»; во что они переводятся в рубли, таблица не говорит)."
    return end(f"Все суммы — в единицах прибыли из таблицы финансового отдела: {unit}")
