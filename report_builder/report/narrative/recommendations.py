"""«Рекомендации»: the offer rules as applied, why each was chosen or not, and whether a contact pays off."""

from __future__ import annotations


from report_builder.labels import label
from report_builder.report.narrative.common import exact, percent
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


# --- chart captions ---------------------------------------------------------------------------


# --- chart captions ---------------------------------------------------------------------------


