"""«Рекомендации», the offers' effect: what the control groups measured, the size a verdict needs, what a decline costs."""

from __future__ import annotations

from typing import NamedTuple

from report_builder.report.filters import NBSP, count, num
from report_builder.report.narrative.backtest import verdict_reason
from report_builder.report.narrative.common import percent, period_label, points, uplift_difference
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


def effect_cells(effect: Effect, min_group: int, max_width: float) -> EffectCells:
    return EffectCells(
        group=effect_group(effect),
        groups=f"{num(effect.offered)} / {num(effect.control)}",
        rates=f"{percent(effect.offered_rate)} / {percent(effect.control_rate)}" if effect.offered and effect.control else "—",
        reading=verdict_reason(effect.verdict, effect.uplift, effect.uplift_ci95, min_group, max_width),
        used="по измерению" if effect.used == "measured" else "по допущению",
    )


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
        f"{points(effects.max_ci_width)} или целиком ниже нуля (там, где предложения вредят, они выходят из плана); иначе — "
        f"по допущению ({percent(effects.assumed)} предотвращённых снижений), с суммами и на границах измеренного "
        f"интервала. Групп в таблице — {len(effects.groups)}: при стольких сравнениях одно-два «эффект есть» или «вредят» "
        "ожидаемы и случайно; если деньги плана держатся на такой группе, а строка «все предложения» эффекта не "
        "показывает, вывод стоит подтвердить следующим кварталом."
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


def dropped_sentence(plan: Plan, effects: Effects) -> str:
    """The offers, and the segments, that the measurements show not working, which the plan leaves out."""
    parts = []
    if plan.dropped:
        names = ", ".join(f"«{e.title or e.offer}»" for name in plan.dropped if (e := effects.for_offer(name)) is not None)
        parts.append(f"Не работают по измерениям и исключены из плана: {names}.")
    planned = {v.segment for v in plan.by_segment}
    overall = effects.overall
    alone = overall is not None and bool(overall.uplift_ci95) and overall.verdict != "harm"  # all offers together: no harm
    for e in effects.groups:
        if e.offer is None and e.segment is not None and not e.works and e.segment not in planned and e.uplift_ci95:
            harm = e.verdict == "harm"
            parts.append(
                f"Сегмент «{e.segment}» в план не вошёл: по контрольным группам предложения там "
                f"{'вредят' if harm else 'не действуют'} — {uplift_difference(e.uplift or 0.0, e.uplift_ci95)}."
                + (f" Это одна из {len(effects.groups)} групп таблицы эффектов, а все предложения вместе вреда не показывают: "
                   "при стольких сравнениях такой результат бывает и случайным." if harm and alone else "")
            )
    return " ".join(parts)


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
