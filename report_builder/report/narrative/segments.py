"""«Сегментация покупателей»: the thresholds as applied, the priority segment and how it differs."""

from __future__ import annotations

import math

from report_builder.labels import label
from report_builder.report.filters import NBSP, count, num, pct
from report_builder.report.narrative.common import end, exact
from report_builder.report.narrative.eda import COHEN_LEVELS, CRAMER_LEVELS, strength
from report_builder.results.segments import Contrast, Segmentation, SegmentStats

PRIORITY_DRIVERS_SHOWN = 5  # features named as what raises the risk in the priority segment


def value_rule(quantile: float) -> str:
    """How the profit threshold separating valuable customers was chosen."""
    if math.isclose(quantile, 0.5):
        return "медиана прибыли: ценные — верхняя половина покупателей"
    return f"квантиль прибыли {num(quantile, 2)}: ценные — верхние {num((1 - quantile) * 100)}{NBSP}% покупателей"


def threshold_rule(value: float) -> str:
    """A threshold with every digit it is applied with: «от 4,045»."""
    return f"от {exact(round(value, 6))}"


def amount(value: float) -> str:
    """A mean as a reader wants it: whole roubles for large amounts, two decimals for small ones."""
    return num(value, 0 if abs(value) >= 100 else 2)


def is_priority(stats: SegmentStats, segmentation: Segmentation) -> bool:
    return stats.name == segmentation.priority


def priority_reason(configured: bool) -> str:
    return "задан в настройках" if configured else "выбран по наибольшей прибыли под риском"


def contrast_values(contrast: Contrast) -> tuple[str, str]:
    """The segment's and the stable customers' value: means for numbers, shares for categories."""
    if contrast.kind == "numeric":
        return amount(contrast.segment_value), amount(contrast.stable_value)
    return pct(contrast.segment_value), pct(contrast.stable_value)


def contrast_difference(contrast: Contrast, alpha: float) -> str:
    """The difference in words, by its size and its test («несущественное» only when small and not significant)."""
    return strength(contrast.effect_size, contrast.p_value, alpha, COHEN_LEVELS if contrast.kind == "numeric" else CRAMER_LEVELS)


def priority_drivers(segmentation: Segmentation, shown: int = PRIORITY_DRIVERS_SHOWN) -> str:
    """«Страниц за визит» +4,1 п. п.; … : the mean contribution of the leading features inside the segment."""
    shown_drivers = sorted(segmentation.priority_drivers[:shown], key=lambda d: -d[2])  # largest contribution first
    return end("; ".join(
        f"«{label(feature)}» {'+' if mean >= 0 else '−'}{num(abs(mean) * 100, 1)}{NBSP}п.{NBSP}п."
        for feature, _, mean in shown_drivers
    ))


def priority_line(segmentation: Segmentation, unit: str) -> str:
    """The priority segment in one sentence for «Главное»: who they are and what is at stake."""
    top = segmentation.stats(segmentation.priority)
    return (
        f"Приоритетный сегмент — «{segmentation.priority}»: {count(top.customers, 'покупатель', 'покупателя', 'покупателей')}, "
        f"{num(top.profit_at_risk)} {unit} прибыли под риском за {segmentation.months} мес."
    )


# --- chart captions ---------------------------------------------------------------------------

def scatter_title(segmentation: Segmentation, unit: str) -> str:
    top = segmentation.stats(segmentation.priority)
    return (
        f"Сегмент «{segmentation.priority}»: {count(top.customers, 'покупатель', 'покупателя', 'покупателей')}, "
        f"прибыль под риском за {segmentation.months} мес. — {num(top.profit_at_risk)} {unit}"
    )


def profit_share_title(segmentation: Segmentation) -> str:
    base = sum(s.profit_at_risk for s in segmentation.segments if s.base)
    share = segmentation.stats(segmentation.priority).profit_at_risk / base
    return f"На сегмент «{segmentation.priority}» приходится {pct(share)} всей прибыли под риском"


def contrast_title(segmentation: Segmentation) -> str:
    """The numeric feature on which the priority segment differs most from the stable customers."""
    top = next(c for c in segmentation.contrasts if c.kind == "numeric")
    return f"Сегмент «{segmentation.priority}» сильнее всего отличается от стабильных покупателей признаком «{label(top.feature)}»"
