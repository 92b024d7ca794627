"""«Проверка прошлого прогноза»: did last quarter's forecast come true, and did its offers and plan work."""

from __future__ import annotations

from report_builder.report.filters import NBSP, count, num
from report_builder.report.narrative.common import end, interval_points, percent, period_label, points, pp, signed_points, uplift_difference
from report_builder.report.narrative.models import auc_interval
from report_builder.results.backtest import Backtest, Compliance, Group, PlanCheck
from report_builder.uplift import Verdict

GROUP_NAMES = {"offer": "назначены предложения", "control": "контрольная группа"}
KIND_THEN = {
    "forward": "модель на парах кварталов",
    "persistence": "простой прогноз «как сейчас»",
    "same_quarter": "модель одного квартала",
}


def backtest_rates(backtest: Backtest) -> str:
    """What was forecast and what happened, on one base: the customers present in both quarters."""
    return (
        f"Из {count(backtest.customers, 'покупателя', 'покупателей', 'покупателей')}, которые есть в обоих кварталах, "
        f"прогноз отнёс к зоне риска (вероятность от {percent(backtest.threshold)}) {percent(backtest.predicted_rate)}, "
        f"средний прогноз — {percent(backtest.mean_predicted)}; активность снизилась у {percent(backtest.actual_rate)}."
    )


def backtest_verdict(backtest: Backtest) -> str:
    """The verdict on last quarter's forecast: confirmed, or retrain and why; always beside the simple forecast."""
    kind = KIND_THEN[backtest.kind_then]
    auc = (
        f"ROC-AUC на деле {num(backtest.roc_auc, 3)} (95{NBSP}% ДИ {auc_interval(backtest.roc_auc_ci95)}) "
        f"против {num(backtest.cv_roc_auc_then, 3)}, обещанных при построении; у простого прогноза «как сейчас» — "
        f"{num(backtest.persistence_roc_auc, 3)}"
    )
    if not backtest.retrain and not backtest.beaten_by_persistence:
        return f"Прогноз прошлого квартала ({kind}) подтвердился: {auc}."
    reasons = []
    if backtest.auc_fell:
        reasons.append("он различает хуже, чем обещал")
    if backtest.calibration_off:
        reasons.append(f"в одной из групп прогноз разошёлся с фактом на {points(backtest.calibration_gap)}")
    if backtest.beaten_by_persistence:
        reasons.append("простой прогноз «как сейчас» оказался точнее")
    return f"Прогноз прошлого квартала ({kind}) стоит переобучить или проверить — {', '.join(reasons)}: {auc}."


def backtest_errors(backtest: Backtest) -> str:
    """Precision and recall at last quarter's threshold, beside the simple forecast's, and the Brier scores."""
    return (
        f"При пороге {percent(backtest.threshold)} прошлый прогноз нашёл {percent(backtest.recall)} снизивших, "
        f"а из его тревог верны {percent(backtest.precision)}; простой прогноз «как сейчас» — {percent(backtest.persistence_recall)} "
        f"и {percent(backtest.persistence_precision)}. Оценка Брайера — {num(backtest.brier, 3)} против {num(backtest.constant_brier, 3)} "
        "у прогноза «всем одна вероятность» (меньше — лучше)."
    )


def verdict_reason(verdict: Verdict, uplift: float | None, ci95: tuple[float, float] | None, min_group: int, max_width: float) -> str:
    """What a comparison with the control group allows one to say, with its real reason (no full stop at the end)."""
    if uplift is None or ci95 is None:
        return "сравнивать не с чем: в одной из групп никого нет"
    numbers = uplift_difference(uplift, ci95)
    if verdict == "small_groups":
        return f"группы пока малы (меньше {count(min_group, 'покупателя', 'покупателей', 'покупателей')} в одной из них), {numbers}"
    if verdict == "effect":
        return f"эффект есть — доля снизивших ниже, чем в контрольной группе: {numbers}"
    if verdict == "harm":
        return f"предложения вредят — доля снизивших выше, чем в контрольной группе: {numbers}"
    if verdict == "wide_interval":
        return f"интервал шире {points(max_width)}, вывода пока нет: {numbers}"
    return f"эффект не обнаружен — интервал накрывает ноль: {numbers}"


def uplift_verdict(backtest: Backtest, min_group: int, max_width: float) -> str:
    """Last quarter's offers against its control group, in one sentence."""
    reason = verdict_reason(backtest.verdict, backtest.uplift, backtest.uplift_ci95, min_group, max_width)
    return end(f"Предложения прошлого квартала в зоне риска: {reason}")


def group_name(group: Group) -> str:
    return GROUP_NAMES[group.name]


def plan_check(check: PlanCheck, unit: str) -> str:
    """Last quarter's plan: the gain it promised against what its control group shows."""
    low, high = check.measured_ci95
    control = f"в контрольной группе ({count(check.control, 'покупатель', 'покупателя', 'покупателей')})"
    if round(abs(check.uplift) * 100, 1) == 0:
        gap = f"Доля снизивших среди них та же, что {control}"
    else:
        gap = f"Доля снизивших среди них на {pp(abs(check.uplift))} {'ниже' if check.uplift > 0 else 'выше'}, чем {control}"
    return (
        f"План прошлого квартала обещал {num(check.promised)} {unit} выгоды от {count(check.offered, 'покупателя', 'покупателей', 'покупателей')}, "
        f"которым были назначены предложения. {gap}, то есть выгода {num(check.measured)} {unit} "
        f"(95{NBSP}% ДИ от {num(low)} до {num(high)} {unit})."
    )


def assigned_or_sent(backtest: Backtest) -> str:
    """That an assigned offer need not have been sent, and whether this quarter's data says what was."""
    head = "Назначены — не значит отправлены: что ушло на самом деле,"
    if backtest.compliance is not None:
        return f"{head} показывает таблица контактов этого квартала — её итог ниже, после сравнения групп."
    return (f"{head} отчёт знает только из таблицы контактов (contacts.csv в папке данных), а в данных этого квартала её нет. "
            "Поэтому ниже — эффект назначения предложений: в группу с предложениями входят все, кому они назначены, "
            "отправлены они или нет.")


def _to(customers: int) -> str:
    return count(customers, "покупателю", "покупателям", "покупателям")


def compliance_sent(c: Compliance) -> str:
    """How many of the customers assigned an offer were actually sent one, how many got another offer, and whether the
    control group got any: a breach of the experiment."""
    rest = f", остальным {num(c.assigned - c.contacted)} — нет" if c.contacted < c.assigned else ""
    other = f" Из получивших {_to(c.other_offer)} отправлено не то предложение, которое было назначено." if c.other_offer else ""
    group = f"В контрольной группе ({count(c.control, 'покупатель', 'покупателя', 'покупателей')})"
    breach = (f"{group} предложения всё же отправлены {_to(c.control_contacted)} ({percent(c.control_contacted_share)}) — это "
              "нарушение эксперимента: контрольная группа должна оставаться без предложений, иначе разница между группами "
              "занижает эффект предложений." if c.control_contacted else f"{group} предложений не отправлено никому, как и должно быть.")
    return (f"По таблице контактов из {count(c.assigned, 'покупателя', 'покупателей', 'покупателей')} зоны риска, которым были "
            f"назначены предложения, отправлены они {_to(c.contacted)} ({percent(c.contacted_share)}){rest}.{other} {breach}")


def per_contacted_effect(backtest: Backtest) -> str:
    """The effect per contacted customer beside the effect of assignment, with what the estimate assumes."""
    c = backtest.compliance
    if c is None or c.per_contacted is None or c.per_contacted_ci95 is None:
        why = "в одной из групп никого нет" if backtest.uplift is None else "в группе с предложениями их получили не чаще, чем в контрольной"
        return f"Эффект на одного получившего предложение не оценить: {why}."
    share = (f"разницу долей получивших: {percent(c.contacted_share)} в группе с предложениями и {percent(c.control_contacted_share)} "
             "в контрольной" if c.control_contacted else f"долю получивших ({percent(c.contacted_share)})")
    return ("Разница выше — эффект назначения: она посчитана на всех, кому предложения назначены, отправлены они или нет. "
            f"На одного покупателя, которому предложение действительно отправлено, приходится {signed_points(c.per_contacted)} "
            f"п.{NBSP}п. (95{NBSP}% ДИ {interval_points(c.per_contacted_ci95)}) — это разница, делённая на {share}. "
            "Это оценка в предположении, что на тех, кому предложение не отправили, оно не действует.")


def reference_quarter(backtest: Backtest) -> str:
    return period_label(backtest.reference_period)


# --- chart captions ---------------------------------------------------------------------------

def backtest_calibration_title(backtest: Backtest) -> str:
    return (
        f"Прогноз из отчёта за {period_label(backtest.reference_period)} против факта по десяти группам покупателей: "
        f"ROC-AUC на деле {num(backtest.roc_auc, 3)}"
    )
