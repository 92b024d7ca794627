"""«Рекомендации»: the offer rules as applied, why each was chosen or not, and what the plan leaves out on measurements."""

from __future__ import annotations

from report_builder.labels import label
from report_builder.report.filters import count
from report_builder.report.narrative.common import exact, p_note, percent, uplift_difference
from report_builder.results.effects import Effects
from report_builder.results.plan import Plan
from report_builder.results.segments import Offer


def channels_phrase(channels: tuple[str, ...]) -> str:
    return ", ".join(channels)


def offer_condition(offer: Offer) -> str:
    """The rule as it is applied, with the configured number."""
    word = "не меньше" if offer.op == ">=" else "не больше"
    return f"«{label(offer.feature)}» {word} {exact(offer.value)}"


def offer_reason(offer: Offer) -> str:
    """«75 % покупателей сегмента: «Страниц за визит» не больше 5 (среди стабильных — 9 %)»."""
    if offer.by_definition:
        return f"{offer_condition(offer)} — так задан сам сегмент (среди стабильных таких {percent(offer.share_stable)})"
    return f"{percent(offer.share_segment)} покупателей сегмента: {offer_condition(offer)} (среди стабильных — {percent(offer.share_stable)})"


def rejected_rules(offers: tuple[Offer, ...], segment: str) -> str:
    """«Не сработало правило …» / «Не сработали правила …», with the condition and the shares that decided it."""
    if not offers:
        return ""
    head = "Не сработало правило" if len(offers) == 1 else "Не сработали правила"
    reasons = "; ".join(
        f"«{o.title}» — условие {offer_condition(o)} выполняется у {percent(o.share_segment)} сегмента "
        f"против {percent(o.share_stable)} у стабильных"
        for o in offers
    )
    return f"{head} для сегмента «{segment}» (данные его не подтверждают): {reasons}."


def dropped_sentence(plan: Plan, effects: Effects) -> str:
    """The offers and segments the measurements show not working, which the plan leaves out; and those that read as
    harmed, but not once Holm's adjustment counts every comparison made, which it keeps, to be measured again."""
    parts = []
    if plan.dropped:
        names = ", ".join(f"«{e.title or e.offer}»" for name in plan.dropped if (e := effects.for_offer(name)) is not None)
        parts.append(f"Не работают по измерениям и исключены из плана: {names}.")
    planned = {v.segment for v in plan.by_segment}
    compared = count(effects.compared, "сравнение", "сравнения", "сравнений")
    for e in effects.groups:
        if e.uplift is None or e.uplift_ci95 is None:
            continue
        numbers = uplift_difference(e.uplift, e.uplift_ci95)
        if e.offer is None and e.segment is not None and not e.works and e.segment not in planned:
            harm = e.verdict == "harm"  # a harm the money uses (`works`) is one that holds after Holm's adjustment
            held = f", и вред держится с поправкой Холма на {compared}{p_note(e.p_adjusted)}" if harm else ""
            parts.append(f"Сегмент «{e.segment}» в план не вошёл: по контрольным группам предложения там "
                         f"{'вредят' if harm else 'не действуют'} — {numbers}{held}.")
        # All offers together are tested without Holm's adjustment: the table and «Главное» say when theirs does not hold.
        elif (e.segment or e.offer) and e.verdict == "harm" and effects.unconfirmed(e):
            who = f"В сегменте «{e.segment}» предложения" if e.segment else f"Предложение «{e.title or e.offer}»"
            verb, kept = ("вредят", "они не исключены") if e.segment else ("вредит", "оно не исключено")
            parts.append(f"{who} по контрольным группам как будто {verb} — {numbers}, но это лишь одно сравнение "
                         f"из многих (всего их {effects.compared}), и с поправкой Холма на их число вред не "
                         f"подтверждается{p_note(e.p_adjusted)}: из плана {kept}, и следующий квартал проверит это на "
                         "новой контрольной группе.")
    return " ".join(parts)


def losing_note(plan: Plan) -> str:
    """The segments in the plan whose gain is assumed while their measured range is a loss (a harm the adjustment for
    many comparisons does not confirm): why the plan's range reaches below zero."""
    names = [f"«{v.segment}»" for v in plan.by_segment if v.effect_source == "assumed" and v.gain_range and v.gain_range[1] < 0]
    where = f"сегменте {names[0]}" if len(names) == 1 else "сегментах " + ", ".join(names)
    return f" (в {where} измерение показывает потерю, а выгода там посчитана по допущению)" if names else ""
