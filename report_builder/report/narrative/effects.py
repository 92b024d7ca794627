"""«Рекомендации», the offers' effect: what the control groups measured, the size a verdict needs, what a decline costs."""

from __future__ import annotations

from typing import NamedTuple

from report_builder.report.filters import NBSP, count, num
from report_builder.report.narrative.backtest import verdict_reason
from report_builder.report.narrative.common import p_note, percent, period_label, points
from report_builder.results.effects import Effect, Effects, Loss
from report_builder.results.plan import Plan, Power


class EffectCells(NamedTuple):
    group: str
    groups: str  # «331 / 38»
    rates: str  # «76 % / 76 %»
    reading: str
    used: str


def effect_group(effect: Effect) -> str:
    if effect.segment is None and effect.offer is None:
        return "все предложения"
    if effect.offer is None:
        return f"сегмент «{effect.segment}»"
    return f"«{effect.title or effect.offer}»"


def effect_cells(effect: Effect, effects: Effects) -> EffectCells:
    reading = verdict_reason(effect.verdict, effect.uplift, effect.uplift_ci95, effects.min_group, effects.max_ci_width)
    return EffectCells(
        group=effect_group(effect),
        groups=f"{num(effect.offered)} / {num(effect.control)}",
        rates=f"{percent(effect.offered_rate)} / {percent(effect.control_rate)}" if effect.offered and effect.control else "—",
        reading=reading + unconfirmed_note(effect, effects),
        used="по измерению" if effect.used == "measured" else "по допущению",
    )


def unconfirmed_note(effect: Effect, effects: Effects) -> str:
    """«; с поправкой Холма на 7 сравнений не подтверждается (p = 0,15)» after a reading of «effect» or «harm» that the
    test of no difference does not hold (`Effects.unconfirmed`); else nothing."""
    if not effects.unconfirmed(effect):
        return ""
    p = p_note(effect.p_adjusted)
    if effect.segment is None and effect.offer is None:
        return f"; критерий Кохрана — Мантеля — Хензеля этого не подтверждает{p}"
    compared = count(effects.compared, "сравнение", "сравнения", "сравнений")
    return f"; с поправкой Холма на {compared} не подтверждается{p}"


def effects_lead(effects: Effects) -> str:
    overall = effects.overall
    if overall is None or not overall.quarters:
        return (
            "Измерений эффекта ещё нет: контрольная группа этого квартала покажет его в следующем. До тех пор деньги "
            f"считаются по допущению — предложение предотвращает {percent(effects.assumed)} снижений."
        )
    quarters = ", ".join(period_label(q) for q in overall.quarters)
    return (
        f"Эффект измерен по контрольным группам кварталов: {quarters} (каждый проверен следующим кварталом; оценки "
        f"кварталов объединены с весами по их точности). Деньги считаются по измеренному эффекту самой узкой группы с "
        f"точным измерением (предложение в сегменте, затем предложение, сегмент, все предложения вместе): его интервал уже "
        f"{points(effects.max_ci_width)}, а вред (интервал ниже нуля) — только если он держится с поправкой Холма на "
        "число сравнений, и тогда предложения там выходят из плана; иначе — по допущению "
        f"({percent(effects.assumed)} предотвращённых снижений), с суммами и на границах измеренного интервала. "
        "Отдельных сравнений с достаточными группами (сегменты, предложения, каждое предложение в каждом сегменте) — "
        f"{effects.compared}: при стольких одно-два «эффект есть» или «вредят» бывают и случайно, и не выдержавшие "
        "поправки помечены в таблице; если деньги плана держатся на такой группе, а строка «все предложения» эффекта "
        "не показывает, вывод стоит подтвердить следующим кварталом."
    )


def power_sentence(power: Power) -> str:
    """How big the control group must be for a verdict, and when it will come."""
    if power.control_needed == 0:
        return "Без покупателей в плане контрольная группа не нужна."
    head = (
        f"Чтобы с вероятностью {percent(power.detection)} заметить эффект в {percent(power.min_effect)} предотвращённых снижений "
        f"(при доле снизивших {percent(power.base_rate)}), контрольной группе нужно "
        f"{count(power.control_needed, 'покупатель', 'покупателя', 'покупателей')} за все кварталы вместе"
    )
    now = f"; сейчас в неё отобрано {count(power.control_now, 'покупатель', 'покупателя', 'покупателей')} ({percent(power.control_share)} плана)"
    if power.quarters_to_verdict is None:
        when = ". Контрольной группы нет — вывода не будет никогда"
    else:
        when = f", вывод — через {count(power.quarters_to_verdict, 'квартал', 'квартала', 'кварталов')}"
    if power.recommended_share is None:
        target = f". Даже половина плана не даст вывода за {count(power.target_quarters, 'квартал', 'квартала', 'кварталов')}."
    elif power.quarters_to_verdict is not None and power.quarters_to_verdict <= power.target_quarters:
        target = ". Нынешней доли контрольной группы для этого хватает."
    elif power.auto:
        target = f". Доля контрольной группы подобрана так, чтобы вывод был через {count(power.target_quarters, 'квартал', 'квартала', 'кварталов')}."
    else:
        target = (
            f". Чтобы вывод был через {count(power.target_quarters, 'квартал', 'квартала', 'кварталов')}, "
            f"в контрольную группу нужно отбирать {percent(power.recommended_share)} плана."
        )
    return head + now + when + target


def any_measured(effects: Effects) -> bool:
    overall = effects.overall
    return overall is not None and bool(overall.quarters)


def loss_sentence(loss: Loss, months: int) -> str:
    """What a decline is taken to cost: measured between quarters, or the assumption."""
    if loss.source == "measured" and loss.ci95 is not None:
        return (
            f"Покупатель со сниженной активностью теряет {percent(loss.share)} месячной прибыли (95{NBSP}% ДИ "
            f"{percent(loss.ci95[0])}–{percent(loss.ci95[1])}): так изменилась прибыль от квартала к следующему у тех, кто снизил "
            f"активность, против сохранивших уровень ({count(loss.customers, 'покупатель', 'покупателя', 'покупателей')}, "
            "в первом квартале — на прежнем уровне). "
            f"Прибыль под риском (вероятность снижения × прибыль в месяц × {months} мес.) — то, что снижение затрагивает; "
            f"теряется из неё {percent(loss.share)}, и выгода предложений считается от этой доли."
        )
    base = "всей прибыли под риском" if loss.share >= 1 else f"{percent(loss.share)} прибыли под риском"
    return (
        f"Допущение: покупатель со сниженной активностью теряет {percent(loss.share)} месячной прибыли в течение {months} мес., "
        f"поэтому выгода предложений считается от {base} (вероятность снижения × прибыль в месяц × {months} мес.); "
        "измерить потерю можно, когда в истории будут два соседних квартала."
    )


def loss_note(loss: Loss) -> str:
    """How much of the profit at risk is lost if nothing is done: «31 % (измерено)»."""
    return f"{percent(loss.share)} ({'измерено' if loss.source == 'measured' else 'допущение'})"


def measured_groups(plan: Plan) -> str:
    """Where the effects the plan's money uses were measured («в сегменте «X»», «по всем предложениям»…), or in how many groups."""
    groups = [" ".join(part for part in (f"в сегменте «{segment}»" if segment else "", f"для предложения «{offer}»" if offer else "")
                       if part) or "по всем предложениям" for segment, offer in plan.measured_in]
    return " и ".join(groups) if len(groups) <= 2 else f"в {num(len(groups))} группах"


def measured_note(plan: Plan) -> str:
    """What «измерен» in the plan's tables means: measured in a group, not necessarily for the offer itself."""
    if not plan.measured_in:
        return ""
    return (f"«Измерен» в столбце «Эффект» — эффект, измеренный {measured_groups(plan)}: деньги покупателя считаются по "
            "самой узкой группе с точным измерением, и это не обязательно само предложение (таблица ниже).")
