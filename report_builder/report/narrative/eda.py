"""«Исследовательский анализ»: each feature read in words, and the effect-size scale every section uses."""

from __future__ import annotations

from report_builder.report.filters import NBSP, count, num
from report_builder.report.narrative.common import exact, level, percent
from report_builder.results.analysis import CategoricalFeature, NumericFeature
from report_builder.results.segments import Contrast

# The size of a difference between two groups, from this value on.
COHEN_LEVELS = ((0.8, "сильное"), (0.5, "заметное"), (0.2, "слабое"), (0.0, "несущественное"))  # Cohen's d, numbers
CRAMER_LEVELS = ((0.5, "сильное"), (0.3, "заметное"), (0.1, "слабое"), (0.0, "несущественное"))  # Cramér's V, categories
NO_DIFFERENCE = COHEN_LEVELS[-1][1]
MIN_EFFECT = COHEN_LEVELS[-2][0]  # a difference smaller than this is not worth a manager's attention


def difference(contrast: Contrast) -> str:
    """«сильное / заметное / слабое / несущественное», for numbers (Cohen's d) and categories (Cramér's V)."""
    levels = COHEN_LEVELS if contrast.kind == "numeric" else CRAMER_LEVELS
    return level(abs(contrast.effect_size), levels)


def strength(effect_size: float, p_value: float, alpha: float, levels: tuple[tuple[float, str], ...]) -> str:
    """A difference in words by both its size and its test: a significant one is at least «слабое»; a large one that
    the test does not confirm says so; «несущественное» only when it is both small and not significant."""
    size = level(abs(effect_size), levels)
    if significant(p_value, alpha):
        return levels[-2][1] if size == NO_DIFFERENCE else size
    return NO_DIFFERENCE if size == NO_DIFFERENCE else f"{size} на вид, но проверкой не подтверждено"


def significant(p_value: float, alpha: float) -> bool:
    return p_value < alpha


def important(contrast: Contrast, alpha: float) -> bool:
    """A difference worth acting on: significant and at least small in size."""
    return significant(contrast.p_value, alpha) and abs(contrast.effect_size) >= MIN_EFFECT


def importance_rule(alpha: float) -> str:
    return f"значимо (p{NBSP}<{NBSP}{exact(alpha)}) и хотя бы слабое по размеру (|d|{NBSP}≥{NBSP}{num(MIN_EFFECT, 1)})"


MIN_CATEGORY = 30  # customers a category needs before its share of decliners is read as telling something


def compared(feature: CategoricalFeature) -> list[str]:
    """The categories large enough to be named as where activity declines most or least, highest share first: a new
    category of three customers who all declined says nothing yet about the category."""
    return [name for name in feature.decline_rate if feature.counts[name] >= MIN_CATEGORY]


def categorical_reading(feature: CategoricalFeature, alpha: float) -> str:
    rates, large = feature.decline_rate, compared(feature)
    small = [name for name in rates if name not in large]
    least = count(MIN_CATEGORY, "покупателя", "покупателей", "покупателей")
    aside = (
        f" {'Группа' if len(small) == 1 else 'Группы'} меньше {least} "
        f"({', '.join(f'«{name}» — {num(feature.counts[name])}' for name in small)}) в сравнение не "
        f"{'входит: по ней' if len(small) == 1 else 'входят: по ним'} вывод делать рано."
        if small else ""
    )
    if len(large) < 2:
        return f"Для сравнения мало данных: групп хотя бы из {least} меньше двух.{aside}"
    top, bottom = large[0], large[-1]
    if significant(feature.p_value, alpha):
        size = strength(feature.cramer_v, feature.p_value, alpha, CRAMER_LEVELS)
        return (
            f"Чаще всего активность снижается в группе «{top}» ({percent(rates[top])}), "
            f"реже всего — «{bottom}» ({percent(rates[bottom])}); различие {size}.{aside}"
        )
    groups = ("в обеих" if len(large) == 2 else "во всех") + (" сравниваемых" if small else "") + " группах"
    return f"Доля снизивших почти одинакова {groups}: признак сам по себе риск не различает.{aside}"


def numeric_reading(feature: NumericFeature, alpha: float) -> str:
    means = f"в среднем {num(feature.mean_declined, 1)} у снизивших против {num(feature.mean_stable, 1)} у сохранивших активность"
    size = strength(feature.effect_size, feature.p_value, alpha, COHEN_LEVELS)
    if significant(feature.p_value, alpha):
        side = "выше" if feature.mean_declined > feature.mean_stable else "ниже"
        return f"У снизивших активность показатель {side}: {means}; различие {size}."
    if size == NO_DIFFERENCE:
        return f"Группы почти не различаются: {means}; различие {NO_DIFFERENCE}."
    return f"Различие {size}: {means}."
