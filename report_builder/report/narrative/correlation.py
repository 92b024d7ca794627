"""«Корреляционный анализ»: the strength of links (φK) and whether features duplicate each other."""

from __future__ import annotations

from report_builder.labels import label
from report_builder.report.filters import count, num
from report_builder.report.narrative.common import level
from report_builder.results.analysis import Correlation

# φK: from this value on, the strength of a link.
PHIK_LEVELS = ((0.7, "высокая"), (0.5, "заметная"), (0.3, "умеренная"), (0.0, "слабая"))
NOTABLE_LINK = next(bound for bound, word in PHIK_LEVELS if word == "заметная")  # «заметная или высокая» from here
TARGET_ROWS = 8  # features listed in the table of links with the activity


def phik_strength(value: float) -> str:
    return level(value, PHIK_LEVELS)


def phik_digits(values: tuple[float, ...] | list[float]) -> int:
    """Digits enough for every value's number and strength to agree (0.4974 needs «0,497», not «0,50»); one count
    for a whole column, so that no value stands out with more digits than its neighbours."""
    bounds = [b for b, _ in PHIK_LEVELS if b > 0]

    def needed(value: float) -> int:
        return next((d for d in (2, 3, 4, 5) if all((round(value, d) >= b) == (value >= b) for b in bounds)), 5)

    return max((needed(v) for v in values), default=2)


def phik_value(value: float, digits: int | None = None) -> str:
    """φK with `digits` digits, by default as many as this value needs (`phik_digits`)."""
    return num(value, digits if digits is not None else phik_digits([value]))


def phik_rows(correlation: Correlation) -> tuple[tuple[str, str, str], ...]:
    """The table of the strongest links: (feature, φK with one count of digits for the column, strength)."""
    links = strongest_links(correlation)
    digits = phik_digits([v for _, v in links])
    return tuple((name, phik_value(v, digits), phik_strength(v)) for name, v in links)


def strongest_links(correlation: Correlation) -> tuple[tuple[str, float], ...]:
    """The rows of the table: the features most linked with the activity."""
    return correlation.with_target[:TARGET_ROWS]


def multicollinearity(correlation: Correlation) -> str:
    feature, vif = correlation.vif[0]
    if correlation.multicollinear:
        pairs = ", ".join(f"«{label(a)}» и «{label(b)}» (φK = {num(v, 2)})" for a, b, v in correlation.strong_pairs)
        head = f"Есть сильно связанные между собой признаки: {pairs}. " if pairs else ""
        return (
            f"{head}Наибольший коэффициент инфляции дисперсии (VIF) — {num(vif, 1)} у признака «{label(feature)}» "
            f"(порог {num(correlation.vif_threshold, 1)}). Линейные модели могут давать неустойчивые веса; "
            "деревья и SHAP-объяснения следует читать с учётом этих пар."
        )
    return (
        f"Мультиколлинеарности нет: ни одна пара признаков не связана сильнее φK = {num(correlation.pair_threshold, 1)}, "
        f"а наибольший VIF — {num(vif, 1)} у признака «{label(feature)}» — ниже порога {num(correlation.vif_threshold, 1)}. "
        "Все признаки оставлены в модели."
    )


def vif_rule(threshold: float) -> str:
    return f"Выше {num(threshold, 1)} — признак почти дублирует другие."


def overlap(correlation: Correlation) -> str:
    """Whether features duplicate each other, for the main text (the measures are in the appendix)."""
    if correlation.multicollinear:
        pairs = ", ".join(f"«{label(a)}» и «{label(b)}»" for a, b, _ in correlation.strong_pairs)
        head = f"Почти дублируют друг друга {pairs}. " if pairs else "Часть признаков почти выражается через другие. "
        return head + "Модели это учитывают, но вклад таких признаков стоит читать вместе."
    return "Признаки не дублируют друг друга: все оставлены в модели (проверка — в «Методике»)."


# --- chart captions ---------------------------------------------------------------------------

def target_links_title(correlation: Correlation) -> str:
    """«Заметная или высокая связь с активностью (φK от 0,5): 2 признака»."""
    strong = sum(value >= NOTABLE_LINK for _, value in correlation.with_target)
    return f"Заметная или высокая связь с активностью (φK от {num(NOTABLE_LINK, 1)}): {count(strong, 'признак', 'признака', 'признаков')}"


def heatmap_title(correlation: Correlation) -> str:
    feature, value = correlation.with_target[0]
    return f"Сильнее всего с активностью связан признак «{label(feature)}» (φK = {num(value, 2)})"
